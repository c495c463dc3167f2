// Binomial extension fields: arithmetic against a reference polynomial product mod
// X^D - W computed with 128-bit integers, inverse, Frobenius, two-adic generators.
#include "field/support.hpp"

#include <catch2/catch.hpp>

#include <random>

using namespace causality::field;
using causality::Error;
using causality::ErrorCode;

namespace {

// (a * b) mod (X^D - w) on canonical coefficient vectors, in 128-bit integers.
template <class E>
std::vector<std::uint64_t> reference_product(const E& a, const E& b) {
    using F = typename E::base_field;
    constexpr std::size_t D = E::degree;
    const std::uint64_t p = F::modulus;
    const std::uint64_t w = binomial_extension_params<F, D>::w % p;
    std::vector<std::uint64_t> r(D, 0);
    for (std::size_t i = 0; i < D; ++i)
        for (std::size_t j = 0; j < D; ++j) {
            std::uint64_t t = test::ref_mul(a[i].to_u64(), b[j].to_u64(), p);
            if (i + j >= D) t = test::ref_mul(t, w, p);
            r[(i + j) % D] = test::ref_add(r[(i + j) % D], t, p);
        }
    return r;
}

template <class E>
std::vector<std::uint64_t> canonical(const E& e) {
    std::vector<std::uint64_t> r;
    for (auto c : e.coeffs()) r.push_back(c.to_u64());
    return r;
}

template <class E>
std::vector<E> sample_extension(std::size_t n, std::uint64_t seed) {
    using F = typename E::base_field;
    std::mt19937_64 rng(seed);
    std::vector<E> v{E::zero(), E::one(), -E::one(), E::x(), E::from_base(F::neg_one()) + E::x()};
    std::array<F, E::degree> all_max;
    all_max.fill(F::neg_one());
    v.push_back(E(all_max));
    for (std::size_t i = 0; i < n; ++i) v.push_back(test::random_element<E>(rng));
    return v;
}

}  // namespace

TEMPLATE_TEST_CASE("extension multiplication matches the reference product", "[field][extension]",
                   CAUSALITY_EXTENSION_FIELDS) {
    using E = TestType;
    const auto values = sample_extension<E>(25, 1);
    for (const auto& a : values)
        for (const auto& b : values) {
            INFO("a = " << a << ", b = " << b);
            CHECK(canonical(a * b) == reference_product(a, b));
        }
}

TEMPLATE_TEST_CASE("extension ring axioms and base-field embedding", "[field][extension]",
                   CAUSALITY_EXTENSION_FIELDS) {
    using E = TestType;
    using F = typename E::base_field;
    const auto values = sample_extension<E>(8, 2);
    for (const auto& a : values)
        for (const auto& b : values) {
            CHECK(a + b == b + a);
            CHECK(a * b == b * a);
            CHECK((a - b) + b == a);
            for (const auto& c : values) {
                CHECK((a * b) * c == a * (b * c));
                CHECK(a * (b + c) == a * b + a * c);
            }
        }
    std::mt19937_64 rng(3);
    for (int i = 0; i < 50; ++i) {
        const F x = F::from_u64(rng()), y = F::from_u64(rng());
        const E e = test::random_element<E>(rng);
        CHECK(E::from_base(x) * E::from_base(y) == E::from_base(x * y));
        CHECK(E::from_base(x) + E::from_base(y) == E::from_base(x + y));
        CHECK(e * x == e * E::from_base(x));
        CHECK(x * e == e * E::from_base(x));
        CHECK(e + x == e + E::from_base(x));
        CHECK(e - x == e - E::from_base(x));
        CHECK(x - e == E::from_base(x) - e);
        CHECK(E::from_base(x).is_in_base_field());
    }
    CHECK(E::x().pow(E::degree) == E::from_base(E::w));
}

