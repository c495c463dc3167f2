// causality/stark/challenger.hpp — the Fiat-Shamir transcript: a duplex sponge over a
// permutation that observes field elements and digests and samples challenges.
//
// Semantics (those of Plonky3's DuplexChallenger): observing clears pending outputs and
// queues the value; a full queue of Rate values overwrites the first Rate state entries
// and the state is permuted, refilling the outputs with the first Rate entries. Sampling
// first duplexes if anything is queued or no output is left, then takes the last output.
// sample_bits is unbiased: it rejects the values above the largest multiple of 2^bits
// below p and samples again, so every index is equally likely.
// Proof-of-work: a witness w is valid for `bits` when observing w and sampling `bits` bits
// gives zero; grind() searches in parallel and returns the smallest valid witness, so the
// proof does not depend on the thread count. Checking a witness costs one permutation.
#pragma once

#include <causality/error.hpp>
#include <causality/field/concepts.hpp>
#include <causality/field/packed.hpp>
#include <causality/parallel.hpp>
#include <causality/stark/hash/sponge.hpp>

#include <array>
#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace causality::stark {

template <class Perm, std::size_t Rate>
class DuplexChallenger {
public:
    using F = typename Perm::field_type;
    static constexpr std::size_t width = Perm::width;
    static constexpr std::string_view name = detail::name_of<Perm>();
    static_assert(Rate >= 1 && Rate < width, "the challenger's rate must leave a capacity");

    explicit DuplexChallenger(Perm perm) : perm_(std::move(perm)) {}

    void observe(F value) {
        output_.clear();
        input_.push_back(value);
        if (input_.size() == Rate) duplex();
    }
    void observe(std::span<const F> values) {
        for (const F& v : values) observe(v);
    }
    template <std::size_t N>
    void observe(const Digest<F, N>& digest) {
        observe(std::span<const F>(digest));
    }
    // A byte digest (Keccak-256) as 16-bit little-endian limbs: one element each, an
    // injective encoding in every field above 2^16.
    template <std::size_t N>
    void observe(const std::array<std::uint8_t, N>& bytes) {
        for (std::size_t i = 0; i < N; i += 2)
            observe(F::from_u64(static_cast<std::uint64_t>(bytes[i]) |
                                (i + 1 < N ? static_cast<std::uint64_t>(bytes[i + 1]) << 8 : 0)));
    }
    template <field::ExtensionField E>
        requires std::same_as<typename E::base_field, F>
    void observe_ext(const E& value) {
        observe(value.coeffs());
    }

    [[nodiscard]] F sample() {
        if (!input_.empty() || output_.empty()) duplex();
        const F v = output_.back();
        output_.pop_back();
        return v;
    }
    template <field::ExtensionField E>
        requires std::same_as<typename E::base_field, F>
    [[nodiscard]] E sample_ext() {
        std::array<F, E::degree> c;
        for (auto& x : c) x = sample();
        return E(c);
    }

    // A uniform integer in [0, 2^bits); Error(invalid_argument) unless 2^bits < p.
    [[nodiscard]] std::uint64_t sample_bits(unsigned bits) {
        if (bits >= 63 || (std::uint64_t{1} << bits) >= static_cast<std::uint64_t>(F::modulus))
            throw Error(ErrorCode::invalid_argument,
                        "sample_bits(" + std::to_string(bits) + "): 2^bits must be below the field size");
        const std::uint64_t m = std::uint64_t{1} << bits, limit = rejection_limit(bits);
        for (;;) {
            const std::uint64_t x = sample().to_u64();
            if (x < limit) return x & (m - 1);
        }
    }

    // Observes `witness` and tells whether `bits` sampled bits are zero.
    [[nodiscard]] bool check_witness(unsigned bits, F witness) {
        observe(witness);
        return sample_bits(bits) == 0;
    }

