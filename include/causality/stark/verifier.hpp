// causality/stark/verifier.hpp — the multi-AIR STARK verifier. It takes the proof bytes
// (or a decoded proof), the AIRs and the public values, replays the prover's transcript,
// checks every AIR's constraints against its quotient at zeta and the FRI opening proof,
// and returns a VerifyResult: accepted, or rejected with the reason. It never throws on
// hostile input and allocates only what the bytes declare and contain.
#pragma once

#include <causality/error.hpp>
#include <causality/stark/config.hpp>
#include <causality/stark/folders.hpp>
#include <causality/stark/fri.hpp>
#include <causality/stark/keys.hpp>
#include <causality/stark/proof.hpp>
#include <causality/stark/transcript.hpp>
#include <causality/stark/verify_result.hpp>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace causality::stark {

namespace detail {
// The verifying key of AIRs without preprocessed columns in vk, or the rejection that says
// why there is none (an AIR with fixed columns needs the key from setup).
template <StarkConfig SC>
std::optional<VerifyResult> key_or_reject(std::span<const AirRef<SC>> airs, VerifyingKey<SC>& vk) {
    try {
        vk = keyless_verifying_key<SC>(airs);
        return std::nullopt;
    } catch (const Error& e) {
        return VerifyResult::reject(std::string("verify: ") + e.what());
    }
}
}  // namespace detail

