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
// real * f, f being the program's "rd is not x0" operand. Every RV32IM chip is proven;
// system_call proves exit, write, read and publish, fence and ebreak; hint_store has no
// instructions of its own: its rows are the bytes reads write (from system_call's records).
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
// The opcode flags of a chip's row: one boolean column per opcode (columns first ..
// first + ops.size()), at most one set. Returns real (their sum) and the global opcode
// (sum of flag x opcode), for the program lookup.
template <class AB, class Main>
std::pair<typename AB::Expr, typename AB::Expr> eval_opcode_flags(AB& b, const Main& m, std::size_t first,
                                                                  std::span<const Op> ops) {
    using E = typename AB::Expr;
    E real = b.constant(AB::F::zero()), opcode = b.constant(AB::F::zero());
    for (std::size_t k = 0; k < ops.size(); ++k) {
        const E flag = m.local(first + k);
        b.assert_bool(flag);
        real = real + flag;
        opcode = opcode + flag * b.constant(AB::F::from_u64(global_opcode(ops[k])));
    }
    b.assert_bool(real);
    return {real, opcode};
}
// Sets the flag of `in`'s opcode and the row's pc and timestamp.
template <class F>
Op put_opcode_flag(F* row, std::size_t first, std::span<const Op> ops, const vm::Instruction<F>& in, std::size_t pc_col,
                   std::size_t ts_col, const InstructionRecord& r) {
    const auto op = static_cast<Op>(in.opcode - ext::Rv32im::opcode_offset);
    for (std::size_t k = 0; k < ops.size(); ++k)
        if (ops[k] == op) row[first + k] = F::one();
    row[pc_col] = F::from_u64(r.pc);
    row[ts_col] = F::from_u64(r.timestamp);
    return op;
}

