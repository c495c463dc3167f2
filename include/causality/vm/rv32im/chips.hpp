// causality/vm/rv32im/chips.hpp — the AIRs and trace fillers of RV32IM's chips, and the
// extension's circuit and prover parts.
//
// Every chip row is one executed instruction: opcode flags (one per opcode of the chip,
// boolean, at most one set; real = their sum), pc and timestamp, the operands it looks up
// in the program table, its register accesses (bridge.hpp) and its values as four bytes.
// Common to all: the row looks up (pc, opcode, a..g) with count real, so it executes an
// instruction of the program at that pc; it receives (pc, ts) and sends its successor
// state on the execution bus; its accesses take timestamps ts, ts + 1, ... in the order the
// executor makes them (the interpreter's preflight records); a write to rd is counted
// real * f, f being the program's "rd is not x0" operand. Chips proven so far: base_alu,
// branch_equal, jal_lui, system_call (exit, write, publish; fence, ebreak). The others are
// unprovable chips: their instructions run, a run that uses them cannot be proven yet.
//
// Each chip below says why its constraints force the RISC-V result.
#pragma once

#include <causality/air/air.hpp>
#include <causality/air/periphery.hpp>
#include <causality/error.hpp>
#include <causality/vm/bridge.hpp>
#include <causality/vm/inventory.hpp>
#include <causality/vm/rv32im/alu.hpp>
#include <causality/vm/rv32im/extension.hpp>

#include <array>
#include <cstdint>
#include <span>
#include <string>

namespace causality::vm::rv32im {

constexpr std::uint32_t global_opcode(Op op) noexcept {
    return ext::Rv32im::opcode_offset + static_cast<std::uint32_t>(op);
}

// The buses and tables the RV32IM chips share.
struct Rv32Buses {
    ChipBuses chip;
    air::LookupBus bytes;    // the 8-bit range checker
    air::LookupBus bitwise;  // the 8-bit AND / OR / XOR table
};

namespace detail {
template <class AB>
std::array<typename AB::Expr, 4> bytes_at(const AB&, const auto& m, std::size_t col) {
    using E = typename AB::Expr;
    return {E(m.local(col)), E(m.local(col + 1)), E(m.local(col + 2)), E(m.local(col + 3))};
}
template <class AB>
typename AB::Expr constant(AB& b, std::uint64_t v) {
    return b.constant(AB::F::from_u64(v));
}
// The register access's address expression (registers are words 0..31).
template <class AB>
typename AB::Expr reg_address(AB& b, const typename AB::Expr& index) {
    return constant(b, 4) * index;
}
}  // namespace detail

// --- base_alu: add, sub, xor, or, and and their immediates ------------------------------------
//
// x = rs1's bytes, y = rs2's bytes or the immediate's, z = rd's new bytes.
// - add: x_i + y_i + c_(i-1) = z_i + 256 c_i with c_i boolean and z_i range-checked bytes
//   (x, y bytes: registers are bytes by the memory argument, immediate bytes are range-
//   checked below): every term is below 2^10, so the equations hold over the integers and z
//   is x + y mod 2^32 (c_3 is the dropped carry). sub: the same with z + y = x.
// - xor, or, and: each byte triple (x_i, y_i, z_i) is looked up in the bitwise table with
//   the operation's code.
// - immediates: y0 + 256 y1 - 65536 sign = c (the program's operand, |c| < 2^11 as the
//   transpiler and prepare guarantee), y2 = y3 = 255 sign, y0 and y1 range-checked, sign
//   boolean: y is the sign-extended immediate (the integer equation has one solution).
class BaseAluAir {
public:
    static constexpr std::array<Op, 9> ops{Op::add, Op::sub, Op::xor_, Op::or_, Op::and_, Op::addi, Op::xori, Op::ori, Op::andi};
    enum Col : std::size_t {
        flags = 0, pc = 9, ts, rd, rs1, c, f, x, x_access = x + 4, y = x_access + 3, y_access = y + 4,
        z = y_access + 3, z_before = z + 4, z_access = z_before + 4, carry = z_access + 3, sign = carry + 4, width_
    };
    explicit BaseAluAir(Rv32Buses buses) : b_(buses) {}
    [[nodiscard]] static std::size_t width() noexcept { return width_; }
    [[nodiscard]] static std::string name() { return "base_alu"; }

