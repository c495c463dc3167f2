// The world of the resource tests on the VM: an input set of four notes, a registry with
// Alice's capability over notes, register files under her token, and the note-transfer
// guest's input (examples/note_transfer.c); the VM with the resource extension and its
// guests.
#pragma once

#include "vm_test_util.hpp"
#include "resource/resource_test_util.hpp"

#include <causality/resource/capability.hpp>
#include <causality/resource/merkle.hpp>
#include <causality/resource/registers.hpp>
#include <causality/vm/hash/extension.hpp>
#include <causality/vm/resource/extension.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace restest {

using namespace causality::resource;

using RVm = causality::vm::VmCore<vmtest::F, causality::vm::ext::Rv32im, causality::vm::ext::Poseidon2Hash<vmtest::F>,
                                  causality::vm::ext::ResourceRegisters<vmtest::F>>;

// A guest program of the build (CAUSALITY_GUEST_DIR), loaded for RVm.
inline causality::vm::Executable<vmtest::F> guest(const std::string& name) {
    return causality::vm::load_elf<RVm>(causality::vm::read_file(std::string(CAUSALITY_GUEST_DIR) + "/" + name + ".elf"));
}

struct World {
    Principal authority = digest_of(900), alice = digest_of(901);
    NullifierKey alice_key = digest_of(1), bob_key = digest_of(2);
    std::vector<Resource> notes;
    MerkleTree set{4};
    CapabilityRegistry registry;
    CapabilityId alice_notes;

    World() {
        notes = {note(30, alice_key, 10), note(12, alice_key, 11), note(7, bob_key, 12), note(5, alice_key, 13, 2)};
        for (const auto& n : notes) set.append(commitment(resource_id(n)));
        alice_notes = registry.issue({TargetKind::kind, label("note"), all_rights, 1000, authority, alice, {}});
    }
    // The register file with notes[which[k]] in register k, under the token of `caps`.
    ResourceFile file(const std::vector<std::uint32_t>& which, const std::vector<CapabilityId>& caps,
                      std::uint64_t now = 10) const {
        ResourceFile f(16);
        f.set_input_root(set.root(), 4);
        for (std::uint32_t k = 0; k < which.size(); ++k) f.load_input(k, notes[which[k]], set.path(which[k]));
        f.context().timestamp = now;
        f.context().capability_token = registry.token(alice, caps, now);
        return f;
    }
};

struct Output {
    Digest owner;
    std::uint32_t value;
    Digest nonce;
};
// note_transfer's input: the inputs' keys, then (owner, value, nonce) per output.
inline std::vector<std::uint8_t> transfer_input(const std::vector<NullifierKey>& keys, const std::vector<Output>& outs) {
    std::vector<std::uint8_t> in;
    put_u32(in, static_cast<std::uint32_t>(keys.size()));
    for (const auto& k : keys) put_digest(in, k);
    put_u32(in, static_cast<std::uint32_t>(outs.size()));
    for (const auto& o : outs) {
        put_digest(in, o.owner);
        put_u32(in, o.value);
        put_digest(in, o.nonce);
    }
    return in;
}

}  // namespace restest
