// causality/vm/continuation.hpp — continuations: a long run split into segments, each
// proven on its own (in parallel, or on other machines: vm/mpi.hpp), verified as one chain.
//
//   vm::SegmentOptions o;  o.segment_cycles = 1 << 20;  o.workers = 2;
//   const auto proof = vm::prove_continuation<SC>(vm, exe, input, o);   // ContinuationProof
//   const auto v = vm::verify_execution<SC>(vm, exe, proof.to_bytes());
//   if (v) std::cout << v.statement->exit_code;
//   const auto key = vm::continuation_key<SC>(vm, exe);   // to_bytes(): a verifier without the ELF
//   vm::verify_execution<SC>(vm, key, proof.to_bytes());
//
// Segmentation (plan_segments). One preflight run of the whole program, segment by
// segment: a segment ends after `segment_cycles` instructions, or earlier when a chip's
// instruction rows or the words it touched reach their limits (checked every
// `check_every` instructions), or when the program ends. Machine::begin_segment restarts
// the timestamps and the touched set at each boundary, so a segment's memory argument is
// its own. The plan keeps, per segment, what a prover needs to start it without running
// the segments before it (a SegmentWitness: pc, registers, public values, input position,
// the initial values of the main-memory words it touches, and the Merkle rows of its
// update); a prover re-executes only its segment from that state (measured: the replay is
// a small part of a segment's proving time, and the witness is a few hundred kilobytes
// where a memory snapshot would be the whole touched memory).
//
// Memory across segments (memory_tree.hpp, memory_chips.hpp): registers and main memory
// are a Poseidon2 Merkle tree of 8-byte chunks. Each segment proves the transition from
// its initial root to its final root for the chunks it touched; untouched memory costs
// nothing. Public values (ecall 256) are carried from segment to segment as public values
// of the proofs.
//
// What a segment proof states (SegmentStatement, its AIRs' public values: SegmentLayout):
// its index and the chain's length, initial and final pc, initial and final memory root,
// whether it exited and with which code, its public values at start and end. What the
// chain's verifier (verify_execution) checks besides each proof: segment 0 starts at the
// executable's entry pc, at the root of the executable's image (built by the verifier,
// never taken from the prover) and with zero public values; segment k + 1 starts where
// segment k ended (pc, root, public values); the indices are 0..n-1 in order and every
// segment states n, so none can be dropped, duplicated, reordered or appended; only the
// last may have exited; each proof verifies against this executable's segment circuit
// (whose fixed columns, the program, are the verifying key: a segment of another program
// does not verify). The chain then states what a whole-run proof states (ProvenStatement:
// entry pc, final pc, exit, published values).
//
// Not covered: VMs with resource registers, and deferred hash requests (phashd) in a
// segmented run (the deferred table is not carried across segments; phash works): both
// are refused with Error(invalid_argument) before any proving.
//
// Proof bytes (little-endian, version 1): magic "CVMC", version u32, configuration id,
// segment count, then per segment its byte length and its bytes: the statement (index,
// count, initial pc, final pc, terminated, exit code, 8 + 8 root elements as u64 (two
// u32 each), public-value count, initial values, final values) followed by the STARK proof
// (stark/proof.hpp's format).
#pragma once

#include <causality/error.hpp>
#include <causality/parallel.hpp>
#include <causality/stark/bytes.hpp>
#include <causality/stark/proof.hpp>
#include <causality/stark/prover.hpp>
#include <causality/stark/verifier.hpp>
#include <causality/vm/machine.hpp>
#include <causality/vm/memory_chips.hpp>
#include <causality/vm/memory_tree.hpp>
#include <causality/vm/prove.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include <sys/resource.h>

namespace causality::vm {

inline constexpr std::uint32_t continuation_magic = 0x434d5643;  // "CVMC"
inline constexpr std::uint32_t continuation_version = 1;

struct SegmentOptions {
    std::uint64_t segment_cycles = std::uint64_t{1} << 20;  // instructions per segment at most
    std::uint64_t max_chip_rows = std::uint64_t{1} << 22;   // a chip's instruction rows per segment at most
    std::uint64_t max_touched_words = std::uint64_t{1} << 21;  // registers and memory words one segment touches
    std::uint64_t check_every = 4096;  // instructions between the two checks above
    ExecutionOptions execution{};      // max_cycles and the output sink of the planning run
    stark::ProveOptions stark{};
    // Segments proven at once on this machine (0: one per hardware thread), each prover
    // with the remaining threads shared out; and the memory all of them may use together
    // (0: 80% of physical memory): a segment starts only when its estimate fits beside
    // the running ones. Results do not depend on either.
    unsigned workers = 0;
    std::uint64_t max_memory_bytes = 0;
};

// The state and witness a prover needs for one segment (plan_segments makes them).
struct SegmentWitness {
    std::uint32_t index = 0, count = 0;
    std::uint32_t pc = 0;
    std::array<std::uint32_t, 32> registers{};
    std::vector<std::uint32_t> public_values;
    std::uint64_t input_position = 0, cycles_before = 0, cycles = 0;
    std::vector<ImageWord> memory;  // initial values of both words of each main-memory chunk the segment touches
    std::vector<MerkleUpdateStep> merkle;
    MemoryDigest initial_root{}, final_root{};
    // Its end, as the planning run saw it.
    std::uint32_t final_pc = 0, exit_code = 0;
    StopReason reason = StopReason::paused;
    std::vector<std::uint32_t> final_public_values;
    std::vector<std::uint64_t> chip_rows;  // instruction rows per chip (the memory estimate)
    std::uint64_t chunks = 0;              // touched chunks (boundary rows)

