// causality/vm/bridge.hpp — how an instruction chip speaks to the system buses: the
// program lookup, the execution bus, and memory accesses (offline memory checking).
//
// A memory access at timestamp T of (space, address) whose value goes from `before` to
// `after` (the same for a read) receives (space, address, before, prev_ts) and sends
// (space, address, after, T) on the memory bus, and proves T > prev_ts by writing
// T - prev_ts - 1 = lo + 2^14 hi with lo and hi looked up in the shared 14-bit range
// checker. Three columns per access (prev_ts, lo, hi) plus the bytes of `before` for a
// write; the bytes of `after` are the chip's own columns.
//
// Why this is sound (the offline memory-checking argument): every address starts with one
// send (the boundary chip: its initial value at timestamp 0) and ends with one receive
// (its final value and last timestamp). Each access consumes one message of its address
// and produces one with a strictly larger timestamp, so the accesses of an address form
// one chain from the boundary's send to its receive, in timestamp order, and each reads
// what the previous one wrote. T > prev_ts holds because both are below 2^30 and lo +
// 2^14 hi < 2^28: were T <= prev_ts, T - prev_ts - 1 would be p - k with 1 <= k <= 2^30,
// at least p - 2^30 > 2^28 for every supported modulus (p > 2^30 + 2^28). Why below 2^30:
// prev_ts is 0 or a timestamp some access sent, and every timestamp is the execution
// chain's (starting at 1, each row advancing it by at most its chip's step) plus an offset
// below that step, so none exceeds the sum over chips of height x step, which the verifier
// requires below 2^30 from the proof's heights (VmCircuit::timestamp_bound_problem; an
// honest run of fewer than 2^28 accesses stays below it).
//
// Values are four bytes. A chip that writes a value range-checks its bytes (or derives
// them from bytes it read); values read are bytes by induction, since the boundary starts
// every address with bytes (zero, or the executable's image, which the verifier fixes).
#pragma once

#include <causality/air/air.hpp>
#include <causality/air/periphery.hpp>
#include <causality/vm/buses.hpp>
#include <causality/vm/program.hpp>
#include <causality/vm/records.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace causality::vm {

template <class SC>
class CircuitInventory;

// Columns of one access: previous timestamp and the two limbs of T - prev_ts - 1.
struct AccessColumns {
    std::size_t prev_ts;  // lo = prev_ts + 1, hi = prev_ts + 2
    static constexpr std::size_t width = 3;
};

// The buses a chip needs (from the inventory).
struct ChipBuses {
    SystemBuses system;
    air::LookupBus timestamps;  // the 14-bit range checker
    template <class SC>
    static ChipBuses from(CircuitInventory<SC>& inv) {
        return {inv.buses(), inv.range_checker(timestamp_limb_bits)};
    }

    // (pc, opcode, a..g) looked up in the program table `count` times.
    template <class AB, class E>
    void program(AB& b, const E& pc, const E& opcode, const std::array<E, 7>& operands, const E& count) const {
        const std::array<E, 9> m{pc, opcode, operands[0], operands[1], operands[2], operands[3],
                                 operands[4], operands[5], operands[6]};
        b.send(system.program.id, std::span<const E>(m), count);
    }
    // Receives the from-state, sends the to-state.
    template <class AB, class E>
    void execute(AB& b, const E& pc, const E& ts, const E& next_pc, const E& next_ts, const E& count) const {
        system.execution.receive(b, {pc, ts}, count);
        system.execution.send(b, {next_pc, next_ts}, count);
    }
    // One access (see the header comment); `before` == `after` for a read.
    template <class AB, class E, class Row>
    void access(AB& b, const Row& row, AccessColumns cols, const E& space, const E& address,
                const std::array<E, 4>& before, const std::array<E, 4>& after, const E& ts, const E& count) const {
        using F = typename AB::F;
        const E prev_ts = row.local(cols.prev_ts), lo = row.local(cols.prev_ts + 1), hi = row.local(cols.prev_ts + 2);
        const std::array<E, 7> old{space, address, before[0], before[1], before[2], before[3], prev_ts};
        const std::array<E, 7> now{space, address, after[0], after[1], after[2], after[3], ts};
        b.receive(system.memory.id, std::span<const E>(old), count);
        b.send(system.memory.id, std::span<const E>(now), count);
        timestamps.lookup_key(b, {lo}, count);
        timestamps.lookup_key(b, {hi}, count);
        b.assert_zero(count * (ts - prev_ts - b.constant(F::one()) - lo - b.constant(F::from_u64(1u << timestamp_limb_bits)) * hi));
    }
};

