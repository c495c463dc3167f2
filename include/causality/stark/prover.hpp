// causality/stark/prover.hpp — the multi-AIR STARK prover.
//
//   transcript  <- configuration id, each AIR's height, width, public values and
//                  preprocessed width, the preprocessed root (verifying key) if any
//   commit all main traces in one tree                       (FRI PCS, LDE on g*K)
//   with buses: grind, bus challenges alpha_b, beta <- transcript; per AIR with buses the
//            LogUp columns (sum of +-count / fingerprint per chunk, running sum), all in
//            one tree; observe the root and each cumulative sum
//   alpha       <- transcript
//   per AIR: fold the constraints with powers of alpha on the quotient domain g*K'
//            (|K'| = n * 2^q, 2^q + 1 >= max constraint degree), divide by Z_H(x) = x^n - 1,
//            split into 2^q chunks of degree < n (the quotient on the cosets g w^t H)
//   commit all quotient chunks in one tree
//   zeta        <- transcript
//   open preprocessed and main traces at zeta and zeta * omega, quotient chunks at
//   zeta; observe them
//   FRI opening proof of all of them
//
// The verifier recombines the chunks at zeta and checks
// folded_constraints(zeta) = Z_H(zeta) * quotient(zeta).
#pragma once

#include <causality/error.hpp>
#include <causality/field/batch_inverse.hpp>
#include <causality/field/dft.hpp>
#include <causality/field/matrix.hpp>
#include <causality/field/packed.hpp>
#include <causality/parallel.hpp>
#include <causality/stark/config.hpp>
#include <causality/stark/folders.hpp>
#include <causality/stark/fri.hpp>
#include <causality/stark/keys.hpp>
#include <causality/stark/proof.hpp>
#include <causality/stark/transcript.hpp>

#include <chrono>
#include <mutex>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace causality::stark {

