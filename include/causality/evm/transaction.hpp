// causality/evm/transaction.hpp — signed Ethereum transactions.
//
// Eip1559Transaction (type 2, EIP-1559 with EIP-2718's envelope): the signing hash is
// Keccak-256(0x02 || rlp([chain_id, nonce, max_priority_fee, max_fee, gas, to, value,
// data, access_list])), the signed bytes 0x02 || rlp([... the same nine ..., y_parity, r,
// s]) and the transaction hash Keccak-256 of the signed bytes. `to` empty is a contract
// creation. The access list is always empty here (we never send one).
// LegacyTransaction (EIP-155) is kept for its published test vector and for nodes that
// take nothing else: rlp([nonce, gas_price, gas, to, value, data, chain_id, 0, 0]) signed,
// v = chain_id * 2 + 35 + y_parity.
// decode_eip1559 parses signed bytes back (strict RLP, type byte, nine fields then three)
// and recovers the sender, so that a round trip checks the whole encoding.
#pragma once

#include <causality/evm/keys.hpp>
#include <causality/evm/rlp.hpp>

#include <optional>

namespace causality::evm {

namespace detail {
// to (empty for a creation), value, data: the tail both transaction types share.
inline void put_call(Bytes& p, const std::optional<Address>& to, const Word& value, const Bytes& data) {
    if (to) rlp::put_bytes(p, to->bytes);
    else rlp::put_bytes(p, {});
    rlp::put_uint(p, value);
    rlp::put_bytes(p, data);
}
inline void put_rs(Bytes& p, const Signature& sig) {
    Word r{}, s{};
    std::copy(sig.r.begin(), sig.r.end(), r.begin());
    std::copy(sig.s.begin(), sig.s.end(), s.begin());
    rlp::put_uint(p, r);
    rlp::put_uint(p, s);
}
}  // namespace detail

struct Eip1559Transaction {
    std::uint64_t chain_id = 1;
    std::uint64_t nonce = 0;
    std::uint64_t max_priority_fee = 0;  // wei per gas
    std::uint64_t max_fee = 0;           // wei per gas
    std::uint64_t gas = 21000;
    std::optional<Address> to;           // none: create a contract from `data`
    Word value{};
    Bytes data;

    [[nodiscard]] Bytes fields() const {
        Bytes p;
        rlp::put_uint(p, chain_id);
        rlp::put_uint(p, nonce);
        rlp::put_uint(p, max_priority_fee);
        rlp::put_uint(p, max_fee);
        rlp::put_uint(p, gas);
        detail::put_call(p, to, value, data);
        rlp::put_list(p, {});  // access list
        return p;
    }
    [[nodiscard]] Hash signing_hash() const {
        Bytes b{0x02};
        rlp::put_list(b, fields());
        return stark::Keccak256::hash(b);
    }
    [[nodiscard]] Bytes encode_signed(const Signature& sig) const {
        Bytes p = fields();
        rlp::put_uint(p, sig.recovery_id);
        detail::put_rs(p, sig);
        Bytes b{0x02};
        rlp::put_list(b, p);
        return b;
    }
    [[nodiscard]] Bytes sign(const PrivateKey& key) const { return encode_signed(key.sign(signing_hash())); }
};

inline Hash transaction_hash(std::span<const std::uint8_t> signed_bytes) { return stark::Keccak256::hash(signed_bytes); }

struct DecodedTransaction {
    Eip1559Transaction tx;
    Signature signature;
    Address sender;
};

inline DecodedTransaction decode_eip1559(std::span<const std::uint8_t> b) {
    if (b.empty() || b[0] != 0x02) throw EvmError(EvmErrorKind::malformed_response, "transaction: not an EIP-1559 (type 2) envelope");
    const rlp::Item it = rlp::decode(b.subspan(1));
    if (!it.is_list || it.items.size() != 12)
        throw EvmError(EvmErrorKind::malformed_response, "transaction: a type-2 transaction is a list of 12 fields");
    const auto& f = it.items;
    DecodedTransaction d;
    d.tx.chain_id = f[0].as_u64("chain id");
    d.tx.nonce = f[1].as_u64("nonce");
    d.tx.max_priority_fee = f[2].as_u64("max priority fee");
    d.tx.max_fee = f[3].as_u64("max fee");
    d.tx.gas = f[4].as_u64("gas");
    if (f[5].is_list || (f[5].bytes.size() != 0 && f[5].bytes.size() != 20))
        throw EvmError(EvmErrorKind::malformed_response, "transaction: 'to' is neither empty nor 20 bytes");
    if (f[5].bytes.size() == 20) {
        Address a;
        std::copy(f[5].bytes.begin(), f[5].bytes.end(), a.bytes.begin());
        d.tx.to = a;
    }
    d.tx.value = f[6].as_word("value");
    if (f[7].is_list) throw EvmError(EvmErrorKind::malformed_response, "transaction: data is a list");
    d.tx.data = f[7].bytes;
    if (!f[8].is_list || !f[8].items.empty())
        throw EvmError(EvmErrorKind::malformed_response, "transaction: a non-empty access list is not supported");
    const std::uint64_t parity = f[9].as_u64("y parity");
    if (parity > 1) throw EvmError(EvmErrorKind::malformed_response, "transaction: y parity is not 0 or 1");
    d.signature.recovery_id = static_cast<std::uint8_t>(parity);
    const Word r = f[10].as_word("r"), s = f[11].as_word("s");
    std::copy(r.begin(), r.end(), d.signature.r.begin());
    std::copy(s.begin(), s.end(), d.signature.s.begin());
    d.sender = recover(d.tx.signing_hash(), d.signature);
    return d;
}

struct LegacyTransaction {
    std::uint64_t chain_id = 1;
    std::uint64_t nonce = 0;
    std::uint64_t gas_price = 0;
    std::uint64_t gas = 21000;
    std::optional<Address> to;
    Word value{};
    Bytes data;

    [[nodiscard]] Bytes fields() const {
        Bytes p;
        rlp::put_uint(p, nonce);
        rlp::put_uint(p, gas_price);
        rlp::put_uint(p, gas);
        detail::put_call(p, to, value, data);
        return p;
    }
    [[nodiscard]] Hash signing_hash() const {
        Bytes p = fields();
        rlp::put_uint(p, chain_id);
        rlp::put_uint(p, 0);
        rlp::put_uint(p, 0);
        return stark::Keccak256::hash(rlp::list(p));
    }
    [[nodiscard]] Bytes sign(const PrivateKey& key) const {
        const Signature sig = key.sign(signing_hash());
        Bytes p = fields();
        rlp::put_uint(p, chain_id * 2 + 35 + sig.recovery_id);
        detail::put_rs(p, sig);
        return rlp::list(p);
    }
};

}  // namespace causality::evm
