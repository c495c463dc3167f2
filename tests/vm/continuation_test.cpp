// Continuations: the memory tree (paths, updates, the zero tree), segment witnesses and
// chain proofs through bytes, a guest proven in >= 8 segments whose chain states what the
// whole run's proof states, the same proofs from 1 and 2 workers, and the rejections: a
// dropped, duplicated, swapped, foreign or appended segment, a mismatched root, a
// non-final segment marked terminated, a forged Merkle sibling or leaf, and what segments
// do not carry (resource registers, deferred hashes).
#include "vm_test_util.hpp"

#include <causality/stark/config.hpp>
#include <causality/vm/continuation.hpp>
#include <causality/vm/hash/chips.hpp>
#include <causality/vm/hash/extension.hpp>
#include <causality/vm/prove.hpp>
#include <causality/vm/resource/chips.hpp>
#include <causality/vm/resource/extension.hpp>

#include <catch2/catch.hpp>

#include <random>
#include <set>
#include <string>

using namespace causality;
using namespace causality::vm;
using namespace vmtest;

namespace {

using SC = stark::TestingConfig<field::BabyBear, 4>;

Executable<F> guest(const std::string& name) {
    return load_elf<Vm>(read_file(std::string(CAUSALITY_GUEST_DIR) + "/" + name + ".elf"));
}
std::vector<std::uint8_t> u32_input(std::uint32_t n) {
    return {static_cast<std::uint8_t>(n), static_cast<std::uint8_t>(n >> 8), static_cast<std::uint8_t>(n >> 16),
            static_cast<std::uint8_t>(n >> 24)};
}
SegmentOptions segments_of(std::uint64_t cycles) {
    SegmentOptions o;
    o.segment_cycles = cycles;
    o.check_every = 256;
    o.workers = 1;
    o.stark.check_constraints = true;
    return o;
}

// One chain proof of fibonacci(n), shared by the tests that tamper with it.
struct Chain {
    Executable<F> exe;
    std::vector<std::uint8_t> input;
    SegmentPlan plan;
    ContinuationProof<SC> proof;
};
const Chain& fibonacci_chain() {
    static const Chain c = [] {
        Chain ch{guest("fibonacci"), u32_input(300), {}, {}};
        const Vm vm;
        ch.plan = plan_segments(vm, ch.exe, ch.input, segments_of(900));
        ch.proof = prove_plan<SC>(vm, ch.exe, ch.input, ch.plan, segments_of(900));
        return ch;
    }();
    return c;
}

}  // namespace

TEST_CASE("memory tree: zero subtrees, paths open the root, updates equal a fresh build", "[vm][continuation]") {
    MemoryTree<F> tree(12);
    CHECK(tree.depth() == 10);
    CHECK(tree.root() == tree.zero(10));
    CHECK(tree.zero(1) == tree.compress(tree.zero(0), tree.zero(0)));
    CHECK(tree.label_of(AddressSpace::registers, 124) == 15);
    CHECK(tree.label_of(AddressSpace::memory, 0) == 512);
    CHECK(tree.label_of(AddressSpace::memory, 4095) == 512 + 511);
    CHECK_THROWS_AS(tree.label_of(AddressSpace::memory, 4096), Error);
    CHECK_THROWS_AS(tree.label_of(AddressSpace::public_values, 0), Error);
    std::mt19937 rng(7);
    std::map<std::uint64_t, MemoryDigest> all;
    for (int round = 0; round < 5; ++round) {
        std::vector<ChunkValue> chunks;
        std::set<std::uint64_t> seen;
        for (int k = 0; k < 20; ++k) {
            const std::uint64_t label = rng() % 1024;
            if (!seen.insert(label).second) continue;
            const auto leaf = chunk_leaf(static_cast<std::uint32_t>(rng()), static_cast<std::uint32_t>(rng()));
            chunks.push_back({label, leaf});
            all[label] = leaf;
        }
        const MemoryDigest before = tree.root();
        const auto steps = tree.update(chunks);
        // Every step's children hash to its parents on both sides; the top step is the root.
        REQUIRE_FALSE(steps.empty());
        CHECK(steps.back().height == tree.depth());
        CHECK(tree.compress(steps.back().initial_left, steps.back().initial_right) == before);
        CHECK(tree.compress(steps.back().final_left, steps.back().final_right) == tree.root());
        for (const auto& c : chunks) CHECK(tree.root_from_path(c.label, c.leaf, tree.path(c.label)) == tree.root());
    }
    MemoryTree<F> fresh(12);
    std::vector<ChunkValue> chunks;
    for (const auto& [l, d] : all) chunks.push_back({l, d});
    (void)fresh.update(chunks);
    CHECK(fresh.root() == tree.root());
    std::vector<ChunkValue> twice{{3, {}}, {3, {}}};
    CHECK_THROWS_AS(tree.update(twice), Error);
    CHECK_THROWS_AS(MemoryTree<F>(30), Error);
}

