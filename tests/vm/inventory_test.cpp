// The circuit and prover parts of extensions: the inventory step allocates the system buses
// and shares periphery tables between extensions ("find it, or create it"); a chip's trace
// is filled from its preflight arena and its lookups balance the shared table; chips
// without circuit part are named when a whole circuit is asked for.
#include "vm_test_util.hpp"

#include <causality/air/bus.hpp>
#include <causality/stark/config.hpp>
#include <causality/vm/inventory.hpp>

#include <catch2/catch.hpp>

using namespace causality;
using namespace causality::vm;
using namespace vmtest;

namespace {

using SC = stark::BabyBearPoseidon2;

// "wbytes rd, rs1": rd = rs1 with its bytes reversed. Its chip's row: is_real, pc, timestamp,
// and the four bytes of the result, each range-checked through the shared 8-bit table
// (the chip receives its from-state on the execution bus and sends its to-state).
struct ByteSwapAir {
    air::PermutationBus execution;
    air::LookupBus bytes;
    static constexpr std::size_t width() { return 7; }
    static std::string name() { return "byte_swap"; }
    template <class AB>
    void eval(AB& b) const {
        const auto m = b.main();
        const auto real = m.local(0), pc = m.local(1), ts = m.local(2);
        b.assert_bool(real);
        execution.receive(b, {pc, ts}, real);
        execution.send(b, {pc + b.constant(F::from_u64(4)), ts + b.constant(F::from_u64(2))}, real);
        for (std::size_t k = 0; k < 4; ++k) bytes.lookup_key(b, {m.local(3 + k)}, real);
    }
};

template <std::uint32_t Offset>
struct ByteSwap {
    using tag = extension_tag;
    static constexpr std::string_view name = Offset == 0x500 ? "byte_swap" : "byte_swap_too";
    static constexpr std::uint32_t opcode_offset = Offset, opcode_count = 1;
    mutable air::BusId own_bus = 0;  // what new_bus gave (checked by the test)

    template <std::uint32_t L, class Ctx>
    static void execute(Ctx& ctx, const Operands& o) {
        const std::uint32_t v = ctx.read_reg(o.b);
        ctx.write_reg(o.a, (v >> 24) | ((v >> 8) & 0xff00u) | ((v << 8) & 0xff0000u) | (v << 24));
        ctx.next();
    }
    template <class Cfg>
    void extend_circuit(CircuitInventory<Cfg>& inv) const {
        own_bus = inv.new_bus();
        inv.add_chip(ByteSwapAir{inv.buses().execution, inv.range_checker(8)}, 2);
    }
    template <class Cfg>
    field::RowMajorMatrix<F> generate_trace(std::uint32_t chip, const RecordArena& records, TraceInventory<Cfg>& inv) const {
        REQUIRE(chip == 0);
        const std::size_t rows = std::max<std::size_t>(4, std::bit_ceil(records.size()));
        field::RowMajorMatrix<F> t = field::RowMajorMatrix<F>::Zero(static_cast<Eigen::Index>(rows), 7);
        for (std::size_t r = 0; r < records.size(); ++r) {
            const auto rec = records[r];
            const auto row = static_cast<Eigen::Index>(r);
            t(row, 0) = F::one();
            t(row, 1) = F::from_u64(rec.pc);
            t(row, 2) = F::from_u64(rec.timestamp);
            const std::uint32_t out = rec.accesses[1].value;
            for (std::size_t k = 0; k < 4; ++k) {
                const std::uint32_t byte = (out >> (8 * k)) & 0xff;
                t(row, static_cast<Eigen::Index>(3 + k)) = F::from_u64(byte);
                inv.range_checker(8).add(byte);
            }
        }
        return t;
    }
};

using SwapVm = VmCore<F, ext::Rv32im, ByteSwap<0x500>, ByteSwap<0x600>>;

Executable<F> swap_program() {
    Executable<F> exe;
    exe.program.pc_base = base;
    auto rv = [](const RV& in) { return ext::Rv32im::to_instruction<F>(in); };
    const auto swap = [](std::uint32_t opcode) {
        return Instruction<F>{opcode, {F::from_u64(a0), F::from_u64(a0)}};
    };
    exe.program.instructions = {rv(li(a0, 0x123)),     rv(i(Op::slli, a0, a0, 20)), swap(0x500), swap(0x600), swap(0x500),
                                rv(li(a7, 93)),         rv(exit_call())};
    exe.entry = base;
    return exe;
}

struct SwapAirs {
    stark::AirRef<SC> first, second, table;
    explicit SwapAirs(const CircuitInventory<SC>& inv)
        : first(*inv.chip_air(SwapVm::chip_offsets[2])), second(*inv.chip_air(SwapVm::chip_offsets[3])),
          table(inv.periphery_air(1)) {}
};

}  // namespace

