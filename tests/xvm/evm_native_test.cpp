// A cross-VM plan end to end: the native zkVM proves a resource transfer (the note-transfer
// guest spending two notes under Alice's capability); the EVM domain verifies the proof
// with the native domain's verifier and posts what it states (program id, nullifiers,
// commitments) to the registry contract on anvil; a later step reads the Posted event from
// a final block and credits a ledger with the number of notes created. Posting the same
// transfer again is refused by the contract ("nullifier spent": the plan compensates), and
// delivering the same message again is refused by the channel nonce.
#include "evm/anvil.hpp"
#include "temp_files.hpp"
#include "vm/resource_world.hpp"
#include "xvm/xvm_world.hpp"

#include <causality/resource/run_file.hpp>
#include <causality/stark/config.hpp>
#include <causality/xvm/domains/evm.hpp>
#include <causality/xvm/domains/native.hpp>

#include <catch2/catch.hpp>

#include <fstream>

using namespace xvmtest;
namespace evm = causality::evm;
using evmtest::Anvil;

namespace {

using SC = causality::stark::TestingConfig<vmtest::F, 4>;

std::string hex_of(const std::vector<std::uint8_t>& b) { return evm::to_hex(b, false); }

struct Fixture {
    Anvil node;
    restest::World w;
    std::string run_file = testfiles::temp_path("causality-evm-native", "transfer.run");
    std::string input_hex;
    CrossVmBroker broker;
    Journal journal{testfiles::temp_path("causality-evm-native", "journal.db")};
    EffectValidatorRegistry validators;
    CoordinationExecutor ex{broker, validators, &journal};

