// The machine around the interpreter: execution modes (metered counts, the traced access
// log that offline memory checking needs, simulation that commits nothing), the
// lifecycle's allowed and refused transitions, the debugger (breakpoints, stepping,
// pause/resume reach the straight run's final state), content-addressed programs, and
// composition with a user extension.
#include "vm_test_util.hpp"

#include <catch2/catch.hpp>

#include <map>

using namespace causality;
using namespace causality::vm;
using namespace vmtest;

namespace {

// sum = 0; for (k = 10; k != 0; --k) { mem[0x2000 + 4k] = k; sum += mem[0x2000 + 4k]; } ; publish(0, sum); exit(sum)
std::vector<RV> summing_loop() {
    return {li(t0, 10),
            li(sp, 0x200),
            i(Op::slli, sp, sp, 4),
            li(a0, 0),
            /* loop: */ i(Op::slli, t1, t0, 2),
            r(Op::add, t1, t1, sp),
            RV{Op::sw, 0, t1, t0, 0},
            i(Op::lw, t2, t1, 0),
            r(Op::add, a0, a0, t2),
            i(Op::addi, t0, t0, -1),
            RV{Op::bne, 0, t0, zero, -24},
            r(Op::add, a1, a0, zero),
            li(a0, 0),
            li(a7, 256),
            exit_call(),
            r(Op::add, a0, a1, zero),
            li(a7, 93),
            exit_call()};
}
constexpr std::uint64_t loop_cycles = 4 + 10 * 7 + 7;

}  // namespace

TEST_CASE("pure, metered and traced runs agree", "[vm][modes]") {
    const auto exe = program(summing_loop());
    const auto pure = Vm{}.execute(exe);
    CHECK(pure.reason == StopReason::exited);
    CHECK(pure.exit_code == 55);
    CHECK(pure.public_values[0] == 55);
    CHECK(pure.cycles == loop_cycles);

    const auto metered = Vm{}.execute_metered(exe);
    CHECK(metered.result.exit_code == 55);
    std::map<std::string, std::uint64_t> ops;
    std::uint64_t total = 0;
    for (const auto& c : metered.metrics.opcodes) ops[c.name] = c.count, total += c.count;
    CHECK(total == loop_cycles);
    CHECK(ops["rv32im.sw"] == 10);
    CHECK(ops["rv32im.bne"] == 10);
    CHECK(ops["rv32im.ecall"] == 2);
    std::uint64_t rows = 0;
    for (const auto& c : metered.metrics.chip_rows) rows += c.count;
    CHECK(rows == loop_cycles);
    CHECK(metered.metrics.padded_rows("rv32im.load_store") == 32);  // 20 rows -> 32
    CHECK(metered.metrics.extensions.size() == 1);

    const auto traced = Vm{}.execute_traced(exe);
    CHECK(traced.result.exit_code == 55);
    CHECK(traced.trace.instructions.size() == loop_cycles);
    CHECK(metered.metrics.accesses == traced.trace.accesses.size());
}

TEST_CASE("the traced access log chains timestamps per address", "[vm][modes]") {
    const auto traced = Vm{}.execute_traced(program(summing_loop()));
    const auto& log = traced.trace.accesses;
    std::map<std::pair<int, std::uint32_t>, std::pair<std::uint32_t, std::uint32_t>> last;  // -> (ts, value)
    std::uint32_t prev_ts = 0;
    for (const auto& a : log) {
        CHECK(a.timestamp == prev_ts + 1);  // one timestamp per access
        prev_ts = a.timestamp;
        const auto key = std::make_pair(static_cast<int>(a.space), a.address);
        const auto it = last.find(key);
        CHECK(a.previous_timestamp == (it == last.end() ? 0u : it->second.first));
        if (it != last.end()) CHECK(a.previous_value == it->second.second);
        last[key] = {a.timestamp, a.value};
    }
    // Each stored word is in the log with its value; the loop wrote k at 0x2000 + 4k.
    for (std::uint32_t k = 1; k <= 10; ++k) CHECK(last.at({2, 0x2000 + 4 * k}).second == k);
    CHECK(last.at({3, 0}).second == 55);
    // Instruction records point at their accesses: the first sw has a register read of
    // t1 and t0 and one memory write.
    const auto& ins = traced.trace.instructions;
    CHECK(ins[6].pc == base + 24);
    CHECK(ins[7].first_access - ins[6].first_access == 3);
    CHECK(log[ins[6].first_access + 2].space == AddressSpace::memory);
}

