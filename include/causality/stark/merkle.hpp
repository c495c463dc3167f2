// causality/stark/merkle.hpp — a Merkle commitment to several matrices of different
// heights in one tree (a "mixed matrix commitment scheme").
//
// Heights are powers of two. The leaves are the hashes of the rows of the tallest
// matrices (the rows of all matrices of that height, concatenated in the order given).
// Each level above compresses pairs of digests; when the level's size equals the height
// of other matrices, each node is compressed once more with the hash of those matrices'
// row of the same index ("injection"). Opening leaf index i reveals, for every matrix of
// height h, row i >> log2(H / h), and the sibling digest of every level.
//
// Leaves and inner nodes are hashed Packed<F>::width at a time (one tree node per SIMD
// lane) and spread over the thread pool; results do not depend on the thread count.
#pragma once

#include <causality/error.hpp>
#include <causality/memory.hpp>
#include <causality/field/matrix.hpp>
#include <causality/field/packed.hpp>
#include <causality/parallel.hpp>
#include <causality/stark/bytes.hpp>
#include <causality/stark/hash/sponge.hpp>
#include <causality/stark/verify_result.hpp>

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace causality::stark {

struct MatrixDimensions {
    std::size_t height = 0;
    std::size_t width = 0;
    friend bool operator==(const MatrixDimensions&, const MatrixDimensions&) = default;
};

template <field::PrimeField F, class DigestT>
struct MerkleOpening {
    std::vector<std::vector<F>> rows;  // one per committed matrix, in commit order
    std::vector<DigestT> siblings;     // one per level, leaves first
    friend bool operator==(const MerkleOpening&, const MerkleOpening&) = default;
};

namespace detail {
template <class D, class F>
inline constexpr bool is_field_digest = false;
template <class F, std::size_t N>
inline constexpr bool is_field_digest<std::array<F, N>, F> = true;
}  // namespace detail

// Hasher: F, Digest, hash(span<const F>) (and, for the packed path, width and absorb on
// packed states); Compressor: compress(array<Digest, 2>) (packed too, for field digests).
// Digests are arrays of field elements (Poseidon2) or of bytes (Keccak-256).
template <class Hasher, class Compressor>
class MerkleTreeMmcs {
public:
    using F = typename Hasher::F;
    using Digest = typename Hasher::Digest;
    using Opening = MerkleOpening<F, Digest>;
    static constexpr bool field_digest = detail::is_field_digest<Digest, F>;
    static constexpr std::size_t digest_size = std::tuple_size_v<Digest>;
    // Bytes of one encoded digest: canonical field elements, or the bytes themselves.
    static constexpr std::size_t digest_bytes = field_digest ? digest_size * F::encoded_size : digest_size;
    using DigestLayer = std::vector<Digest, memory::HugePageAllocator<Digest>>;  // one tree level

    class Tree {
    public:
        [[nodiscard]] const Digest& root() const noexcept { return layers_.back().front(); }
        [[nodiscard]] const std::vector<MatrixDimensions>& dimensions() const noexcept { return dims_; }
        [[nodiscard]] const std::vector<field::RowMajorMatrix<F>>& matrices() const noexcept { return matrices_; }
        [[nodiscard]] std::size_t height() const noexcept { return layers_.front().size(); }

    private:
        friend class MerkleTreeMmcs;
        std::vector<field::RowMajorMatrix<F>> matrices_;
        std::vector<MatrixDimensions> dims_;
        std::vector<DigestLayer> layers_;  // leaves first, root last
    };

    MerkleTreeMmcs(Hasher hasher, Compressor compressor)
        : hasher_(std::move(hasher)), compressor_(std::move(compressor)) {}

    // Error(invalid_size) for no matrices, or a height that is zero or not a power of two.
    Tree commit(std::vector<field::RowMajorMatrix<F>> matrices) const {
        Tree t;
        for (const auto& m : matrices)
            t.dims_.push_back({static_cast<std::size_t>(m.rows()), static_cast<std::size_t>(m.cols())});
        check_dimensions_or_throw(t.dims_);
        t.matrices_ = std::move(matrices);
        const auto groups = height_groups(t.dims_);
        const std::size_t top = groups.front().first;
        t.layers_.push_back(hash_group_rows(t.matrices_, groups.front().second, top));
        std::size_t g = 1;
        for (std::size_t size = top / 2; size >= 1; size /= 2) {
            const DigestLayer& prev = t.layers_.back();
            DigestLayer next = compress_pairs(prev);
            if (g < groups.size() && groups[g].first == size) {
                next = compress_with(next, hash_group_rows(t.matrices_, groups[g].second, size));
                ++g;
            }
            t.layers_.push_back(std::move(next));
        }
        return t;
    }

    // Error(out_of_range) unless index < the tallest height.
    [[nodiscard]] Opening open(const Tree& t, std::size_t index) const {
        const std::size_t top = t.height();
        if (index >= top)
            throw Error(ErrorCode::out_of_range, "Merkle opening: index " + std::to_string(index) +
                                                     " is not below the tree height " + std::to_string(top));
        Opening o;
        for (std::size_t m = 0; m < t.matrices_.size(); ++m) {
            const auto row = field::row_span(t.matrices_[m], index / (top / t.dims_[m].height));
            o.rows.emplace_back(row.begin(), row.end());
        }
        for (std::size_t l = 0; l + 1 < t.layers_.size(); ++l) o.siblings.push_back(t.layers_[l][(index >> l) ^ 1]);
        return o;
    }

    // Checks an opening against a root. Never throws on bad openings: it says what is wrong.
    [[nodiscard]] VerifyResult verify(const Digest& root, std::span<const MatrixDimensions> dims,
                                      std::size_t index, const Opening& o) const {
        if (dims.empty()) return VerifyResult::reject("Merkle opening: no matrices");
        for (std::size_t m = 0; m < dims.size(); ++m)
            if (dims[m].height == 0 || !std::has_single_bit(dims[m].height))
                return VerifyResult::reject("Merkle opening: matrix " + std::to_string(m) + " has height " +
                                            std::to_string(dims[m].height) + ", not a power of two");
        if (o.rows.size() != dims.size())
            return VerifyResult::reject("Merkle opening: " + std::to_string(o.rows.size()) + " opened rows for " +
                                        std::to_string(dims.size()) + " matrices");
        for (std::size_t m = 0; m < dims.size(); ++m)
            if (o.rows[m].size() != dims[m].width)
                return VerifyResult::reject("Merkle opening: the row of matrix " + std::to_string(m) + " has " +
                                            std::to_string(o.rows[m].size()) + " elements, the matrix is " +
                                            std::to_string(dims[m].width) + " wide");
        const auto groups = height_groups(std::vector<MatrixDimensions>(dims.begin(), dims.end()));
        const std::size_t top = groups.front().first;
        if (index >= top)
            return VerifyResult::reject("Merkle opening: index " + std::to_string(index) +
                                        " is not below the tree height " + std::to_string(top));
        const auto levels = static_cast<std::size_t>(std::countr_zero(top));
        if (o.siblings.size() != levels)
            return VerifyResult::reject("Merkle opening: " + std::to_string(o.siblings.size()) +
                                        " sibling digests, the tree has " + std::to_string(levels) + " levels");
        const auto hash_rows = [&](const std::vector<std::size_t>& members) {
            std::vector<F> row;
            for (auto m : members) row.insert(row.end(), o.rows[m].begin(), o.rows[m].end());
            return hasher_.hash(row);
        };
        Digest current = hash_rows(groups.front().second);
        std::size_t g = 1;
        for (std::size_t l = 0; l < levels; ++l) {
            const Digest& sibling = o.siblings[l];
            current = ((index >> l) & 1) == 0 ? compress2(current, sibling) : compress2(sibling, current);
            if (g < groups.size() && groups[g].first == (top >> (l + 1))) {
                current = compress2(current, hash_rows(groups[g].second));
                ++g;
            }
        }
        if (current != root) return VerifyResult::reject("Merkle opening: the path does not lead to the committed root");
        return VerifyResult::accept();
    }

    // Decodes `bytes` as an opening (see encode) and verifies it; malformed bytes are a
    // rejection with the decoder's reason.
    [[nodiscard]] VerifyResult verify_bytes(const Digest& root, std::span<const MatrixDimensions> dims,
                                            std::size_t index, std::span<const std::uint8_t> bytes) const {
        try {
            return verify(root, dims, index, decode_opening(bytes));
        } catch (const Error& e) {
            return VerifyResult::reject(std::string("Merkle opening: ") + e.what());
        }
    }

    // Format: u32 row count, then per row u32 length and its elements; u32 sibling count,
    // then the digests. Elements are canonical little-endian field elements.
    [[nodiscard]] static std::vector<std::uint8_t> encode_opening(const Opening& o) {
        ByteWriter w;
        write_opening(w, o);
        return std::move(w).take();
    }
    // Error(malformed_input / out_of_range) naming what is wrong.
    [[nodiscard]] static Opening decode_opening(std::span<const std::uint8_t> bytes) {
        ByteReader r(bytes);
        Opening o = read_opening(r);
        r.expect_end("the Merkle opening");
        return o;
    }
    [[nodiscard]] static std::vector<std::uint8_t> encode_digest(const Digest& d) {
        ByteWriter w;
        write_digest(w, d);
        return std::move(w).take();
    }
    [[nodiscard]] static Digest decode_digest(std::span<const std::uint8_t> bytes) {
        ByteReader r(bytes);
        Digest d = read_digest(r);
        r.expect_end("the digest");
        return d;
    }

    // The same encodings inside a larger stream (a proof).
    static void write_opening(ByteWriter& w, const Opening& o) {
        w.u32(static_cast<std::uint32_t>(o.rows.size()));
        for (const auto& row : o.rows) {
            w.u32(static_cast<std::uint32_t>(row.size()));
            for (const F& x : row) w.element(x);
        }
        w.u32(static_cast<std::uint32_t>(o.siblings.size()));
        for (const auto& d : o.siblings) write_digest(w, d);
    }
    [[nodiscard]] static Opening read_opening(ByteReader& r) {
        Opening o;
        const std::size_t rows = r.count(4, "opened row count");
        for (std::size_t m = 0; m < rows; ++m) {
            const std::size_t len = r.count(F::encoded_size, "opened row length");
            std::vector<F> row;
            row.reserve(len);
            for (std::size_t k = 0; k < len; ++k) row.push_back(r.element<F>("opened row element", k));
            o.rows.push_back(std::move(row));
        }
        const std::size_t sibs = r.count(digest_bytes, "sibling count");
        for (std::size_t l = 0; l < sibs; ++l) o.siblings.push_back(read_digest(r));
        return o;
    }
    static void write_digest(ByteWriter& w, const Digest& d) {
        if constexpr (field_digest)
            for (const F& x : d) w.element(x);
        else
            w.raw(d);
    }
    [[nodiscard]] static Digest read_digest(ByteReader& r) {
        Digest d;
        if constexpr (field_digest) {
            for (std::size_t k = 0; k < digest_size; ++k) d[k] = r.element<F>("digest element", k);
        } else {
            const auto b = r.take(digest_size, "digest");
            std::copy(b.begin(), b.end(), d.begin());
        }
        return d;
    }

private:
    using P = field::Packed<F>;
    static constexpr std::size_t lanes = P::width;
    static constexpr std::size_t packed_width() {
        if constexpr (requires { Hasher::width; })
            return Hasher::width;
        else
            return 1;
    }
    struct PackedRows {  // the shape of the packed path's row reader
        [[nodiscard]] std::size_t size() const { return 0; }
        P operator[](std::size_t) const { return P{}; }
    };
    // Byte hashes that hash several rows or nodes at once (Keccak-256 in SIMD lanes).
    static constexpr std::size_t hasher_batch() {
        if constexpr (requires(const Hasher& h, const F* const* rows, Digest* out) {
                          { Hasher::batch_lanes } -> std::convertible_to<std::size_t>;
                          h.hash_batch(rows, std::size_t{}, out);
                      })
            return Hasher::batch_lanes;
        else
            return 1;
    }
    static constexpr std::size_t compressor_batch() {
        if constexpr (requires(const Compressor& c, const std::array<Digest, 2>* in, Digest* out) {
                          { Compressor::batch_lanes } -> std::convertible_to<std::size_t>;
                          c.compress_batch(in, out);
                      })
            return Compressor::batch_lanes;
        else
            return 1;
    }
    static constexpr bool packed_hashing = field_digest && requires(const Hasher& h, std::array<P, packed_width()>& st) {
        h.absorb(st, PackedRows{});
    };
    static constexpr bool packed_compression = field_digest && requires(
        const Compressor& c, const std::array<std::array<P, digest_size>, 2>& in) { c.compress(in); };

    static void check_dimensions_or_throw(const std::vector<MatrixDimensions>& dims) {
        if (dims.empty()) throw Error(ErrorCode::invalid_size, "Merkle commit: no matrices");
        for (std::size_t m = 0; m < dims.size(); ++m)
            if (dims[m].height == 0 || !std::has_single_bit(dims[m].height))
                throw Error(ErrorCode::invalid_size, "Merkle commit: matrix " + std::to_string(m) + " has height " +
                                                         std::to_string(dims[m].height) + ", not a power of two");
    }

    // (height, matrix indices in commit order), tallest first.
    static std::vector<std::pair<std::size_t, std::vector<std::size_t>>> height_groups(
        const std::vector<MatrixDimensions>& dims) {
        std::vector<std::pair<std::size_t, std::vector<std::size_t>>> groups;
        std::vector<std::size_t> heights;
        for (const auto& d : dims) heights.push_back(d.height);
        std::sort(heights.begin(), heights.end(), std::greater<>());
        heights.erase(std::unique(heights.begin(), heights.end()), heights.end());
        for (auto h : heights) {
            std::vector<std::size_t> members;
            for (std::size_t m = 0; m < dims.size(); ++m)
                if (dims[m].height == h) members.push_back(m);
            groups.emplace_back(h, std::move(members));
        }
        return groups;
    }

    Digest compress2(const Digest& a, const Digest& b) const {
        return compressor_.compress(std::array<Digest, 2>{a, b});
    }

    // Hashes of row j of the matrices in `members` (all of height `height`), j < height.
    DigestLayer hash_group_rows(const std::vector<field::RowMajorMatrix<F>>& matrices,
                                        const std::vector<std::size_t>& members, std::size_t height) const {
        struct Column {
            const F* base;
            std::size_t stride;
        };
        std::vector<Column> columns;  // the concatenated row, element by element
        for (auto m : members)
            for (Eigen::Index c = 0; c < matrices[m].cols(); ++c)
                columns.push_back({matrices[m].data() + c, static_cast<std::size_t>(matrices[m].cols())});
        DigestLayer out(height);
        if constexpr (packed_hashing) {
            const std::size_t packs = height / lanes;
            parallel::parallel_for(packs, 16, [&](std::size_t b, std::size_t e) {
                for (std::size_t pk = b; pk < e; ++pk) {
                    const std::size_t j0 = pk * lanes;
                    struct Gather {
                        const std::vector<Column>* cols;
                        std::size_t j0;
                        [[nodiscard]] std::size_t size() const { return cols->size(); }
                        P operator[](std::size_t k) const {
                            const Column& c = (*cols)[k];
                            std::array<F, lanes> v;
                            for (std::size_t l = 0; l < lanes; ++l) v[l] = c.base[(j0 + l) * c.stride];
                            return P::from_array(v);
                        }
                    };
                    std::array<P, packed_width()> state{};
                    hasher_.absorb(state, Gather{&columns, j0});
                    scatter(state, out, j0);
                }
            });
            for (std::size_t j = packs * lanes; j < height; ++j) {  // rows that do not fill a pack
                std::vector<F> row;
                for (const auto& c : columns) row.push_back(c.base[j * c.stride]);
                out[j] = hasher_.hash(row);
            }
        } else {
            constexpr std::size_t batch = hasher_batch();
            parallel::parallel_for((height + batch - 1) / batch, 64 / batch + 1, [&](std::size_t b, std::size_t e) {
                const std::size_t w = columns.size();
                std::vector<F> rows(w * batch);
                for (std::size_t g = b; g < e; ++g) {
                    const std::size_t j0 = g * batch;
                    if constexpr (batch > 1) {
                        if (j0 + batch <= height) {  // batch rows, one per SIMD lane of the hash
                            std::array<const F*, batch> ptrs;
                            for (std::size_t l = 0; l < batch; ++l) {
                                for (std::size_t k = 0; k < w; ++k)
                                    rows[l * w + k] = columns[k].base[(j0 + l) * columns[k].stride];
                                ptrs[l] = rows.data() + l * w;
                            }
                            hasher_.hash_batch(ptrs.data(), w, out.data() + j0);
                            continue;
                        }
                    }
                    for (std::size_t j = j0; j < std::min(j0 + batch, height); ++j) {
                        for (std::size_t k = 0; k < w; ++k) rows[k] = columns[k].base[j * columns[k].stride];
                        out[j] = hasher_.hash(std::span<const F>(rows.data(), w));
                    }
                }
            });
        }
        return out;
    }

    template <class State>
    static void scatter(const State& state, DigestLayer& out, std::size_t j0) {
        for (std::size_t k = 0; k < digest_size; ++k) {
            const auto v = state[k].to_array();
            for (std::size_t l = 0; l < lanes; ++l) out[j0 + l][k] = v[l];
        }
    }

    // out[j] = compress(left(j), right(j)) for j < count, packed where the compressor
    // takes packed digests.
    template <class Left, class Right>
    DigestLayer compress_all(std::size_t count, Left left, Right right) const {
        DigestLayer out(count);
        if constexpr (packed_compression) {
            const std::size_t packs = count / lanes;
            parallel::parallel_for(packs, 16, [&](std::size_t b, std::size_t e) {
                for (std::size_t pk = b; pk < e; ++pk) {
                    const std::size_t j0 = pk * lanes;
                    std::array<std::array<P, digest_size>, 2> in;
                    for (std::size_t k = 0; k < digest_size; ++k) {
                        std::array<F, lanes> l, r;
                        for (std::size_t i = 0; i < lanes; ++i) {
                            l[i] = left(j0 + i)[k];
                            r[i] = right(j0 + i)[k];
                        }
                        in[0][k] = P::from_array(l);
                        in[1][k] = P::from_array(r);
                    }
                    const auto c = compressor_.compress(in);
                    for (std::size_t k = 0; k < digest_size; ++k) {
                        const auto v = c[k].to_array();
                        for (std::size_t i = 0; i < lanes; ++i) out[j0 + i][k] = v[i];
                    }
                }
            });
            for (std::size_t j = packs * lanes; j < count; ++j) out[j] = compress2(left(j), right(j));
        } else {
            constexpr std::size_t batch = compressor_batch();
            parallel::parallel_for((count + batch - 1) / batch, 256 / batch + 1, [&](std::size_t b, std::size_t e) {
                for (std::size_t g = b; g < e; ++g) {
                    const std::size_t j0 = g * batch;
                    if constexpr (batch > 1) {
                        if (j0 + batch <= count) {  // batch nodes, one per SIMD lane of the hash
                            std::array<std::array<Digest, 2>, batch> in;
                            for (std::size_t l = 0; l < batch; ++l) in[l] = {left(j0 + l), right(j0 + l)};
                            compressor_.compress_batch(in.data(), out.data() + j0);
                            continue;
                        }
                    }
                    for (std::size_t j = j0; j < std::min(j0 + batch, count); ++j) out[j] = compress2(left(j), right(j));
                }
            });
        }
        return out;
    }

    DigestLayer compress_pairs(const DigestLayer& prev) const {
        return compress_all(prev.size() / 2, [&](std::size_t j) -> const Digest& { return prev[2 * j]; },
                            [&](std::size_t j) -> const Digest& { return prev[2 * j + 1]; });
    }
    DigestLayer compress_with(const DigestLayer& nodes, const DigestLayer& rows) const {
        return compress_all(nodes.size(), [&](std::size_t j) -> const Digest& { return nodes[j]; },
                            [&](std::size_t j) -> const Digest& { return rows[j]; });
    }

    Hasher hasher_;
    Compressor compressor_;
};

}  // namespace causality::stark
