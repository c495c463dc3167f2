// causality/field/packed_avx512.hpp — AVX-512 kernels: 16 lanes of a 31-bit field
// (Montgomery or Mersenne31), 8 lanes of Goldilocks. Compiled only when __AVX512F__ and
// __AVX512BW__ are on. Same algorithms as packed_avx2.hpp; AVX-512's unsigned compares
// into mask registers replace the sign-flip tricks.
#pragma once

#include <causality/field/goldilocks.hpp>
#include <causality/field/mersenne31.hpp>
#include <causality/field/monty31.hpp>
#include <causality/field/packed_generic.hpp>

#if defined(__AVX512F__) && defined(__AVX512BW__)
#include <immintrin.h>

#include <bit>
#include <cstdint>
#include <type_traits>

namespace causality::field::detail {

namespace avx512 {

constexpr __mmask16 odd_lanes = 0xaaaa;

// GCC 12's unmasked forms of these intrinsics start from _mm512_undefined_epi32(), which
// trips -Wuninitialized after inlining (GCC bug 105593). The zero-masked forms with an
// all-ones mask compile to the same instructions and keep users' -Werror builds clean.
inline __m512i mul_epu32(__m512i a, __m512i b) noexcept { return _mm512_maskz_mul_epu32(0xff, a, b); }
inline __m512i srli64(__m512i a, unsigned s) noexcept { return _mm512_maskz_srli_epi64(0xff, a, s); }
inline __m512i slli64(__m512i a, unsigned s) noexcept { return _mm512_maskz_slli_epi64(0xff, a, s); }
inline __m512i min_epu32(__m512i a, __m512i b) noexcept { return _mm512_maskz_min_epu32(0xffff, a, b); }
inline __m512i movehdup(__m512i x) noexcept {
    return _mm512_castps_si512(_mm512_maskz_movehdup_ps(0xffff, _mm512_castsi512_ps(x)));
}
inline __m512i add31(__m512i a, __m512i b, __m512i p) noexcept {
    const __m512i s = _mm512_add_epi32(a, b);
    return min_epu32(s, _mm512_sub_epi32(s, p));
}
inline __m512i sub31(__m512i a, __m512i b, __m512i p) noexcept {
    const __m512i d = _mm512_sub_epi32(a, b);
    return min_epu32(d, _mm512_add_epi32(d, p));
}
// The high 32-bit halves of the 64-bit lanes of `evn` (into the even lanes) and of `odd`
// (left in the odd lanes): one masked shuffle.
inline __m512i merge_high_halves(__m512i evn, __m512i odd) noexcept {
    return _mm512_castps_si512(_mm512_mask_movehdup_ps(_mm512_castsi512_ps(odd), static_cast<__mmask16>(~odd_lanes),
                                                       _mm512_castsi512_ps(evn)));
}
// A signed word in (-p, p) to its canonical residue.
inline __m512i canonical_from_signed(__m512i x, __m512i p) noexcept { return min_epu32(x, _mm512_add_epi32(x, p)); }
// Montgomery product of each lane: (ab - q p) / 2^32 with q = ab p^-1 mod 2^32. The low
// halves of ab and qp agree, so the 64-bit difference holds the result, in (-p, p), in
// its high half.
inline __m512i monty_mul(__m512i a, __m512i b, __m512i p, __m512i mu) noexcept {
    const __m512i prod_evn = mul_epu32(a, b);
    const __m512i prod_odd = mul_epu32(movehdup(a), movehdup(b));
    const __m512i q_evn = mul_epu32(prod_evn, mu);
    const __m512i q_odd = mul_epu32(prod_odd, mu);
    const __m512i d_evn = _mm512_sub_epi64(prod_evn, mul_epu32(q_evn, p));
    const __m512i d_odd = _mm512_sub_epi64(prod_odd, mul_epu32(q_odd, p));
    return canonical_from_signed(merge_high_halves(d_evn, d_odd), p);
}
// The same product on 64-bit lanes whose low 32 bits hold a signed value in (-p, p): the
// difference ab - qp, whose high half is the result. Chains of products (the power maps
// of hash S-boxes) stay in this form and skip the per-product merge and reduction.
inline __m512i monty_mul_signed_wide(__m512i a, __m512i b, __m512i p, __m512i mu) noexcept {
    const __m512i prod = _mm512_maskz_mul_epi32(0xff, a, b);  // |ab| < p^2
    const __m512i q = mul_epu32(prod, mu);                     // low 32 bits: q
    return _mm512_sub_epi64(prod, _mm512_maskz_mul_epi32(0xff, q, p));
}
inline __m512i monty_mul_signed(__m512i a, __m512i b, __m512i p, __m512i mu) noexcept {
    return srli64(monty_mul_signed_wide(a, b, p, mu), 32);
}
// x^D for D in {3, 5, 7} on the even and odd lanes separately, one merge at the end.
template <unsigned D>
inline __m512i monty_exp_small(__m512i x, __m512i p, __m512i mu) noexcept {
    const auto chain = [&](__m512i h) {
        return exp_small_chain<D>(
            h, [&](__m512i a, __m512i b) { return monty_mul_signed(a, b, p, mu); },
            [&](__m512i a, __m512i b) { return monty_mul_signed_wide(a, b, p, mu); });
    };
    return canonical_from_signed(merge_high_halves(chain(x), chain(srli64(x, 32))), p);
}
// x * 2^-k for 1 <= k <= two-adicity, canonical in and out: with m = -x mod 2^k,
// x + m p is divisible by 2^k (p = 1 mod 2^k) and (x + m p) / 2^k
// = (x + m) / 2^k + m (p - 1) / 2^k < p. No products of 64 bits, no reduction.
inline __m512i mul_2exp_neg31(__m512i x, unsigned k, std::uint32_t p) noexcept {
    const __m512i m = _mm512_and_si512(_mm512_sub_epi32(_mm512_setzero_si512(), x),
                                       _mm512_set1_epi32(static_cast<int>((1u << k) - 1u)));
    const __m512i t = _mm512_maskz_srl_epi32(0xffff, _mm512_add_epi32(x, m), _mm_cvtsi32_si128(static_cast<int>(k)));
    return _mm512_add_epi32(t, _mm512_mullo_epi32(m, _mm512_set1_epi32(static_cast<int>((p - 1u) >> k))));
}
inline __m512i mersenne_mul(__m512i a, __m512i b, __m512i p) noexcept {
    const __m512i prod_evn = mul_epu32(a, b);
    const __m512i prod_odd = mul_epu32(movehdup(a), movehdup(b));
    const __m512i lo = _mm512_and_si512(
        _mm512_mask_blend_epi32(odd_lanes, prod_evn, slli64(prod_odd, 32)), p);
    const __m512i hi = _mm512_mask_blend_epi32(odd_lanes, srli64(prod_evn, 31),
                                               slli64(prod_odd, 1));
    return add31(lo, hi, p);
}

template <class F>
struct Field31Kernel {
    using arch = xsimd::avx512bw;
    using reg = __m512i;
    static constexpr std::size_t width = 16;

