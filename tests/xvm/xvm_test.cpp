// The cross-VM layer: translation, adapters and their registry, the broker, validation,
// plans (DAG checks), the executor (dependencies, parallel steps, retries, compensation),
// cross-domain messages (forged, replayed, out of order) and the plan file format.
#include "temp_files.hpp"
#include "xvm/xvm_world.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <unistd.h>

using namespace xvmtest;
using causality::ErrorCode;

namespace {

template <class Fn>
XvmErrorKind kind_of(Fn&& fn) {
    try {
        fn();
    } catch (const XvmError& e) {
        return e.kind();
    }
    FAIL("no XvmError");
    return XvmErrorKind::journal;
}

std::string temp_path(const std::string& name) { return testfiles::temp_path("causality-xvm-test", name); }

CrossVmBroker two_ledgers() {
    CrossVmBroker b;
    const auto reg = registry();
    b.add_all(reg, Json::parse(R"([{"domain": "bank", "type": "ledger"}, {"domain": "shop", "type": "ledger", "interface": "1.0"},
                                   {"domain": "oracle", "type": "oracle", "secret": "k"}])"));
    return b;
}

CoordinationPlan payment_plan(const std::string& id) {
    CoordinationPlan p(CoordinationContext(id).add_domain("bank").add_domain("shop").add_domain("oracle"));
    p.add_step({"open_alice", "bank", "open", {{"account", "alice"}, {"owner", "alice"}}});
    p.add_step({"open_shop", "shop", "open", {{"account", "till"}, {"owner", "shop"}}});
    p.add_step(CoordinationStep("mint_alice", "bank", "mint", {{"account", "alice"}, {"amount", "100"}})
                   .add_dependency("open_alice")
                   .compensate_with("burn", {{"account", "alice"}, {"amount", "100"}}));
    p.add_step(CoordinationStep("mint_till", "shop", "mint", {{"account", "till"}, {"amount", 5}})
                   .add_dependency("open_shop")
                   .compensate_with("burn", {{"account", "till"}, {"amount", 5}}));
    p.add_step({"open_bob", "bank", "open", {{"account", "bob"}, {"owner", "bob"}}});
    p.add_step(CoordinationStep("pay_bob", "bank", "transfer",
                                {{"from", "alice"}, {"to", "bob"}, {"amount", {{"$from", "mint_alice"}, {"pointer", "/amount"}, {"as", "u64"}}},
                                 {"actor", "alice"}})
                   .add_dependency("mint_alice")
                   .add_dependency("open_bob")
                   .compensate_with("transfer", {{"from", "bob"}, {"to", "alice"}, {"amount", "100"}, {"actor", "bob"}}));
    return p;
}

}  // namespace

TEST_CASE("xvm translate: values move between JSON, 64-bit, decimal, ABI words and field elements", "[xvm]") {
    CHECK(to_u64(Json(42)) == 42);
    CHECK(to_u64(Json("18446744073709551615")) == UINT64_MAX);
    CHECK(to_u64(Json("0xff")) == 255);
    CHECK(abi_word_hex(to_abi_word(Json(1))) == "0x" + std::string(63, '0') + "1");
    const std::string max256 = "115792089237316195423570985008687907853269984665640564039457584007913129639935";
    CHECK(abi_word_decimal(to_abi_word(Json(max256))) == max256);
    CHECK(translate(Json("0x" + std::string(64, 'f')), Format::decimal) == max256);
    CHECK(translate(Json("12"), Format::field, 2013265921) == 12);
    CHECK(translate(Json(7), Format::abi_word) == abi_word_hex(to_abi_word(Json(7))));
    CHECK(translate(Json(true), Format::u64) == 1);
    // Values that do not fit are refused by kind, naming the bound.
    CHECK(kind_of([] { (void)to_u64(Json("18446744073709551616")); }) == XvmErrorKind::translation);
    CHECK(kind_of([] { (void)to_u64(Json(-1)); }) == XvmErrorKind::translation);
    CHECK(kind_of([] { (void)to_u64(Json(1.5)); }) == XvmErrorKind::translation);
    CHECK(kind_of([] { (void)to_u64(Json("12a")); }) == XvmErrorKind::translation);
    CHECK(kind_of([] { (void)to_u64(Json("")); }) == XvmErrorKind::translation);
    CHECK(kind_of([] { (void)to_abi_word(Json("0x" + std::string(65, '1'))); }) == XvmErrorKind::translation);
    CHECK(kind_of([&] { (void)to_abi_word(Json(max256 + "0")); }) == XvmErrorKind::translation);
    CHECK(kind_of([] { (void)to_abi_word(Json::array()); }) == XvmErrorKind::translation);
    try {
        (void)to_field(Json(2013265921), 2013265921, "amount");
        FAIL("accepted");
    } catch (const XvmError& e) {
        CHECK(e.code() == ErrorCode::out_of_range);
        CHECK(std::string(e.what()).find("modulus 2013265921") != std::string::npos);
    }
    CHECK(parse_format("field:17").second == 17);
    CHECK(kind_of([] { (void)parse_format("field:1"); }) == XvmErrorKind::bad_config);
    CHECK(kind_of([] { (void)parse_format("bytes"); }) == XvmErrorKind::bad_config);
}