TEST_CASE("continuations: a guest in >= 8 segments states what the whole run's proof states", "[vm][continuation][prove]") {
    const Chain& c = fibonacci_chain();
    const Vm vm;
    REQUIRE(c.proof.segments.size() >= 8);
    const auto v = verify_execution<SC>(vm, c.exe, c.proof);
    REQUIRE(v.ok());
    CHECK(v.segments == c.proof.segments.size());
    const auto whole = vm::prove<SC>(vm, c.exe, c.input);
    REQUIRE(vm::verify<SC>(vm, c.exe, whole).ok());
    CHECK(v.statement->terminated);
    CHECK(v.statement->exit_code == whole.statement.exit_code);
    CHECK(v.statement->exit_code == 0);
    CHECK(v.statement->public_values == whole.statement.public_values);
    CHECK(v.statement->final_pc == whole.statement.final_pc);
    CHECK(v.statement->entry_pc == c.exe.entry);
    // The plan's run is the run: cycles, exit and output as a plain execution.
    const auto plain = vm.execute(c.exe, c.input);
    CHECK(c.plan.result.cycles == plain.cycles);
    CHECK(c.plan.result.output == plain.output);
    CHECK(c.plan.result.public_values == plain.public_values);
    // Through bytes, and the witnesses through bytes.
    const auto bytes = c.proof.to_bytes();
    CHECK(verify_execution<SC>(vm, c.exe, std::span<const std::uint8_t>(bytes)).ok());
    for (const auto& w : c.plan.segments) {
        const auto again = SegmentWitness::from_bytes(w.to_bytes());
        CHECK(again.to_bytes() == w.to_bytes());
        CHECK(again.merkle == w.merkle);
    }
    // Every truncation of the proof bytes is refused, never a crash.
    for (std::size_t cut : {std::size_t{0}, std::size_t{3}, std::size_t{17}, bytes.size() / 2, bytes.size() - 1}) {
        const auto r = verify_execution<SC>(vm, c.exe, std::span<const std::uint8_t>(bytes.data(), cut));
        CHECK_FALSE(r.ok());
        CHECK(r.reason().find("malformed") != std::string::npos);
    }
    auto bad = SegmentWitness{}.to_bytes();
    bad.pop_back();
    CHECK_THROWS_AS(SegmentWitness::from_bytes(bad), Error);
}

