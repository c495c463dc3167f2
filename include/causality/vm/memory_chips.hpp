// causality/vm/memory_chips.hpp — the system AIRs of a segment proof (continuation.hpp),
// which replace the image, boundary and connector of a whole-run proof:
//
//   SegmentBoundaryAir  one row per touched 8-byte chunk (memory_tree.hpp) of registers or
//                       memory: for each of its two words the initial value sent at
//                       timestamp 0 and the final value received at its last timestamp
//                       (bridge.hpp's memory argument), and the chunk's initial and final
//                       leaves handed to the Merkle chip.
//   MemoryMerkleAir     one row per touched tree node and side (initial or final): a
//                       Poseidon2 compression parent = P(left || right)[0..8], computed in
//                       the row (stark::Poseidon2Air's columns), that takes its own digest
//                       from the level above and hands its children to the level below.
//   SegmentConnectorAir the segment's start (pc, at timestamp 1) and end (final state or the
//                       exit instruction's termination message), the boundary of the public
//                       values (they start at the stated initial bytes, not zero), and the
//                       tree's roots, which it gives the Merkle chip. Its public values are
//                       the segment statement (SegmentLayout).
//
// The Merkle bus carries (tag, height, label, 8 digest elements); tag 0 is the initial
// tree, 1 the final tree, 2 a shared sibling. The connector sends (0, depth, 0, initial
// root) and (1, depth, 0, final root). A Merkle row of side s (0 or 1) receives
// (s, h, label, parent) and for each child (label 2 label + c) either expands it, sending
// (s, h - 1, child, digest), or shares it, sending (2, h - 1, child, digest) with count +1
// on the initial side and -1 on the final side. The boundary receives (0, 0, chunk,
// initial leaf) and (1, 0, chunk, final leaf).
//
// Why the boundary's initial bytes are the initial tree's leaves and the final root is the
// initial tree with exactly the boundary's chunks replaced by their final bytes.
// (1) Tags 0 and 1 carry counts 0 or 1 only, so each is an ordinary multiset. The root
// message is sent once; a message at height h can only come from a row at h + 1 (or the
// connector at the depth: a chain of rows above the depth would need about p rows), so by
// induction each side's rows form one tree E_s of nodes, each node once (collision
// resistance: two rows of one node and digest have the same children), containing the
// root, whose expanded height-0 children are received by boundary rows, one each (the
// boundary's keys are distinct). So a boundary row's initial leaf is the leaf at its key
// of the tree under the initial root, and its final leaf that of the final root's tree;
// and the keys that E_0 and E_1 reach at height 0 are both exactly the boundary's keys K.
// (2) Take a leaf position outside K and walk down from the root (in E_0 and E_1) to the
// first node c of its path missing from E_0 or E_1. If c is in neither, both sides share
// c (its parent is in both), each once, and the shared messages (+1 and -1, same label)
// balance only with equal digests: the trees agree on c's whole subtree, so on the leaf.
// If c is in exactly one, the other side shares it and nothing can balance that message
// (the only other sharer of position c would be the same parent on the other side, which
// expands it). The walk cannot stay in both down to height 0 (the leaf would be in K).
// Dead-end rows (expanded nodes with both children shared) are allowed and harmless.
// No real row has height 0 (height x inverse = 1): such a row could take a leaf message
// in place of a boundary row and change a chunk that no chip accessed. Rows at heights
// "below" 0 (p - 1, ...) would need senders at height 0, so none exist.
//
// The boundary's chunks are distinct (as BoundaryAir's words: key = lo + 2^14 hi with
// range-checked limbs, consecutive real rows have key' - key - 1 range-checked below 2^28,
// real rows first), so each word has one chain of accesses. The key is the leaf label
// (space - 1) 2^(memory_bits - 3) + address / 8 with space 1 or 2, and each of the row's
// two words is at address 8 (key - (space - 1) 2^(memory_bits - 3)) + 4 w. A row whose key
// lies outside its space's range names addresses no chip uses: its memory messages cancel
// only as an unchanged word at timestamp 0, so it can only state an unchanged leaf.
// The bytes of a leaf are bytes: segment 0's tree is the executable's (the verifier builds
// its root), and every later leaf was written through the memory bus by chips that
// range-check what they write.
//
// The public values: the initial and final bytes of each slot are public values (the
// verifier passes a statement's words as bytes) used directly as the memory messages of
// address space 3, so the next segment's initial slots are this one's final ones by the
// verifier's chain check, with no range check in the circuit.
#pragma once

