// MerklePathAir with a Poseidon2 sponge chip: paths of resource/merkle.hpp's trees proven
// against a public root; a forged sibling, a flipped direction bit, a wrong leaf, a
// shortened path or a reused hash key is rejected.
#include <causality/air/air.hpp>
#include <causality/resource/merkle.hpp>
#include <causality/stark/config.hpp>
#include <causality/stark/prover.hpp>
#include <causality/stark/verifier.hpp>
#include <causality/vm/hash/merkle_path.hpp>

#include <catch2/catch.hpp>

#include <functional>
#include <string>
#include <vector>

using namespace causality;
using namespace causality::vm;
using F = field::BabyBear;
using SC = stark::TestingConfig<F, 4>;

namespace {

HashDigest digest_of(std::uint32_t seed) {
    HashDigest d{};
    for (std::uint32_t k = 0; k < 8; ++k) d[k] = (seed * 2654435761u + 17 * k) % static_cast<std::uint32_t>(F::modulus);
    return d;
}

// The test's chain starter: one row per leaf, (key, 0, leaf) sent, (key, depth, root)
// received with the root as public values.
class RootAir {
public:
    RootAir(air::PermutationBus path, std::uint32_t depth) : path_(path), depth_(depth) {}
    [[nodiscard]] static std::size_t width() noexcept { return 10; }
    [[nodiscard]] static std::size_t num_public_values() noexcept { return 8; }
    [[nodiscard]] static std::string name() { return "merkle_root_test"; }
    template <class AB>
    void eval(AB& b) const {
        using E = typename AB::Expr;
        const auto m = b.main();
        const E on = m.local(0);
        b.assert_bool(on);
        std::array<E, 10> start{E(m.local(1)), b.constant(F::zero())}, end{E(m.local(1)), b.constant(F::from_u64(depth_))};
        for (std::size_t k = 0; k < 8; ++k) {
            start[2 + k] = m.local(2 + k);
            end[2 + k] = b.public_value(k);
        }
        path_.send(b, std::span<const E>(start), on);
        path_.receive(b, std::span<const E>(end), on);
    }

private:
    air::PermutationBus path_;
    std::uint32_t depth_;
};

struct Case {
    std::vector<stark::AirRef<SC>> airs;
    std::vector<field::RowMajorMatrix<F>> traces;
    std::vector<std::vector<F>> publics;
};

// Proves the paths of `which` leaves of a depth-`depth` tree; `edit` changes the steps.
using Edit = std::function<void(std::vector<hash::MerkleStep>&, std::vector<HashDigest>&)>;
Case build(unsigned depth, const std::vector<std::uint64_t>& which, const Edit& edit = {}) {
    resource::MerkleTree tree(depth);
    for (std::uint32_t i = 0; i < 11; ++i) tree.append(digest_of(i));
    hash::HashBuses hb{};
    hb.block = air::PermutationBus{1};
    hb.capacity = air::PermutationBus{2};
    hb.digest = air::PermutationBus{3};
    const hash::MerkleBuses mb{air::PermutationBus{0}, hb};
    std::vector<hash::MerkleStep> steps;
    std::vector<std::uint32_t> chain_keys;
    std::vector<HashDigest> leaves;
    for (std::size_t n = 0; n < which.size(); ++n) {
        const std::uint32_t key = 64 * static_cast<std::uint32_t>(n + 1);
        chain_keys.push_back(key);
        leaves.push_back(tree.leaf(which[n]));
        const auto s = hash::merkle_steps(key, tree.leaf(which[n]), tree.path(which[n]));
        steps.insert(steps.end(), s.begin(), s.end());
    }
    if (edit) edit(steps, leaves);
    std::vector<std::uint32_t> keys;
    std::vector<std::vector<std::uint8_t>> messages;
    hash::MerklePathAir::requests(steps, keys, messages);
    const hash::SpongeAir<F> sponge(hb, stark::default_poseidon2<F, 16>());
    Case c;
    c.airs = {RootAir(mb.path, depth), hash::MerklePathAir(mb), sponge};
    auto roots = field::zero_matrix<F>(trace_rows(which.size()), 10);
    for (std::size_t n = 0; n < which.size(); ++n) {
        roots(static_cast<Eigen::Index>(n), 0) = F::one();
        roots(static_cast<Eigen::Index>(n), 1) = F::from_u64(chain_keys[n]);
        const HashDigest& leaf = leaves[n];
        for (std::size_t k = 0; k < 8; ++k) roots(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(2 + k)) = F::from_u64(leaf[k]);
    }
    c.traces.push_back(std::move(roots));
    c.traces.push_back(hash::MerklePathAir::trace<F>(steps));
    c.traces.push_back(sponge.trace_of(keys, messages));
    std::vector<F> root;
    for (const std::uint32_t w : tree.root()) root.push_back(F::from_u64(w));
    c.publics = {root, {}, {}};
    return c;
}
// Proves without the prover's own checks (a dishonest prover skips them) and verifies.
bool proves(Case c) {
    const auto pk = stark::setup<SC>(c.airs);
    try {
        const auto proof =
            stark::prove<SC>(pk, c.airs, std::move(c.traces), c.publics, stark::ProveOptions{.check_constraints = false});
        return stark::verify<SC>(pk.vk, c.airs, proof, c.publics).ok();
    } catch (const Error&) {
        return false;  // the prover could not even make a proof
    }
}
bool balanced(const Case& c) { return stark::check_buses<SC>(c.airs, c.traces, c.publics).ok(); }
bool satisfied(const Case& c) {
    for (std::size_t i = 0; i < c.airs.size(); ++i)
        if (!c.airs[i].check(c.traces[i], c.publics[i], 3).ok()) return false;
    return true;
}

}  // namespace

