// DFT, coset LDE, bit reversal and barycentric evaluation: against the O(n^2)
// definition for every size up to 2^10, against Horner evaluation for larger sizes,
// round trips, thread-count independence, and rejection of bad sizes.
#include "field/support.hpp"

#include <causality/parallel.hpp>

#include <catch2/catch.hpp>

#include <random>

using namespace causality::field;
using causality::Error;
using causality::ErrorCode;

namespace {

template <class F>
std::vector<F> column(const RowMajorMatrix<F>& m, Eigen::Index c) {
    std::vector<F> v;
    for (Eigen::Index r = 0; r < m.rows(); ++r) v.push_back(m(r, c));
    return v;
}

// Checks `evals` row k == p_c(shift * w^k) (natural) for sampled k, p_c from `coeffs`.
template <class F>
void check_rows_by_horner(const RowMajorMatrix<F>& coeffs, const RowMajorMatrix<F>& evals, F shift,
                          std::uint64_t seed, bool bit_reversed = false) {
    const auto n = static_cast<std::size_t>(evals.rows());
    const auto log_n = static_cast<unsigned>(std::countr_zero(n));
    const F w = F::two_adic_generator(log_n);
    std::mt19937_64 rng(seed);
    for (int sample = 0; sample < 24; ++sample) {
        const std::size_t k = rng() % n;
        const std::size_t row = bit_reversed ? reverse_bits(k, log_n) : k;
        const F x = shift * w.pow(k);
        for (Eigen::Index c = 0; c < coeffs.cols(); ++c) {
            const auto col = column(coeffs, c);
            INFO("row " << row << ", column " << c);
            REQUIRE(evals(static_cast<Eigen::Index>(row), c) == evaluate_polynomial(std::span<const F>(col), x));
        }
    }
}

}  // namespace

#define CAUSALITY_DFT_FIELDS                                                          \
    causality::field::BabyBear, causality::field::KoalaBear, causality::field::Goldilocks, \
        test::UserField, (causality::field::BinomialExtension<causality::field::BabyBear, 4>)

TEMPLATE_TEST_CASE("dft_batch equals the O(n^2) DFT for every size up to 2^10", "[dft]", CAUSALITY_DFT_FIELDS) {
    using F = TestType;
    for (unsigned log_n = 0; log_n <= 10; ++log_n) {
        for (std::size_t cols : {std::size_t{1}, std::size_t{19}}) {
            INFO("n = 2^" << log_n << ", cols = " << cols);
            const auto coeffs = test::random_matrix<F>(std::size_t{1} << log_n, cols, log_n * 100 + cols);
            auto fast = coeffs, slow = coeffs;
            dft_batch(fast);
            NaiveDft<F>{}.dft_batch(slow);
            REQUIRE(fast == slow);
            idft_batch(fast);
            REQUIRE(fast == coeffs);
        }
    }
}

TEMPLATE_TEST_CASE("large transforms: blocked and tiled paths agree with Horner evaluation", "[dft]",
                   causality::field::BabyBear, causality::field::Goldilocks) {
    using F = TestType;
    const auto coeffs = test::random_matrix<F>(std::size_t{1} << 13, 70, 5);  // several blocks, strips and a tail
    auto evals = coeffs;
    dft_batch(evals);
    check_rows_by_horner(coeffs, evals, F::one(), 6);
    idft_batch(evals);
    CHECK(evals == coeffs);
}

TEMPLATE_TEST_CASE("single-vector dft agrees with the batch path, including the four-step sizes", "[dft]",
                   causality::field::BabyBear, causality::field::Goldilocks) {
    using F = TestType;
    for (unsigned log_n : {0u, 1u, 5u, 11u, 12u, 15u}) {
        INFO("n = 2^" << log_n);
        const auto m = test::random_matrix<F>(std::size_t{1} << log_n, 1, log_n);
        std::vector<F> v(m.data(), m.data() + m.size());
        auto batch = m;
        dft_batch(batch);
        dft(std::span<F>(v));
        REQUIRE(std::equal(v.begin(), v.end(), batch.data()));
        idft(std::span<F>(v));
        REQUIRE(std::equal(v.begin(), v.end(), m.data()));
    }
}

