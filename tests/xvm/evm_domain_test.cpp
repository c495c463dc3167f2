// The EVM domain in plans, against anvil on loopback: a plan across a ledger and the chain
// (deploy, send, call, events, values passed between steps); a revert with its reason
// making the plan compensate; configuration errors (chain id, key, artifacts); a reorg
// while a plan runs; the node stopped and started again mid-plan; and the coordinator
// killed at each point of an EVM step (recorded but not broadcast, broadcast but not final,
// final but not recorded) and resumed from its journal: every plan completes and the chain
// holds each effect exactly once.
#include "evm/anvil.hpp"
#include "temp_files.hpp"
#include "xvm/xvm_world.hpp"

#include <causality/xvm/domains/evm.hpp>

#include <catch2/catch.hpp>

#include <filesystem>
#include <functional>
#include <optional>
#include <thread>

#include <csignal>
#include <sys/wait.h>
#include <unistd.h>

using namespace xvmtest;
namespace evm = causality::evm;
using evmtest::Anvil;

namespace {

constexpr const char* key_variable = "CAUSALITY_TEST_EVM_KEY";

DomainAdapterRegistry evm_registry() {
    ::setenv(key_variable, evmtest::dev_key0, 1);
    auto r = registry();
    register_evm(r);
    return r;
}

Json chain_config(const Anvil& node, const std::string& state = ":memory:", std::uint64_t confirmations = 1) {
    return Json{{"domain", "chain"},
                {"type", "evm"},
                {"rpc", node.url()},
                {"chain_id", 31337},
                {"key_env", key_variable},
                {"finality", {{"confirmations", confirmations}}},
                {"poll_ms", 10},
                {"timeout_ms", 20000},
                {"rpc_timeout_ms", 2000},
                {"state", state},
                {"contracts", {{"token", {{"artifact", evmtest::contract_artifact("TestToken")}}}}}};
}

EvmBackend& chain(CrossVmBroker& b) { return dynamic_cast<EvmAdapter&>(b.adapter("chain")).backend(); }

Json token_balance(CrossVmBroker& b, const char* who) {
    return b.adapter("chain").query(Json{{"call", {{"contract", "token"}, {"function", "balanceOf"}, {"args", Json::array({who})}}}})["result"][0];
}

// deploy the token; pay Bob 250; read his balance and the Transfer events to him; credit
// the ledger with the amount the event carried.
CoordinationPlan token_plan(const std::string& id, const std::string& account = "bob", std::uint64_t amount = 250) {
    CoordinationPlan p(CoordinationContext(id).add_domain("chain").add_domain("bank"));
    p.add_step({"deploy", "chain", "deploy", {{"contract", "token"}, {"args", Json::array({"Tok", 1000})}}});
    p.add_step(CoordinationStep("open", "bank", "open", {{"account", account}, {"owner", "bob"}}));
    p.add_step(CoordinationStep("pay", "chain", "send",
                                {{"contract", "token"}, {"function", "transfer"}, {"args", {{"to", evmtest::dev_address1}, {"value", amount}}}})
                   .add_dependency("deploy")
                   .compensate_with("send", {{"contract", "token"}, {"function", "mint"},
                                             {"args", Json::array({"0x" + std::string(63, '0') + "1", evmtest::dev_address0, amount})}}));
    p.add_step(CoordinationStep("read", "chain", "call",
                                {{"contract", "token"}, {"function", "balanceOf"}, {"args", Json::array({evmtest::dev_address1})}})
                   .add_dependency("pay"));
    p.add_step(CoordinationStep("seen", "chain", "events", {{"contract", "token"}, {"event", "Transfer"}, {"where", {{"to", evmtest::dev_address1}}}})
                   .add_dependency("pay"));
    p.add_step(CoordinationStep("credit", "bank", "mint",
                                {{"account", account}, {"amount", {{"$from", "seen"}, {"pointer", "/events/0/args/value"}}}})
                   .add_dependency("open")
                   .add_dependency("seen"));
    return p;
}

// After a crash: a new coordinator over the same files resumes the plan "crash"/"down",
// which completes with each effect on the chain once (one deployment, one payment). With
// `may_doubt`, the node may have lost the payment's block while keeping its state (anvil
// stopped mid-block does): then the step must fail as "cannot tell" and the chain still
// hold the payment once, never twice.
void resume_completes(const std::function<void(CrossVmBroker&)>& world, const std::string& journal, bool may_doubt = false) {
    CrossVmBroker b;
    world(b);
    Journal j(journal);
    EffectValidatorRegistry v;
    CoordinationExecutor ex(b, v, &j);
    const auto results = ex.resume_all();
    REQUIRE(results.size() == 1);
    for (const auto& s : results[0].steps) UNSCOPED_INFO(s.id << ": " << s.error);
    CHECK(chain(b).client().nonce(chain(b).signer()->address(), "latest") == 2);
    CHECK(token_balance(b, evmtest::dev_address1) == "250");
    if (may_doubt && !results[0].completed()) {
        CHECK_THAT(results[0].step("pay").error, Catch::Contains("cannot tell whether"));
        return;
    }
    CHECK(results[0].completed());
    CHECK(balance(b, "bank", "bob") == "250");
}

}  // namespace

