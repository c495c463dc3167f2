// causality/stark/folders.hpp — the STARK's two constraint builders, and `AirRef`, a
// type-erased AIR so that one proof can hold AIRs of different types.
//
// ProverFolder<SC, V> evaluates an AIR on rows of the quotient domain, V = F (one row) or
// Packed<F> (one row per SIMD lane), and folds the constraints with powers of the
// challenge alpha: sum_j alpha^(m-1-j) C_j. VerifierFolder<SC> does the same at the
// out-of-domain point zeta, on the opened values.
#pragma once

#include <causality/air/air.hpp>
#include <causality/air/bus.hpp>
#include <causality/air/debug.hpp>
#include <causality/air/symbolic.hpp>
#include <causality/field/packed.hpp>
#include <causality/field/packed_extension.hpp>
#include <causality/stark/config.hpp>

#include <cstddef>
#include <functional>
#include <memory>
#include <span>
#include <type_traits>
#include <vector>

namespace causality::stark {

// What both folders hand to eval: the two-row windows, public values and selectors, all of
// the folder's value type V.
template <class V>
class FolderInputs {
public:
    FolderInputs(air::TwoRowWindow<V> main, air::TwoRowWindow<V> preprocessed, std::span<const V> public_values,
                 V first, V last, V transition)
        : main_(main),
          preprocessed_(preprocessed),
          public_values_(public_values),
          first_(first),
          last_(last),
          transition_(transition) {}

    [[nodiscard]] air::TwoRowWindow<V> main() const noexcept { return main_; }
    [[nodiscard]] air::TwoRowWindow<V> preprocessed() const noexcept { return preprocessed_; }
    [[nodiscard]] V public_value(std::size_t i) const noexcept { return public_values_[i]; }
    [[nodiscard]] V is_first_row() const noexcept { return first_; }
    [[nodiscard]] V is_last_row() const noexcept { return last_; }
    [[nodiscard]] V is_transition() const noexcept { return transition_; }

private:
    air::TwoRowWindow<V> main_, preprocessed_;
    std::span<const V> public_values_;
    V first_, last_, transition_;
};

// What the LogUp constraints read besides the main trace, in the folder's extension type
// E: the AIR's LogUp columns on the two rows (one per interaction chunk, then the running
// sum), the bus challenges and the AIR's cumulative sum (claimed in the proof).
template <class E>
struct LogUpInputs {
    std::span<const E> local, next;
    E alpha;                         // the fingerprint's offset
    std::span<const E> beta_powers;  // beta^0 .. beta^(max fields + 1)
    E cumulative_sum;
};

// The messages an AIR's eval puts on buses, recorded by a folder.
template <class V>
struct InteractionRecord {
    struct Message {
        air::BusId bus;
        bool is_send;
        std::size_t offset, len;  // into fields
        V count;
    };
    std::vector<Message> messages;
    std::vector<V> fields;
    void push(air::BusId bus, std::span<const V> f, const V& count, bool is_send) {
        messages.push_back({bus, is_send, fields.size(), f.size(), count});
        fields.insert(fields.end(), f.begin(), f.end());
    }
};

// The fingerprint of a message: alpha + (bus + 1) + sum_j beta^(j+1) field_j.
template <class E, class V, class Constant>
E fingerprint(const LogUpInputs<E>& in, air::BusId bus, const V* fields, std::size_t len, Constant&& constant) {
    E d = in.alpha + in.beta_powers[0] * constant(bus + 1);
    for (std::size_t j = 0; j < len; ++j) d += in.beta_powers[j + 1] * fields[j];
    return d;
}

// Asserts the LogUp constraints (AirShape::num_logup_constraints, in its order) through
// f.assert_zero_ext: per chunk h * prod d_i = sum_i (+-count_i) prod_{j != i} d_j, then the
// running sum s: s = sum h on the first row, s' = s + sum h' on transitions, s = the
// cumulative sum on the last row.
template <class Folder, class V, class E>
void eval_logup(Folder& f, const air::AirShape& shape, const InteractionRecord<V>& rec, const LogUpInputs<E>& in) {
    using F = typename Folder::F;
    const auto constant = [&](std::uint64_t c) { return f.constant(F::from_u64(c)); };
    std::vector<E> d(rec.messages.size());
    for (std::size_t i = 0; i < d.size(); ++i) {
        const auto& m = rec.messages[i];
        d[i] = fingerprint(in, m.bus, rec.fields.data() + m.offset, m.len, constant);
    }
    const E zero = in.local[0] - in.local[0];
    E sum_local = zero, sum_next = zero;
    for (std::size_t c = 0; c < shape.interaction_chunks.size(); ++c) {
        const auto& chunk = shape.interaction_chunks[c];
        E all = d[chunk[0]];
        for (std::size_t k = 1; k < chunk.size(); ++k) all = all * d[chunk[k]];
        E rhs = zero;
        for (std::size_t k = 0; k < chunk.size(); ++k) {
            const auto& m = rec.messages[chunk[k]];
            E term = in.beta_powers[0] * m.count;
            for (std::size_t o = 0; o < chunk.size(); ++o)
                if (o != k) term = term * d[chunk[o]];
            rhs = m.is_send ? rhs + term : rhs - term;
        }
        f.assert_zero_ext(in.local[c] * all - rhs);
        sum_local = sum_local + in.local[c];
        sum_next = sum_next + in.next[c];
    }
    const std::size_t s = shape.interaction_chunks.size();
    f.assert_zero_ext((in.local[s] - sum_local) * f.is_first_row());
    f.assert_zero_ext((in.next[s] - in.local[s] - sum_next) * f.is_transition());
    f.assert_zero_ext((in.local[s] - in.cumulative_sum) * f.is_last_row());
}

template <StarkConfig SC, class V>
class ProverFolder : public FolderInputs<V>, public air::BuilderBase<ProverFolder<SC, V>, V> {
public:
    using F = typename SC::Field;
    using EF = typename SC::Challenge;
    using Expr = V;
    using Var = V;
    using Acc = std::conditional_t<std::is_same_v<V, F>, EF, field::PackedExtension<EF>>;

