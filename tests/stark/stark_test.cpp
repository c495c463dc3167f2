// The multi-AIR STARK: completeness on the example AIRs and every preset, soundness
// checks (violated constraints, wrong public values, another AIR or configuration,
// tampered, truncated and extended proof bytes), and the debug builder's report.
#include <causality/air.hpp>
#include <causality/stark.hpp>

#include <catch2/catch.hpp>

#include "stark_support.hpp"

#include <random>
#include <vector>

using namespace causality;
using field::BabyBear;
using field::Goldilocks;
using field::KoalaBear;

namespace {

using Cfg = stark::TestingConfig<BabyBear, 4>;

using test::prove_fibonacci;

struct Quartic {
    std::size_t width() const { return 1; }
    template <class AB>
    void eval(AB& b) const {
        const auto x = b.main().local(0);
        b.when_transition().assert_zero(x * x * x);
    }
};
struct ReadsTooFar {
    std::size_t width() const { return 2; }
    template <class AB>
    void eval(AB& b) const {
        b.assert_zero(b.main().local(2));
    }
};
}  // namespace

TEST_CASE("Fibonacci: the proof verifies and the bytes round-trip", "[stark]") {
    std::vector<stark::AirRef<Cfg>> airs;
    std::vector<std::vector<BabyBear>> publics;
    const auto bytes = prove_fibonacci<Cfg>(64, airs, publics);
    const auto result = stark::verify_bytes<Cfg>(airs, bytes, publics);
    INFO(result.reason());
    REQUIRE(result.ok());
    const auto proof = stark::decode_proof<Cfg>(bytes);
    CHECK(stark::encode_proof(proof) == bytes);
    // The 64th Fibonacci number mod p is the last public value.
    BabyBear a(0), b(1);
    for (int i = 0; i < 64; ++i) {
        const BabyBear c = a + b;
        a = b;
        b = c;
    }
    CHECK(publics[0][2] == a);
}

TEST_CASE("wrong public values, another AIR and a violated constraint are rejected", "[stark][negative]") {
    std::vector<stark::AirRef<Cfg>> airs;
    std::vector<std::vector<BabyBear>> publics;
    const auto bytes = prove_fibonacci<Cfg>(32, airs, publics);
    auto wrong = publics;
    wrong[0][2] += BabyBear(1);
    CHECK_FALSE(stark::verify_bytes<Cfg>(airs, bytes, wrong).ok());

    const std::vector<stark::AirRef<Cfg>> other{stark::AirRef<Cfg>(air::SyntheticAir(2))};
    const std::vector<std::vector<BabyBear>> no_publics{{}};
    const auto r = stark::verify_bytes<Cfg>(other, bytes, no_publics);
    CHECK_FALSE(r.ok());

    auto trace = air::fibonacci_trace<BabyBear>(32, BabyBear(0), BabyBear(1));
    trace(7, 1) += BabyBear(1);  // breaks the transition from row 6 to 7 and from 7 to 8
    const auto report = air::check_constraints<BabyBear>(air::FibonacciAir{}, trace, publics[0]);
    CHECK_FALSE(report.ok());
    REQUIRE_FALSE(report.failures.empty());
    CHECK(report.failures.front().row == 6);
    CHECK_THAT(report.to_string(), Catch::Contains("row 6"));
    std::vector<field::RowMajorMatrix<BabyBear>> traces;
    traces.push_back(trace);
    // The verifier's side: without the prover's debug check (on where NDEBUG is not defined).
    const auto bad = stark::encode_proof(
        stark::prove<Cfg>(airs, std::move(traces), publics, stark::ProveOptions{.check_constraints = false}));
    const auto res = stark::verify_bytes<Cfg>(airs, bad, publics);
    CHECK_FALSE(res.ok());
    CHECK_FALSE(res.reason().empty());
}

