// Poseidon2: known-answer vectors, Grain constants against the published parameter file,
// packed against scalar on every kernel, the sponge and the compression.
#include "field/support.hpp"

#include <causality/stark.hpp>

#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>

using namespace causality;
using namespace causality::stark;
using field::BabyBear;
using field::Goldilocks;
using field::KoalaBear;

namespace {

// Sections of tests/data/poseidon2_params.txt: `KEY = [a, b, ...]` and `KEY = a` lines
// (decimal), by section.
using Section = std::map<std::string, std::vector<std::uint64_t>>;
std::map<std::string, Section> read_params() {
    std::ifstream in(CAUSALITY_TEST_DATA_DIR "/poseidon2_params.txt");
    REQUIRE(in.good());
    std::map<std::string, Section> out;
    std::string line, section;
    while (std::getline(in, line)) {
        if (line.size() > 2 && line[0] == '[' && line.back() == ']') {
            section = line.substr(1, line.size() - 2);
            continue;
        }
        const auto eq = line.find(" = ");
        if (section.empty() || eq == std::string::npos || line[0] == '#') continue;
        const std::string key = line.substr(0, eq);
        if (key.find("_HEX") != std::string::npos || key.find("AS_STATED") != std::string::npos) continue;
        std::string body = line.substr(eq + 3);  // "[a, b, ...]" or "value   # comment"
        body = body[0] == '[' ? body.substr(1, body.find(']') - 1) : body.substr(0, body.find('#'));
        std::vector<std::uint64_t> values;
        std::stringstream ss(body);
        std::string item;
        while (std::getline(ss, item, ',')) values.push_back(std::stoull(item));
        out[section][key] = values;
    }
    return out;
}

template <class F>
std::vector<std::uint64_t> canonical(const std::vector<F>& v) {
    std::vector<std::uint64_t> out;
    for (auto x : v) out.push_back(x.to_u64());
    return out;
}

template <class F, std::size_t W>
void check_against_file(const Section& s) {
    const auto perm = default_poseidon2<F, W>();
    const auto& p = perm.params();
    REQUIRE(s.at("P")[0] == F::modulus);
    CHECK(s.at("WIDTH")[0] == W);
    CHECK(s.at("SBOX_DEGREE")[0] == p.sbox_degree);
    CHECK(s.at("PARTIAL_ROUNDS")[0] == perm.partial_rounds());
    CHECK(s.at("FULL_ROUNDS")[0] == perm.full_rounds());
    CHECK(canonical(std::vector<F>(p.internal_diag.begin(), p.internal_diag.end())) == s.at("V"));
    for (int r = 0; r < 4; ++r) {
        CHECK(canonical(p.constants.initial[r]) == s.at("EXT_INITIAL_" + std::to_string(r)));
        CHECK(canonical(p.constants.terminal[r]) == s.at("EXT_FINAL_" + std::to_string(r)));
    }
    CHECK(canonical(p.constants.internal) == s.at("INTERNAL"));
}

template <class F, std::size_t W>
std::array<F, W> random_state(std::mt19937_64& rng) {
    std::array<F, W> s;
    for (auto& x : s) x = F::from_u64(rng());
    return s;
}

}  // namespace

TEST_CASE("the Grain LFSR reproduces the published constants of every default instance", "[poseidon2][kat]") {
    const auto params = read_params();
    check_against_file<BabyBear, 16>(params.at("BABYBEAR_W16"));
    check_against_file<BabyBear, 24>(params.at("BABYBEAR_W24"));
    check_against_file<KoalaBear, 16>(params.at("KOALABEAR_W16"));
    check_against_file<KoalaBear, 24>(params.at("KOALABEAR_W24"));
}

TEST_CASE("BabyBear width-16 Poseidon2 matches the published known-answer vector", "[poseidon2][kat]") {
    const auto s = read_params().at("BABYBEAR_W16");
    std::array<BabyBear, 16> state;
    for (std::size_t i = 0; i < 16; ++i) state[i] = BabyBear::from_canonical(s.at("KAT_INPUT")[i]);
    default_poseidon2<BabyBear, 16>().permute(state);
    CHECK(canonical(std::vector<BabyBear>(state.begin(), state.end())) == s.at("KAT_OUTPUT"));
}