#include <causality/air/air.hpp>
#include <causality/error.hpp>
#include <causality/field/matrix.hpp>
#include <causality/stark/hash/poseidon2_air.hpp>
#include <causality/vm/bridge.hpp>
#include <causality/vm/buses.hpp>
#include <causality/vm/memory_tree.hpp>
#include <causality/vm/records.hpp>

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace causality::vm {

// --- segment boundary ------------------------------------------------------------------------

// One touched chunk: both words before and after, and their last timestamps (0: untouched).
struct ChunkBoundary {
    AddressSpace space = AddressSpace::memory;
    std::uint32_t address = 0;  // of the chunk (a multiple of 8)
    std::array<std::uint32_t, 2> initial{}, final_value{}, final_ts{};
};

class SegmentBoundaryAir {
public:
    enum Col : std::size_t {
        real, space, key, key_lo, key_hi, gap_lo, gap_hi, next_real, initial, final_value = initial + 8,
        final_ts = final_value + 8, width_ = final_ts + 2
    };
    SegmentBoundaryAir(SystemBuses buses, air::PermutationBus merkle, air::LookupBus limbs, unsigned memory_bits)
        : buses_(buses), merkle_(merkle), limbs_(limbs), space_stride_(std::uint32_t{1} << (memory_bits - 3)) {}
    [[nodiscard]] static std::size_t width() noexcept { return width_; }
    [[nodiscard]] static std::string name() { return "segment_boundary"; }

    template <class AB>
    void eval(AB& b) const {
        using E = typename AB::Expr;
        using F = typename AB::F;
        const auto m = b.main();
        const auto c = [&](std::size_t i) { return E(m.local(i)); };
        const auto n = [&](std::size_t i) { return E(m.next(i)); };
        const E one = b.constant(F::one()), zero = b.constant(F::zero());
        const E limb = b.constant(F::from_u64(1u << timestamp_limb_bits));
        b.assert_bool(c(real));
        b.assert_zero(c(real) * (c(space) - one) * (c(space) - b.constant(F::from_u64(2))));
        b.assert_eq(c(key), c(key_lo) + limb * c(key_hi));
        b.when_transition().assert_eq(c(next_real), n(real));
        b.when_last_row().assert_zero(c(next_real));
        b.when_transition().assert_zero(n(real) * (one - c(real)));
        b.when_transition().assert_zero(c(next_real) * (n(key) - c(key) - one - c(gap_lo) - limb * c(gap_hi)));
        limbs_.lookup_key(b, {c(key_lo)}, c(real));
        limbs_.lookup_key(b, {c(key_hi)}, c(real));
        limbs_.lookup_key(b, {c(gap_lo)}, c(next_real));
        limbs_.lookup_key(b, {c(gap_hi)}, c(next_real));
        const E chunk = c(key) - (c(space) - one) * b.constant(F::from_u64(space_stride_));
        for (std::size_t w = 0; w < 2; ++w) {
            const E address = b.constant(F::from_u64(8)) * chunk + b.constant(F::from_u64(4 * w));
            const std::size_t i = initial + 4 * w, f = final_value + 4 * w;
            const std::array<E, 7> first{c(space), address, c(i), c(i + 1), c(i + 2), c(i + 3), zero};
            const std::array<E, 7> last{c(space), address, c(f), c(f + 1), c(f + 2), c(f + 3), c(final_ts + w)};
            b.send(buses_.memory.id, std::span<const E>(first), c(real));
            b.receive(buses_.memory.id, std::span<const E>(last), c(real));
        }
        std::array<E, 11> leaf_in{zero, zero, c(key)}, leaf_out{one, zero, c(key)};
        for (std::size_t k = 0; k < 8; ++k) {
            leaf_in[3 + k] = c(initial + k);
            leaf_out[3 + k] = c(final_value + k);
        }
        merkle_.receive(b, std::span<const E>(leaf_in), c(real));
        merkle_.receive(b, std::span<const E>(leaf_out), c(real));
    }

    // The rows of the chunks (sorted by label, distinct); the limbs go to the range checker.
    template <class F>
    field::RowMajorMatrix<F> trace(std::span<const ChunkBoundary> chunks, std::span<const std::uint64_t> labels,
                                   air::RangeCheckCounts& limbs) const {
        auto t = field::zero_matrix<F>(trace_rows(chunks.size()), width_);
        const std::uint64_t mask = (1u << timestamp_limb_bits) - 1;
        for (std::size_t r = 0; r < chunks.size(); ++r) {
            const ChunkBoundary& ch = chunks[r];
            F* row = t.data() + r * width_;
            const std::uint64_t k = labels[r];
            row[real] = F::one();
            row[space] = F::from_u64(static_cast<std::uint64_t>(ch.space));
            row[key] = F::from_u64(k);
            row[key_lo] = F::from_u64(k & mask);
            row[key_hi] = F::from_u64(k >> timestamp_limb_bits);
            limbs.add(static_cast<std::uint32_t>(k & mask));
            limbs.add(static_cast<std::uint32_t>(k >> timestamp_limb_bits));
            if (r + 1 < chunks.size()) {
                const std::uint64_t gap = labels[r + 1] - k - 1;
                row[next_real] = F::one();
                row[gap_lo] = F::from_u64(gap & mask);
                row[gap_hi] = F::from_u64(gap >> timestamp_limb_bits);
                limbs.add(static_cast<std::uint32_t>(gap & mask));
                limbs.add(static_cast<std::uint32_t>(gap >> timestamp_limb_bits));
            }
            for (std::size_t w = 0; w < 2; ++w) {
                put_bytes(row, initial + 4 * w, ch.initial[w]);
                put_bytes(row, final_value + 4 * w, ch.final_value[w]);
                row[final_ts + w] = F::from_u64(ch.final_ts[w]);
            }
        }
        return t;
    }

private:
    SystemBuses buses_;
    air::PermutationBus merkle_;
    air::LookupBus limbs_;
    std::uint32_t space_stride_;
};

// --- the Merkle chip ---------------------------------------------------------------------------

template <class F>
class MemoryMerkleAir {
public:
    using Permutation = stark::Poseidon2<F, 16>;
    // After Poseidon2Air's columns (input = left || right, output[0..8] = the parent): the
    // side (is_final), height, label, whether each child is expanded, and each child's
    // message tag and count (tag = expanded ? side : 2, count = expanded ? 1 : +-1).
    enum Extra : std::size_t {
        real = 0, is_final, height, height_inverse, label, expand_left, expand_right, tag_left, tag_right, count_left,
        count_right, extra
    };
    static constexpr std::uint32_t shared_tag = 2;
    MemoryMerkleAir(air::PermutationBus merkle, Permutation perm) : merkle_(merkle), p2_(std::move(perm)) {}
    [[nodiscard]] std::size_t width() const noexcept { return p2_.width() + extra; }
    [[nodiscard]] static std::string name() { return "memory_merkle"; }
    [[nodiscard]] std::size_t column(Extra e) const noexcept { return p2_.width() + e; }

    template <class AB>
    void eval(AB& b) const {
        using E = typename AB::Expr;
        p2_.eval(b);
        const auto m = b.main();
        const auto col = [&](std::size_t i) { return E(m.local(i)); };
        const auto x = [&](Extra e) { return col(column(e)); };
        const E one = b.constant(F::one()), two = b.constant(F::from_u64(2));
        for (const Extra e : {real, is_final, expand_left, expand_right}) b.assert_bool(x(e));
        for (const Extra e : {is_final, expand_left, expand_right}) b.assert_zero(x(e) * (one - x(real)));
        // No row at height 0: the leaves are the boundary's to receive.
        b.assert_zero(x(real) * (x(height) * x(height_inverse) - one));
        const E side = x(real) - two * x(is_final);  // a shared child's count: +1 initial, -1 final
        const std::array<std::pair<Extra, std::array<Extra, 2>>, 2> children{
            {{expand_left, {tag_left, count_left}}, {expand_right, {tag_right, count_right}}}};
        for (const auto& [expand, tc] : children) {
            b.assert_eq(x(tc[0]), x(expand) * x(is_final) + (x(real) - x(expand)) * b.constant(F::from_u64(shared_tag)));
            b.assert_eq(x(tc[1]), x(expand) + (one - x(expand)) * side);
        }
        std::array<E, 11> parent{x(is_final), x(height), x(label)}, left{x(tag_left), x(height) - one, two * x(label)},
            right{x(tag_right), x(height) - one, two * x(label) + one};
        for (std::size_t k = 0; k < 8; ++k) {
            parent[3 + k] = col(p2_.output_column(k));
            left[3 + k] = col(k);
            right[3 + k] = col(8 + k);
        }
        merkle_.receive(b, std::span<const E>(parent), x(real));
        merkle_.send(b, std::span<const E>(left), x(count_left));
        merkle_.send(b, std::span<const E>(right), x(count_right));
    }

    // Two rows per step (initial, then final); `expanded(h, label)` says whether the node at
    // height h (0: a chunk) has rows of its own (or is a boundary chunk). Padding rows hash
    // the zero state.
    template <class Expanded>
    field::RowMajorMatrix<F> trace(std::span<const MerkleUpdateStep> steps, Expanded&& expanded) const {
        const std::size_t rows = trace_rows(2 * steps.size());
        std::vector<std::array<F, 16>> states(rows);
        for (std::size_t i = 0; i < steps.size(); ++i)
            for (std::size_t k = 0; k < 8; ++k) {
                states[2 * i][k] = F::from_u64(steps[i].initial_left[k]);
                states[2 * i][8 + k] = F::from_u64(steps[i].initial_right[k]);
                states[2 * i + 1][k] = F::from_u64(steps[i].final_left[k]);
                states[2 * i + 1][8 + k] = F::from_u64(steps[i].final_right[k]);
            }
        const auto perm = p2_.generate_trace(states);
        const std::size_t pw = p2_.width(), w = width();
        auto t = field::zero_matrix<F>(rows, w);
        parallel::parallel_for(rows, 256, [&](std::size_t b, std::size_t e) {
            for (std::size_t r = b; r < e; ++r) std::copy_n(perm.data() + r * pw, pw, t.data() + r * w);
        });
        for (std::size_t i = 0; i < steps.size(); ++i) {
            const MerkleUpdateStep& st = steps[i];
            const bool el = expanded(st.height - 1, 2 * st.label), er = expanded(st.height - 1, 2 * st.label + 1);
            for (std::size_t fin = 0; fin < 2; ++fin) {
                F* row = t.data() + (2 * i + fin) * w + pw;
                const F side = fin ? F::zero() - F::one() : F::one();
                row[real] = F::one();
                row[is_final] = F::from_u64(fin);
                row[height] = F::from_u64(st.height);
                row[height_inverse] = F::from_u64(st.height).inverse();
                row[label] = F::from_u64(st.label);
                row[expand_left] = F::from_u64(el ? 1 : 0);
                row[expand_right] = F::from_u64(er ? 1 : 0);
                row[tag_left] = F::from_u64(el ? fin : shared_tag);
                row[tag_right] = F::from_u64(er ? fin : shared_tag);
                row[count_left] = el ? F::one() : side;
                row[count_right] = er ? F::one() : side;
            }
        }
        return t;
    }

private:
    air::PermutationBus merkle_;
    stark::Poseidon2Air<F, 16> p2_;
};

// --- segment connector -----------------------------------------------------------------------

// Public values of a segment proof, in this order.
struct SegmentLayout {
    static constexpr std::size_t index = 0, count = 1, initial_pc = 2, final_pc = 3, terminated = 4, exit_lo = 5,
                                 exit_hi = 6, initial_root = 7, final_root = 15, slots = 23;
    // Public-value slot k: its 4 initial bytes at slot(k), its 4 final bytes at slot(k) + 4.
    static constexpr std::size_t slot(std::size_t k) noexcept { return slots + 8 * k; }
    static constexpr std::size_t size(std::size_t public_slots) noexcept { return slots + 8 * public_slots; }
};

class SegmentConnectorAir {
public:
    enum Col : std::size_t { real, final_ts, code, slot_ts = code + 4 };
    SegmentConnectorAir(SystemBuses buses, air::PermutationBus merkle, std::size_t public_slots, unsigned depth)
        : buses_(buses), merkle_(merkle), slots_(public_slots), depth_(depth) {}
    [[nodiscard]] std::size_t width() const noexcept { return slot_ts + slots_; }
    [[nodiscard]] std::size_t num_public_values() const noexcept { return SegmentLayout::size(slots_); }
    [[nodiscard]] static std::string name() { return "segment_connector"; }

    template <class AB>
    void eval(AB& b) const {
        using E = typename AB::Expr;
        using F = typename AB::F;
        using L = SegmentLayout;
        const auto m = b.main();
        const auto c = [&](std::size_t i) { return E(m.local(i)); };
        const auto pv = [&](std::size_t i) { return b.public_value(i); };
        const E one = b.constant(F::one()), zero = b.constant(F::zero());
        const E byte = b.constant(F::from_u64(256));
        const E terminated = pv(L::terminated);
        b.when_first_row().assert_eq(c(real), one);
        b.when_transition().assert_zero(E(m.next(real)));
        b.assert_bool(terminated);
        buses_.execution.send(b, {pv(L::initial_pc), one}, c(real));
        buses_.execution.receive(b, {pv(L::final_pc), c(final_ts)}, c(real) * (one - terminated));
        buses_.termination.receive(b, {pv(L::final_pc), c(final_ts), c(code), c(code + 1), c(code + 2), c(code + 3)},
                                   c(real) * terminated);
        b.when_first_row().assert_eq(c(code) + byte * c(code + 1), pv(L::exit_lo));
        b.when_first_row().assert_eq(c(code + 2) + byte * c(code + 3), pv(L::exit_hi));
        const E space = b.constant(F::from_u64(static_cast<std::uint64_t>(AddressSpace::public_values)));
        for (std::size_t k = 0; k < slots_; ++k) {
            const std::size_t s = L::slot(k);
            const E address = b.constant(F::from_u64(4 * k));
            const std::array<E, 7> first{space, address, pv(s), pv(s + 1), pv(s + 2), pv(s + 3), zero};
            const std::array<E, 7> last{space, address, pv(s + 4), pv(s + 5), pv(s + 6), pv(s + 7), c(slot_ts + k)};
            b.send(buses_.memory.id, std::span<const E>(first), c(real));
            b.receive(buses_.memory.id, std::span<const E>(last), c(real));
        }
        const E top = b.constant(F::from_u64(depth_));
        std::array<E, 11> initial_root{zero, top, zero}, final_root{one, top, zero};
        for (std::size_t k = 0; k < 8; ++k) {
            initial_root[3 + k] = pv(L::initial_root + k);
            final_root[3 + k] = pv(L::final_root + k);
        }
        merkle_.send(b, std::span<const E>(initial_root), c(real));
        merkle_.send(b, std::span<const E>(final_root), c(real));
    }

    // Two rows: the first holds the final timestamp, the exit code's bytes and each public
    // slot's last timestamp in this segment.
    template <class F>
    [[nodiscard]] field::RowMajorMatrix<F> trace(std::uint32_t final_timestamp, std::uint32_t exit_code,
                                                 std::span<const BoundaryEntry> boundary) const {
        auto t = field::zero_matrix<F>(2, width());
        F* row = t.data();
        row[real] = F::one();
        row[final_ts] = F::from_u64(final_timestamp);
        put_bytes(row, code, exit_code);
        for (const auto& e : boundary)
            if (e.space == AddressSpace::public_values && e.address / 4 < slots_)
                row[slot_ts + e.address / 4] = F::from_u64(e.final_timestamp);
        return t;
    }

private:
    SystemBuses buses_;
    air::PermutationBus merkle_;
    std::size_t slots_;
    unsigned depth_;
};

}  // namespace causality::vm