    template <class AB>
    void eval(AB& b) const {
        using E = typename AB::Expr;
        using detail::constant;
        const auto m = b.main();
        const auto col = [&](std::size_t i) { return E(m.local(i)); };
        const E one = constant(b, 1), zero = constant(b, 0);
        E real = zero, opcode = zero;
        for (std::size_t k = 0; k < ops.size(); ++k) {
            b.assert_bool(col(flags + k));
            real = real + col(flags + k);
            opcode = opcode + col(flags + k) * constant(b, global_opcode(ops[k]));
        }
        b.assert_bool(real);
        const E is_reg = col(flags) + col(flags + 1) + col(flags + 2) + col(flags + 3) + col(flags + 4);
        const E is_imm = real - is_reg;
        const E is_add = col(flags) + col(flags + 5), is_sub = col(flags + 1);
        const E is_bitwise = real - is_add - is_sub;
        const E bit_op = (col(flags + 3) + col(flags + 7)) * constant(b, 1) + (col(flags + 2) + col(flags + 6)) * constant(b, 2);
        b.assert_bool(col(f));
        b_.chip.program(b, col(pc), opcode, {col(rd), col(rs1), col(c), one, is_reg, col(f), zero}, real);
        b_.chip.execute(b, col(pc), col(ts), col(pc) + constant(b, 4), col(ts) + constant(b, 2) + is_reg, real);

        const E regs = constant(b, static_cast<std::uint64_t>(AddressSpace::registers));
        const auto xs = detail::bytes_at(b, m, x), ys = detail::bytes_at(b, m, y), zs = detail::bytes_at(b, m, z);
        b_.chip.access(b, m, {x_access}, regs, detail::reg_address(b, col(rs1)), xs, xs, col(ts), real);
        b_.chip.access(b, m, {y_access}, regs, detail::reg_address(b, col(c)), ys, ys, col(ts) + one, is_reg);
        b_.chip.access(b, m, {z_access}, regs, detail::reg_address(b, col(rd)), detail::bytes_at(b, m, z_before), zs,
                       col(ts) + one + is_reg, real * col(f));

        b.assert_bool(col(sign));
        b.assert_zero(is_imm * (ys[0] + constant(b, 256) * ys[1] - constant(b, 65536) * col(sign) - col(c)));
        b.assert_zero(is_imm * (ys[2] - constant(b, 255) * col(sign)));
        b.assert_zero(is_imm * (ys[3] - constant(b, 255) * col(sign)));
        b_.bytes.lookup_key(b, {ys[0]}, is_imm);
        b_.bytes.lookup_key(b, {ys[1]}, is_imm);
        E carry_in = zero;
        for (std::size_t i = 0; i < 4; ++i) {
            const E carry_out = col(carry + i);
            b.assert_bool(carry_out);
            b.assert_zero(is_add * (xs[i] + ys[i] + carry_in - zs[i] - constant(b, 256) * carry_out));
            b.assert_zero(is_sub * (zs[i] + ys[i] + carry_in - xs[i] - constant(b, 256) * carry_out));
            carry_in = carry_out;
            b_.bytes.lookup_key(b, {zs[i]}, is_add + is_sub);
            b_.bitwise.lookup_key(b, {xs[i], ys[i], zs[i], bit_op}, is_bitwise);
        }
    }

