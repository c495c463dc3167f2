// causality/store/content.hpp — content addressing: ContentId, the canonical encoding it
// hashes, and the in-memory content-addressed store (the SQLite one: sqlite_store.hpp).
//
// ContentId = the VM's Poseidon2 hash (vm/hash_pool.hpp's encoding over BabyBear, the
// same function a guest computes with causality_hash) of the canonical encoding
//     "CCID" | version 1 (u32) | kind (u32) | length (u64) | the bytes
// (little-endian), so that the same bytes stored as two kinds have two ids, and a guest
// can recompute an id inside a proof. Its text form is the 64 hex digits of its 8 words
// (little-endian bytes), as `causality store` prints it.
//
// A store keeps records (kind, bytes) by id. `put` computes the id; `get` returns the
// record after hashing its bytes again, so a record changed behind the store's back is an
// Error(corrupted_data) naming its id, never silently returned.
#pragma once

#include <causality/error.hpp>
#include <causality/field/baby_bear.hpp>
#include <causality/stark/hash/poseidon2_default.hpp>
#include <causality/vm/hash_pool.hpp>

#include <array>
#include <compare>
#include <concepts>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace causality::store {

enum class ContentKind : std::uint32_t { blob = 0, program = 1, proof = 2, verifying_key = 3, resource = 4, capability = 5 };
inline constexpr std::uint32_t content_kind_count = 6;

constexpr std::string_view to_string(ContentKind k) noexcept {
    switch (k) {
        case ContentKind::blob: return "blob";
        case ContentKind::program: return "program";
        case ContentKind::proof: return "proof";
        case ContentKind::verifying_key: return "key";
        case ContentKind::resource: return "resource";
        case ContentKind::capability: return "capability";
    }
    return "?";
}
// "blob", "program", "proof", "key", "resource", "capability"; Error(invalid_argument) otherwise.
inline ContentKind parse_kind(std::string_view s) {
    for (std::uint32_t k = 0; k < content_kind_count; ++k)
        if (to_string(static_cast<ContentKind>(k)) == s) return static_cast<ContentKind>(k);
    throw Error(ErrorCode::invalid_argument, "store: unknown kind '" + std::string(s) +
                                                 "' (blob, program, proof, key, resource or capability)");
}
inline ContentKind kind_from_number(std::uint64_t k) {
    if (k >= content_kind_count)
        throw Error(ErrorCode::corrupted_data, "store: a record of unknown kind " + std::to_string(k));
    return static_cast<ContentKind>(k);
}

struct ContentId {
    vm::HashDigest words{};

    friend auto operator<=>(const ContentId&, const ContentId&) = default;
    friend bool operator==(const ContentId&, const ContentId&) = default;

    // The 32 bytes: each word little-endian.
    [[nodiscard]] std::array<std::uint8_t, 32> bytes() const noexcept {
        // Word by word: GCC 12 at -O2/-O3 with -march=native (seen on an AMD EPYC, family 25
        // model 1: znver3) miscompiled the one-loop form `words[k / 4] >> (8 * (k % 4))` inlined into
        // the ledger's apply (one word came out wrong); ledger_test's mint-then-get catches it.
        std::array<std::uint8_t, 32> b{};
        for (std::size_t w = 0; w < 8; ++w)
            for (std::size_t k = 0; k < 4; ++k) b[4 * w + k] = static_cast<std::uint8_t>(words[w] >> (8 * k));
        return b;
    }
    [[nodiscard]] static ContentId from_bytes(std::span<const std::uint8_t> b) {
        if (b.size() != 32)
            throw Error(ErrorCode::malformed_input, "store: a content id is 32 bytes, not " + std::to_string(b.size()));
        ContentId id;
        for (std::size_t k = 0; k < 32; ++k) id.words[k / 4] |= std::uint32_t{b[k]} << (8 * (k % 4));
        return id;
    }
    [[nodiscard]] std::string hex() const { return vm::digest_hex(words); }
    // From 64 hex digits; Error(malformed_input) naming what is wrong.
    [[nodiscard]] static ContentId from_hex(std::string_view s) {
        if (s.size() != 64)
            throw Error(ErrorCode::malformed_input,
                        "store: a content id is 64 hex digits, '" + std::string(s.substr(0, 80)) + "' has " + std::to_string(s.size()));
        std::array<std::uint8_t, 32> b{};
        for (std::size_t i = 0; i < 64; ++i) {
            const char c = s[i];
            const int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
            if (v < 0) throw Error(ErrorCode::malformed_input, "store: '" + std::string(s) + "' is not a hex content id");
            b[i / 2] = static_cast<std::uint8_t>(b[i / 2] << 4 | v);
        }
        return from_bytes(b);
    }
};

