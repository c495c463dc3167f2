// causality/air/periphery.hpp — lookup tables that other AIRs share over a LookupBus:
//
//   RangeCheckAir       values in [0, 2^bits): message (value)
//   BitwiseAir          8-bit AND, OR, XOR: message (x, y, x op y, op) with op in BitwiseOp
//   VariableRangeAir    value < 2^b for any b <= max_bits: message (value, b)
//
// Each table's keys are fixed (preprocessed) columns; its main trace holds, per key, how
// many times it was looked up. A user AIR looks a key up with `bus.lookup_key(b, {...},
// count)`; the matching *Counts class records the same lookups on the host while the user
// fills its own trace, and then produces the table's trace.
#pragma once

#include <causality/air/air.hpp>
#include <causality/error.hpp>
#include <causality/field/matrix.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace causality::air {

namespace detail {
// Lookup counts (row-major, `cols` per row) as a table's main trace.
template <class F>
field::RowMajorMatrix<F> counts_matrix(const std::vector<std::uint64_t>& counts, std::size_t cols) {
    field::RowMajorMatrix<F> m(static_cast<Eigen::Index>(counts.size() / cols), static_cast<Eigen::Index>(cols));
    for (std::size_t i = 0; i < counts.size(); ++i) m.data()[i] = F::from_u64(counts[i]);
    return m;
}
}  // namespace detail

// Values in [0, 2^bits), 1 <= bits <= 20: 2^bits rows, one lookup count column.
class RangeCheckAir {
public:
    RangeCheckAir(LookupBus bus, unsigned bits) : bus_(bus), bits_(bits) {
        if (bits < 1 || bits > 20)
            throw Error(ErrorCode::invalid_argument,
                        "RangeCheckAir: " + std::to_string(bits) + " bits (supported: 1 to 20)");
    }
    [[nodiscard]] std::size_t width() const noexcept { return 1; }
    [[nodiscard]] std::size_t preprocessed_width() const noexcept { return 1; }
    [[nodiscard]] std::string name() const { return "range-check-" + std::to_string(bits_); }
    [[nodiscard]] unsigned bits() const noexcept { return bits_; }
    [[nodiscard]] LookupBus bus() const noexcept { return bus_; }

    template <class F>
    [[nodiscard]] field::RowMajorMatrix<F> preprocessed_trace() const {
        field::RowMajorMatrix<F> m(static_cast<Eigen::Index>(rows()), 1);
        for (std::size_t i = 0; i < rows(); ++i) m(static_cast<Eigen::Index>(i), 0) = F::from_u64(i);
        return m;
    }

    template <class AB>
    void eval(AB& b) const {
        bus_.add_key_with_lookups(b, {b.preprocessed().local(0)}, b.main().local(0));
    }

    [[nodiscard]] std::size_t rows() const noexcept { return std::size_t{1} << bits_; }

private:
    LookupBus bus_;
    unsigned bits_;
};

// Counts lookups into a RangeCheckAir and builds its trace.
class RangeCheckCounts {
public:
    explicit RangeCheckCounts(const RangeCheckAir& table) : bits_(table.bits()), counts_(table.rows(), 0) {}
    // Records one lookup; Error(out_of_range) when value >= 2^bits (no valid trace exists).
    void add(std::uint64_t value, std::uint64_t times = 1) {
        if (value >= counts_.size())
            throw Error(ErrorCode::out_of_range, "range check: " + std::to_string(value) + " is not below 2^" +
                                                     std::to_string(bits_));
        counts_[value] += times;
    }
    template <class F>
    [[nodiscard]] field::RowMajorMatrix<F> trace() const {
        return detail::counts_matrix<F>(counts_, 1);
    }

private:
    unsigned bits_;
    std::vector<std::uint64_t> counts_;
};

enum class BitwiseOp : std::uint32_t { and_ = 0, or_ = 1, xor_ = 2 };

// 8-bit AND, OR and XOR: 2^16 rows (x = row >> 8, y = row & 255); fixed columns x, y,
// x & y, x | y, x ^ y; main columns: the lookup counts of AND, OR, XOR.
class BitwiseAir {
public:
    explicit BitwiseAir(LookupBus bus) : bus_(bus) {}
    static constexpr std::size_t rows = std::size_t{1} << 16;
    [[nodiscard]] std::size_t width() const noexcept { return 3; }
    [[nodiscard]] std::size_t preprocessed_width() const noexcept { return 5; }
    [[nodiscard]] static std::string name() { return "bitwise-8"; }
    [[nodiscard]] LookupBus bus() const noexcept { return bus_; }

    template <class F>
    [[nodiscard]] field::RowMajorMatrix<F> preprocessed_trace() const {
        field::RowMajorMatrix<F> m(static_cast<Eigen::Index>(rows), 5);
        for (std::size_t i = 0; i < rows; ++i) {
            const std::uint64_t x = i >> 8, y = i & 0xff;
            const auto r = static_cast<Eigen::Index>(i);
            m(r, 0) = F::from_u64(x);
            m(r, 1) = F::from_u64(y);
            m(r, 2) = F::from_u64(x & y);
            m(r, 3) = F::from_u64(x | y);
            m(r, 4) = F::from_u64(x ^ y);
        }
        return m;
    }

