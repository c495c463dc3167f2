// Bus interactions in the AIR layer: the symbolic builder records them with their degrees,
// the bus ledger balances concrete traces and names every unbalanced message (bus, fields,
// net count, senders and receivers), and the periphery tables (range check, 8-bit bitwise,
// variable range) balance the lookups their *Counts helpers record.
#include <causality/air.hpp>
#include <causality/stark.hpp>

#include <catch2/catch.hpp>

#include <random>
#include <vector>

using namespace causality;
using field::BabyBear;
using F = BabyBear;

namespace {

constexpr air::PermutationBus pairs{1};
constexpr air::LookupBus range_bus{2};
constexpr air::LookupBus bitwise_bus{3};
constexpr air::LookupBus var_range_bus{4};

// Sends (a, b) of every row, once; with `gated`, only where column 2 is 1.
struct Sender {
    bool gated = false;
    std::size_t width() const { return gated ? 3 : 2; }
    std::string name() const { return "sender"; }
    template <class AB>
    void eval(AB& b) const {
        const auto m = b.main();
        if (gated)
            b.when(m.local(2)).send(pairs.id, {m.local(0), m.local(1)}, F::one());
        else
            pairs.send(b, {m.local(0), m.local(1)}, F::one());
    }
};
struct Receiver {
    std::size_t width() const { return 2; }
    std::string name() const { return "receiver"; }
    template <class AB>
    void eval(AB& b) const {
        const auto m = b.main();
        pairs.receive(b, {m.local(0), m.local(1)}, F::one());
    }
};
// Column 0 must be below 2^4 (range table) and (column 0, 3) a valid variable-range pair.
struct RangeUser {
    std::size_t width() const { return 1; }
    std::string name() const { return "range-user"; }
    template <class AB>
    void eval(AB& b) const {
        const auto x = b.main().local(0);
        range_bus.lookup_key(b, {x}, F::one());
        var_range_bus.lookup_key(b, {x, b.constant(F(4))}, F::one());
    }
};
// Columns x, y, z, op: z = x op y.
struct BitwiseUser {
    std::size_t width() const { return 4; }
    std::string name() const { return "bitwise-user"; }
    template <class AB>
    void eval(AB& b) const {
        const auto m = b.main();
        bitwise_bus.lookup_key(b, {m.local(0), m.local(1), m.local(2), m.local(3)}, F::one());
    }
};

field::RowMajorMatrix<F> pairs_trace(std::size_t rows, bool reversed) {
    field::RowMajorMatrix<F> t(static_cast<Eigen::Index>(rows), 2);
    for (std::size_t i = 0; i < rows; ++i) {
        const std::size_t v = reversed ? rows - 1 - i : i;
        t(static_cast<Eigen::Index>(i), 0) = F::from_u64(v);
        t(static_cast<Eigen::Index>(i), 1) = F::from_u64(v * v + 7);
    }
    return t;
}

// RangeUser's trace of random values below 16, and the range and variable-range tables'
// count traces for exactly those lookups.
struct RangeUserTraces {
    field::RowMajorMatrix<F> user, range, var_range;
};
RangeUserTraces range_user_traces(const air::RangeCheckAir& range, const air::VariableRangeAir& var_range,
                                  Eigen::Index rows, std::uint64_t seed) {
    air::RangeCheckCounts rc(range);
    air::VariableRangeCounts vc(var_range);
    std::mt19937_64 rng(seed);
    field::RowMajorMatrix<F> user(rows, 1);
    for (Eigen::Index r = 0; r < rows; ++r) {
        const std::uint64_t v = rng() % 16;
        user(r, 0) = F::from_u64(v);
        rc.add(v);
        vc.add(v, 4);
    }
    return {std::move(user), rc.trace<F>(), vc.trace<F>()};
}

}  // namespace

TEST_CASE("the symbolic builder records interactions with their degrees", "[air][bus]") {
    const auto plain = air::analyze<F>(Sender{});
    REQUIRE(plain.interactions.size() == 1);
    const auto& i = plain.interactions[0];
    CHECK(i.bus == 1);
    CHECK(i.is_send);
    CHECK(i.num_fields == 2);
    CHECK(i.field_degree == 1);
    CHECK(i.count_degree == 0);
    const auto gated = air::analyze<F>(Sender{true});
    CHECK(gated.interactions[0].count_degree == 1);  // when(column) multiplies the count
    CHECK_FALSE(air::analyze<F>(Receiver{}).interactions[0].is_send);
    CHECK(air::analyze<F>(air::FibonacciAir{}).interactions.empty());
}

