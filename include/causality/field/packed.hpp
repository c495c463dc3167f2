// causality/field/packed.hpp — SIMD-packed fields: Packed<F> holds Packed<F>::width
// elements of F and applies every operation lane by lane.
//
// PackedOn<F, Arch> is selected by an xsimd architecture tag: xsimd::avx512bw and
// xsimd::avx2 have hand-written kernels for the 31-bit fields (Montgomery and
// Mersenne31) and for Goldilocks (packed_avx512.hpp, packed_avx2.hpp); every other
// combination uses the portable array-of-scalars fallback, which works for any field.
// Packed<F> uses the best architecture this translation unit is compiled for, so
// compile every translation unit that shares Packed<F> values with the same -march.
#pragma once

#include <causality/field/packed_avx2.hpp>
#include <causality/field/packed_avx512.hpp>
#include <causality/field/packed_generic.hpp>

namespace causality::field {

// The architecture tag Packed<F> uses in this translation unit.
#if defined(__AVX512F__) && defined(__AVX512BW__)
using native_arch = xsimd::avx512bw;
#elif defined(__AVX2__)
using native_arch = xsimd::avx2;
#else
using native_arch = xsimd::generic;
#endif

template <class F, class Arch>
using PackedOn = typename detail::packed_selector<F, Arch>::type;

template <class F>
using Packed = PackedOn<F, native_arch>;

}  // namespace causality::field