    template <class F>
    void fill(F* row, const InstructionRecord& r, const vm::Instruction<F>& in, air::RangeCheckCounts& limbs,
              air::RangeCheckCounts& bytes, air::BitwiseCounts& bitwise) const {
        const auto op = static_cast<Op>(in.opcode - ext::Rv32im::opcode_offset);
        std::size_t k = 0;
        while (k < ops.size() && ops[k] != op) ++k;
        row[flags + k] = F::one();
        row[pc] = F::from_u64(r.pc);
        row[ts] = F::from_u64(r.timestamp);
        row[rd] = in.operands[0];
        row[rs1] = in.operands[1];
        row[c] = in.operands[2];
        row[f] = in.operands[5];
        const bool imm = ext::Rv32im::is_register_immediate(op);
        const std::uint32_t xv = r.accesses[0].value;
        std::uint32_t yv;
        put_bytes(row, x, xv);
        put_access(row, {x_access}, r.accesses[0], r.timestamp, limbs);
        if (imm) {
            yv = static_cast<std::uint32_t>(to_signed(in.operands[2]));
            row[sign] = F::from_u64(yv >> 31);
            bytes.add(yv & 0xff);
            bytes.add((yv >> 8) & 0xff);
        } else {
            yv = r.accesses[1].value;
            put_access(row, {y_access}, r.accesses[1], r.timestamp + 1, limbs);
        }
        put_bytes(row, y, yv);
        const std::uint32_t zv = alu(op, xv, yv);
        put_bytes(row, z, zv);
        const AccessRecord& w = r.accesses[imm ? 1 : 2];
        put_bytes(row, z_before, w.previous_value);
        put_access(row, {z_access}, w, r.timestamp + (imm ? 1 : 2), limbs);
        const bool add = op == Op::add || op == Op::addi, sub = op == Op::sub;
        std::uint32_t carry_in = 0;
        for (std::size_t i = 0; i < 4; ++i) {
            const std::uint32_t xi = (xv >> (8 * i)) & 0xff, yi = (yv >> (8 * i)) & 0xff, zi = (zv >> (8 * i)) & 0xff;
            if (add || sub) {
                const std::uint32_t sum = (add ? xi : zi) + yi + carry_in;
                carry_in = sum >> 8;
                row[carry + i] = F::from_u64(carry_in);
                bytes.add(zi);
            } else {
                const auto bop = (op == Op::xor_ || op == Op::xori)  ? air::BitwiseOp::xor_
                                 : (op == Op::or_ || op == Op::ori) ? air::BitwiseOp::or_
                                                                    : air::BitwiseOp::and_;
                bitwise.add(bop, xi, yi);
            }
        }
    }

private:
    Rv32Buses b_;
};

// --- branch_equal: beq, bne -----------------------------------------------------------------
//
// eq is boolean; eq = 1 forces x_i = y_i for every byte; eq = 0 on a real row forces
// sum (x_i - y_i) inv_i = 1, impossible when x = y: so eq = (x == y). taken = beq eq +
// bne (1 - eq) and the next pc is pc + 4 + taken (c - 4), c the program's offset.
class BranchEqualAir {
public:
    enum Col : std::size_t {
        is_beq = 0, is_bne, pc, ts, rs1, rs2, c, x, x_access = x + 4, y = x_access + 3, y_access = y + 4,
        eq = y_access + 3, inv, taken = inv + 4, next_pc, width_
    };
    explicit BranchEqualAir(Rv32Buses buses) : b_(buses) {}
    [[nodiscard]] static std::size_t width() noexcept { return width_; }
    [[nodiscard]] static std::string name() { return "branch_equal"; }

