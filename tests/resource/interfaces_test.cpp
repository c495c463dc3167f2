// Document 002's interfaces over this VM (NativeResourceVm): each concept is satisfied,
// versions follow the major/minor rule, and each operation goes through the VM, the
// ledger and the context's capabilities.
#include "resource/resource_test_util.hpp"

#include <causality/resource/manager.hpp>
#include <causality/vm/elf.hpp>
#include <causality/vm/hash/extension.hpp>
#include <causality/vm/resource/interfaces.hpp>
#include <causality/vm/rv32im/extension.hpp>

#include <catch2/catch.hpp>

#include <filesystem>
#include <string>
#include <unistd.h>
#include <vector>

using namespace causality;
using namespace causality::resource;
using F = field::BabyBear;
using namespace restest;
using RVm = vm::VmCore<F, vm::ext::Rv32im, vm::ext::Poseidon2Hash<F>, vm::ext::ResourceRegisters<F>>;
using Native = NativeResourceVm<RVm>;

static_assert(ResourceVmInterface<Native>);
static_assert(OperationInterface<Native>);
static_assert(MemoryInterface<Native>);
static_assert(EffectInterface<Native>);
static_assert(LifecycleInterface<Native>);
static_assert(DebugInterface<Native>);
static_assert(ResourceManagementInterface<Native>);
static_assert(!ResourceVmInterface<ResourceManager>);  // a ledger alone is not a VM

namespace {
vm::Executable<F> program(const std::string& name) {
    return vm::load_elf<RVm>(vm::read_file(std::string(CAUSALITY_GUEST_DIR) + "/" + name + ".elf"));
}
struct Setup {
    Principal authority = digest_of(1), alice = digest_of(2);
    NullifierKey key = digest_of(3);
    CapabilityRegistry registry;
    CapabilityId all, read_only;
    Setup() {
        all = registry.issue({TargetKind::kind, label("note"), all_rights, 100, authority, alice, {}});
        read_only = registry.delegate(all, alice, alice, Right::read, 100);
    }
    ExecutionContext context(const std::vector<CapabilityId>& caps, std::uint64_t now = 5) const {
        ExecutionContext c;
        c.timestamp = now;
        c.capability_token = registry.token(alice, caps, now);
        return c;
    }
    Resource note(std::uint32_t value, std::uint32_t seed) const {
        Resource r;
        r.kind = label("note");
        r.owner = owner_of(key);
        r.data[0] = value;
        r.nonce = digest_of(100 + seed);
        return r;
    }
};
}  // namespace

TEST_CASE("interfaces: versions follow the major/minor rule", "[resource][interfaces]") {
    const InterfaceVersion v{1, 2, 3};
    CHECK(v.compatible_with({1, 0, 0}));
    CHECK(v.compatible_with({1, 2, 9}));
    CHECK_FALSE(v.compatible_with({1, 3, 0}));
    CHECK_FALSE(v.compatible_with({2, 0, 0}));
    CHECK_FALSE(v.compatible_with({0, 2, 3}));
    CHECK_THROWS_WITH(require_compatible("ResourceVmInterface", v, {2, 0, 0}),
                      Catch::Contains("ResourceVmInterface 1.2.3 cannot serve a client that requires 2.0.0 (another major"));
    CHECK(error_kind_of([&] { require_compatible("MemoryInterface", v, {1, 4, 0}); }) == VmErrorKind::incompatible_interface);
    ResourceManager ledger(temp_path("interfaces-test", "versions.db"), 8);
    const Native n(ledger, program("resources"));
    CHECK(n.version() == Native::current);
    n.require("OperationInterface", {1, 0, 0});
    CHECK_THROWS_WITH(n.require("OperationInterface", {1, 1, 0}), Catch::Contains("an older minor version"));
}

