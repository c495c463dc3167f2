// causality/vm/core.hpp — VmCore<F, Extensions...>: a VM composed at compile time.
//
// An extension is a type satisfying VmExtension: a name, an opcode class (opcode_offset,
// opcode_count: its global opcodes are offset + local opcode) and one executor per local
// opcode, `template <std::uint32_t Local, class Ctx> static void execute(Ctx&, const
// Operands&)`, written once against the Context interface and compiled for every
// execution mode. Optional members, detected by their presence:
//   template <class F> static Operands prepare(std::uint32_t local, const Instruction<F>&, std::uint32_t pc)
//       precomputes operands once per program (branch targets, sign-extended immediates)
//       and rejects malformed operands with an Error;
//   template <class F> static std::optional<Instruction<F>> transpile(std::uint32_t word, std::uint32_t pc)
//       claims RISC-V words for the ELF transpiler (custom instructions of user extensions);
//   template <class F> static std::string disassemble(std::uint32_t local, const Instruction<F>&, std::uint32_t pc)
//   static constexpr std::array<std::string_view, opcode_count> opcode_names
//   static constexpr std::array<std::string_view, K> chip_names and
//   static constexpr std::uint32_t chip_of(std::uint32_t local)
//       which chip's trace gets a row per executed instruction (the metered mode reports
//       rows per chip); without them the extension is one chip named after itself.
//   using chips = std::tuple<...>  the chips' AIRs and trace fillers (proving side).
// VmCore folds the extensions (after the System extension at opcodes 0..3) into one
// dispatch table per execution mode; two extensions whose opcode ranges overlap are a
// compile-time error.
#pragma once

#include <causality/error.hpp>
#include <causality/vm/context.hpp>
#include <causality/vm/machine.hpp>
#include <causality/vm/program.hpp>

#include <algorithm>
#include <array>
#include <bit>
#include <concepts>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

namespace causality::vm {

template <class E>
concept VmExtension = requires {
    { E::name } -> std::convertible_to<std::string_view>;
    { E::opcode_offset } -> std::convertible_to<std::uint32_t>;
    { E::opcode_count } -> std::convertible_to<std::uint32_t>;
} && (E::opcode_count > 0) && requires(Context<Pure>& ctx, const Operands& ops) {
    E::template execute<0>(ctx, ops);
};

// The chips of an extension (its `chips` tuple, or none).
template <class E>
struct extension_chips {
    using type = std::tuple<>;
};
template <class E>
    requires requires { typename E::chips; }
struct extension_chips<E> {
    using type = typename E::chips;
};
template <class E>
using extension_chips_t = typename extension_chips<E>::type;

// Opcodes 0..3: what every VM has.
struct System {
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
};

namespace detail {

template <class A, class B>
inline constexpr bool ranges_disjoint = std::uint64_t{A::opcode_offset} + A::opcode_count <= B::opcode_offset ||
                                        std::uint64_t{B::opcode_offset} + B::opcode_count <= A::opcode_offset;

// Instantiated for every pair, so the compiler's message names the two extensions.
template <class A, class B>
struct CheckDisjointOpcodes {
    static_assert(ranges_disjoint<A, B>,
                  "VmCore: the opcode ranges of two extensions overlap (the pair is named in "
                  "CheckDisjointOpcodes<A, B> above); give each extension its own opcode_offset");
    static constexpr bool value = ranges_disjoint<A, B>;
};
template <class... Es>
struct AllDisjoint : std::true_type {};
template <class A, class... Rest>
struct AllDisjoint<A, Rest...>
    : std::bool_constant<(CheckDisjointOpcodes<A, Rest>::value && ... && true) && AllDisjoint<Rest...>::value> {};

template <class E, class Ctx, std::uint32_t L>
void invoke(Ctx& ctx, const Slot<Ctx>& s) {
    E::template execute<L>(ctx, s.operands);
    ctx.dispatch_next();
}

template <class F>
Operands default_operands(const Instruction<F>& in) {
    const auto& o = in.operands;
    return {to_u32(o[0]), to_u32(o[1]), to_u32(o[2]), to_u32(o[3]), to_u32(o[4]), to_u32(o[5]), to_u32(o[6])};
}

}  // namespace detail

struct ExecutionOptions {
    std::uint64_t max_cycles = std::numeric_limits<std::uint64_t>::max();
    std::function<void(int fd, std::string_view bytes)> sink{};  // guest output; collected in the result without it
};

struct ExecutionResult {
    StopReason reason = StopReason::exited;
    std::uint32_t exit_code = 0;
    std::uint64_t cycles = 0;
    std::uint32_t pc = 0;
    std::string output, error_output;
    std::vector<std::uint32_t> public_values;
};

struct Count {
    std::string name;
    std::uint64_t count = 0;
};
// What a metered run measured: instructions per opcode ("rv32im.add") and per extension,
// trace rows per chip (one per executed instruction of the chip's opcodes; `padded` to
// the next power of two, as a STARK trace needs), and memory accesses.
struct Metrics {
    std::vector<Count> opcodes, extensions, chip_rows;
    std::uint64_t accesses = 0;
    [[nodiscard]] std::uint64_t padded_rows(std::string_view chip) const {
        for (const auto& c : chip_rows)
            if (c.name == chip) return c.count == 0 ? 0 : std::bit_ceil(c.count);
        return 0;
    }
};
struct MeteredExecution {
    ExecutionResult result;
    Metrics metrics;
};
struct TracedExecution {
    ExecutionResult result;
    ExecutionTrace trace;
};

template <class F, VmExtension... Extensions>
class VmCore {
    static_assert(detail::AllDisjoint<System, Extensions...>::value,
                  "VmCore: opcode ranges of the extensions must not overlap");

public:
    using field_type = F;
    using extensions = std::tuple<System, Extensions...>;
    static constexpr std::uint32_t opcode_table_size =
        std::max({System::opcode_offset + System::opcode_count, (Extensions::opcode_offset + Extensions::opcode_count)...});
    static_assert(opcode_table_size <= (1u << 16), "VmCore: keep opcodes below 2^16 (one dispatch table entry each)");