TEST_CASE("lifecycle transitions", "[vm][lifecycle]") {
    Machine<Vm> m;
    CHECK(m.state() == MachineState::created);
    CHECK_THROWS_WITH(m.start(), Catch::Contains("cannot start a machine that is created"));
    CHECK_THROWS_AS(m.add_breakpoint(base), Error);
    m.initialize(program(summing_loop()));
    CHECK(m.state() == MachineState::initialized);
    CHECK_THROWS_WITH(m.resume(), Catch::Contains("cannot resume"));
    m.pause_after(5);
    auto r = m.start();
    CHECK(r.reason == StopReason::paused);
    CHECK(r.instructions == 5);
    CHECK(m.state() == MachineState::paused);
    m.pause_after(0);
    r = m.resume();
    CHECK(r.reason == StopReason::exited);
    CHECK(m.state() == MachineState::exited);
    CHECK(m.cycles() == loop_cycles);
    CHECK_THROWS_AS(m.resume(), Error);
    CHECK_THROWS_AS(m.stop(), Error);
    m.initialize(program(summing_loop()));  // a finished machine can load again
    m.stop();
    CHECK(m.state() == MachineState::stopped);
    CHECK_THROWS_AS(m.step(), Error);
    m.terminate();
    CHECK(m.state() == MachineState::terminated);
    CHECK_THROWS_AS(m.initialize(program(summing_loop())), Error);
    CHECK_THROWS_AS(m.read_memory(0, 4), Error);
}

TEST_CASE("breakpoints, single steps and pauses reach the straight run's state", "[vm][debug]") {
    const auto exe = program(summing_loop());
    Machine<Vm> straight;
    straight.initialize(exe);
    straight.start();

    Machine<Vm> m;
    m.initialize(exe);
    m.add_breakpoint(base + 24);  // the sw in the loop
    auto r = m.start();
    CHECK(r.reason == StopReason::breakpoint);
    CHECK(r.pc == base + 24);
    CHECK(m.disassemble() == "0x00001018: sw t0, 0(t1)");
    CHECK(m.reg(t0) == 10);
    int hits = 1;
    while ((r = m.resume()).reason == StopReason::breakpoint) {
        ++hits;
        CHECK(m.reg(t0) == static_cast<std::uint32_t>(11 - hits));
    }
    CHECK(hits == 10);
    CHECK(r.reason == StopReason::exited);
    CHECK(m.registers() == straight.registers());
    CHECK(m.cycles() == straight.cycles());

    Machine<Vm> s;
    s.initialize(exe);
    std::uint64_t steps = 0;
    while (s.state() != MachineState::exited) {
        const auto before = s.pc();
        const auto st = s.step();
        ++steps;
        CHECK(st.instructions == 1);
        if (s.state() != MachineState::exited) CHECK(s.pc() != before);
    }
    CHECK(steps == loop_cycles);
    CHECK(s.registers() == straight.registers());
    CHECK(s.read_memory(0x2000, 64) == straight.read_memory(0x2000, 64));

    Machine<Vm> p;
    p.initialize(exe);
    p.pause_after(7);
    auto pr = p.start();
    while (pr.reason == StopReason::paused) pr = p.resume();
    CHECK(pr.reason == StopReason::exited);
    CHECK(p.registers() == straight.registers());
    CHECK(p.public_values() == straight.public_values());

    CHECK_THROWS_WITH(m.add_breakpoint(base + 2), Catch::Contains("not an instruction"));
}

