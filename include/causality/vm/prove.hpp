// causality/vm/prove.hpp — proving and verifying executions of a VM.
//
//   const auto proof = vm::prove<SC>(vm, exe, input);        // runs the program, proves the run
//   const auto v = vm::verify<SC>(vm, exe, proof.to_bytes()); // knows only the VM and the executable
//   if (v) std::cout << v.statement->exit_code;
//
// A proof's AIRs (VmCircuit): the chips that have one (in chip order), the periphery
// tables, then the system AIRs of system_chips.hpp (program, image, boundary, connector).
// The verifier builds the same list from the VM and the executable and commits the fixed
// columns itself (program, image, tables): the verifying key is the executable's identity,
// and a proof made for another program or image does not verify. What a proof states
// (ProvenStatement): the entry pc (checked against the executable's), the final pc, whether
// the guest exited and with which code, the published values (ecall 256) and the digests
// of deferred hash requests (vm/hash/, in handle order); everything
// else about the run (input bytes, output, which path it took) stays private. The input
// (ecall 63) is an unconstrained witness, as a hint; output (ecall 64) is not proven.
//
// A VM with resource registers also states its ResourceStatement (vm/resource/
// statement.hpp: input root and depth, timestamp, capabilities, sections, nullifiers and
// commitments); the verifier rejects one that lists a nullifier twice.
//
// Proof bytes (little-endian, version 3): magic "CVMP", version u32, the statement (entry
// pc, final pc, terminated, exit code, published-value count, values, deferred-digest
// count, 8 words per digest, a resource flag (0 or 1) and, with 1, the resource statement
// as ResourceStatement::write lays it out) as u32 words, then the STARK proof
// (stark/proof.hpp's format, which names the configuration).
#pragma once

#include <causality/error.hpp>
#include <causality/stark/bytes.hpp>
#include <causality/stark/keys.hpp>
#include <causality/stark/proof.hpp>
#include <causality/stark/prover.hpp>
#include <causality/stark/verifier.hpp>
#include <causality/vm/core.hpp>
#include <causality/vm/hash/chips.hpp>
#include <causality/vm/inventory.hpp>
#include <causality/vm/resource/chips.hpp>
#include <causality/vm/resource/statement.hpp>
#include <causality/vm/rv32im/chips.hpp>
#include <causality/vm/system_chips.hpp>

#include <bit>
#include <chrono>
#include <functional>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <unistd.h>

namespace causality::vm {

inline constexpr std::uint32_t vm_proof_magic = 0x504d5643;  // "CVMP"
inline constexpr std::uint32_t vm_proof_version = 3;  // 2: the deferred-hash table; 3: the resource statement

// What a VM proof proves about a run of its executable.
struct ProvenStatement {
    std::uint32_t entry_pc = 0;
    std::uint32_t final_pc = 0;  // of the exit ecall, or of the instruction after the last one that ran
    bool terminated = false;     // the guest exited (otherwise: ebreak or the cycle limit)
    std::uint32_t exit_code = 0;
    std::vector<std::uint32_t> public_values;  // every slot of address space 3
    std::vector<HashDigest> deferred_digests;  // the deferred hash requests' digests, in handle order
    // A VM with resource registers (vm/resource/): input root, capabilities, nullifiers,
    // commitments (vm/resource/statement.hpp). Absent for a VM without them.
    std::optional<ResourceStatement> resources;

    friend bool operator==(const ProvenStatement&, const ProvenStatement&) = default;

