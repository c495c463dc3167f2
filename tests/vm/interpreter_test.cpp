// The interpreter, one instruction at a time with edge values (x0, sign extension, shifts
// by 32 or more, signed and unsigned comparisons, the M extension's corner cases,
// branches and jumps backwards), the system calls, and every documented fault.
#include "vm_test_util.hpp"

#include <catch2/catch.hpp>

using namespace causality;
using namespace causality::vm;
using namespace vmtest;

namespace {
constexpr std::uint32_t int_min = 0x80000000u, minus1 = 0xffffffffu;

template <class Fn>
Fault fault_of(Fn&& fn) {
    try {
        fn();
    } catch (const GuestFault& f) {
        return f.kind();
    }
    FAIL("no fault");
    return Fault::bad_system_call;
}
}  // namespace

TEST_CASE("x0 ignores writes and reads as zero", "[vm][rv32im]") {
    auto m = run({li(zero, 5), r(Op::add, t0, zero, zero), i(Op::lw, zero, sp, 0)}, {{sp, 0x2000}});
    CHECK(m.reg(0) == 0);
    CHECK(m.reg(t0) == 0);
}

TEST_CASE("register-register arithmetic, logic and comparisons", "[vm][rv32im]") {
    CHECK(rr(Op::add, minus1, 1) == 0);
    CHECK(rr(Op::sub, 0, 1) == minus1);
    CHECK(rr(Op::xor_, 0xf0f0f0f0u, 0xffff0000u) == 0x0f0ff0f0u);
    CHECK(rr(Op::or_, 0xf0000000u, 0x0000000fu) == 0xf000000fu);
    CHECK(rr(Op::and_, 0xf0f0f0f0u, 0x3c3c3c3cu) == 0x30303030u);
    CHECK(rr(Op::slt, minus1, 0) == 1);  // -1 < 0 signed
    CHECK(rr(Op::sltu, minus1, 0) == 0);  // 0xffffffff > 0 unsigned
    CHECK(rr(Op::slt, int_min, 0x7fffffffu) == 1);
    CHECK(rr(Op::sltu, 0, 1) == 1);
}

TEST_CASE("shifts use the low five bits of the amount", "[vm][rv32im]") {
    CHECK(rr(Op::sll, 1, 33) == 2);
    CHECK(rr(Op::srl, int_min, 32) == int_min);
    CHECK(rr(Op::sra, int_min, 31) == minus1);
    CHECK(rr(Op::srl, int_min, 31) == 1);
    CHECK(ri(Op::slli, 3, 31) == int_min);
    CHECK(ri(Op::srai, 0x80000010u, 4) == 0xf8000001u);
    CHECK(ri(Op::srli, 0x80000010u, 4) == 0x08000001u);
}

TEST_CASE("immediates are sign-extended", "[vm][rv32im]") {
    CHECK(ri(Op::addi, 10, -11) == minus1);
    CHECK(ri(Op::addi, 0, -2048) == 0xfffff800u);
    CHECK(ri(Op::slti, 5, -1) == 0);
    CHECK(ri(Op::sltiu, 5, -1) == 1);  // -1 is 0xffffffff unsigned
    CHECK(ri(Op::xori, 0x0f, -1) == 0xfffffff0u);
    CHECK(ri(Op::ori, 0, -16) == 0xfffffff0u);
    CHECK(ri(Op::andi, 0xffffffffu, 0x7ff) == 0x7ffu);
}

TEST_CASE("lui and auipc", "[vm][rv32im]") {
    auto m = run({RV{Op::lui, t0, 0, 0, static_cast<std::int32_t>(0xfffff000u)}, RV{Op::auipc, t1, 0, 0, 0x2000}});
    CHECK(m.reg(t0) == 0xfffff000u);
    CHECK(m.reg(t1) == base + 4 + 0x2000);
}

TEST_CASE("multiplication, division and remainder edge cases", "[vm][rv32im]") {
    CHECK(rr(Op::mul, 0x10000u, 0x10000u) == 0);
    CHECK(rr(Op::mulh, int_min, int_min) == 0x40000000u);
    CHECK(rr(Op::mulh, minus1, 1) == minus1);
    CHECK(rr(Op::mulhu, minus1, minus1) == 0xfffffffeu);
    CHECK(rr(Op::mulhsu, minus1, minus1) == minus1);  // -1 * (2^32 - 1)
    CHECK(rr(Op::div, 7, 0) == minus1);
    CHECK(rr(Op::divu, 7, 0) == minus1);
    CHECK(rr(Op::rem, 7, 0) == 7);
    CHECK(rr(Op::remu, 7, 0) == 7);
    CHECK(rr(Op::div, int_min, minus1) == int_min);
    CHECK(rr(Op::rem, int_min, minus1) == 0);
    CHECK(rr(Op::div, static_cast<std::uint32_t>(-7), 2) == static_cast<std::uint32_t>(-3));
    CHECK(rr(Op::rem, static_cast<std::uint32_t>(-7), 2) == static_cast<std::uint32_t>(-1));
    CHECK(rr(Op::divu, static_cast<std::uint32_t>(-7), 2) == 0x7ffffffcu);
}

