// causality/air/debug.hpp — the debug builder: evaluates an AIR's constraints on every row
// of a concrete trace and reports the rows and constraints that fail, so an AIR author
// sees "row 17, constraint 3" instead of a rejected proof.
#pragma once

#include <causality/air/air.hpp>
#include <causality/air/symbolic.hpp>
#include <causality/error.hpp>
#include <causality/field/matrix.hpp>
#include <causality/parallel.hpp>

#include <cstddef>
#include <span>
#include <type_traits>
#include <sstream>
#include <string>
#include <vector>

namespace causality::air {

template <field::Field FieldT>
class DebugBuilder : public BuilderBase<DebugBuilder<FieldT>, FieldT> {
public:
    using F = FieldT;
    using Expr = F;
    using Var = F;

    DebugBuilder(TwoRowWindow<F> main, TwoRowWindow<F> preprocessed, std::span<const F> public_values,
                 bool first, bool last)
        : main_(main), preprocessed_(preprocessed), public_values_(public_values), first_(first), last_(last) {}

    [[nodiscard]] TwoRowWindow<F> main() const noexcept { return main_; }
    [[nodiscard]] TwoRowWindow<F> preprocessed() const noexcept { return preprocessed_; }
    [[nodiscard]] F public_value(std::size_t i) const noexcept { return public_values_[i]; }
    [[nodiscard]] F is_first_row() const noexcept { return first_ ? F::one() : F::zero(); }
    [[nodiscard]] F is_last_row() const noexcept { return last_ ? F::one() : F::zero(); }
    [[nodiscard]] F is_transition() const noexcept { return last_ ? F::zero() : F::one(); }

    void assert_zero(const F& x, SourceLocation loc = SourceLocation::current()) {
        if (!x.is_zero()) failed_.push_back({index_, x, loc});
        ++index_;
    }
    [[nodiscard]] F constant(const F& c) const noexcept { return c; }

    // A message put on a bus by this row.
    struct Message {
        BusId bus;
        bool is_send;
        std::vector<F> fields;
        F count;
    };
    void push_interaction(BusId bus, std::span<const F> fields, const F& count, bool is_send) {
        messages_.push_back({bus, is_send, std::vector<F>(fields.begin(), fields.end()), count});
    }
    [[nodiscard]] const std::vector<Message>& messages() const noexcept { return messages_; }

    struct Failure {
        std::size_t constraint;
        F value;
        SourceLocation location;
    };
    [[nodiscard]] const std::vector<Failure>& failures() const noexcept { return failed_; }

private:
    TwoRowWindow<F> main_, preprocessed_;
    std::span<const F> public_values_;
    bool first_, last_;
    std::size_t index_ = 0;
    std::vector<Failure> failed_;
    std::vector<Message> messages_;
};

template <field::Field F>
struct ConstraintFailure {
    std::size_t row;
    std::size_t constraint;  // index in the order eval asserts them
    F value;                 // what the constraint evaluated to
    std::string location;    // where eval asserted it: "fibonacci.hpp:42"
};

template <field::Field F>
struct ConstraintReport {
    std::string air;
    std::size_t rows_checked = 0;
    std::vector<ConstraintFailure<F>> failures;  // the first `limit` ones, by row
    std::size_t total_failures = 0;

