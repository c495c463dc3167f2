// causality/stark/hash/keccak.hpp — Keccak-f[1600] and Keccak-256 (the original Keccak
// padding 0x01 ... 0x80, as Ethereum uses it; not SHA3-256's 0x06), and the byte-oriented
// Merkle hash built on it for proofs that are never verified inside a circuit:
//
//   Keccak256Hasher<F>:     leaf = Keccak-256 of the row's canonical little-endian
//                           encoding (F::encoded_size bytes per element)
//   Keccak256Compressor<F>: node = Keccak-256(left || right), 64 bytes in, 32 out
//
// Digests are 32 bytes. The EVM computes Keccak-256 natively, which is what an on-chain
// verifier of these proofs needs. The Merkle scheme hashes rows one per thread task
// (there is no packed path as for Poseidon2).
#pragma once

#include <causality/field/concepts.hpp>
#include <causality/field/serialize.hpp>

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>

namespace causality::stark {

namespace detail {
inline constexpr std::array<std::uint64_t, 24> keccak_round_constants{
    0x0000000000000001ull, 0x0000000000008082ull, 0x800000000000808aull, 0x8000000080008000ull,
    0x000000000000808bull, 0x0000000080000001ull, 0x8000000080008081ull, 0x8000000000008009ull,
    0x000000000000008aull, 0x0000000000000088ull, 0x0000000080008009ull, 0x000000008000000aull,
    0x000000008000808bull, 0x800000000000008bull, 0x8000000000008089ull, 0x8000000000008003ull,
    0x8000000000008002ull, 0x8000000000000080ull, 0x000000000000800aull, 0x800000008000000aull,
    0x8000000080008081ull, 0x8000000000008080ull, 0x0000000080000001ull, 0x8000000080008008ull};
}  // namespace detail

// The permutation on 25 lanes, lane (x, y) at index x + 5 y. The state lives in 25
// local variables for the 24 rounds (the compiler keeps most in registers).
inline void keccak_f1600(std::array<std::uint64_t, 25>& state) noexcept {
    using std::rotl;
    std::uint64_t a0 = state[0], a1 = state[1], a2 = state[2], a3 = state[3], a4 = state[4],
                  a5 = state[5], a6 = state[6], a7 = state[7], a8 = state[8], a9 = state[9],
                  a10 = state[10], a11 = state[11], a12 = state[12], a13 = state[13],
                  a14 = state[14], a15 = state[15], a16 = state[16], a17 = state[17],
                  a18 = state[18], a19 = state[19], a20 = state[20], a21 = state[21],
                  a22 = state[22], a23 = state[23], a24 = state[24];
    for (std::uint64_t rc : detail::keccak_round_constants) {
        // theta
        const std::uint64_t c0 = a0 ^ a5 ^ a10 ^ a15 ^ a20;
        const std::uint64_t c1 = a1 ^ a6 ^ a11 ^ a16 ^ a21;
        const std::uint64_t c2 = a2 ^ a7 ^ a12 ^ a17 ^ a22;
        const std::uint64_t c3 = a3 ^ a8 ^ a13 ^ a18 ^ a23;
        const std::uint64_t c4 = a4 ^ a9 ^ a14 ^ a19 ^ a24;
        const std::uint64_t d0 = c4 ^ rotl(c1, 1);
        const std::uint64_t d1 = c0 ^ rotl(c2, 1);
        const std::uint64_t d2 = c1 ^ rotl(c3, 1);
        const std::uint64_t d3 = c2 ^ rotl(c4, 1);
        const std::uint64_t d4 = c3 ^ rotl(c0, 1);
        // rho and pi: lane (x, y) moves to (y, 2x + 3y), rotated by its offset
        const std::uint64_t b0 = (a0 ^ d0);
        const std::uint64_t b16 = rotl(a5 ^ d0, 36);
        const std::uint64_t b7 = rotl(a10 ^ d0, 3);
        const std::uint64_t b23 = rotl(a15 ^ d0, 41);
        const std::uint64_t b14 = rotl(a20 ^ d0, 18);
        const std::uint64_t b10 = rotl(a1 ^ d1, 1);
        const std::uint64_t b1 = rotl(a6 ^ d1, 44);
        const std::uint64_t b17 = rotl(a11 ^ d1, 10);
        const std::uint64_t b8 = rotl(a16 ^ d1, 45);
        const std::uint64_t b24 = rotl(a21 ^ d1, 2);
        const std::uint64_t b20 = rotl(a2 ^ d2, 62);
        const std::uint64_t b11 = rotl(a7 ^ d2, 6);
        const std::uint64_t b2 = rotl(a12 ^ d2, 43);
        const std::uint64_t b18 = rotl(a17 ^ d2, 15);
        const std::uint64_t b9 = rotl(a22 ^ d2, 61);
        const std::uint64_t b5 = rotl(a3 ^ d3, 28);
        const std::uint64_t b21 = rotl(a8 ^ d3, 55);
        const std::uint64_t b12 = rotl(a13 ^ d3, 25);
        const std::uint64_t b3 = rotl(a18 ^ d3, 21);
        const std::uint64_t b19 = rotl(a23 ^ d3, 56);
        const std::uint64_t b15 = rotl(a4 ^ d4, 27);
        const std::uint64_t b6 = rotl(a9 ^ d4, 20);
        const std::uint64_t b22 = rotl(a14 ^ d4, 39);
        const std::uint64_t b13 = rotl(a19 ^ d4, 8);
        const std::uint64_t b4 = rotl(a24 ^ d4, 14);
        // chi, iota
        a0 = b0 ^ (~b1 & b2);
        a1 = b1 ^ (~b2 & b3);
        a2 = b2 ^ (~b3 & b4);
        a3 = b3 ^ (~b4 & b0);
        a4 = b4 ^ (~b0 & b1);
        a5 = b5 ^ (~b6 & b7);
        a6 = b6 ^ (~b7 & b8);
        a7 = b7 ^ (~b8 & b9);
        a8 = b8 ^ (~b9 & b5);
        a9 = b9 ^ (~b5 & b6);
        a10 = b10 ^ (~b11 & b12);
        a11 = b11 ^ (~b12 & b13);
        a12 = b12 ^ (~b13 & b14);
        a13 = b13 ^ (~b14 & b10);
        a14 = b14 ^ (~b10 & b11);
        a15 = b15 ^ (~b16 & b17);
        a16 = b16 ^ (~b17 & b18);
        a17 = b17 ^ (~b18 & b19);
        a18 = b18 ^ (~b19 & b15);
        a19 = b19 ^ (~b15 & b16);
        a20 = b20 ^ (~b21 & b22);
        a21 = b21 ^ (~b22 & b23);
        a22 = b22 ^ (~b23 & b24);
        a23 = b23 ^ (~b24 & b20);
        a24 = b24 ^ (~b20 & b21);
        a0 ^= rc;
    }
    state[0] = a0;
    state[1] = a1;
    state[2] = a2;
    state[3] = a3;
    state[4] = a4;
    state[5] = a5;
    state[6] = a6;
    state[7] = a7;
    state[8] = a8;
    state[9] = a9;
    state[10] = a10;
    state[11] = a11;
    state[12] = a12;
    state[13] = a13;
    state[14] = a14;
    state[15] = a15;
    state[16] = a16;
    state[17] = a17;
    state[18] = a18;
    state[19] = a19;
    state[20] = a20;
    state[21] = a21;
    state[22] = a22;
    state[23] = a23;
    state[24] = a24;
}

// Incremental Keccak-256: absorb bytes, then finish once.
class Keccak256 {
public:
    static constexpr std::size_t rate = 136;  // bytes: 1600 - 2 * 256 bits
    using Digest = std::array<std::uint8_t, 32>;

