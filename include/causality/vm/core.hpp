// causality/vm/core.hpp — VmCore<F, Extensions...>: a VM composed at compile time from
// extension values (extension.hpp says what an extension is).
//
// VmCore folds the extensions (after the System extension at opcodes 0..2) into one
// dispatch table per execution mode: every entry is an executor instantiated for that
// mode's context, wrapped so that the metered mode counts the row of the instruction's
// chip and the preflight mode opens and closes the chip's record around it (the chip is
// a compile-time constant of the entry, so the executors never name chips). Two
// extensions whose opcode ranges overlap are a compile-time error, as is a malformed
// extension (a ladder of one-sentence messages, ExtensionChecks). Chips are numbered
// globally: System's chip first, then each extension's chips in order (chip_names()).
// circuit<SC>() runs the inventory step (inventory.hpp) and generate_traces<SC>() the
// prover part; both are templates that a program which only executes never instantiates.
#pragma once

#include <causality/error.hpp>
#include <causality/field/concepts.hpp>
#include <causality/field/matrix.hpp>
#include <causality/vm/context.hpp>
#include <causality/vm/extension.hpp>
#include <causality/vm/machine.hpp>
#include <causality/vm/program.hpp>
#include <causality/vm/records.hpp>

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
#include <type_traits>
#include <utility>
#include <vector>

namespace causality::vm {

template <class E>
concept VmExtension = TaggedExtension<E> && detail::HasName<E> && detail::HasOpcodes<E>;

template <class SC>
class CircuitInventory;
template <class SC>
class TraceInventory;

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

template <class F, class... Es>
struct AllExtensionsValid : std::bool_constant<(ExtensionChecks<F, Es>::value && ... && true)> {};

template <class F>
Operands default_operands(const Instruction<F>& in) {
    const auto& o = in.operands;
    return {to_u32(o[0]), to_u32(o[1]), to_u32(o[2]), to_u32(o[3]), to_u32(o[4]), to_u32(o[5]), to_u32(o[6])};
}

}  // namespace detail

struct ExecutionOptions {
    std::uint64_t max_cycles = std::numeric_limits<std::uint64_t>::max();
    std::function<void(int fd, std::string_view bytes)> sink{};  // guest output; collected in the result without it
    // The resource register file the run starts with (inputs, sections, execution
    // context); its size is the machine's when absent.
    std::optional<resource::ResourceFile> resources{};
};

struct ExecutionResult {
    StopReason reason = StopReason::exited;
    std::uint32_t exit_code = 0;
    std::uint64_t cycles = 0;
    std::uint32_t pc = 0;
    std::string output, error_output;
    std::vector<std::uint32_t> public_values;
    std::vector<HashDigest> deferred_digests;  // of the deferred hash requests, in handle order (hash_pool.hpp)
    resource::ResourceOutputs resources;       // nullifiers and commitments published, in order
};

struct Count {
    std::string name;
    std::uint64_t count = 0;
};
// What a metered run measured: instructions per opcode ("rv32im.add") and per extension,
// trace rows per chip (one per executed instruction of the chip's opcodes, counted while
// the run goes; `padded` to the next power of two, as a STARK trace needs), and memory
// accesses.
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
// What a preflight run leaves for trace generation (records.hpp): one arena per chip and
// the memory boundary.
struct PreflightExecution {
    ExecutionResult result;
    std::vector<RecordArena> chips;       // by global chip index
    std::vector<BoundaryEntry> boundary;  // every touched address, sorted
    std::uint32_t final_timestamp = 0;    // of the last access
    resource::ResourceFile resources;     // the resource register file at the end of the run
};

template <class F, class... Extensions>
class VmCore {
    static_assert(field::PrimeField<F>, "VmCore: the first template argument is the VM's prime field");
    static_assert(detail::AllExtensionsValid<F, Extensions...>::value,
                  "VmCore: an extension is malformed (the first message above says what it lacks)");
    // Checked only for valid extensions (disjunction stops instantiating at the first true).
    static_assert(std::disjunction_v<std::negation<detail::AllExtensionsValid<F, Extensions...>>,
                                     detail::AllDisjoint<System, Extensions...>>,
                  "VmCore: opcode ranges of the extensions must not overlap");

