// A small fixed-width unsigned integer, used only to compute group orders such as
// p^D - 1 of an extension field (up to 512 bits) when deriving two-adic generators.
#pragma once

#include <causality/field/detail/arith.hpp>

#include <array>
#include <cstddef>
#include <cstdint>

namespace causality::field::detail {

struct BigUint {
    static constexpr std::size_t words = 8;
    std::array<std::uint64_t, words> w{};

    static constexpr BigUint from_u64(std::uint64_t x) {
        BigUint r;
        r.w[0] = x;
        return r;
    }
    constexpr BigUint mul(std::uint64_t m) const {
        BigUint r;
        u128 carry = 0;
        for (std::size_t i = 0; i < words; ++i) {
            const u128 t = static_cast<u128>(w[i]) * m + carry;
            r.w[i] = static_cast<std::uint64_t>(t);
            carry = t >> 64;
        }
        return r;  // callers stay far below 2^512
    }
    constexpr BigUint minus_one() const {  // requires *this > 0
        BigUint r = *this;
        for (std::size_t i = 0; i < words; ++i)
            if (r.w[i]-- != 0) break;
        return r;
    }
    constexpr BigUint shr(unsigned s) const {
        BigUint r;
        const unsigned ws = s / 64, bs = s % 64;
        for (std::size_t i = 0; i + ws < words; ++i) {
            std::uint64_t v = w[i + ws] >> bs;
            if (bs != 0 && i + ws + 1 < words) v |= w[i + ws + 1] << (64 - bs);
            r.w[i] = v;
        }
        return r;
    }
    constexpr bool bit(unsigned i) const { return (w[i / 64] >> (i % 64)) & 1; }
    constexpr unsigned bit_length() const {
        for (std::size_t i = words; i-- > 0;)
            if (w[i] != 0) return static_cast<unsigned>(i * 64 + 64 - __builtin_clzll(w[i]));
        return 0;
    }
};

// x^e for a field element and a BigUint exponent.
template <class T>
constexpr T pow_big(const T& x, const BigUint& e, T one) {
    T result = one;
    for (unsigned i = e.bit_length(); i-- > 0;) {
        result = result.square();
        if (e.bit(i)) result = result * x;
    }
    return result;
}

}  // namespace causality::field::detail
