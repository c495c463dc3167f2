// causality/stark/transcript.hpp — the steps the prover and the verifier share: what both
// observe into the Fiat-Shamir transcript (the instance, the opened values), the bus
// challenges, the checks on trace heights and degrees, and the quotient's coset algebra.
// A verifier-only translation unit includes this, not the prover.
#pragma once

#include <causality/air/symbolic.hpp>
#include <causality/field/concepts.hpp>
#include <causality/stark/config.hpp>
#include <causality/stark/folders.hpp>
#include <causality/stark/fri.hpp>
#include <causality/stark/keys.hpp>
#include <causality/stark/proof.hpp>

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace causality::stark {

namespace detail {

// Everything both sides know before the first commitment.
template <StarkConfig SC>
void observe_instance(typename StarkTypes<SC>::Challenger& ch, const VerifyingKey<SC>& vk,
                      std::span<const AirRef<SC>> airs, std::span<const std::uint32_t> log_heights,
                      std::span<const std::vector<typename SC::Field>> public_values) {
    using F = typename SC::Field;
    const std::uint32_t id = config_id<SC>();
    ch.observe(F::from_u64(id & 0xffff));
    ch.observe(F::from_u64(id >> 16));
    ch.observe(F::from_u64(airs.size()));
    for (std::size_t i = 0; i < airs.size(); ++i) {
        const auto& s = airs[i].shape();
        ch.observe(F::from_u64(log_heights[i]));
        ch.observe(F::from_u64(s.width));
        ch.observe(F::from_u64(s.num_constraints));
        ch.observe(F::from_u64(s.max_degree));
        ch.observe(F::from_u64(public_values[i].size()));
        ch.observe(std::span<const F>(public_values[i]));
        ch.observe(F::from_u64(vk.airs[i].width));
    }
    if (vk.has_preprocessed()) ch.observe(vk.preprocessed_root);
}

// The opened values, in the order both sides observe them.
template <StarkConfig SC>
void observe_opened(typename StarkTypes<SC>::Challenger& ch, const AirOpenedValues<SC>& o) {
    for (const auto* v : {&o.preprocessed_local, &o.preprocessed_next, &o.main_local, &o.main_next,
                          &o.permutation_local, &o.permutation_next, &o.quotient})
        for (const auto& x : *v) ch.observe_ext(x);
}

// log2 of the height when it is a power of two >= 2, else -1.
inline int log2_height(std::size_t rows) {
    if (rows < 2 || (rows & (rows - 1)) != 0) return -1;
    return std::countr_zero(rows);
}

// An AIR whose degree the configuration's blowup cannot hold: which constraints have the
// highest degree, and which configuration fits.
template <StarkConfig SC>
std::string degree_problem(const air::AirShape& s) {
    const unsigned q = s.log_quotient_degree();
    std::string which;
    std::size_t listed = 0;
    for (std::size_t j = 0; j < s.constraint_degrees.size(); ++j) {
        if (s.constraint_degrees[j] != s.max_degree) continue;
        if (listed++ == 3) {
            which += ", ...";
            break;
        }
        which += (which.empty() ? "" : ", ") + s.constraint_label(j);
    }
    if (which.empty()) which = "its bus (LogUp) constraints";
    return "constraint degree " + std::to_string(s.max_degree) + " (" + which + ") needs log_blowup >= " +
           std::to_string(q) + ", the configuration '" + std::string(SC::name) + "' has " +
           std::to_string(SC::fri.log_blowup) + "; a configuration that fits: " +
           preset_that_fits<typename SC::Field>(q);
}

// The checks shared by prover and verifier on one AIR's height; empty when fine.
template <StarkConfig SC>
std::string height_problem(const air::AirShape& s, unsigned log_h) {
    using F = typename SC::Field;
    constexpr FriParams f = SC::fri;
    const unsigned q = s.log_quotient_degree();
    if (log_h < 1 || log_h < f.log_final_poly_len)
        return "a trace of 2^" + std::to_string(log_h) + " rows is too short (at least 2 and 2^log_final_poly_len)";
    // log_h comes from the proof: compared alone first, so that no sum below can wrap.
    if (log_h > F::two_adicity || log_h + f.log_blowup > F::two_adicity || log_h + q > F::two_adicity)
        return "a trace of 2^" + std::to_string(log_h) + " rows exceeds the field's two-adicity " +
               std::to_string(F::two_adicity) + " after the blowup";
    if (q > f.log_blowup)
        return degree_problem<SC>(s);
    return {};
}

// The polynomial that is 1 on the coset with index t of the quotient domain and 0 on the
// others, at a point whose n-th power is zeta_n (Lagrange basis in x^n).
template <class F, class E>
E chunk_selector(const E& zeta_n, const std::vector<F>& coset_n, std::size_t t) {
    E num = E::one();
    F den = F::one();
    for (std::size_t s = 0; s < coset_n.size(); ++s) {
        if (s == t) continue;
        num = num * (zeta_n - coset_n[s]);
        den *= coset_n[t] - coset_n[s];
    }
    return num * den.inverse();
}

// c_s^n for the cosets c_s = g w_{n 2^q}^s of the quotient domain: g^n w_{2^q}^s.
template <class F>
std::vector<F> quotient_coset_powers(unsigned log_h, unsigned q) {
    return field::powers(F::two_adic_generator(q), std::size_t{1} << q,
                         F::generator().pow(std::uint64_t{1} << log_h));
}

// The bus challenges: the fingerprint's offset and powers of its field separator.
template <class EF>
struct BusChallenges {
    EF alpha{};
    std::vector<EF> beta_powers;  // beta^0 .. beta^(max fields + 1)
};

template <StarkConfig SC>
bool has_buses(std::span<const AirRef<SC>> airs) {
    for (const auto& a : airs)
        if (!a.shape().interactions.empty()) return true;
    return false;
}

// After the bus grinding, on both sides: alpha, then beta and its powers up to the longest
// message plus the bus term.
template <StarkConfig SC>
BusChallenges<typename SC::Challenge> sample_bus_challenges(typename StarkTypes<SC>::Challenger& ch,
                                                            std::span<const AirRef<SC>> airs) {
    using EF = typename SC::Challenge;
    BusChallenges<EF> bc;
    bc.alpha = ch.template sample_ext<EF>();
    const EF beta = ch.template sample_ext<EF>();
    std::size_t max_fields = 0;
    for (const auto& a : airs)
        for (const auto& it : a.shape().interactions) max_fields = std::max(max_fields, it.num_fields);
    bc.beta_powers = field::powers(beta, max_fields + 2);
    return bc;
}

// Messages times heights over all AIRs: the bound that keeps every count of the LogUp sum
// below the field size. Empty when it holds, else the reason.
template <StarkConfig SC>
std::string interaction_count_problem(std::span<const AirRef<SC>> airs, std::span<const std::uint32_t> log_heights) {
    using F = typename SC::Field;
    std::uint64_t total = 0;
    for (std::size_t i = 0; i < airs.size(); ++i) {
        const std::uint64_t m = airs[i].shape().interactions.size();
        if (m == 0) continue;
        if (log_heights[i] >= 40) return "a trace of 2^" + std::to_string(log_heights[i]) + " rows with bus messages";
        total += m << log_heights[i];
        if (total >= static_cast<std::uint64_t>(F::modulus))
            return "the traces put " + std::to_string(total) + " or more messages on buses, at least the field size " +
                   std::to_string(static_cast<std::uint64_t>(F::modulus)) + " (counts could wrap around)";
    }
    return {};
}

}  // namespace detail

}  // namespace causality::stark
