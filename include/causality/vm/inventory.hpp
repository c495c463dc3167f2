// causality/vm/inventory.hpp — the inventory step of building a VM's circuit, and its
// mirror on the prover side.
//
// VmCore::circuit<SC>() makes a CircuitInventory, allocates the system buses (execution,
// memory, program), then calls every extension's extend_circuit in order. An extension
// adds one AIR per chip (add_chip, in its chip_names order) and asks the inventory for
// what it shares with others: a fresh bus id (new_bus), a range checker of some width or
// the 8-bit bitwise table. The first extension that asks for a periphery table creates
// it; later ones find it and use the same bus, so two extensions that both range-check
// bytes share one table. Periphery AIRs come after every chip, in the order of creation.
//
// The prover side: VmCore::generate_traces<SC>() hands every chip's filler a
// TraceInventory with the lookup counts of exactly the periphery tables the circuit
// created; after every chip is filled, the periphery traces are built from those counts.
#pragma once

#include <causality/air/air.hpp>
#include <causality/air/periphery.hpp>
#include <causality/error.hpp>
#include <causality/stark/folders.hpp>
#include <causality/vm/buses.hpp>
#include <causality/vm/format.hpp>
#include <causality/vm/program.hpp>
#include <causality/vm/records.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace causality::resource {
class ResourceFile;
}

namespace causality::vm {

// The sizes of the public tables a VM's proof carries besides the connector's (from its
// MachineConfig, for extensions whose circuit needs them).
struct CircuitLimits {
    std::uint32_t resource_outputs = 16;     // MachineConfig::resource_outputs
    std::uint32_t capability_entries = 32;   // MachineConfig::capability_entries
};

// What kind of shared table a periphery entry is.
enum class PeripheryKind : std::uint8_t { range_checker, bitwise };

struct PeripheryEntry {
    PeripheryKind kind;
    unsigned bits = 0;  // range checker: the table's width
    air::LookupBus bus;
    std::size_t air = 0;  // index in CircuitInventory::airs() (after the chips that have an AIR)
};

template <class SC>
class CircuitInventory {
public:
    using F = typename SC::Field;

    CircuitInventory() { (void)range_checker(timestamp_limb_bits); }

    [[nodiscard]] const SystemBuses& buses() const noexcept { return buses_; }
    [[nodiscard]] const CircuitLimits& limits() const noexcept { return limits_; }
    void set_limits(const CircuitLimits& l) noexcept { limits_ = l; }
    // A bus id no other chip uses yet.
    [[nodiscard]] air::BusId new_bus() noexcept { return next_bus_++; }

    // The range checker for values in [0, 2^bits), created by the first caller.
    [[nodiscard]] air::LookupBus range_checker(unsigned bits) {
        if (const auto* p = find(PeripheryKind::range_checker, bits)) return p->bus;
        air::RangeCheckAir table(air::LookupBus{next_bus_}, bits);  // checks bits before the bus is taken
        ++next_bus_;
        periphery_.push_back({PeripheryKind::range_checker, bits, table.bus(), 0});
        periphery_airs_.emplace_back(std::move(table));
        return periphery_.back().bus;
    }
    // The 8-bit AND / OR / XOR table, created by the first caller.
    [[nodiscard]] air::LookupBus bitwise() {
        if (const auto* p = find(PeripheryKind::bitwise, 8)) return p->bus;
        periphery_.push_back({PeripheryKind::bitwise, 8, air::LookupBus{next_bus_++}, 0});
        periphery_airs_.emplace_back(air::BitwiseAir(periphery_.back().bus));
        return periphery_.back().bus;
    }

    // Adds the AIR of the next chip of the extension being built.
    // `max_timestamp_step`: the most one row of the chip advances the timestamp (its accesses
    // per row; RV32IM's system call: 5). The verifier bounds every timestamp of a proof by
    // the sum over chips of height x step (bridge.hpp's argument needs them below 2^30).
    void add_chip(stark::AirRef<SC> air, std::uint32_t max_timestamp_step) {
        if (!building_)
            throw Error(ErrorCode::invalid_argument, "vm: add_chip outside an extension's extend_circuit");
        if (chip_airs_.size() >= building_->first_chip + building_->chips)
            throw Error(ErrorCode::invalid_argument, "vm: extension '" + building_->name + "' adds more AIRs than its " +
                                                         std::to_string(building_->chips) + " chips");
        chip_airs_.emplace_back(std::move(air));
        steps_.resize(chip_airs_.size(), 0);
        steps_.back() = max_timestamp_step;
    }
    // The timestamp steps of the chips that have an AIR, in airs() order.
    [[nodiscard]] std::vector<std::uint32_t> timestamp_steps() const {
        std::vector<std::uint32_t> out;
        for (std::size_t k = 0; k < chip_airs_.size(); ++k)
            if (chip_airs_[k]) out.push_back(steps_[k]);
        return out;
    }