TEMPLATE_TEST_CASE("coset LDE equals evaluating the interpolated polynomial", "[dft][lde]", CAUSALITY_DFT_FIELDS) {
    using F = TestType;
    const F shift = F::two_adic_generator(std::min(F::two_adicity, 20u)) + F::one();
    for (unsigned log_n : {0u, 1u, 3u, 6u})
        for (unsigned added : {0u, 1u, 3u}) {
            INFO("n = 2^" << log_n << ", added_bits = " << added);
            const auto evals = test::random_matrix<F>(std::size_t{1} << log_n, 5, log_n * 10 + added);
            auto coeffs = evals;
            NaiveDft<F>{}.idft_batch(coeffs);
            const auto lde = coset_lde_batch(evals, added, shift);
            REQUIRE(lde.rows() == evals.rows() << added);
            for (Eigen::Index k = 0; k < lde.rows(); ++k) {
                const F x = shift * F::two_adic_generator(log_n + added).pow(static_cast<std::uint64_t>(k));
                for (Eigen::Index c = 0; c < lde.cols(); ++c) {
                    const auto col = column(coeffs, c);
                    REQUIRE(lde(k, c) == evaluate_polynomial(std::span<const F>(col), x));
                }
            }
            auto reversed = coset_lde_batch(evals, added, shift, RowOrder::bit_reversed);
            bit_reverse_rows(reversed);
            REQUIRE(reversed == lde);
            REQUIRE(NaiveDft<F>{}.coset_lde_batch(evals, added, shift) == lde);
        }
}

TEST_CASE("a large coset LDE in both orders agrees with Horner evaluation", "[dft][lde]") {
    using F = BabyBear;
    const auto evals = test::random_matrix<F>(std::size_t{1} << 12, 20, 8);
    auto coeffs = evals;
    idft_batch(coeffs);
    const F shift = F::generator();
    check_rows_by_horner(coeffs, coset_lde_batch(evals, 2, shift), shift, 9);
    check_rows_by_horner(coeffs, coset_lde_batch(evals, 2, shift, RowOrder::bit_reversed), shift, 10, true);
}

// Regression: with rows of 48 bytes (12 BabyBear or 6 Goldilocks columns) the blocked
// network's runs were 85 rows, which do not tile the 2^a-row groups, and some rows of the
// outer layers were never transformed once the transform outgrew the L2-sized level.
TEST_CASE("the blocked network covers every row for row sizes that do not divide 4 KiB", "[dft][lde]") {
    const auto check = [](auto tag, std::size_t cols) {
        using F = decltype(tag);
        INFO(cols << " columns");
        const auto evals = test::random_matrix<F>(std::size_t{1} << 16, cols, 21);
        const F shift = F::generator();
        auto natural = coset_lde_batch(evals, 2, shift);
        const auto reversed = coset_lde_batch(evals, 2, shift, RowOrder::bit_reversed);
        auto coeffs = evals;
        idft_batch(coeffs);
        check_rows_by_horner(coeffs, natural, shift, 3);
        check_rows_by_horner(coeffs, reversed, shift, 4, true);
        bit_reverse_rows(natural);
        CHECK(natural == reversed);
        // Narrow matrices now take the column path in coset_lde_batch; dft_batch still runs
        // the row network on them.
        auto evaluated = coeffs;
        dft_batch(evaluated);
        check_rows_by_horner(coeffs, evaluated, F::one(), 5);
    };
    check(BabyBear{}, 12);
    check(BabyBear{}, 5);
    check(Goldilocks{}, 6);
}

