// causality/field/matrix.hpp — RowMajorMatrix<F>, the matrix of field elements that
// traces, NTTs and commitments share: an Eigen row-major matrix, so row i is one
// contiguous span of width() elements. Helpers give rows as spans and a range of rows.
#pragma once

#include <causality/error.hpp>
#include <causality/field/concepts.hpp>
#include <causality/field/eigen.hpp>

#include <Eigen/Core>
#include <range/v3/view/iota.hpp>
#include <range/v3/view/transform.hpp>

#include <algorithm>
#include <cstddef>
#include <span>
#include <string>
#include <vector>

namespace causality::field {

template <class F>
using RowMajorMatrix = Eigen::Matrix<F, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// A rows x cols matrix of zeros.
template <Field F>
RowMajorMatrix<F> zero_matrix(std::size_t rows, std::size_t cols) {
    return RowMajorMatrix<F>(static_cast<Eigen::Index>(rows), static_cast<Eigen::Index>(cols));
}

// A matrix from row-major values; Error(invalid_size) unless values.size() == rows * cols.
template <Field F>
RowMajorMatrix<F> matrix_from_rows(std::span<const F> values, std::size_t cols) {
    if (cols == 0 || values.size() % cols != 0)
        throw Error(ErrorCode::invalid_size, std::to_string(values.size()) +
                                                 " values do not fill rows of width " + std::to_string(cols));
    RowMajorMatrix<F> m = zero_matrix<F>(values.size() / cols, cols);
    std::copy(values.begin(), values.end(), m.data());
    return m;
}

template <class F>
std::span<F> row_span(RowMajorMatrix<F>& m, std::size_t row) {
    return {m.data() + row * static_cast<std::size_t>(m.cols()), static_cast<std::size_t>(m.cols())};
}
template <class F>
std::span<const F> row_span(const RowMajorMatrix<F>& m, std::size_t row) {
    return {m.data() + row * static_cast<std::size_t>(m.cols()), static_cast<std::size_t>(m.cols())};
}

// The rows of m as a range of spans: for (auto row : rows(m)) ...
template <class F>
auto rows(const RowMajorMatrix<F>& m) {
    return ranges::views::iota(std::size_t{0}, static_cast<std::size_t>(m.rows())) |
           ranges::views::transform([&m](std::size_t r) { return row_span(m, r); });
}
template <class F>
auto rows(RowMajorMatrix<F>& m) {
    return ranges::views::iota(std::size_t{0}, static_cast<std::size_t>(m.rows())) |
           ranges::views::transform([&m](std::size_t r) { return row_span(m, r); });
}

}  // namespace causality::field
