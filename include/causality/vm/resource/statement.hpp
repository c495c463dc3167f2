// causality/vm/resource/statement.hpp — what a proof of a resource run states, and the
// tables a verifier derives from it itself (vm/resource/chips.hpp proves against them).
//
// ResourceStatement: the register file's size, the input set's root and depth, the
// context's timestamp, the capability token's capabilities (their root is the token's:
// CapabilityToken sorts them and commits their ids), the sections, and the nullifiers and
// commitments the run published, in execution order. Nothing else about the run is public:
// which registers held which input, the resources' contents, the nullifier keys.
//
// capability_entries(): the capability table, one entry per (valid capability, target):
// a capability valid at the timestamp (timestamp < expiry) targeting a resource id gives
// (rights, 0, id's 8 elements, 0 x 8), one targeting a kind gives (rights, 1, the kind's 16
// halves), one targeting a section gives (rights, 2, register, 0 x 15) for every register
// whose section label is the target (the executor's CapabilityToken::grant, exactly). An id
// target with a word at or above p names no resource (ids are digests, their words below
// p) and gives no entry, as reducing it would make it name another.
//
// The capabilities are what the prover presents (its token); whether they were issued and
// are not revoked is the relying party's question (vm/resource/proven.hpp).
//
// problem(): what the verifier rejects before any STARK work, naming it: more registers than
// 2^16, a depth outside 1..32, more nullifiers, commitments or capability entries than the
// VM's tables hold, a section outside the file or overlapping another, and a nullifier
// listed twice (a resource consumed twice within one proof: its nullifier is a function of
// the resource alone, so the second consume repeats it).
#pragma once

