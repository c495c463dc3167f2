// Merkle commitments of mixed-height matrices: round trips, agreement with a plain
// scalar construction, thread-count independence, and rejection of every tampering.
#include "field/support.hpp"

#include <causality/parallel.hpp>
#include <causality/stark.hpp>

#include <catch2/catch.hpp>

#include <random>

using namespace causality;
using namespace causality::stark;
using field::BabyBear;
using field::Goldilocks;
using field::RowMajorMatrix;

namespace {

template <class F>
std::vector<RowMajorMatrix<F>> mixed_matrices() {
    // Unsorted heights, two matrices of the tallest height, a height-1 matrix, odd widths.
    return {test::random_matrix<F>(64, 5, 1), test::random_matrix<F>(16, 3, 2), test::random_matrix<F>(64, 2, 3),
            test::random_matrix<F>(1, 4, 4), test::random_matrix<F>(8, 1, 5), test::random_matrix<F>(16, 17, 6)};
}

// The root by the definition, one scalar hash at a time.
template <class F>
Digest<F, DefaultHashing<F>::digest_elems> reference_root(const std::vector<RowMajorMatrix<F>>& ms) {
    using D = Digest<F, DefaultHashing<F>::digest_elems>;
    const auto perm = default_poseidon2<F, DefaultHashing<F>::width>();
    const DefaultHasher<F> hasher(perm);
    const DefaultCompressor<F> compress(perm);
    std::size_t top = 0;
    for (const auto& m : ms) top = std::max<std::size_t>(top, static_cast<std::size_t>(m.rows()));
    const auto hash_rows = [&](std::size_t height, std::size_t j) {
        std::vector<F> row;
        for (const auto& m : ms)
            if (static_cast<std::size_t>(m.rows()) == height)
                for (Eigen::Index c = 0; c < m.cols(); ++c) row.push_back(m(static_cast<Eigen::Index>(j), c));
        return row;
    };
    const auto has_height = [&](std::size_t h) {
        return std::any_of(ms.begin(), ms.end(), [&](const auto& m) { return static_cast<std::size_t>(m.rows()) == h; });
    };
    std::vector<D> layer;
    for (std::size_t j = 0; j < top; ++j) layer.push_back(hasher.hash(hash_rows(top, j)));
    for (std::size_t size = top / 2; size >= 1; size /= 2) {
        std::vector<D> next;
        for (std::size_t j = 0; j < size; ++j) {
            D d = compress.compress(std::array<D, 2>{layer[2 * j], layer[2 * j + 1]});
            if (has_height(size)) d = compress.compress(std::array<D, 2>{d, hasher.hash(hash_rows(size, j))});
            next.push_back(d);
        }
        layer = next;
    }
    return layer.front();
}

}  // namespace

TEMPLATE_TEST_CASE("every leaf of a mixed-height commitment opens and verifies", "[merkle]", BabyBear, Goldilocks) {
    using F = TestType;
    const auto mmcs = default_mmcs<F>();
    const auto ms = mixed_matrices<F>();
    const auto tree = mmcs.commit(ms);
    CHECK(tree.root() == reference_root(ms));
    CHECK(tree.height() == 64);
    for (std::size_t i = 0; i < tree.height(); ++i) {
        const auto o = mmcs.open(tree, i);
        REQUIRE(o.rows.size() == ms.size());
        for (std::size_t m = 0; m < ms.size(); ++m) {
            const auto row = static_cast<Eigen::Index>(i / (64 / static_cast<std::size_t>(ms[m].rows())));
            for (Eigen::Index c = 0; c < ms[m].cols(); ++c) REQUIRE(o.rows[m][static_cast<std::size_t>(c)] == ms[m](row, c));
        }
        const auto verdict = mmcs.verify(tree.root(), tree.dimensions(), i, o);
        INFO(verdict.reason());
        REQUIRE(verdict);
        const auto bytes = DefaultMmcs<F>::encode_opening(o);
        REQUIRE(DefaultMmcs<F>::decode_opening(bytes) == o);
        REQUIRE(mmcs.verify_bytes(tree.root(), tree.dimensions(), i, bytes));
    }
}

TEST_CASE("the packed, parallel tree equals the scalar definition for any thread count", "[merkle]") {
    const auto mmcs = default_mmcs<BabyBear>();
    // Heights with full packs and a tail, a single column and a wide matrix.
    const std::vector<RowMajorMatrix<BabyBear>> ms{test::random_matrix<BabyBear>(256, 9, 7), test::random_matrix<BabyBear>(32, 33, 8),
                                                   test::random_matrix<BabyBear>(4, 1, 9)};
    const auto expect = reference_root(ms);
    for (unsigned threads : {1u, 2u, 3u}) {
        parallel::ScopedThreadCount scope(threads);
        CHECK(mmcs.commit(ms).root() == expect);
    }
}

TEST_CASE("bad commitments and openings raise errors", "[merkle][errors]") {
    const auto mmcs = default_mmcs<BabyBear>();
    CHECK_THROWS_AS(mmcs.commit({}), Error);
    try {
        (void)mmcs.commit({test::random_matrix<BabyBear>(12, 2, 1)});
        FAIL("accepted height 12");
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::invalid_size);
        CHECK_THAT(e.what(), Catch::Contains("height 12"));
    }
    const auto tree = mmcs.commit({test::random_matrix<BabyBear>(8, 2, 1)});
    CHECK_THROWS_AS(mmcs.open(tree, 8), Error);
}

