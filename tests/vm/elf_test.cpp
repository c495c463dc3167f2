// ELF loading: a small executable written by the test (one code segment, one data
// segment, a symbol table) loads, runs and resolves symbols; every malformed variant is
// an Error(malformed_input) that names the problem.
#include "vm_test_util.hpp"

#include <catch2/catch.hpp>

#include <cstring>

using namespace causality;
using namespace causality::vm;
using namespace vmtest;

namespace {

void put16(std::vector<std::uint8_t>& b, std::size_t at, std::uint32_t v) {
    b[at] = static_cast<std::uint8_t>(v);
    b[at + 1] = static_cast<std::uint8_t>(v >> 8);
}
void put32(std::vector<std::uint8_t>& b, std::size_t at, std::uint32_t v) {
    for (int k = 0; k < 4; ++k) b[at + k] = static_cast<std::uint8_t>(v >> (8 * k));
}

// Layout: header (52) | 2 program headers at 52 (64) | code at 0x100 | data at 0x200 |
// strtab at 0x280 | symtab at 0x2c0 | 4 section headers at 0x300 (null, symtab, strtab, shstrtab-less).
constexpr std::uint32_t code_addr = 0x10000, data_addr = 0x20000;
const std::vector<std::uint32_t> code_words{
    0x000205b7,  // lui a1, 0x20        (a1 = data_addr)
    0x0005a503,  // lw a0, 0(a1)        (a0 = 42)
    0x00150513,  // addi a0, a0, 1
    0x05d00893,  // addi a7, zero, 93
    0x00000073,  // ecall               (exit 43)
};

std::vector<std::uint8_t> tiny_elf() {
    std::vector<std::uint8_t> b(0x300 + 4 * 40, 0);
    b[0] = 0x7f, b[1] = 'E', b[2] = 'L', b[3] = 'F', b[4] = 1, b[5] = 1, b[6] = 1;
    put16(b, 16, 2);    // ET_EXEC
    put16(b, 18, 243);  // EM_RISCV
    put32(b, 20, 1);
    put32(b, 24, code_addr);  // entry
    put32(b, 28, 52);         // phoff
    put32(b, 32, 0x300);      // shoff
    put16(b, 40, 52);
    put16(b, 42, 32);
    put16(b, 44, 2);
    put16(b, 46, 40);
    put16(b, 48, 4);
    // code segment: R+X
    put32(b, 52, 1), put32(b, 56, 0x100), put32(b, 60, code_addr), put32(b, 64, code_addr);
    put32(b, 68, 4 * static_cast<std::uint32_t>(code_words.size())), put32(b, 72, 4 * static_cast<std::uint32_t>(code_words.size())), put32(b, 76, 5);
    // data segment: R+W, 4 bytes in the file, 16 in memory
    put32(b, 84, 1), put32(b, 88, 0x200), put32(b, 92, data_addr), put32(b, 96, data_addr);
    put32(b, 100, 4), put32(b, 104, 16), put32(b, 108, 6);
    for (std::size_t k = 0; k < code_words.size(); ++k) put32(b, 0x100 + 4 * k, code_words[k]);
    put32(b, 0x200, 42);
    const char strtab[] = "\0_start\0answer\0";
    std::memcpy(b.data() + 0x280, strtab, sizeof strtab);
    // symbols: null, _start (FUNC, 20 bytes), answer (OBJECT, 4 bytes)
    put32(b, 0x2d0, 1), put32(b, 0x2d4, code_addr), put32(b, 0x2d8, 20), b[0x2dc] = 0x12, put16(b, 0x2de, 1);
    put32(b, 0x2e0, 8), put32(b, 0x2e4, data_addr), put32(b, 0x2e8, 4), b[0x2ec] = 0x11, put16(b, 0x2ee, 2);
    // section headers: [1] symtab -> link 2, [2] strtab
    const std::size_t s1 = 0x300 + 40, s2 = 0x300 + 80;
    put32(b, s1 + 4, 2), put32(b, s1 + 16, 0x2c0), put32(b, s1 + 20, 48), put32(b, s1 + 24, 2), put32(b, s1 + 36, 16);
    put32(b, s2 + 4, 3), put32(b, s2 + 16, 0x280), put32(b, s2 + 20, sizeof strtab);
    return b;
}

void check_malformed(std::vector<std::uint8_t> bytes, const std::string& message) {
    INFO(message);
    try {
        (void)load_elf<Vm>(bytes);
        FAIL("accepted");
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::malformed_input);
        CHECK_THAT(e.what(), Catch::Contains(message));
    }
}

}  // namespace

