// causality/field/concepts.hpp — what a field is, as one-line refinements.
//
// Field        ring operations, inverse(), square(), pow(), zero(), one(), ==
// PrimeField   + modulus, from_u64() (reduces), to_u64() (canonical), generator()
// TwoAdicField + two_adicity, two_adic_generator(bits)
// ExtensionField + base_field, degree, from_base(), coeffs(), frobenius()
// PackedField  + width, scalar_type, load/store/broadcast, lane-wise ring operations
//
// Every field and packed field of the library default-constructs to zero; generic code
// (extensions, packed containers, Eigen matrices) relies on it, so user fields must too.
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <span>

namespace causality::field {

template <class R>
concept Ring = std::regular<R> && requires(R a, const R b) {
    { R::zero() } -> std::same_as<R>;
    { R::one() } -> std::same_as<R>;
    { b + b } -> std::same_as<R>;
    { b - b } -> std::same_as<R>;
    { b * b } -> std::same_as<R>;
    { -b } -> std::same_as<R>;
    { a += b } -> std::same_as<R&>;
    { a -= b } -> std::same_as<R&>;
    { a *= b } -> std::same_as<R&>;
    { b.square() } -> std::same_as<R>;
};

template <class F>
concept Field = Ring<F> && requires(const F a, std::uint64_t e) {
    { a.inverse() } -> std::same_as<F>;
    { a / a } -> std::same_as<F>;
    { a.pow(e) } -> std::same_as<F>;
    { a.is_zero() } -> std::same_as<bool>;
};

template <class F>
concept PrimeField = Field<F> && requires(const F a, std::uint64_t x) {
    { F::modulus } -> std::convertible_to<std::uint64_t>;
    { F::from_u64(x) } -> std::same_as<F>;
    { a.to_u64() } -> std::same_as<std::uint64_t>;
    { F::generator() } -> std::same_as<F>;
};

template <class F>
concept TwoAdicField = Field<F> && requires(unsigned bits) {
    { F::two_adicity } -> std::convertible_to<unsigned>;
    { F::two_adic_generator(bits) } -> std::same_as<F>;
};

template <class E>
concept ExtensionField = Field<E> && PrimeField<typename E::base_field> &&
    requires(const E e, typename E::base_field b) {
        { E::degree } -> std::convertible_to<std::size_t>;
        { E::from_base(b) } -> std::same_as<E>;
        { e.coeffs() } -> std::convertible_to<std::span<const typename E::base_field>>;
        { e.frobenius() } -> std::same_as<E>;
    };

template <class P>
concept PackedField = Ring<P> && Field<typename P::scalar_type> &&
    requires(const P a, const typename P::scalar_type* src, typename P::scalar_type* dst,
             typename P::scalar_type s, std::size_t i) {
        { P::width } -> std::convertible_to<std::size_t>;
        { P::load(src) } -> std::same_as<P>;
        { a.store(dst) };
        { P::broadcast(s) } -> std::same_as<P>;
        { a.lane(i) } -> std::same_as<typename P::scalar_type>;
    };

}  // namespace causality::field
