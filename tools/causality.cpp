// causality — the command-line front end of the zkVM (VmCore<BabyBear, Rv32im,
// Poseidon2Hash, ResourceRegisters>: guest.h's causality_hash, causality_hash_deferred
// and causality_resource_* work; a program without resource instructions, proven without
// --resources, is proven by the VM without ResourceRegisters, whose proofs are smaller;
// verify and inspect take the VM the proof states; proofs
// with stark::BabyBearPoseidon2: Poseidon2 Merkle trees and transcript, blowup 2, 100
// queries, 16 bits of grinding).
//
//   causality run PROGRAM.elf [--input FILE] [--resources RUN] [--max-cycles N] [--stats] [--metered] [--trace FILE]
//       Runs the program, prints its output as it writes it, prints the values it published
//       (ecall 256) to standard error, and exits with its exit code (an exit code above
//       255 is printed in full, since the process status keeps only its low byte).
//       --stats: instruction count, time and speed; --metered: also per opcode and the
//       trace rows per chip. --trace FILE writes the execution trace (format below).
//   causality prove PROGRAM.elf [--input FILE] [--resources RUN] [--max-cycles N] -o PROOF [--quiet]
//       Runs and proves; one line per phase on standard error, then cycles, rows and cells
//       per chip, proof size and the security report (--quiet: nothing but errors).
//       --resources RUN: the resource register file the run starts with (inputs, input
//       root, context and capabilities; resource/run_file.hpp's bytes, as the
//       resource_ledger example writes them); verify then prints the nullifiers and
//       commitments the proof publishes.
//   causality prove PROGRAM.elf --segment-cycles N [--workers K] [--max-memory BYTES] [--mpi] -o PROOF
//       Proves the run in segments of at most N instructions (vm/continuation.hpp): a
//       chain proof ("CVMC") that verify checks as a whole. --workers: segments proven at
//       once (default: one per hardware thread), --max-memory: their estimated memory
//       together (bytes, or with a K, M or G suffix). --mpi: under mpirun, rank 0 runs and
//       segments the program and the other ranks prove the segments (vm/mpi.hpp); only
//       rank 0 writes the proof. Programs with resource instructions are proven whole.
//   causality verify PROGRAM.elf PROOF | causality verify --key KEY PROOF
//       Exits 0 only for a valid proof of a run of this program (or of the program whose
//       verifying key KEY is); prints its exit code and public values. Otherwise says why
//       and exits 124.
//   causality key PROGRAM.elf [--segments] -o KEY
//       The program's verifying key (the commitment to its fixed columns, its entry pc): a
//       verifier that holds it needs neither the ELF nor the work of committing it.
//       --segments: the key of its chain proofs ("CVCK": the segment circuit's commitment,
//       the entry pc and the executable's memory root), for verify --key KEY CHAIN.
//   causality inspect PROOF
//       Format version, configuration, every AIR's trace height, the proven statement.
//   causality disasm PROGRAM.elf      the transpiled program, one instruction per line
//   causality store put FILE... [--kind KIND] [--db PATH]
//   causality store get ID [-o FILE] [--db PATH]
//   causality store ls [--db PATH]
//       The content-addressed store (SQLite, default ./causality-store.db or
//       $CAUSALITY_STORE): put prints each file's content id (kind: program for an ELF,
//       proof, key, or blob, detected unless --kind says), get writes the record (to
//       standard output without -o) after checking its bytes against the id, ls lists
//       id, kind and size. A corrupted record is an error naming its id (exit 121).
//   causality plan run PLAN.json --journal FILE [--workers N]
//   causality plan resume --journal FILE
//   causality plan status --journal FILE
//       Coordination plans across domains (xvm/plan.hpp documents the plan file): run
//       validates every step, runs the plan (the journal records each step's intent and
//       outcome) and prints each step's outcome; resume finishes every plan a crash left
//       unfinished; status lists the journal's plans and steps. Domain types: "ledger"
//       and "native-zkvm" (this VM without resource registers, proofs as prove makes
//       them); relative paths in the domains' configurations ("db", "programs") are taken
//       from the plan file's folder. Exit 0 when every plan completed, 122 when one was
//       compensated (or its compensation failed), 124 when validation rejected it.
//
// Exit codes of the tool itself: 120 usage, 121 unreadable or malformed file, 122 guest
// fault, 123 cycle limit, 124 proof rejected.
//
// Trace file (run --trace), text, version 1: the line "causality-trace 1", then one line
// per executed instruction in execution order:
//   <cycle> <pc> <next pc> <chip> <timestamp> [<space>:<address>:<before>:<after>:<previous timestamp>]...
// numbers in decimal except pc, next pc, address, before and after (0x-prefixed hex);
// space is 1 (registers, address = 4 x index), 2 (memory, the aligned word), 3 (public
// values), 4 (the deferred-hash counter), 5 (a resource register's state, address = 4 x
// register) or 0 (a write to x0, which takes a timestamp and changes nothing).
#include <causality/field.hpp>
#include <causality/stark/config.hpp>
#include <causality/version.hpp>
#include <causality/vm.hpp>
#include <causality/store/sqlite_store.hpp>
#include <causality/resource/run_file.hpp>
#include <causality/vm/hash/extension.hpp>
#include <causality/vm/prove.hpp>
#include <causality/vm/resource/chips.hpp>
#include <causality/vm/resource/extension.hpp>
#include <causality/xvm.hpp>
#include <causality/xvm/domains/native.hpp>
#include <causality/vm/continuation.hpp>
#if CAUSALITY_WITH_MPI
#include <causality/vm/mpi.hpp>
#endif
#if CAUSALITY_WITH_EVM
#include <causality/xvm/domains/evm.hpp>
#endif

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <unistd.h>

