// The machine around the interpreter: execution modes (metered counts per chip, the
// preflight records per chip that trace generation and offline memory checking need, the
// memory boundary, simulation that commits nothing), the
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

TEST_CASE("pure, metered and preflight runs agree", "[vm][modes]") {
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

    const auto pre = Vm{}.execute_preflight(exe);
    CHECK(pre.result.exit_code == 55);
    REQUIRE(pre.chips.size() == Vm::chip_count);
    std::size_t records = 0, accesses = 0;
    for (std::size_t c = 0; c < pre.chips.size(); ++c) {
        records += pre.chips[c].size();
        for (std::size_t k = 0; k < pre.chips[c].size(); ++k)
            for (const auto& a : pre.chips[c][k].accesses) accesses += a.space != AddressSpace::none;
        // The metered mode counted, while it ran, the rows the preflight arenas hold.
        const auto names = Vm::chip_names();
        std::uint64_t counted = 0;
        for (const auto& row : metered.metrics.chip_rows)
            if (row.name == names[c]) counted = row.count;
        CHECK(counted == pre.chips[c].size());
    }
    CHECK(records == loop_cycles);
    CHECK(metered.metrics.accesses == accesses);
}

TEST_CASE("chips are numbered System first, then each extension's in order", "[vm][modes]") {
    const auto names = Vm::chip_names();
    REQUIRE(names.size() == Vm::chip_count);
    CHECK(names[0] == "system");
    CHECK(names[1] == "rv32im.base_alu");
    CHECK(names[names.size() - 2] == "rv32im.system_call");
    CHECK(names.back() == "rv32im.hint_store");  // rows from system_call's reads, no instruction of its own
    CHECK(Vm::chip_of_opcode(ext::Rv32im::opcode_offset + static_cast<std::uint32_t>(Op::sw)) == 1 + 8u);
    CHECK(!Vm::chip_of_opcode(0x900).has_value());
}

TEST_CASE("preflight records chain timestamps per address and give the boundary", "[vm][modes]") {
    const auto pre = Vm{}.execute_preflight(program(summing_loop()));
    // Put the records back in execution order (by timestamp) across the chip arenas.
    struct Rec {
        std::size_t chip;
        InstructionRecord r;
    };
    std::vector<Rec> all;
    for (std::size_t c = 0; c < pre.chips.size(); ++c)
        for (std::size_t k = 0; k < pre.chips[c].size(); ++k) all.push_back({c, pre.chips[c][k]});
    std::sort(all.begin(), all.end(), [](const Rec& a, const Rec& b) { return a.r.timestamp < b.r.timestamp; });
    REQUIRE(all.size() == loop_cycles);
    std::map<std::pair<int, std::uint32_t>, std::pair<std::uint32_t, std::uint32_t>> last;  // -> (ts, value)
    std::uint32_t ts = 1, pc = base;
    for (const auto& [chip, r] : all) {
        CHECK(r.timestamp == ts);  // the first instruction starts at 1; each access takes one
        CHECK(r.pc == pc);         // each record's next pc is the next instruction's pc
        pc = r.next_pc;
        for (std::size_t j = 0; j < r.accesses.size(); ++j) {
            const auto& a = r.accesses[j];
            if (a.space == AddressSpace::none) continue;  // a write to x0
            const auto key = std::make_pair(static_cast<int>(a.space), a.address);
            const auto it = last.find(key);
            CHECK(a.previous_timestamp == (it == last.end() ? 0u : it->second.first));
            if (it != last.end()) CHECK(a.previous_value == it->second.second);
            last[key] = {r.timestamp + static_cast<std::uint32_t>(j), a.value};
        }
        ts = r.next_timestamp();
    }
    CHECK(pre.final_timestamp == ts - 1);
    // The first sw (pc base + 24) reads t1 and t0 and writes one word of memory.
    const auto& stores = pre.chips[1 + 8];
    REQUIRE(stores.size() == 20);
    const auto sw = stores[0];
    CHECK(sw.pc == base + 24);
    REQUIRE(sw.accesses.size() == 3);
    CHECK(sw.accesses[2].space == AddressSpace::memory);
    CHECK(sw.accesses[2].value == 10);
    // The boundary: every touched address once, sorted, with the values the log ends with.
    REQUIRE(pre.boundary.size() == last.size());
    for (std::size_t k = 0; k < pre.boundary.size(); ++k) {
        const auto& e = pre.boundary[k];
        if (k > 0) CHECK(std::pair(pre.boundary[k - 1].space, pre.boundary[k - 1].address) < std::pair(e.space, e.address));
        const auto& [t, v] = last.at({static_cast<int>(e.space), e.address});
        CHECK(e.final_timestamp == t);
        CHECK(e.final_value == v);
        CHECK(e.initial == 0);  // this program has no memory image
    }
    for (std::uint32_t k = 1; k <= 10; ++k) CHECK(last.at({2, 0x2000 + 4 * k}).second == k);
    CHECK(last.at({3, 0}).second == 55);
}

