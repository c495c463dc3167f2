// Bring your own field and hash: a user field proves with a four-member configuration,
// Poseidon2 is derived for any field (round numbers, constants, internal diagonal), the
// hashing roles of a configuration are overridable one at a time (Keccak-256 Merkle
// trees), presets across blowups, AIR ergonomics (constants in assert_eq, vectors of
// publics, source locations, the prover's debug check) and hardening of the verifier.
#include <causality/air.hpp>
#include <causality/stark.hpp>
#include <causality/vm/program.hpp>

#include <catch2/catch.hpp>

#include "stark_support.hpp"

#include <random>
#include <set>
#include <string>
#include <vector>

using namespace causality;
using field::BabyBear;
using field::Goldilocks;
using field::KoalaBear;

// A prime the library has never seen: 27 * 2^26 + 1, with its quartic extension X^4 - 11.
struct UserPrimeParams {
    static constexpr std::uint32_t modulus = 0x6c000001;
    static constexpr std::uint32_t generator = 13;
};
using UserField = field::MontyField31<UserPrimeParams>;
template <>
struct causality::field::binomial_extension_params<UserField, 4> {
    static constexpr std::uint64_t w = 11;
};

namespace {

// Four members: the hashing stack is derived from the field.
struct UserConfig {
    using Field = UserField;
    using Challenge = field::BinomialExtension<UserField, 4>;
    static constexpr stark::FriParams fri = stark::preset_fri;
    static constexpr std::string_view name = "user-field";
};

using test::prove_fibonacci;
using test::random_states;

// The inverse of a Poseidon2 permutation, from its pieces: the linear layers inverted by
// Gaussian elimination, the S-box by x^(1/d mod p - 1).
template <class F, std::size_t W>
struct Poseidon2Inverse {
    using Mat = std::array<std::array<F, W>, W>;
    const stark::Poseidon2<F, W>& p;
    Mat ext_inv, int_inv;
    std::uint64_t inv_d;

    explicit Poseidon2Inverse(const stark::Poseidon2<F, W>& perm) : p(perm) {
        ext_inv = invert([&](std::array<F, W>& s) { p.external_linear_layer(s); });
        int_inv = invert([&](std::array<F, W>& s) { p.internal_linear_layer(s); });
        // d^-1 mod (p - 1) by the extended Euclidean algorithm
        using I = std::int64_t;  // p < 2^32 for the fields tested here
        I a = p.sbox_degree(), m = static_cast<I>(F::modulus - 1), x0 = 1, x1 = 0;
        I r0 = a, r1 = m;
        while (r1 != 0) {
            const I q = r0 / r1;
            std::tie(r0, r1) = std::make_pair(r1, r0 - q * r1);
            std::tie(x0, x1) = std::make_pair(x1, x0 - q * x1);
        }
        inv_d = static_cast<std::uint64_t>(((x0 % m) + m) % m);
    }
    template <class Layer>
    static Mat invert(Layer layer) {
        Mat a, inv{};
        for (std::size_t j = 0; j < W; ++j) {  // column j = layer(e_j)
            std::array<F, W> e{};
            e[j] = F::one();
            layer(e);
            for (std::size_t i = 0; i < W; ++i) a[i][j] = e[i];
            inv[j][j] = F::one();
        }
        for (std::size_t c = 0; c < W; ++c) {
            std::size_t piv = c;
            while (a[piv][c].is_zero()) ++piv;
            std::swap(a[piv], a[c]);
            std::swap(inv[piv], inv[c]);
            const F s = a[c][c].inverse();
            for (std::size_t k = 0; k < W; ++k) a[c][k] *= s, inv[c][k] *= s;
            for (std::size_t r = 0; r < W; ++r) {
                if (r == c || a[r][c].is_zero()) continue;
                const F f = a[r][c];
                for (std::size_t k = 0; k < W; ++k) a[r][k] -= f * a[c][k], inv[r][k] -= f * inv[c][k];
            }
        }
        return inv;
    }
    static void apply(const Mat& m, std::array<F, W>& s) {
        std::array<F, W> out{};
        for (std::size_t i = 0; i < W; ++i)
            for (std::size_t j = 0; j < W; ++j) out[i] += m[i][j] * s[j];
        s = out;
    }
    void operator()(std::array<F, W>& s) const {
        const auto& term = p.terminal_round_constants();
        for (auto it = term.rbegin(); it != term.rend(); ++it) {
            apply(ext_inv, s);
            for (std::size_t i = 0; i < W; ++i) s[i] = s[i].pow(inv_d) - (*it)[i];
        }
        const auto& part = p.partial_round_constants();
        for (auto it = part.rbegin(); it != part.rend(); ++it) {
            apply(int_inv, s);
            s[0] = s[0].pow(inv_d) - *it;
        }
        const auto& init = p.initial_round_constants();
        for (auto it = init.rbegin(); it != init.rend(); ++it) {
            apply(ext_inv, s);
            for (std::size_t i = 0; i < W; ++i) s[i] = s[i].pow(inv_d) - (*it)[i];
        }
        apply(ext_inv, s);
    }
};

// A degree-5 constraint: needs log_blowup 2.
struct Quintic {
    static constexpr std::size_t width() { return 1; }
    template <class AB>
    void eval(AB& b) const {
        const auto x = b.main().local(0);
        b.when_transition().assert_zero(x * x * x * x);  // degree 4 + the selector
    }
};

// Constants on either side of assert_eq, in every builder.
struct ConstantsAir {
    static constexpr std::size_t width() { return 2; }
    static constexpr std::size_t num_public_values() { return 1; }
    template <class AB>
    void eval(AB& b) const {
        using F = typename AB::F;
        const auto m = b.main();
        b.assert_eq(m.local(0), F(5u));
        b.assert_eq(F(7u), m.local(1));
        b.when_first_row().assert_eq(m.local(0) + m.local(1), b.public_value(0));
        b.assert_bool(m.local(0) - F(4u));
    }
};
template <class F>
field::RowMajorMatrix<F> constants_trace(std::size_t rows) {
    auto t = field::zero_matrix<F>(rows, 2);
    for (std::size_t r = 0; r < rows; ++r) t(static_cast<Eigen::Index>(r), 0) = F(5u), t(static_cast<Eigen::Index>(r), 1) = F(7u);
    return t;
}

// A one-row-unused column so that tampering its opened next value leaves the constraint
// check at zeta intact.
template <class SC>
using TestCfg = stark::TestingConfig<typename SC::Field, SC::Challenge::degree>;

}  // namespace

