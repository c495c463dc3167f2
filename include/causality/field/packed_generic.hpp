// causality/field/packed_generic.hpp — the building blocks of packed fields: the
// portable array-of-scalars fallback, the wrapper around a SIMD kernel, and the
// selector that the kernel headers specialise. Use <causality/field/packed.hpp>.
#pragma once

#include <causality/field/concepts.hpp>

#include <xsimd/config/xsimd_arch.hpp>

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <type_traits>

namespace causality::field {

namespace detail {

// The portable fallback: an array of scalars, 32 bytes wide, that compilers may
// auto-vectorise. It serves any Field, including extensions and user-defined fields.
template <class F, class Arch>
class GenericPacked {
public:
    using scalar_type = F;
    using arch_type = Arch;
    static constexpr std::size_t width = std::max<std::size_t>(1, 32 / sizeof(F));

    constexpr GenericPacked() noexcept = default;

    static constexpr GenericPacked load(const F* src) noexcept {
        GenericPacked r;
        for (std::size_t i = 0; i < width; ++i) r.v_[i] = src[i];
        return r;
    }
    constexpr void store(F* dst) const noexcept {
        for (std::size_t i = 0; i < width; ++i) dst[i] = v_[i];
    }
    static constexpr GenericPacked broadcast(F x) noexcept {
        GenericPacked r;
        r.v_.fill(x);
        return r;
    }
    static constexpr GenericPacked from_array(const std::array<F, width>& a) noexcept {
        GenericPacked r;
        r.v_ = a;
        return r;
    }
    [[nodiscard]] constexpr std::array<F, width> to_array() const noexcept { return v_; }
    [[nodiscard]] constexpr F lane(std::size_t i) const noexcept { return v_[i]; }

    static constexpr GenericPacked zero() noexcept { return broadcast(F::zero()); }
    static constexpr GenericPacked one() noexcept { return broadcast(F::one()); }

    friend constexpr GenericPacked operator+(const GenericPacked& a, const GenericPacked& b) noexcept {
        return zip(a, b, [](F x, F y) { return x + y; });
    }
    friend constexpr GenericPacked operator-(const GenericPacked& a, const GenericPacked& b) noexcept {
        return zip(a, b, [](F x, F y) { return x - y; });
    }
    friend constexpr GenericPacked operator*(const GenericPacked& a, const GenericPacked& b) noexcept {
        return zip(a, b, [](F x, F y) { return x * y; });
    }
    friend constexpr GenericPacked operator-(const GenericPacked& a) noexcept {
        GenericPacked r;
        for (std::size_t i = 0; i < width; ++i) r.v_[i] = -a.v_[i];
        return r;
    }
    friend constexpr GenericPacked operator+(const GenericPacked& a, F b) noexcept { return a + broadcast(b); }
    friend constexpr GenericPacked operator-(const GenericPacked& a, F b) noexcept { return a - broadcast(b); }
    friend constexpr GenericPacked operator*(const GenericPacked& a, F b) noexcept { return a * broadcast(b); }
    friend constexpr GenericPacked operator*(F b, const GenericPacked& a) noexcept { return a * broadcast(b); }
    friend constexpr GenericPacked operator+(F b, const GenericPacked& a) noexcept { return broadcast(b) + a; }
    friend constexpr GenericPacked operator-(F b, const GenericPacked& a) noexcept { return broadcast(b) - a; }

    constexpr GenericPacked& operator+=(const GenericPacked& b) noexcept { return *this = *this + b; }
    constexpr GenericPacked& operator-=(const GenericPacked& b) noexcept { return *this = *this - b; }
    constexpr GenericPacked& operator*=(const GenericPacked& b) noexcept { return *this = *this * b; }

    friend constexpr bool operator==(const GenericPacked&, const GenericPacked&) = default;

    [[nodiscard]] constexpr GenericPacked square() const noexcept { return *this * *this; }

private:
    template <class Op>
    static constexpr GenericPacked zip(const GenericPacked& a, const GenericPacked& b, Op op) noexcept {
        GenericPacked r;
        for (std::size_t i = 0; i < width; ++i) r.v_[i] = op(a.v_[i], b.v_[i]);
        return r;
    }

