// Preprocessed (fixed) columns: committed once in the proving/verifying key, opened with
// the main trace, and bound to the proof: another fixed trace, tampered openings, a trace
// of another height or a key for other AIRs are rejected.
#include <causality/air.hpp>
#include <causality/stark.hpp>

#include <catch2/catch.hpp>

#include <vector>

using namespace causality;
using field::BabyBear;

namespace {

using Cfg = stark::TestingConfig<BabyBear, 4>;

// Fixed columns: p0 = row index + offset, p1 = 1 on odd rows. Main column a starts at 0 and
// accumulates a_{i+1} = a_i + p0_i * p1_i + p0_{i+1}; the last a is the public value.
struct WeightedSum {
    std::size_t rows = 32;
    std::uint64_t offset = 0;
    std::size_t width() const { return 1; }
    std::size_t preprocessed_width() const { return 2; }
    std::size_t num_public_values() const { return 1; }
    std::string name() const { return "weighted-sum"; }
    field::RowMajorMatrix<BabyBear> preprocessed_trace() const {
        field::RowMajorMatrix<BabyBear> m(static_cast<Eigen::Index>(rows), 2);
        for (std::size_t i = 0; i < rows; ++i) {
            m(static_cast<Eigen::Index>(i), 0) = BabyBear::from_u64(i + offset);
            m(static_cast<Eigen::Index>(i), 1) = BabyBear::from_u64(i % 2);
        }
        return m;
    }
    template <class AB>
    void eval(AB& b) const {
        const auto m = b.main();
        const auto p = b.preprocessed();
        b.when_first_row().assert_zero(m.local(0));
        b.when_transition().assert_eq(m.next(0), m.local(0) + p.local(0) * p.local(1) + p.next(0));
        b.when_last_row().assert_eq(m.local(0), b.public_value(0));
        b.assert_bool(p.local(1));
    }
    field::RowMajorMatrix<BabyBear> trace() const {
        field::RowMajorMatrix<BabyBear> t(static_cast<Eigen::Index>(rows), 1);
        BabyBear a = BabyBear::zero();
        for (std::size_t i = 0; i < rows; ++i) {
            t(static_cast<Eigen::Index>(i), 0) = a;
            a += BabyBear::from_u64(i + offset) * BabyBear::from_u64(i % 2) + BabyBear::from_u64(i + 1 + offset);
        }
        return t;
    }
};

std::vector<field::RowMajorMatrix<BabyBear>> one(field::RowMajorMatrix<BabyBear> t) {
    std::vector<field::RowMajorMatrix<BabyBear>> v;
    v.push_back(std::move(t));
    return v;
}

}  // namespace

TEST_CASE("an AIR with preprocessed columns proves and verifies with its key", "[stark][preprocessed]") {
    const WeightedSum air{32, 5};
    const std::vector<stark::AirRef<Cfg>> airs{air};
    const auto trace = air.trace();
    const std::vector<std::vector<BabyBear>> publics{{trace(31, 0)}};
    REQUIRE(air::check_constraints<BabyBear>(air, trace, publics[0]).ok());

    const auto pk = stark::setup<Cfg>(airs);
    REQUIRE(pk.vk.has_preprocessed());
    CHECK(pk.vk.airs[0].width == 2);
    CHECK(pk.vk.airs[0].log_height == 5);
    const auto bytes = stark::prove_to_bytes<Cfg>(pk, airs, one(trace), publics);
    const auto r = stark::verify_bytes<Cfg>(pk.vk, airs, bytes, publics);
    INFO(r.reason());
    CHECK(r.ok());
    // The keyless overloads commit nothing: an AIR with fixed columns needs its key.
    const auto keyless = stark::verify_bytes<Cfg>(airs, bytes, publics);
    CHECK_FALSE(keyless.ok());
    CHECK(keyless.reason().find("has preprocessed columns: verify with its verifying key") != std::string::npos);
    CHECK(stark::setup<Cfg>(airs).vk == pk.vk);
    const auto proof = stark::decode_proof<Cfg>(bytes);
    CHECK(stark::encode_proof(proof) == bytes);
    CHECK(proof.opened[0].preprocessed_local.size() == 2);

    auto wrong = publics;
    wrong[0][0] += BabyBear::one();
    CHECK_FALSE(stark::verify_bytes<Cfg>(pk.vk, airs, bytes, wrong).ok());
}