    template <class AB>
    void eval(AB& b) const {
        using E = typename AB::Expr;
        using detail::constant;
        const auto m = b.main();
        const auto col = [&](std::size_t i) { return E(m.local(i)); };
        const E one = constant(b, 1), zero = constant(b, 0);
        b.assert_bool(col(is_beq));
        b.assert_bool(col(is_bne));
        const E real = col(is_beq) + col(is_bne);
        b.assert_bool(real);
        const E opcode = col(is_beq) * constant(b, global_opcode(Op::beq)) + col(is_bne) * constant(b, global_opcode(Op::bne));
        b_.chip.program(b, col(pc), opcode, {col(rs1), col(rs2), col(c), zero, zero, zero, zero}, real);
        b_.chip.execute(b, col(pc), col(ts), col(next_pc), col(ts) + constant(b, 2), real);
        const E regs = constant(b, static_cast<std::uint64_t>(AddressSpace::registers));
        const auto xs = detail::bytes_at(b, m, x), ys = detail::bytes_at(b, m, y);
        b_.chip.access(b, m, {x_access}, regs, detail::reg_address(b, col(rs1)), xs, xs, col(ts), real);
        b_.chip.access(b, m, {y_access}, regs, detail::reg_address(b, col(rs2)), ys, ys, col(ts) + one, real);
        b.assert_bool(col(eq));
        b.assert_zero(col(eq) * (one - real));
        E dot = zero;
        for (std::size_t i = 0; i < 4; ++i) {
            b.assert_zero(col(eq) * (xs[i] - ys[i]));
            dot = dot + (xs[i] - ys[i]) * col(inv + i);
        }
        b.assert_zero((real - col(eq)) * (dot - one));
        b.assert_eq(col(taken), col(is_beq) * col(eq) + col(is_bne) * (one - col(eq)));
        b.assert_zero(real * (col(next_pc) - col(pc) - constant(b, 4) - col(taken) * (col(c) - constant(b, 4))));
    }

    template <class F>
    void fill(F* row, const InstructionRecord& r, const vm::Instruction<F>& in, air::RangeCheckCounts& limbs) const {
        const auto op = static_cast<Op>(in.opcode - ext::Rv32im::opcode_offset);
        row[op == Op::beq ? is_beq : is_bne] = F::one();
        row[pc] = F::from_u64(r.pc);
        row[ts] = F::from_u64(r.timestamp);
        row[rs1] = in.operands[0];
        row[rs2] = in.operands[1];
        row[c] = in.operands[2];
        const std::uint32_t xv = r.accesses[0].value, yv = r.accesses[1].value;
        put_bytes(row, x, xv);
        put_bytes(row, y, yv);
        put_access(row, {x_access}, r.accesses[0], r.timestamp, limbs);
        put_access(row, {y_access}, r.accesses[1], r.timestamp + 1, limbs);
        const bool equal = xv == yv;
        row[eq] = F::from_u64(equal ? 1 : 0);
        if (!equal)
            for (std::size_t i = 0; i < 4; ++i) {
                const F d = F::from_u64((xv >> (8 * i)) & 0xff) - F::from_u64((yv >> (8 * i)) & 0xff);
                if (!d.is_zero()) {
                    row[inv + i] = d.inverse();
                    break;
                }
            }
        const bool jump = (op == Op::beq) == equal;
        row[taken] = F::from_u64(jump ? 1 : 0);
        row[next_pc] = F::from_u64(r.next_pc);
    }

private:
    Rv32Buses b_;
};

// --- jal_lui: jal, lui ----------------------------------------------------------------------
//
// lui: z0 = 0 and 16 c = z1 + 256 z2 + 65536 z3 with z1..z3 range-checked bytes and c < 2^20
// (the program's operand): over the integers (16 c < 2^24), so z = c << 12. jal: z = pc + 4
// as bytes, z3 < 64 (4 z3 is range-checked too) so the byte sum is below 2^30 < p and equals
// pc + 4 as an integer (provable pcs are below 2^30); the next pc is pc + c.
class JalLuiAir {
public:
    enum Col : std::size_t { is_jal = 0, is_lui, pc, ts, rd, c, f, z, z_before = z + 4, z_access = z_before + 4, width_ = z_access + 3 };
    explicit JalLuiAir(Rv32Buses buses) : b_(buses) {}
    [[nodiscard]] static std::size_t width() noexcept { return width_; }
    [[nodiscard]] static std::string name() { return "jal_lui"; }