// Matrices narrower than a packed vector are extended by the four-step method on blocks of
// rows; the result must equal the row network's on the same columns padded to 16. (With
// the portable kernels Packed<F>::width may be below some tested widths: then both sides
// take the row network, which must agree as well.)
TEST_CASE("the narrow-matrix LDE path equals the row network", "[dft][lde]") {
    const auto check = [](auto tag, std::size_t cols, unsigned log_n, unsigned added) {
        using F = decltype(tag);
        constexpr std::size_t full = 16;  // at least every tested width and any Packed<F>::width: the row network
        INFO(cols << " columns, 2^" << log_n << " rows, added bits " << added);
        const auto wide = test::random_matrix<F>(std::size_t{1} << log_n, full, 31 + cols);
        RowMajorMatrix<F> narrow(wide.rows(), static_cast<Eigen::Index>(cols));
        for (Eigen::Index r = 0; r < wide.rows(); ++r)
            for (Eigen::Index c = 0; c < narrow.cols(); ++c) narrow(r, c) = wide(r, c);
        const F shift = F::generator();
        for (auto order : {RowOrder::natural, RowOrder::bit_reversed}) {
            const auto a = coset_lde_batch(narrow, added, shift, order);
            const auto b = coset_lde_batch(wide, added, shift, order);
            REQUIRE(a.rows() == b.rows());
            bool same = true;
            for (Eigen::Index r = 0; r < a.rows(); ++r)
                for (Eigen::Index c = 0; c < a.cols(); ++c) same = same && a(r, c) == b(r, c);
            CHECK(same);
        }
    };
    for (std::size_t cols : {1, 3, 4, 12, 15}) check(BabyBear{}, cols, 12, 2);
    check(BabyBear{}, 4, 13, 1);
    check(BabyBear{}, 2, 14, 3);
    check(KoalaBear{}, 7, 12, 1);
    for (std::size_t cols : {1, 6, 7}) check(Goldilocks{}, cols, 12, 2);
}

TEST_CASE("results are bit-identical for 1, 2 and 3 threads", "[dft][parallel]") {
    const auto m = test::random_matrix<BabyBear>(std::size_t{1} << 13, 70, 11);
    const auto g = test::random_matrix<Goldilocks>(std::size_t{1} << 12, 33, 12);
    std::vector<BabyBear> v(std::size_t{1} << 14);
    std::mt19937_64 rng(13);
    for (auto& x : v) x = BabyBear::from_u64(rng());
    const auto run = [&](unsigned threads) {
        causality::parallel::ScopedThreadCount scope(threads);
        auto a = m;
        dft_batch(a);
        auto b = coset_lde_batch(g, 2, Goldilocks::generator(), RowOrder::bit_reversed);
        auto c = v;
        dft(std::span<BabyBear>(c));
        const auto narrow = coset_lde_batch(m.leftCols(3).eval(), 3, BabyBear::generator(), RowOrder::bit_reversed);
        return std::make_tuple(a, b, c, narrow);
    };
    const auto one = run(1);
    CHECK(run(2) == one);
    CHECK(run(3) == one);
}

TEST_CASE("bad sizes are rejected with a clear error", "[dft][errors]") {
    const auto expect = [](auto&& f, ErrorCode code, const char* text) {
        try {
            f();
            FAIL("no error");
        } catch (const Error& e) {
            CHECK(e.code() == code);
            CHECK_THAT(e.what(), Catch::Contains(text));
        }
    };
    auto three = zero_matrix<BabyBear>(3, 2);
    expect([&] { dft_batch(three); }, ErrorCode::invalid_size, "size 3 is not a power of two");
    auto empty = zero_matrix<BabyBear>(0, 2);
    expect([&] { idft_batch(empty); }, ErrorCode::invalid_size, "size 0");
    auto m31 = zero_matrix<Mersenne31>(4, 1);
    expect([&] { dft_batch(m31); }, ErrorCode::invalid_size, "exceeds the field's two-adicity 1");
    const auto small = zero_matrix<BabyBear>(16, 1);
    expect([&] { (void)coset_lde_batch(small, 24, BabyBear::generator()); }, ErrorCode::invalid_size,
           "two-adicity 27");
    expect([&] { (void)coset_lde_batch(small, 1, BabyBear::zero()); }, ErrorCode::invalid_argument, "shift is zero");
    std::vector<Goldilocks> five(5);
    expect([&] { dft(std::span<Goldilocks>(five)); }, ErrorCode::invalid_size, "not a power of two");
    auto rows6 = zero_matrix<BabyBear>(6, 1);
    expect([&] { bit_reverse_rows(rows6); }, ErrorCode::invalid_size, "6 rows");
}

