// The native zkVM domain in plans: guests run and proven in VmCore, their proofs carried
// to other domains as messages and verified there before those act (a ledger credits a
// proven value; a second native domain verifies the proof); a tampered proof is refused
// and the plan compensates; Compilation and ZkProofs policies on their own.
#include "xvm/xvm_world.hpp"

#include <causality/field.hpp>
#include <causality/stark.hpp>
#include <causality/xvm/domains/native.hpp>

#include <catch2/catch.hpp>

using namespace xvmtest;
namespace vm = causality::vm;

namespace {

using F = causality::field::BabyBear;
using Vm = vm::VmCore<F, vm::ext::Rv32im>;
using SC = causality::stark::TestingConfig<F, 4>;
using Native = NativeAdapter<Vm, SC>;
static_assert(CompilationAdapter<Native> && ZkProofAdapter<Native> && CrossVmAdapter<Native>);

std::string guest(const std::string& name) { return std::string(CAUSALITY_GUEST_DIR) + "/" + name + ".elf"; }

CrossVmBroker world() {
    auto reg = registry();
    register_native<Vm, SC>(reg);
    CrossVmBroker b;
    b.add_all(reg, Json::array({Json{{"domain", "zk-a"}, {"type", "native-zkvm"}, {"programs", {{"fib", guest("fibonacci")}}}},
                                Json{{"domain", "zk-b"}, {"type", "native-zkvm"}, {"interface", "1.0"},
                                     {"programs", {{"fib", guest("fibonacci")}, {"hello", guest("hello")}}}},
                                Json{{"domain", "bank"}, {"type", "ledger"}}}));
    return b;
}

// fib(n) for n given as the input's first 4 bytes, little-endian.
std::string input_of(std::uint32_t n) {
    static constexpr char d[] = "0123456789abcdef";
    std::string s;
    for (int i = 0; i < 4; ++i) {
        const auto b = static_cast<std::uint8_t>(n >> (8 * i));
        s += d[b >> 4];
        s += d[b & 15];
    }
    return s;
}

CoordinationPlan proven_plan(bool tamper) {
    CoordinationPlan p(CoordinationContext(tamper ? "tampered" : "proven").add_domain("zk-a").add_domain("zk-b").add_domain("bank"));
    p.add_step({"prove_fib", "zk-a", "run", {{"program", "fib"}, {"input_hex", input_of(20)}, {"prove", true}}});
    p.add_step({"hello", "zk-b", "run", {{"program", "hello"}}});  // independent: runs alongside
    p.add_step(CoordinationStep("open", "bank", "open", {{"account", "prover"}, {"owner", "prover"}})
                   .compensate_with("burn", {{"account", "prover"}, {"amount", 0}}));
    p.add_step(CoordinationStep("check_on_b", "zk-b", "verify", {{"program", "fib"}}).receives_from("prove_fib"));
    p.add_step(CoordinationStep("credit", "bank", "credit_on_proof", {{"account", "prover"}, {"program", "fib"}, {"value", 0}})
                   .add_dependency("open")
                   .add_dependency(tamper ? "hello" : "check_on_b")
                   .receives_from("prove_fib")
                   .compensate_with("burn", {{"account", "prover"}, {"amount", {{"$from", "credit"}, {"pointer", "/amount"}}}}));
    return p;
}

}  // namespace

TEST_CASE("xvm native domain: a proof made in one domain is verified in two others before they act", "[xvm][native]") {
    auto b = world();
    EffectValidatorRegistry v;
    CoordinationExecutor ex(b, v, nullptr, {2});
    const auto r = ex.execute(proven_plan(false));
    REQUIRE(r.status == PlanStatus::completed);
    const auto& proven = r.step("prove_fib").outcome;
    CHECK(proven.output["exit_code"] == 0);
    CHECK(proven.output["public_values"][0] == 6765);  // fib(20)
    CHECK(!proven.attachment.empty());
    CHECK(r.step("check_on_b").outcome.output["public_values"][0] == 6765);
    CHECK(r.step("check_on_b").outcome.output["verified_from"] == "zk-a");
    CHECK(r.step("hello").outcome.output["output"].get<std::string>().find("hello, ") != std::string::npos);
    CHECK(balance(b, "bank", "prover") == "6765");
    // The proof verifies on its own through the policy; another program's or a changed one does not.
    auto& zk = b.proofs_of("zk-b");
    CHECK(zk.verify_proof("fib", proven.attachment)["exit_code"] == 0);
    try {
        (void)zk.verify_proof("hello", proven.attachment);
        FAIL("a proof of fib verified as hello");
    } catch (const XvmError& e) {
        CHECK(e.kind() == XvmErrorKind::proof_rejected);
    }
    auto changed = proven.attachment;
    changed[changed.size() / 2] ^= 0x10;
    CHECK_THROWS_AS(zk.verify_proof("fib", changed), XvmError);
    std::vector<std::uint8_t> truncated(proven.attachment.begin(), proven.attachment.begin() + 40);
    CHECK_THROWS_AS(zk.verify_proof("fib", truncated), XvmError);
    // Compilation: loading an ELF gives its content id; a file that is not one is refused.
    auto* c = b.adapter("zk-a").compilation();
    REQUIRE(c);
    const auto id = c->compile(Json{{"elf", guest("hello")}});
    CHECK(id.size() == 64);
    CHECK(b.adapter("zk-a").execute({"run", {{"program", id}}, ""}).output["program_id"] == id);
    try {
        (void)c->compile(Json{{"elf", std::string(CAUSALITY_GUEST_DIR) + "/guest.h"}});
        FAIL("not an ELF, compiled");
    } catch (const XvmError& e) {
        CHECK(e.kind() == XvmErrorKind::rejected);
    }
    // A run that does not exit is refused by kind.
    try {
        (void)b.adapter("zk-a").execute({"run", {{"program", "fib"}, {"max_cycles", 100}}, ""});
        FAIL("a cut-off run was accepted");
    } catch (const XvmError& e) {
        CHECK(e.kind() == XvmErrorKind::rejected);
    }
}

TEST_CASE("xvm native domain: a tampered proof in a message is refused and the plan compensates", "[xvm][native]") {
    auto b = world();
    // The broker hands messages for credit_on_proof through this handler, which flips a
    // proof byte on the way (a hostile relay) before the ledger's own receive.
    b.on("credit_on_proof", [](CrossVmBroker& br, const Message& m, const Operation& op) {
        Message bad = m;
        bad.attachment[bad.attachment.size() / 3] ^= 1;
        return br.adapter(m.target).cross_vm()->receive(bad, op, br);
    });
    EffectValidatorRegistry v;
    CoordinationExecutor ex(b, v);
    const auto r = ex.execute(proven_plan(true));
    CHECK(r.status == PlanStatus::compensated);
    CHECK(r.step("credit").status == StepStatus::failed);
    CHECK(r.step("credit").error.find("proof rejected") != std::string::npos);
    CHECK(r.step("open").status == StepStatus::compensated);
    CHECK(balance(b, "bank", "prover") == "0");
}
