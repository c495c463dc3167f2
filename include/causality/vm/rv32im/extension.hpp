// causality/vm/rv32im/extension.hpp — the RV32IM extension: every RV32I and M
// instruction, with the operand layout the transpiler writes and the executors read.
//
// Operands (as field elements in the program; signed values as +-F(|x|)):
//   register-register   a = rd, b = rs1, c = rs2
//   register-immediate  a = rd, b = rs1, c = immediate (shifts: the amount)
//   loads               a = rd, b = rs1, c = offset          (e = 2: main memory)
//   stores              a = rs2, b = rs1, c = offset         (e = 2: main memory)
//   branches            a = rs1, b = rs2, c = offset from the pc
//   jal                 a = rd, c = offset from the pc
//   jalr                a = rd, b = rs1, c = offset
//   lui, auipc          a = rd, c = the upper 20 bits
// Every instruction that writes rd has f = 1 when rd is not x0 and f = 0 when it is: the
// chips' register-write interaction counts read it from the program table (a write to x0
// is no access), so no chip needs an inverse column to test rd != 0. prepare() rejects an
// instruction whose f disagrees with its rd.
// fence is a no-op. ebreak stops the run (StopReason::ebreak, pc after it). ecall, with
// the call number in a7 (the numbers follow Linux's RISC-V ABI where one exists):
//   93   exit: a0 is the exit code
//   64   write: a0 = descriptor (1: output, 2: error output), a1 = address, a2 = length;
//        returns the length in a0
//   63   read: a0 = descriptor 0 (the host's input), a1 = address, a2 = capacity;
//        returns the bytes read in a0 (0 at the end of the input)
//   256  publish: public value a0 (address space 3) := a1
// Any other number is a fault naming it. Misaligned halfword and word accesses are
// faults (see context.hpp); x0 ignores writes.
#pragma once

#include <causality/field/matrix.hpp>
#include <causality/vm/context.hpp>
#include <causality/vm/extension.hpp>
#include <causality/vm/program.hpp>
#include <causality/vm/rv32im/alu.hpp>
#include <causality/vm/rv32im/decode.hpp>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace causality::vm {
template <class SC>
class CircuitInventory;
template <class SC>
class TraceInventory;
}  // namespace causality::vm

namespace causality::vm::ext {

struct Rv32im {
    using tag = extension_tag;
    using Op = rv32im::Op;
    static constexpr std::string_view name = "rv32im";
    static constexpr std::uint32_t opcode_offset = 0x100;
    static constexpr std::uint32_t opcode_count = static_cast<std::uint32_t>(rv32im::op_count);
    static constexpr auto opcode_names = [] {
        std::array<std::string_view, opcode_count> n{};
        for (std::size_t i = 0; i < n.size(); ++i) n[i] = rv32im::op_names[i];
        return n;
    }();

    enum Syscall : std::uint32_t { sys_read = 63, sys_write = 64, sys_exit = 93, sys_publish = 256 };

    // Chips of the proving side, as OpenVM splits RV32IM (and system calls, fence and ebreak
    // in one chip of their own): one row per executed instruction.
    // hint_store takes no instruction: its rows are the bytes that reads (ecall 63) store.
    static constexpr std::array<std::string_view, 15> chip_names{
        "base_alu", "shift", "less_than", "branch_equal", "branch_less_than", "jal_lui", "jalr",
        "auipc", "load_store", "load_sign_extend", "multiplication", "mulh", "divrem", "system_call", "hint_store"};
    static constexpr std::uint32_t chip_of(std::uint32_t local) {
        switch (static_cast<Op>(local)) {
            case Op::add: case Op::sub: case Op::xor_: case Op::or_: case Op::and_:
            case Op::addi: case Op::xori: case Op::ori: case Op::andi: return 0;
            case Op::fence: case Op::ecall: case Op::ebreak: return 13;
            case Op::sll: case Op::srl: case Op::sra: case Op::slli: case Op::srli: case Op::srai: return 1;
            case Op::slt: case Op::sltu: case Op::slti: case Op::sltiu: return 2;
            case Op::beq: case Op::bne: return 3;
            case Op::blt: case Op::bge: case Op::bltu: case Op::bgeu: return 4;
            case Op::jal: case Op::lui: return 5;
            case Op::jalr: return 6;
            case Op::auipc: return 7;
            case Op::lw: case Op::lbu: case Op::lhu: case Op::sw: case Op::sh: case Op::sb: return 8;
            case Op::lb: case Op::lh: return 9;
            case Op::mul: return 10;
            case Op::mulh: case Op::mulhsu: case Op::mulhu: return 11;
            default: return 12;  // div, divu, rem, remu
        }
    }

