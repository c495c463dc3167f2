// causality/vm/hash_pool.hpp — the byte encoding of the VM's Poseidon2 hash, and the host's
// pool of hash requests (design 001 "Deferred Hashing", 003 "Hash Request Pool").
//
// The encoding (version 1; guests, hosts and the verifier's circuit all follow it):
//   state    16 elements of the field: a rate of 8, a capacity of 8.
//   start    rate zero; capacity (length in bytes, 0x43480001, 0, ..., 0). The tag reads
//            "CH" and the version; it is below 2^30, so the same in every supported field.
//   blocks   max(1, ceil(length / 16)) blocks of 16 bytes, the last one padded with zero
//            bytes; block element k is byte 2k + 256 byte 2k+1 (16-bit little-endian
//            halves). Each block overwrites the rate, then the state is permuted.
//   digest   the rate after the last permutation: 8 canonical elements, as 8 words.
// The length in the capacity makes zero padding unambiguous (messages of different
// lengths start from different states), so no padding byte is needed.
//
// The pool: an execution appends its requests in order. A deferred request keeps a copy of
// its input (the guest may overwrite the buffer afterwards) and its handle is its index
// among the deferred ones; an immediate request only counts (its digest was computed at
// once). After the run, digest_deferred() hashes every deferred request in batches of the
// packed width (one lane per request, requests of similar lengths together) in parallel.
// hash_messages() is the same engine for any list of messages, and can keep the input
// state of every permutation (the sponge chip's trace).
#pragma once

#include <causality/error.hpp>
#include <causality/field/packed.hpp>
#include <causality/parallel.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <span>
#include <string>
#include <vector>

namespace causality::vm {

using HashDigest = std::array<std::uint32_t, 8>;

// 64 hex digits: the digest's words as little-endian bytes (what guests print, and the
// text form of store::ContentId).
inline std::string digest_hex(const HashDigest& d) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string s;
    s.reserve(64);
    for (const std::uint32_t w : d)
        for (int k = 0; k < 4; ++k) {
            const auto b = static_cast<std::uint8_t>(w >> (8 * k));
            s += digits[b >> 4];
            s += digits[b & 15];
        }
    return s;
}

struct HashEncoding {
    static constexpr std::size_t width = 16, rate = 8, digest_elements = 8, block_bytes = 16;
    static constexpr std::uint32_t domain_tag = 0x43480001;  // "CH", version 1
    // Inputs are below 2^29 bytes (the largest provable memory).
    static constexpr std::uint32_t max_length = (std::uint32_t{1} << 29) - 1;

    [[nodiscard]] static constexpr std::size_t blocks(std::uint64_t length) noexcept {
        return length == 0 ? 1 : static_cast<std::size_t>((length + block_bytes - 1) / block_bytes);
    }
    template <class F>
    [[nodiscard]] static std::array<F, width> initial_state(std::uint32_t length) {
        std::array<F, width> s{};
        s[rate] = F::from_u64(length);
        s[rate + 1] = F::from_u64(domain_tag);
        return s;
    }
    // The rate elements of block `block` of `message`.
    template <class F>
    [[nodiscard]] static std::array<F, rate> block(std::span<const std::uint8_t> message, std::size_t block) {
        std::array<F, rate> e{};
        const std::size_t start = block * block_bytes;
        for (std::size_t k = 0; k < rate; ++k) {
            const std::size_t i = start + 2 * k;
            const std::uint32_t lo = i < message.size() ? message[i] : 0, hi = i + 1 < message.size() ? message[i + 1] : 0;
            e[k] = F::from_u64(lo | hi << 8);
        }
        return e;
    }
};

