// causality/vm/elf.hpp — 32-bit RISC-V ELF executables: parsing, and loading into an
// Executable of a VM (every loadable segment into the initial memory image, the words of
// the executable segments transpiled by the VM's extensions, the entry point, and the
// symbol table for the debugger).
//
// Accepted: ELFCLASS32, little-endian, ET_EXEC, EM_RISCV, soft-float ABI without the
// compressed (C) or embedded (E) extensions. Anything else, and any offset, size or
// address that does not fit, is an Error(malformed_input) naming the field and value.
#pragma once

#include <causality/error.hpp>
#include <causality/vm/core.hpp>
#include <causality/vm/program.hpp>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <span>
#include <string>
#include <vector>

namespace causality::vm {

struct ElfSegment {
    std::uint32_t address = 0;
    std::uint32_t memory_size = 0;
    std::uint32_t flags = 0;  // PF_X = 1, PF_W = 2, PF_R = 4
    std::vector<std::uint8_t> bytes;  // the file's bytes; the rest up to memory_size is zero
    [[nodiscard]] bool executable() const noexcept { return (flags & 1) != 0; }
};

struct ElfFile {
    std::uint32_t entry = 0;
    std::vector<ElfSegment> segments;  // sorted by address
    std::vector<Symbol> symbols;       // functions and objects, sorted by address
};

namespace detail {

[[noreturn]] inline void bad_elf(const std::string& what) { throw Error(ErrorCode::malformed_input, "elf: " + what); }

class ElfReader {
public:
    explicit ElfReader(std::span<const std::uint8_t> b) : b_(b) {}
    [[nodiscard]] std::uint32_t u8(std::uint64_t at) const { return need(at, 1, "byte"), b_[at]; }
    [[nodiscard]] std::uint32_t u16(std::uint64_t at) const {
        need(at, 2, "field");
        return std::uint32_t{b_[at]} | std::uint32_t{b_[at + 1]} << 8;
    }
    [[nodiscard]] std::uint32_t u32(std::uint64_t at) const {
        need(at, 4, "field");
        return std::uint32_t{b_[at]} | std::uint32_t{b_[at + 1]} << 8 | std::uint32_t{b_[at + 2]} << 16 |
               std::uint32_t{b_[at + 3]} << 24;
    }
    void need(std::uint64_t at, std::uint64_t n, const std::string& what) const {
        if (at > b_.size() || n > b_.size() - at)
            bad_elf(what + " at offset " + std::to_string(at) + " (" + std::to_string(n) +
                    " bytes) runs past the end of the file (" + std::to_string(b_.size()) + " bytes)");
    }
    [[nodiscard]] std::span<const std::uint8_t> bytes(std::uint64_t at, std::uint64_t n, const std::string& what) const {
        need(at, n, what);
        return b_.subspan(static_cast<std::size_t>(at), static_cast<std::size_t>(n));
    }
    [[nodiscard]] std::size_t size() const noexcept { return b_.size(); }

private:
    std::span<const std::uint8_t> b_;
};

}  // namespace detail

inline ElfFile parse_elf(std::span<const std::uint8_t> file) {
    using detail::bad_elf;
    const detail::ElfReader r(file);
    if (file.size() < 52) bad_elf("file of " + std::to_string(file.size()) + " bytes is shorter than an ELF32 header");
    if (!(file[0] == 0x7f && file[1] == 'E' && file[2] == 'L' && file[3] == 'F')) bad_elf("no ELF magic number");
    if (file[4] != 1) bad_elf("class " + std::to_string(file[4]) + " is not ELFCLASS32 (only RV32 is supported)");
    if (file[5] != 1) bad_elf("data encoding " + std::to_string(file[5]) + " is not little-endian");
    if (file[6] != 1) bad_elf("version " + std::to_string(file[6]) + " is not 1");
    const std::uint32_t type = r.u16(16), machine = r.u16(18), flags = r.u32(36);
    if (type != 2) bad_elf("type " + std::to_string(type) + " is not ET_EXEC (2): link the program statically");
    if (machine != 243) bad_elf("machine " + std::to_string(machine) + " is not RISC-V (243)");
    if (flags & 1) bad_elf("the file uses compressed instructions (RVC); build with -march=rv32im");
    if (flags & 6) bad_elf("the file uses a hard-float ABI; build with -mabi=ilp32");
    if (flags & 8) bad_elf("the file uses the RV32E ABI; build with -march=rv32im -mabi=ilp32");

    ElfFile out;
    out.entry = r.u32(24);
    const std::uint32_t phoff = r.u32(28), shoff = r.u32(32);
    const std::uint32_t phentsize = r.u16(42), phnum = r.u16(44), shentsize = r.u16(46), shnum = r.u16(48);
    if (phnum == 0) bad_elf("no program headers");
    if (phentsize != 32) bad_elf("program header size " + std::to_string(phentsize) + " is not 32");
    r.need(phoff, std::uint64_t{phnum} * 32, "program header table");
    for (std::uint32_t i = 0; i < phnum; ++i) {
        const std::uint64_t h = phoff + std::uint64_t{i} * 32;
        if (r.u32(h) != 1) continue;  // PT_LOAD only
        const std::uint32_t offset = r.u32(h + 4), vaddr = r.u32(h + 8), filesz = r.u32(h + 16),
                            memsz = r.u32(h + 20), pflags = r.u32(h + 24);
        const std::string name = "segment " + std::to_string(i);
        if (filesz > memsz) bad_elf(name + ": file size " + std::to_string(filesz) + " exceeds memory size " + std::to_string(memsz));
        if (std::uint64_t{vaddr} + memsz > (std::uint64_t{1} << 32))
            bad_elf(name + " at " + hex32(vaddr) + " of " + std::to_string(memsz) + " bytes passes 2^32");
        if (memsz == 0) continue;
        const auto bytes = r.bytes(offset, filesz, name);
        if ((pflags & 1) && vaddr % 4 != 0) bad_elf(name + ": executable segment at " + hex32(vaddr) + " is not 4-byte aligned");
        out.segments.push_back({vaddr, memsz, pflags, {bytes.begin(), bytes.end()}});
    }
    if (out.segments.empty()) bad_elf("no loadable segment");
    std::sort(out.segments.begin(), out.segments.end(), [](const auto& a, const auto& b) { return a.address < b.address; });
    for (std::size_t i = 1; i < out.segments.size(); ++i)
        if (std::uint64_t{out.segments[i - 1].address} + out.segments[i - 1].memory_size > out.segments[i].address)
            bad_elf("segments at " + hex32(out.segments[i - 1].address) + " and " +
                    hex32(out.segments[i].address) + " overlap");
    const bool entry_ok = std::any_of(out.segments.begin(), out.segments.end(), [&](const ElfSegment& s) {
        return s.executable() && out.entry >= s.address && out.entry - s.address < s.bytes.size();
    });
    if (!entry_ok) bad_elf("entry point " + hex32(out.entry) + " is not in an executable segment");
    if (out.entry % 4 != 0) bad_elf("entry point " + hex32(out.entry) + " is not 4-byte aligned");

    // Symbols (optional: a stripped file has none).
    if (shoff != 0 && shnum != 0) {
        if (shentsize != 40) bad_elf("section header size " + std::to_string(shentsize) + " is not 40");
        r.need(shoff, std::uint64_t{shnum} * 40, "section header table");
        for (std::uint32_t i = 0; i < shnum; ++i) {
            const std::uint64_t h = shoff + std::uint64_t{i} * 40;
            if (r.u32(h + 4) != 2) continue;  // SHT_SYMTAB
            const std::uint32_t off = r.u32(h + 16), size = r.u32(h + 20), link = r.u32(h + 24),
                                entsize = r.u32(h + 36);
            if (entsize != 16) bad_elf("symbol entry size " + std::to_string(entsize) + " is not 16");
            if (link >= shnum) bad_elf("symbol table links to section " + std::to_string(link) + " of " + std::to_string(shnum));
            const std::uint64_t sh = shoff + std::uint64_t{link} * 40;
            const auto strtab = r.bytes(r.u32(sh + 16), r.u32(sh + 20), "string table");
            r.need(off, size, "symbol table");
            for (std::uint64_t e = off; e + 16 <= std::uint64_t{off} + size; e += 16) {
                const std::uint32_t name = r.u32(e), value = r.u32(e + 4), sz = r.u32(e + 8), info = r.u8(e + 12),
                                    shndx = r.u16(e + 14);
                const std::uint32_t kind = info & 15;
                if (shndx == 0 || name == 0 || kind > 2) continue;  // undefined, unnamed, or not NOTYPE/OBJECT/FUNC
                if (name >= strtab.size()) bad_elf("symbol name offset " + std::to_string(name) + " outside the string table");
                const auto begin = strtab.begin() + name;
                const auto end = std::find(begin, strtab.end(), std::uint8_t{0});
                if (end == strtab.end()) bad_elf("symbol name at offset " + std::to_string(name) + " is not terminated");
                std::string s(begin, end);
                if (s.empty() || s[0] == '.' || s == "$x" || s == "$d") continue;  // section and mapping symbols
                out.symbols.push_back({std::move(s), value, sz});
            }
        }
        std::stable_sort(out.symbols.begin(), out.symbols.end(),
                         [](const Symbol& a, const Symbol& b) { return a.address < b.address; });
    }
    return out;
}

// The executable of a parsed ELF file for the VM `vm`: the executable segments' words
// (from the lowest to the highest executable address; gaps read as zero words) are
// transpiled by the VM's extensions.
template <VmConfig Vm>
Executable<typename Vm::field_type> load_elf(const Vm& vm, const ElfFile& elf) {
    std::uint64_t lo = ~std::uint64_t{0}, hi = 0;
    for (const auto& s : elf.segments)
        if (s.executable() && !s.bytes.empty()) {
            lo = std::min<std::uint64_t>(lo, s.address);
            hi = std::max<std::uint64_t>(hi, std::uint64_t{s.address} + s.bytes.size() / 4 * 4);
        }
    // What a file may make us allocate: the program is one dense array of instructions from
    // the lowest to the highest executable address, so the span is bounded by what the file
    // holds (the gaps between code segments at most 3 times the code, plus 64 KiB) and by
    // 2^24 bytes (4 M instructions): a small file cannot ask for gigabytes.
    std::uint64_t code_bytes = 0;
    for (const auto& s : elf.segments)
        if (s.executable()) code_bytes += s.bytes.size() / 4 * 4;
    constexpr std::uint64_t max_code = std::uint64_t{1} << 24;
    if (hi - lo > max_code)
        detail::bad_elf("executable segments span " + std::to_string(hi - lo) + " bytes (at most 2^24)");
    if (hi - lo > 4 * code_bytes + (std::uint64_t{1} << 16))
        detail::bad_elf("executable segments span " + std::to_string(hi - lo) + " bytes for " + std::to_string(code_bytes) +
                        " bytes of code (gaps of at most 3 times the code plus 64 KiB)");
    std::vector<std::uint32_t> words(static_cast<std::size_t>((hi - lo) / 4), 0);
    for (const auto& s : elf.segments) {
        if (!s.executable()) continue;
        for (std::size_t k = 0; k + 4 <= s.bytes.size(); k += 4)
            words[(s.address - lo + k) / 4] = std::uint32_t{s.bytes[k]} | std::uint32_t{s.bytes[k + 1]} << 8 |
                                              std::uint32_t{s.bytes[k + 2]} << 16 | std::uint32_t{s.bytes[k + 3]} << 24;
    }
    Executable<typename Vm::field_type> exe;
    exe.program = vm.transpile(words, static_cast<std::uint32_t>(lo));
    exe.entry = elf.entry;
    for (const auto& s : elf.segments)
        if (!s.bytes.empty()) exe.memory.push_back({s.address, s.bytes});
    exe.symbols = elf.symbols;
    return exe;
}
template <VmConfig Vm>
Executable<typename Vm::field_type> load_elf(const Vm& vm, std::span<const std::uint8_t> bytes) {
    return load_elf(vm, parse_elf(bytes));
}
// For a VM whose extensions have no parameters.
template <VmConfig Vm>
Executable<typename Vm::field_type> load_elf(const ElfFile& elf) {
    return load_elf(Vm{}, elf);
}
template <VmConfig Vm>
Executable<typename Vm::field_type> load_elf(std::span<const std::uint8_t> bytes) {
    return load_elf(Vm{}, parse_elf(bytes));
}

// The whole file's bytes; an unreadable file is an Error naming the path.
inline std::vector<std::uint8_t> read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(ErrorCode::invalid_argument, "cannot open '" + path + "'");
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace causality::vm
