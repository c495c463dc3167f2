// causality/stark/defaults.hpp — the hashing stack of a configuration: five roles, each
// a concept, each defaulted from the field when the configuration does not name it.
//
//   role         config member (optional)          default
//   permutation  using Permutation; permutation()   default_poseidon2<F, 16> (8 for 64-bit fields)
//   leaf hash    using Hasher;      hasher()        PaddingFreeSponge<Permutation, width/2, width/2>
//   node hash    using Compressor;  compressor()    Hasher::companion_compressor if it names one,
//                                                   else TruncatedPermutation<Permutation, 2, width/2>
//   Merkle       using Mmcs;        mmcs()          MerkleTreeMmcs<Hasher, Compressor>
//   transcript   using Challenger;  challenger()    DuplexChallenger<Permutation, width/2>
//
// A role's object comes from the configuration's static factory when it declares one,
// else by default construction, else from the role below it (a hasher or compressor or
// challenger from the permutation, the Merkle scheme from the hasher and compressor).
// Overriding one role leaves the others at their defaults: a configuration that names
// only `using Hasher = Keccak256Hasher<F>;` gets Keccak-256 leaves and nodes (the
// hasher's companion compressor), the Poseidon2 permutation and the Poseidon2 challenger.
//
// DefaultHashing<F> gives the default sizes for ANY prime field: width 16, rate 8 and
// digests of 8 elements below 2^32; width 8, rate 4, digests of 4 elements above.
#pragma once

#include <causality/field/concepts.hpp>
#include <causality/stark/challenger.hpp>
#include <causality/stark/hash/poseidon2_default.hpp>
#include <causality/stark/hash/sponge.hpp>
#include <causality/stark/merkle.hpp>

#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <span>
#include <type_traits>

namespace causality::stark {

template <class F>
struct DefaultHashing {
    static constexpr bool small_field = static_cast<std::uint64_t>(F::modulus) < (std::uint64_t{1} << 32);
    static constexpr std::size_t width = small_field ? 16 : 8, rate = width / 2, digest_elems = width / 2;
};

template <class F>
using DefaultPermutation = Poseidon2<F, DefaultHashing<F>::width>;
template <class F>
using DefaultHasher = PaddingFreeSponge<DefaultPermutation<F>, DefaultHashing<F>::rate, DefaultHashing<F>::digest_elems>;
template <class F>
using DefaultCompressor = TruncatedPermutation<DefaultPermutation<F>, 2, DefaultHashing<F>::digest_elems>;
template <class F>
using DefaultMmcs = MerkleTreeMmcs<DefaultHasher<F>, DefaultCompressor<F>>;
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

// ---------------------------------------------------------------- the roles as concepts

template <class P>
concept CryptographicPermutation = requires(const P& p, std::array<typename P::field_type, P::width>& state) {
    typename P::field_type;
    { P::width } -> std::convertible_to<std::size_t>;
    p.permute(state);
};

template <class H, class F>
concept MerkleHasher = requires(const H& h, std::span<const F> row) {
    requires std::same_as<typename H::F, F>;
    typename H::Digest;
    { h.hash(row) } -> std::same_as<typename H::Digest>;
};

template <class C, class Digest>
concept MerkleCompressor = requires(const C& c, const std::array<Digest, 2>& in) {
    { c.compress(in) } -> std::same_as<Digest>;
};

template <class M, class F>
concept MixedMatrixCommitment = requires(const M& m, std::vector<field::RowMajorMatrix<F>> mats, ByteWriter& w,
                                         ByteReader& r, const typename M::Digest& d, const typename M::Opening& o) {
    typename M::Digest;
    typename M::Opening;
    typename M::Tree;
    { M::digest_bytes } -> std::convertible_to<std::size_t>;
    { m.commit(std::move(mats)) } -> std::same_as<typename M::Tree>;
    M::write_digest(w, d);
    { M::read_digest(r) } -> std::same_as<typename M::Digest>;
    M::write_opening(w, o);
    { M::read_opening(r) } -> std::same_as<typename M::Opening>;
};

template <class C, class F, class Digest>
concept FiatShamirChallenger = requires(C& c, F x, std::span<const F> xs, const Digest& d, unsigned bits) {
    c.observe(x);
    c.observe(xs);
    c.observe(d);
    { c.sample() } -> std::same_as<F>;
    { c.sample_bits(bits) } -> std::convertible_to<std::uint64_t>;
    { c.check_witness(bits, x) } -> std::same_as<bool>;
    { c.grind(bits) } -> std::same_as<F>;
};

// ---------------------------------------------------------------- resolution per config

namespace detail {

template <class SC>
struct PermutationRole {
    using type = DefaultPermutation<typename SC::Field>;
};
template <class SC>
    requires requires { typename SC::Permutation; }
struct PermutationRole<SC> {
    using type = typename SC::Permutation;
};

template <class Perm>
inline constexpr std::size_t half_width() {
    if constexpr (requires { Perm::width; })
        return Perm::width / 2;
    else
        return 1;
}

template <class SC, class Perm>
struct HasherRole {
    using type = PaddingFreeSponge<Perm, half_width<Perm>(), half_width<Perm>()>;
};
template <class SC, class Perm>
    requires requires { typename SC::Hasher; }
struct HasherRole<SC, Perm> {
    using type = typename SC::Hasher;
};

template <class SC, class Perm, class Hasher>
struct CompressorRole {
    using type = TruncatedPermutation<Perm, 2, half_width<Perm>()>;
};
template <class SC, class Perm, class Hasher>
    requires(!requires { typename SC::Compressor; } && requires { typename Hasher::companion_compressor; })
struct CompressorRole<SC, Perm, Hasher> {
    using type = typename Hasher::companion_compressor;
};
template <class SC, class Perm, class Hasher>
    requires requires { typename SC::Compressor; }
struct CompressorRole<SC, Perm, Hasher> {
    using type = typename SC::Compressor;
};

template <class SC, class Hasher, class Compressor>
struct MmcsRole {
    using type = MerkleTreeMmcs<Hasher, Compressor>;
};
template <class SC, class Hasher, class Compressor>
    requires requires { typename SC::Mmcs; }
struct MmcsRole<SC, Hasher, Compressor> {
    using type = typename SC::Mmcs;
};

template <class SC, class Perm>
struct ChallengerRole {
    using type = DuplexChallenger<Perm, half_width<Perm>()>;
};
template <class SC, class Perm>
    requires requires { typename SC::Challenger; }
struct ChallengerRole<SC, Perm> {
    using type = typename SC::Challenger;
};

}  // namespace detail

// The hashing stack of configuration SC, its defaults filled in.
template <class SC>
struct ConfigHashing {
    using F = typename SC::Field;
    using Permutation = typename detail::PermutationRole<SC>::type;
    static_assert(CryptographicPermutation<Permutation>,
                  "StarkConfig: the configuration's Permutation needs `field_type`, `width` and "
                  "`permute(std::array<field_type, width>&) const`");
    using Hasher = typename detail::HasherRole<SC, Permutation>::type;
    static_assert(MerkleHasher<Hasher, F>,
                  "StarkConfig: the configuration's Hasher needs `using F = Field;`, a `Digest` type and "
                  "`Digest hash(std::span<const F>) const`");
    using Compressor = typename detail::CompressorRole<SC, Permutation, Hasher>::type;
    static_assert(MerkleCompressor<Compressor, typename Hasher::Digest>,
                  "StarkConfig: the configuration's Compressor needs `Digest compress(const std::array<Digest, 2>&) "
                  "const` for the Hasher's Digest");
    using Mmcs = typename detail::MmcsRole<SC, Hasher, Compressor>::type;
    static_assert(MixedMatrixCommitment<Mmcs, F>,
                  "StarkConfig: the configuration's Mmcs needs Digest, Opening, Tree, digest_bytes, commit, "
                  "write_digest/read_digest and write_opening/read_opening (see MerkleTreeMmcs)");
    using Challenger = typename detail::ChallengerRole<SC, Permutation>::type;
    static_assert(FiatShamirChallenger<Challenger, F, typename Mmcs::Digest>,
                  "StarkConfig: the configuration's Challenger needs observe (elements, spans and Merkle "
                  "digests), sample, sample_bits, check_witness and grind (see DuplexChallenger)");

