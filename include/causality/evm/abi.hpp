// causality/evm/abi.hpp — the Solidity contract ABI: types, encoding and decoding of
// values, function selectors, event topics and data, revert data.
//
// Types are parsed from their canonical text ("uint256", "bytes32", "(uint256,bytes)[]",
// "string[3]") or from a compiler's ABI JSON entry ({"type": "tuple[]", "components": [...]}).
// Values are JSON, as the plan files write them:
//   uintN, intN       a number, a decimal string ("-5" for an int), or "0x" hex (uint)
//   address           "0x" and 40 hex digits (mixed case must be a valid EIP-55 checksum)
//   bool              true / false
//   bytesN, bytes     "0x" hex (bytesN: exactly N bytes)
//   string            a JSON string
//   T[], T[k], tuple  a JSON array (a tuple also an object by component names)
// Decoded values come back in one form: integers as decimal strings, addresses checksummed,
// bytes as lower-case hex, tuples as objects when every component is named.
//
// Encoding follows the specification's head/tail layout (dynamic values are an offset in
// the head and their encoding in the tail; offsets count from the start of the enclosing
// tuple). Decoding is strict and bounded: every offset and length must lie inside the
// data, an array's length must fit the bytes that remain, and padding must be zero (an
// address with high bytes set, a bool of 2, a uint8 above 255, a bytes4 with bytes past
// the fourth, an int with a broken sign extension). Failures are EvmError: bad_input for
// values we were asked to encode, malformed_response (or the kind the caller passes) for
// data we were given.
#pragma once

#include <causality/evm/keys.hpp>
#include <causality/stark/hash/keccak.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace causality::evm::abi {

using xvm::Json;

struct Type {
    enum class Kind : std::uint8_t { uint, int_, address, boolean, fixed_bytes, bytes, string, array, fixed_array, tuple };
    Kind kind = Kind::uint;
    unsigned bits = 256;             // uint / int: 8..256 by 8; fixed_bytes: 1..32 bytes
    std::size_t length = 0;          // fixed_array
    std::vector<Type> components;    // array / fixed_array: the element; tuple: the members
    std::vector<std::string> names;  // tuple members' names (from ABI JSON), may be empty

    [[nodiscard]] bool dynamic() const {
        switch (kind) {
            case Kind::bytes:
            case Kind::string:
            case Kind::array: return true;
            case Kind::fixed_array: return components[0].dynamic();
            case Kind::tuple:
                for (const auto& c : components)
                    if (c.dynamic()) return true;
                return false;
            default: return false;
        }
    }
    // Bytes this type takes in a head: 32 for dynamic types, else its whole encoding.
    [[nodiscard]] std::size_t head_size() const {
        if (dynamic()) return 32;
        if (kind == Kind::fixed_array) return length * components[0].head_size();
        if (kind == Kind::tuple) {
            std::size_t n = 0;
            for (const auto& c : components) n += c.head_size();
            return n;
        }
        return 32;
    }
    [[nodiscard]] std::string canonical() const {
        switch (kind) {
            case Kind::uint: return "uint" + std::to_string(bits);
            case Kind::int_: return "int" + std::to_string(bits);
            case Kind::address: return "address";
            case Kind::boolean: return "bool";
            case Kind::fixed_bytes: return "bytes" + std::to_string(bits);
            case Kind::bytes: return "bytes";
            case Kind::string: return "string";
            case Kind::array: return components[0].canonical() + "[]";
            case Kind::fixed_array: {
                std::string s = components[0].canonical();
                s += '[';
                s += std::to_string(length);
                s += ']';
                return s;
            }
            case Kind::tuple: {
                std::string s = "(";
                for (std::size_t i = 0; i < components.size(); ++i) {
                    if (i) s += ',';
                    s += components[i].canonical();
                }
                return s + ")";
            }
        }
        return "?";
    }

