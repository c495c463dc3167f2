// causality/air/symbolic.hpp — the symbolic builder: runs an AIR's eval on degrees instead
// of values, to learn the number of constraints and the maximum constraint degree (which
// sizes the quotient), and to check that eval reads only columns and public values that
// exist. `analyze<F>(air)` is the entry point.
#pragma once

#include <causality/air/air.hpp>
#include <causality/error.hpp>

#include <algorithm>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace causality::air {

// "file.hpp:42": where a constraint was asserted (the file's name without its folders).
inline std::string location_label(const SourceLocation& loc) {
    std::string_view f = loc.file_name();
    if (const auto slash = f.find_last_of("/\\"); slash != std::string_view::npos) f.remove_prefix(slash + 1);
    return std::string(f) + ":" + std::to_string(loc.line_number());
}

// The degree of a polynomial expression in the trace columns (and row selectors, which
// count as degree 1, as they do in the quotient).
class SymbolicExpr {
public:
    constexpr SymbolicExpr() noexcept = default;
    constexpr explicit SymbolicExpr(unsigned degree) noexcept : degree_(degree) {}
    [[nodiscard]] constexpr unsigned degree() const noexcept { return degree_; }

    friend constexpr SymbolicExpr operator+(SymbolicExpr a, SymbolicExpr b) noexcept {
        return SymbolicExpr(std::max(a.degree_, b.degree_));
    }
    friend constexpr SymbolicExpr operator-(SymbolicExpr a, SymbolicExpr b) noexcept { return a + b; }
    friend constexpr SymbolicExpr operator-(SymbolicExpr a) noexcept { return a; }
    friend constexpr SymbolicExpr operator*(SymbolicExpr a, SymbolicExpr b) noexcept {
        return SymbolicExpr(a.degree_ + b.degree_);
    }
    SymbolicExpr& operator+=(SymbolicExpr b) noexcept { return *this = *this + b; }
    SymbolicExpr& operator-=(SymbolicExpr b) noexcept { return *this = *this - b; }
    SymbolicExpr& operator*=(SymbolicExpr b) noexcept { return *this = *this * b; }

    // Constants have degree 0.
    template <field::Field F>
    friend constexpr SymbolicExpr operator+(SymbolicExpr a, const F&) noexcept { return a; }
    template <field::Field F>
    friend constexpr SymbolicExpr operator+(const F&, SymbolicExpr a) noexcept { return a; }
    template <field::Field F>
    friend constexpr SymbolicExpr operator-(SymbolicExpr a, const F&) noexcept { return a; }
    template <field::Field F>
    friend constexpr SymbolicExpr operator-(const F&, SymbolicExpr a) noexcept { return a; }
    template <field::Field F>
    friend constexpr SymbolicExpr operator*(SymbolicExpr a, const F&) noexcept { return a; }
    template <field::Field F>
    friend constexpr SymbolicExpr operator*(const F&, SymbolicExpr a) noexcept { return a; }

private:
    unsigned degree_ = 0;
};

// A window that hands out degree-1 variables and remembers reads past its width.
class SymbolicWindow {
public:
    SymbolicWindow(std::size_t width, const char* what, std::string* error) noexcept
        : width_(width), what_(what), error_(error) {}
    [[nodiscard]] SymbolicExpr local(std::size_t column) const { return read(column, "local"); }
    [[nodiscard]] SymbolicExpr next(std::size_t column) const { return read(column, "next"); }
    [[nodiscard]] std::size_t width() const noexcept { return width_; }

private:
    SymbolicExpr read(std::size_t column, const char* row) const {
        if (column >= width_ && error_->empty())
            *error_ = std::string("eval reads ") + what_ + " column " + std::to_string(column) + " (" + row +
                      " row), the trace has " + std::to_string(width_) + " columns";
        return SymbolicExpr(1);
    }
    std::size_t width_;
    const char* what_;
    std::string* error_;
};

// One bus interaction of an AIR, as eval declares it (per row).
struct InteractionShape {
    BusId bus = 0;
    bool is_send = true;
    std::size_t num_fields = 0;
    unsigned field_degree = 0;  // the largest degree among the message's fields
    unsigned count_degree = 0;  // the degree of the count (selectors and `when` included)
    friend bool operator==(const InteractionShape&, const InteractionShape&) = default;
};

template <field::Field FieldT>
class SymbolicBuilder : public BuilderBase<SymbolicBuilder<FieldT>, SymbolicExpr> {
public:
    using F = FieldT;
    using Expr = SymbolicExpr;
    using Var = SymbolicExpr;

    SymbolicBuilder(std::size_t width, std::size_t preprocessed_width, std::size_t num_public_values)
        : width_(width), preprocessed_width_(preprocessed_width), num_public_values_(num_public_values) {}

    [[nodiscard]] SymbolicWindow main() { return SymbolicWindow(width_, "main", &error_); }
    [[nodiscard]] SymbolicWindow preprocessed() {
        return SymbolicWindow(preprocessed_width_, "preprocessed", &error_);
    }
    [[nodiscard]] SymbolicExpr public_value(std::size_t i) {
        if (i >= num_public_values_ && error_.empty())
            error_ = "eval reads public value " + std::to_string(i) + ", the AIR declares " +
                     std::to_string(num_public_values_);
        return SymbolicExpr(0);
    }
    [[nodiscard]] SymbolicExpr is_first_row() const noexcept { return SymbolicExpr(1); }
    [[nodiscard]] SymbolicExpr is_last_row() const noexcept { return SymbolicExpr(1); }
    [[nodiscard]] SymbolicExpr is_transition() const noexcept { return SymbolicExpr(1); }