    // The next chip of the extension being built has no AIR (yet): its instructions run,
    // but a run that executes one cannot be proven (generate_traces names the chip).
    void add_unprovable_chip() {
        if (!building_)
            throw Error(ErrorCode::invalid_argument, "vm: add_unprovable_chip outside an extension's extend_circuit");
        missing_[chip_airs_.size()] = building_->name;
        chip_airs_.emplace_back(std::nullopt);
        steps_.resize(chip_airs_.size(), 0);
    }

    // --- the built circuit -----------------------------------------------------------------
    // The AIRs of a proof's instruction side: every chip that has one (in chip order, see
    // proven_chips), then the periphery tables. A chip without AIR (its extension has no
    // circuit part) is left out: a run that executes one of its instructions cannot be
    // proven (generate_traces names it), and a proof never contains a row of it.
    [[nodiscard]] std::vector<stark::AirRef<SC>> airs() const {
        std::vector<stark::AirRef<SC>> out;
        for (const auto& a : chip_airs_)
            if (a) out.push_back(*a);
        out.insert(out.end(), periphery_airs_.begin(), periphery_airs_.end());
        return out;
    }
    // The global indices of the chips that have an AIR, in airs() order.
    [[nodiscard]] std::vector<std::uint32_t> proven_chips() const {
        std::vector<std::uint32_t> out;
        for (std::size_t k = 0; k < chip_airs_.size(); ++k)
            if (chip_airs_[k]) out.push_back(static_cast<std::uint32_t>(k));
        return out;
    }
    // The extension of a chip without AIR ("" for a chip that has one).
    [[nodiscard]] std::string missing_extension(std::size_t chip) const {
        const auto it = missing_.find(chip);
        return it == missing_.end() ? std::string() : it->second;
    }
    [[nodiscard]] std::size_t chip_count() const noexcept { return chip_airs_.size(); }
    // The AIR of global chip `chip` (nothing for a chip whose extension has no circuit part).
    [[nodiscard]] const std::optional<stark::AirRef<SC>>& chip_air(std::size_t chip) const { return chip_airs_.at(chip); }
    // The AIR of periphery table k (in periphery() order).
    [[nodiscard]] const stark::AirRef<SC>& periphery_air(std::size_t k) const { return periphery_airs_.at(k); }
    [[nodiscard]] const std::vector<PeripheryEntry>& periphery() const noexcept { return periphery_; }
    [[nodiscard]] std::uint32_t buses_allocated() const noexcept { return next_bus_; }

    // For VmCore: brackets one extension's extend_circuit, so that an extension that adds
    // fewer or more AIRs than it has chips is named.
    void begin_extension(std::string name, std::size_t chips) {
        building_ = Building{std::move(name), chip_airs_.size(), chips};
    }
    void end_extension() {
        const Building b = *building_;
        building_.reset();
        if (chip_airs_.size() != b.first_chip + b.chips)
            throw Error(ErrorCode::invalid_argument, "vm: extension '" + b.name + "' has " + std::to_string(b.chips) +
                                                         " chips but its extend_circuit added " +
                                                         std::to_string(chip_airs_.size() - b.first_chip) + " AIRs");
    }
    // A chip without AIR yet (an extension that has no circuit part); proving refuses it.
    void skip_extension(const std::string& name, std::size_t chips) {
        for (std::size_t k = 0; k < chips; ++k) {
            missing_[chip_airs_.size()] = name;
            chip_airs_.emplace_back(std::nullopt);
            steps_.resize(chip_airs_.size(), 0);
        }
    }
    [[nodiscard]] bool complete() const noexcept {
        for (const auto& a : chip_airs_)
            if (!a) return false;
        return true;
    }
    void finish() {
        std::size_t proven = 0;
        for (const auto& a : chip_airs_) proven += a ? 1 : 0;
        for (std::size_t k = 0; k < periphery_.size(); ++k) periphery_[k].air = proven + k;
    }

private:
    struct Building {
        std::string name;
        std::size_t first_chip = 0, chips = 0;
    };
    const PeripheryEntry* find(PeripheryKind kind, unsigned bits) const {
        for (const auto& p : periphery_)
            if (p.kind == kind && p.bits == bits) return &p;
        return nullptr;
    }

    SystemBuses buses_{};
    CircuitLimits limits_{};
    air::BusId next_bus_ = SystemBuses::count;
    std::vector<std::optional<stark::AirRef<SC>>> chip_airs_;
    std::vector<std::uint32_t> steps_;  // max timestamp step per chip
    std::map<std::size_t, std::string> missing_;  // chip -> its extension, for chips without AIR
    std::vector<stark::AirRef<SC>> periphery_airs_;
    std::vector<PeripheryEntry> periphery_;
    std::optional<Building> building_;
};

// The prover's side of the periphery: lookup counts of the tables the circuit created.
template <class SC>
class TraceInventory {
public:
    using F = typename SC::Field;