TEST_CASE("evm domain: a plan across a ledger and the chain, values read from events", "[xvm][evm]") {
    Anvil node;
    CrossVmBroker b;
    b.add_all(evm_registry(), Json::array({chain_config(node), Json{{"domain", "bank"}, {"type", "ledger"}}}));
    EffectValidatorRegistry v;
    for (const unsigned workers : {1u, 2u}) {
        CoordinationExecutor ex(b, v, nullptr, {workers});
        const std::string account = "bob" + std::to_string(workers);
        const auto r = ex.execute(token_plan("tok-" + std::to_string(workers), account));
        for (const auto& s : r.steps) UNSCOPED_INFO(s.id << ": " << s.error);
        for (const auto& e : r.validation.errors()) UNSCOPED_INFO(e.step << " " << e.message);
        REQUIRE(r.completed());
        const auto& deploy = r.step("deploy").outcome.output;
        CHECK(deploy["address"].get<std::string>().size() == 42);
        const auto& pay = r.step("pay").outcome.output;
        REQUIRE(pay["events"].size() == 1);
        CHECK(pay["events"][0]["event"] == "Transfer");
        CHECK(pay["events"][0]["args"]["value"] == "250");
        CHECK(r.step("read").outcome.output["result"][0] == "250");
        CHECK(r.step("seen").outcome.output["events"].size() == 1);
        CHECK(balance(b, "bank", account) == "250");
        CHECK(token_balance(b, evmtest::dev_address1) == "250");  // the second plan deployed a new token
        // the same plan again: everything recorded, nothing sent twice
        const auto nonce = chain(b).client().nonce(chain(b).signer()->address());
        CHECK(ex.execute(token_plan("tok-" + std::to_string(workers), account)).completed());
        CHECK(chain(b).client().nonce(chain(b).signer()->address()) == nonce);
    }
}

TEST_CASE("evm domain: a revert is a rejection with its reason, the plan compensates", "[xvm][evm]") {
    Anvil node;
    CrossVmBroker b;
    b.add_all(evm_registry(), Json::array({chain_config(node), Json{{"domain", "bank"}, {"type", "ledger"}}}));
    EffectValidatorRegistry v;
    CoordinationExecutor ex(b, v);
    CoordinationPlan p(CoordinationContext("overdraw").add_domain("chain").add_domain("bank"));
    p.add_step({"deploy", "chain", "deploy", {{"contract", "token"}, {"args", Json::array({"Tok", 1000})}}});
    p.add_step(CoordinationStep("open", "bank", "open", {{"account", "a"}, {"owner", "a"}}));
    p.add_step(CoordinationStep("mint", "bank", "mint", {{"account", "a"}, {"amount", 5}})
                   .add_dependency("open")
                   .compensate_with("burn", {{"account", "a"}, {"amount", 5}}));
    p.add_step(CoordinationStep("too_much", "chain", "send",
                                {{"contract", "token"}, {"function", "transfer"}, {"args", Json::array({evmtest::dev_address1, 5000})}})
                   .add_dependency("deploy")
                   .add_dependency("mint"));
    const auto r = ex.execute(p);
    CHECK(r.status == PlanStatus::compensated);
    CHECK_THAT(r.step("too_much").error, Catch::Contains("Insufficient(1000, 5000)"));
    CHECK(balance(b, "bank", "a") == "0");
    // unknown function, bad argument: rejected or a translation error, before anything is sent
    const auto nonce = chain(b).client().nonce(chain(b).signer()->address());
    CoordinationPlan q(CoordinationContext("bad-args").add_domain("chain"));
    q.add_step({"x", "chain", "send", {{"contract", "token"}, {"function", "transfer"}, {"args", Json::array({"0x12", 1})}}});
    const auto rq = ex.execute(q);
    CHECK(rq.status != PlanStatus::completed);
    CHECK_THAT(rq.step("x").error, Catch::Contains("not 20"));
    CHECK(chain(b).client().nonce(chain(b).signer()->address()) == nonce);
}

