// causality/field/dft.hpp — number-theoretic transforms over row-major matrices, the
// coset low-degree extension, and the TwoAdicDft concept.
//
// Radix2Dft transforms every column of a RowMajorMatrix at once: each butterfly combines
// two whole rows with one twiddle, vectorised across columns with Packed<F>. To stay in
// cache it splits the layers into levels: the first log(B) layers run on blocks of B
// consecutive rows, each later level on groups of rows {h*2^a + j : all h, j in a run of
// consecutive values} that fit in L2; each level reads the matrix once, instead of once
// per layer, and layers are applied two at a time (radix 4). Rows wider than 16 KiB are
// cut into column strips. Blocks, tiles and rows are spread over the thread pool of
// causality/parallel.hpp; every output element is computed by the same sequence of
// field operations whatever the thread count, so results are bit-identical.
//
// A single long vector uses the four-step method: view it as an n1 x n2 matrix, DFT the
// columns, multiply by twiddles, transpose, DFT the columns again.
//
// Conventions: dft_batch treats each column as coefficients c_0..c_{n-1} and replaces it
// by the evaluations at w^0..w^{n-1} (natural order), w = F::two_adic_generator(log2 n);
// idft_batch is its inverse; coset_lde_batch returns the evaluations on shift * H' with
// |H'| = n * 2^added_bits, in natural or bit-reversed row order.
#pragma once

