// causality/vm/system_chips.hpp — the AIRs every VM proof has besides its instruction
// chips, and their trace fillers:
//
//   ProgramAir    the program as fixed columns (pc, opcode, a..g); its main column counts how
//                 often each instruction ran. Instruction rows look themselves up on the
//                 program bus, so a row can only execute an instruction of this program.
//   ImageAir      the executable's initial memory as fixed columns (word address, 4 bytes);
//                 each word is handed once to the boundary on the image bus.
//   BoundaryAir   every register and main-memory word a run touched, and every image word:
//                 its initial value sent at timestamp 0, its final value and last timestamp
//                 received (bridge.hpp's memory argument).
//   ConnectorAir  the start and end of the execution: sends (entry pc, 1), receives the
//                 final state (or the exit instruction's termination message), and is the
//                 boundary of the public-values address space; its public values are the
//                 proof's statement (layout below).
//
// What the verifier derives itself: the program and image columns (fixed, committed in the
// verifying key, so a proof is bound to one executable), the entry pc, the number of
// public-value slots. What the prover supplies and why it cannot lie:
// - Initial values. An image word reaches the boundary only through the image bus (its
//   bytes are the fixed column's); every other boundary row starts at zero (constraint).
//   Each image word is sent once with count 1, so it must be received once: every image
//   word is a boundary row with from_image = 1.
// - Distinct addresses. Boundary rows are sorted by key = (space - 1) * 2^27 + word (word =
//   address / 4), key = lo + 2^14 hi with both limbs range-checked (key < 2^28), and
//   consecutive real rows have key' - key - 1 range-checked below 2^28: since p > 2^29,
//   key' <= key would make that difference p - k with 1 <= k <= 2^28, out of range. So no
//   address has two chains (a second chain could start at zero and hide a store), and no
//   image word has a zero-initialised twin. Real rows come first (real' implies real).
// - The final state and exit code: the connector receives exactly one final state, from
//   the execution bus when the run did not terminate, or the exit instruction's
//   termination message (pc, timestamp, exit-code bytes) when it did; the exit code and the
//   published values are bytes from registers (bridge.hpp), tied to the public values by
//   c0 + 256 c1 = lo, c2 + 256 c3 = hi.
// Only the connector's first row is real (first row real = 1, transitions real' = 0).
#pragma once

#include <causality/air/air.hpp>
#include <causality/error.hpp>
#include <causality/field/matrix.hpp>
#include <causality/vm/hash_pool.hpp>
#include <causality/vm/bridge.hpp>
#include <causality/vm/core.hpp>
#include <causality/vm/inventory.hpp>
#include <causality/vm/program.hpp>
#include <causality/vm/records.hpp>

#include <algorithm>
#include <array>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