    ProverFolder(FolderInputs<V> inputs, std::span<const Acc> alpha_powers)
        : FolderInputs<V>(inputs), alpha_powers_(alpha_powers) {}

    void assert_zero(const V& x, air::SourceLocation = air::SourceLocation::current()) {
        acc_ = acc_ + alpha_powers_[index_++] * x;
    }
    [[nodiscard]] V constant(const F& c) const {
        if constexpr (std::is_same_v<V, F>)
            return c;
        else
            return V::broadcast(c);
    }
    // Messages are recorded during eval; finish_logup asserts their LogUp constraints.
    void push_interaction(air::BusId bus, std::span<const V> fields, const V& count, bool is_send) {
        record_.push(bus, fields, count, is_send);
    }
    void assert_zero_ext(const Acc& x) { acc_ = acc_ + alpha_powers_[index_++] * x; }
    void finish_logup(const air::AirShape& shape, const LogUpInputs<Acc>& in) {
        if (!shape.interactions.empty()) eval_logup(*this, shape, record_, in);
    }

    [[nodiscard]] const Acc& accumulator() const noexcept { return acc_; }

private:
    std::span<const Acc> alpha_powers_;
    std::size_t index_ = 0;
    Acc acc_{};
    InteractionRecord<V> record_;
};

template <StarkConfig SC>
class VerifierFolder : public FolderInputs<typename SC::Challenge>,
                       public air::BuilderBase<VerifierFolder<SC>, typename SC::Challenge> {
public:
    using F = typename SC::Field;
    using EF = typename SC::Challenge;
    using Expr = EF;
    using Var = EF;

    VerifierFolder(FolderInputs<EF> inputs, EF alpha) : FolderInputs<EF>(inputs), alpha_(alpha) {}

    // Horner: the same sum as the prover's.
    void assert_zero(const EF& x, air::SourceLocation = air::SourceLocation::current()) { acc_ = acc_ * alpha_ + x; }
    [[nodiscard]] EF constant(const F& c) const { return EF::from_base(c); }
    void push_interaction(air::BusId bus, std::span<const EF> fields, const EF& count, bool is_send) {
        record_.push(bus, fields, count, is_send);
    }
    void assert_zero_ext(const EF& x) { assert_zero(x); }
    void finish_logup(const air::AirShape& shape, const LogUpInputs<EF>& in) {
        if (!shape.interactions.empty()) eval_logup(*this, shape, record_, in);
    }

    [[nodiscard]] const EF& accumulator() const noexcept { return acc_; }

private:
    EF alpha_;
    EF acc_ = EF::zero();
    InteractionRecord<EF> record_;
};

namespace detail {
template <class>
inline constexpr bool always_false = false;
}  // namespace detail

// Any AIR over SC::Field, behind one type: what a multi-AIR proof takes.
template <StarkConfig SC>
class AirRef {
public:
    using F = typename SC::Field;
    using P = field::Packed<F>;

    // Anything else than an AIR over F stops here with one English line (and nothing
    // else is instantiated for it).
    template <class A>
        requires(!std::is_same_v<std::remove_cvref_t<A>, AirRef>)
    AirRef(A a) {  // NOLINT: implicit, so that {FibonacciAir{}, SyntheticAir(8)} builds a list
        if constexpr (!requires(const A& x) {
                          { x.width() } -> std::convertible_to<std::size_t>;
                      })
            static_assert(detail::always_false<A>, "AirRef: this type is not an AIR: it has no `width() const`");
        else if constexpr (!requires(const A& x, air::SymbolicBuilder<F>& sb) { x.eval(sb); })
            static_assert(detail::always_false<A>,
                          "AirRef: this type is not an AIR: it has no `template <class AB> void eval(AB&) const` "
                          "that compiles for the library's builders");
        else
            impl_ = std::make_shared<const Model<A>>(std::move(a));
    }