TEST_CASE("Goldilocks Poseidon2 matches Horizen Labs' published vectors for input 0..W-1", "[poseidon2][kat]") {
    std::array<Goldilocks, 8> s8;
    for (std::size_t i = 0; i < 8; ++i) s8[i] = Goldilocks(i);
    default_poseidon2<Goldilocks, 8>().permute(s8);
    const std::vector<std::uint64_t> expect8{0xc5fb1cfe0b4697bb, 0x4a4a32ff849af473, 0xd2fd266077f8efba,
                                             0xf4ad9b74e833916d, 0xe6648eb0acc11463, 0x8d5529a930d75194,
                                             0xe8c993aa10da6c90, 0xa73104a95b68031c};
    CHECK(canonical(std::vector<Goldilocks>(s8.begin(), s8.end())) == expect8);
    std::array<Goldilocks, 12> s12;
    for (std::size_t i = 0; i < 12; ++i) s12[i] = Goldilocks(i);
    default_poseidon2<Goldilocks, 12>().permute(s12);
    const std::vector<std::uint64_t> expect12{0x01eaef96bdf1c0c1, 0x1f0d2cc525b2540c, 0x6282c1dfe1e0358d,
                                              0xe780d721f698e1e6};
    CHECK(canonical(std::vector<Goldilocks>(s12.begin(), s12.begin() + 4)) == expect12);
}

namespace {
template <class F, std::size_t W, class Arch>
struct Instance {
    using field_type = F;
    using packed = causality::field::PackedOn<F, Arch>;
    static constexpr std::size_t width = W;
};
}  // namespace

#define CAUSALITY_P2_FOR(ARCH)                                                                   \
    (Instance<BabyBear, 16, ARCH>), (Instance<BabyBear, 24, ARCH>), (Instance<KoalaBear, 16, ARCH>), \
        (Instance<KoalaBear, 24, ARCH>), (Instance<Goldilocks, 8, ARCH>), (Instance<Goldilocks, 12, ARCH>)
#if defined(__AVX512F__) && defined(__AVX512BW__)
#define CAUSALITY_P2_INSTANCES \
    CAUSALITY_P2_FOR(xsimd::generic), CAUSALITY_P2_FOR(xsimd::avx2), CAUSALITY_P2_FOR(xsimd::avx512bw)
#elif defined(__AVX2__)
#define CAUSALITY_P2_INSTANCES CAUSALITY_P2_FOR(xsimd::generic), CAUSALITY_P2_FOR(xsimd::avx2)
#else
#define CAUSALITY_P2_INSTANCES CAUSALITY_P2_FOR(xsimd::generic)
#endif

TEMPLATE_TEST_CASE("packed Poseidon2 equals the scalar permutation lane by lane", "[poseidon2][packed]",
                   CAUSALITY_P2_INSTANCES) {
    using F = typename TestType::field_type;
    using P = typename TestType::packed;
    constexpr std::size_t W = TestType::width;
    const auto perm = default_poseidon2<F, W>();
    std::mt19937_64 rng(W);
    std::vector<std::array<F, W>> states(P::width);
    for (auto& s : states) s = random_state<F, W>(rng);
    std::array<P, W> packed;
    for (std::size_t k = 0; k < W; ++k) {
        std::array<F, P::width> lanes;
        for (std::size_t l = 0; l < P::width; ++l) lanes[l] = states[l][k];
        packed[k] = P::from_array(lanes);
    }
    perm.permute(packed);
    for (std::size_t l = 0; l < P::width; ++l) {
        auto expect = states[l];
        perm.permute(expect);
        for (std::size_t k = 0; k < W; ++k) REQUIRE(packed[k].lane(l) == expect[k]);
    }
}

TEST_CASE("permute_many equals one permutation per state", "[poseidon2]") {
    const auto perm = default_poseidon2<KoalaBear, 16>();
    std::mt19937_64 rng(3);
    std::vector<std::array<KoalaBear, 16>> states(37);  // full packs and a scalar tail
    for (auto& s : states) s = random_state<KoalaBear, 16>(rng);
    auto batch = states;
    perm.permute_many(batch);
    for (std::size_t i = 0; i < states.size(); ++i) {
        perm.permute(states[i]);
        REQUIRE(batch[i] == states[i]);
    }
}