template <StarkConfig SC>
VerifyResult verify(const VerifyingKey<SC>& vk, std::span<const AirRef<SC>> airs, const StarkProof<SC>& proof,
                    const std::vector<std::vector<typename SC::Field>>& public_values) {
    check_config<SC>();
    using T = StarkTypes<SC>;
    using F = typename T::F;
    using EF = typename T::EF;
    constexpr std::size_t D = T::ext_degree;
    constexpr FriParams fp = SC::fri;
    try {
        if (airs.empty()) return VerifyResult::reject("verify: no AIRs");
        if (const auto problem = key_mismatch<SC>(vk, airs); !problem.empty())
            return VerifyResult::reject("verify: " + problem);
        if (proof.log_heights.size() != airs.size())
            return VerifyResult::reject("the proof is for " + std::to_string(proof.log_heights.size()) +
                                        " AIRs, the verifier has " + std::to_string(airs.size()));
        if (public_values.size() != airs.size())
            return VerifyResult::reject(std::to_string(public_values.size()) + " public-value lists for " +
                                        std::to_string(airs.size()) + " AIRs");
        if (proof.opened.size() != airs.size())
            return VerifyResult::reject("opened values for " + std::to_string(proof.opened.size()) + " AIRs, expected " +
                                        std::to_string(airs.size()));
        if (const auto problem = detail::interaction_count_problem<SC>(airs, proof.log_heights); !problem.empty())
            return VerifyResult::reject(problem);
        for (std::size_t i = 0; i < airs.size(); ++i) {
            const auto& s = airs[i].shape();
            const std::string who = "AIR " + std::to_string(i) + " ('" + s.name + "'): ";
            if (public_values[i].size() != s.num_public_values)
                return VerifyResult::reject(who + std::to_string(public_values[i].size()) +
                                            " public values, the AIR declares " + std::to_string(s.num_public_values));
            if (const auto problem = detail::height_problem<SC>(s, proof.log_heights[i]); !problem.empty())
                return VerifyResult::reject(who + problem);
            const std::size_t lw = D * s.logup_columns(), sums = s.interactions.empty() ? 0 : 1;
            const auto& po = proof.opened[i];
            if (po.permutation_local.size() != lw || po.permutation_next.size() != lw || po.cumulative_sum.size() != sums)
                return VerifyResult::reject(who + "the opened LogUp values have the wrong shape (" +
                                            std::to_string(proof.opened[i].permutation_local.size()) + ", " +
                                            std::to_string(proof.opened[i].permutation_next.size()) + ", " +
                                            std::to_string(proof.opened[i].cumulative_sum.size()) + "; expected " +
                                            std::to_string(lw) + ", " + std::to_string(lw) + ", " +
                                            std::to_string(sums) + ")");
            const auto& fixed = vk.airs[i];
            if (fixed.width > 0 && fixed.log_height != proof.log_heights[i])
                return VerifyResult::reject(who + "the proof's trace has 2^" + std::to_string(proof.log_heights[i]) +
                                            " rows, the preprocessed trace 2^" + std::to_string(fixed.log_height));
            const auto& o = proof.opened[i];
            if (o.preprocessed_local.size() != fixed.width || o.preprocessed_next.size() != fixed.width)
                return VerifyResult::reject(who + "the opened preprocessed values have the wrong shape (" +
                                            std::to_string(o.preprocessed_local.size()) + ", " +
                                            std::to_string(o.preprocessed_next.size()) + "; expected " +
                                            std::to_string(fixed.width) + ")");
            const std::size_t chunks = std::size_t{1} << s.log_quotient_degree();
            if (o.main_local.size() != s.width || o.main_next.size() != s.width || o.quotient.size() != chunks * D)
                return VerifyResult::reject(who + "the opened values have the wrong shape (" +
                                            std::to_string(o.main_local.size()) + ", " +
                                            std::to_string(o.main_next.size()) + ", " +
                                            std::to_string(o.quotient.size()) + "; expected " +
                                            std::to_string(s.width) + ", " + std::to_string(s.width) + ", " +
                                            std::to_string(chunks * D) + ")");
        }

        const bool has_buses = detail::has_buses<SC>(airs);

        auto ch = T::Hashing::challenger();
        detail::observe_instance<SC>(ch, vk, airs, proof.log_heights, public_values);
        ch.observe(proof.main_root);
        detail::BusChallenges<EF> bc;
        if (has_buses) {
            if (fp.bus_pow_bits > 0 && !ch.check_witness(fp.bus_pow_bits, proof.bus_pow_witness))
                return VerifyResult::reject("the proof-of-work witness before the bus challenges is invalid");
            if (fp.bus_pow_bits == 0 && !proof.bus_pow_witness.is_zero())
                return VerifyResult::reject("a bus proof-of-work witness where the configuration has none");
            bc = detail::sample_bus_challenges<SC>(ch, airs);
            ch.observe(proof.permutation_root);
            EF total = EF::zero();
            for (std::size_t i = 0; i < airs.size(); ++i)
                for (const EF& c : proof.opened[i].cumulative_sum) ch.observe_ext(c), total += c;
            if (!total.is_zero())
                return VerifyResult::reject("the buses do not balance: the AIRs' cumulative sums do not add to zero");
        } else if (proof.permutation_root != typename T::Digest{} || !proof.bus_pow_witness.is_zero()) {
            return VerifyResult::reject("a LogUp commitment or witness, but no AIR has buses");
        }
        const EF alpha = ch.template sample_ext<EF>();
        ch.observe(proof.quotient_root);
        const EF zeta = ch.template sample_ext<EF>();
        for (const auto& o : proof.opened) detail::observe_opened<SC>(ch, o);

        VerifierOpenRound<SC> fixed_round{vk.preprocessed_root, {}, {}, {}}, main_round{proof.main_root, {}, {}, {}},
            perm_round{proof.permutation_root, {}, {}, {}}, quotient_round{proof.quotient_root, {}, {}, {}};
        // An extension element from its D base coordinates opened at an extension point.
        const auto combine = [](const std::vector<EF>& v, std::size_t c) {
            EF x = EF::zero();
            for (std::size_t k = 0; k < D; ++k) {
                std::array<F, D> unit{};
                unit[k] = F::one();
                x += v[c * D + k] * EF(unit);
            }
            return x;
        };
        for (std::size_t i = 0; i < airs.size(); ++i) {
            const auto& s = airs[i].shape();
            const auto& o = proof.opened[i];
            const unsigned h = proof.log_heights[i], q = s.log_quotient_degree();
            const std::size_t n = std::size_t{1} << h;
            const F w = F::two_adic_generator(h);
            const EF zeta_n = zeta.pow(n);
            const EF z_h = zeta_n - F::one();
            if (z_h.is_zero()) return VerifyResult::reject("zeta lies in the trace domain");
            const EF first = z_h * (zeta - F::one()).inverse();
            const EF last = z_h * (zeta - w.inverse()).inverse();
            const EF trans = zeta - w.inverse();
            std::vector<EF> publics;
            for (const F& x : public_values[i]) publics.push_back(EF::from_base(x));
            VerifierFolder<SC> folder({air::TwoRowWindow<EF>(o.main_local, o.main_next),
                                       air::TwoRowWindow<EF>(o.preprocessed_local, o.preprocessed_next), publics, first,
                                       last, trans},
                                      alpha);
            airs[i].eval(folder);
            if (!s.interactions.empty()) {
                std::vector<EF> elocal, enext;
                for (std::size_t c = 0; c < s.logup_columns(); ++c)
                    elocal.push_back(combine(o.permutation_local, c)), enext.push_back(combine(o.permutation_next, c));
                folder.finish_logup(s, {elocal, enext, bc.alpha, bc.beta_powers, o.cumulative_sum[0]});
            }

            const auto coset_n = detail::quotient_coset_powers<F>(h, q);
            EF quotient = EF::zero();
            for (std::size_t t = 0; t < coset_n.size(); ++t) {
                quotient += detail::chunk_selector(zeta_n, coset_n, t) * combine(o.quotient, t);
            }
            if (folder.accumulator() != z_h * quotient)
                return VerifyResult::reject("AIR " + std::to_string(i) + " ('" + s.name +
                                            "'): the constraints do not match the quotient at zeta");

            const std::size_t lde_h = n << fp.log_blowup;
            if (vk.airs[i].width > 0) {
                fixed_round.lde_dims.push_back({lde_h, vk.airs[i].width});
                fixed_round.points.push_back({zeta, zeta * w});
                fixed_round.values.push_back({o.preprocessed_local, o.preprocessed_next});
            }
            main_round.lde_dims.push_back({lde_h, s.width});
            main_round.points.push_back({zeta, zeta * w});
            main_round.values.push_back({o.main_local, o.main_next});
            if (!s.interactions.empty()) {
                perm_round.lde_dims.push_back({lde_h, D * s.logup_columns()});
                perm_round.points.push_back({zeta, zeta * w});
                perm_round.values.push_back({o.permutation_local, o.permutation_next});
            }
            for (std::size_t t = 0; t < coset_n.size(); ++t) {
                quotient_round.lde_dims.push_back({lde_h, D});
                quotient_round.points.push_back({zeta});
                quotient_round.values.push_back(
                    {std::vector<EF>(o.quotient.begin() + static_cast<std::ptrdiff_t>(t * D),
                                     o.quotient.begin() + static_cast<std::ptrdiff_t>((t + 1) * D))});
            }
        }
        std::vector<VerifierOpenRound<SC>> rounds;
        if (vk.has_preprocessed()) rounds.push_back(std::move(fixed_round));
        rounds.push_back(std::move(main_round));
        if (has_buses) rounds.push_back(std::move(perm_round));
        rounds.push_back(std::move(quotient_round));
        const FriPcs<SC> pcs;
        return pcs.verify(rounds, proof.fri, ch);
    } catch (const Error& e) {
        return VerifyResult::reject(std::string("verify: ") + e.what());
    } catch (const std::bad_alloc&) {
        return VerifyResult::reject("verify: out of memory");
    }
}