    template <class>
    friend class Machine;

public:
    using field_type = F;
    using extensions = std::tuple<System, Extensions...>;
    static constexpr std::size_t extension_count = 1 + sizeof...(Extensions);
    static constexpr std::uint32_t opcode_table_size =
        std::max({System::opcode_offset + System::opcode_count, (Extensions::opcode_offset + Extensions::opcode_count)...});
    static_assert(opcode_table_size <= (1u << 16), "VmCore: keep opcodes below 2^16 (one dispatch table entry each)");
    // chip_offsets[i]: the global index of extension i's first chip (System is extension 0).
    static constexpr std::array<std::uint32_t, extension_count + 1> chip_offsets = [] {
        std::array<std::uint32_t, extension_count + 1> o{};
        const std::array<std::uint32_t, extension_count> counts{vm::chip_count<System>(), vm::chip_count<Extensions>()...};
        for (std::size_t i = 0; i < extension_count; ++i) o[i + 1] = o[i] + counts[i];
        return o;
    }();
    static constexpr std::uint32_t chip_count = chip_offsets[extension_count];

    VmCore() = default;
    template <class... Es>
        requires(sizeof...(Es) > 0 && sizeof...(Es) == sizeof...(Extensions) &&
                 (std::is_same_v<std::remove_cvref_t<Es>, Extensions> && ...))
    explicit VmCore(Es&&... e) : extensions_(System{}, std::forward<Es>(e)...) {}
    // The extensions default-constructed.
    explicit VmCore(MachineConfig config) : config_(config) {}
    template <class... Es>
        requires(sizeof...(Es) > 0 && sizeof...(Es) == sizeof...(Extensions) &&
                 (std::is_same_v<std::remove_cvref_t<Es>, Extensions> && ...))
    VmCore(MachineConfig config, Es&&... e) : config_(config), extensions_(System{}, std::forward<Es>(e)...) {}

    [[nodiscard]] const MachineConfig& config() const noexcept { return config_; }
    // Entries of the deferred-hash table the proof publishes: config().deferred_hashes when
    // an extension hashes deferred requests (declares `uses_deferred_table`), else 0.
    [[nodiscard]] std::uint32_t deferred_capacity() const noexcept {
        bool uses = false;
        for_each_type([&]<std::size_t, class E>() {
            if constexpr (requires { E::uses_deferred_table; }) uses = uses || E::uses_deferred_table;
        });
        return uses ? config_.deferred_hashes : 0;
    }
    // The digests of a pool's deferred requests, by the extension that hashes them.
    [[nodiscard]] std::vector<HashDigest> deferred_digests(const HashRequestPool& pool) const {
        std::vector<HashDigest> out;
        if (pool.deferred_count() == 0) return out;
        for_each_value([&]<std::size_t, class E>(const E& e) {
            if constexpr (requires { e.deferred_digests(pool); }) out = e.deferred_digests(pool);
        });
        return out;
    }
    // The extension value of type E (with its parameters).
    template <class E>
    [[nodiscard]] const E& extension() const noexcept {
        return std::get<E>(extensions_);
    }

    // "extension.chip" (or the extension's name for a one-chip extension without chip
    // names), by global chip index.
    [[nodiscard]] static std::vector<std::string> chip_names() {
        std::vector<std::string> out;
        for_each_type([&]<std::size_t I, class E>() {
            for (std::uint32_t c = 0; c < vm::chip_count<E>(); ++c) {
                if constexpr (detail::DeclaresChips<E>) out.push_back(std::string(E::name) + "." + std::string(E::chip_names[c]));
                else out.emplace_back(E::name);
            }
        });
        return out;
    }
    // The global chip that executes `opcode`, or nothing for an opcode of no extension.
    [[nodiscard]] static std::optional<std::uint32_t> chip_of_opcode(std::uint32_t opcode) {
        std::optional<std::uint32_t> out;
        with_extension_type(opcode, [&]<std::size_t I, class E>() {
            out = chip_offsets[I] + vm::chip_of<E>(opcode - E::opcode_offset);
        });
        return out;
    }

