// causality/field/packed_avx2.hpp — AVX2 kernels: 8 lanes of a 31-bit field
// (Montgomery or Mersenne31), 4 lanes of Goldilocks. Compiled only when __AVX2__ is on.
#pragma once

#include <causality/field/goldilocks.hpp>
#include <causality/field/mersenne31.hpp>
#include <causality/field/monty31.hpp>
#include <causality/field/packed_generic.hpp>

#if defined(__AVX2__)
#include <immintrin.h>

#include <bit>
#include <cstdint>
#include <type_traits>

namespace causality::field::detail {

namespace avx2 {

inline __m256i movehdup(__m256i x) noexcept {  // odd 32-bit lanes copied down to the even ones
    return _mm256_castps_si256(_mm256_movehdup_ps(_mm256_castsi256_ps(x)));
}
// a + b and a - b for canonical words below p < 2^31: the wrapped alternative is larger
// than the right one exactly when it is wrong, so min picks the canonical result.
inline __m256i add31(__m256i a, __m256i b, __m256i p) noexcept {
    const __m256i s = _mm256_add_epi32(a, b);
    return _mm256_min_epu32(s, _mm256_sub_epi32(s, p));
}
inline __m256i sub31(__m256i a, __m256i b, __m256i p) noexcept {
    const __m256i d = _mm256_sub_epi32(a, b);
    return _mm256_min_epu32(d, _mm256_add_epi32(d, p));
}
// Montgomery product of each lane: (ab - q p) / 2^32 with q = ab p^-1 mod 2^32. The
// low halves of ab and qp agree, so the result is hi(ab) - hi(qp), in (-p, p).
inline __m256i monty_mul(__m256i a, __m256i b, __m256i p, __m256i mu) noexcept {
    const __m256i prod_evn = _mm256_mul_epu32(a, b);
    const __m256i prod_odd = _mm256_mul_epu32(movehdup(a), movehdup(b));
    const __m256i q_evn = _mm256_mul_epu32(prod_evn, mu);
    const __m256i q_odd = _mm256_mul_epu32(prod_odd, mu);
    const __m256i qp_evn = _mm256_mul_epu32(q_evn, p);
    const __m256i qp_odd = _mm256_mul_epu32(q_odd, p);
    const __m256i prod_hi = _mm256_blend_epi32(_mm256_srli_epi64(prod_evn, 32), prod_odd, 0b10101010);
    const __m256i qp_hi = _mm256_blend_epi32(_mm256_srli_epi64(qp_evn, 32), qp_odd, 0b10101010);
    return sub31(prod_hi, qp_hi, p);
}
// Signed chains of Montgomery products on 64-bit lanes (the low 32 bits hold a value in
// (-p, p)); the `_wide` form leaves the result in the high half. See packed_avx512.hpp.
inline __m256i monty_mul_signed_wide(__m256i a, __m256i b, __m256i p, __m256i mu) noexcept {
    const __m256i prod = _mm256_mul_epi32(a, b);
    const __m256i q = _mm256_mul_epu32(prod, mu);
    return _mm256_sub_epi64(prod, _mm256_mul_epi32(q, p));
}
inline __m256i monty_mul_signed(__m256i a, __m256i b, __m256i p, __m256i mu) noexcept {
    return _mm256_srli_epi64(monty_mul_signed_wide(a, b, p, mu), 32);
}
template <unsigned D>
inline __m256i monty_exp_small(__m256i x, __m256i p, __m256i mu) noexcept {
    const auto chain = [&](__m256i h) {
        return exp_small_chain<D>(
            h, [&](__m256i a, __m256i b) { return monty_mul_signed(a, b, p, mu); },
            [&](__m256i a, __m256i b) { return monty_mul_signed_wide(a, b, p, mu); });
    };
    const __m256i r =
        _mm256_blend_epi32(_mm256_srli_epi64(chain(x), 32), chain(_mm256_srli_epi64(x, 32)), 0b10101010);
    return _mm256_min_epu32(r, _mm256_add_epi32(r, p));
}
// x * 2^-k for 1 <= k <= two-adicity (see packed_avx512.hpp).
inline __m256i mul_2exp_neg31(__m256i x, unsigned k, std::uint32_t p) noexcept {
    const __m256i m = _mm256_and_si256(_mm256_sub_epi32(_mm256_setzero_si256(), x),
                                       _mm256_set1_epi32(static_cast<int>((1u << k) - 1u)));
    const __m256i t = _mm256_srl_epi32(_mm256_add_epi32(x, m), _mm_cvtsi32_si128(static_cast<int>(k)));
    return _mm256_add_epi32(t, _mm256_mullo_epi32(m, _mm256_set1_epi32(static_cast<int>((p - 1u) >> k))));
}
// Mersenne31 product: ab = lo31 + 2^31 hi folds to lo31 + hi.
inline __m256i mersenne_mul(__m256i a, __m256i b, __m256i p) noexcept {
    const __m256i prod_evn = _mm256_mul_epu32(a, b);
    const __m256i prod_odd = _mm256_mul_epu32(movehdup(a), movehdup(b));
    const __m256i lo = _mm256_and_si256(
        _mm256_blend_epi32(prod_evn, _mm256_slli_epi64(prod_odd, 32), 0b10101010), p);
    const __m256i hi =
        _mm256_blend_epi32(_mm256_srli_epi64(prod_evn, 31), _mm256_slli_epi64(prod_odd, 1), 0b10101010);
    return add31(lo, hi, p);
}

template <class F>
struct Field31Kernel {
    using arch = xsimd::avx2;
    using reg = __m256i;
    static constexpr std::size_t width = 8;