    // `program`: the program the records come from (fillers read an executed instruction's
    // operands from it by pc); it must outlive the inventory.
    explicit TraceInventory(const CircuitInventory<SC>& circuit, const Program<F>* program = nullptr)
        : periphery_(circuit.periphery()), limits_(circuit.limits()), program_(program) {
        for (const auto& p : periphery_) {
            if (p.kind == PeripheryKind::range_checker)
                range_.emplace(p.bits, air::RangeCheckCounts(air::RangeCheckAir(p.bus, p.bits)));
            else bitwise_.emplace();
        }
    }
    // The counts of the range checker of `bits` bits (the chip's extend_circuit asked for it).
    [[nodiscard]] air::RangeCheckCounts& range_checker(unsigned bits) {
        const auto it = range_.find(bits);
        if (it == range_.end())
            throw Error(ErrorCode::invalid_argument, "vm: a trace filler looks up a " + std::to_string(bits) +
                                                         "-bit range checker the circuit does not have");
        return it->second;
    }
    [[nodiscard]] air::BitwiseCounts& bitwise() {
        if (!bitwise_)
            throw Error(ErrorCode::invalid_argument, "vm: a trace filler looks up the bitwise table the circuit does not have");
        return *bitwise_;
    }

    // The instruction at `pc` of the program being proven.
    [[nodiscard]] const Instruction<F>& instruction(std::uint32_t pc) const {
        if (program_ == nullptr)
            throw Error(ErrorCode::invalid_argument, "vm: a trace filler asks for an instruction, but no program was given");
        const auto* in = program_->at(pc);
        if (in == nullptr) throw Error(ErrorCode::out_of_range, "vm: a record's pc " + hex32(pc) + " is not in the program");
        return *in;
    }
    [[nodiscard]] bool has_bitwise() const noexcept { return bitwise_.has_value(); }
    [[nodiscard]] const CircuitLimits& limits() const noexcept { return limits_; }

    // The records of chip `local` of the extension whose trace is being filled (a chip whose
    // rows come from another chip's instructions, such as a hint store, reads them here).
    [[nodiscard]] const RecordArena& extension_arena(std::uint32_t local) const {
        if (run_ == nullptr || extension_first_chip_ + local >= run_->size())
            throw Error(ErrorCode::invalid_argument, "vm: a trace filler asks for records the inventory was not given");
        return (*run_)[extension_first_chip_ + local];
    }
    // For VmCore: the run's arenas, and the first chip of the extension being filled.
    void set_run(const std::vector<RecordArena>* chips) noexcept { run_ = chips; }
    // The run's memory boundary and (a VM with resource registers) its register file at the
    // end of the run, for chips that are a boundary or read the run's resources.
    void set_boundary(const std::vector<BoundaryEntry>* b) noexcept { boundary_ = b; }
    void set_resources(const resource::ResourceFile* f) noexcept { resources_ = f; }
    [[nodiscard]] const std::vector<BoundaryEntry>& boundary() const {
        if (boundary_ == nullptr) throw Error(ErrorCode::invalid_argument, "vm: a trace filler asks for the boundary, which was not given");
        return *boundary_;
    }
    [[nodiscard]] const resource::ResourceFile& resources() const {
        if (resources_ == nullptr)
            throw Error(ErrorCode::invalid_argument, "vm: a trace filler asks for the resource file, which was not given");
        return *resources_;
    }
    void set_extension_first_chip(std::uint32_t chip) noexcept { extension_first_chip_ = chip; }

    // The periphery traces, in the circuit's periphery order.
    [[nodiscard]] std::vector<field::RowMajorMatrix<F>> periphery_traces() const {
        std::vector<field::RowMajorMatrix<F>> out;
        for (const auto& p : periphery_) {
            if (p.kind == PeripheryKind::range_checker) out.push_back(range_.at(p.bits).template trace<F>());
            else out.push_back(bitwise_->template trace<F>());
        }
        return out;
    }

private:
    std::vector<PeripheryEntry> periphery_;
    CircuitLimits limits_;
    std::map<unsigned, air::RangeCheckCounts> range_;
    std::optional<air::BitwiseCounts> bitwise_;
    const Program<F>* program_ = nullptr;
    const std::vector<RecordArena>* run_ = nullptr;
    const std::vector<BoundaryEntry>* boundary_ = nullptr;
    const resource::ResourceFile* resources_ = nullptr;
    std::uint32_t extension_first_chip_ = 0;
};

}  // namespace causality::vm

// The built-in extensions' circuit and prover parts (declared with the extensions, defined
// against the inventory): whoever builds a circuit has them.
#include <causality/vm/rv32im/chips.hpp>  // IWYU pragma: export
#include <causality/vm/system_chips.hpp>  // IWYU pragma: export
