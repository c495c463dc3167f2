// causality/vm/memory_tree.hpp — the persistent memory of continuations: a Poseidon2
// Merkle tree over the registers and main memory, in chunks of 8 bytes (two words).
//
//   MemoryTree<F> tree(vm.config().memory_bits);
//   tree.load_image(initial_image(exe));          // the executable's root: what segment 0 starts from
//   auto steps = tree.update(chunks);             // a segment's touched chunks; their paths before and after
//
// Leaves. Chunk c of address space s (1: registers, address 4 x index; 2: main memory) has
// the label (s - 1) * 2^(memory_bits - 3) + c, c = address / 8, and its leaf is its 8 bytes
// as 8 field elements (a leaf is a digest's size: no leaf hashing). The tree's depth is
// memory_bits - 2 (one level for the space, memory_bits - 3 for the chunk); untouched memory
// and registers are zero, so a subtree of zero leaves has a fixed digest per height and the
// tree keeps only the nodes that differ from it.
//
// Nodes: parent = Poseidon2-16(left || right)[0..8] (the truncated permutation, Plonky3's
// 2-to-1 compression), stark::default_poseidon2<F, 16>() unless another is given. Digests
// are kept as canonical values (u64), the form statements carry.
#pragma once

#include <causality/error.hpp>
#include <causality/parallel.hpp>
#include <causality/stark/hash/poseidon2.hpp>
#include <causality/stark/hash/poseidon2_default.hpp>
#include <causality/vm/records.hpp>

#include <algorithm>
#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace causality::vm {

inline constexpr std::uint32_t memory_chunk_bytes = 8;
using MemoryDigest = std::array<std::uint64_t, 8>;  // canonical field values

// One touched node of a segment's update: its children before and after (the Merkle chip's
// two rows, memory_chips.hpp).
struct MerkleUpdateStep {
    std::uint32_t height = 0;  // 1..depth (the leaves are height 0)
    std::uint64_t label = 0;   // < 2^(depth - height)
    MemoryDigest initial_left{}, initial_right{}, final_left{}, final_right{};
    friend bool operator==(const MerkleUpdateStep&, const MerkleUpdateStep&) = default;
};

// A chunk's new content.
struct ChunkValue {
    std::uint64_t label = 0;
    MemoryDigest leaf{};  // its 8 bytes, one per element
};

// The leaf of 8 bytes: two little-endian words.
inline MemoryDigest chunk_leaf(std::uint32_t word0, std::uint32_t word1) {
    MemoryDigest d{};
    for (unsigned k = 0; k < 4; ++k) {
        d[k] = (word0 >> (8 * k)) & 0xffu;
        d[4 + k] = (word1 >> (8 * k)) & 0xffu;
    }
    return d;
}

template <class F>
class MemoryTree {
public:
    using Permutation = stark::Poseidon2<F, 16>;

    // Error(invalid_argument) for memory_bits outside 7..29 (the tree covers what a proof can
    // address: provable_memory_bits).
    explicit MemoryTree(unsigned memory_bits, Permutation perm = stark::default_poseidon2<F, 16>())
        : memory_bits_(memory_bits), perm_(std::move(perm)) {
        if (memory_bits < 7 || memory_bits > 29)
            throw Error(ErrorCode::invalid_argument, "memory tree: memory_bits " + std::to_string(memory_bits) +
                                                         " (continuations cover 7..29)");
        depth_ = memory_bits - 2;
        nodes_.resize(depth_ + 1);
        zero_.resize(depth_ + 1);
        for (unsigned h = 1; h <= depth_; ++h) zero_[h] = compress(zero_[h - 1], zero_[h - 1]);
    }

    [[nodiscard]] unsigned depth() const noexcept { return depth_; }
    [[nodiscard]] unsigned memory_bits() const noexcept { return memory_bits_; }
    [[nodiscard]] const Permutation& permutation() const noexcept { return perm_; }
    // The leaf label of the chunk holding `address` of `space` (registers or memory).
    [[nodiscard]] std::uint64_t label_of(AddressSpace space, std::uint32_t address) const {
        if (space != AddressSpace::registers && space != AddressSpace::memory)
            throw Error(ErrorCode::invalid_argument, "memory tree: address space " +
                                                         std::to_string(static_cast<unsigned>(space)) +
                                                         " is not in the tree (registers and memory are)");
        if (std::uint64_t{address} >= (std::uint64_t{1} << memory_bits_))
            throw Error(ErrorCode::out_of_range, "memory tree: address " + std::to_string(address) + " is outside 2^" +
                                                     std::to_string(memory_bits_) + " bytes");
        const std::uint64_t space_bit = space == AddressSpace::memory ? 1 : 0;
        return (space_bit << (memory_bits_ - 3)) | (address / memory_chunk_bytes);
    }
    [[nodiscard]] const MemoryDigest& zero(unsigned height) const { return zero_.at(height); }
    [[nodiscard]] MemoryDigest node(unsigned height, std::uint64_t label) const {
        const auto& level = nodes_.at(height);
        const auto it = level.find(label);
        return it == level.end() ? zero_[height] : it->second;
    }
    [[nodiscard]] MemoryDigest root() const { return node(depth_, 0); }
    [[nodiscard]] std::size_t stored_nodes() const noexcept {
        std::size_t n = 0;
        for (const auto& l : nodes_) n += l.size();
        return n;
    }

    // The executable's memory (sorted aligned words, system_chips.hpp's initial_image, as
    // ImageWord-like {address, value}); registers stay zero.
    template <class Words>
    void load_image(const Words& image) {
        std::vector<ChunkValue> chunks;
        for (const auto& w : image) {
            const std::uint64_t label = label_of(AddressSpace::memory, w.address);
            if (chunks.empty() || chunks.back().label != label) chunks.push_back({label, {}});
            const unsigned half = (w.address / 4) & 1u;
            for (unsigned k = 0; k < 4; ++k) chunks.back().leaf[4 * half + k] = (w.value >> (8 * k)) & 0xffu;
        }
        (void)update(chunks);
    }