TEST_CASE("xvm registry: adapters from configuration, unknown types and incompatible interfaces refused", "[xvm]") {
    const auto reg = registry();
    auto a = reg.build(Json::parse(R"({"domain": "l", "type": "ledger", "interface": "1.0"})"));
    CHECK(a->domain_id() == "l");
    CHECK(a->vm_type() == "ledger");
    CHECK(a->cross_vm() != nullptr);
    CHECK(a->zk_proofs() == nullptr);
    CHECK(a->compilation() == nullptr);
    auto o = reg.build(Json::parse(R"({"domain": "o", "type": "oracle", "interface": "1.1"})"));
    CHECK(o->zk_proofs() != nullptr);
    CHECK(kind_of([&] { (void)reg.build(Json::parse(R"({"domain": "x", "type": "cosmwasm"})")); }) == XvmErrorKind::unknown_vm_type);
    CHECK(kind_of([&] { (void)reg.build(Json::parse(R"({"domain": "x", "type": "ledger", "interface": "2.0"})")); }) ==
          XvmErrorKind::incompatible_interface);
    CHECK(kind_of([&] { (void)reg.build(Json::parse(R"({"domain": "x", "type": "oracle", "interface": "1.3"})")); }) ==
          XvmErrorKind::incompatible_interface);
    CHECK(kind_of([&] { (void)reg.build(Json::parse(R"({"domain": "x", "type": "ledger", "interface": "one"})")); }) ==
          XvmErrorKind::bad_config);
    CHECK(kind_of([&] { (void)reg.build(Json::parse(R"({"type": "ledger"})")); }) == XvmErrorKind::bad_config);
    CHECK(kind_of([&] { (void)reg.build(Json::parse(R"([1])")); }) == XvmErrorKind::bad_config);
    CHECK(kind_of([&] { (void)reg.build(Json::parse(R"({"domain": "x", "type": "ledger", "flaky": {"mint": -1}})")); }) ==
          XvmErrorKind::bad_config);
    try {
        (void)reg.build(Json::parse(R"({"domain": "x", "type": "ledger", "interface": "2.0"})"));
    } catch (const XvmError& e) {
        CHECK(std::string(e.what()).find("offers interface 1.0.0, the configuration requires 2.0.0 (another major version)") !=
              std::string::npos);
    }
    DomainAdapterRegistry r2;
    register_ledger(r2);
    CHECK(kind_of([&] { register_ledger(r2); }) == XvmErrorKind::bad_config);
}

