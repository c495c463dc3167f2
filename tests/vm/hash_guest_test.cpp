// The hashing guest (guests/hashing.c) on a VM with ext::Poseidon2Hash: the precompile's
// digest (guest.h's causality_hash) and the guest's own software Poseidon2 (with the
// host's constants) both equal the host's hash_bytes; a program mixing immediate and
// deferred hashes with ordinary instructions proves, and its deferred digests are the
// proof's public outputs in call order.
#include "vm_test_util.hpp"

#include <causality/stark/config.hpp>
#include <causality/vm/hash/extension.hpp>
#include <causality/vm/prove.hpp>

#include <catch2/catch.hpp>

#include <string>

using namespace causality;
using namespace causality::vm;
using vmtest::F;

namespace {

using HVm = VmCore<F, ext::Rv32im, ext::Poseidon2Hash<F>>;
using SC = stark::TestingConfig<field::BabyBear, 4>;

Executable<F> hashing_guest() {
    return load_elf<HVm>(read_file(std::string(CAUSALITY_GUEST_DIR) + "/hashing.elf"));
}
void put_u32(std::vector<std::uint8_t>& v, std::uint32_t x) {
    for (int k = 0; k < 4; ++k) v.push_back(static_cast<std::uint8_t>(x >> (8 * k)));
}
// The guest's data: xorshift32 seeded with n | 1.
std::vector<std::uint8_t> guest_data(std::uint32_t n) {
    std::vector<std::uint8_t> d(n);
    std::uint32_t x = n | 1;
    for (auto& b : d) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        b = static_cast<std::uint8_t>(x);
    }
    return d;
}
std::string hex(const HashDigest& d) { return digest_hex(d) + "\n"; }
const stark::Poseidon2<F, 16>& perm() {
    static const auto p = stark::default_poseidon2<F, 16>();
    return p;
}
std::vector<std::uint8_t> software_input(std::uint32_t n) {
    std::vector<std::uint8_t> in;
    put_u32(in, 3);
    put_u32(in, n);
    put_u32(in, perm().full_rounds());
    put_u32(in, perm().partial_rounds());
    for (const auto& rc : perm().initial_round_constants())
        for (const F& c : rc) put_u32(in, static_cast<std::uint32_t>(c.to_u64()));
    for (const auto& rc : perm().terminal_round_constants())
        for (const F& c : rc) put_u32(in, static_cast<std::uint32_t>(c.to_u64()));
    for (const F& c : perm().partial_round_constants()) put_u32(in, static_cast<std::uint32_t>(c.to_u64()));
    for (const F& c : perm().internal_diag()) put_u32(in, static_cast<std::uint32_t>(c.to_u64()));
    return in;
}

}  // namespace

TEST_CASE("hashing guest: the precompile and a software Poseidon2 in the guest equal the host", "[vm][guest][hash]") {
    const HVm vm;
    const auto exe = hashing_guest();
    for (const std::uint32_t n : {0u, 1u, 2u, 15u, 16u, 17u, 31u, 32u, 33u, 100u, 1000u, 4099u}) {
        DYNAMIC_SECTION("n = " << n) {
            const std::string expect = hex(hash_bytes(perm(), guest_data(n)));
            std::vector<std::uint8_t> in;
            put_u32(in, 0);
            put_u32(in, n);
            const auto precompile = vm.execute(exe, in);
            REQUIRE(precompile.reason == StopReason::exited);
            CHECK(precompile.output == expect);
            const auto software = vm.execute(exe, software_input(n));
            REQUIRE(software.reason == StopReason::exited);
            CHECK(software.output == expect);
            std::vector<std::uint8_t> deferred;
            put_u32(deferred, 1);
            put_u32(deferred, n);
            const auto d = vm.execute(exe, deferred);
            CHECK(d.output == "0\n");
            REQUIRE(d.deferred_digests.size() == 1);
            CHECK(hex(d.deferred_digests[0]) == expect);
        }
    }
}

TEST_CASE("hashing guest: many hashes mixed with ordinary instructions prove", "[vm][guest][hash][prove][heavy]") {
    const HVm vm;
    const auto exe = hashing_guest();
    const std::uint32_t n = 64 * 40;
    std::vector<std::uint8_t> in;
    put_u32(in, 4);
    put_u32(in, n);
    const auto data = guest_data(n);
    // The host's checksum and deferred digests (chunks 3, 7, 11, ...).
    std::uint32_t sum = 0;
    std::vector<HashDigest> deferred;
    for (std::uint32_t i = 0; i + 64 <= n; i += 64) {
        const auto chunk = std::span<const std::uint8_t>(data).subspan(i, 64);
        if ((i / 64) % 4 == 3) {
            sum += static_cast<std::uint32_t>(deferred.size()) * 0x9e3779b9u;
            deferred.push_back(hash_bytes(perm(), chunk));
            continue;
        }
        for (const std::uint32_t w : hash_bytes(perm(), chunk)) sum = (sum ^ w) * 31u + (sum >> 7);
    }
    const auto run = vm.execute(exe, in);
    REQUIRE(run.reason == StopReason::exited);
    CHECK(run.output == std::to_string(sum) + "\n");
    CHECK(run.deferred_digests == deferred);
    const auto proof = vm::prove<SC>(vm, exe, in);
    const auto verdict = vm::verify<SC>(vm, exe, proof);
    REQUIRE(verdict.ok());
    CHECK(verdict.statement->deferred_digests == deferred);
    CHECK(verdict.statement->exit_code == 0);
}
