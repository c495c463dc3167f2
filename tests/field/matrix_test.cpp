// RowMajorMatrix with Eigen, row views, and batch inversion.
#include "field/support.hpp"

#include <catch2/catch.hpp>

#include <random>

using namespace causality::field;
using causality::Error;
using causality::ErrorCode;

TEMPLATE_TEST_CASE("Eigen matrix products of field elements match a hand-written product",
                   "[field][matrix]", CAUSALITY_PRIME_FIELDS, (BinomialExtension<BabyBear, 4>)) {
    using F = TestType;
    std::mt19937_64 rng(31);
    const std::size_t n = 5, k = 7, m = 3;
    RowMajorMatrix<F> a = zero_matrix<F>(n, k), b = zero_matrix<F>(k, m);
    for (Eigen::Index i = 0; i < a.size(); ++i) a.data()[i] = test::random_element<F>(rng);
    for (Eigen::Index i = 0; i < b.size(); ++i) b.data()[i] = test::random_element<F>(rng);
    const RowMajorMatrix<F> c = a * b;
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < m; ++j) {
            F acc = F::zero();
            for (std::size_t t = 0; t < k; ++t) acc += a(i, t) * b(t, j);
            CHECK(c(i, j) == acc);
        }
    const RowMajorMatrix<F> z = zero_matrix<F>(2, 2);
    for (Eigen::Index i = 0; i < z.size(); ++i) CHECK(z.data()[i] == F::zero());
    CHECK(zero_matrix<F>(0, 3).size() == 0);  // null data pointer: nothing to zero
    CHECK(zero_matrix<F>(4, 0).size() == 0);
}

TEST_CASE("rows are contiguous spans and the rows range walks them in order", "[field][matrix]") {
    std::vector<BabyBear> values;
    for (int i = 0; i < 12; ++i) values.push_back(BabyBear(i));
    auto m = matrix_from_rows<BabyBear>(values, 4);
    REQUIRE(m.rows() == 3);
    REQUIRE(m.cols() == 4);
    CHECK(m(2, 1) == BabyBear(9));
    int expected = 0;
    for (auto row : rows(m)) {
        REQUIRE(row.size() == 4);
        for (auto x : row) CHECK(x == BabyBear(expected++));
    }
    row_span(m, 1)[0] = BabyBear(100);
    CHECK(m(1, 0) == BabyBear(100));
    try {
        (void)matrix_from_rows<BabyBear>(values, 5);
        FAIL("accepted 12 values as rows of 5");
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::invalid_size);
    }
}

TEMPLATE_TEST_CASE("batch_inverse equals element-wise inversion", "[field][batch_inverse]",
                   CAUSALITY_PRIME_FIELDS, (BinomialExtension<KoalaBear, 4>)) {
    using F = TestType;
    std::mt19937_64 rng(41);
    for (std::size_t n : {0u, 1u, 2u, 17u, 256u}) {
        std::vector<F> v;
        while (v.size() < n) {
            const F x = test::random_element<F>(rng);
            if (!x.is_zero()) v.push_back(x);
        }
        auto inv = v;
        batch_inverse(std::span<F>(inv));
        for (std::size_t i = 0; i < n; ++i) CHECK(inv[i] == v[i].inverse());
    }
}

TEST_CASE("batch_inverse names the zero element and leaves the input unchanged", "[field][batch_inverse]") {
    std::vector<Goldilocks> v{Goldilocks(3), Goldilocks(5), Goldilocks::zero(), Goldilocks(7)};
    const auto before = v;
    try {
        batch_inverse(v);
        FAIL("inverted a zero");
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::division_by_zero);
        CHECK_THAT(e.what(), Catch::Contains("element 2"));
    }
    CHECK(v == before);
}
