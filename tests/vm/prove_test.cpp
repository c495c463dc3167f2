// Proving RISC-V runs: programs over the proven chips (base ALU, branch-equal, jal/lui,
// system calls) prove and verify knowing only the executable; the statement (exit code,
// published values, final pc) is bound; a proof is bound to its program and image; one
// corrupted cell in any chip's trace is found by the debug check (naming the AIR) and,
// without it, rejected by the verifier.
#include "tamper.hpp"
#include "vm_test_util.hpp"

#include <causality/stark/config.hpp>
#include <causality/vm/prove.hpp>

#include <catch2/catch.hpp>

#include <string>

using namespace causality;
using namespace causality::vm;
using namespace vmtest;

namespace {

using SC = stark::TestingConfig<field::BabyBear, 4>;

RV branch(Op op, std::uint8_t rs1, std::uint8_t rs2, std::int32_t offset) { return {op, 0, rs1, rs2, offset}; }
RV lui(std::uint8_t rd, std::uint32_t value) { return {Op::lui, rd, 0, 0, static_cast<std::int32_t>(value)}; }
RV jal(std::uint8_t rd, std::int32_t offset) { return {Op::jal, rd, 0, 0, offset}; }
enum : std::uint8_t { a3 = 13, a4 = 14, a5 = 15, a6 = 16 };
// s(k): saved register s_k (s2 = x18, ...).
std::uint8_t s(int k) { return static_cast<std::uint8_t>(16 + k); }

// fib(n) in a0; publishes it as public value 1 and exits with it.
std::vector<RV> fibonacci(std::int32_t n) {
    return {li(a0, 0),           li(a1, 1),          li(t0, n),
            r(Op::add, t1, a0, a1), i(Op::addi, a0, a1, 0), i(Op::addi, a1, t1, 0),
            i(Op::addi, t0, t0, -1), branch(Op::bne, t0, zero, -16),
            i(Op::addi, a1, a0, 0), li(a0, 1),           li(a7, 256), exit_call(),  // publish(1, fib)
            i(Op::addi, a0, a1, 0), li(a7, 93),          exit_call()};
}

// Every proven instruction once or more, with edge values (carries across every byte,
// borrows, x0 as destination, sign-extended immediates, both branch outcomes, jal over an
// instruction), writes a line (not proven) and exits with a checksum of the results.
std::vector<RV> mixed() {
    return {lui(t0, 0xfffff000u),         i(Op::addi, t0, t0, 0x7ff),   // 0xfffff7ff
            i(Op::addi, t1, zero, -1),        r(Op::add, t2, t0, t1),       // carries
            r(Op::sub, a2, zero, t0),         r(Op::xor_, a3, t0, t1),      r(Op::or_, a4, t2, a2),
            r(Op::and_, a5, t0, a3),          i(Op::xori, a6, t0, -2048),   i(Op::ori, s(2), t0, 0x155),
            i(Op::andi, s(3), t1, 0x0f0),     r(Op::add, zero, t0, t1),      // a write to x0 is no access
            branch(Op::beq, t0, t0, 8),       li(a0, 99),                    // skipped
            branch(Op::bne, t0, t0, 8),       jal(ra, 8),                    // not taken, then jump
            li(a0, 98),                       r(Op::add, a0, t2, a2),        // landing
            r(Op::xor_, a0, a0, a3),          r(Op::add, a0, a0, a4),        r(Op::add, a0, a0, a5),
            r(Op::add, a0, a0, a6),           r(Op::add, a0, a0, s(2)),      r(Op::add, a0, a0, s(3)),
            r(Op::add, a0, a0, ra),           i(Op::addi, s(4), a0, 0),
            li(a0, 1),                        lui(a1, 0x2000000),            li(a2, 3),  li(a7, 64), exit_call(),
            i(Op::addi, a0, s(4), 0),         li(a7, 93),                    exit_call()};
}

// rd = v (lui + addi, as the assembler's li).
void li32(std::vector<RV>& code, std::uint8_t rd, std::uint32_t v) {
    const std::uint32_t low = v & 0xfff;
    const std::int32_t imm = low >= 0x800 ? static_cast<std::int32_t>(low) - 0x1000 : static_cast<std::int32_t>(low);
    code.push_back(lui(rd, v - static_cast<std::uint32_t>(imm)));
    code.push_back(i(Op::addi, rd, rd, imm));
}
const std::vector<std::uint32_t> edges{0, 1, 2, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000u,
                                       0xfffffffe, 0xffffffffu, 0x12345678, 0xdeadbeef};
// Ends a checksum program: s1 and s2 published (slots 0, 1), exit with s1 ^ s2.
void finish(std::vector<RV>& code) {
    const std::uint8_t s1 = 9;
    code.insert(code.end(), {li(a0, 0), i(Op::addi, a1, s1, 0), li(a7, 256), exit_call(), li(a0, 1),
                             i(Op::addi, a1, s(2), 0), exit_call(), r(Op::xor_, a0, s1, s(2)), li(a7, 93), exit_call()});
}
// t0 = op(t1, t2) for every pair of edge values, accumulated into s1 (sum) and s2 (xor
// of rotated values).
std::vector<RV> register_ops(std::initializer_list<Op> ops) {
    std::vector<RV> code;
    for (const Op op : ops)
        for (const std::uint32_t x : edges)
            for (const std::uint32_t y : edges) {
                li32(code, t1, x);
                li32(code, t2, y);
                code.insert(code.end(), {r(op, t0, t1, t2), r(Op::add, 9, 9, t0), r(Op::xor_, s(2), s(2), t0),
                                         i(Op::slli, s(3), s(2), 1), i(Op::srli, s(2), s(2), 31), r(Op::or_, s(2), s(2), s(3))});
            }
    finish(code);
    return code;
}
std::vector<RV> immediate_ops(std::initializer_list<Op> ops, std::initializer_list<std::int32_t> imms) {
    std::vector<RV> code;
    for (const Op op : ops)
        for (const std::uint32_t x : edges)
            for (const std::int32_t imm : imms) {
                li32(code, t1, x);
                code.insert(code.end(), {i(op, t0, t1, imm), r(Op::add, 9, 9, t0), r(Op::xor_, s(2), s(2), t0)});
            }
    finish(code);
    return code;
}
// Each branch over an instruction that adds a distinct power of two to s1.
std::vector<RV> branches() {
    std::vector<RV> code;
    int k = 0;
    for (const Op op : {Op::beq, Op::bne, Op::blt, Op::bge, Op::bltu, Op::bgeu})
        for (const std::uint32_t x : edges)
            for (const std::uint32_t y : {0u, 1u, 0x80000000u, 0xffffffffu, x}) {
                li32(code, t1, x);
                li32(code, t2, y);
                code.insert(code.end(), {branch(op, t1, t2, 8), i(Op::addi, 9, 9, 1 << (k++ % 11)),
                                         r(Op::xor_, s(2), s(2), 9)});
            }
    // Backwards: a loop of 3 with blt.
    code.insert(code.end(), {li(t0, 0), li(t1, 3), i(Op::addi, t0, t0, 1), branch(Op::blt, t0, t1, -4), r(Op::add, 9, 9, t0)});
    finish(code);
    return code;
}
// jal, jalr (an odd target has bit 0 cleared), auipc, lui.
std::vector<RV> jumps() {
    std::vector<RV> code{jal(ra, 8),
                         li(9, 7),  // skipped
                         {Op::auipc, t0, 0, 0, 0},
                         i(Op::addi, t0, t0, 17),  // auipc's pc + 17: odd, jalr clears bit 0 -> pc + 16
                         {Op::jalr, ra, t0, 0, 0},
                         li(9, 5),  // skipped (pc + 12)
                         r(Op::add, 9, 9, ra),
                         {Op::auipc, t1, 0, 0, static_cast<std::int32_t>(0xfffff000u)},
                         r(Op::add, 9, 9, t1),
                         {Op::auipc, t1, 0, 0, 0x7ffff000},
                         r(Op::xor_, s(2), s(2), t1),
                         lui(t2, 0x80000000u),
                         r(Op::add, 9, 9, t2),
                         {Op::jalr, zero, ra, 0, 0}};  // back to after the first jalr: runs the tail twice? no: ra = after jalr
    code.pop_back();
    finish(code);
    return code;
}
// Stores of edge values at every offset, then loads of every width and offset.
std::vector<RV> memory_ops() {
    std::vector<RV> code;
    const std::uint8_t base_reg = t0;
    li32(code, base_reg, 0x10000);
    int at = 0;
    for (const std::uint32_t v : edges) {
        li32(code, t1, v);
        code.push_back({Op::sw, 0, base_reg, t1, at});
        code.push_back({Op::sh, 0, base_reg, t1, at + 4 + 2 * (at / 8 % 2)});
        code.push_back({Op::sb, 0, base_reg, t1, at + 8 + at / 8 % 4});
        at += 12;
    }
    for (int off = 0; off < at + 16; ++off) {
        for (const Op op : {Op::lb, Op::lbu}) code.push_back({op, t2, base_reg, 0, off - 2048 + 2048});
        if (off % 2 == 0)
            for (const Op op : {Op::lh, Op::lhu}) code.push_back({op, t2, base_reg, 0, off});
        if (off % 4 == 0) code.push_back({Op::lw, t2, base_reg, 0, off});
        code.insert(code.end(), {r(Op::add, 9, 9, t2), r(Op::xor_, s(2), s(2), t2)});
    }
    // The image: a load sees the executable's bytes; negative offsets.
    li32(code, t1, 0x20010);
    code.insert(code.end(), {{Op::lw, t2, t1, 0, -16}, r(Op::add, 9, 9, t2), {Op::lb, t2, t1, 0, -13},
                             r(Op::add, 9, 9, t2), {Op::sw, 0, t1, t2, -12}, {Op::lw, t2, t1, 0, -12},
                             r(Op::xor_, s(2), s(2), t2)});
    finish(code);
    return code;
}

struct NoCircuit {
    using tag = extension_tag;
    static constexpr std::string_view name = "no_circuit";
    static constexpr std::uint32_t opcode_offset = 0x700, opcode_count = 1;
    template <std::uint32_t L, class Ctx>
    static void execute(Ctx& ctx, const Operands&) {
        ctx.next();
    }
};

struct Proven {
    Executable<F> exe;
    VmProof<SC> proof;
};

Proven prove_program(const std::vector<RV>& code, VmProveOptions<SC> options = {}) {
    Proven p{program(code), {}};
    const Vm vm;
    p.proof = vm::prove<SC>(vm, p.exe, {}, std::move(options));
    return p;
}

}  // namespace

