// Coordination: steps per second of a 1,000-step plan (no proofs) with 1 and 2 workers,
// the journal's cost per step (in memory against a file with synchronous FULL), recovery
// after a crash halfway, and a plan of proofs against the sum of its proofs.
#include <causality/field.hpp>
#include <causality/stark.hpp>
#include <causality/xvm.hpp>
#include <causality/xvm/domains/native.hpp>

#include <benchmark/benchmark.h>

#include <chrono>
#include <filesystem>
#include <unistd.h>

namespace {

using namespace causality::xvm;

std::string scratch(const std::string& name) {
    const auto dir = std::filesystem::temp_directory_path() / ("causality_xvm_bench_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const auto p = dir / name;
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(p.string() + suffix);
    return p.string();
}

// Two ledgers; `steps` mints spread over 8 accounts per ledger, each account's mints a
// chain (so the plan has 16 independent chains).
CoordinationPlan mint_plan(const std::string& id, int steps) {
    CoordinationPlan p(CoordinationContext(id).add_domain("a").add_domain("b"));
    for (int d = 0; d < 2; ++d)
        for (int k = 0; k < 8; ++k)
            p.add_step({"open" + std::to_string(d) + "_" + std::to_string(k), d ? "b" : "a", "open",
                        {{"account", "acct" + std::to_string(k)}, {"owner", "o"}}});
    std::vector<std::string> last(16);
    for (int i = 0; i < 16; ++i) last[static_cast<std::size_t>(i)] = "open" + std::to_string(i / 8) + "_" + std::to_string(i % 8);
    for (int s = 16; s < steps; ++s) {
        const int chain = s % 16;
        const std::string id_s = "mint" + std::to_string(s);
        p.add_step(CoordinationStep(id_s, chain / 8 ? "b" : "a", "mint", {{"account", "acct" + std::to_string(chain % 8)}, {"amount", 1}})
                       .add_dependency(last[static_cast<std::size_t>(chain)]));
        last[static_cast<std::size_t>(chain)] = id_s;
    }
    return p;
}

void add_ledgers(CrossVmBroker& b, bool on_file) {
    DomainAdapterRegistry reg;
    register_ledger(reg);
    for (const char* d : {"a", "b"}) {
        Json c{{"domain", d}, {"type", "ledger"}};
        if (on_file) c["db"] = scratch(std::string("ledger_") + d + ".db");
        b.add(reg.build(c));
    }
}

// Arguments: workers, journal on file (0/1), ledgers on file (0/1).
void BM_PlanSteps(benchmark::State& state) {
    const unsigned workers = static_cast<unsigned>(state.range(0));
    const bool journal_file = state.range(1) != 0, ledger_file = state.range(2) != 0;
    constexpr int steps = 1000;
    int run = 0;
    for (auto _ : state) {
        state.PauseTiming();
        CrossVmBroker b;
        add_ledgers(b, ledger_file);
        auto journal = std::make_unique<Journal>(journal_file ? scratch("journal.db") : ":memory:");
        EffectValidatorRegistry v;
        CoordinationExecutor ex(b, v, journal.get(), {workers});
        std::string id = "bench";
        id += std::to_string(run++);
        const auto plan = mint_plan(id, steps);
        state.ResumeTiming();
        const auto r = ex.execute(plan);
        if (!r.completed()) state.SkipWithError("the plan did not complete");
    }
    state.counters["steps/s"] = benchmark::Counter(static_cast<double>(steps) * static_cast<double>(state.iterations()),
                                                   benchmark::Counter::kIsRate);
}
BENCHMARK(BM_PlanSteps)
    ->ArgNames({"workers", "journal_file", "ledger_file"})
    ->Args({1, 0, 0})
    ->Args({2, 0, 0})
    ->Args({1, 1, 0})
    ->Args({2, 1, 0})
    ->Args({1, 1, 1})
    ->Args({2, 1, 1})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// A coordinator that died after 500 of 1,000 steps (journal and ledgers on file): the time
// to open everything again and finish the plan (the in-doubt step asked of its domain).
void BM_Recovery(benchmark::State& state) {
    constexpr int steps = 1000;
    for (auto _ : state) {
        state.PauseTiming();
        const auto jpath = scratch("recovery.db");
        {
            CrossVmBroker b;
            add_ledgers(b, true);
            Journal j(jpath);
            int points = 0;
            j.hook = [&](std::string_view p) {
                if (p.starts_with("after outcome") && ++points == steps / 2) throw std::runtime_error("crash");
            };
            EffectValidatorRegistry v;
            CoordinationExecutor ex(b, v, &j);
            try {
                (void)ex.execute(mint_plan("recover", steps));
            } catch (const std::exception&) {
            }
        }
        state.ResumeTiming();
        CrossVmBroker b;
        DomainAdapterRegistry reg;
        register_ledger(reg);
        for (const char* d : {"a", "b"})
            b.add(reg.build(Json{{"domain", d}, {"type", "ledger"},
                                 {"db", (std::filesystem::temp_directory_path() / ("causality_xvm_bench_" + std::to_string(::getpid())) /
                                         (std::string("ledger_") + d + ".db"))
                                            .string()}}));
        Journal j(jpath);
        EffectValidatorRegistry v;
        CoordinationExecutor ex(b, v, &j);
        const auto results = ex.resume_all();
        if (results.size() != 1 || !results[0].completed()) state.SkipWithError("recovery did not complete the plan");
    }
}
BENCHMARK(BM_Recovery)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);

#ifdef CAUSALITY_GUEST_DIR
using F = causality::field::BabyBear;
using Vm = causality::vm::VmCore<F, causality::vm::ext::Rv32im>;
using SC = causality::stark::BabyBearPoseidon2;

// Four fib(n) proofs in one plan on two native domains (2 workers), each proof verified
// by the ledger before it credits: the plan's wall time; the counter "proofs_s" is the sum
// of the four proofs' own times measured alone before.
void BM_PlanWithProofs(benchmark::State& state) {
    DomainAdapterRegistry reg;
    register_ledger(reg);
    register_native<Vm, SC>(reg);
    const std::string fib = std::string(CAUSALITY_GUEST_DIR) + "/fibonacci.elf";
    const auto input = [](int k) {  // n = 0x2700 + k, little-endian
        std::string s = "00270000";
        s[1] = static_cast<char>('0' + k);
        return s;
    };
    double alone = 0;
    {
        CrossVmBroker b;
        b.add(reg.build(Json{{"domain", "zk"}, {"type", "native-zkvm"}, {"programs", {{"fib", fib}}}}));
        for (int k = 0; k < 4; ++k) {
            const auto t0 = std::chrono::steady_clock::now();
            (void)b.execute("zk", {"run", {{"program", "fib"}, {"input_hex", input(k)}, {"prove", true}}, ""});
            alone += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        }
    }
    int run = 0;
    for (auto _ : state) {
        state.PauseTiming();
        CrossVmBroker b;
        b.add_all(reg, Json::array({Json{{"domain", "zk1"}, {"type", "native-zkvm"}, {"programs", {{"fib", fib}}}},
                                    Json{{"domain", "zk2"}, {"type", "native-zkvm"}, {"programs", {{"fib", fib}}}},
                                    Json{{"domain", "bank"}, {"type", "ledger"}}}));
        std::string id = "proofs";
        id += std::to_string(run++);
        CoordinationPlan p{CoordinationContext(id)};
        p.add_step({"open", "bank", "open", {{"account", "p"}, {"owner", "p"}}});
        for (int k = 0; k < 4; ++k) {
            const std::string s = "prove" + std::to_string(k);
            p.add_step({s, k % 2 ? "zk2" : "zk1", "run", {{"program", "fib"}, {"input_hex", input(k)}, {"prove", true}}});
            p.add_step(CoordinationStep("credit" + std::to_string(k), "bank", "credit_on_proof", {{"account", "p"}, {"program", "fib"}, {"value", 0}})
                           .add_dependency("open")
                           .receives_from(s));
        }
        EffectValidatorRegistry v;
        CoordinationExecutor ex(b, v, nullptr, {2});
        state.ResumeTiming();
        if (!ex.execute(p).completed()) state.SkipWithError("the plan did not complete");
    }
    state.counters["proofs_s"] = alone;
}
BENCHMARK(BM_PlanWithProofs)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(2);
#endif

}  // namespace
