// Compile-time facts: the concepts, constexpr arithmetic, derived constants. This file
// only needs to compile; the one test case keeps it in the CTest list.
#include "field/support.hpp"

#include <catch2/catch.hpp>

using namespace causality::field;

static_assert(Field<BabyBear> && PrimeField<BabyBear> && TwoAdicField<BabyBear>);
static_assert(PrimeField<test::UserField> && TwoAdicField<test::UserField>);
static_assert(!Field<int> && !Field<double>);
static_assert(!ExtensionField<BabyBear>);
static_assert(!PrimeField<BinomialExtension<BabyBear, 4>>);
static_assert(!PackedField<BabyBear>);
static_assert(sizeof(BabyBear) == 4 && sizeof(Goldilocks) == 8 && sizeof(Mersenne31) == 4);
static_assert(std::is_trivially_copyable_v<BabyBear> && std::is_trivially_copyable_v<Goldilocks>);
static_assert(sizeof(BinomialExtension<BabyBear, 4>) == 16);

// Arithmetic is constexpr.
static_assert((BabyBear(3) * BabyBear(5)).to_u64() == 15);
static_assert((BabyBear(3) - BabyBear(5)).to_u64() == BabyBear::modulus - 2);
static_assert((BabyBear(7).inverse() * BabyBear(7)) == BabyBear::one());
static_assert((Goldilocks(-1) * Goldilocks(-1)) == Goldilocks::one());
static_assert(Goldilocks::two_adic_generator(1) == Goldilocks(-1));
static_assert(KoalaBear::two_adic_generator(24).to_u64() == 0x6ac49f88);
static_assert(Mersenne31(1u << 31) == Mersenne31::one());
static_assert((BinomialExtension<BabyBear, 4>::x().pow(4)) ==
              BinomialExtension<BabyBear, 4>::from_base(BabyBear(11)));
static_assert(BinomialExtension<BabyBear, 4>::x().frobenius().frobenius().frobenius().frobenius() ==
              BinomialExtension<BabyBear, 4>::x());

// Derived constants.
static_assert(BabyBear::two_adicity == 27 && KoalaBear::two_adicity == 24);
static_assert(test::UserField::two_adicity == 25);
static_assert(static_cast<std::uint32_t>(BabyBear::modulus * BabyBear::monty_mu) == 1);

TEST_CASE("compile-time facts hold (see the static_asserts in this file)", "[field][compile]") {
    STATIC_REQUIRE(BabyBear::modulus == 0x78000001);
    STATIC_REQUIRE(KoalaBear::modulus == 0x7f000001);
    STATIC_REQUIRE(Goldilocks::modulus == 0xffffffff00000001ull);
    STATIC_REQUIRE(Mersenne31::modulus == 0x7fffffff);
}