TEST_CASE("branches: taken, not taken, backwards", "[vm][rv32im]") {
    // t0 counts down from 3 with a backward bne; t1 counts iterations.
    auto m = run({li(t0, 3), i(Op::addi, t1, t1, 1), i(Op::addi, t0, t0, -1), RV{Op::bne, 0, t0, zero, -8}}, {}, 10);
    CHECK(m.reg(t0) == 0);
    CHECK(m.reg(t1) == 3);
    CHECK(m.pc() == base + 16);
    const auto taken = [](Op op, std::uint32_t a, std::uint32_t b) {
        auto m = run({RV{op, 0, t1, t2, 8}, li(a0, 0), li(a0, 0)}, {{t1, a}, {t2, b}}, 1);
        return m.pc() == base + 8;
    };
    CHECK(taken(Op::beq, 5, 5));
    CHECK_FALSE(taken(Op::beq, 5, 6));
    CHECK(taken(Op::bne, 5, 6));
    CHECK(taken(Op::blt, minus1, 0));
    CHECK_FALSE(taken(Op::bltu, minus1, 0));
    CHECK(taken(Op::bge, 0, minus1));
    CHECK_FALSE(taken(Op::bgeu, 0, minus1));
    CHECK(taken(Op::bgeu, 7, 7));
}

TEST_CASE("jal and jalr link and jump, jalr clears bit 0", "[vm][rv32im]") {
    // 0x1000: jal ra, +8 ; 0x1004: (skipped) ; 0x1008: jal t0, -4 -> 0x1004: jalr t1, t1(=0x1011), -1
    auto m = run({RV{Op::jal, ra, 0, 0, 8}, i(Op::jalr, t1, t1, -1), RV{Op::jal, t0, 0, 0, -4}, li(a0, 1), li(a0, 2)},
                 {{t1, base + 0x11}}, 3);
    CHECK(m.reg(ra) == base + 4);
    CHECK(m.reg(t0) == base + 12);
    CHECK(m.reg(t1) == base + 8);  // link written after the target was read from the same register
    CHECK(m.pc() == base + 0x10);
}

TEST_CASE("loads and stores: widths, sign extension, little-endian", "[vm][rv32im]") {
    auto m = run({RV{Op::sw, 0, sp, t0, 0}, RV{Op::sb, 0, sp, t1, 5}, RV{Op::sh, 0, sp, t1, 6}, i(Op::lb, a0, sp, 0),
                  i(Op::lbu, a1, sp, 0), i(Op::lh, a2, sp, 2), i(Op::lhu, t2, sp, 2), i(Op::lw, a7, sp, 4)},
                 {{sp, 0x2000}, {t0, 0x8badf080u}, {t1, 0x1234abcdu}});
    CHECK(m.reg(a0) == 0xffffff80u);
    CHECK(m.reg(a1) == 0x80u);
    CHECK(m.reg(a2) == 0xffff8badu);
    CHECK(m.reg(t2) == 0x8badu);
    CHECK(m.reg(a7) == 0xabcdcd00u);
    CHECK(m.read_word(0x2000) == 0x8badf080u);
    CHECK(m.read_memory(0x2005, 1)[0] == 0xcd);
}

TEST_CASE("fence is a no-op and ebreak stops after itself", "[vm][rv32im]") {
    Machine<Vm> m;
    m.initialize(program({RV{Op::fence}, RV{Op::ebreak}, li(t0, 1)}));
    const auto r = m.start();
    CHECK(r.reason == StopReason::ebreak);
    CHECK(r.pc == base + 8);
    CHECK(m.state() == MachineState::paused);
    m.pause_after(1);
    m.resume();
    CHECK(m.reg(t0) == 1);
}

TEST_CASE("system calls: exit, write, read, publish", "[vm][rv32im]") {
    // read(0, 0x2000, 8) ; write(1, 0x2000, a0) ; write(2, 0x2000, 1) ; publish(3, 77) ; exit(9)
    const std::vector<RV> code{li(a7, 63),   li(a0, 0),   li(a1, 0x200), i(Op::slli, a1, a1, 4), li(a2, 8),
                               exit_call(),  r(Op::add, a2, a0, zero), li(a7, 64), li(a0, 1), exit_call(),
                               li(a0, 2),    li(a2, 1),   exit_call(),   li(a7, 256), li(a0, 3), li(a1, 77),
                               exit_call(),  li(a7, 93),  li(a0, 9),     exit_call()};
    const std::string text = "hello";
    const auto r = Vm{}.execute(program(code), {text.begin(), text.end()});
    CHECK(r.reason == StopReason::exited);
    CHECK(r.exit_code == 9);
    CHECK(r.output == "hello");
    CHECK(r.error_output == "h");
    CHECK(r.public_values.at(3) == 77);
    CHECK(r.cycles == code.size());
}

