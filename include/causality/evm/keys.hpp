// causality/evm/keys.hpp — secp256k1 keys, Ethereum addresses and recoverable signatures,
// through libsecp256k1 (Debian's libsecp256k1-dev, with its recovery module).
//
// PrivateKey holds 32 bytes that are a valid scalar (0 < k < n), read from hex, a file or
// an environment variable; it never prints itself (no stream operator, no to_string), its
// errors never quote it, and its bytes are wiped when it is destroyed. address() is the
// last 20 bytes of Keccak-256 of the uncompressed public key (without the 0x04 prefix).
// sign(hash) is deterministic (RFC 6979, libsecp256k1's default nonce) and low-s (EIP-2);
// recover(hash, signature) gives the signer's address and refuses a high-s signature, a
// recovery id other than 0 or 1 and r or s outside the group.
#pragma once

#include <causality/evm/hex.hpp>
#include <causality/stark/hash/keccak.hpp>

#include <secp256k1.h>
#include <secp256k1_recovery.h>

#include <array>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

namespace causality::evm {

struct Address {
    std::array<std::uint8_t, 20> bytes{};
    friend bool operator==(const Address&, const Address&) = default;
    friend auto operator<=>(const Address&, const Address&) = default;

    // "0x" + 40 hex digits, either case (a mixed-case address must carry a valid EIP-55
    // checksum).
    static Address parse(std::string_view s, std::string_view what = "address", EvmErrorKind kind = EvmErrorKind::bad_input) {
        Address a;
        a.bytes = fixed_from_hex<20>(s, what, kind);
        const std::string_view digits = s.substr(2);
        bool lower = false, upper = false;
        for (const char c : digits) {
            lower |= (c >= 'a' && c <= 'f');
            upper |= (c >= 'A' && c <= 'F');
        }
        if (lower && upper && a.checksummed() != s)
            throw EvmError(kind, std::string(what) + " " + std::string(s) + " has a wrong EIP-55 checksum");
        return a;
    }
    [[nodiscard]] std::string hex() const { return to_hex(bytes); }
    // EIP-55: a hex digit is upper case when the matching nibble of Keccak-256 of the
    // lower-case hex is 8 or more.
    [[nodiscard]] std::string checksummed() const {
        const std::string lower = to_hex(bytes, false);
        const auto h = stark::Keccak256::hash(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(lower.data()), lower.size()));
        std::string out = "0x";
        for (std::size_t i = 0; i < lower.size(); ++i) {
            const unsigned nibble = (h[i / 2] >> (i % 2 ? 0 : 4)) & 15;
            const char c = lower[i];
            out += (c >= 'a' && nibble >= 8) ? static_cast<char>(c - 'a' + 'A') : c;
        }
        return out;
    }
};

struct Signature {
    std::array<std::uint8_t, 32> r{}, s{};
    std::uint8_t recovery_id = 0;  // y parity: 0 or 1
    friend bool operator==(const Signature&, const Signature&) = default;
};

namespace detail {
inline const secp256k1_context* secp_context() {
    static const struct Holder {
        secp256k1_context* ctx;
        Holder() : ctx(secp256k1_context_create(SECP256K1_CONTEXT_NONE)) {
            std::array<std::uint8_t, 32> seed{};
            std::random_device rd;
            for (auto& b : seed) b = static_cast<std::uint8_t>(rd());
            if (!secp256k1_context_randomize(ctx, seed.data())) {  // side-channel blinding; never fails on a fresh context
            }
        }
        ~Holder() { secp256k1_context_destroy(ctx); }
    } holder;
    return holder.ctx;
}
inline Address address_of(const secp256k1_pubkey& pub) {
    std::array<std::uint8_t, 65> out{};
    std::size_t len = out.size();
    secp256k1_ec_pubkey_serialize(secp_context(), out.data(), &len, &pub, SECP256K1_EC_UNCOMPRESSED);
    const auto h = stark::Keccak256::hash(std::span<const std::uint8_t>(out.data() + 1, 64));
    Address a;
    std::copy(h.begin() + 12, h.end(), a.bytes.begin());
    return a;
}
inline std::string trimmed(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ' || s.back() == '\t')) s.pop_back();
    std::size_t i = 0;
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    return s.substr(i);
}
}  // namespace detail