    static Type parse(std::string_view text) {
        std::size_t pos = 0;
        Type t = parse_at(text, pos, 0);
        if (pos != text.size()) bad(text, "has trailing characters");
        return t;
    }
    // A compiler's ABI JSON parameter: {"type": "...", "components": [...]} for tuples.
    static Type from_json(const Json& p) {
        if (!p.is_object() || !p.contains("type") || !p["type"].is_string())
            throw EvmError(EvmErrorKind::bad_input, "abi: a parameter is an object with a \"type\" string");
        const std::string text = p["type"].get<std::string>();
        if (text.rfind("tuple", 0) != 0) return parse(text);
        if (!p.contains("components") || !p["components"].is_array() || p["components"].empty())
            throw EvmError(EvmErrorKind::bad_input, "abi: tuple parameter without components");
        Type tuple;
        tuple.kind = Kind::tuple;
        for (const auto& c : p["components"]) {
            tuple.components.push_back(from_json(c));
            tuple.names.push_back(c.value("name", std::string()));
        }
        Type t = std::move(tuple);
        std::size_t pos = 5;
        t = suffixes(text, pos, std::move(t));
        if (pos != text.size()) bad(text, "has trailing characters");
        return t;
    }

private:
    [[noreturn]] static void bad(std::string_view text, const std::string& why) {
        throw EvmError(EvmErrorKind::bad_input, "abi: type '" + std::string(text) + "' " + why);
    }
    static Type suffixes(std::string_view text, std::size_t& pos, Type t) {
        while (pos < text.size() && text[pos] == '[') {
            ++pos;
            Type a;
            if (pos < text.size() && text[pos] == ']') {
                a.kind = Kind::array;
            } else {
                std::size_t n = 0, digits = 0;
                while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
                    if (n > 1'000'000) bad(text, "has an array length above 10^6");
                    n = n * 10 + static_cast<std::size_t>(text[pos++] - '0');
                    ++digits;
                }
                if (digits == 0 || n == 0) bad(text, "has an array length that is not a positive integer");
                if (pos >= text.size() || text[pos] != ']') bad(text, "has an unclosed '['");
                a.kind = Kind::fixed_array;
                a.length = n;
            }
            ++pos;
            a.components.push_back(std::move(t));
            t = std::move(a);
        }
        return t;
    }
    static Type parse_at(std::string_view text, std::size_t& pos, int depth) {
        if (depth > 32) bad(text, "nests deeper than 32");
        Type t;
        if (pos < text.size() && text[pos] == '(') {
            ++pos;
            t.kind = Kind::tuple;
            if (pos < text.size() && text[pos] == ')') {
                bad(text, "has an empty tuple");
            } else {
                for (;;) {
                    t.components.push_back(parse_at(text, pos, depth + 1));
                    if (pos < text.size() && text[pos] == ',') {
                        ++pos;
                        continue;
                    }
                    if (pos < text.size() && text[pos] == ')') {
                        ++pos;
                        break;
                    }
                    bad(text, "has an unclosed '('");
                }
            }
            return suffixes(text, pos, std::move(t));
        }
        std::size_t end = pos;
        while (end < text.size() && ((text[end] >= 'a' && text[end] <= 'z') || (text[end] >= '0' && text[end] <= '9'))) ++end;
        const std::string_view base = text.substr(pos, end - pos);
        pos = end;
        const auto number = [&](std::string_view digits) -> unsigned {
            if (digits.empty() || digits.size() > 3 || digits[0] == '0') bad(text, "has a bad size");
            unsigned n = 0;
            for (const char c : digits) {
                if (c < '0' || c > '9') bad(text, "has a bad size");
                n = n * 10 + static_cast<unsigned>(c - '0');
            }
            return n;
        };
        if (base == "address") t.kind = Kind::address;
        else if (base == "bool") t.kind = Kind::boolean;
        else if (base == "string") t.kind = Kind::string;
        else if (base == "bytes") t.kind = Kind::bytes;
        else if (base == "uint" || base == "int") {
            t.kind = base == "uint" ? Kind::uint : Kind::int_;
            t.bits = 256;
        } else if (base.rfind("uint", 0) == 0 || base.rfind("int", 0) == 0) {
            const bool u = base[0] == 'u';
            t.kind = u ? Kind::uint : Kind::int_;
            t.bits = number(base.substr(u ? 4 : 3));
            if (t.bits % 8 || t.bits > 256) bad(text, "has an integer size that is not 8..256 in steps of 8");
        } else if (base.rfind("bytes", 0) == 0) {
            t.kind = Kind::fixed_bytes;
            t.bits = number(base.substr(5));
            if (t.bits > 32) bad(text, "has a bytesN with N above 32");
        } else {
            bad(text, "is not an ABI type");
        }
        return suffixes(text, pos, std::move(t));
    }
};

