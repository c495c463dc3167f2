// causality/vm/hash/merkle_path.hpp — MerklePathAir: Merkle paths of the VM hash's trees
// (resource/merkle.hpp: inner node = H("CMRK" | left | right), 68 bytes) recomputed in a
// proof, one row per level, every node hash proven by a Poseidon2 sponge chip
// (hash/chips.hpp's SpongeAir, fed on its block bus).
//
// Buses: path (key, level, node[8]) and the sponge's block and digest buses (request_hash
// in hash/chips.hpp). A chip that
// needs a membership proof starts a chain by sending (key, 0, leaf) on the path bus and
// ends it by receiving (key, depth, root). Each row receives (key, level, node), takes a
// direction bit and a sibling, sends the five blocks of "CMRK" | left | right under the
// hash key key + level + 1 (left, right = node, sibling, swapped when bit = 1), receives
// that hash's digest and sends (key, level + 1, digest) on.
//
// Why a chain proves membership. Levels go up by one per row, so a chain from level 0 to
// level `depth` has exactly `depth` rows (no cycle: levels are below the trace height, far
// below p). Its last digest is the root, which the tree's builder computed honestly; by
// collision resistance of the sponge over field elements the top row's block elements are
// the honest ones, hence its node value (node = lo + 2^16 hi, the halves it hashes) is the
// honest child, and so on down: the leaf is the honest tree's leaf at the position the bits
// spell. The halves need no range checks for this argument (a non-honest decomposition
// would need a second preimage). Hash keys must be unique across every request of the
// sponge: a chain's starter picks keys that are distinct multiples of 64 (depth <= 32) in
// a range no other requester of the sponge uses (the resource chips: 2^30 + 64 x register).
#pragma once