TEST_CASE("a small ELF executable loads, runs and has symbols", "[vm][elf]") {
    const auto elf = parse_elf(tiny_elf());
    CHECK(elf.entry == code_addr);
    REQUIRE(elf.segments.size() == 2);
    CHECK(elf.segments[1].memory_size == 16);
    REQUIRE(elf.symbols.size() == 2);
    const auto exe = load_elf<Vm>(tiny_elf());
    CHECK(exe.program.pc_base == code_addr);
    CHECK(exe.program.size() == code_words.size());
    CHECK(exe.symbol_address("answer") == data_addr);
    CHECK(exe.symbolize(code_addr + 8) == "_start+8");
    const auto r = Vm{}.execute(exe);
    CHECK(r.reason == StopReason::exited);
    CHECK(r.exit_code == 43);

    Machine<Vm> m;
    m.initialize(exe);
    m.add_breakpoint("_start");
    CHECK(m.start().reason == StopReason::breakpoint);  // a breakpoint at the entry stops before it
    CHECK(m.disassemble() == "0x00010000 <_start>: lui a1, 0x00000020");
    CHECK_THROWS_WITH(m.add_breakpoint("missing"), Catch::Contains("no symbol named 'missing'"));
}

TEST_CASE("malformed ELF files are rejected with the reason", "[vm][elf]") {
    const auto good = tiny_elf();
    check_malformed({good.begin(), good.begin() + 40}, "shorter than an ELF32 header");
    auto b = good;
    b[1] = 'X';
    check_malformed(b, "magic");
    b = good, b[4] = 2;
    check_malformed(b, "not ELFCLASS32");
    b = good, b[5] = 2;
    check_malformed(b, "little-endian");
    b = good, put16(b, 16, 3);
    check_malformed(b, "not ET_EXEC");
    b = good, put16(b, 18, 62);
    check_malformed(b, "not RISC-V");
    b = good, put32(b, 36, 1);
    check_malformed(b, "compressed instructions");
    b = good, put32(b, 36, 4);
    check_malformed(b, "hard-float");
    b = good, put16(b, 42, 56);
    check_malformed(b, "program header size");
    b = good, put32(b, 28, 0xfffffff0u);
    check_malformed(b, "program header table");
    b = good, put32(b, 56, 0x10000);
    check_malformed(b, "runs past the end of the file");
    b = good, put32(b, 100, 32);
    check_malformed(b, "exceeds memory size");
    b = good, put32(b, 92, code_addr + 8);
    check_malformed(b, "overlap");
    b = good, put32(b, 24, data_addr);
    check_malformed(b, "entry point");
    b = good, put32(b, 60, 0xfffffff0u);
    check_malformed(b, "passes 2^32");
    b = good, put16(b, 44, 0);
    check_malformed(b, "no program headers");
    b = good, put32(b, 0x2d0, 0x1000);
    check_malformed(b, "outside the string table");
    b = good, put32(b, 0x300 + 40 + 24, 9);
    check_malformed(b, "links to section 9");
    b = good, b[0x280 + 14] = 'x', b[0x280 + 15] = 'x';  // "answer" loses its terminator
    check_malformed(b, "not terminated");
    // Two executable segments 2^28 bytes apart (a 148-byte file) would ask for a dense
    // program of 2^26 instructions: rejected at once, without allocating it.
    {
        std::vector<std::uint8_t> small(148, 0);
        std::copy(good.begin(), good.begin() + 52, small.begin());
        put32(small, 32, 0), put16(small, 48, 0);  // no sections
        put32(small, 28, 52), put16(small, 44, 2);
        for (std::uint32_t k = 0; k < 2; ++k) {
            const std::size_t h = 52 + 32 * k;
            put32(small, h, 1), put32(small, h + 4, 116 + 16 * k), put32(small, h + 8, code_addr + (k << 28));
            put32(small, h + 16, 16), put32(small, h + 20, 16), put32(small, h + 24, 5);
        }
        for (std::size_t k = 0; k < 8; ++k) put32(small, 116 + 4 * k, 0x00000013);  // nop
        check_malformed(small, "executable segments span 268435472 bytes");
        // 1 MiB apart: within 2^24 but far beyond what 32 bytes of code justify.
        put32(small, 52 + 32 + 8, code_addr + (1u << 20));
        check_malformed(small, "for 32 bytes of code");
    }
    // A stripped file (no section headers) loads, with no symbols.
    b = good, put32(b, 32, 0);
    CHECK(load_elf<Vm>(b).symbols.empty());
    CHECK_THROWS_WITH(read_file("/nonexistent/program.elf"), Catch::Contains("/nonexistent/program.elf"));
}

TEST_CASE("random corruptions of an ELF file are errors or load, never crash", "[vm][elf]") {
    const auto good = tiny_elf();
    std::uint64_t state = 12345;
    for (int trial = 0; trial < 2000; ++trial) {
        auto b = good;
        for (int k = 0; k < 3; ++k) {
            state = state * 6364136223846793005ull + 1442695040888963407ull;
            b[(state >> 33) % 0x300] ^= static_cast<std::uint8_t>(1u << ((state >> 20) & 7));
        }
        try {
            const auto exe = load_elf<Vm>(b);
            Machine<Vm> m;
            m.initialize(exe);
            m.set_max_cycles(100);
            m.start();
        } catch (const Error&) {
        }
    }
}