TEST_CASE("continuations: a chain key through bytes verifies the chain without the ELF, bad key bytes are refused",
          "[vm][continuation][negative]") {
    const Chain& c = fibonacci_chain();
    const Vm vm;
    const auto key = continuation_key<SC>(vm, c.exe);
    const auto bytes = key.to_bytes();
    const auto again = ContinuationKey<SC>::from_bytes(bytes);
    CHECK(again == key);
    CHECK(again.to_bytes() == bytes);
    const auto chain = c.proof.to_bytes();
    CHECK(verify_execution<SC>(vm, again, std::span<const std::uint8_t>(chain)).ok());
    // Another program's key rejects the chain (its commitment, entry or root differ).
    const auto other = ContinuationKey<SC>::from_bytes(continuation_key<SC>(vm, guest("echo")).to_bytes());
    CHECK_FALSE(verify_execution<SC>(vm, other, std::span<const std::uint8_t>(chain)).ok());
    // A key whose root is changed rejects segment 0.
    auto moved = again;
    moved.initial_root[0] = (moved.initial_root[0] + 1) % F::modulus;
    const auto r = verify_execution<SC>(vm, moved, c.proof);
    CHECK_FALSE(r.ok());
    CHECK(r.reason().find("memory root") != std::string::npos);
    // Truncations, a trailing byte, a whole-run key and a non-canonical root: typed errors.
    const auto refuses = [](const std::vector<std::uint8_t>& b, const std::string& why) {
        try {
            (void)ContinuationKey<SC>::from_bytes(b);
            FAIL("accepted bad key bytes: " << why);
        } catch (const Error& e) {
            CHECK(e.code() == ErrorCode::malformed_input);
            INFO(e.what());
            CHECK(std::string(e.what()).find(why) != std::string::npos);
        }
    };
    for (std::size_t cut : {std::size_t{0}, std::size_t{5}, std::size_t{20}, bytes.size() / 2, bytes.size() - 1})
        refuses(std::vector<std::uint8_t>(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(cut)), "");
    auto longer = bytes;
    longer.push_back(0);
    refuses(longer, "");
    refuses(vm::verifying_key<SC>(vm, c.exe).to_bytes(), "whole-run verifying key");
    auto wide = bytes;
    for (std::size_t k = 16; k < 24; ++k) wide[k] = 0xff;  // the root's first element (after 4 words)
    refuses(wide, "modulus");
}

TEST_CASE("continuations: 2 workers make the proofs 1 worker makes, memory-heavy guest", "[vm][continuation][prove][heavy]") {
    const Vm vm;
    const auto exe = guest("sha256");
    const std::vector<std::uint8_t> input(300, 0x61);
    auto o = segments_of(4000);
    o.stark.check_constraints = false;
    const auto plan = plan_segments(vm, exe, input, o);
    REQUIRE(plan.segments.size() >= 3);
    const auto one = prove_plan<SC>(vm, exe, input, plan, o);
    o.workers = 2;
    ContinuationReport report;
    const auto two = prove_plan<SC>(vm, exe, input, plan, o, &report);
    CHECK(report.workers == 2);
    CHECK(one.to_bytes() == two.to_bytes());
    const auto v = verify_execution<SC>(vm, exe, two);
    REQUIRE(v.ok());
    const auto plain = vm.execute(exe, input);
    CHECK(v.statement->exit_code == plain.exit_code);
    CHECK(v.statement->public_values == plain.public_values);
    // A budget too small for one segment is refused before any proving.
    o.max_memory_bytes = 1 << 20;
    CHECK_THROWS_AS(prove_plan<SC>(vm, exe, input, plan, o), Error);
}

