// Proves a Fibonacci computation with the BabyBear-Poseidon2 STARK, writes the proof to a
// file, and verifies proof files.
//
//   stark_fibonacci prove [LOG_ROWS] [FILE]   prove 2^LOG_ROWS steps (default 16), write FILE
//                                             (default fibonacci.proof), print size/time/security
//   stark_fibonacci verify FILE [LOG_ROWS]    exit 0 when FILE proves the statement, else
//                                             exit 1 and print the reason
//
// The statement: starting from (0, 1), after 2^LOG_ROWS - 1 steps the second column holds
// the public value printed by `prove` (recomputed by `verify`).
#include "fibonacci_statement.hpp"

#include <causality/air.hpp>
#include <causality/stark.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

// The prover of the configuration is compiled once, in fibonacci_prover_instance.cpp.
extern template class causality::stark::Prover<fibonacci_example::Config>;

namespace {

using namespace fibonacci_example;

int prove(unsigned log_rows, const std::string& path) {
    const std::size_t rows = std::size_t{1} << log_rows;
    const std::vector<stark::AirRef<Config>> airs{air::FibonacciAir{}};
    std::vector<field::RowMajorMatrix<F>> traces;
    traces.push_back(air::fibonacci_trace<F>(rows, F(0), F(1)));
    const std::vector<std::vector<F>> publics{statement(rows)};

    const auto t0 = std::chrono::steady_clock::now();
    const auto bytes = stark::Prover<Config>::prove_to_bytes(airs, std::move(traces), publics);
    const auto t1 = std::chrono::steady_clock::now();
    std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()),
                                                static_cast<std::streamsize>(bytes.size()));
    const auto report = stark::security_report<Config>(log_rows + Config::fri.log_blowup);
    std::printf("proved %zu Fibonacci steps with %s: fib = %u\n", rows - 1, std::string(Config::name).c_str(),
                static_cast<unsigned>(publics[0][2].to_u64()));
    std::printf("proof: %zu bytes in %s, %.1f ms\n", bytes.size(), path.c_str(),
                std::chrono::duration<double, std::milli>(t1 - t0).count());
    std::printf("security: %s\n", report.to_string().c_str());
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        const std::string mode = argc > 1 ? argv[1] : "prove";
        if (mode == "prove")
            return prove(argc > 2 ? parse_log_rows(argv[2]) : 16, argc > 3 ? argv[3] : "fibonacci.proof");
        if (mode == "verify" && argc > 2) return verify(argv[2], argc > 3 ? parse_log_rows(argv[3]) : 16);
        std::fprintf(stderr, "usage: %s prove [LOG_ROWS] [FILE] | verify FILE [LOG_ROWS]\n", argv[0]);
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 2;
    }
}