    // Circuit and prover parts (defined in rv32im/chips.hpp, which vm/prove.hpp includes).
    template <class SC>
    void extend_circuit(CircuitInventory<SC>& inv) const;
    template <class SC>
    field::RowMajorMatrix<typename SC::Field> generate_trace(std::uint32_t chip, const RecordArena& records,
                                                             TraceInventory<SC>& inv) const;

    static constexpr bool is_register_register(Op op) {
        return op >= Op::add && op <= Op::remu;
    }
    static constexpr bool is_register_immediate(Op op) { return op >= Op::addi && op <= Op::srai; }
    static constexpr bool is_branch(Op op) { return op >= Op::beq && op <= Op::bgeu; }
    static constexpr bool writes_rd(Op op) {
        return is_register_register(op) || is_register_immediate(op) || (op >= Op::lb && op <= Op::lhu) ||
               op == Op::jal || op == Op::jalr || op == Op::lui || op == Op::auipc;
    }

    // --- transpiler ------------------------------------------------------------------
    template <class F>
    static Instruction<F> to_instruction(const rv32im::Instruction& d) {
        const auto reg = [](std::uint8_t r) { return F::from_u64(r); };
        Instruction<F> in;
        in.opcode = opcode_offset + static_cast<std::uint32_t>(d.op);
        auto& o = in.operands;
        const Op op = d.op;
        if (is_register_register(op)) o = {reg(d.rd), reg(d.rs1), reg(d.rs2), F::from_u64(1), F::from_u64(1)};
        else if (is_register_immediate(op)) o = {reg(d.rd), reg(d.rs1), signed_operand<F>(d.imm), F::from_u64(1)};
        else if (op >= Op::lb && op <= Op::lhu) o = {reg(d.rd), reg(d.rs1), signed_operand<F>(d.imm), F::from_u64(1), F::from_u64(2)};
        else if (op >= Op::sb && op <= Op::sw) o = {reg(d.rs2), reg(d.rs1), signed_operand<F>(d.imm), F::from_u64(1), F::from_u64(2)};
        else if (is_branch(op)) o = {reg(d.rs1), reg(d.rs2), signed_operand<F>(d.imm)};
        else if (op == Op::jal) o = {reg(d.rd), F{}, signed_operand<F>(d.imm)};
        else if (op == Op::jalr) o = {reg(d.rd), reg(d.rs1), signed_operand<F>(d.imm)};
        else if (op == Op::lui || op == Op::auipc) o = {reg(d.rd), F{}, F::from_u64(static_cast<std::uint32_t>(d.imm) >> 12)};
        if (writes_rd(op)) o[5] = F::from_u64(d.rd != 0 ? 1 : 0);
        return in;
    }
    template <class F>
    static std::optional<Instruction<F>> transpile(std::uint32_t word, std::uint32_t) {
        const auto d = rv32im::try_decode(word);
        if (d.error != nullptr) return std::nullopt;
        return to_instruction<F>(d.instruction);
    }