namespace causality::vm {

// Bounds of what a proof can hold: pcs below 2^30 (so pc + 4 and a jump target stay far
// below the modulus and 30-bit byte decompositions are unique) and memory addresses below
// 2^29 (the boundary's keys).
inline constexpr std::uint64_t provable_pc_end = std::uint64_t{1} << 30;
inline constexpr unsigned provable_memory_bits = 29;

// One word of the initial image.
struct ImageWord {
    std::uint32_t address = 0;  // aligned
    std::uint32_t value = 0;
    friend bool operator==(const ImageWord&, const ImageWord&) = default;
};

// The executable's initial memory as sorted words (later segments overwrite earlier ones,
// as Machine::initialize places them; bytes around a segment in its first and last words
// are zero unless another segment sets them).
template <class F>
std::vector<ImageWord> initial_image(const Executable<F>& exe) {
    std::map<std::uint32_t, std::uint32_t> words;
    for (const auto& seg : exe.memory)
        for (std::size_t k = 0; k < seg.bytes.size(); ++k) {
            const std::uint64_t a = std::uint64_t{seg.address} + k;
            if (a >= (std::uint64_t{1} << 32))
                throw Error(ErrorCode::out_of_range, "vm: memory segment at " + hex32(seg.address) + " passes 2^32");
            const auto addr = static_cast<std::uint32_t>(a);
            auto& w = words[addr & ~3u];
            const unsigned shift = 8 * (addr & 3u);
            w = (w & ~(0xffu << shift)) | (std::uint32_t{seg.bytes[k]} << shift);
        }
    std::vector<ImageWord> out;
    out.reserve(words.size());
    for (const auto& [a, v] : words) out.push_back({a, v});
    return out;
}

// --- program ----------------------------------------------------------------------------

// Fixed: real, pc, opcode, a..g (10 columns); main: the execution count.
class ProgramAir {
public:
    template <class F>
    explicit ProgramAir(air::LookupBus bus, const Program<F>& p) : bus_(bus), rows_(trace_rows(p.size())) {
        fixed_.reserve(p.size() * 9);
        for (std::size_t i = 0; i < p.size(); ++i) {
            fixed_.push_back(p.pc_base + static_cast<std::uint64_t>(i) * p.pc_step);
            fixed_.push_back(p.instructions[i].opcode);
            for (const auto& o : p.instructions[i].operands) fixed_.push_back(o.to_u64());
        }
    }
    [[nodiscard]] static std::size_t width() noexcept { return 1; }
    [[nodiscard]] static std::size_t preprocessed_width() noexcept { return 10; }
    [[nodiscard]] static std::string name() { return "program"; }
    [[nodiscard]] std::size_t rows() const noexcept { return rows_; }

    template <class F>
    [[nodiscard]] field::RowMajorMatrix<F> preprocessed_trace() const {
        auto m = field::zero_matrix<F>(rows_, 10);
        for (std::size_t i = 0; i < fixed_.size() / 9; ++i) {
            m(static_cast<Eigen::Index>(i), 0) = F::one();
            for (std::size_t c = 0; c < 9; ++c)
                m(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(c + 1)) = F::from_u64(fixed_[i * 9 + c]);
        }
        return m;
    }
    template <class AB>
    void eval(AB& b) const {
        using E = typename AB::Expr;
        using F = typename AB::F;
        const auto p = b.preprocessed();
        const E count = b.main().local(0);
        // Padding rows of the table (real = 0) are never looked up.
        b.assert_zero(count * (b.constant(F::one()) - E(p.local(0))));
        std::array<E, 9> key;
        for (std::size_t c = 0; c < 9; ++c) key[c] = p.local(c + 1);
        b.receive(bus_.id, std::span<const E>(key), count);
    }

private:
    air::LookupBus bus_;
    std::size_t rows_;
    std::vector<std::uint64_t> fixed_;  // pc, opcode, a..g per instruction (canonical values)
};

// --- image --------------------------------------------------------------------------------

// Fixed: real, address, 4 bytes; main: the send count (= real).
class ImageAir {
public:
    ImageAir(air::PermutationBus bus, std::vector<ImageWord> words)
        : bus_(bus), words_(std::move(words)), rows_(trace_rows(words_.size())) {}
    [[nodiscard]] static std::size_t width() noexcept { return 1; }
    [[nodiscard]] static std::size_t preprocessed_width() noexcept { return 6; }
    [[nodiscard]] static std::string name() { return "memory_image"; }
    [[nodiscard]] std::size_t rows() const noexcept { return rows_; }
    [[nodiscard]] const std::vector<ImageWord>& words() const noexcept { return words_; }

