// causality/vm/hash/extension.hpp — ext::Poseidon2Hash<F>: hashing as a VM instruction,
// proven after execution in one batch by a Poseidon2 sponge chip (hash/chips.hpp).
//
// Two instructions in RISC-V's custom-1 opcode space (0x2b, R-type, funct7 = 0), as
// guest.h's causality_hash / causality_hash_deferred emit them:
//   phash  rd, rs1, rs2   (funct3 0) hash the rs2 bytes at rs1 and write the 8-word digest
//                         at the address in rd: the host computes it at once, natively.
//   phashd rd, rs1, rs2   (funct3 1) queue the rs2 bytes at rs1 as a deferred request and
//                         write its handle (0, 1, ... in execution order) to rd; the digest
//                         exists only after the run, when the pool hashes every deferred
//                         request in one batch, and is a public output of the proof (the
//                         connector's deferred-hash table, ExecutionResult::deferred_digests).
// The encoding of the bytes is hash_pool.hpp's (length in the capacity, 16-byte blocks,
// 16-bit halves). Faults, each naming the address or count: the input or the digest
// outside memory, an input or digest address not a multiple of 4, an input of 2^29 bytes
// or more, more deferred requests than MachineConfig::deferred_hashes.
//
// The permutation is the field's default Poseidon2 (width 16), the same as the stark
// configurations' (a configuration whose Poseidon2 differs cannot prove this extension's
// chips: extend_circuit says so). Give another Poseidon2<F, 16> to the constructor to
// hash with it; prove with a configuration whose permutation() is the same.
#pragma once

#include <causality/error.hpp>
#include <causality/field/concepts.hpp>
#include <causality/stark/hash/poseidon2.hpp>
#include <causality/stark/hash/poseidon2_default.hpp>
#include <causality/vm/context.hpp>
#include <causality/vm/extension.hpp>
#include <causality/vm/format.hpp>
#include <causality/vm/hash_pool.hpp>
#include <causality/vm/program.hpp>

#include <array>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace causality::vm {
template <class SC>
class CircuitInventory;
template <class SC>
class TraceInventory;
}  // namespace causality::vm

namespace causality::vm::ext {

template <field::PrimeField F>
class Poseidon2Hash {
public:
    static_assert(static_cast<std::uint64_t>(F::modulus) < (std::uint64_t{1} << 32),
                  "Poseidon2Hash: the VM's hash is over a 31-bit field (digests are 32-bit words)");
    using tag = extension_tag;
    using Permutation = stark::Poseidon2<F, 16>;
    static constexpr std::string_view name = "poseidon2_hash";
    static constexpr std::uint32_t opcode_offset = 0x1100, opcode_count = 2;
    enum Local : std::uint32_t { immediate = 0, deferred = 1 };
    static constexpr std::array<std::string_view, opcode_count> opcode_names{"phash", "phashd"};
    // Rows: one per instruction (hash_call), one per 16-byte block read (hash_absorb), one
    // per permutation (poseidon2_sponge); the last two are filled from hash_call's records.
    static constexpr std::array<std::string_view, 3> chip_names{"hash_call", "hash_absorb", "poseidon2_sponge"};
    static constexpr std::uint32_t chip_of(std::uint32_t) { return 0; }
    static constexpr bool uses_deferred_table = true;
    static constexpr std::uint32_t riscv_opcode = 0x2b;  // custom-1

    Poseidon2Hash() : perm_(stark::default_poseidon2<F, 16>()) {}
    explicit Poseidon2Hash(Permutation perm) : perm_(std::move(perm)) {}
    [[nodiscard]] const Permutation& permutation() const noexcept { return perm_; }

