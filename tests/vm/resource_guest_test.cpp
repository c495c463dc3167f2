// Resource programs on a VM with ext::ResourceRegisters: the note-transfer example
// (examples/note_transfer.c) and guests/resources.c, one operation at a time. Each
// violation is a fault naming the register (and, mapped by vm_error_from, a VmError of
// the right kind); a run that faults publishes nothing; simulation leaves the file as
// it was.
#include "vm_test_util.hpp"
#include "resource_world.hpp"
#include "resource/resource_test_util.hpp"

#include <causality/resource/capability.hpp>
#include <causality/resource/errors.hpp>
#include <causality/resource/merkle.hpp>
#include <causality/resource/registers.hpp>
#include <causality/vm/hash/extension.hpp>
#include <causality/vm/resource/extension.hpp>
#include <causality/stark/config.hpp>
#include <causality/vm/prove.hpp>

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace causality;
using namespace causality::vm;
using namespace causality::resource;
using vmtest::F;
using namespace restest;

namespace {



ExecutionResult run(const Executable<F>& exe, std::vector<std::uint8_t> in, ResourceFile file) {
    ExecutionOptions o;
    o.resources = std::move(file);
    return RVm().execute(exe, std::move(in), std::move(o));
}


// The fault a run ends with (and that it ends with one).
GuestFault fault_of(const Executable<F>& exe, std::vector<std::uint8_t> in, ResourceFile file) {
    try {
        (void)run(exe, std::move(in), std::move(file));
    } catch (const GuestFault& f) {
        return f;
    }
    FAIL("the run did not fault");
    return {Fault::resource_state, 0, ""};
}

// guests/resources.c commands.
void consume_cmd(std::vector<std::uint8_t>& in, std::uint32_t reg, const NullifierKey& key) {
    put_u32(in, 1);
    put_u32(in, reg);
    put_digest(in, key);
}
void read_cmd(std::vector<std::uint8_t>& in, std::uint32_t reg) {
    put_u32(in, 2);
    put_u32(in, reg);
}
void create_cmd(std::vector<std::uint8_t>& in, std::uint32_t reg, const Resource& r) {
    put_u32(in, 3);
    put_u32(in, reg);
    for (auto w : r.words()) put_u32(in, w);
}
void transfer_cmd(std::vector<std::uint8_t>& in, std::uint32_t reg, std::uint32_t dst, const NullifierKey& key,
                  const Digest& owner, const Digest& nonce) {
    put_u32(in, 4);
    put_u32(in, reg);
    put_u32(in, dst);
    put_digest(in, key);
    put_digest(in, owner);
    put_digest(in, nonce);
}
void state_cmd(std::vector<std::uint8_t>& in, std::uint32_t reg) {
    put_u32(in, 5);
    put_u32(in, reg);
}

}  // namespace

