// causality/vm/rv32im/decode.hpp — RV32IM instruction words: decoding into an opcode and
// operands, and disassembly. Every RV32I base instruction (ecall and ebreak included,
// fence as a no-op) and every M-extension instruction is recognised; anything else —
// CSR instructions, compressed or 64-bit encodings, reserved bits — is an
// Error(invalid_argument) that names the pc and the instruction word.
#pragma once

#include <causality/error.hpp>
#include <causality/vm/format.hpp>

#include <array>
#include <cstdint>
#include <cstdio>
#include <string>

namespace causality::vm::rv32im {

enum class Op : std::uint8_t {
    lui, auipc, jal, jalr,
    beq, bne, blt, bge, bltu, bgeu,
    lb, lh, lw, lbu, lhu, sb, sh, sw,
    addi, slti, sltiu, xori, ori, andi, slli, srli, srai,
    add, sub, sll, slt, sltu, xor_, srl, sra, or_, and_,
    mul, mulh, mulhsu, mulhu, div, divu, rem, remu,
    fence, ecall, ebreak,
};
inline constexpr std::size_t op_count = static_cast<std::size_t>(Op::ebreak) + 1;

inline constexpr std::array<const char*, op_count> op_names{
    "lui", "auipc", "jal", "jalr", "beq", "bne", "blt", "bge", "bltu", "bgeu", "lb", "lh", "lw", "lbu", "lhu",
    "sb", "sh", "sw", "addi", "slti", "sltiu", "xori", "ori", "andi", "slli", "srli", "srai", "add", "sub",
    "sll", "slt", "sltu", "xor", "srl", "sra", "or", "and", "mul", "mulh", "mulhsu", "mulhu", "div", "divu",
    "rem", "remu", "fence", "ecall", "ebreak"};

struct Instruction {
    Op op = Op::addi;
    std::uint8_t rd = 0, rs1 = 0, rs2 = 0;
    std::int32_t imm = 0;  // sign-extended immediate (U-type: already shifted; shifts: shamt)
    friend bool operator==(const Instruction&, const Instruction&) = default;
};

namespace detail {
constexpr std::int32_t sext(std::uint32_t v, unsigned bits) noexcept {
    const std::uint32_t m = std::uint32_t{1} << (bits - 1);
    return static_cast<std::int32_t>((v ^ m) - m);
}
}  // namespace detail

[[noreturn]] inline void unsupported(std::uint32_t pc, std::uint32_t word, const char* why) {
    throw Error(ErrorCode::invalid_argument, "rv32im: unsupported instruction " + hex32(word) + " at pc " +
                                                 hex32(pc) + " (" + why + ")");
}

// Decodes one instruction word, or says why it is not an RV32IM instruction.
struct Decoded {
    Instruction instruction;
    const char* error = nullptr;  // null when the word decoded
};
inline Decoded try_decode(std::uint32_t w) noexcept {
    using detail::sext;
    const auto rd = static_cast<std::uint8_t>((w >> 7) & 31), rs1 = static_cast<std::uint8_t>((w >> 15) & 31),
               rs2 = static_cast<std::uint8_t>((w >> 20) & 31);
    const std::uint32_t f3 = (w >> 12) & 7, f7 = w >> 25;
    const std::int32_t imm_i = sext(w >> 20, 12);
    const std::int32_t imm_s = sext(((w >> 25) << 5) | ((w >> 7) & 31), 12);
    const std::int32_t imm_b =
        sext(((w >> 31) << 12) | (((w >> 7) & 1) << 11) | (((w >> 25) & 63) << 5) | (((w >> 8) & 15) << 1), 13);
    const std::int32_t imm_j = sext(((w >> 31) << 20) | (((w >> 12) & 255) << 12) | (((w >> 20) & 1) << 11) |
                                        (((w >> 21) & 1023) << 1),
                                    21);
    const auto u = static_cast<std::int32_t>(w & 0xfffff000u);
    if ((w & 3) != 3) return {{}, "compressed encoding"};
    switch (w & 0x7f) {
        case 0x37: return {{Op::lui, rd, 0, 0, u}};
        case 0x17: return {{Op::auipc, rd, 0, 0, u}};
        case 0x6f: return {{Op::jal, rd, 0, 0, imm_j}};
        case 0x67:
            if (f3 != 0) break;
            return {{Op::jalr, rd, rs1, 0, imm_i}};
        case 0x63: {
            static constexpr std::array<int, 8> ops{0, 1, -1, -1, 2, 3, 4, 5};
            if (ops[f3] < 0) break;
            return {{static_cast<Op>(static_cast<int>(Op::beq) + ops[f3]), 0, rs1, rs2, imm_b}};
        }
        case 0x03: {
            static constexpr std::array<Op, 8> ops{Op::lb, Op::lh, Op::lw, Op::ebreak, Op::lbu, Op::lhu, Op::ebreak,
                                                   Op::ebreak};
            if (ops[f3] == Op::ebreak) break;
            return {{ops[f3], rd, rs1, 0, imm_i}};
        }
        case 0x23:
            if (f3 > 2) break;
            return {{static_cast<Op>(static_cast<int>(Op::sb) + static_cast<int>(f3)), 0, rs1, rs2, imm_s}};
        case 0x13:
            switch (f3) {
                case 0: return {{Op::addi, rd, rs1, 0, imm_i}};
                case 2: return {{Op::slti, rd, rs1, 0, imm_i}};
                case 3: return {{Op::sltiu, rd, rs1, 0, imm_i}};
                case 4: return {{Op::xori, rd, rs1, 0, imm_i}};
                case 6: return {{Op::ori, rd, rs1, 0, imm_i}};
                case 7: return {{Op::andi, rd, rs1, 0, imm_i}};
                case 1:
                    if (f7 != 0) break;
                    return {{Op::slli, rd, rs1, 0, static_cast<std::int32_t>(rs2)}};
                case 5:
                    if (f7 == 0) return {{Op::srli, rd, rs1, 0, static_cast<std::int32_t>(rs2)}};
                    if (f7 == 0x20) return {{Op::srai, rd, rs1, 0, static_cast<std::int32_t>(rs2)}};
                    break;
            }
            break;
        case 0x33: {
            if (f7 == 0) {
                static constexpr std::array<Op, 8> ops{Op::add, Op::sll, Op::slt, Op::sltu,
                                                       Op::xor_, Op::srl, Op::or_, Op::and_};
                return {{ops[f3], rd, rs1, rs2, 0}};
            }
            if (f7 == 1) return {{static_cast<Op>(static_cast<int>(Op::mul) + static_cast<int>(f3)), rd, rs1, rs2, 0}};
            if (f7 == 0x20 && f3 == 0) return {{Op::sub, rd, rs1, rs2, 0}};
            if (f7 == 0x20 && f3 == 5) return {{Op::sra, rd, rs1, rs2, 0}};
            break;
        }
        case 0x0f:
            if (f3 == 0) return {{Op::fence, 0, 0, 0, 0}};
            break;
        case 0x73:
            if (w == 0x00000073) return {{Op::ecall, 0, 0, 0, 0}};
            if (w == 0x00100073) return {{Op::ebreak, 0, 0, 0, 0}};
            return {{}, "system instruction other than ecall/ebreak (CSRs are not supported)"};
        default: break;
    }
    return {{}, "not an RV32IM encoding"};
}

// Decodes one instruction word; `pc` only names the place in errors.
inline Instruction decode(std::uint32_t w, std::uint32_t pc = 0) {
    const Decoded d = try_decode(w);
    if (d.error != nullptr) unsupported(pc, w, d.error);
    return d.instruction;
}

// Assembler-like text: "addi a0, a0, -1", "lw t0, 8(sp)", "beq a0, zero, pc+16".
inline std::string disassemble(const Instruction& in) {
    static constexpr std::array<const char*, 32> abi{"zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2",
                                                     "s0",   "s1", "a0", "a1", "a2", "a3", "a4", "a5",
                                                     "a6",   "a7", "s2", "s3", "s4", "s5", "s6", "s7",
                                                     "s8",   "s9", "s10", "s11", "t3", "t4", "t5", "t6"};
    const std::string name = op_names[static_cast<std::size_t>(in.op)];
    const std::string rd = abi[in.rd], rs1 = abi[in.rs1], rs2 = abi[in.rs2], imm = std::to_string(in.imm);
    const auto rel = [&] { return std::string(in.imm < 0 ? "pc" : "pc+") + imm; };
    switch (in.op) {
        case Op::lui:
        case Op::auipc: return name + " " + rd + ", " + hex32(static_cast<std::uint32_t>(in.imm) >> 12);
        case Op::jal: return name + " " + rd + ", " + rel();
        case Op::jalr: return name + " " + rd + ", " + imm + "(" + rs1 + ")";
        case Op::beq: case Op::bne: case Op::blt: case Op::bge: case Op::bltu: case Op::bgeu:
            return name + " " + rs1 + ", " + rs2 + ", " + rel();
        case Op::lb: case Op::lh: case Op::lw: case Op::lbu: case Op::lhu:
            return name + " " + rd + ", " + imm + "(" + rs1 + ")";
        case Op::sb: case Op::sh: case Op::sw: return name + " " + rs2 + ", " + imm + "(" + rs1 + ")";
        case Op::addi: case Op::slti: case Op::sltiu: case Op::xori: case Op::ori: case Op::andi:
        case Op::slli: case Op::srli: case Op::srai:
            return name + " " + rd + ", " + rs1 + ", " + imm;
        case Op::fence: case Op::ecall: case Op::ebreak: return name;
        default: return name + " " + rd + ", " + rs1 + ", " + rs2;
    }
}

}  // namespace causality::vm::rv32im
