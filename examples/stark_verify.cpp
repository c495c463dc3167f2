// Verifies a Fibonacci proof written by `stark_fibonacci prove`, from a translation unit
// that includes only the verifier (the CPU seconds to compile it are in
// benchmarks/RESULTS.md).
//
//   stark_verify FILE [LOG_ROWS]   exit 0 when FILE proves the statement, else 1
#include "fibonacci_statement.hpp"

#include <cstdio>
#include <exception>

int main(int argc, char** argv) {
    using namespace fibonacci_example;
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s FILE [LOG_ROWS]\n", argv[0]);
        return 2;
    }
    try {
        return verify(argv[1], argc > 2 ? parse_log_rows(argv[2]) : 16);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 2;
    }
}