    template <class AB>
    void eval(AB& b) const {
        using E = typename AB::Expr;
        using detail::constant;
        const auto m = b.main();
        const auto col = [&](std::size_t i) { return E(m.local(i)); };
        const E zero = constant(b, 0);
        b.assert_bool(col(is_jal));
        b.assert_bool(col(is_lui));
        const E real = col(is_jal) + col(is_lui);
        b.assert_bool(real);
        b.assert_bool(col(f));
        const E opcode = col(is_jal) * constant(b, global_opcode(Op::jal)) + col(is_lui) * constant(b, global_opcode(Op::lui));
        b_.chip.program(b, col(pc), opcode, {col(rd), zero, col(c), zero, zero, col(f), zero}, real);
        const E next_pc = col(pc) + constant(b, 4) + col(is_jal) * (col(c) - constant(b, 4));
        b_.chip.execute(b, col(pc), col(ts), next_pc, col(ts) + constant(b, 1), real);
        const auto zs = detail::bytes_at(b, m, z);
        b_.chip.access(b, m, {z_access}, constant(b, static_cast<std::uint64_t>(AddressSpace::registers)),
                       detail::reg_address(b, col(rd)), detail::bytes_at(b, m, z_before), zs, col(ts), real * col(f));
        b.assert_zero(col(is_lui) * zs[0]);
        b.assert_zero(col(is_lui) * (constant(b, 16) * col(c) - zs[1] - constant(b, 256) * zs[2] - constant(b, 65536) * zs[3]));
        b.assert_zero(col(is_jal) * (zs[0] + constant(b, 256) * zs[1] + constant(b, 65536) * zs[2] +
                                     constant(b, 1u << 24) * zs[3] - col(pc) - constant(b, 4)));
        for (std::size_t i = 0; i < 4; ++i) b_.bytes.lookup_key(b, {zs[i]}, real);
        b_.bytes.lookup_key(b, {constant(b, 4) * zs[3]}, col(is_jal));
    }

    template <class F>
    void fill(F* row, const InstructionRecord& r, const vm::Instruction<F>& in, air::RangeCheckCounts& limbs,
              air::RangeCheckCounts& bytes) const {
        const auto op = static_cast<Op>(in.opcode - ext::Rv32im::opcode_offset);
        const bool jal = op == Op::jal;
        row[jal ? is_jal : is_lui] = F::one();
        row[pc] = F::from_u64(r.pc);
        row[ts] = F::from_u64(r.timestamp);
        row[rd] = in.operands[0];
        row[c] = in.operands[2];
        row[f] = in.operands[5];
        const std::uint32_t zv = jal ? r.pc + 4 : static_cast<std::uint32_t>(in.operands[2].to_u64() << 12);
        put_bytes(row, z, zv);
        put_bytes(row, z_before, r.accesses[0].previous_value);
        put_access(row, {z_access}, r.accesses[0], r.timestamp, limbs);
        for (std::size_t i = 0; i < 4; ++i) bytes.add((zv >> (8 * i)) & 0xff);
        if (jal) bytes.add(4 * (zv >> 24));
    }

private:
    Rv32Buses b_;
};

// --- system_call: fence, ebreak, and ecall exit (93), write (64), publish (256) ---------------
//
// An ecall row reads a7 first: a7_0 + 256 a7_1 = 93 exit + 64 write + 256 publish with
// a7_2 = a7_3 = 0 and exactly one of the three flags set, so the flag is the call number
// the register holds (any other number has no satisfying row: read (63) cannot be proven
// yet). exit reads a0 and ends the execution chain: instead of a successor state it sends
// (pc, ts + 2, a0's bytes) on the termination bus, which only the connector receives.
// write reads a0 (descriptor 1 or 2: (d - 1)(d - 2) = 0 on its low byte, the others 0), a1,
// a2 and writes a2's value to a0; the bytes it writes out are not proven. publish reads a0
// (the slot: below 2^16, a2 and a3 bytes zero) and a1 and writes a1's bytes to address
// space 3 at 4 * slot, whose final values the connector makes public. fence and ebreak
// touch nothing (ebreak's successor state is the connector's final state).
class SystemCallAir {
public:
    enum Col : std::size_t {
        is_fence = 0, is_ebreak, is_exit, is_write, is_publish, pc, ts,
        a7 = ts + 1, a7_access = a7 + 4, a0 = a7_access + 3, a0_access = a0 + 4, a1 = a0_access + 3,
        a1_access = a1 + 4, a2 = a1_access + 3, a2_access = a2 + 4, ret_before = a2_access + 3,
        ret_access = ret_before + 4, pub_before = ret_access + 3, pub_access = pub_before + 4, width_ = pub_access + 3
    };
    explicit SystemCallAir(Rv32Buses buses) : b_(buses) {}
    [[nodiscard]] static std::size_t width() noexcept { return width_; }
    [[nodiscard]] static std::string name() { return "system_call"; }