    [[nodiscard]] bool ok() const noexcept { return total_failures == 0; }
    [[nodiscard]] std::string to_string() const {
        std::ostringstream os;
        if (ok()) {
            os << "AIR '" << air << "': all constraints hold on " << rows_checked << " rows";
            return os.str();
        }
        os << "AIR '" << air << "': " << total_failures << " failing constraint evaluation(s)";
        for (const auto& f : failures)
            os << "; row " << f.row << ", constraint " << f.constraint << " (" << f.location << ") evaluates to "
               << f.value;
        return os.str();
    }
};

namespace detail {

// Evaluates `a` with the debug builder on every row of `trace` (the last row's next row is
// the first, as in the proof) and hands each row's builder to visit(row, builder). Shape
// errors are Error(invalid_size) naming the AIR. With `parallel_rows`, rows are evaluated
// on the thread pool and visit must be safe to call concurrently for different rows.
template <field::Field F, class A, class Visit>
AirShape for_each_row(const A& a, const field::RowMajorMatrix<F>& trace, std::span<const F> public_values,
                      Visit&& visit, bool parallel_rows = false) {
    AirShape shape = analyze<F>(a);
    const auto rows = static_cast<std::size_t>(trace.rows());
    const auto cols = static_cast<std::size_t>(trace.cols());
    if (cols != shape.width)
        throw Error(ErrorCode::invalid_size, "AIR '" + shape.name + "': the trace has " + std::to_string(cols) +
                                                 " columns, the AIR " + std::to_string(shape.width));
    if (rows == 0 || (rows & (rows - 1)) != 0)
        throw Error(ErrorCode::invalid_size, "AIR '" + shape.name + "': the trace has " + std::to_string(rows) +
                                                 " rows, not a power of two");
    if (public_values.size() != shape.num_public_values)
        throw Error(ErrorCode::invalid_size, "AIR '" + shape.name + "': " + std::to_string(public_values.size()) +
                                                 " public values, the AIR declares " +
                                                 std::to_string(shape.num_public_values));
    const field::RowMajorMatrix<F> prep = preprocessed_trace<F>(a);
    const auto prep_cols = static_cast<std::size_t>(prep.cols());
    if (prep_cols != shape.preprocessed_width || (prep_cols > 0 && static_cast<std::size_t>(prep.rows()) != rows))
        throw Error(ErrorCode::invalid_size, "AIR '" + shape.name + "': the preprocessed trace is " +
                                                 std::to_string(prep.rows()) + " x " + std::to_string(prep_cols) +
                                                 ", expected " + std::to_string(rows) + " x " +
                                                 std::to_string(shape.preprocessed_width));
    const auto row = [&](std::size_t r) {
        const std::size_t n = (r + 1) % rows;
        const TwoRowWindow<F> main(std::span<const F>(trace.data() + r * cols, cols),
                                   std::span<const F>(trace.data() + n * cols, cols));
        TwoRowWindow<F> pre;
        if (prep_cols > 0)
            pre = TwoRowWindow<F>(std::span<const F>(prep.data() + r * prep_cols, prep_cols),
                                  std::span<const F>(prep.data() + n * prep_cols, prep_cols));
        DebugBuilder<F> b(main, pre, public_values, r == 0, r + 1 == rows);
        a.eval(b);
        visit(r, b);
    };
    if (parallel_rows)
        parallel::parallel_for(rows, 256, [&](std::size_t begin, std::size_t end) {
            for (std::size_t r = begin; r < end; ++r) row(r);
        });
    else
        for (std::size_t r = 0; r < rows; ++r) row(r);
    return shape;
}

}  // namespace detail

namespace detail {
// The report of a run over every row: run(visit) evaluates the rows (for_each_row, or a
// type-erased AIR's equivalent) and returns the AIR's shape. Independent of the AIR's
// type, so that it is compiled once per field.
template <field::Field F, class RunRows>
ConstraintReport<F> constraint_report(std::size_t rows, std::size_t limit, RunRows&& run) {
    ConstraintReport<F> report;
    const AirShape shape = run([&](std::size_t r, const DebugBuilder<F>& b) {
        for (const auto& f : b.failures()) {
            ++report.total_failures;
            if (report.failures.size() < limit)
                report.failures.push_back({r, f.constraint, f.value, location_label(f.location)});
        }
    });
    report.air = shape.name;
    report.rows_checked = rows;
    return report;
}
}  // namespace detail

// Checks every constraint on every row (the last row's next row is the first, as in the
// proof). Shape errors — a trace of the wrong width, a height that is not a power of two,
// the wrong number of public values — are Error(invalid_size).
template <field::Field F, class A>
ConstraintReport<F> check_constraints(const A& a, const field::RowMajorMatrix<F>& trace,
                                      std::type_identity_t<std::span<const F>> public_values, std::size_t limit = 10) {
    return detail::constraint_report<F>(static_cast<std::size_t>(trace.rows()), limit, [&](const auto& visit) {
        return detail::for_each_row(a, trace, public_values, visit);
    });
}

}  // namespace causality::air