namespace detail {

[[noreturn]] inline void bad_value(const std::string& where, const Json& v, const std::string& why) {
    throw EvmError(EvmErrorKind::bad_input, "abi: " + where + ": " + xvm::detail::shown(v) + " " + why);
}

// Two's complement negation of a word.
inline Word negate(Word w) {
    for (auto& b : w) b = static_cast<std::uint8_t>(~b);
    for (int i = 31; i >= 0; --i)
        if (++w[static_cast<std::size_t>(i)] != 0) break;
    return w;
}
// Is w < 2^bits?
inline bool below_pow2(const Word& w, unsigned bits) {
    const std::size_t full = (256 - bits) / 8;
    for (std::size_t i = 0; i < full; ++i)
        if (w[i]) return false;
    return true;
}

inline Word int_word(const Type& t, const Json& v, const std::string& where) {
    bool negative = false;
    Json magnitude = v;
    if (v.is_number_integer() && v.get<std::int64_t>() < 0) {
        negative = true;
        magnitude = std::to_string(-(v.get<std::int64_t>() + 1)) ;  // |v| - 1, then + 1 below
    } else if (v.is_string() && !v.get_ref<const std::string&>().empty() && v.get_ref<const std::string&>()[0] == '-') {
        negative = true;
        magnitude = v.get<std::string>().substr(1);
    }
    Word w;
    try {
        w = xvm::to_abi_word(magnitude, where);
    } catch (const xvm::XvmError&) {
        bad_value(where, v, "is not an integer");
    }
    if (negative && v.is_number_integer()) (void)xvm::detail::mul_add(w, 1, 1);
    // |v| <= 2^(bits-1) - 1, or 2^(bits-1) when negative
    Word limit{};
    limit[31 - (t.bits - 1) / 8] = static_cast<std::uint8_t>(1u << ((t.bits - 1) % 8));  // 2^(bits-1)
    const bool above = w > limit, equal = w == limit;
    if (above || (equal && !negative)) bad_value(where, v, "is outside " + t.canonical());
    if (negative && !is_zero(w)) w = negate(w);
    return w;
}

inline void put_word(Bytes& out, const Word& w) { out.insert(out.end(), w.begin(), w.end()); }
inline void put_padded(Bytes& out, std::span<const std::uint8_t> b) {
    put_word(out, word_of(b.size()));
    out.insert(out.end(), b.begin(), b.end());
    out.resize(out.size() + (32 - b.size() % 32) % 32, 0);
}

void encode_tuple(Bytes& out, const std::vector<Type>& types, const std::vector<const Json*>& values, const std::string& where);

inline void encode_value(Bytes& out, const Type& t, const Json& v, const std::string& where) {
    using K = Type::Kind;
    switch (t.kind) {
        case K::uint: {
            if (v.is_boolean()) bad_value(where, v, "is not an integer");
            Word w;
            try {
                w = xvm::to_abi_word(v, where);
            } catch (const xvm::XvmError&) {
                bad_value(where, v, "is not an unsigned integer");
            }
            if (!below_pow2(w, t.bits)) bad_value(where, v, "does not fit " + t.canonical());
            put_word(out, w);
            return;
        }
        case K::int_: put_word(out, int_word(t, v, where)); return;
        case K::address: {
            if (!v.is_string()) bad_value(where, v, "is not an address string");
            const Address a = Address::parse(v.get<std::string>(), where);
            Word w{};
            std::copy(a.bytes.begin(), a.bytes.end(), w.begin() + 12);
            put_word(out, w);
            return;
        }
        case K::boolean:
            if (!v.is_boolean()) bad_value(where, v, "is not true or false");
            put_word(out, word_of(v.get<bool>() ? 1 : 0));
            return;
        case K::fixed_bytes: {
            if (!v.is_string()) bad_value(where, v, "is not a hex string");
            const Bytes b = bytes_from_hex(v.get<std::string>(), where);
            if (b.size() != t.bits) bad_value(where, v, "is not " + std::to_string(t.bits) + " bytes");
            Word w{};
            std::copy(b.begin(), b.end(), w.begin());
            put_word(out, w);
            return;
        }
        case K::bytes:
            if (!v.is_string()) bad_value(where, v, "is not a hex string");
            put_padded(out, bytes_from_hex(v.get<std::string>(), where));
            return;
        case K::string: {
            if (!v.is_string()) bad_value(where, v, "is not a string");
            const auto& s = v.get_ref<const std::string&>();
            put_padded(out, std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()));
            return;
        }
        case K::array:
        case K::fixed_array: {
            if (!v.is_array()) bad_value(where, v, "is not an array");
            if (t.kind == K::fixed_array && v.size() != t.length)
                bad_value(where, v, "has " + std::to_string(v.size()) + " elements, not " + std::to_string(t.length));
            if (t.kind == K::array) put_word(out, word_of(v.size()));
            std::vector<Type> types(v.size(), t.components[0]);
            std::vector<const Json*> values;
            for (const auto& x : v) values.push_back(&x);
            encode_tuple(out, types, values, where + "[]");
            return;
        }
        case K::tuple: {
            std::vector<const Json*> values;
            if (v.is_object()) {
                for (std::size_t i = 0; i < t.components.size(); ++i) {
                    const std::string n = i < t.names.size() ? t.names[i] : std::string();
                    if (n.empty() || !v.contains(n)) bad_value(where, v, "has no member '" + n + "'");
                    values.push_back(&v[n]);
                }
            } else if (v.is_array()) {
                if (v.size() != t.components.size())
                    bad_value(where, v, "has " + std::to_string(v.size()) + " members, not " + std::to_string(t.components.size()));
                for (const auto& x : v) values.push_back(&x);
            } else {
                bad_value(where, v, "is not a tuple (an array or an object)");
            }
            encode_tuple(out, t.components, values, where);
            return;
        }
    }
}