TEST_CASE("note transfer: two notes in, two out, value conserved, nullifiers and commitments published",
          "[vm][guest][resource]") {
    const World w;
    const auto exe = guest("note_transfer");
    const Digest carol = owner_of(digest_of(3));
    const auto in = transfer_input({w.alice_key, w.alice_key}, {{carol, 40, digest_of(50)}, {w.notes[0].owner, 2, digest_of(51)}});
    const auto r = run(exe, in, w.file({0, 1}, {w.alice_notes}));
    REQUIRE(r.reason == StopReason::exited);
    CHECK(r.exit_code == 0);
    CHECK(r.public_values.at(0) == 42);
    CHECK(r.public_values.at(1) == 2);
    CHECK(r.public_values.at(2) == 2);
    REQUIRE(r.resources.nullifiers.size() == 2);
    CHECK(r.resources.nullifiers[0] == nullifier(w.alice_key, resource_id(w.notes[0])));
    CHECK(r.resources.nullifiers[1] == nullifier(w.alice_key, resource_id(w.notes[1])));
    CHECK(r.resources.consumed == std::vector<ResourceId>{resource_id(w.notes[0]), resource_id(w.notes[1])});
    REQUIRE(r.resources.created.size() == 2);
    Resource expect = note(40, digest_of(3), 50);
    CHECK(r.resources.created[0] == expect);
    CHECK(r.resources.commitments[0] == commitment(resource_id(expect)));
    CHECK(r.resources.created[1].owner == w.notes[0].owner);
    CHECK(r.resources.created[1].data[0] == 2);

    SECTION("value not conserved: the guest exits 1") {
        const auto bad = transfer_input({w.alice_key, w.alice_key}, {{carol, 43, digest_of(50)}});
        CHECK(run(exe, bad, w.file({0, 1}, {w.alice_notes})).exit_code == 1);
    }
    SECTION("mixed assets: the guest exits 3") {
        const auto bad = transfer_input({w.alice_key, w.alice_key}, {{carol, 35, digest_of(50)}});
        CHECK(run(exe, bad, w.file({0, 3}, {w.alice_notes})).exit_code == 3);
    }
    SECTION("someone else's note: not_owner naming the register") {
        const auto f = fault_of(exe, transfer_input({w.alice_key, w.alice_key}, {{carol, 37, digest_of(50)}}),
                                w.file({0, 2}, {w.alice_notes}));
        CHECK(f.kind() == Fault::not_owner);
        CHECK_THAT(f.what(), Catch::Contains("rconsume of register 1"));
        CHECK(vm_error_from(f).kind() == VmErrorKind::not_owner);
    }
    SECTION("a note outside the input set: not_in_input_set") {
        ResourceFile f = w.file({0, 1}, {w.alice_notes});
        MerkleTree other(4);
        other.append(digest_of(77));
        f.set_input_root(other.root(), 4);
        const auto e = fault_of(exe, in, std::move(f));
        CHECK(e.kind() == Fault::not_in_input_set);
        CHECK_THAT(e.what(), Catch::Contains("rread of register 0"));
        CHECK(vm_error_from(e).kind() == VmErrorKind::not_in_input_set);
    }
    SECTION("a note whose path is another leaf's") {
        ResourceFile f(16);
        f.set_input_root(w.set.root(), 4);
        f.load_input(0, w.notes[0], w.set.path(0));
        f.load_input(1, w.notes[1], w.set.path(0));
        f.context().timestamp = 10;
        f.context().capability_token = w.registry.token(w.alice, {w.alice_notes}, 10);
        const auto e = fault_of(exe, in, std::move(f));
        CHECK(e.kind() == Fault::not_in_input_set);
        CHECK_THAT(e.what(), Catch::Contains("register 1"));
    }
}