    Fixture() {
        const auto file = w.file({0, 1}, {w.alice_notes});
        const auto bytes = causality::resource::encode_run_file(file);
        std::ofstream(run_file, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
        const auto carol = causality::resource::owner_of(restest::digest_of(3));
        input_hex = hex_of(restest::transfer_input({w.alice_key, w.alice_key}, {{carol, 40, restest::digest_of(50)}, {w.notes[0].owner, 2, restest::digest_of(51)}}));
        ::setenv("CAUSALITY_TEST_EVM_KEY", evmtest::dev_key0, 1);
        auto reg = registry();
        register_native<restest::RVm, SC>(reg);
        register_evm(reg);
        broker.add_all(reg, Json::array({Json{{"domain", "zk"}, {"type", "native-zkvm"},
                                               {"programs", {{"note_transfer", std::string(CAUSALITY_GUEST_DIR) + "/note_transfer.elf"}}}},
                                          Json{{"domain", "chain"}, {"type", "evm"}, {"rpc", node.url()}, {"chain_id", 31337},
                                               {"key_env", "CAUSALITY_TEST_EVM_KEY"}, {"finality", {{"confirmations", 1}}}, {"poll_ms", 10},
                                               {"contracts", {{"registry", {{"artifact", evmtest::contract_artifact("Registry")}}}}}},
                                          Json{{"domain", "bank"}, {"type", "ledger"}}}));
    }

    CoordinationPlan plan(const std::string& id, bool deploy) const {
        CoordinationPlan p(CoordinationContext(id).add_domain("zk").add_domain("chain").add_domain("bank"));
        if (deploy) p.add_step({"deploy", "chain", "deploy", {{"contract", "registry"}}});
        p.add_step({"prove", "zk", "run", {{"program", "note_transfer"}, {"resources", run_file}, {"input_hex", input_hex}, {"prove", true}}});
        CoordinationStep post("post", "chain", "post_proven", {{"program", "note_transfer"}});
        post.receives_from("prove");
        if (deploy) post.add_dependency("deploy");
        p.add_step(post);
        p.add_step(CoordinationStep("seen", "chain", "events", {{"contract", "registry"}, {"event", "Posted"}}).add_dependency("post"));
        p.add_step(CoordinationStep("open", "bank", "open", {{"account", "carol-" + id}, {"owner", "carol"}})
                       .compensate_with("burn", {{"account", "carol-" + id}, {"amount", 0}}));
        p.add_step(CoordinationStep("credit", "bank", "mint",
                                    {{"account", "carol-" + id}, {"amount", {{"$from", "seen"}, {"pointer", "/events/0/args/count"}}}})
                       .add_dependency("open")
                       .add_dependency("seen"));
        return p;
    }
    Json registry_call(const std::string& fn, const Json& args) {
        return broker.adapter("chain").query(Json{{"call", {{"contract", "registry"}, {"function", fn}, {"args", args}}}})["result"][0];
    }
};

}  // namespace

TEST_CASE("evm + native: a proven resource transfer posted to the registry, replays refused by the contract and the channel", "[xvm][evm][native]") {
    Fixture f;
    const auto r = f.ex.execute(f.plan("first", true));
    for (const auto& s : r.steps) UNSCOPED_INFO(s.id << ": " << s.error);
    REQUIRE(r.completed());
    const Json& proven = r.step("prove").outcome.output;
    REQUIRE(proven["nullifiers"].size() == 2);
    REQUIRE(proven["commitments"].size() == 2);
    CHECK(proven["nullifiers"][0] == causality::vm::digest_hex(causality::resource::nullifier(f.w.alice_key, causality::resource::resource_id(f.w.notes[0]))));
    // what the chain holds is what the verifier stated
    const Json& post = r.step("post").outcome.output;
    REQUIRE(post["events"].size() == 1);
    const Json& ev = post["events"][0]["args"];
    CHECK(post["events"][0]["event"] == "Posted");
    CHECK(ev["program"] == "0x" + proven["program_id"].get<std::string>());
    CHECK(ev["nullifiers"] == Json::array({"0x" + proven["nullifiers"][0].get<std::string>(), "0x" + proven["nullifiers"][1].get<std::string>()}));
    CHECK(ev["commitments"][1] == "0x" + proven["commitments"][1].get<std::string>());
    CHECK(ev["key"] == evm::to_hex(evm::abi::keccak("first/post")));
    CHECK(f.registry_call("spent", Json::array({ev["nullifiers"][0]})) == true);
    CHECK(f.registry_call("applied", Json::array({ev["key"]})) == true);
    CHECK(f.registry_call("posts", Json::array()) == "1");
    // the later step read the event from a final block and acted in the ledger
    CHECK(r.step("seen").outcome.output["events"].size() == 1);
    CHECK(balance(f.broker, "bank", "carol-first") == "2");

    // the same transfer proven and posted again by another plan: the contract refuses it
    const auto again = f.ex.execute(f.plan("again", false));
    CHECK(again.status == PlanStatus::compensated);
    CHECK_THAT(again.step("post").error, Catch::Contains("nullifier spent"));
    CHECK(f.registry_call("posts", Json::array()) == "1");

    // the first plan's message delivered again: the channel refuses it before the chain sees it
    Message m;
    m.source = "zk";
    m.target = "chain";
    m.nonce = 0;
    m.operation = "post_proven";
    m.payload = proven;
    m.attachment = r.step("prove").outcome.attachment;
    m.tag = m.compute_tag(f.journal.channel_key("zk", "chain"));
    const Operation op{"post_proven", {{"program", "note_transfer"}}, "outside/replay"};
    try {
        (void)f.ex.deliver(m, op);
        FAIL("a replayed message was delivered");
    } catch (const XvmError& e) {
        CHECK(e.kind() == XvmErrorKind::replayed_message);
    }
    // a tampered proof is refused by the verifier, nothing posted
    Message bad = m;
    bad.nonce = f.journal.next_receive("zk", "chain");
    bad.attachment[bad.attachment.size() / 2] ^= 1;
    bad.tag = bad.compute_tag(f.journal.channel_key("zk", "chain"));
    try {
        (void)f.ex.deliver(bad, Operation{"post_proven", {{"program", "note_transfer"}}, "outside/tampered"});
        FAIL("a tampered proof was posted");
    } catch (const XvmError& e) {
        CHECK(e.kind() == XvmErrorKind::proof_rejected);
    }
    CHECK(f.registry_call("posts", Json::array()) == "1");
}