TEST_CASE("a Fibonacci run proves and verifies, the statement carries exit code and public value", "[vm][prove]") {
    const Vm vm;
    const auto [exe, proof] = prove_program(fibonacci(20));
    const auto expected = vm.execute(exe);
    REQUIRE(expected.exit_code == 6765);
    CHECK(proof.statement.terminated);
    CHECK(proof.statement.exit_code == 6765);
    CHECK(proof.statement.public_values.at(1) == 6765);
    CHECK(proof.statement.final_pc == expected.pc);
    CHECK(proof.statement.entry_pc == exe.entry);

    const auto bytes = proof.to_bytes();
    const auto v = vm::verify<SC>(vm, exe, std::span<const std::uint8_t>(bytes));
    INFO(v.reason());
    REQUIRE(v.ok());
    CHECK(v.statement->exit_code == 6765);

    // A changed statement is rejected: exit code, a public value, the final pc.
    auto forged = proof;
    forged.statement.exit_code = 6766;
    CHECK_FALSE(vm::verify<SC>(vm, exe, forged));
    forged = proof;
    forged.statement.public_values[1] = 0;
    CHECK_FALSE(vm::verify<SC>(vm, exe, forged));
    forged = proof;
    forged.statement.public_values[0] = 5;
    CHECK_FALSE(vm::verify<SC>(vm, exe, forged));
    forged = proof;
    forged.statement.final_pc += 4;
    CHECK_FALSE(vm::verify<SC>(vm, exe, forged));
    forged = proof;
    forged.statement.terminated = false;
    forged.statement.exit_code = 0;
    CHECK_FALSE(vm::verify<SC>(vm, exe, forged));

    // Heights a verifier refuses: traces that could hold timestamps of 2^30 or more.
    {
        const auto circuit = build_circuit<SC>(vm, exe);
        std::vector<std::uint32_t> heights(circuit.airs.size(), 1);
        CHECK(circuit.timestamp_bound_problem(heights).empty());
        heights[1] = 29;  // base_alu (after the system chip): 3 x 2^29 > 2^30
        CHECK_THAT(circuit.timestamp_bound_problem(heights), Catch::Contains("at or above 2^30"));
    }
    // A verifying key stands for the executable: the same verdicts without it.
    const auto key = vm::verifying_key<SC>(vm, exe);
    CHECK(vm::verify<SC>(vm, key, proof).ok());
    CHECK_FALSE(vm::verify<SC>(vm, vm::verifying_key<SC>(vm, program(fibonacci(21))), proof).ok());
    auto wrong_entry = key;
    wrong_entry.entry_pc += 4;
    CHECK_FALSE(vm::verify<SC>(vm, wrong_entry, proof).ok());
    // The key as bytes: a round trip, and malformed bytes named.
    const auto key_bytes = key.to_bytes();
    CHECK(VmVerifyingKey<SC>::from_bytes(key_bytes) == key);
    CHECK(vm::verify<SC>(vm, VmVerifyingKey<SC>::from_bytes(key_bytes), proof).ok());
    CHECK_THROWS_WITH(VmVerifyingKey<SC>::from_bytes(std::span<const std::uint8_t>(key_bytes.data(), 10)),
                      Catch::Contains("truncated"));
    auto long_key = key_bytes;
    long_key.push_back(0);
    CHECK_THROWS_WITH(VmVerifyingKey<SC>::from_bytes(long_key), Catch::Contains("unexpected bytes"));

    // Another program (one immediate differs) does not accept the proof.
    auto other = program(fibonacci(21));
    CHECK_FALSE(vm::verify<SC>(vm, other, proof));
    // Nor the same program with a memory image.
    auto with_image = exe;
    with_image.memory.push_back({0x8000, {1, 2, 3}});
    CHECK_FALSE(vm::verify<SC>(vm, with_image, proof));

    // Malformed bytes are a rejection that says so.
    auto flipped = bytes;
    flipped[bytes.size() / 2] ^= 0x10;
    CHECK_FALSE(vm::verify<SC>(vm, exe, std::span<const std::uint8_t>(flipped)));
    const std::vector<std::uint8_t> truncated(bytes.begin(), bytes.begin() + 30);
    const auto t = vm::verify<SC>(vm, exe, std::span<const std::uint8_t>(truncated));
    CHECK_FALSE(t.ok());
    CHECK_THAT(t.reason(), Catch::Contains("malformed proof"));
}

