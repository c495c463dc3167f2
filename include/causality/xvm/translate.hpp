// causality/xvm/translate.hpp — moving values between the formats domains speak.
//
// A native zkVM speaks field elements (an integer below the field's modulus) and 32-bit
// words; an EVM speaks 32-byte ABI words (big-endian unsigned); the ledger domain and the
// plan files speak JSON (numbers, decimal strings, "0x" hex strings, booleans). Every
// conversion goes through an unsigned 256-bit value and refuses what does not fit:
// a negative or fractional number, a string that is not a decimal or hex integer, a value
// at or above a field's modulus or above 2^64 - 1 where a 64-bit value is wanted. The
// refusal is XvmError(translation) naming the value, what it was for, and the bound.
#pragma once

#include <causality/xvm/errors.hpp>

#include <nlohmann/json.hpp>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace causality::xvm {

using Json = nlohmann::json;

// A 32-byte ABI word, big-endian.
using AbiWord = std::array<std::uint8_t, 32>;

enum class Format : std::uint8_t {
    json,     // the value as it is
    u64,      // a JSON number below 2^64
    decimal,  // a JSON string of decimal digits (any size up to 2^256 - 1)
    abi_word, // "0x" and 64 hex digits
    field,    // a JSON number below the modulus given with the conversion
};

namespace detail {

inline std::string shown(const Json& v) {
    std::string s = v.dump();
    if (s.size() > 80) s = s.substr(0, 77) + "...";
    return s;
}
[[noreturn]] inline void untranslatable(const Json& v, std::string_view what, std::string_view why) {
    throw XvmError(XvmErrorKind::translation, std::string(what) + ": " + shown(v) + " " + std::string(why));
}
// word = word * mul + add; false on overflow past 2^256.
inline bool mul_add(AbiWord& w, unsigned mul, unsigned add) {
    unsigned carry = add;
    for (int i = 31; i >= 0; --i) {
        const unsigned x = static_cast<unsigned>(w[static_cast<std::size_t>(i)]) * mul + carry;
        w[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(x & 0xff);
        carry = x >> 8;
    }
    return carry == 0;
}
inline int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}
inline bool fits_u64(const AbiWord& w) {
    for (std::size_t i = 0; i < 24; ++i)
        if (w[i] != 0) return false;
    return true;
}
inline std::uint64_t low_u64(const AbiWord& w) {
    std::uint64_t x = 0;
    for (std::size_t i = 24; i < 32; ++i) x = (x << 8) | w[i];
    return x;
}

}  // namespace detail

// The unsigned integer a JSON value denotes: a non-negative integer number, a decimal
// string, a "0x" hex string (at most 64 digits) or a boolean (0 / 1).
inline AbiWord to_abi_word(const Json& v, std::string_view what = "value") {
    AbiWord w{};
    if (v.is_boolean()) {
        w[31] = v.get<bool>() ? 1 : 0;
        return w;
    }
    if (v.is_number_unsigned()) {
        std::uint64_t x = v.get<std::uint64_t>();
        for (int i = 31; i >= 24; --i, x >>= 8) w[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(x & 0xff);
        return w;
    }
    if (v.is_number_integer()) {
        if (v.get<std::int64_t>() < 0) detail::untranslatable(v, what, "is negative; the target format holds unsigned integers");
        return to_abi_word(Json(v.get<std::uint64_t>()), what);
    }
    if (v.is_number_float()) detail::untranslatable(v, what, "is not an integer");
    if (!v.is_string()) detail::untranslatable(v, what, "is not an integer, a decimal or hex string, or a boolean");
    const auto& s = v.get_ref<const std::string&>();
    if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        if (s.size() - 2 > 64) detail::untranslatable(v, what, "has more than 64 hex digits (over 256 bits)");
        for (std::size_t i = 2; i < s.size(); ++i) {
            const int d = detail::hex_digit(s[i]);
            if (d < 0) detail::untranslatable(v, what, "is not a hex string");
            detail::mul_add(w, 16, static_cast<unsigned>(d));
        }
        return w;
    }
    if (s.empty()) detail::untranslatable(v, what, "is an empty string");
    for (const char c : s) {
        if (c < '0' || c > '9') detail::untranslatable(v, what, "is not a decimal string");
        if (!detail::mul_add(w, 10, static_cast<unsigned>(c - '0')))
            detail::untranslatable(v, what, "is above 2^256 - 1");
    }
    return w;
}

inline std::string abi_word_hex(const AbiWord& w) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string s = "0x";
    for (const std::uint8_t b : w) {
        s += digits[b >> 4];
        s += digits[b & 15];
    }
    return s;
}
inline std::string abi_word_decimal(AbiWord w) {
    std::string s;
    bool zero = false;
    while (!zero) {
        unsigned rem = 0;
        zero = true;
        for (auto& b : w) {
            const unsigned x = (rem << 8) | b;
            b = static_cast<std::uint8_t>(x / 10);
            rem = x % 10;
            if (b) zero = false;
        }
        s.insert(s.begin(), static_cast<char>('0' + rem));
    }
    return s;
}

inline std::uint64_t to_u64(const Json& v, std::string_view what = "value") {
    const AbiWord w = to_abi_word(v, what);
    if (!detail::fits_u64(w)) detail::untranslatable(v, what, "is above 2^64 - 1");
    return detail::low_u64(w);
}
// A field element: below `modulus`.
inline std::uint64_t to_field(const Json& v, std::uint64_t modulus, std::string_view what = "value") {
    const AbiWord w = to_abi_word(v, what);
    if (!detail::fits_u64(w) || detail::low_u64(w) >= modulus)
        detail::untranslatable(v, what, "is not below the field's modulus " + std::to_string(modulus));
    return detail::low_u64(w);
}

// The value in `to`'s representation (`modulus` for Format::field).
inline Json translate(const Json& v, Format to, std::uint64_t modulus = 0, std::string_view what = "value") {
    switch (to) {
        case Format::json: return v;
        case Format::u64: return to_u64(v, what);
        case Format::decimal: return abi_word_decimal(to_abi_word(v, what));
        case Format::abi_word: return abi_word_hex(to_abi_word(v, what));
        case Format::field:
            if (modulus < 2) throw XvmError(XvmErrorKind::bad_config, std::string(what) + ": a field needs a modulus");
            return to_field(v, modulus, what);
    }
    return v;
}

// "json", "u64", "decimal", "abi_word", "field:<modulus>" (plan files name formats so).
inline std::pair<Format, std::uint64_t> parse_format(std::string_view name) {
    if (name == "json") return {Format::json, 0};
    if (name == "u64") return {Format::u64, 0};
    if (name == "decimal") return {Format::decimal, 0};
    if (name == "abi_word") return {Format::abi_word, 0};
    if (name.starts_with("field:")) {
        const std::uint64_t p = to_u64(Json(std::string(name.substr(6))), "the modulus of a field format");
        if (p < 2) throw XvmError(XvmErrorKind::bad_config, "format " + std::string(name) + ": the modulus must be at least 2");
        return {Format::field, p};
    }
    throw XvmError(XvmErrorKind::bad_config,
                   "unknown format '" + std::string(name) + "' (json, u64, decimal, abi_word or field:<modulus>)");
}

}  // namespace causality::xvm
