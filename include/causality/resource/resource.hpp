// causality/resource/resource.hpp — resources, their ids, owners, commitments and nullifiers.
//
// A Resource is 128 bytes (32 little-endian words), the layout a guest sees
// (guest.h's causality_resource_t):
//     kind   8 words  a label of up to 32 bytes of text, zero padded ("note", "token")
//     owner  8 words  owner_of(nullifier key): whoever knows the key may consume it
//     data   8 words  the application's fields (a note's value, an asset id, ...)
//     nonce  8 words  makes two otherwise equal resources distinct
// Its ResourceId is the ContentId (store/content.hpp) of these bytes with
// ContentKind::resource, so a resource is content-addressed like everything else.
//
// Derived digests, each the VM's Poseidon2 byte hash (vm/hash_pool.hpp, the function
// guest.h's causality_hash computes) of a 4-byte domain tag and 32-byte digests, so that
// no two roles can collide:
//     owner_of(nk)       = H("COWN" | nk)
//     commitment(id)     = H("CCMT" | id)        published when a resource is created; the
//                                                 leaves of an input set (merkle.hpp)
//     nullifier(nk, id)  = H("CNUL" | nk | id)   published when it is consumed
// A nullifier reveals neither the resource nor the owner, and the same resource always
// gives the same nullifier: a set of the nullifiers seen so far (manager.hpp) rejects a
// second spend, and two equal nullifiers in one proof are a double consume.
#pragma once

#include <causality/error.hpp>
#include <causality/field/baby_bear.hpp>
#include <causality/stark/hash/poseidon2_default.hpp>
#include <causality/store/content.hpp>
#include <causality/vm/hash_pool.hpp>

#include <array>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace causality::resource {

using Digest = vm::HashDigest;
using ResourceId = store::ContentId;
// A secret of 8 words; owner_of(key) is public.
using NullifierKey = Digest;

inline constexpr std::size_t resource_words = 32, resource_bytes = 4 * resource_words;

// A label of up to 32 bytes as 8 words (zero padded); Error(invalid_argument) beyond that
// or for a NUL inside it.
inline Digest label(std::string_view text) {
    if (text.size() > 32)
        throw Error(ErrorCode::invalid_argument,
                    "resource: label '" + std::string(text.substr(0, 40)) + "...' is longer than 32 bytes");
    if (text.find('\0') != std::string_view::npos)
        throw Error(ErrorCode::invalid_argument, "resource: a label may not contain a NUL byte");
    Digest d{};
    for (std::size_t k = 0; k < text.size(); ++k)
        d[k / 4] |= std::uint32_t{static_cast<unsigned char>(text[k])} << (8 * (k % 4));
    return d;
}
// The text of a label (up to the first zero byte).
inline std::string label_text(const Digest& d) {
    std::string s;
    for (std::size_t k = 0; k < 32; ++k) {
        const char c = static_cast<char>((d[k / 4] >> (8 * (k % 4))) & 0xff);
        if (c == '\0') break;
        s.push_back(c);
    }
    return s;
}

struct Resource {
    Digest kind{};
    Digest owner{};
    std::array<std::uint32_t, 8> data{};
    std::array<std::uint32_t, 8> nonce{};

    friend bool operator==(const Resource&, const Resource&) = default;