    // The connector's public values (system_chips.hpp's PublicLayout) for a table of
    // `deferred` entries.
    template <class F>
    [[nodiscard]] std::vector<F> field_values(std::size_t deferred = 0) const {
        std::vector<F> v{F::from_u64(entry_pc), F::from_u64(final_pc), F::from_u64(terminated ? 1 : 0),
                         F::from_u64(exit_code & 0xffff), F::from_u64(exit_code >> 16)};
        for (const std::uint32_t x : public_values) {
            v.push_back(F::from_u64(x & 0xffff));
            v.push_back(F::from_u64(x >> 16));
        }
        if (deferred > 0) {
            v.push_back(F::from_u64(deferred_digests.size()));
            for (std::size_t k = 0; k < deferred; ++k)
                for (std::size_t j = 0; j < 8; ++j)
                    v.push_back(k < deferred_digests.size() ? F::from_u64(deferred_digests[k][j]) : F::zero());
        }
        return v;
    }
};

// The bound on every timestamp in traces of these heights (log2, the chips' AIRs first):
// sum over chips of height x the chip's timestamp step. Empty when below 2^30, else why
// not (bridge.hpp: the memory argument's "T > prev_ts" needs timestamps below p - 2^28,
// and 2^30 is below that for every supported 31-bit field).
template <class SC>
std::string timestamp_bound_problem(const CircuitInventory<SC>& inventory, std::span<const std::uint32_t> log_heights) {
    const auto steps = inventory.timestamp_steps();
    std::uint64_t bound = 1;
    for (std::size_t k = 0; k < steps.size() && k < log_heights.size(); ++k) {
        if (log_heights[k] >= 40) return "a chip of 2^" + std::to_string(log_heights[k]) + " rows";
        bound += (std::uint64_t{1} << log_heights[k]) * steps[k];
    }
    if (bound >= (std::uint64_t{1} << 30))
        return "traces of these heights could hold timestamps up to " + std::to_string(bound) +
               ", at or above 2^30 (prove a shorter run)";
    return {};
}

// The AIRs of a VM proof for one executable.
template <class SC>
struct VmCircuit {
    CircuitInventory<SC> inventory;
    std::vector<stark::AirRef<SC>> airs;  // chips with AIR, periphery, program, image, boundary, connector
    std::vector<ImageWord> image;
    std::size_t public_slots = 0;
    std::size_t deferred_capacity = 0;  // entries of the deferred-hash table (0: none)
    [[nodiscard]] std::size_t system_air(std::size_t k) const noexcept { return airs.size() - 4 + k; }  // program, image, boundary, connector
    // The index of the AIR named `name` (the resource chips' public tables), or none.
    [[nodiscard]] std::optional<std::size_t> air_named(std::string_view name) const {
        for (std::size_t i = 0; i < airs.size(); ++i)
            if (airs[i].shape().name == name) return i;
        return std::nullopt;
    }
    [[nodiscard]] bool has_resources() const { return air_named("resource_table").has_value(); }
    [[nodiscard]] ResourceTableSizes resource_sizes() const {
        return {inventory.limits().resource_outputs, inventory.limits().capability_entries};
    }
    // Every AIR's public values for a statement: the connector's, and the resource chips'.
    // Error(invalid_argument) when the statement does not fit the circuit (what is wrong).
    template <class F>
    [[nodiscard]] std::vector<std::vector<F>> public_values(const ProvenStatement& s) const {
        std::vector<std::vector<F>> publics(airs.size());
        publics.back() = s.template field_values<F>(deferred_capacity);
        if (has_resources() != s.resources.has_value())
            throw Error(ErrorCode::invalid_argument, s.resources ? "the proof states resources, this VM has no resource registers"
                                                                 : "the proof states no resources, this VM has resource registers");
        if (s.resources) {
            if (const auto p = s.resources->template problem<F>(resource_sizes()); !p.empty())
                throw Error(ErrorCode::invalid_argument, "resources: " + p);
            publics[*air_named("resource_slot")] = s.resources->template slot_values<F>();
            publics[*air_named("resource_table")] = s.resources->template table_values<F>(resource_sizes());
        }
        return publics;
    }