TEST_CASE("two AIRs of different heights in one proof", "[stark]") {
    const air::SyntheticAir wide(6);
    auto fib = air::fibonacci_trace<BabyBear>(16, BabyBear(2), BabyBear(3));
    const auto pv = air::fibonacci_public_values(fib);
    const std::vector<stark::AirRef<Cfg>> airs{air::FibonacciAir{}, wide};
    const std::vector<std::vector<BabyBear>> publics{{pv.begin(), pv.end()}, {}};
    std::vector<field::RowMajorMatrix<BabyBear>> traces;
    traces.push_back(fib);
    traces.push_back(wide.generate_trace<BabyBear>(128, 5));
    const auto bytes = stark::prove_to_bytes<Cfg>(airs, std::move(traces), publics);
    const auto r = stark::verify_bytes<Cfg>(airs, bytes, publics);
    INFO(r.reason());
    CHECK(r.ok());
    // The same AIRs listed in the other order are another statement.
    const std::vector<stark::AirRef<Cfg>> swapped{wide, air::FibonacciAir{}};
    const std::vector<std::vector<BabyBear>> swapped_publics{{}, {pv.begin(), pv.end()}};
    CHECK_FALSE(stark::verify_bytes<Cfg>(swapped, bytes, swapped_publics).ok());
}

TEST_CASE("tampered, truncated and extended proof bytes are rejected with a reason", "[stark][negative]") {
    std::vector<stark::AirRef<Cfg>> airs;
    std::vector<std::vector<BabyBear>> publics;
    const auto bytes = prove_fibonacci<Cfg>(16, airs, publics);
    std::mt19937_64 rng(7);
    for (int trial = 0; trial < 60; ++trial) {
        auto t = bytes;
        const std::size_t pos = rng() % t.size();
        t[pos] ^= static_cast<std::uint8_t>(1u << (rng() % 8));
        const auto r = stark::verify_bytes<Cfg>(airs, t, publics);
        INFO("flipped a bit of byte " << pos);
        CHECK_FALSE(r.ok());
        CHECK_FALSE(r.reason().empty());
    }
    for (std::size_t cut : {std::size_t{0}, std::size_t{3}, bytes.size() / 2, bytes.size() - 1}) {
        const std::vector<std::uint8_t> t(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(cut));
        CHECK_FALSE(stark::verify_bytes<Cfg>(airs, t, publics).ok());
    }
    auto longer = bytes;
    longer.push_back(0);
    const auto r = stark::verify_bytes<Cfg>(airs, longer, publics);
    CHECK_FALSE(r.ok());
    CHECK_THAT(r.reason(), Catch::Contains("unexpected bytes"));
    // Two swapped query openings: the queries are sampled in order.
    auto proof = stark::decode_proof<Cfg>(bytes);
    std::swap(proof.fri.queries[0], proof.fri.queries[1]);
    CHECK_FALSE(stark::verify<Cfg>(airs, proof, publics).ok());
}

TEST_CASE("a proof for another configuration is rejected by name", "[stark][negative]") {
    std::vector<stark::AirRef<Cfg>> airs;
    std::vector<std::vector<BabyBear>> publics;
    const auto bytes = prove_fibonacci<Cfg>(16, airs, publics);
    using Other = stark::TestingConfig<BabyBear, 4, 2>;
    const std::vector<stark::AirRef<Other>> other_airs{air::FibonacciAir{}};
    const auto r = stark::verify_bytes<Other>(other_airs, bytes, publics);
    CHECK_FALSE(r.ok());
    CHECK_THAT(r.reason(), Catch::Contains("another configuration"));
}

// Each configuration is a whole prover instantiation; the sanitizer variant
// (CAUSALITY_TEST_REPRESENTATIVE) keeps one 31-bit and one 64-bit field.
#ifdef CAUSALITY_TEST_REPRESENTATIVE
TEMPLATE_TEST_CASE("FRI variants: folding arity, final polynomial, blowup", "[stark][fri]",
                   (stark::TestingConfig<BabyBear, 4, 1, 3, 2>), (stark::TestingConfig<Goldilocks, 2, 1, 1, 0>))
#else
TEMPLATE_TEST_CASE("FRI variants: folding arity, final polynomial, blowup", "[stark][fri]",
                   (stark::TestingConfig<BabyBear, 4, 1, 2, 0>), (stark::TestingConfig<BabyBear, 4, 1, 3, 2>),
                   (stark::TestingConfig<BabyBear, 4, 2, 1, 1>), (stark::TestingConfig<KoalaBear, 4, 1, 2, 1>),
                   (stark::TestingConfig<Goldilocks, 2, 1, 1, 0>))