    static reg modulus() noexcept { return _mm512_set1_epi32(static_cast<int>(F::modulus)); }
    static reg load(const F* src) noexcept { return _mm512_loadu_si512(src); }
    static void store(F* dst, reg v) noexcept { _mm512_storeu_si512(dst, v); }
    static reg splat(F x) noexcept { return _mm512_set1_epi32(static_cast<int>(std::bit_cast<std::uint32_t>(x))); }
    static reg add(reg a, reg b) noexcept { return add31(a, b, modulus()); }
    static reg sub(reg a, reg b) noexcept { return sub31(a, b, modulus()); }
    static reg neg(reg a) noexcept { return sub31(_mm512_setzero_si512(), a, modulus()); }
    static reg mul(reg a, reg b) noexcept {
        if constexpr (is_monty_field31<F>)
            return monty_mul(a, b, modulus(), _mm512_set1_epi32(static_cast<int>(F::monty_mu)));
        else
            return mersenne_mul(a, b, modulus());
    }
    static bool equal(reg a, reg b) noexcept { return _mm512_cmpneq_epu32_mask(a, b) == 0; }
    template <unsigned D>
        requires(is_monty_field31<F> && (D == 3 || D == 5 || D == 7))
    static reg exp_small(reg x) noexcept {
        return monty_exp_small<D>(x, modulus(), _mm512_set1_epi32(static_cast<int>(F::monty_mu)));
    }
    static reg mul_2exp_neg(reg x, unsigned k) noexcept { return mul_2exp_neg31(x, k, F::modulus); }
};

inline __m512i gl_epsilon() noexcept { return _mm512_set1_epi64(0xffffffffll); }
inline __m512i gl_modulus() noexcept { return _mm512_set1_epi64(static_cast<long long>(Goldilocks::modulus)); }
inline __m512i gl_canonicalize(__m512i x) noexcept {
    return _mm512_mask_sub_epi64(x, _mm512_cmpge_epu64_mask(x, gl_modulus()), x, gl_modulus());
}
inline __m512i gl_add(__m512i a, __m512i b) noexcept {
    const __m512i s = _mm512_add_epi64(a, b);
    return gl_canonicalize(_mm512_mask_add_epi64(s, _mm512_cmplt_epu64_mask(s, a), s, gl_epsilon()));
}
inline __m512i gl_sub(__m512i a, __m512i b) noexcept {
    const __m512i d = _mm512_sub_epi64(a, b);
    return _mm512_mask_sub_epi64(d, _mm512_cmplt_epu64_mask(a, b), d, gl_epsilon());
}
inline __m512i gl_reduce128(__m512i lo, __m512i hi) noexcept {
    const __m512i hi_hi = srli64(hi, 32);
    const __m512i hi_lo = _mm512_and_si512(hi, gl_epsilon());
    __m512i t0 = _mm512_sub_epi64(lo, hi_hi);
    t0 = _mm512_mask_sub_epi64(t0, _mm512_cmplt_epu64_mask(lo, hi_hi), t0, gl_epsilon());
    const __m512i t1 = _mm512_sub_epi64(slli64(hi_lo, 32), hi_lo);
    __m512i t2 = _mm512_add_epi64(t0, t1);
    t2 = _mm512_mask_add_epi64(t2, _mm512_cmplt_epu64_mask(t2, t1), t2, gl_epsilon());
    return gl_canonicalize(t2);
}
inline __m512i gl_mul(__m512i a, __m512i b) noexcept {
    const __m512i lo32 = gl_epsilon();
    const __m512i a_hi = srli64(a, 32);
    const __m512i b_hi = srli64(b, 32);
    const __m512i ll = mul_epu32(a, b);
    const __m512i lh = mul_epu32(a, b_hi);
    const __m512i hl = mul_epu32(a_hi, b);
    const __m512i hh = mul_epu32(a_hi, b_hi);
    const __m512i mid = _mm512_add_epi64(lh, srli64(ll, 32));
    const __m512i mid2 = _mm512_add_epi64(hl, _mm512_and_si512(mid, lo32));
    const __m512i lo = _mm512_or_si512(_mm512_and_si512(ll, lo32), slli64(mid2, 32));
    const __m512i hi = _mm512_add_epi64(
        hh, _mm512_add_epi64(srli64(mid, 32), srli64(mid2, 32)));
    return gl_reduce128(lo, hi);
}

struct GoldilocksKernel {
    using arch = xsimd::avx512bw;
    using reg = __m512i;
    static constexpr std::size_t width = 8;