// Hashes `messages` with permutation `perm` (width 16 over a field below 2^32) into
// `digests` (one per message). With `states`, also writes the input state of every
// permutation: message i's blocks at states[first[i] ...], first = exclusive prefix sums
// of HashEncoding::blocks(length).
template <class Perm>
void hash_messages(const Perm& perm, std::span<const std::span<const std::uint8_t>> messages, std::span<HashDigest> digests,
                   std::span<std::array<typename Perm::field_type, 16>> states = {}, std::span<const std::size_t> first = {}) {
    using F = typename Perm::field_type;
    using P = field::Packed<F>;
    using Enc = HashEncoding;
    static_assert(Perm::width == Enc::width, "the VM's hash is a width-16 Poseidon2");
    static_assert(static_cast<std::uint64_t>(F::modulus) < (std::uint64_t{1} << 32), "digests are 32-bit words");
    if (digests.size() != messages.size())
        throw Error(ErrorCode::invalid_size, "hash_messages: " + std::to_string(messages.size()) + " messages, " +
                                                 std::to_string(digests.size()) + " digests");
    constexpr std::size_t L = P::width;
    // Longest first, so that a batch's lanes have similar block counts.
    std::vector<std::size_t> order(messages.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return Enc::blocks(messages[a].size()) > Enc::blocks(messages[b].size());
    });
    const std::size_t batches = (messages.size() + L - 1) / L;
    parallel::parallel_for(batches, 1, [&](std::size_t begin, std::size_t end) {
        for (std::size_t batch = begin; batch < end; ++batch) {
            const std::size_t lanes = std::min(L, messages.size() - batch * L);
            std::array<std::size_t, L> id{}, nblocks{};
            std::array<std::array<F, Enc::width>, L> init{};
            for (std::size_t l = 0; l < lanes; ++l) {
                id[l] = order[batch * L + l];
                nblocks[l] = Enc::blocks(messages[id[l]].size());
                init[l] = Enc::initial_state<F>(static_cast<std::uint32_t>(messages[id[l]].size()));
            }
            std::array<P, Enc::width> s;
            for (std::size_t k = 0; k < Enc::width; ++k) {
                std::array<F, L> v{};
                for (std::size_t l = 0; l < lanes; ++l) v[l] = init[l][k];
                s[k] = P::from_array(v);
            }
            const std::size_t most = nblocks[0];
            for (std::size_t blk = 0; blk < most; ++blk) {
                std::array<std::array<F, Enc::rate>, L> rate{};
                for (std::size_t l = 0; l < lanes; ++l)
                    if (blk < nblocks[l]) rate[l] = Enc::block<F>(messages[id[l]], blk);
                for (std::size_t k = 0; k < Enc::rate; ++k) {
                    std::array<F, L> v{};
                    for (std::size_t l = 0; l < lanes; ++l) v[l] = rate[l][k];
                    s[k] = P::from_array(v);
                }
                if (!states.empty()) {
                    std::array<std::array<F, L>, Enc::width> lanes_of;
                    for (std::size_t k = 0; k < Enc::width; ++k) lanes_of[k] = s[k].to_array();
                    for (std::size_t l = 0; l < lanes; ++l)
                        if (blk < nblocks[l])
                            for (std::size_t k = 0; k < Enc::width; ++k) states[first[id[l]] + blk][k] = lanes_of[k][l];
                }
                perm.permute(s);
                std::array<std::array<F, L>, Enc::rate> out;
                bool any_done = false;
                for (std::size_t l = 0; l < lanes; ++l) any_done = any_done || nblocks[l] == blk + 1;
                if (!any_done) continue;
                for (std::size_t k = 0; k < Enc::rate; ++k) out[k] = s[k].to_array();
                for (std::size_t l = 0; l < lanes; ++l)
                    if (nblocks[l] == blk + 1)
                        for (std::size_t k = 0; k < Enc::rate; ++k)
                            digests[id[l]][k] = static_cast<std::uint32_t>(out[k][l].to_u64());
            }
        }
    });
}

// One message, natively (the immediate hash).
template <class Perm>
[[nodiscard]] HashDigest hash_bytes(const Perm& perm, std::span<const std::uint8_t> message) {
    using F = typename Perm::field_type;
    using Enc = HashEncoding;
    auto s = Enc::initial_state<F>(static_cast<std::uint32_t>(message.size()));
    for (std::size_t blk = 0; blk < Enc::blocks(message.size()); ++blk) {
        const auto r = Enc::block<F>(message, blk);
        std::copy(r.begin(), r.end(), s.begin());
        perm.permute(s);
    }
    HashDigest d;
    for (std::size_t k = 0; k < Enc::rate; ++k) d[k] = static_cast<std::uint32_t>(s[k].to_u64());
    return d;
}