TEST_CASE("simulation commits nothing", "[vm][modes]") {
    Machine<Vm> m;
    m.initialize(program(summing_loop()));
    m.pause_after(20);
    m.start();
    const auto regs = m.registers();
    const auto mem = m.read_memory(0x2000, 64);
    const auto pc = m.pc();
    const auto cycles = m.cycles();
    const auto sim = m.simulate();
    CHECK(sim.result.reason == StopReason::exited);
    CHECK(sim.result.exit_code == 55);
    CHECK(sim.registers[a1] == 55);
    CHECK(m.registers() == regs);
    CHECK(m.read_memory(0x2000, 64) == mem);
    CHECK(m.pc() == pc);
    CHECK(m.cycles() == cycles);
    CHECK(m.public_values()[0] == 0);
    CHECK(m.state() == MachineState::paused);
    m.pause_after(0);
    CHECK(m.resume().exit_code == 55);
}

TEST_CASE("program ids are content addresses", "[vm][program]") {
    const auto a = program(summing_loop());
    auto b = program(summing_loop());
    CHECK(program_id(a.program) == program_id(b.program));
    b.program.instructions[3].operands[2] = F::from_u64(1);
    CHECK(program_id(a.program) != program_id(b.program));
    b = a;
    b.program.pc_base += 4;
    CHECK(program_id(a.program) != program_id(b.program));
    b = a;
    b.program.instructions.pop_back();
    CHECK(program_id(a.program) != program_id(b.program));
}

// A user extension: "madd rd, rs1, rs2" computes rd = rd + rs1 * rs2 mod p over BabyBear
// (register values as canonical field elements), at its own opcodes.
struct FieldMac {
    static constexpr std::string_view name = "field_mac";
    static constexpr std::uint32_t opcode_offset = 0x400, opcode_count = 1;
    template <std::uint32_t L, class Ctx>
    static void execute(Ctx& ctx, const Operands& o) {
        const auto x = F::from_u64(ctx.read_reg(o.a)) + F::from_u64(ctx.read_reg(o.b)) * F::from_u64(ctx.read_reg(o.c));
        ctx.write_reg(o.a, static_cast<std::uint32_t>(x.to_u64()));
        ctx.next();
    }
};
static_assert(VmExtension<FieldMac>);
static_assert(VmConfig<VmCore<F, ext::Rv32im, FieldMac>>);
static_assert(detail::ranges_disjoint<ext::Rv32im, System>);
struct Overlapping {
    static constexpr std::string_view name = "overlapping";
    static constexpr std::uint32_t opcode_offset = 0x120, opcode_count = 4;
    template <std::uint32_t L, class Ctx>
    static void execute(Ctx& ctx, const Operands&) { ctx.next(); }
};
static_assert(!detail::ranges_disjoint<ext::Rv32im, Overlapping>);

TEST_CASE("a user extension composes with RV32IM", "[vm][extension]") {
    using MacVm = VmCore<F, ext::Rv32im, FieldMac>;
    Executable<F> exe;
    exe.program.pc_base = base;
    auto rv = [](const RV& in) { return ext::Rv32im::to_instruction<F>(in); };
    exe.program.instructions = {rv(li(t0, 3)),   rv(li(t1, 1000)), rv(li(t2, 2000)),
                                Instruction<F>{0x400, {F::from_u64(t0), F::from_u64(t1), F::from_u64(t2)}},
                                rv(li(a7, 93)),  rv(r(Op::add, a0, t0, zero)), rv(exit_call())};
    exe.entry = base;
    const auto r = MacVm{}.execute(exe);
    CHECK(r.exit_code == 2000003);
    const auto m = MacVm{}.execute_metered(exe);
    bool found = false;
    for (const auto& c : m.metrics.opcodes) found |= c.name == "field_mac.0" && c.count == 1;
    CHECK(found);
    Machine<MacVm> mm;
    mm.initialize(exe);
    CHECK(mm.disassemble(base + 12) == "0x0000100c: field_mac.0 5, 6, 7, 0, 0, 0, 0");
    // Without the extension, its opcode is refused when the program is loaded.
    Machine<Vm> plain;
    CHECK_THROWS_WITH(plain.initialize(exe), Catch::Contains("opcode 1024"));
}
