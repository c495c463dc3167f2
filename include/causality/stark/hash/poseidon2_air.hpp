// causality/stark/hash/poseidon2_air.hpp — an AIR that proves Poseidon2 permutations, one
// per row, with constraints of degree 3 (so blowup 2 suffices). It lives with the
// permutation (air/ does not depend on stark/); it is written against the builder
// interface of causality/air/air.hpp like any AIR.
//
// Columns of a row (W = width, R = 1 S-box register for degree 5 and 7, 0 for degree 3):
//   input[W]
//   per initial full round:   register[R * W] (x^3 of each S-box input), post[W]
//   per partial round:        register[R], post_sbox (state[0] after its S-box)
//   per terminal full round:  register[R * W], post[W]
// where the S-box input is x = state + round constant, the register holds x^3, and the
// S-box output is x^3 (d = 3), register * x^2 (d = 5) or register^2 * x (d = 7). A full
// round's post columns are the state after the external linear layer; the partial rounds'
// state stays a linear expression in the committed columns. The last full round's post
// columns are the permutation's output (`output_column`). Rows are independent: no
// transition constraints. BabyBear-16 (d = 7, 8 full and 13 partial rounds): 298 columns.
#pragma once

#include <causality/error.hpp>
#include <causality/field/matrix.hpp>
#include <causality/field/packed.hpp>
#include <causality/parallel.hpp>
#include <causality/stark/hash/poseidon2.hpp>

#include <array>
#include <cstddef>
#include <span>
#include <string>
#include <utility>

namespace causality::stark {

template <field::PrimeField F, std::size_t W>
class Poseidon2Air {
public:
    using Permutation = Poseidon2<F, W>;

    explicit Poseidon2Air(Permutation perm) : perm_(std::move(perm)) {
        const unsigned d = perm_.sbox_degree();
        if (d != 3 && d != 5 && d != 7)
            throw Error(ErrorCode::invalid_argument, "Poseidon2Air: S-box degree " + std::to_string(d) +
                                                         " is not supported (3, 5 or 7)");
        registers_ = d == 3 ? 0 : 1;
    }

    [[nodiscard]] std::size_t width() const noexcept {
        return W + perm_.full_rounds() * (registers_ + 1) * W + perm_.partial_rounds() * (registers_ + 1);
    }
    [[nodiscard]] static std::string name() { return "poseidon2-" + std::to_string(W); }
    [[nodiscard]] const Permutation& permutation() const noexcept { return perm_; }

    // Column of the permutation's output element i.
    [[nodiscard]] std::size_t output_column(std::size_t i) const noexcept { return width() - W + i; }

    template <class AB>
    void eval(AB& b) const {
        using Expr = typename AB::Expr;
        const auto m = b.main();
        std::array<Expr, W> s;
        for (std::size_t i = 0; i < W; ++i) s[i] = m.local(i);
        perm_.external_linear_layer(s);
        std::size_t col = W;
        const auto full_round = [&](const std::array<F, W>& rc) {
            for (std::size_t i = 0; i < W; ++i) s[i] = sbox(b, s[i] + rc[i], col);
            perm_.external_linear_layer(s);
            for (std::size_t i = 0; i < W; ++i) {
                const Expr post = m.local(col++);
                b.assert_eq(post, s[i]);
                s[i] = post;
            }
        };
        for (const auto& rc : perm_.initial_round_constants()) full_round(rc);
        for (const F& c : perm_.partial_round_constants()) {
            const Expr out = sbox(b, s[0] + c, col);
            const Expr post = m.local(col++);
            b.assert_eq(post, out);
            s[0] = post;
            perm_.internal_linear_layer(s);
        }
        for (const auto& rc : perm_.terminal_round_constants()) full_round(rc);
    }

    // One row per input state; the number of inputs must be a power of two >= 2.
    // Error(invalid_size) otherwise.
    [[nodiscard]] field::RowMajorMatrix<F> generate_trace(std::span<const std::array<F, W>> inputs) const {
        const std::size_t rows = inputs.size();
        if (rows < 2 || (rows & (rows - 1)) != 0)
            throw Error(ErrorCode::invalid_size, "Poseidon2Air: " + std::to_string(rows) +
                                                     " permutations, need a power of two >= 2 (pad with any input)");
        const std::size_t w = width();
        field::RowMajorMatrix<F> t(static_cast<Eigen::Index>(rows), static_cast<Eigen::Index>(w));
        using P = field::Packed<F>;
        constexpr std::size_t L = P::width;
        const std::size_t blocks = rows / L;
        // Packed: L rows at a time, each column's lanes scattered to the L rows.
        parallel::parallel_for(blocks, 8, [&](std::size_t b, std::size_t e) {
            for (std::size_t blk = b; blk < e; ++blk) {
                std::array<P, W> state;
                for (std::size_t k = 0; k < W; ++k) {
                    std::array<F, L> lanes;
                    for (std::size_t l = 0; l < L; ++l) lanes[l] = inputs[blk * L + l][k];
                    state[k] = P::from_array(lanes);
                }
                F* base = t.data() + blk * L * w;
                fill_row(state, [&](std::size_t c, const P& v) {
                    const auto lanes = v.to_array();
                    for (std::size_t l = 0; l < L; ++l) base[l * w + c] = lanes[l];
                });
            }
        });
        for (std::size_t r = blocks * L; r < rows; ++r) {
            std::array<F, W> state = inputs[r];
            F* row = t.data() + r * w;
            fill_row(state, [&](std::size_t c, const F& v) { row[c] = v; });
        }
        return t;
    }

private:
    // Constrains the S-box of x (degree 1) through its register columns from `col` on and
    // returns its output as an expression of degree 3.
    template <class AB, class Expr>
    Expr sbox(AB& b, const Expr& x, std::size_t& col) const {
        const unsigned d = perm_.sbox_degree();
        if (d == 3) return x * x * x;
        const Expr reg = b.main().local(col++);
        b.assert_eq(reg, x * x * x);
        return d == 5 ? reg * x * x : reg * reg * x;
    }

    // Runs the permutation on `state` (F or packed) and hands every column's value to put.
    template <class T, class Put>
    void fill_row(std::array<T, W>& s, Put&& put) const {
        std::size_t col = 0;
        for (std::size_t i = 0; i < W; ++i) put(col++, s[i]);
        const auto sbox_values = [&](const T& x) {
            const T x3 = x * x * x;
            if (registers_ > 0) put(col++, x3);
            return perm_.sbox_power(x);
        };
        const auto full_round = [&](const std::array<F, W>& rc) {
            for (std::size_t i = 0; i < W; ++i) s[i] = sbox_values(s[i] + rc[i]);
            perm_.external_linear_layer(s);
            for (std::size_t i = 0; i < W; ++i) put(col++, s[i]);
        };
        perm_.external_linear_layer(s);
        for (const auto& rc : perm_.initial_round_constants()) full_round(rc);
        for (const F& c : perm_.partial_round_constants()) {
            s[0] = sbox_values(s[0] + c);
            put(col++, s[0]);
            perm_.internal_linear_layer(s);
        }
        for (const auto& rc : perm_.terminal_round_constants()) full_round(rc);
    }

    Permutation perm_;
    std::size_t registers_ = 1;
};

}  // namespace causality::stark