inline void encode_tuple(Bytes& out, const std::vector<Type>& types, const std::vector<const Json*>& values, const std::string& where) {
    std::size_t head = 0;
    for (const auto& t : types) head += t.head_size();
    Bytes heads, tails;
    for (std::size_t i = 0; i < types.size(); ++i) {
        std::string w = where;
        w += '.';
        w += std::to_string(i);
        if (types[i].dynamic()) {
            put_word(heads, word_of(head + tails.size()));
            encode_value(tails, types[i], *values[i], w);
        } else {
            encode_value(heads, types[i], *values[i], w);
        }
    }
    out.insert(out.end(), heads.begin(), heads.end());
    out.insert(out.end(), tails.begin(), tails.end());
}

// --- decoding ---------------------------------------------------------------------------

inline bool valid_utf8(std::span<const std::uint8_t> s) {
    for (std::size_t i = 0; i < s.size();) {
        const std::uint8_t c = s[i];
        if (c < 0x80) {
            ++i;
            continue;
        }
        std::size_t len = 0;
        std::uint32_t cp = 0;
        if ((c >> 5) == 6) len = 2, cp = c & 0x1fu;
        else if ((c >> 4) == 14) len = 3, cp = c & 0x0fu;
        else if ((c >> 3) == 30) len = 4, cp = c & 0x07u;
        else return false;
        if (len > s.size() - i) return false;
        for (std::size_t k = 1; k < len; ++k) {
            if ((s[i + k] >> 6) != 2) return false;
            cp = (cp << 6) | (s[i + k] & 0x3fu);
        }
        if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
            (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        i += len;
    }
    return true;
}

// The members of a tuple being decoded: a list of types, or one type n times (an array).
struct Members {
    const std::vector<Type>* list = nullptr;
    const Type* repeated = nullptr;
    std::size_t n = 0;
    [[nodiscard]] const Type& at(std::size_t i) const { return list ? (*list)[i] : *repeated; }
    [[nodiscard]] std::size_t size() const { return list ? list->size() : n; }
};

class Decoder {
public:
    Decoder(std::span<const std::uint8_t> data, EvmErrorKind kind) : data_(data), kind_(kind) {}

    Json tuple(const std::vector<Type>& types, const std::vector<std::string>& names, std::size_t base, std::size_t limit, int depth) {
        return members(Members{&types, nullptr, 0}, names, base, limit, depth);
    }
    Json members(const Members& types, const std::vector<std::string>& names, std::size_t base, std::size_t limit, int depth) {
        if (depth > 64) fail(base, "nesting deeper than 64");
        std::size_t head = 0;
        if (types.list) {
            for (const auto& t : *types.list) head += t.head_size();
        } else if (types.n) {
            const std::size_t each = types.repeated->head_size();
            if (types.n > (limit - base) / each) fail(base, std::to_string(types.n) + " elements past the end");
            head = types.n * each;
        }
        if (head > limit - base) fail(base, "a head of " + std::to_string(head) + " bytes past the end");
        bool named = types.size() != 0 && names.size() == types.size();
        for (const auto& n : names)
            if (n.empty()) named = false;
        Json out = named ? Json::object() : Json::array();
        std::size_t pos = base;
        for (std::size_t i = 0; i < types.size(); ++i) {
            Json v;
            const Type& t = types.at(i);
            if (t.dynamic()) {
                const std::size_t off = offset(pos, limit - base);
                v = value(t, base + off, limit, depth + 1);
            } else {
                v = value(t, pos, limit, depth + 1);
            }
            pos += t.head_size();
            if (named) out[names[i]] = std::move(v);
            else out.push_back(std::move(v));
        }
        return out;
    }

private:
    [[noreturn]] void fail(std::size_t at, const std::string& why) const {
        throw EvmError(kind_, "abi: " + why + " at byte " + std::to_string(at) + " of " + std::to_string(data_.size()));
    }
    Word word(std::size_t at, std::size_t limit) const {
        if (at > limit || limit - at < 32) fail(at, "a word past the end");
        Word w{};
        std::copy(data_.begin() + static_cast<std::ptrdiff_t>(at), data_.begin() + static_cast<std::ptrdiff_t>(at + 32), w.begin());
        return w;
    }
    std::size_t small(std::size_t at, std::size_t limit, std::string_view what) const {
        const Word w = word(at, limit);
        if (!xvm::detail::fits_u64(w) || xvm::detail::low_u64(w) > data_.size()) fail(at, std::string(what) + " beyond the data");
        return static_cast<std::size_t>(xvm::detail::low_u64(w));
    }
    std::size_t offset(std::size_t at, std::size_t span) const {
        const std::size_t off = small(at, data_.size(), "an offset");
        if (off > span) fail(at, "an offset past its tuple");
        return off;
    }
    std::span<const std::uint8_t> padded(std::size_t at, std::size_t limit) const {
        const std::size_t len = small(at, limit, "a length");
        const std::size_t start = at + 32;
        const std::size_t padded_len = len + (32 - len % 32) % 32;
        if (padded_len > limit - start) fail(at, "a length of " + std::to_string(len) + " bytes past the end");
        for (std::size_t k = start + len; k < start + padded_len; ++k)
            if (data_[k]) fail(k, "non-zero padding");
        return data_.subspan(start, len);
    }
    Json value(const Type& t, std::size_t at, std::size_t limit, int depth) {
        using K = Type::Kind;
        switch (t.kind) {
            case K::uint: {
                const Word w = word(at, limit);
                if (!below_pow2(w, t.bits)) fail(at, "a " + t.canonical() + " with high bits set");
                return xvm::abi_word_decimal(w);
            }
            case K::int_: {
                Word w = word(at, limit);
                const bool negative = w[0] & 0x80;
                // bytes above the value's width must all be the sign byte, and the top
                // bit of the value must agree with it
                const std::size_t full = (256 - t.bits) / 8;
                for (std::size_t i = 0; i < full; ++i)
                    if (w[i] != (negative ? 0xff : 0x00)) fail(at, "an " + t.canonical() + " without its sign extension");
                if (((w[full] & 0x80) != 0) != negative) fail(at, "an " + t.canonical() + " without its sign extension");
                if (!negative) return xvm::abi_word_decimal(w);
                return "-" + xvm::abi_word_decimal(negate(w));
            }
            case K::address: {
                const Word w = word(at, limit);
                for (std::size_t i = 0; i < 12; ++i)
                    if (w[i]) fail(at, "an address with high bytes set");
                Address a;
                std::copy(w.begin() + 12, w.end(), a.bytes.begin());
                return a.checksummed();
            }
            case K::boolean: {
                const Word w = word(at, limit);
                if (!below_pow2(w, 8) || w[31] > 1) fail(at, "a bool that is not 0 or 1");
                return w[31] == 1;
            }
            case K::fixed_bytes: {
                const Word w = word(at, limit);
                for (std::size_t i = t.bits; i < 32; ++i)
                    if (w[i]) fail(at, "a " + t.canonical() + " with bytes past its size");
                return to_hex(std::span<const std::uint8_t>(w.data(), t.bits));
            }
            case K::bytes: return to_hex(padded(at, limit));
            case K::string: {
                const auto b = padded(at, limit);
                if (!valid_utf8(b)) fail(at, "a string that is not UTF-8");
                return std::string(reinterpret_cast<const char*>(b.data()), b.size());
            }
            case K::array: {
                const std::size_t n = small(at, limit, "an array length");
                return members(Members{nullptr, &t.components[0], n}, {}, at + 32, limit, depth);
            }
            case K::fixed_array: return members(Members{nullptr, &t.components[0], t.length}, {}, at, limit, depth);
            case K::tuple: return tuple(t.components, t.names, at, limit, depth);
        }
        return {};
    }

    std::span<const std::uint8_t> data_;
    EvmErrorKind kind_;
};

}  // namespace detail

