// The Poseidon2 AIR: its trace is the permutation round by round (the output columns equal
// Poseidon2::permute), its constraints have degree 3, and the STARK proves it on every
// field with a default instance; a changed cell is named by the debug builder and its
// proof is rejected.
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

template <class F, std::size_t W>
struct Case {
    using Field = F;
    static constexpr std::size_t width = W;
};

}  // namespace

// The sanitizer variant (CAUSALITY_TEST_REPRESENTATIVE) keeps one 31-bit and one 64-bit
// width and one preset: each is a whole prover instantiation.
#ifdef CAUSALITY_TEST_REPRESENTATIVE
TEMPLATE_TEST_CASE("the Poseidon2 AIR's trace is the permutation and satisfies its constraints", "[poseidon2-air]",
                   (Case<BabyBear, 16>), (Case<Goldilocks, 8>))
#else
TEMPLATE_TEST_CASE("the Poseidon2 AIR's trace is the permutation and satisfies its constraints", "[poseidon2-air]",
                   (Case<BabyBear, 16>), (Case<BabyBear, 24>), (Case<KoalaBear, 16>), (Case<Goldilocks, 8>),
                   (Case<Goldilocks, 12>))
#endif
{
    using F = typename TestType::Field;
    constexpr std::size_t W = TestType::width;
    const stark::Poseidon2Air<F, W> a(stark::default_poseidon2<F, W>());
    const auto shape = air::analyze<F>(a);
    CHECK(shape.max_degree == 3);
    const std::size_t regs = a.permutation().sbox_degree() == 3 ? 0 : 1;
    CHECK(shape.width == W + (regs + 1) * (W * a.permutation().full_rounds() + a.permutation().partial_rounds()));
    CHECK(shape.num_constraints == shape.width - W);  // one per register and post column
    if constexpr (std::is_same_v<F, BabyBear> && W == 16) CHECK(shape.width == 298);

    // 37 rows would not be a power of two; 64 covers the packed blocks and 2 the scalar path.
    for (std::size_t rows : {std::size_t{2}, std::size_t{64}}) {
        const auto inputs = test::random_states<F, W>(rows, rows);
        const auto trace = a.generate_trace(inputs);
        for (std::size_t r = 0; r < rows; ++r) {
            auto expect = inputs[r];
            a.permutation().permute(expect);
            for (std::size_t i = 0; i < W; ++i) {
                INFO("row " << r << " element " << i);
                REQUIRE(trace(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(a.output_column(i))) == expect[i]);
            }
        }
        const auto report = air::check_constraints<F>(a, trace, {});
        INFO(report.to_string());
        CHECK(report.ok());
    }
    CHECK_THROWS_AS(a.generate_trace(test::random_states<F, W>(12, 1)), Error);
}

TEST_CASE("a Poseidon2 AIR trace with one changed cell is caught and its proof rejected", "[poseidon2-air][negative]") {
    using Cfg = stark::TestingConfig<BabyBear, 4>;
    const stark::Poseidon2Air<BabyBear, 16> a(stark::default_poseidon2<BabyBear, 16>());
    const std::vector<stark::AirRef<Cfg>> airs{a};
    auto trace = a.generate_trace(test::random_states<BabyBear, 16>(32, 3));
    const std::vector<std::vector<BabyBear>> publics{{}};
    {
        std::vector<field::RowMajorMatrix<BabyBear>> ts{trace};
        const auto r = stark::verify_bytes<Cfg>(airs, stark::prove_to_bytes<Cfg>(airs, std::move(ts), publics), publics);
        INFO(r.reason());
        REQUIRE(r.ok());
    }
    trace(5, 100) += BabyBear::one();  // a post column in the middle of the permutation
    const auto report = air::check_constraints<BabyBear>(a, trace, {});
    REQUIRE_FALSE(report.ok());
    CHECK(report.failures.front().row == 5);
    std::vector<field::RowMajorMatrix<BabyBear>> ts{trace};
    const stark::ProveOptions unchecked{.check_constraints = false};  // the verifier's side
    const auto proof = stark::encode_proof(stark::prove<Cfg>(airs, std::move(ts), publics, unchecked));
    CHECK_FALSE(stark::verify_bytes<Cfg>(airs, proof, publics).ok());
}

#ifdef CAUSALITY_TEST_REPRESENTATIVE
TEMPLATE_TEST_CASE("the Poseidon2 AIR proves under every preset", "[poseidon2-air][preset]", stark::BabyBearPoseidon2)
#else
TEMPLATE_TEST_CASE("the Poseidon2 AIR proves under every preset", "[poseidon2-air][preset]", stark::BabyBearPoseidon2,
                   stark::KoalaBearPoseidon2, stark::GoldilocksPoseidon2)
#endif
{
    using SC = TestType;
    using F = typename SC::Field;
    constexpr std::size_t W = std::is_same_v<F, Goldilocks> ? 8 : 16;
    const stark::Poseidon2Air<F, W> a(stark::default_poseidon2<F, W>());
    const std::vector<stark::AirRef<SC>> airs{a};
    std::vector<field::RowMajorMatrix<F>> ts{a.generate_trace(test::random_states<F, W>(64, 11))};
    const std::vector<std::vector<F>> publics{{}};
    const auto r = stark::verify_bytes<SC>(airs, stark::prove_to_bytes<SC>(airs, std::move(ts), publics), publics);
    INFO(r.reason());
    CHECK(r.ok());
}

TEST_CASE("the Poseidon2 AIR rejects S-box degrees it cannot constrain", "[poseidon2-air][negative]") {
    auto params = stark::default_poseidon2<BabyBear, 16>().params();
    params.sbox_degree = 11;  // a permutation of BabyBear (gcd(11, p - 1) = 1), but not supported here
    try {
        (void)stark::Poseidon2Air<BabyBear, 16>(stark::Poseidon2<BabyBear, 16>(params));
        FAIL("accepted degree 11");
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::invalid_argument);
        CHECK_THAT(e.what(), Catch::Contains("S-box degree 11"));
    }
}