#include <causality/error.hpp>
#include <causality/resource/capability.hpp>
#include <causality/resource/registers.hpp>
#include <causality/stark/bytes.hpp>
#include <causality/vm/hash_pool.hpp>

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace causality::vm {

// The sizes of the resource chips' public tables (MachineConfig: resource_outputs,
// capability_entries).
struct ResourceTableSizes {
    std::uint32_t outputs = 16;       // nullifiers, and commitments, each
    std::uint32_t capabilities = 32;  // capability entries
    friend bool operator==(const ResourceTableSizes&, const ResourceTableSizes&) = default;
};

struct CapabilityEntry {
    std::uint32_t rights = 0;
    std::uint32_t target_kind = 0;
    std::array<std::uint32_t, 16> target{};  // canonical field values
    friend bool operator==(const CapabilityEntry&, const CapabilityEntry&) = default;
};

struct ResourceSection {
    resource::Digest label{};
    std::uint32_t first = 0, count = 0;
    friend bool operator==(const ResourceSection&, const ResourceSection&) = default;
};

struct ResourceStatement {
    std::uint32_t registers = 0;
    resource::Digest input_root{};
    std::uint32_t input_depth = 0;
    std::uint64_t timestamp = 0;
    std::vector<resource::Capability> capabilities;  // the token's, in its order
    std::vector<ResourceSection> sections;
    std::vector<resource::Digest> nullifiers, commitments;
    friend bool operator==(const ResourceStatement&, const ResourceStatement&) = default;

    // What a run of `file` (as it started, with its context) published.
    static ResourceStatement of(const resource::ResourceFile& file, const resource::ResourceOutputs& outputs) {
        ResourceStatement s;
        s.registers = file.size();
        s.input_root = file.input_root();
        s.input_depth = file.input_depth();
        s.timestamp = file.context().timestamp;
        s.capabilities = file.context().capability_token.capabilities();
        for (const auto& sec : file.sections()) s.sections.push_back({resource::label(sec.name), sec.first, sec.count});
        s.nullifiers = outputs.nullifiers;
        s.commitments = outputs.commitments;
        return s;
    }

    // The capability token's root.
    [[nodiscard]] resource::Digest capability_root() const { return resource::CapabilityToken({}, capabilities).root(); }

    // The section label of register `reg` (zero outside sections), as ResourceFile's.
    [[nodiscard]] resource::Digest section_label(std::uint32_t reg) const {
        for (const auto& s : sections)
            if (reg >= s.first && reg - s.first < s.count) return s.label;
        return {};
    }

    // The capability table (see the header comment), in the token's order.
    template <class F>
    [[nodiscard]] std::vector<CapabilityEntry> capability_entries() const {
        std::vector<CapabilityEntry> out;
        for (const auto& c : capabilities) {
            if (!(timestamp < c.expiry)) continue;
            CapabilityEntry e{c.rights, static_cast<std::uint32_t>(c.target_kind), {}};
            switch (c.target_kind) {
                case resource::TargetKind::resource: {
                    bool canonical = true;
                    for (std::size_t k = 0; k < 8; ++k) {
                        canonical = canonical && c.target[k] < F::modulus;
                        e.target[k] = c.target[k];
                    }
                    if (canonical) out.push_back(e);
                    break;
                }
                case resource::TargetKind::kind:
                    for (std::size_t k = 0; k < 8; ++k) {
                        e.target[2 * k] = c.target[k] & 0xffff;
                        e.target[2 * k + 1] = c.target[k] >> 16;
                    }
                    out.push_back(e);
                    break;
                case resource::TargetKind::section:
                    for (std::uint32_t r = 0; r < registers; ++r)
                        if (section_label(r) == c.target) {
                            e.target[0] = r;
                            out.push_back(e);
                        }
                    break;
            }
        }
        return out;
    }

    // Empty when the statement fits the tables and is well formed, else what is wrong.
    template <class F>
    [[nodiscard]] std::string problem(const ResourceTableSizes& sizes) const {
        if (registers == 0 || registers > (1u << 16))
            return "the statement has " + std::to_string(registers) + " resource registers (1..65536)";
        if (input_depth < 1 || input_depth > 32) return "input set depth " + std::to_string(input_depth) + " (1..32)";
        if (nullifiers.size() > sizes.outputs)
            return std::to_string(nullifiers.size()) + " nullifiers; the VM's table holds " + std::to_string(sizes.outputs);
        if (commitments.size() > sizes.outputs)
            return std::to_string(commitments.size()) + " commitments; the VM's table holds " + std::to_string(sizes.outputs);
        for (std::size_t i = 0; i < sections.size(); ++i) {
            const auto& s = sections[i];
            if (s.count == 0 || s.first >= registers || s.count > registers - s.first)
                return "section " + std::to_string(i) + " (registers " + std::to_string(s.first) + "+" + std::to_string(s.count) +
                       ") is outside the file of " + std::to_string(registers);
            for (std::size_t j = 0; j < i; ++j)
                if (s.first < sections[j].first + sections[j].count && sections[j].first < s.first + s.count)
                    return "sections " + std::to_string(j) + " and " + std::to_string(i) + " overlap";
        }
        std::set<resource::Digest> seen;
        for (std::size_t i = 0; i < nullifiers.size(); ++i)
            if (!seen.insert(nullifiers[i]).second)
                return "nullifier " + digest_hex(nullifiers[i]).substr(0, 16) + " is listed twice (a resource consumed twice)";
        if (const auto n = capability_entries<F>().size(); n > sizes.capabilities)
            return "the capabilities give " + std::to_string(n) + " table entries; the VM's table holds " +
                   std::to_string(sizes.capabilities);
        return {};
    }

    // The resource_slot chip's public values: input root (8), depth, registers.
    template <class F>
    [[nodiscard]] std::vector<F> slot_values() const {
        std::vector<F> v;
        for (const std::uint32_t w : input_root) v.push_back(F::from_u64(w));
        v.push_back(F::from_u64(input_depth));
        v.push_back(F::from_u64(registers));
        return v;
    }
    // The resource_table chip's: per nullifier slot (used, 8 elements), per commitment slot
    // (used, 8), per capability slot (used, rights, target kind, 16 target elements).
    template <class F>
    [[nodiscard]] std::vector<F> table_values(const ResourceTableSizes& sizes) const {
        std::vector<F> v;
        for (const auto* list : {&nullifiers, &commitments})
            for (std::size_t k = 0; k < sizes.outputs; ++k) {
                const bool used = k < list->size();
                v.push_back(F::from_u64(used ? 1 : 0));
                for (std::size_t j = 0; j < 8; ++j) v.push_back(used ? F::from_u64((*list)[k][j]) : F::zero());
            }
        const auto entries = capability_entries<F>();
        for (std::size_t k = 0; k < sizes.capabilities; ++k) {
            const bool used = k < entries.size();
            v.push_back(F::from_u64(used ? 1 : 0));
            v.push_back(used ? F::from_u64(entries[k].rights) : F::zero());
            v.push_back(used ? F::from_u64(entries[k].target_kind) : F::zero());
            for (std::size_t j = 0; j < 16; ++j) v.push_back(used ? F::from_u64(entries[k].target[j]) : F::zero());
        }
        return v;
    }

    void write(stark::ByteWriter& w) const {
        w.u32(registers);
        for (const std::uint32_t x : input_root) w.u32(x);
        w.u32(input_depth);
        w.u32(static_cast<std::uint32_t>(timestamp));
        w.u32(static_cast<std::uint32_t>(timestamp >> 32));
        w.u32(static_cast<std::uint32_t>(capabilities.size()));
        for (const auto& c : capabilities) w.raw(c.bytes());
        w.u32(static_cast<std::uint32_t>(sections.size()));
        for (const auto& s : sections) {
            for (const std::uint32_t x : s.label) w.u32(x);
            w.u32(s.first);
            w.u32(s.count);
        }
        for (const auto* list : {&nullifiers, &commitments}) {
            w.u32(static_cast<std::uint32_t>(list->size()));
            for (const auto& d : *list)
                for (const std::uint32_t x : d) w.u32(x);
        }
    }
    // Error(malformed_input) naming what is wrong.
    static ResourceStatement read(stark::ByteReader& r) {
        ResourceStatement s;
        s.registers = r.u32("resource registers");
        for (auto& x : s.input_root) x = r.u32("input root");
        s.input_depth = r.u32("input depth");
        s.timestamp = r.u32("timestamp");
        s.timestamp |= std::uint64_t{r.u32("timestamp")} << 32;
        const std::size_t nc = r.count(resource::Capability::encoded_bytes, "capabilities");
        for (std::size_t k = 0; k < nc; ++k)
            s.capabilities.push_back(resource::Capability::from_bytes(r.take(resource::Capability::encoded_bytes, "capability")));
        const std::size_t ns = r.count(40, "sections");
        for (std::size_t k = 0; k < ns; ++k) {
            ResourceSection sec;
            for (auto& x : sec.label) x = r.u32("section label");
            sec.first = r.u32("section first");
            sec.count = r.u32("section count");
            s.sections.push_back(sec);
        }
        for (auto* list : {&s.nullifiers, &s.commitments}) {
            const std::size_t n = r.count(32, list == &s.nullifiers ? "nullifiers" : "commitments");
            for (std::size_t k = 0; k < n; ++k) {
                resource::Digest d;
                for (auto& x : d) x = r.u32("digest");
                list->push_back(d);
            }
        }
        return s;
    }
};

}  // namespace causality::vm