    // The bound on every timestamp in traces of these heights (log2, in airs() order):
    // the free timestamp_bound_problem above.
    [[nodiscard]] std::string timestamp_bound_problem(std::span<const std::uint32_t> log_heights) const {
        return vm::timestamp_bound_problem(inventory, log_heights);
    }
};

namespace detail {
// The chips' AIRs and the periphery (the inventory step), then program, image, boundary and
// connector for this program and image.
template <class SC, VmConfig Vm>
VmCircuit<SC> assemble_circuit(const Vm& vm, const Program<typename SC::Field>& program, std::vector<ImageWord> image) {
    static_assert(SC::Field::modulus > (std::uint64_t{1} << 30) + (std::uint64_t{1} << 28),
                  "vm proofs need a field of more than 2^30 + 2^28 elements (the memory argument's timestamps, "
                  "bridge.hpp; BabyBear, KoalaBear and Goldilocks qualify)");
    VmCircuit<SC> c{vm.template circuit<SC>(), {}, std::move(image), vm.config().public_values, vm.deferred_capacity()};
    const auto& buses = c.inventory.buses();
    c.airs = c.inventory.airs();
    c.airs.push_back(ProgramAir(buses.program, program));
    c.airs.push_back(ImageAir(buses.image, c.image));
    c.airs.push_back(BoundaryAir(buses, c.inventory.periphery()[0].bus));
    c.airs.push_back(ConnectorAir(buses, c.public_slots, c.deferred_capacity));
    return c;
}
}  // namespace detail

// Builds the circuit of `vm` for `exe`. Error(out_of_range) when the executable is beyond
// what a proof covers: pcs at or above 2^30, memory of more than 2^29 bytes, image words
// at or above 2^29.
template <class SC, VmConfig Vm>
VmCircuit<SC> build_circuit(const Vm& vm, const Executable<typename SC::Field>& exe) {
    if (exe.program.pc_end() > provable_pc_end)
        throw Error(ErrorCode::out_of_range, "vm: the program ends at " + std::to_string(exe.program.pc_end()) +
                                                 "; proofs cover pcs below 2^30");
    if (vm.config().memory_bits > provable_memory_bits)
        throw Error(ErrorCode::out_of_range, "vm: a memory of 2^" + std::to_string(vm.config().memory_bits) +
                                                 " bytes; proofs cover up to 2^29");
    auto image = initial_image(exe);
    for (const auto& w : image)
        if (w.address >= (std::uint32_t{1} << provable_memory_bits))
            throw Error(ErrorCode::out_of_range, "vm: the memory image has a word at " + hex32(w.address) +
                                                     "; proofs cover addresses below 2^29");
    return detail::assemble_circuit<SC>(vm, exe.program, std::move(image));
}

// The AIRs as a verifier that holds a VmVerifyingKey sees them: their constraints and buses
// do not depend on the executable, only their fixed columns do, and those are the key's
// commitment (the program and image tables here have no rows: nothing builds their columns).
template <class SC, VmConfig Vm>
VmCircuit<SC> verifier_circuit(const Vm& vm) {
    return detail::assemble_circuit<SC>(vm, Program<typename SC::Field>{}, {});
}

// A proof of one run and what it states.
template <class SC>
struct VmProof {
    ProvenStatement statement;
    stark::StarkProof<SC> stark;

