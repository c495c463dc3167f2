// Deferred hashing (ext::Poseidon2Hash): the encoding's known answers, the batched pool
// against one-at-a-time hashing, execution (immediate digests in memory, deferred ones in
// the result, in order), faults, and proofs: proven digests equal the host's for every
// length 0..200 and a few MiB, deferred digests are the proof's public outputs in handle
// order, and a tampered digest, length or input word is rejected.
#include "tamper.hpp"
#include "vm_test_util.hpp"

#include <causality/stark/config.hpp>
#include <causality/vm/hash/extension.hpp>
#include <causality/vm/prove.hpp>

#include <catch2/catch.hpp>

#include <cstring>
#include <random>
#include <string>

using namespace causality;
using namespace causality::vm;
using vmtest::F;
using vmtest::Op;
using vmtest::RV;

namespace {

using SC = stark::TestingConfig<field::BabyBear, 4>;
using Hash = ext::Poseidon2Hash<F>;
using HVm = VmCore<F, ext::Rv32im, Hash>;
enum : std::uint8_t { zero = 0, t0 = 5, t1 = 6, a0 = 10, a1 = 11, a2 = 12, a3 = 13, a7 = 17 };
constexpr std::uint32_t data_address = 0x10000, out_address = 0x80000;

const stark::Poseidon2<F, 16>& perm() {
    static const auto p = stark::default_poseidon2<F, 16>();
    return p;
}

std::uint32_t hash_word(std::uint32_t funct3, std::uint32_t rd, std::uint32_t rs1, std::uint32_t rs2) {
    return rs2 << 20 | rs1 << 15 | funct3 << 12 | rd << 7 | Hash::riscv_opcode;
}

// A program of RV32IM instructions and hash instructions (raw words).
struct Code {
    std::vector<Instruction<F>> ins;
    Code& rv(const RV& i) {
        ins.push_back(ext::Rv32im::to_instruction<F>(i));
        return *this;
    }
    Code& li32(std::uint8_t rd, std::uint32_t v) {
        const std::uint32_t low = v & 0xfff, high = (v + 0x800) & 0xfffff000u;
        rv({Op::lui, rd, 0, 0, static_cast<std::int32_t>(high)});
        return rv({Op::addi, rd, rd, 0, static_cast<std::int32_t>(low << 20) >> 20});
    }
    Code& hash(std::uint32_t funct3, std::uint8_t rd, std::uint8_t rs1, std::uint8_t rs2) {
        ins.push_back(*Hash::transpile<F>(hash_word(funct3, rd, rs1, rs2), 0));
        return *this;
    }
    Code& exit_with(std::int32_t code) {
        rv({Op::addi, a0, 0, 0, code});
        rv({Op::addi, a7, 0, 0, 93});
        return rv({Op::ecall, 0, 0, 0, 0});
    }
    Executable<F> executable(std::vector<std::uint8_t> data) const {
        Executable<F> exe;
        exe.program.pc_base = vmtest::base;
        exe.program.instructions = ins;
        exe.entry = vmtest::base;
        if (!data.empty()) exe.memory.push_back({data_address, std::move(data)});
        return exe;
    }
};

std::vector<std::uint8_t> random_bytes(std::size_t n, std::uint32_t seed) {
    std::mt19937 g(seed);
    std::vector<std::uint8_t> v(n);
    for (auto& b : v) b = static_cast<std::uint8_t>(g());
    return v;
}

// For len = first .. last: phash (digest at out + 32 (len - first)) and phashd of the
// first len bytes of the data; exits 0.
Executable<F> lengths_program(std::uint32_t first, std::uint32_t last, std::vector<std::uint8_t> data) {
    Code c;
    c.li32(a0, data_address).li32(a1, first).li32(a2, out_address).li32(t0, last + 1);
    c.hash(0, a2, a0, a1).hash(1, a3, a0, a1);
    c.rv({Op::addi, a2, a2, 0, 32}).rv({Op::addi, a1, a1, 0, 1});
    c.rv({Op::bne, 0, a1, t0, -16});
    return c.exit_with(0).executable(std::move(data));
}

MachineConfig with_table(std::uint32_t entries) {
    MachineConfig cfg;
    cfg.deferred_hashes = entries;
    return cfg;
}

}  // namespace

