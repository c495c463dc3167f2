// causality/stark/config.hpp — compile-time STARK configurations and their security.
//
// A configuration is a policy struct: the base field, the challenge (extension) field,
// the FRI parameters and a name, and optionally any of the hashing roles (Permutation,
// Hasher, Compressor, Mmcs, Challenger); the roles it does not name are defaulted from the
// field, for any prime field (stark/defaults.hpp, ConfigHashing<SC>).
//
//   struct MyConfig {
//       using Field = field::BabyBear;
//       using Challenge = field::BinomialExtension<Field, 4>;
//       static constexpr FriParams fri{.log_blowup = 1, .num_queries = 100, .query_pow_bits = 16};
//       static constexpr std::string_view name = "my-config";
//   };
//
// Security: the conjectured bits follow the ethSTARK conjecture (each query contributes
// log_blowup bits, grinding adds its bits, capped by the challenge field's size); the
// proven bound is the list-decoding (Johnson) regime bound for FRI with its
// commit-phase term. Proving or verifying with a configuration below 100 conjectured bits
// does not compile unless it declares `static constexpr bool insecure_for_testing = true`.
#pragma once

#include <causality/field/concepts.hpp>
#include <causality/field/extension.hpp>
#include <causality/field/baby_bear.hpp>
#include <causality/field/goldilocks.hpp>
#include <causality/field/koala_bear.hpp>
#include <causality/stark/defaults.hpp>
#include <causality/stark/hash/blake3.hpp>
#include <causality/stark/hash/keccak.hpp>

#include <algorithm>
#include <cmath>
#include <concepts>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>

namespace causality::stark {

struct FriParams {
    unsigned log_blowup = 1;          // the LDE is 2^log_blowup times the trace; bounds the constraint degree
    unsigned num_queries = 100;
    unsigned query_pow_bits = 16;     // grinding before the query indices are sampled
    unsigned commit_pow_bits = 0;     // grinding before each folding challenge
    unsigned log_folding_arity = 1;   // each commit-phase layer folds by up to 2^this
    unsigned log_final_poly_len = 0;  // the final polynomial has 2^this coefficients
    unsigned bus_pow_bits = 0;        // grinding before the LogUp (bus) challenges, when AIRs have buses
};

template <class SC>
concept StarkConfig = requires {
    typename SC::Field;
    typename SC::Challenge;
    { SC::fri } -> std::convertible_to<FriParams>;
    { SC::name } -> std::convertible_to<std::string_view>;
} && field::TwoAdicField<typename SC::Field> && field::ExtensionField<typename SC::Challenge> &&
                      std::same_as<typename SC::Challenge::base_field, typename SC::Field>;

template <class SC>
constexpr bool is_insecure_for_testing() {
    if constexpr (requires { SC::insecure_for_testing; })
        return SC::insecure_for_testing;
    else
        return false;
}

namespace detail {
// log2 for positive doubles in constant expressions (the <cmath> one is not constexpr).
constexpr double log2_constexpr(double x) {
    double e = 0;
    while (x >= 2.0) x /= 2.0, e += 1;
    while (x < 1.0) x *= 2.0, e -= 1;
    // ln(x) = 2 atanh((x - 1) / (x + 1)) for x in [1, 2)
    const double y = (x - 1) / (x + 1), y2 = y * y;
    double term = y, sum = 0;
    for (int k = 1; k < 60; k += 2) {
        sum += term / k;
        term *= y2;
    }
    return e + 2 * sum / 0.693147180559945309417;
}
}  // namespace detail

// log2 of the challenge field's size.
template <StarkConfig SC>
constexpr double challenge_field_bits() {
    return static_cast<double>(SC::Challenge::degree) *
           detail::log2_constexpr(static_cast<double>(SC::Field::modulus));
}

// The ethSTARK conjecture: min(queries * log_blowup + query grinding, challenge field bits).
template <StarkConfig SC>
constexpr unsigned conjectured_security_bits() {
    constexpr FriParams f = SC::fri;
    const unsigned query_bits = f.num_queries * f.log_blowup + f.query_pow_bits;
    const auto field_bits = static_cast<unsigned>(challenge_field_bits<SC>());
    return std::min(query_bits, field_bits);
}

template <StarkConfig SC>
constexpr void check_config() {
    static_assert(is_insecure_for_testing<SC>() || conjectured_security_bits<SC>() >= 100,
                  "this STARK configuration has fewer than 100 conjectured bits of security; raise num_queries, "
                  "log_blowup or query_pow_bits, or mark it `static constexpr bool insecure_for_testing = true`");
    static_assert(SC::fri.log_blowup >= 1, "FriParams: log_blowup must be at least 1");
    static_assert(SC::fri.num_queries >= 1, "FriParams: at least one query");
    static_assert(SC::fri.log_folding_arity >= 1 && SC::fri.log_folding_arity <= 4,
                  "FriParams: log_folding_arity in 1..4");
    static_assert(SC::fri.query_pow_bits <= 30 && SC::fri.commit_pow_bits <= 30 && SC::fri.bus_pow_bits <= 30,
                  "FriParams: at most 30 bits of grinding");
}

// "Poseidon2 Merkle tree (Poseidon2 nodes), Poseidon2 transcript": the roles' names.
template <StarkConfig SC>
std::string hashing_description() {
    using H = ConfigHashing<SC>;
    std::string s(detail::name_of<typename H::Hasher>());
    s += " Merkle tree";
    if (detail::name_of<typename H::Compressor>() != detail::name_of<typename H::Hasher>())
        s += " (" + std::string(detail::name_of<typename H::Compressor>()) + " nodes)";
    s += ", " + std::string(detail::name_of<typename H::Challenger>()) + " transcript";
    return s;
}

// Both bounds for a proof whose largest LDE has 2^log_lde_height rows.
struct SecurityReport {
    unsigned conjectured_bits = 0;
    double proven_bits = 0;       // min over the terms below
    double proven_query_bits = 0; // -log2 of the query-phase error (grinding included)
    double proven_commit_bits = 0;// -log2 of the commit-phase (proximity gap) error
    double proven_ood_bits = 0;   // -log2 of the out-of-domain (DEEP) sampling error
    double proven_logup_bits = 0; // -log2 of the bus argument's error (grinding included); 0: no buses
    unsigned proximity_m = 0;     // the Johnson-regime parameter that maximises the bound
    std::string hash;             // the Merkle and transcript hashes

