// causality/air/air.hpp — the builder interface every AIR is written against, and the
// `Air` concept.
//
// An AIR is a type with `width()` and one template `eval(builder)`. Each builder decides
// what an expression is: a degree (symbolic), a field element of one concrete row (debug),
// packed values of 16 rows of the low-degree extension (prover), or an extension-field
// value at the out-of-domain point (verifier). The AIR reads a two-row window of the main
// trace (and of its preprocessed columns), public values and the row selectors, and
// asserts that expressions vanish:
//
//   template <class AB> void eval(AB& b) const {
//       auto m = b.main();
//       b.when_first_row().assert_eq(m.local(0), b.public_value(0));
//       b.when_transition().assert_eq(m.next(1), m.local(0) + m.local(1));
//   }
//
// Expressions support +, - and * among themselves and with base-field constants on either
// side. Optional members: `num_public_values()` (default 0), `name()` (default "air"),
// `preprocessed_width()` and `preprocessed_trace()` (a fixed matrix committed once).
#pragma once

#include <causality/field/concepts.hpp>
#include <causality/field/matrix.hpp>

#include <cstddef>
#include <span>
#include <string>
#include <utility>

namespace causality::air {

// Two consecutive rows of a trace (the last row's next row is the first).
template <class V>
class TwoRowWindow {
public:
    TwoRowWindow() = default;
    TwoRowWindow(std::span<const V> local, std::span<const V> next) noexcept : local_(local), next_(next) {}
    [[nodiscard]] const V& local(std::size_t column) const noexcept { return local_[column]; }
    [[nodiscard]] const V& next(std::size_t column) const noexcept { return next_[column]; }
    [[nodiscard]] std::span<const V> local_row() const noexcept { return local_; }
    [[nodiscard]] std::span<const V> next_row() const noexcept { return next_; }
    [[nodiscard]] std::size_t width() const noexcept { return local_.size(); }

private:
    std::span<const V> local_, next_;
};

template <class Inner>
class FilteredBuilder;

// The assertion helpers every builder shares (CRTP): a builder provides `assert_zero`
// and the selectors; `when(c)` multiplies every constraint asserted through it by c.
template <class Derived, class Expr>
class BuilderBase {
public:
    void assert_eq(const Expr& a, const Expr& b) { self().assert_zero(a - b); }
    // x is 0 or 1.
    void assert_bool(const Expr& x) { self().assert_zero(x * x - x); }
    [[nodiscard]] FilteredBuilder<Derived> when(const Expr& condition) {
        return FilteredBuilder<Derived>(self(), condition);
    }
    [[nodiscard]] FilteredBuilder<Derived> when_first_row() { return when(self().is_first_row()); }
    [[nodiscard]] FilteredBuilder<Derived> when_last_row() { return when(self().is_last_row()); }
    [[nodiscard]] FilteredBuilder<Derived> when_transition() { return when(self().is_transition()); }

private:
    Derived& self() noexcept { return static_cast<Derived&>(*this); }
};

// Constraints asserted through it are multiplied by a condition; everything else is the
// inner builder's.
template <class Inner>
class FilteredBuilder {
public:
    using F = typename Inner::F;
    using Expr = typename Inner::Expr;
    using Var = typename Inner::Var;

    FilteredBuilder(Inner& inner, Expr condition) : inner_(inner), condition_(std::move(condition)) {}

    [[nodiscard]] auto main() const { return inner_.main(); }
    [[nodiscard]] auto preprocessed() const { return inner_.preprocessed(); }
    [[nodiscard]] Expr public_value(std::size_t i) const { return inner_.public_value(i); }
    [[nodiscard]] Expr is_first_row() const { return inner_.is_first_row(); }
    [[nodiscard]] Expr is_last_row() const { return inner_.is_last_row(); }
    [[nodiscard]] Expr is_transition() const { return inner_.is_transition(); }

    void assert_zero(const Expr& x) { inner_.assert_zero(condition_ * x); }
    void assert_eq(const Expr& a, const Expr& b) { assert_zero(a - b); }
    void assert_bool(const Expr& x) { assert_zero(x * x - x); }
    [[nodiscard]] FilteredBuilder when(const Expr& c) const { return FilteredBuilder(inner_, condition_ * c); }
    [[nodiscard]] FilteredBuilder when_first_row() const { return when(inner_.is_first_row()); }
    [[nodiscard]] FilteredBuilder when_last_row() const { return when(inner_.is_last_row()); }
    [[nodiscard]] FilteredBuilder when_transition() const { return when(inner_.is_transition()); }

private:
    Inner& inner_;
    Expr condition_;
};

// Optional AIR members, with their defaults.
template <class A>
std::size_t num_public_values(const A& a) {
    if constexpr (requires { a.num_public_values(); })
        return static_cast<std::size_t>(a.num_public_values());
    else
        return 0;
}
template <class A>
std::string name(const A& a) {
    if constexpr (requires { a.name(); })
        return std::string(a.name());
    else
        return "air";
}
template <class A>
std::size_t preprocessed_width(const A& a) {
    if constexpr (requires { a.preprocessed_width(); })
        return static_cast<std::size_t>(a.preprocessed_width());
    else
        return 0;
}
// The fixed columns (rows x preprocessed_width), or an empty matrix.
template <field::Field F, class A>
field::RowMajorMatrix<F> preprocessed_trace(const A& a) {
    if constexpr (requires { a.preprocessed_trace(); })
        return a.preprocessed_trace();
    else
        return {};
}

}  // namespace causality::air
