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

TEST_CASE("two AIRs on a permutation bus balance; a tampered message or a missing receiver is named",
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

TEST_CASE("range and variable-range tables balance their lookups; a wrong count is named", "[air][bus][periphery]") {
    const air::RangeCheckAir range(range_bus, 4);
    const air::VariableRangeAir var_range(var_range_bus, 6);
    air::RangeCheckCounts rc(range);
    air::VariableRangeCounts vc(var_range);
    std::mt19937_64 rng(5);
    field::RowMajorMatrix<F> user(32, 1);
    for (Eigen::Index r = 0; r < 32; ++r) {
        const std::uint64_t v = rng() % 16;
        user(r, 0) = F::from_u64(v);
        rc.add(v);
        vc.add(v, 4);
    }
    const auto range_trace = rc.trace<F>();
    const auto var_trace = vc.trace<F>();
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

TEST_CASE("the prover and verifier refuse AIRs with bus interactions until LogUp is proved", "[stark][bus][negative]") {
    using Cfg = stark::TestingConfig<BabyBear, 4>;
    const std::vector<stark::AirRef<Cfg>> airs{Sender{}, Receiver{}};
    std::vector<field::RowMajorMatrix<F>> traces{pairs_trace(16, false), pairs_trace(16, true)};
    try {
        (void)stark::prove<Cfg>(airs, std::move(traces), {{}, {}});
        FAIL("proved an AIR with interactions");
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::invalid_argument);
        CHECK_THAT(e.what(), Catch::Contains("'sender'") && Catch::Contains("bus interactions"));
    }
    // A proof of the same shapes without interactions is not accepted for them either.
    const std::vector<stark::AirRef<Cfg>> plain{air::SyntheticAir(2), air::SyntheticAir(2)};
    std::vector<field::RowMajorMatrix<F>> ts{air::SyntheticAir(2).generate_trace<F>(16, 1),
                                             air::SyntheticAir(2).generate_trace<F>(16, 2)};
    const auto proof = stark::prove<Cfg>(plain, std::move(ts), {{}, {}});
    const auto r = stark::verify<Cfg>(airs, proof, {{}, {}});
    CHECK_FALSE(r.ok());
    CHECK_THAT(r.reason(), Catch::Contains("bus interactions"));
}
