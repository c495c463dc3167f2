// RV32IM decoding and arithmetic: known instruction words from the specification's
// encodings, every format's immediate (sign extension, negative branch and jump offsets),
// unsupported words as errors naming the pc and the word, and the M extension's edge
// cases (division by zero, INT_MIN / -1, the three high-word products), shifts by 32 or
// more, signed and unsigned comparisons.
#include <causality/vm/rv32im/alu.hpp>
#include <causality/vm/rv32im/decode.hpp>

#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <random>

using namespace causality;
using namespace causality::vm::rv32im;

namespace {

std::uint32_t r_type(std::uint32_t f7, std::uint32_t rs2, std::uint32_t rs1, std::uint32_t f3, std::uint32_t rd,
                     std::uint32_t op) {
    return f7 << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | rd << 7 | op;
}
std::uint32_t b_type(std::int32_t imm, std::uint32_t rs2, std::uint32_t rs1, std::uint32_t f3) {
    const auto u = static_cast<std::uint32_t>(imm);
    return ((u >> 12) & 1) << 31 | ((u >> 5) & 63) << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | ((u >> 1) & 15) << 8 |
           ((u >> 11) & 1) << 7 | 0x63;
}
std::uint32_t j_type(std::int32_t imm, std::uint32_t rd) {
    const auto u = static_cast<std::uint32_t>(imm);
    return ((u >> 20) & 1) << 31 | ((u >> 1) & 1023) << 21 | ((u >> 11) & 1) << 20 | ((u >> 12) & 255) << 12 |
           rd << 7 | 0x6f;
}
std::uint32_t s_type(std::int32_t imm, std::uint32_t rs2, std::uint32_t rs1, std::uint32_t f3) {
    const auto u = static_cast<std::uint32_t>(imm);
    return ((u >> 5) & 127) << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | (u & 31) << 7 | 0x23;
}

constexpr std::uint32_t int_min = 0x80000000u;

}  // namespace

TEST_CASE("known instruction words decode to their operations and operands", "[vm][rv32im]") {
    CHECK(decode(0xfff50513) == Instruction{Op::addi, 10, 10, 0, -1});  // addi a0, a0, -1
    CHECK(decode(0x00812283) == Instruction{Op::lw, 5, 2, 0, 8});       // lw t0, 8(sp)
    CHECK(decode(0x00112623) == Instruction{Op::sw, 0, 2, 1, 12});      // sw ra, 12(sp)
    CHECK(decode(0x12345537) == Instruction{Op::lui, 10, 0, 0, 0x12345000});
    CHECK(decode(0x00000297) == Instruction{Op::auipc, 5, 0, 0, 0});
    CHECK(decode(0x00008067) == Instruction{Op::jalr, 0, 1, 0, 0});     // ret
    CHECK(decode(0x02c58533) == Instruction{Op::mul, 10, 11, 12, 0});
    CHECK(decode(0x02c5c533) == Instruction{Op::div, 10, 11, 12, 0});
    CHECK(decode(0x40355513) == Instruction{Op::srai, 10, 10, 0, 3});
    CHECK(decode(0x00000073).op == Op::ecall);
    CHECK(decode(0x00100073).op == Op::ebreak);
    CHECK(decode(0x0ff0000f).op == Op::fence);
    CHECK(disassemble(decode(0xfff50513)) == "addi a0, a0, -1");
    CHECK(disassemble(decode(0x00812283)) == "lw t0, 8(sp)");
    CHECK(disassemble(decode(0x00112623)) == "sw ra, 12(sp)");
    CHECK(disassemble(decode(0x02c58533)) == "mul a0, a1, a2");
}

TEST_CASE("every R-type operation and every immediate format round-trips", "[vm][rv32im]") {
    const std::pair<std::uint32_t, Op> rr[] = {
        {0x000, Op::add}, {0x200, Op::sub}, {0x001, Op::sll}, {0x002, Op::slt}, {0x003, Op::sltu},
        {0x004, Op::xor_}, {0x005, Op::srl}, {0x205, Op::sra}, {0x006, Op::or_}, {0x007, Op::and_},
        {0x010, Op::mul}, {0x011, Op::mulh}, {0x012, Op::mulhsu}, {0x013, Op::mulhu}, {0x014, Op::div},
        {0x015, Op::divu}, {0x016, Op::rem}, {0x017, Op::remu}};
    for (const auto& [code, op] : rr) {
        const std::uint32_t f7 = (code >> 4) & 0x7f, f3 = code & 7;
        CHECK(decode(r_type(f7 == 0x20 ? 0x20 : f7, 7, 6, f3, 5, 0x33)) == Instruction{op, 5, 6, 7, 0});
    }
    for (std::int32_t off : {-4096, -4, 2, 8, 4094}) {
        INFO("branch offset " << off);
        CHECK(decode(b_type(off, 2, 1, 0)) == Instruction{Op::beq, 0, 1, 2, off});
        CHECK(decode(b_type(off, 2, 1, 7)) == Instruction{Op::bgeu, 0, 1, 2, off});
    }
    for (std::int32_t off : {-(1 << 20), -2, 2, (1 << 20) - 2}) {
        INFO("jump offset " << off);
        CHECK(decode(j_type(off, 1)) == Instruction{Op::jal, 1, 0, 0, off});
    }
    for (std::int32_t off : {-2048, -1, 0, 2047}) {
        CHECK(decode(s_type(off, 3, 4, 0)) == Instruction{Op::sb, 0, 4, 3, off});
        CHECK(decode(s_type(off, 3, 4, 1)) == Instruction{Op::sh, 0, 4, 3, off});
    }
}