TEST_CASE("every proven instruction with edge values proves, and a run with an image", "[vm][prove]") {
    const Vm vm;
    auto code = mixed();
    Executable<F> exe = program(code);
    exe.memory.push_back({0x2000000, {'h', 'i', '\n', 0}});
    const auto expected = vm.execute(exe);
    REQUIRE(expected.reason == StopReason::exited);
    const auto proof = vm::prove<SC>(vm, exe);
    CHECK(proof.statement.exit_code == expected.exit_code);
    const auto v = vm::verify<SC>(vm, exe, proof);
    INFO(v.reason());
    CHECK(v.ok());
    // The image is part of what the proof is bound to.
    auto changed = exe;
    changed.memory[0].bytes[0] = 'H';
    CHECK_FALSE(vm::verify<SC>(vm, changed, proof));
}

TEST_CASE("every RV32IM instruction group proves with edge values", "[vm][prove][heavy]") {
    const Vm vm;
    struct Group {
        const char* name;
        std::vector<RV> code;
    };
    const std::vector<Group> groups{
        {"base ALU", register_ops({Op::add, Op::sub, Op::xor_, Op::or_, Op::and_})},
        {"immediates", immediate_ops({Op::addi, Op::xori, Op::ori, Op::andi, Op::slti, Op::sltiu}, {-2048, -1, 0, 1, 0x555, 2047})},
        {"shifts", [] {
             auto c = register_ops({Op::sll, Op::srl, Op::sra});
             const auto imm = immediate_ops({Op::slli, Op::srli, Op::srai}, {0, 1, 7, 8, 15, 16, 24, 31});
             c.insert(c.begin(), imm.begin(), imm.end() - 10);
             return c;
         }()},
        {"set less than", register_ops({Op::slt, Op::sltu})},
        {"branches", branches()},
        {"jumps", jumps()},
        {"loads and stores", memory_ops()},
        {"multiplication", register_ops({Op::mul, Op::mulh, Op::mulhsu, Op::mulhu})},
        {"division", register_ops({Op::div, Op::divu, Op::rem, Op::remu})},
    };
    for (const auto& g : groups) {
        DYNAMIC_SECTION(g.name) {
            Executable<F> exe = program(g.code);
            exe.memory.push_back({0x20000, {0x81, 0x82, 0x83, 0x84, 5, 6, 7, 8}});
            const auto expected = vm.execute(exe);
            REQUIRE(expected.reason == StopReason::exited);
            VmProveOptions<SC> options;
            options.stark.check_constraints = true;  // names the chip, row and constraint if a filler is wrong
            const auto proof = vm::prove<SC>(vm, exe, {}, options);
            CHECK(proof.statement.exit_code == expected.exit_code);
            CHECK(proof.statement.public_values[0] == expected.public_values[0]);
            CHECK(proof.statement.public_values[1] == expected.public_values[1]);
            const auto v = vm::verify<SC>(vm, exe, proof);
            INFO(v.reason());
            CHECK(v.ok());
        }
    }
}

