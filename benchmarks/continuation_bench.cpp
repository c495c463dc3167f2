// Continuations' hot paths: the memory tree's update (a segment's touched chunks rehashed
// level by level), the planning run (preflight execution, segmentation, the tree, the
// witnesses), one segment proven from its witness (replay, traces with the Merkle chip,
// the STARK), and the witness's bytes (what rank 0 sends a rank under MPI).
#include <causality/field.hpp>
#include <causality/stark/config.hpp>
#include <causality/vm.hpp>
#include <causality/vm/continuation.hpp>

#include <benchmark/benchmark.h>

#include <random>
#include <set>
#include <string>

using namespace causality;
using namespace causality::vm;

namespace {

using F = field::BabyBear;
using Vm = VmCore<F, ext::Rv32im>;
using SC = stark::BabyBearPoseidon2;

Executable<F> sha256() { return load_elf<Vm>(read_file(std::string(CAUSALITY_GUEST_DIR) + "/sha256.elf")); }
std::vector<std::uint8_t> text(std::size_t n) { return std::vector<std::uint8_t>(n, 'a'); }

// N random chunks of a 2^29-byte memory (depth 27) rewritten, over a tree that holds them.
void BM_MemoryTreeUpdate(benchmark::State& state) {
    const auto n = static_cast<std::size_t>(state.range(0));
    MemoryTree<F> tree(29);
    std::mt19937_64 rng(1);
    std::vector<ChunkValue> chunks;
    std::set<std::uint64_t> seen;
    while (chunks.size() < n) {
        const std::uint64_t label = (std::uint64_t{1} << 26) | (rng() % (std::uint64_t{1} << 20));  // 8 MiB of memory
        if (seen.insert(label).second) chunks.push_back({label, chunk_leaf(static_cast<std::uint32_t>(rng()), 0)});
    }
    (void)tree.update(chunks);
    std::size_t steps = 0;
    for (auto _ : state) {
        for (auto& c : chunks) c.leaf[0] = (c.leaf[0] + 1) & 0xff;
        const auto s = tree.update(chunks);
        steps = s.size();
        benchmark::DoNotOptimize(s.data());
    }
    state.counters["nodes"] = static_cast<double>(steps);
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n));
}
BENCHMARK(BM_MemoryTreeUpdate)->Arg(1024)->Arg(16384)->Unit(benchmark::kMillisecond);

// The planning run of SHA-256 over 64 KiB (about 5.4 M instructions) in segments of 2^20.
void BM_PlanSegments(benchmark::State& state) {
    const Vm vm;
    const auto exe = sha256();
    const auto input = text(64 << 10);
    SegmentOptions o;
    o.segment_cycles = std::uint64_t{1} << 20;
    std::uint64_t cycles = 0;
    std::size_t segments = 0, bytes = 0;
    for (auto _ : state) {
        const auto plan = plan_segments(vm, exe, input, o);
        cycles = plan.result.cycles;
        segments = plan.segments.size();
        bytes = 0;
        for (const auto& w : plan.segments) bytes += w.to_bytes().size();
    }
    state.counters["segments"] = static_cast<double>(segments);
    state.counters["witness_KiB_per_segment"] = static_cast<double>(bytes) / static_cast<double>(segments) / 1024.0;
    state.counters["cycles/s"] =
        benchmark::Counter(static_cast<double>(cycles) * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_PlanSegments)->Unit(benchmark::kMillisecond);

// One segment of 2^16 instructions of SHA-256 proven from its witness (BabyBearPoseidon2).
void BM_ProveSegment(benchmark::State& state) {
    const Vm vm;
    const auto exe = sha256();
    const auto input = text(16 << 10);
    SegmentOptions o;
    o.segment_cycles = std::uint64_t{1} << 16;
    const auto plan = plan_segments(vm, exe, input, o);
    const SegmentProver<SC> prover(vm, exe);
    const auto& w = plan.segments.at(2);
    SegmentReport report;
    for (auto _ : state) {
        const auto p = prove_segment<SC>(vm, prover, exe, input, w, {}, &report);
        benchmark::DoNotOptimize(p.stark.log_heights.data());
    }
    state.counters["replay_ms"] = report.replay * 1e3;
    state.counters["trace_ms"] = report.trace * 1e3;
    state.counters["merkle_rows"] = static_cast<double>(report.merkle_rows);
    state.counters["cycles/s"] = benchmark::Counter(static_cast<double>(w.cycles) * static_cast<double>(state.iterations()),
                                                    benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ProveSegment)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
