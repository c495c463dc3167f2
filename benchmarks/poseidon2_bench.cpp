// Poseidon2 permutations per second on one core, for every default instance: scalar
// (one state per call) and packed (Packed<F>::width states per call).
#include <causality/stark.hpp>

#include <benchmark/benchmark.h>

#include <random>

using namespace causality;

namespace {

template <class F, std::size_t W>
void permute_scalar(benchmark::State& state) {
    const auto perm = stark::default_poseidon2<F, W>();
    std::array<F, W> s;
    std::mt19937_64 rng(1);
    for (auto& x : s) x = F::from_u64(rng());
    for (auto _ : state) {
        perm.permute(s);
        benchmark::DoNotOptimize(s);
    }
    state.SetItemsProcessed(state.iterations());
}

template <class F, std::size_t W>
void permute_packed(benchmark::State& state) {
    using P = field::Packed<F>;
    const auto perm = stark::default_poseidon2<F, W>();
    std::array<P, W> s;
    std::mt19937_64 rng(2);
    for (auto& x : s) x = P::broadcast(F::from_u64(rng()));
    for (auto _ : state) {
        perm.permute(s);
        benchmark::DoNotOptimize(s);
    }
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(P::width));
}

}  // namespace

BENCHMARK_TEMPLATE(permute_scalar, field::BabyBear, 16);
BENCHMARK_TEMPLATE(permute_packed, field::BabyBear, 16);
BENCHMARK_TEMPLATE(permute_scalar, field::BabyBear, 24);
BENCHMARK_TEMPLATE(permute_packed, field::BabyBear, 24);
BENCHMARK_TEMPLATE(permute_scalar, field::KoalaBear, 16);
BENCHMARK_TEMPLATE(permute_packed, field::KoalaBear, 16);
BENCHMARK_TEMPLATE(permute_scalar, field::KoalaBear, 24);
BENCHMARK_TEMPLATE(permute_packed, field::KoalaBear, 24);
BENCHMARK_TEMPLATE(permute_scalar, field::Goldilocks, 8);
BENCHMARK_TEMPLATE(permute_packed, field::Goldilocks, 8);
BENCHMARK_TEMPLATE(permute_scalar, field::Goldilocks, 12);
BENCHMARK_TEMPLATE(permute_packed, field::Goldilocks, 12);
