// causality/resource/merkle.hpp — an append-only Merkle tree of digests (the input set of
// resource commitments, a committed capability set) and its membership paths.
//
// The tree has a fixed depth D (1..32): 2^D leaf positions, filled in order; an empty
// position holds the zero digest. An inner node is H("CMRK" | left | right) (the VM's
// byte hash, resource.hpp's tagged_hash), so a guest or a chip recomputes a path with the
// same function. The root of the empty tree is the D-fold hash of zeros; appending updates
// D nodes; a path is the D siblings from the leaf up, the leaf's index choosing left or
// right at each level (bit k of the index: 0 = the node is a left child).
#pragma once

#include <causality/error.hpp>
#include <causality/resource/resource.hpp>

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace causality::resource {

struct MerklePath {
    std::uint64_t index = 0;
    std::vector<Digest> siblings;  // from the leaf's level up
    friend bool operator==(const MerklePath&, const MerklePath&) = default;
};

inline Digest merkle_node(const Digest& left, const Digest& right) { return tagged_hash("CMRK", {&left, &right}); }

// The root a path leads to from `leaf`.
inline Digest merkle_root_of(const Digest& leaf, const MerklePath& path) {
    Digest node = leaf;
    for (std::size_t level = 0; level < path.siblings.size(); ++level)
        node = (path.index >> level) & 1 ? merkle_node(path.siblings[level], node) : merkle_node(node, path.siblings[level]);
    return node;
}
inline bool merkle_verify(const Digest& leaf, const MerklePath& path, const Digest& root, unsigned depth) {
    if (path.siblings.size() != depth || (depth < 64 && (path.index >> depth) != 0)) return false;
    return merkle_root_of(leaf, path) == root;
}

class MerkleTree {
public:
    explicit MerkleTree(unsigned depth = 20) : depth_(depth) {
        if (depth < 1 || depth > 32)
            throw Error(ErrorCode::invalid_argument, "merkle: depth must be 1..32, got " + std::to_string(depth));
        empty_.resize(depth + 1);
        for (unsigned l = 1; l <= depth; ++l) empty_[l] = merkle_node(empty_[l - 1], empty_[l - 1]);
        levels_.resize(depth + 1);
    }
    // A tree that starts as `base` (which must outlive it and not change meanwhile) and
    // keeps only what its own appends change: O(appends x depth), not O(leaves).
    [[nodiscard]] static MerkleTree overlay(const MerkleTree& base) {
        MerkleTree t(base.depth_);
        t.base_ = &base;
        t.size_ = base.size_;
        return t;
    }
    [[nodiscard]] unsigned depth() const noexcept { return depth_; }
    [[nodiscard]] std::uint64_t size() const noexcept { return size_; }
    [[nodiscard]] std::uint64_t capacity() const noexcept { return std::uint64_t{1} << depth_; }
    [[nodiscard]] Digest root() const { return node(depth_, 0); }

    // Appends a leaf; returns its index. Error(out_of_range) when the tree is full.
    std::uint64_t append(const Digest& leaf) {
        if (size_ == capacity())
            throw Error(ErrorCode::out_of_range, "merkle: the tree of depth " + std::to_string(depth_) + " is full (" +
                                                     std::to_string(capacity()) + " leaves)");
        const std::uint64_t index = size_++;
        Digest h = leaf;
        std::uint64_t i = index;
        levels_[0][i] = h;
        for (unsigned l = 0; l < depth_; ++l) {
            const std::uint64_t sib = i ^ 1;
            h = (i & 1) ? merkle_node(node(l, sib), h) : merkle_node(h, node(l, sib));
            i >>= 1;
            levels_[l + 1][i] = h;
        }
        return index;
    }
    [[nodiscard]] Digest leaf(std::uint64_t index) const {
        check(index);
        return node(0, index);
    }
    [[nodiscard]] MerklePath path(std::uint64_t index) const {
        check(index);
        MerklePath p{index, {}};
        p.siblings.reserve(depth_);
        std::uint64_t i = index;
        for (unsigned l = 0; l < depth_; ++l, i >>= 1) p.siblings.push_back(node(l, i ^ 1));
        return p;
    }

private:
    void check(std::uint64_t index) const {
        if (index >= size_)
            throw Error(ErrorCode::out_of_range, "merkle: leaf " + std::to_string(index) + " of a tree with " +
                                                     std::to_string(size_) + " leaves");
    }
    [[nodiscard]] Digest node(unsigned level, std::uint64_t i) const {
        const auto it = levels_[level].find(i);
        if (it != levels_[level].end()) return it->second;
        return base_ != nullptr ? base_->node(level, i) : empty_[level];
    }
    unsigned depth_;
    std::uint64_t size_ = 0;
    std::vector<Digest> empty_;
    std::vector<std::unordered_map<std::uint64_t, Digest>> levels_;
    const MerkleTree* base_ = nullptr;
};

}  // namespace causality::resource