    void assert_zero(const SymbolicExpr& x, SourceLocation loc = SourceLocation::current()) {
        degrees_.push_back(x.degree());
        locations_.push_back(location_label(loc));
    }
    [[nodiscard]] SymbolicExpr constant(const F&) const noexcept { return SymbolicExpr(0); }
    void push_interaction(BusId bus, std::span<const SymbolicExpr> fields, const SymbolicExpr& count, bool is_send) {
        InteractionShape i{bus, is_send, fields.size(), 0, count.degree()};
        for (const auto& f : fields) i.field_degree = std::max(i.field_degree, f.degree());
        interactions_.push_back(i);
    }
    [[nodiscard]] const std::vector<InteractionShape>& interactions() const noexcept { return interactions_; }

    [[nodiscard]] const std::vector<unsigned>& constraint_degrees() const noexcept { return degrees_; }
    [[nodiscard]] const std::vector<std::string>& constraint_locations() const noexcept { return locations_; }
    [[nodiscard]] const std::string& error() const noexcept { return error_; }

private:
    std::size_t width_, preprocessed_width_, num_public_values_;
    std::vector<unsigned> degrees_;
    std::vector<std::string> locations_;
    std::vector<InteractionShape> interactions_;
    std::string error_;
};

// What the prover and verifier need to know about an AIR before seeing a trace.
struct AirShape {
    std::string name;
    std::size_t width = 0;
    std::size_t preprocessed_width = 0;
    std::size_t num_public_values = 0;
    std::size_t num_constraints = 0;
    std::vector<unsigned> constraint_degrees;      // per constraint, in the order eval asserts them
    std::vector<std::string> constraint_locations;  // "file.hpp:42" per constraint
    unsigned max_degree = 0;  // of any constraint (the LogUp ones too), selectors included
    std::vector<InteractionShape> interactions;  // per row, in the order eval declares them
    // LogUp: the interactions grouped so that each group's constraint
    //   h * prod d_i - sum_i (+-count_i) prod_{j != i} d_j = 0
    // stays within the degree bound (d_i: the message fingerprint, degree of its fields).
    std::vector<std::vector<std::size_t>> interaction_chunks;
    // Extension-field columns of the LogUp trace: one per chunk and the running sum.
    [[nodiscard]] std::size_t logup_columns() const noexcept {
        return interactions.empty() ? 0 : interaction_chunks.size() + 1;
    }
    // LogUp constraints, after the AIR's own: one per chunk, then the running sum's first,
    // transition and last row.
    [[nodiscard]] std::size_t num_logup_constraints() const noexcept {
        return interactions.empty() ? 0 : interaction_chunks.size() + 3;
    }
    // "constraint 3 (fibonacci.hpp:42)", or "bus constraint 0" past the AIR's own.
    [[nodiscard]] std::string constraint_label(std::size_t j) const {
        if (j >= num_constraints) return "bus (LogUp) constraint " + std::to_string(j - num_constraints);
        std::string s = "constraint " + std::to_string(j);
        if (j < constraint_locations.size()) s += " (" + constraint_locations[j] + ")";
        return s;
    }
    // log2 of the number of quotient chunks: the smallest q with 2^q >= max_degree - 1.
    [[nodiscard]] unsigned log_quotient_degree() const noexcept {
        unsigned q = 0;
        while ((1u << q) + 1 < max_degree) ++q;
        return q;
    }
};

// Error(invalid_argument) naming the AIR when its eval reads a column or public value it
// does not have, or it has no columns.
template <field::Field F, class A>
AirShape analyze(const A& a) {
    AirShape s;
    s.name = air::name(a);
    s.width = static_cast<std::size_t>(a.width());
    s.preprocessed_width = air::preprocessed_width(a);
    s.num_public_values = air::num_public_values(a);
    SymbolicBuilder<F> b(s.width, s.preprocessed_width, s.num_public_values);
    a.eval(b);
    if (!b.error().empty()) throw Error(ErrorCode::invalid_argument, "AIR '" + s.name + "': " + b.error());
    if (s.width == 0) throw Error(ErrorCode::invalid_argument, "AIR '" + s.name + "' has no columns");
    s.num_constraints = b.constraint_degrees().size();
    s.constraint_degrees = b.constraint_degrees();
    s.constraint_locations = b.constraint_locations();
    s.interactions = b.interactions();
    for (unsigned d : b.constraint_degrees()) s.max_degree = std::max(s.max_degree, d);
    if (!s.interactions.empty()) {
        // Chunks within max(the AIR's degree, 3), greedily in declaration order; an
        // interaction that alone exceeds it raises the bound to its own degree.
        const auto chunk_degree = [&](const std::vector<std::size_t>& c) {
            unsigned sum = 0, deg = 0;
            for (auto i : c) sum += s.interactions[i].field_degree;
            deg = 1 + sum;
            for (auto i : c) deg = std::max(deg, s.interactions[i].count_degree + sum - s.interactions[i].field_degree);
            return deg;
        };
        const unsigned bound = std::max(s.max_degree, 3u);
        for (std::size_t i = 0; i < s.interactions.size(); ++i) {
            if (!s.interaction_chunks.empty()) {
                auto extended = s.interaction_chunks.back();
                extended.push_back(i);
                if (chunk_degree(extended) <= bound) {
                    s.interaction_chunks.back() = std::move(extended);
                    continue;
                }
            }
            s.interaction_chunks.push_back({i});
        }
        for (const auto& c : s.interaction_chunks) s.max_degree = std::max(s.max_degree, chunk_degree(c));
        s.max_degree = std::max(s.max_degree, 2u);  // the running sum's constraints carry a selector
    }
    return s;
}

}  // namespace causality::air
