// The Fibonacci statement of the STARK examples and the verification of a proof file:
// shared by stark_fibonacci (which also proves) and stark_verify (a verifier-only
// translation unit: it includes the verifier, not the prover). The configuration's
// verifier is compiled once, in fibonacci_verifier_instance.cpp; here it is only declared.
#pragma once

#include <causality/air/examples/fibonacci.hpp>
#include <causality/stark/config.hpp>
#include <causality/stark/verifier.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace fibonacci_example {

using namespace causality;
using Config = stark::BabyBearPoseidon2;
using F = Config::Field;

}  // namespace fibonacci_example

extern template class causality::stark::Verifier<fibonacci_example::Config>;

namespace fibonacci_example {

// Starting from (0, 1), after rows - 1 steps: the public values (a0, b0, last b).
inline std::vector<F> statement(std::size_t rows) {
    F a(0), b(1);
    for (std::size_t i = 0; i + 1 < rows; ++i) {
        const F c = a + b;
        a = b;
        b = c;
    }
    return {F(0), F(1), b};
}

// Exit status 0 when the file proves the statement for 2^log_rows rows, 1 when rejected
// (the reason printed), 2 when the file cannot be read.
inline int verify(const std::string& path, unsigned log_rows) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        std::fprintf(stderr, "cannot read %s\n", path.c_str());
        return 2;
    }
    const std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const std::vector<stark::AirRef<Config>> airs{air::FibonacciAir{}};
    const auto t0 = std::chrono::steady_clock::now();
    const auto result = stark::Verifier<Config>::verify_bytes(airs, bytes, {statement(std::size_t{1} << log_rows)});
    const auto t1 = std::chrono::steady_clock::now();
    if (!result) {
        std::printf("REJECTED: %s\n", result.reason().c_str());
        return 1;
    }
    std::printf("verified %s (%zu bytes) in %.1f ms\n", path.c_str(), bytes.size(),
                std::chrono::duration<double, std::milli>(t1 - t0).count());
    return 0;
}

inline unsigned parse_log_rows(const char* s) {
    const long v = std::strtol(s, nullptr, 10);
    if (v < 1 || v > 26) {
        std::fprintf(stderr, "LOG_ROWS must be in 1..26, got %s\n", s);
        std::exit(2);
    }
    return static_cast<unsigned>(v);
}

}  // namespace fibonacci_example