TEST_CASE("the proof is bound to the fixed trace and its openings", "[stark][preprocessed][negative]") {
    const WeightedSum air{16, 0};
    const std::vector<stark::AirRef<Cfg>> airs{air};
    const auto trace = air.trace();
    const std::vector<std::vector<BabyBear>> publics{{trace(15, 0)}};
    const auto pk = stark::setup<Cfg>(airs);
    const auto proof = stark::prove<Cfg>(pk, airs, one(trace), publics);
    REQUIRE(stark::verify<Cfg>(pk.vk, airs, proof, publics).ok());

    // Another fixed trace (offset 1) is another key: the proof does not verify under it.
    const std::vector<stark::AirRef<Cfg>> other{WeightedSum{16, 1}};
    const auto other_vk = stark::setup<Cfg>(other).vk;
    CHECK(other_vk.preprocessed_root != pk.vk.preprocessed_root);
    CHECK_FALSE(stark::verify<Cfg>(other_vk, other, proof, publics).ok());

    // Tampered preprocessed openings, at zeta and at zeta * omega.
    for (int which = 0; which < 2; ++which) {
        auto t = proof;
        auto& v = which == 0 ? t.opened[0].preprocessed_local : t.opened[0].preprocessed_next;
        v[0] += Cfg::Challenge::one();
        const auto r = stark::verify<Cfg>(pk.vk, airs, t, publics);
        CHECK_FALSE(r.ok());
        CHECK_FALSE(r.reason().empty());
    }
    // Openings of the wrong shape are named.
    auto t = proof;
    t.opened[0].preprocessed_next.pop_back();
    const auto r = stark::verify<Cfg>(pk.vk, airs, t, publics);
    CHECK_FALSE(r.ok());
    CHECK_THAT(r.reason(), Catch::Contains("preprocessed values have the wrong shape"));

    // A key for other AIRs.
    const std::vector<stark::AirRef<Cfg>> fib{air::FibonacciAir{}};
    const auto fib_vk = stark::setup<Cfg>(fib).vk;
    CHECK_FALSE(fib_vk.has_preprocessed());
    const auto rk = stark::verify<Cfg>(fib_vk, airs, proof, publics);
    CHECK_FALSE(rk.ok());
    CHECK_THAT(rk.reason(), Catch::Contains("preprocessed columns"));
    CHECK_THROWS_AS(stark::prove<Cfg>(stark::setup<Cfg>(fib), airs, one(trace), publics), Error);
}

TEST_CASE("a violated constraint on fixed columns is caught and its proof rejected", "[stark][preprocessed][negative]") {
    const WeightedSum air{16, 3};
    const std::vector<stark::AirRef<Cfg>> airs{air};
    auto trace = air.trace();
    const std::vector<std::vector<BabyBear>> publics{{trace(15, 0)}};
    trace(9, 0) += BabyBear::one();
    const auto report = air::check_constraints<BabyBear>(air, trace, publics[0]);
    REQUIRE_FALSE(report.ok());
    CHECK(report.failures.front().row == 8);
    const auto pk = stark::setup<Cfg>(airs);
    const stark::ProveOptions unchecked{.check_constraints = false};  // the verifier's side
    CHECK_FALSE(stark::verify<Cfg>(pk.vk, airs, stark::prove<Cfg>(pk, airs, one(trace), publics, unchecked), publics).ok());
}

TEST_CASE("fixed and plain AIRs of different heights in one proof", "[stark][preprocessed]") {
    const WeightedSum ws{64, 2};
    const air::SyntheticAir wide(4);
    auto fib = air::fibonacci_trace<BabyBear>(16, BabyBear(0), BabyBear(1));
    const auto pv = air::fibonacci_public_values(fib);
    const std::vector<stark::AirRef<Cfg>> airs{air::FibonacciAir{}, ws, wide};
    const auto wt = ws.trace();
    const std::vector<std::vector<BabyBear>> publics{{pv.begin(), pv.end()}, {wt(63, 0)}, {}};
    std::vector<field::RowMajorMatrix<BabyBear>> traces;
    traces.push_back(fib);
    traces.push_back(wt);
    traces.push_back(wide.generate_trace<BabyBear>(128, 1));
    const auto pk = stark::setup<Cfg>(airs);
    CHECK(pk.vk.airs[0].width == 0);
    CHECK(pk.vk.airs[1].width == 2);
    const auto bytes = stark::prove_to_bytes<Cfg>(pk, airs, std::move(traces), publics);
    const auto r = stark::verify_bytes<Cfg>(pk.vk, airs, bytes, publics);
    INFO(r.reason());
    CHECK(r.ok());
}

TEST_CASE("setup and prove reject fixed traces and main traces of the wrong shape", "[stark][preprocessed][negative]") {
    struct BadFixed : WeightedSum {
        field::RowMajorMatrix<BabyBear> preprocessed_trace() const { return field::zero_matrix<BabyBear>(12, 2); }
    };
    const std::vector<stark::AirRef<Cfg>> bad{BadFixed{}};
    try {
        (void)stark::setup<Cfg>(bad);
        FAIL("accepted a fixed trace of 12 rows");
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::invalid_size);
        CHECK_THAT(e.what(), Catch::Contains("weighted-sum") && Catch::Contains("12 rows"));
    }
    // The verifier without a key reports the same problem as a rejection.
    CHECK_FALSE(stark::verify<Cfg>(bad, stark::StarkProof<Cfg>{}, {{BabyBear::zero()}}).ok());

    const WeightedSum air{32, 0};
    const std::vector<stark::AirRef<Cfg>> airs{air};
    const auto pk = stark::setup<Cfg>(airs);
    const WeightedSum shorter{16, 0};
    try {
        (void)stark::prove<Cfg>(pk, airs, one(shorter.trace()), {{BabyBear::zero()}});
        FAIL("accepted a trace shorter than the fixed trace");
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::invalid_size);
        CHECK_THAT(e.what(), Catch::Contains("the preprocessed trace 2^5"));
    }
}
