// causality/vm/extension.hpp — what a VM extension is, and the checks VmCore runs on one.
//
// An extension is a value (it may carry parameters) whose type opts in with
// `using tag = causality::vm::extension_tag;`. It has three parts, each used only where
// needed (a program that only executes never instantiates the other two):
//
// Execution (executors, transpiler, disassembly):
//   static constexpr std::string_view name;
//   static constexpr std::uint32_t opcode_offset, opcode_count;   global opcode = offset + local
//   template <std::uint32_t Local, class Ctx> void execute(Ctx&, const Operands&) const;  (or static)
//       written once against the Context interface and compiled for every execution mode;
//       `typename Ctx::field_type` is the VM's field.
//   optional: prepare<F>(local, instruction, pc) -> Operands, transpile<F>(word, pc) ->
//   optional<Instruction<F>>, disassemble<F>(local, instruction, pc) -> string,
//   static constexpr std::array<std::string_view, opcode_count> opcode_names.
// Chips (which trace gets the row of an executed instruction; the metered mode counts rows
//   per chip while it runs and the preflight mode writes each instruction's record into its
//   chip's arena):
//   static constexpr std::array<std::string_view, K> chip_names;
//   static constexpr std::uint32_t chip_of(std::uint32_t local);   in [0, K)
//   without them the extension is one chip named after itself.
// Circuit (AIRs) and prover (trace fillers), see inventory.hpp:
//   template <class SC> void extend_circuit(CircuitInventory<SC>&) const;
//       adds one AIR per chip, in chip_names order, taking bus ids and shared periphery
//       (range checker, bitwise lookup) from the inventory;
//   template <class SC> void generate_trace(std::uint32_t chip, const RecordArena&,
//                                           TraceInventory<SC>&) const;
//       fills chip `chip`'s trace from its records and adds its lookups to the shared
//       periphery's counts.
//
// VmCore checks each extension through a ladder of static_asserts, one English sentence
// per missing piece, stopping at the first (ExtensionChecks below).
#pragma once

#include <causality/error.hpp>
#include <causality/field/matrix.hpp>
#include <causality/vm/context.hpp>
#include <causality/vm/format.hpp>
#include <causality/vm/program.hpp>
#include <causality/vm/records.hpp>

#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>

namespace causality::vm {

// The opt-in tag of extensions: `using tag = causality::vm::extension_tag;`.
struct extension_tag {};

template <class E>
concept TaggedExtension = requires { typename E::tag; } && std::is_same_v<typename E::tag, extension_tag>;

namespace detail {

template <class E>
concept HasName = requires {
    { E::name } -> std::convertible_to<std::string_view>;
};
template <class E>
concept HasOpcodes = requires {
    { E::opcode_offset } -> std::convertible_to<std::uint32_t>;
    { E::opcode_count } -> std::convertible_to<std::uint32_t>;
};
template <class E, class F>
concept HasExecutor = requires(const E& e, Context<F, Pure>& pure, Context<F, Preflight>& pre, const Operands& o) {
    e.template execute<0>(pure, o);
    e.template execute<0>(pre, o);
};
template <class E>
concept DeclaresChips = requires {
    E::chip_names.size();
    { E::chip_of(std::uint32_t{0}) } -> std::convertible_to<std::uint32_t>;
};
template <class E>
concept DeclaresSomeChipMember = requires { E::chip_names; } || requires { E::chip_of(std::uint32_t{0}); };

}  // namespace detail

// Chips of an extension: how many, their names, which one an opcode's row goes to.
template <class E>
constexpr std::uint32_t chip_count() {
    if constexpr (detail::DeclaresChips<E>) return static_cast<std::uint32_t>(E::chip_names.size());
    else return 1;
}
template <class E>
constexpr std::string_view chip_name(std::uint32_t chip) {
    if constexpr (detail::DeclaresChips<E>) return E::chip_names[chip];
    else return (void)chip, std::string_view(E::name);
}
template <class E>
constexpr std::uint32_t chip_of(std::uint32_t local) {
    if constexpr (detail::DeclaresChips<E>) return static_cast<std::uint32_t>(E::chip_of(local));
    else return (void)local, 0u;
}

namespace detail {
template <class E>
constexpr bool chips_in_range() {
    if constexpr (DeclaresChips<E>) {
        if (E::chip_names.size() == 0) return false;
        for (std::uint32_t l = 0; l < E::opcode_count; ++l)
            if (E::chip_of(l) >= E::chip_names.size()) return false;
    }
    return true;
}
}  // namespace detail

// Checks of an instruction's operands for an extension's prepare(): each failure is an
// invalid_argument naming the extension, the opcode and the pc ("rv32im: add at pc
// 0x00000010: operand b = 40 is not a register").
template <class F>
class OperandCheck {
public:
    OperandCheck(std::string_view extension, std::string_view opcode, const Instruction<F>& in, std::uint32_t pc)
        : extension_(extension), opcode_(opcode), in_(in), pc_(pc) {}