TEST_CASE("a run stopped by the cycle limit proves as not terminated", "[vm][prove]") {
    const Vm vm;
    const auto exe = program(fibonacci(1000));
    VmProveOptions<SC> options;
    options.execution.max_cycles = 40;
    const auto proof = vm::prove<SC>(vm, exe, {}, options);
    CHECK_FALSE(proof.statement.terminated);
    CHECK(vm::verify<SC>(vm, exe, proof).ok());
    auto forged = proof;
    forged.statement.terminated = true;
    CHECK_FALSE(vm::verify<SC>(vm, exe, forged));
}

TEST_CASE("runs that cannot be proven yet are named", "[vm][prove]") {
    const Vm vm;
    // An extension without circuit part: its instructions run, a run that uses them does not prove.
    using NoCircuitVm = VmCore<F, ext::Rv32im, NoCircuit>;
    auto exe = program({li(a0, 3), li(a7, 93), exit_call()});
    exe.program.instructions.insert(exe.program.instructions.begin(), Instruction<F>{0x700, {}});
    CHECK(NoCircuitVm{}.execute(exe).exit_code == 3);
    CHECK_THROWS_WITH(vm::prove<SC>(NoCircuitVm{}, exe),
                      Catch::Contains("chip no_circuit") && Catch::Contains("cannot be proven"));
    // Without such instructions the same VM proves (its chip is simply left out).
    const auto plain = program({li(a0, 3), li(a7, 93), exit_call()});
    CHECK(vm::verify<SC>(NoCircuitVm{}, plain, vm::prove<SC>(NoCircuitVm{}, plain)).ok());
}

