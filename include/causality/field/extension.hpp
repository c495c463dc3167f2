// causality/field/extension.hpp — BinomialExtension<F, D> = F[X] / (X^D - W).
//
// A field opts in by specialising binomial_extension_params<F, D> with the constant W;
// the library checks at compile time that D divides p - 1 and that X^D - W is
// irreducible (W is not a q-th power for any prime q dividing D). Built in:
// BabyBear^4 (W = 11), BabyBear^5 (W = 2), KoalaBear^4 (W = 3), Goldilocks^2 (W = 7),
// Mersenne31^2 (W = -1, the complex extension).
#pragma once

#include <causality/error.hpp>
#include <causality/field/baby_bear.hpp>
#include <causality/field/concepts.hpp>
#include <causality/field/detail/arith.hpp>
#include <causality/field/detail/big_uint.hpp>
#include <causality/field/goldilocks.hpp>
#include <causality/field/koala_bear.hpp>
#include <causality/field/mersenne31.hpp>

#include <array>
#include <bit>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <ostream>
#include <span>
#include <string>

namespace causality::field {

// Specialise with `static constexpr std::uint64_t w = ...;` to enable F[X]/(X^D - w).
template <class F, std::size_t D>
struct binomial_extension_params;

template <> struct binomial_extension_params<BabyBear, 4> { static constexpr std::uint64_t w = 11; };
template <> struct binomial_extension_params<BabyBear, 5> { static constexpr std::uint64_t w = 2; };
template <> struct binomial_extension_params<KoalaBear, 4> { static constexpr std::uint64_t w = 3; };
template <> struct binomial_extension_params<Goldilocks, 2> { static constexpr std::uint64_t w = 7; };
template <> struct binomial_extension_params<Mersenne31, 2> { static constexpr std::uint64_t w = 0x7ffffffe; };

namespace detail {

template <class F, std::size_t D>
concept has_binomial_params = requires {
    { binomial_extension_params<F, D>::w } -> std::convertible_to<std::uint64_t>;
};

// X^D - W is irreducible over F_p when D | p - 1 iff W is no q-th power for each prime
// q | D (the -4F^4 case of the criterion cannot arise: 4 | D | p - 1 makes -4 a 4th power).
template <class F, std::size_t D>
constexpr bool binomial_is_irreducible(F w) {
    if ((F::modulus - 1) % D != 0 || w.is_zero()) return false;
    std::size_t rest = D;
    for (std::size_t q = 2; q <= rest; ++q) {
        if (rest % q != 0) continue;
        if (w.pow((F::modulus - 1) / q) == F::one()) return false;
        while (rest % q == 0) rest /= q;
    }
    return true;
}

// v2(p^D - 1): v2(p - 1) for odd D; v2(p - 1) + v2(p + 1) + v2(D) - 1 for even D.
constexpr unsigned extension_two_adicity(std::uint64_t p, std::size_t d) {
    const auto v2 = [](std::uint64_t x) { return static_cast<unsigned>(std::countr_zero(x)); };
    if (d % 2 == 1) return v2(p - 1);
    return v2(p - 1) + v2(p + 1) + v2(d) - 1;
}

// z^i for z = w^((p-1)/D): the factors by which the Frobenius map scales X^i.
template <class F, std::size_t D>
constexpr std::array<F, D> binomial_frobenius_powers(F w) {
    const F z = w.pow((F::modulus - 1) / D);
    std::array<F, D> r;
    r[0] = F::one();
    for (std::size_t i = 1; i < D; ++i) r[i] = r[i - 1] * z;
    return r;
}

// Schoolbook product in C[X]/(X^D - w); C may be a field or a packed field.
template <class C, std::size_t D, class W>
constexpr std::array<C, D> binomial_mul(const std::array<C, D>& a, const std::array<C, D>& b,
                                        const W& w) {
    std::array<C, D> lo;  // default construction is zero for fields and packed fields
    std::array<C, D> hi;
    for (std::size_t i = 0; i < D; ++i)
        for (std::size_t j = 0; j < D; ++j) {
            if (i + j < D)
                lo[i + j] += a[i] * b[j];
            else
                hi[i + j - D] += a[i] * b[j];
        }
    for (std::size_t k = 0; k + 1 < D; ++k) lo[k] += hi[k] * w;
    return lo;
}

// The same product over a Montgomery field with one reduction per coefficient instead of
// one per term: c_k = sum_{i+j=k} a_i b_j + sum_{i+j=k+D} (w a_i) b_j accumulated on the
// raw 62-bit products, kept below p 2^32 (the reduction's input bound) by a conditional
// subtraction of p 2^32, which is 0 mod p.
template <class F, std::size_t D>
std::array<F, D> binomial_mul_monty(const std::array<F, D>& a, const std::array<F, D>& b, const F& w) noexcept {
    constexpr std::uint64_t bound = static_cast<std::uint64_t>(F::modulus) << 32;
    std::array<std::uint32_t, D> aw, av, bv;
    for (std::size_t i = 0; i < D; ++i) {
        av[i] = a[i].monty_value();
        bv[i] = b[i].monty_value();
        aw[i] = (a[i] * w).monty_value();
    }
    std::array<F, D> out;
    for (std::size_t k = 0; k < D; ++k) {
        std::uint64_t acc = 0;
        for (std::size_t i = 0; i < D; ++i) {
            const std::size_t j = (k + D - i) % D;  // i + j = k or k + D
            acc += static_cast<std::uint64_t>(i <= k ? av[i] : aw[i]) * bv[j];
            acc = acc >= bound ? acc - bound : acc;
        }
        out[k] = F::from_monty(F::reduce(acc));
    }
    return out;
}

}  // namespace detail

template <PrimeField F, std::size_t D>
class BinomialExtension {
    static_assert(D >= 2, "BinomialExtension needs a degree of at least 2");
    static_assert(detail::has_binomial_params<F, D>,
                  "BinomialExtension<F, D>: specialise binomial_extension_params<F, D> with the "
                  "constant w of X^D - w");

public:
    using base_field = F;
    static constexpr std::size_t degree = D;
    static constexpr F w = F::from_u64(binomial_extension_params<F, D>::w);
    static_assert(detail::binomial_is_irreducible<F, D>(w),
                  "BinomialExtension<F, D>: X^D - w must be irreducible (D must divide p - 1 and "
                  "w must not be a q-th power for any prime q dividing D)");

