// causality/stark/hash/poseidon2.hpp — the Poseidon2 permutation, generic over the
// field, the width (a multiple of 4), the S-box degree and the round numbers.
//
// Round structure (as in Plonky3 and the Poseidon2 paper):
//   state = E(state)                                     external linear layer first
//   full_rounds/2 times:  add constants, x^d on every element, state = E(state)
//   partial_rounds times: state[0] += c; state[0] = state[0]^d; state = I(state)
//   full_rounds/2 times:  add constants, x^d on every element, state = E(state)
// E applies a 4x4 matrix M4 to each 4-element chunk and then adds to each element the
// sum of the chunk entries at its position: circ(2 M4, M4, ..., M4). I is 1 + Diag(v):
// I(x)_i = sum(x) + v_i x_i. The same code runs on scalars and on packed fields, where
// one call permutes `width` independent states, one per SIMD lane.
#pragma once

#include <causality/error.hpp>
#include <causality/field/concepts.hpp>
#include <causality/field/packed.hpp>
#include <causality/stark/hash/grain.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace causality::stark {

// The 4x4 block of the external layer.
enum class Poseidon2Mds4 {
    plonky3,  // [[2,3,1,1],[1,2,3,1],[1,1,2,3],[3,1,1,2]]: Plonky3's 31-bit fields
    horizen,  // [[5,7,1,3],[4,6,1,1],[1,3,5,7],[1,1,4,6]]: the paper's, Horizen Labs' Goldilocks
};

template <field::PrimeField F, std::size_t Width>
struct Poseidon2Params {
    unsigned sbox_degree = 7;
    Poseidon2Mds4 mds4 = Poseidon2Mds4::plonky3;
    std::array<F, Width> internal_diag{};      // v in I = 1 + Diag(v)
    Poseidon2Constants<F> constants;           // full_rounds = 2 * initial.size()
};

template <field::PrimeField F, std::size_t Width>
class Poseidon2 {
    static_assert(Width >= 8 && Width % 4 == 0, "Poseidon2 is implemented for widths 8, 12, 16, 20, 24, ...");

public:
    using field_type = F;
    static constexpr std::size_t width = Width;
    static constexpr std::string_view name = "Poseidon2";

    // Checks the parameters: an S-box degree that permutes F, constant shapes that match.
    explicit Poseidon2(Poseidon2Params<F, Width> params) : p_(std::move(params)) {
        const auto d = p_.sbox_degree;
        if (d < 3 || std::gcd<std::uint64_t, std::uint64_t>(d, F::modulus - 1) != 1)
            throw Error(ErrorCode::invalid_argument,
                        "Poseidon2: x^" + std::to_string(d) + " is not a permutation of this field");
        const auto& c = p_.constants;
        if (c.initial.size() != c.terminal.size() || c.initial.empty())
            throw Error(ErrorCode::invalid_argument, "Poseidon2: initial and terminal full rounds must match");
        for (const auto* rows : {&c.initial, &c.terminal})
            for (const auto& row : *rows)
                if (row.size() != Width)
                    throw Error(ErrorCode::invalid_size, "Poseidon2: a full-round constant row has " +
                                                             std::to_string(row.size()) + " entries, not " +
                                                             std::to_string(Width));
        for (const auto& row : c.initial) initial_.push_back(to_array(row));
        for (const auto& row : c.terminal) terminal_.push_back(to_array(row));
        for (std::size_t i = 0; i < Width; ++i) diag_kind_[i] = classify(p_.internal_diag[i], diag_shift_[i]);
    }

    // Constants from the Grain LFSR, as the reference generators produce them.
    static Poseidon2 from_grain(unsigned sbox_degree, unsigned full_rounds, unsigned partial_rounds,
                                const std::array<F, Width>& internal_diag, Poseidon2Mds4 mds4) {
        return Poseidon2(Poseidon2Params<F, Width>{
            sbox_degree, mds4, internal_diag, grain_poseidon2_constants<F>(Width, full_rounds, partial_rounds)});
    }

    [[nodiscard]] const Poseidon2Params<F, Width>& params() const noexcept { return p_; }
    [[nodiscard]] unsigned full_rounds() const noexcept { return static_cast<unsigned>(2 * initial_.size()); }
    [[nodiscard]] unsigned partial_rounds() const noexcept {
        return static_cast<unsigned>(p_.constants.internal.size());
    }

    void permute(std::array<F, Width>& state) const { dispatch(state); }