TEST_CASE("evm domain: a step's timeout bounds its wait for finality", "[xvm][evm]") {
    Anvil node;  // automine only: nothing mines the 50 confirmations the domain asks for
    CrossVmBroker b;
    b.add_all(evm_registry(), Json::array({chain_config(node, ":memory:", 50)}));
    EffectValidatorRegistry v;
    CoordinationExecutor ex(b, v);
    CoordinationPlan p(CoordinationContext("slow").add_domain("chain"));
    CoordinationStep deploy("deploy", "chain", "deploy", {{"contract", "token"}, {"args", Json::array({"Tok", 1})}});
    deploy.timeout = std::chrono::milliseconds(300);
    p.add_step(deploy);
    const auto r = ex.execute(p);
    CHECK(r.status != PlanStatus::completed);
    CHECK_THAT(r.step("deploy").error, Catch::Contains("is not final after"));
    CHECK_THAT(r.step("deploy").error, !Catch::Contains("after 20000 ms"));  // the step's bound, not the domain's
    CHECK(b.adapter("chain").query(Json{{"sent", "slow/deploy"}}).size() == 1);  // sent once, recorded
}

TEST_CASE("evm domain: configuration errors name what is wrong and never the key", "[xvm][evm]") {
    Anvil node;
    auto reg = evm_registry();
    const auto refused = [&](Json c, const char* why) {
        try {
            (void)reg.build(c);
            FAIL("built " << c.dump());
        } catch (const XvmError& e) {
            CHECK(e.kind() == XvmErrorKind::bad_config);
            CHECK_THAT(e.what(), Catch::Contains(why));
            CHECK_THAT(e.what(), !Catch::Contains("ac0974be"));
        }
    };
    Json c = chain_config(node);
    c["key_env"] = "CAUSALITY_TEST_NO_SUCH_KEY";
    refused(c, "CAUSALITY_TEST_NO_SUCH_KEY");
    c = chain_config(node);
    c["finality"] = {{"confirmations", 0}};
    refused(c, "at least 1");
    c = chain_config(node);
    c["finality"] = {{"tag", "safe"}};
    refused(c, "finalized");
    c = chain_config(node);
    c["contracts"]["token"]["artifact"] = "/nonexistent.json";
    refused(c, "cannot read the artifact");
    c = chain_config(node);
    c["contracts"]["token"]["address"] = "0x1234";
    refused(c, "not 20");
    ::setenv("CAUSALITY_TEST_BAD_KEY", "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff8", 1);
    c = chain_config(node);
    c["key_env"] = "CAUSALITY_TEST_BAD_KEY";
    refused(c, "not 32 bytes");
    // a chain id the node does not have: refused at the first effect
    c = chain_config(node);
    c["chain_id"] = 1;
    CrossVmBroker b;
    b.add(reg.build(c));
    EffectValidatorRegistry v;
    CoordinationExecutor ex(b, v);
    CoordinationPlan p(CoordinationContext("wrong-chain").add_domain("chain"));
    p.add_step({"deploy", "chain", "deploy", {{"contract", "token"}, {"args", Json::array({"Tok", 1})}}});
    const auto r = ex.execute(p);
    CHECK(r.status != PlanStatus::completed);
    CHECK_THAT(r.step("deploy").error, Catch::Contains("is chain 31337"));
    // without a key: reads only
    c = chain_config(node);
    c.erase("key_env");
    CrossVmBroker ro;
    ro.add(reg.build(c));
    CoordinationExecutor ex2(ro, v);
    CHECK_THAT(ex2.execute(p).step("deploy").error, Catch::Contains("no key"));
}

