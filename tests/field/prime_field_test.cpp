// Property and known-answer tests of the prime fields against a 128-bit reference.
#include "field/support.hpp"

#include <catch2/catch.hpp>

#include <limits>
#include <random>

using namespace causality::field;
using causality::Error;
using causality::ErrorCode;

TEMPLATE_TEST_CASE("prime field arithmetic matches the 128-bit reference", "[field][prime]",
                   CAUSALITY_PRIME_FIELDS) {
    using F = TestType;
    const std::uint64_t p = F::modulus;
    const auto values = test::sample_values(p, 60);
    for (std::uint64_t a : values) {
        const F fa = F::from_u64(a);
        REQUIRE(fa.to_u64() == a);
        CHECK((-fa).to_u64() == test::ref_sub(0, a, p));
        CHECK(fa.square().to_u64() == test::ref_mul(a, a, p));
        CHECK(fa.double_().to_u64() == test::ref_add(a, a, p));
        for (std::uint64_t b : values) {
            const F fb = F::from_u64(b);
            INFO("a = " << a << ", b = " << b);
            CHECK((fa + fb).to_u64() == test::ref_add(a, b, p));
            CHECK((fa - fb).to_u64() == test::ref_sub(a, b, p));
            CHECK((fa * fb).to_u64() == test::ref_mul(a, b, p));
            if (b != 0) CHECK(((fa / fb) * fb).to_u64() == a);
        }
    }
}

TEMPLATE_TEST_CASE("from_u64 reduces every 64-bit value and to_u64 is canonical", "[field][prime]",
                   CAUSALITY_PRIME_FIELDS) {
    using F = TestType;
    const std::uint64_t p = F::modulus;
    std::mt19937_64 rng(7);
    std::vector<std::uint64_t> inputs{0, 1, p - 1, p, p + 1, 2 * p - 1, ~std::uint64_t{0},
                                      ~std::uint64_t{0} - 1, std::uint64_t{1} << 63};
    for (int i = 0; i < 200; ++i) inputs.push_back(rng());
    for (std::uint64_t x : inputs) {
        INFO("x = " << x);
        CHECK(F::from_u64(x).to_u64() == x % p);
    }
    CHECK(F(-1) == -F::one());
    CHECK(F(-5) + F(5) == F::zero());
    CHECK(F(std::int64_t{-7}) == F::from_u64(p - 7));
    CHECK(F(std::numeric_limits<std::int64_t>::min()) == -F::from_u64(std::uint64_t{1} << 63));
}

TEMPLATE_TEST_CASE("ring axioms hold on edge and random values", "[field][prime]",
                   CAUSALITY_PRIME_FIELDS) {
    using F = TestType;
    const auto values = test::sample_values(F::modulus, 12, 99);
    for (auto a : values)
        for (auto b : values)
            for (auto c : values) {
                const F x = F::from_u64(a), y = F::from_u64(b), z = F::from_u64(c);
                CHECK((x + y) + z == x + (y + z));
                CHECK((x * y) * z == x * (y * z));
                CHECK(x * (y + z) == x * y + x * z);
                CHECK(x + y == y + x);
                CHECK(x * y == y * x);
            }
    for (auto a : values) {
        const F x = F::from_u64(a);
        CHECK(x + F::zero() == x);
        CHECK(x * F::one() == x);
        CHECK(x * F::zero() == F::zero());
        CHECK(x + (-x) == F::zero());
        CHECK(x - x == F::zero());
        F y = x;
        y += F::one();
        y -= F::one();
        y *= F::two();
        CHECK(y == x + x);
    }
}

TEMPLATE_TEST_CASE("inverse and division, zero raises division_by_zero", "[field][prime]",
                   CAUSALITY_PRIME_FIELDS) {
    using F = TestType;
    for (auto a : test::sample_values(F::modulus, 100)) {
        if (a == 0) continue;
        const F x = F::from_u64(a);
        CHECK(x * x.inverse() == F::one());
        CHECK(x.inverse().to_u64() == test::ref_pow(a, F::modulus - 2, F::modulus));
    }
    try {
        (void)F::zero().inverse();
        FAIL("inverting zero did not throw");
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::division_by_zero);
    }
    CHECK_THROWS_AS(F::one() / F::zero(), Error);
}