    template <std::uint32_t L, class Ctx>
    void execute(Ctx& ctx, const Operands& o) const {
        static_assert(std::is_same_v<typename Ctx::field_type, F>, "Poseidon2Hash<F>: F must be the VM's field");
        const std::uint32_t src = ctx.read_reg(o.b), len = ctx.read_reg(o.c);
        std::uint32_t out = 0;
        if constexpr (L == immediate) out = ctx.read_reg(o.a);
        const std::string op(opcode_names[L]);
        if (len > HashEncoding::max_length)
            ctx.fault(Fault::memory_out_of_bounds, op + " of " + std::to_string(len) + " bytes (inputs are below 2^29 bytes)");
        if (!ctx.in_memory(src, len))
            ctx.fault(Fault::memory_out_of_bounds, op + " input " + hex32(src) + "+" + std::to_string(len) + " is outside memory");
        if (src % 4 != 0) ctx.fault(Fault::misaligned_access, op + " input at " + hex32(src) + " (must be 4-byte aligned)");
        if constexpr (L == immediate) {
            if (out % 4 != 0) ctx.fault(Fault::misaligned_access, "phash digest at " + hex32(out) + " (must be 4-byte aligned)");
            if (!ctx.in_memory(out, 32)) ctx.fault(Fault::memory_out_of_bounds, "phash digest at " + hex32(out) + " is outside memory");
        }
        thread_local std::vector<std::uint8_t> buffer;
        const std::uint32_t words = (len + 3) / 4;
        buffer.resize(std::size_t{words} * 4);
        for (std::uint32_t w = 0; w < words; ++w) {
            const std::uint32_t v = ctx.template load<std::uint32_t>(src + 4 * w);
            std::memcpy(buffer.data() + 4 * w, &v, 4);
        }
        const std::span<const std::uint8_t> message(buffer.data(), len);
        if constexpr (L == immediate) {
            const HashDigest d = hash_bytes(perm_, message);
            for (std::uint32_t k = 0; k < 8; ++k) ctx.template store<std::uint32_t>(out + 4 * k, d[k]);
            ctx.hash_requests().add_immediate(len);
        } else {
            const std::uint32_t h = ctx.read_deferred_counter();
            if (h >= ctx.deferred_capacity())
                ctx.fault(Fault::deferred_table_full, "deferred hash request " + std::to_string(h) + " (the table holds " +
                                                          std::to_string(ctx.deferred_capacity()) + ")");
            ctx.write_deferred_counter(h + 1);
            ctx.hash_requests().add_deferred(message);
            ctx.write_reg(o.a, h);
        }
        ctx.next();
    }

    // The digests of a run's deferred requests, in one batch.
    [[nodiscard]] std::vector<HashDigest> deferred_digests(const HashRequestPool& pool) const {
        return pool.digest_deferred(perm_);
    }

    template <class Field>
    static std::optional<Instruction<Field>> transpile(std::uint32_t word, std::uint32_t) {
        const std::uint32_t funct3 = (word >> 12) & 7;
        if ((word & 0x7f) != riscv_opcode || funct3 > 1 || (word >> 25) != 0) return std::nullopt;
        const std::uint32_t rd = (word >> 7) & 31;
        const auto reg = [&](int shift) { return Field::from_u64((word >> shift) & 31); };
        // Operand f: 1 when phashd writes a register other than x0 (as RV32IM's f).
        const Field writes = Field::from_u64(funct3 == deferred && rd != 0 ? 1 : 0);
        return Instruction<Field>{opcode_offset + funct3, {reg(7), reg(15), reg(20), {}, {}, writes}};
    }
    template <class Field>
    static Operands prepare(std::uint32_t local, const Instruction<Field>& in, std::uint32_t pc) {
        const OperandCheck<Field> c(name, opcode_names[local], in, pc);
        const std::uint32_t a = c.reg(0), b = c.reg(1), r2 = c.reg(2);
        for (int i : {3, 4, 6}) c.zero(i);
        return {a, b, r2, 0, 0, c.write_flag(local == deferred), 0};
    }
    template <class Field>
    static std::string disassemble(std::uint32_t local, const Instruction<Field>& in, std::uint32_t) {
        const auto r = [&](int i) { return "x" + std::to_string(in.operands[i].to_u64()); };
        return std::string(opcode_names[local]) + " " + r(0) + ", " + r(1) + ", " + r(2);
    }

    // Circuit and prover parts (hash/chips.hpp).
    template <class SC>
    void extend_circuit(CircuitInventory<SC>& inv) const;
    template <class SC>
    field::RowMajorMatrix<typename SC::Field> generate_trace(std::uint32_t chip, const RecordArena& records,
                                                             TraceInventory<SC>& inv) const;

private:
    Permutation perm_;
};

}  // namespace causality::vm::ext