    [[nodiscard]] std::vector<std::uint8_t> to_bytes() const {
        stark::ByteWriter w;
        w.u32(0x57535643);  // "CVSW"
        for (const std::uint32_t v : {index, count, pc}) w.u32(v);
        for (const std::uint32_t r : registers) w.u32(r);
        put_words(w, public_values);
        for (const std::uint64_t v : {input_position, cycles_before, cycles, chunks}) put64(w, v);
        w.u32(static_cast<std::uint32_t>(memory.size()));
        for (const auto& m : memory) {
            w.u32(m.address);
            w.u32(m.value);
        }
        w.u32(static_cast<std::uint32_t>(merkle.size()));
        for (const auto& s : merkle) {
            w.u32(s.height);
            put64(w, s.label);
            for (const auto* d : {&s.initial_left, &s.initial_right, &s.final_left, &s.final_right}) put_digest(w, *d);
        }
        put_digest(w, initial_root);
        put_digest(w, final_root);
        w.u32(final_pc);
        w.u32(exit_code);
        w.u32(static_cast<std::uint32_t>(reason));
        put_words(w, final_public_values);
        w.u32(static_cast<std::uint32_t>(chip_rows.size()));
        for (const std::uint64_t r : chip_rows) put64(w, r);
        return std::move(w).take();
    }
    // Error(malformed_input) naming what is wrong.
    [[nodiscard]] static SegmentWitness from_bytes(std::span<const std::uint8_t> bytes) {
        stark::ByteReader r(bytes);
        if (r.u32("magic") != 0x57535643) throw Error(ErrorCode::malformed_input, "not a segment witness");
        SegmentWitness s;
        s.index = r.u32("index");
        s.count = r.u32("count");
        s.pc = r.u32("pc");
        for (auto& x : s.registers) x = r.u32("register");
        s.public_values = get_words(r, "public values");
        s.input_position = get64(r, "input position");
        s.cycles_before = get64(r, "cycles before");
        s.cycles = get64(r, "cycles");
        s.chunks = get64(r, "chunks");
        const std::size_t nm = r.count(8, "memory words");
        for (std::size_t k = 0; k < nm; ++k) {
            ImageWord m;
            m.address = r.u32("address");
            m.value = r.u32("value");
            s.memory.push_back(m);
        }
        const std::size_t ns = r.count(12 + 4 * 64, "Merkle steps");
        for (std::size_t k = 0; k < ns; ++k) {
            MerkleUpdateStep st;
            st.height = r.u32("height");
            st.label = get64(r, "label");
            for (auto* d : {&st.initial_left, &st.initial_right, &st.final_left, &st.final_right}) *d = get_digest(r);
            s.merkle.push_back(st);
        }
        s.initial_root = get_digest(r);
        s.final_root = get_digest(r);
        s.final_pc = r.u32("final pc");
        s.exit_code = r.u32("exit code");
        const std::uint32_t reason = r.u32("stop reason");
        if (reason > static_cast<std::uint32_t>(StopReason::paused))
            throw Error(ErrorCode::malformed_input, "segment witness: stop reason " + std::to_string(reason));
        s.reason = static_cast<StopReason>(reason);
        s.final_public_values = get_words(r, "final public values");
        const std::size_t nc = r.count(8, "chip rows");
        for (std::size_t k = 0; k < nc; ++k) s.chip_rows.push_back(get64(r, "chip rows"));
        r.expect_end("the segment witness");
        return s;
    }

    static void put64(stark::ByteWriter& w, std::uint64_t v) {
        w.u32(static_cast<std::uint32_t>(v));
        w.u32(static_cast<std::uint32_t>(v >> 32));
    }
    static std::uint64_t get64(stark::ByteReader& r, const char* what) {
        const std::uint64_t lo = r.u32(what);
        return lo | std::uint64_t{r.u32(what)} << 32;
    }
    static void put_digest(stark::ByteWriter& w, const MemoryDigest& d) {
        for (const std::uint64_t v : d) put64(w, v);
    }
    static MemoryDigest get_digest(stark::ByteReader& r) {
        MemoryDigest d;
        for (auto& v : d) v = get64(r, "digest");
        return d;
    }
    // A memory root whose elements must be canonical in F; `what` names the format.
    template <class F>
    static MemoryDigest get_root(stark::ByteReader& r, const std::string& what) {
        const MemoryDigest d = get_digest(r);
        for (const std::uint64_t v : d)
            if (v >= F::modulus)
                throw Error(ErrorCode::malformed_input,
                            what + ": a memory root element " + std::to_string(v) + " is not below the field's modulus");
        return d;
    }
    static void put_words(stark::ByteWriter& w, const std::vector<std::uint32_t>& v) {
        w.u32(static_cast<std::uint32_t>(v.size()));
        for (const std::uint32_t x : v) w.u32(x);
    }
    static std::vector<std::uint32_t> get_words(stark::ByteReader& r, const char* what) {
        const std::size_t n = r.count(4, what);
        std::vector<std::uint32_t> v(n);
        for (auto& x : v) x = r.u32(what);
        return v;
    }
};

// What a segment proof states.
struct SegmentStatement {
    std::uint32_t index = 0, count = 0;
    std::uint32_t initial_pc = 0, final_pc = 0;
    bool terminated = false;
    std::uint32_t exit_code = 0;
    MemoryDigest initial_root{}, final_root{};
    std::vector<std::uint32_t> initial_public_values, final_public_values;
    friend bool operator==(const SegmentStatement&, const SegmentStatement&) = default;