    static constexpr std::size_t encoded_size = D * F::encoded_size;
    static constexpr unsigned two_adicity = detail::extension_two_adicity(F::modulus, D);

    // Zero: every F default-constructs to zero. (Writing `c_{}` instead sends GCC 12 into an
    // internal compiler error when it folds extension arithmetic on temporaries.)
    constexpr BinomialExtension() noexcept = default;
    constexpr explicit BinomialExtension(const std::array<F, D>& coeffs) noexcept : c_(coeffs) {}
    template <std::integral I>
    constexpr explicit BinomialExtension(I v) noexcept {
        c_[0] = F(v);
    }

    static constexpr BinomialExtension from_base(F b) noexcept {
        BinomialExtension r;
        r.c_[0] = b;
        return r;
    }
    static constexpr BinomialExtension zero() noexcept { return {}; }
    static constexpr BinomialExtension one() noexcept { return from_base(F::one()); }
    // X, the generator of the extension as an F-algebra.
    static constexpr BinomialExtension x() noexcept {
        BinomialExtension r;
        r.c_[1] = F::one();
        return r;
    }

    [[nodiscard]] constexpr std::span<const F, D> coeffs() const noexcept { return c_; }
    [[nodiscard]] constexpr const std::array<F, D>& coeff_array() const noexcept { return c_; }
    [[nodiscard]] constexpr F operator[](std::size_t i) const noexcept { return c_[i]; }
    [[nodiscard]] constexpr bool is_zero() const noexcept { return *this == zero(); }
    [[nodiscard]] constexpr bool is_in_base_field() const noexcept {
        for (std::size_t i = 1; i < D; ++i)
            if (!c_[i].is_zero()) return false;
        return true;
    }

