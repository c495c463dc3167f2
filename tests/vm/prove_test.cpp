// Proving RISC-V runs: programs over the proven chips (base ALU, branch-equal, jal/lui,
// system calls) prove and verify knowing only the executable; the statement (exit code,
// published values, final pc) is bound; a proof is bound to its program and image; one
// corrupted cell in any chip's trace is found by the debug check (naming the AIR) and,
// without it, rejected by the verifier.
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

TEST_CASE("a Fibonacci run proves and verifies; the statement carries exit code and public value", "[vm][prove]") {
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
    const auto exe = program({li(a0, 3), r(Op::sll, a0, a0, a0), li(a7, 93), exit_call()});
    CHECK_THROWS_WITH(vm::prove<SC>(vm, exe), Catch::Contains("chip rv32im.shift") && Catch::Contains("cannot be proven"));
    const auto reads = program({li(a0, 0), li(a1, 0x100), li(a2, 4), li(a7, 63), exit_call(), li(a7, 93), exit_call()});
    CHECK_THROWS_WITH(vm::prove<SC>(vm, reads, {1, 2}), Catch::Contains("ecall 63"));
}

// One corrupted cell per chip: the debug check names the AIR; without the check, the proof
// does not verify.
TEST_CASE("a corrupted cell in any chip's trace is found", "[vm][prove][negative]") {
    const Vm vm;
    const auto exe = program(fibonacci(5));
    struct Case {
        std::string air;
        std::size_t column;
        const char* what;
    };
    const std::vector<Case> cases{
        {"base_alu", rv32im::BaseAluAir::z + 1, "a result byte"},
        {"base_alu", rv32im::BaseAluAir::ts, "a timestamp"},
        {"base_alu", rv32im::BaseAluAir::x_access + 1, "a timestamp limb"},
        {"branch_equal", rv32im::BranchEqualAir::next_pc, "the next pc"},
        {"branch_equal", rv32im::BranchEqualAir::x, "an operand byte"},
        {"system_call", rv32im::SystemCallAir::a0, "the exit code byte"},
        {"system_call", rv32im::SystemCallAir::pc, "the pc"},
        {"program", 0, "a multiplicity"},
        {"memory_boundary", BoundaryAir::final_value, "a boundary value"},
        {"memory_boundary", BoundaryAir::key, "a boundary address"},
        {"connector", ConnectorAir::final_ts, "the final timestamp"},
    };
    for (const auto& c : cases) {
        DYNAMIC_SECTION(c.air << ": " << c.what) {
            VmProveOptions<SC> options;
            options.tamper_for_testing = [&](std::span<const stark::AirRef<SC>> airs, std::vector<field::RowMajorMatrix<F>>& traces) {
                for (std::size_t k = 0; k < airs.size(); ++k)
                    if (airs[k].shape().name == c.air) {
                        traces[k](0, static_cast<Eigen::Index>(c.column)) += F::one();
                        return;
                    }
                FAIL("no AIR named " << c.air);
            };
            options.stark.check_constraints = true;
            CHECK_THROWS_WITH(vm::prove<SC>(vm, exe, {}, options), Catch::Contains("prove: "));
            options.stark.check_constraints = false;
            bool rejected = true;
            try {
                const auto proof = vm::prove<SC>(vm, exe, {}, options);
                rejected = !vm::verify<SC>(vm, exe, proof).ok();
            } catch (const Error&) {
                // the prover may refuse outright (e.g. a LogUp sum that cannot close)
            }
            CHECK(rejected);
        }
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
