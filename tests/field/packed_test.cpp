// Packed fields equal scalar arithmetic lane by lane, on every kernel this build and
// this CPU support: the portable fallback always, AVX2 and AVX-512 when compiled in.
#include "field/support.hpp"

#include <catch2/catch.hpp>

#include <random>
#include <tuple>
#include <algorithm>

using namespace causality::field;

namespace {

template <class F, class Arch>
struct Kernel {
    using field = F;
    using packed = PackedOn<F, Arch>;
};

template <class P>
std::vector<typename P::scalar_type> lanes_of_samples(std::uint64_t seed) {
    using F = typename P::scalar_type;
    std::vector<F> v;
    if constexpr (PrimeField<F>) {
        for (auto x : test::sample_values(F::modulus, 0)) v.push_back(F::from_u64(x));
    }
    std::mt19937_64 rng(seed);
    while (v.size() % P::width != 0 || v.size() < 8 * P::width) v.push_back(test::random_element<F>(rng));
    return v;
}

bool cpu_supports(xsimd::generic) { return true; }
#if defined(__AVX2__)
bool cpu_supports(xsimd::avx2) { return xsimd::available_architectures().avx2; }
#endif
#if defined(__AVX512F__) && defined(__AVX512BW__)
bool cpu_supports(xsimd::avx512bw) { return xsimd::available_architectures().avx512bw; }
#endif

}  // namespace

#define CAUSALITY_KERNELS_FOR(ARCH)                                                       \
    (Kernel<BabyBear, ARCH>), (Kernel<KoalaBear, ARCH>), (Kernel<Goldilocks, ARCH>),      \
        (Kernel<Mersenne31, ARCH>), (Kernel<test::UserField, ARCH>)

#if defined(__AVX512F__) && defined(__AVX512BW__)
#define CAUSALITY_KERNELS \
    CAUSALITY_KERNELS_FOR(xsimd::generic), CAUSALITY_KERNELS_FOR(xsimd::avx2), CAUSALITY_KERNELS_FOR(xsimd::avx512bw)
#elif defined(__AVX2__)
#define CAUSALITY_KERNELS CAUSALITY_KERNELS_FOR(xsimd::generic), CAUSALITY_KERNELS_FOR(xsimd::avx2)
#else
#define CAUSALITY_KERNELS CAUSALITY_KERNELS_FOR(xsimd::generic)
#endif

TEMPLATE_TEST_CASE("packed arithmetic equals scalar arithmetic lane by lane", "[field][packed]",
                   CAUSALITY_KERNELS) {
    using F = typename TestType::field;
    using P = typename TestType::packed;
    STATIC_REQUIRE(PackedField<P>);
    REQUIRE(cpu_supports(typename P::arch_type{}));

    const auto xs = lanes_of_samples<P>(1);
    auto ys = xs;
    std::mt19937 rng(2);
    std::shuffle(ys.begin(), ys.end(), rng);
    for (std::size_t off = 0; off < xs.size(); off += P::width) {
        const P a = P::load(xs.data() + off), b = P::load(ys.data() + off);
        const F s = ys[off];
        std::vector<F> out(P::width);
        const auto check = [&](const P& r, auto scalar_op, const char* what) {
            r.store(out.data());
            for (std::size_t i = 0; i < P::width; ++i) {
                INFO(what << " lane " << i << ": x = " << xs[off + i] << ", y = " << ys[off + i]);
                CHECK(out[i] == scalar_op(xs[off + i], ys[off + i]));
                CHECK(r.lane(i) == out[i]);
            }
        };
        check(a + b, [](F x, F y) { return x + y; }, "add");
        check(a - b, [](F x, F y) { return x - y; }, "sub");
        check(a * b, [](F x, F y) { return x * y; }, "mul");
        check(-a, [](F x, F) { return -x; }, "neg");
        check(a.square(), [](F x, F) { return x * x; }, "square");
        check(a * s, [s](F x, F) { return x * s; }, "mul scalar");
        check(s * a, [s](F x, F) { return s * x; }, "scalar mul");
        check(a + s, [s](F x, F) { return x + s; }, "add scalar");
        check(a - s, [s](F x, F) { return x - s; }, "sub scalar");
        // The kernels' fused operations, where a kernel has them (31-bit fields).
        if constexpr (requires { a.template exp_small<7>(); }) {
            check(a.template exp_small<3>(), [](F x, F) { return x * x * x; }, "x^3");
            check(a.template exp_small<5>(), [](F x, F) { return x.pow(5); }, "x^5");
            check(a.template exp_small<7>(), [](F x, F) { return x.pow(7); }, "x^7");
        }
        if constexpr (requires { a.mul_2exp_neg(1u); }) {
            for (unsigned k = 1; k <= F::two_adicity; ++k) {
                const F inv = F(2).pow(k).inverse();
                INFO("2^-" << k);
                check(a.mul_2exp_neg(k), [inv](F x, F) { return x * inv; }, "x * 2^-k");
            }
        }
        P c = a;
        c += b;
        c *= b;
        c -= a;
        check(c, [](F x, F y) { return (x + y) * y - x; }, "compound");
    }
}

