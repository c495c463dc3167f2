// causality/resource/registers.hpp — the resource register file of one VM run, and the
// execution context its operations are checked against (document 003's ExecutionContext).
//
// A register holds at most one resource and goes through a lifecycle:
//     empty --create--> live (created) ;  input --consume--> consumed
// An input register is loaded by the host before the run with a resource of the input
// set and the Merkle path of its commitment (the path is a witness: the VM checks it when
// the resource is read or consumed, against the context's input root). A register is
// consumed at most once: a second consume is a fault naming the register and the pc of
// the first. A resource created in this run is an output: it is published as a
// commitment and can be consumed by a later run (whose input set holds it), not by this
// one. Sections are named, disjoint ranges of registers (document 001's MemoryManager
// sections); a capability can target a section.
#pragma once

#include <causality/error.hpp>
#include <causality/resource/capability.hpp>
#include <causality/resource/memory.hpp>
#include <causality/resource/merkle.hpp>
#include <causality/resource/resource.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace causality::resource {

enum class RegisterState : std::uint8_t { empty = 0, input = 1, created = 2, consumed = 3 };

constexpr std::string_view to_string(RegisterState s) noexcept {
    switch (s) {
        case RegisterState::empty: return "empty";
        case RegisterState::input: return "input";
        case RegisterState::created: return "created";
        case RegisterState::consumed: return "consumed";
    }
    return "?";
}

struct Section {
    std::string name;
    std::uint32_t first = 0, count = 0;
    friend bool operator==(const Section&, const Section&) = default;
};

// Document 003's execution context: where and when the run happens, under which
// capabilities, with which environment.
struct ExecutionContext {
    std::string domain_id = "native";
    Digest trace_id{};
    CapabilityToken capability_token;
    std::uint64_t timestamp = 0;
    std::map<std::string, std::string> environment;
    friend bool operator==(const ExecutionContext&, const ExecutionContext&) = default;
};

struct ResourceRegister {
    RegisterState state = RegisterState::empty;
    Resource resource{};
    ResourceId id{};
    MerklePath path;               // inputs: the commitment's path in the input set
    std::uint32_t changed_at = 0;  // pc of the create or consume
    // The input root (and depth) the path was last checked against: a second read or the
    // consume of the same input does not hash the path again.
    std::optional<std::pair<Digest, unsigned>> checked_against;
    friend bool operator==(const ResourceRegister&, const ResourceRegister&) = default;
};

// What a run published, in execution order.
struct ResourceOutputs {
    std::vector<Digest> nullifiers;      // one per consume
    std::vector<Digest> commitments;     // one per create
    std::vector<Resource> created;       // the created resources, as their commitments
    std::vector<ResourceId> consumed;    // the consumed inputs' ids, as their nullifiers
    friend bool operator==(const ResourceOutputs&, const ResourceOutputs&) = default;
};

class ResourceFile {
public:
    static constexpr std::uint32_t max_registers = 1u << 16;

    ResourceFile() = default;
    explicit ResourceFile(std::uint32_t count) { resize(count); }

    void resize(std::uint32_t count) {
        if (count > max_registers)
            throw Error(ErrorCode::invalid_argument, "resource: at most 65536 registers, not " + std::to_string(count));
        regs_.assign(count, {});
        sections_.clear();
        memory_ = {};
        outputs_ = {};
    }
    [[nodiscard]] std::uint32_t size() const noexcept { return static_cast<std::uint32_t>(regs_.size()); }

