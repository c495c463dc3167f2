// causality/stark/hash/blake3.hpp — BLAKE3 (hash mode, 32-byte output), written from the
// specification (Debian 12 packages no BLAKE3 library), and the byte-oriented Merkle hash
// on it, the same shape as the Keccak one (keccak.hpp):
//
//   Blake3Hasher<F>:     leaf = BLAKE3 of the row's canonical little-endian encoding
//   Blake3Compressor<F>: node = BLAKE3(left || right): one compression of a 64-byte block
//
// The input is split into 1024-byte chunks of 64-byte blocks; chunk chaining values are
// merged pairwise into a binary tree (left subtrees hold the largest power-of-two number of
// chunks), the root compression carrying the ROOT flag.
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
#include <vector>

namespace causality::stark {

class Blake3 {
public:
    using Digest = std::array<std::uint8_t, 32>;
    static constexpr std::size_t block_len = 64, chunk_len = 1024;

    void absorb(std::span<const std::uint8_t> bytes) {
        for (std::uint8_t b : bytes) {
            if (block_fill_ == block_len) {  // a full block and more input: it is not the chunk's last
                if (chunk_bytes_ + block_fill_ == chunk_len) {
                    finish_chunk();
                } else {
                    compress_block(0);
                }
            }
            block_[block_fill_++] = b;
        }
    }

    [[nodiscard]] Digest finish() {
        std::array<std::uint32_t, 8> cv;
        if (stack_.empty()) {  // one chunk: its last block is the root
            cv = compress(chunk_cv_, block_words(), chunk_counter_, static_cast<std::uint32_t>(block_fill_),
                          chunk_flags() | chunk_end | root);
        } else {
            cv = compress(chunk_cv_, block_words(), chunk_counter_, static_cast<std::uint32_t>(block_fill_),
                          chunk_flags() | chunk_end);
            for (std::size_t i = stack_.size(); i-- > 0;)
                cv = parent(stack_[i], cv, i == 0 ? root : 0);
        }
        Digest d;
        for (std::size_t i = 0; i < 8; ++i)
            for (std::size_t k = 0; k < 4; ++k) d[4 * i + k] = static_cast<std::uint8_t>(cv[i] >> (8 * k));
        return d;
    }

    [[nodiscard]] static Digest hash(std::span<const std::uint8_t> bytes) {
        Blake3 h;
        h.absorb(bytes);
        return h.finish();
    }

    // BLAKE3 of exactly 64 bytes (one block, one chunk, the root): a Merkle node.
    [[nodiscard]] static Digest hash64(const std::uint8_t* bytes) noexcept {
        std::array<std::uint32_t, 16> m;
        for (std::size_t i = 0; i < 16; ++i) m[i] = load32(bytes + 4 * i);
        const auto cv = compress(iv, m, 0, 64, chunk_start | chunk_end | root);
        Digest d;
        for (std::size_t i = 0; i < 8; ++i)
            for (std::size_t k = 0; k < 4; ++k) d[4 * i + k] = static_cast<std::uint8_t>(cv[i] >> (8 * k));
        return d;
    }

private:
    static constexpr std::uint32_t chunk_start = 1, chunk_end = 2, parent_flag = 4, root = 8;
    static constexpr std::array<std::uint32_t, 8> iv{0x6A09E667, 0xBB67AE85, 0x3C6EF372, 0xA54FF53A,
                                                     0x510E527F, 0x9B05688C, 0x1F83D9AB, 0x5BE0CD19};

    static std::uint32_t load32(const std::uint8_t* p) noexcept {
        return static_cast<std::uint32_t>(p[0]) | static_cast<std::uint32_t>(p[1]) << 8 |
               static_cast<std::uint32_t>(p[2]) << 16 | static_cast<std::uint32_t>(p[3]) << 24;
    }

    static void g(std::array<std::uint32_t, 16>& s, int a, int b, int c, int d, std::uint32_t x, std::uint32_t y) noexcept {
        s[a] = s[a] + s[b] + x;
        s[d] = std::rotr(s[d] ^ s[a], 16);
        s[c] = s[c] + s[d];
        s[b] = std::rotr(s[b] ^ s[c], 12);
        s[a] = s[a] + s[b] + y;
        s[d] = std::rotr(s[d] ^ s[a], 8);
        s[c] = s[c] + s[d];
        s[b] = std::rotr(s[b] ^ s[c], 7);
    }