    [[noreturn]] void fail(const std::string& why) const {
        throw Error(ErrorCode::invalid_argument,
                    std::string(extension_) + ": " + std::string(opcode_) + " at pc " + hex32(pc_) + ": " + why);
    }
    [[nodiscard]] std::uint64_t value(int i) const { return in_.operands[static_cast<std::size_t>(i)].to_u64(); }
    // Operand i names one of x0..x31.
    [[nodiscard]] std::uint32_t reg(int i) const {
        if (value(i) >= 32) fail("operand " + letter(i) + " = " + std::to_string(value(i)) + " is not a register");
        return static_cast<std::uint32_t>(value(i));
    }
    // Operand i is 0 (`why` says what it would have meant).
    void zero(int i, std::string_view why = {}) const {
        if (value(i) != 0)
            fail("operand " + letter(i) + " = " + std::to_string(value(i)) + " must be 0" +
                 (why.empty() ? std::string() : " (" + std::string(why) + ")"));
    }
    // Operand f is 1 exactly when the instruction writes a register other than x0.
    [[nodiscard]] std::uint32_t write_flag(bool writes_rd) const {
        const std::uint64_t f = writes_rd && reg(0) != 0 ? 1 : 0;
        if (value(5) != f)
            fail("operand f = " + std::to_string(value(5)) + " must be " + std::to_string(f) +
                 (!writes_rd ? " (no register is written)" : f ? " (rd is not x0)" : " (rd is x0)"));
        return static_cast<std::uint32_t>(f);
    }

private:
    static std::string letter(int i) { return std::string(1, static_cast<char>('a' + i)); }
    std::string_view extension_, opcode_;
    const Instruction<F>& in_;
    std::uint32_t pc_;
};

// The ladder: instantiated by VmCore for every extension (the type is named in the
// compiler's note "ExtensionChecks<F, E>"); each step assumes the ones before it.
template <class F, class E>
struct ExtensionChecks {
    static constexpr bool tagged = TaggedExtension<E>;
    static_assert(tagged,
                  "VmCore: an extension opts in with `using tag = causality::vm::extension_tag;` "
                  "(this template argument has no such tag: is it an extension?)");
    static constexpr bool named = tagged && detail::HasName<E>;
    static_assert(!tagged || named, "VmCore: an extension needs `static constexpr std::string_view name`");
    static constexpr bool numbered = named && detail::HasOpcodes<E>;
    static_assert(!named || numbered,
                  "VmCore: an extension needs `static constexpr std::uint32_t opcode_offset, opcode_count` "
                  "(its global opcodes are opcode_offset + local opcode)");
    static constexpr bool counted = numbered && [] {
        if constexpr (detail::HasOpcodes<E>) return E::opcode_count > 0;
        else return false;
    }();
    static_assert(!numbered || counted, "VmCore: an extension's opcode_count must be at least 1");
    static constexpr bool executes = counted && detail::HasExecutor<E, F>;
    static_assert(!counted || executes,
                  "VmCore: an extension needs an executor for each local opcode: `template <std::uint32_t "
                  "Local, class Ctx> void execute(Ctx& ctx, const causality::vm::Operands&) const` (or static) "
                  "that compiles for every execution mode's context");
    static constexpr bool chips_declared = executes && (detail::DeclaresChips<E> || !detail::DeclaresSomeChipMember<E>);
    static_assert(!executes || chips_declared,
                  "VmCore: an extension that names its chips declares both `static constexpr std::array<"
                  "std::string_view, K> chip_names` and `static constexpr std::uint32_t chip_of(std::uint32_t local)`");
    static constexpr bool chips_valid = chips_declared && [] {
        if constexpr (detail::DeclaresChips<E> || !detail::DeclaresSomeChipMember<E>) return detail::chips_in_range<E>();
        else return false;
    }();
    static_assert(!chips_declared || chips_valid,
                  "VmCore: an extension's chip_of(local) must be below chip_names.size() for every local "
                  "opcode (and chip_names must not be empty)");
    static constexpr bool value = chips_valid;
};

// Opcodes 0..3: what every VM has. Its chip, "system", gets the rows of terminate and nop.
template <class SC>
class CircuitInventory;
template <class SC>
class TraceInventory;

struct System {
    using tag = extension_tag;
    static constexpr std::string_view name = "system";
    static constexpr std::uint32_t opcode_offset = 0, opcode_count = 3;
    enum Local : std::uint32_t { terminate = 0, unsupported = 1, nop = 2 };
    static constexpr std::array<std::string_view, opcode_count> opcode_names{"terminate", "unsupported", "nop"};

    // terminate: exit with code a. unsupported: a word no extension transpiles (its low and
    // high halves in a and b); executing it is a fault naming the word.
    template <std::uint32_t L, class Ctx>
    static void execute(Ctx& ctx, const Operands& o) {
        if constexpr (L == terminate) ctx.exit(o.a);
        else if constexpr (L == unsupported)
            ctx.fault(Fault::unsupported_instruction, "instruction word " + hex32(o.a | o.b << 16) +
                                                          " is not an instruction of this VM");
        else ctx.next();
    }
    template <class F>
    static Instruction<F> unsupported_word(std::uint32_t word) {
        return {opcode_offset + unsupported, {F::from_u64(word & 0xffff), F::from_u64(word >> 16)}};
    }

    // Circuit and prover parts (system_chips.hpp): terminate and nop prove; an unsupported
    // word faults and has no row.
    template <class SC>
    void extend_circuit(CircuitInventory<SC>& inv) const;
    template <class SC>
    field::RowMajorMatrix<typename SC::Field> generate_trace(std::uint32_t chip, const RecordArena& records,
                                                             TraceInventory<SC>& inv) const;
};

}  // namespace causality::vm