TEST_CASE("the inventory allocates system buses first and shares periphery tables", "[vm][inventory]") {
    const SwapVm vm;
    const auto inv = vm.circuit<SC>();
    CHECK(inv.buses().execution.id == 0);
    CHECK(inv.buses().memory.id == 1);
    CHECK(inv.buses().program.id == 2);
    CHECK(inv.buses().termination.id == 3);
    CHECK(inv.buses().image.id == 4);
    CHECK(inv.buses().deferred.id == 5);
    CHECK(inv.chip_count() == SwapVm::chip_count);
    // Every circuit has the timestamp-limb range checker (bus 6: after the six system buses), created first; RV32IM asks
    // for the 8-bit range checker and the bitwise table; both byte-swap extensions find the
    // 8-bit table RV32IM created.
    REQUIRE(inv.periphery().size() == 3);
    CHECK(inv.periphery()[0].kind == PeripheryKind::range_checker);
    CHECK(inv.periphery()[0].bits == timestamp_limb_bits);
    CHECK(inv.periphery()[0].bus.id == 6);
    CHECK(inv.periphery()[1].kind == PeripheryKind::range_checker);
    CHECK(inv.periphery()[1].bits == 8);
    CHECK(inv.periphery()[2].kind == PeripheryKind::bitwise);
    const auto proven = inv.proven_chips();
    CHECK(inv.periphery()[0].air == proven.size());
    // Fresh buses are distinct from the system's and the tables'.
    const auto& first = vm.extension<ByteSwap<0x500>>();
    const auto& second = vm.extension<ByteSwap<0x600>>();
    CHECK(first.own_bus == 10);  // RV32IM took 9 for its hint bus
    CHECK(second.own_bus == 11);
    // Every chip of this VM has an AIR: airs() is the chips, then the periphery.
    CHECK(proven.size() == SwapVm::chip_count);
    CHECK(inv.missing_extension(0).empty());
    CHECK(inv.airs().size() == proven.size() + 3);
}

TEST_CASE("a chip's trace comes from its preflight arena and its lookups balance the shared table",
          "[vm][inventory]") {
    const SwapVm vm;
    const auto inv = vm.circuit<SC>();
    const auto exe = swap_program();
    const auto run = vm.execute_preflight(exe);
    REQUIRE(run.result.exit_code == 0x00003012u);  // 0x12300000 with its bytes reversed three times
    const std::uint32_t first_chip = SwapVm::chip_offsets[2], second_chip = SwapVm::chip_offsets[3];
    CHECK(run.chips[first_chip].size() == 2);
    CHECK(run.chips[second_chip].size() == 1);

    TraceInventory<SC> periphery(inv, &exe.program);
    const auto t1 = vm.generate_chip_trace<SC>(first_chip, run.chips[first_chip], periphery);
    const auto t2 = vm.generate_chip_trace<SC>(second_chip, run.chips[second_chip], periphery);
    const auto tables = periphery.periphery_traces();
    REQUIRE(tables.size() == 3);
    const auto& table = tables[1];
    CHECK(table.rows() == 256);

    const SwapAirs airs{inv};
    CHECK(airs.first.check(t1, {}).ok());
    CHECK(airs.second.check(t2, {}).ok());
    const auto ledger = [&](const field::RowMajorMatrix<F>& a, const field::RowMajorMatrix<F>& b) {
        air::BusLedger<F> l;
        airs.first.collect_messages(l, a, {});
        airs.second.collect_messages(l, b, {});
        airs.table.collect_messages(l, table, {});
        return l.report(100);
    };
    // Only the execution bus is open (no program, connector or RV32IM chips here); every
    // range-check lookup is matched by the shared table.
    const auto report = ledger(t1, t2);
    CHECK(report.total_unbalanced > 0);
    for (const auto& u : report.unbalanced) CHECK(u.bus == 0);

    // A byte that is not a byte: the range bus no longer balances.
    auto bad = t1;
    bad(0, 3) = F::from_u64(300);
    bool range_open = false;
    for (const auto& u : ledger(bad, t2).unbalanced) range_open |= u.bus == inv.periphery()[1].bus.id;
    CHECK(range_open);

    // A chip number beyond the VM's is named.
    CHECK_THROWS_WITH(vm.generate_chip_trace<SC>(SwapVm::chip_count, run.chips[0], periphery),
                      Catch::Contains("chip " + std::to_string(SwapVm::chip_count) + " of"));
    // Every chip's trace from a whole run: the byte-swap chips' rows and RV32IM's.
    TraceInventory<SC> fresh(inv, &exe.program);
    const auto all = vm.generate_chip_traces<SC>(inv, run, fresh);
    CHECK(all.size() == SwapVm::chip_count);
}