TEST_CASE("resource capabilities: a missing, attenuated, expired or revoked right faults by name",
          "[vm][guest][resource][capability]") {
    World w;
    const auto exe = guest("note_transfer");
    const auto in = transfer_input({w.alice_key}, {{w.notes[0].owner, 30, digest_of(60)}});

    SECTION("no capability at all") {
        const auto f = fault_of(exe, in, w.file({0}, {}));
        CHECK(f.kind() == Fault::insufficient_capabilities);
        CHECK_THAT(f.what(), Catch::Contains("rread of register 0 (note") && Catch::Contains("needs the read right"));
        CHECK(vm_error_from(f).kind() == VmErrorKind::insufficient_capabilities);
        CHECK(vm_error_from(f).category() == VmErrorCategory::capability);
    }
    SECTION("delegated without consume: the consume faults") {
        const Principal alice2 = w.alice;
        const CapabilityId self = w.registry.delegate(w.alice_notes, w.alice, alice2, Right::read | Right::create, 900);
        const auto f = fault_of(exe, in, w.file({0}, {self}));
        CHECK(f.kind() == Fault::insufficient_capabilities);
        CHECK_THAT(f.what(), Catch::Contains("rconsume of register 0") && Catch::Contains("consume right"));
    }
    SECTION("consume but no create: the output faults") {
        const CapabilityId self = w.registry.delegate(w.alice_notes, w.alice, w.alice, Right::read | Right::consume, 900);
        const auto f = fault_of(exe, in, w.file({0}, {self}));
        CHECK(f.kind() == Fault::insufficient_capabilities);
        CHECK_THAT(f.what(), Catch::Contains("rcreate of register 1") && Catch::Contains("create right"));
    }
    SECTION("a capability for another kind") {
        const CapabilityId coins = w.registry.issue({TargetKind::kind, label("coin"), all_rights, 1000, w.authority, w.alice, {}});
        CHECK(fault_of(exe, in, w.file({0}, {coins})).kind() == Fault::insufficient_capabilities);
    }
    SECTION("a capability for exactly this resource and the created one's kind") {
        const CapabilityId one = w.registry.issue(
            {TargetKind::resource, resource_id(w.notes[0]).words, Right::read | Right::consume, 1000, w.authority, w.alice, {}});
        const CapabilityId make = w.registry.issue({TargetKind::kind, label("note"), Right::create, 1000, w.authority, w.alice, {}});
        CHECK(run(exe, in, w.file({0}, {one, make})).exit_code == 0);
        // The same resource capability does not reach another note.
        const auto other = transfer_input({w.alice_key}, {{w.notes[0].owner, 12, digest_of(60)}});
        const auto f = fault_of(exe, other, w.file({1}, {one, make}));
        CHECK(f.kind() == Fault::insufficient_capabilities);
    }
    SECTION("a section capability covers the registers of its section") {
        ResourceFile f = w.file({0}, {});
        f.define_section("wallet", 0, 8);
        const CapabilityId sec = w.registry.issue({TargetKind::section, label("wallet"), all_rights, 1000, w.authority, w.alice, {}});
        f.context().capability_token = w.registry.token(w.alice, {sec}, 10);
        CHECK(run(exe, in, f).exit_code == 0);
        ResourceFile g = w.file({0}, {});
        g.define_section("wallet", 4, 8);  // register 0 is outside it
        g.context().capability_token = w.registry.token(w.alice, {sec}, 10);
        CHECK(fault_of(exe, in, std::move(g)).kind() == Fault::insufficient_capabilities);
    }
    SECTION("expired at the context's timestamp") {
        const CapabilityId brief = w.registry.delegate(w.alice_notes, w.alice, w.alice, all_rights, 20);
        ResourceFile f = w.file({0}, {brief}, 10);
        f.context().timestamp = 20;  // the token was valid when made; the run happens later
        const auto e = fault_of(exe, in, std::move(f));
        CHECK(e.kind() == Fault::insufficient_capabilities);
        CHECK_THAT(e.what(), Catch::Contains("grants at 20"));
        CHECK(error_kind_of([&] { (void)w.registry.token(w.alice, {brief}, 20); }) == VmErrorKind::capability_expired);
    }
    SECTION("revoked: the token cannot be made, and a delegated capability with more rights is refused") {
        w.registry.revoke(w.alice_notes, w.authority);
        CHECK(error_kind_of([&] { (void)w.file({0}, {w.alice_notes}); }) == VmErrorKind::capability_revoked);
        Capability forged{TargetKind::kind, label("note"), all_rights, 900, w.alice, w.alice, {}};
        const CapabilityId narrow = w.registry.issue({TargetKind::kind, label("note"), Right::read | Right::delegate, 1000,
                                                      w.authority, w.alice, {}});
        forged.parent = narrow;
        CHECK(error_kind_of([&] { (void)w.registry.add_delegated(forged); }) == VmErrorKind::invalid_delegation);
    }
}