    template <class AB>
    void eval(AB& b) const {
        using E = typename AB::Expr;
        using detail::constant;
        const auto m = b.main();
        const auto col = [&](std::size_t i) { return E(m.local(i)); };
        const E one = constant(b, 1), zero = constant(b, 0);
        E real = zero;
        for (std::size_t k = is_fence; k <= is_publish; ++k) {
            b.assert_bool(col(k));
            real = real + col(k);
        }
        b.assert_bool(real);
        const E exit = col(is_exit), write = col(is_write), publish = col(is_publish);
        const E ecall = exit + write + publish;
        const E opcode = col(is_fence) * constant(b, global_opcode(Op::fence)) +
                         col(is_ebreak) * constant(b, global_opcode(Op::ebreak)) + ecall * constant(b, global_opcode(Op::ecall));
        b_.chip.program(b, col(pc), opcode, {zero, zero, zero, zero, zero, zero, zero}, real);
        const E next_ts = col(ts) + constant(b, 4) * publish + constant(b, 5) * write;
        b_.chip.system.execution.receive(b, {col(pc), col(ts)}, real);
        b_.chip.system.execution.send(b, {col(pc) + constant(b, 4), next_ts}, real - exit);

        const E regs = constant(b, static_cast<std::uint64_t>(AddressSpace::registers));
        const auto r7 = detail::bytes_at(b, m, a7), r0 = detail::bytes_at(b, m, a0), r1 = detail::bytes_at(b, m, a1),
                   r2 = detail::bytes_at(b, m, a2);
        b_.chip.access(b, m, {a7_access}, regs, constant(b, 4 * 17), r7, r7, col(ts), ecall);
        b_.chip.access(b, m, {a0_access}, regs, constant(b, 4 * 10), r0, r0, col(ts) + one, ecall);
        b_.chip.access(b, m, {a1_access}, regs, constant(b, 4 * 11), r1, r1, col(ts) + constant(b, 2), write + publish);
        b_.chip.access(b, m, {a2_access}, regs, constant(b, 4 * 12), r2, r2, col(ts) + constant(b, 3), write);
        b_.chip.access(b, m, {ret_access}, regs, constant(b, 4 * 10), detail::bytes_at(b, m, ret_before), r2,
                       col(ts) + constant(b, 4), write);
        b_.chip.access(b, m, {pub_access}, constant(b, static_cast<std::uint64_t>(AddressSpace::public_values)),
                       constant(b, 4) * (r0[0] + constant(b, 256) * r0[1]), detail::bytes_at(b, m, pub_before), r1,
                       col(ts) + constant(b, 3), publish);
        b.assert_eq(r7[0] + constant(b, 256) * r7[1],
                    constant(b, ext::Rv32im::sys_exit) * exit + constant(b, ext::Rv32im::sys_write) * write +
                        constant(b, ext::Rv32im::sys_publish) * publish);
        b.assert_zero(r7[2]);
        b.assert_zero(r7[3]);
        b.assert_zero(write * (r0[0] - one) * (r0[0] - constant(b, 2)));
        b.assert_zero(write * r0[1]);
        b.assert_zero((write + publish) * r0[2]);
        b.assert_zero((write + publish) * r0[3]);
        b_.chip.system.termination.send(b, {col(pc), col(ts) + constant(b, 2), r0[0], r0[1], r0[2], r0[3]}, exit);
    }