    template <class F>
    [[nodiscard]] field::RowMajorMatrix<F> preprocessed_trace() const {
        auto m = field::zero_matrix<F>(rows_, 6);
        for (std::size_t i = 0; i < words_.size(); ++i) {
            const auto r = static_cast<Eigen::Index>(i);
            m(r, 0) = F::one();
            m(r, 1) = F::from_u64(words_[i].address);
            for (unsigned k = 0; k < 4; ++k) m(r, 2 + k) = F::from_u64((words_[i].value >> (8 * k)) & 0xffu);
        }
        return m;
    }
    template <class AB>
    void eval(AB& b) const {
        using E = typename AB::Expr;
        const auto p = b.preprocessed();
        const E count = b.main().local(0);
        b.assert_eq(count, p.local(0));
        bus_.send(b, {p.local(1), p.local(2), p.local(3), p.local(4), p.local(5)}, count);
    }

private:
    air::PermutationBus bus_;
    std::vector<ImageWord> words_;
    std::size_t rows_;
};

// --- boundary -------------------------------------------------------------------------------

class BoundaryAir {
public:
    enum Col : std::size_t {
        real, space, key, key_lo, key_hi, gap_lo, gap_hi, next_real, from_image, initial, final_value = initial + 4,
        final_ts = final_value + 4, width_ = final_ts + 1
    };
    static constexpr std::uint32_t space_stride = std::uint32_t{1} << 27;  // words per address space in the key

    BoundaryAir(SystemBuses buses, air::LookupBus limbs) : buses_(buses), limbs_(limbs) {}
    [[nodiscard]] static std::size_t width() noexcept { return width_; }
    [[nodiscard]] static std::string name() { return "memory_boundary"; }

    template <class AB>
    void eval(AB& b) const {
        using E = typename AB::Expr;
        using F = typename AB::F;
        const auto m = b.main();
        const auto c = [&](std::size_t i) { return E(m.local(i)); };
        const auto n = [&](std::size_t i) { return E(m.next(i)); };
        const E one = b.constant(F::one());
        const E limb = b.constant(F::from_u64(1u << timestamp_limb_bits));
        b.assert_bool(c(real));
        b.assert_bool(c(from_image));
        b.assert_zero(c(from_image) * (c(real) - one));
        b.assert_zero(c(real) * (c(space) - one) * (c(space) - b.constant(F::from_u64(2))));
        b.assert_zero(c(from_image) * (c(space) - b.constant(F::from_u64(2))));
        for (std::size_t k = 0; k < 4; ++k) b.assert_zero((one - c(from_image)) * c(initial + k));
        b.assert_eq(c(key), c(key_lo) + limb * c(key_hi));
        // Sorted, distinct keys; real rows first.
        b.when_transition().assert_eq(c(next_real), n(real));
        b.when_last_row().assert_zero(c(next_real));
        b.when_transition().assert_zero(n(real) * (one - c(real)));
        b.when_transition().assert_zero(c(next_real) * (n(key) - c(key) - one - c(gap_lo) - limb * c(gap_hi)));
        limbs_.lookup_key(b, {c(key_lo)}, c(real));
        limbs_.lookup_key(b, {c(key_hi)}, c(real));
        limbs_.lookup_key(b, {c(gap_lo)}, c(next_real));
        limbs_.lookup_key(b, {c(gap_hi)}, c(next_real));
        // The address: 4 * word, word = key - (space - 1) * 2^27.
        const E address = b.constant(F::from_u64(4)) * (c(key) - (c(space) - one) * b.constant(F::from_u64(space_stride)));
        const E zero = b.constant(F::zero());
        const std::array<E, 7> first{c(space), address, c(initial), c(initial + 1), c(initial + 2), c(initial + 3), zero};
        const std::array<E, 7> last{c(space), address, c(final_value), c(final_value + 1), c(final_value + 2),
                                    c(final_value + 3), c(final_ts)};
        b.send(buses_.memory.id, std::span<const E>(first), c(real));
        b.receive(buses_.memory.id, std::span<const E>(last), c(real));
        buses_.image.receive(b, {address, c(initial), c(initial + 1), c(initial + 2), c(initial + 3)}, c(from_image));
    }