    [[nodiscard]] std::array<std::uint32_t, resource_words> words() const noexcept {
        std::array<std::uint32_t, resource_words> w{};
        for (std::size_t k = 0; k < 8; ++k) {
            w[k] = kind[k];
            w[8 + k] = owner[k];
            w[16 + k] = data[k];
            w[24 + k] = nonce[k];
        }
        return w;
    }
    [[nodiscard]] static Resource from_words(std::span<const std::uint32_t> w) {
        if (w.size() != resource_words)
            throw Error(ErrorCode::invalid_size,
                        "resource: a resource is 32 words, not " + std::to_string(w.size()));
        Resource r;
        for (std::size_t k = 0; k < 8; ++k) {
            r.kind[k] = w[k];
            r.owner[k] = w[8 + k];
            r.data[k] = w[16 + k];
            r.nonce[k] = w[24 + k];
        }
        return r;
    }
    // The canonical 128 bytes (each word little-endian).
    [[nodiscard]] std::vector<std::uint8_t> bytes() const {
        std::vector<std::uint8_t> b(resource_bytes);
        const auto w = words();
        for (std::size_t i = 0; i < resource_words; ++i)  // word by word (see ContentId::bytes)
            for (std::size_t k = 0; k < 4; ++k) b[4 * i + k] = static_cast<std::uint8_t>(w[i] >> (8 * k));
        return b;
    }
    // Error(malformed_input) unless exactly 128 bytes.
    [[nodiscard]] static Resource from_bytes(std::span<const std::uint8_t> b) {
        if (b.size() != resource_bytes)
            throw Error(ErrorCode::malformed_input,
                        "resource: an encoded resource is 128 bytes, not " + std::to_string(b.size()));
        std::array<std::uint32_t, resource_words> w{};
        for (std::size_t k = 0; k < resource_bytes; ++k) w[k / 4] |= std::uint32_t{b[k]} << (8 * (k % 4));
        return from_words(w);
    }
};

// The VM's hash of `tag` (4 ASCII bytes) followed by the digests' bytes.
inline Digest tagged_hash(std::string_view tag, std::initializer_list<const Digest*> parts) {
    std::vector<std::uint8_t> bytes(tag.begin(), tag.end());
    for (const Digest* d : parts)
        for (const std::uint32_t x : *d)
            for (std::size_t k = 0; k < 4; ++k) bytes.push_back(static_cast<std::uint8_t>(x >> (8 * k)));
    static const auto perm = stark::default_poseidon2<field::BabyBear, 16>();
    return vm::hash_bytes(perm, bytes);
}

// The elements the resource chips hash for a tag, words as 16-bit halves, and digests as
// elements (vm/hash_pool.hpp's hash_elements): a digest's elements are hashed as they are,
// so one id has one commitment and one nullifier per key (a byte encoding of an element
// would admit a second, non-canonical one).
struct ElementMessage {
    std::vector<field::BabyBear> elements;
    explicit ElementMessage(std::string_view tag) {
        halves(std::uint32_t{static_cast<unsigned char>(tag[0])} | std::uint32_t{static_cast<unsigned char>(tag[1])} << 8 |
               std::uint32_t{static_cast<unsigned char>(tag[2])} << 16 | std::uint32_t{static_cast<unsigned char>(tag[3])} << 24);
    }
    ElementMessage& halves(std::uint32_t word) {
        elements.push_back(field::BabyBear::from_u64(word & 0xffff));
        elements.push_back(field::BabyBear::from_u64(word >> 16));
        return *this;
    }
    ElementMessage& halves(const Digest& d) {
        for (const std::uint32_t w : d) halves(w);
        return *this;
    }
    ElementMessage& digest(const Digest& d) {  // elements (below p: a digest's words are)
        for (const std::uint32_t w : d) elements.push_back(field::BabyBear::from_u64(w));
        return *this;
    }
    [[nodiscard]] Digest hash() const {
        static const auto perm = stark::default_poseidon2<field::BabyBear, 16>();
        return vm::hash_elements(perm, std::span<const field::BabyBear>(elements));
    }
};

inline ResourceId resource_id(const Resource& r) { return store::content_id(store::ContentKind::resource, r.bytes()); }
// H("COWN" | the key's bytes): the key is words, hashed as bytes.
inline Digest owner_of(const NullifierKey& nk) { return tagged_hash("COWN", {&nk}); }
// H_elements("CCMT" | id): the leaf of the input set.
inline Digest commitment(const ResourceId& id) { return ElementMessage("CCMT").digest(id.words).hash(); }
// H_elements("CNUL" | key halves | id).
inline Digest nullifier(const NullifierKey& nk, const ResourceId& id) {
    return ElementMessage("CNUL").halves(nk).digest(id.words).hash();
}

}  // namespace causality::resource