TEST_CASE("the hash encoding: known answers, length in the capacity, batched equals one at a time", "[vm][hash]") {
    // Empty input: one permutation of (0^8, 0, tag, 0^6).
    std::array<F, 16> s{};
    s[9] = F::from_u64(HashEncoding::domain_tag);
    perm().permute(s);
    const HashDigest empty = hash_bytes(perm(), {});
    for (std::size_t k = 0; k < 8; ++k) CHECK(empty[k] == s[k].to_u64());
    // 17 bytes: two blocks, the second with one byte (element 0 = byte 16).
    const auto bytes = random_bytes(17, 1);
    auto t = HashEncoding::initial_state<F>(17);
    for (std::size_t k = 0; k < 8; ++k) t[k] = F::from_u64(bytes[2 * k] | bytes[2 * k + 1] << 8);
    perm().permute(t);
    for (std::size_t k = 0; k < 8; ++k) t[k] = F::from_u64(k == 0 ? bytes[16] : 0);
    perm().permute(t);
    const HashDigest d17 = hash_bytes(perm(), bytes);
    for (std::size_t k = 0; k < 8; ++k) CHECK(d17[k] == t[k].to_u64());
    // Zero padding is not ambiguous: "" , "\0" and "\0\0" differ.
    const std::vector<std::uint8_t> z1(1, 0), z2(2, 0), z16(16, 0);
    CHECK(hash_bytes(perm(), z1) != empty);
    CHECK(hash_bytes(perm(), z2) != hash_bytes(perm(), z1));
    CHECK(hash_bytes(perm(), z16) != hash_bytes(perm(), z2));
    // The batched engine (packed lanes, longest first, parallel) agrees for 0..300 bytes.
    const auto data = random_bytes(300, 2);
    std::vector<std::span<const std::uint8_t>> messages;
    for (std::size_t n = 0; n <= 300; ++n) messages.emplace_back(data.data(), n);
    std::vector<HashDigest> out(messages.size());
    hash_messages(perm(), std::span<const std::span<const std::uint8_t>>(messages), std::span<HashDigest>(out));
    for (std::size_t n = 0; n <= 300; ++n) CHECK(out[n] == hash_bytes(perm(), messages[n]));
}

TEST_CASE("hash instructions: immediate digests in memory, deferred ones after the run in handle order", "[vm][hash]") {
    const auto data = random_bytes(64, 3);
    const HVm vm(with_table(64));
    Machine<HVm> m(vm);
    m.initialize(lengths_program(0, 40, data));
    const auto r = m.start();
    REQUIRE(r.reason == StopReason::exited);
    const auto deferred = m.deferred_digests();
    REQUIRE(deferred.size() == 41);
    for (std::uint32_t n = 0; n <= 40; ++n) {
        const HashDigest expect = hash_bytes(perm(), std::span<const std::uint8_t>(data.data(), n));
        HashDigest got;
        for (std::uint32_t k = 0; k < 8; ++k) got[k] = m.read_word(out_address + 32 * n + 4 * k);
        CHECK(got == expect);
        CHECK(deferred[n] == expect);
    }
    CHECK(m.reg(a3) == 40);  // the last handle
    CHECK(m.hash_requests().requests().size() == 82);
    // execute() returns the digests too; the disassembly names the instructions.
    const auto result = vm.execute(lengths_program(3, 5, data));
    CHECK(result.deferred_digests.size() == 3);
    CHECK_THAT(m.disassemble(vmtest::base + 32), Catch::EndsWith("phash x12, x10, x11"));
    CHECK_THAT(m.disassemble(vmtest::base + 36), Catch::EndsWith("phashd x13, x10, x11"));
}