// ------------------------------------------------------------------ a user field

TEST_CASE("a user field proves Fibonacci and the Poseidon2 AIR with a four-member configuration",
          "[config][user-field]") {
    STATIC_REQUIRE(stark::StarkConfig<UserConfig>);
    using F = UserField;
    std::vector<stark::AirRef<UserConfig>> airs;
    std::vector<std::vector<F>> publics;
    const auto bytes = prove_fibonacci<UserConfig>(128, airs, publics);
    const auto ok = stark::verify_bytes<UserConfig>(airs, bytes, publics);
    INFO(ok.reason());
    CHECK(ok.ok());
    auto wrong = publics;
    wrong[0][2] += F::one();
    CHECK_FALSE(stark::verify_bytes<UserConfig>(airs, bytes, wrong).ok());

    const auto perm = stark::default_poseidon2<F, 16>();
    CHECK(perm.sbox_degree() == 5);  // 3 divides p - 1, 5 does not
    CHECK(perm.full_rounds() == 8);
    CHECK(perm.partial_rounds() == 14);
    const stark::Poseidon2Air<F, 16> a(perm);
    const std::vector<stark::AirRef<UserConfig>> pairs{a};
    std::vector<field::RowMajorMatrix<F>> ts{a.generate_trace(random_states<F, 16>(32, 5))};
    const std::vector<std::vector<F>> none{{}};
    const auto r = stark::verify_bytes<UserConfig>(pairs, stark::prove_to_bytes<UserConfig>(pairs, std::move(ts), none), none);
    INFO(r.reason());
    CHECK(r.ok());
    const auto report = stark::security_report<UserConfig>(8);
    CHECK(report.to_string().find("hash: Poseidon2 Merkle tree, Poseidon2 transcript") != std::string::npos);
    // Program ids follow the field too.
    vm::Program<F> prog;
    CHECK(vm::program_id(prog) == vm::program_digest<UserConfig>(prog));
}

// ------------------------------------------------------------- derived Poseidon2

TEST_CASE("derived Poseidon2 round numbers equal the reference table", "[config][poseidon2][kat]") {
    using stark::poseidon2_round_numbers;
    using R = stark::Poseidon2RoundNumbers;
    const std::uint64_t bb = BabyBear::modulus, kb = KoalaBear::modulus, gl = Goldilocks::modulus;
    CHECK(stark::poseidon2_sbox_degree(bb) == 7);
    CHECK(stark::poseidon2_sbox_degree(kb) == 3);
    CHECK(stark::poseidon2_sbox_degree(gl) == 7);
    // Plonky3's round table (computed by the same script) for 31- and 64-bit fields.
    const std::vector<std::tuple<std::uint64_t, unsigned, unsigned, unsigned>> table{
        {bb, 16, 7, 13}, {bb, 24, 7, 21}, {bb, 32, 7, 30}, {kb, 16, 3, 20}, {kb, 24, 3, 23}, {kb, 32, 3, 31},
        {kb, 16, 5, 14}, {kb, 24, 5, 22}, {kb, 16, 9, 13}, {kb, 24, 11, 21}, {gl, 8, 7, 22}, {gl, 12, 7, 22},
        {gl, 16, 7, 22}, {gl, 8, 11, 17}, {gl, 12, 11, 18}, {gl, 16, 11, 18}};
    for (const auto& [p, w, d, rp] : table) {
        INFO("p = " << p << ", width " << w << ", degree " << d);
        CHECK(poseidon2_round_numbers(p, w, d) == R{8, rp});
    }
    // Widths 8 and 12 of the 31-bit fields (the script's output, not in Plonky3's table).
    CHECK(poseidon2_round_numbers(bb, 8, 7) == R{8, 12});
    CHECK(poseidon2_round_numbers(bb, 12, 7) == R{8, 10});
    CHECK(poseidon2_round_numbers(kb, 8, 3) == R{8, 19});
    CHECK(poseidon2_round_numbers(kb, 12, 3) == R{8, 20});
    // The defaults use exactly these numbers.
    CHECK(stark::default_poseidon2<BabyBear, 16>().partial_rounds() == 13);
    CHECK(stark::default_poseidon2<BabyBear, 24>().partial_rounds() == 21);
    CHECK(stark::default_poseidon2<KoalaBear, 16>().partial_rounds() == 20);
    CHECK(stark::default_poseidon2<KoalaBear, 24>().partial_rounds() == 23);
    CHECK_THROWS_AS(poseidon2_round_numbers(bb, 16, 3), Error);  // 3 divides p - 1
}