    // The compression function, truncated to the 8-word chaining value.
    static std::array<std::uint32_t, 8> compress(const std::array<std::uint32_t, 8>& cv,
                                                 std::array<std::uint32_t, 16> m, std::uint64_t counter,
                                                 std::uint32_t len, std::uint32_t flags) noexcept {
        std::array<std::uint32_t, 16> s{cv[0], cv[1], cv[2], cv[3], cv[4], cv[5], cv[6], cv[7],
                                        iv[0], iv[1], iv[2], iv[3], static_cast<std::uint32_t>(counter),
                                        static_cast<std::uint32_t>(counter >> 32), len, flags};
        constexpr std::array<int, 16> perm{2, 6, 3, 10, 7, 0, 4, 13, 1, 11, 12, 5, 9, 14, 15, 8};
        for (int r = 0; r < 7; ++r) {
            g(s, 0, 4, 8, 12, m[0], m[1]);
            g(s, 1, 5, 9, 13, m[2], m[3]);
            g(s, 2, 6, 10, 14, m[4], m[5]);
            g(s, 3, 7, 11, 15, m[6], m[7]);
            g(s, 0, 5, 10, 15, m[8], m[9]);
            g(s, 1, 6, 11, 12, m[10], m[11]);
            g(s, 2, 7, 8, 13, m[12], m[13]);
            g(s, 3, 4, 9, 14, m[14], m[15]);
            if (r < 6) {
                std::array<std::uint32_t, 16> p;
                for (int i = 0; i < 16; ++i) p[i] = m[perm[i]];
                m = p;
            }
        }
        std::array<std::uint32_t, 8> out;
        for (int i = 0; i < 8; ++i) out[i] = s[i] ^ s[i + 8];
        return out;
    }

    static std::array<std::uint32_t, 8> parent(const std::array<std::uint32_t, 8>& l, const std::array<std::uint32_t, 8>& r,
                                               std::uint32_t extra) noexcept {
        std::array<std::uint32_t, 16> m;
        for (int i = 0; i < 8; ++i) m[i] = l[i], m[i + 8] = r[i];
        return compress(iv, m, 0, 64, parent_flag | extra);
    }

    [[nodiscard]] std::array<std::uint32_t, 16> block_words() const noexcept {
        std::array<std::uint8_t, 64> b{};
        std::memcpy(b.data(), block_.data(), block_fill_);
        std::array<std::uint32_t, 16> m;
        for (std::size_t i = 0; i < 16; ++i) m[i] = load32(b.data() + 4 * i);
        return m;
    }
    [[nodiscard]] std::uint32_t chunk_flags() const noexcept { return chunk_bytes_ == 0 ? chunk_start : 0; }

    void compress_block(std::uint32_t extra) {
        chunk_cv_ = compress(chunk_cv_, block_words(), chunk_counter_, block_len, chunk_flags() | extra);
        chunk_bytes_ += block_len;
        block_fill_ = 0;
    }

    // The chunk is full and more input follows: its chaining value joins the tree.
    void finish_chunk() {
        compress_block(chunk_end);
        auto cv = chunk_cv_;
        // Merge completed subtrees: after chunk t (counting from 1) as many merges as t has
        // trailing zero bits.
        std::uint64_t total = chunk_counter_ + 1;
        while ((total & 1) == 0) {
            cv = parent(stack_.back(), cv, 0);
            stack_.pop_back();
            total >>= 1;
        }
        stack_.push_back(cv);
        ++chunk_counter_;
        chunk_cv_ = iv;
        chunk_bytes_ = 0;
    }

    std::array<std::uint32_t, 8> chunk_cv_ = iv;
    std::array<std::uint8_t, 64> block_{};
    std::size_t block_fill_ = 0, chunk_bytes_ = 0;
    std::uint64_t chunk_counter_ = 0;
    std::vector<std::array<std::uint32_t, 8>> stack_;
};

template <field::PrimeField FieldT>
class Blake3Compressor;

template <field::PrimeField FieldT>
class Blake3Hasher {
public:
    using F = FieldT;
    using Digest = Blake3::Digest;
    using companion_compressor = Blake3Compressor<FieldT>;
    static constexpr std::string_view name = "BLAKE3";

    [[nodiscard]] Digest hash(std::span<const F> row) const {
        // Rows of up to 16 elements of 4 bytes are one block: the common case without the
        // incremental state.
        if constexpr (F::encoded_size == 4) {
            if (row.size() <= 16) {
                std::array<std::uint8_t, 64> b{};
                for (std::size_t i = 0; i < row.size(); ++i) {
                    const auto v = static_cast<std::uint32_t>(row[i].to_u64());
                    for (std::size_t k = 0; k < 4; ++k) b[4 * i + k] = static_cast<std::uint8_t>(v >> (8 * k));
                }
                return Blake3::hash(std::span<const std::uint8_t>(b.data(), 4 * row.size()));
            }
        }
        Blake3 h;
        for (const F& x : row) h.absorb(field::to_bytes(x));
        return h.finish();
    }
};

template <field::PrimeField FieldT>
class Blake3Compressor {
public:
    using F = FieldT;
    using Digest = Blake3::Digest;
    static constexpr std::string_view name = "BLAKE3";

    [[nodiscard]] Digest compress(const std::array<Digest, 2>& in) const noexcept {
        std::array<std::uint8_t, 64> b;
        std::memcpy(b.data(), in[0].data(), 32);
        std::memcpy(b.data() + 32, in[1].data(), 32);
        return Blake3::hash64(b.data());
    }
};

}  // namespace causality::stark