TEST_CASE("hash instructions fault on bad addresses, lengths and a full table", "[vm][hash][negative]") {
    const auto run = [](const Code& c, MachineConfig cfg = {}) {
        const HVm vm(cfg);
        return vm.execute(c.executable(random_bytes(64, 4)));
    };
    Code misaligned;
    misaligned.li32(a0, data_address + 2).li32(a1, 8).li32(a2, out_address).hash(0, a2, a0, a1).exit_with(0);
    CHECK_THROWS_WITH(run(misaligned), Catch::Contains("misaligned") && Catch::Contains("0x00010002"));
    Code outside;
    outside.li32(a0, 0x1ffffff0).li32(a1, 64).li32(a2, out_address).hash(0, a2, a0, a1).exit_with(0);
    CHECK_THROWS_WITH(run(outside), Catch::Contains("outside memory"));
    Code bad_out;
    bad_out.li32(a0, data_address).li32(a1, 8).li32(a2, out_address + 1).hash(0, a2, a0, a1).exit_with(0);
    CHECK_THROWS_WITH(run(bad_out), Catch::Contains("phash digest at 0x00080001"));
    Code too_long;
    too_long.li32(a0, 0).li32(a1, 0x20000000).hash(1, a3, a0, a1).exit_with(0);
    CHECK_THROWS_WITH(run(too_long), Catch::Contains("below 2^29"));
    Code full;
    full.li32(a0, data_address).li32(a1, 4).hash(1, a3, a0, a1).hash(1, a3, a0, a1).hash(1, a3, a0, a1).exit_with(0);
    CHECK_THROWS_WITH(run(full, with_table(2)), Catch::Contains("deferred hash table full") && Catch::Contains("request 2"));
    CHECK_NOTHROW(run(full, with_table(3)));
    // A hand-built instruction whose operand f disagrees with rd is refused at load.
    Code bad_f;
    bad_f.hash(1, a3, a0, a1);
    bad_f.ins.back().operands[5] = F::zero();
    CHECK_THROWS_WITH(run(bad_f), Catch::Contains("operand f"));
}

TEST_CASE("proven digests equal the host's for lengths 0..200, deferred digests are public, in order",
          "[vm][hash][prove][heavy]") {
    const auto data = random_bytes(200, 5);
    const HVm vm(with_table(201));
    const auto exe = lengths_program(0, 200, data);
    VmProveReport report;
    const auto proof = vm::prove<SC>(vm, exe, {}, {}, &report);
    const auto verdict = vm::verify<SC>(vm, exe, proof);
    REQUIRE(verdict.ok());
    const auto& d = verdict.statement->deferred_digests;
    REQUIRE(d.size() == 201);
    for (std::size_t n = 0; n <= 200; ++n) CHECK(d[n] == hash_bytes(perm(), std::span<const std::uint8_t>(data.data(), n)));
    std::size_t blocks = 0;
    for (std::size_t n = 0; n <= 200; ++n) blocks += 2 * HashEncoding::blocks(n);
    for (const auto& a : report.airs) {
        if (a.name == "hash_call") CHECK(a.used_rows == 402);
        if (a.name == "hash_absorb" || a.name == "poseidon2_sponge") CHECK(a.rows >= blocks);
    }
    // The statement is bound: a changed digest, order or count does not verify.
    auto bytes = proof.to_bytes();
    auto changed = proof;
    changed.statement.deferred_digests[7][3] ^= 1;
    CHECK_FALSE(vm::verify<SC>(vm, exe, changed).ok());
    changed = proof;
    std::swap(changed.statement.deferred_digests[1], changed.statement.deferred_digests[2]);
    CHECK_FALSE(vm::verify<SC>(vm, exe, changed).ok());
    changed = proof;
    changed.statement.deferred_digests.pop_back();
    CHECK_FALSE(vm::verify<SC>(vm, exe, changed).ok());
    // Round trip through bytes.
    const auto again = VmProof<SC>::from_bytes(bytes);
    CHECK(again.statement == proof.statement);
    CHECK(vm::verify<SC>(vm, exe, again).ok());
}

