// causality/field/monty31.hpp — MontyField31: any prime field 2^30 < p < 2^31 in
// Montgomery form (R = 2^32), given by a parameter struct.
//
//   struct MyParams { static constexpr std::uint32_t modulus = 0x7e000001, generator = ...; };
//   using MyField = causality::field::MontyField31<MyParams>;
//
// The modulus is checked prime and the generator checked primitive at compile time;
// the two-adicity is derived. Elements are stored canonically (x * 2^32 mod p, in
// [0, p)), so equality and hashing work on the stored word.
#pragma once

#include <causality/error.hpp>
#include <causality/field/detail/arith.hpp>

#include <bit>
#include <concepts>
#include <cstdint>
#include <ostream>
#include <string>
#include <type_traits>

namespace causality::field {

template <class P>
concept MontyField31Params = requires {
    { P::modulus } -> std::convertible_to<std::uint32_t>;
    { P::generator } -> std::convertible_to<std::uint32_t>;
};

template <MontyField31Params P, class Derived = void>
class MontyField31 {
    static constexpr std::uint32_t P_ = P::modulus;
    static_assert(P_ > (1u << 30) && P_ < (1u << 31),
                  "MontyField31 needs a modulus between 2^30 and 2^31");
    static_assert(detail::is_prime_u32(P_), "MontyField31: the modulus must be prime");
    static_assert(detail::is_primitive_root(P::generator, P_),
                  "MontyField31: the generator must generate the multiplicative group mod p");

    // p^-1 mod 2^32 by Newton's iteration (each step doubles the correct bits).
    static constexpr std::uint32_t compute_mu() {
        std::uint32_t inv = P_;
        for (int i = 0; i < 5; ++i) inv *= 2u - P_ * inv;
        return inv;
    }

public:
    using Self = std::conditional_t<std::is_void_v<Derived>, MontyField31, Derived>;
    using params_type = P;

    static constexpr std::uint64_t modulus = P_;
    static constexpr unsigned two_adicity = static_cast<unsigned>(std::countr_zero(P_ - 1u));
    static constexpr std::size_t encoded_size = 4;  // bytes of the canonical encoding
    static constexpr std::uint32_t monty_mu = compute_mu();                   // p^-1 mod 2^32
    static constexpr std::uint32_t monty_r2 = static_cast<std::uint32_t>(     // 2^64 mod p
        (static_cast<detail::u128>(1) << 64) % P_);

    constexpr MontyField31() noexcept = default;

    // The integer v reduced mod p (negative values wrap: Field(-1) == p - 1).
    template <std::integral I>
    constexpr explicit MontyField31(I v) noexcept {
        if constexpr (std::is_signed_v<I>) {
            const auto r = static_cast<std::int64_t>(v) % static_cast<std::int64_t>(P_);
            v_ = to_monty(static_cast<std::uint32_t>(r < 0 ? r + P_ : r));
        } else {
            v_ = to_monty(static_cast<std::uint32_t>(static_cast<std::uint64_t>(v) % P_));
        }
    }

    static constexpr Self zero() noexcept { return from_monty(0); }
    static constexpr Self one() noexcept { return from_monty(to_monty(1)); }
    static constexpr Self two() noexcept { return from_monty(to_monty(2)); }
    static constexpr Self neg_one() noexcept { return from_monty(to_monty(P_ - 1)); }
    static constexpr Self generator() noexcept { return from_monty(to_monty(P::generator % P_)); }

    static constexpr Self from_u64(std::uint64_t x) noexcept {
        return from_monty(to_monty(static_cast<std::uint32_t>(x % P_)));
    }
    // x must already be canonical; anything >= p is rejected.
    static constexpr Self from_canonical(std::uint64_t x) {
        if (x >= P_)
            throw Error(ErrorCode::out_of_range,
                        "field element " + std::to_string(x) + " is not below the modulus " +
                            std::to_string(P_));
        return from_monty(to_monty(static_cast<std::uint32_t>(x)));
    }
    [[nodiscard]] constexpr std::uint64_t to_u64() const noexcept { return from_monty_form(v_); }

