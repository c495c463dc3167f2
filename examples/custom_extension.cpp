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
//
// It also proves: its circuit part adds one AIR (FieldArithAir) that speaks the system
// buses through vm::ChipBuses, and its prover part fills that AIR's trace from the
// preflight records. The program then proves and verifies with RV32IM's chips.
#include <causality/field.hpp>
#include <causality/stark/config.hpp>
#include <causality/vm.hpp>
#include <causality/vm/prove.hpp>

#include <cstdio>

using namespace causality;
using F = field::BabyBear;

// One row per fadd / fmul. x, y: the registers' bytes; their field values are sum x_i 256^i
// (read mod p, as the executor's from_u64). z: rd's bytes, with sum z_i 256^i = x + y or x y
// in F and z below p as an integer (z < p byte-wise with range-checked differences), so z
// is the canonical result. z's bytes are range-checked; x and y are bytes by the memory
// argument.
struct FieldArithAir {
    vm::ChipBuses buses;
    causality::air::LookupBus bytes;
    enum Col : std::size_t {
        is_add = 0, is_mul, pc, ts, rd, rs1, rs2, f, x, x_access = x + 4, y = x_access + 3, y_access = y + 4,
        z = y_access + 3, z_before = z + 4, z_access = z_before + 4, d = z_access + 3, borrow = d + 4, width_ = borrow + 4
    };
    static constexpr std::size_t width() { return width_; }
    static std::string name() { return "field_arith"; }

    template <class AB>
    void eval(AB& b) const {
        using E = typename AB::Expr;
        namespace g = vm::gadgets;
        const auto m = b.main();
        const auto col = [&](std::size_t i) { return E(m.local(i)); };
        const E zero = g::constant(b, 0), one = g::constant(b, 1), real = col(is_add) + col(is_mul);
        b.assert_bool(col(is_add));
        b.assert_bool(col(is_mul));
        b.assert_bool(real);
        b.assert_bool(col(f));
        const E opcode = col(is_add) * g::constant(b, 0x1000) + col(is_mul) * g::constant(b, 0x1001);
        buses.program(b, col(pc), opcode, {col(rd), col(rs1), col(rs2), zero, zero, col(f), zero}, real);
        buses.execute(b, col(pc), col(ts), col(pc) + g::constant(b, 4), col(ts) + g::constant(b, 3), real);
        const E regs = g::constant(b, static_cast<std::uint64_t>(vm::AddressSpace::registers));
        const auto xs = g::bytes_at(b, m, x), ys = g::bytes_at(b, m, y), zs = g::bytes_at(b, m, z);
        buses.access(b, m, {x_access}, regs, g::reg_address(b, col(rs1)), xs, xs, col(ts), real);
        buses.access(b, m, {y_access}, regs, g::reg_address(b, col(rs2)), ys, ys, col(ts) + one, real);
        buses.access(b, m, {z_access}, regs, g::reg_address(b, col(rd)), g::bytes_at(b, m, z_before), zs,
                     col(ts) + g::constant(b, 2), real * col(f));
        const auto value = [&](const std::array<E, 4>& v) {
            return v[0] + g::constant(b, 256) * v[1] + g::constant(b, 65536) * v[2] + g::constant(b, 1u << 24) * v[3];
        };
        b.assert_zero(col(is_add) * (value(zs) - value(xs) - value(ys)));
        b.assert_zero(col(is_mul) * (value(zs) - value(xs) * value(ys)));
        const std::uint64_t p = F::modulus;
        const std::array<E, 4> p_bytes{g::constant(b, p & 0xff), g::constant(b, (p >> 8) & 0xff),
                                       g::constant(b, (p >> 16) & 0xff), g::constant(b, p >> 24)};
        for (std::size_t i = 0; i < 4; ++i) bytes.lookup_key(b, {zs[i]}, real);
        const E below_p = g::eval_less_than(b, bytes, zs, p_bytes, g::cols4<AB>(m, d), g::cols4<AB>(m, borrow), real);
        b.assert_zero(real * (one - below_p));
    }
};

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
        // Operand f: 1 when rd is not x0 (the chip's write is counted by it, as RV32IM's).
        const Field writes = Field::from_u64(((word >> 7) & 31) != 0 ? 1 : 0);
        return vm::Instruction<Field>{opcode_offset + funct3, {reg(7), reg(15), reg(20), {}, {}, writes}};
    }

    // Circuit part: one AIR; it shares the 8-bit range checker with RV32IM.
    template <class SC>
    void extend_circuit(vm::CircuitInventory<SC>& inv) const {
        inv.add_chip(FieldArithAir{vm::ChipBuses::from(inv), inv.range_checker(8)}, 3);  // three accesses a row
    }
    // Prover part: a row per record.
    template <class SC>
    field::RowMajorMatrix<typename SC::Field> generate_trace(std::uint32_t, const vm::RecordArena& records,
                                                             vm::TraceInventory<SC>& inv) const {
        using Field = typename SC::Field;
        using A = FieldArithAir;
        auto t = field::zero_matrix<Field>(vm::trace_rows(records.size()), A::width_);
        auto& limbs = inv.range_checker(vm::timestamp_limb_bits);
        auto& bytes = inv.range_checker(8);
        for (std::size_t i = 0; i < records.size(); ++i) {
            const vm::InstructionRecord r = records[i];
            const auto& in = inv.instruction(r.pc);
            Field* row = t.data() + i * A::width_;
            const bool add = in.opcode == opcode_offset;
            row[add ? A::is_add : A::is_mul] = Field::one();
            row[A::pc] = Field::from_u64(r.pc);
            row[A::ts] = Field::from_u64(r.timestamp);
            row[A::rd] = in.operands[0];
            row[A::rs1] = in.operands[1];
            row[A::rs2] = in.operands[2];
            row[A::f] = in.operands[5];
            const std::uint32_t xv = r.accesses[0].value, yv = r.accesses[1].value;
            const Field fx = Field::from_u64(xv), fy = Field::from_u64(yv);
            const auto zv = static_cast<std::uint32_t>((add ? fx + fy : fx * fy).to_u64());
            vm::put_bytes(row, A::x, xv);
            vm::put_bytes(row, A::y, yv);
            vm::put_bytes(row, A::z, zv);
            vm::put_access(row, {A::x_access}, r.accesses[0], r.timestamp, limbs);
            vm::put_access(row, {A::y_access}, r.accesses[1], r.timestamp + 1, limbs);
            vm::put_bytes(row, A::z_before, r.accesses[2].previous_value);
            vm::put_access(row, {A::z_access}, r.accesses[2], r.timestamp + 2, limbs);
            for (std::size_t k = 0; k < 4; ++k) bytes.add(vm::gadgets::byte_of(zv, k));
            vm::gadgets::put_less_than(row, A::d, A::borrow, zv, static_cast<std::uint32_t>(Field::modulus), bytes);
        }
        return t;
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

    // Prove the run (BabyBear, Poseidon2, 100 queries) and verify it knowing only the program.
    using SC = stark::BabyBearPoseidon2;
    const auto proof = vm::prove<SC>(Vm{}, exe);
    const auto bytes = proof.to_bytes();
    const auto verdict = vm::verify<SC>(Vm{}, exe, std::span<const std::uint8_t>(bytes));
    std::printf("proof: %zu bytes, %s, exit code %u\n", bytes.size(), verdict ? "verified" : verdict.reason().c_str(),
                verdict ? verdict.statement->exit_code : 0u);
    return run.result.exit_code == expected.to_u64() && verdict && verdict.statement->exit_code == expected.to_u64() ? 0 : 1;
}