    std::array<F, width> v_;  // each F default-constructs to zero
};

// x^D for D in {3, 5, 7} by the short chains x^2 x, (x^2)^2 x and (x^2 x)(x^2)^2: `mul`
// forms the intermediate products, `last` the final one (the SIMD kernels leave that one
// unreduced and merge the lanes afterwards).
template <unsigned D, class T, class Mul, class Last>
auto exp_small_chain(const T& x, Mul mul, Last last) {
    static_assert(D == 3 || D == 5 || D == 7);
    const T x2 = mul(x, x);
    if constexpr (D == 3)
        return last(x2, x);
    else if constexpr (D == 5)
        return last(mul(x2, x2), x);
    else
        return last(mul(x2, x), mul(x2, x2));
}

// A packed field over a SIMD kernel. A Kernel provides the register type, the lane
// count, and load/store/splat/add/sub/neg/mul/equal on registers of canonical words.
template <class F, class Kernel>
class SimdPacked {
public:
    using scalar_type = F;
    using arch_type = typename Kernel::arch;
    using register_type = typename Kernel::reg;
    static constexpr std::size_t width = Kernel::width;

    SimdPacked() noexcept : v_(Kernel::splat(F::zero())) {}
    explicit SimdPacked(register_type r) noexcept : v_(r) {}
    [[nodiscard]] register_type raw() const noexcept { return v_; }

    static SimdPacked load(const F* src) noexcept { return SimdPacked(Kernel::load(src)); }
    void store(F* dst) const noexcept { Kernel::store(dst, v_); }
    static SimdPacked broadcast(F x) noexcept { return SimdPacked(Kernel::splat(x)); }
    static SimdPacked from_array(const std::array<F, width>& a) noexcept { return load(a.data()); }
    [[nodiscard]] std::array<F, width> to_array() const noexcept {
        std::array<F, width> a;
        store(a.data());
        return a;
    }
    [[nodiscard]] F lane(std::size_t i) const noexcept { return to_array()[i]; }

    static SimdPacked zero() noexcept { return broadcast(F::zero()); }
    static SimdPacked one() noexcept { return broadcast(F::one()); }

    friend SimdPacked operator+(SimdPacked a, SimdPacked b) noexcept { return SimdPacked(Kernel::add(a.v_, b.v_)); }
    friend SimdPacked operator-(SimdPacked a, SimdPacked b) noexcept { return SimdPacked(Kernel::sub(a.v_, b.v_)); }
    friend SimdPacked operator*(SimdPacked a, SimdPacked b) noexcept { return SimdPacked(Kernel::mul(a.v_, b.v_)); }
    friend SimdPacked operator-(SimdPacked a) noexcept { return SimdPacked(Kernel::neg(a.v_)); }
    friend SimdPacked operator+(SimdPacked a, F b) noexcept { return a + broadcast(b); }
    friend SimdPacked operator-(SimdPacked a, F b) noexcept { return a - broadcast(b); }
    friend SimdPacked operator*(SimdPacked a, F b) noexcept { return a * broadcast(b); }
    friend SimdPacked operator*(F b, SimdPacked a) noexcept { return a * broadcast(b); }
    friend SimdPacked operator+(F b, SimdPacked a) noexcept { return broadcast(b) + a; }
    friend SimdPacked operator-(F b, SimdPacked a) noexcept { return broadcast(b) - a; }

    SimdPacked& operator+=(SimdPacked b) noexcept { return *this = *this + b; }
    SimdPacked& operator-=(SimdPacked b) noexcept { return *this = *this - b; }
    SimdPacked& operator*=(SimdPacked b) noexcept { return *this = *this * b; }

    friend bool operator==(SimdPacked a, SimdPacked b) noexcept { return Kernel::equal(a.v_, b.v_); }

    [[nodiscard]] SimdPacked square() const noexcept { return *this * *this; }

    // x^D for a small constant D (3, 5 or 7), where the kernel has a fused power map.
    template <unsigned D>
        requires requires(register_type r) { Kernel::template exp_small<D>(r); }
    [[nodiscard]] SimdPacked exp_small() const noexcept {
        return SimdPacked(Kernel::template exp_small<D>(v_));
    }
    // x * 2^-k, for 1 <= k <= F::two_adicity (the caller checks), where the kernel has it.
    [[nodiscard]] SimdPacked mul_2exp_neg(unsigned k) const noexcept
        requires requires(register_type r) { Kernel::mul_2exp_neg(r, 1u); }
    {
        return SimdPacked(Kernel::mul_2exp_neg(v_, k));
    }

private:
    register_type v_;
};

// Selects the implementation; the kernel headers add specialisations.
template <class F, class Arch>
struct packed_selector {
    using type = GenericPacked<F, Arch>;
};

// 31-bit fields whose stored word is a canonical residue below 2^31 (Montgomery or plain).
template <class F>
concept Field31Word = sizeof(F) == 4 && std::is_trivially_copyable_v<F> && F::modulus < (1ull << 31);

}  // namespace detail

}  // namespace causality::field