TEST_CASE("evm domain: a reorg while a plan waits for finality, the step becomes final once", "[xvm][evm][reorg]") {
    Anvil node;
    CrossVmBroker b;
    b.add_all(evm_registry(), Json::array({chain_config(node, ":memory:", 3), Json{{"domain", "bank"}, {"type", "ledger"}}}));
    std::atomic<bool> stop{false}, paid{false};
    std::atomic<int> reorgs{0};
    chain(b).hook = [&](std::string_view point, const Operation& op) {
        if (point == "after broadcast" && op.name == "send") paid = true;
    };
    evmtest::Background chain_thread([&] {  // the chain: mine steadily; once the payment is in a block, reorg that block away
        evm::EvmClient c(node.url());
        while (!stop) {
            std::this_thread::sleep_for(std::chrono::milliseconds(30));
            try {
                if (paid && reorgs == 0) {
                    const Json sent = b.adapter("chain").query(Json{{"sent", "reorged/pay"}});
                    if (!sent.empty()) {
                        const auto tx = evm::fixed_from_hex<32>(sent[0]["tx"].get<std::string>(), "tx");
                        if (const auto rc = c.receipt(tx)) {
                            const std::uint64_t depth = c.block_number() - rc->block_number + 1;
                            (void)c.raw("anvil_reorg", Json::array({depth, Json::array()}));
                            ++reorgs;
                        }
                    }
                }
                (void)c.raw("anvil_mine", Json::array({"0x1"}));
            } catch (const evm::EvmError&) {
            }
        }
    });
    EffectValidatorRegistry v;
    CoordinationExecutor ex(b, v);
    const auto r = ex.execute(token_plan("reorged"));
    stop = true;
    chain_thread.join();
    REQUIRE(r.completed());
    CHECK(reorgs == 1);
    const auto& pay = r.step("pay").outcome.output;
    CHECK(pay["reorgs"].get<int>() + pay["rebroadcasts"].get<int>() >= 1);
    CHECK(token_balance(b, evmtest::dev_address1) == "250");
    CHECK(balance(b, "bank", "bob") == "250");
}

TEST_CASE("evm domain: the node stopped and started again mid-plan, the plan retries through it", "[xvm][evm]") {
    const std::string state = testfiles::temp_path("causality-evm-restart", "anvil.json");
    Anvil node({"--state", state});
    CrossVmBroker b;
    b.add_all(evm_registry(), Json::array({chain_config(node), Json{{"domain", "bank"}, {"type", "ledger"}}}));
    std::atomic<bool> restarted{false};
    std::optional<evmtest::Background> restarter;
    chain(b).hook = [&](std::string_view point, const Operation& op) {
        if (point == "after final" && op.name == "deploy" && !restarted.exchange(true)) {
            restarter.emplace([&] {
                node.stop();
                std::this_thread::sleep_for(std::chrono::milliseconds(800));
                node.start();
            });
            std::this_thread::sleep_for(std::chrono::milliseconds(100));  // the node goes down
        }
    };
    auto plan = token_plan("restarted");
    CoordinationPlan p(plan.context());
    for (auto s : plan.steps()) {
        s.with_retry(RetryPolicy{30, std::chrono::milliseconds(100), 1.5, std::chrono::milliseconds(500)});
        p.add_step(std::move(s));
    }
    EffectValidatorRegistry v;
    CoordinationExecutor ex(b, v);
    const auto r = ex.execute(p);
    REQUIRE(restarted);
    restarter->join();
    REQUIRE(r.completed());
    CHECK(r.step("pay").attempts + r.step("deploy").attempts + r.step("read").attempts + r.step("seen").attempts > 4);
    CHECK(token_balance(b, evmtest::dev_address1) == "250");
    CHECK(balance(b, "bank", "bob") == "250");
}