TEST_CASE("two AIRs on a permutation bus balance, a tampered message or a missing receiver is named",
          "[air][bus][negative]") {
    using Cfg = stark::TestingConfig<BabyBear, 4>;
    const std::vector<stark::AirRef<Cfg>> airs{Sender{}, Receiver{}};
    std::vector<field::RowMajorMatrix<F>> traces{pairs_trace(16, false), pairs_trace(16, true)};
    const std::vector<std::vector<F>> publics{{}, {}};
    const auto ok = stark::check_buses<Cfg>(airs, traces, publics);
    INFO(ok.to_string());
    CHECK(ok.ok());
    CHECK(ok.messages_checked == 16);

    traces[1](3, 1) += F::one();  // the receiver's row 3 now holds a message nobody sent
    const auto bad = stark::check_buses<Cfg>(airs, traces, publics);
    CHECK(bad.total_unbalanced == 2);
    const std::string text = bad.to_string();
    CHECK_THAT(text, Catch::Contains("bus 1") && Catch::Contains("received by no AIR") &&
                         Catch::Contains("sent by no AIR") && Catch::Contains("'sender'") &&
                         Catch::Contains("'receiver'"));

    const std::vector<stark::AirRef<Cfg>> alone{Sender{}};
    const auto missing = stark::check_buses<Cfg>(alone, {pairs_trace(8, false)}, {{}});
    CHECK(missing.total_unbalanced == 8);
    REQUIRE_FALSE(missing.unbalanced.empty());
    CHECK(missing.unbalanced[0].net == F::one());
    CHECK(missing.unbalanced[0].receivers.empty());

    // when(s): a row with s = 0 sends nothing, s = 2 sends twice.
    air::BusLedger<F> ledger;
    field::RowMajorMatrix<F> gated = field::zero_matrix<F>(4, 3);
    gated(1, 0) = F(5), gated(1, 2) = F(2);
    ledger.add(Sender{true}, gated, {});
    const auto r = ledger.report();
    REQUIRE(r.total_unbalanced == 1);
    CHECK(r.unbalanced[0].fields == std::vector<F>{F(5), F(0)});
    CHECK(r.unbalanced[0].net == F(2));
}

TEST_CASE("range and variable-range tables balance their lookups, a wrong count is named", "[air][bus][periphery]") {
    const air::RangeCheckAir range(range_bus, 4);
    const air::VariableRangeAir var_range(var_range_bus, 6);
    const auto [user, range_trace, var_trace] = range_user_traces(range, var_range, 32, 5);
    CHECK(range_trace.rows() == 16);
    CHECK(var_trace.rows() == 128);
    CHECK(air::analyze<F>(range).preprocessed_width == 1);
    {
        air::BusLedger<F> ledger;
        ledger.add(RangeUser{}, user, {});
        ledger.add(range, range_trace, {});
        ledger.add(var_range, var_trace, {});
        const auto report = ledger.report();
        INFO(report.to_string());
        CHECK(report.ok());
    }
    auto wrong = range_trace;
    wrong(3, 0) += F::one();
    air::BusLedger<F> ledger;
    ledger.add(RangeUser{}, user, {});
    ledger.add(range, wrong, {});
    ledger.add(var_range, var_trace, {});
    const auto report = ledger.report();
    REQUIRE(report.total_unbalanced == 1);
    CHECK(report.unbalanced[0].bus == 2);
    CHECK(report.unbalanced[0].fields == std::vector<F>{F(3)});
    CHECK(report.unbalanced[0].net == -F::one());
    CHECK_THAT(report.to_string(), Catch::Contains("'range-check-4'"));

    air::RangeCheckCounts rc(range);
    air::VariableRangeCounts vc(var_range);
    CHECK_THROWS_AS(rc.add(16), Error);
    CHECK_THROWS_AS(vc.add(8, 3), Error);
    CHECK_THROWS_AS(vc.add(1, 7), Error);
    CHECK_THROWS_AS(air::RangeCheckAir(range_bus, 0), Error);
    CHECK_THROWS_AS(air::VariableRangeAir(var_range_bus, 20), Error);
}

