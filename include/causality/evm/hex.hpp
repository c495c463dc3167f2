// causality/evm/hex.hpp — bytes, quantities and 256-bit words as the Ethereum JSON-RPC
// writes them: data as "0x" and an even number of hex digits, quantities as "0x" and hex
// digits without leading zeros ("0x0" for zero). Parsing is strict about the prefix and
// the digits and bounded in size; a failure is EvmError of the kind the caller names
// (bad_input for values a user gave, malformed_response for what a node answered).
#pragma once

#include <causality/evm/errors.hpp>
#include <causality/xvm/translate.hpp>

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace causality::evm {

using Bytes = std::vector<std::uint8_t>;
using Word = xvm::AbiWord;  // 256 bits, big-endian
using Hash = std::array<std::uint8_t, 32>;

// ASCII lower case (node messages are compared case-blind).
inline std::string lowercase(std::string s) {
    for (auto& c : s) c = static_cast<char>((c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c);
    return s;
}
// A node's refusal of a nonce it has seen used ("nonce too low").
inline bool nonce_too_low(const EvmError& e) {
    return e.evm_kind() == EvmErrorKind::rpc && lowercase(e.reason()).find("nonce too low") != std::string::npos;
}

inline std::string to_hex(std::span<const std::uint8_t> b, bool prefix = true) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string s = prefix ? "0x" : "";
    s.reserve(s.size() + 2 * b.size());
    for (const std::uint8_t x : b) {
        s += digits[x >> 4];
        s += digits[x & 15];
    }
    return s;
}

// "0x..." with an even number of digits (at most max_bytes bytes).
inline Bytes bytes_from_hex(std::string_view s, std::string_view what, EvmErrorKind kind = EvmErrorKind::bad_input,
                            std::size_t max_bytes = std::size_t{1} << 26) {
    if (s.size() < 2 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
        throw EvmError(kind, std::string(what) + " is not 0x-prefixed hex");
    s.remove_prefix(2);
    if (s.size() % 2) throw EvmError(kind, std::string(what) + " has an odd number of hex digits");
    if (s.size() / 2 > max_bytes)
        throw EvmError(kind, std::string(what) + " is longer than " + std::to_string(max_bytes) + " bytes");
    Bytes out(s.size() / 2);
    for (std::size_t i = 0; i < out.size(); ++i) {
        const int hi = xvm::detail::hex_digit(s[2 * i]), lo = xvm::detail::hex_digit(s[2 * i + 1]);
        if (hi < 0 || lo < 0) throw EvmError(kind, std::string(what) + " is not hex");
        out[i] = static_cast<std::uint8_t>(hi * 16 + lo);
    }
    return out;
}

template <std::size_t N>
std::array<std::uint8_t, N> fixed_from_hex(std::string_view s, std::string_view what, EvmErrorKind kind = EvmErrorKind::bad_input) {
    const Bytes b = bytes_from_hex(s, what, kind, N);
    if (b.size() != N) throw EvmError(kind, std::string(what) + " is " + std::to_string(b.size()) + " bytes, not " + std::to_string(N));
    std::array<std::uint8_t, N> out{};
    std::copy(b.begin(), b.end(), out.begin());
    return out;
}

// A quantity "0x1a2b" (up to 256 bits) as a word.
inline Word word_from_quantity(std::string_view s, std::string_view what, EvmErrorKind kind = EvmErrorKind::malformed_response) {
    if (s.size() < 3 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
        throw EvmError(kind, std::string(what) + " is not a 0x quantity");
    s.remove_prefix(2);
    if (s.size() > 64) throw EvmError(kind, std::string(what) + " is above 2^256");
    Word w{};
    for (const char c : s) {
        const int d = xvm::detail::hex_digit(c);
        if (d < 0) throw EvmError(kind, std::string(what) + " is not hex");
        (void)xvm::detail::mul_add(w, 16, static_cast<unsigned>(d));
    }
    return w;
}
inline std::uint64_t u64_from_quantity(std::string_view s, std::string_view what, EvmErrorKind kind = EvmErrorKind::malformed_response) {
    const Word w = word_from_quantity(s, what, kind);
    if (!xvm::detail::fits_u64(w)) throw EvmError(kind, std::string(what) + " is above 2^64 - 1");
    return xvm::detail::low_u64(w);
}
inline std::string quantity(std::uint64_t v) {
    static constexpr char digits[] = "0123456789abcdef";
    if (v == 0) return "0x0";
    std::string s;
    while (v) {
        s.insert(s.begin(), digits[v & 15]);
        v >>= 4;
    }
    return "0x" + s;
}
inline std::string quantity(const Word& w) {
    std::string s = xvm::abi_word_hex(w).substr(2);
    const auto nz = s.find_first_not_of('0');
    return nz == std::string::npos ? "0x0" : "0x" + s.substr(nz);
}
inline Word word_of(std::uint64_t v) {
    Word w{};
    for (int i = 0; i < 8; ++i) w[static_cast<std::size_t>(31 - i)] = static_cast<std::uint8_t>(v >> (8 * i));
    return w;
}
inline bool is_zero(const Word& w) {
    for (const auto b : w)
        if (b) return false;
    return true;
}

}  // namespace causality::evm
