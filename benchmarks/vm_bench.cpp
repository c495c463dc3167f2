// The zkVM interpreter on the guest programs (guests/): instructions per second in the
// pure, metered and preflight modes, one core. Counters: instructions/s ("items_per_second").
#include <causality/field.hpp>
#include <causality/vm.hpp>

#include <benchmark/benchmark.h>

#include <string>

namespace {

using Vm = causality::vm::VmCore<causality::field::BabyBear, causality::vm::ext::Rv32im>;

causality::vm::Executable<causality::field::BabyBear> guest(const std::string& name) {
    return causality::vm::load_elf<Vm>(causality::vm::read_file(std::string(CAUSALITY_GUEST_DIR) + "/" + name + ".elf"));
}
std::vector<std::uint8_t> u32_input(std::uint32_t n) {
    return {static_cast<std::uint8_t>(n), static_cast<std::uint8_t>(n >> 8), static_cast<std::uint8_t>(n >> 16),
            static_cast<std::uint8_t>(n >> 24)};
}

// Machine setup (memory image, prepared program) is outside the timing; the run inside.
template <class Mode>
void run_guest(benchmark::State& state, const std::string& name, std::vector<std::uint8_t> input) {
    const auto exe = guest(name);
    std::uint64_t instructions = 0;
    for (auto _ : state) {
        state.PauseTiming();
        causality::vm::Machine<Vm> m;
        m.initialize(exe, input);
        state.ResumeTiming();
        const auto r = m.template start<Mode>();
        if (r.reason != causality::vm::StopReason::exited || r.exit_code != 0) state.SkipWithError("guest failed");
        instructions += m.cycles();
        benchmark::DoNotOptimize(m.registers());
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(instructions));
}

void vm_keccak_pure(benchmark::State& s) { run_guest<causality::vm::Pure>(s, "keccak", u32_input(1000)); }
void vm_keccak_metered(benchmark::State& s) { run_guest<causality::vm::Metered>(s, "keccak", u32_input(1000)); }
void vm_keccak_preflight(benchmark::State& s) { run_guest<causality::vm::Preflight>(s, "keccak", u32_input(50)); }
void vm_sha256_pure(benchmark::State& s) { run_guest<causality::vm::Pure>(s, "sha256", {}); }
void vm_sha256_metered(benchmark::State& s) { run_guest<causality::vm::Metered>(s, "sha256", {}); }

}  // namespace

BENCHMARK(vm_keccak_pure)->Unit(benchmark::kMillisecond);
BENCHMARK(vm_keccak_metered)->Unit(benchmark::kMillisecond);
BENCHMARK(vm_keccak_preflight)->Unit(benchmark::kMillisecond);
BENCHMARK(vm_sha256_pure)->Unit(benchmark::kMillisecond);
BENCHMARK(vm_sha256_metered)->Unit(benchmark::kMillisecond);

// Proving runs of the guests (BabyBear-Poseidon2: 100 queries, 116 conjectured bits):
// cycles per second of the whole proof (preflight, trace generation, STARK), main-trace
// cells per cycle, peak memory via the process's maximum resident set (reported by the
// run, not by this counter). Thread count: CAUSALITY_NUM_THREADS.
#include <causality/stark/config.hpp>
#include <causality/vm/prove.hpp>

namespace {

void prove_guest(benchmark::State& state, const std::string& name, std::vector<std::uint8_t> input) {
    using SC = causality::stark::BabyBearPoseidon2;
    const auto exe = guest(name);
    causality::vm::VmProveReport report;
    std::size_t proof_bytes = 0;
    for (auto _ : state) {
        const auto proof = causality::vm::prove<SC>(Vm{}, exe, input, {}, &report);
        proof_bytes = proof.to_bytes().size();
    }
    state.counters["cycles"] = static_cast<double>(report.cycles);
    state.counters["cycles/s"] = benchmark::Counter(static_cast<double>(report.cycles) * static_cast<double>(state.iterations()),
                                                    benchmark::Counter::kIsRate);
    state.counters["cells/cycle"] = static_cast<double>(report.cells) / static_cast<double>(report.cycles);
    state.counters["proof_bytes"] = static_cast<double>(proof_bytes);
    state.counters["logup_s"] = report.stark.logup;
    state.counters["trace_s"] = report.trace;
}
std::vector<std::uint8_t> bytes_of(std::size_t n) {
    std::vector<std::uint8_t> v(n);
    for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<std::uint8_t>(i * 131 + 7);
    return v;
}
// About 2^20 cycles each.
void vm_prove_sha256(benchmark::State& s) { prove_guest(s, "sha256", bytes_of(12800)); }
void vm_prove_keccak(benchmark::State& s) { prove_guest(s, "keccak", u32_input(static_cast<std::uint32_t>(s.range(0)))); }

}  // namespace

BENCHMARK(vm_prove_sha256)->Unit(benchmark::kSecond)->Iterations(1);
BENCHMARK(vm_prove_keccak)->Arg(20)->Unit(benchmark::kSecond)->Iterations(1);