TEST_CASE("the bitwise table answers AND, OR, XOR of bytes and balances their lookups", "[air][bus][periphery]") {
    const air::BitwiseAir table(bitwise_bus);
    air::BitwiseCounts counts;
    std::mt19937_64 rng(9);
    field::RowMajorMatrix<F> user(64, 4);
    for (Eigen::Index r = 0; r < 64; ++r) {
        const auto op = static_cast<air::BitwiseOp>(rng() % 3);
        const auto x = static_cast<std::uint32_t>(rng() & 0xff), y = static_cast<std::uint32_t>(rng() & 0xff);
        const std::uint32_t z = counts.add(op, x, y);
        const std::uint32_t expect = op == air::BitwiseOp::and_ ? (x & y) : op == air::BitwiseOp::or_ ? (x | y) : (x ^ y);
        REQUIRE(z == expect);
        user(r, 0) = F(x), user(r, 1) = F(y), user(r, 2) = F(z), user(r, 3) = F(static_cast<std::uint32_t>(op));
    }
    const auto fixed = table.preprocessed_trace<F>();
    CHECK(fixed(0x1234, 0) == F(0x12));
    CHECK(fixed(0x1234, 1) == F(0x34));
    CHECK(fixed(0x1234, 4) == F(0x12 ^ 0x34));
    {
        air::BusLedger<F> ledger;
        ledger.add(BitwiseUser{}, user, {});
        ledger.add(table, counts.trace<F>(), {});
        const auto report = ledger.report();
        INFO(report.to_string());
        CHECK(report.ok());
    }
    user(7, 2) += F::one();  // a wrong result
    air::BusLedger<F> ledger;
    ledger.add(BitwiseUser{}, user, {});
    ledger.add(table, counts.trace<F>(), {});
    CHECK(ledger.report().total_unbalanced == 2);
    CHECK_THROWS_AS(counts.add(air::BitwiseOp::xor_, 256, 1), Error);
}

namespace {
using Cfg = stark::TestingConfig<BabyBear, 4>;

struct Proved {
    std::vector<stark::AirRef<Cfg>> airs;
    std::vector<std::vector<F>> publics;
    stark::ProvingKey<Cfg> pk;
    stark::StarkProof<Cfg> proof;
};
Proved prove_all(std::vector<stark::AirRef<Cfg>> airs, std::vector<field::RowMajorMatrix<F>> traces) {
    Proved p{std::move(airs), {}, {}, {}};
    p.publics.assign(p.airs.size(), {});
    p.pk = stark::setup<Cfg>(p.airs);
    // Without the prover's debug check (on where NDEBUG is not defined): these tests are
    // about what the verifier rejects.
    p.proof = stark::prove<Cfg>(p.pk, p.airs, std::move(traces), p.publics, stark::ProveOptions{.check_constraints = false});
    return p;
}
stark::VerifyResult verify_all(const Proved& p) { return stark::verify<Cfg>(p.pk.vk, p.airs, p.proof, p.publics); }

// 64 messages per row: with 2^26 rows that is 2^32 counts, beyond BabyBear.
struct ManySends {
    std::size_t width() const { return 1; }
    template <class AB>
    void eval(AB& b) const {
        for (int i = 0; i < 64; ++i) b.send(9, {b.main().local(0)}, F::one());
    }
};
}  // namespace

TEST_CASE("LogUp: two AIRs on a permutation bus prove and verify, heights alike or not", "[stark][bus]") {
    for (std::size_t rows : {std::size_t{4}, std::size_t{64}}) {  // 4 rows: the scalar quotient path
        INFO(rows << " rows");
        const auto p = prove_all({Sender{}, Receiver{}}, {pairs_trace(rows, false), pairs_trace(rows, true)});
        const auto r = verify_all(p);
        INFO(r.reason());
        CHECK(r.ok());
        CHECK(p.proof.opened[0].cumulative_sum.size() == 1);
        CHECK(p.proof.opened[0].cumulative_sum[0] + p.proof.opened[1].cumulative_sum[0] == Cfg::Challenge::zero());
        const auto bytes = stark::encode_proof(p.proof);
        CHECK(stark::decode_proof<Cfg>(bytes) == p.proof);
    }
    // The sender's 16 messages received by one AIR in two halves of different heights is
    // beyond this test's AIRs; a sender of 16 rows and a receiver of 16 rows suffice above.
}

// Five lookups per row: three LogUp chunks (two interactions each at degree 3).
struct FiveLookups {
    std::size_t width() const { return 5; }
    std::string name() const { return "five-lookups"; }
    template <class AB>
    void eval(AB& b) const {
        for (std::size_t j = 0; j < 5; ++j) range_bus.lookup_key(b, {b.main().local(j)}, F::one());
    }
};

TEST_CASE("LogUp: several interaction chunks per AIR", "[stark][bus]") {
    // Regression: each chunk's right-hand side started from the previous chunks' sums.
    const auto shape = air::analyze<F>(FiveLookups{});
    REQUIRE(shape.interaction_chunks.size() == 3);
    CHECK(shape.logup_columns() == 4);
    const air::RangeCheckAir range(range_bus, 4);
    air::RangeCheckCounts rc(range);
    field::RowMajorMatrix<F> t(32, 5);
    for (Eigen::Index r = 0; r < 32; ++r)
        for (Eigen::Index j = 0; j < 5; ++j) {
            const auto v = static_cast<std::uint64_t>((r * 7 + j * 3) % 16);
            t(r, j) = F::from_u64(v);
            rc.add(v);
        }
    const auto p = prove_all({FiveLookups{}, range}, {t, rc.trace<F>()});
    const auto r = verify_all(p);
    INFO(r.reason());
    CHECK(r.ok());
}