// Encodes `values` (a JSON array, one per type) as a tuple of `types`.
inline Bytes encode(const std::vector<Type>& types, const Json& values) {
    if (!values.is_array()) throw EvmError(EvmErrorKind::bad_input, "abi: the values are a JSON array");
    if (values.size() != types.size())
        throw EvmError(EvmErrorKind::bad_input, "abi: " + std::to_string(values.size()) + " values for " + std::to_string(types.size()) + " types");
    std::vector<const Json*> v;
    for (const auto& x : values) v.push_back(&x);
    Bytes out;
    detail::encode_tuple(out, types, v, "value");
    return out;
}
inline std::vector<Type> parse_types(const std::vector<std::string>& texts) {
    std::vector<Type> t;
    for (const auto& s : texts) t.push_back(Type::parse(s));
    return t;
}
// Decodes `data` as a tuple of `types`: a JSON array, or an object when `names` names all.
inline Json decode(const std::vector<Type>& types, std::span<const std::uint8_t> data,
                   EvmErrorKind kind = EvmErrorKind::malformed_response, const std::vector<std::string>& names = {}) {
    return detail::Decoder(data, kind).tuple(types, names, 0, data.size(), 0);
}

inline Hash keccak(std::string_view s) {
    return stark::Keccak256::hash(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()));
}
inline std::array<std::uint8_t, 4> selector(std::string_view signature) {
    const Hash h = keccak(signature);
    return {h[0], h[1], h[2], h[3]};
}

