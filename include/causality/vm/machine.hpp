// causality/vm/machine.hpp — one running instance of a VM: its state, the interpreter
// loop, the debugger and the lifecycle.
//
// Lifecycle: created -> initialize(executable, input) -> initialized -> start() ->
// running -> paused (pause_after(N) ran out, a breakpoint, ebreak, step()) -> resume() ->
// ... -> exited | faulted | stopped (stop()) ; terminate() from any state releases the
// memory. A transition that the current state does not allow is an Error naming both.
// The state is queried with state(); a run returns why it stopped (RunResult).
//
// The interpreter: at initialize, every instruction is prepared once into a slot holding
// its executor (a function pointer from the VM's compile-time dispatch table, one table
// per execution mode) and its operands; a run is a counted loop over slots. Breakpoints
// use a second loop that checks a per-slot flag, so runs without breakpoints pay nothing.
#pragma once

#include <causality/error.hpp>
#include <causality/vm/context.hpp>
#include <causality/vm/program.hpp>
#include <causality/vm/records.hpp>

#include <algorithm>
#include <bit>
#include <cstring>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace causality::vm {

// Settings of a machine, fixed when it is created.
struct MachineConfig {
    unsigned memory_bits = 29;          // main memory is 2^memory_bits bytes (12..32)
    std::uint32_t public_values = 32;   // words of the public-values address space
    std::uint32_t deferred_hashes = 16; // entries of the deferred-hash table (a VM with a hashing extension)
    std::uint32_t resource_registers = 32;  // registers of the resource file (a VM with resource registers)
    std::uint32_t resource_outputs = 16;    // nullifiers and commitments a proof publishes, each
    std::uint32_t capability_entries = 32;  // entries of a resource proof's capability table (vm/resource/statement.hpp)
};

enum class MachineState : std::uint8_t { created, initialized, running, paused, exited, faulted, stopped, terminated };
constexpr std::string_view to_string(MachineState s) noexcept {
    switch (s) {
        case MachineState::created: return "created";
        case MachineState::initialized: return "initialized";
        case MachineState::running: return "running";
        case MachineState::paused: return "paused";
        case MachineState::exited: return "exited";
        case MachineState::faulted: return "faulted";
        case MachineState::stopped: return "stopped";
        case MachineState::terminated: return "terminated";
    }
    return "?";
}

struct RunResult {
    StopReason reason = StopReason::paused;
    std::uint64_t instructions = 0;  // executed by this run
    std::uint32_t pc = 0;            // of the next instruction
    std::uint32_t exit_code = 0;     // when reason == exited
};

template <class Vm>
class Machine {
public:
    using F = typename Vm::field_type;

    Machine() = default;
    explicit Machine(Vm vm) : vm_(std::move(vm)) {}