TEST_CASE("a few MiB hashed in one request prove", "[vm][hash][prove][heavy]") {
    const std::size_t n = 3 * 1024 * 1024 + 5;
    const auto data = random_bytes(n, 6);
    Code c;
    const std::uint32_t digest_address = 0x400000;  // after the data
    c.li32(a0, data_address).li32(a1, static_cast<std::uint32_t>(n)).li32(a2, digest_address);
    c.hash(0, a2, a0, a1).hash(1, a3, a0, a1).exit_with(0);
    const HVm vm(with_table(4));
    const auto exe = c.executable(data);
    {
        Machine<HVm> m(vm);
        m.initialize(exe);
        REQUIRE(m.start().reason == StopReason::exited);
        HashDigest imm;
        for (std::uint32_t k = 0; k < 8; ++k) imm[k] = m.read_word(digest_address + 4 * k);
        CHECK(imm == hash_bytes(perm(), data));
        CHECK(m.deferred_digests().at(0) == imm);
    }
    const auto proof = vm::prove<SC>(vm, exe);
    const auto verdict = vm::verify<SC>(vm, exe, proof);
    REQUIRE(verdict.ok());
    REQUIRE(verdict.statement->deferred_digests.size() == 1);
    CHECK(verdict.statement->deferred_digests[0] == hash_bytes(perm(), data));
}


TEST_CASE("a tampered digest, length, input word or sponge state is rejected", "[vm][hash][prove][negative]") {
    const auto data = random_bytes(64, 7);
    const HVm vm(with_table(8));
    const auto exe = lengths_program(30, 33, data);
    using Call = hash::HashCallAir<F>;
    using Absorb = hash::HashAbsorbAir;
    struct Case {
        std::string air;
        std::size_t row, column;
        const char* what;
    };
    const std::size_t sponge_extra = stark::Poseidon2Air<F, 16>(perm()).width();
    const std::size_t table = ConnectorAir(SystemBuses{}, vm.config().public_values, 8).deferred_column();
    const std::vector<Case> cases{
        {"hash_call", 0, Call::digest + 2, "an immediate digest element"},
        {"hash_call", 1, Call::digest + 5, "a deferred digest element"},
        {"hash_call", 0, Call::len, "a length byte"},
        {"hash_call", 1, Call::handle, "a handle"},
        {"hash_call", 0, Call::words + Call::dw_bytes, "a digest byte written to memory"},
        {"hash_absorb", 0, Absorb::byte + 5, "an input byte"},
        {"hash_absorb", 1, Absorb::mask + 15, "a byte mask"},
        {"hash_absorb", 0, Absorb::remaining, "the remaining length"},
        {"poseidon2_sponge", 0, 3, "a rate input"},
        {"poseidon2_sponge", 1, 12, "a capacity input"},
        {"poseidon2_sponge", 0, sponge_extra + hash::SpongeAir<F>::key, "a request key"},
        {"connector", 0, table, "the deferred count"},
        {"connector", 0, table + 2 + 9 * 1, "a table entry's used flag"},
        {"connector", 0, table + 2 + 9 * 2 + 1 + 4, "a table digest element"},
    };
    for (const auto& c : cases) {
        DYNAMIC_SECTION(c.air << ": " << c.what) {
            auto options = vmtest::tampering<SC>(c.air, [&](field::RowMajorMatrix<F>& t) {
                t(static_cast<Eigen::Index>(c.row), static_cast<Eigen::Index>(c.column)) += F::one();
            });
            options.stark.check_constraints = true;
            CHECK_THROWS_WITH(vm::prove<SC>(vm, exe, {}, options), Catch::Contains("prove: "));
            options.stark.check_constraints = false;
            bool rejected = true;
            try {
                rejected = !vm::verify<SC>(vm, exe, vm::prove<SC>(vm, exe, {}, options)).ok();
            } catch (const Error&) {
            }
            CHECK(rejected);
        }
    }
}

TEST_CASE("a proof of a hashing VM states its table, a table of another size does not verify", "[vm][hash][prove]") {
    const auto data = random_bytes(32, 8);
    const auto exe = lengths_program(0, 2, data);
    const HVm vm(with_table(4)), other(with_table(5));
    const auto proof = vm::prove<SC>(vm, exe);
    CHECK(vm::verify<SC>(vm, exe, proof).ok());
    CHECK_FALSE(vm::verify<SC>(other, exe, proof).ok());
    const HVm small(with_table(2));
    const auto v = vm::verify<SC>(small, exe, proof);
    CHECK_FALSE(v.ok());
    CHECK_THAT(v.reason(), Catch::Contains("deferred digests"));
}