#endif
{
    using SC = TestType;
    using F = typename SC::Field;
    const air::SyntheticAir wide(5);
    auto fib = air::fibonacci_trace<F>(32, F(1), F(1));
    const auto pv = air::fibonacci_public_values(fib);
    const std::vector<stark::AirRef<SC>> airs{air::FibonacciAir{}, wide};
    const std::vector<std::vector<F>> publics{{pv.begin(), pv.end()}, {}};
    std::vector<field::RowMajorMatrix<F>> traces;
    traces.push_back(fib);
    traces.push_back(wide.template generate_trace<F>(256, 9));
    const auto bytes = stark::prove_to_bytes<SC>(airs, std::move(traces), publics);
    const auto r = stark::verify_bytes<SC>(airs, bytes, publics);
    INFO(r.reason());
    CHECK(r.ok());
}

// Every field, every blowup and every Merkle hash at least once (each preset is a whole
// prover instantiation: the rest of the presets' security is checked in config_test).
#ifdef CAUSALITY_TEST_REPRESENTATIVE
TEMPLATE_TEST_CASE("every preset proves and verifies", "[stark][preset]", stark::BabyBearPoseidon2,
                   stark::GoldilocksKeccak)
#else
TEMPLATE_TEST_CASE("every preset proves and verifies", "[stark][preset]", stark::BabyBearPoseidon2,
                   stark::KoalaBearPoseidon2, stark::GoldilocksPoseidon2, stark::BabyBearPoseidon2Blowup8,
                   stark::GoldilocksKeccak, stark::BabyBearBlake3)
#endif
{
    using SC = TestType;
    STATIC_REQUIRE(stark::conjectured_security_bits<SC>() >= 100);
    std::vector<stark::AirRef<SC>> airs;
    std::vector<std::vector<typename SC::Field>> publics;
    const auto bytes = prove_fibonacci<SC>(256, airs, publics);
    const auto r = stark::verify_bytes<SC>(airs, bytes, publics);
    INFO(r.reason());
    CHECK(r.ok());
    auto tampered = bytes;  // a byte in the middle: an opening or a digest
    tampered[tampered.size() / 2] ^= 4;
    CHECK_FALSE(stark::verify_bytes<SC>(airs, tampered, publics).ok());
    const auto report = stark::security_report<SC>(8 + SC::fri.log_blowup);
    CHECK(report.conjectured_bits >= 116);
    CHECK(report.proven_bits > 50);
    CHECK(report.proven_bits < report.conjectured_bits);
}

TEST_CASE("bad shapes are typed errors that name the AIR", "[stark][negative]") {
    const std::vector<stark::AirRef<Cfg>> airs{air::FibonacciAir{}};
    const std::vector<std::vector<BabyBear>> publics{{BabyBear(0), BabyBear(1), BabyBear(2)}};
    auto prove_with = [&](field::RowMajorMatrix<BabyBear> t, std::vector<std::vector<BabyBear>> pv) {
        std::vector<field::RowMajorMatrix<BabyBear>> ts;
        ts.push_back(std::move(t));
        return stark::prove<Cfg>(airs, std::move(ts), pv);
    };
    try {
        (void)prove_with(field::zero_matrix<BabyBear>(12, 2), publics);
        FAIL("accepted 12 rows");
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::invalid_size);
        CHECK_THAT(e.what(), Catch::Contains("fibonacci") && Catch::Contains("12 rows"));
    }
    CHECK_THROWS_AS(prove_with(field::zero_matrix<BabyBear>(16, 3), publics), Error);
    CHECK_THROWS_AS(prove_with(air::fibonacci_trace<BabyBear>(16, BabyBear(0), BabyBear(1)), {{}}), Error);
    // Degree 3 constraints need blowup 2 at least; degree 4 does not fit blowup 2.
    const std::vector<stark::AirRef<Cfg>> q{Quartic{}};
    std::vector<field::RowMajorMatrix<BabyBear>> ts;
    ts.push_back(field::zero_matrix<BabyBear>(16, 1));
    try {
        (void)stark::prove<Cfg>(q, std::move(ts), {{}});
        FAIL("accepted degree 4 at blowup 2");
    } catch (const Error& e) {
        CHECK_THAT(e.what(), Catch::Contains("needs log_blowup >= 2"));
    }
    CHECK_THROWS_AS(stark::AirRef<Cfg>(ReadsTooFar{}), Error);
}