    // Loads the memory image, prepares the program, sets the pc to the entry point.
    // Allowed when created, or after the previous program ended (exited, faulted, stopped).
    void initialize(const Executable<F>& exe, std::vector<std::uint8_t> input = {}) {
        require({MachineState::created, MachineState::exited, MachineState::faulted, MachineState::stopped},
                "initialize");
        const auto& p = exe.program;
        if (p.pc_step < 4 || !std::has_single_bit(p.pc_step))
            throw Error(ErrorCode::invalid_argument, "vm: pc_step must be a power of two of at least 4, got " +
                                                         std::to_string(p.pc_step));
        if (p.pc_end() > (std::uint64_t{1} << 32))
            throw Error(ErrorCode::invalid_argument, "vm: the program runs past the 32-bit address space");
        if (p.at(exe.entry) == nullptr)
            throw Error(ErrorCode::invalid_argument, "vm: entry point " + hex32(exe.entry) +
                                                         " is not an instruction of the program");
        auto memory = MainMemory(vm_.config().memory_bits);
        for (const auto& seg : exe.memory) {
            if (!memory.contains(seg.address, seg.bytes.size()))
                throw Error(ErrorCode::out_of_range, "vm: memory segment at " + hex32(seg.address) + " of " +
                                                         std::to_string(seg.bytes.size()) +
                                                         " bytes does not fit in 2^" +
                                                         std::to_string(vm_.config().memory_bits) + " bytes of memory");
            std::copy(seg.bytes.begin(), seg.bytes.end(), memory.data() + seg.address);
        }
        Prepared prepared;
        prepared.reserve(p.size() + 1);
        for (std::size_t i = 0; i < p.size(); ++i)
            prepared.push_back({p.instructions[i].opcode,
                                vm_.prepare(p.instructions[i], static_cast<std::uint32_t>(p.pc_base + i * p.pc_step))});
        exe_ = exe;
        prepared_ = std::move(prepared);
        slots_ = {};
        memory_.emplace(std::move(memory));
        mem_ts_ = {};
        regs_ = {};
        reg_ts_ = {};
        index_ = static_cast<std::uint32_t>((exe.entry - p.pc_base) / p.pc_step);
        public_.assign(vm_.config().public_values, 0);
        public_ts_.assign(public_.size(), 0);
        deferred_ = deferred_ts_ = 0;
        hash_pool_.clear();
        resources_.resize(vm_.config().resource_registers);
        resources_.context() = {};
        resources_.set_input_root({}, 16);
        resource_ts_.clear();
        io_.input = std::move(input);
        io_.input_position = 0;
        io_.output.clear();
        io_.error_output.clear();
        cycles_ = 0;
        exit_code_ = 0;
        timestamp_ = 0;
        last_stop_.reset();
        metering_ = {};
        metering_.opcode_counts.assign(Vm::opcode_table_size, 0);
        metering_.chip_rows.assign(Vm::chip_count, 0);
        records_ = {};
        records_.chips.resize(Vm::chip_count);
        breakpoints_.assign(p.size() + 1, 0);
        breakpoint_count_ = 0;
        checkpoints_.clear();
        ++generation_;
        state_ = MachineState::initialized;
    }

    // --- lifecycle ---------------------------------------------------------------------
    [[nodiscard]] MachineState state() const noexcept { return state_; }

    template <ExecutionMode Mode = Pure>
    RunResult start() {
        require({MachineState::initialized}, "start");
        return run<Mode>();
    }
    template <ExecutionMode Mode = Pure>
    RunResult resume() {
        require({MachineState::paused}, "resume");
        return run<Mode>();
    }
    // Runs exactly one instruction (or stops at the limit or exit).
    template <ExecutionMode Mode = Pure>
    RunResult step() {
        require({MachineState::initialized, MachineState::paused}, "step");
        struct RestorePause {
            std::uint64_t& pause;
            std::uint64_t saved;
            ~RestorePause() { pause = saved; }
        } restore{pause_after_, std::exchange(pause_after_, 1)};
        return run<Mode>(true);
    }
    // The next start() / resume() pauses after n instructions (0: no such pause).
    void pause_after(std::uint64_t n) noexcept { pause_after_ = n; }
    // Total instructions a program may run; reaching it stops the run with cycle_limit.
    void set_max_cycles(std::uint64_t n) noexcept { max_cycles_ = n; }
    [[nodiscard]] std::uint64_t max_cycles() const noexcept { return max_cycles_; }
    // Ends the program without finishing it; it cannot be resumed.
    void stop() {
        require({MachineState::initialized, MachineState::paused}, "stop");
        state_ = MachineState::stopped;
    }
    // Releases the memory and the prepared program; a terminated machine accepts no more
    // calls that change its state (use a new Machine).
    void terminate() noexcept {
        memory_.reset();
        mem_ts_ = {};
        prepared_ = {};
        slots_ = {};
        records_ = {};
        state_ = MachineState::terminated;
    }

