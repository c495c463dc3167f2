// causality/vm/rv32im/alu.hpp — the exact results of RV32IM's arithmetic, comparisons and
// branches, as the unprivileged specification defines them: shifts use the low five bits
// of the amount; division by zero gives all ones (DIV, DIVU) and the dividend (REM, REMU);
// INT_MIN / -1 overflows to INT_MIN with remainder 0; MULH, MULHSU and MULHU are the high
// words of the signed x signed, signed x unsigned and unsigned x unsigned products.
#pragma once

#include <causality/vm/rv32im/decode.hpp>

#include <cstdint>
#include <limits>

namespace causality::vm::rv32im {

// The result of a register-register or register-immediate operation (b is rs2's value or
// the immediate as 32 bits).
// Always inlined: the interpreter calls it with a constant op, which folds the switch.
[[gnu::always_inline]] constexpr std::uint32_t alu(Op op, std::uint32_t a, std::uint32_t b) noexcept {
    const auto sa = static_cast<std::int32_t>(a), sb = static_cast<std::int32_t>(b);
    constexpr std::int32_t int_min = std::numeric_limits<std::int32_t>::min();
    switch (op) {
        case Op::add: case Op::addi: return a + b;
        case Op::sub: return a - b;
        case Op::sll: case Op::slli: return a << (b & 31);
        case Op::srl: case Op::srli: return a >> (b & 31);
        case Op::sra: case Op::srai: return static_cast<std::uint32_t>(sa >> (b & 31));
        case Op::slt: case Op::slti: return sa < sb ? 1 : 0;
        case Op::sltu: case Op::sltiu: return a < b ? 1 : 0;
        case Op::xor_: case Op::xori: return a ^ b;
        case Op::or_: case Op::ori: return a | b;
        case Op::and_: case Op::andi: return a & b;
        case Op::mul: return a * b;
        case Op::mulh:
            return static_cast<std::uint32_t>(static_cast<std::uint64_t>(std::int64_t{sa} * std::int64_t{sb}) >> 32);
        case Op::mulhsu:
            return static_cast<std::uint32_t>(
                static_cast<std::uint64_t>(std::int64_t{sa} * static_cast<std::int64_t>(std::uint64_t{b})) >> 32);
        case Op::mulhu: return static_cast<std::uint32_t>((std::uint64_t{a} * std::uint64_t{b}) >> 32);
        case Op::div:
            if (b == 0) return 0xffffffffu;
            if (sa == int_min && sb == -1) return a;
            return static_cast<std::uint32_t>(sa / sb);
        case Op::divu: return b == 0 ? 0xffffffffu : a / b;
        case Op::rem:
            if (b == 0) return a;
            if (sa == int_min && sb == -1) return 0;
            return static_cast<std::uint32_t>(sa % sb);
        case Op::remu: return b == 0 ? a : a % b;
        default: return 0;
    }
}

[[gnu::always_inline]] constexpr bool branch_taken(Op op, std::uint32_t a, std::uint32_t b) noexcept {
    const auto sa = static_cast<std::int32_t>(a), sb = static_cast<std::int32_t>(b);
    switch (op) {
        case Op::beq: return a == b;
        case Op::bne: return a != b;
        case Op::blt: return sa < sb;
        case Op::bge: return sa >= sb;
        case Op::bltu: return a < b;
        case Op::bgeu: return a >= b;
        default: return false;
    }
}

}  // namespace causality::vm::rv32im