TEST_CASE("resource registers: one-time use, transfer, state, bounds", "[vm][guest][resource]") {
    const World w;
    const auto exe = guest("resources");
    const auto file = [&] { return w.file({0, 1, 2}, {w.alice_notes}); };

    SECTION("a second consume of a register faults naming it and the first consume's pc") {
        std::vector<std::uint8_t> in;
        consume_cmd(in, 1, w.alice_key);
        consume_cmd(in, 1, w.alice_key);
        const auto f = fault_of(exe, in, file());
        CHECK(f.kind() == Fault::resource_state);
        CHECK_THAT(f.what(), Catch::Contains("rconsume of register 1, which was consumed at pc 0x"));
        CHECK(vm_error_from(f).kind() == VmErrorKind::invalid_resource_state);
    }
    SECTION("read after consume, consume of an empty register, of an output, create over a live one") {
        std::vector<std::uint8_t> a;
        consume_cmd(a, 0, w.alice_key);
        read_cmd(a, 0);
        CHECK_THAT(fault_of(exe, a, file()).what(), Catch::Contains("rread of register 0, which was consumed"));
        std::vector<std::uint8_t> b;
        consume_cmd(b, 5, w.alice_key);
        CHECK_THAT(fault_of(exe, b, file()).what(), Catch::Contains("register 5, which is empty"));
        std::vector<std::uint8_t> c;
        create_cmd(c, 6, note(3, w.alice_key, 99));
        consume_cmd(c, 6, w.alice_key);
        CHECK_THAT(fault_of(exe, c, file()).what(), Catch::Contains("created by this run (an output)"));
        std::vector<std::uint8_t> d;
        create_cmd(d, 0, note(3, w.alice_key, 99));
        CHECK_THAT(fault_of(exe, d, file()).what(), Catch::Contains("rcreate into register 0, which is input"));
        std::vector<std::uint8_t> e;
        state_cmd(e, 16);
        const auto f = fault_of(exe, e, file());
        CHECK(f.kind() == Fault::resource_register);
        CHECK_THAT(f.what(), Catch::Contains("register 16 (the file has 16)"));
    }
    SECTION("transfer: consume and create with the new owner; states along the way") {
        const Digest bob = owner_of(w.bob_key);
        std::vector<std::uint8_t> in;
        state_cmd(in, 0);
        read_cmd(in, 0);
        transfer_cmd(in, 0, 9, w.alice_key, bob, digest_of(70));
        state_cmd(in, 0);
        state_cmd(in, 9);
        state_cmd(in, 10);
        const auto r = run(exe, in, file());
        REQUIRE(r.reason == StopReason::exited);
        CHECK(r.exit_code == 0);
        CHECK(r.output == "1\n30\n3\n2\n0\n");
        Resource moved = w.notes[0];
        moved.owner = bob;
        moved.nonce = digest_of(70);
        REQUIRE(r.resources.created.size() == 1);
        CHECK(r.resources.created[0] == moved);
        CHECK(r.resources.commitments == std::vector<Digest>{commitment(resource_id(moved))});
        CHECK(r.resources.nullifiers == std::vector<Digest>{nullifier(w.alice_key, resource_id(w.notes[0]))});
        // Transfer needs its own right: read + consume + create are not enough.
        CapabilityRegistry reg = w.registry;
        const CapabilityId rcc = reg.delegate(w.alice_notes, w.alice, w.alice, Right::read | Right::consume | Right::create, 900);
        ResourceFile f = file();
        f.context().capability_token = reg.token(w.alice, {rcc}, 10);
        CHECK_THAT(fault_of(exe, in, std::move(f)).what(), Catch::Contains("rtransfer of register 0") &&
                                                               Catch::Contains("transfer right"));
    }
    SECTION("the table of outputs is bounded by the machine's resource_outputs") {
        std::vector<std::uint8_t> in;
        for (std::uint32_t k = 0; k < 16; ++k) create_cmd(in, k, note(k, w.alice_key, 200 + k));
        ResourceFile f(40);
        f.context().capability_token = w.registry.token(w.alice, {w.alice_notes}, 10);
        f.context().timestamp = 10;
        CHECK(run(exe, in, f).resources.commitments.size() == 16);
        create_cmd(in, 16, note(16, w.alice_key, 216));
        const auto e = fault_of(exe, in, std::move(f));
        CHECK(e.kind() == Fault::resource_table_full);
        CHECK_THAT(e.what(), Catch::Contains("more than 16 commitments"));
    }
    SECTION("bad pointers are faults, not crashes") {
        const std::uint32_t rread_a0_a1 = 0x5bu | 1u << 12 | std::uint32_t{vmtest::a0} << 15 | std::uint32_t{vmtest::a1} << 20;
        Executable<F> exe2 = vmtest::program({vmtest::li(vmtest::a0, 0), vmtest::li(vmtest::a1, 2), vmtest::exit_call()});
        exe2.program.instructions.insert(exe2.program.instructions.begin() + 2,
                                         *ext::ResourceRegisters<F>::transpile<F>(rread_a0_a1, 0));
        ExecutionOptions o;
        o.resources = file();
        try {
            (void)RVm().execute(exe2, {}, std::move(o));
            FAIL("no fault");
        } catch (const GuestFault& f) {
            CHECK(f.kind() == Fault::misaligned_access);
            CHECK(vm_error_from(f).kind() == VmErrorKind::memory_access_violation);
        }
    }
}

