// causality/vm/context.hpp — what an executor sees while it runs one instruction: the
// registers, main memory and the public values (the three address spaces of the memory
// controller), the program counter, the host's input and output, and the loop's
// control (exit, pause). The execution mode is a policy parameter, so the pure mode
// compiles to plain loads and stores while the preflight mode records every access with
// its previous value and timestamp into the arena of the chip whose instruction runs
// (records.hpp: what trace generation and offline memory checking consume), the metered
// mode counts rows per chip, and the simulated mode journals every store so that the run
// can be undone. Context<F, Mode> names the VM's field (`Ctx::field_type`), so one
// executor template serves every field. The loop's state is private: only the Machine
// that runs the loop and the VmCore whose dispatch table calls the executors see it.
//
// Memory rules (documented in the README): main memory is byte-addressed, little-endian,
// addresses [0, 2^memory_bits); a halfword or word access must be aligned to its size
// (misaligned accesses are a fault, as OpenVM's RV32IM treats them, rather than being
// split); anything outside memory is a fault. A fault is a GuestFault (an Error whose
// kind() and pc() say what and where) and stops execution before the instruction has
// any effect on the pc.
#pragma once

#include <causality/error.hpp>
#include <causality/resource/registers.hpp>
#include <causality/vm/format.hpp>
#include <causality/vm/hash_pool.hpp>
#include <causality/vm/program.hpp>
#include <causality/vm/records.hpp>

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <memory>
#include <cstdlib>
#include <type_traits>
#include <algorithm>
#include <concepts>
#include <string>
#include <string_view>
#include <vector>
#include <utility>

#if defined(__unix__) || defined(__APPLE__)
#include <sys/mman.h>
#include <unistd.h>
#endif