namespace detail {

// The first `rows` rows of a bit-reversed LDE on g K are the bit-reversed evaluations on
// g K' (K' the subgroup of that size): the point of natural index k is row
// reverse_bits(k). Returns that row.
template <class F>
const F* quotient_domain_row(const field::RowMajorMatrix<F>& lde, std::size_t k, unsigned log_rows) {
    return lde.data() + field::reverse_bits(k, log_rows) * static_cast<std::size_t>(lde.cols());
}

// The LogUp columns of one AIR over its trace (rows x D (chunks + 1) base columns: each
// chunk's sum of +-count / fingerprint, then the running sum, as extension coordinates),
// and its cumulative sum. Error(invalid_argument) when a row puts another number of
// messages on buses than the AIR's shape declares (eval must not branch on values).
template <StarkConfig SC>
std::pair<field::RowMajorMatrix<typename SC::Field>, typename SC::Challenge> logup_trace(
    const AirRef<SC>& a, const field::RowMajorMatrix<typename SC::Field>& trace,
    std::span<const typename SC::Field> publics, const BusChallenges<typename SC::Challenge>& bc) {
    using F = typename SC::Field;
    using EF = typename SC::Challenge;
    constexpr std::size_t D = EF::degree;
    const auto& shape = a.shape();
    const std::size_t n = static_cast<std::size_t>(trace.rows()), m = shape.interactions.size();
    const std::size_t chunks = shape.interaction_chunks.size(), cols = D * (chunks + 1);
    std::vector<EF> inv(n * m);
    std::vector<F> counts(n * m);
    const LogUpInputs<EF> in{{}, {}, bc.alpha, bc.beta_powers, EF::zero()};
    const auto constant = [](std::uint64_t c) { return F::from_u64(c); };
    std::string problem;
    std::mutex problem_mutex;
    const auto report = [&](std::string what) {
        const std::lock_guard<std::mutex> lock(problem_mutex);
        if (problem.empty()) problem = std::move(what);
    };
    a.row_messages_parallel(trace, publics, [&](std::size_t r, const auto& msgs) {
        if (msgs.size() != m) {
            report("AIR '" + shape.name + "' puts " + std::to_string(msgs.size()) + " messages on buses in row " +
                   std::to_string(r) + ", its shape declares " + std::to_string(m));
            return;
        }
        for (std::size_t i = 0; i < m; ++i) {
            if (msgs[i].fields.size() + 1 >= bc.beta_powers.size()) {
                report("AIR '" + shape.name + "': a message longer than its shape declares");
                return;
            }
            inv[r * m + i] = fingerprint(in, msgs[i].bus, msgs[i].fields.data(), msgs[i].fields.size(), constant);
            counts[r * m + i] = msgs[i].count;
        }
    });
    if (!problem.empty()) throw Error(ErrorCode::invalid_argument, "prove: " + problem);
    parallel::parallel_for(inv.size(), 4096, [&](std::size_t b, std::size_t e) {
        field::batch_inverse(std::span<EF>(inv.data() + b, e - b));
    });
    // Row r's columns: the chunk sums h, then the running sum (serial prefix over rows).
    std::vector<EF> values(n * (chunks + 1));
    parallel::parallel_for(n, 1024, [&](std::size_t b, std::size_t e) {
        for (std::size_t r = b; r < e; ++r)
            for (std::size_t c = 0; c < chunks; ++c) {
                EF h = EF::zero();
                for (auto i : shape.interaction_chunks[c]) {
                    const EF t = inv[r * m + i] * counts[r * m + i];
                    h = shape.interactions[i].is_send ? h + t : h - t;
                }
                values[r * (chunks + 1) + c] = h;
            }
    });
    EF running = EF::zero();
    for (std::size_t r = 0; r < n; ++r) {
        for (std::size_t c = 0; c < chunks; ++c) running += values[r * (chunks + 1) + c];
        values[r * (chunks + 1) + chunks] = running;
    }
    field::RowMajorMatrix<F> out(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(cols));
    for (std::size_t k = 0; k < values.size(); ++k) {
        const auto& co = values[k].coeff_array();
        std::copy(co.begin(), co.end(), out.data() + k * D);
    }
    return {std::move(out), running};
}

// Folded constraints divided by Z_H on the quotient domain, natural order. `fixed_lde` is
// the AIR's preprocessed LDE (nullptr without preprocessed columns); `perm_lde` its LogUp
// columns' LDE (nullptr without buses).
template <StarkConfig SC>
std::vector<typename SC::Challenge> quotient_values(const AirRef<SC>& a, const field::RowMajorMatrix<typename SC::Field>& lde,
                                                    const field::RowMajorMatrix<typename SC::Field>* fixed_lde,
                                                    const field::RowMajorMatrix<typename SC::Field>* perm_lde,
                                                    const BusChallenges<typename SC::Challenge>& bc,
                                                    const typename SC::Challenge& cumulative_sum, unsigned log_h,
                                                    std::span<const typename SC::Field> publics,
                                                    const typename SC::Challenge& alpha) {
    using F = typename SC::Field;
    using EF = typename SC::Challenge;
    using P = field::Packed<F>;
    const auto& shape = a.shape();
    const unsigned q = shape.log_quotient_degree();
    const std::size_t n = std::size_t{1} << log_h, big = n << q, w = shape.width;
    const std::size_t pw = fixed_lde ? static_cast<std::size_t>(fixed_lde->cols()) : 0;
    const unsigned log_big = log_h + q;
    const field::RowMajorMatrix<F> no_matrix;
    const field::RowMajorMatrix<F>& pt = fixed_lde ? *fixed_lde : no_matrix;
    const field::RowMajorMatrix<F>& lt = perm_lde ? *perm_lde : no_matrix;
    constexpr std::size_t D = EF::degree;
    const std::size_t lw = perm_lde ? static_cast<std::size_t>(perm_lde->cols()) : 0;  // D * LogUp columns

    const F g = F::generator();
    const F w_inv = F::two_adic_generator(log_h).inverse();
    const std::vector<F> xs = field::powers(F::two_adic_generator(log_h + q), big, g);
    std::vector<F> first(big), last(big), trans(big), inv_z(big);
    // Z_H(x) = x^n - 1 takes 2^q values on g K', one per coset of H (nonzero: g is not in H).
    std::vector<F> zval = quotient_coset_powers<F>(log_h, q), zinv;
    for (auto& z : zval) z -= F::one(), zinv.push_back(z.inverse());
    const std::size_t period = std::size_t{1} << q;
    parallel::parallel_for(big, 4096, [&](std::size_t b, std::size_t e) {
        for (std::size_t k = b; k < e; ++k) first[k] = xs[k] - F::one(), last[k] = xs[k] - w_inv;
        field::batch_inverse(std::span<F>(first.data() + b, e - b));
        field::batch_inverse(std::span<F>(last.data() + b, e - b));
        for (std::size_t k = b; k < e; ++k) {
            const F z = zval[k % period];
            first[k] *= z;
            last[k] *= z;
            trans[k] = xs[k] - w_inv;
            inv_z[k] = zinv[k % period];
        }
    });

    const std::size_t m = shape.num_constraints + shape.num_logup_constraints();
    std::vector<EF> pows(m);
    {
        EF p = EF::one();
        for (std::size_t j = m; j-- > 0;) pows[j] = p, p *= alpha;
    }
    std::vector<EF> out(big);
    const std::size_t next_off = period;  // the next row of x is x * w_n: index + 2^q
    if (big % P::width == 0) {
        using Acc = typename ProverFolder<SC, P>::Acc;
        std::vector<Acc> ppows(m);
        for (std::size_t j = 0; j < m; ++j) ppows[j] = Acc::broadcast(pows[j]);
        std::vector<P> ppub(publics.size());
        for (std::size_t i = 0; i < publics.size(); ++i) ppub[i] = P::broadcast(publics[i]);
        std::vector<Acc> pbeta;
        for (const EF& b : bc.beta_powers) pbeta.push_back(Acc::broadcast(b));
        const Acc palpha = Acc::broadcast(bc.alpha), pcum = Acc::broadcast(cumulative_sum);
        // Column c of the points k0 .. k0 + 15 (local) and of the points after them (next),
        // one lane each, read from the bit-reversed LDE.
        const auto gather = [&](const field::RowMajorMatrix<F>& m, std::size_t cols, std::size_t k0, std::vector<P>& local,
                                std::vector<P>& next) {
            if (cols == 0) return;
            std::array<const F*, P::width> lr, nr;
            for (std::size_t l = 0; l < P::width; ++l) {
                lr[l] = quotient_domain_row(m, k0 + l, log_big);
                nr[l] = quotient_domain_row(m, (k0 + l + next_off) % big, log_big);
            }
            std::array<F, P::width> lanes;
            for (std::size_t c = 0; c < cols; ++c) {
                for (std::size_t l = 0; l < P::width; ++l) lanes[l] = lr[l][c];
                local[c] = P::from_array(lanes);
                for (std::size_t l = 0; l < P::width; ++l) lanes[l] = nr[l][c];
                next[c] = P::from_array(lanes);
            }
        };
        parallel::parallel_for(big / P::width, 16, [&](std::size_t b, std::size_t e) {
            std::vector<P> local(w), next(w), plocal(pw), pnext(pw), llocal(lw), lnext(lw);
            std::vector<Acc> elocal(lw / D), enext(lw / D);
            for (std::size_t blk = b; blk < e; ++blk) {
                const std::size_t k0 = blk * P::width;
                gather(lde, w, k0, local, next);
                gather(pt, pw, k0, plocal, pnext);
                gather(lt, lw, k0, llocal, lnext);
                for (std::size_t c = 0; c < lw / D; ++c) {
                    std::array<P, D> l, nx;
                    for (std::size_t k = 0; k < D; ++k) l[k] = llocal[c * D + k], nx[k] = lnext[c * D + k];
                    elocal[c] = Acc(l);
                    enext[c] = Acc(nx);
                }
                ProverFolder<SC, P> folder({air::TwoRowWindow<P>(local, next), air::TwoRowWindow<P>(plocal, pnext), ppub,
                                            P::load(first.data() + k0), P::load(last.data() + k0),
                                            P::load(trans.data() + k0)},
                                           ppows);
                a.eval(folder);
                folder.finish_logup(shape, {elocal, enext, palpha, pbeta, pcum});
                (folder.accumulator() * P::load(inv_z.data() + k0)).store(out.data() + k0);
            }
        });
    } else {
        std::vector<EF> elocal(lw / D), enext(lw / D);
        for (std::size_t k = 0; k < big; ++k) {
            const std::size_t k_next = (k + next_off) % big;
            const std::span<const F> local(quotient_domain_row(lde, k, log_big), w),
                next(quotient_domain_row(lde, k_next, log_big), w);
            const std::span<const F> plocal(pw ? quotient_domain_row(pt, k, log_big) : nullptr, pw),
                pnext(pw ? quotient_domain_row(pt, k_next, log_big) : nullptr, pw);
            ProverFolder<SC, F> folder({air::TwoRowWindow<F>(local, next), air::TwoRowWindow<F>(plocal, pnext), publics,
                                        first[k], last[k], trans[k]},
                                       pows);
            a.eval(folder);
            if (lw > 0) {
                const F* lr = quotient_domain_row(lt, k, log_big);
                const F* nr = quotient_domain_row(lt, k_next, log_big);
                for (std::size_t c = 0; c < lw / D; ++c) {
                    std::array<F, D> l, nx;
                    std::copy_n(lr + c * D, D, l.begin());
                    std::copy_n(nr + c * D, D, nx.begin());
                    elocal[c] = EF(l);
                    enext[c] = EF(nx);
                }
            }
            folder.finish_logup(shape, {elocal, enext, bc.alpha, bc.beta_powers, cumulative_sum});
            out[k] = folder.accumulator() * inv_z[k];
        }
    }
    return out;
}

}  // namespace detail