TEST_CASE("the system chip proves terminate and nop", "[vm][prove]") {
    const Vm vm;
    auto exe = program({li(a0, 3)});
    exe.program.instructions.push_back(Instruction<F>{System::opcode_offset + System::nop, {}});
    exe.program.instructions.push_back(Instruction<F>{System::opcode_offset + System::terminate, {F::from_u64(0x87654321u % F::modulus)}});
    const auto expected = vm.execute(exe);
    REQUIRE(expected.reason == StopReason::exited);
    VmProveOptions<SC> options;
    options.stark.check_constraints = true;
    const auto proof = vm::prove<SC>(vm, exe, {}, options);
    CHECK(proof.statement.exit_code == expected.exit_code);
    CHECK(vm::verify<SC>(vm, exe, proof).ok());
    auto forged = proof;
    forged.statement.exit_code ^= 1;
    CHECK_FALSE(vm::verify<SC>(vm, exe, forged).ok());
}

TEST_CASE("reads prove: the input bytes are witnesses the program's checks bind", "[vm][prove]") {
    const Vm vm;
    // read(0, 0x10001, 7) twice (the second at the end of the input), then the bytes back.
    const auto exe = program({li(a0, 0), lui(a1, 0x10000), i(Op::addi, a1, a1, 1), li(a2, 7), li(a7, 63), exit_call(),
                              i(Op::addi, t2, a0, 0), li(a0, 0), li(a7, 63), exit_call(), r(Op::add, t2, t2, a0),
                              lui(a1, 0x10000), {Op::lw, t0, a1, 0, 0}, {Op::lw, t1, a1, 0, 4},
                              r(Op::xor_, a0, t0, t1), r(Op::add, a0, a0, t2), li(a7, 93), exit_call()});
    for (const std::vector<std::uint8_t>& input : {std::vector<std::uint8_t>{}, std::vector<std::uint8_t>{9},
                                                   std::vector<std::uint8_t>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}}) {
        const auto expected = vm.execute(exe, input);
        VmProveOptions<SC> options;
        options.stark.check_constraints = true;
        const auto proof = vm::prove<SC>(vm, exe, input, options);
        CHECK(proof.statement.exit_code == expected.exit_code);
        CHECK(vm::verify<SC>(vm, exe, proof).ok());
    }
    // A forged byte count (more bytes than the capacity would fit) is a failing constraint.
    VmProveOptions<SC> options;
    options.stark.check_constraints = true;
    options.tamper_for_testing = [](std::span<const stark::AirRef<SC>> airs, std::vector<field::RowMajorMatrix<F>>& traces) {
        for (std::size_t k = 0; k < airs.size(); ++k)
            if (airs[k].shape().name == "hint_store") traces[k](0, rv32im::HintStoreAir::remaining) += F::one();
    };
    CHECK_THROWS_WITH(vm::prove<SC>(vm, exe, {1, 2, 3}, options), Catch::Contains("prove: "));
}

