// causality/vm/resource/extension.hpp — ext::ResourceRegisters: one-time-use resource
// registers as VM instructions, checked against the run's capabilities.
//
// Five instructions in RISC-V's custom-2 opcode space (0x5b, R-type, funct7 = 0), as
// guest.h's causality_resource_* emit them (operands are register values):
//   rcreate   x0, reg, ptr   (funct3 0) create the 128-byte resource at ptr in the empty
//                            register `reg`; publishes its commitment (needs `create`)
//   rread     x0, reg, ptr   (funct3 1) write the input resource in `reg` to ptr, after
//                            checking its path to the input root (needs `read`)
//   rconsume  x0, reg, ptr   (funct3 2) consume the input in `reg` with the 32-byte
//                            nullifier key at ptr: owner_of(key) must be the owner, the path
//                            must lead to the input root; publishes the nullifier (`consume`)
//   rtransfer dst, reg, ptr  (funct3 3) consume the input in `reg` with the key at ptr and
//                            create its copy with the owner and nonce at ptr + 32, ptr + 64
//                            in register `dst` (the value of rd); needs `transfer`
//   rstate    rd, reg        (funct3 4) rd = the state of `reg` (0 empty, 1 input,
//                            2 created, 3 consumed)
// update = consume + create, as guest.h's causality_resource_update does.
//
// Every operation but rstate needs a capability of the context's token (resource/
// capability.hpp) that grants its right over the resource (by id, by kind, or the
// register's section) and has not expired at the context's timestamp: otherwise
// Fault::insufficient_capabilities naming the operation, the register and the right.
// Consuming a register twice is Fault::resource_state naming the register and the pc
// that consumed it, and so is consuming a resource another register of the run held (one
// resource loaded twice); a resource created in this run cannot be consumed or read by it (it
// is an output). Pointers must be 4-byte aligned and in memory, and, once the register
// file has resource memory segments (resource/memory.hpp), inside a segment granting read
// (rcreate, rconsume, rtransfer) or write (rread): Fault::segment_access otherwise.
#pragma once

#include <causality/error.hpp>
#include <causality/field/concepts.hpp>
#include <causality/field/matrix.hpp>
#include <causality/resource/errors.hpp>
#include <causality/resource/registers.hpp>
#include <causality/vm/context.hpp>
#include <causality/vm/extension.hpp>
#include <causality/vm/format.hpp>
#include <causality/vm/program.hpp>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

namespace causality::resource {

// The VmError a guest fault of a resource run stands for (its message keeps the pc).
inline VmError vm_error_from(const vm::GuestFault& f) {
    using vm::Fault;
    std::string text = f.what();  // without its error-code prefix: the VmError adds its own
    if (const std::string prefix = std::string(to_string(f.code())) + ": "; text.rfind(prefix, 0) == 0)
        text.erase(0, prefix.size());
    switch (f.kind()) {
        case Fault::insufficient_capabilities: return {VmErrorKind::insufficient_capabilities, text};
        case Fault::resource_state: return {VmErrorKind::invalid_resource_state, text};
        case Fault::not_in_input_set: return {VmErrorKind::not_in_input_set, text};
        case Fault::not_owner: return {VmErrorKind::not_owner, text};
        case Fault::misaligned_access:
        case Fault::segment_access:
        case Fault::memory_out_of_bounds: return {VmErrorKind::memory_access_violation, text};
        default: return {VmErrorKind::execution_failed, text};
    }
}

}  // namespace causality::resource

namespace causality::vm {
template <class SC>
class CircuitInventory;
template <class SC>
class TraceInventory;
}  // namespace causality::vm

namespace causality::vm::ext {

template <field::PrimeField F>
class ResourceRegisters {
public:
    using tag = extension_tag;
    static constexpr std::string_view name = "resource_registers";
    static constexpr std::uint32_t opcode_offset = 0x1200, opcode_count = 5;
    enum Local : std::uint32_t { create = 0, read = 1, consume = 2, transfer = 3, state = 4 };
    static constexpr std::array<std::string_view, opcode_count> opcode_names{"rcreate", "rread", "rconsume", "rtransfer",
                                                                             "rstate"};
    static constexpr std::uint32_t riscv_opcode = 0x5b;  // custom-2
    // Rows: one per instruction (resource_op); one per touched register (resource_slot), per
    // level of an input's path (merkle_path), per permutation of their hashes (a second
    // poseidon2 sponge), and the public tables (resource_table): vm/resource/chips.hpp.
    static constexpr std::array<std::string_view, 5> chip_names{"resource_op", "resource_slot", "resource_merkle",
                                                                "resource_sponge", "resource_table"};
    static constexpr std::uint32_t chip_of(std::uint32_t) { return 0; }

