// causality/stark/fri.hpp — the two-adic FRI polynomial commitment scheme.
//
// Commit: each matrix holds the evaluations of its columns (polynomials of degree below
// its height n) on a coset s*H of the subgroup H of size n; it is extended to the coset
// g*K, |K| = n * 2^log_blowup, g the field's generator, and the rows of all extensions, in
// bit-reversed order, go into one Merkle tree (matrices of different heights together).
//
// Open: the caller samples points, evaluates (`evaluate`) and observes the values; then
// `open` samples alpha and forms, for every LDE height, the DEEP quotient
//   sum over (round, matrix, point, column) of alpha^k (f(z) - f(x)) / (z - x),
// with k counting per height in that order. FRI folds the tallest of these by up to
// 2^log_folding_arity per committed layer (a layer ends early where a shorter quotient
// joins, added with weight beta^(2^arity)), ends in a final polynomial of
// 2^log_final_poly_len coefficients, grinds, and answers num_queries queries with Merkle
// openings of the inputs and of every layer. The verifier recomputes each query's chain.
#pragma once

#include <causality/error.hpp>
#include <causality/field/batch_inverse.hpp>
#include <causality/field/dft.hpp>
#include <causality/field/dot.hpp>
#include <causality/field/interpolate.hpp>
#include <causality/field/matrix.hpp>
#include <causality/parallel.hpp>
#include <causality/stark/config.hpp>
#include <causality/stark/defaults.hpp>
#include <causality/stark/verify_result.hpp>

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstring>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace causality::stark {

template <StarkConfig SC>
struct StarkTypes {
    using F = typename SC::Field;
    using EF = typename SC::Challenge;
    using Hashing = ConfigHashing<SC>;
    using Mmcs = typename Hashing::Mmcs;
    using Digest = typename Mmcs::Digest;
    using Opening = typename Mmcs::Opening;
    using Tree = typename Mmcs::Tree;
    using Challenger = typename Hashing::Challenger;
    static constexpr std::size_t ext_degree = EF::degree;
};

template <StarkConfig SC>
struct FriQueryProof {
    using T = StarkTypes<SC>;
    std::vector<typename T::Opening> inputs;  // one per committed round
    std::vector<typename T::Opening> layers;  // one per commit-phase layer
    friend bool operator==(const FriQueryProof&, const FriQueryProof&) = default;
};

template <StarkConfig SC>
struct FriProof {
    using T = StarkTypes<SC>;
    std::vector<typename T::Digest> commit_roots;   // one per layer
    std::vector<typename T::F> commit_pow_witnesses;  // one per layer (zero without grinding)
    std::vector<typename T::EF> final_poly;           // 2^log_final_poly_len coefficients
    typename T::F query_pow_witness{};
    std::vector<FriQueryProof<SC>> queries;
    friend bool operator==(const FriProof&, const FriProof&) = default;
};

// The prover's data for one commitment: the Merkle tree over the LDEs and the original
// evaluations (for evaluation at out-of-domain points).
template <StarkConfig SC>
struct CommittedRound {
    using T = StarkTypes<SC>;
    typename T::Tree tree;
    std::vector<field::RowMajorMatrix<typename T::F>> evals;  // on shifts[m] * H, natural order
    std::vector<typename T::F> shifts;
    [[nodiscard]] const typename T::Digest& root() const { return tree.root(); }
};

// One round of openings: for each matrix, the points and the values [point][column].
template <StarkConfig SC>
struct ProverOpenRound {
    using T = StarkTypes<SC>;
    const CommittedRound<SC>* round;
    std::vector<std::vector<typename T::EF>> points;
    std::vector<std::vector<std::vector<typename T::EF>>> values;
};
template <StarkConfig SC>
struct VerifierOpenRound {
    using T = StarkTypes<SC>;
    typename T::Digest root;
    std::vector<MatrixDimensions> lde_dims;  // heights of the extensions, widths
    std::vector<std::vector<typename T::EF>> points;
    std::vector<std::vector<std::vector<typename T::EF>>> values;
};

template <StarkConfig SC>
class FriPcs {
public:
    using T = StarkTypes<SC>;
    using F = typename T::F;
    using EF = typename T::EF;
    using Digest = typename T::Digest;
    using Challenger = typename T::Challenger;
    static constexpr FriParams params = SC::fri;
    static constexpr std::size_t D = T::ext_degree;

    FriPcs() : mmcs_(T::Hashing::mmcs()) {}

    [[nodiscard]] const typename T::Mmcs& mmcs() const noexcept { return mmcs_; }

    // The coset on which the extensions live: g * K.
    static F lde_shift() { return F::generator(); }

    // Commits evaluations on cosets (matrix, shift of its coset). Heights: powers of two
    // with height * 2^log_blowup within the two-adicity (Error(invalid_size) otherwise).
    CommittedRound<SC> commit(std::vector<std::pair<field::RowMajorMatrix<F>, F>> inputs) const {
        CommittedRound<SC> r;
        std::vector<field::RowMajorMatrix<F>> ldes(inputs.size());
        const field::Radix2Dft<F> dft;
        for (std::size_t m = 0; m < inputs.size(); ++m) {
            auto& [evals, shift] = inputs[m];
            dft.coset_lde_batch(evals, params.log_blowup, lde_shift() * shift.inverse(), field::RowOrder::bit_reversed,
                                ldes[m]);
            r.evals.push_back(std::move(evals));
            r.shifts.push_back(shift);
        }
        r.tree = mmcs_.commit(std::move(ldes));
        return r;
    }

    // The values at z of every column of matrix m.
    static std::vector<EF> evaluate(const CommittedRound<SC>& r, std::size_t m, const EF& z) {
        return field::evaluate_on_coset(r.evals[m], r.shifts[m], z);
    }

    // The commit-phase layers' log arities, from the largest LDE height and the heights of
    // all inputs (a layer stops where a shorter input joins).
    static std::vector<unsigned> layer_arities(unsigned log_max, const std::vector<unsigned>& input_log_heights) {
        const unsigned final_log = params.log_blowup + params.log_final_poly_len;
        std::vector<unsigned> arities;
        unsigned s = log_max;
        while (s > final_log) {
            unsigned a = std::min(params.log_folding_arity, s - final_log);
            for (unsigned h : input_log_heights)
                if (h < s && h > s - a) a = std::min(a, s - h);
            arities.push_back(a);
            s -= a;
        }
        return arities;
    }

    FriProof<SC> open(const std::vector<ProverOpenRound<SC>>& rounds, Challenger& ch) const {
        const EF alpha = ch.template sample_ext<EF>();
        std::map<unsigned, std::vector<EF>> reduced = reduced_openings(rounds, alpha);  // by log LDE height
        std::vector<unsigned> heights;
        for (auto it = reduced.rbegin(); it != reduced.rend(); ++it) heights.push_back(it->first);
        const unsigned log_max = heights.front();
        const auto arities = layer_arities(log_max, heights);

        FriProof<SC> proof;
        std::vector<typename T::Tree> layer_trees;
        std::vector<EF> folded = std::move(reduced[log_max]);
        unsigned s = log_max;
        F shift = lde_shift();
        for (unsigned a : arities) {
            auto tree = mmcs_.commit({layer_matrix(folded, a)});
            ch.observe(tree.root());
            proof.commit_roots.push_back(tree.root());
            proof.commit_pow_witnesses.push_back(params.commit_pow_bits > 0 ? ch.grind(params.commit_pow_bits)
                                                                            : F::zero());
            layer_trees.push_back(std::move(tree));
            EF beta = ch.template sample_ext<EF>();
            for (unsigned k = 0; k < a; ++k) {
                folded = fold(folded, s, shift, beta);
                --s;
                shift = shift.square();
                beta = beta.square();
            }
            if (const auto it = reduced.find(s); it != reduced.end())
                parallel::parallel_for(folded.size(), 1024, [&](std::size_t b, std::size_t e) {
                    for (std::size_t i = b; i < e; ++i) folded[i] += beta * it->second[i];
                });
        }
        proof.final_poly = final_polynomial(folded, shift);
        for (const EF& c : proof.final_poly) ch.observe_ext(c);
        proof.query_pow_witness = params.query_pow_bits > 0 ? ch.grind(params.query_pow_bits) : F::zero();

        for (unsigned q = 0; q < params.num_queries; ++q) {
            const std::size_t index = ch.sample_bits(log_max);
            FriQueryProof<SC> qp;
            for (const auto& round : rounds) {
                const unsigned h = static_cast<unsigned>(std::countr_zero(round.round->tree.height()));
                qp.inputs.push_back(mmcs_.open(round.round->tree, index >> (log_max - h)));
            }
            unsigned ls = log_max;
            for (std::size_t l = 0; l < arities.size(); ++l) {
                const std::size_t idx = index >> (log_max - ls);
                qp.layers.push_back(mmcs_.open(layer_trees[l], idx >> arities[l]));
                ls -= arities[l];
            }
            proof.queries.push_back(std::move(qp));
        }
        return proof;
    }

    // Never throws on a malformed proof: every inconsistency is a rejection with a reason.
    [[nodiscard]] VerifyResult verify(const std::vector<VerifierOpenRound<SC>>& rounds, const FriProof<SC>& proof,
                                      Challenger& ch) const {
        const EF alpha = ch.template sample_ext<EF>();
        std::vector<unsigned> heights;
        std::vector<unsigned> round_max;
        for (const auto& r : rounds) {
            unsigned hm = 0;
            if (r.lde_dims.empty()) return VerifyResult::reject("FRI: a commitment round without matrices");
            for (const auto& d : r.lde_dims) {
                const auto h = static_cast<unsigned>(std::countr_zero(d.height));
                heights.push_back(h);
                hm = std::max(hm, h);
            }
            round_max.push_back(hm);
        }
        std::sort(heights.begin(), heights.end(), std::greater<>());
        heights.erase(std::unique(heights.begin(), heights.end()), heights.end());
        const unsigned log_max = heights.front();
        const unsigned final_log = params.log_blowup + params.log_final_poly_len;
        if (heights.back() < final_log)
            return VerifyResult::reject("FRI: an input of 2^" + std::to_string(heights.back()) +
                                        " rows is shorter than the final layer");
        const auto arities = layer_arities(log_max, heights);
        if (proof.commit_roots.size() != arities.size() || proof.commit_pow_witnesses.size() != arities.size())
            return VerifyResult::reject("FRI: " + std::to_string(proof.commit_roots.size()) +
                                        " commit-phase layers, expected " + std::to_string(arities.size()));
        if (proof.final_poly.size() != (std::size_t{1} << params.log_final_poly_len))
            return VerifyResult::reject("FRI: the final polynomial has " + std::to_string(proof.final_poly.size()) +
                                        " coefficients, expected " +
                                        std::to_string(std::size_t{1} << params.log_final_poly_len));
        if (proof.queries.size() != params.num_queries)
            return VerifyResult::reject("FRI: " + std::to_string(proof.queries.size()) + " queries, expected " +
                                        std::to_string(params.num_queries));
        std::vector<EF> betas;
        for (std::size_t l = 0; l < arities.size(); ++l) {
            ch.observe(proof.commit_roots[l]);
            if (params.commit_pow_bits > 0 && !ch.check_witness(params.commit_pow_bits, proof.commit_pow_witnesses[l]))
                return VerifyResult::reject("FRI: the proof-of-work witness of layer " + std::to_string(l) +
                                            " is invalid");
            if (params.commit_pow_bits == 0 && !proof.commit_pow_witnesses[l].is_zero())
                return VerifyResult::reject("FRI: a proof-of-work witness where the configuration has none");
            betas.push_back(ch.template sample_ext<EF>());
        }
        for (const EF& c : proof.final_poly) ch.observe_ext(c);
        if (params.query_pow_bits > 0 && !ch.check_witness(params.query_pow_bits, proof.query_pow_witness))
            return VerifyResult::reject("FRI: the query proof-of-work witness is invalid");
        if (params.query_pow_bits == 0 && !proof.query_pow_witness.is_zero())
            return VerifyResult::reject("FRI: a query proof-of-work witness where the configuration has none");

        for (std::size_t q = 0; q < proof.queries.size(); ++q) {
            const std::size_t index = ch.sample_bits(log_max);
            const auto& qp = proof.queries[q];
            const std::string where = "FRI query " + std::to_string(q) + ": ";
            if (qp.inputs.size() != rounds.size())
                return VerifyResult::reject(where + std::to_string(qp.inputs.size()) + " input openings, expected " +
                                            std::to_string(rounds.size()));
            if (qp.layers.size() != arities.size())
                return VerifyResult::reject(where + std::to_string(qp.layers.size()) + " layer openings, expected " +
                                            std::to_string(arities.size()));
            std::map<unsigned, EF> ro;
            std::map<unsigned, EF> apow;
            for (std::size_t r = 0; r < rounds.size(); ++r) {
                const auto& round = rounds[r];
                const std::size_t ridx = index >> (log_max - round_max[r]);
                const auto check = mmcs_.verify(round.root, round.lde_dims, ridx, qp.inputs[r]);
                if (!check) return VerifyResult::reject(where + "round " + std::to_string(r) + ": " + check.reason());
                for (std::size_t m = 0; m < round.lde_dims.size(); ++m) {
                    const auto h = static_cast<unsigned>(std::countr_zero(round.lde_dims[m].height));
                    const std::size_t row = index >> (log_max - h);
                    const F x = lde_shift() * F::two_adic_generator(h).pow(field::reverse_bits(row, h));
                    if (!reduce_row(qp.inputs[r].rows[m], x, round.points[m], round.values[m], alpha, ro[h], apow, h))
                        return VerifyResult::reject(where + "an out-of-domain point lies on the LDE coset");
                }
            }
            EF value = ro[log_max];
            unsigned s = log_max;
            F shift = lde_shift();
            for (std::size_t l = 0; l < arities.size(); ++l) {
                const unsigned a = arities[l];
                const std::size_t idx = index >> (log_max - s);
                const std::size_t row = idx >> a;
                const MatrixDimensions dims{std::size_t{1} << (s - a), D << a};
                const std::vector<MatrixDimensions> layer_dims{dims};
                const auto check = mmcs_.verify(proof.commit_roots[l], layer_dims, row, qp.layers[l]);
                if (!check) return VerifyResult::reject(where + "layer " + std::to_string(l) + ": " + check.reason());
                std::vector<EF> values(std::size_t{1} << a);
                const auto& opened = qp.layers[l].rows[0];
                for (std::size_t k = 0; k < values.size(); ++k) values[k] = ext_from(opened.data() + k * D);
                if (values[idx & ((std::size_t{1} << a) - 1)] != value)
                    return VerifyResult::reject(where + "layer " + std::to_string(l) +
                                                " does not contain the folded value of the previous layer");
                EF beta = betas[l];
                std::size_t base = row;  // global index of values[0] / 2^k in the current domain
                for (unsigned k = 0; k < a; ++k) {
                    const std::size_t half = values.size() / 2;
                    for (std::size_t j = 0; j < half; ++j)
                        values[j] = fold_pair(values[2 * j], values[2 * j + 1], s, shift, beta, base * half + j);
                    values.resize(half);
                    --s;
                    shift = shift.square();
                    beta = beta.square();
                }
                value = values[0];
                if (const auto it = ro.find(s); it != ro.end()) value += beta * it->second;
            }
            const std::size_t fidx = index >> (log_max - s);
            const F x = shift * F::two_adic_generator(s).pow(field::reverse_bits(fidx, s));
            EF eval = EF::zero();
            for (auto it = proof.final_poly.rbegin(); it != proof.final_poly.rend(); ++it) eval = eval * x + *it;
            if (eval != value)
                return VerifyResult::reject(where + "the folded value does not match the final polynomial");
        }
        return VerifyResult::accept();
    }

private:
    static EF ext_from(const F* c) {
        std::array<F, D> a;
        std::copy(c, c + D, a.begin());
        return EF(a);
    }

    // The EF vector as a matrix of rows of 2^arity consecutive values (D base columns each).
    static field::RowMajorMatrix<F> layer_matrix(const std::vector<EF>& v, unsigned arity) {
        const std::size_t rows = v.size() >> arity, cols = D << arity;
        field::RowMajorMatrix<F> m(static_cast<Eigen::Index>(rows), static_cast<Eigen::Index>(cols));
        for (std::size_t i = 0; i < v.size(); ++i) {
            const auto& c = v[i].coeff_array();
            std::copy(c.begin(), c.end(), m.data() + i * D);
        }
        return m;
    }

    // f(x), f(-x) -> the folded polynomial at x^2: (f(x) + f(-x))/2 + beta (f(x) - f(-x))/(2x).
    static EF fold_step(const EF& fx, const EF& f_minus_x, const EF& beta, F inv_x, F half) {
        return ((fx + f_minus_x) + beta * ((fx - f_minus_x) * inv_x)) * half;
    }

    // The pair with index i of the bit-reversed domain shift * <w_{2^log_n}> has
    // x = shift * w^bitrev_{log_n - 1}(i).
    static EF fold_pair(const EF& a, const EF& b, unsigned log_n, F shift, const EF& beta, std::size_t i) {
        const F inv_x = (shift * F::two_adic_generator(log_n).pow(field::reverse_bits(i, log_n - 1))).inverse();
        return fold_step(a, b, beta, inv_x, F(2).inverse());
    }

    static std::vector<EF> fold(const std::vector<EF>& v, unsigned log_n, F shift, const EF& beta) {
        const std::size_t half = v.size() / 2;
        const auto inv_x = field::powers(F::two_adic_generator(log_n).inverse(), half, shift.inverse());
        const F half_inv = F(2).inverse();
        const unsigned bits = log_n - 1;
        std::vector<EF> out(half);
        parallel::parallel_for(half, 1024, [&](std::size_t b, std::size_t e) {
            for (std::size_t i = b; i < e; ++i)
                out[i] = fold_step(v[2 * i], v[2 * i + 1], beta, inv_x[field::reverse_bits(i, bits)], half_inv);
        });
        return out;
    }

    // Coefficients of the polynomial through the bit-reversed evaluations on shift * K.
    static std::vector<EF> final_polynomial(const std::vector<EF>& evals, F shift) {
        const std::size_t n = evals.size();
        field::RowMajorMatrix<F> m(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(D));
        for (std::size_t i = 0; i < n; ++i) {
            const auto& c = evals[field::reverse_bits(i, static_cast<unsigned>(std::countr_zero(n)))].coeff_array();
            std::copy(c.begin(), c.end(), m.data() + i * D);
        }
        field::Radix2Dft<F>{}.idft_batch(m);
        std::vector<EF> coeffs(std::size_t{1} << params.log_final_poly_len);
        const F inv = shift.inverse();
        F p = F::one();
        for (std::size_t i = 0; i < coeffs.size(); ++i) {
            coeffs[i] = ext_from(m.data() + i * D) * p;
            p *= inv;
        }
        return coeffs;
    }

    // For every LDE height h, the DEEP quotient on its bit-reversed points x:
    //   sum over (matrix m, point z_k) in opening order of
    //   alpha^off(m,k) (v_mk - m(x)) / (z_k - x),  v_mk = sum_c alpha^c values[k][c],
    //   m(x) = sum_c alpha^c row_m(x)[c],
    // with off counting per height as the verifier's reduce_row does. Terms that share a
    // point share one batch inversion of (z - x): per point, the numerators are summed
    // first and multiplied by 1 / (z - x) once.
    static std::map<unsigned, std::vector<EF>> reduced_openings(const std::vector<ProverOpenRound<SC>>& rounds,
                                                                const EF& alpha) {
        struct Term {
            const field::RowMajorMatrix<F>* lde;
            EF z, offset, value;  // the point, alpha^off, v_mk
        };
        std::map<unsigned, std::vector<Term>> terms;  // by log height, in opening order
        std::map<unsigned, EF> alpha_pow;
        for (const auto& round : rounds) {
            const auto& ldes = round.round->tree.matrices();
            for (std::size_t m = 0; m < ldes.size(); ++m) {
                const auto w = static_cast<std::size_t>(ldes[m].cols());
                const auto h = static_cast<unsigned>(std::countr_zero(static_cast<std::size_t>(ldes[m].rows())));
                if (round.points[m].empty()) continue;
                auto [it, fresh] = alpha_pow.try_emplace(h, EF::one());
                for (std::size_t k = 0; k < round.points[m].size(); ++k) {
                    EF v = EF::zero(), p = EF::one();
                    for (std::size_t c = 0; c < w; ++c) v += p * round.values[m][k][c], p *= alpha;
                    terms[h].push_back({&ldes[m], round.points[m][k], it->second, v});
                    it->second *= p;  // alpha^w
                }
            }
        }
        std::map<unsigned, std::vector<EF>> reduced;
        for (const auto& [log_h, list] : terms) {
            const unsigned h = log_h;  // a plain variable: clang 14 cannot capture structured bindings
            const std::size_t n = std::size_t{1} << h;
            // The distinct matrices (with their alpha-power weights) and points of this height.
            std::vector<const field::RowMajorMatrix<F>*> mats;
            std::vector<field::ExtensionWeights<F, EF>> weights;
            std::vector<EF> points;
            for (const Term& t : list) {
                if (std::find(mats.begin(), mats.end(), t.lde) == mats.end()) {
                    mats.push_back(t.lde);
                    std::vector<EF> ap(static_cast<std::size_t>(t.lde->cols()));
                    EF p = EF::one();
                    for (auto& a : ap) a = p, p *= alpha;
                    weights.emplace_back(ap);
                }
                if (std::find(points.begin(), points.end(), t.z) == points.end()) points.push_back(t.z);
            }
            // Per point: the constant sum_k alpha^off v and the (matrix, alpha^off) terms.
            std::vector<EF> constants(points.size(), EF::zero());
            std::vector<std::vector<std::pair<std::size_t, EF>>> scaled(points.size());
            for (const Term& t : list) {
                const auto p = static_cast<std::size_t>(std::find(points.begin(), points.end(), t.z) - points.begin());
                const auto m = static_cast<std::size_t>(std::find(mats.begin(), mats.end(), t.lde) - mats.begin());
                constants[p] += t.offset * t.value;
                scaled[p].emplace_back(m, t.offset);
            }
            auto& acc = reduced[h];
            acc.resize(n);
            // Chunk by chunk of rows, so that m(x) and 1 / (z - x) never exist for all rows.
            // The point of bit-reversed row i = hi 2^lo_bits + lo is
            // g w^rev_h(i) = g w^rev(hi) * (w^(2^(h - lo_bits)))^rev(lo): a small table for lo.
            const F w = F::two_adic_generator(h);
            const unsigned lo_bits = std::min(h, 10u);
            std::vector<F> low(std::size_t{1} << lo_bits);
            {
                const auto pw = field::powers(w.pow(std::size_t{1} << (h - lo_bits)), low.size());
                for (std::size_t j = 0; j < low.size(); ++j) low[j] = pw[field::reverse_bits(j, lo_bits)];
            }
            parallel::parallel_for(n, 1024, [&](std::size_t b, std::size_t e) {
                const std::size_t len = e - b;
                std::vector<F> xs(len);  // the LDE points of rows b..e (bit-reversed order)
                std::size_t hi = ~std::size_t{0};
                F high = F::zero();
                for (std::size_t i = b; i < e; ++i) {
                    if ((i >> lo_bits) != hi) {
                        hi = i >> lo_bits;
                        high = lde_shift() * w.pow(field::reverse_bits(hi, h - lo_bits));
                    }
                    xs[i - b] = high * low[i & (low.size() - 1)];
                }
                std::vector<EF> mx(mats.size() * len), den(len);
                for (std::size_t m = 0; m < mats.size(); ++m) {
                    const auto cols = static_cast<std::size_t>(mats[m]->cols());
                    for (std::size_t i = b; i < e; ++i) mx[m * len + i - b] = weights[m].dot(mats[m]->data() + i * cols);
                }
                for (std::size_t i = 0; i < len; ++i) acc[b + i] = EF::zero();
                for (std::size_t p = 0; p < points.size(); ++p) {
                    for (std::size_t i = 0; i < len; ++i) den[i] = points[p] - xs[i];
                    field::batch_inverse(std::span<EF>(den));
                    for (std::size_t i = 0; i < len; ++i) {
                        EF num = constants[p];
                        for (const auto& [m, off] : scaled[p]) num -= off * mx[m * len + i];
                        acc[b + i] += num * den[i];
                    }
                }
            });
        }
        return reduced;
    }

    // The verifier's part of the same sum for one opened row at x; false when some z == x.
    static bool reduce_row(const std::vector<F>& row, F x, const std::vector<EF>& points,
                           const std::vector<std::vector<EF>>& values, const EF& alpha, EF& acc,
                           std::map<unsigned, EF>& alpha_pow, unsigned h) {
        if (!alpha_pow.contains(h)) alpha_pow[h] = EF::one();
        for (std::size_t k = 0; k < points.size(); ++k) {
            const EF den = points[k] - x;
            if (den.is_zero()) return false;
            const EF inv = den.inverse();
            EF sum = EF::zero(), p = alpha_pow[h];
            for (std::size_t c = 0; c < row.size(); ++c) {
                sum += p * (values[k][c] - row[c]);
                p *= alpha;
            }
            acc += sum * inv;
            alpha_pow[h] = p;
        }
        return true;
    }

    typename T::Mmcs mmcs_;
};

}  // namespace causality::stark