    // The permutation's pieces, for AIRs and trace generators that follow it round by
    // round (Poseidon2Air). The linear layers run on any type with + and - among
    // its values and * by a field constant: field elements, packed values, extension
    // elements, symbolic expressions.
    [[nodiscard]] unsigned sbox_degree() const noexcept { return p_.sbox_degree; }
    [[nodiscard]] const std::vector<std::array<F, Width>>& initial_round_constants() const noexcept {
        return initial_;
    }
    [[nodiscard]] const std::vector<std::array<F, Width>>& terminal_round_constants() const noexcept {
        return terminal_;
    }
    [[nodiscard]] const std::vector<F>& partial_round_constants() const noexcept { return p_.constants.internal; }
    // v in the internal layer I = 1 + Diag(v).
    [[nodiscard]] const std::array<F, Width>& internal_diag() const noexcept { return p_.internal_diag; }
    template <class T>
    void external_linear_layer(std::array<T, Width>& s) const {
        external_layer(s);
    }
    template <class T>
    void internal_linear_layer(std::array<T, Width>& s) const {
        internal_layer(s);
    }
    // x^d for this permutation's S-box degree.
    template <class T>
    [[nodiscard]] T sbox_power(const T& x) const {
        return with_degree([&]<unsigned D>() { return sbox<D>(x); });
    }

    // `P::width` independent permutations, one per lane of a packed field over F.
    template <field::PackedField P>
        requires std::same_as<typename P::scalar_type, F>
    void permute(std::array<P, Width>& state) const {
        dispatch(state);
    }

    // Permutes every state of `states`, packing Packed<F>::width of them at a time.
    void permute_many(std::span<std::array<F, Width>> states) const {
        using P = field::Packed<F>;
        std::size_t i = 0;
        for (; i + P::width <= states.size(); i += P::width) {
            std::array<P, Width> packed;
            for (std::size_t k = 0; k < Width; ++k) {
                std::array<F, P::width> lanes;
                for (std::size_t l = 0; l < P::width; ++l) lanes[l] = states[i + l][k];
                packed[k] = P::from_array(lanes);
            }
            permute(packed);
            for (std::size_t k = 0; k < Width; ++k) {
                const auto lanes = packed[k].to_array();
                for (std::size_t l = 0; l < P::width; ++l) states[i + l][k] = lanes[l];
            }
        }
        for (; i < states.size(); ++i) permute(states[i]);
    }

private:
    // Diagonal entries the internal layer applies without a general product: small
    // integers by additions, and +-2^-k (k up to the two-adicity) by the packed kernel's
    // shift-based halving where it has one.
    enum class DiagKind : std::uint8_t {
        general, one, two, three, four, neg_one, neg_two, neg_three, neg_four, inv_pow2, neg_inv_pow2
    };

    static DiagKind classify(F v, std::uint8_t& shift) {
        for (int k = 1; k <= 4; ++k) {
            if (v == F(k)) return static_cast<DiagKind>(k);
            if (v == -F(k)) return static_cast<DiagKind>(k + 4);
        }
        if constexpr (field::TwoAdicField<F>) {
            const F half = F(2).inverse();
            F p = F::one();
            for (unsigned k = 1; k <= F::two_adicity && k < 32; ++k) {
                p *= half;
                shift = static_cast<std::uint8_t>(k);
                if (v == p) return DiagKind::inv_pow2;
                if (v == -p) return DiagKind::neg_inv_pow2;
            }
        }
        shift = 0;
        return DiagKind::general;
    }

    static std::array<F, Width> to_array(const std::vector<F>& row) {
        std::array<F, Width> a;
        std::copy(row.begin(), row.end(), a.begin());
        return a;
    }

    // x^d permutes F only when gcd(d, p - 1) = 1, which the constructor checks: the
    // specialised rounds are compiled only for the degrees that can occur (BabyBear and
    // Goldilocks: 7 alone), which halves the permutation code a translation unit builds.
    static constexpr bool permutes(unsigned d) noexcept {
        return std::gcd<std::uint64_t, std::uint64_t>(d, static_cast<std::uint64_t>(F::modulus) - 1) == 1;
    }

    template <class T>
    void dispatch(std::array<T, Width>& state) const {
        with_degree([&]<unsigned D>() { run<D>(state); });
    }

    // fn.template operator()<D>() for the S-box degree: D = 3, 5 or 7 where it permutes the
    // field, else 0 (the generic exponentiation).
    template <class Fn>
    decltype(auto) with_degree(Fn&& fn) const {
        switch (p_.sbox_degree) {
            case 3:
                if constexpr (permutes(3)) return fn.template operator()<3>();
                break;
            case 5:
                if constexpr (permutes(5)) return fn.template operator()<5>();
                break;
            case 7:
                if constexpr (permutes(7)) return fn.template operator()<7>();
                break;
            default: break;
        }
        return fn.template operator()<0>();
    }

    // x^D with a short addition chain for the usual degrees.
    template <unsigned D, class T>
    T sbox(const T& x) const {
        if constexpr (requires { x.template exp_small<D>(); }) {
            return x.template exp_small<D>();
        } else if constexpr (D == 3 || D == 5 || D == 7) {
            const auto mul = [](const T& a, const T& b) { return a * b; };
            return field::detail::exp_small_chain<D>(x, mul, mul);
        } else {
            T result = T::one(), base = x;
            for (unsigned e = p_.sbox_degree; e != 0; e >>= 1) {
                if (e & 1) result = result * base;
                base = base.square();
            }
            return result;
        }
    }