    template <std::uint32_t L, class Ctx>
    void execute(Ctx& ctx, const Operands& o) const {
        static_assert(std::is_same_v<typename Ctx::field_type, F>, "ResourceRegisters<F>: F must be the VM's field");
        using namespace causality::resource;
        auto& file = ctx.resources();
        const std::string op(opcode_names[L]);
        // The accesses, in the order the resource_op chip proves them (vm/resource/chips.hpp):
        // rs1; rstate: the state word, rd; the others: rs2, (rtransfer) rd, then the buffer
        // (rread: the state word first) and the state words.
        const std::uint32_t reg = ctx.read_reg(o.b);
        if (reg >= file.size())
            ctx.fault(Fault::resource_register, op + " of register " + std::to_string(reg) + " (the file has " +
                                                    std::to_string(file.size()) + ")");
        if constexpr (L == state) {
            const RegisterState s = file.at(reg).state;
            ctx.resource_state_access(reg, s);
            ctx.write_reg(o.a, static_cast<std::uint32_t>(s));
            ctx.next();
            return;
        } else {
            const std::uint32_t ptr = ctx.read_reg(o.c);
            const std::uint32_t dst = L == transfer ? ctx.read_reg(o.a) : 0;
            const std::uint32_t span = L == create || L == read ? 128 : L == consume ? 32 : 96;
            if (ptr % 4 != 0) ctx.fault(Fault::misaligned_access, op + " at " + hex32(ptr) + " (must be 4-byte aligned)");
            if (!ctx.in_memory(ptr, span))
                ctx.fault(Fault::memory_out_of_bounds, op + " at " + hex32(ptr) + "+" + std::to_string(span) + " is outside memory");
            if (file.memory().enforced()) {
                const std::uint32_t right = L == read ? MemoryRight::write : MemoryRight::read;
                if (auto p = file.memory().problem(ptr, span, right); !p.empty())
                    ctx.fault(Fault::segment_access, op + " of register " + std::to_string(reg) + ": " + p);
            }
            if constexpr (L == transfer)
                if (dst >= file.size())
                    ctx.fault(Fault::resource_register, op + " to register " + std::to_string(dst) + " (the file has " +
                                                            std::to_string(file.size()) + ")");
            const std::uint64_t now = file.context().timestamp;
            const auto where = [&](std::uint32_t r) { return "register " + std::to_string(r); };
            const auto need = [&](std::uint32_t right, std::uint32_t r, const ResourceId& id, const Digest& kind) {
                if (file.context().capability_token.grant(right, id, kind, file.section_label(r), now) == nullptr)
                    ctx.fault(Fault::insufficient_capabilities,
                              op + " of " + where(r) + " (" + label_text(kind) + " " + id.hex().substr(0, 16) +
                                  ") needs the " + rights_text(right) + " right, which no capability of the context grants at " +
                                  std::to_string(now));
            };
            const auto load_words = [&](std::size_t n) {  // the buffer's reads
                std::array<std::uint32_t, resource_words> w{};
                for (std::size_t k = 0; k < n; ++k) w[k] = ctx.template load<std::uint32_t>(ptr + 4 * static_cast<std::uint32_t>(k));
                return w;
            };
            const auto to_digest = [](const std::array<std::uint32_t, resource_words>& w, std::size_t from) {
                Digest d{};
                for (std::size_t k = 0; k < 8; ++k) d[k] = w[from + k];
                return d;
            };
            const auto room = [&](std::size_t used, const char* what) {
                if (used >= ctx.resource_capacity())
                    ctx.fault(Fault::resource_table_full, op + ": more than " + std::to_string(ctx.resource_capacity()) + " " +
                                                              what + " in one run");
            };
            const auto check_input = [&](std::uint32_t r) -> ResourceRegister& {
                ResourceRegister& x = file.at(r);
                if (x.state == RegisterState::consumed)
                    ctx.fault(Fault::resource_state, op + " of " + where(r) + ", which was consumed at pc " + hex32(x.changed_at));
                if (x.state == RegisterState::empty) ctx.fault(Fault::resource_state, op + " of " + where(r) + ", which is empty");
                if (x.state == RegisterState::created)
                    ctx.fault(Fault::resource_state, op + " of " + where(r) +
                                                         ", which holds a resource created by this run (an output)");
                return x;
            };
            const auto check_member = [&](std::uint32_t r, ResourceRegister& x) {
                const std::pair<Digest, unsigned> against{file.input_root(), file.input_depth()};
                if (x.checked_against == against) return;
                if (!merkle_verify(commitment(x.id), x.path, file.input_root(), file.input_depth()))
                    ctx.fault(Fault::not_in_input_set, op + " of " + where(r) + ": resource " + x.id.hex().substr(0, 16) +
                                                           " has no path to the input root " +
                                                           digest_hex(file.input_root()).substr(0, 16));
                x.checked_against = against;
            };
            const auto check_empty = [&](std::uint32_t r) {
                if (file.at(r).state != RegisterState::empty)
                    ctx.fault(Fault::resource_state, op + " into " + where(r) + ", which is " + std::string(to_string(file.at(r).state)));
                room(file.outputs().commitments.size(), "commitments");
            };
            const auto create_in = [&](std::uint32_t r, const Resource& res, const ResourceId& id) {
                ResourceRegister& x = file.at(r);
                x = {RegisterState::empty, res, id, {}, ctx.pc(), std::nullopt};
                ctx.resource_state_access(r, RegisterState::created);
                file.outputs().commitments.push_back(commitment(id));
                file.outputs().created.push_back(res);
            };
            const auto check_consume = [&](std::uint32_t r, ResourceRegister& x, const NullifierKey& nk) {
                if (owner_of(nk) != x.resource.owner)
                    ctx.fault(Fault::not_owner, op + " of " + where(r) + ": the nullifier key's owner " +
                                                    digest_hex(owner_of(nk)).substr(0, 16) + " is not the resource's " +
                                                    digest_hex(x.resource.owner).substr(0, 16));
                check_member(r, x);
                for (std::size_t k = 0; k < file.outputs().consumed.size(); ++k)
                    if (file.outputs().consumed[k] == x.id)
                        ctx.fault(Fault::resource_state, op + " of " + where(r) + ": its resource " + x.id.hex().substr(0, 16) +
                                                             " was consumed before in this run (from another register)");
                room(file.outputs().nullifiers.size(), "nullifiers");
            };
            const auto consume_from = [&](std::uint32_t r, ResourceRegister& x, const NullifierKey& nk) {
                x.changed_at = ctx.pc();
                ctx.resource_state_access(r, RegisterState::consumed);
                file.outputs().nullifiers.push_back(nullifier(nk, x.id));
                file.outputs().consumed.push_back(x.id);
            };

            if constexpr (L == create) {
                const Resource res = Resource::from_words(load_words(resource_words));
                const ResourceId id = resource_id(res);
                need(Right::create, reg, id, res.kind);
                check_empty(reg);
                create_in(reg, res, id);
            } else if constexpr (L == read) {
                ResourceRegister& x = check_input(reg);
                need(Right::read, reg, x.id, x.resource.kind);
                check_member(reg, x);
                ctx.resource_state_access(reg, x.state);
                const auto w = x.resource.words();
                for (std::size_t k = 0; k < resource_words; ++k)
                    ctx.template store<std::uint32_t>(ptr + 4 * static_cast<std::uint32_t>(k), w[k]);
            } else if constexpr (L == consume) {
                const NullifierKey nk = to_digest(load_words(8), 0);
                ResourceRegister& x = check_input(reg);
                need(Right::consume, reg, x.id, x.resource.kind);
                check_consume(reg, x, nk);
                consume_from(reg, x, nk);
            } else {
                const auto w = load_words(24);
                ResourceRegister& x = check_input(reg);
                need(Right::transfer, reg, x.id, x.resource.kind);
                Resource next = x.resource;
                next.owner = to_digest(w, 8);
                next.nonce = to_digest(w, 16);
                check_consume(reg, x, to_digest(w, 0));
                check_empty(dst);
                consume_from(reg, x, to_digest(w, 0));
                create_in(dst, next, resource_id(next));
            }
            ctx.next();
        }
    }