TEST_CASE("faults name what went wrong and where", "[vm][rv32im]") {
    CHECK(fault_of([] { run({i(Op::lw, t0, sp, 2)}, {{sp, 0x2000}}); }) == Fault::misaligned_access);
    CHECK(fault_of([] { run({RV{Op::sh, 0, sp, t0, 1}}, {{sp, 0x2000}}); }) == Fault::misaligned_access);
    CHECK(fault_of([] { run({RV{Op::sw, 0, sp, t0, 0}}, {{sp, 0x20000000u}}); }) == Fault::memory_out_of_bounds);
    CHECK(fault_of([] { run({i(Op::lb, t0, sp, 0)}, {{sp, minus1}}); }) == Fault::memory_out_of_bounds);
    CHECK(fault_of([] { run({RV{Op::jal, 0, 0, 0, 64}}); }) == Fault::pc_out_of_program);
    CHECK(fault_of([] { run({i(Op::jalr, 0, t0, 0)}, {{t0, base + 2}}); }) == Fault::pc_out_of_program);
    CHECK(fault_of([] { run({li(t0, 1)}, {}, 2); }) == Fault::pc_out_of_program);  // runs off the end
    CHECK(fault_of([] { run({li(a7, 1000), exit_call()}); }) == Fault::bad_system_call);
    CHECK(fault_of([] { run({li(a7, 64), li(a0, 3), exit_call()}); }) == Fault::bad_file_descriptor);
    CHECK(fault_of([] { run({li(a7, 63), li(a0, 1), exit_call()}); }) == Fault::bad_file_descriptor);
    CHECK(fault_of([] { run({li(a7, 256), li(a0, 32), exit_call()}); }) == Fault::public_value_out_of_range);

    // A word no extension knows (csrrw) transpiles, and faults with its pc and word when run.
    const std::vector<std::uint32_t> words{0x00500513, 0x30001073};
    Executable<F> exe{Vm{}.transpile(words, base), {}, base, {}};
    Machine<Vm> m;
    m.initialize(exe);
    try {
        m.start();
        FAIL("no fault");
    } catch (const GuestFault& f) {
        CHECK(f.kind() == Fault::unsupported_instruction);
        CHECK(f.pc() == base + 4);
        CHECK_THAT(f.what(), Catch::Contains("0x30001073") && Catch::Contains("0x00001004"));
    }
    CHECK(m.state() == MachineState::faulted);
    CHECK(m.cycles() == 1);
    CHECK(m.reg(a0) == 5);
}

TEST_CASE("malformed programs are rejected when the machine is initialized", "[vm][rv32im]") {
    auto exe = program({li(t0, 1)});
    exe.program.instructions[0].operands[0] = F::from_u64(40);  // rd = x40
    Machine<Vm> m;
    CHECK_THROWS_WITH(m.initialize(exe), Catch::Contains("not a register") && Catch::Contains("0x00001000"));
    exe = program({li(t0, 1)});
    exe.program.instructions[0].operands[2] = F::from_u64(5000);  // immediate beyond 12 bits
    CHECK_THROWS_WITH(m.initialize(exe), Catch::Contains("immediate 5000"));
    exe = program({li(t0, 1)});
    exe.program.instructions[0].opcode = 0x900;
    CHECK_THROWS_WITH(m.initialize(exe), Catch::Contains("belongs to no extension"));
    exe = program({li(t0, 1)});
    exe.entry = base + 4;
    CHECK_THROWS_WITH(m.initialize(exe), Catch::Contains("entry point"));
    exe = program({li(t0, 1)});
    exe.memory.push_back({0x1ffffffe, {1, 2, 3, 4}});
    CHECK_THROWS_AS(m.initialize(exe), Error);
    CHECK(m.state() == MachineState::created);
    CHECK_THROWS_WITH(Machine<Vm>(Vm(MachineConfig{.memory_bits = 40})).initialize(program({li(t0, 1)})),
                      Catch::Contains("memory_bits"));
}

TEST_CASE("the cycle limit stops a run", "[vm][rv32im]") {
    const auto exe = program({RV{Op::jal, 0, 0, 0, 0}});  // an endless loop
    const auto r = Vm{}.execute(exe, {}, {.max_cycles = 1000});
    CHECK(r.reason == StopReason::cycle_limit);
    CHECK(r.cycles == 1000);
}