    // The trace: the run's touched registers and main-memory words merged with every image
    // word (an untouched one ends where it started, at timestamp 0). Error(out_of_range)
    // for a main-memory address at or above 2^29.
    template <class F>
    static field::RowMajorMatrix<F> trace(const std::vector<BoundaryEntry>& touched, const std::vector<ImageWord>& image,
                                          air::RangeCheckCounts& limbs) {
        struct Row {
            std::uint32_t space, address, initial, final_value, final_ts;
            bool from_image;
        };
        std::vector<Row> rows;
        rows.reserve(touched.size() + image.size());
        std::size_t next_image = 0;
        const auto key_of = [](std::uint32_t space, std::uint32_t address) {
            return (space - 1) * space_stride + (address >> 2);
        };
        const auto flush_image_below = [&](std::uint64_t key) {
            while (next_image < image.size() && key_of(2, image[next_image].address) < key) {
                const auto& w = image[next_image++];
                rows.push_back({2, w.address, w.value, w.value, 0, true});
            }
        };
        for (const auto& e : touched) {
            if (e.space == AddressSpace::public_values || e.space == AddressSpace::deferred) continue;  // the connector's
            if (e.space == AddressSpace::resources) continue;  // the resource_slot chip's (vm/resource/chips.hpp)
            const auto space = static_cast<std::uint32_t>(e.space);
            if (e.space == AddressSpace::memory && e.address >= (std::uint32_t{1} << provable_memory_bits))
                throw Error(ErrorCode::out_of_range, "vm: the run touched memory at " + hex32(e.address) +
                                                         "; proofs cover addresses below 2^29");
            const std::uint64_t key = key_of(space, e.address);
            flush_image_below(key);
            const bool in_image = next_image < image.size() && space == 2 && image[next_image].address == e.address;
            if (in_image) ++next_image;
            rows.push_back({space, e.address, e.initial, e.final_value, e.final_timestamp, in_image});
        }
        flush_image_below(std::uint64_t{1} << 40);
        auto t = field::zero_matrix<F>(trace_rows(rows.size()), width_);
        const std::uint32_t mask = (1u << timestamp_limb_bits) - 1;
        for (std::size_t i = 0; i < rows.size(); ++i) {
            const Row& r = rows[i];
            F* row = t.data() + i * width_;
            const std::uint32_t key = key_of(r.space, r.address);
            row[real] = F::one();
            row[space] = F::from_u64(r.space);
            row[Col::key] = F::from_u64(key);
            row[key_lo] = F::from_u64(key & mask);
            row[key_hi] = F::from_u64(key >> timestamp_limb_bits);
            limbs.add(key & mask);
            limbs.add(key >> timestamp_limb_bits);
            if (i + 1 < rows.size()) {
                const std::uint32_t gap = key_of(rows[i + 1].space, rows[i + 1].address) - key - 1;
                row[next_real] = F::one();
                row[gap_lo] = F::from_u64(gap & mask);
                row[gap_hi] = F::from_u64(gap >> timestamp_limb_bits);
                limbs.add(gap & mask);
                limbs.add(gap >> timestamp_limb_bits);
            }
            row[Col::from_image] = F::from_u64(r.from_image ? 1 : 0);
            put_bytes(row, initial, r.initial);
            put_bytes(row, final_value, r.final_value);
            row[Col::final_ts] = F::from_u64(r.final_ts);
        }
        return t;
    }

private:
    SystemBuses buses_;
    air::LookupBus limbs_;
};

// --- connector ------------------------------------------------------------------------------

// Public values of a VM proof, in this order.
struct PublicLayout {
    static constexpr std::size_t entry_pc = 0, final_pc = 1, terminated = 2, exit_lo = 3, exit_hi = 4, published = 5;
    // Published value k: its low and high 16 bits at published + 2k, published + 2k + 1.
    // With a deferred-hash table of `deferred` entries (deferred > 0), then: the number of
    // deferred requests, and entry k's 8 digest elements (zero for unused entries).
    static constexpr std::size_t deferred_count(std::size_t slots) noexcept { return published + 2 * slots; }
    static constexpr std::size_t digest(std::size_t slots, std::size_t k, std::size_t j) noexcept {
        return deferred_count(slots) + 1 + 8 * k + j;
    }
    static constexpr std::size_t count(std::size_t slots, std::size_t deferred = 0) noexcept {
        return published + 2 * slots + (deferred > 0 ? 1 + 8 * deferred : 0);
    }
};

class ConnectorAir {
public:
    enum Col : std::size_t { real, final_ts, code, slots = code + 4 };
    static constexpr std::size_t slot_width = 5;  // 4 bytes, last timestamp