    [[nodiscard]] std::vector<std::uint8_t> to_bytes() const {
        stark::ByteWriter w;
        w.u32(vm_proof_magic);
        w.u32(vm_proof_version);
        w.u32(statement.entry_pc);
        w.u32(statement.final_pc);
        w.u32(statement.terminated ? 1 : 0);
        w.u32(statement.exit_code);
        w.u32(static_cast<std::uint32_t>(statement.public_values.size()));
        for (const std::uint32_t v : statement.public_values) w.u32(v);
        w.u32(static_cast<std::uint32_t>(statement.deferred_digests.size()));
        for (const auto& d : statement.deferred_digests)
            for (const std::uint32_t v : d) w.u32(v);
        w.u32(statement.resources ? 1 : 0);
        if (statement.resources) statement.resources->write(w);
        w.raw(stark::encode_proof(stark));
        return std::move(w).take();
    }
    // Error(malformed_input) naming what is wrong.
    [[nodiscard]] static VmProof from_bytes(std::span<const std::uint8_t> bytes) {
        stark::ByteReader r(bytes);
        if (r.u32("magic") != vm_proof_magic)
            throw Error(ErrorCode::malformed_input, "not a VM proof (the magic is not \"CVMP\")");
        if (const auto v = r.u32("version"); v != vm_proof_version)
            throw Error(ErrorCode::malformed_input, "VM proof version " + std::to_string(v) + " (this library reads " +
                                                        std::to_string(vm_proof_version) + ")");
        VmProof p;
        p.statement.entry_pc = r.u32("entry pc");
        p.statement.final_pc = r.u32("final pc");
        const std::uint32_t t = r.u32("terminated flag");
        if (t > 1) throw Error(ErrorCode::malformed_input, "VM proof: terminated flag " + std::to_string(t));
        p.statement.terminated = t == 1;
        p.statement.exit_code = r.u32("exit code");
        const std::size_t n = r.count(4, "public values");
        for (std::size_t k = 0; k < n; ++k) p.statement.public_values.push_back(r.u32("public value"));
        const std::size_t d = r.count(32, "deferred digests");
        for (std::size_t k = 0; k < d; ++k) {
            HashDigest digest;
            for (auto& v : digest) v = r.u32("deferred digest");
            p.statement.deferred_digests.push_back(digest);
        }
        const std::uint32_t has_resources = r.u32("resource flag");
        if (has_resources > 1) throw Error(ErrorCode::malformed_input, "VM proof: resource flag " + std::to_string(has_resources));
        if (has_resources == 1) p.statement.resources = ResourceStatement::read(r);
        p.stark = stark::decode_proof<SC>(bytes.subspan(r.position()));
        return p;
    }
};

template <class SC>
struct VmProveOptions {
    ExecutionOptions execution{};
    stark::ProveOptions stark{};
    // Before any trace is built, a metered run estimates the prover's memory (about 40 bytes
    // per main-trace cell, measured: traces, their low-degree extension, LogUp columns and
    // trees) and refuses a run above this many bytes with an Error that says how much it
    // needs (0: 80% of the machine's physical memory). Longer runs: prove them in segments
    // (vm/continuation.hpp).
    std::uint64_t max_memory_bytes = 0;
    // Where the run's resource outputs go (the created resources open the statement's
    // commitments: a ledger needs them besides the proof), when not null.
    resource::ResourceOutputs* resource_outputs = nullptr;
    // Test-only: called with the AIRs and their traces just before the STARK proves them,
    // so that negative tests can corrupt one cell of a generated trace.
    std::function<void(std::span<const stark::AirRef<SC>>, std::vector<field::RowMajorMatrix<typename SC::Field>>&)>
        tamper_for_testing;
};

// What proving took, phase by phase (seconds), and how big it was.
struct VmProveReport {
    double execute = 0, trace = 0;
    stark::ProveTimings stark{};
    std::uint64_t cycles = 0;
    struct Air {
        std::string name;
        std::size_t rows = 0, width = 0, used_rows = 0;  // height (a power of two), columns, rows with records
    };
    std::vector<Air> airs;  // in proof order
    std::size_t cells = 0;  // main-trace cells over every AIR
};

inline constexpr std::uint64_t prover_bytes_per_cell = 40;

inline std::uint64_t physical_memory_bytes() {
#if defined(_SC_PHYS_PAGES) && defined(_SC_PAGESIZE)
    const long pages = ::sysconf(_SC_PHYS_PAGES), size = ::sysconf(_SC_PAGESIZE);
    if (pages > 0 && size > 0) return static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(size);
#endif
    return std::uint64_t{16} << 30;
}

// Error(out_of_range) when the run would need more prover memory than allowed.
template <class SC, VmConfig Vm>
void check_memory_budget(const Vm& vm, const VmCircuit<SC>& circuit, const Executable<typename SC::Field>& exe,
                         const std::vector<std::uint8_t>& input, const VmProveOptions<SC>& options) {
    ExecutionOptions metered_options;
    metered_options.max_cycles = options.execution.max_cycles;
    metered_options.sink = [](int, std::string_view) {};
    metered_options.resources = options.execution.resources;  // the same run as the proven one
    const auto metered = vm.execute_metered(exe, input, std::move(metered_options));
    const auto names = vm.chip_names();
    const auto proven = circuit.inventory.proven_chips();
    std::uint64_t cells = 0;
    for (std::size_t i = 0; i < circuit.airs.size(); ++i) {
        std::uint64_t rows = 2;
        if (i < proven.size()) {
            for (const auto& c : metered.metrics.chip_rows)
                if (c.name == names[proven[i]]) rows = trace_rows(c.count);
        }
        cells += rows * circuit.airs[i].shape().width;
    }
    cells += trace_rows(input.size()) * 24;  // the hint store: a row per input byte at most (the boundary: not counted)
    const std::uint64_t need = cells * prover_bytes_per_cell + metered.metrics.accesses * sizeof(AccessRecord) +
                               metered.result.cycles * 16;
    const std::uint64_t limit = options.max_memory_bytes != 0 ? options.max_memory_bytes : physical_memory_bytes() / 10 * 8;
    if (need > limit) {
        const auto gib = [](std::uint64_t b) { return std::to_string(static_cast<double>(b) / double(1u << 30)).substr(0, 5); };
        throw Error(ErrorCode::out_of_range, "vm: proving this run of " + std::to_string(metered.result.cycles) +
                                                 " cycles needs about " + gib(need) + " GiB (" + std::to_string(cells) +
                                                 " trace cells); the limit is " + gib(limit) +
                                                 " GiB: raise VmProveOptions::max_memory_bytes or prove the run in segments "
                                                 "(vm/continuation.hpp, causality prove --segment-cycles)");
    }
}

// Runs `exe` in the preflight mode and proves the run. Error(invalid_argument) when the run
// cannot be proven (a chip without AIR, an ecall without proof); a guest fault propagates
// (GuestFault): a faulting run has no proof.
template <class SC, VmConfig Vm>
VmProof<SC> prove(const Vm& vm, const Executable<typename SC::Field>& exe, std::vector<std::uint8_t> input = {},
                  VmProveOptions<SC> options = {}, VmProveReport* report = nullptr) {
    using F = typename SC::Field;
    using Clock = std::chrono::steady_clock;
    const auto seconds = [](Clock::time_point a) { return std::chrono::duration<double>(Clock::now() - a).count(); };
    const VmCircuit<SC> circuit = build_circuit<SC>(vm, exe);
    auto t0 = Clock::now();
    check_memory_budget(vm, circuit, exe, input, options);
    const PreflightExecution run = vm.execute_preflight(exe, std::move(input), options.execution);
    if (report) {
        report->execute = seconds(t0);
        report->cycles = run.result.cycles;
    }
    if (run.result.reason != StopReason::exited && run.result.reason != StopReason::ebreak &&
        run.result.reason != StopReason::cycle_limit)
        throw Error(ErrorCode::invalid_argument, "vm: the run stopped (" + std::string(to_string(run.result.reason)) +
                                                     "): only finished runs are proven");
    t0 = Clock::now();
    TraceInventory<SC> periphery(circuit.inventory, &exe.program);
    auto traces = vm.template generate_chip_traces<SC>(circuit.inventory, run, periphery);
    // The system AIRs' traces; the boundary's limbs go to the range checker first.
    auto boundary = BoundaryAir::trace<F>(run.boundary, circuit.image, periphery.range_checker(timestamp_limb_bits));
    for (auto& t : periphery.periphery_traces()) traces.push_back(std::move(t));
    {
        const ProgramAir program(circuit.inventory.buses().program, exe.program);
        auto counts = field::zero_matrix<F>(program.rows(), 1);
        for (const auto& arena : run.chips)
            for (std::size_t i = 0; i < arena.size(); ++i) {
                const std::uint32_t pc = arena[i].pc;
                const std::size_t row = (pc - exe.program.pc_base) / exe.program.pc_step;
                counts(static_cast<Eigen::Index>(row), 0) += F::one();
            }
        traces.push_back(std::move(counts));
    }
    {
        auto mult = field::zero_matrix<F>(trace_rows(circuit.image.size()), 1);
        for (std::size_t i = 0; i < circuit.image.size(); ++i) mult(static_cast<Eigen::Index>(i), 0) = F::one();
        traces.push_back(std::move(mult));
    }
    traces.push_back(std::move(boundary));
    const ConnectorAir connector(circuit.inventory.buses(), circuit.public_slots, circuit.deferred_capacity);
    traces.push_back(connector.trace<F>(run.final_timestamp + 1, run.result.exit_code, run.result.public_values, run.boundary,
                                        run.result.deferred_digests));

    VmProof<SC> proof;
    proof.statement.entry_pc = exe.entry;
    proof.statement.final_pc = run.result.pc;
    proof.statement.terminated = run.result.reason == StopReason::exited;
    proof.statement.exit_code = proof.statement.terminated ? run.result.exit_code : 0;
    proof.statement.public_values = run.result.public_values;
    proof.statement.public_values.resize(circuit.public_slots, 0);
    proof.statement.deferred_digests = run.result.deferred_digests;
    if (circuit.has_resources()) proof.statement.resources = ResourceStatement::of(run.resources, run.result.resources);
    if (options.resource_outputs) *options.resource_outputs = run.result.resources;
    if (report) {
        report->trace = seconds(t0);
        report->airs.clear();
        report->cells = 0;
        const auto proven = circuit.inventory.proven_chips();
        for (std::size_t i = 0; i < traces.size(); ++i) {
            const std::size_t used = i < proven.size() ? run.chips[proven[i]].size() : static_cast<std::size_t>(traces[i].rows());
            report->airs.push_back({circuit.airs[i].shape().name, static_cast<std::size_t>(traces[i].rows()),
                                    static_cast<std::size_t>(traces[i].cols()), used});
            report->cells += static_cast<std::size_t>(traces[i].rows() * traces[i].cols());
        }
    }
    const auto publics = circuit.template public_values<F>(proof.statement);
    stark::ProveOptions so = options.stark;
    if (report) so.timings = &report->stark;
    {
        std::vector<std::uint32_t> heights;
        for (const auto& t : traces) heights.push_back(static_cast<std::uint32_t>(std::countr_zero(static_cast<std::uint64_t>(t.rows()))));
        if (const auto problem = circuit.timestamp_bound_problem(heights); !problem.empty())
            throw Error(ErrorCode::out_of_range, "vm: " + problem);
    }
    if (options.tamper_for_testing) options.tamper_for_testing(circuit.airs, traces);
    const auto pk = stark::setup<SC>(circuit.airs);
    proof.stark = stark::prove<SC>(pk, circuit.airs, std::move(traces), publics, so);
    return proof;
}

// The verifier's answer: why it rejects, or what the proof states.
struct VmVerification {
    stark::VerifyResult result = stark::VerifyResult::reject("not verified");
    std::optional<ProvenStatement> statement;  // when accepted
    [[nodiscard]] bool ok() const noexcept { return result.ok(); }
    explicit operator bool() const noexcept { return result.ok(); }
    [[nodiscard]] const std::string& reason() const noexcept { return result.reason(); }
};

// What a verifier needs in place of the executable: the commitment to its fixed columns
// (program, memory image, lookup tables: the STARK verifying key, whose root is the
// executable's identity) and its entry pc. Made once per executable.
//
// Bytes (little-endian, version 1): magic "CVMK", version, configuration id, entry pc, the
// AIR count and per AIR its fixed columns' width, log2 height and matrix index, then the
// fixed columns' root in the Merkle scheme's digest encoding.
inline constexpr std::uint32_t vm_key_magic = 0x4b4d5643;  // "CVMK"
inline constexpr std::uint32_t vm_key_version = 1;

namespace detail {
// A format's first three words: magic, version, configuration id (read back below).
template <class SC>
void write_format_header(stark::ByteWriter& w, std::uint32_t magic, std::uint32_t version) {
    w.u32(magic);
    w.u32(version);
    w.u32(stark::config_id<SC>());
}
// The version and configuration words that follow a format's magic; Error(malformed_input)
// naming the format (`what`) when either is not this library's.
template <class SC>
void read_version_and_configuration(stark::ByteReader& r, std::uint32_t version, const std::string& what) {
    if (const auto v = r.u32("version"); v != version)
        throw Error(ErrorCode::malformed_input,
                    what + " version " + std::to_string(v) + " (this library reads " + std::to_string(version) + ")");
    if (r.u32("configuration") != stark::config_id<SC>())
        throw Error(ErrorCode::malformed_input, "the " + what + " is for another configuration than " + std::string(SC::name));
}

// The STARK verifying key in a VM key's bytes: the AIR count and per AIR its fixed columns'
// width, log2 height and matrix index, then the fixed columns' root (the Merkle scheme's
// digest encoding). Shared by whole-run keys and chain keys (vm/continuation.hpp).
template <class SC>
void write_stark_key(stark::ByteWriter& w, const stark::VerifyingKey<SC>& key) {
    w.u32(static_cast<std::uint32_t>(key.airs.size()));
    for (const auto& a : key.airs) {
        w.u32(a.width);
        w.u32(a.log_height);
        w.u32(a.matrix);
    }
    stark::StarkTypes<SC>::Mmcs::write_digest(w, key.preprocessed_root);
}
// Error(malformed_input) naming what is wrong.
template <class SC>
stark::VerifyingKey<SC> read_stark_key(stark::ByteReader& r) {
    stark::VerifyingKey<SC> key;
    const std::size_t n = r.count(12, "AIRs");
    for (std::size_t i = 0; i < n; ++i) {
        typename stark::VerifyingKey<SC>::Fixed f;
        f.width = r.u32("fixed width");
        f.log_height = r.u32("fixed log height");
        f.matrix = r.u32("fixed matrix");
        key.airs.push_back(f);
    }
    key.preprocessed_root = stark::StarkTypes<SC>::Mmcs::read_digest(r);
    return key;
}
}  // namespace detail

template <class SC>
struct VmVerifyingKey {
    stark::VerifyingKey<SC> stark;
    std::uint32_t entry_pc = 0;
    friend bool operator==(const VmVerifyingKey&, const VmVerifyingKey&) = default;