TEST_CASE("evm domain: the coordinator killed at each point of an EVM step, resumed from its journal", "[xvm][evm][crash]") {
    const std::vector<std::string> points = {"before broadcast", "after broadcast", "after final"};
    const std::vector<std::string> steps = {"deploy", "pay"};
    for (const auto& step : steps)
        for (const auto& point : points) {
            DYNAMIC_SECTION(step << " / " << point) {
                Anvil node;
                const std::string dir = std::filesystem::path(testfiles::temp_path("causality-evm-crash", "x")).parent_path().string();
                const std::string tag = step + "-" + std::to_string(point.size());
                const std::string journal = testfiles::temp_path("causality-evm-crash", tag + "-journal.db");
                const std::string evm_state = testfiles::temp_path("causality-evm-crash", tag + "-evm.db");
                const std::string bank = testfiles::temp_path("causality-evm-crash", tag + "-bank.db");
                const auto world = [&](CrossVmBroker& b) {
                    b.add_all(evm_registry(), Json::array({chain_config(node, evm_state), Json{{"domain", "bank"}, {"type", "ledger"}, {"db", bank}}}));
                };
                const pid_t child = ::fork();
                REQUIRE(child >= 0);
                if (child == 0) {
                    CrossVmBroker b;
                    world(b);
                    chain(b).hook = [&](std::string_view at, const Operation& op) {
                        if (at == point && op.name == (step == "deploy" ? "deploy" : "send")) ::_exit(42);
                    };
                    Journal j(journal);
                    EffectValidatorRegistry v;
                    CoordinationExecutor ex(b, v, &j);
                    (void)ex.execute(token_plan("crash"));
                    ::_exit(0);
                }
                int status = 0;
                ::waitpid(child, &status, 0);
                REQUIRE(WIFEXITED(status));
                REQUIRE(WEXITSTATUS(status) == 42);
                resume_completes(world, journal);
            }
        }
}

TEST_CASE("evm domain: the node goes down mid-plan and the coordinator dies waiting for it, both restart, the plan resumes from the journal", "[xvm][evm][crash]") {
    const std::string state = testfiles::temp_path("causality-evm-down", "anvil.json");
    const std::string journal = testfiles::temp_path("causality-evm-down", "journal.db");
    const std::string evm_state = testfiles::temp_path("causality-evm-down", "evm.db");
    const std::string bank = testfiles::temp_path("causality-evm-down", "bank.db");
    Anvil node({"--state", state});
    const auto world = [&](CrossVmBroker& b) {
        b.add_all(evm_registry(), Json::array({chain_config(node, evm_state), Json{{"domain", "bank"}, {"type", "ledger"}, {"db", bank}}}));
    };
    const auto patient = [] {  // every step retries for as long as the node is away
        const CoordinationPlan plain = token_plan("down");
        CoordinationPlan p(plain.context());
        for (auto s : plain.steps()) {
            s.with_retry(RetryPolicy{1000, std::chrono::milliseconds(50), 1.0, std::chrono::milliseconds(50)});
            p.add_step(std::move(s));
        }
        return p;
    };
    int ready[2];
    REQUIRE(::pipe(ready) == 0);
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        ::close(ready[0]);
        CrossVmBroker b;
        world(b);
        chain(b).hook = [&](std::string_view at, const Operation& op) {
            if (at == "after broadcast" && op.name == "send") {  // the payment is out: tell the parent
                const char c = 'x';
                (void)!::write(ready[1], &c, 1);
                std::this_thread::sleep_for(std::chrono::milliseconds(100));
            }
        };
        Journal j(journal);
        EffectValidatorRegistry v;
        CoordinationExecutor ex(b, v, &j);
        (void)ex.execute(patient());
        ::_exit(0);
    }
    ::close(ready[1]);
    char c = 0;
    REQUIRE(::read(ready[0], &c, 1) == 1);
    ::close(ready[0]);
    node.stop();  // the node goes down (SIGTERM: it writes its chain to --state)
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the coordinator retries against nothing
    ::kill(child, SIGKILL);
    int status = 0;
    ::waitpid(child, &status, 0);
    REQUIRE(WIFSIGNALED(status));
    node.start();
    resume_completes(world, journal, true);
}