    // The RISC-V view of a program instruction (for disassembly and checks).
    template <class F>
    static rv32im::Instruction to_riscv(std::uint32_t local, const Instruction<F>& in) {
        const auto& o = in.operands;
        const auto u = [&](int i) { return static_cast<std::uint8_t>(to_u32(o[i])); };
        const auto s = [&](int i) { return static_cast<std::int32_t>(to_signed(o[i])); };
        const auto op = static_cast<Op>(local);
        if (is_register_register(op)) return {op, u(0), u(1), u(2), 0};
        if (is_register_immediate(op) || (op >= Op::lb && op <= Op::lhu) || op == Op::jalr) return {op, u(0), u(1), 0, s(2)};
        if ((op >= Op::sb && op <= Op::sw)) return {op, 0, u(1), u(0), s(2)};
        if (is_branch(op)) return {op, 0, u(0), u(1), s(2)};
        if (op == Op::jal) return {op, u(0), 0, 0, s(2)};
        if (op == Op::lui || op == Op::auipc) return {op, u(0), 0, 0, static_cast<std::int32_t>(to_u32(o[2]) << 12)};
        return {op, 0, 0, 0, 0};
    }
    template <class F>
    static std::string disassemble(std::uint32_t local, const Instruction<F>& in, std::uint32_t) {
        return rv32im::disassemble(to_riscv(local, in));
    }