    // Runs without committing: registers, memory, public values, input position and output
    // are as before afterwards (stores are journaled and undone). Returns how the run would
    // have stopped, and the guest's output in that run.
    struct Simulation {
        RunResult result;
        std::array<std::uint32_t, 32> registers{};
        std::string output, error_output;
    };
    Simulation simulate(std::uint64_t max_instructions = std::numeric_limits<std::uint64_t>::max()) {
        require({MachineState::initialized, MachineState::paused}, "simulate");
        const auto saved_state = state_;
        const auto saved_regs = regs_;
        const auto saved_index = index_;
        const auto saved_public = public_;
        const auto saved_deferred = deferred_;
        const auto saved_requests = hash_pool_.requests().size();
        const auto saved_resources = resources_;
        const auto saved_cycles = cycles_;
        const auto saved_exit = exit_code_;
        const auto saved_stop = last_stop_;
        const auto saved_pause = pause_after_;
        HostIo saved_io = io_;
        io_.sink = nullptr;
        io_.output.clear();
        io_.error_output.clear();
        journal_.clear();
        pause_after_ = max_instructions;
        Simulation sim;
        std::optional<GuestFault> fault;
        try {
            sim.result = run<Simulated>();
        } catch (const GuestFault& f) {
            fault = f;
        }
        sim.registers = regs_;
        sim.output = std::move(io_.output);
        sim.error_output = std::move(io_.error_output);
        for (auto it = journal_.rbegin(); it != journal_.rend(); ++it)
            std::memcpy(memory_->data() + it->word_address, &it->previous, 4);
        journal_.clear();
        regs_ = saved_regs;
        index_ = saved_index;
        public_ = saved_public;
        deferred_ = saved_deferred;
        hash_pool_.truncate(saved_requests);
        resources_ = saved_resources;
        cycles_ = saved_cycles;
        exit_code_ = saved_exit;
        last_stop_ = saved_stop;
        pause_after_ = saved_pause;
        io_ = std::move(saved_io);
        state_ = saved_state;
        if (fault) throw *fault;
        return sim;
    }

    // --- checkpoints (document 004's error recovery) ---------------------------------------
    // A checkpoint holds everything a run changes: the lifecycle state, pc, registers,
    // memory (its non-zero pages), public values, the deferred-hash counter and requests,
    // the resource register file, the I/O cursors and output so far, the counters and the
    // records of traced runs. Restoring one puts the machine back exactly: a run from it
    // behaves as the run from the original point (retries and batches rely on this). A
    // checkpoint belongs to one initialization: restoring it after initialize() of another
    // (or the same) program is Error(invalid_argument).
    struct Checkpoint {
        std::uint64_t generation = 0;
        MachineState state = MachineState::created;
        std::vector<detail::ZeroPages::PageCopy> memory, memory_timestamps;
        std::array<std::uint32_t, 32> regs{}, reg_ts{};
        std::uint32_t index = 0;
        std::vector<std::uint32_t> public_values, public_ts;
        std::uint32_t deferred = 0, deferred_ts = 0;
        HashRequestPool hash_pool;
        resource::ResourceFile resources;
        std::vector<std::uint32_t> resource_ts;
        std::vector<std::uint8_t> input;
        std::size_t input_position = 0;
        std::string output, error_output;
        std::uint64_t cycles = 0, max_cycles = 0;
        std::uint32_t exit_code = 0, timestamp = 0;
        std::optional<StopReason> last_stop;
        Metering metering;
        PreflightRecords records;
        [[nodiscard]] std::size_t memory_bytes() const noexcept {
            return (memory.size() + memory_timestamps.size()) * detail::ZeroPages::page_bytes;
        }
    };
    [[nodiscard]] Checkpoint checkpoint() const {
        if (state_ == MachineState::created || state_ == MachineState::terminated || state_ == MachineState::running)
            throw Error(ErrorCode::invalid_argument,
                        "vm: cannot checkpoint a machine that is " + std::string(to_string(state_)));
        Checkpoint c;
        c.generation = generation_;
        c.state = state_;
        c.memory = memory_->nonzero_pages();
        if (mem_ts_) c.memory_timestamps = mem_ts_.nonzero_pages();
        checkpoint_fields(*this, c, [](const auto& machine, auto& saved) { saved = machine; });
        return c;
    }
    void restore(const Checkpoint& c) {
        if (state_ == MachineState::created || state_ == MachineState::terminated || state_ == MachineState::running ||
            c.generation != generation_ || c.generation == 0)
            throw Error(ErrorCode::invalid_argument,
                        "vm: the checkpoint belongs to another initialization of the machine (or the machine is " +
                            std::string(to_string(state_)) + ")");
        memory_->restore_pages(c.memory);
        if (mem_ts_) mem_ts_.restore_pages(c.memory_timestamps);
        checkpoint_fields(*this, c, [](auto& machine, const auto& saved) { machine = saved; });
        state_ = c.state;
    }
    // Named checkpoints kept by the machine: create returns an id, restore and remove take
    // it (Error(out_of_range) for an unknown id). initialize() drops them all.
    std::uint32_t create_checkpoint() {
        const std::uint32_t id = ++next_checkpoint_;
        checkpoints_.emplace(id, checkpoint());
        return id;
    }
    void restore_checkpoint(std::uint32_t id) { restore(named_checkpoint(id)); }
    void remove_checkpoint(std::uint32_t id) {
        (void)named_checkpoint(id);
        checkpoints_.erase(id);
    }
    [[nodiscard]] std::size_t checkpoint_count() const noexcept { return checkpoints_.size(); }