    VmCore() = default;
    explicit VmCore(MachineConfig config) : config_(config) {}
    [[nodiscard]] const MachineConfig& config() const noexcept { return config_; }

    // One executor per global opcode, for the context of an execution mode; null where no
    // extension has the opcode.
    template <class Ctx>
    static constexpr auto dispatch_table() {
        std::array<void (*)(Ctx&, const Slot<Ctx>&), opcode_table_size> t{};
        fill_table<System, Ctx>(t, std::make_index_sequence<System::opcode_count>{});
        (fill_table<Extensions, Ctx>(t, std::make_index_sequence<Extensions::opcode_count>{}), ...);
        return t;
    }

    // The operands the executors will see (the extension's prepare, or the canonical
    // values); an opcode of no extension is an Error.
    [[nodiscard]] Operands prepare(const Instruction<F>& in, std::uint32_t pc) const {
        std::optional<Operands> out;
        with_extension(in.opcode, [&]<class E>() {
            const std::uint32_t local = in.opcode - E::opcode_offset;
            if constexpr (requires { E::template prepare<F>(local, in, pc); }) out = E::template prepare<F>(local, in, pc);
            else out = detail::default_operands(in);
        });
        if (!out)
            throw Error(ErrorCode::invalid_argument, "vm: opcode " + std::to_string(in.opcode) + " at pc " +
                                                         hex32(pc) + " belongs to no extension of this VM");
        return *out;
    }

    // "extension.opcode", or "opcode N" for an opcode of no extension.
    [[nodiscard]] static std::string opcode_name(std::uint32_t opcode) {
        std::string out = "opcode " + std::to_string(opcode);
        with_extension(opcode, [&]<class E>() {
            const std::uint32_t local = opcode - E::opcode_offset;
            if constexpr (requires { E::opcode_names; })
                out = std::string(E::name) + "." + std::string(E::opcode_names[local]);
            else out = std::string(E::name) + "." + std::to_string(local);
        });
        return out;
    }

    [[nodiscard]] std::string disassemble(const Instruction<F>& in, std::uint32_t pc) const {
        std::optional<std::string> out;
        with_extension(in.opcode, [&]<class E>() {
            const std::uint32_t local = in.opcode - E::opcode_offset;
            if constexpr (requires { E::template disassemble<F>(local, in, pc); })
                out = E::template disassemble<F>(local, in, pc);
        });
        if (out) return *out;
        std::string s = opcode_name(in.opcode);
        for (std::size_t i = 0; i < in.operands.size(); ++i)
            s += (i == 0 ? " " : ", ") + std::to_string(in.operands[i].to_u64());
        return s;
    }

    // RISC-V words at pc_base, pc_base + 4, ... into a program: each word goes to the first
    // extension whose transpile() claims it; a word nobody claims becomes System's
    // `unsupported`, a fault only if it is ever executed (data in code segments is fine).
    [[nodiscard]] static Program<F> transpile(std::span<const std::uint32_t> words, std::uint32_t pc_base) {
        Program<F> p;
        p.pc_base = pc_base;
        p.pc_step = 4;
        p.instructions.reserve(words.size());
        for (std::size_t i = 0; i < words.size(); ++i) {
            const auto pc = static_cast<std::uint32_t>(pc_base + 4 * i);
            std::optional<Instruction<F>> in;
            (try_transpile<Extensions>(in, words[i], pc), ...);
            p.instructions.push_back(in ? *in : System::unsupported_word<F>(words[i]));
        }
        return p;
    }