// Where proving time went, in seconds (wall clock), filled by prove() when asked.
struct ProveTimings {
    double commit_main = 0;      // LDE of the traces and their Merkle tree
    double logup = 0;            // bus challenges, LogUp columns, their LDE and Merkle tree
    double quotient = 0;         // constraint folding on the quotient domain
    double commit_quotient = 0;  // LDE of the quotient chunks and their Merkle tree
    double open = 0;             // evaluations at zeta and zeta * omega
    double fri = 0;              // DEEP quotients, folding, layer commitments, grinding, queries
    [[nodiscard]] double total() const noexcept {
        return commit_main + logup + quotient + commit_quotient + open + fri;
    }
};

// Checks the prover can run before any work, off by default in release builds: on where
// NDEBUG is not defined, or where CAUSALITY_PROVE_CHECKS is defined to 1.
#if defined(CAUSALITY_PROVE_CHECKS)
inline constexpr bool prove_checks_by_default = CAUSALITY_PROVE_CHECKS != 0;
#elif defined(NDEBUG)
inline constexpr bool prove_checks_by_default = false;
#else
inline constexpr bool prove_checks_by_default = true;
#endif

struct ProveOptions {
    // Before committing anything, evaluate every constraint on every row and balance the
    // buses; a violation is Error(invalid_argument) naming the AIR, row and constraint
    // (its source location), or the unbalanced message, instead of a proof that will not
    // verify. Costs one debug evaluation per row.
    bool check_constraints = prove_checks_by_default;
    ProveTimings* timings = nullptr;  // filled with the phases' wall-clock times when set
};