    // One executor per global opcode, for the context of an execution mode; null where no
    // extension has the opcode.
    template <class Ctx>
    static constexpr auto dispatch_table() {
        std::array<void (*)(Ctx&, const Slot<Ctx>&), opcode_table_size> t{};
        fill_tables<Ctx>(t, std::make_index_sequence<extension_count>{});
        return t;
    }

    // The operands the executors will see (the extension's prepare, or the canonical
    // values); an opcode of no extension is an Error.
    [[nodiscard]] Operands prepare(const Instruction<F>& in, std::uint32_t pc) const {
        std::optional<Operands> out;
        with_extension(in.opcode, [&]<class E>(const E& ext) {
            const std::uint32_t local = in.opcode - E::opcode_offset;
            if constexpr (requires { ext.template prepare<F>(local, in, pc); }) out = ext.template prepare<F>(local, in, pc);
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
        with_extension_type(opcode, [&]<std::size_t I, class E>() {
            const std::uint32_t local = opcode - E::opcode_offset;
            if constexpr (requires { E::opcode_names; })
                out = std::string(E::name) + "." + std::string(E::opcode_names[local]);
            else out = std::string(E::name) + "." + std::to_string(local);
        });
        return out;
    }

    [[nodiscard]] std::string disassemble(const Instruction<F>& in, std::uint32_t pc) const {
        std::optional<std::string> out;
        with_extension(in.opcode, [&]<class E>(const E& ext) {
            const std::uint32_t local = in.opcode - E::opcode_offset;
            if constexpr (requires { ext.template disassemble<F>(local, in, pc); })
                out = ext.template disassemble<F>(local, in, pc);
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
    [[nodiscard]] Program<F> transpile(std::span<const std::uint32_t> words, std::uint32_t pc_base) const {
        Program<F> p;
        p.pc_base = pc_base;
        p.pc_step = 4;
        p.instructions.reserve(words.size());
        for (std::size_t i = 0; i < words.size(); ++i) {
            const auto pc = static_cast<std::uint32_t>(pc_base + 4 * i);
            std::optional<Instruction<F>> in;
            std::apply([&](const System&, const Extensions&... ext) { (try_transpile(ext, in, words[i], pc), ...); },
                       extensions_);
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
    // Runs in the preflight mode: the result, every chip's records and the memory boundary.
    [[nodiscard]] PreflightExecution execute_preflight(const Executable<F>& exe, std::vector<std::uint8_t> input = {},
                                                       ExecutionOptions options = {}) const {
        return run_to_end<Preflight>(exe, std::move(input), std::move(options), [](ExecutionResult r, Machine<VmCore>& m) {
            PreflightExecution out{std::move(r), {}, m.boundary(), m.timestamp(), m.resources()};
            out.chips = m.release_records();
            return out;
        });
    }

    // Counts by opcode, extension and chip from a metered machine's metering.
    [[nodiscard]] static Metrics metrics(const Metering& metering) {
        Metrics out;
        out.accesses = metering.accesses;
        for (std::uint32_t op = 0; op < metering.opcode_counts.size(); ++op) {
            const std::uint64_t n = metering.opcode_counts[op];
            if (n == 0) continue;
            out.opcodes.push_back({opcode_name(op), n});
            with_extension_type(op, [&]<std::size_t I, class E>() {
                for (auto& c : out.extensions)
                    if (c.name == E::name) {
                        c.count += n;
                        return;
                    }
                out.extensions.push_back({std::string(E::name), n});
            });
        }
        const auto names = chip_names();
        for (std::size_t c = 0; c < metering.chip_rows.size() && c < names.size(); ++c)
            if (metering.chip_rows[c] != 0) out.chip_rows.push_back({names[c], metering.chip_rows[c]});
        std::sort(out.opcodes.begin(), out.opcodes.end(), [](const Count& a, const Count& b) { return a.count > b.count; });
        return out;
    }

    // --- circuit and prover parts (inventory.hpp must be included to use them) -------------
    // The inventory step: system buses, then every extension's extend_circuit in order.
    // An extension without circuit part leaves its chips without AIR (airs() names them).
    template <class SC>
    [[nodiscard]] CircuitInventory<SC> circuit() const {
        static_assert(std::is_same_v<typename SC::Field, F>, "VmCore::circuit: the configuration's field is not the VM's");
        CircuitInventory<SC> inv;
        inv.set_limits({config_.resource_outputs, config_.capability_entries});
        for_each_value([&]<std::size_t I, class E>(const E& ext) {
            if constexpr (requires { ext.template extend_circuit<SC>(inv); }) {
                inv.begin_extension(std::string(E::name), vm::chip_count<E>());
                ext.template extend_circuit<SC>(inv);
                inv.end_extension();
            } else {
                inv.skip_extension(std::string(E::name), vm::chip_count<E>());
            }
        });
        inv.finish();
        return inv;
    }
    // The trace of global chip `chip` from its records; its lookups go to `periphery`.
    template <class SC>
    [[nodiscard]] field::RowMajorMatrix<F> generate_chip_trace(std::uint32_t chip, const RecordArena& records,
                                                              TraceInventory<SC>& periphery) const {
        if (chip >= chip_count)
            throw Error(ErrorCode::out_of_range, "vm: chip " + std::to_string(chip) + " of " + std::to_string(chip_count));
        std::optional<field::RowMajorMatrix<F>> out;
        for_each_value([&]<std::size_t I, class E>(const E& ext) {
            if (chip < chip_offsets[I] || chip >= chip_offsets[I + 1]) return;
            periphery.set_extension_first_chip(chip_offsets[I]);
            if constexpr (requires { ext.template generate_trace<SC>(chip, records, periphery); })
                out = ext.template generate_trace<SC>(chip - chip_offsets[I], records, periphery);
            else
                throw Error(ErrorCode::invalid_argument, "vm: chip " + chip_names()[chip] +
                                                             " has no trace filler: its extension has no generate_trace");
        });
        return std::move(*out);
    }
    // The traces of the chips that have an AIR (circuit.proven_chips() order), from the
    // run's records; fillers read operands from the periphery's program and add their
    // lookups to its counts (the caller builds the periphery traces once every AIR that
    // looks up has been filled). Error(invalid_argument) naming a chip without AIR that the
    // run used: such a run cannot be proven.
    template <class SC>
    [[nodiscard]] std::vector<field::RowMajorMatrix<F>> generate_chip_traces(const CircuitInventory<SC>& circuit,
                                                                             const PreflightExecution& run,
                                                                             TraceInventory<SC>& periphery) const {
        if (run.chips.size() != chip_count)
            throw Error(ErrorCode::invalid_size, "vm: the preflight run has " + std::to_string(run.chips.size()) +
                                                     " chip arenas, this VM has " + std::to_string(chip_count) + " chips");
        const auto names = chip_names();
        for (std::uint32_t c = 0; c < chip_count; ++c)
            if (!circuit.chip_air(c) && !run.chips[c].empty())
                throw Error(ErrorCode::invalid_argument,
                            "vm: the run executed " + std::to_string(run.chips[c].size()) + " instruction(s) of chip " +
                                names[c] + ", which has no AIR yet (extension '" + circuit.missing_extension(c) +
                                "'): this run cannot be proven");
        std::vector<field::RowMajorMatrix<F>> out;
        periphery.set_run(&run.chips);
        periphery.set_boundary(&run.boundary);
        periphery.set_resources(&run.resources);
        for (const std::uint32_t c : circuit.proven_chips()) out.push_back(generate_chip_trace<SC>(c, run.chips[c], periphery));
        return out;
    }

private:
    template <std::size_t I, class Ctx, std::uint32_t L>
    static void invoke(Ctx& ctx, const Slot<Ctx>& s) {
        using E = std::tuple_element_t<I, extensions>;
        constexpr std::uint32_t chip = chip_offsets[I] + vm::chip_of<E>(L);
        const E& ext = std::get<I>(static_cast<const VmCore*>(ctx.vm_)->extensions_);
        if constexpr (Ctx::mode::metered) ctx.count(s.opcode, chip);
        if constexpr (Ctx::mode::preflight) ctx.begin_record(chip);
        ext.template execute<L>(ctx, s.operands);
        if constexpr (Ctx::mode::preflight) ctx.end_record();
        ctx.dispatch_next();
    }
    template <class Ctx, std::size_t I, std::size_t N, std::size_t... L>
    static constexpr void fill_table(std::array<void (*)(Ctx&, const Slot<Ctx>&), N>& t, std::index_sequence<L...>) {
        using E = std::tuple_element_t<I, extensions>;
        ((t[E::opcode_offset + L] = &invoke<I, Ctx, static_cast<std::uint32_t>(L)>), ...);
    }
    template <class Ctx, std::size_t N, std::size_t... I>
    static constexpr void fill_tables(std::array<void (*)(Ctx&, const Slot<Ctx>&), N>& t, std::index_sequence<I...>) {
        (fill_table<Ctx, I>(t, std::make_index_sequence<std::tuple_element_t<I, extensions>::opcode_count>{}), ...);
    }
    // f.template operator()<I, E>() for every extension type.
    template <class Fn>
    static void for_each_type(Fn&& f) {
        [&]<std::size_t... I>(std::index_sequence<I...>) {
            (f.template operator()<I, std::tuple_element_t<I, extensions>>(), ...);
        }(std::make_index_sequence<extension_count>{});
    }
    // f.template operator()<I, E>(value) for every extension value.
    template <class Fn>
    void for_each_value(Fn&& f) const {
        [&]<std::size_t... I>(std::index_sequence<I...>) {
            (f.template operator()<I, std::tuple_element_t<I, extensions>>(std::get<I>(extensions_)), ...);
        }(std::make_index_sequence<extension_count>{});
    }
    template <class Fn>
    static void with_extension_type(std::uint32_t opcode, Fn&& f) {
        for_each_type([&]<std::size_t I, class E>() {
            if (opcode >= E::opcode_offset && opcode - E::opcode_offset < E::opcode_count) f.template operator()<I, E>();
        });
    }
    // f(value) for the extension that has `opcode`.
    template <class Fn>
    void with_extension(std::uint32_t opcode, Fn&& f) const {
        for_each_value([&]<std::size_t I, class E>(const E& ext) {
            if (opcode >= E::opcode_offset && opcode - E::opcode_offset < E::opcode_count) f(ext);
        });
    }
    template <class E>
    static void try_transpile(const E& ext, std::optional<Instruction<F>>& out, std::uint32_t word, std::uint32_t pc) {
        if constexpr (requires { ext.template transpile<F>(word, pc); })
            if (!out) out = ext.template transpile<F>(word, pc);
    }
    // One machine, run in `Mode` until it stops; `finish` adds the mode's records to the result.
    template <class Mode, class Finish>
    auto run_to_end(const Executable<F>& exe, std::vector<std::uint8_t> input, ExecutionOptions options,
                    Finish finish) const {
        Machine<VmCore> m(*this);
        m.initialize(exe, std::move(input));
        m.set_max_cycles(options.max_cycles);
        m.io().sink = std::move(options.sink);
        if (options.resources) m.resources() = std::move(*options.resources);
        const RunResult r = m.template start<Mode>();
        auto& io = m.io();
        ExecutionResult result{r.reason,         m.exit_code(),      m.cycles(), r.pc, std::move(io.output),
                               std::move(io.error_output), m.public_values(), deferred_digests(m.hash_requests()),
                               m.resources().outputs()};
        return finish(std::move(result), m);
    }

    MachineConfig config_{};
    extensions extensions_{};
};

// A VmCore specialisation (opcode ranges already checked when it is named).
template <class V>
concept VmConfig = requires {
    typename V::field_type;
    typename V::extensions;
    V::opcode_table_size;
    V::chip_count;
} && std::is_same_v<decltype(V::opcode_table_size), const std::uint32_t>;

}  // namespace causality::vm