class PrivateKey {
public:
    // 0x and 64 hex digits (the "0x" may be left out). `source` names where it came from in
    // errors (never the key itself).
    static PrivateKey from_hex(std::string text, std::string_view source = "the key") {
        text = detail::trimmed(std::move(text));
        if (text.size() == 64) text = "0x" + text;
        PrivateKey k;
        try {
            k.bytes_ = fixed_from_hex<32>(text, source, EvmErrorKind::key);
        } catch (const EvmError&) {
            wipe(text);
            throw EvmError(EvmErrorKind::key, std::string(source) + " is not 32 bytes of hex");
        }
        wipe(text);
        if (!secp256k1_ec_seckey_verify(detail::secp_context(), k.bytes_.data()))
            throw EvmError(EvmErrorKind::key, std::string(source) + " is not a valid secp256k1 scalar (zero or not below the group order)");
        return k;
    }
    static PrivateKey from_file(const std::string& path) {
        std::ifstream f(path, std::ios::binary);
        if (!f) throw EvmError(EvmErrorKind::key, "cannot read the key file " + path);
        std::stringstream ss;
        ss << f.rdbuf();
        std::string text = ss.str();
        return from_hex(std::move(text), "the key in " + path);
    }
    static PrivateKey from_env(const std::string& variable) {
        const char* v = std::getenv(variable.c_str());
        if (!v) throw EvmError(EvmErrorKind::key, "the environment variable " + variable + " holding the key is not set");
        return from_hex(v, "the key in $" + variable);
    }

    PrivateKey(const PrivateKey& o) = default;
    PrivateKey& operator=(const PrivateKey& o) = default;
    ~PrivateKey() { wipe(bytes_); }

    [[nodiscard]] Address address() const {
        secp256k1_pubkey pub;
        if (!secp256k1_ec_pubkey_create(detail::secp_context(), &pub, bytes_.data()))
            throw EvmError(EvmErrorKind::key, "cannot derive the public key");
        return detail::address_of(pub);
    }
    [[nodiscard]] Signature sign(const Hash& hash) const {
        secp256k1_ecdsa_recoverable_signature sig;
        if (!secp256k1_ecdsa_sign_recoverable(detail::secp_context(), &sig, hash.data(), bytes_.data(), nullptr, nullptr))
            throw EvmError(EvmErrorKind::key, "signing failed");
        std::array<std::uint8_t, 64> compact{};
        int recid = 0;
        secp256k1_ecdsa_recoverable_signature_serialize_compact(detail::secp_context(), compact.data(), &recid, &sig);
        Signature s;
        std::copy(compact.begin(), compact.begin() + 32, s.r.begin());
        std::copy(compact.begin() + 32, compact.end(), s.s.begin());
        s.recovery_id = static_cast<std::uint8_t>(recid);
        return s;
    }

private:
    PrivateKey() = default;
    template <class C>
    static void wipe(C& c) noexcept {
        volatile auto* p = reinterpret_cast<volatile unsigned char*>(c.data());
        for (std::size_t i = 0; i < c.size() * sizeof(typename C::value_type); ++i) p[i] = 0;
    }
    std::array<std::uint8_t, 32> bytes_{};
};

// The address that signed `hash`; EvmError(bad_input) for a signature that does not
// recover (r or s zero or not below n, a high s, a recovery id above 1).
inline Address recover(const Hash& hash, const Signature& sig) {
    if (sig.recovery_id > 1) throw EvmError(EvmErrorKind::bad_input, "signature: recovery id " + std::to_string(sig.recovery_id) + " is not 0 or 1");
    std::array<std::uint8_t, 64> compact{};
    std::copy(sig.r.begin(), sig.r.end(), compact.begin());
    std::copy(sig.s.begin(), sig.s.end(), compact.begin() + 32);
    secp256k1_ecdsa_recoverable_signature rs;
    if (!secp256k1_ecdsa_recoverable_signature_parse_compact(detail::secp_context(), &rs, compact.data(), sig.recovery_id))
        throw EvmError(EvmErrorKind::bad_input, "signature: r or s is not below the group order");
    secp256k1_ecdsa_signature plain, normal;
    secp256k1_ecdsa_recoverable_signature_convert(detail::secp_context(), &plain, &rs);
    if (secp256k1_ecdsa_signature_normalize(detail::secp_context(), &normal, &plain))
        throw EvmError(EvmErrorKind::bad_input, "signature: s is in the upper half of the order (EIP-2)");
    secp256k1_pubkey pub;
    if (!secp256k1_ecdsa_recover(detail::secp_context(), &pub, &rs, hash.data()))
        throw EvmError(EvmErrorKind::bad_input, "signature: no public key recovers from it");
    return detail::address_of(pub);
}

}  // namespace causality::evm
