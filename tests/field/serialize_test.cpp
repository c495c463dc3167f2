// Canonical encoding: round trips, the little-endian layout, and rejection of bad bytes.
#include "field/support.hpp"

#include <catch2/catch.hpp>

#include <random>

using namespace causality::field;
using causality::Error;
using causality::ErrorCode;

TEMPLATE_TEST_CASE("encoding round trips for prime and extension fields", "[field][serialize]",
                   CAUSALITY_PRIME_FIELDS, CAUSALITY_EXTENSION_FIELDS) {
    using F = TestType;
    std::mt19937_64 rng(21);
    std::vector<F> values{F::zero(), F::one(), -F::one()};
    for (int i = 0; i < 50; ++i) values.push_back(test::random_element<F>(rng));
    for (const F& x : values) CHECK(from_bytes<F>(to_bytes(x)) == x);
    const auto bytes = serialize<F>(values);
    CHECK(bytes.size() == values.size() * F::encoded_size);
    CHECK(deserialize<F>(bytes) == values);
}

TEST_CASE("the encoding is the canonical value in little-endian order", "[field][serialize][kat]") {
    using B = std::array<std::uint8_t, 4>;
    CHECK(to_bytes(BabyBear(0x01020304)) == B{4, 3, 2, 1});
    CHECK(to_bytes(-BabyBear::one()) == B{0x00, 0x00, 0x00, 0x78});
    CHECK(to_bytes(Goldilocks(0x0102030405060708ull)) ==
          std::array<std::uint8_t, 8>{8, 7, 6, 5, 4, 3, 2, 1});
    using E = BinomialExtension<KoalaBear, 4>;
    const auto e = to_bytes(E::x());
    CHECK(std::vector<std::uint8_t>(e.begin(), e.end()) ==
          std::vector<std::uint8_t>{0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
}

TEMPLATE_TEST_CASE("decoding rejects wrong lengths and non-canonical values", "[field][serialize]",
                   CAUSALITY_PRIME_FIELDS) {
    using F = TestType;
    const std::vector<std::uint8_t> short_input(F::encoded_size - 1, 0);
    try {
        (void)from_bytes<F>(short_input);
        FAIL("accepted a short encoding");
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::invalid_size);
    }
    // p itself, encoded: not canonical.
    auto p_bytes = std::vector<std::uint8_t>(F::encoded_size);
    for (std::size_t i = 0; i < F::encoded_size; ++i)
        p_bytes[i] = static_cast<std::uint8_t>(static_cast<std::uint64_t>(F::modulus) >> (8 * i));
    try {
        (void)from_bytes<F>(p_bytes);
        FAIL("accepted the modulus as an element");
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::out_of_range);
    }
    // A list whose third element is all 0xff: the error names element 2.
    std::vector<std::uint8_t> list(3 * F::encoded_size, 0);
    std::fill(list.begin() + 2 * F::encoded_size, list.end(), 0xff);
    try {
        (void)deserialize<F>(list);
        FAIL("accepted a list with a non-canonical element");
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::out_of_range);
        CHECK_THAT(e.what(), Catch::Contains("element 2"));
    }
    list.push_back(0);
    CHECK_THROWS_AS(deserialize<F>(list), Error);
}

TEST_CASE("extension decoding rejects a non-canonical coefficient", "[field][serialize]") {
    using E = BinomialExtension<BabyBear, 4>;
    auto bytes = to_bytes(E::one());
    bytes[12] = 0x01;
    bytes[13] = 0x00;
    bytes[14] = 0x00;
    bytes[15] = 0x78;  // the last coefficient is p
    CHECK_THROWS_AS(from_bytes<E>(bytes), Error);
}
