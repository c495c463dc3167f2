// A user-defined VM extension: arithmetic in the VM's field on registers, reached from
// RISC-V code through the custom-0 opcode space (as a guest would emit with
// `.insn r 0x0b, ...`).
//
//   fadd rd, rs1, rs2   rd = rs1 + rs2 mod p     (custom-0, funct3 = 0)
//   fmul rd, rs1, rs2   rd = rs1 * rs2 mod p     (custom-0, funct3 = 1)
//
// The extension opts in with its tag and says which opcodes it owns, how to execute them
// (once, for every execution mode and every field: Ctx::field_type is the VM's field),
// which words it transpiles, and how to print them. VmCore checks at compile time that
// its opcodes do not collide with RV32IM's.
#include <causality/field.hpp>
#include <causality/vm.hpp>

#include <cstdio>

using namespace causality;
using F = field::BabyBear;

struct FieldArith {
    using tag = vm::extension_tag;
    static constexpr std::string_view name = "field_arith";
    static constexpr std::uint32_t opcode_offset = 0x1000, opcode_count = 2;
    static constexpr std::array<std::string_view, 2> opcode_names{"fadd", "fmul"};

    template <std::uint32_t Local, class Ctx>
    static void execute(Ctx& ctx, const vm::Operands& o) {
        using Field = typename Ctx::field_type;
        const auto x = Field::from_u64(ctx.read_reg(o.b)), y = Field::from_u64(ctx.read_reg(o.c));
        const Field z = Local == 0 ? x + y : x * y;
        ctx.write_reg(o.a, static_cast<std::uint32_t>(z.to_u64()));
        ctx.next();
    }
    template <class Field>
    static std::optional<vm::Instruction<Field>> transpile(std::uint32_t word, std::uint32_t) {
        const std::uint32_t funct3 = (word >> 12) & 7;
        if ((word & 0x7f) != 0x0b || funct3 > 1 || (word >> 25) != 0) return std::nullopt;
        const auto reg = [&](int shift) { return Field::from_u64((word >> shift) & 31); };
        return vm::Instruction<Field>{opcode_offset + funct3, {reg(7), reg(15), reg(20)}};
    }
    template <class Field>
    static std::string disassemble(std::uint32_t local, const vm::Instruction<Field>& in, std::uint32_t) {
        const auto r = [&](int i) { return "x" + std::to_string(in.operands[i].to_u64()); };
        return std::string(opcode_names[local]) + " " + r(0) + ", " + r(1) + ", " + r(2);
    }
};

using Vm = vm::VmCore<F, vm::ext::Rv32im, FieldArith>;
static_assert(vm::VmConfig<Vm>);

constexpr std::uint32_t custom(std::uint32_t funct3, std::uint32_t rd, std::uint32_t rs1, std::uint32_t rs2) {
    return rs2 << 20 | rs1 << 15 | funct3 << 12 | rd << 7 | 0x0b;
}

int main() {
    // x = 2000 (a0); y = x^5 + x (a1); exit with y.
    const std::vector<std::uint32_t> words{
        0x7d000513,             // addi a0, zero, 2000
        custom(1, 11, 10, 10),  // fmul a1, a0, a0      x^2
        custom(1, 11, 11, 11),  // fmul a1, a1, a1      x^4
        custom(1, 11, 11, 10),  // fmul a1, a1, a0      x^5
        custom(0, 11, 11, 10),  // fadd a1, a1, a0      x^5 + x
        0x00058513,             // addi a0, a1, 0
        0x05d00893,             // addi a7, zero, 93
        0x00000073,             // ecall
    };
    vm::Executable<F> exe{Vm{}.transpile(words, 0x1000), {}, 0x1000, {}};

    vm::Machine<Vm> m;
    m.initialize(exe);
    for (std::uint32_t pc = 0x1000; pc < 0x1000 + 4 * words.size(); pc += 4) std::printf("%s\n", m.disassemble(pc).c_str());

    const auto run = Vm{}.execute_metered(exe);
    const F x = F::from_u64(2000);
    const F expected = x * x * x * x * x + x;
    std::printf("exit code %u (host: %llu)\n", run.result.exit_code, static_cast<unsigned long long>(expected.to_u64()));
    for (const auto& c : run.metrics.extensions)
        std::printf("%s: %llu instructions\n", c.name.c_str(), static_cast<unsigned long long>(c.count));
    std::printf("program id: %08llx...\n", static_cast<unsigned long long>(vm::program_id(exe.program)[0].to_u64()));
    return run.result.exit_code == expected.to_u64() ? 0 : 1;
}
