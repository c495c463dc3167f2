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
//
// Buses: `b.send(bus, {x, y}, count)` and `b.receive(bus, {x, y}, count)` put a message
// (a tuple of expressions) on a bus, `count` times (an expression or a constant; `when(c)`
// multiplies it by c). Over all AIRs of a proof, every message must be received as often
// as it is sent (LogUp). `PermutationBus` and `LookupBus` name the two usual patterns.
#pragma once

#include <causality/field/concepts.hpp>
#include <causality/field/matrix.hpp>

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <type_traits>
#include <utility>

namespace causality::air {

// Where an assertion was written, captured at the call by the default argument (the
// compilers' __builtin_FILE / __builtin_LINE: std::source_location is missing from clang 14
// with libstdc++ 12).
struct SourceLocation {
    const char* file = "";
    unsigned line = 0;
    static constexpr SourceLocation current(const char* f = __builtin_FILE(), unsigned l = __builtin_LINE()) noexcept {
        return {f, l};
    }
    [[nodiscard]] constexpr const char* file_name() const noexcept { return file; }
    [[nodiscard]] constexpr unsigned line_number() const noexcept { return line; }
};

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

// A bus: messages sent on it must be received as often, over all AIRs of a proof.
using BusId = std::uint32_t;

// The assertion and bus helpers every builder shares (CRTP): a builder provides
// `assert_zero`, the selectors, `constant(F)` and
// `push_interaction(bus, fields, count, is_send)`; `when(c)` multiplies every constraint
// asserted and every count sent through it by c.
//
// Every assertion records where eval asserted it (SourceLocation, captured by the
// default argument): the symbolic builder keeps it per constraint, so that check_constraints,
// the prover's debug check and degree errors name "fibonacci.hpp:42", not only an index.
// Either side of assert_eq may be a base-field constant.
template <class Derived, class Expr>
class BuilderBase {
public:
    template <class A, class B>
    void assert_eq(const A& a, const B& b, SourceLocation loc = SourceLocation::current()) {
        self().assert_zero(to_expr(a) - to_expr(b), loc);
    }
    // x is 0 or 1.
    template <class A>
    void assert_bool(const A& x, SourceLocation loc = SourceLocation::current()) {
        const Expr e = to_expr(x);
        self().assert_zero(e * e - e, loc);
    }

    // count: an expression, or a base-field constant.
    template <class Count>
    void send(BusId bus, std::span<const Expr> fields, const Count& count) {
        self().push_interaction(bus, fields, as_expr(count), true);
    }
    template <class Count>
    void send(BusId bus, std::initializer_list<Expr> fields, const Count& count) {
        send(bus, std::span<const Expr>(fields.begin(), fields.size()), count);
    }
    template <class Count>
    void receive(BusId bus, std::span<const Expr> fields, const Count& count) {
        self().push_interaction(bus, fields, as_expr(count), false);
    }
    template <class Count>
    void receive(BusId bus, std::initializer_list<Expr> fields, const Count& count) {
        receive(bus, std::span<const Expr>(fields.begin(), fields.size()), count);
    }
    [[nodiscard]] FilteredBuilder<Derived> when(const Expr& condition) {
        return FilteredBuilder<Derived>(self(), condition);
    }
    [[nodiscard]] FilteredBuilder<Derived> when_first_row() { return when(self().is_first_row()); }
    [[nodiscard]] FilteredBuilder<Derived> when_last_row() { return when(self().is_last_row()); }
    [[nodiscard]] FilteredBuilder<Derived> when_transition() { return when(self().is_transition()); }

private:
    Derived& self() noexcept { return static_cast<Derived&>(*this); }
    template <class Count>
    Expr as_expr(const Count& c) {
        if constexpr (std::is_same_v<Count, Expr>)
            return c;
        else
            return self().constant(c);
    }
    template <class T>
    Expr to_expr(const T& v) {
        if constexpr (std::is_convertible_v<const T&, Expr>)
            return v;
        else
            return self().constant(v);
    }
};

// Constraints asserted and counts sent through it are multiplied by a condition;
// everything else is the inner builder's. `when` on it composes the conditions.
template <class Inner>
class FilteredBuilder : public BuilderBase<FilteredBuilder<Inner>, typename Inner::Expr> {
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

    void assert_zero(const Expr& x, SourceLocation loc = SourceLocation::current()) {
        inner_.assert_zero(condition_ * x, loc);
    }
    [[nodiscard]] Expr constant(const F& c) const { return inner_.constant(c); }
    void push_interaction(BusId bus, std::span<const Expr> fields, const Expr& count, bool is_send) {
        inner_.push_interaction(bus, fields, condition_ * count, is_send);
    }
    [[nodiscard]] FilteredBuilder when(const Expr& c) const { return FilteredBuilder(inner_, condition_ * c); }
    [[nodiscard]] FilteredBuilder when_first_row() const { return when(inner_.is_first_row()); }
    [[nodiscard]] FilteredBuilder when_last_row() const { return when(inner_.is_last_row()); }
    [[nodiscard]] FilteredBuilder when_transition() const { return when(inner_.is_transition()); }

private:
    Inner& inner_;
    Expr condition_;
};

// A bus whose messages are a permutation: what one AIR sends, another receives, each
// message with the same count on both sides.
struct PermutationBus {
    BusId id;
    template <class AB, class Fields, class Count>
    void send(AB& b, const Fields& fields, const Count& count) const {
        b.send(id, fields, count);
    }
    template <class AB, class Count>
    void send(AB& b, std::initializer_list<typename AB::Expr> fields, const Count& count) const {
        b.send(id, fields, count);
    }
    template <class AB, class Fields, class Count>
    void receive(AB& b, const Fields& fields, const Count& count) const {
        b.receive(id, fields, count);
    }
    template <class AB, class Count>
    void receive(AB& b, std::initializer_list<typename AB::Expr> fields, const Count& count) const {
        b.receive(id, fields, count);
    }
};

// A lookup bus: users look keys up (each lookup sends the key once, or `count` times);
// a table provides each key once, received with the number of lookups as its count.
struct LookupBus {
    BusId id;
    template <class AB, class Count>
    void lookup_key(AB& b, std::initializer_list<typename AB::Expr> key, const Count& count) const {
        b.send(id, key, count);
    }
    template <class AB, class Count>
    void add_key_with_lookups(AB& b, std::initializer_list<typename AB::Expr> key, const Count& lookups) const {
        b.receive(id, key, lookups);
    }
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
// The fixed columns (rows x preprocessed_width), or an empty matrix. An AIR generic over
// the field declares `template <class F> preprocessed_trace()`.
template <field::Field F, class A>
field::RowMajorMatrix<F> preprocessed_trace(const A& a) {
    if constexpr (requires { a.template preprocessed_trace<F>(); })
        return a.template preprocessed_trace<F>();
    else if constexpr (requires { a.preprocessed_trace(); })
        return a.preprocessed_trace();
    else
        return {};
}

}  // namespace causality::air