#include <causality/error.hpp>
#include <causality/field/batch_inverse.hpp>
#include <causality/field/concepts.hpp>
#include <causality/field/matrix.hpp>
#include <causality/field/packed.hpp>
#include <causality/parallel.hpp>

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace causality::field {

enum class RowOrder { natural, bit_reversed };

// The low `bits` bits of x in reverse order.
constexpr std::size_t reverse_bits(std::size_t x, unsigned bits) noexcept {
    if (bits == 0) return 0;
    std::uint64_t v = x;
    v = ((v >> 1) & 0x5555555555555555ull) | ((v & 0x5555555555555555ull) << 1);
    v = ((v >> 2) & 0x3333333333333333ull) | ((v & 0x3333333333333333ull) << 2);
    v = ((v >> 4) & 0x0f0f0f0f0f0f0f0full) | ((v & 0x0f0f0f0f0f0f0f0full) << 4);
    v = ((v >> 8) & 0x00ff00ff00ff00ffull) | ((v & 0x00ff00ff00ff00ffull) << 8);
    v = ((v >> 16) & 0x0000ffff0000ffffull) | ((v & 0x0000ffff0000ffffull) << 16);
    v = (v >> 32) | (v << 32);
    return static_cast<std::size_t>(v >> (64 - bits));
}

namespace detail {

// Rows of a matrix block: element (r, c) is data[r * stride + c], c < cols.
template <class F>
struct RowsView {
    F* data;
    std::size_t rows, cols, stride;
    F* row(std::size_t r) const noexcept { return data + r * stride; }
};

// log2(n) for a transform size n; Error(invalid_size) unless n is a power of two the
// field's two-adicity allows.
template <TwoAdicField F>
unsigned checked_log2(std::size_t n, const char* what) {
    if (n == 0 || !std::has_single_bit(n))
        throw Error(ErrorCode::invalid_size,
                    std::string(what) + ": size " + std::to_string(n) + " is not a power of two");
    const auto log_n = static_cast<unsigned>(std::countr_zero(n));
    if (log_n > F::two_adicity)
        throw Error(ErrorCode::invalid_size, std::string(what) + ": size 2^" + std::to_string(log_n) +
                                                 " exceeds the field's two-adicity " +
                                                 std::to_string(F::two_adicity));
    return log_n;
}

// The integer n as an element of F (prime or extension field).
template <Field F>
F from_size(std::size_t n) {
    if constexpr (PrimeField<F>)
        return F::from_u64(n);
    else
        return F::from_base(F::base_field::from_u64(n));
}

}  // namespace detail

// start * base^k for k < count, filled in parallel chunks (each chunk starts from
// start * base^begin): twiddles, and the points of a coset in natural order.
template <Field F>
std::vector<F> powers(F base, std::size_t count, F start = F::one()) {
    std::vector<F> out(count);
    parallel::parallel_for(count, 1 << 12, [&](std::size_t b, std::size_t e) {
        F x = start * base.pow(b);
        for (std::size_t k = b; k < e; ++k) {
            out[k] = x;
            x *= base;
        }
    });
    return out;
}

namespace detail {

// One butterfly layer step on two rows of m columns, with twiddle t:
// DIT: x <- x + t y, y <- x - t y;  DIF: x <- x + y, y <- (x - y) t.
// With t = 1 both are x <- x + y, y <- x - y, and the multiplication is skipped.
template <bool Dif, class F>
inline void butterfly2(F* x, F* y, std::size_t m, F t) noexcept {
    using P = Packed<F>;
    const bool unit = t == F::one();
    const P tp = P::broadcast(t);
    const auto step = [unit](auto a, auto b, auto w, auto store) {
        if (unit) {
            store(a + b, a - b);
        } else if constexpr (Dif) {
            store(a + b, (a - b) * w);
        } else {
            const auto bt = b * w;
            store(a + bt, a - bt);
        }
    };
    std::size_t c = 0;
    for (; c + P::width <= m; c += P::width)
        step(P::load(x + c), P::load(y + c), tp, [&](P u, P v) {
            u.store(x + c);
            v.store(y + c);
        });
    for (; c < m; ++c)
        step(x[c], y[c], t, [&](F u, F v) {
            x[c] = u;
            y[c] = v;
        });
}

// Swaps m elements through a small buffer with memcpy, which the compiler vectorises
// (element-wise std::swap does not, and dominated the bit reversal).
template <class F>
void swap_rows(F* a, F* b, std::size_t m) noexcept {
    static_assert(std::is_trivially_copyable_v<F>);
    constexpr std::size_t chunk = 256 / sizeof(F) > 0 ? 256 / sizeof(F) : 1;
    alignas(F) unsigned char tmp[chunk * sizeof(F)];
    for (std::size_t c = 0; c < m; c += chunk) {
        const std::size_t k = std::min(chunk, m - c) * sizeof(F);
        std::memcpy(tmp, a + c, k);
        std::memcpy(static_cast<void*>(a + c), b + c, k);
        std::memcpy(static_cast<void*>(b + c), tmp, k);
    }
}

// Permutes rows: row i <-> row reverse_bits(i). Cache-blocked: write i = (hi, mid, lo)
// with hi and lo of L bits each, so reverse(i) = (rev lo, rev mid, rev hi). For one value
// of mid, the rows (hi, mid, lo) over all hi, lo are 2^L contiguous runs of 2^L rows, and
// so are their partners (rev lo, rev mid, rev hi): swapping the two tiles streams both.
// Each tile pair belongs to the smaller of mid and rev(mid), so chunks never collide.
template <class F>
void bit_reverse_rows(RowsView<F> v) {
    if (v.rows <= 2) return;
    const auto bits = static_cast<unsigned>(std::countr_zero(v.rows));
    const std::size_t row_bytes = std::max<std::size_t>(1, v.cols * sizeof(F));
    // Tile side 2^L: runs of at least 16 rows, a tile pair of at most ~256 KiB.
    unsigned lbits = 4;
    while (2 * (lbits + 1) <= bits && (std::size_t{1} << (2 * (lbits + 1))) * row_bytes * 2 <= 256 * 1024) ++lbits;
    if (2 * lbits > bits) {
        parallel::parallel_for(v.rows, 256, [&](std::size_t b, std::size_t e) {
            for (std::size_t i = b; i < e; ++i) {
                const std::size_t r = reverse_bits(i, bits);
                if (i < r) swap_rows(v.row(i), v.row(r), v.cols);
            }
        });
        return;
    }
    const unsigned mbits = bits - 2 * lbits;
    const std::size_t side = std::size_t{1} << lbits;
    const std::size_t tile_elems = side * side * v.cols;
    // Copy both tiles into buffers with sequential runs, then write each tile's rows from
    // the other buffer: memory sees only contiguous runs, the scatter happens in cache.
    parallel::parallel_for(std::size_t{1} << mbits, 1, [&](std::size_t m0, std::size_t m1) {
        std::vector<F> buf(2 * tile_elems);
        F* const a = buf.data();
        F* const b = buf.data() + tile_elems;
        const auto row_of = [&](std::size_t hi, std::size_t mid, std::size_t lo) {
            return v.row((((hi << mbits) | mid) << lbits) | lo);
        };
        const auto load_tile = [&](std::size_t mid, F* dst) {
            for (std::size_t hi = 0; hi < side; ++hi)
                std::memcpy(static_cast<void*>(dst + hi * side * v.cols), row_of(hi, mid, 0),
                            side * v.cols * sizeof(F));  // rows (hi, mid, 0..side) are contiguous
        };
        // Row (hi, mid, lo) receives the source tile's row (rev lo, rev hi).
        const auto store_tile = [&](std::size_t mid, const F* src) {
            for (std::size_t hi = 0; hi < side; ++hi) {
                const std::size_t rhi = reverse_bits(hi, lbits);
                F* dst = row_of(hi, mid, 0);
                for (std::size_t lo = 0; lo < side; ++lo)
                    std::memcpy(static_cast<void*>(dst + lo * v.cols),
                                src + (reverse_bits(lo, lbits) * side + rhi) * v.cols, v.cols * sizeof(F));
            }
        };
        for (std::size_t mid = m0; mid < m1; ++mid) {
            const std::size_t rmid = reverse_bits(mid, mbits);
            if (rmid < mid) continue;
            load_tile(mid, a);
            if (rmid != mid) load_tile(rmid, b);
            store_tile(mid, rmid != mid ? b : a);
            if (rmid != mid) store_tile(rmid, a);
        }
    });
}

// Bytes of one strip row, of the L1-resident sub-block and of the L2-resident groups.
// Rows up to 16 KiB are transformed whole: narrower strips of wide rows touch only a
// fraction of each cache's sets (measured: 256-byte strips of 1 KiB rows ran 1.6x slower).
inline constexpr std::size_t strip_bytes = 16 * 1024;
inline constexpr std::size_t l1_budget_bytes = 16 * 1024;
inline constexpr std::size_t l2_budget_bytes = 256 * 1024;

inline std::size_t floor_pow2(std::size_t x) noexcept { return x == 0 ? 1 : std::bit_floor(x); }

// Two butterfly layers (half-sizes s and 2s) on the rows x, x+d, x+2d, x+3d (d = s rows),
// where the group's position in its block of 4s rows is p = (row index) mod s:
// layer s uses w_2s^p on both pairs, layer 2s uses w_4s^p and w_4s^(p+s).
template <bool Dif, class F>
inline void butterfly4(F* x0, std::size_t d, std::size_t m, F t1, F t2a, F t2b) noexcept {
    using P = Packed<F>;
    F* x1 = x0 + d;
    F* x2 = x1 + d;
    F* x3 = x2 + d;
    const auto step = [&](auto a, auto b, auto c, auto e, auto w1, auto w2a, auto w2b, auto store) {
        if constexpr (Dif) {
            const auto s0 = a + c, s2 = (a - c) * w2a;
            const auto s1 = b + e, s3 = (b - e) * w2b;
            store(s0 + s1, (s0 - s1) * w1, s2 + s3, (s2 - s3) * w1);
        } else {
            const auto bt = b * w1, et = e * w1;
            const auto s0 = a + bt, s1 = a - bt, s2 = c + et, s3 = c - et;
            const auto u2 = s2 * w2a, u3 = s3 * w2b;
            store(s0 + u2, s1 + u3, s0 - u2, s1 - u3);
        }
    };
    std::size_t c = 0;
    const P p1 = P::broadcast(t1), p2a = P::broadcast(t2a), p2b = P::broadcast(t2b);
    for (; c + P::width <= m; c += P::width)
        step(P::load(x0 + c), P::load(x1 + c), P::load(x2 + c), P::load(x3 + c), p1, p2a, p2b,
             [&](P o0, P o1, P o2, P o3) {
                 o0.store(x0 + c);
                 o1.store(x1 + c);
                 o2.store(x2 + c);
                 o3.store(x3 + c);
             });
    for (; c < m; ++c)
        step(x0[c], x1[c], x2[c], x3[c], t1, t2a, t2b, [&](F o0, F o1, F o2, F o3) {
            x0[c] = o0;
            x1[c] = o1;
            x2[c] = o2;
            x3[c] = o3;
        });
}

// The radix-2 butterfly network on every column of v (v.rows = n, a power of two), with
// tw[k] = w^k for k < n/2. DIT: bit-reversed input, natural output. DIF: natural input,
// bit-reversed output. Layers are applied two at a time (radix 4) where they pair up.
template <bool Dif, class F>
class Network {
public:
    Network(RowsView<F> v, const std::vector<F>& tw) : v_(v), tw_(tw), n_(v.rows) {}

    void run() {
        if (n_ <= 1) return;
        const std::size_t strip_cols = std::max<std::size_t>(1, strip_bytes / sizeof(F));
        const std::size_t strips = (v_.cols + strip_cols - 1) / strip_cols;
        // Strips are independent transforms: with several of them, give each thread whole
        // strips (the groups inside then run serially on that thread).
        parallel::parallel_for(strips, 1, [&](std::size_t s0, std::size_t s1) {
            for (std::size_t s = s0; s < s1; ++s) {
                Network strip = *this;
                strip.run_strip(s * strip_cols, std::min(strip_cols, v_.cols - s * strip_cols));
            }
        });
    }

private:
    // The layers are split into levels [a, b) of half-sizes 2^a..2^(b-1). Level 0 works on
    // blocks of 2^b consecutive rows. A level with a > 0 works on groups
    // {g 2^b + h 2^a + j : h < 2^(b-a), j in a run of T consecutive values}: closed under
    // its butterflies, sized to stay in L2, with runs of at least 4 KiB so that rows 2^a
    // apart (a power-of-two stride) do not all fall into the same cache sets.
    void run_strip(std::size_t c0, std::size_t cols) {
        base_ = v_.data + c0;
        m_ = cols;
        row_bytes_ = m_ * sizeof(F);
        const auto log_n = static_cast<unsigned>(std::countr_zero(n_));
        const auto log_floor = [](std::size_t x) { return static_cast<unsigned>(std::bit_width(std::max<std::size_t>(1, x)) - 1); };
        std::vector<std::pair<unsigned, unsigned>> levels;
        unsigned b = std::min(log_n, std::max(1u, log_floor(l2_budget_bytes / row_bytes_)));
        levels.emplace_back(0, b);
        while (b < log_n) {
            const unsigned a = b;
            const std::size_t run = std::min(std::size_t{1} << a, min_run());
            b = std::min(log_n, a + std::max(1u, log_floor(l2_budget_bytes / (run * row_bytes_))));
            levels.emplace_back(a, b);
        }
        sub_ = std::max<std::size_t>(2, floor_pow2(l1_budget_bytes / row_bytes_));
        if constexpr (Dif) {
            for (auto it = levels.rbegin(); it != levels.rend(); ++it) run_level(it->first, it->second);
        } else {
            for (const auto& [a, lb] : levels) run_level(a, lb);
        }
    }

    void run_level(unsigned a, unsigned b) const {
        if (a == 0) {
            run_blocks(std::size_t{1} << b);
            return;
        }
        const std::size_t low = std::size_t{1} << a, span = std::size_t{1} << b, h_count = span / low;
        // A power of two (so that runs tile the 2^a rows exactly) of at least 4 KiB.
        const std::size_t run = std::min(
            low, std::max(min_run(), floor_pow2(std::max<std::size_t>(1, l2_budget_bytes / (h_count * row_bytes_)))));
        const std::size_t runs_per_span = low / run;
        parallel::parallel_for((n_ / span) * runs_per_span, 1, [&](std::size_t g0, std::size_t g1) {
            for (std::size_t g = g0; g < g1; ++g) {
                const std::size_t r0 = (g / runs_per_span) * span, j0 = (g % runs_per_span) * run;
                passes(1, h_count, [&](std::size_t u, bool radix4) {
                    const std::size_t step = (radix4 ? 4 : 2) * u;
                    for (std::size_t hb = 0; hb < h_count; hb += step)
                        for (std::size_t hh = 0; hh < u; ++hh)
                            for (std::size_t j = j0; j < j0 + run; ++j) group(r0 + (hb + hh) * low + j, u * low, radix4);
                });
            }
        });
    }

    // Layers with half-size below `block`, on each block of consecutive rows; within a
    // block the first layers run on L1-sized sub-blocks.
    void run_blocks(std::size_t block) const {
        const std::size_t sub = std::min(block, sub_);
        parallel::parallel_for(n_ / block, 1, [&](std::size_t b0, std::size_t b1) {
            for (std::size_t b = b0; b < b1; ++b) {
                const std::size_t r0 = b * block;
                const auto subs = [&] {
                    for (std::size_t r = r0; r < r0 + block; r += sub) layers_on_block(r, sub, 1, sub);
                };
                if constexpr (Dif) {
                    layers_on_block(r0, block, sub, block);
                    subs();
                } else {
                    subs();
                    layers_on_block(r0, block, sub, block);
                }
            }
        });
    }

    F* row(std::size_t r) const noexcept { return base_ + r * v_.stride; }

    // Rows per run: the power of two whose rows cover at least 4 KiB. (Rounding 4096 /
    // row_bytes down instead, e.g. 85 rows of 48 bytes, left rows that no run covered.)
    std::size_t min_run() const noexcept { return std::bit_ceil(std::max<std::size_t>(1, 4096 / row_bytes_)); }

    // Butterflies of the pass with half-size s (and 2s when radix 4) whose first row is r.
    void group(std::size_t r, std::size_t s, bool radix4) const noexcept {
        const std::size_t p = r & (s - 1);
        if (radix4) {
            const std::size_t q = n_ / (4 * s);
            butterfly4<Dif>(row(r), s * v_.stride, m_, tw_[2 * p * q], tw_[p * q], tw_[(p + s) * q]);
        } else {
            butterfly2<Dif>(row(r), row(r + s), m_, tw_[p * (n_ / (2 * s))]);
        }
    }

    // Visits the passes over half-sizes s_lo <= s < s_hi in the order DIT or DIF needs,
    // two layers at a time where possible: visit(s, radix4).
    template <class Visit>
    static void passes(std::size_t s_lo, std::size_t s_hi, Visit visit) {
        if constexpr (Dif) {
            std::size_t s = s_hi / 2;
            while (s >= s_lo && s > 0) {
                if (s / 2 >= s_lo) {
                    visit(s / 2, true);
                    s /= 4;
                } else {
                    visit(s, false);
                    s /= 2;
                }
            }
        } else {
            std::size_t s = s_lo;
            while (s < s_hi) {
                if (2 * s < s_hi) {
                    visit(s, true);
                    s *= 4;
                } else {
                    visit(s, false);
                    s *= 2;
                }
            }
        }
    }

    // Layers s_lo <= s < s_hi on the contiguous rows [r0, r0 + len).
    void layers_on_block(std::size_t r0, std::size_t len, std::size_t s_lo, std::size_t s_hi) const {
        passes(s_lo, s_hi, [&](std::size_t s, bool radix4) {
            const std::size_t span = (radix4 ? 4 : 2) * s;
            for (std::size_t blk = 0; blk < len; blk += span)
                for (std::size_t j = 0; j < s; ++j) group(r0 + blk + j, s, radix4);
        });
    }

    RowsView<F> v_;
    const std::vector<F>& tw_;
    std::size_t n_;
    F* base_ = nullptr;
    std::size_t m_ = 0, row_bytes_ = 0, sub_ = 0;
};

template <class F>
void radix2_network(RowsView<F> v, const std::vector<F>& tw, bool dif) {
    if (dif)
        Network<true, F>(v, tw).run();
    else
        Network<false, F>(v, tw).run();
}

// Multiplies row r of v by factor * step^r.
template <class F>
void scale_rows_geometric(RowsView<F> v, F factor, F step) {
    parallel::parallel_for(v.rows, std::max<std::size_t>(16, (1u << 14) / std::max<std::size_t>(1, v.cols)),
                           [&](std::size_t b, std::size_t e) {
                               using P = Packed<F>;
                               F s = factor * step.pow(b);
                               for (std::size_t r = b; r < e; ++r, s *= step) {
                                   F* x = v.row(r);
                                   const P sp = P::broadcast(s);
                                   std::size_t c = 0;
                                   for (; c + P::width <= v.cols; c += P::width) (P::load(x + c) * sp).store(x + c);
                                   for (; c < v.cols; ++c) x[c] *= s;
                               }
                           });
}

// Natural-order DFT of every column with respect to `root` (of order v.rows).
template <class F>
void dft_columns(RowsView<F> v, F root) {
    if (v.rows <= 1) return;
    bit_reverse_rows(v);
    radix2_network(v, powers(root, v.rows / 2), false);
}

// Blocked transpose of an r x c row-major array into c x r.
template <class F>
void transpose(const F* src, F* dst, std::size_t r, std::size_t c) {
    constexpr std::size_t tb = 32;
    parallel::parallel_for((r + tb - 1) / tb, 1, [&](std::size_t b0, std::size_t b1) {
        for (std::size_t bi = b0; bi < b1; ++bi)
            for (std::size_t j0 = 0; j0 < c; j0 += tb)
                for (std::size_t i = bi * tb; i < std::min(r, bi * tb + tb); ++i)
                    for (std::size_t j = j0; j < std::min(c, j0 + tb); ++j) dst[j * r + i] = src[i * c + j];
    });
}

// Multiplies c-element block k of row r of an (rows x blocks*c) array by
// t_r^k, t_r = root^(exponent(r)): the four-step method's twiddles, vectorised by
// expanding each row's twiddles over the block.
template <class F, class Exponent>
void twiddle_blocks(F* x, std::size_t rows, std::size_t blocks, std::size_t c, F root, Exponent exponent) {
    using P = Packed<F>;
    parallel::parallel_for(rows, 4, [&](std::size_t b, std::size_t e) {
        std::vector<F> expanded(blocks * c);
        for (std::size_t r = b; r < e; ++r) {
            const std::size_t ex = exponent(r);
            if (ex == 0) continue;
            const F step = root.pow(ex);
            F t = F::one();
            for (std::size_t k = 0; k < blocks; ++k, t *= step)
                for (std::size_t col = 0; col < c; ++col) expanded[k * c + col] = t;
            F* row = x + r * blocks * c;
            std::size_t i = 0;
            for (; i + P::width <= blocks * c; i += P::width)
                (P::load(row + i) * P::load(expanded.data() + i)).store(row + i);
            for (; i < blocks * c; ++i) row[i] *= expanded[i];
        }
    });
}

// Four-step DFT of one vector of length n = n1 * n2 with respect to `root` (order n):
// X[j1 + n1 j2] = sum_k2 w^(j1 k2) w_n2^(k2 j2) sum_k1 a[k1 n2 + k2] w_n1^(k1 j1).
template <class F>
void dft_vector_four_step(std::span<F> v, F root) {
    const std::size_t n = v.size();
    const auto log_n = static_cast<unsigned>(std::countr_zero(n));
    const std::size_t n1 = std::size_t{1} << (log_n / 2), n2 = n / n1;
    RowsView<F> a{v.data(), n1, n2, n2};
    dft_columns(a, root.pow(n2));                        // columns: length n1, root of order n1
    twiddle_blocks(v.data(), n1, n2, 1, root, [](std::size_t j1) { return j1; });  // w^(j1 k2)
    std::vector<F> c(n);
    transpose(v.data(), c.data(), n1, n2);               // c is n2 x n1
    dft_columns(RowsView<F>{c.data(), n2, n1, n1}, root.pow(n1));
    std::copy(c.begin(), c.end(), v.begin());
}

template <class F>
void dft_vector(std::span<F> v, F root) {
    if (v.size() >= (std::size_t{1} << 12))
        dft_vector_four_step(v, root);
    else
        dft_columns(RowsView<F>{v.data(), v.size(), 1, 1}, root);
}

// Rows narrower than a packed vector leave the row-wise network scalar (measured: a
// 2^20 x 4 coset LDE to 2^22 rows ran at 19 M elements/s); such matrices are transformed
// by the four-step method on blocks of rows instead, from this height on.
inline constexpr std::size_t narrow_lde_min_rows = std::size_t{1} << 12;

// In-place transpose of an m x m array of c-element blocks, tile by tile.
template <class F>
void transpose_blocks_square(F* x, std::size_t m, std::size_t c) {
    constexpr std::size_t tb = 16;
    const std::size_t tiles = (m + tb - 1) / tb;
    parallel::parallel_for(tiles, 1, [&](std::size_t t0, std::size_t t1) {
        for (std::size_t ti = t0; ti < t1; ++ti)
            for (std::size_t tj = ti; tj < tiles; ++tj)
                for (std::size_t i = ti * tb; i < std::min(m, ti * tb + tb); ++i)
                    for (std::size_t j = ti == tj ? i + 1 : tj * tb; j < std::min(m, tj * tb + tb); ++j) {
                        F* a = x + (i * m + j) * c;
                        F* b = x + (j * m + i) * c;
                        for (std::size_t col = 0; col < c; ++col) std::swap(a[col], b[col]);
                    }
    });
}

// DFT of every column of an N x c row-major matrix, in place, natural order in and
// bit-reversed row order out, with respect to `root` (order N), for narrow c: the
// four-step method on blocks of rows. For N = M^2, row k1 M + k2 is block (k1, k2) of an
// M x M array of c-element blocks, so the length-M transforms over k1 are a DIF network
// on the M x (M c) view, whose rows are thousands of elements wide (fully vectorised);
// then the twiddles w^(j1 k2), a block transpose, the transforms over k2, and a second
// transpose leave output j1 + M j2 at row bitrev(j1) M + bitrev(j2), its bit-reversed
// position. For N = 2 M^2 a first DIF layer splits the even and odd outputs into the
// two halves, each then an M^2 transform.
template <class F>
void dft_rows_bitrev_out(F* x, std::size_t n, std::size_t c, F root) {
    const auto log_n = static_cast<unsigned>(std::countr_zero(n));
    if (log_n % 2 == 1) {
        const std::size_t m = n / 2;
        // (a_i, a_{i+m}) -> (a_i + a_{i+m}, (a_i - a_{i+m}) w^i): X[2k] and X[2k+1] of the halves.
        parallel::parallel_for(m, 1 << 10, [&](std::size_t b, std::size_t e) {
            F t = root.pow(b);
            for (std::size_t i = b; i < e; ++i, t *= root) butterfly2<true>(x + i * c, x + (i + m) * c, c, t);
        });
        dft_rows_bitrev_out(x, m, c, root.square());
        dft_rows_bitrev_out(x + m * c, m, c, root.square());
        return;
    }
    const unsigned h = log_n / 2;
    const std::size_t m = std::size_t{1} << h;
    const RowsView<F> v{x, m, m * c, m * c};
    const std::vector<F> tw = powers(root.pow(m), m / 2);
    radix2_network(v, tw, true);  // over k1: row bitrev(j1)
    twiddle_blocks(x, m, m, c, root, [h](std::size_t r) { return reverse_bits(r, h); });
    transpose_blocks_square(x, m, c);  // row k2, block bitrev(j1)
    radix2_network(v, tw, true);       // row bitrev(j2), block bitrev(j1)
    transpose_blocks_square(x, m, c);  // row bitrev(j1), block bitrev(j2)
}

// Coset LDE of a matrix with fewer columns than Packed<F>::width, in `out` (no scratch):
// interpolate with dft_rows_bitrev_out and the inverse root, restore natural order, scale
// row i by shift^i / n, zero-pad, evaluate (bit-reversed order), and restore natural
// order when asked.
template <class F>
void coset_lde_narrow(const F* evals, std::size_t n, std::size_t cols, unsigned log_n, unsigned added_bits, F shift,
                      bool bit_reversed, F* out) {
    const std::size_t big_n = n << added_bits;
    std::copy(evals, evals + n * cols, out);
    dft_rows_bitrev_out(out, n, cols, F::two_adic_generator(log_n).inverse());
    bit_reverse_rows(RowsView<F>{out, n, cols, cols});
    const F n_inv = from_size<F>(n).inverse();
    parallel::parallel_for(n, 1 << 12, [&](std::size_t b, std::size_t e) {
        F s = n_inv * shift.pow(b);
        for (std::size_t i = b; i < e; ++i, s *= shift)
            for (std::size_t c = 0; c < cols; ++c) out[i * cols + c] *= s;
    });
    fill_zero(out + n * cols, (big_n - n) * cols);
    dft_rows_bitrev_out(out, big_n, cols, F::two_adic_generator(log_n + added_bits));
    if (!bit_reversed) bit_reverse_rows(RowsView<F>{out, big_n, cols, cols});
}

template <class F>
RowsView<F> view(RowMajorMatrix<F>& m) {
    return {m.data(), static_cast<std::size_t>(m.rows()), static_cast<std::size_t>(m.cols()),
            static_cast<std::size_t>(m.cols())};
}

}  // namespace detail

// The radix-2 transform described at the top of this header; stateless and thread-safe.
template <TwoAdicField F>
class Radix2Dft {
public:
    // Columns: coefficients -> evaluations at w^0..w^{n-1}.
    void dft_batch(RowMajorMatrix<F>& m) const {
        const unsigned log_n = detail::checked_log2<F>(static_cast<std::size_t>(m.rows()), "dft_batch");
        detail::dft_columns(detail::view(m), F::two_adic_generator(log_n));
    }
    // Columns: evaluations at w^0..w^{n-1} -> coefficients.
    void idft_batch(RowMajorMatrix<F>& m) const {
        const auto n = static_cast<std::size_t>(m.rows());
        const unsigned log_n = detail::checked_log2<F>(n, "idft_batch");
        detail::dft_columns(detail::view(m), F::two_adic_generator(log_n).inverse());
        detail::scale_rows_geometric(detail::view(m), detail::from_size<F>(n).inverse(), F::one());
    }
    // Evaluations on H (natural order) -> evaluations on shift * H', |H'| = n * 2^added_bits.
    RowMajorMatrix<F> coset_lde_batch(const RowMajorMatrix<F>& evals, unsigned added_bits, F shift,
                                      RowOrder order = RowOrder::natural) const {
        RowMajorMatrix<F> out;
        coset_lde_batch(evals, added_bits, shift, order, out);
        return out;
    }
    // The same into `out`, which is resized only when its shape differs: repeated
    // extensions reuse its memory (first-touch page faults of a fresh multi-GiB matrix
    // can cost as much as the transform).
    void coset_lde_batch(const RowMajorMatrix<F>& evals, unsigned added_bits, F shift, RowOrder order,
                         RowMajorMatrix<F>& out) const {
        const auto n = static_cast<std::size_t>(evals.rows());
        const unsigned log_n = detail::checked_log2<F>(n, "coset_lde_batch");
        if (added_bits > F::two_adicity - log_n)
            throw Error(ErrorCode::invalid_size,
                        "coset_lde_batch: 2^" + std::to_string(log_n) + " rows extended by 2^" +
                            std::to_string(added_bits) + " exceed the field's two-adicity " +
                            std::to_string(F::two_adicity));
        if (shift.is_zero()) throw Error(ErrorCode::invalid_argument, "coset_lde_batch: the shift is zero");
        const std::size_t big_n = n << added_bits;
        const auto cols = static_cast<std::size_t>(evals.cols());
        if (&out == &evals)
            throw Error(ErrorCode::invalid_argument, "coset_lde_batch: the output must not be the input");
        if (out.rows() != static_cast<Eigen::Index>(big_n) || out.cols() != evals.cols()) {
            out.resize(static_cast<Eigen::Index>(big_n), evals.cols());
            memory::advise_huge_pages(out.data(), static_cast<std::size_t>(out.size()) * sizeof(F));
        }
        if (cols > 0 && cols < Packed<F>::width && n >= detail::narrow_lde_min_rows) {
            detail::coset_lde_narrow(evals.data(), n, cols, log_n, added_bits, shift, order == RowOrder::bit_reversed,
                                     out.data());
            return;
        }
        std::copy(evals.data(), evals.data() + evals.size(), out.data());  // the rest: zero padding
        detail::fill_zero(out.data() + n * cols, (big_n - n) * cols);
        detail::RowsView<F> top{out.data(), n, cols, cols};
        if (n > 1) detail::dft_columns(top, F::two_adic_generator(log_n).inverse());
        // Coefficient c_i of p becomes c_i shift^i / n, so the DFT below evaluates p(shift x).
        detail::scale_rows_geometric(top, detail::from_size<F>(n).inverse(), shift);
        const F root = F::two_adic_generator(log_n + added_bits);
        if (order == RowOrder::natural) {
            detail::dft_columns(detail::view(out), root);
        } else if (big_n > 1) {
            detail::radix2_network(detail::view(out), powers(root, big_n / 2), true);
        }
    }
    // One vector: coefficients -> evaluations, and back.
    void dft(std::span<F> v) const {
        const unsigned log_n = detail::checked_log2<F>(v.size(), "dft");
        detail::dft_vector(v, F::two_adic_generator(log_n));
    }
    void idft(std::span<F> v) const {
        const unsigned log_n = detail::checked_log2<F>(v.size(), "idft");
        detail::dft_vector(v, F::two_adic_generator(log_n).inverse());
        const F n_inv = detail::from_size<F>(v.size()).inverse();
        for (auto& x : v) x *= n_inv;
    }
};

// The O(n^2) definition, as a reference for tests and for checking other implementations.
template <TwoAdicField F>
class NaiveDft {
public:
    void dft_batch(RowMajorMatrix<F>& m) const {
        const unsigned log_n = detail::checked_log2<F>(static_cast<std::size_t>(m.rows()), "dft_batch");
        m = evaluate(m, F::two_adic_generator(log_n), F::one(), static_cast<std::size_t>(m.rows()));
    }
    void idft_batch(RowMajorMatrix<F>& m) const {
        const auto n = static_cast<std::size_t>(m.rows());
        const unsigned log_n = detail::checked_log2<F>(n, "idft_batch");
        m = evaluate(m, F::two_adic_generator(log_n).inverse(), F::one(), n);
        m *= detail::from_size<F>(n).inverse();
    }
    RowMajorMatrix<F> coset_lde_batch(const RowMajorMatrix<F>& evals, unsigned added_bits, F shift,
                                      RowOrder order = RowOrder::natural) const {
        RowMajorMatrix<F> coeffs = evals;
        idft_batch(coeffs);
        const std::size_t big_n = static_cast<std::size_t>(evals.rows()) << added_bits;
        const unsigned log_big = detail::checked_log2<F>(big_n, "coset_lde_batch");
        RowMajorMatrix<F> out = evaluate(coeffs, F::two_adic_generator(log_big), shift, big_n);
        if (order == RowOrder::bit_reversed) detail::bit_reverse_rows(detail::view(out));
        return out;
    }

private:
    // out(k, c) = sum_i coeffs(i, c) (shift w^k)^i for k < count.
    static RowMajorMatrix<F> evaluate(const RowMajorMatrix<F>& coeffs, F w, F shift, std::size_t count) {
        RowMajorMatrix<F> out = zero_matrix<F>(count, static_cast<std::size_t>(coeffs.cols()));
        F x = shift;
        for (std::size_t k = 0; k < count; ++k, x *= w) {
            F xi = F::one();
            for (Eigen::Index i = 0; i < coeffs.rows(); ++i, xi *= x)
                for (Eigen::Index c = 0; c < coeffs.cols(); ++c)
                    out(static_cast<Eigen::Index>(k), c) += coeffs(i, c) * xi;
        }
        return out;
    }
};

template <class D, class F>
concept TwoAdicDft = TwoAdicField<F> && requires(const D dft, RowMajorMatrix<F>& m,
                                                 const RowMajorMatrix<F>& evals, unsigned bits, F shift) {
    { dft.dft_batch(m) } -> std::same_as<void>;
    { dft.idft_batch(m) } -> std::same_as<void>;
    { dft.coset_lde_batch(evals, bits, shift) } -> std::same_as<RowMajorMatrix<F>>;
};

// The library's default transform, as free functions.
template <TwoAdicField F>
void dft_batch(RowMajorMatrix<F>& m) { Radix2Dft<F>{}.dft_batch(m); }
template <TwoAdicField F>
void idft_batch(RowMajorMatrix<F>& m) { Radix2Dft<F>{}.idft_batch(m); }
template <TwoAdicField F>
RowMajorMatrix<F> coset_lde_batch(const RowMajorMatrix<F>& evals, unsigned added_bits, F shift,
                                  RowOrder order = RowOrder::natural) {
    return Radix2Dft<F>{}.coset_lde_batch(evals, added_bits, shift, order);
}
template <TwoAdicField F>
void coset_lde_batch(const RowMajorMatrix<F>& evals, unsigned added_bits, F shift, RowOrder order,
                     RowMajorMatrix<F>& out) {
    Radix2Dft<F>{}.coset_lde_batch(evals, added_bits, shift, order, out);
}
template <TwoAdicField F>
void dft(std::span<F> v) { Radix2Dft<F>{}.dft(v); }
template <TwoAdicField F>
void idft(std::span<F> v) { Radix2Dft<F>{}.idft(v); }

// Row i <-> row reverse_bits(i, log2 rows); Error(invalid_size) unless rows is a power of two.
template <Field F>
void bit_reverse_rows(RowMajorMatrix<F>& m) {
    const auto n = static_cast<std::size_t>(m.rows());
    if (n == 0 || !std::has_single_bit(n))
        throw Error(ErrorCode::invalid_size, "bit_reverse_rows: " + std::to_string(n) + " rows is not a power of two");
    detail::bit_reverse_rows(detail::view(m));
}

}  // namespace causality::field