namespace {

// A program that uses every chip: every RV32IM group (two edge values each), a read, a
// write, a publish, a nop of the system chip.
Executable<F> every_chip_program() {
    std::vector<RV> code;
    const std::uint8_t s1 = 9;
    const auto pair = [&](Op op, std::uint32_t x, std::uint32_t y) {
        li32(code, t1, x);
        li32(code, t2, y);
        code.insert(code.end(), {r(op, t0, t1, t2), r(Op::add, s1, s1, t0)});
    };
    for (const Op op : {Op::add, Op::sub, Op::xor_, Op::sll, Op::sra, Op::slt, Op::sltu, Op::mul, Op::mulh, Op::mulhsu,
                        Op::mulhu, Op::div, Op::divu, Op::rem, Op::remu})
        pair(op, 0x80000001u, 0xfffffff3u);
    code.insert(code.end(), {i(Op::srai, t0, t1, 3), branch(Op::blt, t1, t2, 8), li(s1, 0), branch(Op::bgeu, t1, t2, 8),
                             li(s1, 1), branch(Op::beq, t1, t1, 8), li(s1, 2), jal(ra, 8), li(s1, 3),
                             // auipc t0 = pc + 0x1000; - 2048 - 2032 = pc + 16: jalr lands on the add after it
                             {Op::auipc, t0, 0, 0, 0x1000}, i(Op::addi, t0, t0, -2048), i(Op::addi, t0, t0, -2032),
                             {Op::jalr, ra, t0, 0, 0}, r(Op::add, s1, s1, ra)});
    li32(code, t0, 0x30000);
    code.insert(code.end(), {{Op::sw, 0, t0, s1, 0}, {Op::sb, 0, t0, t1, 5}, {Op::sh, 0, t0, t2, 6}, {Op::lw, t1, t0, 0, 4},
                             {Op::lb, t2, t0, 0, 5}, {Op::lhu, t1, t0, 0, 6}, {Op::lh, t2, t0, 0, 6}, r(Op::add, s1, s1, t2),
                             li(a0, 0), lui(a1, 0x40000), li(a2, 8), li(a7, 63), exit_call(),      // read 8 bytes
                             {Op::lw, t1, a1, 0, 0}, r(Op::xor_, s1, s1, t1),
                             li(a0, 1), li(a2, 2), li(a7, 64), exit_call(),                           // write 2 bytes
                             li(a0, 2), i(Op::addi, a1, s1, 0), li(a7, 256), exit_call(),          // publish(2, s1)
                             i(Op::addi, a0, s1, 0), li(a7, 93)});
    auto exe = program(code);
    exe.program.instructions.push_back(Instruction<F>{System::opcode_offset + System::nop, {}});
    exe.program.instructions.push_back(ext::Rv32im::to_instruction<F>(exit_call()));
    exe.memory.push_back({0x50000, {1, 2, 3, 4, 5, 6, 7, 8}});
    return exe;
}
const std::vector<std::uint8_t> every_chip_input{10, 20, 30, 40, 50, 60, 70, 80, 90};

// Corrupts the trace of the AIR named `air` (tamper.hpp).
VmProveOptions<SC> tampering(std::string air, std::function<void(field::RowMajorMatrix<F>&)> edit) {
    return vmtest::tampering<SC>(std::move(air), std::move(edit));
}
// The debug check names `expect`; without it, the proof is refused or does not verify.
void check_rejected(const Executable<F>& exe, const std::vector<std::uint8_t>& input, VmProveOptions<SC> options,
                    const std::string& expect) {
    const Vm vm;
    options.stark.check_constraints = true;
    CHECK_THROWS_WITH(vm::prove<SC>(vm, exe, input, options), Catch::Contains(expect));
    options.stark.check_constraints = false;
    bool rejected = true;
    try {
        const auto proof = vm::prove<SC>(vm, exe, input, options);
        rejected = !vm::verify<SC>(vm, exe, proof).ok();
    } catch (const Error&) {
        // the prover may refuse outright (a trace height or bus count it cannot prove)
    }
    CHECK(rejected);
}

}  // namespace