    [[nodiscard]] const air::AirShape& shape() const noexcept { return impl_->shape; }
    void eval(ProverFolder<SC, F>& b) const { impl_->eval(b); }
    void eval(ProverFolder<SC, P>& b) const { impl_->eval(b); }
    void eval(VerifierFolder<SC>& b) const { impl_->eval(b); }
    [[nodiscard]] air::ConstraintReport<F> check(const field::RowMajorMatrix<F>& trace,
                                                 std::span<const F> public_values, std::size_t limit = 10) const {
        return air::detail::constraint_report<F>(static_cast<std::size_t>(trace.rows()), limit,
                                                 [&](const RowVisitor& visit) { return impl_->rows(trace, public_values, visit); });
    }
    [[nodiscard]] field::RowMajorMatrix<F> preprocessed_trace() const { return impl_->preprocessed(); }
    using Message = typename air::DebugBuilder<F>::Message;
    // Calls visit(row, messages) with the messages each row of `trace` puts on buses.
    void row_messages(const field::RowMajorMatrix<F>& trace, std::span<const F> public_values,
                      const std::function<void(std::size_t, const std::vector<Message>&)>& visit) const {
        impl_->rows(trace, public_values, [&](std::size_t r, const air::DebugBuilder<F>& b) { visit(r, b.messages()); });
    }
    // The same with rows on the thread pool: visit is called concurrently for different rows.
    void row_messages_parallel(const field::RowMajorMatrix<F>& trace, std::span<const F> public_values,
                               const std::function<void(std::size_t, const std::vector<Message>&)>& visit) const {
        impl_->rows_parallel(trace, public_values,
                             [&](std::size_t r, const air::DebugBuilder<F>& b) { visit(r, b.messages()); });
    }
    // Tallies the messages this AIR puts on buses over `trace` (see air::BusLedger).
    void collect_messages(air::BusLedger<F>& ledger, const field::RowMajorMatrix<F>& trace,
                          std::span<const F> public_values) const {
        ledger.add_rows([&](const RowVisitor& visit) { return impl_->rows(trace, public_values, visit); });
    }

private:
    // The per-AIR code is only what needs the AIR's type: its evals for the two folders and
    // the symbolic and debug builders, and its fixed trace; reports and ledgers are built
    // from the debug rows here, once per configuration.
    using RowVisitor = std::function<void(std::size_t, const air::DebugBuilder<F>&)>;
    struct Iface {
        air::AirShape shape;
        virtual ~Iface() = default;
        virtual void eval(ProverFolder<SC, F>&) const = 0;
        virtual void eval(ProverFolder<SC, P>&) const = 0;
        virtual void eval(VerifierFolder<SC>&) const = 0;
        virtual field::RowMajorMatrix<F> preprocessed() const = 0;
        // Evaluates every row with the debug builder (air::detail::for_each_row).
        virtual air::AirShape rows(const field::RowMajorMatrix<F>&, std::span<const F>, const RowVisitor&) const = 0;
        virtual air::AirShape rows_parallel(const field::RowMajorMatrix<F>&, std::span<const F>, const RowVisitor&) const = 0;
    };
    template <class A>
    struct Model final : Iface {
        explicit Model(A a) : a_(std::move(a)) { this->shape = air::analyze<F>(a_); }
        void eval(ProverFolder<SC, F>& b) const override { a_.eval(b); }
        void eval(ProverFolder<SC, P>& b) const override { a_.eval(b); }
        void eval(VerifierFolder<SC>& b) const override { a_.eval(b); }
        field::RowMajorMatrix<F> preprocessed() const override { return air::preprocessed_trace<F>(a_); }
        air::AirShape rows(const field::RowMajorMatrix<F>& t, std::span<const F> pv, const RowVisitor& visit) const override {
            return air::detail::for_each_row(a_, t, pv, visit);
        }
        air::AirShape rows_parallel(const field::RowMajorMatrix<F>& t, std::span<const F> pv,
                                    const RowVisitor& visit) const override {
            return air::detail::for_each_row(a_, t, pv, visit, true);
        }
        A a_;
    };
    std::shared_ptr<const Iface> impl_;
};

// The bus balance of a set of traces: every message sent and not received as often (or
// the reverse), with the AIRs involved. Shape errors are Error(invalid_size) naming the AIR.
template <StarkConfig SC>
air::BusReport<typename SC::Field> check_buses(std::span<const AirRef<SC>> airs,
                                               const std::vector<field::RowMajorMatrix<typename SC::Field>>& traces,
                                               const std::vector<std::vector<typename SC::Field>>& public_values,
                                               std::size_t limit = 20) {
    if (traces.size() != airs.size() || public_values.size() != airs.size())
        throw Error(ErrorCode::invalid_size, "check_buses: " + std::to_string(airs.size()) + " AIRs, " +
                                                 std::to_string(traces.size()) + " traces, " +
                                                 std::to_string(public_values.size()) + " public-value lists");
    air::BusLedger<typename SC::Field> ledger;
    for (std::size_t i = 0; i < airs.size(); ++i) airs[i].collect_messages(ledger, traces[i], public_values[i]);
    return ledger.report(limit);
}

}  // namespace causality::stark