    template <class F>
    void fill(F* row, const InstructionRecord& r, const vm::Instruction<F>& in, air::RangeCheckCounts& limbs) const {
        const auto op = static_cast<Op>(in.opcode - ext::Rv32im::opcode_offset);
        row[pc] = F::from_u64(r.pc);
        row[ts] = F::from_u64(r.timestamp);
        if (op == Op::fence || op == Op::ebreak) {
            row[op == Op::fence ? is_fence : is_ebreak] = F::one();
            return;
        }
        const std::uint32_t call = r.accesses[0].value;
        const auto reads = [&](std::size_t n) {
            static constexpr std::array<std::size_t, 4> cols{a7, a0, a1, a2};
            for (std::size_t k = 0; k < n; ++k) {
                put_bytes(row, cols[k], r.accesses[k].value);
                put_access(row, {cols[k] + 4}, r.accesses[k], r.timestamp + static_cast<std::uint32_t>(k), limbs);
            }
        };
        switch (call) {
            case ext::Rv32im::sys_exit:
                row[is_exit] = F::one();
                reads(2);
                return;
            case ext::Rv32im::sys_write:
                row[is_write] = F::one();
                reads(4);
                put_bytes(row, ret_before, r.accesses[4].previous_value);
                put_access(row, {ret_access}, r.accesses[4], r.timestamp + 4, limbs);
                return;
            case ext::Rv32im::sys_publish:
                row[is_publish] = F::one();
                reads(3);
                put_bytes(row, pub_before, r.accesses[3].previous_value);
                put_access(row, {pub_access}, r.accesses[3], r.timestamp + 3, limbs);
                return;
            default:
                throw Error(ErrorCode::invalid_argument, "rv32im: ecall " + std::to_string(call) + " at pc " + hex32(r.pc) +
                                                             " cannot be proven yet (proven: exit, write, publish)");
        }
    }

private:
    Rv32Buses b_;
};

}  // namespace causality::vm::rv32im

namespace causality::vm::ext {

template <class SC>
void Rv32im::extend_circuit(CircuitInventory<SC>& inv) const {
    const rv32im::Rv32Buses buses{ChipBuses::from(inv), inv.range_checker(8), inv.bitwise()};
    for (std::uint32_t chip = 0; chip < chip_names.size(); ++chip) {
        switch (chip) {
            case 0: inv.add_chip(rv32im::BaseAluAir(buses)); break;
            case 3: inv.add_chip(rv32im::BranchEqualAir(buses)); break;
            case 5: inv.add_chip(rv32im::JalLuiAir(buses)); break;
            case 13: inv.add_chip(rv32im::SystemCallAir(buses)); break;
            default: inv.add_unprovable_chip();
        }
    }
}

template <class SC>
field::RowMajorMatrix<typename SC::Field> Rv32im::generate_trace(std::uint32_t chip, const RecordArena& records,
                                                                 TraceInventory<SC>& inv) const {
    using F = typename SC::Field;
    const rv32im::Rv32Buses none{};  // fillers do not use bus ids
    auto& limbs = inv.range_checker(timestamp_limb_bits);
    auto& bytes = inv.range_checker(8);
    const auto fill = [&](const auto& air) {
        const std::size_t w = air.width();
        auto t = field::zero_matrix<F>(trace_rows(records.size()), w);
        for (std::size_t i = 0; i < records.size(); ++i) {
            const InstructionRecord r = records[i];
            const vm::Instruction<F>& in = inv.instruction(r.pc);
            F* row = t.data() + i * w;
            if constexpr (requires { air.fill(row, r, in, limbs, bytes, inv.bitwise()); }) air.fill(row, r, in, limbs, bytes, inv.bitwise());
            else if constexpr (requires { air.fill(row, r, in, limbs, bytes); }) air.fill(row, r, in, limbs, bytes);
            else air.fill(row, r, in, limbs);
        }
        return t;
    };
    switch (chip) {
        case 0: return fill(rv32im::BaseAluAir(none));
        case 3: return fill(rv32im::BranchEqualAir(none));
        case 5: return fill(rv32im::JalLuiAir(none));
        case 13: return fill(rv32im::SystemCallAir(none));
        default:
            throw Error(ErrorCode::invalid_argument,
                        "rv32im: chip " + std::string(chip_names.at(chip)) + " cannot be proven yet");
    }
}

}  // namespace causality::vm::ext