namespace detail {
template <StarkConfig SC>
void check_before_proving(std::span<const AirRef<SC>> airs,
                          const std::vector<field::RowMajorMatrix<typename SC::Field>>& traces,
                          const std::vector<std::vector<typename SC::Field>>& public_values) {
    for (std::size_t i = 0; i < airs.size(); ++i) {
        const auto report = airs[i].check(traces[i], public_values[i], 3);
        if (!report.ok())
            throw Error(ErrorCode::invalid_argument, "prove: AIR " + std::to_string(i) + ": " + report.to_string());
    }
    if (has_buses<SC>(airs)) {
        const auto report = check_buses<SC>(airs, traces, public_values, 3);
        if (!report.ok()) throw Error(ErrorCode::invalid_argument, "prove: " + report.to_string());
    }
}
}  // namespace detail

// Proves that each trace satisfies its AIR with its public values. Throws Error
// (invalid_size / invalid_argument) naming the AIR for mismatched counts, a trace of the
// wrong width or a height that is not a power of two (or not its preprocessed trace's
// height), wrong public-value counts, AIRs whose degree the configuration's blowup cannot
// hold, and a key made for other AIRs. A trace that violates its constraints yields a
// proof that does not verify, or with options.check_constraints an Error that says why.
template <StarkConfig SC>
StarkProof<SC> prove(const ProvingKey<SC>& pk, std::span<const AirRef<SC>> airs,
                     std::vector<field::RowMajorMatrix<typename SC::Field>> traces,
                     const std::vector<std::vector<typename SC::Field>>& public_values, const ProveOptions& options) {
    ProveTimings* const timings = options.timings;
    check_config<SC>();
    using T = StarkTypes<SC>;
    using F = typename T::F;
    using EF = typename T::EF;
    constexpr std::size_t D = T::ext_degree;
    if (airs.empty()) throw Error(ErrorCode::invalid_argument, "prove: no AIRs");
    if (traces.size() != airs.size() || public_values.size() != airs.size())
        throw Error(ErrorCode::invalid_size, "prove: " + std::to_string(airs.size()) + " AIRs, " +
                                                 std::to_string(traces.size()) + " traces, " +
                                                 std::to_string(public_values.size()) + " public-value lists");
    StarkProof<SC> proof;
    for (std::size_t i = 0; i < airs.size(); ++i) {
        const auto& s = airs[i].shape();
        const std::string who = "prove: AIR " + std::to_string(i) + " ('" + s.name + "'): ";
        if (static_cast<std::size_t>(traces[i].cols()) != s.width)
            throw Error(ErrorCode::invalid_size, who + "the trace has " + std::to_string(traces[i].cols()) +
                                                     " columns, the AIR " + std::to_string(s.width));
        const int lh = detail::log2_height(static_cast<std::size_t>(traces[i].rows()));
        if (lh < 0)
            throw Error(ErrorCode::invalid_size, who + "the trace has " + std::to_string(traces[i].rows()) +
                                                     " rows, not a power of two >= 2");
        if (public_values[i].size() != s.num_public_values)
            throw Error(ErrorCode::invalid_size, who + std::to_string(public_values[i].size()) +
                                                     " public values, the AIR declares " +
                                                     std::to_string(s.num_public_values));
        if (i < pk.vk.airs.size() && pk.vk.airs[i].width > 0 &&
            pk.vk.airs[i].log_height != static_cast<std::uint32_t>(lh))
            throw Error(ErrorCode::invalid_size, who + "the trace has 2^" + std::to_string(lh) +
                                                     " rows, the preprocessed trace 2^" +
                                                     std::to_string(pk.vk.airs[i].log_height));
        if (const auto problem = detail::height_problem<SC>(s, static_cast<unsigned>(lh)); !problem.empty())
            throw Error(ErrorCode::invalid_argument, who + problem);
        proof.log_heights.push_back(static_cast<std::uint32_t>(lh));
    }

    if (const auto problem = key_mismatch<SC>(pk.vk, airs); !problem.empty())
        throw Error(ErrorCode::invalid_argument, "prove: " + problem);
    if (options.check_constraints) detail::check_before_proving<SC>(airs, traces, public_values);
    const bool has_buses = detail::has_buses<SC>(airs);
    if (const auto problem = detail::interaction_count_problem<SC>(airs, proof.log_heights); !problem.empty())
        throw Error(ErrorCode::invalid_argument, "prove: " + problem);
    if (pk.vk.has_preprocessed() != static_cast<bool>(pk.preprocessed))
        throw Error(ErrorCode::invalid_argument, "prove: the proving key lacks its preprocessed commitment");
    for (const auto& f : pk.vk.airs)
        if (f.width > 0 && (f.matrix >= pk.preprocessed->tree.matrices().size() ||
                            static_cast<std::size_t>(pk.preprocessed->tree.matrices()[f.matrix].cols()) != f.width))
            throw Error(ErrorCode::invalid_argument, "prove: the proving key's preprocessed commitment is inconsistent");

    auto clock = std::chrono::steady_clock::now();
    const auto lap = [&](double ProveTimings::*field) {
        const auto now = std::chrono::steady_clock::now();
        if (timings) timings->*field += std::chrono::duration<double>(now - clock).count();
        clock = now;
    };
    const FriPcs<SC> pcs;
    auto ch = T::Hashing::challenger();
    detail::observe_instance<SC>(ch, pk.vk, airs, proof.log_heights, public_values);

    std::vector<std::pair<field::RowMajorMatrix<F>, F>> main_inputs;
    for (auto& t : traces) main_inputs.emplace_back(std::move(t), F::one());
    const CommittedRound<SC> main = pcs.commit(std::move(main_inputs));
    proof.main_root = main.root();
    ch.observe(proof.main_root);
    lap(&ProveTimings::commit_main);

    // Buses: grinding, the challenges, each AIR's LogUp columns and cumulative sum.
    detail::BusChallenges<EF> bc;
    std::vector<EF> cumulative(airs.size(), EF::zero());
    std::vector<std::int64_t> perm_matrix(airs.size(), -1);
    std::optional<CommittedRound<SC>> perm;
    if (has_buses) {
        proof.bus_pow_witness = SC::fri.bus_pow_bits > 0 ? ch.grind(SC::fri.bus_pow_bits) : F::zero();
        bc = detail::sample_bus_challenges<SC>(ch, airs);
        std::vector<std::pair<field::RowMajorMatrix<F>, F>> perm_inputs;
        for (std::size_t i = 0; i < airs.size(); ++i) {
            if (airs[i].shape().interactions.empty()) continue;
            auto [t, sum] = detail::logup_trace<SC>(airs[i], main.evals[i], public_values[i], bc);
            cumulative[i] = sum;
            perm_matrix[i] = static_cast<std::int64_t>(perm_inputs.size());
            perm_inputs.emplace_back(std::move(t), F::one());
        }
        perm = pcs.commit(std::move(perm_inputs));
        proof.permutation_root = perm->root();
        ch.observe(proof.permutation_root);
        for (std::size_t i = 0; i < airs.size(); ++i)
            if (perm_matrix[i] >= 0) ch.observe_ext(cumulative[i]);
    }
    const EF alpha = ch.template sample_ext<EF>();
    lap(&ProveTimings::logup);

    std::vector<std::pair<field::RowMajorMatrix<F>, F>> chunks;
    for (std::size_t i = 0; i < airs.size(); ++i) {
        const unsigned h = proof.log_heights[i], q = airs[i].shape().log_quotient_degree();
        const auto& fixed = pk.vk.airs[i];
        const auto* fixed_lde = fixed.width > 0 ? &pk.preprocessed->tree.matrices()[fixed.matrix] : nullptr;
        const auto* perm_lde = perm_matrix[i] >= 0 ? &perm->tree.matrices()[static_cast<std::size_t>(perm_matrix[i])]
                                                   : nullptr;
        const auto values = detail::quotient_values<SC>(airs[i], main.tree.matrices()[i], fixed_lde, perm_lde, bc,
                                                        cumulative[i], h, public_values[i], alpha);
        const std::size_t n = std::size_t{1} << h, period = std::size_t{1} << q;
        const F step = F::two_adic_generator(h + q);
        F shift = F::generator();
        for (std::size_t t = 0; t < period; ++t) {
            field::RowMajorMatrix<F> c(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(D));
            for (std::size_t j = 0; j < n; ++j) {
                const auto& e = values[t + j * period].coeff_array();
                std::copy(e.begin(), e.end(), c.data() + j * D);
            }
            chunks.emplace_back(std::move(c), shift);
            shift *= step;
        }
    }
    lap(&ProveTimings::quotient);
    const CommittedRound<SC> quotient = pcs.commit(std::move(chunks));
    proof.quotient_root = quotient.root();
    ch.observe(proof.quotient_root);
    const EF zeta = ch.template sample_ext<EF>();
    lap(&ProveTimings::commit_quotient);

    ProverOpenRound<SC> fixed_open{pk.preprocessed.get(), {}, {}}, main_open{&main, {}, {}},
        perm_open{perm ? &*perm : nullptr, {}, {}}, quotient_open{&quotient, {}, {}};
    std::size_t chunk = 0;
    for (std::size_t i = 0; i < airs.size(); ++i) {
        const EF zeta_next = zeta * F::two_adic_generator(proof.log_heights[i]);
        AirOpenedValues<SC> o;
        o.main_local = FriPcs<SC>::evaluate(main, i, zeta);
        o.main_next = FriPcs<SC>::evaluate(main, i, zeta_next);
        main_open.points.push_back({zeta, zeta_next});
        main_open.values.push_back({o.main_local, o.main_next});
        if (const auto& fixed = pk.vk.airs[i]; fixed.width > 0) {
            o.preprocessed_local = FriPcs<SC>::evaluate(*pk.preprocessed, fixed.matrix, zeta);
            o.preprocessed_next = FriPcs<SC>::evaluate(*pk.preprocessed, fixed.matrix, zeta_next);
            fixed_open.points.push_back({zeta, zeta_next});
            fixed_open.values.push_back({o.preprocessed_local, o.preprocessed_next});
        }
        if (perm_matrix[i] >= 0) {
            const auto pm = static_cast<std::size_t>(perm_matrix[i]);
            o.permutation_local = FriPcs<SC>::evaluate(*perm, pm, zeta);
            o.permutation_next = FriPcs<SC>::evaluate(*perm, pm, zeta_next);
            o.cumulative_sum = {cumulative[i]};
            perm_open.points.push_back({zeta, zeta_next});
            perm_open.values.push_back({o.permutation_local, o.permutation_next});
        }
        const std::size_t period = std::size_t{1} << airs[i].shape().log_quotient_degree();
        for (std::size_t t = 0; t < period; ++t, ++chunk) {
            auto v = FriPcs<SC>::evaluate(quotient, chunk, zeta);
            o.quotient.insert(o.quotient.end(), v.begin(), v.end());
            quotient_open.points.push_back({zeta});
            quotient_open.values.push_back({std::move(v)});
        }
        detail::observe_opened<SC>(ch, o);
        proof.opened.push_back(std::move(o));
    }
    lap(&ProveTimings::open);
    std::vector<ProverOpenRound<SC>> rounds;
    if (pk.preprocessed) rounds.push_back(std::move(fixed_open));
    rounds.push_back(std::move(main_open));
    if (perm) rounds.push_back(std::move(perm_open));
    rounds.push_back(std::move(quotient_open));
    proof.fri = pcs.open(rounds, ch);
    lap(&ProveTimings::fri);
    return proof;
}

