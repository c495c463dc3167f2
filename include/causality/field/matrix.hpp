// causality/field/matrix.hpp — RowMajorMatrix<F>, the matrix of field elements that
// traces, NTTs and commitments share: an Eigen row-major matrix, so row i is one
// contiguous span of width() elements. Helpers give rows as spans and a range of rows.
#pragma once

#include <causality/error.hpp>
#include <causality/field/concepts.hpp>
#include <causality/field/eigen.hpp>
#include <causality/memory.hpp>

#include <Eigen/Core>
#include <range/v3/view/iota.hpp>
#include <range/v3/view/transform.hpp>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <span>
#include <type_traits>
#include <string>
#include <vector>

namespace causality::field {

template <class F>
using RowMajorMatrix = Eigen::Matrix<F, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

namespace detail {
// Sets count elements to zero: one memset when the zero element is all zero bytes.
template <Field F>
void fill_zero(F* data, std::size_t count) {
    if (count == 0) return;  // an empty Eigen matrix has a null data pointer
    if constexpr (std::is_trivially_copyable_v<F>) {
        const F zero = F::zero();
        const unsigned char* bytes = reinterpret_cast<const unsigned char*>(&zero);
        if (std::all_of(bytes, bytes + sizeof(F), [](unsigned char b) { return b == 0; })) {
            memory::advise_huge_pages(data, count * sizeof(F));  // before the first touch
            std::memset(static_cast<void*>(data), 0, count * sizeof(F));
            return;
        }
    }
    std::fill(data, data + count, F::zero());
}
}  // namespace detail

// A rows x cols matrix of zeros. (RowMajorMatrix<F>(rows, cols) leaves the elements of a
// trivially copyable field uninitialised, as Eigen does for double.)
template <Field F>
RowMajorMatrix<F> zero_matrix(std::size_t rows, std::size_t cols) {
    RowMajorMatrix<F> m(static_cast<Eigen::Index>(rows), static_cast<Eigen::Index>(cols));
    detail::fill_zero(m.data(), rows * cols);
    return m;
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