    // The stored Montgomery word (x * 2^32 mod p); SIMD kernels and hashes work on it.
    [[nodiscard]] constexpr std::uint32_t monty_value() const noexcept { return v_; }
    static constexpr Self from_monty(std::uint32_t raw) noexcept { return Self(RawTag{}, raw); }

    [[nodiscard]] constexpr bool is_zero() const noexcept { return v_ == 0; }

    friend constexpr Self operator+(Self a, Self b) noexcept {
        const std::uint32_t s = a.v() + b.v();
        return from_monty(s >= P_ ? s - P_ : s);
    }
    friend constexpr Self operator-(Self a, Self b) noexcept {
        const std::uint32_t d = a.v() - b.v();
        return from_monty(a.v() >= b.v() ? d : d + P_);
    }
    friend constexpr Self operator-(Self a) noexcept { return from_monty(a.v() == 0 ? 0 : P_ - a.v()); }
    friend constexpr Self operator*(Self a, Self b) noexcept {
        return from_monty(reduce(static_cast<std::uint64_t>(a.v()) * b.v()));
    }
    friend constexpr Self operator/(Self a, Self b) { return a * b.inverse(); }

    constexpr Self& operator+=(Self b) noexcept { return self() = self() + b; }
    constexpr Self& operator-=(Self b) noexcept { return self() = self() - b; }
    constexpr Self& operator*=(Self b) noexcept { return self() = self() * b; }
    constexpr Self& operator/=(Self b) { return self() = self() / b; }

    friend constexpr bool operator==(const MontyField31&, const MontyField31&) = default;

    [[nodiscard]] constexpr Self square() const noexcept { return self() * self(); }
    [[nodiscard]] constexpr Self double_() const noexcept { return self() + self(); }
    [[nodiscard]] constexpr Self pow(std::uint64_t e) const noexcept {
        return detail::pow(self(), e, one());
    }
    // Fermat: x^(p-2). Throws Error(division_by_zero) for zero.
    [[nodiscard]] constexpr Self inverse() const {
        if (is_zero()) throw Error(ErrorCode::division_by_zero, "inverse of zero in a 31-bit prime field");
        return pow(P_ - 2);
    }

    // A generator of the subgroup of order 2^bits; Error(invalid_argument) beyond two_adicity.
    static constexpr Self two_adic_generator(unsigned bits) {
        if (bits > two_adicity)
            throw Error(ErrorCode::invalid_argument,
                        "two_adic_generator(" + std::to_string(bits) +
                            "): the field's two-adicity is " + std::to_string(two_adicity));
        const Self top = generator().pow((P_ - 1) >> two_adicity);
        return detail::square_n(top, two_adicity - bits);
    }

    friend std::ostream& operator<<(std::ostream& os, Self x) { return os << x.to_u64(); }

    // Montgomery reduction: x * 2^-32 mod p for x < p * 2^32, result in [0, p).
    static constexpr std::uint32_t reduce(std::uint64_t x) noexcept {
        const std::uint32_t t = static_cast<std::uint32_t>(x) * monty_mu;
        const std::uint64_t u = static_cast<std::uint64_t>(t) * P_;
        const std::uint32_t hi = static_cast<std::uint32_t>((x - u) >> 32);
        return x < u ? hi + P_ : hi;
    }

private:
    struct RawTag {};
    // Inherited by strong names such as BabyBear through `using MontyField31::MontyField31`.
    constexpr MontyField31(RawTag, std::uint32_t raw) noexcept : v_(raw) {}

    static constexpr std::uint32_t to_monty(std::uint32_t canonical) noexcept {
        return reduce(static_cast<std::uint64_t>(canonical) * monty_r2);
    }
    static constexpr std::uint32_t from_monty_form(std::uint32_t raw) noexcept { return reduce(raw); }

    constexpr std::uint32_t v() const noexcept { return v_; }
    constexpr Self& self() noexcept { return static_cast<Self&>(*this); }
    constexpr const Self& self() const noexcept { return static_cast<const Self&>(*this); }

    std::uint32_t v_ = 0;
};

template <class F>
inline constexpr bool is_monty_field31 = requires { typename F::params_type; F::monty_mu; };

}  // namespace causality::field