    // --- debugger -------------------------------------------------------------------------
    void add_breakpoint(std::uint32_t pc) {
        const std::size_t i = index_of(pc, "breakpoint");
        if (!breakpoints_[i]) ++breakpoint_count_;
        breakpoints_[i] = 1;
    }
    void add_breakpoint(std::string_view symbol) { add_breakpoint(symbol_address(symbol)); }
    void remove_breakpoint(std::uint32_t pc) {
        const std::size_t i = index_of(pc, "breakpoint");
        if (breakpoints_[i]) --breakpoint_count_;
        breakpoints_[i] = 0;
    }
    void clear_breakpoints() {
        std::fill(breakpoints_.begin(), breakpoints_.end(), 0);
        breakpoint_count_ = 0;
    }

    [[nodiscard]] std::uint32_t pc() const noexcept {
        return exe_.program.pc_base + index_ * exe_.program.pc_step;
    }
    [[nodiscard]] std::uint32_t reg(std::uint32_t i) const {
        if (i >= 32) throw Error(ErrorCode::out_of_range, "vm: there is no register x" + std::to_string(i));
        return regs_[i];
    }
    [[nodiscard]] const std::array<std::uint32_t, 32>& registers() const noexcept { return regs_; }
    void set_reg(std::uint32_t i, std::uint32_t v) {
        (void)reg(i);
        if (i != 0) regs_[i] = v;
    }
    [[nodiscard]] std::vector<std::uint8_t> read_memory(std::uint32_t address, std::uint32_t length) const {
        check_range(address, length, "read");
        const auto* p = memory_->data() + address;
        return {p, p + length};
    }
    [[nodiscard]] std::uint32_t read_word(std::uint32_t address) const {
        const auto b = read_memory(address, 4);
        return std::uint32_t{b[0]} | std::uint32_t{b[1]} << 8 | std::uint32_t{b[2]} << 16 | std::uint32_t{b[3]} << 24;
    }
    void write_memory(std::uint32_t address, std::span<const std::uint8_t> bytes) {
        check_range(address, bytes.size(), "write");
        std::copy(bytes.begin(), bytes.end(), memory_->data() + address);
    }
    [[nodiscard]] const std::vector<std::uint32_t>& public_values() const noexcept { return public_; }
    // The hash requests of the runs since initialize(), in execution order (hash_pool.hpp).
    [[nodiscard]] const HashRequestPool& hash_requests() const noexcept { return hash_pool_; }
    // The digests of the deferred requests, in handle order, hashed now in one batch.
    [[nodiscard]] std::vector<HashDigest> deferred_digests() const { return vm_.deferred_digests(hash_pool_); }
    // The resource register file: load inputs, define sections and set the execution
    // context after initialize() and before the run; read what the run published after it.
    [[nodiscard]] resource::ResourceFile& resources() noexcept { return resources_; }
    [[nodiscard]] const resource::ResourceFile& resources() const noexcept { return resources_; }