    friend constexpr BinomialExtension operator+(const BinomialExtension& a, const BinomialExtension& b) noexcept {
        BinomialExtension r;
        for (std::size_t i = 0; i < D; ++i) r.c_[i] = a.c_[i] + b.c_[i];
        return r;
    }
    friend constexpr BinomialExtension operator-(const BinomialExtension& a, const BinomialExtension& b) noexcept {
        BinomialExtension r;
        for (std::size_t i = 0; i < D; ++i) r.c_[i] = a.c_[i] - b.c_[i];
        return r;
    }
    friend constexpr BinomialExtension operator-(const BinomialExtension& a) noexcept {
        BinomialExtension r;
        for (std::size_t i = 0; i < D; ++i) r.c_[i] = -a.c_[i];
        return r;
    }
    friend constexpr BinomialExtension operator*(const BinomialExtension& a, const BinomialExtension& b) noexcept {
        if constexpr (is_monty_field31<F>) {
            if (!std::is_constant_evaluated()) return BinomialExtension(detail::binomial_mul_monty(a.c_, b.c_, w));
        }
        return BinomialExtension(detail::binomial_mul(a.c_, b.c_, w));
    }
    friend constexpr BinomialExtension operator/(const BinomialExtension& a, const BinomialExtension& b) {
        return a * b.inverse();
    }
    // Mixed arithmetic with the base field (an F is the constant polynomial).
    friend constexpr BinomialExtension operator+(BinomialExtension a, F b) noexcept { a.c_[0] += b; return a; }
    friend constexpr BinomialExtension operator+(F b, BinomialExtension a) noexcept { a.c_[0] += b; return a; }
    friend constexpr BinomialExtension operator-(BinomialExtension a, F b) noexcept { a.c_[0] -= b; return a; }
    friend constexpr BinomialExtension operator-(F b, const BinomialExtension& a) noexcept { return from_base(b) - a; }
    friend constexpr BinomialExtension operator*(BinomialExtension a, F b) noexcept {
        for (auto& c : a.c_) c *= b;
        return a;
    }
    friend constexpr BinomialExtension operator*(F b, BinomialExtension a) noexcept { return a * b; }

    constexpr BinomialExtension& operator+=(const BinomialExtension& b) noexcept { return *this = *this + b; }
    constexpr BinomialExtension& operator-=(const BinomialExtension& b) noexcept { return *this = *this - b; }
    constexpr BinomialExtension& operator*=(const BinomialExtension& b) noexcept { return *this = *this * b; }
    constexpr BinomialExtension& operator/=(const BinomialExtension& b) { return *this = *this / b; }
    constexpr BinomialExtension& operator*=(F b) noexcept { return *this = *this * b; }

    friend constexpr bool operator==(const BinomialExtension&, const BinomialExtension&) = default;

    [[nodiscard]] constexpr BinomialExtension square() const noexcept { return *this * *this; }
    [[nodiscard]] constexpr BinomialExtension double_() const noexcept { return *this + *this; }
    [[nodiscard]] constexpr BinomialExtension pow(std::uint64_t e) const noexcept {
        return detail::pow(*this, e, one());
    }

    // x -> x^p: sum c_i X^i maps to sum c_i z^i X^i with z = w^((p-1)/D).
    [[nodiscard]] constexpr BinomialExtension frobenius() const noexcept {
        BinomialExtension r;
        for (std::size_t i = 0; i < D; ++i) r.c_[i] = c_[i] * frobenius_powers[i];
        return r;
    }
    // x -> x^(p^k).
    [[nodiscard]] constexpr BinomialExtension repeated_frobenius(std::size_t k) const noexcept {
        BinomialExtension r = *this;
        for (std::size_t i = 0; i < k % D; ++i) r = r.frobenius();
        return r;
    }

