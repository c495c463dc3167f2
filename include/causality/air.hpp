// causality/air.hpp — the AIR layer: the builder interface and the Air concept, the
// symbolic and debug builders, and the example AIRs.
#pragma once

#include <causality/air/air.hpp>
#include <causality/air/bus.hpp>
#include <causality/air/debug.hpp>
#include <causality/air/examples/fibonacci.hpp>
#include <causality/air/examples/synthetic.hpp>
#include <causality/air/periphery.hpp>
#include <causality/air/symbolic.hpp>

namespace causality::air {

// An AIR over F: a width and an eval that the symbolic and debug builders (and the
// STARK's folders) can run.
template <class A, class F>
concept Air = field::Field<F> && requires(const A& a, SymbolicBuilder<F>& sb, DebugBuilder<F>& db) {
    { a.width() } -> std::convertible_to<std::size_t>;
    a.eval(sb);
    a.eval(db);
};

}  // namespace causality::air