    // The instruction at `pc` as text, with its address and symbol:
    // "0x00010080 <main+8>: addi a0, a0, 1".
    [[nodiscard]] std::string disassemble(std::uint32_t at) const {
        const auto* in = exe_.program.at(at);
        if (in == nullptr)
            throw Error(ErrorCode::out_of_range, "vm: no instruction at " + hex32(at));
        const std::string sym = exe_.symbolize(at);
        return hex32(at) + (sym.empty() ? "" : " <" + sym + ">") + ": " + vm_.disassemble(*in, at);
    }
    [[nodiscard]] std::string disassemble() const { return disassemble(pc()); }
    [[nodiscard]] std::uint32_t symbol_address(std::string_view symbol) const {
        const auto a = exe_.symbol_address(symbol);
        if (!a) throw Error(ErrorCode::invalid_argument, "vm: no symbol named '" + std::string(symbol) + "'");
        return *a;
    }

    [[nodiscard]] std::uint64_t cycles() const noexcept { return cycles_; }
    [[nodiscard]] std::uint32_t exit_code() const noexcept { return exit_code_; }
    [[nodiscard]] HostIo& io() noexcept { return io_; }
    [[nodiscard]] const HostIo& io() const noexcept { return io_; }
    [[nodiscard]] const Metering& metering() const noexcept { return metering_; }
    // The preflight records of the runs since initialize(), by global chip index.
    [[nodiscard]] const std::vector<RecordArena>& records() const noexcept { return records_.chips; }
    // Moves the records out (the arenas are empty afterwards; the touched addresses stay,
    // so boundary() still covers the whole program).
    [[nodiscard]] std::vector<RecordArena> release_records() {
        std::vector<RecordArena> out = std::move(records_.chips);
        records_.chips = std::vector<RecordArena>(Vm::chip_count);
        return out;
    }
    // The timestamp of the last access of the preflight runs so far.
    [[nodiscard]] std::uint32_t timestamp() const noexcept { return timestamp_; }
    // Every address the preflight runs touched: its initial value (what its first access
    // found: the executable's image for main memory, zero for registers and public values,
    // unless the debugger wrote them before the run), current value and last access's
    // timestamp, sorted by (address space, address).
    [[nodiscard]] std::vector<BoundaryEntry> boundary() const {
        std::vector<BoundaryEntry> out;
        out.reserve(records_.touched.size());
        for (const auto& t : records_.touched) {
            BoundaryEntry e{t.space, t.address, t.initial, 0, 0};
            const std::uint32_t index = t.address / 4;
            switch (t.space) {
                case AddressSpace::registers:
                    e.final_value = regs_[index];
                    e.final_timestamp = reg_ts_[index];
                    break;
                case AddressSpace::memory:
                    std::memcpy(&e.final_value, memory_->data() + t.address, 4);
                    std::memcpy(&e.final_timestamp, mem_ts_.data() + t.address, 4);
                    break;
                case AddressSpace::public_values:
                    e.final_value = public_[index];
                    e.final_timestamp = public_ts_[index];
                    break;
                case AddressSpace::deferred:
                    e.final_value = deferred_;
                    e.final_timestamp = deferred_ts_;
                    break;
                case AddressSpace::resources:
                    e.final_value = static_cast<std::uint32_t>(resources_.at(index).state);
                    e.final_timestamp = resource_ts_.at(index);
                    break;
                case AddressSpace::none: break;
            }
            out.push_back(e);
        }
        std::sort(out.begin(), out.end(), [](const BoundaryEntry& a, const BoundaryEntry& b) {
            return std::pair(a.space, a.address) < std::pair(b.space, b.address);
        });
        return out;
    }
    [[nodiscard]] const Executable<F>& executable() const noexcept { return exe_; }
    [[nodiscard]] const Vm& vm() const noexcept { return vm_; }