TEST_CASE("interfaces: resource operations run on the VM and land in the ledger", "[resource][interfaces]") {
    const Setup s;
    ResourceManager ledger(temp_path("interfaces-test", "resources.db"), 8);
    Native n(ledger, program("resources"));
    const auto ctx = s.context({s.all});
    const ResourceId a = n.create_resource(s.note(10, 1), ctx);
    CHECK(ledger.get(a)->state == LedgerState::live);
    CHECK(n.read_resource(a, ctx)->data[0] == 10);
    CHECK_FALSE(n.read_resource(resource_id(s.note(11, 9)), ctx).has_value());
    // A read-only context can read, not create.
    const auto ro = s.context({s.read_only});
    CHECK(n.read_resource(a, ro).has_value());
    CHECK(error_kind_of([&] { (void)n.create_resource(s.note(12, 2), ro); }) == VmErrorKind::insufficient_capabilities);
    CHECK(error_kind_of([&] { (void)n.read_resource(a, s.context({})); }) == VmErrorKind::insufficient_capabilities);

    const ResourceId b = n.update_resource(a, s.note(11, 3), s.key, ctx);
    CHECK(ledger.get(a)->state == LedgerState::consumed);
    CHECK(ledger.get(b)->state == LedgerState::live);
    // Updating a consumed resource, or with someone else's key, is refused by name.
    CHECK(error_kind_of([&] { (void)n.update_resource(a, s.note(12, 4), s.key, ctx); }) == VmErrorKind::invalid_resource_state);
    CHECK(error_kind_of([&] { (void)n.update_resource(b, s.note(12, 4), digest_of(77), ctx); }) == VmErrorKind::not_owner);

    const Digest nf = n.transfer_resource(b, "evm", s.key, ctx);
    CHECK(ledger.nullified(nf));
    CHECK(ledger.get(b)->state == LedgerState::consumed);
    CHECK(n.query_relationships(b, RelationshipDirection::outgoing, ctx).at(0).type == "exported:evm");
    CHECK(error_kind_of([&] { (void)n.transfer_resource(n.create_resource(s.note(1, 5), ctx), "native", s.key, ctx); }) ==
          VmErrorKind::domain_access);

    const ResourceId c = n.create_resource(s.note(7, 6), ctx);
    const Digest gone = n.delete_resource(c, s.key, ctx);
    CHECK(gone == nullifier(s.key, c));
    CHECK(ledger.get(c)->state == LedgerState::consumed);

    // Management: get, list (what the context may read), relationships both ways.
    const ResourceId d = n.create_resource(s.note(8, 7), ctx);
    CHECK(n.get_resource_register(d, ctx)->resource.data[0] == 8);
    ResourceQuery live;
    live.state = LedgerState::live;
    CHECK(n.list_resource_registers(live, ctx).size() == 2);
    CHECK(n.list_resource_registers(live, s.context({})).empty());
    const ResourceId e = n.create_resource(s.note(9, 8), ctx);
    n.create_relationship(d, e, "collateral", ctx);
    CHECK(n.query_relationships(e, RelationshipDirection::incoming, ctx) == std::vector<Relationship>{{d, e, "collateral"}});
    CHECK(error_kind_of([&] { n.create_relationship(d, e, "x", ro); }) == VmErrorKind::insufficient_capabilities);
}

TEST_CASE("interfaces: operations, batches and verification without effects", "[resource][interfaces]") {
    const Setup s;
    ResourceManager ledger(temp_path("interfaces-test", "operations.db"), 8);
    const auto ids = ledger.mint(std::vector<Resource>{s.note(5, 1)});
    Native n(ledger, program("resources"));
    Operation<F> op;
    op.name = "spend";
    op.program = program("resources");
    op.inputs = ids;
    op.context = s.context({s.all});
    for (std::uint32_t w : {1u, 0u}) {
        for (int k = 0; k < 4; ++k) op.input.push_back(static_cast<std::uint8_t>(w >> (8 * k)));
    }
    for (auto w : s.key)
        for (int k = 0; k < 4; ++k) op.input.push_back(static_cast<std::uint8_t>(w >> (8 * k)));
    const OperationOutcome dry = n.verify_operation(op);
    CHECK(dry.ok);
    CHECK(dry.outputs.nullifiers.size() == 1);
    CHECK(ledger.nullifier_count() == 0);  // verification leaves no effect
    CHECK(n.execute_operation(op).ok);
    CHECK(ledger.nullifier_count() == 1);
    const OperationOutcome again = n.verify_operation(op);
    CHECK_FALSE(again.ok);
    CHECK(again.error->kind() == VmErrorKind::invalid_resource_state);
}

