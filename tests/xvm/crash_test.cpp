// Crash recovery of the coordinator: a child process runs a plan and is SIGKILLed at one
// of its journal write boundaries or inside a step (before or after a domain applied an
// effect); another child resumes (and is itself killed at some point of the recovery);
// a last one finishes. Every plan must end completed or compensated, with each domain's
// own state (balances, the effects it applied) exactly the expected one: nothing applied
// twice, nothing lost.
#include "xvm/xvm_world.hpp"

#include <catch2/catch.hpp>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <sys/wait.h>
#include <unistd.h>

using namespace xvmtest;

namespace {

struct World {
    CrossVmBroker broker;
    Journal journal;
    explicit World(const std::string& dir) : journal(dir + "/journal.db") {
        broker.add_all(registry(), Json::array({Json{{"domain", "bank"}, {"type", "ledger"}, {"db", dir + "/bank.db"}},
                                                Json{{"domain", "shop"}, {"type", "ledger"}, {"db", dir + "/shop.db"}},
                                                Json{{"domain", "oracle"}, {"type", "oracle"}, {"secret", "k"}}}));
    }
    LedgerBackend& ledger(const std::string& d) { return dynamic_cast<LedgerAdapter&>(broker.adapter(d)).backend(); }
};

enum class Kind { parallel, compensating, message, message_race };

CoordinationPlan plan_of(Kind k) {
    CoordinationPlan p(CoordinationContext(k == Kind::parallel       ? "par"
                                           : k == Kind::compensating ? "comp"
                                           : k == Kind::message      ? "msg"
                                                                     : "race")
                           .add_domain("bank")
                           .add_domain("shop")
                           .add_domain("oracle"));
    if (k == Kind::message_race) {  // a failure racing a cross-domain step (2 workers)
        p.add_step({"open", "bank", "open", {{"account", "a"}, {"owner", "a"}}});
        p.add_step({"attest", "oracle", "attest", {{"value", 77}}});
        p.add_step(CoordinationStep("credit", "bank", "credit_on_proof", {{"account", "a"}, {"program", "attest"}, {"value", 0}})
                       .add_dependency("open")
                       .receives_from("attest")
                       .compensate_with("burn", {{"account", "a"}, {"amount", 77}}));
        p.add_step(CoordinationStep("bad", "shop", "burn", {{"account", "nobody"}, {"amount", 5}}).add_dependency("attest"));
        return p;
    }
    if (k == Kind::message) {
        p.add_step({"open", "bank", "open", {{"account", "a"}, {"owner", "a"}}});
        p.add_step({"attest", "oracle", "attest", {{"value", 77}}});
        p.add_step(CoordinationStep("credit", "bank", "credit_on_proof", {{"account", "a"}, {"program", "attest"}, {"value", 0}})
                       .add_dependency("open")
                       .receives_from("attest"));
        p.add_step(CoordinationStep("open_b", "bank", "open", {{"account", "b"}, {"owner", "b"}}).add_dependency("credit"));
        p.add_step(CoordinationStep("move", "bank", "transfer", {{"from", "a"}, {"to", "b"}, {"amount", 7}, {"actor", "a"}})
                       .add_dependency("open_b"));
        return p;
    }
    p.add_step({"open_alice", "bank", "open", {{"account", "alice"}, {"owner", "alice"}}});
    p.add_step({"open_till", "shop", "open", {{"account", "till"}, {"owner", "shop"}}});
    p.add_step(CoordinationStep("mint_alice", "bank", "mint", {{"account", "alice"}, {"amount", 100}})
                   .add_dependency("open_alice")
                   .compensate_with("burn", {{"account", "alice"}, {"amount", 100}}));
    p.add_step(CoordinationStep("mint_till", "shop", "mint", {{"account", "till"}, {"amount", 5}})
                   .add_dependency("open_till")
                   .compensate_with("burn", {{"account", "till"}, {"amount", 5}}));
    p.add_step({"open_bob", "bank", "open", {{"account", "bob"}, {"owner", "bob"}}});
    p.add_step(CoordinationStep("pay_bob", "bank", "transfer", {{"from", "alice"}, {"to", "bob"}, {"amount", 60}, {"actor", "alice"}})
                   .add_dependency("mint_alice")
                   .add_dependency("open_bob")
                   .compensate_with("transfer", {{"from", "bob"}, {"to", "alice"}, {"amount", 60}, {"actor", "bob"}}));
    if (k == Kind::compensating)
        p.add_step(CoordinationStep("overdraw", "bank", "transfer", {{"from", "bob"}, {"to", "alice"}, {"amount", 1000}, {"actor", "bob"}})
                       .add_dependency("pay_bob")
                       .add_dependency("mint_till"));
    return p;
}

// Runs (or resumes) the plan in a child killed at its `kill_at`-th point (0: never);
// returns the number of points it passed when it was not killed, -1 when it was.
int child(const std::string& dir, Kind k, int kill_at) {
    const pid_t pid = ::fork();
    if (pid == 0) {
        int points = 0;
        try {
            World w(dir);
            const auto at = [&](std::string_view) {
                if (++points == kill_at) ::raise(SIGKILL);
            };
            w.journal.hook = at;
            w.ledger("bank").hook = [&](std::string_view p, const Operation&) { at(p); };
            w.ledger("shop").hook = [&](std::string_view p, const Operation&) { at(p); };
            EffectValidatorRegistry v;
            CoordinationExecutor ex(w.broker, v, &w.journal, {k == Kind::parallel || k == Kind::message_race ? 2u : 1u});
            const auto plan = plan_of(k);
            const auto r = w.journal.plan(plan.id()) ? ex.resume(plan.id()) : ex.execute(plan);
            std::ofstream(dir + "/points") << points;
            ::_exit(r.status == PlanStatus::completed || r.status == PlanStatus::compensated ? 0 : 2);
        } catch (...) {
            ::_exit(3);
        }
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) return -1;
    REQUIRE(WIFEXITED(status));
    REQUIRE(WEXITSTATUS(status) == 0);
    int points = 0;
    std::ifstream(dir + "/points") >> points;
    return points;
}

void check_final(const std::string& dir, Kind k) {
    World w(dir);
    const auto plan = plan_of(k);
    const auto rec = w.journal.plan(plan.id());
    REQUIRE(rec);
    const auto bal = [&](const char* d, const char* a) { return balance(w.broker, d, a); };
    switch (k) {
        case Kind::parallel:
            CHECK(rec->status == PlanStatus::completed);
            CHECK(bal("bank", "alice") == "40");
            CHECK(bal("bank", "bob") == "60");
            CHECK(bal("shop", "till") == "5");
            CHECK(applied_count(w.broker, "bank") == 4);
            CHECK(applied_count(w.broker, "shop") == 2);
            break;
        case Kind::compensating:
            CHECK(rec->status == PlanStatus::compensated);
            CHECK(bal("bank", "alice") == "0");
            CHECK(bal("bank", "bob") == "0");
            CHECK(bal("shop", "till") == "0");
            CHECK(applied_count(w.broker, "bank") == 6);  // 4 effects, 2 compensations
            CHECK(applied_count(w.broker, "shop") == 3);
            break;
        case Kind::message:
            CHECK(rec->status == PlanStatus::completed);
            CHECK(bal("bank", "a") == "70");
            CHECK(bal("bank", "b") == "7");
            CHECK(applied_count(w.broker, "bank") == 4);
            CHECK(w.journal.next_receive("oracle", "bank") == 1);
            break;
        case Kind::message_race: {
            CHECK(rec->status == PlanStatus::compensated);
            CHECK(bal("bank", "a") == "0");
            const auto n = applied_count(w.broker, "bank");
            CHECK((n == 1 || n == 3));  // open, and the credit with its compensation when it ran
            // Every nonce given out was used: the channel is not held.
            CHECK(w.journal.next_receive("oracle", "bank") == w.journal.next_send("oracle", "bank"));
            break;
        }
    }
    for (const auto& s : rec->steps)
        CHECK((s.status == StepStatus::done || s.status == StepStatus::compensated || s.status == StepStatus::failed ||
               (s.status == StepStatus::pending && rec->status == PlanStatus::compensated)));  // not run: the plan failed first
}

std::string fresh_dir(const std::string& name) {
    const auto d = std::filesystem::temp_directory_path() / ("causality_xvm_crash_" + std::to_string(::getpid())) / name;
    std::filesystem::remove_all(d);
    std::filesystem::create_directories(d);
    return d.string();
}

}  // namespace

TEST_CASE("xvm crash recovery: killed at every journal write and inside steps, every plan ends whole", "[xvm][crash]") {
    int kills = 0;
    for (const Kind k : {Kind::parallel, Kind::compensating, Kind::message, Kind::message_race}) {
        const auto dry = fresh_dir("dry");
        const int points = child(dry, k, 0);
        REQUIRE(points > 10);
        check_final(dry, k);
        for (int at = 1; at <= points; ++at) {
            const auto dir = fresh_dir("run");
            if (child(dir, k, at) == -1) ++kills;
            // The recovery is itself killed at some point, then finished.
            if (child(dir, k, 1 + (at * 7) % 11) == -1) ++kills;
            REQUIRE(child(dir, k, 0) >= 0);
            INFO("plan " << static_cast<int>(k) << ", killed at point " << at);
            check_final(dir, k);
        }
    }
    CHECK(kills > 150);
    std::filesystem::remove_all(std::filesystem::temp_directory_path() / ("causality_xvm_crash_" + std::to_string(::getpid())));
}
