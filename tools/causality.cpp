// causality — the command-line front end of the zkVM.
//
//   causality run PROGRAM.elf [--input FILE] [--max-cycles N] [--stats] [--metered]
//       Runs a 32-bit RISC-V program on VmCore<BabyBear, Rv32im>, prints its output as it
//       writes it, and exits with its exit code. --stats prints the instruction count,
//       time and speed to standard error; --metered also counts instructions per opcode
//       and the trace rows each chip would need. A fault, a malformed file or the cycle
//       limit prints a message to standard error and exits with 120..123.
//   causality disasm PROGRAM.elf      the transpiled program, one instruction per line
#include <causality/field.hpp>
#include <causality/vm.hpp>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>
#include <unistd.h>

namespace {

using Vm = causality::vm::VmCore<causality::field::BabyBear, causality::vm::ext::Rv32im>;

constexpr int exit_usage = 120, exit_bad_input = 121, exit_fault = 122, exit_cycle_limit = 123;

int usage() {
    std::fprintf(stderr,
                 "usage: causality run PROGRAM.elf [--input FILE] [--max-cycles N] [--stats] [--metered]\n"
                 "       causality disasm PROGRAM.elf\n");
    return exit_usage;
}

void write_all(int fd, std::string_view bytes) {
    while (!bytes.empty()) {
        const ssize_t n = ::write(fd, bytes.data(), bytes.size());
        if (n <= 0) return;
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
}

int run(int argc, char** argv) {
    using namespace causality;
    std::string program, input_path;
    std::uint64_t max_cycles = std::numeric_limits<std::uint64_t>::max();
    bool stats = false, metered = false;
    for (int i = 2; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--input" && i + 1 < argc) input_path = argv[++i];
        else if (a == "--max-cycles" && i + 1 < argc) {
            char* end = nullptr;
            max_cycles = std::strtoull(argv[++i], &end, 10);
            if (end == nullptr || *end != 0 || max_cycles == 0) {
                std::fprintf(stderr, "causality: --max-cycles needs a positive number, got '%s'\n", argv[i]);
                return exit_usage;
            }
        } else if (a == "--stats") stats = true;
        else if (a == "--metered") stats = metered = true;
        else if (program.empty() && a[0] != '-') program = a;
        else {
            std::fprintf(stderr, "causality: unknown argument '%s'\n", a.c_str());
            return usage();
        }
    }
    if (program.empty()) return usage();
    vm::Executable<field::BabyBear> exe;
    std::vector<std::uint8_t> input;
    try {
        exe = vm::load_elf<Vm>(vm::read_file(program));
        if (!input_path.empty()) input = vm::read_file(input_path);
    } catch (const Error& e) {
        std::fprintf(stderr, "causality: %s: %s\n", program.c_str(), e.what());
        return exit_bad_input;
    }
    vm::Machine<Vm> m;
    m.initialize(exe, std::move(input));
    m.set_max_cycles(max_cycles);
    m.io().sink = [](int fd, std::string_view bytes) { write_all(fd, bytes); };
    const auto t0 = std::chrono::steady_clock::now();
    vm::RunResult r;
    try {
        r = metered ? m.start<vm::Metered>() : m.start<vm::Pure>();
    } catch (const vm::GuestFault& f) {
        std::fprintf(stderr, "causality: %s (after %llu instructions)\n", f.what(),
                     static_cast<unsigned long long>(m.cycles()));
        return exit_fault;
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (stats) {
        std::fprintf(stderr, "instructions: %llu\ntime: %.3f s\nspeed: %.1f million instructions/s (%s mode)\n",
                     static_cast<unsigned long long>(m.cycles()), seconds,
                     static_cast<double>(m.cycles()) / seconds / 1e6, metered ? "metered" : "pure");
        if (metered) {
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
    switch (r.reason) {
        case vm::StopReason::exited: return static_cast<int>(r.exit_code & 0xff);
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

int disasm(int argc, char** argv) {
    using namespace causality;
    if (argc != 3) return usage();
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

int main(int argc, char** argv) {
    if (argc < 2) return usage();
    const std::string cmd = argv[1];
    if (cmd == "run") return run(argc, argv);
    if (cmd == "disasm") return disasm(argc, argv);
    return usage();
}