TEST_CASE("xvm broker: adapters by domain, routing, unknown domains and operations", "[xvm]") {
    auto b = two_ledgers();
    CHECK(b.domains() == std::vector<std::string>{"bank", "oracle", "shop"});
    CHECK(kind_of([&] { (void)b.adapter("mars"); }) == XvmErrorKind::unknown_domain);
    CHECK(kind_of([&] { b.add(registry().build(Json::parse(R"({"domain": "bank", "type": "ledger"})"))); }) == XvmErrorKind::bad_config);
    (void)b.execute("bank", {"open", {{"account", "a"}, {"owner", "a"}}, "k1"});
    CHECK(kind_of([&] { (void)b.execute("bank", {"teleport", {}, "k2"}); }) == XvmErrorKind::unknown_operation);
    CHECK(kind_of([&] { (void)b.proofs_of("bank"); }) == XvmErrorKind::missing_capability);
    // An effect asked twice under one key is applied once; the second answer is the first's.
    const auto o1 = b.execute("bank", {"mint", {{"account", "a"}, {"amount", 3}}, "k3"});
    const auto o2 = b.execute("bank", {"mint", {{"account", "a"}, {"amount", 3}}, "k3"});
    CHECK(o1 == o2);
    CHECK(balance(b, "bank", "a") == "3");
    CHECK(b.adapter("bank").applied("k3").has_value());
    CHECK_FALSE(b.adapter("bank").applied("k4").has_value());
    CHECK(kind_of([&] { (void)b.execute("bank", {"burn", {{"account", "a"}, {"amount", 4}}, "k4"}); }) == XvmErrorKind::rejected);
    CHECK(kind_of([&] { (void)b.execute("bank", {"mint", {{"account", "a"}, {"amount", "x"}}, "k5"}); }) == XvmErrorKind::translation);
    // A handler per operation runs instead of the target's own receive.
    int handled = 0;
    b.on("credit_on_proof", [&](CrossVmBroker&, const Message&, const Operation&) {
        ++handled;
        return Outcome{};
    });
    Message m;
    m.source = "oracle";
    m.target = "bank";
    (void)b.deliver(m, {"credit_on_proof", {}, "k6"});
    CHECK(handled == 1);
}

TEST_CASE("xvm validation: rules report field, message and code, a plan with errors runs nothing", "[xvm]") {
    auto b = two_ledgers();
    EffectValidatorRegistry v;
    v.rules("amounts", "*", "mint").rule<rules::Required>("amount").rule<rules::Typed>("amount", rules::Type::unsigned_integer)
        .rule<rules::Range>("amount", 1, 1000);
    v.rules("transfers", "*", "transfer").rule<rules::ResourceAuthority>("from", "actor", "debit");
    v.rules("mint only at the bank", "*", "mint").rule<rules::DomainAllowList>(std::vector<std::string>{"bank"});
    (void)b.execute("bank", {"open", {{"account", "carol"}, {"owner", "carol"}}, "pre1"});
    (void)b.execute("bank", {"open", {{"account", "dave"}, {"owner", "dave"}}, "pre2"});
    (void)b.execute("bank", {"grant", {{"account", "carol"}, {"actor", "carol"}, {"to", "erin"}, {"right", "debit"}}, "pre3"});

    CoordinationPlan p(CoordinationContext("v1").add_domain("bank").add_domain("shop"));
    p.add_step({"m1", "bank", "mint", {{"account", "carol"}}});                           // amount missing
    p.add_step({"m2", "bank", "mint", {{"account", "carol"}, {"amount", "5000"}}});       // out of range
    p.add_step({"m3", "shop", "mint", {{"account", "carol"}, {"amount", 1}}});            // wrong domain
    p.add_step({"t1", "bank", "transfer", {{"from", "carol"}, {"to", "dave"}, {"amount", 1}, {"actor", "mallory"}}});  // no right
    p.add_step({"t2", "bank", "transfer", {{"from", "carol"}, {"to", "dave"}, {"amount", 1}, {"actor", "erin"}}});     // granted
    p.add_step({"t3", "bank", "transfer", {{"from", "carol"}, {"to", "dave"}, {"amount", 1}, {"actor", "carol"}}});    // owner
    p.add_step({"x", "bank", "teleport", {}});
    CoordinationExecutor ex(b, v);
    const auto before = applied_count(b, "bank");
    const auto r = ex.execute(p);
    CHECK(r.status == PlanStatus::rejected);
    CHECK(applied_count(b, "bank") == before);
    std::map<std::string, std::string> codes;
    for (const auto& e : r.validation.errors()) codes[e.step] += e.code + " ";
    CHECK(codes["m1"] == "required ");
    CHECK(codes["m2"] == "range ");
    CHECK(codes["m3"] == "domain ");
    CHECK(codes["t1"] == "capability ");
    CHECK(codes.count("t2") == 0);
    CHECK(codes.count("t3") == 0);
    CHECK(codes["x"] == "operation ");
    CHECK(r.validation.summary().find("step 't1': actor: \"mallory\" neither owns \"carol\" nor holds the right 'debit'") !=
          std::string::npos);
    CHECK(ex.journal().plan("v1")->status == PlanStatus::rejected);
}

