// causality/vm/mpi.hpp — segments proven across processes and machines with MPI
// (component causality::mpi; Debian: openmpi-bin, libopenmpi-dev). Every rank calls the
// same function with the same executable and input (each loads them itself):
//
//   MPI_Init(&argc, &argv);
//   auto proof = vm::mpi::prove_continuation<SC>(MPI_COMM_WORLD, vm, exe, input, options);
//   if (proof) write(proof->to_bytes());   // rank 0 only
//   MPI_Finalize();
//
// Rank 0 runs the program and segments it (plan_segments), hands each segment's witness
// (continuation.hpp: its start state, the memory it reads, its Merkle rows; a few hundred
// kilobytes) to the next idle rank, collects the proofs and returns the chain; the other
// ranks prove what they are given and return nothing. With one rank, rank 0 proves every
// segment itself. Each proof depends only on its witness, so the chain is byte for byte
// the one a single machine makes.
//
// Failures. A rank that cannot prove its segment (an error, out of memory as an exception)
// says so; rank 0 reports it (MpiReport::failures, and the log) with the segment, and
// gives the segment to another rank, each segment at most `max_attempts` times, then
// fails with that error. A rank that dies outright ends the job under MPI's usual error
// handling (mpirun stops every rank); rank 0 then writes, from its SIGTERM handler, which
// segments each rank held, so the log says what was lost. Idle ranks wait without
// spinning (probe, then sleep a millisecond).
//
// Threads: each rank's provers use the hardware threads divided by the ranks on its node
// (MPI_Comm_split_type), so 3 ranks on 2 cores do not fight over 6 threads.
#pragma once

#include <causality/error.hpp>
#include <causality/parallel.hpp>
#include <causality/vm/continuation.hpp>

#include <mpi.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