namespace {

using namespace causality;
using Vm = vm::VmCore<field::BabyBear, vm::ext::Rv32im, vm::ext::Poseidon2Hash<field::BabyBear>,
                      vm::ext::ResourceRegisters<field::BabyBear>>;
// Proofs of a program without resource instructions, run without a run file, use the VM
// without the resource extension: its chips would only make the proof larger.
using PlainVm = vm::VmCore<field::BabyBear, vm::ext::Rv32im, vm::ext::Poseidon2Hash<field::BabyBear>>;
// Calls f with the VM whose proofs these are (Vm with resources, else PlainVm).
template <class Fn>
decltype(auto) with_vm(bool resources, Fn&& f) {
    if (resources) return f(Vm{});
    return f(PlainVm{});
}
// Whether proofs of the ELF at `path` need the resource chips: a run file is given, or the
// program has resource instructions (it does not transpile without the extension).
bool needs_resources(const std::string& path, bool run_file) {
    if (run_file) return true;
    try {
        (void)vm::load_elf<PlainVm>(vm::read_file(path));
        return false;
    } catch (const Error&) {
        return true;
    }
}
using SC = stark::BabyBearPoseidon2;

constexpr int exit_usage = 120, exit_bad_input = 121, exit_fault = 122, exit_cycle_limit = 123, exit_rejected = 124;

// Runs `fn`: a guest fault (printed with `fault_note` after it) or an Error becomes exit_fault.
template <class Fn>
std::optional<int> exit_on_fault(const char* fault_note, Fn&& fn) {
    try {
        fn();
        return std::nullopt;
    } catch (const vm::GuestFault& f) {
        std::fprintf(stderr, "causality: %s%s\n", f.what(), fault_note);
    } catch (const Error& e) {
        std::fprintf(stderr, "causality: %s\n", e.what());
    }
    return exit_fault;
}

constexpr const char* run_usage =
    "usage: causality run PROGRAM.elf [--input FILE] [--resources RUN] [--max-cycles N] [--stats] [--metered] [--trace FILE]\n";
constexpr const char* prove_usage =
    "usage: causality prove PROGRAM.elf [--input FILE] [--resources RUN] [--max-cycles N] -o PROOF [--quiet]\n"
    "       causality prove PROGRAM.elf [--input FILE] [--max-cycles N] --segment-cycles N [--workers K]\n"
    "                       [--max-memory BYTES] [--mpi] -o PROOF [--quiet]\n";
constexpr const char* verify_usage = "usage: causality verify PROGRAM.elf PROOF\n       causality verify --key KEY PROOF\n";
constexpr const char* key_usage = "usage: causality key PROGRAM.elf [--segments] -o KEY\n";
constexpr const char* inspect_usage = "usage: causality inspect PROOF\n";
constexpr const char* disasm_usage = "usage: causality disasm PROGRAM.elf\n";
constexpr const char* store_usage =
    "usage: causality store put FILE... [--kind blob|program|proof|key|resource] [--db PATH]\n"
    "       causality store get ID [-o FILE] [--db PATH]\n"
    "       causality store ls [--db PATH]\n";
constexpr const char* plan_usage =
    "usage: causality plan run PLAN.json --journal FILE [--workers N]\n"
    "       causality plan resume --journal FILE\n"
    "       causality plan status --journal FILE\n";

int usage(FILE* to = stderr, int code = exit_usage) {
    std::fprintf(to, "%s%s%s%s%s%s%s%s       causality --version\n", run_usage, prove_usage, verify_usage, key_usage,
                 inspect_usage, disasm_usage, store_usage, plan_usage);
    return code;
}
bool wants_help(int argc, char** argv) {
    for (int i = 2; i < argc; ++i)
        if (std::strcmp(argv[i], "--help") == 0 || std::strcmp(argv[i], "-h") == 0) return true;
    return false;
}

void write_all(int fd, std::string_view bytes) {
    while (!bytes.empty()) {
        const ssize_t n = ::write(fd, bytes.data(), bytes.size());
        if (n <= 0) return;
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
}

// Writes a proof or key; false (after saying so) when the file cannot be written.
bool write_bytes(const std::string& path, const std::vector<std::uint8_t>& bytes, const char* what) {
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    if (!out) std::fprintf(stderr, "causality: cannot write the %s to %s\n", what, path.c_str());
    return static_cast<bool>(out);
}

// The options run and prove share.
struct ProgramArgs {
    std::string program, input_path, trace_path, output, resources_path;
    std::uint64_t max_cycles = std::numeric_limits<std::uint64_t>::max();
    bool stats = false, metered = false, quiet = false;
    std::uint64_t segment_cycles = 0, max_memory = 0;  // 0: proven whole; no limit
    unsigned workers = 0;
    bool mpi = false;
    bool segments = false;  // key --segments: a chain key
};

// A positive count with an optional K, M or G suffix (powers of 1024).
std::optional<std::uint64_t> parse_count(const char* text) {
    char* end = nullptr;
    std::uint64_t v = std::strtoull(text, &end, 10);
    if (end == text || v == 0) return std::nullopt;
    const std::string suffix = end;
    const std::uint64_t scale = suffix.empty() ? 1 : suffix == "K" ? 1u << 10 : suffix == "M" ? 1u << 20 : suffix == "G" ? 1u << 30 : 0;
    if (scale == 0 || v > std::numeric_limits<std::uint64_t>::max() / scale) return std::nullopt;
    return v * scale;
}

// Parses argv[2..]; `extra` says which flags the command takes. Returns an exit code on error.
std::optional<int> parse(int argc, char** argv, ProgramArgs& a, const std::string& extra, const char* command_usage) {
    for (int i = 2; i < argc; ++i) {
        const std::string s = argv[i];
        const bool has_value = i + 1 < argc;
        if (s == "--input" && has_value) a.input_path = argv[++i];
        else if (s == "--resources" && has_value && extra.find('r') != std::string::npos) a.resources_path = argv[++i];
        else if (s == "--max-cycles" && has_value) {
            char* end = nullptr;
            a.max_cycles = std::strtoull(argv[++i], &end, 10);
            if (end == nullptr || *end != 0 || a.max_cycles == 0) {
                std::fprintf(stderr, "causality: --max-cycles needs a positive number, got '%s'\n", argv[i]);
                return exit_usage;
            }
        } else if (s == "--stats" && extra.find('s') != std::string::npos) a.stats = true;
        else if (s == "--metered" && extra.find('m') != std::string::npos) a.stats = a.metered = true;
        else if (s == "--trace" && has_value && extra.find('t') != std::string::npos) a.trace_path = argv[++i];
        else if ((s == "-o" || s == "--output") && has_value && extra.find('o') != std::string::npos) a.output = argv[++i];
        else if (s == "--quiet" && extra.find('q') != std::string::npos) a.quiet = true;
        else if ((s == "--segment-cycles" || s == "--workers" || s == "--max-memory") && has_value &&
                 extra.find('S') != std::string::npos) {
            const auto v = parse_count(argv[++i]);
            if (!v || (s == "--workers" && *v > 4096)) {
                std::fprintf(stderr, "causality: %s needs a positive number, got '%s'\n", s.c_str(), argv[i]);
                return exit_usage;
            }
            if (s == "--segment-cycles") a.segment_cycles = *v;
            else if (s == "--workers") a.workers = static_cast<unsigned>(*v);
            else a.max_memory = *v;
        } else if (s == "--mpi" && extra.find('S') != std::string::npos) a.mpi = true;
        else if (s == "--segments" && extra.find('k') != std::string::npos) a.segments = true;
        else if (a.program.empty() && !s.empty() && s[0] != '-') a.program = s;
        else {
            std::fprintf(stderr, "causality: unknown or incomplete argument '%s'\n%s", s.c_str(), command_usage);
            return exit_usage;
        }
    }
    if (a.program.empty()) {
        std::fprintf(stderr, "causality: no PROGRAM.elf given\n%s", command_usage);
        return exit_usage;
    }
    return std::nullopt;
}

// Loads the program and the input; messages name the file that failed.
// The run's resource file (--resources), or none; an exit code when it cannot be read.
std::optional<int> load_resources(const ProgramArgs& a, std::optional<resource::ResourceFile>& out) {
    if (a.resources_path.empty()) return std::nullopt;
    try {
        out = resource::decode_run_file(vm::read_file(a.resources_path));
    } catch (const Error& e) {
        std::fprintf(stderr, "causality: resources %s: %s\n", a.resources_path.c_str(), e.what());
        return exit_bad_input;
    }
    return std::nullopt;
}

std::optional<int> load(const ProgramArgs& a, vm::Executable<field::BabyBear>& exe, std::vector<std::uint8_t>& input) {
    try {
        exe = vm::load_elf<Vm>(vm::read_file(a.program));
    } catch (const Error& e) {
        std::fprintf(stderr, "causality: %s: %s\n", a.program.c_str(), e.what());
        return exit_bad_input;
    }
    if (!a.input_path.empty()) {
        try {
            input = vm::read_file(a.input_path);
        } catch (const Error& e) {
            std::fprintf(stderr, "causality: input %s: %s\n", a.input_path.c_str(), e.what());
            return exit_bad_input;
        }
    }
    return std::nullopt;
}

void print_public_values(const std::vector<std::uint32_t>& values) {
    std::string line;
    std::size_t last = values.size();
    while (last > 0 && values[last - 1] == 0) --last;
    for (std::size_t k = 0; k < last; ++k) {
        if (k) line += ' ';
        line += std::to_string(values[k]);
    }
    if (last > 0) std::fprintf(stderr, "public values: %s\n", line.c_str());
}
void print_deferred(FILE* to, const std::vector<vm::HashDigest>& digests) {
    for (std::size_t k = 0; k < digests.size(); ++k)
        std::fprintf(to, "deferred digest %zu: %s\n", k, vm::digest_hex(digests[k]).c_str());
}

int report_exit(std::uint32_t code) {
    if (code > 255)
        std::fprintf(stderr, "causality: the guest exited with code %u (the process status keeps its low byte, %u)\n",
                     code, code & 0xffu);
    return static_cast<int>(code & 0xff);
}

bool write_trace(const std::string& path, const vm::PreflightExecution& run, const std::vector<std::string>& chip_names) {
    struct Entry {
        std::uint32_t chip;
        std::size_t index;
        vm::InstructionRecord record;
    };
    std::vector<Entry> all;
    for (std::uint32_t c = 0; c < run.chips.size(); ++c)
        for (std::size_t i = 0; i < run.chips[c].size(); ++i) all.push_back({c, i, run.chips[c][i]});
    // Execution order: by timestamp; an instruction without accesses (fence, ebreak) comes
    // before the one that starts at the same timestamp.
    std::stable_sort(all.begin(), all.end(), [](const Entry& x, const Entry& y) {
        if (x.record.timestamp != y.record.timestamp) return x.record.timestamp < y.record.timestamp;
        return x.record.accesses.empty() && !y.record.accesses.empty();
    });
    std::ofstream out(path);
    if (!out) return false;
    out << "causality-trace 1\n";
    std::uint64_t cycle = 0;
    for (const auto& e : all) {
        const auto& r = e.record;
        out << cycle++ << ' ' << vm::hex32(r.pc) << ' ' << vm::hex32(r.next_pc) << ' ' << chip_names[e.chip] << ' '
            << r.timestamp;
        for (const auto& a : r.accesses)
            out << ' ' << static_cast<unsigned>(a.space) << ':' << vm::hex32(a.address) << ':' << vm::hex32(a.previous_value)
                << ':' << vm::hex32(a.value) << ':' << a.previous_timestamp;
        out << '\n';
    }
    return static_cast<bool>(out);
}

int run(int argc, char** argv) {
    if (wants_help(argc, argv)) {
        std::fputs(run_usage, stdout);
        return 0;
    }
    ProgramArgs a;
    if (const auto bad = parse(argc, argv, a, "smtr", run_usage)) return *bad;
    vm::Executable<field::BabyBear> exe;
    std::vector<std::uint8_t> input;
    if (const auto bad = load(a, exe, input)) return *bad;
    std::optional<resource::ResourceFile> resources;
    if (const auto bad = load_resources(a, resources)) return *bad;
    const Vm vm_core;
    if (!a.trace_path.empty()) {
        vm::ExecutionOptions options;
        options.max_cycles = a.max_cycles;
        options.sink = [](int fd, std::string_view bytes) { write_all(fd, bytes); };
        options.resources = resources;
        vm::PreflightExecution run;
        if (const auto bad = exit_on_fault("", [&] { run = vm_core.execute_preflight(exe, input, std::move(options)); }))
            return *bad;
        if (!write_trace(a.trace_path, run, vm_core.chip_names())) {
            std::fprintf(stderr, "causality: cannot write the trace to %s\n", a.trace_path.c_str());
            return exit_bad_input;
        }
        print_public_values(run.result.public_values);
        print_deferred(stderr, run.result.deferred_digests);
        if (run.result.reason == vm::StopReason::cycle_limit) {
            std::fprintf(stderr, "causality: stopped at the cycle limit (%llu instructions), pc %s\n",
                         static_cast<unsigned long long>(run.result.cycles), vm::hex32(run.result.pc).c_str());
            return exit_cycle_limit;
        }
        return run.result.reason == vm::StopReason::exited ? report_exit(run.result.exit_code) : exit_fault;
    }
    vm::Machine<Vm> m;
    m.initialize(exe, std::move(input));
    m.set_max_cycles(a.max_cycles);
    m.io().sink = [](int fd, std::string_view bytes) { write_all(fd, bytes); };
    if (resources) m.resources() = std::move(*resources);
    const auto t0 = std::chrono::steady_clock::now();
    vm::RunResult r;
    try {
        r = a.metered ? m.start<vm::Metered>() : m.start<vm::Pure>();
    } catch (const vm::GuestFault& f) {
        std::fprintf(stderr, "causality: %s (after %llu instructions)\n", f.what(),
                     static_cast<unsigned long long>(m.cycles()));
        return exit_fault;
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (a.stats) {
        std::fprintf(stderr, "instructions: %llu\ntime: %.3f s\nspeed: %.1f million instructions/s (%s mode)\n",
                     static_cast<unsigned long long>(m.cycles()), seconds,
                     static_cast<double>(m.cycles()) / seconds / 1e6, a.metered ? "metered" : "pure");
        if (a.metered) {
            const auto metrics = Vm::metrics(m.metering());
            std::fprintf(stderr, "memory accesses: %llu\n", static_cast<unsigned long long>(metrics.accesses));
            for (const auto& c : metrics.opcodes)
                std::fprintf(stderr, "  %-20s %12llu\n", c.name.c_str(), static_cast<unsigned long long>(c.count));
            std::fprintf(stderr, "trace rows per chip (padded to a power of two):\n");
            for (const auto& c : metrics.chip_rows)
                std::fprintf(stderr, "  %-28s %12llu  (%llu)\n", c.name.c_str(), static_cast<unsigned long long>(c.count),
                             static_cast<unsigned long long>(metrics.padded_rows(c.name)));
        }
    }
    print_public_values(m.public_values());
    print_deferred(stderr, m.deferred_digests());
    switch (r.reason) {
        case vm::StopReason::exited: return report_exit(r.exit_code);
        case vm::StopReason::cycle_limit:
            std::fprintf(stderr, "causality: stopped at the cycle limit (%llu instructions), pc %s\n",
                         static_cast<unsigned long long>(m.cycles()), vm::hex32(r.pc).c_str());
            return exit_cycle_limit;
        default:
            std::fprintf(stderr, "causality: stopped (%s) at pc %s\n", std::string(to_string(r.reason)).c_str(),
                         vm::hex32(r.pc).c_str());
            return exit_fault;
    }
}

void print_statement(const vm::ProvenStatement& s) {
    if (s.terminated) std::printf("exit code: %u\n", s.exit_code);
    else std::printf("not terminated (final pc %s)\n", vm::hex32(s.final_pc).c_str());
    std::string line;
    for (std::size_t k = 0; k < s.public_values.size(); ++k) {
        if (k) line += ' ';
        line += std::to_string(s.public_values[k]);
    }
    std::printf("public values: %s\n", line.c_str());
    print_deferred(stdout, s.deferred_digests);
    if (s.resources && (!s.resources->nullifiers.empty() || !s.resources->commitments.empty())) {
        const auto& r = *s.resources;
        std::printf("input set: %s (depth %u)\n", vm::digest_hex(r.input_root).c_str(), r.input_depth);
        std::printf("capability root: %s (%zu capabilities, at %llu)\n", vm::digest_hex(r.capability_root()).c_str(),
                    r.capabilities.size(), static_cast<unsigned long long>(r.timestamp));
        for (const auto& n : r.nullifiers) std::printf("nullifier: %s\n", vm::digest_hex(n).c_str());
        for (const auto& c : r.commitments) std::printf("commitment: %s\n", vm::digest_hex(c).c_str());
    }
}

// prove --segment-cycles: a chain of segment proofs, on this machine or under mpirun.
int prove_segments(const ProgramArgs& a) {
    if (a.segment_cycles == 0) {
        std::fprintf(stderr, "causality: --workers, --max-memory and --mpi go with --segment-cycles N\n%s", prove_usage);
        return exit_usage;
    }
    if (!a.resources_path.empty()) {
        std::fprintf(stderr, "causality: runs with --resources are proven whole (continuations do not cover resource registers)\n");
        return exit_usage;
    }
#if !CAUSALITY_WITH_MPI
    if (a.mpi) {
        std::fprintf(stderr, "causality: this build has no MPI (install libopenmpi-dev and rebuild)\n");
        return exit_usage;
    }
#endif
    vm::Executable<field::BabyBear> exe;
    std::vector<std::uint8_t> input;
    if (const auto bad = load(a, exe, input)) return *bad;
    if (needs_resources(a.program, false)) {
        std::fprintf(stderr, "causality: %s has resource instructions: prove it whole (without --segment-cycles)\n",
                     a.program.c_str());
        return exit_usage;
    }
    vm::SegmentOptions o;
    o.segment_cycles = a.segment_cycles;
    o.workers = a.workers;
    o.max_memory_bytes = a.max_memory;
    o.execution.max_cycles = a.max_cycles;
    o.execution.sink = [](int, std::string_view) {};
    const PlainVm vm;
    const auto t0 = std::chrono::steady_clock::now();
    std::optional<vm::ContinuationProof<SC>> proof;
    vm::ContinuationReport report;
    int rank = 0, ranks = 1;
    std::vector<std::uint64_t> peaks;
    if (const auto bad = exit_on_fault(": a faulting run has no proof", [&] {
        if (a.mpi) {
#if CAUSALITY_WITH_MPI
            vm::mpi::MpiOptions mo;
            mo.log = a.quiet ? nullptr : stderr;
            // Testing aids (the MPI tests): a rank that fails its first segment or dies.
            if (const char* f = std::getenv("CAUSALITY_MPI_FAIL_RANK")) mo.fail_rank_for_testing = std::atoi(f);
            if (const char* d = std::getenv("CAUSALITY_MPI_DIE_RANK")) mo.die_rank_for_testing = std::atoi(d);
            MPI_Comm_rank(MPI_COMM_WORLD, &rank);
            MPI_Comm_size(MPI_COMM_WORLD, &ranks);
            vm::mpi::MpiReport mr;
            proof = vm::mpi::prove_continuation<SC>(MPI_COMM_WORLD, vm, exe, input, o, mo, &mr);
            peaks = mr.peak_resident_bytes;
            for (const auto& f : mr.failures) std::fprintf(stderr, "causality: failed and re-queued: %s\n", f.c_str());
#endif
        } else {
            proof = vm::prove_continuation<SC>(vm, exe, input, o, &report);
        }
    }))
        return *bad;
    if (rank != 0) return 0;
    const double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const auto bytes = proof->to_bytes();
    if (!write_bytes(a.output, bytes, "proof")) return exit_bad_input;
    if (a.quiet) return 0;
    std::uint64_t cycles = 0;
    if (!a.mpi) {
        cycles = report.cycles;
        std::fprintf(stderr, "plan (run, segment)  %8.3f s  (%llu cycles, %zu segments)\n", report.plan,
                     static_cast<unsigned long long>(cycles), proof->segments.size());
        std::fprintf(stderr, "prove segments       %8.3f s  (%u workers)\n", report.prove, report.workers);
        std::fprintf(stderr, "%8s %10s %9s %9s %9s %12s\n", "segment", "cycles", "replay s", "trace s", "prove s", "cells");
        for (const auto& s : report.segments)
            std::fprintf(stderr, "%8u %10llu %9.3f %9.3f %9.3f %12zu\n", s.index, static_cast<unsigned long long>(s.cycles),
                         s.replay, s.trace, s.prove, s.cells);
        std::fprintf(stderr, "peak resident memory: %.1f MiB\n", static_cast<double>(report.peak_resident_bytes) / (1 << 20));
        std::fprintf(stderr, "total %.3f s (%.0f cycles/s)\n", total, static_cast<double>(cycles) / total);
    } else {
        std::fprintf(stderr, "%d ranks, %zu segments, total %.3f s\n", ranks, proof->segments.size(), total);
        for (std::size_t r = 0; r < peaks.size(); ++r)
            std::fprintf(stderr, "rank %zu peak resident memory: %.1f MiB\n", r, static_cast<double>(peaks[r]) / (1 << 20));
    }
    std::fprintf(stderr, "proof: %zu bytes to %s\n", bytes.size(), a.output.c_str());
    return 0;
}

int prove(int argc, char** argv) {
    if (wants_help(argc, argv)) {
        std::fputs(prove_usage, stdout);
        return 0;
    }
    ProgramArgs a;
    if (const auto bad = parse(argc, argv, a, "oqrS", prove_usage)) return *bad;
    if (a.output.empty()) {
        std::fprintf(stderr, "causality: prove needs -o PROOF\n%s", prove_usage);
        return exit_usage;
    }
    if (a.segment_cycles != 0 || a.mpi || a.workers != 0 || a.max_memory != 0) return prove_segments(a);
    vm::Executable<field::BabyBear> exe;
    std::vector<std::uint8_t> input;
    if (const auto bad = load(a, exe, input)) return *bad;
    vm::VmProveOptions<SC> options;
    options.execution.max_cycles = a.max_cycles;
    if (const auto bad = load_resources(a, options.execution.resources)) return *bad;
    vm::VmProveReport report;
    std::vector<std::uint8_t> bytes;
    const auto t0 = std::chrono::steady_clock::now();
    if (const auto bad = exit_on_fault(": a faulting run has no proof", [&] {
            bytes = with_vm(needs_resources(a.program, options.execution.resources.has_value()), [&](const auto& vm) {
                return vm::prove<SC>(vm, exe, std::move(input), options, &report).to_bytes();
            });
        }))
        return *bad;
    const double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!write_bytes(a.output, bytes, "proof")) return exit_bad_input;
    if (a.quiet) return 0;
    const auto& t = report.stark;
    std::fprintf(stderr, "execute           %8.3f s  (%llu cycles)\n", report.execute,
                 static_cast<unsigned long long>(report.cycles));
    std::fprintf(stderr, "trace generation  %8.3f s\n", report.trace);
    std::fprintf(stderr, "commit traces     %8.3f s\n", t.commit_main);
    std::fprintf(stderr, "LogUp             %8.3f s\n", t.logup);
    std::fprintf(stderr, "quotient          %8.3f s\n", t.quotient + t.commit_quotient);
    std::fprintf(stderr, "openings and FRI  %8.3f s\n", t.open + t.fri);
    std::fprintf(stderr, "total             %8.3f s  (%.0f cycles/s)\n", total, static_cast<double>(report.cycles) / total);
    std::fprintf(stderr, "%-20s %10s %10s %8s %12s\n", "AIR", "used rows", "rows", "columns", "cells");
    for (const auto& air : report.airs)
        std::fprintf(stderr, "%-20s %10zu %10zu %8zu %12zu\n", air.name.c_str(), air.used_rows, air.rows, air.width,
                     air.rows * air.width);
    std::fprintf(stderr, "cells: %zu (%.1f per cycle)\n", report.cells,
                 report.cycles ? static_cast<double>(report.cells) / static_cast<double>(report.cycles) : 0.0);
    std::size_t max_rows = 0;
    for (const auto& air : report.airs) max_rows = std::max(max_rows, air.rows);
    const auto security = stark::security_report<SC>(static_cast<unsigned>(std::countr_zero(max_rows)) + SC::fri.log_blowup);
    std::fprintf(stderr, "proof: %zu bytes to %s\nsecurity: %s\n", bytes.size(), a.output.c_str(), security.to_string().c_str());
    return 0;
}

// verify of a chain proof (prove --segment-cycles): the VM without resource registers.
// With --key, `what` is a chain key (key --segments), else the program.
int verify_chain(bool with_key, const char* what, const std::vector<std::uint8_t>& bytes) {
    vm::ContinuationKey<SC> key;
    try {
        key = with_key ? vm::ContinuationKey<SC>::from_bytes(vm::read_file(what))
                       : vm::continuation_key<SC>(PlainVm{}, vm::load_elf<PlainVm>(vm::read_file(what)));
    } catch (const Error& e) {
        std::fprintf(stderr, "causality: %s%s: %s\n", with_key ? "key " : "", what, e.what());
        return exit_bad_input;
    }
    const auto v = vm::verify_execution<SC>(PlainVm{}, key, std::span<const std::uint8_t>(bytes));
    if (!v) {
        std::fprintf(stderr, "causality: rejected: %s\n", v.reason().c_str());
        return exit_rejected;
    }
    std::printf("verified: a run of %s in %zu segments\n",
                with_key ? ("the program of key " + std::string(what)).c_str() : what, v.segments);
    print_statement(*v.statement);
    return 0;
}

int verify(int argc, char** argv) {
    if (wants_help(argc, argv)) {
        std::fputs(verify_usage, stdout);
        return 0;
    }
    if (argc != 4 && !(argc == 5 && std::strcmp(argv[2], "--key") == 0)) {
        std::fputs(verify_usage, stderr);
        return exit_usage;
    }
    const bool with_key = argc == 5;
    const char* what = argv[with_key ? 3 : 2];
    const char* proof_path = argv[with_key ? 4 : 3];
    std::vector<std::uint8_t> bytes;
    try {
        bytes = vm::read_file(proof_path);
    } catch (const Error& e) {
        std::fprintf(stderr, "causality: proof %s: %s\n", proof_path, e.what());
        return exit_bad_input;
    }
    if (bytes.size() >= 4 && std::memcmp(bytes.data(), "CVMC", 4) == 0) return verify_chain(with_key, what, bytes);
    vm::VmProof<SC> proof;
    vm::VmVerification v;
    bool parsed = false;
    try {
        proof = vm::VmProof<SC>::from_bytes(bytes);
        parsed = true;
    } catch (const Error& e) {
        v.result = stark::VerifyResult::reject(std::string("malformed proof: ") + e.what());
    }
    // The VM is the one the proof states it is of (a resource statement or none).
    const bool resources = parsed && proof.statement.resources.has_value();
    vm::VmVerifyingKey<SC> key;
    try {
        if (with_key) key = vm::VmVerifyingKey<SC>::from_bytes(vm::read_file(what));
        else key = with_vm(resources, [&](const auto& vm) {
            return vm::verifying_key<SC>(vm, vm::load_elf<Vm>(vm::read_file(what)));
        });
    } catch (const Error& e) {
        std::fprintf(stderr, "causality: %s%s: %s\n", with_key ? "key " : "", what, e.what());
        return exit_bad_input;
    }
    if (parsed) v = with_vm(resources, [&](const auto& vm) { return vm::verify<SC>(vm, key, proof); });
    if (!v) {
        std::fprintf(stderr, "causality: rejected: %s\n", v.reason().c_str());
        return exit_rejected;
    }
    std::printf("verified: a run of %s\n", with_key ? ("the program of key " + std::string(what)).c_str() : what);
    print_statement(*v.statement);
    return 0;
}

int key(int argc, char** argv) {
    if (wants_help(argc, argv)) {
        std::fputs(key_usage, stdout);
        return 0;
    }
    ProgramArgs a;
    if (const auto bad = parse(argc, argv, a, "ok", key_usage)) return *bad;
    if (a.output.empty()) {
        std::fprintf(stderr, "causality: key needs -o KEY\n%s", key_usage);
        return exit_usage;
    }
    vm::Executable<field::BabyBear> exe;
    std::vector<std::uint8_t> unused;
    if (const auto bad = load(a, exe, unused)) return *bad;
    std::vector<std::uint8_t> bytes;
    try {
        // A chain key is for the VM without resource registers (what segments prove).
        if (a.segments) bytes = vm::continuation_key<SC>(PlainVm{}, exe).to_bytes();
        else
            bytes = with_vm(needs_resources(a.program, false), [&](const auto& vm) { return vm::verifying_key<SC>(vm, exe); })
                        .to_bytes();
    } catch (const Error& e) {
        std::fprintf(stderr, "causality: %s: %s\n", a.program.c_str(), e.what());
        return exit_bad_input;
    }
    return write_bytes(a.output, bytes, "key") ? 0 : exit_bad_input;
}

int inspect(int argc, char** argv) {
    if (wants_help(argc, argv)) {
        std::fputs(inspect_usage, stdout);
        return 0;
    }
    if (argc != 3) {
        std::fputs(inspect_usage, stderr);
        return exit_usage;
    }
    try {
        const auto bytes = vm::read_file(argv[2]);
        if (bytes.size() >= 4 && std::memcmp(bytes.data(), "CVMC", 4) == 0) {
            const auto chain = vm::ContinuationProof<SC>::from_bytes(bytes);
            std::printf("format: causality chain of segment proofs version %u (STARK proof version %u)\n",
                        vm::continuation_version, stark::proof_version);
            std::printf("configuration: %s (id %08x)\n", std::string(SC::name).c_str(), stark::config_id<SC>());
            std::printf("size: %zu bytes, %zu segments\n", bytes.size(), chain.segments.size());
            for (const auto& seg : chain.segments) {
                const auto& st = seg.statement;
                std::printf("  segment %u: pc %s -> %s, root %016llx.. -> %016llx..%s\n", st.index,
                            vm::hex32(st.initial_pc).c_str(), vm::hex32(st.final_pc).c_str(),
                            static_cast<unsigned long long>(st.initial_root[0]),
                            static_cast<unsigned long long>(st.final_root[0]),
                            st.terminated ? (std::string(", exited with ") + std::to_string(st.exit_code)).c_str() : "");
            }
            return 0;
        }
        const auto proof = vm::VmProof<SC>::from_bytes(bytes);
        std::printf("format: causality VM proof version %u (STARK proof version %u)\n", vm::vm_proof_version,
                    stark::proof_version);
        std::printf("configuration: %s (id %08x)\n", std::string(SC::name).c_str(), stark::config_id<SC>());
        std::printf("size: %zu bytes\n", bytes.size());
        // The AIRs of this VM (the same list for every program).
        const auto names = with_vm(proof.statement.resources.has_value(), [](const auto& vm) {
            std::vector<std::string> out;
            for (const auto& air : vm::verifier_circuit<SC>(vm).airs) out.push_back(air.shape().name);
            return out;
        });
        for (std::size_t i = 0; i < proof.stark.log_heights.size(); ++i) {
            const std::string name = i < names.size() ? names[i] : "?";
            std::printf("  %-20s 2^%u rows\n", name.c_str(), proof.stark.log_heights[i]);
        }
        std::printf("entry pc: %s\n", vm::hex32(proof.statement.entry_pc).c_str());
        print_statement(proof.statement);
    } catch (const Error& e) {
        std::fprintf(stderr, "causality: %s: %s\n", argv[2], e.what());
        return exit_bad_input;
    }
    return 0;
}

int disasm(int argc, char** argv) {
    if (wants_help(argc, argv)) {
        std::fputs(disasm_usage, stdout);
        return 0;
    }
    if (argc != 3) {
        std::fputs(disasm_usage, stderr);
        return exit_usage;
    }
    try {
        const auto exe = vm::load_elf<Vm>(vm::read_file(argv[2]));
        vm::Machine<Vm> m;
        m.initialize(exe);
        const auto& p = exe.program;
        for (std::size_t i = 0; i < p.size(); ++i) std::cout << m.disassemble(static_cast<std::uint32_t>(p.pc_base + 4 * i)) << '\n';
    } catch (const Error& e) {
        std::fprintf(stderr, "causality: %s: %s\n", argv[2], e.what());
        return exit_bad_input;
    }
    return 0;
}

}  // namespace

// --- store ----------------------------------------------------------------------------------
store::ContentKind detect_kind(const std::vector<std::uint8_t>& b) {
    const auto starts = [&](const char* m) { return b.size() >= 4 && std::memcmp(b.data(), m, 4) == 0; };
    if (starts("\x7f" "ELF")) return store::ContentKind::program;
    if (starts("CVMP")) return store::ContentKind::proof;
    if (starts("CVMK")) return store::ContentKind::verifying_key;
    return store::ContentKind::blob;
}
int store_command(int argc, char** argv) {
    if (argc < 3 || std::string(argv[2]) == "--help") {
        std::fputs(store_usage, argc < 3 ? stderr : stdout);
        return argc < 3 ? exit_usage : 0;
    }
    const std::string sub = argv[2];
    const char* env = std::getenv("CAUSALITY_STORE");
    std::string db = env && *env ? env : "causality-store.db", out, kind;
    std::vector<std::string> args;
    for (int i = 3; i < argc; ++i) {
        const std::string s = argv[i];
        if ((s == "--db" || s == "-o" || s == "--kind") && i + 1 < argc) {
            (s == "--db" ? db : s == "-o" ? out : kind) = argv[++i];
        } else if (!s.empty() && s[0] == '-') {
            std::fprintf(stderr, "causality: unknown or incomplete argument '%s'\n%s", s.c_str(), store_usage);
            return exit_usage;
        } else {
            args.push_back(s);
        }
    }
    if ((sub == "put" && args.empty()) || (sub == "get" && args.size() != 1) || (sub == "ls" && !args.empty()) ||
        (sub != "put" && sub != "get" && sub != "ls") || (sub != "put" && !kind.empty()) || (sub != "get" && !out.empty())) {
        std::fputs(store_usage, stderr);
        return exit_usage;
    }
    try {
        store::SqliteContentStore s(db);
        if (sub == "put") {
            const std::optional<store::ContentKind> forced =
                kind.empty() ? std::nullopt : std::optional<store::ContentKind>(store::parse_kind(kind));
            for (const auto& path : args) {
                const auto bytes = vm::read_file(path);
                const auto k = forced ? *forced : detect_kind(bytes);
                std::printf("%s %s %s\n", s.put(k, bytes).hex().c_str(), std::string(store::to_string(k)).c_str(),
                            path.c_str());
            }
            return 0;
        }
        if (sub == "get") {
            const auto id = store::ContentId::from_hex(args[0]);
            const auto r = s.get(id);
            if (!r) {
                std::fprintf(stderr, "causality: %s: no record %s\n", db.c_str(), id.hex().c_str());
                return exit_bad_input;
            }
            if (out.empty()) {
                write_all(1, std::string_view(reinterpret_cast<const char*>(r->bytes.data()), r->bytes.size()));
            } else if (!write_bytes(out, r->bytes, "record")) {
                return exit_bad_input;
            }
            return 0;
        }
        s.for_each([](const store::ContentEntry& e) {
            std::printf("%s %-8s %llu\n", e.id.hex().c_str(), std::string(store::to_string(e.kind)).c_str(),
                        static_cast<unsigned long long>(e.size));
        });
        return 0;
    } catch (const Error& e) {
        std::fprintf(stderr, "causality: %s\n", e.what());
        return exit_bad_input;
    }
}

// --- plan -------------------------------------------------------------------------------

xvm::DomainAdapterRegistry plan_registry() {
    xvm::DomainAdapterRegistry r;
    xvm::register_ledger(r);
    xvm::register_native<PlainVm, SC>(r);
#if CAUSALITY_WITH_EVM
    xvm::register_evm(r);
#endif
    return r;
}
// Relative "db" and program paths are the plan file's folder's.
void absolute_paths(xvm::Json& domains, const std::string& plan_path) {
    namespace fs = std::filesystem;
    const fs::path base = fs::absolute(fs::path(plan_path)).parent_path();
    const auto fix = [&](xvm::Json& v) {
        if (v.is_string() && v.get<std::string>() != ":memory:" && fs::path(v.get<std::string>()).is_relative())
            v = (base / v.get<std::string>()).lexically_normal().string();
    };
    if (!domains.is_array()) return;
    for (auto& d : domains) {
        if (!d.is_object()) continue;
        if (d.contains("db")) fix(d["db"]);
        if (d.contains("programs") && d["programs"].is_object())
            for (auto& [name, path] : d["programs"].items()) fix(path);
        if (d.contains("state")) fix(d["state"]);  // an EVM domain's record, key file, artifacts
        if (d.contains("key_file")) fix(d["key_file"]);
        if (d.contains("contracts") && d["contracts"].is_object())
            for (auto& [name, spec] : d["contracts"].items())
                if (spec.is_object() && spec.contains("artifact")) fix(spec["artifact"]);
    }
}
// One line per step: status and attempts; with `outcomes` the output (or error) and proof
// size, else the channel nonce and error (status).
void print_steps(const std::vector<xvm::StepRecord>& steps, bool outcomes) {
    for (const auto& s : steps) {
        std::printf("  %-20s %-20s attempts %u", s.id.c_str(), std::string(xvm::to_string(s.status)).c_str(), s.attempts);
        if (!outcomes && s.nonce) std::printf("  nonce %llu", static_cast<unsigned long long>(*s.nonce));
        if (!s.error.empty()) std::printf("  %s", s.error.c_str());
        else if (outcomes && !s.outcome.output.empty()) {
            auto out = s.outcome.output.dump();
            if (out.size() > 100) out = out.substr(0, 97) + "...";
            std::printf("  %s", out.c_str());
        }
        if (outcomes && !s.outcome.attachment.empty()) std::printf("  (proof %zu bytes)", s.outcome.attachment.size());
        std::printf("\n");
    }
}
int print_result(const xvm::PlanResult& r) {
    std::printf("plan %s: %s\n", r.plan_id.c_str(), std::string(xvm::to_string(r.status)).c_str());
    for (const auto& e : r.validation.errors()) std::printf("  invalid: %s\n", e.text().c_str());
    print_steps(r.steps, true);
    if (r.status == xvm::PlanStatus::completed) return 0;
    return r.status == xvm::PlanStatus::rejected ? exit_rejected : exit_fault;
}

int plan_command(int argc, char** argv) {
    if (wants_help(argc, argv)) {
        std::fputs(plan_usage, stdout);
        return 0;
    }
    if (argc < 3) {
        std::fputs(plan_usage, stderr);
        return exit_usage;
    }
    const std::string sub = argv[2];
    std::string journal_path, plan_path;
    unsigned workers = 1;
    for (int i = 3; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--journal" && i + 1 < argc) journal_path = argv[++i];
        else if (a == "--workers" && i + 1 < argc) {
            const std::string n = argv[++i];
            if (n.empty() || n.size() > 3 || n.find_first_not_of("0123456789") != std::string::npos || std::stoul(n) == 0) {
                std::fprintf(stderr, "causality: --workers takes a count from 1 to 999, not '%s'\n", n.c_str());
                return exit_usage;
            }
            workers = static_cast<unsigned>(std::stoul(n));
        } else if (sub == "run" && plan_path.empty() && !a.starts_with("--")) plan_path = a;
        else {
            std::fprintf(stderr, "causality: plan %s: unexpected argument '%s'\n%s", sub.c_str(), a.c_str(), plan_usage);
            return exit_usage;
        }
    }
    if ((sub != "run" && sub != "resume" && sub != "status") || journal_path.empty() || (sub == "run" && plan_path.empty())) {
        std::fputs(plan_usage, stderr);
        return exit_usage;
    }
    try {
        xvm::Journal journal(journal_path);
        if (sub == "status") {
            for (const auto& id : journal.plans()) {
                const auto rec = journal.plan(id);
                std::printf("plan %s: %s\n", id.c_str(), std::string(xvm::to_string(rec->status)).c_str());
                print_steps(rec->steps, false);
            }
            return 0;
        }
        const auto registry = plan_registry();
        const xvm::EffectValidatorRegistry validators;
        int worst = 0;
        const auto run_with = [&](const xvm::Json& domains, auto&& body) {
            xvm::CrossVmBroker broker;
            broker.add_all(registry, domains);
            xvm::CoordinationExecutor ex(broker, validators, &journal, {workers});
            const int rc = print_result(body(ex));
            worst = std::max(worst, rc);
        };
        if (sub == "run") {
            xvm::Json j;
            try {
                std::ifstream in(plan_path);
                if (!in) {
                    std::fprintf(stderr, "causality: cannot read the plan %s\n", plan_path.c_str());
                    return exit_bad_input;
                }
                j = xvm::Json::parse(in);
            } catch (const xvm::Json::exception& e) {
                std::fprintf(stderr, "causality: plan %s is not JSON: %s\n", plan_path.c_str(), e.what());
                return exit_bad_input;
            }
            if (j.is_object() && j.contains("domains")) absolute_paths(j["domains"], plan_path);
            const auto plan = xvm::CoordinationPlan::from_json(j);
            run_with(plan.domain_configs, [&](xvm::CoordinationExecutor& ex) { return ex.execute(plan); });
            return worst;
        }
        const auto unfinished = journal.plans(true);
        if (unfinished.empty()) std::printf("no unfinished plan in %s\n", journal_path.c_str());
        for (const auto& id : unfinished) {
            const auto rec = journal.plan(id);
            const auto plan = xvm::CoordinationPlan::from_json(rec->body);
            run_with(plan.domain_configs, [&](xvm::CoordinationExecutor& ex) { return ex.resume(id); });
        }
        return worst;
    } catch (const xvm::XvmError& e) {
        std::fprintf(stderr, "causality: %s\n", e.what());
        return e.kind() == xvm::XvmErrorKind::invalid_plan || e.kind() == xvm::XvmErrorKind::bad_config ||
                       e.kind() == xvm::XvmErrorKind::unknown_vm_type || e.kind() == xvm::XvmErrorKind::incompatible_interface
                   ? exit_bad_input
                   : exit_fault;
    } catch (const Error& e) {
        std::fprintf(stderr, "causality: %s\n", e.what());
        return exit_bad_input;
    }
}

int main(int argc, char** argv) {
    if (argc < 2) return usage();
    const std::string cmd = argv[1];
    if (cmd == "--version" || cmd == "version") {
        std::printf("causality %d.%d.%d\n", CAUSALITY_VERSION_MAJOR, CAUSALITY_VERSION_MINOR, CAUSALITY_VERSION_PATCH);
        return 0;
    }
    if (cmd == "--help" || cmd == "-h" || cmd == "help") return usage(stdout, 0);
    if (cmd == "run") return run(argc, argv);
    if (cmd == "prove") {
#if CAUSALITY_WITH_MPI
        for (int i = 2; i < argc; ++i)
            if (std::strcmp(argv[i], "--mpi") == 0) {
                MPI_Init(&argc, &argv);
                const int rc = prove(argc, argv);
                MPI_Finalize();
                return rc;
            }
#endif
        return prove(argc, argv);
    }
    if (cmd == "verify") return verify(argc, argv);
    if (cmd == "inspect") return inspect(argc, argv);
    if (cmd == "key") return key(argc, argv);
    if (cmd == "disasm") return disasm(argc, argv);
    if (cmd == "store") return store_command(argc, argv);
    if (cmd == "plan") return plan_command(argc, argv);
    std::fprintf(stderr, "causality: unknown command '%s'\n", cmd.c_str());
    return usage();
}
