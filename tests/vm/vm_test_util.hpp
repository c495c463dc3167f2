// Helpers of the VM tests: programs from RV32IM instructions, machines that run them.
#pragma once

#include <causality/field.hpp>
#include <causality/vm.hpp>

#include <cstdint>
#include <vector>

namespace vmtest {

using F = causality::field::BabyBear;
using Vm = causality::vm::VmCore<F, causality::vm::ext::Rv32im>;
using Op = causality::vm::rv32im::Op;
using RV = causality::vm::rv32im::Instruction;
inline constexpr std::uint32_t base = 0x1000;

inline causality::vm::Executable<F> program(const std::vector<RV>& code) {
    causality::vm::Executable<F> exe;
    exe.program.pc_base = base;
    for (const auto& i : code) exe.program.instructions.push_back(causality::vm::ext::Rv32im::to_instruction<F>(i));
    exe.entry = base;
    return exe;
}

// Register names of the ABI used in tests.
enum : std::uint8_t { zero = 0, ra = 1, sp = 2, t0 = 5, t1 = 6, t2 = 7, a0 = 10, a1 = 11, a2 = 12, a7 = 17 };

inline RV r(Op op, std::uint8_t rd, std::uint8_t rs1, std::uint8_t rs2) { return {op, rd, rs1, rs2, 0}; }
inline RV i(Op op, std::uint8_t rd, std::uint8_t rs1, std::int32_t imm) { return {op, rd, rs1, 0, imm}; }
inline RV li(std::uint8_t rd, std::int32_t imm) { return {Op::addi, rd, 0, 0, imm}; }
inline RV exit_call() { return {Op::ecall, 0, 0, 0, 0}; }

}  // namespace vmtest

namespace vmtest {

// Runs `code` from its first instruction with registers preset, for `steps` instructions
// (all of them by default), and returns the machine for inspection.
struct Preset {
    std::uint8_t reg;
    std::uint32_t value;
};
inline causality::vm::Machine<Vm> run(const std::vector<RV>& code, std::initializer_list<Preset> regs = {},
                                      std::uint64_t steps = 0, std::vector<std::uint8_t> input = {}) {
    causality::vm::Machine<Vm> m;
    m.initialize(program(code), std::move(input));
    for (const auto& p : regs) m.set_reg(p.reg, p.value);
    m.pause_after(steps == 0 ? code.size() : steps);
    m.start();
    return m;
}
// The value of rd after one instruction with rs1 = a and rs2 = b (t0 = rd, t1 = rs1, t2 = rs2).
inline std::uint32_t rr(Op op, std::uint32_t a, std::uint32_t b) {
    return run({r(op, t0, t1, t2)}, {{t1, a}, {t2, b}}).reg(t0);
}
inline std::uint32_t ri(Op op, std::uint32_t a, std::int32_t imm) {
    return run({i(op, t0, t1, imm)}, {{t1, a}}).reg(t0);
}

}  // namespace vmtest
