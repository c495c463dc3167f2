// The EVM primitives against published vectors: RLP (the Ethereum wiki's examples),
// secp256k1 keys and EIP-155's signed transaction, EIP-55 checksums, the Solidity ABI
// specification's encodings, selectors and topics; round trips (RLP, EIP-1559 transactions,
// ABI values over random types) and the refusals of malformed input.
#include "evm/anvil.hpp"

#include <causality/evm/abi.hpp>
#include <causality/evm/transaction.hpp>

#include <catch2/catch.hpp>

#include <random>

using namespace causality;
using namespace causality::evm;

namespace {
Bytes hex(std::string_view s) { return bytes_from_hex(s, "test vector"); }
Bytes str(std::string_view s) { return Bytes(s.begin(), s.end()); }
std::string words(std::initializer_list<const char*> ws) {
    std::string s = "0x";
    for (const char* w : ws) {
        std::string x(w);
        s += std::string(64 - x.size(), '0') + x;
    }
    return s;
}
std::string right(const char* ascii_hex) {  // a word with bytes on the left
    std::string x(ascii_hex);
    return x + std::string(64 - x.size(), '0');
}
}  // namespace

TEST_CASE("rlp: the published examples", "[evm][rlp]") {
    const auto enc_bytes = [](const Bytes& b) {
        Bytes out;
        rlp::put_bytes(out, b);
        return to_hex(out);
    };
    CHECK(enc_bytes(str("dog")) == "0x83646f67");
    CHECK(enc_bytes({}) == "0x80");
    CHECK(enc_bytes({0x00}) == "0x00");
    CHECK(enc_bytes({0x0f}) == "0x0f");
    CHECK(enc_bytes({0x04, 0x00}) == "0x820400");
    CHECK(enc_bytes({0x80}) == "0x8180");
    const std::string lorem = "Lorem ipsum dolor sit amet, consectetur adipisicing elit";
    CHECK(enc_bytes(str(lorem)) == "0xb838" + to_hex(str(lorem), false));
    Bytes u;
    rlp::put_uint(u, 0);
    rlp::put_uint(u, 15);
    rlp::put_uint(u, 1024);
    CHECK(to_hex(u) == "0x800f820400");
    Bytes cat_dog;
    rlp::put_bytes(cat_dog, str("cat"));
    rlp::put_bytes(cat_dog, str("dog"));
    CHECK(to_hex(rlp::list(cat_dog)) == "0xc88363617483646f67");
    CHECK(to_hex(rlp::list({})) == "0xc0");
    // the set-theoretic representation of three: [ [], [[]], [ [], [[]] ] ]
    rlp::Item empty{true, {}, {}};
    rlp::Item one{true, {}, {empty}};
    rlp::Item two{true, {}, {empty, one}};
    rlp::Item three{true, {}, {empty, one, two}};
    CHECK(to_hex(rlp::encode(three)) == "0xc7c0c1c0c3c0c1c0");
    CHECK(rlp::encode(rlp::decode(hex("0xc7c0c1c0c3c0c1c0"))) == hex("0xc7c0c1c0c3c0c1c0"));
    // a long list (payload above 55 bytes)
    Bytes payload;
    for (int i = 0; i < 20; ++i) rlp::put_bytes(payload, str("abc"));
    const Bytes long_list = rlp::list(payload);
    CHECK(long_list[0] == 0xf8);
    CHECK(long_list[1] == 80);
    CHECK(rlp::decode(long_list).items.size() == 20);
}

TEST_CASE("rlp: decoding refuses non-canonical and truncated input", "[evm][rlp]") {
    const auto refused = [](const char* h, const char* why) {
        try {
            (void)rlp::decode(hex(h));
            FAIL("accepted " << h);
        } catch (const EvmError& e) {
            CHECK(e.evm_kind() == EvmErrorKind::malformed_response);
            CHECK_THAT(e.what(), Catch::Contains(why));
        }
    };
    refused("0x8100", "a byte below 0x80 written as a string");
    refused("0xb80100", "the long form for a length under 56");
    refused("0xb90001aa", "leading zero");
    refused("0x83646f", "longer than the input");
    refused("0xc3646f", "longer than the input");
    refused("0x83646f6700", "trailing bytes");
    refused("0x", "past the end");
    refused("0xf90000", "leading zero");
    Bytes deep(70, 0xc0);
    for (std::size_t i = 0; i < deep.size(); ++i) deep[i] = static_cast<std::uint8_t>(0xc0 + (deep.size() - 1 - i));
    CHECK_THROWS_AS(rlp::decode(deep), EvmError);
    // integers must be canonical
    CHECK_THROWS_AS(rlp::decode(hex("0x820004")).as_u64("x"), EvmError);
}