    // The connector's public values (SegmentLayout).
    template <class F>
    [[nodiscard]] std::vector<F> field_values() const {
        std::vector<F> v{F::from_u64(index),     F::from_u64(count),         F::from_u64(initial_pc),
                         F::from_u64(final_pc),  F::from_u64(terminated),    F::from_u64(exit_code & 0xffff),
                         F::from_u64(exit_code >> 16)};
        for (const std::uint64_t x : initial_root) v.push_back(F::from_u64(x));
        for (const std::uint64_t x : final_root) v.push_back(F::from_u64(x));
        for (std::size_t k = 0; k < initial_public_values.size(); ++k)
            for (const std::uint32_t word : {initial_public_values[k], final_public_values.at(k)})
                for (unsigned b = 0; b < 4; ++b) v.push_back(F::from_u64((word >> (8 * b)) & 0xffu));
        return v;
    }
    void write(stark::ByteWriter& w) const {
        for (const std::uint32_t v : {index, count, initial_pc, final_pc, std::uint32_t{terminated}, exit_code}) w.u32(v);
        SegmentWitness::put_digest(w, initial_root);
        SegmentWitness::put_digest(w, final_root);
        w.u32(static_cast<std::uint32_t>(initial_public_values.size()));
        for (const std::uint32_t v : initial_public_values) w.u32(v);
        for (const std::uint32_t v : final_public_values) w.u32(v);
    }
    // Error(malformed_input) naming what is wrong; digest elements must be canonical in F.
    template <class F>
    static SegmentStatement read(stark::ByteReader& r) {
        SegmentStatement s;
        s.index = r.u32("segment index");
        s.count = r.u32("segment count");
        s.initial_pc = r.u32("initial pc");
        s.final_pc = r.u32("final pc");
        const std::uint32_t t = r.u32("terminated flag");
        if (t > 1) throw Error(ErrorCode::malformed_input, "segment statement: terminated flag " + std::to_string(t));
        s.terminated = t == 1;
        s.exit_code = r.u32("exit code");
        s.initial_root = SegmentWitness::get_root<F>(r, "segment statement");
        s.final_root = SegmentWitness::get_root<F>(r, "segment statement");
        const std::size_t n = r.count(8, "public values");
        for (std::size_t k = 0; k < n; ++k) s.initial_public_values.push_back(r.u32("initial public value"));
        for (std::size_t k = 0; k < n; ++k) s.final_public_values.push_back(r.u32("final public value"));
        return s;
    }
};

template <class SC>
struct SegmentProof {
    SegmentStatement statement;
    stark::StarkProof<SC> stark;
};

template <class SC>
struct ContinuationProof {
    std::vector<SegmentProof<SC>> segments;

