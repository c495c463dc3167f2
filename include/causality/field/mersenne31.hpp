// causality/field/mersenne31.hpp — Mersenne31, p = 2^31 - 1.
//
// Reduction uses 2^31 = 1 (mod p): x = lo31 + 2^31 hi folds to lo31 + hi. The field's
// two-adicity is 1 (p - 1 = 2 * odd), so it has no large NTT domains; it is here for
// hashing, lookups and circle-style protocols. Elements are kept canonical in [0, p).
#pragma once

#include <causality/error.hpp>
#include <causality/field/detail/arith.hpp>

#include <concepts>
#include <cstdint>
#include <ostream>
#include <string>
#include <type_traits>

namespace causality::field {

class Mersenne31 final {
public:
    static constexpr std::uint64_t modulus = 0x7fffffffu;
    static constexpr unsigned two_adicity = 1;
    static constexpr std::size_t encoded_size = 4;

    constexpr Mersenne31() noexcept = default;

    template <std::integral I>
    constexpr explicit Mersenne31(I v) noexcept {
        if constexpr (std::is_signed_v<I>) {
            const auto r = static_cast<std::int64_t>(v) % static_cast<std::int64_t>(modulus);
            v_ = static_cast<std::uint32_t>(r < 0 ? r + static_cast<std::int64_t>(modulus) : r);
        } else {
            v_ = static_cast<std::uint32_t>(static_cast<std::uint64_t>(v) % modulus);
        }
    }

    static constexpr Mersenne31 zero() noexcept { return raw(0); }
    static constexpr Mersenne31 one() noexcept { return raw(1); }
    static constexpr Mersenne31 two() noexcept { return raw(2); }
    static constexpr Mersenne31 neg_one() noexcept { return raw(P - 1); }
    static constexpr Mersenne31 generator() noexcept { return raw(7); }

    static constexpr Mersenne31 from_u64(std::uint64_t x) noexcept {
        return raw(static_cast<std::uint32_t>(x % modulus));
    }
    static constexpr Mersenne31 from_canonical(std::uint64_t x) {
        if (x >= modulus)
            throw Error(ErrorCode::out_of_range, "field element " + std::to_string(x) +
                                                     " is not below the Mersenne31 modulus");
        return raw(static_cast<std::uint32_t>(x));
    }
    [[nodiscard]] constexpr std::uint64_t to_u64() const noexcept { return v_; }
    [[nodiscard]] constexpr std::uint32_t value() const noexcept { return v_; }
    static constexpr Mersenne31 from_value(std::uint32_t canonical_value) noexcept {
        return raw(canonical_value);
    }
    [[nodiscard]] constexpr bool is_zero() const noexcept { return v_ == 0; }

    friend constexpr Mersenne31 operator+(Mersenne31 a, Mersenne31 b) noexcept {
        const std::uint32_t s = a.v_ + b.v_;
        return raw(s >= P ? s - P : s);
    }
    friend constexpr Mersenne31 operator-(Mersenne31 a, Mersenne31 b) noexcept {
        const std::uint32_t d = a.v_ - b.v_;
        return raw(a.v_ >= b.v_ ? d : d + P);
    }
    friend constexpr Mersenne31 operator-(Mersenne31 a) noexcept { return raw(a.v_ == 0 ? 0 : P - a.v_); }
    friend constexpr Mersenne31 operator*(Mersenne31 a, Mersenne31 b) noexcept {
        return raw(reduce(static_cast<std::uint64_t>(a.v_) * b.v_));
    }
    friend constexpr Mersenne31 operator/(Mersenne31 a, Mersenne31 b) { return a * b.inverse(); }

    constexpr Mersenne31& operator+=(Mersenne31 b) noexcept { return *this = *this + b; }
    constexpr Mersenne31& operator-=(Mersenne31 b) noexcept { return *this = *this - b; }
    constexpr Mersenne31& operator*=(Mersenne31 b) noexcept { return *this = *this * b; }
    constexpr Mersenne31& operator/=(Mersenne31 b) { return *this = *this / b; }

    friend constexpr bool operator==(const Mersenne31&, const Mersenne31&) = default;

    [[nodiscard]] constexpr Mersenne31 square() const noexcept { return *this * *this; }
    [[nodiscard]] constexpr Mersenne31 double_() const noexcept { return *this + *this; }
    [[nodiscard]] constexpr Mersenne31 pow(std::uint64_t e) const noexcept {
        return detail::pow(*this, e, one());
    }
    [[nodiscard]] constexpr Mersenne31 inverse() const {
        if (is_zero()) throw Error(ErrorCode::division_by_zero, "inverse of zero in Mersenne31");
        return pow(modulus - 2);
    }

    static constexpr Mersenne31 two_adic_generator(unsigned bits) {
        if (bits > two_adicity)
            throw Error(ErrorCode::invalid_argument,
                        "two_adic_generator(" + std::to_string(bits) +
                            "): Mersenne31 has two-adicity 1");
        return bits == 0 ? one() : neg_one();
    }

    friend std::ostream& operator<<(std::ostream& os, Mersenne31 x) { return os << x.v_; }

    // x <= (p - 1)^2 (a product of two canonical values) reduced to [0, p).
    static constexpr std::uint32_t reduce(std::uint64_t x) noexcept {
        const std::uint32_t s = static_cast<std::uint32_t>(x & P) + static_cast<std::uint32_t>(x >> 31);
        return s >= P ? s - P : s;
    }

private:
    static constexpr std::uint32_t P = 0x7fffffffu;
    static constexpr Mersenne31 raw(std::uint32_t x) noexcept {
        Mersenne31 r;
        r.v_ = x;
        return r;
    }

    std::uint32_t v_ = 0;
};

}  // namespace causality::field
