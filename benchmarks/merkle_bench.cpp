// Merkle commitment of one BabyBear matrix of 2^20 rows (8 and 256 columns) with the
// default Poseidon2 hashing, with Keccak-256 and with BLAKE3, at 1 and 2 threads (the argument);
// Keccak-f[1600] permutations per second; and proof-of-work grinding of 16 bits.
#include <causality/parallel.hpp>
#include <causality/stark.hpp>

#include <benchmark/benchmark.h>

#include <random>

using namespace causality;
using field::BabyBear;

namespace {

template <class Mmcs>
void commit_with(benchmark::State& state, const Mmcs& mmcs, std::size_t log_rows, std::size_t cols) {
    parallel::ScopedThreadCount threads(static_cast<unsigned>(state.range(0)));
    auto m = field::zero_matrix<BabyBear>(std::size_t{1} << log_rows, cols);
    std::mt19937_64 rng(1);
    for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = BabyBear::from_u64(rng());
    for (auto _ : state) {
        std::vector<field::RowMajorMatrix<BabyBear>> ms;
        state.PauseTiming();
        ms.push_back(m);  // the tree keeps its matrices: copy outside the timed region
        state.ResumeTiming();
        const auto tree = mmcs.commit(std::move(ms));
        benchmark::DoNotOptimize(tree.root());
    }
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(m.rows()));
}

void merkle_commit(benchmark::State& state, std::size_t log_rows, std::size_t cols) {
    commit_with(state, stark::default_mmcs<BabyBear>(), log_rows, cols);
}

// The byte-oriented tree: Keccak-256 leaves and nodes.
void merkle_commit_keccak(benchmark::State& state, std::size_t log_rows, std::size_t cols) {
    commit_with(state, stark::ConfigHashing<stark::BabyBearKeccak>::mmcs(), log_rows, cols);
}

void merkle_commit_blake3(benchmark::State& state, std::size_t log_rows, std::size_t cols) {
    commit_with(state, stark::ConfigHashing<stark::BabyBearBlake3>::mmcs(), log_rows, cols);
}

void keccak_f1600_perms(benchmark::State& state) {
    std::array<std::uint64_t, 25> s{};
    for (auto _ : state) {
        stark::keccak_f1600(s);
        benchmark::DoNotOptimize(s);
    }
    state.SetItemsProcessed(state.iterations());
}

void grind_16_bits(benchmark::State& state) {
    parallel::ScopedThreadCount threads(static_cast<unsigned>(state.range(0)));
    std::uint32_t seed = 0;
    for (auto _ : state) {
        auto ch = stark::default_challenger<BabyBear>();
        ch.observe(BabyBear(seed++));
        benchmark::DoNotOptimize(ch.grind(16));
    }
}

}  // namespace

BENCHMARK_CAPTURE(merkle_commit, 2_20x8, 20, 8)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(merkle_commit, 2_20x256, 20, 256)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(2);
BENCHMARK_CAPTURE(merkle_commit_keccak, 2_20x8, 20, 8)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(merkle_commit_keccak, 2_20x256, 20, 256)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(2);
BENCHMARK_CAPTURE(merkle_commit_blake3, 2_20x8, 20, 8)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(merkle_commit_blake3, 2_20x256, 20, 256)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(2);
BENCHMARK(keccak_f1600_perms);
BENCHMARK(grind_16_bits)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(8);
