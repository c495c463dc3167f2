// The RISC-V guest programs (guests/, compiled by riscv64-unknown-elf-gcc during the
// build): known results, the same final state through breakpoints, steps and pauses as
// through a straight run, and metered / traced / simulated runs that agree with it.
#include "vm_test_util.hpp"

#include <causality/stark/config.hpp>
#include <causality/vm/prove.hpp>

#include <catch2/catch.hpp>

#include <string>

using namespace causality;
using namespace causality::vm;
using namespace vmtest;

namespace {

Executable<F> guest(const std::string& name) {
    return load_elf<Vm>(read_file(std::string(CAUSALITY_GUEST_DIR) + "/" + name + ".elf"));
}
std::vector<std::uint8_t> u32_input(std::uint32_t n) {
    return {static_cast<std::uint8_t>(n), static_cast<std::uint8_t>(n >> 8), static_cast<std::uint8_t>(n >> 16),
            static_cast<std::uint8_t>(n >> 24)};
}

// Host reference of Keccak-f[1600] (state[x + 5y]), written independently of the guest:
// round constants from the LFSR, rho offsets from the (x, y) orbit, then chi and iota.
void keccak_f(std::array<std::uint64_t, 25>& a) {
    // Round constants from the specification's LFSR (x^8 + x^6 + x^5 + x^4 + 1), not a table.
    const auto rc_bit = [](int t) {
        unsigned r = 1;
        for (int i = 0; i < t % 255; ++i) {
            r <<= 1;
            if (r & 0x100) r ^= 0x171;
        }
        return static_cast<std::uint64_t>(r & 1);
    };
    std::array<std::uint64_t, 24> rc{};
    for (int round = 0; round < 24; ++round)
        for (int j = 0; j < 7; ++j) rc[round] |= rc_bit(j + 7 * round) << ((1 << j) - 1);
    const auto rotl = [](std::uint64_t x, int n) { return n == 0 ? x : (x << n) | (x >> (64 - n)); };
    for (int round = 0; round < 24; ++round) {
        std::array<std::uint64_t, 5> c{};
        for (int x = 0; x < 5; ++x) c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20];
        for (int x = 0; x < 5; ++x)
            for (int y = 0; y < 5; ++y) a[x + 5 * y] ^= c[(x + 4) % 5] ^ rotl(c[(x + 1) % 5], 1);
        // rho and pi along the (1, 0) orbit: 24 lanes, offsets t(t+1)/2.
        int x = 1, y = 0;
        std::uint64_t current = a[x + 5 * y];
        for (int t = 0; t < 24; ++t) {
            const int nx = y, ny = (2 * x + 3 * y) % 5;
            const std::uint64_t next = a[nx + 5 * ny];
            a[nx + 5 * ny] = rotl(current, ((t + 1) * (t + 2) / 2) % 64);
            current = next;
            x = nx, y = ny;
        }
        for (int yy = 0; yy < 5; ++yy) {
            std::array<std::uint64_t, 5> row{};
            for (int xx = 0; xx < 5; ++xx) row[xx] = a[xx + 5 * yy];
            for (int xx = 0; xx < 5; ++xx) a[xx + 5 * yy] = row[xx] ^ (~row[(xx + 1) % 5] & row[(xx + 2) % 5]);
        }
        a[0] ^= rc[round];
    }
}

}  // namespace

TEST_CASE("fibonacci guest", "[vm][guest]") {
    const auto exe = guest("fibonacci");
    auto r = Vm{}.execute(exe);
    CHECK(r.exit_code == 0);
    CHECK(r.output == "fib(1000) = 817770325994397771\n");
    r = Vm{}.execute(exe, u32_input(90));
    CHECK(r.output == "fib(90) = 2880067194370816120\n");
    CHECK((std::uint64_t{r.public_values[1]} << 32 | r.public_values[0]) == 2880067194370816120ull);
}

TEST_CASE("sha256 guest: the published vectors and the digest of an input", "[vm][guest]") {
    const auto exe = guest("sha256");
    auto r = Vm{}.execute(exe);
    CHECK(r.exit_code == 0);
    CHECK(r.output == "sha256(10^6 x 'a') = cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0\n");
    const std::string msg = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    r = Vm{}.execute(exe, {msg.begin(), msg.end()});
    CHECK(r.exit_code == 0);
    CHECK(r.output == "sha256(input) = 248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1\n");
}

TEST_CASE("keccak guest matches the host reference", "[vm][guest]") {
    const auto exe = guest("keccak");
    const std::uint32_t n = 20;
    const auto r = Vm{}.execute(exe, u32_input(n));
    REQUIRE(r.exit_code == 0);
    std::array<std::uint64_t, 25> s{};
    keccak_f(s);
    CHECK(s[0] == 0xf1258f7940e1dde7ull);  // the published first permutation of zero
    keccak_f(s);
    for (std::uint32_t k = 0; k < n; ++k) keccak_f(s);
    CHECK(r.output == "keccak-f[1600] x 22: lane 0 = " + std::to_string(s[0]) + "\n");
    CHECK((std::uint64_t{r.public_values[1]} << 32 | r.public_values[0]) == s[0]);
}

TEST_CASE("assembly echo guest", "[vm][guest]") {
    const std::string text(150, 'z');
    const auto r = Vm{}.execute(guest("echo"), {text.begin(), text.end()});
    CHECK(r.output == text);
    CHECK(r.exit_code == 150);
}