TEMPLATE_TEST_CASE("packed load/store/broadcast round trips", "[field][packed]", CAUSALITY_KERNELS) {
    using F = typename TestType::field;
    using P = typename TestType::packed;
    const auto xs = lanes_of_samples<P>(3);
    std::vector<F> back(P::width);
    P::load(xs.data()).store(back.data());
    CHECK(std::equal(back.begin(), back.end(), xs.begin()));
    CHECK(P::from_array(P::load(xs.data()).to_array()) == P::load(xs.data()));
    const P b = P::broadcast(xs[3]);
    for (std::size_t i = 0; i < P::width; ++i) CHECK(b.lane(i) == xs[3]);
    CHECK(P::zero() == P::broadcast(F::zero()));
    CHECK(P::one() == P::broadcast(F::one()));
    CHECK(P{} == P::zero());
    CHECK_FALSE(P::one() == P::zero());
}

TEST_CASE("Packed<F> picks the widest kernel this build has", "[field][packed]") {
#if defined(__AVX512F__) && defined(__AVX512BW__)
    CHECK(Packed<BabyBear>::width == 16);
    CHECK(Packed<Goldilocks>::width == 8);
    CHECK(std::is_same_v<Packed<Mersenne31>::arch_type, xsimd::avx512bw>);
#elif defined(__AVX2__)
    CHECK(Packed<BabyBear>::width == 8);
    CHECK(Packed<Goldilocks>::width == 4);
#else
    CHECK(std::is_same_v<Packed<BabyBear>::arch_type, xsimd::generic>);
    CHECK(Packed<BabyBear>::width == 8);
    CHECK(Packed<Goldilocks>::width == 4);
#endif
}

TEMPLATE_TEST_CASE("packed extension arithmetic equals scalar extension arithmetic", "[field][packed]",
                   CAUSALITY_EXTENSION_FIELDS) {
    using E = TestType;
    using P = PackedExtension<E>;
    STATIC_REQUIRE(PackedField<P>);
    std::mt19937_64 rng(9);
    std::vector<E> xs(4 * P::width), ys(4 * P::width);
    for (auto& x : xs) x = test::random_element<E>(rng);
    for (auto& y : ys) y = test::random_element<E>(rng);
    const E s = test::random_element<E>(rng);
    for (std::size_t off = 0; off < xs.size(); off += P::width) {
        const P a = P::load(xs.data() + off), b = P::load(ys.data() + off);
        std::vector<E> prod(P::width);
        (a * b).store(prod.data());
        for (std::size_t i = 0; i < P::width; ++i) {
            CHECK(prod[i] == xs[off + i] * ys[off + i]);
            CHECK((a + b).lane(i) == xs[off + i] + ys[off + i]);
            CHECK((a - b).lane(i) == xs[off + i] - ys[off + i]);
            CHECK((-a).lane(i) == -xs[off + i]);
            CHECK((a * s).lane(i) == xs[off + i] * s);
            CHECK(a.square().lane(i) == xs[off + i] * xs[off + i]);
            CHECK((a * b.coeffs()[0]).lane(i) == xs[off + i] * ys[off + i][0]);
        }
    }
}