    // With deferred > 0 it is also the boundary of address space 4 (the deferred-hash
    // counter, stored as (count, 0, 0, 0)) and the deferred-hash table: entry k (k < count,
    // used_k = 1, a prefix of the entries) receives (k, digest) on the deferred bus once.
    // The counter's chain of accesses goes from 0 to the stated count one increment per
    // request (the hash chip reads h and writes h + 1), so the handles are 0..count-1, each
    // once, and each entry's digest is the one its request's chip sent.
    ConnectorAir(SystemBuses buses, std::size_t public_slots, std::size_t deferred = 0)
        : buses_(buses), slots_(public_slots), deferred_(deferred) {}
    [[nodiscard]] std::size_t deferred_column() const noexcept { return slots + slot_width * slots_; }
    [[nodiscard]] std::size_t width() const noexcept {
        return deferred_column() + (deferred_ > 0 ? 2 + 9 * deferred_ : 0);
    }
    [[nodiscard]] std::size_t num_public_values() const noexcept { return PublicLayout::count(slots_, deferred_); }
    [[nodiscard]] static std::string name() { return "connector"; }
    [[nodiscard]] std::size_t public_slots() const noexcept { return slots_; }

    template <class AB>
    void eval(AB& b) const {
        using E = typename AB::Expr;
        using F = typename AB::F;
        using L = PublicLayout;
        const auto m = b.main();
        const auto c = [&](std::size_t i) { return E(m.local(i)); };
        const E one = b.constant(F::one()), zero = b.constant(F::zero());
        const E byte = b.constant(F::from_u64(256));
        const E terminated = b.public_value(L::terminated);
        b.when_first_row().assert_eq(c(real), one);
        b.when_transition().assert_zero(E(m.next(real)));
        b.assert_bool(terminated);
        buses_.execution.send(b, {b.public_value(L::entry_pc), one}, c(real));
        buses_.execution.receive(b, {b.public_value(L::final_pc), c(final_ts)}, c(real) * (one - terminated));
        buses_.termination.receive(b, {b.public_value(L::final_pc), c(final_ts), c(code), c(code + 1), c(code + 2), c(code + 3)},
                                   c(real) * terminated);
        b.when_first_row().assert_eq(c(code) + byte * c(code + 1), b.public_value(L::exit_lo));
        b.when_first_row().assert_eq(c(code + 2) + byte * c(code + 3), b.public_value(L::exit_hi));
        for (std::size_t k = 0; k < slots_; ++k) {
            const std::size_t s = slots + slot_width * k;
            const E space = b.constant(F::from_u64(static_cast<std::uint64_t>(AddressSpace::public_values)));
            const E address = b.constant(F::from_u64(4 * k));
            const std::array<E, 7> first{space, address, zero, zero, zero, zero, zero};
            const std::array<E, 7> last{space, address, c(s), c(s + 1), c(s + 2), c(s + 3), c(s + 4)};
            b.send(buses_.memory.id, std::span<const E>(first), c(real));
            b.receive(buses_.memory.id, std::span<const E>(last), c(real));
            b.when_first_row().assert_eq(c(s) + byte * c(s + 1), b.public_value(L::published + 2 * k));
            b.when_first_row().assert_eq(c(s + 2) + byte * c(s + 3), b.public_value(L::published + 2 * k + 1));
        }
        if (deferred_ == 0) return;
        const std::size_t dc = deferred_column();
        const E space = b.constant(F::from_u64(static_cast<std::uint64_t>(AddressSpace::deferred)));
        const std::array<E, 7> first{space, zero, zero, zero, zero, zero, zero};
        const std::array<E, 7> last{space, zero, c(dc), zero, zero, zero, c(dc + 1)};
        b.send(buses_.memory.id, std::span<const E>(first), c(real));
        b.receive(buses_.memory.id, std::span<const E>(last), c(real));
        b.when_first_row().assert_eq(c(dc), b.public_value(L::deferred_count(slots_)));
        E used = zero, previous = one;
        for (std::size_t k = 0; k < deferred_; ++k) {
            const std::size_t e = dc + 2 + 9 * k;
            const E u = c(e);
            b.assert_bool(u);
            b.assert_zero(u * (one - previous));
            used = used + u;
            previous = u;
            std::array<E, 9> message{b.constant(F::from_u64(k))};
            for (std::size_t j = 0; j < 8; ++j) {
                message[1 + j] = c(e + 1 + j);
                b.assert_zero((one - u) * c(e + 1 + j));
                b.when_first_row().assert_eq(c(e + 1 + j), b.public_value(L::digest(slots_, k, j)));
            }
            b.receive(buses_.deferred.id, std::span<const E>(message), u * c(real));
        }
        b.when_first_row().assert_eq(used, c(dc));
    }