struct Rv32Buses {
    ChipBuses chip;
    air::LookupBus bytes;     // the 8-bit range checker
    air::LookupBus bitwise;   // the 8-bit AND / OR / XOR table
    air::PermutationBus hint;  // (address, remaining, timestamp): a read's bytes, system_call to hint_store
};


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
        using gadgets::constant;
        const auto m = b.main();
        const auto col = [&](std::size_t i) { return E(m.local(i)); };
        const E one = constant(b, 1), zero = constant(b, 0);
        const auto flags_sum = eval_opcode_flags(b, m, flags, std::span<const Op>(ops));
        const E real = flags_sum.first, opcode = flags_sum.second;
        const E is_reg = col(flags) + col(flags + 1) + col(flags + 2) + col(flags + 3) + col(flags + 4);
        const E is_imm = real - is_reg;
        const E is_add = col(flags) + col(flags + 5), is_sub = col(flags + 1);
        const E is_bitwise = real - is_add - is_sub;
        const E bit_op = (col(flags + 3) + col(flags + 7)) * constant(b, 1) + (col(flags + 2) + col(flags + 6)) * constant(b, 2);
        b.assert_bool(col(f));
        b_.chip.program(b, col(pc), opcode, {col(rd), col(rs1), col(c), one, is_reg, col(f), zero}, real);
        b_.chip.execute(b, col(pc), col(ts), col(pc) + constant(b, 4), col(ts) + constant(b, 2) + is_reg, real);

        const E regs = constant(b, static_cast<std::uint64_t>(AddressSpace::registers));
        const auto xs = gadgets::bytes_at(b, m, x), ys = gadgets::bytes_at(b, m, y), zs = gadgets::bytes_at(b, m, z);
        b_.chip.access(b, m, {x_access}, regs, gadgets::reg_address(b, col(rs1)), xs, xs, col(ts), real);
        b_.chip.access(b, m, {y_access}, regs, gadgets::reg_address(b, col(c)), ys, ys, col(ts) + one, is_reg);
        b_.chip.access(b, m, {z_access}, regs, gadgets::reg_address(b, col(rd)), gadgets::bytes_at(b, m, z_before), zs,
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
        const Op op = put_opcode_flag(row, flags, std::span<const Op>(ops), in, pc, ts, r);
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
        using gadgets::constant;
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
        const auto xs = gadgets::bytes_at(b, m, x), ys = gadgets::bytes_at(b, m, y);
        b_.chip.access(b, m, {x_access}, regs, gadgets::reg_address(b, col(rs1)), xs, xs, col(ts), real);
        b_.chip.access(b, m, {y_access}, regs, gadgets::reg_address(b, col(rs2)), ys, ys, col(ts) + one, real);
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
        using gadgets::constant;
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
        const auto zs = gadgets::bytes_at(b, m, z);
        b_.chip.access(b, m, {z_access}, constant(b, static_cast<std::uint64_t>(AddressSpace::registers)),
                       gadgets::reg_address(b, col(rd)), gadgets::bytes_at(b, m, z_before), zs, col(ts), real * col(f));
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

// --- system_call: fence, ebreak, and ecall exit (93), write (64), read (63), publish (256) -----
//
// An ecall row reads a7 first: a7_0 + 256 a7_1 = 93 exit + 64 write + 63 read + 256 publish
// with a7_2 = a7_3 = 0 and exactly one of the four flags set, so the flag is the call number
// the register holds (any other number has no satisfying row). exit reads a0 and ends the
// execution chain: instead of a successor state it sends (pc, ts + 2, a0's bytes) on the
// termination bus, which only the connector receives. write reads a0 (descriptor 1 or 2:
// (d - 1)(d - 2) = 0 on its low byte, the others 0), a1, a2 and writes a2's value to a0;
// the bytes it writes out are not proven. read reads a0 (descriptor 0), a1 (the address,
// below 2^29: 8 a1_3 range-checked) and a2 (the capacity), hands (address, n, ts + 4) to the
// hint store and takes back (address + n, 0, ts + 4 + n), then writes n to a0: n is a
// witness (the host's input is not proven, as OpenVM's hint stream), bounded by n <= a2
// (eval_less_than) and n < 2^28 (16 n_3 range-checked). publish reads a0 (the slot: below
// 2^16, a2 and a3 bytes zero) and a1 and writes a1's bytes to address space 3 at 4 * slot,
// whose final values the connector makes public. fence and ebreak touch nothing (ebreak's
// successor state is the connector's final state).
class SystemCallAir {
public:
    enum Col : std::size_t {
        is_fence = 0, is_ebreak, is_exit, is_write, is_read, is_publish, pc, ts,
        a7 = ts + 1, a7_access = a7 + 4, a0 = a7_access + 3, a0_access = a0 + 4, a1 = a0_access + 3,
        a1_access = a1 + 4, a2 = a1_access + 3, a2_access = a2 + 4, ret_before = a2_access + 3,
        ret_access = ret_before + 4, pub_before = ret_access + 3, pub_access = pub_before + 4, n = pub_access + 3,
        d = n + 4, borrow = d + 4, width_ = borrow + 4
    };
    explicit SystemCallAir(Rv32Buses buses) : b_(buses) {}
    [[nodiscard]] static std::size_t width() noexcept { return width_; }
    [[nodiscard]] static std::string name() { return "system_call"; }

    template <class AB>
    void eval(AB& b) const {
        using E = typename AB::Expr;
        using gadgets::constant;
        const auto m = b.main();
        const auto col = [&](std::size_t i) { return E(m.local(i)); };
        const E one = constant(b, 1), zero = constant(b, 0);
        E real = zero;
        for (std::size_t k = is_fence; k <= is_publish; ++k) {
            b.assert_bool(col(k));
            real = real + col(k);
        }
        b.assert_bool(real);
        const E exit = col(is_exit), write = col(is_write), read = col(is_read), publish = col(is_publish);
        const E ecall = exit + write + read + publish;
        const E opcode = col(is_fence) * constant(b, global_opcode(Op::fence)) +
                         col(is_ebreak) * constant(b, global_opcode(Op::ebreak)) + ecall * constant(b, global_opcode(Op::ecall));
        b_.chip.program(b, col(pc), opcode, {zero, zero, zero, zero, zero, zero, zero}, real);
        const auto ns = gadgets::bytes_at(b, m, n);
        const E count = ns[0] + constant(b, 256) * ns[1] + constant(b, 65536) * ns[2] + constant(b, 1u << 24) * ns[3];
        const E next_ts = col(ts) + constant(b, 4) * publish + constant(b, 5) * write + read * (constant(b, 5) + count);
        b_.chip.system.execution.receive(b, {col(pc), col(ts)}, real);
        b_.chip.system.execution.send(b, {col(pc) + constant(b, 4), next_ts}, real - exit);

        const E regs = constant(b, static_cast<std::uint64_t>(AddressSpace::registers));
        const auto r7 = gadgets::bytes_at(b, m, a7), r0 = gadgets::bytes_at(b, m, a0), r1 = gadgets::bytes_at(b, m, a1),
                   r2 = gadgets::bytes_at(b, m, a2);
        b_.chip.access(b, m, {a7_access}, regs, constant(b, 4 * 17), r7, r7, col(ts), ecall);
        b_.chip.access(b, m, {a0_access}, regs, constant(b, 4 * 10), r0, r0, col(ts) + one, ecall);
        b_.chip.access(b, m, {a1_access}, regs, constant(b, 4 * 11), r1, r1, col(ts) + constant(b, 2), write + read + publish);
        b_.chip.access(b, m, {a2_access}, regs, constant(b, 4 * 12), r2, r2, col(ts) + constant(b, 3), write + read);
        const std::array<E, 4> ret{write * r2[0] + read * ns[0], write * r2[1] + read * ns[1], write * r2[2] + read * ns[2],
                                   write * r2[3] + read * ns[3]};
        b_.chip.access(b, m, {ret_access}, regs, constant(b, 4 * 10), gadgets::bytes_at(b, m, ret_before), ret,
                       col(ts) + constant(b, 4) + read * count, write + read);
        b_.chip.access(b, m, {pub_access}, constant(b, static_cast<std::uint64_t>(AddressSpace::public_values)),
                       constant(b, 4) * (r0[0] + constant(b, 256) * r0[1]), gadgets::bytes_at(b, m, pub_before), r1,
                       col(ts) + constant(b, 3), publish);
        b.assert_eq(r7[0] + constant(b, 256) * r7[1],
                    constant(b, ext::Rv32im::sys_exit) * exit + constant(b, ext::Rv32im::sys_write) * write +
                        constant(b, ext::Rv32im::sys_read) * read + constant(b, ext::Rv32im::sys_publish) * publish);
        b.assert_zero(r7[2]);
        b.assert_zero(r7[3]);
        b.assert_zero(write * (r0[0] - one) * (r0[0] - constant(b, 2)));
        b.assert_zero(read * r0[0]);
        b.assert_zero((write + read) * r0[1]);
        b.assert_zero((write + read + publish) * r0[2]);
        b.assert_zero((write + read + publish) * r0[3]);
        b_.chip.system.termination.send(b, {col(pc), col(ts) + constant(b, 2), r0[0], r0[1], r0[2], r0[3]}, exit);
        // read: the hint store writes `count` bytes from a1 at ts + 4 ...
        const E address = r1[0] + constant(b, 256) * r1[1] + constant(b, 65536) * r1[2] + constant(b, 1u << 24) * r1[3];
        b_.bytes.lookup_key(b, {constant(b, 8) * r1[3]}, read);
        for (std::size_t i = 0; i < 4; ++i) b_.bytes.lookup_key(b, {ns[i]}, read);
        b_.bytes.lookup_key(b, {constant(b, 16) * ns[3]}, read);
        b.assert_zero((real - read) * count);
        b_.hint.send(b, {address, count, col(ts) + constant(b, 4)}, read);
        b_.hint.receive(b, {address + count, zero, col(ts) + constant(b, 4) + count}, read);
        const E cap_below_n = gadgets::eval_less_than(b, b_.bytes, r2, ns, gadgets::cols4<AB>(m, d), gadgets::cols4<AB>(m, borrow), read);
        b.assert_zero(read * cap_below_n);
    }

    template <class F>
    void fill(F* row, const InstructionRecord& r, const vm::Instruction<F>& in, air::RangeCheckCounts& limbs,
              air::RangeCheckCounts& bytes) const {
        using gadgets::byte_of;
        const auto op = static_cast<Op>(in.opcode - ext::Rv32im::opcode_offset);
        row[pc] = F::from_u64(r.pc);
        row[ts] = F::from_u64(r.timestamp);
        if (op == Op::fence || op == Op::ebreak) {
            row[op == Op::fence ? is_fence : is_ebreak] = F::one();
            return;
        }
        const std::uint32_t call = r.accesses[0].value;
        const auto reads = [&](std::size_t count) {
            static constexpr std::array<std::size_t, 4> cols{a7, a0, a1, a2};
            for (std::size_t k = 0; k < count; ++k) {
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
            case ext::Rv32im::sys_read: {
                row[is_read] = F::one();
                reads(4);
                const AccessRecord& ret = r.accesses.back();
                const std::uint32_t count = ret.value, cap = r.accesses[3].value;
                put_bytes(row, ret_before, ret.previous_value);
                put_access(row, {ret_access}, ret, r.timestamp + 4 + count, limbs);
                put_bytes(row, n, count);
                bytes.add(8 * byte_of(r.accesses[2].value, 3));
                for (std::size_t i = 0; i < 4; ++i) bytes.add(byte_of(count, i));
                bytes.add(16 * byte_of(count, 3));
                gadgets::put_less_than(row, d, borrow, cap, count, bytes);
                return;
            }
            case ext::Rv32im::sys_publish:
                row[is_publish] = F::one();
                reads(3);
                put_bytes(row, pub_before, r.accesses[3].previous_value);
                put_access(row, {pub_access}, r.accesses[3], r.timestamp + 3, limbs);
                return;
            default:
                throw Error(ErrorCode::invalid_argument, "rv32im: ecall " + std::to_string(call) + " at pc " + hex32(r.pc) +
                                                             " cannot be proven");
        }
    }

private:
    Rv32Buses b_;
};

// --- hint_store: the bytes a read (ecall 63) writes into memory ---------------------------------
//
// One row per byte: it receives (address, remaining, ts) on the hint bus and sends (address +
// 1, remaining - 1, ts + 1), and stores its byte (range-checked; its value is the prover's
// witness) into the word at address - offset, offset = e1 + 2 e2 + 3 e3 with e one-hot,
// keeping the word's other bytes. A read's chain of rows goes from (a1, n, ts + 4) to
// (a1 + n, 0, ts + 4 + n): each row adds 1 to the timestamp, so the chain has exactly n rows,
// and timestamps increase, so rows cannot form cycles of their own. The word address needs no
// range check: a memory message is only balanced by a chain the boundary starts at 4 w with
// w < 2^27, and address - offset = 4 w has one solution with offset in 0..3 (address < 2^29).
class HintStoreAir {
public:
    enum Col : std::size_t {
        real = 0, address, remaining, ts, e, word = e + 4, byte, before, after = before + 4, access = after + 4,
        width_ = access + 3
    };
    explicit HintStoreAir(Rv32Buses buses) : b_(buses) {}
    [[nodiscard]] static std::size_t width() noexcept { return width_; }
    [[nodiscard]] static std::string name() { return "hint_store"; }

    template <class AB>
    void eval(AB& b) const {
        using E = typename AB::Expr;
        using gadgets::constant;
        const auto m = b.main();
        const auto col = [&](std::size_t i) { return E(m.local(i)); };
        const E one = constant(b, 1), on = col(real);
        b.assert_bool(on);
        E sum = constant(b, 0), offset = constant(b, 0);
        for (std::size_t k = 0; k < 4; ++k) {
            b.assert_bool(col(e + k));
            sum = sum + col(e + k);
            offset = offset + constant(b, k) * col(e + k);
        }
        b.assert_eq(sum, on);
        b.assert_eq(col(word), col(address) - offset);
        const auto bs = gadgets::bytes_at(b, m, before), as = gadgets::bytes_at(b, m, after);
        for (std::size_t k = 0; k < 4; ++k) b.assert_zero(as[k] - col(e + k) * col(byte) - (on - col(e + k)) * bs[k]);
        b_.bytes.lookup_key(b, {col(byte)}, on);
        b_.chip.access(b, m, {access}, constant(b, static_cast<std::uint64_t>(AddressSpace::memory)), col(word), bs, as,
                       col(ts), on);
        b_.hint.receive(b, {col(address), col(remaining), col(ts)}, on);
        b_.hint.send(b, {col(address) + one, col(remaining) - one, col(ts) + one}, on);
    }

    // The rows of every read in the system-call arena.
    template <class F>
    static field::RowMajorMatrix<F> trace(const RecordArena& calls, air::RangeCheckCounts& limbs, air::RangeCheckCounts& bytes) {
        std::size_t total = 0;
        for (std::size_t i = 0; i < calls.size(); ++i) {
            const auto r = calls[i];
            if (r.accesses.size() > 5) total += r.accesses.size() - 5;
        }
        auto t = field::zero_matrix<F>(trace_rows(total), width_);
        std::size_t row_index = 0;
        for (std::size_t i = 0; i < calls.size(); ++i) {
            const auto r = calls[i];
            if (r.accesses.size() <= 5) continue;  // not a read, or a read of nothing
            const std::uint32_t start = r.accesses[2].value, count = static_cast<std::uint32_t>(r.accesses.size() - 5);
            for (std::uint32_t k = 0; k < count; ++k) {
                const AccessRecord& a = r.accesses[4 + k];
                F* row = t.data() + (row_index++) * width_;
                const std::uint32_t addr = start + k, off = addr & 3, ts_k = r.timestamp + 4 + k;
                row[real] = F::one();
                row[address] = F::from_u64(addr);
                row[remaining] = F::from_u64(count - k);
                row[ts] = F::from_u64(ts_k);
                row[e + off] = F::one();
                row[word] = F::from_u64(addr - off);
                const std::uint32_t v = gadgets::byte_of(a.value, off);
                row[byte] = F::from_u64(v);
                bytes.add(v);
                put_bytes(row, before, a.previous_value);
                put_bytes(row, after, a.value);
                put_access(row, {access}, a, ts_k, limbs);
            }
        }
        return t;
    }

private:
    Rv32Buses b_;
};

// --- auipc ----------------------------------------------------------------------------------
//
// rd = pc + (c << 12) mod 2^32. pc = sum p_i 256^i with p range-checked bytes and p3 < 64
// (4 p3 range-checked; provable pcs are below 2^30), c = n + 16 i2 + 4096 i3 with i2, i3
// bytes and 16 n a byte (so n < 16: c's fixed value leaves n an integer of |n| < 2^20, and
// only 0 <= n < 16 puts 16 n in [0, 256)): the immediate's bytes are (0, 16 n, i2, i3). The
// byte-wise sum with boolean carries and range-checked z is then pc + (c << 12) mod 2^32.
class AuipcAir {
public:
    enum Col : std::size_t {
        real = 0, pc, ts, rd, c, f, z, z_before = z + 4, z_access = z_before + 4, p = z_access + 3, n = p + 4, i2, i3,
        carry, width_ = carry + 3
    };
    explicit AuipcAir(Rv32Buses buses) : b_(buses) {}
    [[nodiscard]] static std::size_t width() noexcept { return width_; }
    [[nodiscard]] static std::string name() { return "auipc"; }

    template <class AB>
    void eval(AB& b) const {
        using E = typename AB::Expr;
        using gadgets::constant;
        const auto m = b.main();
        const auto col = [&](std::size_t i) { return E(m.local(i)); };
        const E zero = constant(b, 0), on = col(real);
        b.assert_bool(on);
        b.assert_bool(col(f));
        b_.chip.program(b, col(pc), on * constant(b, global_opcode(Op::auipc)), {col(rd), zero, col(c), zero, zero, col(f), zero}, on);
        b_.chip.execute(b, col(pc), col(ts), col(pc) + constant(b, 4), col(ts) + constant(b, 1), on);
        const auto zs = gadgets::bytes_at(b, m, z), ps = gadgets::bytes_at(b, m, p);
        b_.chip.access(b, m, {z_access}, constant(b, static_cast<std::uint64_t>(AddressSpace::registers)),
                       gadgets::reg_address(b, col(rd)), gadgets::bytes_at(b, m, z_before), zs, col(ts), on * col(f));
        b.assert_eq(col(pc), ps[0] + constant(b, 256) * ps[1] + constant(b, 65536) * ps[2] + constant(b, 1u << 24) * ps[3]);
        b.assert_eq(col(c), col(n) + constant(b, 16) * col(i2) + constant(b, 4096) * col(i3));
        for (std::size_t i = 0; i < 4; ++i) {
            b_.bytes.lookup_key(b, {ps[i]}, on);
            b_.bytes.lookup_key(b, {zs[i]}, on);
        }
        b_.bytes.lookup_key(b, {constant(b, 4) * ps[3]}, on);
        b_.bytes.lookup_key(b, {col(i2)}, on);
        b_.bytes.lookup_key(b, {col(i3)}, on);
        b_.bytes.lookup_key(b, {constant(b, 16) * col(n)}, on);
        b.assert_eq(zs[0], ps[0]);
        const E k = constant(b, 256);
        for (std::size_t i = 0; i < 3; ++i) b.assert_bool(col(carry + i));
        b.assert_zero(on * (ps[1] + constant(b, 16) * col(n) - zs[1] - k * col(carry)));
        b.assert_zero(on * (ps[2] + col(i2) + col(carry) - zs[2] - k * col(carry + 1)));
        b.assert_zero(on * (ps[3] + col(i3) + col(carry + 1) - zs[3] - k * col(carry + 2)));
    }

    template <class F>
    void fill(F* row, const InstructionRecord& r, const vm::Instruction<F>& in, air::RangeCheckCounts& limbs,
              air::RangeCheckCounts& bytes) const {
        using gadgets::byte_of;
        const auto cv = static_cast<std::uint32_t>(in.operands[2].to_u64());
        row[real] = F::one();
        row[pc] = F::from_u64(r.pc);
        row[ts] = F::from_u64(r.timestamp);
        row[rd] = in.operands[0];
        row[c] = in.operands[2];
        row[f] = in.operands[5];
        const std::uint32_t imm = cv << 12, zv = r.pc + imm;
        put_bytes(row, z, zv);
        put_bytes(row, z_before, r.accesses[0].previous_value);
        put_access(row, {z_access}, r.accesses[0], r.timestamp, limbs);
        put_bytes(row, p, r.pc);
        row[n] = F::from_u64(cv & 15);
        row[i2] = F::from_u64((cv >> 4) & 0xff);
        row[i3] = F::from_u64(cv >> 12);
        for (std::size_t i = 0; i < 4; ++i) {
            bytes.add(byte_of(r.pc, i));
            bytes.add(byte_of(zv, i));
        }
        bytes.add(4 * byte_of(r.pc, 3));
        bytes.add((cv >> 4) & 0xff);
        bytes.add(cv >> 12);
        bytes.add(16 * (cv & 15));
        std::uint32_t carry_in = 0;
        for (std::size_t i = 1; i < 4; ++i) {
            carry_in = (byte_of(r.pc, i) + byte_of(imm, i) + carry_in) >> 8;
            row[carry + i - 1] = F::from_u64(carry_in);
        }
    }

private:
    Rv32Buses b_;
};

// --- jalr -------------------------------------------------------------------------------------
//
// target = (rs1 + imm) & ~1: s = x + y byte-wise (gadgets::eval_add; y the sign-extended
// immediate), s0 = 2 h + bit0 with h and s0 range-checked bytes and bit0 boolean, so bit0 is
// s0's low bit; the next pc is 2 h + 256 s1 + 65536 s2 + 2^24 s3 with s3 < 64 (a target at or
// above 2^30 is no instruction of a provable program; the interpreter faults there too).
// rd = pc + 4 as in jal.
class JalrAir {
public:
    enum Col : std::size_t {
        real = 0, pc, ts, rd, rs1, c, f, x, x_access = x + 4, y0 = x_access + 3, y1, sign, h, bit0, s1, s2, s3, carry,
        z = carry + 4, z_before = z + 4, z_access = z_before + 4, width_ = z_access + 3
    };
    explicit JalrAir(Rv32Buses buses) : b_(buses) {}
    [[nodiscard]] static std::size_t width() noexcept { return width_; }
    [[nodiscard]] static std::string name() { return "jalr"; }

    template <class AB>
    void eval(AB& b) const {
        using E = typename AB::Expr;
        using gadgets::constant;
        const auto m = b.main();
        const auto col = [&](std::size_t i) { return E(m.local(i)); };
        const E zero = constant(b, 0), on = col(real);
        b.assert_bool(on);
        b.assert_bool(col(f));
        b.assert_bool(col(bit0));
        b_.chip.program(b, col(pc), on * constant(b, global_opcode(Op::jalr)), {col(rd), col(rs1), col(c), zero, zero, col(f), zero}, on);
        const E regs = constant(b, static_cast<std::uint64_t>(AddressSpace::registers));
        const auto xs = gadgets::bytes_at(b, m, x), zs = gadgets::bytes_at(b, m, z);
        b_.chip.access(b, m, {x_access}, regs, gadgets::reg_address(b, col(rs1)), xs, xs, col(ts), on);
        b_.chip.access(b, m, {z_access}, regs, gadgets::reg_address(b, col(rd)), gadgets::bytes_at(b, m, z_before), zs,
                       col(ts) + constant(b, 1), on * col(f));
        const auto ys = gadgets::eval_immediate(b, b_.bytes, col(y0), col(y1), col(sign), col(c), on);
        const E s0 = constant(b, 2) * col(h) + col(bit0);
        gadgets::eval_add(b, xs, ys, {s0, col(s1), col(s2), col(s3)}, gadgets::cols4<AB>(m, carry), on);
        for (const std::size_t k : {std::size_t(h), std::size_t(s1), std::size_t(s2), std::size_t(s3)})
            b_.bytes.lookup_key(b, {col(k)}, on);
        b_.bytes.lookup_key(b, {s0}, on);
        b_.bytes.lookup_key(b, {constant(b, 4) * col(s3)}, on);
        const E target = constant(b, 2) * col(h) + constant(b, 256) * col(s1) + constant(b, 65536) * col(s2) +
                         constant(b, 1u << 24) * col(s3);
        b_.chip.execute(b, col(pc), col(ts), target, col(ts) + constant(b, 2), on);
        b.assert_zero(on * (zs[0] + constant(b, 256) * zs[1] + constant(b, 65536) * zs[2] + constant(b, 1u << 24) * zs[3] -
                            col(pc) - constant(b, 4)));
        for (std::size_t i = 0; i < 4; ++i) b_.bytes.lookup_key(b, {zs[i]}, on);
        b_.bytes.lookup_key(b, {constant(b, 4) * zs[3]}, on);
    }

    template <class F>
    void fill(F* row, const InstructionRecord& r, const vm::Instruction<F>& in, air::RangeCheckCounts& limbs,
              air::RangeCheckCounts& bytes) const {
        using gadgets::byte_of;
        row[real] = F::one();
        row[pc] = F::from_u64(r.pc);
        row[ts] = F::from_u64(r.timestamp);
        row[rd] = in.operands[0];
        row[rs1] = in.operands[1];
        row[c] = in.operands[2];
        row[f] = in.operands[5];
        const std::uint32_t xv = r.accesses[0].value;
        put_bytes(row, x, xv);
        put_access(row, {x_access}, r.accesses[0], r.timestamp, limbs);
        const std::uint32_t yv = gadgets::put_immediate(row, y0, y1, sign, in.operands[2], bytes);
        const std::uint32_t sv = xv + yv;
        row[h] = F::from_u64(byte_of(sv, 0) >> 1);
        row[bit0] = F::from_u64(sv & 1);
        row[s1] = F::from_u64(byte_of(sv, 1));
        row[s2] = F::from_u64(byte_of(sv, 2));
        row[s3] = F::from_u64(byte_of(sv, 3));
        bytes.add(byte_of(sv, 0) >> 1);
        for (std::size_t i = 1; i < 4; ++i) bytes.add(byte_of(sv, i));
        bytes.add(byte_of(sv, 0));
        bytes.add(4 * byte_of(sv, 3));
        gadgets::put_add_carries(row, carry, xv, yv);
        const std::uint32_t zv = r.pc + 4;
        put_bytes(row, z, zv);
        put_bytes(row, z_before, r.accesses[1].previous_value);
        put_access(row, {z_access}, r.accesses[1], r.timestamp + 1, limbs);
        for (std::size_t i = 0; i < 4; ++i) bytes.add(byte_of(zv, i));
        bytes.add(4 * byte_of(zv, 3));
    }

private:
    Rv32Buses b_;
};

// --- load_store (lw, lbu, lhu, sw, sh, sb) and load_sign_extend (lb, lh) ----------------------
//
// The address s = rs1 + imm byte-wise (eval_add; every s_i a range-checked byte), s0 = 4 q +
// offset with offset = e1 + 2 e2 + 3 e3 (e one-hot: the byte within the word) and q < 64
// (q and s0 range-checked): the word address is 4 q + 256 s1 + 65536 s2 + 2^24 s3 with
// s3 < 32 (8 s3 range-checked: below 2^29, the provable memory). Word accesses need e0 and
// halfword ones e0 or e2 (misaligned accesses fault in the interpreter and have no row).
// The memory word goes from b to n: loads keep it (n = b); sw writes rs2's bytes v; sb and sh
// replace the selected byte(s) with v's low ones and keep the others (n is bytes: each n_k
// is a v or b byte). Loads write rd = z: the selected byte / halfword / word (sum e_k b_k),
// zero-extended, or sign-extended from its top byte (eval_sign: 128 sign + low).
class MemoryAir {
public:
    explicit MemoryAir(Rv32Buses buses, bool sign_extend) : b_(buses), sign_extend_(sign_extend) {
        ops_ = sign_extend ? std::vector<Op>{Op::lb, Op::lh} : std::vector<Op>{Op::lw, Op::lbu, Op::lhu, Op::sw, Op::sh, Op::sb};
        std::size_t k = ops_.size();
        const auto take = [&](std::size_t n) { const std::size_t at = k; k += n; return at; };
        pc = take(1); ts = take(1); ra = take(1); rs1 = take(1); c = take(1); f = take(1);
        x = take(4); x_access = take(3); y0 = take(1); y1 = take(1); sign = take(1); q = take(1);
        s1 = take(1); s2 = take(1); s3 = take(1); carry = take(4); e = take(4);
        v = take(4); v_access = take(3); before = take(4); after = take(4); m_access = take(3);
        z = take(4); z_before = take(4); z_access = take(3); sg = take(1); low = take(1);
        width_ = k;
    }
    [[nodiscard]] std::size_t width() const noexcept { return width_; }
    [[nodiscard]] std::string name() const { return sign_extend_ ? "load_sign_extend" : "load_store"; }

    template <class AB>
    void eval(AB& b) const {
        using E = typename AB::Expr;
        using gadgets::constant;
        const auto m = b.main();
        const auto col = [&](std::size_t i) { return E(m.local(i)); };
        const E zero = constant(b, 0), one = constant(b, 1);
        const auto flag = [&](Op op) {
            for (std::size_t k = 0; k < ops_.size(); ++k)
                if (ops_[k] == op) return col(k);
            return zero;
        };
        const auto flags_sum = eval_opcode_flags(b, m, 0, std::span<const Op>(ops_));
        const E real = flags_sum.first, opcode = flags_sum.second;
        const E lw = flag(Op::lw), lbu = flag(Op::lbu), lhu = flag(Op::lhu), lb = flag(Op::lb), lh = flag(Op::lh);
        const E sw = flag(Op::sw), sh = flag(Op::sh), sb = flag(Op::sb);
        const E is_store = sw + sh + sb, is_load = real - is_store;
        b.assert_bool(col(f));
        b_.chip.program(b, col(pc), opcode, {col(ra), col(rs1), col(c), real, constant(b, 2) * real, col(f), zero}, real);
        b_.chip.execute(b, col(pc), col(ts), col(pc) + constant(b, 4), col(ts) + constant(b, 3), real);
        const E regs = constant(b, static_cast<std::uint64_t>(AddressSpace::registers));
        const auto xs = gadgets::bytes_at(b, m, x);
        b_.chip.access(b, m, {x_access}, regs, gadgets::reg_address(b, col(rs1)), xs, xs, col(ts), real);
        const auto ys = gadgets::eval_immediate(b, b_.bytes, col(y0), col(y1), col(sign), col(c), real);
        E sel = zero;
        for (std::size_t k = 0; k < 4; ++k) b.assert_bool(col(e + k));
        b.assert_eq(col(e) + col(e + 1) + col(e + 2) + col(e + 3), real);
        const E offset = col(e + 1) + constant(b, 2) * col(e + 2) + constant(b, 3) * col(e + 3);
        const E s0 = constant(b, 4) * col(q) + offset;
        gadgets::eval_add(b, xs, ys, {s0, col(s1), col(s2), col(s3)}, gadgets::cols4<AB>(m, carry), real);
        for (const std::size_t k : {q, s1, s2, s3}) b_.bytes.lookup_key(b, {col(k)}, real);
        b_.bytes.lookup_key(b, {s0}, real);
        b_.bytes.lookup_key(b, {constant(b, 8) * col(s3)}, real);
        b.assert_zero((lw + sw) * (one - col(e)));
        b.assert_zero((lhu + lh + sh) * (col(e + 1) + col(e + 3)));
        const E word = constant(b, 4) * col(q) + constant(b, 256) * col(s1) + constant(b, 65536) * col(s2) +
                       constant(b, 1u << 24) * col(s3);
        const auto vs = gadgets::bytes_at(b, m, v), bs = gadgets::bytes_at(b, m, before), ns = gadgets::bytes_at(b, m, after);
        b_.chip.access(b, m, {v_access}, regs, gadgets::reg_address(b, col(ra)), vs, vs, col(ts) + one, is_store);
        b_.chip.access(b, m, {m_access}, constant(b, static_cast<std::uint64_t>(AddressSpace::memory)), word, bs, ns,
                       col(ts) + one + is_store, real);
        for (std::size_t k = 0; k < 4; ++k) {
            sel = sel + col(e + k) * bs[k];
            b.assert_zero(is_load * (ns[k] - bs[k]));
            b.assert_zero(sw * (ns[k] - vs[k]));
            b.assert_zero(sb * (ns[k] - col(e + k) * vs[0] - (one - col(e + k)) * bs[k]));
        }
        const E lo_half = col(e), hi_half = col(e + 2);
        b.assert_zero(sh * (ns[0] - lo_half * vs[0] - (one - lo_half) * bs[0]));
        b.assert_zero(sh * (ns[1] - lo_half * vs[1] - (one - lo_half) * bs[1]));
        b.assert_zero(sh * (ns[2] - hi_half * vs[0] - (one - hi_half) * bs[2]));
        b.assert_zero(sh * (ns[3] - hi_half * vs[1] - (one - hi_half) * bs[3]));
        // rd
        const auto zs = gadgets::bytes_at(b, m, z);
        b_.chip.access(b, m, {z_access}, regs, gadgets::reg_address(b, col(ra)), gadgets::bytes_at(b, m, z_before), zs,
                       col(ts) + constant(b, 2), is_load * col(f));
        const E half0 = lo_half * bs[0] + hi_half * bs[2], half1 = lo_half * bs[1] + hi_half * bs[3];
        for (std::size_t k = 0; k < 4; ++k) b.assert_zero(lw * (zs[k] - bs[k]));
        b.assert_zero((lbu + lb) * (zs[0] - sel));
        b.assert_zero((lhu + lh) * (zs[0] - half0));
        b.assert_zero((lhu + lh) * (zs[1] - half1));
        b.assert_zero(lbu * zs[1]);
        b.assert_zero((lbu + lhu) * zs[2]);
        b.assert_zero((lbu + lhu) * zs[3]);
        if (sign_extend_) {
            const E fill = constant(b, 255) * col(sg);
            gadgets::eval_sign(b, b_.bytes, lb * zs[0] + lh * zs[1], col(sg), col(low), real);
            b.assert_zero(lb * (zs[1] - fill));
            b.assert_zero(real * (zs[2] - fill));
            b.assert_zero(real * (zs[3] - fill));
        } else {
            b.assert_zero(col(sg));
        }
    }

    template <class F>
    void fill(F* row, const InstructionRecord& r, const vm::Instruction<F>& in, air::RangeCheckCounts& limbs,
              air::RangeCheckCounts& bytes) const {
        using gadgets::byte_of;
        const Op op = put_opcode_flag(row, 0, std::span<const Op>(ops_), in, pc, ts, r);
        const bool store = op == Op::sw || op == Op::sh || op == Op::sb;
        row[ra] = in.operands[0];
        row[rs1] = in.operands[1];
        row[c] = in.operands[2];
        row[f] = in.operands[5];
        const std::uint32_t xv = r.accesses[0].value;
        put_bytes(row, x, xv);
        put_access(row, {x_access}, r.accesses[0], r.timestamp, limbs);
        const std::uint32_t yv = gadgets::put_immediate(row, y0, y1, sign, in.operands[2], bytes);
        const std::uint32_t sv = xv + yv, off = sv & 3;
        row[q] = F::from_u64(byte_of(sv, 0) >> 2);
        row[s1] = F::from_u64(byte_of(sv, 1));
        row[s2] = F::from_u64(byte_of(sv, 2));
        row[s3] = F::from_u64(byte_of(sv, 3));
        bytes.add(byte_of(sv, 0) >> 2);
        for (std::size_t i = 1; i < 4; ++i) bytes.add(byte_of(sv, i));
        bytes.add(byte_of(sv, 0));
        bytes.add(8 * byte_of(sv, 3));
        gadgets::put_add_carries(row, carry, xv, yv);
        row[e + off] = F::one();
        const AccessRecord& mem = r.accesses[store ? 2 : 1];
        if (store) {
            put_bytes(row, v, r.accesses[1].value);
            put_access(row, {v_access}, r.accesses[1], r.timestamp + 1, limbs);
        }
        put_bytes(row, before, mem.previous_value);
        put_bytes(row, after, mem.value);
        put_access(row, {m_access}, mem, r.timestamp + (store ? 2 : 1), limbs);
        if (!store) {
            const std::uint32_t w = mem.value;
            std::uint32_t zv = 0;
            switch (op) {
                case Op::lw: zv = w; break;
                case Op::lbu: zv = byte_of(w, off); break;
                case Op::lhu: zv = (w >> (8 * off)) & 0xffff; break;
                case Op::lb: zv = static_cast<std::uint32_t>(static_cast<std::int32_t>(static_cast<std::int8_t>(byte_of(w, off)))); break;
                case Op::lh: zv = static_cast<std::uint32_t>(static_cast<std::int32_t>(static_cast<std::int16_t>((w >> (8 * off)) & 0xffff))); break;
                default: break;
            }
            put_bytes(row, z, zv);
            put_bytes(row, z_before, r.accesses[2].previous_value);
            put_access(row, {z_access}, r.accesses[2], r.timestamp + 2, limbs);
            if (sign_extend_) gadgets::put_sign(row, sg, low, op == Op::lb ? byte_of(zv, 0) : byte_of(zv, 1), bytes);
        }
    }

    // Column indices (after the opcode flags, one per opcode of the chip).
    std::size_t pc, ts, ra, rs1, c, f, x, x_access, y0, y1, sign, q, s1, s2, s3, carry, e, v, v_access, before, after,
        m_access, z, z_before, z_access, sg, low;

private:
    Rv32Buses b_;
    bool sign_extend_;
    std::vector<Op> ops_;
    std::size_t width_;
};

// --- less_than (slt, sltu, slti, sltiu) and branch_less_than (blt, bge, bltu, bgeu) -----------
//
// A signed comparison is the unsigned one of both values with their top bit flipped (x3 +
// 128 - 256 sign, the sign from eval_sign), so both chips compare X < Y unsigned with
// eval_less_than (range-checked difference bytes, boolean borrows): lt is the last borrow.
// slt* write (lt, 0, 0, 0); branches take blt / bltu when lt and bge / bgeu when not.
class CompareAir {
public:
    explicit CompareAir(Rv32Buses buses, bool branch) : b_(buses), branch_(branch) {
        ops_ = branch ? std::vector<Op>{Op::blt, Op::bge, Op::bltu, Op::bgeu} : std::vector<Op>{Op::slt, Op::sltu, Op::slti, Op::sltiu};
        std::size_t k = ops_.size();
        const auto take = [&](std::size_t n) { const std::size_t at = k; k += n; return at; };
        pc = take(1); ts = take(1); a = take(1); rb = take(1); c = take(1); f = take(1);
        x = take(4); x_access = take(3); y = take(4); y_access = take(3); sign = take(1);
        xs = take(1); xlow = take(1); ys = take(1); ylow = take(1); d = take(4); borrow = take(4);
        z_before = take(4); z_access = take(3); next_pc = take(1); taken = take(1);
        width_ = k;
    }
    [[nodiscard]] std::size_t width() const noexcept { return width_; }
    [[nodiscard]] std::string name() const { return branch_ ? "branch_less_than" : "less_than"; }

    template <class AB>
    void eval(AB& b) const {
        using E = typename AB::Expr;
        using gadgets::constant;
        const auto m = b.main();
        const auto col = [&](std::size_t i) { return E(m.local(i)); };
        const E zero = constant(b, 0), one = constant(b, 1);
        const auto flags_sum = eval_opcode_flags(b, m, 0, std::span<const Op>(ops_));
        const E real = flags_sum.first, opcode = flags_sum.second;
        const E is_signed = col(0) + (branch_ ? col(1) : col(2));           // slt, slti / blt, bge
        const E is_imm = branch_ ? zero : col(2) + col(3);                   // slti, sltiu
        const E is_reg = real - is_imm;
        const E regs = constant(b, static_cast<std::uint64_t>(AddressSpace::registers));
        const auto xb = gadgets::bytes_at(b, m, x), yb = gadgets::bytes_at(b, m, y);
        if (branch_) {
            b_.chip.program(b, col(pc), opcode, {col(a), col(rb), col(c), zero, zero, zero, zero}, real);
            b_.chip.access(b, m, {x_access}, regs, gadgets::reg_address(b, col(a)), xb, xb, col(ts), real);
            b_.chip.access(b, m, {y_access}, regs, gadgets::reg_address(b, col(rb)), yb, yb, col(ts) + one, real);
        } else {
            b.assert_bool(col(f));
            b_.chip.program(b, col(pc), opcode, {col(a), col(rb), col(c), real, is_reg, col(f), zero}, real);
            b_.chip.access(b, m, {x_access}, regs, gadgets::reg_address(b, col(rb)), xb, xb, col(ts), real);
            b_.chip.access(b, m, {y_access}, regs, gadgets::reg_address(b, col(c)), yb, yb, col(ts) + one, is_reg);
            b.assert_bool(col(sign));
            b.assert_zero(is_imm * (yb[0] + constant(b, 256) * yb[1] - constant(b, 65536) * col(sign) - col(c)));
            b.assert_zero(is_imm * (yb[2] - constant(b, 255) * col(sign)));
            b.assert_zero(is_imm * (yb[3] - constant(b, 255) * col(sign)));
            b_.bytes.lookup_key(b, {yb[0]}, is_imm);
            b_.bytes.lookup_key(b, {yb[1]}, is_imm);
        }
        gadgets::eval_sign(b, b_.bytes, xb[3], col(xs), col(xlow), is_signed);
        gadgets::eval_sign(b, b_.bytes, yb[3], col(ys), col(ylow), is_signed);
        const E flip = constant(b, 128);
        const std::array<E, 4> X{xb[0], xb[1], xb[2], xb[3] + is_signed * (flip - constant(b, 256) * col(xs))};
        const std::array<E, 4> Y{yb[0], yb[1], yb[2], yb[3] + is_signed * (flip - constant(b, 256) * col(ys))};
        const E lt = gadgets::eval_less_than(b, b_.bytes, X, Y, gadgets::cols4<AB>(m, d), gadgets::cols4<AB>(m, borrow), real);
        if (branch_) {
            b.assert_eq(col(taken), (col(0) + col(2)) * lt + (col(1) + col(3)) * (one - lt));
            b.assert_zero(real * (col(next_pc) - col(pc) - constant(b, 4) - col(taken) * (col(c) - constant(b, 4))));
            b_.chip.execute(b, col(pc), col(ts), col(next_pc), col(ts) + constant(b, 2), real);
        } else {
            b_.chip.execute(b, col(pc), col(ts), col(pc) + constant(b, 4), col(ts) + constant(b, 2) + is_reg, real);
            b_.chip.access(b, m, {z_access}, regs, gadgets::reg_address(b, col(a)), gadgets::bytes_at(b, m, z_before),
                           {lt, zero, zero, zero}, col(ts) + one + is_reg, real * col(f));
        }
    }

    template <class F>
    void fill(F* row, const InstructionRecord& r, const vm::Instruction<F>& in, air::RangeCheckCounts& limbs,
              air::RangeCheckCounts& bytes) const {
        using gadgets::byte_of;
        const Op op = put_opcode_flag(row, 0, std::span<const Op>(ops_), in, pc, ts, r);
        row[a] = in.operands[0];
        row[rb] = in.operands[1];
        row[c] = in.operands[2];
        row[f] = in.operands[5];
        const bool imm = op == Op::slti || op == Op::sltiu;
        const bool is_signed = op == Op::slt || op == Op::slti || op == Op::blt || op == Op::bge;
        const std::uint32_t xv = r.accesses[0].value;
        put_bytes(row, x, xv);
        put_access(row, {x_access}, r.accesses[0], r.timestamp, limbs);
        std::uint32_t yv;
        if (imm) {
            yv = static_cast<std::uint32_t>(to_signed(in.operands[2]));
            row[sign] = F::from_u64(yv >> 31);
            bytes.add(byte_of(yv, 0));
            bytes.add(byte_of(yv, 1));
        } else {
            yv = r.accesses[1].value;
            put_access(row, {y_access}, r.accesses[1], r.timestamp + 1, limbs);
        }
        put_bytes(row, y, yv);
        std::uint32_t X = xv, Y = yv;
        if (is_signed) {
            gadgets::put_sign(row, xs, xlow, byte_of(xv, 3), bytes);
            gadgets::put_sign(row, ys, ylow, byte_of(yv, 3), bytes);
            X ^= 0x80000000u;
            Y ^= 0x80000000u;
        }
        const bool lt = gadgets::put_less_than(row, d, borrow, X, Y, bytes);
        if (branch_) {
            row[next_pc] = F::from_u64(r.next_pc);
            row[taken] = F::from_u64(lt == (op == Op::blt || op == Op::bltu) ? 1 : 0);
        } else {
            const AccessRecord& w = r.accesses[imm ? 1 : 2];
            put_bytes(row, z_before, w.previous_value);
            put_access(row, {z_access}, w, r.timestamp + (imm ? 1 : 2), limbs);
        }
    }

    // Column indices (after the opcode flags, one per opcode of the chip).
    std::size_t pc, ts, a, rb, c, f, x, x_access, y, y_access, sign, xs, xlow, ys, ylow, d, borrow, z_before, z_access,
        next_pc, taken;

private:
    Rv32Buses b_;
    bool branch_;
    std::vector<Op> ops_;
    std::size_t width_;
};

// --- shift: sll, srl, sra and their immediates ------------------------------------------------
//
// The amount s = sum k er_k + 8 sum L el_L with er (bit shift, 8 values) and el (byte shift, 4
// values) one-hot; s is the immediate c, or the low 5 bits of rs2's low byte (y0 = s + 32 t,
// t < 8 by range-checking t and 32 t). Each byte is split, uniquely since x_i 2^k < 2^15:
// left shifts x_i 2^r = lo_i + 256 hi_i, right shifts x_i 2^(8-r) = lo_i + 256 hi_i (lo, hi
// range-checked bytes). The shifted bytes are u_j = lo_j + hi_(j-1) (left) or hi_j +
// lo_(j+1) (right; above the top byte: sra's sign fill, sign from eval_sign, 255 sign per
// whole byte and sign (256 - 2^(8-r)) within the top byte, a column constrained to that
// product), and z_k = sum_L el_L u_(k -+ L).
class ShiftAir {
public:
    static constexpr std::array<Op, 6> ops{Op::sll, Op::srl, Op::sra, Op::slli, Op::srli, Op::srai};
    enum Col : std::size_t {
        flags = 0, pc = 6, ts, rd, rs1, c, f, x, x_access = x + 4, y = x_access + 3, y_access = y + 4, t = y_access + 3,
        er, el = er + 8, lo = el + 4, hi = lo + 4, sg = hi + 4, xlow, sign_fill, z, z_before = z + 4, z_access = z_before + 4,
        width_ = z_access + 3
    };
    explicit ShiftAir(Rv32Buses buses) : b_(buses) {}
    [[nodiscard]] static std::size_t width() noexcept { return width_; }
    [[nodiscard]] static std::string name() { return "shift"; }

    template <class AB>
    void eval(AB& b) const {
        using E = typename AB::Expr;
        using gadgets::constant;
        const auto m = b.main();
        const auto col = [&](std::size_t i) { return E(m.local(i)); };
        const E zero = constant(b, 0), one = constant(b, 1);
        const auto flags_sum = eval_opcode_flags(b, m, flags, std::span<const Op>(ops));
        const E real = flags_sum.first, opcode = flags_sum.second;
        const E is_imm = col(flags + 3) + col(flags + 4) + col(flags + 5), is_reg = real - is_imm;
        const E left = col(flags) + col(flags + 3), right = real - left, arith = col(flags + 2) + col(flags + 5);
        b.assert_bool(col(f));
        b_.chip.program(b, col(pc), opcode, {col(rd), col(rs1), col(c), real, is_reg, col(f), zero}, real);
        b_.chip.execute(b, col(pc), col(ts), col(pc) + constant(b, 4), col(ts) + constant(b, 2) + is_reg, real);
        const E regs = constant(b, static_cast<std::uint64_t>(AddressSpace::registers));
        const auto xs = gadgets::bytes_at(b, m, x), ys = gadgets::bytes_at(b, m, y), zs = gadgets::bytes_at(b, m, z);
        b_.chip.access(b, m, {x_access}, regs, gadgets::reg_address(b, col(rs1)), xs, xs, col(ts), real);
        b_.chip.access(b, m, {y_access}, regs, gadgets::reg_address(b, col(c)), ys, ys, col(ts) + one, is_reg);
        b_.chip.access(b, m, {z_access}, regs, gadgets::reg_address(b, col(rd)), gadgets::bytes_at(b, m, z_before), zs,
                       col(ts) + one + is_reg, real * col(f));
        E amount = zero, er_sum = zero, el_sum = zero, pow = zero, rpow = zero;
        for (std::size_t k = 0; k < 8; ++k) {
            b.assert_bool(col(er + k));
            er_sum = er_sum + col(er + k);
            amount = amount + constant(b, k) * col(er + k);
            pow = pow + constant(b, 1u << k) * col(er + k);
            rpow = rpow + constant(b, 1u << (8 - k)) * col(er + k);
        }
        for (std::size_t k = 0; k < 4; ++k) {
            b.assert_bool(col(el + k));
            el_sum = el_sum + col(el + k);
            amount = amount + constant(b, 8 * k) * col(el + k);
        }
        b.assert_eq(er_sum, real);
        b.assert_eq(el_sum, real);
        b.assert_zero(is_imm * (amount - col(c)));
        b.assert_zero(is_reg * (ys[0] - amount - constant(b, 32) * col(t)));
        b_.bytes.lookup_key(b, {col(t)}, is_reg);
        b_.bytes.lookup_key(b, {constant(b, 32) * col(t)}, is_reg);
        gadgets::eval_sign(b, b_.bytes, xs[3], col(sg), col(xlow), arith);
        b.assert_zero((real - arith) * col(sg));
        b.assert_eq(col(sign_fill), col(sg) * (constant(b, 256) - rpow));
        std::array<E, 4> ul, ur;
        for (std::size_t i = 0; i < 4; ++i) {
            b.assert_zero(left * (xs[i] * pow - col(lo + i) - constant(b, 256) * col(hi + i)));
            b.assert_zero(right * (xs[i] * rpow - col(lo + i) - constant(b, 256) * col(hi + i)));
            b_.bytes.lookup_key(b, {col(lo + i)}, real);
            b_.bytes.lookup_key(b, {col(hi + i)}, real);
            ul[i] = col(lo + i) + (i > 0 ? col(hi + i - 1) : zero);
            ur[i] = col(hi + i) + (i < 3 ? col(lo + i + 1) : col(sign_fill));
        }
        const E sign_byte = constant(b, 255) * col(sg);
        for (std::size_t k = 0; k < 4; ++k) {
            E l = zero, r = zero;
            for (std::size_t s = 0; s < 4; ++s) {
                if (s <= k) l = l + col(el + s) * ul[k - s];
                r = r + col(el + s) * (k + s < 4 ? ur[k + s] : sign_byte);
            }
            b.assert_zero(left * (zs[k] - l));
            b.assert_zero(right * (zs[k] - r));
        }
    }

    template <class F>
    void fill(F* row, const InstructionRecord& r, const vm::Instruction<F>& in, air::RangeCheckCounts& limbs,
                  air::RangeCheckCounts& bytes) const {
        using gadgets::byte_of;
        const Op op = put_opcode_flag(row, flags, std::span<const Op>(ops), in, pc, ts, r);
        row[rd] = in.operands[0];
        row[rs1] = in.operands[1];
        row[c] = in.operands[2];
        row[f] = in.operands[5];
        const bool imm = op == Op::slli || op == Op::srli || op == Op::srai;
        const std::uint32_t xv = r.accesses[0].value;
        put_bytes(row, x, xv);
        put_access(row, {x_access}, r.accesses[0], r.timestamp, limbs);
        std::uint32_t amount;
        if (imm) {
            amount = static_cast<std::uint32_t>(in.operands[2].to_u64());
        } else {
            const std::uint32_t yv = r.accesses[1].value;
            put_bytes(row, y, yv);
            put_access(row, {y_access}, r.accesses[1], r.timestamp + 1, limbs);
            amount = yv & 31;
            row[t] = F::from_u64(byte_of(yv, 0) >> 5);
            bytes.add(byte_of(yv, 0) >> 5);
            bytes.add(32 * (byte_of(yv, 0) >> 5));
        }
        const std::uint32_t bits = amount & 7, limbs_shift = amount >> 3;
        row[er + bits] = F::one();
        row[el + limbs_shift] = F::one();
        const bool left = op == Op::sll || op == Op::slli, arith = op == Op::sra || op == Op::srai;
        for (std::size_t i = 0; i < 4; ++i) {
            const std::uint32_t v = byte_of(xv, i) << (left ? bits : 8 - bits);
            row[lo + i] = F::from_u64(v & 0xff);
            row[hi + i] = F::from_u64(v >> 8);
            bytes.add(v & 0xff);
            bytes.add(v >> 8);
        }
        if (arith) {
            gadgets::put_sign(row, sg, xlow, byte_of(xv, 3), bytes);
            row[sign_fill] = F::from_u64((xv >> 31) * (256 - (1u << (8 - bits))));
        }
        const std::uint32_t zv = alu(op, xv, amount);
        put_bytes(row, z, zv);
        const AccessRecord& w = r.accesses[imm ? 1 : 2];
        put_bytes(row, z_before, w.previous_value);
        put_access(row, {z_access}, w, r.timestamp + (imm ? 1 : 2), limbs);
    }
private:
    Rv32Buses b_;
};

// --- multiplication (mul), mulh (mulh, mulhsu, mulhu), divrem (div, divu, rem, remu) ----------
//
// Products are byte convolutions with carries: sum_(i+j=k) X_i Y_j + carry_(k-1) = P_k + 256
// carry_k, with P range-checked bytes and carries range-checked below 2^14 (a column sum is
// at most 8 * 255^2 + 2^11 < 2^20, so no equation wraps the field). mul uses 4 columns of
// bytes (the low word). mulh* sign-extend the operands to 8 bytes (X_i = 255 sign for i >= 4,
// the sign from eval_sign where the variant is signed, 0 otherwise) and keep the high word.
class MulAir {
public:
    enum Col : std::size_t {
        real = 0, pc, ts, rd, rs1, rs2, f, x, x_access = x + 4, y = x_access + 3, y_access = y + 4, z = y_access + 3,
        z_before = z + 4, z_access = z_before + 4, carry = z_access + 3, width_ = carry + 4
    };
    explicit MulAir(Rv32Buses buses) : b_(buses) {}
    [[nodiscard]] static std::size_t width() noexcept { return width_; }
    [[nodiscard]] static std::string name() { return "multiplication"; }

    template <class AB>
    void eval(AB& b) const {
        using E = typename AB::Expr;
        using gadgets::constant;
        const auto m = b.main();
        const auto col = [&](std::size_t i) { return E(m.local(i)); };
        const E zero = constant(b, 0), one = constant(b, 1), on = col(real);
        b.assert_bool(on);
        b.assert_bool(col(f));
        b_.chip.program(b, col(pc), on * constant(b, global_opcode(Op::mul)), {col(rd), col(rs1), col(rs2), on, on, col(f), zero}, on);
        b_.chip.execute(b, col(pc), col(ts), col(pc) + constant(b, 4), col(ts) + constant(b, 3), on);
        const E regs = constant(b, static_cast<std::uint64_t>(AddressSpace::registers));
        const auto xs = gadgets::bytes_at(b, m, x), ys = gadgets::bytes_at(b, m, y), zs = gadgets::bytes_at(b, m, z);
        b_.chip.access(b, m, {x_access}, regs, gadgets::reg_address(b, col(rs1)), xs, xs, col(ts), on);
        b_.chip.access(b, m, {y_access}, regs, gadgets::reg_address(b, col(rs2)), ys, ys, col(ts) + one, on);
        b_.chip.access(b, m, {z_access}, regs, gadgets::reg_address(b, col(rd)), gadgets::bytes_at(b, m, z_before), zs,
                       col(ts) + constant(b, 2), on * col(f));
        E carry_in = zero;
        for (std::size_t k = 0; k < 4; ++k) {
            E sum = carry_in;
            for (std::size_t i = 0; i <= k; ++i) sum = sum + xs[i] * ys[k - i];
            b.assert_zero(on * (sum - zs[k] - constant(b, 256) * col(carry + k)));
            b_.bytes.lookup_key(b, {zs[k]}, on);
            b_.chip.timestamps.lookup_key(b, {col(carry + k)}, on);
            carry_in = col(carry + k);
        }
    }

    template <class F>
    void fill(F* row, const InstructionRecord& r, const vm::Instruction<F>& in, air::RangeCheckCounts& limbs,
              air::RangeCheckCounts& bytes) const {
        using gadgets::byte_of;
        row[real] = F::one();
        row[pc] = F::from_u64(r.pc);
        row[ts] = F::from_u64(r.timestamp);
        row[rd] = in.operands[0];
        row[rs1] = in.operands[1];
        row[rs2] = in.operands[2];
        row[f] = in.operands[5];
        const std::uint32_t xv = r.accesses[0].value, yv = r.accesses[1].value, zv = xv * yv;
        put_bytes(row, x, xv);
        put_bytes(row, y, yv);
        put_bytes(row, z, zv);
        put_access(row, {x_access}, r.accesses[0], r.timestamp, limbs);
        put_access(row, {y_access}, r.accesses[1], r.timestamp + 1, limbs);
        put_bytes(row, z_before, r.accesses[2].previous_value);
        put_access(row, {z_access}, r.accesses[2], r.timestamp + 2, limbs);
        std::uint64_t carry_in = 0;
        for (std::size_t k = 0; k < 4; ++k) {
            std::uint64_t sum = carry_in;
            for (std::size_t i = 0; i <= k; ++i) sum += std::uint64_t{byte_of(xv, i)} * byte_of(yv, k - i);
            carry_in = sum >> 8;
            row[carry + k] = F::from_u64(carry_in);
            bytes.add(byte_of(zv, k));
            limbs.add(carry_in);
        }
    }

private:
    Rv32Buses b_;
};

class MulhAir {
public:
    static constexpr std::array<Op, 3> ops{Op::mulh, Op::mulhsu, Op::mulhu};
    enum Col : std::size_t {
        flags = 0, pc = 3, ts, rd, rs1, rs2, f, x, x_access = x + 4, y = x_access + 3, y_access = y + 4, w = y_access + 3,
        z = w + 4, z_before = z + 4, z_access = z_before + 4, carry = z_access + 3, xs = carry + 8, xlow, ys, ylow, width_
    };
    explicit MulhAir(Rv32Buses buses) : b_(buses) {}
    [[nodiscard]] static std::size_t width() noexcept { return width_; }
    [[nodiscard]] static std::string name() { return "mulh"; }

    template <class AB>
    void eval(AB& b) const {
        using E = typename AB::Expr;
        using gadgets::constant;
        const auto m = b.main();
        const auto col = [&](std::size_t i) { return E(m.local(i)); };
        const E zero = constant(b, 0), one = constant(b, 1);
        const auto flags_sum = eval_opcode_flags(b, m, flags, std::span<const Op>(ops));
        const E real = flags_sum.first, opcode = flags_sum.second;
        b.assert_bool(col(f));
        b_.chip.program(b, col(pc), opcode, {col(rd), col(rs1), col(rs2), real, real, col(f), zero}, real);
        b_.chip.execute(b, col(pc), col(ts), col(pc) + constant(b, 4), col(ts) + constant(b, 3), real);
        const E regs = constant(b, static_cast<std::uint64_t>(AddressSpace::registers));
        const auto xb = gadgets::bytes_at(b, m, x), yb = gadgets::bytes_at(b, m, y), zb = gadgets::bytes_at(b, m, z),
                   wb = gadgets::bytes_at(b, m, w);
        b_.chip.access(b, m, {x_access}, regs, gadgets::reg_address(b, col(rs1)), xb, xb, col(ts), real);
        b_.chip.access(b, m, {y_access}, regs, gadgets::reg_address(b, col(rs2)), yb, yb, col(ts) + one, real);
        b_.chip.access(b, m, {z_access}, regs, gadgets::reg_address(b, col(rd)), gadgets::bytes_at(b, m, z_before), zb,
                       col(ts) + constant(b, 2), real * col(f));
        const E x_signed = col(flags) + col(flags + 1), y_signed = col(flags);
        gadgets::eval_sign(b, b_.bytes, xb[3], col(xs), col(xlow), x_signed);
        gadgets::eval_sign(b, b_.bytes, yb[3], col(ys), col(ylow), y_signed);
        b.assert_zero((real - x_signed) * col(xs));
        b.assert_zero((real - y_signed) * col(ys));
        const auto X = [&](std::size_t i) { return i < 4 ? xb[i] : constant(b, 255) * col(xs); };
        const auto Y = [&](std::size_t i) { return i < 4 ? yb[i] : constant(b, 255) * col(ys); };
        E carry_in = zero;
        for (std::size_t k = 0; k < 8; ++k) {
            E sum = carry_in;
            for (std::size_t i = 0; i <= k; ++i) sum = sum + X(i) * Y(k - i);
            const E p = k < 4 ? wb[k] : zb[k - 4];
            b.assert_zero(real * (sum - p - constant(b, 256) * col(carry + k)));
            b_.bytes.lookup_key(b, {p}, real);
            b_.chip.timestamps.lookup_key(b, {col(carry + k)}, real);
            carry_in = col(carry + k);
        }
    }

    template <class F>
    void fill(F* row, const InstructionRecord& r, const vm::Instruction<F>& in, air::RangeCheckCounts& limbs,
              air::RangeCheckCounts& bytes) const {
        using gadgets::byte_of;
        const Op op = put_opcode_flag(row, flags, std::span<const Op>(ops), in, pc, ts, r);
        row[rd] = in.operands[0];
        row[rs1] = in.operands[1];
        row[rs2] = in.operands[2];
        row[f] = in.operands[5];
        const std::uint32_t xv = r.accesses[0].value, yv = r.accesses[1].value;
        put_bytes(row, x, xv);
        put_bytes(row, y, yv);
        put_access(row, {x_access}, r.accesses[0], r.timestamp, limbs);
        put_access(row, {y_access}, r.accesses[1], r.timestamp + 1, limbs);
        const bool xsigned = op != Op::mulhu, ysigned = op == Op::mulh;
        const std::uint32_t xsv = xsigned ? xv >> 31 : 0, ysv = ysigned ? yv >> 31 : 0;
        if (xsigned) gadgets::put_sign(row, xs, xlow, byte_of(xv, 3), bytes);
        if (ysigned) gadgets::put_sign(row, ys, ylow, byte_of(yv, 3), bytes);
        const auto X = [&](std::size_t i) -> std::uint64_t { return i < 4 ? byte_of(xv, i) : 255 * xsv; };
        const auto Y = [&](std::size_t i) -> std::uint64_t { return i < 4 ? byte_of(yv, i) : 255 * ysv; };
        std::uint64_t carry_in = 0;
        std::array<std::uint32_t, 8> p{};
        for (std::size_t j = 0; j < 8; ++j) {
            std::uint64_t sum = carry_in;
            for (std::size_t i = 0; i <= j; ++i) sum += X(i) * Y(j - i);
            p[j] = static_cast<std::uint32_t>(sum & 0xff);
            carry_in = sum >> 8;
            row[carry + j] = F::from_u64(carry_in);
            bytes.add(p[j]);
            limbs.add(carry_in);
        }
        for (std::size_t i = 0; i < 4; ++i) {
            row[w + i] = F::from_u64(p[i]);
            row[z + i] = F::from_u64(p[4 + i]);
        }
        put_bytes(row, z_before, r.accesses[2].previous_value);
        put_access(row, {z_access}, r.accesses[2], r.timestamp + 2, limbs);
    }

private:
    Rv32Buses b_;
};

// divrem: q and r (range-checked bytes) with x = q y + r as 64-bit sign-extended byte
// convolutions (exact: |q y| <= 2^62 and |r| < 2^31 keep both sides inside (-2^63, 2^63),
// so equality mod 2^64 is equality of integers), |r| < |y| (the absolute values as bytes,
// v XOR 255 sign + sign with carries, compared by eval_less_than) and r = 0 or sign(r) =
// sign(x): that fixes q = trunc(x / y) and r (unsigned: all signs 0, r < y). Division by
// zero (y = 0, tested by the inverse trick of branch_equal) forces q = 0xffffffff and skips
// the size check; the equation then gives r = x. Signed overflow (ovf: only when x = INT_MIN,
// y = -1, the variant signed) keeps the low word of the equation and forces r = 0, so
// q = INT_MIN. rd is q (div, divu) or r (rem, remu).
class DivRemAir {
public:
    static constexpr std::array<Op, 4> ops{Op::div, Op::divu, Op::rem, Op::remu};
    enum Col : std::size_t {
        flags = 0, pc = 4, ts, rd, rs1, rs2, f, x, x_access = x + 4, y = x_access + 3, y_access = y + 4, q = y_access + 3,
        r = q + 4, z = r + 4, z_before = z + 4, z_access = z_before + 4, carry = z_access + 3, xs = carry + 8, xlow, ys,
        ylow, qs, qlow, rs, rlow, yzero, yinv, rzero = yinv + 4, rinv, ovf = rinv + 4, ar, arc = ar + 4, ay = arc + 4,
        ayc = ay + 4, d = ayc + 4, borrow = d + 4, width_ = borrow + 4
    };
    explicit DivRemAir(Rv32Buses buses) : b_(buses) {}
    [[nodiscard]] static std::size_t width() noexcept { return width_; }
    [[nodiscard]] static std::string name() { return "divrem"; }

    template <class AB>
    void eval(AB& b) const {
        using E = typename AB::Expr;
        using gadgets::constant;
        const auto m = b.main();
        const auto col = [&](std::size_t i) { return E(m.local(i)); };
        const E zero = constant(b, 0), one = constant(b, 1), k255 = constant(b, 255), k256 = constant(b, 256);
        const auto flags_sum = eval_opcode_flags(b, m, flags, std::span<const Op>(ops));
        const E real = flags_sum.first, opcode = flags_sum.second;
        b.assert_bool(col(f));
        const E is_signed = col(flags) + col(flags + 2), is_q = col(flags) + col(flags + 1), is_r = real - is_q;
        b_.chip.program(b, col(pc), opcode, {col(rd), col(rs1), col(rs2), real, real, col(f), zero}, real);
        b_.chip.execute(b, col(pc), col(ts), col(pc) + constant(b, 4), col(ts) + constant(b, 3), real);
        const E regs = constant(b, static_cast<std::uint64_t>(AddressSpace::registers));
        const auto xb = gadgets::bytes_at(b, m, x), yb = gadgets::bytes_at(b, m, y), qb = gadgets::bytes_at(b, m, q),
                   rb = gadgets::bytes_at(b, m, r), zb = gadgets::bytes_at(b, m, z);
        b_.chip.access(b, m, {x_access}, regs, gadgets::reg_address(b, col(rs1)), xb, xb, col(ts), real);
        b_.chip.access(b, m, {y_access}, regs, gadgets::reg_address(b, col(rs2)), yb, yb, col(ts) + one, real);
        b_.chip.access(b, m, {z_access}, regs, gadgets::reg_address(b, col(rd)), gadgets::bytes_at(b, m, z_before), zb,
                       col(ts) + constant(b, 2), real * col(f));
        for (std::size_t i = 0; i < 4; ++i) {
            b.assert_zero(zb[i] - is_q * qb[i] - is_r * rb[i]);
            b_.bytes.lookup_key(b, {qb[i]}, real);
            b_.bytes.lookup_key(b, {rb[i]}, real);
        }
        // Signs (0 for the unsigned variants).
        const std::array<std::pair<std::size_t, std::size_t>, 4> signs{{{xs, xlow}, {ys, ylow}, {qs, qlow}, {rs, rlow}}};
        const std::array<E, 4> tops{xb[3], yb[3], qb[3], rb[3]};
        for (std::size_t k = 0; k < 4; ++k) {
            gadgets::eval_sign(b, b_.bytes, tops[k], col(signs[k].first), col(signs[k].second), is_signed);
            b.assert_zero((real - is_signed) * col(signs[k].first));
        }
        // y == 0 and r == 0 flags.
        const auto zero_flag = [&](const std::array<E, 4>& v, std::size_t flag, std::size_t inv) {
            b.assert_bool(col(flag));
            b.assert_zero(col(flag) * (one - real));
            E dot = zero;
            for (std::size_t i = 0; i < 4; ++i) {
                b.assert_zero(col(flag) * v[i]);
                dot = dot + v[i] * col(inv + i);
            }
            b.assert_zero((real - col(flag)) * (dot - one));
        };
        zero_flag(yb, yzero, yinv);
        zero_flag(rb, rzero, rinv);
        for (std::size_t i = 0; i < 4; ++i) b.assert_zero(col(yzero) * (qb[i] - k255));
        // Signed overflow.
        const E o = col(ovf);
        b.assert_bool(o);
        b.assert_zero(o * (one - is_signed));
        for (std::size_t i = 0; i < 4; ++i) {
            b.assert_zero(o * (xb[i] - (i == 3 ? constant(b, 128) : zero)));
            b.assert_zero(o * (yb[i] - k255));
            b.assert_zero(o * rb[i]);
        }
        // x = q y + r over 8 sign-extended bytes (the high half only without overflow).
        const auto ext = [&](const std::array<E, 4>& v, std::size_t sign, std::size_t i) {
            return i < 4 ? v[i] : k255 * col(sign);
        };
        E carry_in = zero;
        for (std::size_t k = 0; k < 8; ++k) {
            E sum = carry_in + ext(rb, rs, k) - ext(xb, xs, k);
            for (std::size_t i = 0; i <= k; ++i) sum = sum + ext(qb, qs, i) * ext(yb, ys, k - i);
            b.assert_zero((k < 4 ? real : real - o) * (sum - k256 * col(carry + k)));
            b_.chip.timestamps.lookup_key(b, {col(carry + k)}, real);
            carry_in = col(carry + k);
        }
        // r = 0 or sign(r) = sign(x).
        b.assert_zero((real - col(rzero)) * (col(rs) - col(xs)));
        // |r| < |y| unless y = 0.
        const auto absolute = [&](const std::array<E, 4>& v, std::size_t sign, std::size_t out, std::size_t carries) {
            E c = col(sign);
            std::array<E, 4> a;
            for (std::size_t i = 0; i < 4; ++i) {
                const E flipped = v[i] + col(sign) * (k255 - constant(b, 2) * v[i]);
                b.assert_bool(col(carries + i));
                b.assert_zero(real * (flipped + c - col(out + i) - k256 * col(carries + i)));
                b_.bytes.lookup_key(b, {col(out + i)}, real);
                c = col(carries + i);
                a[i] = col(out + i);
            }
            return a;
        };
        const auto abs_r = absolute(rb, rs, ar, arc), abs_y = absolute(yb, ys, ay, ayc);
        const E lt = gadgets::eval_less_than(b, b_.bytes, abs_r, abs_y, gadgets::cols4<AB>(m, d), gadgets::cols4<AB>(m, borrow),
                                            real - col(yzero));
        b.assert_zero((real - col(yzero)) * (one - lt));
    }

    template <class F>
    void fill(F* row, const InstructionRecord& rec, const vm::Instruction<F>& in, air::RangeCheckCounts& limbs,
              air::RangeCheckCounts& bytes) const {
        using gadgets::byte_of;
        const Op op = put_opcode_flag(row, flags, std::span<const Op>(ops), in, pc, ts, rec);
        row[rd] = in.operands[0];
        row[rs1] = in.operands[1];
        row[rs2] = in.operands[2];
        row[f] = in.operands[5];
        const std::uint32_t xv = rec.accesses[0].value, yv = rec.accesses[1].value;
        const bool sgn = op == Op::div || op == Op::rem;
        const std::uint32_t qv = alu(sgn ? Op::div : Op::divu, xv, yv), rv = alu(sgn ? Op::rem : Op::remu, xv, yv);
        put_bytes(row, x, xv);
        put_bytes(row, y, yv);
        put_bytes(row, q, qv);
        put_bytes(row, r, rv);
        put_bytes(row, z, op == Op::div || op == Op::divu ? qv : rv);
        put_access(row, {x_access}, rec.accesses[0], rec.timestamp, limbs);
        put_access(row, {y_access}, rec.accesses[1], rec.timestamp + 1, limbs);
        put_bytes(row, z_before, rec.accesses[2].previous_value);
        put_access(row, {z_access}, rec.accesses[2], rec.timestamp + 2, limbs);
        for (std::size_t i = 0; i < 4; ++i) {
            bytes.add(byte_of(qv, i));
            bytes.add(byte_of(rv, i));
        }
        std::uint32_t sx = 0, sy = 0, sq = 0, sr = 0;
        if (sgn) {
            gadgets::put_sign(row, xs, xlow, byte_of(xv, 3), bytes);
            gadgets::put_sign(row, ys, ylow, byte_of(yv, 3), bytes);
            gadgets::put_sign(row, qs, qlow, byte_of(qv, 3), bytes);
            gadgets::put_sign(row, rs, rlow, byte_of(rv, 3), bytes);
            sx = xv >> 31;
            sy = yv >> 31;
            sq = qv >> 31;
            sr = rv >> 31;
        }
        const auto put_zero_flag = [&](std::uint32_t v, std::size_t flag, std::size_t inv) {
            if (v == 0) {
                row[flag] = F::one();
                return;
            }
            for (std::size_t i = 0; i < 4; ++i)
                if (byte_of(v, i) != 0) {
                    row[inv + i] = F::from_u64(byte_of(v, i)).inverse();
                    return;
                }
        };
        put_zero_flag(yv, yzero, yinv);
        put_zero_flag(rv, rzero, rinv);
        const bool overflow = sgn && xv == 0x80000000u && yv == 0xffffffffu;
        row[ovf] = F::from_u64(overflow ? 1 : 0);
        const auto ext = [](std::uint32_t v, std::uint32_t s, std::size_t i) -> std::int64_t {
            return i < 4 ? byte_of(v, i) : 255 * s;
        };
        std::int64_t carry_in = 0;
        for (std::size_t j = 0; j < 8; ++j) {
            std::int64_t sum = carry_in + ext(rv, sr, j) - ext(xv, sx, j);
            for (std::size_t i = 0; i <= j; ++i) sum += ext(qv, sq, i) * ext(yv, sy, j - i);
            carry_in = (overflow && j >= 4) ? 0 : sum / 256;
            row[carry + j] = F::from_u64(static_cast<std::uint64_t>(carry_in));
            limbs.add(static_cast<std::uint64_t>(carry_in));
        }
        const auto put_abs = [&](std::uint32_t v, std::uint32_t s, std::size_t out, std::size_t carries) {
            const std::uint32_t a = s ? ~v + 1 : v;
            std::uint32_t c = s;
            for (std::size_t i = 0; i < 4; ++i) {
                const std::uint32_t flipped = s ? 255 - byte_of(v, i) : byte_of(v, i);
                c = (flipped + c) >> 8;
                row[carries + i] = F::from_u64(c);
                row[out + i] = F::from_u64(byte_of(a, i));
                bytes.add(byte_of(a, i));
            }
            return a;
        };
        const std::uint32_t abs_r = put_abs(rv, sr, ar, arc), abs_y = put_abs(yv, sy, ay, ayc);
        if (yv != 0) gadgets::put_less_than(row, d, borrow, abs_r, abs_y, bytes);
    }

private:
    Rv32Buses b_;
};

}  // namespace causality::vm::rv32im

namespace causality::vm::ext {

template <class SC>
void Rv32im::extend_circuit(CircuitInventory<SC>& inv) const {
    const rv32im::Rv32Buses buses{ChipBuses::from(inv), inv.range_checker(8), inv.bitwise(), air::PermutationBus{inv.new_bus()}};
    for (std::uint32_t chip = 0; chip < chip_names.size(); ++chip) {
        switch (chip) {
            case 0: inv.add_chip(rv32im::BaseAluAir(buses), 3); break;
            case 1: inv.add_chip(rv32im::ShiftAir(buses), 3); break;
            case 2: inv.add_chip(rv32im::CompareAir(buses, false), 3); break;
            case 3: inv.add_chip(rv32im::BranchEqualAir(buses), 2); break;
            case 4: inv.add_chip(rv32im::CompareAir(buses, true), 2); break;
            case 5: inv.add_chip(rv32im::JalLuiAir(buses), 1); break;
            case 6: inv.add_chip(rv32im::JalrAir(buses), 2); break;
            case 7: inv.add_chip(rv32im::AuipcAir(buses), 1); break;
            case 8: inv.add_chip(rv32im::MemoryAir(buses, false), 3); break;
            case 9: inv.add_chip(rv32im::MemoryAir(buses, true), 3); break;
            case 10: inv.add_chip(rv32im::MulAir(buses), 3); break;
            case 11: inv.add_chip(rv32im::MulhAir(buses), 3); break;
            case 12: inv.add_chip(rv32im::DivRemAir(buses), 3); break;
            case 13: inv.add_chip(rv32im::SystemCallAir(buses), 5); break;
            case 14: inv.add_chip(rv32im::HintStoreAir(buses), 1); break;
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
        case 1: return fill(rv32im::ShiftAir(none));
        case 2: return fill(rv32im::CompareAir(none, false));
        case 3: return fill(rv32im::BranchEqualAir(none));
        case 4: return fill(rv32im::CompareAir(none, true));
        case 5: return fill(rv32im::JalLuiAir(none));
        case 6: return fill(rv32im::JalrAir(none));
        case 7: return fill(rv32im::AuipcAir(none));
        case 8: return fill(rv32im::MemoryAir(none, false));
        case 9: return fill(rv32im::MemoryAir(none, true));
        case 10: return fill(rv32im::MulAir(none));
        case 11: return fill(rv32im::MulhAir(none));
        case 12: return fill(rv32im::DivRemAir(none));
        case 13: return fill(rv32im::SystemCallAir(none));
        case 14: return rv32im::HintStoreAir::trace<F>(inv.extension_arena(13), limbs, bytes);
        default:
            throw Error(ErrorCode::invalid_argument,
                        "rv32im: chip " + std::string(chip_names.at(chip)) + " cannot be proven yet");
    }
}

}  // namespace causality::vm::ext