    template <class Field>
    static std::optional<Instruction<Field>> transpile(std::uint32_t word, std::uint32_t) {
        const std::uint32_t funct3 = (word >> 12) & 7;
        if ((word & 0x7f) != riscv_opcode || funct3 >= opcode_count || (word >> 25) != 0) return std::nullopt;
        const auto reg = [&](int shift) { return Field::from_u64((word >> shift) & 31); };
        // Operand f: 1 when rstate writes a register other than x0 (as RV32IM's f).
        const Field writes = Field::from_u64(funct3 == state && ((word >> 7) & 31) != 0 ? 1 : 0);
        return Instruction<Field>{opcode_offset + funct3,
                                  {reg(7), reg(15), funct3 == state ? Field::from_u64(0) : reg(20), {}, {}, writes}};
    }
    template <class Field>
    static Operands prepare(std::uint32_t local, const Instruction<Field>& in, std::uint32_t pc) {
        const OperandCheck<Field> c(name, opcode_names[local], in, pc);
        const std::uint32_t a = c.reg(0), b = c.reg(1), r2 = c.reg(2);
        for (int i : {3, 4, 6}) c.zero(i);
        if (local == state) c.zero(2, "rstate has no rs2");
        return {a, b, r2, 0, 0, c.write_flag(local == state), 0};
    }
    template <class Field>
    static std::string disassemble(std::uint32_t local, const Instruction<Field>& in, std::uint32_t) {
        const auto r = [&](int i) {
            std::string s(1, 'x');  // not "x" + to_string: GCC 12's -Wrestrict false positive (PR 105329)
            s += std::to_string(in.operands[i].to_u64());
            return s;
        };
        if (local == state) return "rstate " + r(0) + ", " + r(1);
        return std::string(opcode_names[local]) + " " + r(0) + ", " + r(1) + ", " + r(2);
    }

    // Circuit and prover parts (vm/resource/chips.hpp).
    template <class SC>
    void extend_circuit(CircuitInventory<SC>& inv) const;
    template <class SC>
    field::RowMajorMatrix<typename SC::Field> generate_trace(std::uint32_t chip, const RecordArena& records,
                                                             TraceInventory<SC>& inv) const;
};

}  // namespace causality::vm::ext