TEMPLATE_TEST_CASE("pow agrees with the reference and Fermat's little theorem", "[field][prime]",
                   CAUSALITY_PRIME_FIELDS) {
    using F = TestType;
    const std::uint64_t p = F::modulus;
    std::mt19937_64 rng(11);
    for (auto a : test::sample_values(p, 30)) {
        const F x = F::from_u64(a);
        CHECK(x.pow(0) == F::one());
        CHECK(x.pow(1) == x);
        const std::uint64_t e1 = rng() >> 2, e2 = rng() >> 2;
        CHECK(x.pow(e1).to_u64() == test::ref_pow(a, e1, p));
        CHECK(x.pow(e1) * x.pow(e2) == x.pow(e1 + e2));
        if (a != 0) CHECK(x.pow(p - 1) == F::one());
    }
}

TEMPLATE_TEST_CASE("the generator is primitive and two-adic generators have exact order",
                   "[field][prime]", CAUSALITY_PRIME_FIELDS) {
    using F = TestType;
    const std::uint64_t p = F::modulus;
    // Prime factors of p - 1 by trial division (p - 1 is smooth for every field here).
    std::vector<std::uint64_t> factors;
    std::uint64_t rest = p - 1;
    for (std::uint64_t q = 2; q * q <= rest; ++q)
        if (rest % q == 0) {
            factors.push_back(q);
            while (rest % q == 0) rest /= q;
        }
    if (rest > 1) factors.push_back(rest);
    for (auto q : factors) CHECK(F::generator().pow((p - 1) / q) != F::one());

    CHECK(F::two_adicity == static_cast<unsigned>(std::countr_zero(p - 1)));
    for (unsigned bits = 0; bits <= F::two_adicity; ++bits) {
        const F g = F::two_adic_generator(bits);
        INFO("bits = " << bits);
        CHECK(detail::square_n(g, bits) == F::one());
        if (bits > 0) {
            CHECK(detail::square_n(g, bits - 1) == -F::one());
            CHECK(g.square() == F::two_adic_generator(bits - 1));
        }
    }
    try {
        (void)F::two_adic_generator(F::two_adicity + 1);
        FAIL("no error for bits beyond the two-adicity");
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::invalid_argument);
    }
}

TEST_CASE("two-adic generators equal Plonky3's published constants", "[field][kat]") {
    CHECK(BabyBear::two_adic_generator(27).to_u64() == 0x1a427a41);
    CHECK(KoalaBear::two_adic_generator(24).to_u64() == 0x6ac49f88);
    CHECK(Goldilocks::two_adic_generator(32).to_u64() == 1753635133440165772ull);
    CHECK(BabyBear::two_adicity == 27);
    CHECK(KoalaBear::two_adicity == 24);
    CHECK(Goldilocks::two_adicity == 32);
    CHECK(Mersenne31::two_adicity == 1);
    CHECK(test::UserField::two_adicity == 25);
}

TEST_CASE("Montgomery form is x * 2^32 mod p, as in Plonky3", "[field][kat]") {
    CHECK(BabyBear::one().monty_value() == 0x0ffffffe);  // 2^32 mod p
    CHECK(KoalaBear::one().monty_value() == 0x01fffffe);
    CHECK(BabyBear::from_monty(BabyBear::one().monty_value()) == BabyBear::one());
    CHECK(BabyBear(12345).monty_value() ==
          static_cast<std::uint32_t>((test::u128{12345} << 32) % BabyBear::modulus));
}

TEMPLATE_TEST_CASE("from_canonical accepts exactly the values below p", "[field][prime]",
                   CAUSALITY_PRIME_FIELDS) {
    using F = TestType;
    CHECK(F::from_canonical(F::modulus - 1) == -F::one());
    CHECK(F::from_canonical(0) == F::zero());
    for (std::uint64_t bad : {static_cast<std::uint64_t>(F::modulus), static_cast<std::uint64_t>(F::modulus) + 1,
                              ~std::uint64_t{0}}) {
        try {
            (void)F::from_canonical(bad);
            FAIL("accepted the non-canonical value " << bad);
        } catch (const Error& e) {
            CHECK(e.code() == ErrorCode::out_of_range);
            CHECK_THAT(e.what(), Catch::Contains(std::to_string(bad)));
        }
    }
}
