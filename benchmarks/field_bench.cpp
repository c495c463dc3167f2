// Field multiplication: throughput (independent chains, the CPU overlaps them) and
// latency (one dependent chain), scalar and packed, for every built-in field. Items are
// single field multiplications (a packed multiplication counts width items).
#include <causality/field.hpp>

#include <benchmark/benchmark.h>

#include <array>
#include <random>
#include <vector>

using namespace causality::field;

namespace {

template <class T>
constexpr std::size_t lanes() {
    if constexpr (requires { T::width; }) return T::width; else return 1;
}

template <class T>
T sample(std::mt19937_64& rng) {
    if constexpr (requires { T::width; }) {
        using S = typename T::scalar_type;
        std::vector<S> v(T::width);
        for (auto& x : v) {
            if constexpr (PrimeField<S>) x = S::from_u64(rng());
            else {
                std::array<typename S::base_field, S::degree> c;
                for (auto& y : c) y = S::base_field::from_u64(rng());
                x = S(c);
            }
        }
        return T::load(v.data());
    } else if constexpr (PrimeField<T>) {
        return T::from_u64(rng());
    } else {
        std::array<typename T::base_field, T::degree> c;
        for (auto& y : c) y = T::base_field::from_u64(rng());
        return T(c);
    }
}

// `chains` independent chains a <- op(a, y): the CPU overlaps them, so this measures
// throughput.
template <class T, class Op>
void chain_throughput(benchmark::State& state, Op op) {
    constexpr int chains = 8, rounds = 128;
    std::mt19937_64 rng(1);
    std::array<T, chains> acc;
    for (auto& a : acc) a = sample<T>(rng);
    const T y = sample<T>(rng);
    for (auto _ : state) {
        for (int r = 0; r < rounds; ++r)
            for (auto& a : acc) a = op(a, y);
        benchmark::DoNotOptimize(acc);
    }
    state.SetItemsProcessed(state.iterations() * chains * rounds * static_cast<std::int64_t>(lanes<T>()));
}

template <class T>
void mul_throughput(benchmark::State& state) {
    chain_throughput<T>(state, [](const T& a, const T& b) { return a * b; });
}

template <class T>
void add_throughput(benchmark::State& state) {
    chain_throughput<T>(state, [](const T& a, const T& b) { return a + b; });
}

template <class T>
void mul_latency(benchmark::State& state) {
    constexpr int rounds = 1024;
    std::mt19937_64 rng(2);
    T acc = sample<T>(rng);
    const T y = sample<T>(rng);
    for (auto _ : state) {
        for (int r = 0; r < rounds; ++r) acc = acc * y;
        benchmark::DoNotOptimize(acc);
    }
    state.SetItemsProcessed(state.iterations() * rounds * static_cast<std::int64_t>(lanes<T>()));
}

template <class F>
void inverse(benchmark::State& state) {
    std::mt19937_64 rng(4);
    F x = sample<F>(rng);
    for (auto _ : state) {
        x = x.inverse() + F::one();
        benchmark::DoNotOptimize(x);
    }
    state.SetItemsProcessed(state.iterations());
}

template <class F>
void batch_inverse_2_16(benchmark::State& state) {
    std::mt19937_64 rng(5);
    std::vector<F> v(1 << 16);
    for (auto& x : v) x = sample<F>(rng);
    for (auto _ : state) {
        batch_inverse(std::span<F>(v));
        benchmark::DoNotOptimize(v.data());
    }
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(v.size()));
}

using BabyBear4 = BinomialExtension<BabyBear, 4>;
using Goldilocks2 = BinomialExtension<Goldilocks, 2>;

}  // namespace

#define FIELD_MUL_BENCHMARKS(T)                      \
    BENCHMARK_TEMPLATE(mul_throughput, T);           \
    BENCHMARK_TEMPLATE(mul_latency, T)

FIELD_MUL_BENCHMARKS(BabyBear);
FIELD_MUL_BENCHMARKS(KoalaBear);
FIELD_MUL_BENCHMARKS(Goldilocks);
FIELD_MUL_BENCHMARKS(Mersenne31);
FIELD_MUL_BENCHMARKS(Packed<BabyBear>);
FIELD_MUL_BENCHMARKS(Packed<KoalaBear>);
FIELD_MUL_BENCHMARKS(Packed<Goldilocks>);
FIELD_MUL_BENCHMARKS(Packed<Mersenne31>);
FIELD_MUL_BENCHMARKS(BabyBear4);
FIELD_MUL_BENCHMARKS(Goldilocks2);
FIELD_MUL_BENCHMARKS(PackedExtension<BabyBear4>);
FIELD_MUL_BENCHMARKS(PackedExtension<Goldilocks2>);
// The same multiplication on every kernel this build has, for ratios within one run.
BENCHMARK_TEMPLATE(mul_throughput, PackedOn<BabyBear, xsimd::generic>);
BENCHMARK_TEMPLATE(mul_throughput, PackedOn<Goldilocks, xsimd::generic>);
#if defined(__AVX2__)
BENCHMARK_TEMPLATE(mul_throughput, PackedOn<BabyBear, xsimd::avx2>);
BENCHMARK_TEMPLATE(mul_throughput, PackedOn<Goldilocks, xsimd::avx2>);
#endif
BENCHMARK_TEMPLATE(add_throughput, BabyBear);
BENCHMARK_TEMPLATE(add_throughput, Packed<BabyBear>);
BENCHMARK_TEMPLATE(add_throughput, Goldilocks);
BENCHMARK_TEMPLATE(add_throughput, Packed<Goldilocks>);
BENCHMARK_TEMPLATE(inverse, BabyBear);
BENCHMARK_TEMPLATE(inverse, Goldilocks);
BENCHMARK_TEMPLATE(inverse, BabyBear4);
BENCHMARK_TEMPLATE(batch_inverse_2_16, BabyBear);
BENCHMARK_TEMPLATE(batch_inverse_2_16, Goldilocks);