TEST_CASE("secp256k1: published keys, EIP-155's signed transaction, EIP-55 checksums", "[evm][keys]") {
    CHECK(PrivateKey::from_hex(evmtest::dev_key0).address().checksummed() == evmtest::dev_address0);
    CHECK(PrivateKey::from_hex(evmtest::dev_key1).address().checksummed() == evmtest::dev_address1);
    // EIP-155's example
    const auto key = PrivateKey::from_hex("0x4646464646464646464646464646464646464646464646464646464646464646");
    CHECK(key.address().checksummed() == "0x9d8A62f656a8d1615C1294fd71e9CFb3E4855A4F");
    LegacyTransaction tx;
    tx.chain_id = 1;
    tx.nonce = 9;
    tx.gas_price = 20'000'000'000;
    tx.gas = 21000;
    tx.to = Address::parse("0x3535353535353535353535353535353535353535");
    tx.value = xvm::to_abi_word(Json("1000000000000000000"));
    CHECK(to_hex(tx.signing_hash()) == "0xdaf5a779ae972f972197303d7b574746c7ef83eadac0f2791ad23db92e4c8e53");
    CHECK(to_hex(tx.sign(key)) ==
          "0xf86c098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a76400008025a028ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276a067cbe9d8997f761aecb703304b3800ccf555c9f3dc64214b297fb1966a3b6d83");
    // EIP-55's examples
    for (const char* a : {"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
                          "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB", "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb"}) {
        CHECK(Address::parse(a).checksummed() == a);
        std::string lower(a);
        for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        CHECK(Address::parse(lower).checksummed() == a);
    }
    CHECK_THROWS_WITH(Address::parse("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD"), Catch::Contains("EIP-55 checksum"));
    CHECK_THROWS_WITH(Address::parse("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeA"), Catch::Contains("not 20"));
}

