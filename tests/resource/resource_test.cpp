// The resource model: encodings and ids, derived digests, the Merkle input set,
// capabilities (attenuation, expiry, revocation, tokens), the register file, the error
// family.
#include "resource/resource_test_util.hpp"

#include <causality/resource/capability.hpp>
#include <causality/resource/errors.hpp>
#include <causality/resource/merkle.hpp>
#include <causality/resource/registers.hpp>
#include <causality/resource/resource.hpp>
#include <causality/resource/run_file.hpp>
#include <causality/vm/resource/extension.hpp>

#include <catch2/catch.hpp>

#include <set>
#include <string>

using namespace causality;
using namespace causality::resource;
using restest::digest_of;
using restest::error_kind_of;

namespace {
Resource note(std::uint32_t value, std::uint32_t seed) {
    Resource r;
    r.kind = label("note");
    r.owner = owner_of(digest_of(seed));
    r.data[0] = value;
    r.nonce = digest_of(seed + 1000);
    return r;
}
}  // namespace

TEST_CASE("resources: canonical bytes round-trip, the id is the content id of kind resource", "[resource]") {
    const Resource r = note(42, 7);
    const auto bytes = r.bytes();
    REQUIRE(bytes.size() == resource_bytes);
    CHECK(Resource::from_bytes(bytes) == r);
    CHECK(Resource::from_words(r.words()) == r);
    CHECK(resource_id(r) == store::content_id(store::ContentKind::resource, bytes));
    CHECK(resource_id(r) != store::content_id(store::ContentKind::blob, bytes));
    Resource other = r;
    other.nonce[7] ^= 1;
    CHECK(resource_id(other) != resource_id(r));
    CHECK_THROWS_WITH(Resource::from_bytes(std::vector<std::uint8_t>(127)), Catch::Contains("128 bytes, not 127"));
    CHECK(label_text(label("note")) == "note");
    CHECK(label_text(label(std::string(32, 'x'))) == std::string(32, 'x'));
    CHECK_THROWS_WITH(label(std::string(33, 'x')), Catch::Contains("longer than 32 bytes"));
}

TEST_CASE("resources: owner, commitment and nullifier are distinct, deterministic, domain separated", "[resource]") {
    const NullifierKey nk = digest_of(1), nk2 = digest_of(2);
    const ResourceId id = resource_id(note(5, 1));
    CHECK(nullifier(nk, id) == nullifier(nk, id));
    CHECK(nullifier(nk, id) != nullifier(nk2, id));
    CHECK(nullifier(nk, id) != commitment(id));
    CHECK(owner_of(nk) != owner_of(nk2));
    // The tags keep roles apart: the same 32 bytes under two roles hash differently.
    CHECK(owner_of(id.words) != commitment(id));
    // Known answer: commitment = the element sponge of "CC", "MT" (16-bit halves) and the
    // id's 8 elements, 10 elements (a capacity length of 20), as the resource chips hash it.
    std::vector<field::BabyBear> msg{field::BabyBear::from_u64(0x4343), field::BabyBear::from_u64(0x544d)};
    for (auto w : id.words) msg.push_back(field::BabyBear::from_u64(w));
    const auto perm = stark::default_poseidon2<field::BabyBear, 16>();
    CHECK(commitment(id) == vm::hash_elements(perm, std::span<const field::BabyBear>(msg)));
    // A message of halves hashes as the bytes they spell (the capacity holds 2 x elements).
    std::vector<field::BabyBear> halves;
    std::vector<std::uint8_t> bytes{'C', 'O', 'W', 'N'};
    for (auto b : id.bytes()) bytes.push_back(b);
    for (std::size_t k = 0; k < bytes.size(); k += 2) halves.push_back(field::BabyBear::from_u64(bytes[k] | bytes[k + 1] << 8));
    CHECK(vm::hash_elements(perm, std::span<const field::BabyBear>(halves)) == vm::hash_bytes(perm, bytes));
    CHECK(owner_of(id.words) == vm::hash_bytes(perm, bytes));
    // The nullifier: "CNUL", the key's 16 halves, the id's 8 elements.
    std::vector<field::BabyBear> nm{field::BabyBear::from_u64(0x4e43), field::BabyBear::from_u64(0x4c55)};
    for (auto w : nk) {
        nm.push_back(field::BabyBear::from_u64(w & 0xffff));
        nm.push_back(field::BabyBear::from_u64(w >> 16));
    }
    for (auto w : id.words) nm.push_back(field::BabyBear::from_u64(w));
    CHECK(nullifier(nk, id) == vm::hash_elements(perm, std::span<const field::BabyBear>(nm)));
}