    [[nodiscard]] std::vector<std::uint8_t> to_bytes() const {
        stark::ByteWriter w;
        detail::write_format_header<SC>(w, continuation_magic, continuation_version);
        w.u32(static_cast<std::uint32_t>(segments.size()));
        for (const auto& s : segments) {
            stark::ByteWriter one;
            s.statement.write(one);
            one.raw(stark::encode_proof(s.stark));
            w.u32(static_cast<std::uint32_t>(one.bytes().size()));
            w.raw(one.bytes());
        }
        return std::move(w).take();
    }
    // Error(malformed_input) naming what is wrong.
    [[nodiscard]] static ContinuationProof from_bytes(std::span<const std::uint8_t> bytes) {
        stark::ByteReader r(bytes);
        if (r.u32("magic") != continuation_magic)
            throw Error(ErrorCode::malformed_input, "not a continuation proof (the magic is not \"CVMC\")");
        detail::read_version_and_configuration<SC>(r, continuation_version, "continuation proof");
        ContinuationProof p;
        const std::size_t n = r.count(4, "segments");
        for (std::size_t k = 0; k < n; ++k) {
            const std::size_t len = r.u32("segment length");
            const auto seg = r.take(len, "segment");
            try {
                stark::ByteReader sr(seg);
                SegmentProof<SC> s;
                s.statement = SegmentStatement::read<typename SC::Field>(sr);
                s.stark = stark::decode_proof<SC>(seg.subspan(sr.position()));
                p.segments.push_back(std::move(s));
            } catch (const Error& e) {
                throw Error(ErrorCode::malformed_input, "segment " + std::to_string(k) + ": " + e.what());
            }
        }
        r.expect_end("the continuation proof");
        return p;
    }
};

// --- the segment circuit --------------------------------------------------------------------

// The AIRs of a segment proof: the chips with AIR and the periphery, then program, segment
// boundary, memory Merkle chip and segment connector.
template <class SC>
struct SegmentCircuit {
    CircuitInventory<SC> inventory;
    std::vector<stark::AirRef<SC>> airs;
    air::PermutationBus merkle{0};
    std::size_t public_slots = 0;
    unsigned memory_bits = 0;
    [[nodiscard]] unsigned depth() const noexcept { return memory_bits - 2; }
    [[nodiscard]] std::size_t system_air(std::size_t k) const noexcept { return airs.size() - 4 + k; }  // program, boundary, merkle, connector
};

// Error(invalid_argument) for a VM continuations do not cover (resource registers) and
// out_of_range as build_circuit for an executable beyond what proofs cover.
template <class SC, VmConfig Vm>
SegmentCircuit<SC> build_segment_circuit(const Vm& vm, const Program<typename SC::Field>& program) {
    using F = typename SC::Field;
    static_assert(F::modulus > (std::uint64_t{1} << 30) + (std::uint64_t{1} << 28),
                  "segment proofs need a field of more than 2^30 + 2^28 elements (the memory argument's timestamps)");
    if (program.pc_end() > provable_pc_end)
        throw Error(ErrorCode::out_of_range, "vm: the program ends at " + std::to_string(program.pc_end()) +
                                                 "; proofs cover pcs below 2^30");
    if (vm.config().memory_bits > provable_memory_bits || vm.config().memory_bits < 7)
        throw Error(ErrorCode::out_of_range, "vm: continuations cover memories of 2^7 to 2^29 bytes, this VM has 2^" +
                                                 std::to_string(vm.config().memory_bits));
    SegmentCircuit<SC> c{vm.template circuit<SC>(), {}, {}, vm.config().public_values, vm.config().memory_bits};
    c.airs = c.inventory.airs();
    for (const auto& a : c.airs)
        if (a.shape().name == "resource_table" || a.shape().name == "resource_slot")
            throw Error(ErrorCode::invalid_argument,
                        "vm: continuations do not cover VMs with resource registers (prove such runs whole)");
    c.merkle = air::PermutationBus{c.inventory.new_bus()};
    const auto& buses = c.inventory.buses();
    c.airs.push_back(ProgramAir(buses.program, program));
    c.airs.push_back(SegmentBoundaryAir(buses, c.merkle, c.inventory.periphery()[0].bus, c.memory_bits));
    c.airs.push_back(MemoryMerkleAir<F>(c.merkle, stark::default_poseidon2<F, 16>()));
    c.airs.push_back(SegmentConnectorAir(buses, c.merkle, c.public_slots, c.depth()));
    return c;
}

// The root of the executable's memory (registers zero): where segment 0 starts.
template <class F>
MemoryDigest executable_memory_root(const Executable<F>& exe, unsigned memory_bits) {
    MemoryTree<F> tree(memory_bits);
    tree.load_image(initial_image(exe));
    return tree.root();
}

// --- segmentation ------------------------------------------------------------------------------

struct SegmentPlan {
    std::vector<SegmentWitness> segments;
    ExecutionResult result;  // of the whole run
    double seconds = 0;      // the planning run (preflight execution and the tree's updates)
};

namespace detail {
// The chunks a segment touched (registers and memory), both words before and after, sorted
// by label; `current(space, address)` reads a word the segment did not touch (the same
// before and after). Error(invalid_argument) for a touched address space that segments
// cannot carry.
template <class F, class Current>
std::pair<std::vector<ChunkBoundary>, std::vector<std::uint64_t>> segment_chunks(const MemoryTree<F>& tree,
                                                                                 std::span<const BoundaryEntry> boundary,
                                                                                 Current&& current) {
    std::vector<std::pair<std::uint64_t, ChunkBoundary>> out;
    for (const auto& e : boundary) {
        if (e.space == AddressSpace::public_values) continue;  // the connector's
        if (e.space == AddressSpace::deferred)
            throw Error(ErrorCode::invalid_argument,
                        "vm: the run makes deferred hash requests (phashd), which continuations do not carry across "
                        "segments: use phash, or prove the run whole");
        if (e.space == AddressSpace::resources)
            throw Error(ErrorCode::invalid_argument, "vm: continuations do not cover resource registers");
        if (e.space != AddressSpace::registers && e.space != AddressSpace::memory) continue;
        const std::uint64_t label = tree.label_of(e.space, e.address);
        const unsigned w = (e.address / 4) & 1u;
        if (out.empty() || out.back().first != label) {
            ChunkBoundary c;
            c.space = e.space;
            c.address = e.address & ~7u;
            for (unsigned k = 0; k < 2; ++k) c.initial[k] = c.final_value[k] = current(e.space, c.address + 4 * k);
            out.push_back({label, c});
        }
        auto& c = out.back().second;
        c.initial[w] = e.initial;
        c.final_value[w] = e.final_value;
        c.final_ts[w] = e.final_timestamp;
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    std::pair<std::vector<ChunkBoundary>, std::vector<std::uint64_t>> r;
    for (auto& [l, c] : out) {
        r.second.push_back(l);
        r.first.push_back(c);
    }
    return r;
}
template <class Vm>
std::uint32_t current_word(const Machine<Vm>& m, AddressSpace space, std::uint32_t address) {
    return space == AddressSpace::registers ? m.reg(address / 4) : m.read_word(address);
}
}  // namespace detail

// Runs the program once, segment by segment, and returns every segment's witness. A
// guest fault propagates (GuestFault): a faulting run has no proof. Error(invalid_argument)
// for options that cannot segment (zero limits), a resource run file, or a run that uses
// what segments do not carry.
template <VmConfig Vm>
SegmentPlan plan_segments(const Vm& vm, const Executable<typename Vm::field_type>& exe, std::vector<std::uint8_t> input,
                          const SegmentOptions& options) {
    using F = typename Vm::field_type;
    const auto t0 = std::chrono::steady_clock::now();
    if (options.segment_cycles == 0 || options.max_chip_rows == 0 || options.max_touched_words == 0 ||
        options.check_every == 0)
        throw Error(ErrorCode::invalid_argument, "vm: segment_cycles, max_chip_rows, max_touched_words and check_every "
                                                 "must be positive");
    if (options.execution.resources)
        throw Error(ErrorCode::invalid_argument, "vm: continuations do not cover resource registers (a run file was given)");
    if (vm.config().memory_bits > provable_memory_bits || vm.config().memory_bits < 7)
        throw Error(ErrorCode::out_of_range, "vm: continuations cover memories of 2^7 to 2^29 bytes");
    Machine<Vm> m(vm);
    m.initialize(exe, std::move(input));
    m.set_max_cycles(options.execution.max_cycles);
    m.io().sink = options.execution.sink;
    MemoryTree<F> tree(vm.config().memory_bits);
    tree.load_image(initial_image(exe));
    SegmentPlan plan;
    bool started = false;
    for (;;) {
        SegmentWitness w;
        w.index = static_cast<std::uint32_t>(plan.segments.size());
        w.pc = m.pc();
        w.registers = m.registers();
        w.public_values = m.public_values();
        w.input_position = m.io().input_position;
        w.cycles_before = m.cycles();
        w.initial_root = tree.root();
        m.begin_segment();
        RunResult r;
        std::uint64_t ran = 0;
        for (;;) {
            m.pause_after(std::min(options.check_every, options.segment_cycles - ran));
            r = started ? m.template resume<Preflight>() : m.template start<Preflight>();
            started = true;
            ran += r.instructions;
            if (r.reason != StopReason::paused || ran >= options.segment_cycles) break;
            std::uint64_t rows = 0;
            for (const auto& a : m.records()) rows = std::max<std::uint64_t>(rows, a.size());
            if (rows + options.check_every > options.max_chip_rows) break;
            if (m.touched_count() >= options.max_touched_words) break;
        }
        w.cycles = ran;
        const auto boundary = m.boundary();
        for (const auto& a : m.records()) w.chip_rows.push_back(a.size());
        (void)m.release_records();
        const auto current = [&](AddressSpace s, std::uint32_t a) { return detail::current_word(m, s, a); };
        auto [chunks, labels] = detail::segment_chunks(tree, boundary, current);
        std::vector<ChunkValue> leaves;
        for (std::size_t k = 0; k < chunks.size(); ++k) {
            leaves.push_back({labels[k], chunk_leaf(chunks[k].final_value[0], chunks[k].final_value[1])});
            // Both words of a touched chunk: the replay's leaves need the untouched one too.
            if (chunks[k].space == AddressSpace::memory)
                for (unsigned j = 0; j < 2; ++j) w.memory.push_back({chunks[k].address + 4 * j, chunks[k].initial[j]});
        }
        w.chunks = chunks.size();
        w.merkle = tree.update(std::move(leaves));
        w.final_root = tree.root();
        w.final_pc = r.pc;
        w.reason = r.reason;
        w.exit_code = r.reason == StopReason::exited ? m.exit_code() : 0;
        w.final_public_values = m.public_values();
        plan.segments.push_back(std::move(w));
        if (r.reason != StopReason::paused) break;
    }
    for (auto& s : plan.segments) s.count = static_cast<std::uint32_t>(plan.segments.size());
    const auto& last = plan.segments.back();
    auto& io = m.io();
    plan.result = ExecutionResult{last.reason,
                                  last.exit_code,
                                  m.cycles(),
                                  last.final_pc,
                                  std::move(io.output),
                                  std::move(io.error_output),
                                  m.public_values(),
                                  {},
                                  {}};
    plan.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return plan;
}

// --- proving one segment ------------------------------------------------------------------------

// What proving segments of one executable shares: the circuit and the proving key (its
// fixed columns committed once).
template <class SC>
struct SegmentProver {
    SegmentCircuit<SC> circuit;
    stark::ProvingKey<SC> pk;
    template <VmConfig Vm>
    SegmentProver(const Vm& vm, const Executable<typename SC::Field>& exe)
        : circuit(build_segment_circuit<SC>(vm, exe.program)), pk(stark::setup<SC>(circuit.airs)) {}