    // --- continuations (continuation.hpp) ---------------------------------------------------
    // Starts the record of a new segment: the preflight runs from here on are timed from 0
    // again, every address counts as untouched (its first access records what it holds
    // now as its initial value) and the chips' arenas are empty.
    void begin_segment() {
        require({MachineState::initialized, MachineState::paused}, "begin a segment of");
        for (const auto& t : records_.touched) {
            const std::uint32_t index = t.address / 4;
            switch (t.space) {
                case AddressSpace::registers: reg_ts_[index] = 0; break;
                case AddressSpace::memory: std::memset(mem_ts_.data() + t.address, 0, 4); break;
                case AddressSpace::public_values: public_ts_[index] = 0; break;
                case AddressSpace::deferred: deferred_ts_ = 0; break;
                case AddressSpace::resources: resource_ts_.at(index) = 0; break;
                case AddressSpace::none: break;
            }
        }
        records_ = {};
        records_.chips.resize(Vm::chip_count);
        timestamp_ = 0;
    }
    // Addresses the preflight runs touched since initialize() or begin_segment().
    [[nodiscard]] std::size_t touched_count() const noexcept { return records_.touched.size(); }
    // Puts an initialized machine at a segment boundary of another machine's run of the
    // same executable: pc, registers, public values, input position and instructions run
    // so far (memory: write_memory the words the segment reads). The run from here
    // behaves as that run's segment does.
    void enter_segment(std::uint32_t pc, const std::array<std::uint32_t, 32>& registers,
                       std::span<const std::uint32_t> public_values, std::size_t input_position, std::uint64_t cycles) {
        require({MachineState::initialized}, "enter a segment of");
        if (public_values.size() != public_.size())
            throw Error(ErrorCode::invalid_size, "vm: a segment state with " + std::to_string(public_values.size()) +
                                                     " public values, this VM has " + std::to_string(public_.size()));
        if (input_position > io_.input.size())
            throw Error(ErrorCode::out_of_range, "vm: a segment state at input position " + std::to_string(input_position) +
                                                     " of " + std::to_string(io_.input.size()) + " input bytes");
        index_ = static_cast<std::uint32_t>(index_of(pc, "segment start"));
        regs_ = registers;
        regs_[0] = 0;
        std::copy(public_values.begin(), public_values.end(), public_.begin());
        io_.input_position = input_position;
        cycles_ = cycles;
    }

private:
    struct PreparedInstruction {
        std::uint32_t opcode;
        Operands operands;
    };
    using Prepared = std::vector<PreparedInstruction>;
    template <class Mode>
    using Slots = std::vector<Slot<Context<F, Mode>>>;


    void require(std::initializer_list<MachineState> allowed, const char* what) const {
        for (auto s : allowed)
            if (s == state_) return;
        throw Error(ErrorCode::invalid_argument,
                    std::string("vm: cannot ") + what + " a machine that is " + std::string(to_string(state_)));
    }
    std::size_t index_of(std::uint32_t pc, const char* what) const {
        if (state_ == MachineState::created || state_ == MachineState::terminated)
            throw Error(ErrorCode::invalid_argument, std::string("vm: a ") + what + " needs an initialized machine");
        if (exe_.program.at(pc) == nullptr)
            throw Error(ErrorCode::out_of_range, std::string("vm: ") + what + " at " + hex32(pc) +
                                                     ", which is not an instruction of the program");
        return (pc - exe_.program.pc_base) / exe_.program.pc_step;
    }
    void check_range(std::uint64_t address, std::uint64_t length, const char* what) const {
        if (!memory_) throw Error(ErrorCode::invalid_argument, "vm: the machine has no memory (not initialized)");
        if (!memory_->contains(address, length))
            throw Error(ErrorCode::out_of_range, std::string("vm: ") + what + " of " + std::to_string(length) +
                                                     " bytes at " + hex32(static_cast<std::uint32_t>(address)) +
                                                     " is outside memory");
    }

    template <class Mode>
    static void outside_program(Context<F, Mode>& ctx, const Slot<Context<F, Mode>>&) {
        ctx.fault(Fault::pc_out_of_program, "execution ran past the last instruction");
    }