namespace causality::vm {

enum class Fault : std::uint8_t {
    unsupported_instruction,  // a word no extension of the VM transpiles
    pc_out_of_program,        // a jump or fall-through to a pc with no instruction
    misaligned_access,        // a halfword or word access at an address not a multiple of its size
    memory_out_of_bounds,     // an access beyond main memory
    bad_register,             // an operand naming a register above x31
    bad_system_call,          // an ecall number the VM does not know
    bad_file_descriptor,      // a write to a descriptor other than 1 and 2, a read from one other than 0
    public_value_out_of_range,
    timestamp_overflow,       // a preflight run of more than max_timestamp accesses
    deferred_table_full,      // more deferred hash requests than the VM's table holds
    // resource registers (resource/registers.hpp, ext::ResourceRegisters)
    resource_register,          // a register index beyond the VM's register file
    resource_state,             // consumed twice, read or consumed while empty, created over a used register
    insufficient_capabilities,  // no capability of the execution context grants the right
    not_in_input_set,           // an input whose membership path does not lead to the input root
    not_owner,                  // a nullifier key whose owner is not the resource's
    resource_table_full,        // more nullifiers or commitments than the VM publishes
    segment_access,             // a resource operation's buffer outside the segments that grant its access
};

constexpr std::string_view to_string(Fault f) noexcept {
    switch (f) {
        case Fault::unsupported_instruction: return "unsupported instruction";
        case Fault::pc_out_of_program: return "pc outside the program";
        case Fault::misaligned_access: return "misaligned memory access";
        case Fault::memory_out_of_bounds: return "memory access out of bounds";
        case Fault::bad_register: return "register index out of range";
        case Fault::bad_system_call: return "unknown system call";
        case Fault::bad_file_descriptor: return "bad file descriptor";
        case Fault::public_value_out_of_range: return "public value index out of range";
        case Fault::timestamp_overflow: return "timestamp overflow";
        case Fault::deferred_table_full: return "deferred hash table full";
        case Fault::resource_register: return "resource register out of range";
        case Fault::resource_state: return "invalid resource register state";
        case Fault::insufficient_capabilities: return "insufficient capabilities";
        case Fault::not_in_input_set: return "resource not in the input set";
        case Fault::not_owner: return "not the resource's owner";
        case Fault::resource_table_full: return "resource table full";
        case Fault::segment_access: return "resource memory access violation";
    }
    return "fault";
}

namespace detail {
constexpr ErrorCode fault_code(Fault f) noexcept {
    switch (f) {
        case Fault::pc_out_of_program:
        case Fault::memory_out_of_bounds:
        case Fault::bad_register:
        case Fault::public_value_out_of_range:
        case Fault::deferred_table_full:
        case Fault::resource_register:
        case Fault::resource_table_full:
        case Fault::timestamp_overflow: return ErrorCode::out_of_range;
        default: return ErrorCode::invalid_argument;
    }
}
}  // namespace detail

// A guest program did something the VM does not allow.
class GuestFault : public Error {
public:
    GuestFault(Fault kind, std::uint32_t pc, const std::string& what)
        : Error(detail::fault_code(kind),
                "vm: " + std::string(to_string(kind)) + " at pc " + hex32(pc) + ": " + what),
          kind_(kind), pc_(pc) {}
    [[nodiscard]] Fault kind() const noexcept { return kind_; }
    [[nodiscard]] std::uint32_t pc() const noexcept { return pc_; }

private:
    Fault kind_;
    std::uint32_t pc_;
};

// Execution modes (policies of Context and Machine::run).
struct Pure {  // as fast as possible, no records
    static constexpr bool metered = false, preflight = false, journaled = false;
};
struct Metered {  // counts: instructions per opcode, rows per chip, accesses
    static constexpr bool metered = true, preflight = false, journaled = false;
};
struct Preflight {  // one record per instruction in its chip's arena, for trace generation
    static constexpr bool metered = false, preflight = true, journaled = false;
};
struct Simulated {  // like Pure, with an undo journal: Machine::simulate rolls the run back
    static constexpr bool metered = false, preflight = false, journaled = true;
};
template <class M>
concept ExecutionMode = requires {
    { M::metered } -> std::convertible_to<bool>;
    { M::preflight } -> std::convertible_to<bool>;
    { M::journaled } -> std::convertible_to<bool>;
};

// Why a run stopped.
enum class StopReason : std::uint8_t {
    exited,       // the guest exited (exit code in the result)
    cycle_limit,  // max_cycles instructions ran without exiting
    paused,       // the instruction budget of pause_after() / step() ran out
    breakpoint,   // the next instruction is at a breakpoint
    ebreak,       // the guest executed ebreak (the pc is after it)
};
constexpr std::string_view to_string(StopReason r) noexcept {
    switch (r) {
        case StopReason::exited: return "exited";
        case StopReason::cycle_limit: return "cycle limit";
        case StopReason::paused: return "paused";
        case StopReason::breakpoint: return "breakpoint";
        case StopReason::ebreak: return "ebreak";
    }
    return "?";
}

// The host side of the guest's input and output. Without a sink, output collects in
// `output` (fd 1) and `error_output` (fd 2).
struct HostIo {
    std::vector<std::uint8_t> input;
    std::size_t input_position = 0;
    std::string output, error_output;
    std::function<void(int fd, std::string_view bytes)> sink{};
};

namespace detail {
// Zeroed memory that the system hands out page by page on first touch (mmap on POSIX,
// calloc elsewhere), so that a large address space costs only the pages a guest uses.
class ZeroPages {
public:
    ZeroPages() = default;
    explicit ZeroPages(std::size_t bytes) : size_(bytes) {
#if defined(__unix__) || defined(__APPLE__)
        void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        data_ = p == MAP_FAILED ? nullptr : static_cast<std::uint8_t*>(p);
#else
        data_ = static_cast<std::uint8_t*>(std::calloc(bytes, 1));
#endif
        if (data_ == nullptr)
            throw Error(ErrorCode::invalid_size, "vm: cannot reserve " + std::to_string(bytes) + " bytes of memory");
    }
    ZeroPages(ZeroPages&& o) noexcept : data_(std::exchange(o.data_, nullptr)), size_(std::exchange(o.size_, 0)) {}
    ZeroPages& operator=(ZeroPages&& o) noexcept {
        if (this != &o) {
            release();
            data_ = std::exchange(o.data_, nullptr);
            size_ = std::exchange(o.size_, 0);
        }
        return *this;
    }
    ZeroPages(const ZeroPages&) = delete;
    ZeroPages& operator=(const ZeroPages&) = delete;
    ~ZeroPages() { release(); }
    [[nodiscard]] std::uint8_t* data() const noexcept { return data_; }
    [[nodiscard]] explicit operator bool() const noexcept { return data_ != nullptr; }
    [[nodiscard]] std::size_t size() const noexcept { return size_; }

