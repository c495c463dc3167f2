// Proofs of resource runs (vm/resource/chips.hpp): the note transfer and guests/resources.c
// proven and verified; what the statement says; proof bytes round trip; a statement the
// verifier rejects before any STARK work (a nullifier listed twice, a table too small);
// and, for every resource chip, corrupted trace cells and forged statements rejected.
#include "vm_test_util.hpp"
#include "tamper.hpp"
#include "resource_world.hpp"
#include "resource/resource_test_util.hpp"

#include <causality/resource/capability.hpp>
#include <causality/resource/merkle.hpp>
#include <causality/resource/registers.hpp>
#include <causality/stark/config.hpp>
#include <causality/vm/hash/extension.hpp>
#include <causality/vm/prove.hpp>
#include <causality/vm/resource/extension.hpp>
#include <causality/vm/resource/interfaces.hpp>
#include <causality/vm/resource/proven.hpp>

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace causality;
using namespace causality::vm;
using namespace causality::resource;
using vmtest::F;
using namespace restest;

namespace {

using SC = stark::TestingConfig<F, 4>;


VmProveOptions<SC> with_file(ResourceFile f, VmProveOptions<SC> o = {}) {
    o.execution.resources = std::move(f);
    return o;
}

}  // namespace

TEST_CASE("resource proofs: the note transfer is proven and verified, the statement is the run's", "[vm][resource][prove]") {
    const World w;
    const auto exe = guest("note_transfer");
    const Digest carol = owner_of(digest_of(3));
    const auto in = transfer_input({w.alice_key, w.alice_key}, {{carol, 40, digest_of(50)}, {w.notes[0].owner, 2, digest_of(51)}});
    const RVm vm;
    // Proven once for every section (Catch runs the case again per section).
    static const auto proof = vm::prove<SC>(vm, exe, in, with_file(w.file({0, 1}, {w.alice_notes})));
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

namespace {

// guests/resources.c commands.
void put_cmd(std::vector<std::uint8_t>& in, std::uint32_t cmd, std::uint32_t reg) {
    put_u32(in, cmd);
    put_u32(in, reg);
}
std::vector<std::uint8_t> transfer_and_state(const World& w) {
    std::vector<std::uint8_t> in;
    put_cmd(in, 5, 1);  // rstate of an input
    put_cmd(in, 4, 1);  // rtransfer register 1 -> 5
    put_u32(in, 5);
    put_digest(in, w.alice_key);
    put_digest(in, owner_of(digest_of(3)));
    put_digest(in, digest_of(60));
    put_cmd(in, 5, 1);  // consumed now
    put_cmd(in, 5, 5);  // created
    put_cmd(in, 3, 6);  // rcreate register 6
    for (auto x : note(9, digest_of(4), 61).words()) put_u32(in, x);
    return in;
}

}  // namespace

TEST_CASE("resource proofs: transfer, state and create through guests/resources.c", "[vm][resource][prove][heavy]") {
    const World w;
    const auto exe = guest("resources");
    const RVm vm;
    const auto proof = vm::prove<SC>(vm, exe, transfer_and_state(w), with_file(w.file({2, 0}, {w.alice_notes})));
    const auto& s = *proof.statement.resources;
    CHECK(s.nullifiers == std::vector<Digest>{nullifier(w.alice_key, resource_id(w.notes[0]))});
    Resource moved = w.notes[0];
    moved.owner = owner_of(digest_of(3));
    moved.nonce = digest_of(60);
    CHECK(s.commitments == std::vector<Digest>{commitment(resource_id(moved)), commitment(resource_id(note(9, digest_of(4), 61)))});
    const auto v = vm::verify<SC>(vm, exe, proof.to_bytes());
    INFO(v.reason());
    CHECK(v.ok());
}

TEST_CASE("resource proofs: every resource chip rejects a corrupted cell", "[vm][resource][prove][negative][heavy]") {
    const World w;
    const RVm vm;
    using Op = rescircuit::ResourceOpAir<F>;
    using Slot = rescircuit::ResourceSlotAir;
    using Merkle = hash::MerklePathAir;
    struct Case {
        const char* program;
        std::string air;
        int local;  // resource_op: the first row of this instruction (-1: row `row`)
        std::size_t row, column;
        const char* what;
    };
    const std::size_t sponge_extra = stark::Poseidon2Air<F, 16>(stark::default_poseidon2<F, 16>()).width();
    const std::vector<Case> cases{
        {"note_transfer", "resource_op", 1, 0, Op::content + 3, "a half of the kind rread writes"},
        {"note_transfer", "resource_op", 1, 0, Op::buf + 1, "a byte rread writes"},
        {"note_transfer", "resource_op", 2, 0, Op::content + 20, "an owner half of the consumed resource"},
        {"note_transfer", "resource_op", 2, 0, Op::content + 40, "a data half of the consumed resource"},
        {"note_transfer", "resource_op", 2, 0, Op::nul + 1, "the nullifier"},
        {"note_transfer", "resource_op", 2, 0, Op::own, "owner_of the key"},
        {"note_transfer", "resource_op", 2, 0, Op::id_a + 2, "the consumed id"},
        {"note_transfer", "resource_op", 2, 0, Op::buf + 2 * Op::buf_stride, "a byte of the nullifier key"},
        {"note_transfer", "resource_op", 2, 0, Op::rbit + 3, "the consume right"},
        {"note_transfer", "resource_op", 2, 0, Op::by_kind, "the target kind"},
        {"note_transfer", "resource_op", 2, 0, Op::tgt + 1, "a target element"},
        {"note_transfer", "resource_op", 2, 0, Op::st_acc, "the state word's previous timestamp"},
        {"note_transfer", "resource_op", 2, 0, Op::sel + 2, "the consume selector"},
        {"note_transfer", "resource_op", 2, 0, Op::reg_b, "the register index"},
        {"note_transfer", "resource_op", 0, 0, Op::cmt + 4, "a commitment"},
        {"note_transfer", "resource_op", 0, 0, Op::content + 33, "a created data half"},
        {"note_transfer", "resource_op", 0, 0, Op::ptr_b + 1, "the buffer pointer"},
        {"resources", "resource_op", 3, 0, Op::id_b + 1, "the transferred resource's new id"},
        {"resources", "resource_op", 3, 0, Op::content + 50, "the old nonce of a transfer"},
        {"resources", "resource_op", 3, 0, Op::rdv, "the destination register"},
        {"resources", "resource_op", 3, 0, Op::buf + 9 * Op::buf_stride, "a byte of the new owner"},
        {"resources", "resource_op", 4, 0, Op::st, "the state rstate reads"},
        {"note_transfer", "resource_slot", -1, 0, Slot::id + 1, "an input's id"},
        {"note_transfer", "resource_slot", -1, 0, Slot::mult, "the binding multiplicity"},
        {"note_transfer", "resource_slot", -1, 0, Slot::input, "the initial state"},
        {"note_transfer", "resource_slot", -1, 0, Slot::leaf + 5, "the leaf"},
        {"note_transfer", "resource_slot", -1, 1, Slot::reg, "a register"},
        {"note_transfer", "resource_slot", -1, 2, Slot::final_state, "a final state"},
        {"note_transfer", "resource_slot", -1, 0, Slot::bound_lo, "the register bound's limb"},
        {"note_transfer", "merkle_path", -1, 0, Merkle::sib_lo, "a sibling half"},
        {"note_transfer", "merkle_path", -1, 1, Merkle::bit, "a direction bit"},
        {"note_transfer", "merkle_path", -1, 2, Merkle::parent + 7, "a parent"},
        {"note_transfer", "resource_sponge", -1, 0, 3, "a rate input"},
        {"note_transfer", "resource_sponge", -1, 1, sponge_extra + hash::SpongeAir<F>::key, "a request key"},
        {"note_transfer", "resource_table", -1, 0, 1, "a capability multiplicity"},
    };
    for (const auto& c : cases) {
        DYNAMIC_SECTION(c.air << ": " << c.what) {
            const bool notes = std::string(c.program) == "note_transfer";
            const auto exe = guest(c.program);
            const auto in = notes ? transfer_input({w.alice_key, w.alice_key},
                                                   {{owner_of(digest_of(3)), 40, digest_of(50)}, {w.notes[0].owner, 2, digest_of(51)}})
                                  : transfer_and_state(w);
            const ResourceFile file = notes ? w.file({0, 1}, {w.alice_notes}) : w.file({2, 0}, {w.alice_notes});
            auto options = with_file(file, vmtest::tampering<SC>(c.air, [&](field::RowMajorMatrix<F>& t) {
                std::size_t row = c.row;
                if (c.local >= 0) {
                    row = t.rows();
                    for (Eigen::Index r = 0; r < t.rows(); ++r)
                        if (t(r, Op::sel + c.local) == F::one()) {
                            row = static_cast<std::size_t>(r);
                            break;
                        }
                    REQUIRE(row < static_cast<std::size_t>(t.rows()));
                }
                t(static_cast<Eigen::Index>(row), static_cast<Eigen::Index>(c.column)) += F::one();
            }));
            options.stark.check_constraints = true;
            CHECK_THROWS_WITH(vm::prove<SC>(vm, exe, in, options), Catch::Contains("prove: "));
            options.stark.check_constraints = false;
            bool rejected = true;
            try {
                rejected = !vm::verify<SC>(vm, exe, vm::prove<SC>(vm, exe, in, options)).ok();
            } catch (const Error&) {
            }
            CHECK(rejected);
        }
    }
}

static_assert(ZkInterface<ZkResourceVm<RVm, SC>>);

TEST_CASE("resource proofs: the ledger accepts a verified proof once, a replay, a stale root or a false opening is refused",
          "[vm][resource][prove][ledger][heavy]") {
    const World w;
    ResourceManager ledger(temp_path("resource-prove", "zk.db"), 8);
    const std::vector<Resource> genesis{w.notes[0], w.notes[1], w.notes[2]};
    const auto ids = ledger.mint(genesis);
    REQUIRE(ledger.get(ids[0]).has_value());
    ZkResourceVm<RVm, SC> zk(ledger);
    Operation<F> op;
    op.name = "pay carol";
    op.program = guest("note_transfer");
    op.inputs = {ids[0], ids[1]};
    op.input = transfer_input({w.alice_key, w.alice_key}, {{owner_of(digest_of(3)), 40, digest_of(50)}, {w.notes[0].owner, 2, digest_of(51)}});
    op.context.timestamp = 10;
    op.context.capability_token = w.registry.token(w.alice, {w.alice_notes}, 10);
    const OperationProof p = zk.generate_proof(op);
    REQUIRE(p.created.size() == 2);
    CHECK(p.created[0] == note(40, digest_of(3), 50));
    const Effects e = zk.verify_proof(op.program, p);
    CHECK(e.nullifiers.size() == 2);
    CHECK(e.commitments.size() == 2);

    SECTION("applied: the nullifiers are spent and the outputs live; applying it again is a double spend") {
        const Digest before = ledger.input_root();
        CHECK(zk.apply_proof(op.program, p) == 2);
        CHECK(ledger.input_root() != before);
        CHECK(ledger.nullified(e.nullifiers[0]));
        CHECK(ledger.get(resource_id(p.created[0])).has_value());
        // Against the new root the old proof is stale; against its own root the nullifiers are seen.
        CHECK(error_kind_of([&] { (void)zk.apply_proof(op.program, p); }) == VmErrorKind::proof_rejected);
        CHECK(error_kind_of([&] { (void)ledger.apply(verified_effects<SC>(RVm(), op.program, p, before)); }) ==
              VmErrorKind::double_spend);
    }
    SECTION("an opening that is not the committed resource, a missing one, garbage bytes, another program") {
        auto bad = p;
        bad.created[1].data[0] += 1;
        CHECK_THROWS_WITH(zk.verify_proof(op.program, bad), Catch::Contains("opening 1"));
        bad = p;
        bad.created.pop_back();
        CHECK(error_kind_of([&] { (void)zk.verify_proof(op.program, bad); }) == VmErrorKind::proof_rejected);
        bad = p;
        bad.bytes.resize(100);
        CHECK(error_kind_of([&] { (void)zk.verify_proof(op.program, bad); }) == VmErrorKind::proof_rejected);
        CHECK(error_kind_of([&] { (void)zk.verify_proof(guest("resources"), p); }) == VmErrorKind::proof_rejected);
        CHECK(ledger.batch_count() == 1);  // only the mint
    }
    SECTION("a spent input proven again is refused as a double spend (the ledger knows nullifiers, not ids)") {
        (void)zk.apply_proof(op.program, p);
        const OperationProof again = zk.generate_proof(op);  // against the new root: a valid proof
        CHECK(zk.verify_proof(op.program, again).nullifiers == e.nullifiers);
        CHECK(error_kind_of([&] { (void)zk.apply_proof(op.program, again); }) == VmErrorKind::double_spend);
        CHECK(ledger.batch_count() == 2);
    }
}

TEST_CASE("resource proofs: a batch proves each operation, its proofs verify and the batch commits",
          "[vm][resource][prove][batch][heavy]") {
    const World w;
    ResourceManager ledger(temp_path("resource-prove", "batch.db"), 8);
    const auto ids = ledger.mint(std::vector<Resource>{w.notes[0], w.notes[1]});
    Batch<RVm> batch(ledger, BatchMode::fail_fast, "proven");
    batch.prove_with(batch_prover<SC, RVm>());
    const auto exe = guest("note_transfer");
    const auto ctx = [&] {
        ExecutionContext c;
        c.timestamp = 10;
        c.capability_token = w.registry.token(w.alice, {w.alice_notes}, 10);
        return c;
    }();
    // Two operations: the second spends an output of the first (from the pending input set).
    Operation<F> a{"split", exe, transfer_input({w.alice_key}, {{owner_of(w.bob_key), 20, digest_of(70)}, {owner_of(w.alice_key), 10, digest_of(71)}}),
                   {ids[0]}, ctx};
    const auto& oa = batch.execute(a);
    REQUIRE(oa.ok);
    REQUIRE(oa.proof.has_value());
    const Resource mine = note(10, w.alice_key, 71);
    Operation<F> b{"merge", exe, transfer_input({w.alice_key, w.alice_key}, {{owner_of(w.alice_key), 22, digest_of(72)}}),
                   {resource_id(mine), ids[1]}, ctx};
    const auto& ob = batch.execute(b);
    INFO((ob.error ? ob.error->what() : ""));
    REQUIRE(ob.ok);
    REQUIRE(ob.proof.has_value());
    for (const auto* o : {&batch.outcomes()[0], &batch.outcomes()[1]}) {
        const auto proof = VmProof<SC>::from_bytes(o->proof->bytes);
        CHECK(vm::verify<SC>(RVm(), exe, proof).ok());
    }
    const auto r = batch.commit();
    CHECK(r.committed);
    CHECK(ledger.get(resource_id(note(22, w.alice_key, 72))).has_value());
}

TEST_CASE("resource proofs: one resource in two registers is consumed once, an input outside the set is not proven",
          "[vm][resource][prove]") {
    const World w;
    const RVm vm;
    const auto exe = guest("resources");
    ResourceFile file(16);
    file.set_input_root(w.set.root(), 4);
    file.load_input(0, w.notes[0], w.set.path(0));
    file.load_input(1, w.notes[0], w.set.path(0));
    file.context().timestamp = 10;
    file.context().capability_token = w.registry.token(w.alice, {w.alice_notes}, 10);
    std::vector<std::uint8_t> in;
    for (std::uint32_t reg : {0u, 1u}) {
        put_cmd(in, 1, reg);
        put_digest(in, w.alice_key);
    }
    try {
        (void)vm::prove<SC>(vm, exe, in, with_file(file));
        FAIL("proved a double consume");
    } catch (const GuestFault& f) {
        CHECK(f.kind() == Fault::resource_state);
        CHECK_THAT(f.what(), Catch::Contains("register 1") && Catch::Contains("consumed before"));
    }
    ResourceFile outside = file;
    MerkleTree other(4);
    other.append(digest_of(5));
    outside.set_input_root(other.root(), 4);
    std::vector<std::uint8_t> one;
    put_cmd(one, 1, 0);
    put_digest(one, w.alice_key);
    try {
        (void)vm::prove<SC>(vm, exe, one, with_file(outside));
        FAIL("proved a consume outside the input set");
    } catch (const GuestFault& f) {
        CHECK(f.kind() == Fault::not_in_input_set);
    }
}