TEST_CASE("unsupported words are errors that name the pc and the word", "[vm][rv32im][negative]") {
    const auto expect = [](std::uint32_t word, const char* part) {
        try {
            (void)decode(word, 0x1000);
            FAIL("decoded " << word);
        } catch (const Error& e) {
            CHECK(e.code() == ErrorCode::invalid_argument);
            CHECK_THAT(e.what(), Catch::Contains("pc 0x00001000") && Catch::Contains(part));
        }
    };
    expect(0x00000000, "0x00000000");                         // all zeros: a compressed encoding
    expect(0xffffffff, "not an RV32IM encoding");
    expect(0x30001073, "CSRs are not supported");              // csrrw
    expect(0x0000100f, "not an RV32IM encoding");              // fence.i
    expect(0x00003003, "not an RV32IM encoding");              // ld (RV64)
    expect(r_type(0x20, 1, 1, 1, 1, 0x33), "not an RV32IM encoding");  // sll with funct7 0x20
    expect(0x00001013 | (1u << 25), "not an RV32IM encoding");  // slli with a shamt bit 5 (RV64)
    expect(0x0000a063, "not an RV32IM encoding");              // branch funct3 2
}

TEST_CASE("the M extension and shifts follow the specification at the edges", "[vm][rv32im]") {
    const std::uint32_t m1 = 0xffffffffu;  // -1
    CHECK(alu(Op::div, 7, 0) == m1);
    CHECK(alu(Op::divu, 7, 0) == m1);
    CHECK(alu(Op::rem, 7, 0) == 7);
    CHECK(alu(Op::remu, 7, 0) == 7);
    CHECK(alu(Op::div, int_min, m1) == int_min);
    CHECK(alu(Op::rem, int_min, m1) == 0);
    CHECK(alu(Op::div, static_cast<std::uint32_t>(-7), 2) == static_cast<std::uint32_t>(-3));  // toward zero
    CHECK(alu(Op::rem, static_cast<std::uint32_t>(-7), 2) == static_cast<std::uint32_t>(-1));  // sign of dividend
    CHECK(alu(Op::divu, static_cast<std::uint32_t>(-7), 2) == 0x7ffffffcu);
    CHECK(alu(Op::mul, 0x10000, 0x10000) == 0);
    CHECK(alu(Op::mulh, m1, m1) == 0);               // (-1)(-1) = 1
    CHECK(alu(Op::mulhu, m1, m1) == 0xfffffffeu);    // (2^32 - 1)^2 >> 32
    CHECK(alu(Op::mulhsu, m1, m1) == m1);            // -1 * (2^32 - 1) = -(2^32 - 1): high word -1
    CHECK(alu(Op::mulh, int_min, int_min) == 0x40000000u);
    CHECK(alu(Op::mulhsu, int_min, 2) == m1);
    CHECK(alu(Op::sll, 1, 33) == 2);                 // shift amounts use the low five bits
    CHECK(alu(Op::srl, int_min, 32) == int_min);
    CHECK(alu(Op::sra, int_min, 31) == m1);
    CHECK(alu(Op::srai, 0x40000000u, 30) == 1);
    CHECK(alu(Op::slt, m1, 0) == 1);
    CHECK(alu(Op::sltu, m1, 0) == 0);
    CHECK(alu(Op::sltiu, 0, m1) == 1);               // sltiu compares with the sign-extended immediate as unsigned
    CHECK(branch_taken(Op::blt, m1, 0));
    CHECK_FALSE(branch_taken(Op::bltu, m1, 0));
    CHECK(branch_taken(Op::bge, 0, m1));
    CHECK(branch_taken(Op::bgeu, m1, 0));

    // Against 64-bit references on random operands.
    std::mt19937_64 rng(17);
    for (int i = 0; i < 20000; ++i) {
        const auto a = static_cast<std::uint32_t>(rng()), b = static_cast<std::uint32_t>(rng() >> (rng() % 32));
        const auto sa = static_cast<std::int64_t>(static_cast<std::int32_t>(a));
        const auto sb = static_cast<std::int64_t>(static_cast<std::int32_t>(b));
        REQUIRE(alu(Op::mulh, a, b) == static_cast<std::uint32_t>(static_cast<std::uint64_t>(sa * sb) >> 32));
        REQUIRE(alu(Op::mulhu, a, b) == static_cast<std::uint32_t>((std::uint64_t{a} * b) >> 32));
        if (b != 0) {
            REQUIRE(alu(Op::divu, a, b) == a / b);
            REQUIRE(alu(Op::remu, a, b) == a % b);
            if (!(a == int_min && b == m1)) {
                REQUIRE(alu(Op::div, a, b) == static_cast<std::uint32_t>(sa / sb));
                REQUIRE(alu(Op::rem, a, b) == static_cast<std::uint32_t>(sa % sb));
            }
        }
    }
}