#include <causality/air/air.hpp>
#include <causality/error.hpp>
#include <causality/field/matrix.hpp>
#include <causality/resource/merkle.hpp>
#include <causality/vm/bridge.hpp>
#include <causality/vm/hash/chips.hpp>
#include <causality/vm/hash_pool.hpp>

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace causality::vm::hash {

struct MerkleBuses {
    air::PermutationBus path;
    HashBuses hash;  // the sponge's block and digest buses
};

// One level of a path: what the trace filler needs.
struct MerkleStep {
    std::uint32_t key = 0, level = 0;
    bool bit = false;  // the node is the right child
    HashDigest node{}, sibling{}, parent{};
};

class MerklePathAir {
public:
    static constexpr std::uint32_t tag_lo = 0x4d43, tag_hi = 0x4b52;  // "CMRK" as two 16-bit halves
    static constexpr std::uint32_t message_bytes = 68;
    enum Col : std::size_t {
        real = 0, key, level, bit, node, node_lo = node + 8, node_hi = node_lo + 8, sib_lo = node_hi + 8,
        sib_hi = sib_lo + 8, parent = sib_hi + 8, width_ = parent + 8
    };
    explicit MerklePathAir(MerkleBuses buses) : b_(buses) {}
    [[nodiscard]] static std::size_t width() noexcept { return width_; }
    [[nodiscard]] static std::string name() { return "merkle_path"; }

    template <class AB>
    void eval(AB& b) const {
        using E = typename AB::Expr;
        using gadgets::constant;
        const auto m = b.main();
        const auto col = [&](std::size_t i) { return E(m.local(i)); };
        const E on = col(real), bt = col(bit), one = constant(b, 1);
        b.assert_bool(on);
        b.assert_bool(bt);
        b.assert_zero(bt * (one - on));
        for (std::size_t k = 0; k < 8; ++k)
            b.assert_zero(col(node + k) - col(node_lo + k) - constant(b, 65536) * col(node_hi + k));
        // The message's 34 elements: the tag, left (8 words as 16 halves), right.
        std::array<E, 40> e;
        for (auto& x : e) x = constant(b, 0);
        e[0] = constant(b, tag_lo);
        e[1] = constant(b, tag_hi);
        for (std::size_t k = 0; k < 8; ++k) {
            const std::array<E, 2> n{col(node_lo + k), col(node_hi + k)}, s{col(sib_lo + k), col(sib_hi + k)};
            for (std::size_t h = 0; h < 2; ++h) {
                e[2 + 2 * k + h] = n[h] + bt * (s[h] - n[h]);       // left
                e[18 + 2 * k + h] = s[h] + bt * (n[h] - s[h]);      // right
            }
        }
        std::array<E, 8> parents;
        for (std::size_t k = 0; k < 8; ++k) parents[k] = col(parent + k);
        request_hash(b, b_.hash, col(key) + col(level) + one, e, message_bytes, parents, on);
        std::array<E, 10> in{col(key), col(level)}, out{col(key), col(level) + one};
        for (std::size_t k = 0; k < 8; ++k) {
            in[2 + k] = col(node + k);
            out[2 + k] = col(parent + k);
        }
        b_.path.receive(b, std::span<const E>(in), on);
        b_.path.send(b, std::span<const E>(out), on);
    }

    // The hash requests of the steps, for the sponge's trace (keys and 68-byte messages).
    static void requests(std::span<const MerkleStep> steps, std::vector<std::uint32_t>& keys,
                         std::vector<std::vector<std::uint8_t>>& messages) {
        for (const auto& s : steps) {
            keys.push_back(s.key + s.level + 1);
            std::vector<std::uint8_t> msg{'C', 'M', 'R', 'K'};
            const HashDigest& l = s.bit ? s.sibling : s.node;
            const HashDigest& r = s.bit ? s.node : s.sibling;
            for (const HashDigest* d : {&l, &r})
                for (const std::uint32_t w : *d)
                    for (int k = 0; k < 4; ++k) msg.push_back(static_cast<std::uint8_t>(w >> (8 * k)));
            messages.push_back(std::move(msg));
        }
    }
    template <class F>
    static field::RowMajorMatrix<F> trace(std::span<const MerkleStep> steps) {
        auto t = field::zero_matrix<F>(trace_rows(steps.size()), width_);
        for (std::size_t i = 0; i < steps.size(); ++i) {
            const MerkleStep& s = steps[i];
            F* row = t.data() + i * width_;
            row[real] = F::one();
            row[key] = F::from_u64(s.key);
            row[level] = F::from_u64(s.level);
            row[bit] = F::from_u64(s.bit ? 1 : 0);
            for (std::size_t k = 0; k < 8; ++k) {
                row[node + k] = F::from_u64(s.node[k]);
                row[node_lo + k] = F::from_u64(s.node[k] & 0xffff);
                row[node_hi + k] = F::from_u64(s.node[k] >> 16);
                row[sib_lo + k] = F::from_u64(s.sibling[k] & 0xffff);
                row[sib_hi + k] = F::from_u64(s.sibling[k] >> 16);
                row[parent + k] = F::from_u64(s.parent[k]);
            }
        }
        return t;
    }

private:
    MerkleBuses b_;
};

// The steps of one path (leaf to root) under chain key `key`.
inline std::vector<MerkleStep> merkle_steps(std::uint32_t key, const HashDigest& leaf, const resource::MerklePath& path) {
    std::vector<MerkleStep> out;
    HashDigest node = leaf;
    for (std::size_t level = 0; level < path.siblings.size(); ++level) {
        MerkleStep s;
        s.key = key;
        s.level = static_cast<std::uint32_t>(level);
        s.bit = ((path.index >> level) & 1) != 0;
        s.node = node;
        s.sibling = path.siblings[level];
        s.parent = s.bit ? resource::merkle_node(s.sibling, node) : resource::merkle_node(node, s.sibling);
        node = s.parent;
        out.push_back(s);
    }
    return out;
}

}  // namespace causality::vm::hash