TEST_CASE("xvm plans: cycles, missing and undeclared dependencies are errors naming them", "[xvm]") {
    const auto msg = [](const CoordinationPlan& p) {
        try {
            p.check();
        } catch (const XvmError& e) {
            CHECK(e.kind() == XvmErrorKind::invalid_plan);
            return std::string(e.what());
        }
        return std::string("accepted");
    };
    CoordinationPlan cyc(CoordinationContext("c"));
    cyc.add_step(CoordinationStep("a", "d", "op").add_dependency("c"));
    cyc.add_step(CoordinationStep("b", "d", "op").add_dependency("a"));
    cyc.add_step(CoordinationStep("c", "d", "op").add_dependency("b"));
    CHECK(msg(cyc).find("the dependencies form a cycle: a -> c -> b -> a") != std::string::npos);
    CoordinationPlan missing(CoordinationContext("m"));
    missing.add_step(CoordinationStep("a", "d", "op").add_dependency("ghost"));
    CHECK(msg(missing).find("step 'a' depends on 'ghost', which is not a step of the plan") != std::string::npos);
    CoordinationPlan dup(CoordinationContext("d"));
    dup.add_step({"a", "d", "op"});
    dup.add_step({"a", "d", "op"});
    CHECK(msg(dup).find("two steps are named 'a'") != std::string::npos);
    CoordinationPlan undeclared(CoordinationContext("u"));
    undeclared.add_step({"a", "d", "op"});
    undeclared.add_step({"b", "d", "op", {{"x", {{"$from", "a"}}}}});
    CHECK(msg(undeclared).find("takes a value from 'a', which is not one of its dependencies") != std::string::npos);
    CoordinationPlan outside(CoordinationContext("o").add_domain("d"));
    outside.add_step({"a", "e", "op"});
    CHECK(msg(outside).find("not one of the plan's domains") != std::string::npos);
    CoordinationPlan self(CoordinationContext("s"));
    self.add_step(CoordinationStep("a", "d", "op").add_dependency("a"));
    CHECK(msg(self).find("depends on itself") != std::string::npos);
    auto b = two_ledgers();
    EffectValidatorRegistry v;
    CoordinationExecutor ex(b, v);
    CHECK(kind_of([&] { (void)ex.execute(cyc); }) == XvmErrorKind::invalid_plan);
}

TEST_CASE("xvm executor: dependencies across domains, parallel steps, values passed between steps", "[xvm]") {
    for (const unsigned workers : {1u, 2u}) {
        auto b = two_ledgers();
        EffectValidatorRegistry v;
        CoordinationExecutor ex(b, v, nullptr, {workers});
        const auto r = ex.execute(payment_plan("pay"));
        REQUIRE(r.status == PlanStatus::completed);
        for (const auto& s : r.steps) CHECK(s.status == StepStatus::done);
        CHECK(balance(b, "bank", "alice") == "0");
        CHECK(balance(b, "bank", "bob") == "100");
        CHECK(balance(b, "shop", "till") == "5");
        CHECK(r.step("pay_bob").outcome.output["amount"] == "100");
        // Each step's dependencies were done before it started.
        std::map<std::string, std::size_t> done_at;
        const auto events = ex.journal().events("pay");
        for (std::size_t i = 0; i < events.size(); ++i)
            if (events[i][1] == "done") done_at[events[i][0]] = i;
        for (std::size_t i = 0; i < events.size(); ++i)
            if (events[i][1] == "intent" && events[i][0] == "pay_bob") {
                CHECK(done_at["mint_alice"] < i);
                CHECK(done_at["open_bob"] < i);
            }
        // Running the same plan again applies nothing again.
        const auto again = ex.execute(payment_plan("pay"));
        CHECK(again.status == PlanStatus::completed);
        CHECK(applied_count(b, "bank") == 4);
    }
}