TEST_CASE("secp256k1: signatures recover their signer, bad keys and signatures are refused", "[evm][keys]") {
    const auto key = PrivateKey::from_hex(evmtest::dev_key2);
    Hash h{};
    for (int i = 0; i < 20; ++i) {
        h[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(i * 7 + 1);
        const Signature s = key.sign(h);
        CHECK(recover(h, s) == key.address());
        CHECK(key.sign(h) == s);  // deterministic (RFC 6979)
        Signature other = s;
        other.recovery_id ^= 1;
        CHECK(recover(h, other) != key.address());
        Signature high = s;  // s' = n - s recovers too, but EIP-2 refuses it
        const Word n = xvm::to_abi_word(Json("0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141"));
        unsigned borrow = 0;
        for (int k = 31; k >= 0; --k) {
            const int d = int(n[std::size_t(k)]) - int(s.s[std::size_t(k)]) - int(borrow);
            high.s[std::size_t(k)] = static_cast<std::uint8_t>(d & 0xff);
            borrow = d < 0;
        }
        high.recovery_id ^= 1;
        CHECK_THROWS_WITH(recover(h, high), Catch::Contains("EIP-2"));
    }
    Signature bad{};
    CHECK_THROWS_AS(recover(h, bad), EvmError);
    bad.recovery_id = 2;
    CHECK_THROWS_WITH(recover(h, bad), Catch::Contains("recovery id"));
    // keys: zero, the group order, not hex, short; errors never quote the key
    CHECK_THROWS_WITH(PrivateKey::from_hex("0x" + std::string(64, '0')), Catch::Contains("not a valid secp256k1 scalar"));
    CHECK_THROWS_WITH(PrivateKey::from_hex("0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141"),
                      Catch::Contains("not a valid secp256k1 scalar"));
    try {
        (void)PrivateKey::from_hex("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690z");
        FAIL("accepted a key with a bad digit");
    } catch (const EvmError& e) {
        CHECK(e.evm_kind() == EvmErrorKind::key);
        CHECK_THAT(e.what(), !Catch::Contains("59c6995e"));
    }
    CHECK_THROWS_WITH(PrivateKey::from_env("CAUSALITY_TEST_NO_SUCH_VARIABLE"), Catch::Contains("is not set"));
    CHECK_THROWS_WITH(PrivateKey::from_file("/nonexistent/key"), Catch::Contains("cannot read the key file"));
    ::setenv("CAUSALITY_TEST_KEY", evmtest::dev_key1, 1);
    CHECK(PrivateKey::from_env("CAUSALITY_TEST_KEY").address().checksummed() == evmtest::dev_address1);
}

TEST_CASE("eip-1559 transactions round trip and recover their sender", "[evm][transaction]") {
    const auto key = PrivateKey::from_hex(evmtest::dev_key0);
    std::mt19937_64 rng(7);
    for (int i = 0; i < 50; ++i) {
        Eip1559Transaction tx;
        tx.chain_id = 31337 + rng() % 3;
        tx.nonce = rng() % 5 == 0 ? 0 : rng();
        tx.max_priority_fee = rng() % 1'000'000'000;
        tx.max_fee = tx.max_priority_fee + rng() % 100'000'000'000;
        tx.gas = 21000 + rng() % 1'000'000;
        if (i % 3) tx.to = Address::parse(evmtest::dev_address1);
        tx.value = word_of(rng());
        tx.data.resize(rng() % 100);
        for (auto& b : tx.data) b = static_cast<std::uint8_t>(rng());
        const Bytes signed_tx = tx.sign(key);
        const DecodedTransaction d = decode_eip1559(signed_tx);
        CHECK(d.sender == key.address());
        CHECK(d.tx.nonce == tx.nonce);
        CHECK(d.tx.to == tx.to);
        CHECK(d.tx.data == tx.data);
        CHECK(d.tx.value == tx.value);
        CHECK(d.tx.signing_hash() == tx.signing_hash());
        CHECK(d.tx.encode_signed(d.signature) == signed_tx);
        Bytes flipped = signed_tx;  // a changed byte: refused, or another sender
        flipped[10 + rng() % (flipped.size() - 10)] ^= 0x01;
        std::optional<Address> sender;
        try {
            sender = decode_eip1559(flipped).sender;
        } catch (const EvmError&) {
        }
        if (sender) CHECK(*sender != key.address());
    }
    CHECK_THROWS_WITH(decode_eip1559(hex("0x01c0")), Catch::Contains("not an EIP-1559"));
    CHECK_THROWS_WITH(decode_eip1559(hex("0x02c0")), Catch::Contains("12 fields"));
}

TEST_CASE("abi: the specification's examples", "[evm][abi]") {
    CHECK(to_hex(abi::selector("baz(uint32,bool)")) == "0xcdcd77c0");
    CHECK(to_hex(abi::selector("transfer(address,uint256)")) == "0xa9059cbb");
    CHECK(to_hex(abi::selector("Error(string)")) == "0x08c379a0");
    CHECK(to_hex(abi::selector("Panic(uint256)")) == "0x4e487b71");
    CHECK(to_hex(abi::keccak("Transfer(address,address,uint256)")) == "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef");

    const auto call = [](const char* sig, const std::vector<std::string>& types, const Json& values) {
        const auto s = abi::selector(sig);
        Bytes out(s.begin(), s.end());
        const Bytes body = abi::encode(abi::parse_types(types), values);
        out.insert(out.end(), body.begin(), body.end());
        return to_hex(out);
    };
    CHECK(call("baz(uint32,bool)", {"uint32", "bool"}, Json::array({69, true})) == "0xcdcd77c0" + words({"45", "1"}).substr(2));
    CHECK(call("bar(bytes3[2])", {"bytes3[2]"}, Json::array({Json::array({"0x616263", "0x646566"})})) ==
          "0xfce353f6" + right("616263") + right("646566"));
    CHECK(call("sam(bytes,bool,uint256[])", {"bytes", "bool", "uint256[]"}, Json::array({"0x64617665", true, Json::array({1, 2, 3})})) ==
          "0xa5643bf2" + words({"60", "1", "a0", "4"}).substr(2) + right("64617665") + words({"3", "1", "2", "3"}).substr(2));
    CHECK(call("f(uint256,uint32[],bytes10,bytes)", {"uint256", "uint32[]", "bytes10", "bytes"},
               Json::array({"0x123", Json::array({"0x456", "0x789"}), "0x31323334353637383930", "0x48656c6c6f2c20776f726c6421"})) ==
          "0x8be65246" + words({"123", "80"}).substr(2) + right("31323334353637383930") + words({"e0", "2", "456", "789", "d"}).substr(2) +
              right("48656c6c6f2c20776f726c6421"));
    CHECK(call("g(uint256[][],string[])", {"uint256[][]", "string[]"},
               Json::array({Json::array({Json::array({1, 2}), Json::array({3})}), Json::array({"one", "two", "three"})})) ==
          "0x2289b18c" +
              words({"40", "140", "2", "40", "a0", "2", "1", "2", "1", "3", "3", "60", "a0", "e0", "3"}).substr(2) + right("6f6e65") +
              words({"3"}).substr(2) + right("74776f") + words({"5"}).substr(2) + right("7468726565"));
    // and back
    const auto types = abi::parse_types({"uint256[][]", "string[]"});
    const Bytes enc = abi::encode(types, Json::array({Json::array({Json::array({1, 2}), Json::array({3})}), Json::array({"one", "two", "three"})}));
    CHECK(abi::decode(types, enc) == Json::array({Json::array({Json::array({"1", "2"}), Json::array({"3"})}), Json::array({"one", "two", "three"})}));
    // signed integers
    const auto i8 = abi::parse_types({"int8", "int256"});
    CHECK(to_hex(abi::encode(i8, Json::array({-1, "-128"}))) == "0x" + std::string(128, 'f').substr(0, 64) + std::string(62, 'f') + "80");
    CHECK(abi::decode(i8, abi::encode(i8, Json::array({-128, "-57896044618658097711785492504343953926634992332820282019728792003956564819968"}))) ==
          Json::array({"-128", "-57896044618658097711785492504343953926634992332820282019728792003956564819968"}));
    CHECK_THROWS_WITH(abi::encode(i8, Json::array({128, 0})), Catch::Contains("outside int8"));
    CHECK_THROWS_WITH(abi::encode(i8, Json::array({-129, 0})), Catch::Contains("outside int8"));
    // revert data
    const Bytes reason = [] {
        const auto s = abi::selector("Error(string)");
        Bytes b(s.begin(), s.end());
        const Bytes body = abi::encode({abi::Type::parse("string")}, Json::array({"insufficient balance"}));
        b.insert(b.end(), body.begin(), body.end());
        return b;
    }();
    CHECK(abi::describe_revert(reason) == "insufficient balance");
    CHECK(abi::describe_revert(hex("0x4e487b71" + words({"12"}).substr(2))) == "panic 0x12 (division or modulo by zero)");
    CHECK_THAT(abi::describe_revert(hex("0xdeadbeef")), Catch::Contains("custom error revert data 0xdeadbeef"));
    CHECK(abi::describe_revert({}).empty());
}

TEST_CASE("abi: types parse to their canonical text, bad types are refused", "[evm][abi]") {
    for (const char* t : {"uint8", "int256", "address", "bool", "bytes1", "bytes32", "bytes", "string", "uint256[]", "uint8[3][]",
                          "(uint256,bytes32)", "(uint256,(bool,string[]))[2]", "string[][4]"})
        CHECK(abi::Type::parse(t).canonical() == t);
    CHECK(abi::Type::parse("uint").canonical() == "uint256");
    for (const char* t : {"uint7", "uint264", "int0", "bytes33", "bytes0", "uint256[0]", "uint256[", "(uint256", "()", "foo", "uint256]",
                          "uint08", "(uint256,)"})
        CHECK_THROWS_AS(abi::Type::parse(t), EvmError);
}

namespace {
abi::Type random_type(std::mt19937_64& rng, int depth) {
    static const char* leaves[] = {"uint256", "uint8", "int64", "int8", "address", "bool", "bytes4", "bytes32", "bytes", "string"};
    const int pick = static_cast<int>(rng() % (depth > 2 ? 10 : 13));
    if (pick < 10) return abi::Type::parse(leaves[pick]);
    abi::Type t;
    if (pick == 10) {
        t.kind = abi::Type::Kind::array;
        t.components.push_back(random_type(rng, depth + 1));
    } else if (pick == 11) {
        t.kind = abi::Type::Kind::fixed_array;
        t.length = 1 + rng() % 3;
        t.components.push_back(random_type(rng, depth + 1));
    } else {
        t.kind = abi::Type::Kind::tuple;
        const std::size_t n = 1 + rng() % 3;
        for (std::size_t i = 0; i < n; ++i) t.components.push_back(random_type(rng, depth + 1));
    }
    return t;
}
Json random_value(std::mt19937_64& rng, const abi::Type& t) {
    using K = abi::Type::Kind;
    const auto bytes = [&](std::size_t n) {
        Bytes b(n);
        for (auto& x : b) x = static_cast<std::uint8_t>(rng());
        return to_hex(b);
    };
    switch (t.kind) {
        case K::uint: return t.bits == 8 ? Json(std::to_string(rng() % 256)) : Json(std::to_string(rng()));
        case K::int_: {
            const std::int64_t v = t.bits == 8 ? static_cast<std::int64_t>(rng() % 256) - 128 : static_cast<std::int64_t>(rng());
            return std::to_string(v);
        }
        case K::address: {
            Address a;
            for (auto& x : a.bytes) x = static_cast<std::uint8_t>(rng());
            return a.checksummed();
        }
        case K::boolean: return rng() % 2 == 1;
        case K::fixed_bytes: return bytes(t.bits);
        case K::bytes: return bytes(rng() % 70);
        case K::string: {
            std::string s;
            const std::size_t n = rng() % 40;
            for (std::size_t i = 0; i < n; ++i) s += static_cast<char>('a' + rng() % 26);
            if (rng() % 3 == 0) s += "\xc3\xa9\xe2\x82\xac";  // é€
            return s;
        }
        case K::array:
        case K::fixed_array: {
            Json a = Json::array();
            const std::size_t n = t.kind == K::array ? rng() % 4 : t.length;
            for (std::size_t i = 0; i < n; ++i) a.push_back(random_value(rng, t.components[0]));
            return a;
        }
        case K::tuple: {
            Json a = Json::array();
            for (const auto& c : t.components) a.push_back(random_value(rng, c));
            return a;
        }
    }
    return {};
}
}  // namespace

TEST_CASE("abi: random values of random types round trip, damaged encodings are refused or decode differently", "[evm][abi]") {
    std::mt19937_64 rng(2026);
    for (int i = 0; i < 300; ++i) {
        std::vector<abi::Type> types;
        const std::size_t n = 1 + rng() % 4;
        Json values = Json::array();
        for (std::size_t k = 0; k < n; ++k) {
            types.push_back(random_type(rng, 0));
            values.push_back(random_value(rng, types.back()));
        }
        const Bytes enc = abi::encode(types, values);
        const Json back = abi::decode(types, enc);
        CHECK(back == values);
        CHECK(abi::encode(types, back) == enc);
        // a truncation is refused; a flipped byte is refused or decodes to something that
        // encodes to the flipped bytes (never a crash)
        if (!enc.empty()) {
            const Bytes cut(enc.begin(), enc.begin() + static_cast<std::ptrdiff_t>(rng() % enc.size()));
            CHECK_THROWS_AS(abi::decode(types, cut), EvmError);
            Bytes flipped = enc;
            flipped[rng() % flipped.size()] ^= static_cast<std::uint8_t>(1u << (rng() % 8));
            try {
                const Json v = abi::decode(types, flipped);
                (void)v.dump();
            } catch (const EvmError& e) {
                CHECK(e.evm_kind() == EvmErrorKind::malformed_response);
            }
        }
    }
}

TEST_CASE("abi: strict decoding of padding, offsets and lengths", "[evm][abi]") {
    const auto refused = [](const std::vector<std::string>& types, const std::string& data, const char* why) {
        try {
            (void)abi::decode(abi::parse_types(types), hex(data));
            FAIL("accepted " << data);
        } catch (const EvmError& e) {
            CHECK_THAT(e.what(), Catch::Contains(why));
        }
    };
    refused({"address"}, words({"10000000000000000000000000000000000000000"}), "high bytes");
    refused({"bool"}, words({"2"}), "not 0 or 1");
    refused({"uint8"}, words({"100"}), "high bits");
    refused({"int8"}, words({"80"}), "sign extension");
    refused({"bytes4"}, "0x" + right("0102030405"), "past its size");
    refused({"bytes"}, words({"20", "ffffffff"}), "beyond the data");
    refused({"bytes"}, words({"20", "21"}), "past the end");
    refused({"bytes"}, words({"20", "1", "1ff"}), "non-zero padding");
    refused({"uint256[]"}, words({"20", "3"}), "past the end");
    refused({"uint256[]"}, words({"ffffffffffffffff"}), "beyond the data");
    refused({"string"}, words({"20", "1"}) + right("ff"), "not UTF-8");
    refused({"uint256"}, "0x01", "past the end");
    // abi JSON: an interface, overloads, arguments by name
    const Json iface = Json::parse(R"([
      {"type":"function","name":"f","inputs":[{"name":"a","type":"uint256"}],"outputs":[{"name":"r","type":"bool"}],"stateMutability":"view"},
      {"type":"function","name":"f","inputs":[{"name":"a","type":"bytes"}],"outputs":[],"stateMutability":"nonpayable"},
      {"type":"function","name":"g","inputs":[{"name":"p","type":"tuple","components":[{"name":"x","type":"uint8"},{"name":"y","type":"string"}]}],"outputs":[]},
      {"type":"event","name":"E","inputs":[{"name":"who","type":"address","indexed":true},{"name":"tag","type":"string","indexed":true},{"name":"v","type":"uint256","indexed":false}],"anonymous":false},
      {"type":"error","name":"Low","inputs":[{"name":"have","type":"uint256"}]}
    ])");
    const abi::Interface I(iface);
    CHECK_THROWS_WITH(I.function("f"), Catch::Contains("overloaded"));
    CHECK(I.function("f(uint256)").read_only());
    CHECK(I.function("f(bytes)").encode_call(Json{{"a", "0x01"}}).size() == 4 + 96);
    CHECK_THROWS_WITH(I.function("f(uint256)").encode_call(Json{{"b", 1}}), Catch::Contains("needs argument 'a'"));
    CHECK(I.function("g").encode_call(Json::array({Json{{"x", 1}, {"y", "hi"}}})) ==
          I.function("g").encode_call(Json::array({Json::array({1, "hi"})})));
    CHECK(I.function("f(uint256)").decode_output(hex(words({"1"}))) == Json{{"r", true}});
    CHECK_THROWS_WITH(I.function("nope"), Catch::Contains("no function 'nope'"));
    const auto& E = I.event("E");
    CHECK(E.signature() == "E(address,string,uint256)");
    Hash who{};
    who[31] = 0x11;
    const Json ev = E.decode({E.topic(), who, abi::keccak("tag")}, hex(words({"5"})));
    CHECK(ev["v"] == "5");
    CHECK(ev["tag"] == to_hex(abi::keccak("tag")));
    CHECK(ev["who"] == Address::parse("0x0000000000000000000000000000000000000011").checksummed());
    CHECK_THROWS_WITH(E.decode({E.topic()}, hex(words({"5"}))), Catch::Contains("topics"));
    CHECK_THROWS_WITH(E.decode({who, who, who}, hex(words({"5"}))), Catch::Contains("first topic"));
    const auto low = abi::selector("Low(uint256)");
    Bytes data(low.begin(), low.end());
    const Bytes arg = hex(words({"3"}));
    data.insert(data.end(), arg.begin(), arg.end());
    CHECK(abi::describe_revert(data, I.errors()) == "Low(3)");
}