    // About how many bytes proving the segment takes (prove.hpp's 40 per main-trace cell,
    // plus its records).
    [[nodiscard]] std::uint64_t estimate_bytes(const SegmentWitness& w) const {
        const auto proven = circuit.inventory.proven_chips();
        std::uint64_t cells = 0, records = 0;
        for (std::size_t i = 0; i < circuit.airs.size(); ++i) {
            std::uint64_t rows = 2;
            if (i < proven.size() && proven[i] < w.chip_rows.size()) rows = trace_rows(w.chip_rows[proven[i]]);
            if (i == circuit.system_air(1)) rows = trace_rows(w.chunks);
            if (i == circuit.system_air(2)) rows = trace_rows(2 * w.merkle.size());
            cells += rows * circuit.airs[i].shape().width;
        }
        for (const std::uint64_t r : w.chip_rows) records += r;
        return cells * prover_bytes_per_cell + records * 64 + w.cycles * 16;
    }
};

struct SegmentReport {
    std::uint32_t index = 0;
    std::uint64_t cycles = 0;
    double replay = 0, trace = 0, prove = 0;  // seconds
    std::size_t cells = 0, merkle_rows = 0, boundary_rows = 0;
    std::uint64_t estimated_bytes = 0;
};

// Proves one segment from its witness: re-executes it from the witness's state, builds the
// traces, proves them. Error(invalid_argument) when the replay does not end where the
// planning run's segment did (another executable or input than the plan's).
template <class SC, VmConfig Vm>
SegmentProof<SC> prove_segment(const Vm& vm, const SegmentProver<SC>& prover, const Executable<typename SC::Field>& exe,
                               const std::vector<std::uint8_t>& input, const SegmentWitness& w,
                               const stark::ProveOptions& stark_options = {}, SegmentReport* report = nullptr,
                               const std::function<void(std::span<const stark::AirRef<SC>>,
                                                        std::vector<field::RowMajorMatrix<typename SC::Field>>&)>& tamper = {}) {
    using F = typename SC::Field;
    using Clock = std::chrono::steady_clock;
    const auto seconds = [](Clock::time_point a) { return std::chrono::duration<double>(Clock::now() - a).count(); };
    const auto& circuit = prover.circuit;
    const std::string where = "vm: segment " + std::to_string(w.index) + ": ";
    auto t0 = Clock::now();
    Machine<Vm> m(vm);
    m.initialize(exe, input);
    for (const auto& word : w.memory) {
        const std::array<std::uint8_t, 4> b{static_cast<std::uint8_t>(word.value), static_cast<std::uint8_t>(word.value >> 8),
                                            static_cast<std::uint8_t>(word.value >> 16),
                                            static_cast<std::uint8_t>(word.value >> 24)};
        m.write_memory(word.address, b);
    }
    m.enter_segment(w.pc, w.registers, w.public_values, static_cast<std::size_t>(w.input_position), w.cycles_before);
    m.set_max_cycles(w.cycles_before + w.cycles);
    m.io().sink = [](int, std::string_view) {};
    m.begin_segment();
    const RunResult r = m.template start<Preflight>();
    const bool same_end = r.pc == w.final_pc && m.cycles() == w.cycles_before + w.cycles &&
                          (r.reason == StopReason::exited) == (w.reason == StopReason::exited) &&
                          (r.reason != StopReason::exited || m.exit_code() == w.exit_code) &&
                          m.public_values() == w.final_public_values;
    if (!same_end)
        throw Error(ErrorCode::invalid_argument, where + "the replay ended at pc " + hex32(r.pc) + " after " +
                                                     std::to_string(m.cycles() - w.cycles_before) +
                                                     " instructions, the plan's segment at " + hex32(w.final_pc) + " after " +
                                                     std::to_string(w.cycles) + " (another executable or input?)");
    PreflightExecution run{ExecutionResult{r.reason, m.exit_code(), m.cycles(), r.pc, {}, {}, m.public_values(), {}, {}},
                           m.release_records(), m.boundary(), m.timestamp(), m.resources()};
    if (report) {
        report->index = w.index;
        report->cycles = w.cycles;
        report->replay = seconds(t0);
    }
    t0 = Clock::now();
    MemoryTree<F> shape(circuit.memory_bits);  // labels only
    const auto current = [&](AddressSpace s, std::uint32_t a) { return detail::current_word(m, s, a); };
    const auto [chunks, labels] = detail::segment_chunks(shape, run.boundary, current);
    // The plan's Merkle rows must be for exactly these chunks.
    std::unordered_set<std::uint64_t> expanded;  // (height << 40) | label
    for (const auto& s : w.merkle) expanded.insert((std::uint64_t{s.height} << 40) | s.label);
    for (const std::uint64_t l : labels)
        if (!expanded.count((std::uint64_t{1} << 40) | (l >> 1)))
            throw Error(ErrorCode::invalid_argument, where + "the replay touched a chunk the plan's Merkle rows do not cover");
    if (labels.size() != w.chunks)
        throw Error(ErrorCode::invalid_argument, where + "the replay touched " + std::to_string(labels.size()) +
                                                     " chunks, the plan " + std::to_string(w.chunks));
    for (const std::uint64_t l : labels) expanded.insert(l);  // height 0

    TraceInventory<SC> periphery(circuit.inventory, &exe.program);
    auto traces = vm.template generate_chip_traces<SC>(circuit.inventory, run, periphery);
    const auto& buses = circuit.inventory.buses();
    const SegmentBoundaryAir boundary_air(buses, circuit.merkle, circuit.inventory.periphery()[0].bus, circuit.memory_bits);
    auto boundary = boundary_air.template trace<F>(chunks, labels, periphery.range_checker(timestamp_limb_bits));
    for (auto& t : periphery.periphery_traces()) traces.push_back(std::move(t));
    {
        const ProgramAir program(buses.program, exe.program);
        auto counts = field::zero_matrix<F>(program.rows(), 1);
        for (const auto& arena : run.chips)
            for (std::size_t i = 0; i < arena.size(); ++i) {
                const std::size_t row = (arena[i].pc - exe.program.pc_base) / exe.program.pc_step;
                counts(static_cast<Eigen::Index>(row), 0) += F::one();
            }
        traces.push_back(std::move(counts));
    }
    traces.push_back(std::move(boundary));
    const MemoryMerkleAir<F> merkle_air(circuit.merkle, stark::default_poseidon2<F, 16>());
    traces.push_back(merkle_air.trace(w.merkle, [&](std::uint32_t h, std::uint64_t label) {
        return expanded.count(h == 0 ? label : (std::uint64_t{h} << 40) | label) != 0;
    }));
    const SegmentConnectorAir connector(buses, circuit.merkle, circuit.public_slots, circuit.depth());
    traces.push_back(connector.trace<F>(run.final_timestamp + 1, run.result.exit_code, run.boundary));

    SegmentProof<SC> proof;
    auto& s = proof.statement;
    s.index = w.index;
    s.count = w.count;
    s.initial_pc = w.pc;
    s.final_pc = r.pc;
    s.terminated = r.reason == StopReason::exited;
    s.exit_code = s.terminated ? m.exit_code() : 0;
    s.initial_root = w.initial_root;
    s.final_root = w.final_root;
    s.initial_public_values = w.public_values;
    s.final_public_values = w.final_public_values;
    std::vector<std::vector<F>> publics(circuit.airs.size());
    publics.back() = s.template field_values<F>();
    std::vector<std::uint32_t> heights;
    for (const auto& t : traces) heights.push_back(static_cast<std::uint32_t>(std::countr_zero(static_cast<std::uint64_t>(t.rows()))));
    if (const auto problem = timestamp_bound_problem(circuit.inventory, heights); !problem.empty())
        throw Error(ErrorCode::out_of_range, where + problem + " (use shorter segments)");
    if (report) {
        report->trace = seconds(t0);
        report->cells = 0;
        for (const auto& t : traces) report->cells += static_cast<std::size_t>(t.rows() * t.cols());
        report->merkle_rows = 2 * w.merkle.size();
        report->boundary_rows = chunks.size();
        report->estimated_bytes = prover.estimate_bytes(w);
    }
    if (tamper) tamper(circuit.airs, traces);
    t0 = Clock::now();
    proof.stark = stark::prove<SC>(prover.pk, circuit.airs, std::move(traces), publics, stark_options);
    if (report) report->prove = seconds(t0);
    return proof;
}

// --- proving every segment ------------------------------------------------------------------------

struct ContinuationReport {
    double plan = 0, prove = 0;  // seconds: the planning run, then every segment (wall clock)
    unsigned workers = 0;
    std::uint64_t cycles = 0;
    std::vector<SegmentReport> segments;
    std::uint64_t peak_resident_bytes = 0;  // of this process
};

inline std::uint64_t peak_resident_bytes() {
    struct rusage u{};
    if (::getrusage(RUSAGE_SELF, &u) != 0) return 0;
    return static_cast<std::uint64_t>(u.ru_maxrss) * 1024;
}

// Proves the segments of a plan on `workers` threads under the memory budget; the proofs are
// those sequential proving makes (each segment's proof depends on its witness only).
// Error(out_of_range) when one segment alone needs more than the budget.
template <class SC, VmConfig Vm>
ContinuationProof<SC> prove_plan(const Vm& vm, const Executable<typename SC::Field>& exe, const std::vector<std::uint8_t>& input,
                                 const SegmentPlan& plan, const SegmentOptions& options, ContinuationReport* report = nullptr) {
    const auto t0 = std::chrono::steady_clock::now();
    const SegmentProver<SC> prover(vm, exe);
    const std::size_t n = plan.segments.size();
    const unsigned hw = std::max(1u, parallel::num_threads());
    unsigned workers = options.workers != 0 ? options.workers : hw;
    workers = static_cast<unsigned>(std::min<std::size_t>(std::max(1u, workers), n));
    const std::uint64_t budget = options.max_memory_bytes != 0 ? options.max_memory_bytes : physical_memory_bytes() / 10 * 8;
    std::vector<std::uint64_t> need(n);
    for (std::size_t k = 0; k < n; ++k) {
        need[k] = prover.estimate_bytes(plan.segments[k]);
        if (need[k] > budget)
            throw Error(ErrorCode::out_of_range,
                        "vm: segment " + std::to_string(k) + " needs about " + std::to_string(need[k] >> 20) +
                            " MiB to prove, the limit is " + std::to_string(budget >> 20) + " MiB: use shorter segments");
    }
    ContinuationProof<SC> out;
    out.segments.resize(n);
    std::vector<SegmentReport> reports(n);
    std::mutex mu;
    std::condition_variable cv;
    std::size_t next = 0;
    std::uint64_t in_flight = 0;
    std::exception_ptr error;
    const auto work = [&] {
        for (;;) {
            std::size_t k;
            {
                std::unique_lock lock(mu);
                cv.wait(lock, [&] { return error || next >= n || in_flight == 0 || in_flight + need[next] <= budget; });
                if (error || next >= n) return;
                k = next++;
                in_flight += need[k];
            }
            try {
                out.segments[k] = prove_segment<SC>(vm, prover, exe, input, plan.segments[k], options.stark, &reports[k]);
            } catch (...) {
                std::lock_guard lock(mu);
                if (!error) error = std::current_exception();
            }
            {
                std::lock_guard lock(mu);
                in_flight -= need[k];
            }
            cv.notify_all();
        }
    };
    {
        // Each prover gets its share of the threads; the pool is restored afterwards.
        std::optional<parallel::ScopedThreadCount> share;
        if (workers > 1) share.emplace(std::max(1u, hw / workers));
        std::vector<std::thread> threads;
        for (unsigned i = 1; i < workers; ++i) threads.emplace_back(work);
        work();
        for (auto& t : threads) t.join();
    }
    if (error) std::rethrow_exception(error);
    if (report) {
        report->plan = plan.seconds;
        report->prove = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        report->workers = workers;
        report->cycles = plan.result.cycles;
        report->segments = std::move(reports);
        report->peak_resident_bytes = peak_resident_bytes();
    }
    return out;
}

// Plans and proves: plan_segments, then prove_plan.
template <class SC, VmConfig Vm>
ContinuationProof<SC> prove_continuation(const Vm& vm, const Executable<typename SC::Field>& exe, std::vector<std::uint8_t> input,
                                         const SegmentOptions& options = {}, ContinuationReport* report = nullptr) {
    const SegmentPlan plan = plan_segments(vm, exe, input, options);
    return prove_plan<SC>(vm, exe, input, plan, options, report);
}

// --- verifying the chain ------------------------------------------------------------------------

// What a verifier of chains needs of the executable: the segment circuit's verifying key,
// the entry pc and the executable's memory root. Made once per executable and VM; a
// verifier that holds it needs no ELF.
//
// Bytes (little-endian, version 1): magic "CVCK", version, configuration id, entry pc, the
// memory root (8 elements as u64), then the STARK key as in a VM key (vm/prove.hpp).
inline constexpr std::uint32_t continuation_key_magic = 0x4b435643;  // "CVCK"
inline constexpr std::uint32_t continuation_key_version = 1;

template <class SC>
struct ContinuationKey {
    stark::VerifyingKey<SC> stark;
    std::uint32_t entry_pc = 0;
    MemoryDigest initial_root{};
    friend bool operator==(const ContinuationKey&, const ContinuationKey&) = default;