// --- trace filling -------------------------------------------------------------------------

// The 4 bytes of v at row[col..col+4).
template <class F>
void put_bytes(F* row, std::size_t col, std::uint32_t v) {
    for (std::size_t k = 0; k < 4; ++k) row[col + k] = F::from_u64((v >> (8 * k)) & 0xffu);
}

// An access's columns (its timestamp is ts); the limbs go to the range checker. An access
// record of space none (a skipped x0 write) leaves the columns zero.
template <class F>
void put_access(F* row, AccessColumns cols, const AccessRecord& a, std::uint32_t ts, air::RangeCheckCounts& range) {
    if (a.space == AddressSpace::none) return;
    const std::uint32_t d = ts - a.previous_timestamp - 1;
    row[cols.prev_ts] = F::from_u64(a.previous_timestamp);
    row[cols.prev_ts + 1] = F::from_u64(d & ((1u << timestamp_limb_bits) - 1));
    row[cols.prev_ts + 2] = F::from_u64(d >> timestamp_limb_bits);
    range.add(d & ((1u << timestamp_limb_bits) - 1));
    range.add(d >> timestamp_limb_bits);
}

// A register operand read: the value's 4 bytes at row[bytes_col..+4) and the access's
// columns. A pointer operand also range-checks 8 * its top byte (the bytes table then
// holds it below 2^5: the pointer is below 2^29).
template <class F>
void put_read(F* row, std::size_t bytes_col, AccessColumns cols, const AccessRecord& a, std::uint32_t ts,
              air::RangeCheckCounts& limbs) {
    put_bytes(row, bytes_col, a.value);
    put_access(row, cols, a, ts, limbs);
}
template <class F>
void put_pointer_read(F* row, std::size_t bytes_col, AccessColumns cols, const AccessRecord& a, std::uint32_t ts,
                      air::RangeCheckCounts& limbs, air::RangeCheckCounts& bytes) {
    put_read(row, bytes_col, cols, a, ts, limbs);
    bytes.add(8 * ((a.value >> 24) & 0xffu));
}

// Rows of a chip's trace for n records: a power of two, at least 2 (a chip with no rows
// still has a trace, of zero rows that satisfy its constraints).
inline std::size_t trace_rows(std::size_t n) {
    std::size_t h = 2;
    while (h < n) h <<= 1;
    return h;
}