TEST_CASE("bit_reverse_rows moves row i to reverse_bits(i) and is an involution", "[dft]") {
    CHECK(reverse_bits(0b0011, 4) == 0b1100);
    CHECK(reverse_bits(1, 1) == 1);
    CHECK(reverse_bits(5, 0) == 0);
    for (unsigned log_n : {0u, 1u, 2u, 7u, 8u, 11u, 14u}) {
        const std::size_t n = std::size_t{1} << log_n;
        const auto m = test::random_matrix<BabyBear>(n, 5, log_n);
        auto r = m;
        bit_reverse_rows(r);
        for (std::size_t i = 0; i < n; ++i)
            REQUIRE(r.row(static_cast<Eigen::Index>(reverse_bits(i, log_n))) == m.row(static_cast<Eigen::Index>(i)));
        bit_reverse_rows(r);
        REQUIRE(r == m);
    }
}

TEMPLATE_TEST_CASE("barycentric evaluation on a coset equals Horner on the interpolant", "[dft][interpolate]",
                   causality::field::BabyBear, causality::field::Goldilocks) {
    using F = TestType;
    using E = BinomialExtension<F, F::modulus == BabyBear::modulus ? 4 : 2>;
    std::mt19937_64 rng(17);
    for (unsigned log_n : {0u, 3u, 10u}) {
        const auto evals = test::random_matrix<F>(std::size_t{1} << log_n, 4, log_n + 50);
        const F shift = F::generator();
        // Coefficients of p(shift x): interpolate on H, then undo the shift.
        auto coeffs = evals;
        idft_batch(coeffs);
        const F shift_inv = shift.inverse();
        F s = F::one();
        for (Eigen::Index i = 0; i < coeffs.rows(); ++i, s *= shift_inv) coeffs.row(i) *= s;
        const E z = test::random_element<E>(rng);
        const auto values = evaluate_on_coset(evals, shift, z);
        for (Eigen::Index c = 0; c < coeffs.cols(); ++c) {
            const auto col = column(coeffs, c);
            CHECK(values[static_cast<std::size_t>(c)] == evaluate_polynomial(std::span<const F>(col), z));
        }
        if (log_n > 0) {
            const E on_coset = E::from_base(shift * F::two_adic_generator(log_n));
            CHECK_THROWS_AS(evaluate_on_coset(evals, shift, on_coset), Error);
        }
    }
}

TEST_CASE("coset_lde_batch into a reused matrix equals the returning form", "[dft][lde]") {
    const auto evals = test::random_matrix<KoalaBear>(64, 9, 21);
    RowMajorMatrix<KoalaBear> out = test::random_matrix<KoalaBear>(3, 3, 22);  // wrong shape: resized
    for (auto order : {RowOrder::natural, RowOrder::bit_reversed}) {
        coset_lde_batch(evals, 2, KoalaBear::generator(), order, out);
        CHECK(out == coset_lde_batch(evals, 2, KoalaBear::generator(), order));
        coset_lde_batch(evals, 2, KoalaBear::generator(), order, out);  // same shape: reused
        CHECK(out == coset_lde_batch(evals, 2, KoalaBear::generator(), order));
    }
    RowMajorMatrix<KoalaBear> same = evals;
    CHECK_THROWS_AS(coset_lde_batch(same, 1, KoalaBear::generator(), RowOrder::natural, same), Error);
}
