// causality/vm/buses.hpp — the system buses every VM proof has, and the width of the
// timestamp limbs the memory argument range-checks (see bridge.hpp, system_chips.hpp).
#pragma once

#include <causality/air/air.hpp>

namespace causality::vm {

// Buses every VM's chips speak on (ids 0 to 5; see system_chips.hpp for who sends what).
struct SystemBuses {
    air::PermutationBus execution{0};    // (pc, timestamp): each instruction row receives its from-state and sends its to-state
    air::PermutationBus memory{1};       // (address space, address, 4 value bytes, timestamp)
    air::LookupBus program{2};           // (pc, opcode, a..g): the program table, executions as multiplicities
    air::PermutationBus termination{3};  // (pc, timestamp, 4 exit-code bytes): the exit instruction to the connector
    air::PermutationBus image{4};        // (address, 4 bytes): the executable's initial memory to the boundary
    air::PermutationBus deferred{5};     // (handle, 8 digest elements): a deferred hash's digest to the connector's public table
    static constexpr air::BusId count = 6;
};

// Memory accesses split timestamp differences into limbs of this many bits (bridge.hpp);
// every circuit has this range checker, created first.
inline constexpr unsigned timestamp_limb_bits = 14;

}  // namespace causality::vm
