// causality/stark/hash/keccak.hpp — Keccak-f[1600] and Keccak-256 (the original Keccak
// padding 0x01 ... 0x80, as Ethereum uses it; not SHA3-256's 0x06), and the byte-oriented
// Merkle hash built on it for proofs that are never verified inside a circuit:
//
//   Keccak256Hasher<F>:     leaf = Keccak-256 of the row's canonical little-endian
//                           encoding (F::encoded_size bytes per element)
//   Keccak256Compressor<F>: node = Keccak-256(left || right), 64 bytes in, 32 out
//
// Digests are 32 bytes. The EVM computes Keccak-256 natively, which is what an on-chain
// verifier of these proofs needs. The Merkle scheme hashes KeccakBatch::size rows (and
// nodes) at once, one Keccak state per SIMD lane (hash_batch, compress_batch).
#pragma once

#include <causality/field/concepts.hpp>
#include <causality/field/serialize.hpp>

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include <xsimd/xsimd.hpp>
#include <string_view>
#include <type_traits>

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

namespace detail {
template <int N, class L>
inline L rotl_lane(const L& x) noexcept {
    if constexpr (N == 0) {
        return x;
    } else if constexpr (std::is_same_v<L, std::uint64_t>) {
        return std::rotl(x, N);
    } else {
#if defined(__AVX512F__)
        if constexpr (std::is_base_of_v<xsimd::avx512f, typename L::arch_type>)
            // vprolq; the zero-masked form, since GCC 12's unmasked one trips -Wuninitialized
            // after inlining (GCC bug 105593, as in field/packed_avx512.hpp).
            return L(_mm512_maskz_rol_epi64(0xff, x, N));
        else
#endif
            return (x << N) | (x >> (64 - N));
    }
}

// The 24 rounds on 25 lanes, lane (x, y) at index x + 5 y; L is std::uint64_t (one
// state) or a SIMD batch of them (one state per lane). The state lives in 25 local
// variables for the rounds (the compiler keeps most in registers).
template <class L>
inline void keccak_rounds(std::array<L, 25>& state) noexcept {
    L a0 = state[0], a1 = state[1], a2 = state[2], a3 = state[3], a4 = state[4], a5 = state[5], a6 = state[6], a7 = state[7], a8 = state[8], a9 = state[9], a10 = state[10], a11 = state[11], a12 = state[12], a13 = state[13], a14 = state[14], a15 = state[15], a16 = state[16], a17 = state[17], a18 = state[18], a19 = state[19], a20 = state[20], a21 = state[21], a22 = state[22], a23 = state[23], a24 = state[24];
    for (std::uint64_t rc : keccak_round_constants) {
        // theta
        const L c0 = a0 ^ a5 ^ a10 ^ a15 ^ a20;
        const L c1 = a1 ^ a6 ^ a11 ^ a16 ^ a21;
        const L c2 = a2 ^ a7 ^ a12 ^ a17 ^ a22;
        const L c3 = a3 ^ a8 ^ a13 ^ a18 ^ a23;
        const L c4 = a4 ^ a9 ^ a14 ^ a19 ^ a24;
        const L d0 = c4 ^ rotl_lane<1>(c1);
        const L d1 = c0 ^ rotl_lane<1>(c2);
        const L d2 = c1 ^ rotl_lane<1>(c3);
        const L d3 = c2 ^ rotl_lane<1>(c4);
        const L d4 = c3 ^ rotl_lane<1>(c0);
        // rho and pi: lane (x, y) moves to (y, 2x + 3y), rotated by its offset
        const L b0 = rotl_lane<0>(a0 ^ d0);
        const L b16 = rotl_lane<36>(a5 ^ d0);
        const L b7 = rotl_lane<3>(a10 ^ d0);
        const L b23 = rotl_lane<41>(a15 ^ d0);
        const L b14 = rotl_lane<18>(a20 ^ d0);
        const L b10 = rotl_lane<1>(a1 ^ d1);
        const L b1 = rotl_lane<44>(a6 ^ d1);
        const L b17 = rotl_lane<10>(a11 ^ d1);
        const L b8 = rotl_lane<45>(a16 ^ d1);
        const L b24 = rotl_lane<2>(a21 ^ d1);
        const L b20 = rotl_lane<62>(a2 ^ d2);
        const L b11 = rotl_lane<6>(a7 ^ d2);
        const L b2 = rotl_lane<43>(a12 ^ d2);
        const L b18 = rotl_lane<15>(a17 ^ d2);
        const L b9 = rotl_lane<61>(a22 ^ d2);
        const L b5 = rotl_lane<28>(a3 ^ d3);
        const L b21 = rotl_lane<55>(a8 ^ d3);
        const L b12 = rotl_lane<25>(a13 ^ d3);
        const L b3 = rotl_lane<21>(a18 ^ d3);
        const L b19 = rotl_lane<56>(a23 ^ d3);
        const L b15 = rotl_lane<27>(a4 ^ d4);
        const L b6 = rotl_lane<20>(a9 ^ d4);
        const L b22 = rotl_lane<39>(a14 ^ d4);
        const L b13 = rotl_lane<8>(a19 ^ d4);
        const L b4 = rotl_lane<14>(a24 ^ d4);
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
        a0 ^= L(rc);
    }
    state[0] = a0; state[1] = a1; state[2] = a2; state[3] = a3; state[4] = a4; state[5] = a5; state[6] = a6; state[7] = a7; state[8] = a8; state[9] = a9; state[10] = a10; state[11] = a11; state[12] = a12; state[13] = a13; state[14] = a14; state[15] = a15; state[16] = a16; state[17] = a17; state[18] = a18; state[19] = a19; state[20] = a20; state[21] = a21; state[22] = a22; state[23] = a23; state[24] = a24;
}
}  // namespace detail