    // The non-zero 4 KiB pages, for a checkpoint. On Linux, /proc/self/pagemap says which
    // pages were ever mapped (present or swapped out): the others are zero without being
    // read (reading them would map the zero page, a fault per page). Elsewhere, or when
    // pagemap cannot be read, every page is scanned.
    static constexpr std::size_t page_bytes = 4096;
    struct PageCopy {
        std::size_t offset = 0;
        std::vector<std::uint8_t> bytes;
        friend bool operator==(const PageCopy&, const PageCopy&) = default;
    };
    [[nodiscard]] std::vector<PageCopy> nonzero_pages() const {
        std::vector<PageCopy> out;
        for_each_mapped_page([&](std::size_t at, std::size_t n) {
            if (!all_zero(at, n)) out.push_back({at, std::vector<std::uint8_t>(data_ + at, data_ + at + n)});
        });
        return out;
    }
    // Makes the contents exactly `pages` (sorted by offset, as nonzero_pages gives them).
    void restore_pages(const std::vector<PageCopy>& pages) {
        std::size_t next = 0;
        for_each_mapped_page([&](std::size_t at, std::size_t n) {
            while (next < pages.size() && pages[next].offset < at) {  // a saved page no longer mapped
                std::memcpy(data_ + pages[next].offset, pages[next].bytes.data(), pages[next].bytes.size());
                ++next;
            }
            if (next < pages.size() && pages[next].offset == at) {
                std::memcpy(data_ + at, pages[next].bytes.data(), std::min(n, pages[next].bytes.size()));
                ++next;
            } else if (!all_zero(at, n)) {
                std::memset(data_ + at, 0, n);
            }
        });
        for (; next < pages.size(); ++next)
            std::memcpy(data_ + pages[next].offset, pages[next].bytes.data(), pages[next].bytes.size());
    }

private:
    // Calls fn(offset, bytes) for every page that may be non-zero, in order.
    template <class Fn>
    void for_each_mapped_page(Fn&& fn) const {
        const std::size_t pages = (size_ + page_bytes - 1) / page_bytes;
        std::vector<std::uint8_t> mapped(pages, 1);
#if defined(__linux__)
        if (::sysconf(_SC_PAGESIZE) == static_cast<long>(page_bytes)) {
            if (std::FILE* f = std::fopen("/proc/self/pagemap", "rb")) {
                std::vector<std::uint64_t> entries(std::min<std::size_t>(pages, 8192));
                const std::size_t first = reinterpret_cast<std::uintptr_t>(data_) / page_bytes;
                bool ok = true;
                for (std::size_t p = 0; p < pages && ok; p += entries.size()) {
                    const std::size_t n = std::min(entries.size(), pages - p);
                    ok = std::fseek(f, static_cast<long>((first + p) * 8), SEEK_SET) == 0 &&
                         std::fread(entries.data(), 8, n, f) == n;
                    for (std::size_t k = 0; ok && k < n; ++k)
                        mapped[p + k] = (entries[k] >> 62) != 0 ? 1 : 0;  // bit 63 present, bit 62 swapped
                }
                std::fclose(f);
                if (!ok) std::fill(mapped.begin(), mapped.end(), std::uint8_t{1});
            }
        }
#endif
        for (std::size_t p = 0; p < pages; ++p)
            if (mapped[p]) {
                const std::size_t at = p * page_bytes;
                fn(at, std::min(page_bytes, size_ - at));
            }
    }
    [[nodiscard]] bool all_zero(std::size_t at, std::size_t n) const noexcept {
        std::uint64_t acc = 0;
        std::size_t k = 0;
        for (; k + 8 <= n; k += 8) {
            std::uint64_t w;
            std::memcpy(&w, data_ + at + k, 8);
            acc |= w;
        }
        for (; k < n; ++k) acc |= data_[at + k];
        return acc == 0;
    }
    void release() noexcept {
        if (data_ == nullptr) return;
#if defined(__unix__) || defined(__APPLE__)
        ::munmap(data_, size_);
#else
        std::free(data_);
#endif
        data_ = nullptr;
    }
    std::uint8_t* data_ = nullptr;
    std::size_t size_ = 0;
};
}  // namespace detail

// Main memory: 2^bits zero bytes.
class MainMemory {
public:
    explicit MainMemory(unsigned bits) {
        if (bits < 12 || bits > 32)
            throw Error(ErrorCode::invalid_argument,
                        "vm: memory_bits must be between 12 and 32, got " + std::to_string(bits));
        size_ = std::uint64_t{1} << bits;
        pages_ = detail::ZeroPages(static_cast<std::size_t>(size_));
    }
    [[nodiscard]] std::uint8_t* data() noexcept { return pages_.data(); }
    [[nodiscard]] const std::uint8_t* data() const noexcept { return pages_.data(); }
    [[nodiscard]] std::uint64_t size() const noexcept { return size_; }
    [[nodiscard]] bool contains(std::uint64_t address, std::uint64_t length) const noexcept {
        return address <= size_ && length <= size_ - address;
    }
    [[nodiscard]] std::vector<detail::ZeroPages::PageCopy> nonzero_pages() const { return pages_.nonzero_pages(); }
    void restore_pages(const std::vector<detail::ZeroPages::PageCopy>& p) { pages_.restore_pages(p); }

private:
    detail::ZeroPages pages_;
    std::uint64_t size_ = 0;
};

// Counts that a Machine keeps for the metered mode, updated while it runs.
struct Metering {
    std::vector<std::uint64_t> opcode_counts;  // by global opcode
    std::vector<std::uint64_t> chip_rows;      // by global chip index (VmCore::chip_names)
    std::uint64_t accesses = 0;                // register, memory and public-value accesses
};
// What the preflight mode keeps: an arena per chip and the addresses touched so far.
struct PreflightRecords {
    std::vector<RecordArena> chips;  // by global chip index
    struct Touched {
        AddressSpace space;
        std::uint32_t address;
        std::uint32_t initial;  // the value its first access found
    };
    std::vector<Touched> touched;  // in order of first access
};
struct JournalEntry {
    std::uint32_t word_address;
    std::uint32_t previous;
};

template <class F, ExecutionMode Mode>
class Context;
template <class Vm>
class Machine;
template <class F, class... Extensions>
class VmCore;

// One prepared instruction: its executor for the mode's context, global opcode, operands.
template <class Ctx>
struct Slot {
    void (*execute)(Ctx&, const Slot&) = nullptr;
    std::uint32_t opcode = 0;
    Operands operands;
};

template <class F, ExecutionMode Mode>
class Context {
public:
    using field_type = F;
    using mode = Mode;
    // Instructions run back to back before control returns to the machine's loop (see
    // dispatch_next); bounds the stack where the compiler does not turn the call into a jump.
    static constexpr std::uint32_t chain_length = 256;

