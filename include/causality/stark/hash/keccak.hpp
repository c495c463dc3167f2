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

// The permutation on 25 lanes, lane (x, y) at index x + 5 y.
inline void keccak_f1600(std::array<std::uint64_t, 25>& a) noexcept {
    for (std::uint64_t rc : detail::keccak_round_constants) {
        std::uint64_t c[5], d[5];
        for (int x = 0; x < 5; ++x) c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20];  // theta
        for (int x = 0; x < 5; ++x) d[x] = c[(x + 4) % 5] ^ std::rotl(c[(x + 1) % 5], 1);
        for (int i = 0; i < 25; ++i) a[i] ^= d[i % 5];
        // rho and pi: lane (x, y) moves to (y, 2x + 3y), rotated by its offset.
        std::uint64_t b[25];
        b[0] = a[0];
        b[10] = std::rotl(a[1], 1), b[20] = std::rotl(a[2], 62), b[5] = std::rotl(a[3], 28), b[15] = std::rotl(a[4], 27);
        b[16] = std::rotl(a[5], 36), b[1] = std::rotl(a[6], 44), b[11] = std::rotl(a[7], 6), b[21] = std::rotl(a[8], 55);
        b[6] = std::rotl(a[9], 20), b[7] = std::rotl(a[10], 3), b[17] = std::rotl(a[11], 10), b[2] = std::rotl(a[12], 43);
        b[12] = std::rotl(a[13], 25), b[22] = std::rotl(a[14], 39), b[23] = std::rotl(a[15], 41), b[8] = std::rotl(a[16], 45);
        b[18] = std::rotl(a[17], 15), b[3] = std::rotl(a[18], 21), b[13] = std::rotl(a[19], 8), b[14] = std::rotl(a[20], 18);
        b[24] = std::rotl(a[21], 2), b[9] = std::rotl(a[22], 61), b[19] = std::rotl(a[23], 56), b[4] = std::rotl(a[24], 14);
        for (int y = 0; y < 25; y += 5)  // chi
            for (int x = 0; x < 5; ++x) a[y + x] = b[y + x] ^ (~b[y + (x + 1) % 5] & b[y + (x + 2) % 5]);
        a[0] ^= rc;  // iota
    }
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
            const std::uint8_t b[4] = {static_cast<std::uint8_t>(w), static_cast<std::uint8_t>(w >> 8),
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
        for (std::size_t i = 0; i < 32; ++i) d[i] = static_cast<std::uint8_t>(state_[i / 8] >> (8 * (i % 8)));
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
        s[8] ^= 0x01;                       // padding after 64 bytes
        s[16] ^= std::uint64_t{0x80} << 56;  // the last byte of the rate
        keccak_f1600(s);
        Digest d;
        for (std::size_t i = 0; i < 32; ++i) d[i] = static_cast<std::uint8_t>(s[i / 8] >> (8 * (i % 8)));
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
