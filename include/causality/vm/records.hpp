// causality/vm/records.hpp — what a preflight run leaves for trace generation: one record
// arena per chip, and the memory boundary.
//
// Timestamps: every register, memory and public-value access of a preflight run takes the
// next timestamp, starting at 1; an instruction's record holds the timestamp of its first
// access, so the next instruction starts at timestamp + accesses.size(). A write to x0
// takes its timestamp too but is no access (its record says AddressSpace::none and the
// register keeps 0): each opcode then advances the timestamp by a fixed amount, which is
// what a chip's execution-bus constraint states. Timestamps stay below 2^28 (a longer run
// faults with timestamp_overflow; continuations will split such runs), so that the memory
// argument's ts - prev_ts - 1 fits two range-checked 14-bit limbs (bridge.hpp), far below
// any 31-bit modulus.
//
// Main memory is recorded per aligned word: a byte or halfword access records its word's
// value before and after.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace causality::vm {

// deferred: one word, the number of deferred hash requests so far (hash_pool.hpp); its
// boundary is the connector, which makes the final count public. resources: one word per
// resource register, its state (0 empty, 1 input, 2 created, 3 consumed; resource/
// registers.hpp), at address 4 * register; its boundary is the resource_slot chip
// (vm/resource/chips.hpp), which starts each touched register at 0 or 1.
enum class AddressSpace : std::uint8_t { none = 0, registers = 1, memory = 2, public_values = 3, deferred = 4, resources = 5 };

constexpr std::string_view to_string(AddressSpace s) noexcept {
    switch (s) {
        case AddressSpace::none: return "none";
        case AddressSpace::registers: return "registers";
        case AddressSpace::memory: return "memory";
        case AddressSpace::public_values: return "public values";
        case AddressSpace::deferred: return "deferred";
        case AddressSpace::resources: return "resources";
    }
    return "?";
}

// The largest timestamp a preflight run may reach.
inline constexpr std::uint32_t max_timestamp = (std::uint32_t{1} << 28) - 1;

// One access: registers at address 4 * index, main memory at its aligned word, public
// values at 4 * index. `previous_timestamp` is 0 when the address was untouched (its
// initial value: the executable's image in main memory, zero elsewhere).
struct AccessRecord {
    std::uint32_t address = 0;
    std::uint32_t value = 0;           // after the access (the same as before for a read)
    std::uint32_t previous_value = 0;  // before it
    std::uint32_t previous_timestamp = 0;
    AddressSpace space = AddressSpace::none;
    friend bool operator==(const AccessRecord&, const AccessRecord&) = default;
};

// One executed instruction as its chip's trace filler sees it.
struct InstructionRecord {
    std::uint32_t pc = 0;
    std::uint32_t next_pc = 0;
    std::uint32_t timestamp = 0;  // of its first access
    std::span<const AccessRecord> accesses;
    [[nodiscard]] std::uint32_t next_timestamp() const noexcept {
        return timestamp + static_cast<std::uint32_t>(accesses.size());
    }
};

// The records of one chip, in execution order: 16 bytes per instruction and 20 per access,
// in two flat arrays (random access, so trace filling can run in parallel).
class RecordArena {
public:
    [[nodiscard]] std::size_t size() const noexcept { return headers_.size(); }
    [[nodiscard]] bool empty() const noexcept { return headers_.empty(); }
    [[nodiscard]] InstructionRecord operator[](std::size_t i) const {
        const Header& h = headers_[i];
        const std::size_t end = i + 1 < headers_.size() ? headers_[i + 1].first_access : accesses_.size();
        return {h.pc, h.next_pc, h.timestamp, std::span<const AccessRecord>(accesses_).subspan(h.first_access, end - h.first_access)};
    }
    [[nodiscard]] std::size_t access_count() const noexcept { return accesses_.size(); }
    [[nodiscard]] std::size_t bytes() const noexcept {
        return headers_.size() * sizeof(Header) + accesses_.size() * sizeof(AccessRecord);
    }

    // Appends a whole record (tests build arenas by hand with it).
    void append(std::uint32_t pc, std::uint32_t next_pc, std::uint32_t timestamp, std::span<const AccessRecord> accesses) {
        begin(pc, timestamp);
        accesses_.insert(accesses_.end(), accesses.begin(), accesses.end());
        end(next_pc);
    }

    // --- for the execution context --------------------------------------------------------
    void begin(std::uint32_t pc, std::uint32_t timestamp) {
        headers_.push_back({pc, 0, timestamp, static_cast<std::uint32_t>(accesses_.size())});
    }
    void add(const AccessRecord& a) { accesses_.push_back(a); }
    void end(std::uint32_t next_pc) noexcept { headers_.back().next_pc = next_pc; }

private:
    struct Header {
        std::uint32_t pc, next_pc, timestamp, first_access;  // first_access < 2^28 (the timestamp bound)
    };
    std::vector<Header> headers_;
    std::vector<AccessRecord> accesses_;
};

// Every address a run touched: its value before the run (`initial`), after it, and the
// timestamp of its last access. Sorted by (space, address); each address once. The
// boundary chip sends the initial values and receives the final ones.
struct BoundaryEntry {
    AddressSpace space = AddressSpace::none;
    std::uint32_t address = 0;
    std::uint32_t initial = 0, final_value = 0, final_timestamp = 0;
    friend bool operator==(const BoundaryEntry&, const BoundaryEntry&) = default;
};

}  // namespace causality::vm