TEST_CASE("LogUp: lookups into the range and variable-range tables prove and verify", "[stark][bus][periphery]") {
    const air::RangeCheckAir range(range_bus, 4);
    const air::VariableRangeAir var_range(var_range_bus, 5);
    const auto [user, range_trace, var_trace] = range_user_traces(range, var_range, 128, 3);
    const auto p = prove_all({RangeUser{}, range, var_range}, {user, range_trace, var_trace});
    const auto r = verify_all(p);
    INFO(r.reason());
    CHECK(r.ok());

    // A wrong count in the table: the debug check names it and the proof is rejected.
    auto wrong = range_trace;
    wrong(5, 0) += F::one();
    const std::vector<stark::AirRef<Cfg>> airs{RangeUser{}, range, var_range};
    const auto report = stark::check_buses<Cfg>(airs, {user, wrong, var_trace}, {{}, {}, {}});
    CHECK(report.total_unbalanced == 1);
    CHECK_THAT(report.to_string(), Catch::Contains("range-check-4"));
    const auto bad = prove_all({RangeUser{}, range, var_range}, {user, wrong, var_trace});
    const auto rb = verify_all(bad);
    CHECK_FALSE(rb.ok());
    CHECK_THAT(rb.reason(), Catch::Contains("do not balance"));
}

TEST_CASE("LogUp: a tampered message, a missing receiver or tampered LogUp openings are rejected",
          "[stark][bus][negative]") {
    auto tampered = pairs_trace(16, true);
    tampered(3, 1) += F::one();
    const auto p = prove_all({Sender{}, Receiver{}}, {pairs_trace(16, false), tampered});
    CHECK_FALSE(verify_all(p).ok());

    const auto alone = prove_all({Sender{}}, {pairs_trace(16, false)});
    const auto ra = verify_all(alone);
    CHECK_FALSE(ra.ok());
    CHECK_THAT(ra.reason(), Catch::Contains("do not balance"));

    const auto good = prove_all({Sender{}, Receiver{}}, {pairs_trace(16, false), pairs_trace(16, true)});
    REQUIRE(verify_all(good).ok());
    // Claimed cumulative sums that still add to zero but differ from the columns.
    auto shifted = good;
    shifted.proof.opened[0].cumulative_sum[0] += Cfg::Challenge::one();
    shifted.proof.opened[1].cumulative_sum[0] -= Cfg::Challenge::one();
    CHECK_FALSE(verify_all(shifted).ok());
    for (int which = 0; which < 2; ++which) {
        auto t = good;
        auto& v = which == 0 ? t.proof.opened[1].permutation_local : t.proof.opened[1].permutation_next;
        v[2] += Cfg::Challenge::one();
        CHECK_FALSE(verify_all(t).ok());
    }
    auto short_open = good;
    short_open.proof.opened[0].permutation_next.pop_back();
    const auto rs = verify_all(short_open);
    CHECK_FALSE(rs.ok());
    CHECK_THAT(rs.reason(), Catch::Contains("LogUp values have the wrong shape"));
    auto witness = good;
    witness.proof.bus_pow_witness += F::one();
    CHECK_FALSE(verify_all(witness).ok());
    // A proof without buses must not carry a LogUp commitment.
    const std::vector<stark::AirRef<Cfg>> plain{air::SyntheticAir(2)};
    auto pp = stark::prove<Cfg>(plain, {air::SyntheticAir(2).generate_trace<F>(16, 1)}, {{}});
    REQUIRE(stark::verify<Cfg>(plain, pp, {{}}).ok());
    pp.permutation_root[0] = F::one();
    CHECK_FALSE(stark::verify<Cfg>(plain, pp, {{}}).ok());
}

TEST_CASE("LogUp: heights times messages beyond the field size are refused", "[stark][bus][negative]") {
    const std::vector<stark::AirRef<Cfg>> airs{ManySends{}};
    stark::StarkProof<Cfg> proof;
    proof.log_heights = {26};
    proof.opened.resize(1);
    const auto r = stark::verify<Cfg>(airs, proof, {{}});
    CHECK_FALSE(r.ok());
    CHECK_THAT(r.reason(), Catch::Contains("field size"));
    const std::uint32_t ok_heights[] = {20};
    CHECK(stark::detail::interaction_count_problem<Cfg>(airs, ok_heights).empty());

    // The security report's bus term: 2^24 messages of up to 6 fields.
    const auto report = stark::security_report<stark::BabyBearPoseidon2>(21, 3, std::ldexp(1.0, 24), 6);
    CHECK(report.proven_logup_bits > 100);
    CHECK(report.proven_logup_bits < 110);
    CHECK_THAT(report.to_string(), Catch::Contains("buses"));
}
