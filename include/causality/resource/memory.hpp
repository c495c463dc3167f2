// causality/resource/memory.hpp — resource-mapped memory: segments of guest memory with
// access rights (document 002's MemoryInterface: allocate with rights, free, read, write).
//
// The host allocates segments in a region of guest memory (by default the 16 MiB above the
// guest kit's stack, 0x01000000..0x02000000) and hands their addresses to the guest. Once
// a register file has a segment, every resource operation's buffer must lie inside one
// segment that grants what the operation does with it: rcreate, rconsume and rtransfer
// read their buffer (read right), rread writes it (write right); otherwise the run faults
// with Fault::memory_access_violation naming the operation, the address and the right. The
// host's own reads and writes through the interface are checked the same way
// (VmError(memory_access_violation)). Ordinary loads and stores of the guest are not
// restricted: segments govern what resource operations may touch.
#pragma once

#include <causality/error.hpp>
#include <causality/resource/errors.hpp>
#include <causality/vm/format.hpp>

#include <cstdint>
#include <map>
#include <string>

namespace causality::resource {

namespace MemoryRight {
inline constexpr std::uint32_t read = 1, write = 2, read_write = 3;
}
inline std::string memory_rights_text(std::uint32_t r) {
    if (r == 0) return "none";
    std::string s;
    if (r & MemoryRight::read) s += "read";
    if (r & MemoryRight::write) s += s.empty() ? "write" : "+write";
    return s;
}

struct MemorySegment {
    std::uint32_t address = 0, size = 0, rights = 0;
    [[nodiscard]] bool contains(std::uint32_t a, std::uint32_t n) const noexcept {
        return a >= address && n <= size && a - address <= size - n;
    }
    friend bool operator==(const MemorySegment&, const MemorySegment&) = default;
};

class MemorySegments {
public:
    static constexpr std::uint32_t default_base = 0x01000000, default_size = 0x01000000, alignment = 16;

    MemorySegments() = default;
    MemorySegments(std::uint32_t base, std::uint32_t size) : base_(base), size_(size) {
        if (base % alignment != 0 || size == 0 || std::uint64_t{base} + size > (std::uint64_t{1} << 32))
            throw Error(ErrorCode::invalid_argument, "resource memory: the region " + vm::hex32(base) + "+" +
                                                         std::to_string(size) + " is not 16-byte aligned inside 2^32");
    }
    [[nodiscard]] std::uint32_t base() const noexcept { return base_; }
    [[nodiscard]] std::uint32_t region_size() const noexcept { return size_; }
    [[nodiscard]] bool enforced() const noexcept { return !segments_.empty(); }
    [[nodiscard]] const std::map<std::uint32_t, MemorySegment>& segments() const noexcept { return segments_; }

    // A segment of `size` bytes (rounded up to 16) with `rights` at the lowest free address
    // of the region (first fit); VmError(out_of_memory) when none is large enough.
    std::uint32_t allocate(std::uint32_t size, std::uint32_t rights) {
        if (size == 0 || rights == 0 || (rights & ~MemoryRight::read_write) != 0)
            throw VmError(VmErrorKind::memory_access_violation, "allocate of " + std::to_string(size) + " bytes with rights " +
                                                                    std::to_string(rights) + " (need a size and read/write)");
        const std::uint64_t need = (std::uint64_t{size} + alignment - 1) / alignment * alignment;
        std::uint64_t at = base_;
        for (const auto& [a, s] : segments_) {
            if (a - at >= need) break;
            at = std::uint64_t{a} + (std::uint64_t{s.size} + alignment - 1) / alignment * alignment;
        }
        if (at + need > std::uint64_t{base_} + size_)
            throw VmError(VmErrorKind::out_of_memory, "no free " + std::to_string(need) + " bytes in the region " +
                                                          vm::hex32(base_) + "+" + std::to_string(size_) + " (" +
                                                          std::to_string(segments_.size()) + " segments)");
        const auto address = static_cast<std::uint32_t>(at);
        segments_.emplace(address, MemorySegment{address, size, rights});
        return address;
    }
    void free(std::uint32_t address) {
        if (segments_.erase(address) == 0)
            throw VmError(VmErrorKind::unknown_segment, "free of " + vm::hex32(address) + ", which is not a segment's start");
    }
    // The segment holding [address, address + n), or nullptr.
    [[nodiscard]] const MemorySegment* find(std::uint32_t address, std::uint32_t n) const noexcept {
        auto it = segments_.upper_bound(address);
        if (it == segments_.begin()) return nullptr;
        --it;
        return it->second.contains(address, n) ? &it->second : nullptr;
    }
    // Empty when [address, address + n) may be accessed with `right`, else why not.
    [[nodiscard]] std::string problem(std::uint32_t address, std::uint32_t n, std::uint32_t right) const {
        const MemorySegment* s = find(address, n);
        if (s == nullptr) return vm::hex32(address) + "+" + std::to_string(n) + " is in no resource memory segment";
        if ((s->rights & right) != right)
            return vm::hex32(address) + "+" + std::to_string(n) + " is in the segment at " + vm::hex32(s->address) +
                   " with rights " + memory_rights_text(s->rights) + ", not " + memory_rights_text(right);
        return {};
    }
    void check(std::uint32_t address, std::uint32_t n, std::uint32_t right) const {
        if (auto p = problem(address, n, right); !p.empty()) throw VmError(VmErrorKind::memory_access_violation, p);
    }

    friend bool operator==(const MemorySegments&, const MemorySegments&) = default;

private:
    std::uint32_t base_ = default_base, size_ = default_size;
    std::map<std::uint32_t, MemorySegment> segments_;
};

}  // namespace causality::resource