    [[nodiscard]] std::vector<std::uint8_t> to_bytes() const {
        stark::ByteWriter w;
        detail::write_format_header<SC>(w, vm_key_magic, vm_key_version);
        w.u32(entry_pc);
        detail::write_stark_key<SC>(w, stark);
        return std::move(w).take();
    }
    // Error(malformed_input) naming what is wrong.
    [[nodiscard]] static VmVerifyingKey from_bytes(std::span<const std::uint8_t> bytes) {
        stark::ByteReader r(bytes);
        if (r.u32("magic") != vm_key_magic)
            throw Error(ErrorCode::malformed_input, "not a VM verifying key (the magic is not \"CVMK\")");
        detail::read_version_and_configuration<SC>(r, vm_key_version, "VM verifying key");
        VmVerifyingKey k;
        k.entry_pc = r.u32("entry pc");
        k.stark = detail::read_stark_key<SC>(r);
        r.expect_end("the verifying key");
        return k;
    }
};

template <class SC, VmConfig Vm>
VmVerifyingKey<SC> verifying_key(const Vm& vm, const Executable<typename SC::Field>& exe) {
    const VmCircuit<SC> circuit = build_circuit<SC>(vm, exe);
    return {stark::setup<SC>(circuit.airs).vk, exe.entry};
}

// Checks a proof against a verifying key (no executable needed: the fixed columns are the
// key's commitment). Never throws on hostile input.
template <class SC, VmConfig Vm>
VmVerification verify(const Vm& vm, const VmVerifyingKey<SC>& key, const VmProof<SC>& proof) {
    using F = typename SC::Field;
    VmVerification out;
    const auto& s = proof.statement;
    if (s.entry_pc != key.entry_pc) {
        out.result = stark::VerifyResult::reject("the proof starts at pc " + hex32(s.entry_pc) + ", the executable at " +
                                                 hex32(key.entry_pc));
        return out;
    }
    if (s.public_values.size() != vm.config().public_values) {
        out.result = stark::VerifyResult::reject("the proof states " + std::to_string(s.public_values.size()) +
                                                 " public values, this VM has " +
                                                 std::to_string(vm.config().public_values));
        return out;
    }
    if (s.deferred_digests.size() > vm.deferred_capacity()) {
        out.result = stark::VerifyResult::reject("the proof states " + std::to_string(s.deferred_digests.size()) +
                                                 " deferred digests, this VM's table holds " +
                                                 std::to_string(vm.deferred_capacity()));
        return out;
    }
    if (!s.terminated && s.exit_code != 0) {
        out.result = stark::VerifyResult::reject("the proof states an exit code for a run that did not exit");
        return out;
    }
    try {
        const VmCircuit<SC> circuit = verifier_circuit<SC>(vm);
        if (const auto problem = circuit.timestamp_bound_problem(proof.stark.log_heights); !problem.empty()) {
            out.result = stark::VerifyResult::reject(problem);
            return out;
        }
        const auto publics = circuit.template public_values<F>(s);
        out.result = stark::verify<SC>(key.stark, circuit.airs, proof.stark, publics);
    } catch (const Error& e) {
        out.result = stark::VerifyResult::reject(e.what());
    }
    if (out.result) out.statement = s;
    return out;
}

// Checks a proof of a run of `exe` on `vm` (commits the executable's fixed columns, then
// verifies against them). Never throws on hostile proof bytes.
template <class SC, VmConfig Vm>
VmVerification verify(const Vm& vm, const Executable<typename SC::Field>& exe, const VmProof<SC>& proof) {
    VmVerifyingKey<SC> key;
    try {
        key = verifying_key<SC>(vm, exe);
    } catch (const Error& e) {
        VmVerification out;
        out.result = stark::VerifyResult::reject(std::string("the executable cannot be proven: ") + e.what());
        return out;
    }
    return verify<SC>(vm, key, proof);
}

template <class SC, VmConfig Vm>
VmVerification verify(const Vm& vm, const Executable<typename SC::Field>& exe, std::span<const std::uint8_t> bytes) {
    try {
        return verify<SC>(vm, exe, VmProof<SC>::from_bytes(bytes));
    } catch (const Error& e) {
        VmVerification out;
        out.result = stark::VerifyResult::reject(std::string("malformed proof: ") + e.what());
        return out;
    }
}

}  // namespace causality::vm
