// causality/stark/defaults.hpp — the standard hashing stack of a field: default Poseidon2,
// the sponge (rate 8, digests of 8 elements for 31-bit fields; rate 4, digests of 4 for
// Goldilocks), 2-to-1 compression, the Merkle scheme and the challenger built on them.
#pragma once

#include <causality/stark/challenger.hpp>
#include <causality/stark/hash/poseidon2_default.hpp>
#include <causality/stark/hash/sponge.hpp>
#include <causality/stark/merkle.hpp>

#include <cstddef>

namespace causality::stark {

template <class F>
struct DefaultHashing;

template <class F>
    requires(HasDefaultPoseidon2<F, 16>)
struct DefaultHashing<F> {
    static constexpr std::size_t width = 16, rate = 8, digest_elems = 8;
};

template <>
struct DefaultHashing<field::Goldilocks> {
    static constexpr std::size_t width = 8, rate = 4, digest_elems = 4;
};

template <class F>
using DefaultPermutation = Poseidon2<F, DefaultHashing<F>::width>;
template <class F>
using DefaultHasher = PaddingFreeSponge<DefaultPermutation<F>, DefaultHashing<F>::rate, DefaultHashing<F>::digest_elems>;
template <class F>
using DefaultCompressor = TruncatedPermutation<DefaultPermutation<F>, 2, DefaultHashing<F>::digest_elems>;
template <class F>
using DefaultMmcs = MerkleTreeMmcs<DefaultHasher<F>, DefaultCompressor<F>, DefaultHashing<F>::digest_elems>;
template <class F>
using DefaultChallenger = DuplexChallenger<DefaultPermutation<F>, DefaultHashing<F>::rate>;

template <class F>
DefaultMmcs<F> default_mmcs() {
    const auto perm = default_poseidon2<F, DefaultHashing<F>::width>();
    return DefaultMmcs<F>(DefaultHasher<F>(perm), DefaultCompressor<F>(perm));
}

template <class F>
DefaultChallenger<F> default_challenger() {
    return DefaultChallenger<F>(default_poseidon2<F, DefaultHashing<F>::width>());
}

}  // namespace causality::stark