TEST_CASE("packed Poseidon2 over a user field: x^5 and every kind of diagonal entry", "[poseidon2][packed]") {
    using F = test::UserField;  // two-adicity 25
    using P = causality::field::Packed<F>;
    const F half = F(2).inverse();
    // Small integers, +-2^-k up to the two-adicity (the packed kernels halve by shifts),
    // and general entries.
    const std::array<F, 16> diag{-F(2), F(1), F(3),        -F(4),           half,           -half,
                                 half.pow(25), -half.pow(25), half.pow(7), -half.pow(13), F(12345),
                                 half.pow(26), F(4), -F(3),        -F(1),           F(2)};
    const auto perm = Poseidon2<F, 16>::from_grain(5, 8, 20, diag, Poseidon2Mds4::plonky3);
    std::mt19937_64 rng(11);
    std::vector<std::array<F, 16>> states(2 * P::width + 3);
    for (auto& st : states) st = random_state<F, 16>(rng);
    states[0].fill(F(0));
    states[1].fill(-F(1));
    auto batch = states;
    perm.permute_many(batch);
    for (std::size_t i = 0; i < states.size(); ++i) {
        perm.permute(states[i]);
        REQUIRE(batch[i] == states[i]);
    }
}

TEST_CASE("Poseidon2 for a user-defined field from Grain, and invalid parameters", "[poseidon2]") {
    std::array<test::UserField, 16> diag;
    for (std::size_t i = 0; i < 16; ++i) diag[i] = test::UserField(i + 2);
    // p - 1 = 63 * 2^25 is divisible by 3 and 7, not by 5: x^5 is the S-box.
    const auto perm = Poseidon2<test::UserField, 16>::from_grain(5, 8, 20, diag, Poseidon2Mds4::plonky3);
    std::array<test::UserField, 16> a{}, b{};
    b[3] = test::UserField(1);
    perm.permute(a);
    perm.permute(b);
    CHECK(a != b);
    CHECK_THROWS_AS((Poseidon2<test::UserField, 16>::from_grain(7, 8, 20, diag, Poseidon2Mds4::plonky3)), Error);
    try {
        (void)Poseidon2<BabyBear, 16>::from_grain(3, 8, 13, {}, Poseidon2Mds4::plonky3);  // 3 | p - 1
        FAIL("accepted x^3 over BabyBear");
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::invalid_argument);
        CHECK_THAT(e.what(), Catch::Contains("x^3 is not a permutation"));
    }
    auto params = default_poseidon2<BabyBear, 16>().params();
    params.constants.terminal.pop_back();
    CHECK_THROWS_AS((Poseidon2<BabyBear, 16>(params)), Error);
}

TEST_CASE("the sponge absorbs rate-sized chunks and the compression truncates", "[poseidon2][sponge]") {
    using Perm = Poseidon2<BabyBear, 16>;
    const Perm perm = default_poseidon2<BabyBear, 16>();
    const PaddingFreeSponge<Perm, 8, 8> sponge(perm);
    const TruncatedPermutation<Perm, 2, 8> compress(perm);
    std::vector<BabyBear> input;
    for (int i = 0; i < 11; ++i) input.push_back(BabyBear(i * 7 + 1));
    std::array<BabyBear, 16> state{};
    std::copy_n(input.begin(), 8, state.begin());
    perm.permute(state);
    std::copy(input.begin() + 8, input.end(), state.begin());  // the last 3 overwrite, the rest stay
    perm.permute(state);
    const auto digest = sponge.hash(input);
    CHECK(std::equal(digest.begin(), digest.end(), state.begin()));
    CHECK(sponge.hash(std::span<const BabyBear>()) == Digest<BabyBear, 8>{});
    CHECK(sponge.hash(std::span<const BabyBear>(input).first(10)) != digest);

    const Digest<BabyBear, 8> left = sponge.hash(std::span<const BabyBear>(input).first(3));
    const Digest<BabyBear, 8> right = sponge.hash(std::span<const BabyBear>(input).first(4));
    std::array<BabyBear, 16> both;
    std::copy(left.begin(), left.end(), both.begin());
    std::copy(right.begin(), right.end(), both.begin() + 8);
    perm.permute(both);
    const auto c = compress.compress(std::array<Digest<BabyBear, 8>, 2>{left, right});
    CHECK(std::equal(c.begin(), c.end(), both.begin()));
    CHECK(compress.compress(std::array<Digest<BabyBear, 8>, 2>{right, left}) != c);
}