    [[nodiscard]] std::uint32_t read_reg(std::uint32_t i) {
        check_reg(i);
        if constexpr (Mode::preflight) log(AddressSpace::registers, 4 * i, regs_[i], regs_[i], reg_ts_[i]);
        if constexpr (Mode::metered) ++metering_->accesses;
        return regs_[i];
    }
    void write_reg(std::uint32_t i, std::uint32_t v) {
        check_reg(i);
        if (i == 0) {  // x0 stays zero; the write is no access (it takes a timestamp: records.hpp)
            if constexpr (Mode::preflight) skip();
            return;
        }
        if constexpr (Mode::preflight) log(AddressSpace::registers, 4 * i, v, regs_[i], reg_ts_[i]);
        if constexpr (Mode::metered) ++metering_->accesses;
        regs_[i] = v;
    }

    // T is std::uint8_t, std::uint16_t or std::uint32_t.
    template <class T>
    [[nodiscard]] T load(std::uint32_t address) {
        check_access<T>(address, "load");
        T v;
        std::memcpy(&v, mem_ + address, sizeof(T));
        if constexpr (Mode::preflight) {
            const std::uint32_t w = word_at(address & ~3u);
            log(AddressSpace::memory, address & ~3u, w, w, mem_ts_[address >> 2]);
        }
        if constexpr (Mode::metered) ++metering_->accesses;
        return v;
    }
    template <class T>
    void store(std::uint32_t address, T v) {
        check_access<T>(address, "store");
        if constexpr (Mode::journaled || Mode::preflight) {
            const std::uint32_t word = address & ~3u, before = word_at(word);
            if constexpr (Mode::journaled) journal_->push_back({word, before});
            std::memcpy(mem_ + address, &v, sizeof(T));
            if constexpr (Mode::preflight) log(AddressSpace::memory, word, word_at(word), before, mem_ts_[address >> 2]);
        } else {
            std::memcpy(mem_ + address, &v, sizeof(T));
        }
        if constexpr (Mode::metered) ++metering_->accesses;
    }