    template <class T>
    void mds4(T& x0, T& x1, T& x2, T& x3) const {
        if (p_.mds4 == Poseidon2Mds4::plonky3) {
            const T t01 = x0 + x1, t23 = x2 + x3, t0123 = t01 + t23;
            const T t01123 = t0123 + x1, t01233 = t0123 + x3;
            const T y0 = t01123 + t01;       // 2 3 1 1
            const T y1 = t01123 + x2 + x2;   // 1 2 3 1
            const T y2 = t01233 + t23;       // 1 1 2 3
            const T y3 = t01233 + x0 + x0;   // 3 1 1 2
            x0 = y0, x1 = y1, x2 = y2, x3 = y3;
        } else {
            const T t0 = x0 + x1, t1 = x2 + x3;
            const T t2 = x1 + x1 + t1, t3 = x3 + x3 + t0;
            const T t1x4 = (t1 + t1) + (t1 + t1), t0x4 = (t0 + t0) + (t0 + t0);
            const T t4 = t1x4 + t3, t5 = t0x4 + t2;
            x0 = t3 + t5;  // 5 7 1 3
            x1 = t5;       // 4 6 1 1
            x2 = t2 + t4;  // 1 3 5 7
            x3 = t4;       // 1 1 4 6
        }
    }

    template <class T>
    void external_layer(std::array<T, Width>& s) const {
        for (std::size_t c = 0; c < Width; c += 4) mds4(s[c], s[c + 1], s[c + 2], s[c + 3]);
        std::array<T, 4> sums{s[0], s[1], s[2], s[3]};
        for (std::size_t c = 4; c < Width; c += 4)
            for (std::size_t k = 0; k < 4; ++k) sums[k] += s[c + k];
        for (std::size_t i = 0; i < Width; ++i) s[i] += sums[i % 4];
    }

    template <std::size_t N, class T>
    static T tree_sum(const T* x) {
        if constexpr (N == 1)
            return x[0];
        else
            return tree_sum<N / 2>(x) + tree_sum<N - N / 2>(x + N / 2);
    }

    // sum(x) + v_i x_i for every i. The sum is a tree (depth log2(Width), not Width) and
    // the entries 1.. are summed before s[0], so only two additions follow the partial
    // round's S-box on the critical path.
    template <class T>
    void internal_layer(std::array<T, Width>& s) const {
        const T sum = tree_sum<Width - 1>(s.data() + 1) + s[0];
        for (std::size_t i = 0; i < Width; ++i) {
            const T x = s[i];
            switch (diag_kind_[i]) {
                case DiagKind::one: s[i] = sum + x; break;
                case DiagKind::two: s[i] = sum + (x + x); break;
                case DiagKind::three: s[i] = sum + (x + x + x); break;
                case DiagKind::four: s[i] = sum + ((x + x) + (x + x)); break;
                case DiagKind::neg_one: s[i] = sum - x; break;
                case DiagKind::neg_two: s[i] = sum - (x + x); break;
                case DiagKind::neg_three: s[i] = sum - (x + x + x); break;
                case DiagKind::neg_four: s[i] = sum - ((x + x) + (x + x)); break;
                case DiagKind::inv_pow2: s[i] = sum + times_diag(x, i); break;
                case DiagKind::neg_inv_pow2: s[i] = sum - times_diag(x, i); break;
                case DiagKind::general: s[i] = sum + x * p_.internal_diag[i]; break;
            }
        }
    }

    // x * |v_i| for a diagonal entry v_i = +-2^-k.
    template <class T>
    T times_diag(const T& x, std::size_t i) const {
        if constexpr (requires { x.mul_2exp_neg(1u); })
            return x.mul_2exp_neg(diag_shift_[i]);
        else
            return diag_kind_[i] == DiagKind::inv_pow2 ? x * p_.internal_diag[i] : x * -p_.internal_diag[i];
    }

    template <unsigned D, class T>
    void full_round(std::array<T, Width>& s, const std::array<F, Width>& rc) const {
        for (std::size_t i = 0; i < Width; ++i) s[i] = sbox<D>(s[i] + rc[i]);
        external_layer(s);
    }

    template <unsigned D, class T>
    void run(std::array<T, Width>& s) const {
        external_layer(s);
        for (const auto& rc : initial_) full_round<D>(s, rc);
        for (const F& c : p_.constants.internal) {
            s[0] = sbox<D>(s[0] + c);
            internal_layer(s);
        }
        for (const auto& rc : terminal_) full_round<D>(s, rc);
    }

    Poseidon2Params<F, Width> p_;
    std::vector<std::array<F, Width>> initial_, terminal_;
    std::array<DiagKind, Width> diag_kind_{};
    std::array<std::uint8_t, Width> diag_shift_{};
};

}  // namespace causality::stark