    static Permutation permutation() {
        if constexpr (requires { SC::permutation(); })
            return SC::permutation();
        else if constexpr (std::is_same_v<Permutation, DefaultPermutation<F>>)
            return default_poseidon2<F, DefaultHashing<F>::width>();
        else if constexpr (std::is_default_constructible_v<Permutation>)
            return Permutation{};
        else
            static_assert(sizeof(SC) == 0,
                          "StarkConfig: the configuration names a Permutation that is not default-constructible; "
                          "declare `static Permutation permutation()`");
    }
    static Hasher hasher() {
        if constexpr (requires { SC::hasher(); })
            return SC::hasher();
        else
            return build<Hasher>();
    }
    static Compressor compressor() {
        if constexpr (requires { SC::compressor(); })
            return SC::compressor();
        else
            return build<Compressor>();
    }
    static Mmcs mmcs() {
        if constexpr (requires { SC::mmcs(); })
            return SC::mmcs();
        else if constexpr (std::is_constructible_v<Mmcs, Hasher, Compressor>)
            return Mmcs(hasher(), compressor());
        else
            return Mmcs{};
    }
    static Challenger challenger() {
        if constexpr (requires { SC::challenger(); })
            return SC::challenger();
        else if constexpr (std::is_constructible_v<Challenger, Permutation>)
            return Challenger(permutation());
        else
            return Challenger{};
    }

private:
    // A role without a factory: default-constructed, or built from the permutation.
    template <class R>
    static R build() {
        if constexpr (std::is_default_constructible_v<R>)
            return R{};
        else if constexpr (std::is_constructible_v<R, Permutation>)
            return R(permutation());
        else
            static_assert(sizeof(R) == 0,
                          "StarkConfig: a hashing role can be built neither by default construction nor from the "
                          "Permutation; declare its static factory (hasher() / compressor()) in the configuration");
    }
};

}  // namespace causality::stark
