// causality/field/interpolate.hpp — evaluating polynomials given by their values on a
// coset at an arbitrary point, typically of an extension field (the out-of-domain
// point of a STARK), without interpolating first.
//
// For the coset x_i = shift * w^i, i < n, and f the polynomial of degree < n through the
// values v_i, the barycentric formula is
//     f(z) = (z^n - shift^n) / (n shift^n) * sum_i v_i x_i / (z - x_i).
#pragma once

#include <causality/error.hpp>
#include <causality/field/batch_inverse.hpp>
#include <causality/field/concepts.hpp>
#include <causality/field/dft.hpp>
#include <causality/field/dot.hpp>
#include <causality/field/matrix.hpp>
#include <causality/parallel.hpp>

#include <cstddef>
#include <span>
#include <string>
#include <vector>

namespace causality::field {

// Horner's rule: sum_i coeffs[i] z^i, with coefficients in F and z in E (E may be F).
template <Field F, Field E>
E evaluate_polynomial(std::span<const F> coeffs, const E& z) {
    E acc = E::zero();
    for (std::size_t i = coeffs.size(); i-- > 0;) acc = acc * z + coeffs[i];
    return acc;
}

// For each column of `evals` (values on shift * H in natural order, H of size rows) the
// value at z of the polynomial of degree < rows through them. Error(invalid_argument)
// when z lies on the coset (the formula needs z - x_i != 0), naming the point.
template <TwoAdicField F, Field E>
std::vector<E> evaluate_on_coset(const RowMajorMatrix<F>& evals, F shift, const E& z) {
    const auto n = static_cast<std::size_t>(evals.rows());
    const auto cols = static_cast<std::size_t>(evals.cols());
    const unsigned log_n = detail::checked_log2<F>(n, "evaluate_on_coset");
    if (shift.is_zero()) throw Error(ErrorCode::invalid_argument, "evaluate_on_coset: the shift is zero");

    const std::vector<F> xs = powers(F::two_adic_generator(log_n), n, shift);
    std::vector<E> weights(n);  // x_i / (z - x_i)
    for (std::size_t i = 0; i < n; ++i) {
        weights[i] = z - xs[i];
        if (weights[i].is_zero())
            throw Error(ErrorCode::invalid_argument,
                        "evaluate_on_coset: the point is the coset element of index " + std::to_string(i));
    }
    batch_inverse(std::span<E>(weights));
    for (std::size_t i = 0; i < n; ++i) weights[i] = weights[i] * xs[i];

    // Per-chunk partial sums (one base-field row per coordinate of E, packed), added in
    // chunk order (field addition is exact anyway).
    constexpr std::size_t D = coordinates_v<F, E>;
    const std::size_t chunks = std::max<std::size_t>(1, std::min<std::size_t>(n / 256, 64));
    std::vector<std::vector<F>> partial(chunks, std::vector<F>(D * cols, F::zero()));
    parallel::parallel_for(chunks, 1, [&](std::size_t c0, std::size_t c1) {
        for (std::size_t ch = c0; ch < c1; ++ch)
            for (std::size_t i = ch * n / chunks; i < (ch + 1) * n / chunks; ++i)
                add_scaled_row<F, E>(partial[ch], weights[i], evals.data() + i * cols, cols);
    });
    const F shift_n = shift.pow(n);
    const E factor = (z.pow(n) - shift_n) * (detail::from_size<F>(n) * shift_n).inverse();
    std::vector<E> out(cols);
    for (std::size_t c = 0; c < cols; ++c) {
        std::array<F, D> v{};
        for (const auto& p : partial)
            for (std::size_t k = 0; k < D; ++k) v[k] += p[k * cols + c];
        out[c] = from_coordinates<F, E>(v) * factor;
    }
    return out;
}

}  // namespace causality::field