TEST_CASE("derived Goldilocks constants are Horizen Labs' published ones", "[config][poseidon2][kat]") {
    for (const unsigned w : {8u, 12u}) {
        const auto rn = stark::poseidon2_round_numbers(Goldilocks::modulus, w, 7);
        const auto c = stark::grain_poseidon2_constants<Goldilocks>(w, rn.full, rn.partial);
        if (w == 8) {
            const auto& ref = stark::default_poseidon2<Goldilocks, 8>();
            CHECK(c.internal == ref.partial_round_constants());
            CHECK(std::vector<Goldilocks>(ref.initial_round_constants()[0].begin(),
                                          ref.initial_round_constants()[0].end()) == c.initial[0]);
            CHECK(c.initial[0][0].to_u64() == 0xdd5743e7f2a5a5d9ull);  // HL's first constant, width 8
        } else {
            const auto& ref = stark::default_poseidon2<Goldilocks, 12>();
            CHECK(c.internal == ref.partial_round_constants());
            CHECK(std::vector<Goldilocks>(ref.terminal_round_constants()[3].begin(),
                                          ref.terminal_round_constants()[3].end()) == c.terminal[3]);
        }
    }
}

TEST_CASE("the internal diagonal passes the paper's check, and a bad one fails it", "[config][poseidon2]") {
    CHECK(stark::poseidon2_internal_matrix_ok<BabyBear, 16>(stark::default_poseidon2<BabyBear, 16>().params().internal_diag));
    CHECK(stark::poseidon2_internal_matrix_ok<Goldilocks, 8>(stark::default_poseidon2<Goldilocks, 8>().params().internal_diag));
    const auto v = stark::default_poseidon2<UserField, 16>().params().internal_diag;
    CHECK(stark::poseidon2_internal_matrix_ok<UserField, 16>(v));
    // Two equal entries: e_i - e_j is an eigenvector, the characteristic polynomial splits.
    auto twice = v;
    twice[1] = twice[0];
    CHECK_FALSE(stark::poseidon2_internal_matrix_ok<UserField, 16>(twice));
    // Deterministic: the same diagonal again, and derived once.
    CHECK(stark::derive_poseidon2_internal_diag<UserField, 16>() == v);
}

TEST_CASE("a derived permutation is a bijection and differs from BabyBear's", "[config][poseidon2]") {
    const auto perm = stark::default_poseidon2<UserField, 16>();
    const Poseidon2Inverse<UserField, 16> inverse(perm);
    for (auto s : random_states<UserField, 16>(20, 3)) {
        auto t = s;
        perm.permute(t);
        CHECK(t != s);
        inverse(t);
        CHECK(t == s);
    }
    const auto m31 = stark::default_poseidon2<field::Mersenne31, 16>();  // not two-adic: +-2^k entries
    const Poseidon2Inverse<field::Mersenne31, 16> m31_inverse(m31);
    auto s = random_states<field::Mersenne31, 16>(1, 9)[0], t = s;
    m31.permute(t);
    m31_inverse(t);
    CHECK(t == s);
    // Same canonical input, different permutation outputs.
    std::array<UserField, 16> u{};
    std::array<BabyBear, 16> b{};
    for (std::size_t i = 0; i < 16; ++i) u[i] = UserField(static_cast<std::uint64_t>(i)), b[i] = BabyBear(static_cast<std::uint64_t>(i));
    perm.permute(u);
    stark::default_poseidon2<BabyBear, 16>().permute(b);
    std::size_t same = 0;
    for (std::size_t i = 0; i < 16; ++i) same += u[i].to_u64() == b[i].to_u64();
    CHECK(same == 0);
}

// ------------------------------------------------------------------ Keccak-256