struct Param {
    std::string name;
    Type type;
    bool indexed = false;
};

namespace detail {
inline std::vector<Param> params(const Json& entry, const char* key) {
    std::vector<Param> out;
    if (!entry.contains(key)) return out;
    if (!entry[key].is_array()) throw EvmError(EvmErrorKind::bad_input, std::string("abi: '") + key + "' is not an array");
    for (const auto& p : entry[key]) out.push_back({p.value("name", std::string()), Type::from_json(p), p.value("indexed", false)});
    return out;
}
inline std::string signature(const std::string& name, const std::vector<Param>& ps) {
    std::string s = name + "(";
    for (std::size_t i = 0; i < ps.size(); ++i) {
        if (i) s += ',';
        s += ps[i].type.canonical();
    }
    return s + ")";
}
inline std::vector<Type> types_of(const std::vector<Param>& ps) {
    std::vector<Type> t;
    for (const auto& p : ps) t.push_back(p.type);
    return t;
}
inline std::vector<std::string> names_of(const std::vector<Param>& ps) {
    std::vector<std::string> n;
    for (const auto& p : ps) n.push_back(p.name);
    return n;
}
// Arguments: a JSON array in order, or an object by parameter name.
inline Json ordered(const std::vector<Param>& ps, const Json& args, const std::string& what) {
    if (args.is_array()) return args;
    if (args.is_null() && ps.empty()) return Json::array();
    if (!args.is_object()) throw EvmError(EvmErrorKind::bad_input, "abi: the arguments of " + what + " are an array or an object by name");
    Json out = Json::array();
    for (const auto& p : ps) {
        if (p.name.empty() || !args.contains(p.name))
            throw EvmError(EvmErrorKind::bad_input, "abi: " + what + " needs argument '" + p.name + "'");
        out.push_back(args[p.name]);
    }
    if (args.size() != ps.size()) throw EvmError(EvmErrorKind::bad_input, "abi: " + what + " has arguments it does not take");
    return out;
}
}  // namespace detail