    // x^-1 = (x^p x^(p^2) ... x^(p^(D-1))) / N(x), where the norm N(x) lies in F.
    // Throws Error(division_by_zero) for zero.
    [[nodiscard]] constexpr BinomialExtension inverse() const {
        if (is_zero()) throw Error(ErrorCode::division_by_zero, "inverse of zero in an extension field");
        BinomialExtension f = frobenius();
        BinomialExtension prod = f;
        for (std::size_t k = 2; k < D; ++k) {
            f = f.frobenius();
            prod *= f;
        }
        const F norm = (*this * prod).c_[0];
        return prod * norm.inverse();
    }

    // A generator of the subgroup of order 2^bits, bits <= two_adicity. Below the base
    // field's two-adicity it is the base field's generator, and generator(b)^2 ==
    // generator(b - 1) holds for every b.
    static BinomialExtension two_adic_generator(unsigned bits) {
        if (bits > two_adicity)
            throw Error(ErrorCode::invalid_argument,
                        "two_adic_generator(" + std::to_string(bits) +
                            "): this extension field's two-adicity is " + std::to_string(two_adicity));
        if (bits <= F::two_adicity) return from_base(F::two_adic_generator(bits));
        return detail::square_n(top_two_adic_generator(), two_adicity - bits);
    }

    friend std::ostream& operator<<(std::ostream& os, const BinomialExtension& e) {
        os << '[';
        for (std::size_t i = 0; i < D; ++i) os << (i ? ", " : "") << e.c_[i];
        return os << ']';
    }

private:
    static constexpr std::array<F, D> frobenius_powers = detail::binomial_frobenius_powers<F, D>(w);

    // An element h of order 2^two_adicity with h^(2^(two_adicity - s)) equal to the base
    // field's generator of order 2^s, s = F::two_adicity. Computed once, on first use.
    static const BinomialExtension& top_two_adic_generator() {
        static const BinomialExtension g = find_top_two_adic_generator();
        return g;
    }
    static BinomialExtension find_top_two_adic_generator() {
        constexpr unsigned s_ext = two_adicity;
        constexpr unsigned s = F::two_adicity;
        static_assert(s_ext < 64, "two-adicity of the extension must fit in 64 bits");
        detail::BigUint order = detail::BigUint::from_u64(1);
        for (std::size_t i = 0; i < D; ++i) order = order.mul(F::modulus);
        const detail::BigUint cofactor = order.minus_one().shr(s_ext);

        BinomialExtension h;
        for (std::uint64_t k = 0;; ++k) {  // X + k: the first candidate of full 2-power order
            h = detail::pow_big(x() + F::from_u64(k), cofactor, one());
            if (detail::square_n(h, s_ext - 1) != one()) break;
        }
        // Align h with the base field: with a = h^(2^(s_ext-s)) of order 2^s, find the odd j
        // with a^j = g_base (bit by bit, a discrete log in a 2-group); then h^j has order
        // 2^s_ext and (h^j)^(2^(s_ext-s)) = a^j = g_base.
        const BinomialExtension a = detail::square_n(h, s_ext - s);
        const BinomialExtension target = from_base(F::two_adic_generator(s));
        std::uint64_t j = 0;
        BinomialExtension rest = target;               // target * a^-j, j = bits found so far
        BinomialExtension a_inv_pow = a.inverse();     // a^-(2^i)
        for (unsigned i = 0; i < s; ++i) {
            if (detail::square_n(rest, s - 1 - i) != one()) {
                j |= std::uint64_t{1} << i;
                rest *= a_inv_pow;
            }
            a_inv_pow = a_inv_pow.square();
        }
        return h.pow(j);
    }

    std::array<F, D> c_;
};

}  // namespace causality::field
