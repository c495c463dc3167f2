// causality/field/dot.hpp — base-by-extension products over rows of a matrix, on packed
// kernels: the inner loops of out-of-domain evaluation and of FRI's DEEP quotients.
//
// An extension element times a base element is its coordinates each times the base
// element, so a sum of such products splits into D base-field sums over the same row,
// one per coordinate, which run Packed<F>::width columns per instruction.
#pragma once

#include <causality/field/concepts.hpp>
#include <causality/field/packed.hpp>

#include <array>
#include <cstddef>
#include <span>
#include <type_traits>
#include <vector>

namespace causality::field {

// Number of base coordinates of E over F (1 when E is F).
template <class F, class E>
inline constexpr std::size_t coordinates_v = [] {
    if constexpr (requires { E::degree; })
        return static_cast<std::size_t>(E::degree);
    else
        return std::size_t{1};
}();

template <class F, class E>
std::array<F, coordinates_v<F, E>> coordinates(const E& x) {
    if constexpr (requires { x.coeff_array(); })
        return x.coeff_array();
    else
        return {x};
}
template <class F, class E>
E from_coordinates(const std::array<F, coordinates_v<F, E>>& c) {
    if constexpr (coordinates_v<F, E> == 1 && std::is_same_v<E, F>)
        return c[0];
    else
        return E(c);
}

// Extension weights laid out as D base-field rows (coordinate k of weight c at
// [k * n + c]), built once and dotted with many rows.
template <class F, class E>
class ExtensionWeights {
public:
    static constexpr std::size_t D = coordinates_v<F, E>;
    explicit ExtensionWeights(const std::vector<E>& w) : n_(w.size()), c_(D * w.size()) {
        for (std::size_t i = 0; i < n_; ++i) {
            const auto a = coordinates<F>(w[i]);
            for (std::size_t k = 0; k < D; ++k) c_[k * n_ + i] = a[k];
        }
    }
    [[nodiscard]] std::size_t size() const noexcept { return n_; }

    // sum_c w[c] * row[c] over the n weights.
    [[nodiscard]] E dot(const F* row) const {
        using P = Packed<F>;
        constexpr std::size_t L = P::width;
        std::array<F, D> out{};
        std::size_t c = 0;
        if (n_ >= L) {
            std::array<P, D> acc;
            acc.fill(P::zero());
            for (; c + L <= n_; c += L) {
                const P r = P::load(row + c);
                for (std::size_t k = 0; k < D; ++k) acc[k] += P::load(c_.data() + k * n_ + c) * r;
            }
            for (std::size_t k = 0; k < D; ++k)
                for (const F& x : acc[k].to_array()) out[k] += x;
        }
        for (; c < n_; ++c)
            for (std::size_t k = 0; k < D; ++k) out[k] += c_[k * n_ + c] * row[c];
        return from_coordinates<F, E>(out);
    }

private:
    std::size_t n_;
    std::vector<F> c_;
};

// acc[k * n + c] += a_k * row[c] for every coordinate k of a and column c < n: a row
// scaled by an extension element, added into D base-field accumulator rows.
template <class F, class E>
void add_scaled_row(std::span<F> acc, const E& a, const F* row, std::size_t n) {
    using P = Packed<F>;
    constexpr std::size_t L = P::width;
    constexpr std::size_t D = coordinates_v<F, E>;
    const auto ak = coordinates<F>(a);
    for (std::size_t k = 0; k < D; ++k) {
        F* out = acc.data() + k * n;
        const P pa = P::broadcast(ak[k]);
        std::size_t c = 0;
        for (; c + L <= n; c += L) (P::load(out + c) + pa * P::load(row + c)).store(out + c);
        for (; c < n; ++c) out[c] += ak[k] * row[c];
    }
}

}  // namespace causality::field