template <StarkConfig SC>
StarkProof<SC> prove(const ProvingKey<SC>& pk, std::span<const AirRef<SC>> airs,
                     std::vector<field::RowMajorMatrix<typename SC::Field>> traces,
                     const std::vector<std::vector<typename SC::Field>>& public_values,
                     ProveTimings* timings = nullptr) {
    return prove<SC>(pk, airs, std::move(traces), public_values, ProveOptions{.timings = timings});
}

// Without a key: runs setup first (free for AIRs without preprocessed columns).
template <StarkConfig SC>
StarkProof<SC> prove(std::span<const AirRef<SC>> airs, std::vector<field::RowMajorMatrix<typename SC::Field>> traces,
                     const std::vector<std::vector<typename SC::Field>>& public_values, const ProveOptions& options) {
    return prove<SC>(setup<SC>(airs), airs, std::move(traces), public_values, options);
}
template <StarkConfig SC>
StarkProof<SC> prove(std::span<const AirRef<SC>> airs, std::vector<field::RowMajorMatrix<typename SC::Field>> traces,
                     const std::vector<std::vector<typename SC::Field>>& public_values,
                     ProveTimings* timings = nullptr) {
    return prove<SC>(setup<SC>(airs), airs, std::move(traces), public_values, ProveOptions{.timings = timings});
}

