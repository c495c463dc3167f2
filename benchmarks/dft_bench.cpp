// DFT and coset LDE on the shapes of the NTT issue, at 1 and 2 threads (the argument).
// Transforms run in place on their own output: the cost does not depend on the values.
#include <causality/field.hpp>
#include <causality/parallel.hpp>

#include <benchmark/benchmark.h>

#include <random>
#include <vector>

using namespace causality::field;

namespace {

template <class F>
RowMajorMatrix<F> random_matrix(std::size_t rows, std::size_t cols) {
    RowMajorMatrix<F> m = zero_matrix<F>(rows, cols);
    std::mt19937_64 rng(rows * 31 + cols);
    for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = F::from_u64(rng());
    return m;
}

template <class F>
void dft_vector(benchmark::State& state, unsigned log_n) {
    causality::parallel::ScopedThreadCount threads(static_cast<unsigned>(state.range(0)));
    std::vector<F> v(std::size_t{1} << log_n);
    std::mt19937_64 rng(1);
    for (auto& x : v) x = F::from_u64(rng());
    for (auto _ : state) {
        dft(std::span<F>(v));
        benchmark::DoNotOptimize(v.data());
    }
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(v.size()));
}

template <class F>
void dft_matrix(benchmark::State& state, unsigned log_n, std::size_t cols) {
    causality::parallel::ScopedThreadCount threads(static_cast<unsigned>(state.range(0)));
    auto m = random_matrix<F>(std::size_t{1} << log_n, cols);
    for (auto _ : state) {
        dft_batch(m);
        benchmark::DoNotOptimize(m.data());
    }
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(m.size()));
}

// reuse_output: write into one matrix every iteration (its pages stay mapped) instead of
// returning a fresh one (whose first-touch page faults are part of the time).
template <class F>
void coset_lde(benchmark::State& state, unsigned log_n, std::size_t cols, RowOrder order, bool reuse_output,
               unsigned added = 1) {
    causality::parallel::ScopedThreadCount threads(static_cast<unsigned>(state.range(0)));
    const auto m = random_matrix<F>(std::size_t{1} << log_n, cols);
    RowMajorMatrix<F> out;
    for (auto _ : state) {
        if (reuse_output) {
            coset_lde_batch(m, added, F::generator(), order, out);
            benchmark::DoNotOptimize(out.data());
        } else {
            auto fresh = coset_lde_batch(m, added, F::generator(), order);
            benchmark::DoNotOptimize(fresh.data());
        }
    }
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(m.size()) << added);
}

}  // namespace

// BENCHMARK_CAPTURE needs plain function names.
void dft_vector_BabyBear(benchmark::State& s, unsigned l) { dft_vector<BabyBear>(s, l); }
void dft_vector_Goldilocks(benchmark::State& s, unsigned l) { dft_vector<Goldilocks>(s, l); }
void dft_batch_BabyBear(benchmark::State& s, unsigned l, std::size_t c) { dft_matrix<BabyBear>(s, l, c); }
void dft_batch_Goldilocks(benchmark::State& s, unsigned l, std::size_t c) { dft_matrix<Goldilocks>(s, l, c); }
void coset_lde_BabyBear(benchmark::State& s, unsigned l, std::size_t c, RowOrder o, bool reuse) {
    coset_lde<BabyBear>(s, l, c, o, reuse);
}
// Blowup 4, bit-reversed, reused output: below 16 columns the column path, from 16 the
// row network (items/s is output elements per second).
void coset_lde_blowup4_BabyBear(benchmark::State& s, unsigned l, std::size_t c) {
    coset_lde<BabyBear>(s, l, c, RowOrder::bit_reversed, true, 2);
}

#define THREADS Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime()

BENCHMARK_CAPTURE(dft_vector_BabyBear, 2_20, 20)->THREADS;
BENCHMARK_CAPTURE(dft_vector_Goldilocks, 2_20, 20)->THREADS;
BENCHMARK_CAPTURE(dft_batch_BabyBear, 2_16x256, 16, 256)->THREADS;
BENCHMARK_CAPTURE(dft_batch_Goldilocks, 2_16x256, 16, 256)->THREADS;
BENCHMARK_CAPTURE(dft_batch_BabyBear, 2_20x16, 20, 16)->THREADS;
BENCHMARK_CAPTURE(dft_batch_Goldilocks, 2_20x16, 20, 16)->THREADS;
BENCHMARK_CAPTURE(coset_lde_BabyBear, 2_20x256_natural_fresh, 20, 256, RowOrder::natural, false)->THREADS->Iterations(2);
BENCHMARK_CAPTURE(coset_lde_BabyBear, 2_20x256_natural_reuse, 20, 256, RowOrder::natural, true)->THREADS->Iterations(3);
BENCHMARK_CAPTURE(coset_lde_BabyBear, 2_20x256_bitrev_reuse, 20, 256, RowOrder::bit_reversed, true)->THREADS->Iterations(3);
BENCHMARK_CAPTURE(coset_lde_blowup4_BabyBear, 2_20x4, 20, 4)->THREADS->Iterations(3);
BENCHMARK_CAPTURE(coset_lde_blowup4_BabyBear, 2_20x12, 20, 12)->THREADS->Iterations(3);
BENCHMARK_CAPTURE(coset_lde_blowup4_BabyBear, 2_20x16, 20, 16)->THREADS->Iterations(3);