    [[nodiscard]] std::uint32_t pc() const noexcept { return base_ + (index_ << step_shift_); }
    void next() noexcept { ++index_; }
    // Continues at `target`; a target with no instruction is a fault.
    void jump(std::uint32_t target) {
        const std::uint32_t off = target - base_;
        if ((off & (step_ - 1)) != 0 || (off >> step_shift_) >= size_) [[unlikely]]
            bad_jump(target);
        index_ = off >> step_shift_;
    }

    // Ends the run: the guest exited with `code`.
    void exit(std::uint32_t code) noexcept {
        exit_code_ = code;
        stop_ = StopReason::exited;
        halt();
    }
    // Ends the run after this instruction with the given reason (ebreak).
    void stop_after(StopReason reason) noexcept {
        stop_ = reason;
        halt();
    }

    // Copies up to `length` bytes of the remaining input to guest memory; returns how many.
    std::uint32_t read_input(std::uint32_t address, std::uint32_t length) {
        const std::size_t left = io_->input.size() - io_->input_position;
        const auto n = static_cast<std::uint32_t>(std::min<std::size_t>(left, length));
        if (std::uint64_t{address} + n > mem_size_)
            fault(Fault::memory_out_of_bounds, "read of " + std::to_string(n) + " input bytes to " +
                                                   hex32(address));
        for (std::uint32_t k = 0; k < n; ++k)
            store<std::uint8_t>(address + k, io_->input[io_->input_position + k]);
        io_->input_position += n;
        return n;
    }
    // Sends `length` bytes of guest memory to the host's descriptor 1 or 2. Output is not
    // proven: its reads are no accesses (they take no timestamp and leave no record).
    void write_output(std::uint32_t fd, std::uint32_t address, std::uint32_t length) {
        if (fd != 1 && fd != 2) fault(Fault::bad_file_descriptor, "write to descriptor " + std::to_string(fd));
        if (length == 0) return;
        if (address > mem_size_ || length > mem_size_ - address)
            fault(Fault::memory_out_of_bounds, "write of " + std::to_string(length) + " bytes from " +
                                                   hex32(address));
        const std::string_view bytes(reinterpret_cast<const char*>(mem_ + address), length);
        if (io_->sink) io_->sink(static_cast<int>(fd), bytes);
        else (fd == 1 ? io_->output : io_->error_output).append(bytes);
    }
    // Writes public value `index` (address space 3).
    void publish(std::uint32_t index, std::uint32_t value) {
        if (index >= public_->size())
            fault(Fault::public_value_out_of_range, "public value " + std::to_string(index) + " of " +
                                                        std::to_string(public_->size()));
        if constexpr (Mode::preflight) log(AddressSpace::public_values, 4 * index, value, (*public_)[index], (*public_ts_)[index]);
        if constexpr (Mode::metered) ++metering_->accesses;
        (*public_)[index] = value;
    }

