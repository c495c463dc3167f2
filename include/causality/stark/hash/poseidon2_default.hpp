// causality/stark/hash/poseidon2_default.hpp — the library's default Poseidon2
// instances: BabyBear and KoalaBear at widths 16 and 24, bit-compatible with Plonky3's
// defaults, and Goldilocks at widths 8 and 12 with Horizen Labs' parameters (the ones
// Plonky3 uses for Goldilocks); every other (field, width) gets the instance derived from
// its parameters (poseidon2_derive.hpp). All round constants come from the Grain LFSR; the
// internal diagonals are the published ones (written here in the form they are stated:
// small integers and signed powers of 1/2 for the 31-bit fields).
#pragma once

#include <causality/field/baby_bear.hpp>
#include <causality/field/goldilocks.hpp>
#include <causality/field/koala_bear.hpp>
#include <causality/stark/hash/poseidon2.hpp>
#include <causality/stark/hash/poseidon2_derive.hpp>

#include <array>
#include <cstddef>
#include <cstdint>

namespace causality::stark {

template <class F, std::size_t Width>
concept HasDefaultPoseidon2 =
    (std::is_same_v<F, field::BabyBear> && (Width == 16 || Width == 24)) ||
    (std::is_same_v<F, field::KoalaBear> && (Width == 16 || Width == 24)) ||
    (std::is_same_v<F, field::Goldilocks> && (Width == 8 || Width == 12));

namespace detail {

// k / 2^shift for a small signed integer k.
template <class F>
F dyadic(std::int64_t k, unsigned shift) {
    return F(k) * F(2).pow(shift).inverse();
}

template <class F, std::size_t W>
std::array<F, W> dyadic_diag(const std::array<std::pair<std::int64_t, unsigned>, W>& v) {
    std::array<F, W> out;
    for (std::size_t i = 0; i < W; ++i) out[i] = dyadic<F>(v[i].first, v[i].second);
    return out;
}

template <class F, std::size_t W>
Poseidon2<F, W> make_default_poseidon2() {
    using field::BabyBear;
    using field::Goldilocks;
    using field::KoalaBear;
    using P = std::pair<std::int64_t, unsigned>;
    if constexpr (std::is_same_v<F, BabyBear> && W == 16) {
        constexpr std::array<P, 16> v{P{-2, 0}, {1, 0}, {2, 0}, {1, 1}, {3, 0}, {4, 0}, {-1, 1}, {-3, 0},
                                      {-4, 0}, {1, 8}, {1, 2}, {1, 3}, {1, 27}, {-1, 8}, {-1, 4}, {-1, 27}};
        return Poseidon2<F, W>::from_grain(7, 8, 13, dyadic_diag<F>(v), Poseidon2Mds4::plonky3);
    } else if constexpr (std::is_same_v<F, BabyBear> && W == 24) {
        constexpr std::array<P, 24> v{P{-2, 0}, {1, 0}, {2, 0},  {1, 1},  {3, 0},  {4, 0},  {-1, 1}, {-3, 0},
                                      {-4, 0},  {1, 8}, {1, 2},  {1, 3},  {1, 4},  {1, 7},  {1, 9},  {1, 27},
                                      {-1, 8},  {-1, 2}, {-1, 3}, {-1, 4}, {-1, 5}, {-1, 6}, {-1, 7}, {-1, 27}};
        return Poseidon2<F, W>::from_grain(7, 8, 21, dyadic_diag<F>(v), Poseidon2Mds4::plonky3);
    } else if constexpr (std::is_same_v<F, KoalaBear> && W == 16) {
        constexpr std::array<P, 16> v{P{-2, 0}, {1, 0}, {2, 0}, {1, 1}, {3, 0}, {4, 0}, {-1, 1}, {-3, 0},
                                      {-4, 0}, {1, 8}, {1, 3}, {1, 24}, {-1, 8}, {-1, 3}, {-1, 4}, {-1, 24}};
        return Poseidon2<F, W>::from_grain(3, 8, 20, dyadic_diag<F>(v), Poseidon2Mds4::plonky3);
    } else if constexpr (std::is_same_v<F, KoalaBear> && W == 24) {
        constexpr std::array<P, 24> v{P{-2, 0}, {1, 0}, {2, 0},  {1, 1},  {3, 0},  {4, 0},  {-1, 1}, {-3, 0},
                                      {-4, 0},  {1, 8}, {1, 2},  {1, 3},  {1, 4},  {1, 5},  {1, 6},  {1, 24},
                                      {-1, 8},  {-1, 3}, {-1, 4}, {-1, 5}, {-1, 6}, {-1, 7}, {-1, 9}, {-1, 24}};
        return Poseidon2<F, W>::from_grain(3, 8, 23, dyadic_diag<F>(v), Poseidon2Mds4::plonky3);
    } else if constexpr (std::is_same_v<F, Goldilocks> && W == 8) {
        constexpr std::array<std::uint64_t, 8> v{0xa98811a1fed4e3a5, 0x1cc48b54f377e2a0, 0xe40cd4f6c5609a26,
                                                 0x11de79ebca97a4a3, 0x9177c73d8b7e929c, 0x2a6fe8085797e791,
                                                 0x3de6e93329f8d5ad, 0x3f7af9125da962fe};
        std::array<F, 8> diag;
        for (std::size_t i = 0; i < 8; ++i) diag[i] = F::from_canonical(v[i]);
        return Poseidon2<F, W>::from_grain(7, 8, 22, diag, Poseidon2Mds4::horizen);
    } else if constexpr (std::is_same_v<F, Goldilocks> && W == 12) {
        constexpr std::array<std::uint64_t, 12> v{0xc3b6c08e23ba9300, 0xd84b5de94a324fb6, 0x0d0c371c5b35b84f,
                                                  0x7964f570e7188037, 0x5daf18bbd996604b, 0x6743bc47b9595257,
                                                  0x5528b9362c59bb70, 0xac45e25b7127b68b, 0xa2077d7dfbb606b5,
                                                  0xf3faac6faee378ae, 0x0c6388b51545e883, 0xd27dbb6944917b60};
        std::array<F, 12> diag;
        for (std::size_t i = 0; i < 12; ++i) diag[i] = F::from_canonical(v[i]);
        return Poseidon2<F, W>::from_grain(7, 8, 22, diag, Poseidon2Mds4::horizen);
    } else {
        return derive_poseidon2<F, W>();
    }
}

}  // namespace detail

// The default instance: the published one where HasDefaultPoseidon2 holds, otherwise
// the one derived from the field's parameters (poseidon2_derive.hpp). Derived once, on
// first use.
template <field::PrimeField F, std::size_t Width>
Poseidon2<F, Width> default_poseidon2() {
    static const Poseidon2<F, Width> instance = detail::make_default_poseidon2<F, Width>();
    return instance;
}

}  // namespace causality::stark