    // Two rows: the first holds the final timestamp, the exit code's bytes and every
    // public-value slot's final bytes and timestamp.
    template <class F>
    [[nodiscard]] field::RowMajorMatrix<F> trace(std::uint32_t final_timestamp, std::uint32_t exit_code,
                                                 const std::vector<std::uint32_t>& values,
                                                 const std::vector<BoundaryEntry>& boundary,
                                                 std::span<const HashDigest> deferred_digests = {}) const {
        auto t = field::zero_matrix<F>(2, width());
        F* row = t.data();
        row[real] = F::one();
        row[Col::final_ts] = F::from_u64(final_timestamp);
        put_bytes(row, code, exit_code);
        for (std::size_t k = 0; k < slots_ && k < values.size(); ++k) put_bytes(row, slots + slot_width * k, values[k]);
        for (const auto& e : boundary)
            if (e.space == AddressSpace::public_values && e.address / 4 < slots_)
                row[slots + slot_width * (e.address / 4) + 4] = F::from_u64(e.final_timestamp);
        if (deferred_ > 0) {
            const std::size_t dc = deferred_column();
            for (const auto& e : boundary)
                if (e.space == AddressSpace::deferred) {
                    row[dc] = F::from_u64(e.final_value);
                    row[dc + 1] = F::from_u64(e.final_timestamp);
                }
            for (std::size_t k = 0; k < deferred_ && k < deferred_digests.size(); ++k) {
                row[dc + 2 + 9 * k] = F::one();
                for (std::size_t j = 0; j < 8; ++j) row[dc + 3 + 9 * k + j] = F::from_u64(deferred_digests[k][j]);
            }
        }
        return t;
    }

private:
    SystemBuses buses_;
    std::size_t slots_;
    std::size_t deferred_;
};

// --- the system chip: terminate (exit with the code in operand a), nop --------------------
//
// terminate sends (pc, ts, code bytes) on the termination bus like RV32IM's exit, the code
// being operand a: sum c_i 256^i = a with range-checked bytes and c < p byte-wise (so c is
// a's canonical value, the one the executor exits with). nop passes (pc + 4, ts) on.
class SystemAir {
public:
    enum Col : std::size_t { is_terminate = 0, is_nop, pc, ts, a, code, d = code + 4, borrow = d + 4, width_ = borrow + 4 };
    SystemAir(SystemBuses buses, air::LookupBus bytes) : buses_(buses), bytes_(bytes) {}
    [[nodiscard]] static std::size_t width() noexcept { return width_; }
    [[nodiscard]] static std::string name() { return "system"; }