TEST_CASE("merkle paths: proven against the public root", "[vm][merkle]") {
    const Case c = build(4, {0, 5, 10});
    CHECK(satisfied(c));
    CHECK(balanced(c));
    CHECK(proves(c));
    CHECK(proves(build(8, {3})));
}

TEST_CASE("merkle paths: forged siblings, bits, leaves, lengths and keys are rejected", "[vm][merkle][negative]") {
    SECTION("a forged sibling (the parent recomputed from it)") {
        const Case c = build(4, {5}, [](auto& steps, auto&) {
            steps[1].sibling[0] ^= 1;  // an honest chain from the forged sibling up
            HashDigest node = steps[1].node;
            for (std::size_t l = 1; l < steps.size(); ++l) {
                steps[l].node = node;
                steps[l].parent = steps[l].bit ? resource::merkle_node(steps[l].sibling, node)
                                               : resource::merkle_node(node, steps[l].sibling);
                node = steps[l].parent;
            }
        });
        CHECK_FALSE(balanced(c));  // its root is not the public one
        CHECK_FALSE(proves(c));
    }
    SECTION("a flipped direction bit") {
        const Case c = build(4, {5}, [](auto& steps, auto&) { steps[2].bit = !steps[2].bit; });
        CHECK_FALSE(balanced(c));
        CHECK_FALSE(proves(c));
    }
    SECTION("a leaf not in the tree, with an honest chain from it over the real siblings") {
        const Case c = build(4, {5}, [](auto& steps, auto& leaves) {
            leaves[0] = digest_of(99);
            resource::MerklePath p{5, {}};
            for (const auto& st : steps) p.siblings.push_back(st.sibling);
            steps = hash::merkle_steps(steps[0].key, leaves[0], p);
        });
        CHECK(satisfied(c));
        CHECK_FALSE(balanced(c));  // the chain ends at another root than the public one
        CHECK_FALSE(proves(c));
    }
    SECTION("a path one level short") {
        const Case c = build(4, {5}, [](auto& steps, auto&) { steps.pop_back(); });
        CHECK_FALSE(balanced(c));
        CHECK_FALSE(proves(c));
    }
    SECTION("a node whose halves are not its value") {
        Case c = build(4, {5});
        c.traces[1](1, static_cast<Eigen::Index>(hash::MerklePathAir::node_lo)) += F::one();
        CHECK_FALSE(satisfied(c));
        CHECK_FALSE(proves(c));
    }
}

TEST_CASE("merkle paths: one corrupted cell of a valid trace is rejected by the verifier", "[vm][merkle][negative]") {
    const Case valid = build(4, {0, 5, 10});
    REQUIRE(proves(valid));
    // Every column of a merkle_path row (row 5: the second path's second level).
    for (std::size_t col = 0; col < hash::MerklePathAir::width(); ++col) {
        DYNAMIC_SECTION("merkle_path column " << col) {
            Case c = valid;
            c.traces[1](5, static_cast<Eigen::Index>(col)) += F::one();
            CHECK_FALSE(proves(c));
        }
    }
    // The chain starter's key and leaf, and the sponge's own columns of a real row.
    for (const auto& [air, col] : std::vector<std::pair<std::size_t, std::size_t>>{{0, 1}, {0, 4}, {2, 0}, {2, 9}}) {
        DYNAMIC_SECTION("AIR " << air << " column " << col) {
            Case c = valid;
            c.traces[air](1, static_cast<Eigen::Index>(col)) += F::one();
            CHECK_FALSE(proves(c));
        }
    }
    Case extra = valid;
    const auto sponge_key = static_cast<Eigen::Index>(extra.traces[2].cols() - 3);  // SpongeAir's key column
    extra.traces[2](0, sponge_key) += F::one();
    CHECK_FALSE(proves(extra));
}
