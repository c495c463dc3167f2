// causality/air/examples/synthetic.hpp — a wide synthetic AIR with degree-3 constraints
// (counting the transition selector, as the quotient does), for benchmarks of the
// prover's throughput: `width` columns, each row's column i is
// next[i] = local[i]^2 + local[(i + 1) % width] + i. The first row is free (random).
#pragma once

#include <causality/error.hpp>
#include <causality/field/matrix.hpp>

#include <cstddef>
#include <random>
#include <string>

namespace causality::air {

class SyntheticAir {
public:
    explicit SyntheticAir(std::size_t width) : width_(width) {
        if (width == 0) throw Error(ErrorCode::invalid_argument, "SyntheticAir: width 0");
    }
    [[nodiscard]] std::size_t width() const noexcept { return width_; }
    [[nodiscard]] static const char* name() noexcept { return "synthetic"; }

    template <class AB>
    void eval(AB& b) const {
        using F = typename AB::F;
        const auto m = b.main();
        auto t = b.when_transition();
        for (std::size_t i = 0; i < width_; ++i) {
            const auto& x = m.local(i);
            t.assert_eq(m.next(i), x * x + m.local((i + 1) % width_) + F(static_cast<std::uint32_t>(i)));
        }
    }

    // A valid trace of `rows` rows (a power of two) from a random first row.
    template <class F>
    [[nodiscard]] field::RowMajorMatrix<F> generate_trace(std::size_t rows, std::uint64_t seed) const {
        if (rows < 2 || (rows & (rows - 1)) != 0)
            throw Error(ErrorCode::invalid_size,
                        "SyntheticAir: " + std::to_string(rows) + " rows, need a power of two >= 2");
        auto t = field::zero_matrix<F>(rows, width_);
        std::mt19937_64 rng(seed);
        for (std::size_t i = 0; i < width_; ++i) t.data()[i] = F::from_u64(rng());
        for (std::size_t r = 0; r + 1 < rows; ++r) {
            const F* cur = t.data() + r * width_;
            F* nxt = t.data() + (r + 1) * width_;
            for (std::size_t i = 0; i < width_; ++i)
                nxt[i] = cur[i] * cur[i] + cur[(i + 1) % width_] + F(static_cast<std::uint32_t>(i));
        }
        return t;
    }

private:
    std::size_t width_;
};

}  // namespace causality::air