    void absorb(std::span<const std::uint8_t> bytes) noexcept {
        for (std::uint8_t b : bytes) {
            state_[pos_ / 8] ^= static_cast<std::uint64_t>(b) << (8 * (pos_ % 8));
            if (++pos_ == rate) {
                keccak_f1600(state_);
                pos_ = 0;
            }
        }
    }
    // Whole little-endian 64-bit words at a lane boundary go in without the byte loop.
    void absorb_u32(std::uint32_t w) noexcept {
        if (pos_ % 4 == 0) {
            state_[pos_ / 8] ^= static_cast<std::uint64_t>(w) << (8 * (pos_ % 8));
            pos_ += 4;
            if (pos_ == rate) keccak_f1600(state_), pos_ = 0;
        } else {
            const std::uint8_t b[4] = {
                static_cast<std::uint8_t>(w), static_cast<std::uint8_t>(w >> 8),
                static_cast<std::uint8_t>(w >> 16), static_cast<std::uint8_t>(w >> 24)};
            absorb(b);
        }
    }
    void absorb_u64(std::uint64_t w) noexcept {
        if (pos_ % 8 == 0) {
            state_[pos_ / 8] ^= w;
            pos_ += 8;
            if (pos_ == rate) keccak_f1600(state_), pos_ = 0;
        } else {
            absorb_u32(static_cast<std::uint32_t>(w));
            absorb_u32(static_cast<std::uint32_t>(w >> 32));
        }
    }