TEST_CASE("merkle: an overlay equals a copy, and leaves its base alone", "[resource][merkle]") {
    MerkleTree base(5);
    for (std::uint32_t i = 0; i < 7; ++i) base.append(digest_of(i));
    const Digest base_root = base.root();
    MerkleTree copy = base;
    MerkleTree over = MerkleTree::overlay(base);
    CHECK(over.root() == base_root);
    for (std::uint32_t i = 7; i < 20; ++i) {
        CHECK(over.append(digest_of(i)) == copy.append(digest_of(i)));
        CHECK(over.root() == copy.root());
    }
    for (std::uint32_t i = 0; i < 20; ++i) CHECK(over.path(i) == copy.path(i));
    CHECK(base.root() == base_root);
    CHECK(base.size() == 7);
}

TEST_CASE("merkle: roots, paths of every leaf, tampered paths fail, full trees refuse", "[resource][merkle]") {
    MerkleTree t(4);
    const Digest empty_root = t.root();
    for (std::uint32_t i = 0; i < 11; ++i) t.append(digest_of(i));
    CHECK(t.root() != empty_root);
    for (std::uint32_t i = 0; i < 11; ++i) {
        const auto p = t.path(i);
        CHECK(merkle_verify(digest_of(i), p, t.root(), 4));
        CHECK_FALSE(merkle_verify(digest_of(i + 1), p, t.root(), 4));
        auto bad = p;
        bad.siblings[i % 4][3] ^= 1;
        CHECK_FALSE(merkle_verify(digest_of(i), bad, t.root(), 4));
        bad = p;
        bad.index ^= 1;
        CHECK_FALSE(merkle_verify(digest_of(i), bad, t.root(), 4));
        bad = p;
        bad.siblings.pop_back();
        CHECK_FALSE(merkle_verify(digest_of(i), bad, t.root(), 4));
        bad = p;
        bad.index += 16;  // beyond the tree
        CHECK_FALSE(merkle_verify(digest_of(i), bad, t.root(), 4));
    }
    // The same leaves give the same root (order matters).
    MerkleTree u(4);
    for (std::uint32_t i = 0; i < 11; ++i) u.append(digest_of(i));
    CHECK(u.root() == t.root());
    for (std::uint32_t i = 11; i < 16; ++i) t.append(digest_of(i));
    CHECK_THROWS_WITH(t.append(digest_of(99)), Catch::Contains("is full (16 leaves)"));
    CHECK_THROWS_WITH(t.path(16), Catch::Contains("leaf 16 of a tree with 16 leaves"));
    CHECK_THROWS_WITH(MerkleTree(0), Catch::Contains("depth must be 1..32"));
}

TEST_CASE("capabilities: encoding round-trip and content addressing", "[resource][capability]") {
    Capability c{TargetKind::kind, label("note"), Right::read | Right::consume, 1000, digest_of(1), digest_of(2), {}};
    CHECK(Capability::from_bytes(c.bytes()) == c);
    CHECK(c.id() == store::content_id(store::ContentKind::capability, c.bytes()));
    auto bytes = c.bytes();
    bytes[0] = 7;
    CHECK_THROWS_WITH(Capability::from_bytes(bytes), Catch::Contains("target kind 7"));
    CHECK_THROWS_WITH(Capability::from_bytes(std::vector<std::uint8_t>(10)), Catch::Contains("144 bytes, not 10"));
    CHECK(rights_text(Right::read | Right::delegate) == "read+delegate");
}