TEMPLATE_TEST_CASE("extension inverse, zero raises division_by_zero", "[field][extension]",
                   CAUSALITY_EXTENSION_FIELDS) {
    using E = TestType;
    for (const auto& a : sample_extension<E>(40, 4)) {
        if (a.is_zero()) continue;
        INFO("a = " << a);
        CHECK(a * a.inverse() == E::one());
        CHECK(a / a == E::one());
    }
    try {
        (void)E::zero().inverse();
        FAIL("inverting zero did not throw");
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::division_by_zero);
    }
}

TEMPLATE_TEST_CASE("Frobenius is x -> x^p, an automorphism of order D fixing F", "[field][extension]",
                   CAUSALITY_EXTENSION_FIELDS) {
    using E = TestType;
    using F = typename E::base_field;
    const auto values = sample_extension<E>(10, 5);
    for (const auto& a : values) {
        INFO("a = " << a);
        CHECK(a.frobenius() == a.pow(F::modulus));
        CHECK(a.repeated_frobenius(E::degree) == a);
        CHECK(a.repeated_frobenius(2) == a.frobenius().frobenius());
        for (const auto& b : values) {
            CHECK((a * b).frobenius() == a.frobenius() * b.frobenius());
            CHECK((a + b).frobenius() == a.frobenius() + b.frobenius());
        }
        // The norm, the product of all conjugates, lies in the base field.
        E norm = a;
        for (std::size_t k = 1; k < E::degree; ++k) norm *= a.repeated_frobenius(k);
        CHECK(norm.is_in_base_field());
    }
    std::mt19937_64 rng(6);
    for (int i = 0; i < 20; ++i) {
        const E b = E::from_base(F::from_u64(rng()));
        CHECK(b.frobenius() == b);
    }
}

TEMPLATE_TEST_CASE("extension two-adic generators have exact order and agree with the base field",
                   "[field][extension]", CAUSALITY_EXTENSION_FIELDS) {
    using E = TestType;
    using F = typename E::base_field;
    for (unsigned bits = 0; bits <= E::two_adicity; ++bits) {
        INFO("bits = " << bits);
        const E g = E::two_adic_generator(bits);
        CHECK(detail::square_n(g, bits) == E::one());
        if (bits > 0) {
            CHECK(detail::square_n(g, bits - 1) == -E::one());
            CHECK(g.square() == E::two_adic_generator(bits - 1));
        }
        if (bits <= F::two_adicity) CHECK(g == E::from_base(F::two_adic_generator(bits)));
    }
    CHECK_THROWS_AS(E::two_adic_generator(E::two_adicity + 1), Error);
}

TEST_CASE("extension two-adicities are v2(p^D - 1)", "[field][extension][kat]") {
    CHECK(BinomialExtension<BabyBear, 4>::two_adicity == 29);
    CHECK(BinomialExtension<BabyBear, 5>::two_adicity == 27);
    CHECK(BinomialExtension<KoalaBear, 4>::two_adicity == 26);
    CHECK(BinomialExtension<Goldilocks, 2>::two_adicity == 33);
    CHECK(BinomialExtension<Mersenne31, 2>::two_adicity == 32);
}

TEST_CASE("the irreducibility check rejects squares and accepts the built-in W", "[field][extension]") {
    STATIC_REQUIRE(detail::binomial_is_irreducible<BabyBear, 4>(BabyBear(11)));
    STATIC_REQUIRE_FALSE(detail::binomial_is_irreducible<BabyBear, 4>(BabyBear(4)));  // a square
    STATIC_REQUIRE_FALSE(detail::binomial_is_irreducible<BabyBear, 4>(BabyBear::zero()));
    STATIC_REQUIRE_FALSE(detail::binomial_is_irreducible<BabyBear, 5>(BabyBear(32)));  // 2^5
    STATIC_REQUIRE(detail::binomial_is_irreducible<Goldilocks, 3>(Goldilocks(7)));  // a generator is no cube
    STATIC_REQUIRE_FALSE(detail::binomial_is_irreducible<Goldilocks, 3>(Goldilocks(8)));  // 2^3
    STATIC_REQUIRE_FALSE(detail::binomial_is_irreducible<Mersenne31, 4>(Mersenne31(3)));  // 4 does not divide p - 1
}