    template <class Mode>
    const Slots<Mode>& slots() {
        auto& s = std::get<std::optional<Slots<Mode>>>(slots_);
        if (!s) {
            static constexpr auto table = Vm::template dispatch_table<Context<F, Mode>>();
            Slots<Mode> v;
            v.reserve(prepared_.size() + 1);
            for (const auto& p : prepared_) v.push_back({table[p.opcode], p.opcode, p.operands});
            v.push_back({&outside_program<Mode>, 0, {}});
            s = std::move(v);
        }
        return *s;
    }

    template <class Mode>
    RunResult run(bool single = false) {
        const auto& slots = this->slots<Mode>();
        const std::uint64_t left = max_cycles_ > cycles_ ? max_cycles_ - cycles_ : 0;
        const std::uint64_t budget = pause_after_ != 0 ? std::min(left, pause_after_) : left;
        if (budget == 0) {
            state_ = MachineState::paused;
            last_stop_ = StopReason::cycle_limit;
            return finish(StopReason::cycle_limit, 0);
        }
        if constexpr (Mode::preflight)
            if (!mem_ts_) mem_ts_ = detail::ZeroPages(static_cast<std::size_t>(memory_->size()));  // 4 bytes per word
        Context<F, Mode> ctx;
        ctx.vm_ = &vm_;
        ctx.regs_ = regs_;
        ctx.index_ = index_;
        ctx.size_ = static_cast<std::uint32_t>(prepared_.size());
        ctx.base_ = exe_.program.pc_base;
        ctx.step_ = exe_.program.pc_step;
        ctx.step_shift_ = static_cast<std::uint32_t>(std::countr_zero(exe_.program.pc_step));
        ctx.mem_ = memory_->data();
        ctx.mem_size_ = memory_->size();
        ctx.remaining_ = budget;
        ctx.io_ = &io_;
        ctx.public_ = &public_;
        ctx.metering_ = &metering_;
        ctx.records_ = &records_;
        ctx.mem_ts_ = reinterpret_cast<std::uint32_t*>(mem_ts_.data());
        ctx.reg_ts_ = reg_ts_.data();
        ctx.public_ts_ = &public_ts_;
        ctx.deferred_ = &deferred_;
        ctx.deferred_ts_ = &deferred_ts_;
        ctx.hash_pool_ = &hash_pool_;
        ctx.deferred_capacity_ = vm_.config().deferred_hashes;
        ctx.resources_ = &resources_;
        resource_ts_.resize(resources_.size(), 0);  // the file may have been replaced since
        ctx.resource_ts_ = resource_ts_.data();
        ctx.resource_capacity_ = vm_.config().resource_outputs;
        ctx.timestamp_ = &timestamp_;
        ctx.journal_ = &journal_;
        const bool skip_first = last_stop_ == StopReason::breakpoint || single;
        bool at_breakpoint = false;
        state_ = MachineState::running;
        try {
            if (breakpoint_count_ == 0) loop(ctx, slots.data());
            else at_breakpoint = loop_with_breakpoints(ctx, slots.data(), skip_first);
        } catch (...) {
            regs_ = ctx.regs_;
            index_ = ctx.index_;
            cycles_ += budget - ctx.remaining_ - 1;
            state_ = MachineState::faulted;
            throw;
        }
        regs_ = ctx.regs_;
        index_ = ctx.index_;
        if (ctx.halted_) {
            cycles_ += budget - ctx.remaining_at_halt_;
            if (ctx.stop_ == StopReason::exited) {
                exit_code_ = ctx.exit_code_;
                state_ = MachineState::exited;
            } else {
                state_ = MachineState::paused;
            }
            last_stop_ = ctx.stop_;
            return finish(ctx.stop_, budget - ctx.remaining_at_halt_);
        }
        const std::uint64_t ran = budget - ctx.remaining_;
        cycles_ += ran;
        state_ = MachineState::paused;
        const StopReason why = at_breakpoint        ? StopReason::breakpoint
                               : cycles_ >= max_cycles_ ? StopReason::cycle_limit
                                                        : StopReason::paused;
        last_stop_ = why;
        return finish(why, ran);
    }

    RunResult finish(StopReason why, std::uint64_t ran) const { return {why, ran, pc(), exit_code_}; }