TEST_CASE("capabilities: delegation only attenuates, expiry and revocation invalidate the chain", "[resource][capability]") {
    const Principal authority = digest_of(10), alice = digest_of(11), bob = digest_of(12), eve = digest_of(13);
    CapabilityRegistry reg;
    const Capability root{TargetKind::kind, label("note"), all_rights, 1000, authority, alice, {}};
    const CapabilityId r = reg.issue(root);
    const CapabilityId child = reg.delegate(r, alice, bob, Right::read | Right::consume, 500);
    reg.validate(child, 10);

    SECTION("more rights than the parent") {
        const CapabilityId narrow = reg.delegate(r, alice, bob, Right::read | Right::delegate, 500);
        CHECK_THROWS_WITH(reg.delegate(narrow, bob, eve, Right::read | Right::consume, 400),
                          Catch::Contains("adds consume"));
        CHECK(error_kind_of([&] { reg.delegate(narrow, bob, eve, Right::read | Right::consume, 400); }) ==
              VmErrorKind::invalid_delegation);
        // A hand-made child with more rights than its parent is refused as well.
        Capability forged{TargetKind::kind, label("note"), Right::read | Right::consume, 400, bob, eve, narrow};
        CHECK(error_kind_of([&] { reg.add_delegated(forged); }) == VmErrorKind::invalid_delegation);
    }
    SECTION("no delegate right, a later expiry, someone else delegating") {
        CHECK_THROWS_WITH(reg.delegate(child, bob, eve, Right::read, 100), Catch::Contains("no delegate right"));
        CHECK_THROWS_WITH(reg.delegate(r, alice, bob, Right::read, 2000), Catch::Contains("is after the parent's 1000"));
        CHECK(error_kind_of([&] { reg.delegate(r, eve, bob, Right::read, 100); }) == VmErrorKind::not_authorized);
    }
    SECTION("expiry") {
        CHECK(error_kind_of([&] { reg.validate(child, 500); }) == VmErrorKind::capability_expired);
        CHECK_THROWS_WITH(reg.validate(child, 600), Catch::Contains("expired at 500, now is 600"));
        reg.validate(r, 999);
        CHECK(error_kind_of([&] { reg.validate(r, 1000); }) == VmErrorKind::capability_expired);
    }
    SECTION("revocation by the issuer only, and it reaches the descendants") {
        CHECK(error_kind_of([&] { reg.revoke(child, bob); }) == VmErrorKind::not_authorized);
        reg.revoke(r, authority);
        CHECK(error_kind_of([&] { reg.validate(r, 10); }) == VmErrorKind::capability_revoked);
        CHECK_THROWS_WITH(reg.validate(child, 10), Catch::Contains("an ancestor of"));
    }
    SECTION("tokens: validated, held by the presenter, committed by a root") {
        const CapabilityToken t = reg.token(bob, {child}, 10);
        CHECK(t.capabilities().size() == 1);
        CHECK(t.root() != CapabilityToken{}.root());
        const ResourceId id = resource_id(note(1, 1));
        CHECK(t.grant(Right::consume, id, label("note"), {}, 10) != nullptr);
        CHECK(t.grant(Right::create, id, label("note"), {}, 10) == nullptr);
        CHECK(t.grant(Right::consume, id, label("coin"), {}, 10) == nullptr);
        CHECK(t.grant(Right::consume, id, label("note"), {}, 500) == nullptr);  // expired at the run's time
        CHECK(error_kind_of([&] { (void)reg.token(eve, {child}, 10); }) == VmErrorKind::not_authorized);
        CHECK(error_kind_of([&] { (void)reg.token(bob, {child}, 600); }) == VmErrorKind::capability_expired);
        CHECK(error_kind_of([&] { (void)reg.token(bob, {CapabilityId{digest_of(5)}}, 10); }) == VmErrorKind::unknown_capability);
        // The root does not depend on the order the capabilities are presented in.
        const CapabilityId c2 = reg.delegate(r, alice, bob, Right::read, 300);
        CHECK(reg.token(bob, {child, c2}, 10).root() == reg.token(bob, {c2, child}, 10).root());
        CHECK(reg.token(bob, {child, c2}, 10).root() != t.root());
    }
}