    [[nodiscard]] std::string to_string() const {
        return "conjectured " + std::to_string(conjectured_bits) + " bits; proven " +
               std::to_string(static_cast<int>(proven_bits)) + " bits (query " +
               std::to_string(static_cast<int>(proven_query_bits)) + ", commit phase " +
               std::to_string(static_cast<int>(proven_commit_bits)) + ", out-of-domain " +
               std::to_string(static_cast<int>(proven_ood_bits)) +
               (proven_logup_bits > 0 ? ", buses " + std::to_string(static_cast<int>(proven_logup_bits)) : "") + ")" +
               (hash.empty() ? "" : "; hash: " + hash);
    }
};

// The proven bound in the list-decoding regime (Ben-Sasson, Carmon, Ishai, Kopparty and
// Saraf, "Proximity gaps", as used in the ethSTARK documentation, Theorem 8): with rate
// rho = 2^-log_blowup, domain size n and m >= 3,
//   commit phase: ((m + 1/2)^7 / (3 rho^{3/2}) n^2 + (2m + 1)(n + 1) sum(arity) / sqrt(rho)) / |E|
//   query phase:  (sqrt(rho) (1 + 1/(2m)))^queries * 2^-grinding
// plus the out-of-domain sample: (max constraint degree * trace height + openings) / |E|,
// and with buses (LogUp, `interactions` = sum over AIRs of height x interactions per row,
// messages of at most `max_fields` fields) the Schwartz-Zippel bound on the fingerprinted
// fractional-sum identity, of total degree interactions * (max_fields + 1) in the two
// challenges: that over |E|, times 2^-bus_pow_bits.
template <StarkConfig SC>
SecurityReport security_report(unsigned log_lde_height, unsigned max_constraint_degree = 3,
                               double interactions = 0, unsigned max_fields = 0) {
    constexpr FriParams f = SC::fri;
    SecurityReport r;
    r.conjectured_bits = conjectured_security_bits<SC>();
    r.hash = hashing_description<SC>();
    const double field_bits = challenge_field_bits<SC>();
    const double rho = std::ldexp(1.0, -static_cast<int>(f.log_blowup));
    const double n = std::ldexp(1.0, static_cast<int>(log_lde_height));
    const double arity_sum = std::ldexp(1.0, static_cast<int>(f.log_folding_arity)) *
                             std::ceil(static_cast<double>(log_lde_height) / f.log_folding_arity);
    double best = -1;
    for (unsigned m = 3; m <= 32; ++m) {
        const double md = m;
        const double commit = std::log2(std::pow(md + 0.5, 7) / (3 * std::pow(rho, 1.5)) * n * n +
                                        (2 * md + 1) * (n + 1) * arity_sum / std::sqrt(rho)) -
                              field_bits;
        const double query = f.num_queries * std::log2(std::sqrt(rho) * (1 + 1 / (2 * md))) -
                             static_cast<double>(f.query_pow_bits);
        const double bits = std::min(-commit, -query);
        if (bits > best) {
            best = bits;
            r.proximity_m = m;
            r.proven_commit_bits = -commit;
            r.proven_query_bits = -query;
        }
    }
    const double trace_height = n * rho;
    r.proven_ood_bits = field_bits - std::log2(max_constraint_degree * trace_height + 2 * n);
    r.proven_bits = std::min({r.proven_commit_bits, r.proven_query_bits, r.proven_ood_bits});
    if (interactions > 0) {
        r.proven_logup_bits = field_bits - std::log2(interactions * (max_fields + 1)) + f.bus_pow_bits;
        r.proven_bits = std::min(r.proven_bits, r.proven_logup_bits);
    }
    return r;
}

// A 32-bit identifier of the configuration (name and parameters), written into proofs so
// that a proof for another configuration is rejected by name.
template <StarkConfig SC>
constexpr std::uint32_t config_id() {
    std::uint32_t h = 2166136261u;  // FNV-1a
    const auto mix = [&h](std::uint64_t v) {
        for (int i = 0; i < 8; ++i) h = (h ^ static_cast<std::uint8_t>(v >> (8 * i))) * 16777619u;
    };
    for (char c : std::string_view(SC::name)) mix(static_cast<unsigned char>(c));
    for (char c : detail::name_of<typename ConfigHashing<SC>::Hasher>()) mix(static_cast<unsigned char>(c));
    mix(ConfigHashing<SC>::Mmcs::digest_bytes);
    mix(SC::Field::modulus);
    mix(SC::Challenge::degree);
    constexpr FriParams f = SC::fri;
    for (unsigned v : {f.log_blowup, f.num_queries, f.query_pow_bits, f.commit_pow_bits, f.log_folding_arity,
                       f.log_final_poly_len, f.bus_pow_bits})
        mix(v);
    return h;
}

// Presets. FRI folds by 8 per committed layer (a third of the layers of binary folding:
// smaller proofs and fewer Merkle trees), 16 bits of grinding before the queries, and 8
// bits before the bus challenges (2^24 interactions of 6-field messages: 124 - 24 - 3 + 8
// = 105 bits). The query count makes queries * log_blowup + 16 >= 116 conjectured bits:
// 100 queries at blowup 2 (constraint degree up to 3), 50 at blowup 4 (degree up to 5),
// 34 at blowup 8 (degree up to 9).
constexpr FriParams preset_fri_for(unsigned log_blowup) {
    return FriParams{.log_blowup = log_blowup,
                     .num_queries = (100 + log_blowup - 1) / log_blowup,
                     .query_pow_bits = 16,
                     .log_folding_arity = 3,
                     .bus_pow_bits = 8};
}
inline constexpr FriParams preset_fri = preset_fri_for(1);

namespace detail {
// A string usable as a template argument (a preset's name).
template <std::size_t N>
struct FixedName {
    char chars[N]{};
    constexpr FixedName(const char (&s)[N]) noexcept {  // NOLINT: implicit, from a literal
        for (std::size_t i = 0; i < N; ++i) chars[i] = s[i];
    }
    [[nodiscard]] constexpr std::string_view view() const noexcept { return {chars, N - 1}; }
};
}  // namespace detail

// The Merkle hash of a preset: the field's Poseidon2 (the default stack), or Keccak-256
// leaves and nodes, or BLAKE3 leaves and nodes (the transcript stays Poseidon2).
struct Poseidon2Merkle {};
struct KeccakMerkle {};
struct Blake3Merkle {};

namespace detail {
template <class Merkle, class F>
struct PresetMerkle {};
template <class F>
struct PresetMerkle<KeccakMerkle, F> {
    using Hasher = Keccak256Hasher<F>;
};
template <class F>
struct PresetMerkle<Blake3Merkle, F> {
    using Hasher = Blake3Hasher<F>;
};
}  // namespace detail

// Each preset below is a strong name (a struct deriving from Preset), so that compiler
// messages say BabyBearPoseidon2, not the template arguments.
template <class F, std::size_t ExtDegree, unsigned LogBlowup, class Merkle, detail::FixedName Name>
struct Preset : detail::PresetMerkle<Merkle, F> {
    using Field = F;
    using Challenge = field::BinomialExtension<F, ExtDegree>;
    static constexpr FriParams fri = preset_fri_for(LogBlowup);
    static constexpr std::string_view name = Name.view();
};

struct BabyBearPoseidon2 : Preset<field::BabyBear, 4, 1, Poseidon2Merkle, "BabyBear-Poseidon2"> {};
struct BabyBearPoseidon2Blowup4 : Preset<field::BabyBear, 4, 2, Poseidon2Merkle, "BabyBear-Poseidon2-blowup4"> {};
struct BabyBearPoseidon2Blowup8 : Preset<field::BabyBear, 4, 3, Poseidon2Merkle, "BabyBear-Poseidon2-blowup8"> {};
struct KoalaBearPoseidon2 : Preset<field::KoalaBear, 4, 1, Poseidon2Merkle, "KoalaBear-Poseidon2"> {};
struct KoalaBearPoseidon2Blowup4 : Preset<field::KoalaBear, 4, 2, Poseidon2Merkle, "KoalaBear-Poseidon2-blowup4"> {};
struct KoalaBearPoseidon2Blowup8 : Preset<field::KoalaBear, 4, 3, Poseidon2Merkle, "KoalaBear-Poseidon2-blowup8"> {};
struct GoldilocksPoseidon2 : Preset<field::Goldilocks, 2, 1, Poseidon2Merkle, "Goldilocks-Poseidon2"> {};
struct GoldilocksPoseidon2Blowup4 : Preset<field::Goldilocks, 2, 2, Poseidon2Merkle, "Goldilocks-Poseidon2-blowup4"> {};
struct GoldilocksPoseidon2Blowup8 : Preset<field::Goldilocks, 2, 3, Poseidon2Merkle, "Goldilocks-Poseidon2-blowup8"> {};
struct BabyBearKeccak : Preset<field::BabyBear, 4, 1, KeccakMerkle, "BabyBear-Keccak"> {};
struct KoalaBearKeccak : Preset<field::KoalaBear, 4, 1, KeccakMerkle, "KoalaBear-Keccak"> {};
struct GoldilocksKeccak : Preset<field::Goldilocks, 2, 1, KeccakMerkle, "Goldilocks-Keccak"> {};
struct BabyBearBlake3 : Preset<field::BabyBear, 4, 1, Blake3Merkle, "BabyBear-BLAKE3"> {};
struct KoalaBearBlake3 : Preset<field::KoalaBear, 4, 1, Blake3Merkle, "KoalaBear-BLAKE3"> {};
struct GoldilocksBlake3 : Preset<field::Goldilocks, 2, 1, Blake3Merkle, "Goldilocks-BLAKE3"> {};

// The preset of the field with the smallest blowup of at least 2^log_blowup, for error
// messages ("a configuration that fits").
template <class F>
std::string preset_that_fits(unsigned log_blowup) {
    const char* base = std::is_same_v<F, field::BabyBear>     ? "BabyBearPoseidon2"
                       : std::is_same_v<F, field::KoalaBear>  ? "KoalaBearPoseidon2"
                       : std::is_same_v<F, field::Goldilocks> ? "GoldilocksPoseidon2"
                                                              : nullptr;
    if (base && log_blowup <= 3)
        return std::string("stark::") + base + (log_blowup <= 1 ? "" : log_blowup == 2 ? "Blowup4" : "Blowup8");
    return "a configuration with fri.log_blowup = " + std::to_string(log_blowup);
}

// Small and fast, for tests only: a few queries, no grinding.
template <class F, std::size_t D, unsigned LogBlowup = 1, unsigned LogArity = 1, unsigned LogFinal = 0>
struct TestingConfig {
    using Field = F;
    using Challenge = field::BinomialExtension<F, D>;
    static constexpr FriParams fri{.log_blowup = LogBlowup,
                                   .num_queries = 8,
                                   .query_pow_bits = 2,
                                   .commit_pow_bits = 1,
                                   .log_folding_arity = LogArity,
                                   .log_final_poly_len = LogFinal,
                                   .bus_pow_bits = 1};
    static constexpr std::string_view name = "testing";
    static constexpr bool insecure_for_testing = true;
};

}  // namespace causality::stark