    // Sets the chunks' leaves (labels distinct) and rehashes their paths, one compression
    // per touched node, level by level; returns every touched node with its children before
    // and after, by height then label.
    std::vector<MerkleUpdateStep> update(std::vector<ChunkValue> chunks) {
        std::sort(chunks.begin(), chunks.end(), [](const ChunkValue& a, const ChunkValue& b) { return a.label < b.label; });
        for (std::size_t i = 0; i < chunks.size(); ++i) {
            if (chunks[i].label >> depth_ != 0)
                throw Error(ErrorCode::out_of_range, "memory tree: leaf label " + std::to_string(chunks[i].label) +
                                                         " is outside a tree of depth " + std::to_string(depth_));
            if (i > 0 && chunks[i].label == chunks[i - 1].label)
                throw Error(ErrorCode::invalid_argument, "memory tree: chunk " + std::to_string(chunks[i].label) + " twice");
        }
        // The touched nodes, level by level, with their children before anything changes.
        std::vector<MerkleUpdateStep> steps;
        std::vector<std::size_t> level_start;
        std::vector<std::uint64_t> parents;
        for (const auto& c : chunks)
            if (parents.empty() || parents.back() != c.label >> 1) parents.push_back(c.label >> 1);
        for (unsigned h = 1; h <= depth_; ++h) {
            level_start.push_back(steps.size());
            for (const std::uint64_t p : parents) {
                MerkleUpdateStep s;
                s.height = h;
                s.label = p;
                s.initial_left = node(h - 1, 2 * p);
                s.initial_right = node(h - 1, 2 * p + 1);
                steps.push_back(s);
            }
            std::vector<std::uint64_t> next;
            for (const std::uint64_t p : parents)
                if (next.empty() || next.back() != p >> 1) next.push_back(p >> 1);
            parents = std::move(next);
        }
        level_start.push_back(steps.size());
        // Then the new leaves, and each level's new nodes from the level below.
        for (const auto& c : chunks) set(0, c.label, c.leaf);
        for (unsigned h = 1; h <= depth_; ++h) {
            const std::size_t first = level_start[h - 1], last = level_start[h];
            for (std::size_t i = first; i < last; ++i) {
                steps[i].final_left = node(h - 1, 2 * steps[i].label);
                steps[i].final_right = node(h - 1, 2 * steps[i].label + 1);
            }
            std::vector<MemoryDigest> out(last - first);
            compress_many(std::span<const MerkleUpdateStep>(steps).subspan(first, last - first), out);
            for (std::size_t i = first; i < last; ++i) set(h, steps[i].label, out[i - first]);
        }
        return steps;
    }

    [[nodiscard]] MemoryDigest compress(const MemoryDigest& l, const MemoryDigest& r) const {
        std::array<F, 16> s;
        for (std::size_t k = 0; k < 8; ++k) {
            s[k] = F::from_u64(l[k]);
            s[8 + k] = F::from_u64(r[k]);
        }
        perm_.permute(s);
        MemoryDigest out;
        for (std::size_t k = 0; k < 8; ++k) out[k] = s[k].to_u64();
        return out;
    }

    // The root of a tree of depth `depth` whose leaf `label` is `leaf`, from the siblings on
    // its path (leaf to root): how a Merkle opening of the final memory is checked.
    [[nodiscard]] MemoryDigest root_from_path(std::uint64_t label, const MemoryDigest& leaf,
                                              std::span<const MemoryDigest> siblings) const {
        MemoryDigest node = leaf;
        for (std::size_t h = 0; h < siblings.size(); ++h)
            node = ((label >> h) & 1) ? compress(siblings[h], node) : compress(node, siblings[h]);
        return node;
    }
    // The siblings of leaf `label`'s path, leaf to root.
    [[nodiscard]] std::vector<MemoryDigest> path(std::uint64_t label) const {
        std::vector<MemoryDigest> out;
        for (unsigned h = 0; h < depth_; ++h) out.push_back(node(h, (label >> h) ^ 1));
        return out;
    }

private:
    void set(unsigned height, std::uint64_t label, const MemoryDigest& d) {
        auto& level = nodes_[height];
        if (d == zero_[height]) level.erase(label);
        else level[label] = d;
    }
    // The final (after) parents of the steps, packed and in parallel.
    void compress_many(std::span<const MerkleUpdateStep> steps, std::span<MemoryDigest> out) const {
        parallel::parallel_for(steps.size(), 512, [&](std::size_t b, std::size_t e) {
            std::vector<std::array<F, 16>> states(e - b);
            for (std::size_t i = b; i < e; ++i)
                for (std::size_t k = 0; k < 8; ++k) {
                    states[i - b][k] = F::from_u64(steps[i].final_left[k]);
                    states[i - b][8 + k] = F::from_u64(steps[i].final_right[k]);
                }
            perm_.permute_many(std::span<std::array<F, 16>>(states));
            for (std::size_t i = b; i < e; ++i)
                for (std::size_t k = 0; k < 8; ++k) out[i][k] = states[i - b][k].to_u64();
        });
    }

    unsigned memory_bits_ = 0, depth_ = 0;
    Permutation perm_;
    std::vector<std::unordered_map<std::uint64_t, MemoryDigest>> nodes_;  // by height: nodes that differ from zero_
    std::vector<MemoryDigest> zero_;                                      // the digest of an all-zero subtree, by height
};

}  // namespace causality::vm