struct Function {
    std::string name;
    std::vector<Param> inputs, outputs;
    std::string mutability = "nonpayable";

    [[nodiscard]] std::string signature() const { return detail::signature(name, inputs); }
    [[nodiscard]] std::array<std::uint8_t, 4> selector() const { return abi::selector(signature()); }
    [[nodiscard]] bool read_only() const { return mutability == "view" || mutability == "pure"; }
    [[nodiscard]] Bytes encode_call(const Json& args) const {
        const auto s = selector();
        Bytes out(s.begin(), s.end());
        const Bytes body = encode(detail::types_of(inputs), detail::ordered(inputs, args, signature()));
        out.insert(out.end(), body.begin(), body.end());
        return out;
    }
    [[nodiscard]] Json decode_output(std::span<const std::uint8_t> data) const {
        return decode(detail::types_of(outputs), data, EvmErrorKind::malformed_response, detail::names_of(outputs));
    }
};

struct Event {
    std::string name;
    std::vector<Param> inputs;
    bool anonymous = false;

    [[nodiscard]] std::string signature() const { return detail::signature(name, inputs); }
    [[nodiscard]] Hash topic() const { return keccak(signature()); }
    // The event's arguments by name (or position) from a log's topics and data. An indexed
    // argument of a dynamic type is only its Keccak-256 in the topic: it decodes to that
    // hash's hex.
    [[nodiscard]] Json decode(const std::vector<Hash>& topics, std::span<const std::uint8_t> data) const {
        const std::size_t first = anonymous ? 0 : 1;
        std::size_t indexed = 0;
        for (const auto& p : inputs) indexed += p.indexed;
        if (topics.size() != first + indexed)
            throw EvmError(EvmErrorKind::malformed_response, "abi: event " + signature() + " has " + std::to_string(topics.size()) +
                                                                 " topics, not " + std::to_string(first + indexed));
        if (!anonymous && topics[0] != topic())
            throw EvmError(EvmErrorKind::malformed_response, "abi: the log's first topic is not " + signature() + "'s");
        std::vector<Param> plain;
        for (const auto& p : inputs)
            if (!p.indexed) plain.push_back(p);
        const Json body = abi::decode(detail::types_of(plain), data, EvmErrorKind::malformed_response);
        Json out = Json::object();
        std::size_t t = first, d = 0;
        for (std::size_t i = 0; i < inputs.size(); ++i) {
            const auto& p = inputs[i];
            const std::string key = p.name.empty() ? std::to_string(i) : p.name;
            if (!p.indexed) {
                out[key] = body[d++];
            } else if (p.type.dynamic() || p.type.kind == Type::Kind::tuple || p.type.kind == Type::Kind::fixed_array) {
                out[key] = to_hex(topics[t++]);
            } else {
                out[key] = abi::decode({p.type}, topics[t++], EvmErrorKind::malformed_response)[0];
            }
        }
        return out;
    }
};

struct ErrorDef {
    std::string name;
    std::vector<Param> inputs;
    [[nodiscard]] std::string signature() const { return detail::signature(name, inputs); }
};