template <StarkConfig SC>
std::vector<std::uint8_t> prove_to_bytes(const ProvingKey<SC>& pk, std::span<const AirRef<SC>> airs,
                                         std::vector<field::RowMajorMatrix<typename SC::Field>> traces,
                                         const std::vector<std::vector<typename SC::Field>>& public_values) {
    return encode_proof(prove<SC>(pk, airs, std::move(traces), public_values));
}
template <StarkConfig SC>
std::vector<std::uint8_t> prove_to_bytes(std::span<const AirRef<SC>> airs,
                                         std::vector<field::RowMajorMatrix<typename SC::Field>> traces,
                                         const std::vector<std::vector<typename SC::Field>>& public_values) {
    return encode_proof(prove<SC>(airs, std::move(traces), public_values));
}

// The prover of one configuration as a class, compiled once like Verifier<SC>
// (verifier.hpp): `extern template class causality::stark::Prover<MyConfig>;` in a
// header, `template class causality::stark::Prover<MyConfig>;` in one .cpp.
template <StarkConfig SC>
class Prover {
public:
    using F = typename SC::Field;
    static ProvingKey<SC> setup(std::span<const AirRef<SC>> airs);
    static StarkProof<SC> prove(const ProvingKey<SC>& pk, std::span<const AirRef<SC>> airs,
                                std::vector<field::RowMajorMatrix<F>> traces,
                                const std::vector<std::vector<F>>& public_values, const ProveOptions& options = {});
    static std::vector<std::uint8_t> prove_to_bytes(std::span<const AirRef<SC>> airs,
                                                    std::vector<field::RowMajorMatrix<F>> traces,
                                                    const std::vector<std::vector<F>>& public_values,
                                                    const ProveOptions& options = {});
};

template <StarkConfig SC>
ProvingKey<SC> Prover<SC>::setup(std::span<const AirRef<SC>> airs) {
    return stark::setup<SC>(airs);
}
template <StarkConfig SC>
StarkProof<SC> Prover<SC>::prove(const ProvingKey<SC>& pk, std::span<const AirRef<SC>> airs,
                                 std::vector<field::RowMajorMatrix<F>> traces,
                                 const std::vector<std::vector<F>>& public_values, const ProveOptions& options) {
    return stark::prove<SC>(pk, airs, std::move(traces), public_values, options);
}
template <StarkConfig SC>
std::vector<std::uint8_t> Prover<SC>::prove_to_bytes(std::span<const AirRef<SC>> airs,
                                                     std::vector<field::RowMajorMatrix<F>> traces,
                                                     const std::vector<std::vector<F>>& public_values,
                                                     const ProveOptions& options) {
    return encode_proof(stark::prove<SC>(airs, std::move(traces), public_values, options));
}

}  // namespace causality::stark
