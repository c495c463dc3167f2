// causality/field/batch_inverse.hpp — invert many elements with one inversion
// (Montgomery's trick: prefix products, one inverse, a backward pass; 3(n-1) products).
#pragma once

#include <causality/error.hpp>
#include <causality/field/concepts.hpp>

#include <cstddef>
#include <span>
#include <string>
#include <vector>

namespace causality::field {

// Replaces every element by its inverse. Throws Error(division_by_zero) naming the first
// zero element's index; the span is left unchanged in that case.
template <Field F>
void batch_inverse(std::span<F> values) {
    const std::size_t n = values.size();
    if (n == 0) return;
    std::vector<F> prefix(n);
    F acc = F::one();
    for (std::size_t i = 0; i < n; ++i) {
        if (values[i].is_zero())
            throw Error(ErrorCode::division_by_zero,
                        "batch_inverse: element " + std::to_string(i) + " is zero");
        prefix[i] = acc;  // product of values[0..i)
        acc *= values[i];
    }
    F inv = acc.inverse();  // (v_0 ... v_{n-1})^-1
    for (std::size_t i = n; i-- > 0;) {
        const F v = values[i];
        values[i] = inv * prefix[i];
        inv *= v;
    }
}

template <Field F>
void batch_inverse(std::vector<F>& values) {
    batch_inverse(std::span<F>(values));
}

}  // namespace causality::field
