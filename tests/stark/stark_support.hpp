// Helpers shared by the STARK tests: random permutation states and a proved Fibonacci.
#pragma once

#include <causality/air/examples/fibonacci.hpp>
#include <causality/stark.hpp>

#include <array>
#include <cstdint>
#include <random>
#include <vector>

namespace causality::test {

template <class F, std::size_t W>
std::vector<std::array<F, W>> random_states(std::size_t n, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::vector<std::array<F, W>> v(n);
    for (auto& s : v)
        for (auto& x : s) x = F::from_u64(rng());
    return v;
}

// Proves 2^k Fibonacci rows under SC; fills the AIR list and the public values.
template <class SC>
std::vector<std::uint8_t> prove_fibonacci(std::size_t rows, std::vector<stark::AirRef<SC>>& airs,
                                          std::vector<std::vector<typename SC::Field>>& publics) {
    using F = typename SC::Field;
    auto trace = air::fibonacci_trace<F>(rows, F(0u), F(1u));
    const auto pv = air::fibonacci_public_values(trace);
    airs = {stark::AirRef<SC>(air::FibonacciAir{})};
    publics = {std::vector<F>(pv.begin(), pv.end())};
    std::vector<field::RowMajorMatrix<F>> traces;
    traces.push_back(std::move(trace));
    return stark::prove_to_bytes<SC>(airs, std::move(traces), publics);
}

}  // namespace causality::test
