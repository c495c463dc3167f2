// causality/field/eigen.hpp — Eigen integration: Eigen::NumTraits for every Field, so
// that Eigen matrices and vectors of field elements (sums, products, blocks, maps) work.
#pragma once

#include <causality/field/concepts.hpp>

#include <Eigen/Core>

#include <type_traits>

namespace Eigen {

template <causality::field::Field F>
struct NumTraits<F> : GenericNumTraits<F> {
    using Real = F;
    using NonInteger = F;
    using Literal = F;
    using Nested = F;
    enum {
        IsComplex = 0,
        IsInteger = 0,
        IsSigned = 0,
        // Like Eigen matrices of double, a matrix of a trivially copyable field is not
        // initialised on allocation (constructing 2^29 elements one by one took seconds);
        // zero_matrix() zeroes it. Other field types are constructed as usual.
        RequireInitialization = std::is_trivially_copyable_v<F> ? 0 : 1,
        ReadCost = 1,
        AddCost = 2,
        MulCost = 4,
    };
    static inline int digits10() { return 0; }
};

}  // namespace Eigen