// One corrupted cell per AIR (a result byte, an operand, a pc, a multiplicity, a boundary
// value, a table count): the debug check names the AIR (and its row and constraint, or the
// unbalanced message); without the check, the verifier rejects the proof.
TEST_CASE("a corrupted cell in any chip's trace is found", "[vm][prove][negative][heavy]") {
    const Vm vm;
    const auto exe = every_chip_program();
    const auto expected = vm.execute(exe, every_chip_input);
    REQUIRE(expected.reason == StopReason::exited);
    {
        // Every chip has rows (hint_store: the read's bytes).
        VmProveReport report;
        (void)vm::prove<SC>(vm, exe, every_chip_input, {}, &report);
        for (const auto& a : report.airs)
            if (a.name != "hint_store") CHECK(a.used_rows > 0);
    }
    struct Case {
        std::string air;
        std::size_t column;
        const char* what;
    };
    const std::vector<Case> cases{
        {"system", SystemAir::pc, "the pc"},
        {"base_alu", rv32im::BaseAluAir::z + 1, "a result byte"},
        {"base_alu", rv32im::BaseAluAir::ts, "a timestamp"},
        {"base_alu", rv32im::BaseAluAir::x_access + 1, "a timestamp limb"},
        {"shift", rv32im::ShiftAir::z + 2, "a result byte"},
        {"less_than", 4, "the pc"},
        {"branch_equal", rv32im::BranchEqualAir::next_pc, "the next pc"},
        {"branch_less_than", 4, "the pc"},
        {"jal_lui", rv32im::JalLuiAir::z + 1, "a result byte"},
        {"jalr", rv32im::JalrAir::s1, "a target byte"},
        {"auipc", rv32im::AuipcAir::z + 1, "a result byte"},
        {"load_store", 6, "the pc"},
        {"load_sign_extend", 2, "the pc"},
        {"multiplication", rv32im::MulAir::z, "a result byte"},
        {"mulh", rv32im::MulhAir::z + 3, "a result byte"},
        {"divrem", rv32im::DivRemAir::q, "a quotient byte"},
        {"system_call", rv32im::SystemCallAir::a0, "an argument byte"},
        {"hint_store", rv32im::HintStoreAir::remaining, "the remaining count"},
        {"program", 0, "a multiplicity"},
        {"memory_image", 0, "an image count"},
        {"memory_boundary", BoundaryAir::final_value, "a boundary value"},
        {"memory_boundary", BoundaryAir::key, "a boundary address"},
        {"connector", ConnectorAir::final_ts, "the final timestamp"},
        {"range-check-14", 0, "a table count"},
        {"range-check-8", 0, "a table count"},
        {"bitwise-8", 0, "a table count"},
    };
    for (const auto& c : cases) {
        DYNAMIC_SECTION(c.air << ": " << c.what) {
            check_rejected(exe, every_chip_input,
                           tampering(c.air, [&](field::RowMajorMatrix<F>& t) { t(0, static_cast<Eigen::Index>(c.column)) += F::one(); }),
                           "prove: ");
        }
    }
}