    // Register operands must name x0..x31, immediates must fit their formats.
    template <class F>
    static Operands prepare(std::uint32_t local, const Instruction<F>& in, std::uint32_t pc) {
        const auto op = static_cast<Op>(local);
        const auto& o = in.operands;
        const OperandCheck<F> c(name, rv32im::op_names[local], in, pc);
        const auto imm = [&](std::int64_t lo, std::int64_t hi) {
            const std::int64_t v = to_signed(o[2]);
            if (v < lo || v > hi) c.fail("immediate " + std::to_string(v) + " outside [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
            return v;
        };
        if (writes_rd(op)) (void)c.write_flag(true);
        if (is_register_register(op)) return {c.reg(0), c.reg(1), c.reg(2)};
        if (op == Op::slli || op == Op::srli || op == Op::srai) return {c.reg(0), c.reg(1), static_cast<std::uint32_t>(imm(0, 31))};
        if (is_register_immediate(op) || (op >= Op::lb && op <= Op::sw))
            return {c.reg(0), c.reg(1), static_cast<std::uint32_t>(imm(-2048, 2047))};
        if (is_branch(op)) return {c.reg(0), c.reg(1), pc + static_cast<std::uint32_t>(imm(-4096, 4094))};
        if (op == Op::jal) return {c.reg(0), 0, pc + static_cast<std::uint32_t>(imm(-(1 << 20), (1 << 20) - 2)), pc + 4};
        if (op == Op::jalr) return {c.reg(0), c.reg(1), static_cast<std::uint32_t>(imm(-2048, 2047)), pc + 4};
        if (op == Op::lui || op == Op::auipc) {
            const std::uint64_t u = o[2].to_u64();
            if (u >= (1u << 20)) c.fail("upper immediate " + std::to_string(u) + " exceeds 20 bits");
            const auto v = static_cast<std::uint32_t>(u << 12);
            return {c.reg(0), 0, op == Op::lui ? v : pc + v};
        }
        return {};  // fence, ecall, ebreak: no operands
    }

    // --- executors -------------------------------------------------------------------
    template <std::uint32_t L, class Ctx>
    static void execute(Ctx& ctx, const Operands& o) {
        constexpr Op op = static_cast<Op>(L);
        // Operands are read in a fixed order (rs1, then rs2) so the traced access log is
        // the same on every compiler.
        if constexpr (is_register_register(op)) {
            const std::uint32_t x = ctx.read_reg(o.b), y = ctx.read_reg(o.c);
            ctx.write_reg(o.a, rv32im::alu(op, x, y));
            ctx.next();
        } else if constexpr (is_register_immediate(op)) {
            ctx.write_reg(o.a, rv32im::alu(op, ctx.read_reg(o.b), o.c));
            ctx.next();
        } else if constexpr (op == Op::lui || op == Op::auipc) {
            ctx.write_reg(o.a, o.c);  // prepared: the value (auipc: pc already added)
            ctx.next();
        } else if constexpr (op == Op::jal) {
            ctx.write_reg(o.a, o.d);
            ctx.jump(o.c);
        } else if constexpr (op == Op::jalr) {
            const std::uint32_t target = (ctx.read_reg(o.b) + o.c) & ~1u;
            ctx.write_reg(o.a, o.d);
            ctx.jump(target);
        } else if constexpr (is_branch(op)) {
            const std::uint32_t x = ctx.read_reg(o.a), y = ctx.read_reg(o.b);
            if (rv32im::branch_taken(op, x, y)) ctx.jump(o.c);
            else ctx.next();
        } else if constexpr (op == Op::lb) {
            load<std::uint8_t, true>(ctx, o);
        } else if constexpr (op == Op::lbu) {
            load<std::uint8_t, false>(ctx, o);
        } else if constexpr (op == Op::lh) {
            load<std::uint16_t, true>(ctx, o);
        } else if constexpr (op == Op::lhu) {
            load<std::uint16_t, false>(ctx, o);
        } else if constexpr (op == Op::lw) {
            load<std::uint32_t, false>(ctx, o);
        } else if constexpr (op == Op::sb) {
            store<std::uint8_t>(ctx, o);
        } else if constexpr (op == Op::sh) {
            store<std::uint16_t>(ctx, o);
        } else if constexpr (op == Op::sw) {
            store<std::uint32_t>(ctx, o);
        } else if constexpr (op == Op::fence) {
            ctx.next();
        } else if constexpr (op == Op::ecall) {
            ecall(ctx);
        } else if constexpr (op == Op::ebreak) {
            ctx.next();
            ctx.stop_after(StopReason::ebreak);
        } else {
            static_assert(L >= opcode_count, "every RV32IM opcode has an executor");
        }
    }

private:
    template <class T, class Ctx>
    static void store(Ctx& ctx, const Operands& o) {
        const std::uint32_t address = ctx.read_reg(o.b) + o.c;
        const auto value = static_cast<T>(ctx.read_reg(o.a));
        ctx.template store<T>(address, value);
        ctx.next();
    }
    template <class T, bool Signed, class Ctx>
    static void load(Ctx& ctx, const Operands& o) {
        const T v = ctx.template load<T>(ctx.read_reg(o.b) + o.c);
        if constexpr (Signed) ctx.write_reg(o.a, static_cast<std::uint32_t>(static_cast<std::int32_t>(static_cast<std::make_signed_t<T>>(v))));
        else ctx.write_reg(o.a, v);
        ctx.next();
    }
    template <class Ctx>
    static void ecall(Ctx& ctx) {
        const std::uint32_t call = ctx.read_reg(17);
        switch (call) {
            case sys_exit: ctx.exit(ctx.read_reg(10)); return;
            case sys_write: {
                const std::uint32_t fd = ctx.read_reg(10);
                const std::uint32_t addr = ctx.read_reg(11);
                const std::uint32_t len = ctx.read_reg(12);
                ctx.write_output(fd, addr, len);
                ctx.write_reg(10, len);
                break;
            }
            case sys_read: {
                const std::uint32_t fd = ctx.read_reg(10);
                const std::uint32_t addr = ctx.read_reg(11);
                const std::uint32_t len = ctx.read_reg(12);
                if (fd != 0) ctx.fault(Fault::bad_file_descriptor, "read from descriptor " + std::to_string(fd));
                ctx.write_reg(10, ctx.read_input(addr, len));
                break;
            }
            case sys_publish: {
                const std::uint32_t index = ctx.read_reg(10);
                const std::uint32_t value = ctx.read_reg(11);
                ctx.publish(index, value);
                break;
            }
            default: ctx.fault(Fault::bad_system_call, "ecall with a7 = " + std::to_string(call));
        }
        ctx.next();
    }
};

}  // namespace causality::vm::ext