    // Runs a program to its end (exit, ebreak or the cycle limit) in the pure mode.
    [[nodiscard]] ExecutionResult execute(const Executable<F>& exe, std::vector<std::uint8_t> input = {},
                                          ExecutionOptions options = {}) const {
        return run_to_end<Pure>(exe, std::move(input), std::move(options),
                                [](ExecutionResult r, Machine<VmCore>&) { return r; });
    }
    // Runs in the metered mode: the result and the counts.
    [[nodiscard]] MeteredExecution execute_metered(const Executable<F>& exe, std::vector<std::uint8_t> input = {},
                                                   ExecutionOptions options = {}) const {
        return run_to_end<Metered>(exe, std::move(input), std::move(options), [](ExecutionResult r, Machine<VmCore>& m) {
            return MeteredExecution{std::move(r), metrics(m.metering())};
        });
    }
    // Runs in the traced mode: the result and every instruction and memory access.
    [[nodiscard]] TracedExecution execute_traced(const Executable<F>& exe, std::vector<std::uint8_t> input = {},
                                                 ExecutionOptions options = {}) const {
        return run_to_end<Traced>(exe, std::move(input), std::move(options), [](ExecutionResult r, Machine<VmCore>& m) {
            return TracedExecution{std::move(r), m.release_trace()};
        });
    }

    // Counts by opcode, extension and chip from a metered machine's metering.
    [[nodiscard]] static Metrics metrics(const Metering& metering) {
        Metrics out;
        out.accesses = metering.accesses;
        auto add = [](std::vector<Count>& v, std::string name, std::uint64_t n) {
            for (auto& c : v)
                if (c.name == name) {
                    c.count += n;
                    return;
                }
            v.push_back({std::move(name), n});
        };
        for (std::uint32_t op = 0; op < metering.opcode_counts.size(); ++op) {
            const std::uint64_t n = metering.opcode_counts[op];
            if (n == 0) continue;
            out.opcodes.push_back({opcode_name(op), n});
            with_extension(op, [&]<class E>() {
                add(out.extensions, std::string(E::name), n);
                if constexpr (requires { E::chip_names; E::chip_of(0u); })
                    add(out.chip_rows, std::string(E::name) + "." + std::string(E::chip_names[E::chip_of(op - E::opcode_offset)]), n);
                else add(out.chip_rows, std::string(E::name), n);
            });
        }
        std::sort(out.opcodes.begin(), out.opcodes.end(), [](const Count& a, const Count& b) { return a.count > b.count; });
        return out;
    }

private:
    template <class E, class Ctx, std::size_t N, std::size_t... L>
    static constexpr void fill_table(std::array<void (*)(Ctx&, const Slot<Ctx>&), N>& t, std::index_sequence<L...>) {
        ((t[E::opcode_offset + L] = &detail::invoke<E, Ctx, static_cast<std::uint32_t>(L)>), ...);
    }
    // Calls f.template operator()<E>() for the extension that has `opcode`.
    template <class Fn>
    static void with_extension(std::uint32_t opcode, Fn&& f) {
        auto one = [&]<class E>() {
            if (opcode >= E::opcode_offset && opcode - E::opcode_offset < E::opcode_count) f.template operator()<E>();
        };
        one.template operator()<System>();
        (one.template operator()<Extensions>(), ...);
    }
    template <class E>
    static void try_transpile(std::optional<Instruction<F>>& out, std::uint32_t word, std::uint32_t pc) {
        if constexpr (requires { E::template transpile<F>(word, pc); })
            if (!out) out = E::template transpile<F>(word, pc);
    }
    // One machine, run in `Mode` until it stops; `finish` adds the mode's records to the result.
    template <class Mode, class Finish>
    auto run_to_end(const Executable<F>& exe, std::vector<std::uint8_t> input, ExecutionOptions options,
                    Finish finish) const {
        Machine<VmCore> m(*this);
        m.initialize(exe, std::move(input));
        m.set_max_cycles(options.max_cycles);
        m.io().sink = std::move(options.sink);
        const RunResult r = m.template start<Mode>();
        auto& io = m.io();
        ExecutionResult result{r.reason,         m.exit_code(),      m.cycles(), r.pc, std::move(io.output),
                               std::move(io.error_output), m.public_values()};
        return finish(std::move(result), m);
    }

    MachineConfig config_{};
};

// A VmCore specialisation (opcode ranges already checked when it is named).
template <class V>
concept VmConfig = requires {
    typename V::field_type;
    typename V::extensions;
    V::opcode_table_size;
} && std::is_same_v<decltype(V::opcode_table_size), const std::uint32_t>;

}  // namespace causality::vm
