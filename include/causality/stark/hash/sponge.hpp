// causality/stark/hash/sponge.hpp — hashing and 2-to-1 compression built on a
// permutation, and the digest type.
//
// PaddingFreeSponge<Perm, Rate, Out>: the state starts at zero; each chunk of up to
// Rate inputs overwrites the first entries of the state and the state is permuted; the
// digest is the first Out entries. No padding: use it for inputs of a length fixed by
// context (matrix rows), as Plonky3 does.
// TruncatedPermutation<Perm, N, Chunk>: N digests side by side, permuted, truncated to
// the first Chunk entries.
#pragma once

#include <causality/field/concepts.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <span>
#include <string_view>
#include <utility>

namespace causality::stark {

namespace detail {
// A hashing piece's `name`, or "custom" for one that has none (security reports).
template <class T>
constexpr std::string_view name_of() {
    if constexpr (requires { T::name; })
        return T::name;
    else
        return "custom";
}
}  // namespace detail

template <class F, std::size_t N>
using Digest = std::array<F, N>;

template <class Perm, std::size_t Rate, std::size_t Out>
class PaddingFreeSponge {
public:
    using F = typename Perm::field_type;
    using Digest = stark::Digest<F, Out>;
    static constexpr std::string_view name = detail::name_of<Perm>();
    static constexpr std::size_t width = Perm::width;
    static_assert(Rate >= 1 && Rate < width, "the sponge rate must leave a capacity");
    static_assert(Out >= 1 && Out <= width, "the digest cannot exceed the state");

    explicit PaddingFreeSponge(Perm perm) : perm_(std::move(perm)) {}

    [[nodiscard]] Digest hash(std::span<const F> input) const {
        std::array<F, width> state{};
        absorb(state, input);
        Digest d;
        std::copy_n(state.begin(), Out, d.begin());
        return d;
    }

    // Absorbs into a caller's state (any element type the permutation accepts: packed
    // states hash `P::width` inputs at once).
    template <class T, class Input>
    void absorb(std::array<T, width>& state, const Input& input) const {
        const std::size_t n = std::size(input);
        for (std::size_t i = 0; i < n; i += Rate) {
            const std::size_t len = std::min(Rate, n - i);
            for (std::size_t k = 0; k < len; ++k) state[k] = input[i + k];
            perm_.permute(state);
        }
    }

    [[nodiscard]] const Perm& permutation() const noexcept { return perm_; }

private:
    Perm perm_;
};

template <class Perm, std::size_t N, std::size_t Chunk>
class TruncatedPermutation {
public:
    using F = typename Perm::field_type;
    using Digest = stark::Digest<F, Chunk>;
    static constexpr std::string_view name = detail::name_of<Perm>();
    static constexpr std::size_t width = Perm::width;
    static_assert(N * Chunk <= width, "the inputs must fit in the permutation's state");

    explicit TruncatedPermutation(Perm perm) : perm_(std::move(perm)) {}

    template <class T>
    [[nodiscard]] std::array<T, Chunk> compress(const std::array<std::array<T, Chunk>, N>& in) const {
        std::array<T, width> state{};
        for (std::size_t j = 0; j < N; ++j) std::copy(in[j].begin(), in[j].end(), state.begin() + j * Chunk);
        perm_.permute(state);
        std::array<T, Chunk> out;
        std::copy_n(state.begin(), Chunk, out.begin());
        return out;
    }

    [[nodiscard]] const Perm& permutation() const noexcept { return perm_; }

private:
    Perm perm_;
};

}  // namespace causality::stark