TEST_CASE("resource registers: instructions with bad operands are refused at load, by name", "[vm][resource]") {
    const auto exe = guest("resources");
    using Ext = ext::ResourceRegisters<F>;
    const auto find = [&](std::uint32_t local) {
        const auto& ins = exe.program.instructions;
        for (std::size_t i = 0; i < ins.size(); ++i)
            if (ins[i].opcode == Ext::opcode_offset + local) return i;
        FAIL("the guest has no such instruction");
        return std::size_t{0};
    };
    const auto refused = [&](std::uint32_t local, std::size_t operand, std::uint64_t value) {
        auto bad = exe;
        bad.program.instructions[find(local)].operands[operand] = F::from_u64(value);
        Machine<RVm> m;
        try {
            m.initialize(bad);
        } catch (const Error& e) {
            CHECK(e.code() == ErrorCode::invalid_argument);
            return std::string(e.what());
        }
        FAIL("the instruction was accepted");
        return std::string();
    };
    CHECK_THAT(refused(Ext::consume, 1, 40), Catch::Contains("resource_registers: rconsume at pc 0x") &&
                                                 Catch::Contains("operand b = 40 is not a register"));
    CHECK_THAT(refused(Ext::state, 2, 3), Catch::Contains("rstate at pc") && Catch::Contains("operand c = 3 must be 0 (rstate has no rs2)"));
    CHECK_THAT(refused(Ext::create, 5, 1), Catch::Contains("operand f = 1 must be 0 (no register is written)"));
    CHECK_THAT(refused(Ext::state, 5, 0), Catch::Contains("operand f = 0 must be 1 (rd is not x0)"));
    CHECK_THAT(refused(Ext::read, 4, 7), Catch::Contains("operand e = 7 must be 0"));
}

TEST_CASE("resource registers: a simulated run leaves the machine's file as it was", "[vm][resource]") {
    const World w;
    std::vector<std::uint8_t> in;
    consume_cmd(in, 0, w.alice_key);
    state_cmd(in, 0);
    Machine<RVm> m;
    m.initialize(guest("resources"), in);
    m.resources() = w.file({0, 1}, {w.alice_notes});
    const ResourceFile before = m.resources();
    const auto sim = m.simulate();
    CHECK(sim.output == "3\n");
    CHECK(m.resources() == before);
    CHECK(m.resources().at(0).state == RegisterState::input);
    (void)m.start();
    CHECK(m.io().output == "3\n");
    CHECK(m.resources().at(0).state == RegisterState::consumed);
    CHECK(m.resources().outputs().nullifiers.size() == 1);
}

TEST_CASE("machine checkpoints: restore puts registers, memory, resources and I/O back exactly", "[vm][resource][checkpoint]") {
    const World w;
    std::vector<std::uint8_t> in;
    consume_cmd(in, 0, w.alice_key);
    create_cmd(in, 5, note(3, w.alice_key, 99));
    state_cmd(in, 0);
    state_cmd(in, 5);
    Machine<RVm> m;
    m.initialize(guest("resources"), in);
    m.resources() = w.file({0, 1}, {w.alice_notes});
    m.pause_after(40);
    REQUIRE(m.start().reason == StopReason::paused);
    const std::uint32_t id = m.create_checkpoint();
    const auto regs = m.registers();
    const auto files = m.resources();
    const auto position = m.io().input_position;
    m.pause_after(0);
    const auto first = m.resume();
    REQUIRE(first.reason == StopReason::exited);
    const std::string output = m.io().output;
    const auto outputs = m.resources().outputs();
    CHECK(output == "3\n2\n");
    CHECK(outputs.nullifiers.size() == 1);
    CHECK(outputs.commitments.size() == 1);

    m.restore_checkpoint(id);
    CHECK(m.state() == MachineState::paused);
    CHECK(m.registers() == regs);
    CHECK(m.resources() == files);
    CHECK(m.io().input_position == position);
    const auto second = m.resume();
    CHECK(second.reason == StopReason::exited);
    CHECK(second.pc == first.pc);
    CHECK(m.io().output == output);
    CHECK(m.resources().outputs() == outputs);
    CHECK(m.cycles() == first.instructions + 40);

    // Memory written after the checkpoint is undone (the guest's stack and buffers).
    m.restore_checkpoint(id);
    const auto cp = m.checkpoint();
    CHECK(cp.memory_bytes() > 0);
    (void)m.resume();
    m.restore(cp);
    CHECK(m.checkpoint().memory == cp.memory);

    m.remove_checkpoint(id);
    CHECK(m.checkpoint_count() == 0);
    CHECK_THROWS_WITH(m.restore_checkpoint(id), Catch::Contains("no checkpoint " + std::to_string(id)));
    // A checkpoint of an earlier initialization is refused.
    m.stop();
    m.initialize(guest("resources"), in);
    CHECK_THROWS_WITH(m.restore(cp), Catch::Contains("another initialization"));
}