TEST_CASE("memory-argument forgeries: a value never stored, a timestamp that does not increase, an out-of-range limb",
          "[vm][prove][negative]") {
    const auto exe = every_chip_program();
    using L = rv32im::BaseAluAir;
    SECTION("a load sees a value nobody stored") {
        // The memory chip's row is consistent in itself (before = after = the loaded bytes,
        // rd gets them), but the memory bus no longer balances.
        check_rejected(exe, every_chip_input, tampering("load_store", [](field::RowMajorMatrix<F>& t) {
                           // row 0 of load_store is the sw; find the lw (flag column 0).
                           for (Eigen::Index r = 0; r < t.rows(); ++r)
                               if (t(r, 0) == F::one()) {
                                   const rv32im::MemoryAir c(rv32im::Rv32Buses{}, false);
                                   for (std::size_t k = 0; k < 4; ++k) {
                                       t(r, static_cast<Eigen::Index>(c.before + k)) += F::one();
                                       t(r, static_cast<Eigen::Index>(c.after + k)) += F::one();
                                       t(r, static_cast<Eigen::Index>(c.z + k)) += F::one();
                                   }
                                   return;
                               }
                       }),
                       "unbalanced");
    }
    SECTION("an access claims a previous timestamp after its own") {
        check_rejected(exe, every_chip_input, tampering("base_alu", [](field::RowMajorMatrix<F>& t) {
                           const std::uint64_t ts = t(1, L::ts).to_u64(), prev = ts + 5;
                           const std::uint64_t d = (F::modulus + ts - prev - 1) % F::modulus;  // p - 6
                           t(1, L::x_access) = F::from_u64(prev);
                           t(1, L::x_access + 1) = F::from_u64(d & 0x3fff);
                           t(1, L::x_access + 2) = F::from_u64(d >> 14);  // the limb is out of range: the range bus
                       }),
                       "unbalanced");
    }
    SECTION("a timestamp limb outside its range with the sum kept") {
        check_rejected(exe, every_chip_input, tampering("base_alu", [](field::RowMajorMatrix<F>& t) {
                           t(1, L::x_access + 1) -= F::from_u64(1u << 14);
                           t(1, L::x_access + 2) += F::one();
                       }),
                       "unbalanced");
    }
}

TEST_CASE("a load of a value never stored: a forged boundary entry is rejected", "[vm][prove][negative]") {
    // A second boundary row for a register (a duplicated address) would let a read see a
    // value nobody wrote: the sorted-keys constraint rejects it.
    const Vm vm;
    const auto exe = program(fibonacci(3));
    VmProveOptions<SC> options;
    options.stark.check_constraints = true;
    options.tamper_for_testing = [](std::span<const stark::AirRef<SC>> airs, std::vector<field::RowMajorMatrix<F>>& traces) {
        for (std::size_t k = 0; k < airs.size(); ++k)
            if (airs[k].shape().name == "memory_boundary") {
                auto& t = traces[k];
                // Row 1 claims row 0's key: keys no longer increase.
                t(1, BoundaryAir::key) = t(0, BoundaryAir::key);
                t(1, BoundaryAir::key_lo) = t(0, BoundaryAir::key_lo);
                t(1, BoundaryAir::key_hi) = t(0, BoundaryAir::key_hi);
            }
    };
    CHECK_THROWS_WITH(vm::prove<SC>(vm, exe, {}, options), Catch::Contains("memory_boundary"));
}