inline void keccak_f1600(std::array<std::uint64_t, 25>& state) noexcept { detail::keccak_rounds(state); }

namespace detail {
// The first four lanes as 32 little-endian bytes, written lane by lane: one loop over
// i / 8 and i % 8 is the pattern GCC 12 at -O2 -march=native miscompiled in
// ContentId::bytes (resource/resource.hpp).
template <class Lanes>
inline std::array<std::uint8_t, 32> digest_of_lanes(const Lanes& s) noexcept {
    std::array<std::uint8_t, 32> d{};
    for (std::size_t w = 0; w < 4; ++w) {
        const std::uint64_t v = s[w];
        d[8 * w + 0] = static_cast<std::uint8_t>(v);
        d[8 * w + 1] = static_cast<std::uint8_t>(v >> 8);
        d[8 * w + 2] = static_cast<std::uint8_t>(v >> 16);
        d[8 * w + 3] = static_cast<std::uint8_t>(v >> 24);
        d[8 * w + 4] = static_cast<std::uint8_t>(v >> 32);
        d[8 * w + 5] = static_cast<std::uint8_t>(v >> 40);
        d[8 * w + 6] = static_cast<std::uint8_t>(v >> 48);
        d[8 * w + 7] = static_cast<std::uint8_t>(v >> 56);
    }
    return d;
}
}  // namespace detail

// Keccak-f[1600] on KeccakBatch::size independent states at once, one per SIMD lane
// (8 with AVX-512, 4 with AVX2, 2 with SSE2).
using KeccakBatch = xsimd::batch<std::uint64_t>;
inline void keccak_f1600_batch(std::array<KeccakBatch, 25>& state) noexcept { detail::keccak_rounds(state); }

namespace detail {
// Keccak-256 of KeccakBatch::size messages of the same length, each already padded
// (the 0x01 ... 0x80 rule) to whole 136-byte blocks in `padded` (lane l at l * stride).
inline void keccak256_batch(const std::uint8_t* padded, std::size_t stride, std::size_t blocks,
                            std::array<std::uint8_t, 32>* out) noexcept {
    using B = KeccakBatch;
    constexpr std::size_t lanes = B::size;
    std::array<B, 25> st;
    for (auto& x : st) x = B(std::uint64_t{0});
    alignas(64) std::array<std::uint64_t, lanes> w;
    for (std::size_t blk = 0; blk < blocks; ++blk) {
        for (std::size_t k = 0; k < 17; ++k) {
            for (std::size_t l = 0; l < lanes; ++l) std::memcpy(&w[l], padded + l * stride + blk * 136 + 8 * k, 8);
            st[k] ^= B::load_aligned(w.data());
        }
        keccak_f1600_batch(st);
    }
    for (std::size_t k = 0; k < 4; ++k) {
        st[k].store_aligned(w.data());
        for (std::size_t l = 0; l < lanes; ++l)
            for (std::size_t b = 0; b < 8; ++b) out[l][8 * k + b] = static_cast<std::uint8_t>(w[l] >> (8 * b));
    }
}
}  // namespace detail

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
        return detail::digest_of_lanes(state_);
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

    // KeccakBatch::size rows of `len` elements at once (the Merkle tree's leaves).
    static constexpr std::size_t batch_lanes = KeccakBatch::size;
    void hash_batch(const F* const* rows, std::size_t len, Digest* out) const {
        const std::size_t bytes = len * F::encoded_size, blocks = bytes / Keccak256::rate + 1;
        const std::size_t stride = blocks * Keccak256::rate;
        thread_local std::vector<std::uint8_t> buf;
        buf.assign(stride * batch_lanes, 0);
        for (std::size_t l = 0; l < batch_lanes; ++l) {
            std::uint8_t* p = buf.data() + l * stride;
            for (std::size_t k = 0; k < len; ++k) {
                const auto v = rows[l][k].to_u64();
                for (std::size_t b = 0; b < F::encoded_size; ++b) p[k * F::encoded_size + b] = static_cast<std::uint8_t>(v >> (8 * b));
            }
            p[bytes] ^= 0x01;
            p[stride - 1] ^= 0x80;
        }
        detail::keccak256_batch(buf.data(), stride, blocks, out);
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
        return detail::digest_of_lanes(s);
    }

    // KeccakBatch::size nodes at once.
    static constexpr std::size_t batch_lanes = KeccakBatch::size;
    void compress_batch(const std::array<Digest, 2>* in, Digest* out) const noexcept {
        alignas(64) std::array<std::uint8_t, 136 * KeccakBatch::size> buf{};
        for (std::size_t l = 0; l < batch_lanes; ++l) {
            std::memcpy(buf.data() + l * 136, in[l][0].data(), 32);
            std::memcpy(buf.data() + l * 136 + 32, in[l][1].data(), 32);
            buf[l * 136 + 64] = 0x01;
            buf[l * 136 + 135] = 0x80;
        }
        detail::keccak256_batch(buf.data(), 136, 1, out);
    }

private:
    static std::uint64_t byteswap64(std::uint64_t v) noexcept {
        std::uint64_t r = 0;
        for (int i = 0; i < 8; ++i) r = (r << 8) | ((v >> (8 * i)) & 0xff);
        return r;
    }
};

}  // namespace causality::stark