TEST_CASE("a write to x0 takes a timestamp and is no access", "[vm][modes]") {
    const auto pre = Vm{}.execute_preflight(program({li(zero, 5), li(a7, 93), exit_call()}));
    const auto& alu = pre.chips[1];
    REQUIRE(alu.size() == 2);
    REQUIRE(alu[0].accesses.size() == 2);
    CHECK(alu[0].accesses[0].space == AddressSpace::registers);  // the read of x0
    CHECK(alu[0].accesses[1].space == AddressSpace::none);
    CHECK(alu[1].timestamp == 3);
    for (const auto& e : pre.boundary)
        if (e.space == AddressSpace::registers && e.address == 0) CHECK(e.final_value == 0);
}

TEST_CASE("the boundary's initial values come from the memory image", "[vm][modes]") {
    auto exe = program({i(Op::lw, a0, zero, 0x100), RV{Op::sw, 0, zero, a0, 0x104}, li(a7, 93), exit_call()});
    exe.memory.push_back({0x102, {0xaa, 0xbb, 0xcc, 0xdd}});  // straddles the words at 0x100 and 0x104
    const auto pre = Vm{}.execute_preflight(exe);
    std::map<std::uint32_t, BoundaryEntry> mem;
    for (const auto& e : pre.boundary)
        if (e.space == AddressSpace::memory) mem[e.address] = e;
    REQUIRE(mem.size() == 2);
    CHECK(mem[0x100].initial == 0xbbaa0000u);
    CHECK(mem[0x100].final_value == 0xbbaa0000u);
    CHECK(mem[0x104].initial == 0x0000ddccu);
    CHECK(mem[0x104].final_value == 0xbbaa0000u);
    CHECK(pre.result.exit_code == 0xbbaa0000u);
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

// A user extension: "madd rd, rs1, rs2" computes rd = rd + k * rs1 * rs2 mod p in the
// VM's field (register values as canonical field elements), at its own opcodes; k is a
// parameter of the extension value.
struct FieldMac {
    using tag = extension_tag;
    static constexpr std::string_view name = "field_mac";
    static constexpr std::uint32_t opcode_offset = 0x400, opcode_count = 1;
    std::uint32_t k = 1;
    template <std::uint32_t L, class Ctx>
    void execute(Ctx& ctx, const Operands& o) const {
        using G = typename Ctx::field_type;
        const auto x = G::from_u64(ctx.read_reg(o.a)) +
                       G::from_u64(k) * G::from_u64(ctx.read_reg(o.b)) * G::from_u64(ctx.read_reg(o.c));
        ctx.write_reg(o.a, static_cast<std::uint32_t>(x.to_u64()));
        ctx.next();
    }
};
static_assert(VmExtension<FieldMac>);
static_assert(VmConfig<VmCore<F, ext::Rv32im, FieldMac>>);
static_assert(detail::ranges_disjoint<ext::Rv32im, System>);
struct Overlapping {
    using tag = extension_tag;
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
    const auto plain_run = MacVm{}.execute(exe);
    CHECK(plain_run.exit_code == 2000003);
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
    // The extension is a value: its parameter reaches the executor, in every mode.
    const MacVm tripled{ext::Rv32im{}, FieldMac{3}};
    CHECK(tripled.execute(exe).exit_code == 6000003);
    CHECK(tripled.execute_metered(exe).result.exit_code == 6000003);
    const auto pre = tripled.execute_preflight(exe);
    CHECK(pre.result.exit_code == 6000003);
    CHECK(MacVm::chip_names().back() == "field_mac");
    REQUIRE(pre.chips.back().size() == 1);
    CHECK(pre.chips.back()[0].accesses.size() == 4);  // reads rd, rs1, rs2; writes rd
    CHECK(pre.chips.back()[0].accesses[3].value == 6000003);
    // Over another field, the same executor computes in that field.
    using GoldilocksVm = VmCore<field::Goldilocks, ext::Rv32im, FieldMac>;
    Executable<field::Goldilocks> g;
    g.program.pc_base = base;
    auto grv = [](const RV& in) { return ext::Rv32im::to_instruction<field::Goldilocks>(in); };
    g.program.instructions = {grv(li(t0, 0)), grv(li(t1, 1)), grv(r(Op::sub, t1, zero, t1)),
                              Instruction<field::Goldilocks>{0x400, {field::Goldilocks::from_u64(t0), field::Goldilocks::from_u64(t1), field::Goldilocks::from_u64(t1)}},
                              grv(li(a7, 93)), grv(r(Op::add, a0, t0, zero)), grv(exit_call())};
    g.entry = base;
    // (2^32 - 1)^2 mod the Goldilocks prime, truncated to 32 bits by the register write.
    const auto sq = field::Goldilocks::from_u64(0xffffffffull) * field::Goldilocks::from_u64(0xffffffffull);
    CHECK(GoldilocksVm{}.execute(g).exit_code == static_cast<std::uint32_t>(sq.to_u64()));
}