TEST_CASE("xvm executor: a failing step compensates the completed ones in reverse order", "[xvm]") {
    auto b = two_ledgers();
    EffectValidatorRegistry v;
    CoordinationExecutor ex(b, v);
    auto p = payment_plan("fail");
    p.add_step(CoordinationStep("overdraw", "bank", "transfer", {{"from", "bob"}, {"to", "alice"}, {"amount", 1000}, {"actor", "bob"}})
                   .add_dependency("pay_bob")
                   .add_dependency("mint_till"));
    const auto r = ex.execute(p);
    REQUIRE(r.status == PlanStatus::compensated);
    CHECK(r.step("overdraw").status == StepStatus::failed);
    CHECK(r.step("overdraw").error.find("holds 100, less than 1000") != std::string::npos);
    CHECK(r.step("pay_bob").status == StepStatus::compensated);
    CHECK(r.step("mint_alice").status == StepStatus::compensated);
    CHECK(r.step("mint_till").status == StepStatus::compensated);
    CHECK(r.step("open_bob").status == StepStatus::done);  // no compensation: stays
    CHECK(balance(b, "bank", "alice") == "0");
    CHECK(balance(b, "bank", "bob") == "0");
    CHECK(balance(b, "shop", "till") == "0");
    // Reverse order of completion.
    std::vector<std::string> done, undone;
    for (const auto& e : ex.journal().events("fail")) {
        if (e[1] == "done") done.push_back(e[0]);
        if (e[1] == "compensated") undone.push_back(e[0]);
    }
    std::vector<std::string> expected;
    for (auto it = done.rbegin(); it != done.rend(); ++it)
        if (p.step(*it).compensation) expected.push_back(*it);
    CHECK(undone == expected);
    CHECK(undone.front() == "pay_bob");
}

TEST_CASE("xvm executor: transient failures are retried with backoff, exhausted retries compensate", "[xvm]") {
    const auto reg = registry();
    {
        CrossVmBroker b;
        b.add_all(reg, Json::parse(R"([{"domain": "bank", "type": "ledger", "flaky": {"mint": 2}}])"));
        CoordinationPlan p(CoordinationContext("r1"));
        p.add_step({"open", "bank", "open", {{"account", "a"}, {"owner", "a"}}});
        p.add_step(CoordinationStep("mint", "bank", "mint", {{"account", "a"}, {"amount", 9}})
                       .add_dependency("open")
                       .with_retry({3, std::chrono::milliseconds(1), 2.0, std::chrono::milliseconds(5)}));
        EffectValidatorRegistry v;
        CoordinationExecutor ex(b, v);
        const auto r = ex.execute(p);
        CHECK(r.status == PlanStatus::completed);
        CHECK(r.step("mint").attempts == 3);
        CHECK(balance(b, "bank", "a") == "9");
    }
    {
        CrossVmBroker b;
        b.add_all(reg, Json::parse(R"([{"domain": "bank", "type": "ledger", "flaky": {"mint": 5}}])"));
        CoordinationPlan p(CoordinationContext("r2"));
        p.add_step(CoordinationStep("open", "bank", "open", {{"account", "a"}, {"owner", "a"}}).compensate_with("burn", {{"account", "a"}, {"amount", 0}}));
        p.add_step(CoordinationStep("mint", "bank", "mint", {{"account", "a"}, {"amount", 9}})
                       .add_dependency("open")
                       .with_retry({2, std::chrono::milliseconds(1), 2.0, std::chrono::milliseconds(5)}));
        EffectValidatorRegistry v;
        CoordinationExecutor ex(b, v);
        const auto r = ex.execute(p);
        CHECK(r.status == PlanStatus::compensated);
        CHECK(r.step("mint").status == StepStatus::failed);
        CHECK(r.step("mint").attempts == 2);
        CHECK(r.step("mint").error.find("transient failure") != std::string::npos);
        CHECK(r.step("open").status == StepStatus::compensated);
    }
    RetryPolicy rp{5, std::chrono::milliseconds(10), 3.0, std::chrono::milliseconds(50)};
    CHECK(rp.wait_before(2).count() == 10);
    CHECK(rp.wait_before(3).count() == 30);
    CHECK(rp.wait_before(4).count() == 50);
}