namespace causality::vm::mpi {

struct MpiReport {
    int ranks = 0;
    double plan = 0, wall = 0;  // seconds on rank 0
    struct Assignment {
        std::uint32_t segment = 0;
        int rank = 0;
        double seconds = 0;  // from handing out to the proof's arrival
    };
    std::vector<Assignment> assignments;  // in arrival order
    std::vector<std::string> failures;    // "rank R, segment S: why"
    std::vector<std::uint64_t> peak_resident_bytes;  // per rank (getrusage), gathered at the end
};

namespace detail {
enum Tag : int { work = 11, proof = 12, failed = 13, stop = 14 };

inline void check(int rc, const char* what) {
    if (rc != MPI_SUCCESS) {
        char text[MPI_MAX_ERROR_STRING];
        int len = 0;
        MPI_Error_string(rc, text, &len);
        throw Error(ErrorCode::io_error, std::string("mpi: ") + what + ": " + std::string(text, static_cast<std::size_t>(len)));
    }
}
inline void send(MPI_Comm comm, int to, int tag, const std::vector<std::uint8_t>& bytes) {
    check(MPI_Send(bytes.data(), static_cast<int>(bytes.size()), MPI_BYTE, to, tag, comm), "send");
}
// Waits (probing, sleeping between probes) for a message from `from` (or any rank).
inline MPI_Status wait_message(MPI_Comm comm, int from) {
    for (;;) {
        int flag = 0;
        MPI_Status st;
        check(MPI_Iprobe(from, MPI_ANY_TAG, comm, &flag, &st), "probe");
        if (flag) return st;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
}
inline std::vector<std::uint8_t> receive(MPI_Comm comm, const MPI_Status& st) {
    int count = 0;
    check(MPI_Get_count(&st, MPI_BYTE, &count), "count");
    std::vector<std::uint8_t> bytes(static_cast<std::size_t>(count));
    check(MPI_Recv(bytes.data(), count, MPI_BYTE, st.MPI_SOURCE, st.MPI_TAG, comm, MPI_STATUS_IGNORE), "receive");
    return bytes;
}

// What rank 0's SIGTERM handler writes: which segments each rank holds (kept current).
inline char holding_text[4096];
inline std::atomic<std::size_t> holding_length{0};
inline void on_terminate(int) {
    const char head[] = "causality: stopped by MPI; segments held: ";
    (void)!::write(2, head, sizeof head - 1);
    (void)!::write(2, holding_text, holding_length.load());
    (void)!::write(2, "\n", 1);
    std::_Exit(143);
}
inline void set_holding(const std::map<int, std::uint32_t>& held) {
    std::string s;
    for (const auto& [rank, seg] : held) s += (s.empty() ? "" : ", ") + ("rank " + std::to_string(rank)) + ": segment " + std::to_string(seg);
    if (s.empty()) s = "none";
    holding_length.store(0);
    const std::size_t n = std::min(s.size(), sizeof holding_text);
    std::memcpy(holding_text, s.data(), n);
    holding_length.store(n);
}

inline std::vector<std::uint8_t> segment_bytes(std::uint32_t index, const std::vector<std::uint8_t>& proof) {
    stark::ByteWriter w;
    w.u32(index);
    w.raw(proof);
    return std::move(w).take();
}
inline std::uint32_t index_of(const std::vector<std::uint8_t>& b) {
    if (b.size() < 4) throw Error(ErrorCode::malformed_input, "mpi: a message of " + std::to_string(b.size()) + " bytes");
    return std::uint32_t{b[0]} | std::uint32_t{b[1]} << 8 | std::uint32_t{b[2]} << 16 | std::uint32_t{b[3]} << 24;
}
}  // namespace detail

struct MpiOptions {
    unsigned max_attempts = 2;  // per segment, over the ranks
    std::FILE* log = nullptr;   // rank 0's progress and failures (one line each), when set
    // Test-only: this rank fails (throws) the first segment it is given, or dies (_exit)
    // when given one. -1: never.
    int fail_rank_for_testing = -1, die_rank_for_testing = -1;
};

// Peak memory of every rank (getrusage), gathered on rank 0.
inline void gather_peaks(MPI_Comm comm, int rank, int size, MpiReport* report) {
    std::uint64_t peak = peak_resident_bytes();
    std::vector<std::uint64_t> peaks(rank == 0 ? static_cast<std::size_t>(size) : 0);
    detail::check(MPI_Gather(&peak, 1, MPI_UINT64_T, peaks.data(), 1, MPI_UINT64_T, 0, comm), "gather");
    if (report && rank == 0) report->peak_resident_bytes = peaks;
}

// Rank 0's part: plan, hand out, collect. `held` says which rank holds which segment when
// it returns or throws (the caller waits for those before stopping the ranks).
template <class SC, VmConfig Vm>
ContinuationProof<SC> coordinate(MPI_Comm comm, int size, const Vm& vm, const Executable<typename SC::Field>& exe,
                                 const std::vector<std::uint8_t>& input, const SegmentOptions& options,
                                 const MpiOptions& mpi_options, MpiReport* report, std::map<int, std::uint32_t>& held) {
    using Clock = std::chrono::steady_clock;
    const SegmentPlan plan = plan_segments(vm, exe, input, options);
    if (report) report->plan = plan.seconds;
    const auto log = [&](const std::string& line) {
        if (mpi_options.log) std::fprintf(mpi_options.log, "causality: %s\n", line.c_str());
    };
    const std::size_t n = plan.segments.size();
    log("rank 0 planned " + std::to_string(n) + " segments (" + std::to_string(plan.result.cycles) + " cycles) in " +
        std::to_string(plan.seconds).substr(0, 6) + " s; " + std::to_string(size - 1) + " proving ranks");
    if (size == 1) return prove_plan<SC>(vm, exe, input, plan, options);
    ContinuationProof<SC> out;
    out.segments.resize(n);
    std::vector<bool> have(n, false);
    std::vector<unsigned> attempts(n, 0);
    std::deque<std::uint32_t> queue;
    for (std::uint32_t k = 0; k < n; ++k) queue.push_back(k);
    std::map<int, Clock::time_point> since;
    std::deque<int> idle;
    for (int r = 1; r < size; ++r) idle.push_back(r);
    std::size_t done = 0;
    while (done < n) {
        while (!queue.empty() && !idle.empty()) {
            const std::uint32_t k = queue.front();
            queue.pop_front();
            const int r = idle.front();
            idle.pop_front();
            ++attempts[k];
            held[r] = k;
            since[r] = Clock::now();
            detail::set_holding(held);
            detail::send(comm, r, detail::work, plan.segments[k].to_bytes());
        }
        const MPI_Status st = detail::wait_message(comm, MPI_ANY_SOURCE);
        const auto bytes = detail::receive(comm, st);
        const int r = st.MPI_SOURCE;
        const std::uint32_t k = detail::index_of(bytes);
        if (!held.count(r) || held[r] != k)
            throw Error(ErrorCode::malformed_input, "mpi: rank " + std::to_string(r) + " answered for segment " +
                                                        std::to_string(k) + ", which it was not given");
        held.erase(r);
        detail::set_holding(held);
        const double took = std::chrono::duration<double>(Clock::now() - since[r]).count();
        if (st.MPI_TAG == detail::proof) {
            idle.push_back(r);
            try {
                const auto body = std::span<const std::uint8_t>(bytes).subspan(4);
                stark::ByteReader reader(body);
                SegmentProof<SC> p;
                p.statement = SegmentStatement::read<typename SC::Field>(reader);
                p.stark = stark::decode_proof<SC>(body.subspan(reader.position()));
                out.segments[k] = std::move(p);
            } catch (const Error& e) {
                throw Error(ErrorCode::malformed_input, "mpi: rank " + std::to_string(r) + "'s proof of segment " +
                                                            std::to_string(k) + ": " + e.what());
            }
            if (!have[k]) ++done;
            have[k] = true;
            if (report) report->assignments.push_back({k, r, took});
            log("segment " + std::to_string(k) + " proven by rank " + std::to_string(r) + " in " +
                std::to_string(took).substr(0, 6) + " s (" + std::to_string(done) + "/" + std::to_string(n) + ")");
            continue;
        }
        const std::string why(bytes.begin() + 4, bytes.end());
        const std::string line = "rank " + std::to_string(r) + ", segment " + std::to_string(k) + ": " + why;
        if (report) report->failures.push_back(line);
        if (attempts[k] >= mpi_options.max_attempts)
            throw Error(ErrorCode::invalid_argument,
                        "mpi: segment " + std::to_string(k) + " failed " + std::to_string(attempts[k]) + " times; last: " + line);
        log(line + "; the segment goes to another rank");
        queue.push_front(k);
        idle.push_back(r);  // the failing rank last in line: the retry goes to another one when there is one
    }
    return out;
}

// Every rank of `comm` calls this; rank 0 gets the chain, the others nothing. Errors as
// prove_continuation's on rank 0 (the others return after rank 0 tells them to stop).
template <class SC, VmConfig Vm>
std::optional<ContinuationProof<SC>> prove_continuation(MPI_Comm comm, const Vm& vm, const Executable<typename SC::Field>& exe,
                                                        const std::vector<std::uint8_t>& input, const SegmentOptions& options,
                                                        const MpiOptions& mpi_options = {}, MpiReport* report = nullptr) {
    using Clock = std::chrono::steady_clock;
    int rank = 0, size = 1;
    detail::check(MPI_Comm_rank(comm, &rank), "rank");
    detail::check(MPI_Comm_size(comm, &size), "size");
    // Threads per rank: the node's hardware threads over the ranks that share the node.
    MPI_Comm node;
    detail::check(MPI_Comm_split_type(comm, MPI_COMM_TYPE_SHARED, rank, MPI_INFO_NULL, &node), "split by node");
    int on_node = 1;
    detail::check(MPI_Comm_size(node, &on_node), "node size");
    MPI_Comm_free(&node);
    const unsigned hw = std::max(1u, std::thread::hardware_concurrency());
    const unsigned provers_here = static_cast<unsigned>(rank == 0 && size > 1 ? std::max(1, on_node - 1) : on_node);
    parallel::ScopedThreadCount threads(std::max(1u, hw / std::max(1u, provers_here)));
    const auto t0 = Clock::now();
    std::optional<ContinuationProof<SC>> result;
    if (rank != 0) {
        std::optional<SegmentProver<SC>> prover;
        bool failed_once = false;
        for (;;) {
            const MPI_Status st = detail::wait_message(comm, 0);
            const auto bytes = detail::receive(comm, st);
            if (st.MPI_TAG == detail::stop) break;
            if (st.MPI_TAG != detail::work) continue;
            std::uint32_t index = 0;
            try {
                const SegmentWitness w = SegmentWitness::from_bytes(bytes);
                index = w.index;
                if (mpi_options.die_rank_for_testing == rank) std::_Exit(9);
                if (mpi_options.fail_rank_for_testing == rank && !failed_once) {
                    failed_once = true;
                    throw Error(ErrorCode::io_error, "injected failure (test)");
                }
                if (!prover) prover.emplace(vm, exe);
                SegmentProof<SC> p = prove_segment<SC>(vm, *prover, exe, input, w, options.stark);
                stark::ByteWriter one;
                p.statement.write(one);
                one.raw(stark::encode_proof(p.stark));
                detail::send(comm, 0, detail::proof, detail::segment_bytes(index, one.bytes()));
            } catch (const std::exception& e) {
                const std::string why = e.what();
                detail::send(comm, 0, detail::failed, detail::segment_bytes(index, {why.begin(), why.end()}));
            }
        }
    } else {
        // Whatever happens here, every other rank is told to stop and the gather below runs.
        std::exception_ptr error;
        std::map<int, std::uint32_t> held;
        auto previous = std::signal(SIGTERM, detail::on_terminate);
        try {
            result = coordinate<SC>(comm, size, vm, exe, input, options, mpi_options, report, held);
        } catch (...) {
            error = std::current_exception();
        }
        try {
            while (!held.empty()) {  // ranks finish what they hold before they stop
                const MPI_Status st = detail::wait_message(comm, MPI_ANY_SOURCE);
                (void)detail::receive(comm, st);
                held.erase(st.MPI_SOURCE);
            }
            for (int r = 1; r < size; ++r) detail::send(comm, r, detail::stop, {});
        } catch (...) {
            if (!error) error = std::current_exception();
        }
        std::signal(SIGTERM, previous);
        if (error) {
            gather_peaks(comm, rank, size, nullptr);
            std::rethrow_exception(error);
        }
    }
    gather_peaks(comm, rank, size, report);
    if (report && rank == 0) {
        report->ranks = size;
        report->wall = std::chrono::duration<double>(Clock::now() - t0).count();
    }
    return result;
}

}  // namespace causality::vm::mpi
