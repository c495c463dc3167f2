// causality/air/examples/fibonacci.hpp — the Fibonacci AIR: two columns (a, b), each row
// the next pair (b, a + b). Public values: the first pair and the last row's b.
#pragma once

#include <causality/error.hpp>
#include <causality/field/matrix.hpp>

#include <array>
#include <cstddef>
#include <string>

namespace causality::air {

struct FibonacciAir {
    [[nodiscard]] static constexpr std::size_t width() noexcept { return 2; }
    [[nodiscard]] static constexpr std::size_t num_public_values() noexcept { return 3; }  // a0, b0, b_last
    [[nodiscard]] static const char* name() noexcept { return "fibonacci"; }

    template <class AB>
    void eval(AB& b) const {
        const auto m = b.main();
        b.when_first_row().assert_eq(m.local(0), b.public_value(0));
        b.when_first_row().assert_eq(m.local(1), b.public_value(1));
        b.when_transition().assert_eq(m.next(0), m.local(1));
        b.when_transition().assert_eq(m.next(1), m.local(0) + m.local(1));
        b.when_last_row().assert_eq(m.local(1), b.public_value(2));
    }
};

// The trace of `rows` rows (a power of two, at least 2) from (a0, b0), and its public values.
template <class F>
field::RowMajorMatrix<F> fibonacci_trace(std::size_t rows, F a0, F b0) {
    if (rows < 2 || (rows & (rows - 1)) != 0)
        throw Error(ErrorCode::invalid_size, "fibonacci_trace: " + std::to_string(rows) +
                                                 " rows, need a power of two >= 2");
    auto t = field::zero_matrix<F>(rows, 2);
    F a = a0, b = b0;
    for (std::size_t r = 0; r < rows; ++r) {
        t(static_cast<Eigen::Index>(r), 0) = a;
        t(static_cast<Eigen::Index>(r), 1) = b;
        const F c = a + b;
        a = b;
        b = c;
    }
    return t;
}

template <class F>
std::array<F, 3> fibonacci_public_values(const field::RowMajorMatrix<F>& trace) {
    return {trace(0, 0), trace(0, 1), trace(trace.rows() - 1, 1)};
}

}  // namespace causality::air