TEST_CASE("resource memory: segments with rights, allocate/free, enforced for resource operations",
          "[vm][guest][resource][memory]") {
    MemorySegments mem;
    CHECK_FALSE(mem.enforced());
    const std::uint32_t a = mem.allocate(128, MemoryRight::read);
    const std::uint32_t b = mem.allocate(100, MemoryRight::write);
    CHECK(a == MemorySegments::default_base);
    CHECK(b == a + 128);
    CHECK(mem.find(b + 99, 1) != nullptr);
    CHECK(mem.find(b + 99, 2) == nullptr);
    CHECK_THAT(mem.problem(b, 64, MemoryRight::read), Catch::Contains("with rights write, not read"));
    mem.free(a);
    CHECK(mem.allocate(64, MemoryRight::read_write) == a);  // first fit reuses the hole
    CHECK(error_kind_of([&] { mem.free(a + 4); }) == VmErrorKind::unknown_segment);
    CHECK(error_kind_of([&] { (void)mem.allocate(MemorySegments::default_size, MemoryRight::read); }) ==
          VmErrorKind::out_of_memory);
    CHECK(error_kind_of([&] { mem.check(0x100, 4, MemoryRight::read); }) == VmErrorKind::memory_access_violation);

    const World w;
    const auto exe = guest("resources");
    ResourceFile f = w.file({0}, {w.alice_notes});
    const std::uint32_t out = f.memory().allocate(128, MemoryRight::write);
    const std::uint32_t src = f.memory().allocate(128, MemoryRight::read);
    std::vector<std::uint8_t> ok;
    put_u32(ok, 6);  // read register 0 into the writable segment
    put_u32(ok, 0);
    put_u32(ok, out);
    put_u32(ok, 8);  // the guest stores a resource into the readable one
    put_u32(ok, src);
    put_u32(ok, 128);
    for (auto word : note(9, w.alice_key, 300).words()) put_u32(ok, word);
    put_u32(ok, 7);  // and creates it from there
    put_u32(ok, 5);
    put_u32(ok, src);
    const auto r = run(exe, ok, f);
    REQUIRE(r.exit_code == 0);
    CHECK(r.resources.created.at(0) == note(9, w.alice_key, 300));

    std::vector<std::uint8_t> bad_read;  // rread into the read-only segment
    put_u32(bad_read, 6);
    put_u32(bad_read, 0);
    put_u32(bad_read, src);
    const auto e = fault_of(exe, bad_read, f);
    CHECK(e.kind() == Fault::segment_access);
    CHECK_THAT(e.what(), Catch::Contains("rread of register 0") && Catch::Contains("rights read, not write"));
    CHECK(vm_error_from(e).kind() == VmErrorKind::memory_access_violation);
    std::vector<std::uint8_t> outside;  // the static buffers of the guest are in no segment
    read_cmd(outside, 0);
    CHECK_THAT(fault_of(exe, outside, f).what(), Catch::Contains("is in no resource memory segment"));
}

TEST_CASE("resource registers: a path is checked again when the input root changes", "[vm][resource]") {
    const World w;
    std::vector<std::uint8_t> in;
    read_cmd(in, 0);
    consume_cmd(in, 0, w.alice_key);
    Machine<RVm> m;
    m.initialize(guest("resources"), in);
    m.resources() = w.file({0}, {w.alice_notes});
    std::uint32_t steps = 0;
    while (m.io().output.empty()) {  // until the read has printed
        (void)m.step();
        REQUIRE(++steps < 100000);
    }
    REQUIRE(m.resources().at(0).checked_against.has_value());
    MerkleTree other(4);
    other.append(digest_of(5));
    m.resources().set_input_root(other.root(), 4);
    try {
        (void)m.resume();
        FAIL("the consume passed against another root");
    } catch (const GuestFault& f) {
        CHECK(f.kind() == Fault::not_in_input_set);
        CHECK_THAT(f.what(), Catch::Contains("rconsume of register 0"));
    }
}