// Revert data as words: Error(string) -> its string; Panic(uint256) -> "panic 0x.. (what)";
// a custom error of `errors` -> "Name(arg, ...)"; else "custom error 0x<selector>..." or ""
// for no data.
inline std::string describe_revert(std::span<const std::uint8_t> data, const std::vector<ErrorDef>& errors = {}) {
    if (data.empty()) return "";
    const auto hexed = [&] { return "revert data " + to_hex(data.subspan(0, std::min<std::size_t>(data.size(), 68))); };
    if (data.size() < 4) return hexed();
    const std::array<std::uint8_t, 4> sel{data[0], data[1], data[2], data[3]};
    const auto body = data.subspan(4);
    try {
        if (sel == selector("Error(string)")) return decode({Type::parse("string")}, body)[0].get<std::string>();
        if (sel == selector("Panic(uint256)")) {
            const std::string code = decode({Type::parse("uint256")}, body)[0].get<std::string>();
            const auto c = std::stoull(code.size() > 6 ? "999999" : code);
            const char* what = c == 0x01 ? "assertion failed" : c == 0x11 ? "arithmetic overflow or underflow"
                             : c == 0x12 ? "division or modulo by zero" : c == 0x21 ? "invalid enum value"
                             : c == 0x22 ? "bad storage byte array" : c == 0x31 ? "pop on an empty array"
                             : c == 0x32 ? "array index out of bounds" : c == 0x41 ? "out of memory"
                             : c == 0x51 ? "call to an uninitialised function" : "unknown panic";
            std::string s = "panic ";
            s += quantity(static_cast<std::uint64_t>(c));
            s += " (";
            s += what;
            s += ")";
            return s;
        }
        for (const auto& e : errors) {
            if (selector(e.signature()) != sel) continue;
            const Json args = decode(detail::types_of(e.inputs), body);
            std::string s = e.name + "(";
            for (std::size_t i = 0; i < args.size(); ++i) {
                if (i) s += ", ";
                s += args[i].is_string() ? args[i].get<std::string>() : args[i].dump();
            }
            return s + ")";
        }
    } catch (const EvmError&) {
        return hexed();
    }
    return "custom error " + hexed();
}

// A contract's interface from its compiler ABI JSON.
class Interface {
public:
    Interface() = default;
    explicit Interface(const Json& abi) {
        if (!abi.is_array()) throw EvmError(EvmErrorKind::bad_input, "abi: a contract ABI is a JSON array");
        for (const auto& e : abi) {
            if (!e.is_object()) throw EvmError(EvmErrorKind::bad_input, "abi: an ABI entry is an object");
            const std::string type = e.value("type", std::string("function"));
            const std::string name = e.value("name", std::string());
            if (type == "function") functions_.push_back({name, detail::params(e, "inputs"), detail::params(e, "outputs"),
                                                          e.value("stateMutability", std::string("nonpayable"))});
            else if (type == "event") events_.push_back({name, detail::params(e, "inputs"), e.value("anonymous", false)});
            else if (type == "error") errors_.push_back({name, detail::params(e, "inputs")});
            else if (type == "constructor") constructor_ = detail::params(e, "inputs");
        }
    }
    // By name, or by signature "name(types)" where the name is overloaded.
    [[nodiscard]] const Function& function(const std::string& name) const {
        const Function* found = nullptr;
        for (const auto& f : functions_) {
            if (f.signature() == name) return f;
            if (f.name == name) {
                if (found) throw EvmError(EvmErrorKind::bad_input, "abi: function '" + name + "' is overloaded; name it by its signature");
                found = &f;
            }
        }
        if (!found) throw EvmError(EvmErrorKind::bad_input, "abi: the contract has no function '" + name + "'");
        return *found;
    }
    [[nodiscard]] const Event& event(const std::string& name) const {
        for (const auto& e : events_)
            if (e.name == name || e.signature() == name) return e;
        throw EvmError(EvmErrorKind::bad_input, "abi: the contract has no event '" + name + "'");
    }
    [[nodiscard]] const Event* event_by_topic(const Hash& topic) const {
        for (const auto& e : events_)
            if (!e.anonymous && e.topic() == topic) return &e;
        return nullptr;
    }
    [[nodiscard]] Bytes encode_constructor(const Json& args) const {
        return encode(detail::types_of(constructor_), detail::ordered(constructor_, args, "the constructor"));
    }
    [[nodiscard]] const std::vector<ErrorDef>& errors() const noexcept { return errors_; }
    [[nodiscard]] const std::vector<Function>& functions() const noexcept { return functions_; }
    [[nodiscard]] const std::vector<Event>& events() const noexcept { return events_; }

private:
    std::vector<Function> functions_;
    std::vector<Event> events_;
    std::vector<ErrorDef> errors_;
    std::vector<Param> constructor_;
};

}  // namespace causality::evm::abi
