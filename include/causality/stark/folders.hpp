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

    void assert_zero(const V& x) { acc_ = acc_ + alpha_powers_[index_++] * x; }
    [[nodiscard]] V constant(const F& c) const {
        if constexpr (std::is_same_v<V, F>)
            return c;
        else
            return V::broadcast(c);
    }
    // Bus interactions are the LogUp argument's, not part of the constraint folding;
    // prove() does not accept AIRs that declare any (AirShape::interactions) yet.
    void push_interaction(air::BusId, std::span<const V>, const V&, bool) {}

    [[nodiscard]] const Acc& accumulator() const noexcept { return acc_; }

private:
    std::span<const Acc> alpha_powers_;
    std::size_t index_ = 0;
    Acc acc_{};
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

    void assert_zero(const EF& x) { acc_ = acc_ * alpha_ + x; }  // Horner: the same sum as the prover's
    [[nodiscard]] EF constant(const F& c) const { return EF::from_base(c); }
    // As in ProverFolder: verify() rejects AIRs with bus interactions until LogUp is proved.
    void push_interaction(air::BusId, std::span<const EF>, const EF&, bool) {}

    [[nodiscard]] const EF& accumulator() const noexcept { return acc_; }

private:
    EF alpha_;
    EF acc_ = EF::zero();
};

// Any AIR over SC::Field, behind one type: what a multi-AIR proof takes.
template <StarkConfig SC>
class AirRef {
public:
    using F = typename SC::Field;
    using P = field::Packed<F>;

    template <class A>
        requires(!std::is_same_v<std::remove_cvref_t<A>, AirRef>)
    AirRef(A a)  // NOLINT: implicit, so that {FibonacciAir{}, SyntheticAir(8)} builds a list
        : impl_(std::make_shared<const Model<A>>(std::move(a))) {}

    [[nodiscard]] const air::AirShape& shape() const noexcept { return impl_->shape; }
    void eval(ProverFolder<SC, F>& b) const { impl_->eval(b); }
    void eval(ProverFolder<SC, P>& b) const { impl_->eval(b); }
    void eval(VerifierFolder<SC>& b) const { impl_->eval(b); }
    [[nodiscard]] air::ConstraintReport<F> check(const field::RowMajorMatrix<F>& trace,
                                                 std::span<const F> public_values) const {
        return impl_->check(trace, public_values);
    }
    [[nodiscard]] field::RowMajorMatrix<F> preprocessed_trace() const { return impl_->preprocessed(); }
    // Tallies the messages this AIR puts on buses over `trace` (see air::BusLedger).
    void collect_messages(air::BusLedger<F>& ledger, const field::RowMajorMatrix<F>& trace,
                          std::span<const F> public_values) const {
        impl_->collect(ledger, trace, public_values);
    }

private:
    struct Iface {
        air::AirShape shape;
        virtual ~Iface() = default;
        virtual void eval(ProverFolder<SC, F>&) const = 0;
        virtual void eval(ProverFolder<SC, P>&) const = 0;
        virtual void eval(VerifierFolder<SC>&) const = 0;
        virtual air::ConstraintReport<F> check(const field::RowMajorMatrix<F>&, std::span<const F>) const = 0;
        virtual field::RowMajorMatrix<F> preprocessed() const = 0;
        virtual void collect(air::BusLedger<F>&, const field::RowMajorMatrix<F>&, std::span<const F>) const = 0;
    };
    template <class A>
    struct Model final : Iface {
        explicit Model(A a) : a_(std::move(a)) { this->shape = air::analyze<F>(a_); }
        void eval(ProverFolder<SC, F>& b) const override { a_.eval(b); }
        void eval(ProverFolder<SC, P>& b) const override { a_.eval(b); }
        void eval(VerifierFolder<SC>& b) const override { a_.eval(b); }
        air::ConstraintReport<F> check(const field::RowMajorMatrix<F>& t, std::span<const F> pv) const override {
            return air::check_constraints<F>(a_, t, pv);
        }
        field::RowMajorMatrix<F> preprocessed() const override { return air::preprocessed_trace<F>(a_); }
        void collect(air::BusLedger<F>& l, const field::RowMajorMatrix<F>& t, std::span<const F> pv) const override {
            l.add(a_, t, pv);
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
