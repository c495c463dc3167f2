// causality/stark/hash/poseidon2_derive.hpp — Poseidon2 instances for any prime field,
// derived from the field's parameters alone.
//
// - S-box degree: the smallest d >= 3 with gcd(d, p - 1) = 1 (x^d is then a permutation).
// - Round numbers: the Poseidon paper's security inequalities at a 128-bit target, as the
//   reference script computes them (hadeshash `calc_round_numbers.py`, which Plonky3's
//   round table and Horizen Labs' instances come from): for each R_P in 1..99 the least
//   even R_F above the statistical, interpolation and three Groebner-basis bounds, then
//   the extra binomial bound of eprint 2023/537; with the margins R_F + 2 and
//   R_P * 1.075 (rounded up); the pair of least S-box count t R_F + R_P wins (ties: fewer
//   full rounds).
// - Round constants: the Grain LFSR (grain.hpp) over (p, t, R_F, R_P).
// - Internal matrix M_I = J + Diag(v): the paper (section 5.3, after Grassi, Rechberger and
//   Schofnegger on subspace trails) asks that the minimal polynomials of M_I, M_I^2, ...,
//   M_I^(2t) be irreducible of degree t, which also makes M_I invertible. The entries are
//   drawn from the values the permutation applies by additions or shifts (+-1..4, +-2^-k)
//   by a fixed pseudo-random sequence seeded with (p, t), and the first candidate that
//   passes the check is taken, so the derivation is deterministic.
// - External matrix: circ(2 M4, M4, ..., M4) with the paper's M4.
// Everything is computed once per (field, width), on first use (default_poseidon2).
#pragma once

#include <causality/error.hpp>
#include <causality/field/concepts.hpp>
#include <causality/stark/hash/poseidon2.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <string>
#include <utility>
#include <vector>

