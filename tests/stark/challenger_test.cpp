// The duplex challenger: determinism, sampling ranges and uniformity, extension samples,
// and proof-of-work grinding.
#include "field/support.hpp"

#include <causality/parallel.hpp>
#include <causality/stark.hpp>

#include <catch2/catch.hpp>

using namespace causality;
using namespace causality::stark;
using field::BabyBear;
using field::Goldilocks;

TEMPLATE_TEST_CASE("identical transcripts give identical challenges, different ones differ", "[challenger]",
                   BabyBear, field::KoalaBear, Goldilocks) {
    using F = TestType;
    auto a = default_challenger<F>(), b = default_challenger<F>(), c = default_challenger<F>();
    for (int i = 0; i < 13; ++i) {
        a.observe(F(i));
        b.observe(F(i));
        c.observe(F(i == 7 ? 100 : i));
    }
    for (int i = 0; i < 20; ++i) {
        const F x = a.sample();
        CHECK(x == b.sample());
        if (i == 0) CHECK(x != c.sample());
    }
    // Observing after sampling discards the pending outputs: the next sample comes from a
    // fresh permutation that includes the new observation.
    a.observe(F(1));
    b.observe(F(2));
    CHECK(a.sample() != b.sample());
}

TEST_CASE("sample_bits stays in range, is spread evenly, and rejects impossible widths", "[challenger]") {
    auto ch = default_challenger<BabyBear>();
    ch.observe(BabyBear(42));
    std::array<int, 16> buckets{};
    for (int i = 0; i < 4096; ++i) {
        const auto v = ch.sample_bits(4);
        REQUIRE(v < 16);
        ++buckets[v];
    }
    for (int count : buckets) CHECK((count > 160 && count < 352));  // mean 256; deterministic transcript
    for (unsigned bits : {0u, 1u, 20u, 30u}) CHECK(ch.sample_bits(bits) < (std::uint64_t{1} << bits));
    CHECK_THROWS_AS(ch.sample_bits(31), Error);  // 2^31 > p
    auto g = default_challenger<Goldilocks>();
    CHECK(g.sample_bits(63 - 1) < (std::uint64_t{1} << 62));
    CHECK_THROWS_AS(g.sample_bits(63), Error);
}

TEST_CASE("extension samples are consecutive base samples", "[challenger]") {
    using E = field::BinomialExtension<BabyBear, 4>;
    auto a = default_challenger<BabyBear>(), b = a;
    a.observe_ext(E::x());
    b.observe(std::array<BabyBear, 4>{BabyBear(0), BabyBear(1), BabyBear(0), BabyBear(0)});
    const E e = a.sample_ext<E>();
    for (std::size_t k = 0; k < 4; ++k) CHECK(e[k] == b.sample());
}

TEST_CASE("grinding finds the smallest witness, verification replays it, any thread count", "[challenger][pow]") {
    auto base = default_challenger<BabyBear>();
    base.observe(BabyBear(2024));
    const unsigned bits = 10;
    auto prover = base;
    const BabyBear witness = [&] {
        parallel::ScopedThreadCount two(2);
        return prover.grind(bits);
    }();
    auto single = base;
    {
        parallel::ScopedThreadCount one(1);
        CHECK(single.grind(bits) == witness);
    }
    auto verifier = base;
    CHECK(verifier.check_witness(bits, witness));
    CHECK(verifier.sample() == prover.sample());  // both transcripts continue identically
    for (std::uint64_t w = 0; w < witness.to_u64(); ++w) {
        auto other = base;
        REQUIRE_FALSE(other.check_witness(bits, BabyBear(w)));
    }
    auto zero_bits = base;
    CHECK(zero_bits.grind(0) == BabyBear(0));
    CHECK_THROWS_AS(base.grind(61), Error);
    CHECK_THROWS_AS(base.grind(31), Error);  // 2^31 > BabyBear's modulus
}

TEMPLATE_TEST_CASE("grinding after any number of pending observations finds the smallest witness", "[challenger][pow]",
                   BabyBear, Goldilocks) {
    using F = TestType;
    // The witness lands at every position of the sponge's rate, and in the last one the
    // observation itself triggers the permutation.
    for (std::uint64_t pending = 0; pending < 9; ++pending) {
        auto base = default_challenger<F>();
        for (std::uint64_t i = 0; i < pending; ++i) base.observe(F::from_u64(i + 7));
        auto prover = base;
        const F witness = prover.grind(7);
        INFO(pending << " pending observations, witness " << witness.to_u64());
        auto verifier = base;
        CHECK(verifier.check_witness(7, witness));
        CHECK(verifier.sample() == prover.sample());
        for (std::uint64_t w = 0; w < witness.to_u64(); ++w) {
            auto other = base;
            REQUIRE_FALSE(other.check_witness(7, F::from_u64(w)));
        }
    }
}