TEST_CASE("xvm messages: a cross-domain step verifies the source's proof, forged, replayed and reordered messages are rejected", "[xvm]") {
    auto b = two_ledgers();
    EffectValidatorRegistry v;
    const auto journal_path = temp_path("messages.db");
    Journal journal(journal_path);
    CoordinationExecutor ex(b, v, &journal);
    CoordinationPlan p(CoordinationContext("msg").add_domain("bank").add_domain("oracle"));
    p.add_step({"open", "bank", "open", {{"account", "a"}, {"owner", "a"}}});
    p.add_step({"attest", "oracle", "attest", {{"value", 77}}});
    p.add_step(CoordinationStep("credit", "bank", "credit_on_proof", {{"account", "a"}, {"program", "attest"}, {"value", 0}})
                   .add_dependency("open")
                   .receives_from("attest"));
    const auto r = ex.execute(p);
    REQUIRE(r.status == PlanStatus::completed);
    CHECK(balance(b, "bank", "a") == "77");
    CHECK(journal.next_receive("oracle", "bank") == 1);

    // The delivered message, rebuilt: delivering it again is a replay.
    const auto att = b.execute("oracle", {"attest", {{"value", 77}}, ""});
    Message m;
    m.source = "oracle";
    m.target = "bank";
    m.nonce = 0;
    m.operation = "credit_on_proof";
    m.payload = att.output;
    m.attachment = att.attachment;
    const auto key = journal.channel_key("oracle", "bank");
    m.tag = m.compute_tag(key);
    const Operation op{"credit_on_proof", {{"account", "a"}, {"program", "attest"}, {"value", 0}}, "outside/1"};
    CHECK(kind_of([&] { (void)ex.deliver(m, op); }) == XvmErrorKind::replayed_message);
    // A nonce ahead of the channel's: out of order.
    Message ahead = m;
    ahead.nonce = 2;
    ahead.tag = ahead.compute_tag(key);
    CHECK(kind_of([&] { (void)ex.deliver(ahead, op); }) == XvmErrorKind::out_of_order_message);
    // Contents changed after tagging, or a tag under another key: forged.
    Message forged = m;
    forged.nonce = 1;
    forged.tag = forged.compute_tag(key);
    forged.payload["value"] = 1000000;
    CHECK(kind_of([&] { (void)ex.deliver(forged, op); }) == XvmErrorKind::forged_message);
    Message wrong_key = m;
    wrong_key.nonce = 1;
    wrong_key.tag = wrong_key.compute_tag(std::vector<std::uint8_t>(32, 0));
    CHECK(kind_of([&] { (void)ex.deliver(wrong_key, op); }) == XvmErrorKind::forged_message);
    CHECK(balance(b, "bank", "a") == "77");
    // The next nonce, properly tagged, is accepted once; its proof is checked by the source's verifier.
    Message next = m;
    next.nonce = 1;
    next.tag = next.compute_tag(key);
    (void)ex.deliver(next, op);
    CHECK(balance(b, "bank", "a") == "154");
    CHECK(kind_of([&] { (void)ex.deliver(next, op); }) == XvmErrorKind::replayed_message);
    // A bad proof in a well-tagged message: the verifier refuses, nothing is credited.
    Message bad_proof = m;
    bad_proof.nonce = 2;
    bad_proof.attachment[0] ^= 1;
    bad_proof.tag = bad_proof.compute_tag(key);
    CHECK(kind_of([&] { (void)ex.deliver(bad_proof, {"credit_on_proof", op.params, "outside/2"}); }) == XvmErrorKind::proof_rejected);
    CHECK(balance(b, "bank", "a") == "154");
}