    template <class AB>
    void eval(AB& b) const {
        using F = typename AB::F;
        const auto p = b.preprocessed();
        const auto m = b.main();
        for (std::uint32_t op = 0; op < 3; ++op)
            bus_.add_key_with_lookups(b, {p.local(0), p.local(1), p.local(2 + op), b.constant(F::from_u64(op))},
                                      m.local(op));
    }

private:
    LookupBus bus_;
};

// Counts lookups into a BitwiseAir and builds its trace.
class BitwiseCounts {
public:
    BitwiseCounts() : counts_(3 * BitwiseAir::rows, 0) {}
    // Records x op y and returns the result; Error(out_of_range) unless x, y < 256.
    std::uint32_t add(BitwiseOp op, std::uint32_t x, std::uint32_t y) {
        if (x > 0xff || y > 0xff)
            throw Error(ErrorCode::out_of_range, "bitwise lookup: operands " + std::to_string(x) + ", " +
                                                     std::to_string(y) + " are not 8-bit");
        ++counts_[(x << 8 | y) * 3 + static_cast<std::uint32_t>(op)];
        switch (op) {
            case BitwiseOp::and_: return x & y;
            case BitwiseOp::or_: return x | y;
            case BitwiseOp::xor_: return x ^ y;
        }
        return 0;
    }
    template <class F>
    [[nodiscard]] field::RowMajorMatrix<F> trace() const {
        return detail::counts_matrix<F>(counts_, 3);
    }

private:
    std::vector<std::uint64_t> counts_;
};

// value < 2^b for any 0 <= b <= max_bits (max_bits <= 19): one row per (value, b) pair,
// b ascending, values ascending, plus one padding row (0, 0) to reach 2^(max_bits + 1).
class VariableRangeAir {
public:
    VariableRangeAir(LookupBus bus, unsigned max_bits) : bus_(bus), max_bits_(max_bits) {
        if (max_bits > 19)
            throw Error(ErrorCode::invalid_argument,
                        "VariableRangeAir: max_bits " + std::to_string(max_bits) + " (supported: up to 19)");
    }
    [[nodiscard]] std::size_t width() const noexcept { return 1; }
    [[nodiscard]] std::size_t preprocessed_width() const noexcept { return 2; }
    [[nodiscard]] std::string name() const { return "variable-range-" + std::to_string(max_bits_); }
    [[nodiscard]] unsigned max_bits() const noexcept { return max_bits_; }
    [[nodiscard]] LookupBus bus() const noexcept { return bus_; }
    [[nodiscard]] std::size_t rows() const noexcept { return std::size_t{2} << max_bits_; }
    // The row of (value, bits): 2^bits - 1 + value.
    [[nodiscard]] static std::size_t row_of(std::uint64_t value, unsigned bits) noexcept {
        return (std::size_t{1} << bits) - 1 + value;
    }

    template <class F>
    [[nodiscard]] field::RowMajorMatrix<F> preprocessed_trace() const {
        field::RowMajorMatrix<F> m = field::zero_matrix<F>(rows(), 2);  // the last row: padding (0, 0)
        for (unsigned b = 0; b <= max_bits_; ++b)
            for (std::uint64_t v = 0; v < (std::uint64_t{1} << b); ++v) {
                const auto r = static_cast<Eigen::Index>(row_of(v, b));
                m(r, 0) = F::from_u64(v);
                m(r, 1) = F::from_u64(b);
            }
        return m;
    }

    template <class AB>
    void eval(AB& b) const {
        const auto p = b.preprocessed();
        bus_.add_key_with_lookups(b, {p.local(0), p.local(1)}, b.main().local(0));
    }

private:
    LookupBus bus_;
    unsigned max_bits_;
};

// Counts lookups into a VariableRangeAir and builds its trace.
class VariableRangeCounts {
public:
    explicit VariableRangeCounts(const VariableRangeAir& table) : max_bits_(table.max_bits()), counts_(table.rows(), 0) {}
    // Records value < 2^bits; Error(out_of_range) when it is not, or bits > max_bits.
    void add(std::uint64_t value, unsigned bits) {
        if (bits > max_bits_ || value >= (std::uint64_t{1} << bits))
            throw Error(ErrorCode::out_of_range, "variable range check: " + std::to_string(value) + " < 2^" +
                                                     std::to_string(bits) + " fails or exceeds 2^" +
                                                     std::to_string(max_bits_));
        ++counts_[VariableRangeAir::row_of(value, bits)];
    }
    template <class F>
    [[nodiscard]] field::RowMajorMatrix<F> trace() const {
        return detail::counts_matrix<F>(counts_, 1);
    }

private:
    unsigned max_bits_;
    std::vector<std::uint64_t> counts_;
};

}  // namespace causality::air