    [[nodiscard]] std::vector<std::uint8_t> to_bytes() const {
        stark::ByteWriter w;
        detail::write_format_header<SC>(w, continuation_key_magic, continuation_key_version);
        w.u32(entry_pc);
        SegmentWitness::put_digest(w, initial_root);
        detail::write_stark_key<SC>(w, stark);
        return std::move(w).take();
    }
    // Error(malformed_input) naming what is wrong (a whole-run key "CVMK" included).
    [[nodiscard]] static ContinuationKey from_bytes(std::span<const std::uint8_t> bytes) {
        stark::ByteReader r(bytes);
        if (const auto m = r.u32("magic"); m != continuation_key_magic)
            throw Error(ErrorCode::malformed_input,
                        m == vm_key_magic ? "a whole-run verifying key (\"CVMK\"), not a chain key: make one for segment "
                                            "proofs (causality key PROGRAM.elf --segments)"
                                          : "not a chain verifying key (the magic is not \"CVCK\")");
        detail::read_version_and_configuration<SC>(r, continuation_key_version, "chain verifying key");
        ContinuationKey k;
        k.entry_pc = r.u32("entry pc");
        k.initial_root = SegmentWitness::get_root<typename SC::Field>(r, "chain verifying key");
        k.stark = detail::read_stark_key<SC>(r);
        r.expect_end("the chain verifying key");
        return k;
    }
};
template <class SC, VmConfig Vm>
ContinuationKey<SC> continuation_key(const Vm& vm, const Executable<typename SC::Field>& exe) {
    const auto circuit = build_segment_circuit<SC>(vm, exe.program);
    return {stark::setup<SC>(circuit.airs).vk, exe.entry, executable_memory_root(exe, vm.config().memory_bits)};
}

struct ContinuationVerification : VmVerification {
    std::size_t segments = 0;
};

// Checks every segment proof and the chain (the file comment). Never throws on hostile input.
template <class SC, VmConfig Vm>
ContinuationVerification verify_execution(const Vm& vm, const ContinuationKey<SC>& key, const ContinuationProof<SC>& proof) {
    using F = typename SC::Field;
    ContinuationVerification out;
    const auto reject = [&](std::string why) {
        out.result = stark::VerifyResult::reject(std::move(why));
        return out;
    };
    const std::size_t n = proof.segments.size();
    if (n == 0) return reject("the proof has no segments");
    const std::size_t slots = vm.config().public_values;
    try {
        const auto circuit = build_segment_circuit<SC>(vm, Program<F>{});
        for (std::size_t k = 0; k < n; ++k) {
            const auto& s = proof.segments[k].statement;
            const std::string at = "segment " + std::to_string(k) + ": ";
            if (s.index != k) return reject(at + "states index " + std::to_string(s.index) + " (dropped, duplicated or reordered)");
            if (s.count != n)
                return reject(at + "belongs to a chain of " + std::to_string(s.count) + " segments, the proof has " +
                              std::to_string(n));
            if (s.initial_public_values.size() != slots || s.final_public_values.size() != slots)
                return reject(at + "states " + std::to_string(s.initial_public_values.size()) + " public values, this VM has " +
                              std::to_string(slots));
            if (k == 0) {
                if (s.initial_pc != key.entry_pc)
                    return reject(at + "starts at pc " + hex32(s.initial_pc) + ", the executable at " + hex32(key.entry_pc));
                if (s.initial_root != key.initial_root)
                    return reject(at + "starts from another memory root than the executable's image");
                for (const std::uint32_t v : s.initial_public_values)
                    if (v != 0) return reject(at + "starts with non-zero public values");
            } else {
                const auto& p = proof.segments[k - 1].statement;
                if (s.initial_pc != p.final_pc)
                    return reject(at + "starts at pc " + hex32(s.initial_pc) + ", segment " + std::to_string(k - 1) +
                                  " ended at " + hex32(p.final_pc));
                if (s.initial_root != p.final_root)
                    return reject(at + "starts from another memory root than segment " + std::to_string(k - 1) + " ended with");
                if (s.initial_public_values != p.final_public_values)
                    return reject(at + "starts with other public values than segment " + std::to_string(k - 1) + " ended with");
            }
            if (s.terminated && k + 1 != n) return reject(at + "states that the guest exited, but it is not the last segment");
            if (!s.terminated && s.exit_code != 0) return reject(at + "states an exit code for a run that did not exit");
            if (const auto problem = timestamp_bound_problem(circuit.inventory, proof.segments[k].stark.log_heights);
                !problem.empty())
                return reject(at + problem);
            std::vector<std::vector<F>> publics(circuit.airs.size());
            publics.back() = s.template field_values<F>();
            const auto r = stark::verify<SC>(key.stark, circuit.airs, proof.segments[k].stark, publics);
            if (!r) return reject(at + r.reason());
        }
    } catch (const Error& e) {
        return reject(e.what());
    }
    const auto& last = proof.segments.back().statement;
    ProvenStatement st;
    st.entry_pc = key.entry_pc;
    st.final_pc = last.final_pc;
    st.terminated = last.terminated;
    st.exit_code = last.exit_code;
    st.public_values = last.final_public_values;
    out.result = stark::VerifyResult::accept();
    out.statement = st;
    out.segments = n;
    return out;
}

template <class SC, VmConfig Vm>
ContinuationVerification verify_execution(const Vm& vm, const Executable<typename SC::Field>& exe,
                                          const ContinuationProof<SC>& proof) {
    ContinuationKey<SC> key;
    try {
        key = continuation_key<SC>(vm, exe);
    } catch (const Error& e) {
        ContinuationVerification out;
        out.result = stark::VerifyResult::reject(std::string("the executable cannot be proven in segments: ") + e.what());
        return out;
    }
    return verify_execution<SC>(vm, key, proof);
}

namespace detail {
// Decodes a chain's bytes and verifies them; malformed bytes are a rejection naming the fault.
template <class SC, class Verify>
ContinuationVerification verify_chain_bytes(std::span<const std::uint8_t> bytes, Verify&& verify) {
    try {
        return verify(ContinuationProof<SC>::from_bytes(bytes));
    } catch (const Error& e) {
        ContinuationVerification out;
        out.result = stark::VerifyResult::reject(std::string("malformed proof: ") + e.what());
        return out;
    }
}
}  // namespace detail

template <class SC, VmConfig Vm>
ContinuationVerification verify_execution(const Vm& vm, const ContinuationKey<SC>& key, std::span<const std::uint8_t> bytes) {
    return detail::verify_chain_bytes<SC>(bytes, [&](const ContinuationProof<SC>& p) { return verify_execution<SC>(vm, key, p); });
}

template <class SC, VmConfig Vm>
ContinuationVerification verify_execution(const Vm& vm, const Executable<typename SC::Field>& exe,
                                          std::span<const std::uint8_t> bytes) {
    return detail::verify_chain_bytes<SC>(bytes, [&](const ContinuationProof<SC>& p) { return verify_execution<SC>(vm, exe, p); });
}

}  // namespace causality::vm