    template <class AB>
    void eval(AB& b) const {
        using E = typename AB::Expr;
        namespace g = gadgets;
        const auto m = b.main();
        const auto col = [&](std::size_t i) { return E(m.local(i)); };
        const E zero = g::constant(b, 0), one = g::constant(b, 1);
        const E term = col(is_terminate), nop = col(is_nop), real = term + nop;
        b.assert_bool(term);
        b.assert_bool(nop);
        b.assert_bool(real);
        const E opcode = term * g::constant(b, System::opcode_offset + System::terminate) +
                         nop * g::constant(b, System::opcode_offset + System::nop);
        const std::array<E, 9> key{col(pc), opcode, term * col(a), zero, zero, zero, zero, zero, zero};
        b.send(buses_.program.id, std::span<const E>(key), real);
        buses_.execution.receive(b, {col(pc), col(ts)}, real);
        buses_.execution.send(b, {col(pc) + g::constant(b, 4), col(ts)}, nop);
        const auto cs = g::bytes_at(b, m, code);
        buses_.termination.send(b, {col(pc), col(ts), cs[0], cs[1], cs[2], cs[3]}, term);
        b.assert_zero(term * (cs[0] + g::constant(b, 256) * cs[1] + g::constant(b, 65536) * cs[2] +
                              g::constant(b, 1u << 24) * cs[3] - col(a)));
        for (std::size_t i = 0; i < 4; ++i) bytes_.lookup_key(b, {cs[i]}, term);
        using F = typename AB::F;
        const std::uint64_t p = F::modulus > 0xffffffffu ? 0xffffffffu : F::modulus;  // a 64-bit field: any u32 is canonical
        const std::array<E, 4> pb{g::constant(b, p & 0xff), g::constant(b, (p >> 8) & 0xff), g::constant(b, (p >> 16) & 0xff),
                                  g::constant(b, (p >> 24) & 0xff)};
        const E below = g::eval_less_than(b, bytes_, cs, pb, g::cols4<AB>(m, d), g::cols4<AB>(m, borrow), term);
        if constexpr (F::modulus <= 0xffffffffu) b.assert_zero(term * (one - below));
    }

    template <class F>
    void fill(F* row, const InstructionRecord& r, const Instruction<F>& in, air::RangeCheckCounts& bytes) const {
        row[pc] = F::from_u64(r.pc);
        row[ts] = F::from_u64(r.timestamp);
        if (in.opcode == System::opcode_offset + System::nop) {
            row[is_nop] = F::one();
            return;
        }
        row[is_terminate] = F::one();
        row[a] = in.operands[0];
        const auto code_value = static_cast<std::uint32_t>(in.operands[0].to_u64());
        put_bytes(row, code, code_value);
        for (std::size_t i = 0; i < 4; ++i) bytes.add(gadgets::byte_of(code_value, i));
        const std::uint64_t p = F::modulus > 0xffffffffu ? 0xffffffffu : F::modulus;
        gadgets::put_less_than(row, d, borrow, code_value, static_cast<std::uint32_t>(p), bytes);
    }

private:
    SystemBuses buses_;
    air::LookupBus bytes_;
};

template <class SC>
void System::extend_circuit(CircuitInventory<SC>& inv) const {
    inv.add_chip(SystemAir(inv.buses(), inv.range_checker(8)), 0);
}
template <class SC>
field::RowMajorMatrix<typename SC::Field> System::generate_trace(std::uint32_t, const RecordArena& records,
                                                                 TraceInventory<SC>& inv) const {
    using F = typename SC::Field;
    const SystemAir air(SystemBuses{}, air::LookupBus{0});
    auto t = field::zero_matrix<F>(trace_rows(records.size()), SystemAir::width());
    for (std::size_t i = 0; i < records.size(); ++i) {
        const InstructionRecord r = records[i];
        air.fill(t.data() + i * SystemAir::width(), r, inv.instruction(r.pc), inv.range_checker(8));
    }
    return t;
}

}  // namespace causality::vm