TEST_CASE("continuations: dropped, duplicated, swapped, foreign, appended and mislabelled segments are rejected",
          "[vm][continuation][negative]") {
    const Chain& c = fibonacci_chain();
    const Vm vm;
    const auto key = continuation_key<SC>(vm, c.exe);
    REQUIRE(verify_execution<SC>(vm, key, c.proof).ok());
    const auto rejects = [&](const ContinuationProof<SC>& p, const std::string& why) {
        const auto v = verify_execution<SC>(vm, key, p);
        INFO(v.reason());
        CHECK_FALSE(v.ok());
        CHECK(v.reason().find(why) != std::string::npos);
    };
    auto p = c.proof;
    p.segments.erase(p.segments.begin() + 3);
    rejects(p, "chain of");
    p.segments.clear();  // segment 3 twice (built by push_back: GCC 12 warns falsely on insert)
    for (std::size_t k = 0; k < c.proof.segments.size(); ++k) {
        p.segments.push_back(c.proof.segments[k]);
        if (k == 3) p.segments.push_back(c.proof.segments[k]);
    }
    rejects(p, "chain of");
    // Dropped with the last one's index and count restated: the statements are the proofs'.
    p = c.proof;
    p.segments.erase(p.segments.begin() + 3);
    for (std::size_t k = 0; k < p.segments.size(); ++k) {
        p.segments[k].statement.index = static_cast<std::uint32_t>(k);
        p.segments[k].statement.count = static_cast<std::uint32_t>(p.segments.size());
    }
    rejects(p, "segment 0");
    p = c.proof;
    std::swap(p.segments[2], p.segments[3]);
    rejects(p, "index");
    p = c.proof;
    p.segments.pop_back();
    rejects(p, "chain of");
    rejects(ContinuationProof<SC>{}, "no segments");
    // Relabelled to hide a swap: the statement is bound by the proof.
    p = c.proof;
    std::swap(p.segments[2], p.segments[3]);
    std::swap(p.segments[2].statement.index, p.segments[3].statement.index);
    rejects(p, "segment 2");
    // A segment of another run (fib of another n) at the same position: the chain breaks.
    const auto other_input = u32_input(301);
    const auto other_plan = plan_segments(vm, c.exe, other_input, segments_of(900));
    const auto other = prove_plan<SC>(vm, c.exe, other_input, other_plan, segments_of(900));
    REQUIRE(other.segments.size() == c.proof.segments.size());
    p = c.proof;
    p.segments[4] = other.segments[4];
    const auto v = verify_execution<SC>(vm, key, p);
    CHECK_FALSE(v.ok());
    // A segment of another program: its proof does not verify against this program's key.
    const auto hello = guest("hello");
    const auto hello_proof = prove_continuation<SC>(vm, hello, {}, segments_of(1u << 20));
    p = c.proof;
    auto foreign = hello_proof.segments[0];
    foreign.statement = p.segments[0].statement;
    p.segments[0] = foreign;
    rejects(p, "segment 0");
    // The wrong executable for the whole chain.
    CHECK_FALSE(verify_execution<SC>(vm, hello, c.proof).ok());
    // A mismatched root: stated differently from what the proof proves, or from what the
    // previous segment ended with.
    p = c.proof;
    p.segments[5].statement.final_root[0] ^= 1;
    rejects(p, "segment 5");
    p = c.proof;
    p.segments[0].statement.initial_root[3] ^= 1;
    rejects(p, "executable's image");
    // A non-final segment marked terminated (and the last one unmarked).
    p = c.proof;
    p.segments[2].statement.terminated = true;
    rejects(p, "not the last segment");
    p = c.proof;
    p.segments.back().statement.terminated = false;
    rejects(p, "segment " + std::to_string(p.segments.size() - 1));
    p = c.proof;
    p.segments.back().statement.exit_code = 7;
    rejects(p, "segment");
    // Public values that do not continue.
    p = c.proof;
    p.segments[1].statement.initial_public_values[0] ^= 1;
    rejects(p, "public values");
}