inline constexpr std::uint32_t content_encoding_version = 1;

// The canonical encoding ContentId hashes.
inline std::vector<std::uint8_t> canonical_encoding(ContentKind kind, std::span<const std::uint8_t> bytes) {
    std::vector<std::uint8_t> e{'C', 'C', 'I', 'D'};
    const auto put = [&](std::uint64_t v, int n) {
        for (int k = 0; k < n; ++k) e.push_back(static_cast<std::uint8_t>(v >> (8 * k)));
    };
    put(content_encoding_version, 4);
    put(static_cast<std::uint32_t>(kind), 4);
    put(bytes.size(), 8);
    e.insert(e.end(), bytes.begin(), bytes.end());
    return e;
}

// Error(invalid_size) for contents of 2^29 bytes or more (the hash's input bound).
inline ContentId content_id(ContentKind kind, std::span<const std::uint8_t> bytes) {
    if (bytes.size() + 20 > vm::HashEncoding::max_length)
        throw Error(ErrorCode::invalid_size, "store: contents of " + std::to_string(bytes.size()) +
                                                 " bytes (the content hash takes less than 2^29)");
    static const auto perm = stark::default_poseidon2<field::BabyBear, 16>();
    return {vm::hash_bytes(perm, canonical_encoding(kind, bytes))};
}

struct ContentRecord {
    ContentId id;
    ContentKind kind = ContentKind::blob;
    std::vector<std::uint8_t> bytes;
};
// What iteration shows of a record (no bytes read).
struct ContentEntry {
    ContentId id;
    ContentKind kind = ContentKind::blob;
    std::uint64_t size = 0;
};

// The interface of content-addressed stores.
template <class S>
concept ContentStore = requires(S& s, const S& cs, ContentKind kind, std::span<const std::uint8_t> bytes, const ContentId& id,
                                std::function<void(const ContentEntry&)> visit) {
    { s.put(kind, bytes) } -> std::same_as<ContentId>;
    { cs.get(id) } -> std::same_as<std::optional<ContentRecord>>;
    { cs.contains(id) } -> std::same_as<bool>;
    { cs.size() } -> std::convertible_to<std::size_t>;
    cs.for_each(visit);
};

namespace detail {
inline void check_record(const ContentId& id, ContentKind kind, std::span<const std::uint8_t> bytes) {
    const ContentId actual = content_id(kind, bytes);
    if (actual != id)
        throw Error(ErrorCode::corrupted_data, "store: record " + id.hex() + " is corrupted (its " + std::to_string(bytes.size()) +
                                                   " bytes of kind " + std::string(to_string(kind)) + " hash to " +
                                                   actual.hex() + ")");
}
}  // namespace detail

// In memory, ordered by id.
class MemoryContentStore {
public:
    ContentId put(ContentKind kind, std::span<const std::uint8_t> bytes) {
        const ContentId id = content_id(kind, bytes);
        records_.try_emplace(id, kind, std::vector<std::uint8_t>(bytes.begin(), bytes.end()));
        return id;
    }
    [[nodiscard]] std::optional<ContentRecord> get(const ContentId& id) const {
        const auto it = records_.find(id);
        if (it == records_.end()) return std::nullopt;
        detail::check_record(id, it->second.first, it->second.second);
        return ContentRecord{id, it->second.first, it->second.second};
    }
    [[nodiscard]] bool contains(const ContentId& id) const { return records_.count(id) != 0; }
    [[nodiscard]] std::size_t size() const noexcept { return records_.size(); }
    void for_each(const std::function<void(const ContentEntry&)>& visit) const {
        for (const auto& [id, r] : records_) visit({id, r.first, r.second.size()});
    }
    bool erase(const ContentId& id) { return records_.erase(id) != 0; }
    // Test hook: the stored bytes of a record, to corrupt them.
    [[nodiscard]] std::vector<std::uint8_t>* bytes_for_testing(const ContentId& id) {
        const auto it = records_.find(id);
        return it == records_.end() ? nullptr : &it->second.second;
    }

private:
    std::map<ContentId, std::pair<ContentKind, std::vector<std::uint8_t>>> records_;
};
static_assert(ContentStore<MemoryContentStore>);

}  // namespace causality::store