// Without a key: for AIRs without preprocessed columns (whose key is empty). AIRs with
// fixed columns are rejected here: verify them with the key from setup, made once.
template <StarkConfig SC>
VerifyResult verify(std::span<const AirRef<SC>> airs, const StarkProof<SC>& proof,
                    const std::vector<std::vector<typename SC::Field>>& public_values) {
    VerifyingKey<SC> vk;
    if (auto rejected = detail::key_or_reject<SC>(airs, vk)) return *rejected;
    return verify<SC>(vk, airs, proof, public_values);
}

// Decodes and verifies; malformed bytes are a rejection with the decoder's reason.
template <StarkConfig SC>
VerifyResult verify_bytes(const VerifyingKey<SC>& vk, std::span<const AirRef<SC>> airs,
                          std::span<const std::uint8_t> bytes,
                          const std::vector<std::vector<typename SC::Field>>& public_values) {
    StarkProof<SC> proof;
    try {
        proof = decode_proof<SC>(bytes);
    } catch (const Error& e) {
        return VerifyResult::reject(std::string("malformed proof: ") + e.what());
    }
    return verify<SC>(vk, airs, proof, public_values);
}
template <StarkConfig SC>
VerifyResult verify_bytes(std::span<const AirRef<SC>> airs, std::span<const std::uint8_t> bytes,
                          const std::vector<std::vector<typename SC::Field>>& public_values) {
    VerifyingKey<SC> vk;
    if (auto rejected = detail::key_or_reject<SC>(airs, vk)) return *rejected;
    return verify_bytes<SC>(vk, airs, bytes, public_values);
}

// The verifier of one configuration as a class, so that it can be compiled once: the
// members are defined out of the class (not inline), and a program declares
//   extern template class causality::stark::Verifier<MyConfig>;   // in a header
//   template class causality::stark::Verifier<MyConfig>;          // in one .cpp
// after which the other translation units call Verifier<MyConfig>::verify without
// instantiating the verifier (see benchmarks/RESULTS.md for what it saves).
template <StarkConfig SC>
class Verifier {
public:
    using F = typename SC::Field;
    static VerifyResult verify(const VerifyingKey<SC>& vk, std::span<const AirRef<SC>> airs, const StarkProof<SC>& proof,
                               const std::vector<std::vector<F>>& public_values);
    static VerifyResult verify_bytes(const VerifyingKey<SC>& vk, std::span<const AirRef<SC>> airs,
                                     std::span<const std::uint8_t> bytes, const std::vector<std::vector<F>>& public_values);
    // Without a key: AIRs without preprocessed columns only.
    static VerifyResult verify_bytes(std::span<const AirRef<SC>> airs, std::span<const std::uint8_t> bytes,
                                     const std::vector<std::vector<F>>& public_values);
};

template <StarkConfig SC>
VerifyResult Verifier<SC>::verify(const VerifyingKey<SC>& vk, std::span<const AirRef<SC>> airs,
                                  const StarkProof<SC>& proof, const std::vector<std::vector<F>>& public_values) {
    return stark::verify<SC>(vk, airs, proof, public_values);
}
template <StarkConfig SC>
VerifyResult Verifier<SC>::verify_bytes(const VerifyingKey<SC>& vk, std::span<const AirRef<SC>> airs,
                                        std::span<const std::uint8_t> bytes,
                                        const std::vector<std::vector<F>>& public_values) {
    return stark::verify_bytes<SC>(vk, airs, bytes, public_values);
}
template <StarkConfig SC>
VerifyResult Verifier<SC>::verify_bytes(std::span<const AirRef<SC>> airs, std::span<const std::uint8_t> bytes,
                                        const std::vector<std::vector<F>>& public_values) {
    return stark::verify_bytes<SC>(airs, bytes, public_values);
}

}  // namespace causality::stark