// --- gadgets: byte-level building blocks of chips (RV32IM's and yours) --------------------
namespace gadgets {
template <class AB>
std::array<typename AB::Expr, 4> bytes_at(const AB&, const auto& m, std::size_t col) {
    using E = typename AB::Expr;
    return {E(m.local(col)), E(m.local(col + 1)), E(m.local(col + 2)), E(m.local(col + 3))};
}
template <class AB>
typename AB::Expr constant(AB& b, std::uint64_t v) {
    return b.constant(AB::F::from_u64(v));
}
// The register access's address expression (registers are words 0..31).
template <class AB>
typename AB::Expr reg_address(AB& b, const typename AB::Expr& index) {
    return constant(b, 4) * index;
}
// byte = 128 sign + low with sign boolean and low < 128 (low and 2 low range-checked):
// sign is byte's top bit. Enforced where count is nonzero.
template <class AB, class E>
void eval_sign(AB& b, air::LookupBus bytes, const E& byte, const E& sign, const E& low, const E& count) {
    b.assert_bool(sign);
    b.assert_zero(count * (byte - constant(b, 128) * sign - low));
    bytes.lookup_key(b, {low}, count);
    bytes.lookup_key(b, {constant(b, 2) * low}, count);
}
template <class F>
void put_sign(F* row, std::size_t sign_col, std::size_t low_col, std::uint32_t byte, air::RangeCheckCounts& bytes) {
    row[sign_col] = F::from_u64(byte >> 7);
    row[low_col] = F::from_u64(byte & 0x7f);
    bytes.add(byte & 0x7f);
    bytes.add(2 * (byte & 0x7f));
}
// a + b = s + 2^32 carry_3 byte-wise: a_i + b_i + c_(i-1) = s_i + 256 c_i, c_i boolean,
// asserted where `when` is nonzero (s range-checked by the caller).
template <class AB, class E>
void eval_add(AB& b, const std::array<E, 4>& a, const std::array<E, 4>& x, const std::array<E, 4>& s,
              const std::array<E, 4>& carry, const E& when) {
    E c = constant(b, 0);
    for (std::size_t i = 0; i < 4; ++i) {
        b.assert_bool(carry[i]);
        b.assert_zero(when * (a[i] + x[i] + c - s[i] - constant(b, 256) * carry[i]));
        c = carry[i];
    }
}
// The carries of a + b byte-wise.
template <class F>
void put_add_carries(F* row, std::size_t carry_col, std::uint32_t a, std::uint32_t x) {
    std::uint32_t c = 0;
    for (std::size_t i = 0; i < 4; ++i) {
        c = (((a >> (8 * i)) & 0xff) + ((x >> (8 * i)) & 0xff) + c) >> 8;
        row[carry_col + i] = F::from_u64(c);
    }
}
// An immediate's bytes: y0 + 256 y1 - 65536 sign = c, y2 = y3 = 255 sign, y0 and y1
// range-checked bytes (count), sign boolean: the sign-extended 12-bit immediate.
template <class AB, class E>
std::array<E, 4> eval_immediate(AB& b, air::LookupBus bytes, const E& y0, const E& y1, const E& sign, const E& c,
                                const E& count) {
    b.assert_bool(sign);
    b.assert_zero(count * (y0 + constant(b, 256) * y1 - constant(b, 65536) * sign - c));
    bytes.lookup_key(b, {y0}, count);
    bytes.lookup_key(b, {y1}, count);
    return {y0, y1, constant(b, 255) * sign, constant(b, 255) * sign};
}
template <class F>
std::uint32_t put_immediate(F* row, std::size_t y0_col, std::size_t y1_col, std::size_t sign_col, const F& operand,
                            air::RangeCheckCounts& bytes) {
    const auto v = static_cast<std::uint32_t>(to_signed(operand));
    row[y0_col] = F::from_u64(v & 0xff);
    row[y1_col] = F::from_u64((v >> 8) & 0xff);
    row[sign_col] = F::from_u64(v >> 31);
    bytes.add(v & 0xff);
    bytes.add((v >> 8) & 0xff);
    return v;
}
// Unsigned a < b over 4 bytes: a_i - b_i - w_(i-1) = d_i - 256 w_i with d range-checked
// bytes and w boolean borrows; a < b exactly when w_3 = 1. Asserted where `when` is nonzero.
template <class AB, class E>
E eval_less_than(AB& b, air::LookupBus bytes, const std::array<E, 4>& a, const std::array<E, 4>& x,
                 const std::array<E, 4>& d, const std::array<E, 4>& borrow, const E& when) {
    E w = constant(b, 0);
    for (std::size_t i = 0; i < 4; ++i) {
        b.assert_bool(borrow[i]);
        b.assert_zero(when * (a[i] - x[i] - w - d[i] + constant(b, 256) * borrow[i]));
        bytes.lookup_key(b, {d[i]}, when);
        w = borrow[i];
    }
    return borrow[3];
}
template <class F>
bool put_less_than(F* row, std::size_t d_col, std::size_t borrow_col, std::uint32_t a, std::uint32_t x,
                   air::RangeCheckCounts& bytes) {
    std::uint32_t w = 0;
    for (std::size_t i = 0; i < 4; ++i) {
        const int ai = static_cast<int>((a >> (8 * i)) & 0xff), xi = static_cast<int>((x >> (8 * i)) & 0xff);
        int d = ai - xi - static_cast<int>(w);
        w = d < 0 ? 1 : 0;
        d += 256 * static_cast<int>(w);
        row[d_col + i] = F::from_u64(static_cast<std::uint64_t>(d));
        row[borrow_col + i] = F::from_u64(w);
        bytes.add(static_cast<std::uint64_t>(d));
    }
    return w == 1;
}
template <class AB>
std::array<typename AB::Expr, 4> cols4(const auto& m, std::size_t col) {
    using E = typename AB::Expr;
    return {E(m.local(col)), E(m.local(col + 1)), E(m.local(col + 2)), E(m.local(col + 3))};
}
[[nodiscard]] inline std::uint32_t byte_of(std::uint32_t v, std::size_t i) { return (v >> (8 * i)) & 0xffu; }
}  // namespace gadgets

}  // namespace causality::vm