    // The deferred-hash counter: the one word of address space 4 (hash_pool.hpp), an
    // access like any other (the connector is its boundary and publishes its final value).
    [[nodiscard]] std::uint32_t read_deferred_counter() {
        if constexpr (Mode::preflight) log(AddressSpace::deferred, 0, *deferred_, *deferred_, *deferred_ts_);
        if constexpr (Mode::metered) ++metering_->accesses;
        return *deferred_;
    }
    void write_deferred_counter(std::uint32_t v) {
        if constexpr (Mode::preflight) log(AddressSpace::deferred, 0, v, *deferred_, *deferred_ts_);
        if constexpr (Mode::metered) ++metering_->accesses;
        *deferred_ = v;
    }
    // How many deferred requests the VM's table holds (MachineConfig::deferred_hashes).
    [[nodiscard]] std::uint32_t deferred_capacity() const noexcept { return deferred_capacity_; }
    // The run's hash requests, in execution order.
    [[nodiscard]] HashRequestPool& hash_requests() noexcept { return *hash_pool_; }
    // The run's resource register file and execution context (resource/registers.hpp).
    [[nodiscard]] resource::ResourceFile& resources() noexcept { return *resources_; }
    // The state word of resource register `reg` (< resources().size()), an access of
    // address space 5 (records.hpp) like any other: sets the state to `to` (the same state
    // for a read) and returns the one before.
    resource::RegisterState resource_state_access(std::uint32_t reg, resource::RegisterState to) {
        auto& x = resources_->at(reg);
        const resource::RegisterState before = x.state;
        if constexpr (Mode::preflight)
            log(AddressSpace::resources, 4 * reg, static_cast<std::uint32_t>(to), static_cast<std::uint32_t>(before),
                resource_ts_[reg]);
        if constexpr (Mode::metered) ++metering_->accesses;
        x.state = to;
        return before;
    }
    // How many nullifiers, and how many commitments, one run may publish (MachineConfig::resource_outputs).
    [[nodiscard]] std::uint32_t resource_capacity() const noexcept { return resource_capacity_; }
    // Whether [address, address + length) lies in main memory.
    [[nodiscard]] bool in_memory(std::uint64_t address, std::uint64_t length) const noexcept {
        return address <= mem_size_ && length <= mem_size_ - address;
    }

    [[noreturn]] void fault(Fault kind, const std::string& what) const { throw GuestFault(kind, pc(), what); }

private:
    template <class>
    friend class Machine;
    template <class, class...>
    friend class VmCore;

    // Runs the next instruction from the end of the current one's executor ("threaded
    // code"): each executor ends in its own indirect jump, which the branch predictor
    // learns per instruction kind, rather than all sharing the loop's one call site.
    void dispatch_next() {
        if (chain_ == 0 || remaining_ == 0) return;
        --chain_;
        --remaining_;
        const Slot<Context>& s = slots_[index_];
        s.execute(*this, s);
    }
    // Around each executor (VmCore's dispatch knows the chip at compile time).
    void count(std::uint32_t opcode, std::uint32_t chip) noexcept {
        ++metering_->opcode_counts[opcode];
        ++metering_->chip_rows[chip];
    }
    void begin_record(std::uint32_t chip) {
        arena_ = &records_->chips[chip];
        arena_->begin(pc(), *timestamp_ + 1);
    }
    void end_record() noexcept { arena_->end(pc()); }