    // A named range of registers; Error(invalid_argument) for an empty, overlapping,
    // out-of-range or duplicate one.
    void define_section(std::string name, std::uint32_t first, std::uint32_t count) {
        if (name.empty() || name.size() > 32)
            throw Error(ErrorCode::invalid_argument, "resource: a section name is 1..32 bytes, '" + name + "' is not");
        if (count == 0 || first >= size() || count > size() - first)
            throw Error(ErrorCode::invalid_argument, "resource: section '" + name + "' = registers " + std::to_string(first) +
                                                         "+" + std::to_string(count) + " does not fit in " +
                                                         std::to_string(size()) + " registers");
        for (const auto& s : sections_) {
            if (s.name == name) throw Error(ErrorCode::invalid_argument, "resource: section '" + name + "' is defined twice");
            if (first < s.first + s.count && s.first < first + count)
                throw Error(ErrorCode::invalid_argument, "resource: section '" + name + "' overlaps section '" + s.name + "'");
        }
        (void)label(name);
        sections_.push_back({std::move(name), first, count});
    }
    [[nodiscard]] const std::vector<Section>& sections() const noexcept { return sections_; }
    [[nodiscard]] const Section* section_of(std::uint32_t reg) const noexcept {
        for (const auto& s : sections_)
            if (reg >= s.first && reg < s.first + s.count) return &s;
        return nullptr;
    }
    [[nodiscard]] const Section& section(std::string_view name) const {
        for (const auto& s : sections_)
            if (s.name == name) return s;
        throw Error(ErrorCode::invalid_argument, "resource: no section '" + std::string(name) + "'");
    }
    // The label a capability targets for this register's section (zero outside sections).
    [[nodiscard]] Digest section_label(std::uint32_t reg) const {
        const Section* s = section_of(reg);
        return s == nullptr ? Digest{} : label(s->name);
    }

    // The input set's root and depth, which paths of input registers lead to.
    void set_input_root(const Digest& root, unsigned depth) {
        if (depth < 1 || depth > 32)
            throw Error(ErrorCode::invalid_argument, "resource: input set depth must be 1..32, got " + std::to_string(depth));
        input_root_ = root;
        input_depth_ = depth;
    }
    [[nodiscard]] const Digest& input_root() const noexcept { return input_root_; }
    [[nodiscard]] unsigned input_depth() const noexcept { return input_depth_; }

    // Loads an input resource with its path into an empty register (the path is checked
    // by the VM when the guest reads or consumes it).
    void load_input(std::uint32_t reg, const Resource& r, MerklePath path) {
        check_index(reg);
        if (regs_[reg].state != RegisterState::empty)
            throw Error(ErrorCode::invalid_argument, "resource: register " + std::to_string(reg) + " is " +
                                                         std::string(to_string(regs_[reg].state)) + ", not empty");
        regs_[reg] = {RegisterState::input, r, resource_id(r), std::move(path), 0, std::nullopt};
    }

    // Resource-mapped memory (resource/memory.hpp): once it has a segment, resource
    // operations may only touch buffers inside segments that grant their access.
    [[nodiscard]] MemorySegments& memory() noexcept { return memory_; }
    [[nodiscard]] const MemorySegments& memory() const noexcept { return memory_; }

    [[nodiscard]] ExecutionContext& context() noexcept { return context_; }
    [[nodiscard]] const ExecutionContext& context() const noexcept { return context_; }
    [[nodiscard]] const ResourceRegister& at(std::uint32_t reg) const {
        check_index(reg);
        return regs_[reg];
    }
    [[nodiscard]] ResourceRegister& at(std::uint32_t reg) {
        check_index(reg);
        return regs_[reg];
    }
    [[nodiscard]] const std::vector<ResourceRegister>& registers() const noexcept { return regs_; }
    [[nodiscard]] const ResourceOutputs& outputs() const noexcept { return outputs_; }
    [[nodiscard]] ResourceOutputs& outputs() noexcept { return outputs_; }

    friend bool operator==(const ResourceFile&, const ResourceFile&) = default;

private:
    void check_index(std::uint32_t reg) const {
        if (reg >= regs_.size())
            throw Error(ErrorCode::out_of_range, "resource: register " + std::to_string(reg) + " of " +
                                                     std::to_string(regs_.size()));
    }
    std::vector<ResourceRegister> regs_;
    std::vector<Section> sections_;
    Digest input_root_{};
    unsigned input_depth_ = 16;
    MemorySegments memory_;
    ExecutionContext context_;
    ResourceOutputs outputs_;
};

}  // namespace causality::resource