namespace causality::stark {

// The smallest d >= 3 with gcd(d, p - 1) = 1.
constexpr unsigned poseidon2_sbox_degree(std::uint64_t p) noexcept {
    unsigned d = 3;
    while (std::gcd<std::uint64_t, std::uint64_t>(d, p - 1) != 1) ++d;
    return d;
}

struct Poseidon2RoundNumbers {
    unsigned full = 0;     // R_F, even: half before and half after the partial rounds
    unsigned partial = 0;  // R_P
    friend bool operator==(const Poseidon2RoundNumbers&, const Poseidon2RoundNumbers&) = default;
};

namespace detail {

inline double log_base(double x, double base) { return std::log(x) / std::log(base); }

// The least R_F that the statistical, interpolation and Groebner bounds allow with R_P
// partial rounds.
inline double poseidon_min_full_rounds(double p, double t, double rp, double alpha, double m) {
    const double log2p = log_base(p, 2), n = std::ceil(log2p);
    const double rf1 = m <= std::floor(log2p - (alpha - 1) / 2.0) * (t + 1) ? 6 : 10;             // statistical
    const double rf2 = 1 + std::ceil(log_base(2, alpha) * std::min(m, n)) + std::ceil(log_base(t, alpha)) - rp;  // interpolation
    const double rf3 = log_base(2, alpha) * std::min(m, log2p) - rp;                             // Groebner 1
    const double rf4 = t - 1 + log_base(2, alpha) * std::min(m / (t + 1), log2p / 2) - rp;       // Groebner 2
    const double rf5 = (t - 2 + m / (2 * log_base(alpha, 2)) - rp) / (t - 1);                    // Groebner 3
    return std::ceil(std::max({rf1, rf2, rf3, rf4, rf5}));
}

// The bound of eprint 2023/537: 2 log2 binomial(over, under) >= M.
inline bool poseidon_extra_check(double t, double rf, double rp, double alpha, double m) {
    const double r = std::floor(t / 3.0);
    const double over = std::floor((rf - 1) * t + rp + r + r * (rf / 2) + rp + alpha);
    const double under = std::floor(r * (rf / 2) + rp + alpha);
    const double log2_binom =
        (std::lgamma(over + 1) - std::lgamma(under + 1) - std::lgamma(over - under + 1)) / std::log(2.0);
    return std::ceil(2 * log2_binom) >= m;
}

}  // namespace detail

// R_F and R_P for `security_bits` of security (with the reference margins), for a prime p,
// width t and S-box degree alpha. Error(invalid_argument) when no pair below 100 partial
// rounds satisfies the bounds, or alpha does not permute the field.
inline Poseidon2RoundNumbers poseidon2_round_numbers(std::uint64_t p, unsigned width, unsigned alpha,
                                                     unsigned security_bits = 128) {
    if (alpha < 3 || std::gcd<std::uint64_t, std::uint64_t>(alpha, p - 1) != 1)
        throw Error(ErrorCode::invalid_argument,
                    "poseidon2_round_numbers: x^" + std::to_string(alpha) + " is not a permutation of F_p");
    const double pd = static_cast<double>(p), t = width, a = alpha, m = security_bits;
    Poseidon2RoundNumbers best;
    double best_cost = 1e300;
    for (unsigned rp = 1; rp < 100; ++rp) {
        double rf = detail::poseidon_min_full_rounds(pd, t, rp, a, m);
        if (static_cast<long long>(rf) % 2 != 0) rf += 1;
        if (!detail::poseidon_extra_check(t, rf, rp, a, m)) continue;
        const double rf_m = rf + 2, rp_m = std::ceil(rp * 1.075);
        const double cost = t * rf_m + rp_m;
        if (cost < best_cost || (cost == best_cost && rf_m < best.full)) {
            best = {static_cast<unsigned>(rf_m), static_cast<unsigned>(rp_m)};
            best_cost = cost;
        }
    }
    if (best.full == 0)
        throw Error(ErrorCode::invalid_argument, "poseidon2_round_numbers: no round numbers for width " +
                                                     std::to_string(width) + " below 100 partial rounds");
    return best;
}

namespace detail {

// Polynomials over F as coefficient vectors, lowest degree first, no trailing zeros.
template <class F>
using Poly = std::vector<F>;

template <class F>
void poly_trim(Poly<F>& a) {
    while (!a.empty() && a.back().is_zero()) a.pop_back();
}

// a mod f, f monic.
template <class F>
Poly<F> poly_mod(Poly<F> a, const Poly<F>& f) {
    const std::size_t n = f.size() - 1;
    poly_trim(a);
    while (a.size() > n) {
        const F c = a.back();
        const std::size_t s = a.size() - 1 - n;
        for (std::size_t i = 0; i <= n; ++i) a[s + i] -= c * f[i];
        a.pop_back();
        poly_trim(a);
    }
    return a;
}

template <class F>
Poly<F> poly_mulmod(const Poly<F>& a, const Poly<F>& b, const Poly<F>& f) {
    if (a.empty() || b.empty()) return {};
    Poly<F> c(a.size() + b.size() - 1, F::zero());
    for (std::size_t i = 0; i < a.size(); ++i)
        for (std::size_t j = 0; j < b.size(); ++j) c[i + j] += a[i] * b[j];
    return poly_mod(std::move(c), f);
}

// The degree of gcd(a, b).
template <class F>
std::size_t poly_gcd_degree(Poly<F> a, Poly<F> b) {
    poly_trim(a);
    poly_trim(b);
    while (!b.empty()) {
        // a mod b with b made monic
        const F inv = b.back().inverse();
        for (auto& x : b) x *= inv;
        a = poly_mod(std::move(a), b);
        std::swap(a, b);
    }
    return a.empty() ? 0 : a.size() - 1;
}

// Rabin's test: a monic f of degree n is irreducible iff x^(p^n) = x mod f and
// gcd(x^(p^(n/q)) - x, f) = 1 for every prime q dividing n. The Frobenius h -> h^p is
// linear over F_p: h(x)^p = h(x^p), applied through the table of x^(ip) mod f.
template <class F>
bool poly_is_irreducible(const Poly<F>& f) {
    const std::size_t n = f.size() - 1;
    if (n <= 1) return n == 1;
    Poly<F> xp{F::one()}, base{F::zero(), F::one()};
    for (std::uint64_t e = static_cast<std::uint64_t>(F::modulus); e != 0; e >>= 1) {
        if (e & 1) xp = poly_mulmod(xp, base, f);
        base = poly_mulmod(base, base, f);
    }
    std::vector<Poly<F>> table(n);  // x^(i p) mod f
    table[0] = {F::one()};
    for (std::size_t i = 1; i < n; ++i) table[i] = poly_mulmod(table[i - 1], xp, f);
    const auto frobenius = [&](const Poly<F>& h) {
        Poly<F> out(n, F::zero());
        for (std::size_t i = 0; i < h.size(); ++i)
            for (std::size_t j = 0; j < table[i].size(); ++j) out[j] += h[i] * table[i][j];
        poly_trim(out);
        return out;
    };
    std::vector<Poly<F>> powers{Poly<F>{F::zero(), F::one()}};  // x^(p^k), k = 0..n
    for (std::size_t k = 1; k <= n; ++k) powers.push_back(k == 1 ? xp : frobenius(powers.back()));
    const auto minus_x = [](Poly<F> h) {
        if (h.size() < 2) h.resize(2, F::zero());
        h[1] -= F::one();
        poly_trim(h);
        return h;
    };
    if (!minus_x(powers[n]).empty()) return false;
    std::size_t m = n;
    for (std::size_t q = 2; q <= m; ++q) {
        if (m % q != 0) continue;
        while (m % q == 0) m /= q;
        if (poly_gcd_degree(minus_x(powers[n / q]), f) != 0) return false;
    }
    return true;
}

// The characteristic polynomial det(x I - A), monic, by the Faddeev-LeVerrier recurrence
// (divides by 1..t, fine in fields of characteristic above t).
template <class F>
Poly<F> charpoly(const std::vector<std::vector<F>>& a) {
    const std::size_t t = a.size();
    Poly<F> c(t + 1, F::zero());
    c[t] = F::one();
    std::vector<std::vector<F>> mk(t, std::vector<F>(t, F::zero()));  // M_0 = 0
    for (std::size_t k = 1; k <= t; ++k) {
        std::vector<std::vector<F>> next(t, std::vector<F>(t, F::zero()));  // A M_{k-1} + c_{t-k+1} I
        for (std::size_t i = 0; i < t; ++i) {
            for (std::size_t l = 0; l < t; ++l) {
                if (mk[l].empty()) continue;
                const F x = a[i][l];
                if (x.is_zero()) continue;
                for (std::size_t j = 0; j < t; ++j) next[i][j] += x * mk[l][j];
            }
            next[i][i] += c[t - k + 1];
        }
        F trace = F::zero();  // tr(A M_k)
        for (std::size_t i = 0; i < t; ++i)
            for (std::size_t l = 0; l < t; ++l) trace += a[i][l] * next[l][i];
        c[t - k] = -trace * F(static_cast<std::uint64_t>(k)).inverse();
        mk = std::move(next);
    }
    return c;
}

template <class F>
std::vector<std::vector<F>> mat_mul(const std::vector<std::vector<F>>& a, const std::vector<std::vector<F>>& b) {
    const std::size_t t = a.size();
    std::vector<std::vector<F>> c(t, std::vector<F>(t, F::zero()));
    for (std::size_t i = 0; i < t; ++i)
        for (std::size_t l = 0; l < t; ++l)
            for (std::size_t j = 0; j < t; ++j) c[i][j] += a[i][l] * b[l][j];
    return c;
}

}  // namespace detail

// The paper's condition on M_I = J + Diag(v): the characteristic polynomials of M_I^k,
// k = 1..2t, are irreducible of degree t (then each is also the minimal polynomial).
template <field::PrimeField F, std::size_t W>
bool poseidon2_internal_matrix_ok(const std::array<F, W>& v) {
    std::vector<std::vector<F>> m(W, std::vector<F>(W, F::one()));
    for (std::size_t i = 0; i < W; ++i) m[i][i] += v[i];
    auto power = m;
    for (std::size_t k = 1; k <= 2 * W; ++k) {
        if (!detail::poly_is_irreducible(detail::charpoly(power))) return false;
        if (k < 2 * W) power = detail::mat_mul(power, m);
    }
    return true;
}

// An internal diagonal for F at width W that passes poseidon2_internal_matrix_ok, chosen
// deterministically among cheap entries (see the header comment).
template <field::PrimeField F, std::size_t W>
std::array<F, W> derive_poseidon2_internal_diag() {
    // Distinct entries: equal entries v_i = v_j give M_I the eigenvector e_i - e_j.
    std::vector<F> cheap;
    const auto add = [&cheap](F x) {
        for (const F& y : cheap)
            if (y == x) return;
        cheap.push_back(x);
    };
    for (std::uint64_t k = 1; k <= 4; ++k) add(F(k)), add(-F(k));
    const F half = F(std::uint64_t{2}).inverse();
    F h = F::one(), g = F(std::uint64_t{4});
    for (unsigned k = 1; k < 32; ++k) {
        h *= half;
        if constexpr (field::TwoAdicField<F>) {
            if (k <= F::two_adicity) add(h), add(-h);
        }
        if (k >= 3) g += g, add(g), add(-g);
    }
    if (cheap.size() < W) throw Error(ErrorCode::invalid_argument, "derive_poseidon2_internal_diag: field too small");
    std::uint64_t state = static_cast<std::uint64_t>(F::modulus) * 0x9e3779b97f4a7c15ull ^ W;
    const auto next = [&state] {  // splitmix64
        std::uint64_t z = (state += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
    };
    for (int attempt = 0; attempt < 10000; ++attempt) {
        for (std::size_t i = cheap.size(); i > 1; --i) std::swap(cheap[i - 1], cheap[next() % i]);  // Fisher-Yates
        std::array<F, W> v;
        std::copy_n(cheap.begin(), W, v.begin());
        if (poseidon2_internal_matrix_ok<F, W>(v)) return v;
    }
    throw Error(ErrorCode::invalid_argument, "derive_poseidon2_internal_diag: no diagonal passes the paper's check");
}

// The derived instance of F at width W (the recipe of the header comment).
template <field::PrimeField F, std::size_t W>
Poseidon2<F, W> derive_poseidon2() {
    const unsigned d = poseidon2_sbox_degree(static_cast<std::uint64_t>(F::modulus));
    const auto rounds = poseidon2_round_numbers(static_cast<std::uint64_t>(F::modulus), W, d);
    return Poseidon2<F, W>::from_grain(d, rounds.full, rounds.partial, derive_poseidon2_internal_diag<F, W>(),
                                       Poseidon2Mds4::horizen);
}

}  // namespace causality::stark
