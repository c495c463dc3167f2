// Test support for the field layer: an independent reference written with 128-bit
// integers, sample values (edge values and seeded random ones), and the field lists
// that property tests iterate over.
#pragma once

#include <causality/field.hpp>

#include <cstdint>
#include <random>
#include <vector>

namespace test {

using u128 = causality::field::detail::u128;

// A user-defined 31-bit field, declared as a user would: p = 63 * 2^25 + 1.
struct UserParams {
    static constexpr std::uint32_t modulus = 0x7e000001;
    static constexpr std::uint32_t generator = 5;
};
using UserField = causality::field::MontyField31<UserParams>;

inline std::uint64_t ref_add(std::uint64_t a, std::uint64_t b, std::uint64_t p) {
    return static_cast<std::uint64_t>((static_cast<u128>(a) + b) % p);
}
inline std::uint64_t ref_sub(std::uint64_t a, std::uint64_t b, std::uint64_t p) {
    return static_cast<std::uint64_t>((static_cast<u128>(a) + p - b) % p);
}
inline std::uint64_t ref_mul(std::uint64_t a, std::uint64_t b, std::uint64_t p) {
    return static_cast<std::uint64_t>(static_cast<u128>(a) * b % p);
}
inline std::uint64_t ref_pow(std::uint64_t a, std::uint64_t e, std::uint64_t p) {
    std::uint64_t r = 1 % p;
    for (; e; e >>= 1) {
        if (e & 1) r = ref_mul(r, a, p);
        a = ref_mul(a, a, p);
    }
    return r;
}

// Edge values 0, 1, 2, p-1, p-2, (p-1)/2, (p+1)/2, then seeded random canonical values.
inline std::vector<std::uint64_t> sample_values(std::uint64_t p, std::size_t random_count,
                                                std::uint64_t seed = 0x5eed) {
    std::vector<std::uint64_t> v{0, 1, 2, p - 1, p - 2, (p - 1) / 2, (p + 1) / 2};
    std::mt19937_64 rng(seed);
    for (std::size_t i = 0; i < random_count; ++i) v.push_back(rng() % p);
    return v;
}

// Seeded random elements of any field built from a prime field (extensions included).
template <class F>
F random_element(std::mt19937_64& rng) {
    if constexpr (causality::field::PrimeField<F>) {
        return F::from_u64(rng());
    } else {
        using B = typename F::base_field;
        std::array<B, F::degree> c;
        for (auto& x : c) x = B::from_u64(rng());
        return F(c);
    }
}

// A rows x cols matrix of seeded random elements.
template <class F>
causality::field::RowMajorMatrix<F> random_matrix(std::size_t rows, std::size_t cols, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    auto m = causality::field::zero_matrix<F>(rows, cols);
    for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = random_element<F>(rng);
    return m;
}

}  // namespace test

#define CAUSALITY_PRIME_FIELDS                                                        \
    causality::field::BabyBear, causality::field::KoalaBear, causality::field::Goldilocks, \
        causality::field::Mersenne31, test::UserField

#define CAUSALITY_EXTENSION_FIELDS                                                           \
    (causality::field::BinomialExtension<causality::field::BabyBear, 4>),                     \
        (causality::field::BinomialExtension<causality::field::BabyBear, 5>),                 \
        (causality::field::BinomialExtension<causality::field::KoalaBear, 4>),                \
        (causality::field::BinomialExtension<causality::field::Goldilocks, 2>),               \
        (causality::field::BinomialExtension<causality::field::Mersenne31, 2>)
