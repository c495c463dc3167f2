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