    static reg modulus() noexcept { return _mm256_set1_epi32(static_cast<int>(F::modulus)); }
    static reg load(const F* src) noexcept { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(src)); }
    static void store(F* dst, reg v) noexcept { _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst), v); }
    static reg splat(F x) noexcept { return _mm256_set1_epi32(static_cast<int>(std::bit_cast<std::uint32_t>(x))); }
    static reg add(reg a, reg b) noexcept { return add31(a, b, modulus()); }
    static reg sub(reg a, reg b) noexcept { return sub31(a, b, modulus()); }
    static reg neg(reg a) noexcept { return sub31(_mm256_setzero_si256(), a, modulus()); }
    static reg mul(reg a, reg b) noexcept {
        if constexpr (is_monty_field31<F>)
            return monty_mul(a, b, modulus(), _mm256_set1_epi32(static_cast<int>(F::monty_mu)));
        else
            return mersenne_mul(a, b, modulus());
    }
    static bool equal(reg a, reg b) noexcept {
        return _mm256_movemask_epi8(_mm256_cmpeq_epi32(a, b)) == -1;
    }
    template <unsigned D>
        requires(is_monty_field31<F> && (D == 3 || D == 5 || D == 7))
    static reg exp_small(reg x) noexcept {
        return monty_exp_small<D>(x, modulus(), _mm256_set1_epi32(static_cast<int>(F::monty_mu)));
    }
    static reg mul_2exp_neg(reg x, unsigned k) noexcept { return mul_2exp_neg31(x, k, F::modulus); }
};