    std::array<std::uint32_t, 32> regs_{};
    std::uint32_t index_ = 0, size_ = 0, base_ = 0, step_ = 4, step_shift_ = 2;  // step_ = 2^step_shift_
    std::uint8_t* mem_ = nullptr;
    std::uint64_t mem_size_ = 0;
    std::uint64_t remaining_ = 0, remaining_at_halt_ = 0;
    bool halted_ = false;
    StopReason stop_ = StopReason::cycle_limit;
    std::uint32_t exit_code_ = 0;
    HostIo* io_ = nullptr;
    std::vector<std::uint32_t>* public_ = nullptr;
    Metering* metering_ = nullptr;
    PreflightRecords* records_ = nullptr;
    RecordArena* arena_ = nullptr;  // of the instruction that runs
    std::uint32_t* mem_ts_ = nullptr;  // per word
    std::uint32_t* reg_ts_ = nullptr;
    std::vector<std::uint32_t>* public_ts_ = nullptr;
    std::uint32_t* deferred_ = nullptr;  // the deferred-hash counter and its last timestamp
    std::uint32_t* deferred_ts_ = nullptr;
    HashRequestPool* hash_pool_ = nullptr;
    std::uint32_t deferred_capacity_ = 0;
    resource::ResourceFile* resources_ = nullptr;
    std::uint32_t* resource_ts_ = nullptr;  // per resource register (resources_->size())
    std::uint32_t resource_capacity_ = 0;
    std::uint32_t* timestamp_ = nullptr;
    std::vector<JournalEntry>* journal_ = nullptr;
    const Slot<Context>* slots_ = nullptr;
    const void* vm_ = nullptr;  // the VmCore whose extensions the executors are
    std::uint32_t chain_ = 0;  // 0: the machine's loop dispatches every instruction

    void halt() noexcept {
        remaining_at_halt_ = remaining_;
        halted_ = true;
        remaining_ = 0;
    }
    // The checks are inline; building a fault's message is not (it would stop the
    // executors from being inlined into small functions).
    void check_reg(std::uint32_t i) const {
        if (i >= 32) [[unlikely]]
            bad_register(i);
    }
    template <class T>
    void check_access(std::uint32_t address, const char* what) const {
        static_assert(std::is_same_v<T, std::uint8_t> || std::is_same_v<T, std::uint16_t> ||
                          std::is_same_v<T, std::uint32_t>,
                      "memory accesses are of 1, 2 or 4 bytes");
        if ((sizeof(T) > 1 && address % sizeof(T) != 0) || address > mem_size_ - sizeof(T)) [[unlikely]]
            bad_access(address, sizeof(T), what);
    }
    [[noreturn, gnu::cold, gnu::noinline]] void bad_register(std::uint32_t i) const {
        fault(Fault::bad_register, "x" + std::to_string(i));
    }
    [[noreturn, gnu::cold, gnu::noinline]] void bad_access(std::uint32_t address, std::size_t size, const char* what) const {
        if (address % size != 0)
            fault(Fault::misaligned_access, std::to_string(size) + "-byte " + what + " at " + hex32(address));
        fault(Fault::memory_out_of_bounds, std::to_string(size) + "-byte " + what + " at " + hex32(address) +
                                               " (memory is " + std::to_string(mem_size_) + " bytes)");
    }
    [[noreturn, gnu::cold, gnu::noinline]] void bad_jump(std::uint32_t target) const {
        fault(Fault::pc_out_of_program, "jump to " + hex32(target) + " (the program spans " +
                                            hex32(base_) + ".." + hex32(base_ + size_ * step_) + ")");
    }
    [[nodiscard]] std::uint32_t word_at(std::uint32_t aligned) const noexcept {
        std::uint32_t w;
        std::memcpy(&w, mem_ + aligned, 4);
        return w;
    }
    std::uint32_t next_timestamp() {
        if (*timestamp_ >= max_timestamp) [[unlikely]]
            fault(Fault::timestamp_overflow, "more than 2^28 - 1 accesses in one preflight run");
        return ++*timestamp_;
    }
    void log(AddressSpace space, std::uint32_t address, std::uint32_t value, std::uint32_t previous,
             std::uint32_t& last_ts) {
        const std::uint32_t ts = next_timestamp();
        if (last_ts == 0) records_->touched.push_back({space, address, previous});
        arena_->add({address, value, previous, last_ts, space});
        last_ts = ts;
    }
    void skip() {
        (void)next_timestamp();
        arena_->add({});
    }
};

}  // namespace causality::vm