// The same sponge over field elements rather than bytes: the message is `elements`, 8 per
// block (the last block zero-padded), and the capacity holds 2 x elements.size() as its
// length, so that a message of 16-bit halves hashes as the bytes they spell. What the
// resource chips hash when an input is a digest (its elements are then hashed as they
// are: no decomposition, so no second encoding of one value). `states` (optional) gets
// the input state of every permutation.
template <class Perm>
[[nodiscard]] HashDigest hash_elements(const Perm& perm, std::span<const typename Perm::field_type> elements,
                                       std::vector<std::array<typename Perm::field_type, 16>>* states = nullptr) {
    using F = typename Perm::field_type;
    using Enc = HashEncoding;
    const std::uint64_t length = 2 * std::uint64_t{elements.size()};
    if (length > Enc::max_length)
        throw Error(ErrorCode::invalid_size, "hash_elements: " + std::to_string(elements.size()) + " elements");
    auto s = Enc::initial_state<F>(static_cast<std::uint32_t>(length));
    for (std::size_t blk = 0; blk < Enc::blocks(length); ++blk) {
        for (std::size_t k = 0; k < Enc::rate; ++k) {
            const std::size_t i = Enc::rate * blk + k;
            s[k] = i < elements.size() ? elements[i] : F::zero();
        }
        if (states) states->push_back(s);
        perm.permute(s);
    }
    HashDigest d;
    for (std::size_t k = 0; k < Enc::rate; ++k) d[k] = static_cast<std::uint32_t>(s[k].to_u64());
    return d;
}

class HashRequestPool {
public:
    struct Request {
        std::uint64_t offset = 0;  // of a deferred request's bytes in the pool
        std::uint32_t length = 0;
        bool deferred = false;
    };

    // A deferred request; returns its handle (its index among the deferred requests).
    std::uint32_t add_deferred(std::span<const std::uint8_t> bytes) {
        requests_.push_back({bytes_.size(), static_cast<std::uint32_t>(bytes.size()), true});
        bytes_.insert(bytes_.end(), bytes.begin(), bytes.end());
        deferred_.push_back(requests_.size() - 1);
        return static_cast<std::uint32_t>(deferred_.size() - 1);
    }
    void add_immediate(std::uint32_t length) { requests_.push_back({0, length, false}); }

    [[nodiscard]] std::span<const Request> requests() const noexcept { return requests_; }
    [[nodiscard]] std::size_t deferred_count() const noexcept { return deferred_.size(); }
    [[nodiscard]] std::span<const std::uint8_t> deferred_input(std::size_t handle) const {
        const Request& r = requests_.at(deferred_.at(handle));
        return std::span<const std::uint8_t>(bytes_).subspan(static_cast<std::size_t>(r.offset), r.length);
    }
    // Back to the first `n` requests (a simulated run is undone).
    void truncate(std::size_t n) {
        if (n >= requests_.size()) return;
        requests_.resize(n);
        while (!deferred_.empty() && deferred_.back() >= n) deferred_.pop_back();
        bytes_.resize(deferred_.empty() ? 0 : static_cast<std::size_t>(requests_[deferred_.back()].offset + requests_[deferred_.back()].length));
    }
    void clear() noexcept {
        requests_.clear();
        deferred_.clear();
        bytes_.clear();
    }

    // The digests of the deferred requests, in handle order: batched and in parallel.
    template <class Perm>
    [[nodiscard]] std::vector<HashDigest> digest_deferred(const Perm& perm) const {
        std::vector<std::span<const std::uint8_t>> messages;
        messages.reserve(deferred_.size());
        for (std::size_t h = 0; h < deferred_.size(); ++h) messages.push_back(deferred_input(h));
        std::vector<HashDigest> out(messages.size());
        hash_messages(perm, std::span<const std::span<const std::uint8_t>>(messages), std::span<HashDigest>(out));
        return out;
    }

private:
    std::vector<Request> requests_;
    std::vector<std::size_t> deferred_;  // indices into requests_
    std::vector<std::uint8_t> bytes_;
};

}  // namespace causality::vm