TEST_CASE("tampered openings are rejected with a reason", "[merkle][negative]") {
    const auto mmcs = default_mmcs<BabyBear>();
    const auto ms = mixed_matrices<BabyBear>();
    const auto tree = mmcs.commit(ms);
    const auto& dims = tree.dimensions();
    const std::size_t index = 37;
    const auto good = mmcs.open(tree, index);
    REQUIRE(mmcs.verify(tree.root(), dims, index, good));
    const auto rejected = [&](const DefaultMmcs<BabyBear>::Opening& o, std::size_t idx, const char* why) {
        const auto v = mmcs.verify(tree.root(), dims, idx, o);
        CHECK_FALSE(v.ok());
        CHECK_THAT(v.reason(), Catch::Contains(why));
    };
    for (std::size_t m = 0; m < good.rows.size(); ++m) {  // any opened value
        auto o = good;
        o.rows[m][0] += BabyBear::one();
        rejected(o, index, "does not lead to the committed root");
    }
    for (std::size_t l = 0; l < good.siblings.size(); ++l) {  // any sibling
        auto o = good;
        o.siblings[l][3] += BabyBear::one();
        rejected(o, index, "does not lead to the committed root");
    }
    auto swapped = good;
    std::swap(swapped.siblings[0], swapped.siblings[1]);
    rejected(swapped, index, "does not lead to the committed root");
    rejected(good, index ^ 1, "does not lead to the committed root");
    rejected(good, 64, "is not below the tree height");
    auto fewer = good;
    fewer.siblings.pop_back();
    rejected(fewer, index, "sibling digests");
    auto more = good;
    more.siblings.push_back(good.siblings.back());
    rejected(more, index, "sibling digests");
    auto short_row = good;
    short_row.rows[1].pop_back();
    rejected(short_row, index, "the row of matrix 1 has 2 elements");
    auto missing = good;
    missing.rows.pop_back();
    rejected(missing, index, "opened rows");
    const auto other = mmcs.commit(mixed_matrices<BabyBear>() /* same data */);
    CHECK(other.root() == tree.root());
    auto changed = ms;
    changed[4](0, 0) += BabyBear::one();
    CHECK_FALSE(mmcs.verify(mmcs.commit(changed).root(), dims, index, good));
}

TEST_CASE("malformed opening bytes are rejected, never accepted and never crash", "[merkle][negative]") {
    const auto mmcs = default_mmcs<BabyBear>();
    const auto tree = mmcs.commit(mixed_matrices<BabyBear>());
    const auto& dims = tree.dimensions();
    const std::size_t index = 21;
    const auto bytes = DefaultMmcs<BabyBear>::encode_opening(mmcs.open(tree, index));
    REQUIRE(mmcs.verify_bytes(tree.root(), dims, index, bytes));
    for (std::size_t pos = 0; pos < bytes.size(); pos += 3) {  // flipped bits anywhere
        auto b = bytes;
        b[pos] ^= 0x10;
        REQUIRE_FALSE(mmcs.verify_bytes(tree.root(), dims, index, b));
    }
    auto truncated = bytes;
    truncated.resize(bytes.size() - 5);  // the declared siblings no longer fit
    CHECK_THAT(mmcs.verify_bytes(tree.root(), dims, index, truncated).reason(), Catch::Contains("malformed input"));
    truncated.resize(2);  // inside the first length field
    CHECK_THAT(mmcs.verify_bytes(tree.root(), dims, index, truncated).reason(), Catch::Contains("truncated"));
    auto extended = bytes;
    extended.push_back(0);
    CHECK_THAT(mmcs.verify_bytes(tree.root(), dims, index, extended).reason(), Catch::Contains("unexpected bytes"));
    auto out_of_range = bytes;
    for (int k = 0; k < 4; ++k) out_of_range[8 + k] = 0xff;  // first element of the first row
    CHECK_THAT(mmcs.verify_bytes(tree.root(), dims, index, out_of_range).reason(), Catch::Contains("not below the modulus"));
    auto huge_count = bytes;
    for (int k = 0; k < 4; ++k) huge_count[k] = 0xff;  // 2^32 - 1 rows declared
    CHECK_THAT(mmcs.verify_bytes(tree.root(), dims, index, huge_count).reason(), Catch::Contains("cannot fit"));
    CHECK_FALSE(mmcs.verify_bytes(tree.root(), dims, index, std::vector<std::uint8_t>{}));
}

TEST_CASE("digests round trip through bytes and reject wrong lengths", "[merkle]") {
    const auto mmcs = default_mmcs<Goldilocks>();
    const auto root = mmcs.commit({test::random_matrix<Goldilocks>(4, 3, 1)}).root();
    const auto bytes = DefaultMmcs<Goldilocks>::encode_digest(root);
    CHECK(bytes.size() == 4 * 8);
    CHECK(DefaultMmcs<Goldilocks>::decode_digest(bytes) == root);
    auto longer = bytes;
    longer.push_back(1);
    CHECK_THROWS_AS(DefaultMmcs<Goldilocks>::decode_digest(longer), Error);
    CHECK_THROWS_AS(DefaultMmcs<Goldilocks>::decode_digest(std::span<const std::uint8_t>(bytes).first(31)), Error);
}