TEST_CASE("Keccak-256 and Keccak-f[1600] match the published vectors", "[config][keccak][kat]") {
    const auto hex = [](const std::array<std::uint8_t, 32>& d) {
        std::string s;
        for (auto b : d) s += "0123456789abcdef"[b >> 4], s += "0123456789abcdef"[b & 15];
        return s;
    };
    const auto str = [](std::string_view s) {
        return std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
    };
    CHECK(hex(stark::Keccak256::hash({})) == "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
    CHECK(hex(stark::Keccak256::hash(str("abc"))) == "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45");
    CHECK(hex(stark::Keccak256::hash(str("The quick brown fox jumps over the lazy dog"))) ==
          "4d741b6f1eb29cb2a9b9911c82f56fa8d73b04959d3d9d222895df6c0b28aa15");
    std::array<std::uint64_t, 25> zero{};
    stark::keccak_f1600(zero);
    CHECK(zero[0] == 0xf1258f7940e1dde7ull);  // KeccakF-1600 on the zero state, lane 0
    CHECK(zero[24] == 0xeaf1ff7b5ceca249ull);
    // Absorbing in pieces across the 136-byte rate equals one call; the compressor is
    // Keccak-256 of the 64 bytes.
    std::vector<std::uint8_t> data(1000);
    for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::uint8_t>(i * 7 + 1);
    for (std::size_t cut : {0u, 1u, 135u, 136u, 137u, 500u}) {
        stark::Keccak256 k;
        k.absorb(std::span<const std::uint8_t>(data).first(cut));
        k.absorb(std::span<const std::uint8_t>(data).subspan(cut));
        CHECK(k.finish() == stark::Keccak256::hash(data));
    }
    std::array<std::array<std::uint8_t, 32>, 2> pair;
    std::copy_n(data.begin(), 32, pair[0].begin());
    std::copy_n(data.begin() + 32, 32, pair[1].begin());
    CHECK(stark::Keccak256Compressor<BabyBear>{}.compress(pair) ==
          stark::Keccak256::hash(std::span<const std::uint8_t>(data).first(64)));
    // Leaves hash the canonical little-endian encoding.
    const std::vector<BabyBear> row{BabyBear(1u), BabyBear(0x01020304u)};
    const std::vector<std::uint8_t> enc{1, 0, 0, 0, 4, 3, 2, 1};
    CHECK(stark::Keccak256Hasher<BabyBear>{}.hash(row) == stark::Keccak256::hash(enc));
}

TEST_CASE("the SIMD Keccak lanes and the batched Merkle paths equal the scalar hash", "[config][keccak]") {
    constexpr std::size_t lanes = stark::KeccakBatch::size;
    std::mt19937_64 rng(23);
    std::array<std::array<std::uint64_t, 25>, lanes> scalar;
    std::array<stark::KeccakBatch, 25> batch;
    for (std::size_t k = 0; k < 25; ++k) {
        alignas(64) std::array<std::uint64_t, lanes> w;
        for (std::size_t l = 0; l < lanes; ++l) scalar[l][k] = w[l] = rng();
        batch[k] = stark::KeccakBatch::load_aligned(w.data());
    }
    stark::keccak_f1600_batch(batch);
    for (auto& st : scalar) stark::keccak_f1600(st);
    for (std::size_t k = 0; k < 25; ++k) {
        alignas(64) std::array<std::uint64_t, lanes> w;
        batch[k].store_aligned(w.data());
        for (std::size_t l = 0; l < lanes; ++l) CHECK(w[l] == scalar[l][k]);
    }
    // A tree built with the batched leaves and nodes equals one built from the scalar
    // hash and compression, for heights below and above the lane count and rows longer
    // than one Keccak block (40 elements = 160 bytes).
    const auto mmcs = stark::ConfigHashing<stark::BabyBearKeccak>::mmcs();
    const stark::Keccak256Hasher<BabyBear> h;
    const stark::Keccak256Compressor<BabyBear> c;
    for (const auto& [rows, cols] : {std::pair<std::size_t, std::size_t>{4, 8}, {64, 8}, {32, 40}, {16, 34}}) {
        auto m = field::zero_matrix<BabyBear>(rows, cols);
        for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = BabyBear::from_u64(rng());
        std::vector<stark::Keccak256::Digest> level;
        for (std::size_t r = 0; r < rows; ++r) level.push_back(h.hash(field::row_span(m, r)));
        while (level.size() > 1) {
            std::vector<stark::Keccak256::Digest> up;
            for (std::size_t j = 0; j < level.size(); j += 2) up.push_back(c.compress({level[j], level[j + 1]}));
            level = up;
        }
        std::vector<field::RowMajorMatrix<BabyBear>> ms{m};
        INFO(rows << " x " << cols);
        CHECK(mmcs.commit(std::move(ms)).root() == level[0]);
    }
}

TEST_CASE("BLAKE3 matches the official test vectors", "[config][blake3][kat]") {
    // Inputs of n bytes 0, 1, ..., 250, 0, 1, ...; the first 32 output bytes.
    const std::vector<std::pair<std::size_t, std::string>> cases{
        {0, "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262"},
        {1, "2d3adedff11b61f14c886e35afa036736dcd87a74d27b5c1510225d0f592e213"},
        {1023, "10108970eeda3eb932baac1428c7a2163b0e924c9a9e25b35bba72b28f70bd11"},
        {1024, "42214739f095a406f3fc83deb889744ac00df831c10daa55189b5d121c855af7"},
        {1025, "d00278ae47eb27b34faecf67b4fe263f82d5412916c1ffd97c8cb7fb814b8444"},
        {2048, "e776b6028c7cd22a4d0ba182a8bf62205d2ef576467e838ed6f2529b85fba24a"},
        {2049, "5f4d72f40d7a5f82b15ca2b2e44b1de3c2ef86c426c95c1af0b6879522563030"},
        {3072, "b98cb0ff3623be03326b373de6b9095218513e64f1ee2edd2525c7ad1e5cffd2"},
        {3073, "7124b49501012f81cc7f11ca069ec9226cecb8a2c850cfe644e327d22d3e1cd3"},
        {4096, "015094013f57a5277b59d8475c0501042c0b642e531b0a1c8f58d2163229e969"},
        {4097, "9b4052b38f1c5fc8b1f9ff7ac7b27cd242487b3d890d15c96a1c25b8aa0fb995"},
        {5121, "628bd2cb2004694adaab7bbd778a25df25c47b9d4155a55f8fbd79f2fe154cff"},
        {7169, "a003fc7a51754a9b3c7fae0367ab3d782dccf28855a03d435f8cfe74605e7817"}};
    for (const auto& [n, expect] : cases) {
        std::vector<std::uint8_t> in(n);
        for (std::size_t i = 0; i < n; ++i) in[i] = static_cast<std::uint8_t>(i % 251);
        const auto d = stark::Blake3::hash(in);
        std::string got;
        for (auto b : d) got += "0123456789abcdef"[b >> 4], got += "0123456789abcdef"[b & 15];
        INFO("input length " << n);
        CHECK(got == expect);
        // In pieces: the same digest.
        stark::Blake3 h;
        h.absorb(std::span<const std::uint8_t>(in).first(n / 3));
        h.absorb(std::span<const std::uint8_t>(in).subspan(n / 3));
        CHECK(h.finish() == d);
    }
    std::array<stark::Blake3::Digest, 2> pair{};
    for (std::size_t i = 0; i < 32; ++i) pair[0][i] = static_cast<std::uint8_t>(i), pair[1][i] = static_cast<std::uint8_t>(32 + i);
    std::vector<std::uint8_t> cat(64);
    for (std::size_t i = 0; i < 64; ++i) cat[i] = static_cast<std::uint8_t>(i);
    CHECK(stark::Blake3Compressor<BabyBear>{}.compress(pair) == stark::Blake3::hash(cat));
    std::vector<BabyBear> row(40);  // past one block: the incremental path
    std::vector<std::uint8_t> bytes;
    for (std::size_t i = 0; i < row.size(); ++i) {
        row[i] = BabyBear(static_cast<std::uint64_t>(i * 1000003));
        const auto b = field::to_bytes(row[i]);
        bytes.insert(bytes.end(), b.begin(), b.end());
    }
    CHECK(stark::Blake3Hasher<BabyBear>{}.hash(row) == stark::Blake3::hash(bytes));
    CHECK(stark::Blake3Hasher<BabyBear>{}.hash(std::span<const BabyBear>(row).first(7)) ==
          stark::Blake3::hash(std::span<const std::uint8_t>(bytes).first(28)));
}

TEST_CASE("overriding one hashing role leaves the others at their defaults", "[config][keccak]") {
    using H = stark::ConfigHashing<stark::BabyBearKeccak>;
    STATIC_REQUIRE(std::is_same_v<H::Hasher, stark::Keccak256Hasher<BabyBear>>);
    STATIC_REQUIRE(std::is_same_v<H::Compressor, stark::Keccak256Compressor<BabyBear>>);
    STATIC_REQUIRE(std::is_same_v<H::Permutation, stark::DefaultPermutation<BabyBear>>);
    STATIC_REQUIRE(std::is_same_v<H::Challenger, stark::DefaultChallenger<BabyBear>>);
    STATIC_REQUIRE(H::Mmcs::digest_bytes == 32);
    using D = stark::ConfigHashing<stark::BabyBearPoseidon2>;
    STATIC_REQUIRE(std::is_same_v<D::Mmcs, stark::DefaultMmcs<BabyBear>>);
    STATIC_REQUIRE(stark::config_id<stark::BabyBearKeccak>() != stark::config_id<stark::BabyBearPoseidon2>());
    const auto report = stark::security_report<stark::BabyBearKeccak>(12);
    CHECK(report.hash == "Keccak-256 Merkle tree, Poseidon2 transcript");
    CHECK(stark::security_report<stark::KoalaBearBlake3>(8).hash == "BLAKE3 Merkle tree, Poseidon2 transcript");
}

namespace {
struct KeccakTesting : stark::TestingConfig<BabyBear, 4> {
    using Hasher = stark::Keccak256Hasher<BabyBear>;
    static constexpr std::string_view name = "testing-keccak";
};
}  // namespace

TEST_CASE("a Keccak-Merkle proof verifies and tampered proofs are rejected", "[config][keccak][negative]") {
    std::vector<stark::AirRef<KeccakTesting>> airs;
    std::vector<std::vector<BabyBear>> publics;
    const auto bytes = prove_fibonacci<KeccakTesting>(256, airs, publics);
    const auto ok = stark::verify_bytes<KeccakTesting>(airs, bytes, publics);
    INFO(ok.reason());
    REQUIRE(ok.ok());
    CHECK(stark::encode_proof(stark::decode_proof<KeccakTesting>(bytes)) == bytes);
    std::mt19937_64 rng(17);
    for (int i = 0; i < 200; ++i) {
        auto bad = bytes;
        bad[rng() % bad.size()] ^= static_cast<std::uint8_t>(1u << (rng() % 8));
        CHECK_FALSE(stark::verify_bytes<KeccakTesting>(airs, bad, publics).ok());
    }
    // A Keccak proof is not a Poseidon2 proof.
    using Plain = stark::TestingConfig<BabyBear, 4>;
    const std::vector<stark::AirRef<Plain>> plain{air::FibonacciAir{}};
    const auto other = stark::verify_bytes<Plain>(plain, bytes, publics);
    CHECK_FALSE(other.ok());
    CHECK(other.reason().find("another configuration") != std::string::npos);
}

// ------------------------------------------------------------------ presets, degrees

TEST_CASE("a degree the blowup cannot hold names the constraint and the preset that fits", "[config][preset]") {
    using SC = stark::TestingConfig<BabyBear, 4>;  // blowup 2, as BabyBearPoseidon2
    const std::vector<stark::AirRef<SC>> airs{Quintic{}};
    std::vector<field::RowMajorMatrix<BabyBear>> ts{field::zero_matrix<BabyBear>(8, 1)};
    const std::vector<std::vector<BabyBear>> none{{}};
    try {
        (void)stark::prove<SC>(airs, ts, none);
        FAIL("proved a degree-5 AIR at blowup 2");
    } catch (const Error& e) {
        const std::string what = e.what();
        INFO(what);
        CHECK(what.find("constraint degree 5 (constraint 0 (config_test.cpp:") != std::string::npos);
        CHECK(what.find("needs log_blowup >= 2, the configuration 'testing' has 1") != std::string::npos);
        CHECK(what.find("stark::BabyBearPoseidon2Blowup4") != std::string::npos);
    }
    // The verifier refuses a proof of it the same way (from the declared heights).
    stark::StarkProof<SC> fake;
    fake.log_heights = {3};
    fake.opened.resize(1);
    const auto r0 = stark::verify<SC>(airs, fake, none);
    CHECK(r0.reason().find("constraint degree 5 (constraint 0 (config_test.cpp:") != std::string::npos);
    using Fits = stark::TestingConfig<BabyBear, 4, 2>;  // blowup 4, as BabyBearPoseidon2Blowup4
    const std::vector<stark::AirRef<Fits>> fits{Quintic{}};
    const auto r = stark::verify_bytes<Fits>(fits, stark::encode_proof(stark::prove<Fits>(fits, ts, none)), none);
    INFO(r.reason());
    CHECK(r.ok());
}

TEST_CASE("presets across blowups reach 100 conjectured bits and report their proven bound", "[config][preset]") {
    const auto check = []<class SC>(SC*, unsigned log_blowup) {
        STATIC_REQUIRE(stark::conjectured_security_bits<SC>() >= 100);
        CHECK(SC::fri.log_blowup == log_blowup);
        const auto r = stark::security_report<SC>(20 + log_blowup);
        INFO(SC::name << ": " << r.to_string());
        CHECK(r.proven_bits > 50);
        CHECK(r.to_string().find("hash: ") != std::string::npos);
    };
    check(static_cast<stark::BabyBearPoseidon2*>(nullptr), 1);
    check(static_cast<stark::BabyBearPoseidon2Blowup4*>(nullptr), 2);
    check(static_cast<stark::BabyBearPoseidon2Blowup8*>(nullptr), 3);
    check(static_cast<stark::KoalaBearPoseidon2Blowup4*>(nullptr), 2);
    check(static_cast<stark::KoalaBearPoseidon2Blowup8*>(nullptr), 3);
    check(static_cast<stark::GoldilocksPoseidon2Blowup4*>(nullptr), 2);
    check(static_cast<stark::GoldilocksPoseidon2Blowup8*>(nullptr), 3);
    check(static_cast<stark::KoalaBearKeccak*>(nullptr), 1);
    check(static_cast<stark::GoldilocksKeccak*>(nullptr), 1);
}

// ------------------------------------------------------------------ AIR ergonomics

TEST_CASE("base-field constants in assert_eq and vectors of publics work in every builder", "[config][air]") {
    using SC = stark::TestingConfig<BabyBear, 4>;
    const std::vector<BabyBear> pv{BabyBear(12u)};
    CHECK(air::check_constraints(ConstantsAir{}, constants_trace<BabyBear>(16), pv).ok());  // a std::vector
    const std::vector<stark::AirRef<SC>> airs{ConstantsAir{}};
    const std::vector<std::vector<BabyBear>> publics{pv};
    std::vector<field::RowMajorMatrix<BabyBear>> ts{constants_trace<BabyBear>(16)};
    const auto r = stark::verify_bytes<SC>(airs, stark::prove_to_bytes<SC>(airs, std::move(ts), publics), publics);
    INFO(r.reason());
    CHECK(r.ok());
    CHECK(airs[0].shape().num_constraints == 4);
    CHECK(airs[0].shape().constraint_locations[1].rfind("config_test.cpp:", 0) == 0);
}

TEST_CASE("check_constraints and the prover's debug check name the row and the constraint's location",
          "[config][air][negative]") {
    using SC = stark::TestingConfig<BabyBear, 4>;
    auto bad = constants_trace<BabyBear>(16);
    bad(9, 1) = BabyBear(8u);
    const std::vector<BabyBear> pv{BabyBear(12u)};
    const auto report = air::check_constraints(ConstantsAir{}, bad, pv);
    REQUIRE_FALSE(report.ok());
    CHECK(report.failures[0].row == 9);
    CHECK(report.failures[0].constraint == 1);
    CHECK(report.to_string().find("row 9, constraint 1 (config_test.cpp:") != std::string::npos);

    const std::vector<stark::AirRef<SC>> airs{ConstantsAir{}};
    const std::vector<std::vector<BabyBear>> publics{pv};
    std::vector<field::RowMajorMatrix<BabyBear>> ts{bad};
    try {
        (void)stark::prove<SC>(airs, ts, publics, stark::ProveOptions{.check_constraints = true});
        FAIL("the debug check let a violated constraint through");
    } catch (const Error& e) {
        INFO(e.what());
        CHECK(e.code() == ErrorCode::invalid_argument);
        CHECK(std::string(e.what()).find("AIR 0: AIR 'air': 1 failing constraint evaluation(s); row 9, constraint 1 "
                                         "(config_test.cpp:") != std::string::npos);
    }
    // Without the check the proof is made, and rejected.
    const auto bytes = stark::encode_proof(stark::prove<SC>(airs, ts, publics, stark::ProveOptions{.check_constraints = false}));
    CHECK_FALSE(stark::verify_bytes<SC>(airs, bytes, publics).ok());
}

namespace {
struct Sender {
    static constexpr std::size_t width() { return 1; }
    template <class AB>
    void eval(AB& b) const {
        b.send(3, {b.main().local(0)}, typename AB::F(1u));
    }
};
struct Receiver {
    static constexpr std::size_t width() { return 1; }
    template <class AB>
    void eval(AB& b) const {
        b.receive(3, {b.main().local(0)}, typename AB::F(1u));
    }
};
}  // namespace

TEST_CASE("the prover's debug check names an unbalanced bus message", "[config][air][negative]") {
    using SC = stark::TestingConfig<BabyBear, 4>;
    const std::vector<stark::AirRef<SC>> airs{Sender{}, Receiver{}};
    auto a = field::zero_matrix<BabyBear>(4, 1), b = field::zero_matrix<BabyBear>(4, 1);
    for (Eigen::Index r = 0; r < 4; ++r) a(r, 0) = BabyBear(static_cast<std::uint64_t>(r)), b(r, 0) = a(r, 0);
    b(2, 0) = BabyBear(9u);
    const std::vector<std::vector<BabyBear>> publics{{}, {}};
    try {
        (void)stark::prove<SC>(airs, {a, b}, publics, stark::ProveOptions{.check_constraints = true});
        FAIL("the debug check let an unbalanced bus through");
    } catch (const Error& e) {
        INFO(e.what());
        CHECK(std::string(e.what()).find("prove: 2 unbalanced bus message(s)") != std::string::npos);
        CHECK(std::string(e.what()).find("bus 3") != std::string::npos);
    }
    b(2, 0) = BabyBear(2u);
    CHECK_NOTHROW(stark::prove<SC>(airs, {a, b}, publics, stark::ProveOptions{.check_constraints = true}));
}

// ------------------------------------------------------------------ hardening

namespace {
struct Cubic {  // degree 3: two quotient chunks
    static constexpr std::size_t width() { return 1; }
    template <class AB>
    void eval(AB& b) const {
        const auto x = b.main().local(0);
        b.when_transition().assert_zero(x * x);
    }
};
}  // namespace

TEST_CASE("a proof declaring a huge log height is rejected without overflow", "[config][negative][hardening]") {
    using SC = stark::TestingConfig<BabyBear, 4>;
    const std::vector<stark::AirRef<SC>> airs{Cubic{}};
    const std::vector<std::vector<BabyBear>> none{{}};
    const auto proof = stark::prove<SC>(airs, {field::zero_matrix<BabyBear>(8, 1)}, none);
    for (std::uint32_t h : {0xffffffffu, 0xfffffffeu, 0x80000000u, 64u, 28u}) {
        auto bad = proof;
        bad.log_heights[0] = h;
        const auto r = stark::verify_bytes<SC>(airs, stark::encode_proof(bad), none);
        INFO(h << ": " << r.reason());
        CHECK_FALSE(r.ok());
        CHECK(r.reason().find("two-adicity") != std::string::npos);
    }
}

TEST_CASE("structure-aware tampering reaches every rejection path of the verifier", "[config][negative][tamper]") {
    using SC = stark::TestingConfig<BabyBear, 4, 1, 1, 0>;
    std::vector<stark::AirRef<SC>> airs;
    std::vector<std::vector<BabyBear>> publics;
    const auto bytes = prove_fibonacci<SC>(64, airs, publics);
    const auto proof = stark::decode_proof<SC>(bytes);
    std::set<std::string> reasons;
    const auto reject = [&](const stark::StarkProof<SC>& p, const std::string& expect) {
        const auto r = stark::verify_bytes<SC>(airs, stark::encode_proof(p), publics);
        INFO("expected '" << expect << "', got: " << r.reason());
        CHECK_FALSE(r.ok());
        CHECK(r.reason().find(expect) != std::string::npos);
        reasons.insert(expect);
    };
    using EF = SC::Challenge;
    auto p = proof;
    p.opened[0].main_local[1] += EF::one();
    reject(p, "the constraints do not match the quotient at zeta");
    p = proof;
    p.opened[0].quotient[0] += EF::one();
    reject(p, "the constraints do not match the quotient at zeta");
    p = proof;
    p.opened[0].main_next.pop_back();
    reject(p, "the opened values have the wrong shape");
    p = proof;
    p.fri.final_poly[0] += EF::one();
    reject(p, "FRI");  // observed: the grinding or the queries fail
    p = proof;
    p.fri.final_poly.push_back(EF::one());
    reject(p, "the final polynomial has 2 coefficients");
    p = proof;
    p.fri.queries.pop_back();
    reject(p, "queries, expected");
    p = proof;
    p.fri.commit_roots.pop_back();
    p.fri.commit_pow_witnesses.pop_back();
    reject(p, "commit-phase layers, expected");
    p = proof;
    p.fri.query_pow_witness += BabyBear::one();
    if (stark::verify_bytes<SC>(airs, stark::encode_proof(p), publics).reason().find("query proof-of-work") != std::string::npos)
        reject(p, "query proof-of-work witness is invalid");
    p = proof;
    p.fri.queries[3].layers[0].rows[0][0] += BabyBear::one();
    reject(p, "FRI query 3: layer 0: Merkle opening: the path does not lead to the committed root");
    p = proof;
    p.fri.queries[2].inputs[0].rows[0][1] += BabyBear::one();
    reject(p, "FRI query 2: round 0: Merkle opening");
    p = proof;
    p.fri.queries[1].layers[0].siblings.pop_back();
    reject(p, "sibling digests");
    p = proof;
    p.log_heights.push_back(6);
    reject(p, "the proof is for 2 AIRs");
    p = proof;
    p.main_root[0] += BabyBear::one();
    reject(p, "the constraints do not match the quotient at zeta");  // another zeta
    p = proof;
    p.opened[0].main_local.push_back(EF::one());
    auto bytes2 = stark::encode_proof(p);
    bytes2.push_back(0);
    const auto trailing = stark::verify_bytes<SC>(airs, bytes2, publics);
    CHECK(trailing.reason().find("unexpected bytes after the proof") != std::string::npos);
    CHECK(reasons.size() >= 10);
}

// A false evaluation claim: FRI opened for the true values, checked against another
// claim under the same transcript (in the STARK the claim is observed, so changing it
// changes every later challenge; here it is not, so the Merkle openings still pass and the
// claim itself is what fails). FRI catches it in its folding (with layers) or at the final
// polynomial (without), paths that byte tampering cannot reach.
TEST_CASE("FRI rejects false evaluation claims in folding and at the final polynomial", "[config][negative][fri]") {
    const auto run = []<class SC>(SC*, const std::string& expect) {
        using F = BabyBear;
        using EF = typename SC::Challenge;
        const stark::FriPcs<SC> pcs;
        auto m = air::fibonacci_trace<F>(64, F(1u), F(2u));
        std::vector<std::pair<field::RowMajorMatrix<F>, F>> in;
        in.emplace_back(m, F::one());
        const auto round = pcs.commit(std::move(in));
        const EF z = EF::from_base(F(123456u)) + EF::x();
        const auto values = stark::FriPcs<SC>::evaluate(round, 0, z);
        auto lie = values;
        lie[0] += EF::one();
        auto pch = stark::ConfigHashing<SC>::challenger();
        const stark::ProverOpenRound<SC> pr{&round, {{z}}, {{values}}};
        const auto proof = pcs.open({pr}, pch);
        auto vch = stark::ConfigHashing<SC>::challenger();
        const stark::VerifierOpenRound<SC> vr{round.root(), {{std::size_t{64} << SC::fri.log_blowup, 2}}, {{z}}, {{lie}}};
        auto tch = stark::ConfigHashing<SC>::challenger();
        const stark::VerifierOpenRound<SC> truth{round.root(), vr.lde_dims, {{z}}, {{values}}};
        CHECK(pcs.verify({truth}, proof, tch).ok());
        const auto r = pcs.verify({vr}, proof, vch);
        INFO(r.reason());
        CHECK_FALSE(r.ok());
        CHECK(r.reason().find(expect) != std::string::npos);
    };
    using Layers = stark::TestingConfig<BabyBear, 4, 1, 1, 0>;
    using NoLayers = stark::TestingConfig<BabyBear, 4, 1, 1, 6>;  // the final polynomial has the trace's degree
    run(static_cast<Layers*>(nullptr), "does not contain the folded value of the previous layer");
    run(static_cast<NoLayers*>(nullptr), "the folded value does not match the final polynomial");
}