    // The smallest witness valid for `bits`, found in parallel; the challenger then
    // continues as after check_witness(bits, witness). Error(invalid_argument) beyond 60
    // bits (the search would not end).
    F grind(unsigned bits) {
        if (bits > 60) throw Error(ErrorCode::invalid_argument, "grind(" + std::to_string(bits) + "): at most 60 bits");
        if ((std::uint64_t{1} << bits) >= static_cast<std::uint64_t>(F::modulus))
            throw Error(ErrorCode::invalid_argument,
                        "grind(" + std::to_string(bits) + "): 2^bits must be below the field size");
        const std::uint64_t block = 1 << 14;
        for (std::uint64_t start = 0; start < static_cast<std::uint64_t>(F::modulus); start += block) {
            const std::uint64_t end = std::min<std::uint64_t>(start + block, F::modulus);
            std::atomic<std::uint64_t> best{std::numeric_limits<std::uint64_t>::max()};
            const auto found = [&](std::uint64_t w) {
                std::uint64_t cur = best.load();
                while (w < cur && !best.compare_exchange_weak(cur, w)) {
                }
            };
            using P = field::Packed<F>;
            constexpr std::size_t L = P::width;
            if constexpr (requires(std::array<P, width>& st) { perm_.permute(st); }) {
                // check_witness runs exactly one duplex: the pending input with the witness
                // appended at position input_.size(), over the current state, and samples
                // state[Rate - 1] first. Packed: L witnesses per permutation.
                std::array<F, width> pre = state_;
                for (std::size_t i = 0; i < input_.size(); ++i) pre[i] = input_[i];
                const std::size_t pos = input_.size();
                const std::uint64_t m = std::uint64_t{1} << bits, limit = rejection_limit(bits);
                parallel::parallel_for((end - start + L - 1) / L, 16, [&](std::size_t b, std::size_t e) {
                    for (std::size_t g = b; g < e; ++g) {
                        const std::uint64_t w0 = start + g * L;
                        if (w0 >= best.load(std::memory_order_relaxed)) return;
                        std::array<P, width> st;
                        for (std::size_t k = 0; k < width; ++k) st[k] = P::broadcast(pre[k]);
                        std::array<F, L> ws;
                        for (std::size_t l = 0; l < L; ++l) ws[l] = F::from_u64(std::min(w0 + l, end - 1));
                        st[pos] = P::from_array(ws);
                        perm_.permute(st);
                        const auto out = st[Rate - 1].to_array();
                        for (std::size_t l = 0; l < L && w0 + l < end; ++l) {
                            const std::uint64_t x = out[l].to_u64();
                            bool ok = (x & (m - 1)) == 0;
                            if (x >= limit) {  // rejection sampling draws again: the scalar path
                                DuplexChallenger copy = *this;
                                ok = copy.check_witness(bits, ws[l]);
                            }
                            if (ok) {
                                found(w0 + l);
                                return;
                            }
                        }
                    }
                });
            } else {
                parallel::parallel_for(end - start, 256, [&](std::size_t b, std::size_t e) {
                    for (std::size_t i = b; i < e; ++i) {
                        const std::uint64_t w = start + i;
                        if (w >= best.load(std::memory_order_relaxed)) return;
                        DuplexChallenger copy = *this;
                        if (copy.check_witness(bits, F::from_u64(w))) {
                            found(w);
                            return;
                        }
                    }
                });
            }
            if (best.load() != std::numeric_limits<std::uint64_t>::max()) {
                const F witness = F::from_u64(best.load());
                const bool valid = check_witness(bits, witness);
                if (!valid) throw Error(ErrorCode::invalid_argument, "grind: internal inconsistency");
                return witness;
            }
        }
        throw Error(ErrorCode::invalid_argument, "grind(" + std::to_string(bits) + "): no witness in the field");
    }

private:
    // sample_bits draws again at or above this: the largest multiple of 2^bits below p.
    static constexpr std::uint64_t rejection_limit(unsigned bits) noexcept {
        const std::uint64_t p = static_cast<std::uint64_t>(F::modulus);
        return p - p % (std::uint64_t{1} << bits);
    }

    void duplex() {
        for (std::size_t i = 0; i < input_.size(); ++i) state_[i] = input_[i];
        input_.clear();
        perm_.permute(state_);
        output_.assign(state_.begin(), state_.begin() + Rate);
    }

    Perm perm_;
    std::array<F, width> state_{};
    std::vector<F> input_;
    std::vector<F> output_;
};

}  // namespace causality::stark
