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
// what the previous one wrote. T > prev_ts holds because both are below 2^29 (prev_ts is
// 0 or a timestamp some access sent; execution timestamps start at 1 and stay below
// max_timestamp < 2^28) and lo + 2^14 hi < 2^28: were T <= prev_ts, T - prev_ts - 1 would
// be p - k with 1 <= k <= 2^29 + 1, above 2^28 for every supported modulus (p > 2^30).
//
// Values are four bytes. A chip that writes a value range-checks its bytes (or derives
// them from bytes it read); values read are bytes by induction, since the boundary starts
// every address with bytes (zero, or the executable's image, which the verifier fixes).
#pragma once

#include <causality/air/air.hpp>
#include <causality/air/periphery.hpp>
#include <causality/vm/inventory.hpp>
#include <causality/vm/records.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace causality::vm {

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

// Rows of a chip's trace for n records: a power of two, at least 2 (a chip with no rows
// still has a trace, of zero rows that satisfy its constraints).
inline std::size_t trace_rows(std::size_t n) {
    std::size_t h = 2;
    while (h < n) h <<= 1;
    return h;
}

}  // namespace causality::vm