TEST_CASE("guests: breakpoints, steps and pauses reach the straight run's state", "[vm][guest][debug]") {
    const auto exe = guest("keccak");
    const auto input = u32_input(3);
    Machine<Vm> straight;
    straight.initialize(exe, input);
    REQUIRE(straight.start().reason == StopReason::exited);

    Machine<Vm> m;
    m.initialize(exe, input);
    m.add_breakpoint("keccak_f");
    int hits = 0;
    auto r = m.start();
    while (r.reason == StopReason::breakpoint) {
        ++hits;
        CHECK(m.pc() == *exe.symbol_address("keccak_f"));
        CHECK_THAT(m.disassemble(), Catch::Contains("<keccak_f>"));
        for (int k = 0; k < 3; ++k) CHECK(m.step().instructions == 1);
        m.pause_after(997);
        while ((r = m.resume()).reason == StopReason::paused) {
        }
        m.pause_after(0);
    }
    CHECK(hits == 5);
    CHECK(r.reason == StopReason::exited);
    CHECK(m.registers() == straight.registers());
    CHECK(m.cycles() == straight.cycles());
    CHECK(m.io().output == straight.io().output);
    CHECK(m.read_memory(0x00fff000, 0x1000) == straight.read_memory(0x00fff000, 0x1000));  // the stack

    // Simulate from a pause: the outcome of the rest of the run, and nothing committed.
    Machine<Vm> s;
    s.initialize(exe, input);
    s.pause_after(50000);
    s.start();
    const auto before = s.registers();
    const auto sim = s.simulate();
    CHECK(sim.result.reason == StopReason::exited);
    CHECK(sim.output == straight.io().output);
    CHECK(s.registers() == before);
    CHECK(s.read_memory(0x00fff000, 0x1000) != straight.read_memory(0x00fff000, 0x1000));
    s.pause_after(0);
    s.resume();
    CHECK(s.read_memory(0x00fff000, 0x1000) == straight.read_memory(0x00fff000, 0x1000));
    CHECK(s.io().output == straight.io().output);
}

TEST_CASE("guests: metered and preflight runs agree with the pure run", "[vm][guest][modes]") {
    const auto exe = guest("fibonacci");
    const auto pure = Vm{}.execute(exe, u32_input(50));
    const auto metered = Vm{}.execute_metered(exe, u32_input(50));
    const auto pre = Vm{}.execute_preflight(exe, u32_input(50));
    CHECK(metered.result.output == pure.output);
    CHECK(pre.result.output == pure.output);
    CHECK(metered.result.cycles == pure.cycles);
    std::size_t records = 0, accesses = 0;
    for (const auto& arena : pre.chips) {
        records += arena.size();
        for (std::size_t k = 0; k < arena.size(); ++k)
            for (const auto& a : arena[k].accesses) accesses += a.space != AddressSpace::none;
    }
    CHECK(records == pure.cycles);
    CHECK(accesses == metered.metrics.accesses);
    std::uint64_t rows = 0;
    for (const auto& c : metered.metrics.chip_rows) rows += c.count;
    CHECK(rows == pure.cycles);
}

// riscv-tests style: 4915 checks against values the compiler computed; exit 0 when all hold.
TEST_CASE("self-checking guest passes every check", "[vm][guest]") {
    const auto r = Vm{}.execute(guest("selfcheck"));
    CHECK(r.exit_code == 0);
    CHECK(r.public_values[0] == 4915);
}

TEST_CASE("picolibc printf and stdin through the kit's stdio", "[vm][guest]") {
    const std::string name = "Ada";
    const auto r = Vm{}.execute(guest("hello"), {name.begin(), name.end()});
    CHECK(r.output == "hello, Ada: 6 * 7 = 42\n");
    CHECK(r.error_output == "3 bytes of input\n");
    CHECK(r.exit_code == 3);
}

// The guests prove: compiled C (picolibc's printf, the ABI's stack and data) and assembly,
// with input, output and published values; the verifier knows only the ELF.
TEST_CASE("guests prove and verify knowing only the ELF", "[vm][guest][prove][heavy]") {
    using SC = stark::TestingConfig<F, 4>;
    const Vm vm;
    struct Case {
        const char* name;
        std::vector<std::uint8_t> input;
    };
    const std::string msg = "abc";
    const std::vector<Case> cases{{"fibonacci", u32_input(90)},
                                  {"sha256", {msg.begin(), msg.end()}},
                                  {"keccak", u32_input(1)},
                                  {"echo", {'h', 'i', '\n'}},
                                  {"selfcheck", {}},
                                  {"hello", {'A', 'd', 'a'}}};
    for (const auto& c : cases) {
        DYNAMIC_SECTION(c.name) {
            const auto exe = guest(c.name);
            const auto expected = vm.execute(exe, c.input);
            REQUIRE(expected.reason == StopReason::exited);
            const auto proof = vm::prove<SC>(vm, exe, c.input);
            CHECK(proof.statement.exit_code == expected.exit_code);
            CHECK(proof.statement.public_values == expected.public_values);
            const auto bytes = proof.to_bytes();
            const auto v = vm::verify<SC>(vm, exe, std::span<const std::uint8_t>(bytes));
            INFO(v.reason());
            CHECK(v.ok());
        }
    }
}