    template <class Ctx>
    static void loop(Ctx& ctx, const Slot<Ctx>* slots) {
        ctx.slots_ = slots;
        while (ctx.remaining_ != 0) {
            --ctx.remaining_;
            ctx.chain_ = Ctx::chain_length;
            const Slot<Ctx>& s = slots[ctx.index_];
            s.execute(ctx, s);
        }
    }
    template <class Ctx>
    bool loop_with_breakpoints(Ctx& ctx, const Slot<Ctx>* slots, bool skip_first) const {
        const std::uint8_t* bp = breakpoints_.data();
        bool skip = skip_first;
        while (ctx.remaining_ != 0) {
            if (bp[ctx.index_] && !skip) return true;
            skip = false;
            --ctx.remaining_;
            const Slot<Ctx>& s = slots[ctx.index_];
            s.execute(ctx, s);  // chain_ stays 0: every instruction comes back here
        }
        return false;
    }

    Vm vm_{};
    MachineState state_ = MachineState::created;
    Executable<F> exe_;
    Prepared prepared_;
    std::tuple<std::optional<Slots<Pure>>, std::optional<Slots<Metered>>, std::optional<Slots<Preflight>>,
               std::optional<Slots<Simulated>>>
        slots_;
    std::optional<MainMemory> memory_;
    detail::ZeroPages mem_ts_;  // per-word timestamps of traced runs
    std::array<std::uint32_t, 32> regs_{};
    std::array<std::uint32_t, 32> reg_ts_{};
    std::uint32_t index_ = 0;
    std::vector<std::uint32_t> public_, public_ts_;
    std::uint32_t deferred_ = 0, deferred_ts_ = 0;  // the deferred-hash counter (address space 4)
    HashRequestPool hash_pool_;
    resource::ResourceFile resources_;
    std::vector<std::uint32_t> resource_ts_;  // per resource register: its state word's last access (traced runs)
    HostIo io_;
    std::uint64_t cycles_ = 0, max_cycles_ = std::numeric_limits<std::uint64_t>::max(), pause_after_ = 0;
    std::uint32_t exit_code_ = 0, timestamp_ = 0;
    std::optional<StopReason> last_stop_;
    Metering metering_;
    PreflightRecords records_;
    std::vector<JournalEntry> journal_;
    std::vector<std::uint8_t> breakpoints_;
    std::size_t breakpoint_count_ = 0;
    std::uint64_t generation_ = 0;
    std::uint32_t next_checkpoint_ = 0;
    std::map<std::uint32_t, Checkpoint> checkpoints_;

    // The state a checkpoint copies besides memory, as (machine member, checkpoint member)
    // pairs: one list for both directions.
    template <class M, class C, class Fn>
    static void checkpoint_fields(M& m, C& c, Fn&& fn) {
        fn(m.regs_, c.regs);
        fn(m.reg_ts_, c.reg_ts);
        fn(m.index_, c.index);
        fn(m.public_, c.public_values);
        fn(m.public_ts_, c.public_ts);
        fn(m.deferred_, c.deferred);
        fn(m.deferred_ts_, c.deferred_ts);
        fn(m.hash_pool_, c.hash_pool);
        fn(m.resources_, c.resources);
        fn(m.resource_ts_, c.resource_ts);
        fn(m.io_.input, c.input);
        fn(m.io_.input_position, c.input_position);
        fn(m.io_.output, c.output);
        fn(m.io_.error_output, c.error_output);
        fn(m.cycles_, c.cycles);
        fn(m.max_cycles_, c.max_cycles);
        fn(m.exit_code_, c.exit_code);
        fn(m.timestamp_, c.timestamp);
        fn(m.last_stop_, c.last_stop);
        fn(m.metering_, c.metering);
        fn(m.records_, c.records);
    }
    const Checkpoint& named_checkpoint(std::uint32_t id) const {
        const auto it = checkpoints_.find(id);
        if (it == checkpoints_.end())
            throw Error(ErrorCode::out_of_range, "vm: no checkpoint " + std::to_string(id) + " (" +
                                                     std::to_string(checkpoints_.size()) + " kept)");
        return it->second;
    }
};

}  // namespace causality::vm
