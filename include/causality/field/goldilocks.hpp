// causality/field/goldilocks.hpp — Goldilocks, p = 2^64 - 2^32 + 1.
//
// Reduction uses 2^64 = 2^32 - 1 and 2^96 = -1 (mod p): a 128-bit product
// lo + 2^64 (hi_lo + 2^32 hi_hi) is lo - hi_hi + (2^32 - 1) hi_lo. Elements are kept
// canonical in [0, p).
#pragma once

#include <causality/error.hpp>
#include <causality/field/detail/arith.hpp>

#include <concepts>
#include <cstdint>
#include <ostream>
#include <string>
#include <type_traits>

namespace causality::field {

class Goldilocks final {
public:
    static constexpr std::uint64_t modulus = 0xffffffff00000001ull;
    static constexpr std::uint64_t epsilon = 0xffffffffull;  // 2^64 mod p = 2^32 - 1
    static constexpr unsigned two_adicity = 32;
    static constexpr std::size_t encoded_size = 8;

    constexpr Goldilocks() noexcept = default;

    template <std::integral I>
    constexpr explicit Goldilocks(I v) noexcept {
        if constexpr (std::is_signed_v<I>) {
            const auto x = static_cast<std::int64_t>(v);
            v_ = x >= 0 ? canonical(static_cast<std::uint64_t>(x))
                        : modulus - canonical(0 - static_cast<std::uint64_t>(x));
            if (v_ == modulus) v_ = 0;
        } else {
            v_ = canonical(static_cast<std::uint64_t>(v));
        }
    }

    static constexpr Goldilocks zero() noexcept { return raw(0); }
    static constexpr Goldilocks one() noexcept { return raw(1); }
    static constexpr Goldilocks two() noexcept { return raw(2); }
    static constexpr Goldilocks neg_one() noexcept { return raw(modulus - 1); }
    static constexpr Goldilocks generator() noexcept { return raw(7); }

    static constexpr Goldilocks from_u64(std::uint64_t x) noexcept { return raw(canonical(x)); }
    static constexpr Goldilocks from_canonical(std::uint64_t x) {
        if (x >= modulus)
            throw Error(ErrorCode::out_of_range, "field element " + std::to_string(x) +
                                                     " is not below the Goldilocks modulus");
        return raw(x);
    }
    [[nodiscard]] constexpr std::uint64_t to_u64() const noexcept { return v_; }
    [[nodiscard]] constexpr bool is_zero() const noexcept { return v_ == 0; }

    friend constexpr Goldilocks operator+(Goldilocks a, Goldilocks b) noexcept {
        std::uint64_t s = a.v_ + b.v_;
        s += epsilon & (0 - static_cast<std::uint64_t>(s < a.v_));  // carried 2^64 = epsilon
        return raw(canonical(s));
    }
    friend constexpr Goldilocks operator-(Goldilocks a, Goldilocks b) noexcept {
        const std::uint64_t d = a.v_ - b.v_;
        return raw(d - (epsilon & (0 - static_cast<std::uint64_t>(a.v_ < b.v_))));  // borrowed 2^64
    }
    friend constexpr Goldilocks operator-(Goldilocks a) noexcept {
        return raw(a.v_ == 0 ? 0 : modulus - a.v_);
    }
    friend constexpr Goldilocks operator*(Goldilocks a, Goldilocks b) noexcept {
        return raw(reduce128(static_cast<detail::u128>(a.v_) * b.v_));
    }
    friend constexpr Goldilocks operator/(Goldilocks a, Goldilocks b) { return a * b.inverse(); }

    constexpr Goldilocks& operator+=(Goldilocks b) noexcept { return *this = *this + b; }
    constexpr Goldilocks& operator-=(Goldilocks b) noexcept { return *this = *this - b; }
    constexpr Goldilocks& operator*=(Goldilocks b) noexcept { return *this = *this * b; }
    constexpr Goldilocks& operator/=(Goldilocks b) { return *this = *this / b; }

    friend constexpr bool operator==(const Goldilocks&, const Goldilocks&) = default;

    [[nodiscard]] constexpr Goldilocks square() const noexcept { return *this * *this; }
    [[nodiscard]] constexpr Goldilocks double_() const noexcept { return *this + *this; }
    [[nodiscard]] constexpr Goldilocks pow(std::uint64_t e) const noexcept {
        return detail::pow(*this, e, one());
    }
    [[nodiscard]] constexpr Goldilocks inverse() const {
        if (is_zero()) throw Error(ErrorCode::division_by_zero, "inverse of zero in Goldilocks");
        return pow(modulus - 2);
    }

    static constexpr Goldilocks two_adic_generator(unsigned bits) {
        if (bits > two_adicity)
            throw Error(ErrorCode::invalid_argument,
                        "two_adic_generator(" + std::to_string(bits) +
                            "): Goldilocks has two-adicity 32");
        // 7^((p-1)/2^32), then squared down to the requested order.
        return detail::square_n(raw(1753635133440165772ull), two_adicity - bits);
    }

    friend std::ostream& operator<<(std::ostream& os, Goldilocks x) { return os << x.v_; }

    // lo + 2^64 hi reduced to [0, p). Branch-free: the carries depend on the data, and
    // mispredicted branches here cost more than the multiplication itself.
    static constexpr std::uint64_t reduce128(detail::u128 x) noexcept {
        const auto lo = static_cast<std::uint64_t>(x);
        const auto hi = static_cast<std::uint64_t>(x >> 64);
        const std::uint64_t hi_hi = hi >> 32;
        const std::uint64_t hi_lo = hi & epsilon;
        std::uint64_t t0 = lo - hi_hi;
        t0 -= epsilon & (0 - static_cast<std::uint64_t>(lo < hi_hi));  // borrowed 2^64 = epsilon
        const std::uint64_t t1 = (hi_lo << 32) - hi_lo;                    // hi_lo * epsilon
        std::uint64_t t2 = t0 + t1;
        t2 += epsilon & (0 - static_cast<std::uint64_t>(t2 < t1));       // carried 2^64 = epsilon
        return canonical(t2);
    }

private:
    static constexpr std::uint64_t canonical(std::uint64_t x) noexcept {
        return x - (modulus & (0 - static_cast<std::uint64_t>(x >= modulus)));
    }
    static constexpr Goldilocks raw(std::uint64_t x) noexcept {
        Goldilocks r;
        r.v_ = x;
        return r;
    }

    std::uint64_t v_ = 0;
};

}  // namespace causality::field
