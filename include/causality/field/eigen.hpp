// causality/field/eigen.hpp — Eigen integration: Eigen::NumTraits for every Field, so
// that Eigen matrices and vectors of field elements (sums, products, blocks, maps) work.
#pragma once

#include <causality/field/concepts.hpp>

#include <Eigen/Core>

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
        // Elements must hold a valid (canonical) value, so Eigen constructs them (to zero).
        RequireInitialization = 1,
        ReadCost = 1,
        AddCost = 2,
        MulCost = 4,
    };
    static inline int digits10() { return 0; }
};

}  // namespace Eigen