TEST_CASE("interfaces: memory, effects, lifecycle and debugging", "[resource][interfaces]") {
    const Setup s;
    ResourceManager ledger(temp_path("interfaces-test", "lifecycle.db"), 8);
    const auto ids = ledger.mint(std::vector<Resource>{s.note(21, 1)});
    Native n(ledger, program("resources"));
    const auto ctx = s.context({s.all});

    // Memory: a writable segment the guest's rread fills; the host reads it back from the
    // instance, and cannot write a read-only segment.
    const std::uint32_t out = n.allocate(128, MemoryRight::read_write, ctx);
    const std::uint32_t ro = n.allocate(32, MemoryRight::read, ctx);
    const std::vector<std::uint8_t> hello{'h', 'i'};
    n.write(out + 4, hello, ctx);
    CHECK(n.read(out + 4, 2, ctx) == hello);
    CHECK(error_kind_of([&] { n.write(ro, hello, ctx); }) == VmErrorKind::memory_access_violation);
    CHECK(error_kind_of([&] { (void)n.read(0x100, 4, ctx); }) == VmErrorKind::memory_access_violation);

    Operation<F> op;
    op.program = program("resources");
    op.inputs = ids;
    op.context = ctx;
    for (std::uint32_t w : {6u, 0u, out})
        for (int k = 0; k < 4; ++k) op.input.push_back(static_cast<std::uint8_t>(w >> (8 * k)));
    const InstanceId id = n.initialize(op, ctx);
    CHECK(n.get_state(id, ctx).state == vm::MachineState::initialized);
    CHECK(n.read(id, out + 4, 2, ctx) == hello);  // the host's bytes are in the instance's memory
    const std::uint32_t entry = n.machine(id).pc();
    const auto st = n.step(id, ctx);
    CHECK(st.cycles == 1);
    CHECK(st.pc != entry);
    n.pause(id, ctx);
    CHECK(n.continue_execution(id, ctx).state == vm::MachineState::exited);
    const auto bytes = n.read(id, out, 128, ctx);
    CHECK(Resource::from_bytes(bytes) == s.note(21, 1));
    CHECK(n.get_registers(id, ctx)[0] == 0);
    n.terminate(id, ctx);
    CHECK(error_kind_of([&] { (void)n.get_state(id, ctx); }) == VmErrorKind::unknown_instance);

    // Breakpoints stop a run; stop ends it; calls out of order are lifecycle errors.
    const InstanceId id2 = n.initialize(op, ctx);
    n.set_breakpoint(id2, entry + 8, ctx);
    const auto at = n.continue_execution(id2, ctx);
    CHECK(at.stop == vm::StopReason::breakpoint);
    CHECK(at.pc == entry + 8);
    n.remove_breakpoint(id2, entry + 8, ctx);
    n.stop(id2, ctx);
    CHECK(error_kind_of([&] { (void)n.resume(id2, ctx); }) == VmErrorKind::invalid_transition);
    CHECK(error_kind_of([&] { n.set_breakpoint(id2, 3, ctx); }) == VmErrorKind::invalid_transition);

    // Effects: handlers by type, validation against constraints (built-in and custom).
    n.register_effect_handler("mint", [](const Effect& e, const ExecutionContext&) {
        return EffectResult{true, "minted " + e.parameters.at("amount"), {{"amount", e.parameters.at("amount")}}};
    }, ctx);
    const Effect mint{"mint", {{"amount", "5"}}, ids};
    CHECK(n.handle_effect(mint, ctx).outputs.at("amount") == "5");
    CHECK(error_kind_of([&] { (void)n.handle_effect({"burn", {}, {}}, ctx); }) == VmErrorKind::execution_failed);
    const std::vector<EffectConstraint> rules{Native::requires_parameter("amount"), Native::in_domain("native"),
                                              n.requires_right(Right::consume)};
    CHECK(n.validate_effect(mint, rules, ctx));
    const Effect bare{"mint", {}, ids};
    CHECK_FALSE(n.validate_effect(bare, rules, ctx));
    CHECK(n.effect_problems(bare, rules, ctx) == std::vector<std::string>{"requires_parameter: parameter 'amount' is missing"});
    const auto problems = n.effect_problems(mint, rules, s.context({s.read_only}));
    REQUIRE(problems.size() == 1);
    CHECK_THAT(problems[0], Catch::Contains("no capability grants consume"));
    ExecutionContext elsewhere = ctx;
    elsewhere.domain_id = "evm";
    CHECK_FALSE(n.validate_effect(mint, rules, elsewhere));
}
