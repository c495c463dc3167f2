// causality/evm/rlp.hpp — Recursive Length Prefix, Ethereum's serialisation of byte
// strings and lists (Yellow Paper, appendix B).
//
// Encoding: a single byte below 0x80 is itself; a string of up to 55 bytes is 0x80 + its
// length, then the bytes; a longer one 0xb7 + the length of its big-endian length, the
// length, the bytes; lists likewise with 0xc0 / 0xf7 over the concatenated encodings of
// their items. Integers are their big-endian bytes without leading zeros (0 is the empty
// string).
//
// Decoding is strict, so that one value has one encoding: a byte below 0x80 written as a
// one-byte string, a long form for a length under 56, a length with a leading zero, a
// length past the input, trailing bytes after the item, and nesting deeper than 64 are all
// EvmError(malformed_response) naming the offset.
#pragma once

#include <causality/evm/hex.hpp>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace causality::evm::rlp {

namespace detail {
inline void put_length(Bytes& out, std::size_t len, std::uint8_t short_base, std::uint8_t long_base) {
    if (len <= 55) {
        out.push_back(static_cast<std::uint8_t>(short_base + len));
        return;
    }
    std::uint8_t be[8];
    int n = 0;
    for (std::size_t v = len; v; v >>= 8) be[n++] = static_cast<std::uint8_t>(v & 0xff);
    out.push_back(static_cast<std::uint8_t>(long_base + n));
    for (int i = n - 1; i >= 0; --i) out.push_back(be[i]);
}
}  // namespace detail

// The encoding of a byte string.
inline void put_bytes(Bytes& out, std::span<const std::uint8_t> b) {
    if (b.size() == 1 && b[0] < 0x80) {
        out.push_back(b[0]);
        return;
    }
    detail::put_length(out, b.size(), 0x80, 0xb7);
    out.insert(out.end(), b.begin(), b.end());
}
inline void put_uint(Bytes& out, std::uint64_t v) {
    std::uint8_t be[8];
    int n = 0;
    for (; v; v >>= 8) be[n++] = static_cast<std::uint8_t>(v & 0xff);
    std::uint8_t buf[8];
    for (int i = 0; i < n; ++i) buf[i] = be[n - 1 - i];
    put_bytes(out, std::span<const std::uint8_t>(buf, static_cast<std::size_t>(n)));
}
inline void put_uint(Bytes& out, const Word& w) {
    std::size_t first = 0;
    while (first < 32 && w[first] == 0) ++first;
    put_bytes(out, std::span<const std::uint8_t>(w.data() + first, 32 - first));
}
// A list whose items' encodings are concatenated in `payload`.
inline void put_list(Bytes& out, std::span<const std::uint8_t> payload) {
    detail::put_length(out, payload.size(), 0xc0, 0xf7);
    out.insert(out.end(), payload.begin(), payload.end());
}
inline Bytes list(std::span<const std::uint8_t> payload) {
    Bytes out;
    put_list(out, payload);
    return out;
}

// A decoded item: a byte string or a list of items.
struct Item {
    bool is_list = false;
    Bytes bytes;
    std::vector<Item> items;

    // An unsigned integer (canonical: no leading zero byte), at most 64 bits.
    [[nodiscard]] std::uint64_t as_u64(std::string_view what) const {
        if (is_list) throw EvmError(EvmErrorKind::malformed_response, "rlp: " + std::string(what) + " is a list, not an integer");
        if (bytes.size() > 8) throw EvmError(EvmErrorKind::malformed_response, "rlp: " + std::string(what) + " is above 2^64 - 1");
        if (!bytes.empty() && bytes[0] == 0)
            throw EvmError(EvmErrorKind::malformed_response, "rlp: " + std::string(what) + " has a leading zero byte");
        std::uint64_t v = 0;
        for (const auto b : bytes) v = (v << 8) | b;
        return v;
    }
    [[nodiscard]] Word as_word(std::string_view what) const {
        if (is_list || bytes.size() > 32 || (!bytes.empty() && bytes[0] == 0))
            throw EvmError(EvmErrorKind::malformed_response, "rlp: " + std::string(what) + " is not a canonical 256-bit integer");
        Word w{};
        std::copy(bytes.begin(), bytes.end(), w.begin() + static_cast<std::ptrdiff_t>(32 - bytes.size()));
        return w;
    }
};

namespace detail {
class Reader {
public:
    explicit Reader(std::span<const std::uint8_t> in) : in_(in) {}
    Item item(int depth) {
        if (depth > 64) fail("nesting deeper than 64");
        if (pos_ >= in_.size()) fail("an item past the end");
        const std::size_t at = pos_;
        const std::uint8_t p = in_[pos_++];
        Item it;
        if (p < 0x80) {
            it.bytes.push_back(p);
            return it;
        }
        if (p <= 0xbf) {
            const std::size_t len = p <= 0xb7 ? p - 0x80u : long_length(p - 0xb7u);
            const auto b = take(len);
            if (len == 1 && b[0] < 0x80) fail_at(at, "a byte below 0x80 written as a string");
            it.bytes.assign(b.begin(), b.end());
            return it;
        }
        it.is_list = true;
        const std::size_t len = p <= 0xf7 ? p - 0xc0u : long_length(p - 0xf7u);
        if (len > in_.size() - pos_) fail_at(at, "a list longer than the input");
        const std::size_t end = pos_ + len;
        while (pos_ < end) {
            it.items.push_back(item(depth + 1));
            if (pos_ > end) fail_at(at, "an item running past its list");
        }
        return it;
    }
    [[nodiscard]] std::size_t pos() const noexcept { return pos_; }

private:
    std::size_t long_length(std::size_t n) {
        const std::size_t at = pos_ - 1;
        const auto b = take(n);
        if (b[0] == 0) fail_at(at, "a length with a leading zero");
        if (n > 8) fail_at(at, "a length above 2^64");
        std::size_t len = 0;
        for (const auto x : b) len = (len << 8) | x;
        if (len <= 55) fail_at(at, "the long form for a length under 56");
        return len;
    }
    std::span<const std::uint8_t> take(std::size_t n) {
        if (n > in_.size() - pos_) fail("a string longer than the input");
        const auto s = in_.subspan(pos_, n);
        pos_ += n;
        return s;
    }
    [[noreturn]] void fail(const std::string& why) const { fail_at(pos_, why); }
    [[noreturn]] static void fail_at(std::size_t at, const std::string& why) {
        throw EvmError(EvmErrorKind::malformed_response, "rlp: " + why + " at byte " + std::to_string(at));
    }
    std::span<const std::uint8_t> in_;
    std::size_t pos_ = 0;
};
}  // namespace detail

// Exactly one item, nothing after it.
inline Item decode(std::span<const std::uint8_t> in) {
    detail::Reader r(in);
    Item it = r.item(0);
    if (r.pos() != in.size())
        throw EvmError(EvmErrorKind::malformed_response, "rlp: " + std::to_string(in.size() - r.pos()) + " trailing bytes");
    return it;
}

// The encoding of a decoded item (decode(encode(x)) == x and encode(decode(b)) == b).
inline void put(Bytes& out, const Item& it) {
    if (!it.is_list) {
        put_bytes(out, it.bytes);
        return;
    }
    Bytes payload;
    for (const auto& x : it.items) put(payload, x);
    put_list(out, payload);
}
inline Bytes encode(const Item& it) {
    Bytes out;
    put(out, it);
    return out;
}

}  // namespace causality::evm::rlp