// Goldilocks. AVX2 has no unsigned 64-bit compare, so compare with the sign bit flipped.
inline __m256i lt_u64(__m256i a, __m256i b) noexcept {
    const __m256i sign = _mm256_set1_epi64x(static_cast<long long>(0x8000000000000000ull));
    return _mm256_cmpgt_epi64(_mm256_xor_si256(b, sign), _mm256_xor_si256(a, sign));
}
inline __m256i gl_epsilon() noexcept { return _mm256_set1_epi64x(0xffffffffll); }
inline __m256i gl_modulus() noexcept {
    return _mm256_set1_epi64x(static_cast<long long>(Goldilocks::modulus));
}
inline __m256i gl_canonicalize(__m256i x) noexcept {  // x < 2^64 to [0, p)
    return _mm256_sub_epi64(x, _mm256_andnot_si256(lt_u64(x, gl_modulus()), gl_modulus()));
}
inline __m256i gl_add(__m256i a, __m256i b) noexcept {
    const __m256i s = _mm256_add_epi64(a, b);
    return gl_canonicalize(_mm256_add_epi64(s, _mm256_and_si256(lt_u64(s, a), gl_epsilon())));
}
inline __m256i gl_sub(__m256i a, __m256i b) noexcept {
    const __m256i d = _mm256_sub_epi64(a, b);
    return _mm256_sub_epi64(d, _mm256_and_si256(lt_u64(a, b), gl_epsilon()));
}
// lo + 2^64 hi = lo - hi_hi + (2^32 - 1) hi_lo (mod p), as in Goldilocks::reduce128.
inline __m256i gl_reduce128(__m256i lo, __m256i hi) noexcept {
    const __m256i hi_hi = _mm256_srli_epi64(hi, 32);
    const __m256i hi_lo = _mm256_and_si256(hi, gl_epsilon());
    __m256i t0 = _mm256_sub_epi64(lo, hi_hi);
    t0 = _mm256_sub_epi64(t0, _mm256_and_si256(lt_u64(lo, hi_hi), gl_epsilon()));
    const __m256i t1 = _mm256_sub_epi64(_mm256_slli_epi64(hi_lo, 32), hi_lo);
    __m256i t2 = _mm256_add_epi64(t0, t1);
    t2 = _mm256_add_epi64(t2, _mm256_and_si256(lt_u64(t2, t1), gl_epsilon()));
    return gl_canonicalize(t2);
}
inline __m256i gl_mul(__m256i a, __m256i b) noexcept {
    const __m256i lo32 = gl_epsilon();
    const __m256i a_hi = _mm256_srli_epi64(a, 32);
    const __m256i b_hi = _mm256_srli_epi64(b, 32);
    const __m256i ll = _mm256_mul_epu32(a, b);
    const __m256i lh = _mm256_mul_epu32(a, b_hi);
    const __m256i hl = _mm256_mul_epu32(a_hi, b);
    const __m256i hh = _mm256_mul_epu32(a_hi, b_hi);
    const __m256i mid = _mm256_add_epi64(lh, _mm256_srli_epi64(ll, 32));       // no overflow
    const __m256i mid2 = _mm256_add_epi64(hl, _mm256_and_si256(mid, lo32));    // no overflow
    const __m256i lo = _mm256_or_si256(_mm256_and_si256(ll, lo32), _mm256_slli_epi64(mid2, 32));
    const __m256i hi = _mm256_add_epi64(
        hh, _mm256_add_epi64(_mm256_srli_epi64(mid, 32), _mm256_srli_epi64(mid2, 32)));
    return gl_reduce128(lo, hi);
}

struct GoldilocksKernel {
    using arch = xsimd::avx2;
    using reg = __m256i;
    static constexpr std::size_t width = 4;

    static reg load(const Goldilocks* src) noexcept { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(src)); }
    static void store(Goldilocks* dst, reg v) noexcept { _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst), v); }
    static reg splat(Goldilocks x) noexcept { return _mm256_set1_epi64x(static_cast<long long>(x.to_u64())); }
    static reg add(reg a, reg b) noexcept { return gl_add(a, b); }
    static reg sub(reg a, reg b) noexcept { return gl_sub(a, b); }
    static reg neg(reg a) noexcept { return gl_sub(_mm256_setzero_si256(), a); }
    static reg mul(reg a, reg b) noexcept { return gl_mul(a, b); }
    static bool equal(reg a, reg b) noexcept {
        return _mm256_movemask_epi8(_mm256_cmpeq_epi64(a, b)) == -1;
    }
};

}  // namespace avx2

template <Field31Word F>
    requires(is_monty_field31<F> || std::is_same_v<F, Mersenne31>)
struct packed_selector<F, xsimd::avx2> {
    using type = SimdPacked<F, avx2::Field31Kernel<F>>;
};

template <>
struct packed_selector<Goldilocks, xsimd::avx2> {
    using type = SimdPacked<Goldilocks, avx2::GoldilocksKernel>;
};

}  // namespace causality::field::detail

#endif  // __AVX2__