TEST_CASE("continuations: a forged Merkle sibling, leaf or root in a segment's trace is rejected",
          "[vm][continuation][negative]") {
    const Chain& c = fibonacci_chain();
    const Vm vm;
    const SegmentProver<SC> prover(vm, c.exe);
    const auto key = continuation_key<SC>(vm, c.exe);
    const auto& w = c.plan.segments[3];
    const std::size_t merkle = prover.circuit.system_air(2), boundary = prover.circuit.system_air(1);
    const MemoryMerkleAir<F> air(prover.circuit.merkle, stark::default_poseidon2<F, 16>());
    // Rows 2i and 2i+1: step i's initial and final sides. A step whose right child is not
    // expanded shares it: forging the final side's copy of that sibling changes memory no
    // chip touched.
    std::size_t row = 0;
    bool found = false;
    std::set<std::pair<std::uint32_t, std::uint64_t>> nodes;
    for (const auto& s : w.merkle) nodes.insert({s.height, s.label});
    for (std::size_t i = 0; i < w.merkle.size() && !found; ++i)
        if (w.merkle[i].height > 2 && !nodes.count({w.merkle[i].height - 1, 2 * w.merkle[i].label + 1})) {
            CHECK(w.merkle[i].initial_right == w.merkle[i].final_right);
            row = 2 * i + 1;
            found = true;
        }
    REQUIRE(found);
    struct Forgery {
        const char* what;
        std::function<void(std::vector<field::RowMajorMatrix<F>>&)> apply;
    };
    const std::vector<Forgery> forgeries{
        {"a shared sibling", [&](auto& t) { t[merkle](static_cast<Eigen::Index>(row), 8) += F::one(); }},
        {"an expanded flag", [&](auto& t) {
             auto& m = t[merkle];
             const auto r = static_cast<Eigen::Index>(row);
             const auto col = static_cast<Eigen::Index>(air.column(MemoryMerkleAir<F>::expand_right));
             m(r, col) = F::one() - m(r, col);
         }},
        {"a boundary leaf byte", [&](auto& t) {
             t[boundary](0, static_cast<Eigen::Index>(SegmentBoundaryAir::initial)) += F::one();
         }},
    };
    for (const auto& f : forgeries) {
        INFO(f.what);
        // With the prover's debug check: named before any commitment.
        stark::ProveOptions checked;
        checked.check_constraints = true;
        CHECK_THROWS_AS(prove_segment<SC>(vm, prover, c.exe, c.input, w, checked, nullptr,
                                          [&](auto, auto& traces) { f.apply(traces); }),
                        Error);
        // Without it: a proof the verifier rejects.
        stark::ProveOptions unchecked;
        unchecked.check_constraints = false;
        auto p = c.proof;
        try {
            p.segments[3] = prove_segment<SC>(vm, prover, c.exe, c.input, w, unchecked, nullptr,
                                              [&](auto, auto& traces) { f.apply(traces); });
        } catch (const Error&) {
            continue;  // the prover itself could not go on (an unbalanced bus)
        }
        CHECK_FALSE(verify_execution<SC>(vm, key, p).ok());
    }
    // The untampered segment proves again to the same proof.
    stark::ProveOptions plain;
    auto p = c.proof;
    p.segments[3] = prove_segment<SC>(vm, prover, c.exe, c.input, w, plain);
    CHECK(p.to_bytes() == c.proof.to_bytes());
    // A witness that does not replay (one instruction more than the plan ran) is refused.
    auto longer = w;
    longer.cycles += 1;
    CHECK_THROWS_AS(prove_segment<SC>(vm, prover, c.exe, c.input, longer, plain), Error);
}

TEST_CASE("continuations: what segments do not carry is refused before proving", "[vm][continuation][negative]") {
    using HVm = VmCore<F, ext::Rv32im, ext::Poseidon2Hash<F>>;
    const auto hashing = load_elf<HVm>(read_file(std::string(CAUSALITY_GUEST_DIR) + "/hashing.elf"));
    const auto input = [](std::uint32_t mode, std::uint32_t n) {
        auto v = u32_input(mode);
        const auto b = u32_input(n);
        v.insert(v.end(), b.begin(), b.end());
        return v;
    };
    // Deferred requests: refused, naming phashd.
    try {
        (void)plan_segments(HVm{}, hashing, input(1, 64), segments_of(2000));
        FAIL("no error");
    } catch (const Error& e) {
        CHECK(std::string(e.what()).find("phashd") != std::string::npos);
    }
    // Immediate hashing through segments proves.
    auto o = segments_of(400);
    const auto proof = prove_continuation<SC>(HVm{}, hashing, input(0, 64), o);
    CHECK(proof.segments.size() >= 2);
    const auto v = verify_execution<SC>(HVm{}, hashing, proof);
    REQUIRE(v.ok());
    CHECK(v.statement->exit_code == 0);
    // Resource registers.
    using RVm = VmCore<F, ext::Rv32im, ext::ResourceRegisters<F>>;
    CHECK_THROWS_AS(build_segment_circuit<SC>(RVm{}, Program<F>{}), Error);
    // Bad options.
    auto zero = segments_of(0);
    CHECK_THROWS_AS(plan_segments(Vm{}, guest("fibonacci"), {}, zero), Error);
}