TEST_CASE("xvm plan files: the JSON format round-trips, bad files name the field", "[xvm]") {
    auto p = payment_plan("file");
    p.workers = 2;
    const auto j = p.to_json();
    const auto q = CoordinationPlan::from_json(j);
    CHECK(q.to_json() == j);
    CHECK(q.steps().size() == p.steps().size());
    CHECK(q.step("pay_bob").dependencies == p.step("pay_bob").dependencies);
    CHECK(q.workers == 2);
    const auto bad = [](const char* text) {
        try {
            (void)CoordinationPlan::from_json(Json::parse(text));
        } catch (const XvmError& e) {
            CHECK(e.kind() == XvmErrorKind::bad_config);
            return std::string(e.what());
        }
        return std::string("accepted");
    };
    CHECK(bad(R"({"steps": []})").find("needs 'plan'") != std::string::npos);
    CHECK(bad(R"({"plan": "x"})").find("'steps' is an array") != std::string::npos);
    CHECK(bad(R"({"plan": "x", "steps": [{"id": "a", "domain": "d"}]})").find("step 'a' needs 'operation'") != std::string::npos);
    CHECK(bad(R"({"plan": "x", "steps": [{"id": "a", "domain": "d", "operation": "o", "retry": {"attempts": -1}}]})")
              .find("'attempts' is an unsigned integer") != std::string::npos);
    CHECK(bad(R"({"plan": "x", "steps": [{"id": 3}]})").find("'id' is a string") != std::string::npos);
    CHECK(bad(R"({"plan": "x", "domains": [{"type": "ledger"}], "steps": []})").find("string 'domain'") != std::string::npos);
    CHECK(bad(R"([])").find("JSON object") != std::string::npos);
}

TEST_CASE("xvm journal: resuming a finished plan returns its result, another plan under the same id is refused", "[xvm]") {
    const auto path = temp_path("journal.db");
    {
        auto b = two_ledgers();
        EffectValidatorRegistry v;
        Journal j(path);
        CoordinationExecutor ex(b, v, &j);
        CHECK(ex.execute(payment_plan("p1")).completed());
        auto other = payment_plan("p1");
        other.add_step({"extra", "bank", "open", {{"account", "z"}, {"owner", "z"}}});
        CHECK(kind_of([&] { (void)ex.execute(other); }) == XvmErrorKind::journal);
    }
    auto b = two_ledgers();
    EffectValidatorRegistry v;
    Journal j(path);
    CoordinationExecutor ex(b, v, &j);
    CHECK(j.plans() == std::vector<std::string>{"p1"});
    CHECK(j.plans(true).empty());
    const auto r = ex.resume("p1");
    CHECK(r.status == PlanStatus::completed);
    CHECK(r.step("pay_bob").outcome.output["amount"] == "100");
    CHECK(kind_of([&] { (void)ex.resume("nope"); }) == XvmErrorKind::journal);
    // Another file is not a journal.
    const auto other_path = temp_path("other.db");
    {
        causality::store::SqliteDb other(other_path);
        other.require_meta("schema", "something else", "test");
    }
    CHECK_THROWS_AS(Journal(other_path), causality::Error);
}

TEST_CASE("xvm journal: a rejected plan may run once valid, a plan that ran is never overwritten by a rejection", "[xvm]") {
    auto b = two_ledgers();
    EffectValidatorRegistry v;
    v.rules("authority", "bank", "transfer").rule<rules::ResourceAuthority>("from", "actor", "debit");
    CoordinationExecutor ex(b, v);
    CoordinationPlan p(CoordinationContext("later"));
    p.add_step({"t", "bank", "transfer", {{"from", "x"}, {"to", "y"}, {"amount", 0}, {"actor", "x"}}});
    CHECK(ex.execute(p).status == PlanStatus::rejected);  // no account x yet
    (void)b.execute("bank", {"open", {{"account", "x"}, {"owner", "x"}}, "o1"});
    (void)b.execute("bank", {"open", {{"account", "y"}, {"owner", "y"}}, "o2"});
    const auto r = ex.execute(p);
    CHECK(r.status == PlanStatus::completed);
    CHECK(r.step("t").status == StepStatus::done);
    // The same id with a body that validation refuses: refused by the journal, the record stays.
    CoordinationPlan other(CoordinationContext("later"));
    other.add_step({"t", "bank", "transfer", {{"from", "x"}, {"to", "y"}, {"amount", 0}, {"actor", "mallory"}}});
    CHECK(kind_of([&] { (void)ex.execute(other); }) == XvmErrorKind::journal);
    CHECK(ex.journal().plan("later")->status == PlanStatus::completed);
    // The same plan again: its recorded result, whatever validation would say now.
    CHECK(ex.execute(p).status == PlanStatus::completed);
    CHECK(applied_count(b, "bank") == 3);
}
