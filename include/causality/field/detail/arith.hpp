// Integer helpers shared by the field implementations: compile-time primality and
// primitive-root checks, square-and-multiply, and the two-adicity of a modulus.
#pragma once

#include <bit>
#include <cstdint>

namespace causality::field::detail {

// GCC and Clang's 128-bit integer; __extension__ keeps -Wpedantic quiet about it.
__extension__ typedef unsigned __int128 u128;

constexpr std::uint64_t mul_mod(std::uint64_t a, std::uint64_t b, std::uint64_t m) {
    return static_cast<std::uint64_t>(static_cast<u128>(a) * b % m);
}

constexpr std::uint64_t pow_mod(std::uint64_t base, std::uint64_t e, std::uint64_t m) {
    std::uint64_t result = 1 % m;
    base %= m;
    for (; e != 0; e >>= 1) {
        if (e & 1) result = mul_mod(result, base, m);
        base = mul_mod(base, base, m);
    }
    return result;
}

// Trial division: used only in static_asserts on moduli below 2^32.
constexpr bool is_prime_u32(std::uint64_t n) {
    if (n < 2) return false;
    if (n % 2 == 0) return n == 2;
    for (std::uint64_t d = 3; d * d <= n; d += 2)
        if (n % d == 0) return false;
    return true;
}

// g generates (Z/p)^* iff g^((p-1)/q) != 1 for every prime q dividing p - 1.
constexpr bool is_primitive_root(std::uint64_t g, std::uint64_t p) {
    if (g % p == 0) return false;
    std::uint64_t rest = p - 1;
    for (std::uint64_t q = 2; q * q <= rest; ++q) {
        if (rest % q != 0) continue;
        if (pow_mod(g, (p - 1) / q, p) == 1) return false;
        while (rest % q == 0) rest /= q;
    }
    return rest == 1 || pow_mod(g, (p - 1) / rest, p) != 1;
}

// Square-and-multiply for any type with operator* and square().
template <class T>
constexpr T pow(T base, std::uint64_t e, T one) {
    T result = one;
    for (; e != 0; e >>= 1) {
        if (e & 1) result = result * base;
        base = base.square();
    }
    return result;
}

template <class T>
constexpr T square_n(T x, unsigned n) {
    for (unsigned i = 0; i < n; ++i) x = x.square();
    return x;
}

}  // namespace causality::field::detail