TEST_CASE("register file: sections, inputs, bounds", "[resource]") {
    ResourceFile f(8);
    f.define_section("inputs", 0, 4);
    f.define_section("outputs", 4, 4);
    CHECK(f.section_of(5)->name == "outputs");
    CHECK(f.section_label(2) == label("inputs"));
    CHECK_THROWS_WITH(f.define_section("more", 3, 2), Catch::Contains("overlaps section 'inputs'"));
    CHECK_THROWS_WITH(f.define_section("big", 6, 4), Catch::Contains("does not fit in 8 registers"));
    CHECK_THROWS_WITH(f.define_section("inputs", 0, 1), Catch::Contains("defined twice"));
    f.load_input(0, note(1, 1), {});
    CHECK(f.at(0).state == RegisterState::input);
    CHECK_THROWS_WITH(f.load_input(0, note(1, 1), {}), Catch::Contains("register 0 is input, not empty"));
    CHECK_THROWS_WITH(f.at(8), Catch::Contains("register 8 of 8"));
}

TEST_CASE("errors: one family, each kind in its category, named in the message", "[resource]") {
    const VmError e(VmErrorKind::insufficient_capabilities, "rconsume of register 3");
    CHECK(e.category() == VmErrorCategory::capability);
    CHECK(std::string(e.what()).find("capability error: insufficient capabilities: rconsume of register 3") !=
          std::string::npos);
    CHECK(category_of(VmErrorKind::double_spend) == VmErrorCategory::resource);
    CHECK(category_of(VmErrorKind::incompatible_interface) == VmErrorCategory::lifecycle);
    CHECK(category_of(VmErrorKind::proof_rejected) == VmErrorCategory::zk);
    CHECK(category_of(VmErrorKind::memory_access_violation) == VmErrorCategory::memory);
    CHECK(category_of(VmErrorKind::domain_access) == VmErrorCategory::cross_domain);
    CHECK(category_of(VmErrorKind::debug_failed) == VmErrorCategory::debug);
    CHECK(category_of(VmErrorKind::timeout) == VmErrorCategory::execution);
    const vm::GuestFault f(vm::Fault::resource_state, 0x1234, "rconsume of register 0, which was consumed");
    const VmError from = vm_error_from(f);
    CHECK(from.kind() == VmErrorKind::invalid_resource_state);
    CHECK(std::string(from.what()).find("at pc 0x00001234") != std::string::npos);
}

TEST_CASE("run files: a prepared register file round-trips, malformed bytes are typed errors", "[resource][run-file]") {
    MerkleTree set(4);
    const Resource a = note(30, 10), b = note(12, 11);
    set.append(commitment(resource_id(a)));
    set.append(commitment(resource_id(b)));
    CapabilityRegistry registry;
    const auto cap = registry.issue({TargetKind::kind, label("note"), all_rights, 1000, digest_of(900), digest_of(901), {}});
    ResourceFile f(16);
    f.set_input_root(set.root(), 4);
    f.define_section("vault", 8, 4);
    f.load_input(0, a, set.path(0));
    f.load_input(9, b, set.path(1));
    f.context().domain_id = "test";
    f.context().trace_id = digest_of(5);
    f.context().timestamp = (std::uint64_t{1} << 40) + 7;
    f.context().capability_token = registry.token(digest_of(901), {cap}, 10);
    f.context().environment["region"] = "eu";
    const auto bytes = encode_run_file(f);
    const ResourceFile g = decode_run_file(bytes);
    CHECK(g == f);
    CHECK(g.context().capability_token.root() == f.context().capability_token.root());

    const auto malformed = [&](std::vector<std::uint8_t> v, const char* what) {
        try {
            (void)decode_run_file(v);
            FAIL("accepted: " << what);
        } catch (const Error& e) {
            CHECK(e.code() == ErrorCode::malformed_input);
            CHECK_THAT(e.what(), Catch::Contains(what));
        }
    };
    auto v = bytes;
    v[0] ^= 1;
    malformed(v, "not a resource run file");
    v = bytes;
    v[4] = 9;
    malformed(v, "version 9");
    malformed(std::vector<std::uint8_t>(bytes.begin(), bytes.end() - 5), "remain");
    v = bytes;
    v.push_back(0);
    malformed(v, "unexpected bytes");
    v = bytes;
    v[8] = 0;  // zero registers
    v[9] = 0;
    malformed(v, "0 registers");
    v = bytes;
    v[8] = 4;  // four registers: the section at 8 and the input in 9 do not fit
    malformed(v, "section 'vault'");
}