    static reg load(const Goldilocks* src) noexcept { return _mm512_loadu_si512(src); }
    static void store(Goldilocks* dst, reg v) noexcept { _mm512_storeu_si512(dst, v); }
    static reg splat(Goldilocks x) noexcept { return _mm512_set1_epi64(static_cast<long long>(x.to_u64())); }
    static reg add(reg a, reg b) noexcept { return gl_add(a, b); }
    static reg sub(reg a, reg b) noexcept { return gl_sub(a, b); }
    static reg neg(reg a) noexcept { return gl_sub(_mm512_setzero_si512(), a); }
    static reg mul(reg a, reg b) noexcept { return gl_mul(a, b); }
    static bool equal(reg a, reg b) noexcept { return _mm512_cmpneq_epu64_mask(a, b) == 0; }
};

}  // namespace avx512

template <Field31Word F>
    requires(is_monty_field31<F> || std::is_same_v<F, Mersenne31>)
struct packed_selector<F, xsimd::avx512bw> {
    using type = SimdPacked<F, avx512::Field31Kernel<F>>;
};

template <>
struct packed_selector<Goldilocks, xsimd::avx512bw> {
    using type = SimdPacked<Goldilocks, avx512::GoldilocksKernel>;
};

}  // namespace causality::field::detail

#endif  // __AVX512F__ && __AVX512BW__