    [[nodiscard]] Digest finish() noexcept {
        state_[pos_ / 8] ^= std::uint64_t{0x01} << (8 * (pos_ % 8));
        state_[(rate - 1) / 8] ^= std::uint64_t{0x80} << (8 * ((rate - 1) % 8));
        keccak_f1600(state_);
        Digest d;
        for (std::size_t i = 0; i < 32; ++i)
            d[i] = static_cast<std::uint8_t>(state_[i / 8] >> (8 * (i % 8)));
        return d;
    }

    [[nodiscard]] static Digest hash(std::span<const std::uint8_t> bytes) noexcept {
        Keccak256 k;
        k.absorb(bytes);
        return k.finish();
    }

private:
    std::array<std::uint64_t, 25> state_{};
    std::size_t pos_ = 0;
};

template <field::PrimeField FieldT>
class Keccak256Compressor;

// Leaves: Keccak-256 of the canonical little-endian encoding of a row.
template <field::PrimeField FieldT>
class Keccak256Hasher {
public:
    using F = FieldT;
    using Digest = Keccak256::Digest;
    using companion_compressor = Keccak256Compressor<FieldT>;  // the default node hash beside it
    static constexpr std::string_view name = "Keccak-256";

    [[nodiscard]] Digest hash(std::span<const F> row) const noexcept {
        Keccak256 k;
        for (const F& x : row) {
            if constexpr (F::encoded_size == 4)
                k.absorb_u32(static_cast<std::uint32_t>(x.to_u64()));
            else if constexpr (F::encoded_size == 8)
                k.absorb_u64(x.to_u64());
            else
                k.absorb(field::to_bytes(x));
        }
        return k.finish();
    }
};

// Nodes: Keccak-256(left || right).
template <field::PrimeField FieldT>
class Keccak256Compressor {
public:
    using F = FieldT;
    using Digest = Keccak256::Digest;
    static constexpr std::string_view name = "Keccak-256";

    [[nodiscard]] Digest compress(const std::array<Digest, 2>& in) const noexcept {
        std::array<std::uint64_t, 25> s{};
        for (std::size_t j = 0; j < 2; ++j)
            for (std::size_t w = 0; w < 4; ++w) {
                std::uint64_t v;
                std::memcpy(&v, in[j].data() + 8 * w, 8);
                if constexpr (std::endian::native == std::endian::big) v = byteswap64(v);
                s[4 * j + w] = v;
            }
        s[8] ^= 0x01;                        // padding after 64 bytes
        s[16] ^= std::uint64_t{0x80} << 56;  // the last byte of the rate
        keccak_f1600(s);
        Digest d;
        for (std::size_t i = 0; i < 32; ++i)
            d[i] = static_cast<std::uint8_t>(s[i / 8] >> (8 * (i % 8)));
        return d;
    }

private:
    static std::uint64_t byteswap64(std::uint64_t v) noexcept {
        std::uint64_t r = 0;
        for (int i = 0; i < 8; ++i) r = (r << 8) | ((v >> (8 * i)) & 0xff);
        return r;
    }
};

}  // namespace causality::stark
