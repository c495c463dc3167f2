// The EVM client against a real node (anvil on loopback): deploying, calling and sending
// to the compiled test contract, events, the ABI checked against the compiler's code,
// revert reasons, nonce gaps, a stuck transaction replaced, finality by depth and by the
// "finalized" tag, reorgs (anvil_reorg, evm_snapshot / evm_revert) while a transaction
// waits for finality, and a node that stops and comes back with its state.
#include "evm/anvil.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <thread>

using namespace causality;
using namespace causality::evm;
using evmtest::Anvil;

namespace {

struct Artifact {
    abi::Interface iface;
    Bytes bytecode;
};
Artifact artifact(const std::string& name) {
    std::ifstream f(evmtest::contract_artifact(name));
    REQUIRE(f);
    const Json j = Json::parse(f);
    return {abi::Interface(j.at("abi")), bytes_from_hex(j.at("bytecode").get<std::string>(), "bytecode")};
}

Finality quick(std::uint64_t confirmations = 1) {
    Finality f;
    f.confirmations = confirmations;
    f.poll = std::chrono::milliseconds(20);
    f.timeout = std::chrono::milliseconds(20'000);
    return f;
}

struct Token {
    Artifact art = artifact("TestToken");
    Address address;
    Token(Signer& s, const std::string& name = "Tok", std::uint64_t supply = 1000) {
        Bytes data = art.bytecode;
        const Bytes args = art.iface.encode_constructor(Json::array({name, supply}));
        data.insert(data.end(), args.begin(), args.end());
        const auto sent = s.send(TxRequest::deploy(data));
        const auto r = s.wait_final(sent, quick());
        REQUIRE(r.receipt.contract_address);
        address = *r.receipt.contract_address;
    }
    Json call(EvmClient& c, const std::string& fn, const Json& args = Json::array()) {
        const auto& f = art.iface.function(fn);
        return f.decode_output(c.call(CallRequest{std::nullopt, address, {}, f.encode_call(args), std::nullopt}));
    }
    TxRequest tx(const std::string& fn, const Json& args) {
        return TxRequest::invoke(address, art.iface.function(fn).encode_call(args));
    }
};

void mine(EvmClient& c, std::uint64_t blocks = 1) { (void)c.raw("anvil_mine", Json::array({quantity(blocks)})); }

}  // namespace

TEST_CASE("node: deploy, call, send, events, and the ABI against the compiler's code", "[evm][node]") {
    Anvil node;
    EvmClient client(node.url());
    CHECK(client.chain_id() == 31337);
    Signer alice(client, PrivateKey::from_hex(evmtest::dev_key0));
    Token token(alice);
    CHECK(client.code(token.address).size() > 100);
    CHECK(token.call(client, "name") == Json::array({"Tok"}));
    CHECK(token.call(client, "balanceOf", Json::array({evmtest::dev_address0})) == Json::array({"1000"}));

    const auto sent = alice.send(token.tx("transfer", Json{{"to", evmtest::dev_address1}, {"value", 250}}));
    CHECK(decode_eip1559(sent.raw).sender == alice.address());
    const auto fr = alice.wait_final(sent, quick());
    CHECK(fr.receipt.success);
    CHECK(fr.receipt.tx_hash == sent.hash);
    REQUIRE(fr.receipt.logs.size() == 1);
    const auto& log = fr.receipt.logs[0];
    const abi::Event& transfer = token.art.iface.event("Transfer");
    CHECK(log.topics[0] == transfer.topic());
    CHECK(transfer.decode(log.topics, log.data) ==
          Json{{"from", evmtest::dev_address0}, {"to", evmtest::dev_address1}, {"value", "250"}});
    CHECK(token.call(client, "balanceOf", Json::array({evmtest::dev_address1})) == Json::array({"250"}));

    // logs by filter: the constructor's mint and the transfer
    const auto logs = client.logs(Json{{"address", token.address.hex()}, {"fromBlock", "0x0"}, {"toBlock", "latest"},
                                       {"topics", Json::array({to_hex(transfer.topic())})}});
    CHECK(logs.size() == 2);
    // an indexed string is its hash in the topic
    const auto noted = alice.wait_final(alice.send(token.tx("note", Json::array({"tag", "0xabcd", Json::array({1, 2})}))), quick());
    const auto& note = token.art.iface.event("Note");
    const Json nj = note.decode(noted.receipt.logs.at(0).topics, noted.receipt.logs.at(0).data);
    CHECK(nj["tag"] == to_hex(abi::keccak("tag")));
    CHECK(nj["data"] == "0xabcd");
    CHECK(nj["values"] == Json::array({"1", "2"}));

    // the compiler's decoder reads what we encode, its encoder writes what we decode
    const Json stat = Json::array({"115792089237316195423570985008687907853269984665640564039457584007913129639935", "-9223372036854775808",
                                   evmtest::dev_address1, true, "0x00112233445566778899", Json::array({"0", "7", "255"})});
    CHECK(token.call(client, "echoStatic", stat) == stat);
    const Json dyn = Json::array({"0x" + std::string(130, 'e'), "héllo wörld, a string longer than one word of thirty-two bytes",
                                  Json::array({"1", "2", "3"}), Json::array({"9", "0x" + std::string(64, '1')}),
                                  Json::array({"", "a", "a string of forty characters exactly...."})});
    const Json back = token.call(client, "echoDynamic", dyn);
    CHECK(back[0] == dyn[0]);
    CHECK(back[1] == dyn[1]);
    CHECK(back[2] == dyn[2]);
    CHECK(back[3] == Json{{"a", "9"}, {"b", "0x" + std::string(64, '1')}});
    CHECK(back[4] == dyn[4]);
    const Json digest = token.call(client, "digest", Json::array({"0x68656c6c6f"}));
    CHECK(digest[0] == to_hex(abi::keccak("hello")));
}

TEST_CASE("node: revert reasons, from calls, estimation and mined transactions", "[evm][node]") {
    Anvil node;
    EvmClient client(node.url());
    Signer alice(client, PrivateKey::from_hex(evmtest::dev_key0));
    Token token(alice);
    const auto reverted = [&](auto&& f) -> EvmError {
        try {
            f();
        } catch (const EvmError& e) {
            return e;
        }
        FAIL("no revert");
        throw;
    };
    // Error(string) from eth_call
    auto e = reverted([&] { (void)token.call(client, "transfer", Json::array({"0x0000000000000000000000000000000000000000", 1})); });
    CHECK(e.evm_kind() == EvmErrorKind::reverted);
    CHECK(e.reason() == "transfer to the zero address");
    // a custom error, decoded with the contract's errors
    e = reverted([&] { (void)alice.send(token.tx("transfer", Json::array({evmtest::dev_address1, 5000}))); });
    CHECK(e.evm_kind() == EvmErrorKind::reverted);
    CHECK(abi::describe_revert(bytes_from_hex(e.data(), "data"), token.art.iface.errors()) == "Insufficient(1000, 5000)");
    // a panic
    e = reverted([&] { (void)token.call(client, "divide", Json::array({1, 0})); });
    CHECK(e.reason() == "panic 0x12 (division or modulo by zero)");
    // a transaction sent with its own gas (no estimation) is mined and fails: reverted,
    // the reason from replaying it
    TxRequest bad = token.tx("transfer", Json::array({"0x0000000000000000000000000000000000000000", 1}));
    bad.gas = 100'000;
    const auto sent = alice.send(bad);
    e = reverted([&] { (void)alice.wait_final(sent, quick()); });
    CHECK(e.evm_kind() == EvmErrorKind::reverted);
    CHECK_THAT(e.what(), Catch::Contains("transfer to the zero address"));
    CHECK(client.receipt(sent.hash)->success == false);
    // the node's own refusals are rpc errors with its message
    Eip1559Transaction t;
    t.chain_id = 31337;
    t.nonce = 0;  // used long ago
    t.max_fee = 10'000'000'000;
    t.max_priority_fee = 1;
    t.to = Address::parse(evmtest::dev_address1);
    e = reverted([&] { (void)client.send_raw(t.sign(PrivateKey::from_hex(evmtest::dev_key0))); });
    CHECK(e.evm_kind() == EvmErrorKind::rpc);
    CHECK_THAT(lowercase(e.what()), Catch::Contains("nonce"));
    // a transaction the node refuses (more value than the account has) gives its nonce back
    const std::uint64_t before = client.nonce(alice.address());
    try {
        (void)alice.send(TxRequest::pay(Address::parse(evmtest::dev_address1), xvm::to_abi_word(Json("1000000000000000000000000000000"))));
        FAIL("the node accepted a transfer above the balance");
    } catch (const EvmError& refused) {
        CHECK(refused.evm_kind() == EvmErrorKind::rpc);
    }
    const auto next = alice.send(TxRequest::pay(Address::parse(evmtest::dev_address1), word_of(1)));
    CHECK(next.tx.nonce == before);
    CHECK(alice.wait_final(next, quick()).receipt.success);
    t.chain_id = 1;  // another chain
    t.nonce = client.nonce(alice.address());
    e = reverted([&] { (void)client.send_raw(t.sign(PrivateKey::from_hex(evmtest::dev_key0))); });
    CHECK(e.evm_kind() == EvmErrorKind::rpc);
}

TEST_CASE("node: nonce gaps are filled, a stuck transaction is replaced with higher fees", "[evm][node]") {
    Anvil node({"--no-mining"});
    EvmClient client(node.url());
    Signer alice(client, PrivateKey::from_hex(evmtest::dev_key0));
    const Address bob = Address::parse(evmtest::dev_address1);
    const std::uint64_t n = client.nonce(alice.address());
    // a gap: nonce n + 1 first; it waits in the pool while n is missing
    const auto later = alice.send(TxRequest::pay(bob, word_of(1)).with_nonce(n + 1));
    mine(client);
    CHECK_FALSE(client.receipt(later.hash));
    CHECK(client.nonce(alice.address(), "latest") == n);
    // the signer's next transaction takes nonce n (the pending count) and fills the gap
    const auto first = alice.send(TxRequest::pay(bob, word_of(2)));
    CHECK(first.tx.nonce == n);
    mine(client);
    CHECK(client.receipt(first.hash));
    CHECK(client.receipt(later.hash));
    CHECK(client.nonce(alice.address(), "latest") == n + 2);

    // stuck: nothing is mined until a replacement is out; then mine
    alice.resync();
    const auto stuck = alice.send(TxRequest::pay(bob, word_of(3)));
    Finality f = quick();
    f.stuck_after = std::chrono::milliseconds(300);
    evmtest::Background miner([&] {
        EvmClient c(node.url());
        for (int i = 0; i < 200; ++i) {
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
            const auto pool = c.raw("txpool_content");
            const auto& pending = pool["pending"];
            bool replaced = false;
            for (const auto& [from, txs] : pending.items())
                for (const auto& [nonce, tx] : txs.items()) replaced |= tx["hash"] != to_hex(stuck.hash);
            if (replaced) break;
        }
        mine(c);
    });
    const auto fr = alice.wait_final(stuck, f);
    miner.join();
    CHECK(fr.replacements >= 1);
    CHECK(fr.sent.hash != stuck.hash);
    CHECK(fr.sent.tx.nonce == stuck.tx.nonce);
    CHECK(fr.sent.tx.max_priority_fee > stuck.tx.max_priority_fee);
    CHECK_FALSE(client.receipt(stuck.hash));
    // a replacement without higher fees is the node's refusal, typed
    const auto p = alice.send(TxRequest::pay(bob, word_of(4)));
    Eip1559Transaction same = p.tx;
    same.value = word_of(5);
    try {
        (void)client.send_raw(same.sign(PrivateKey::from_hex(evmtest::dev_key0)));
        FAIL("an underpriced replacement was accepted");
    } catch (const EvmError& e) {
        CHECK(e.evm_kind() == EvmErrorKind::rpc);
    }
}

TEST_CASE("node: finality by depth and by the finalized tag", "[evm][node]") {
    Anvil node({"--block-time", "0.1", "--slots-in-an-epoch", "1"});
    EvmClient client(node.url());
    Signer alice(client, PrivateKey::from_hex(evmtest::dev_key0));
    const Address bob = Address::parse(evmtest::dev_address1);
    const auto sent = alice.send(TxRequest::pay(bob, word_of(1)));
    const auto fr = alice.wait_final(sent, quick(4));
    CHECK(client.block_number() >= fr.receipt.block_number + 3);
    Finality tag = quick();
    tag.finalized_tag = true;
    const auto sent2 = alice.send(TxRequest::pay(bob, word_of(1)));
    const auto fr2 = alice.wait_final(sent2, tag);
    CHECK(client.block("finalized")->number >= fr2.receipt.block_number);
}

TEST_CASE("node: a reorg while a transaction waits for finality", "[evm][node][reorg]") {
    Anvil node;
    EvmClient client(node.url());
    Signer alice(client, PrivateKey::from_hex(evmtest::dev_key0));
    const Address bob = Address::parse(evmtest::dev_address1);

    SECTION("anvil_reorg drops the block: the transaction is broadcast again and becomes final in another block") {
        const auto sent = alice.send(TxRequest::pay(bob, word_of(7)));
        Hash first_block{};
        evmtest::Background chain([&] {
            EvmClient c(node.url());
            std::optional<Receipt> r;
            while (!(r = c.receipt(sent.hash))) std::this_thread::sleep_for(std::chrono::milliseconds(5));
            first_block = r->block_hash;
            (void)c.raw("anvil_reorg", Json::array({1, Json::array()}));  // the including block replaced by an empty one
            for (int i = 0; i < 40; ++i) {
                std::this_thread::sleep_for(std::chrono::milliseconds(25));
                mine(c);
            }
        });
        const auto fr = alice.wait_final(sent, quick(3));
        chain.join();
        CHECK(fr.receipt.block_hash != first_block);
        CHECK(fr.reorgs + fr.rebroadcasts >= 1);
        CHECK(fr.receipt.success);
    }
    SECTION("evm_snapshot / evm_revert rolls the chain back: the same") {
        const Json snap = client.raw("evm_snapshot");
        const auto sent = alice.send(TxRequest::pay(bob, word_of(8)));
        for (int i = 0; i < 200 && !client.receipt(sent.hash); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
        REQUIRE(client.receipt(sent.hash));
        const Hash first_block = client.receipt(sent.hash)->block_hash;
        evmtest::Background chain([&] {
            EvmClient c(node.url());
            (void)c.raw("evm_revert", Json::array({snap}));
            for (int i = 0; i < 40; ++i) {
                std::this_thread::sleep_for(std::chrono::milliseconds(25));
                mine(c);
            }
        });
        const auto fr = alice.wait_final(sent, quick(3));
        chain.join();
        CHECK(fr.receipt.success);
        CHECK(fr.receipt.block_hash != first_block);
    }
    SECTION("the reorg puts another transaction of the same nonce in: EvmError(reorg)") {
        const auto sent = alice.send(TxRequest::pay(bob, word_of(9)));
        Eip1559Transaction other = sent.tx;  // same nonce, other value
        other.value = word_of(10);
        const Bytes rival = other.sign(PrivateKey::from_hex(evmtest::dev_key0));
        std::atomic<bool> included{false};
        Finality f = quick(5);
        f.on_included = [&](const Receipt&) { included = true; };
        evmtest::Background chain([&] {
            EvmClient c(node.url());
            while (!included) std::this_thread::sleep_for(std::chrono::milliseconds(5));
            (void)c.raw("anvil_reorg", Json::array({1, Json::array({Json::array({to_hex(rival), 0})})}));
            for (int i = 0; i < 10; ++i) {
                std::this_thread::sleep_for(std::chrono::milliseconds(25));
                mine(c);
            }
        });
        try {
            (void)alice.wait_final(sent, f);
            chain.join();
            FAIL("a transaction replaced by a reorg was final");
        } catch (const EvmError& e) {
            chain.join();
            CHECK(e.evm_kind() == EvmErrorKind::reorg);
            CHECK(e.kind() == xvm::XvmErrorKind::rejected);
        }
        CHECK(client.receipt(transaction_hash(rival)));
    }
}

TEST_CASE("node: stopped and started again with its state, calls in between are transport errors", "[evm][node]") {
    const std::string state = std::filesystem::temp_directory_path() / ("causality-anvil-state-" + std::to_string(::getpid()) + ".json");
    std::filesystem::remove(state);
    Anvil node({"--state", state});
    EvmClient client(node.url(), RpcOptions{std::chrono::milliseconds(1000), std::chrono::milliseconds(200)});
    Signer alice(client, PrivateKey::from_hex(evmtest::dev_key0));
    Token token(alice);
    (void)alice.wait_final(alice.send(token.tx("transfer", Json::array({evmtest::dev_address1, 40}))), quick());
    node.stop();
    try {
        (void)client.block_number();
        FAIL("a stopped node answered");
    } catch (const EvmError& e) {
        CHECK(e.evm_kind() == EvmErrorKind::transport);
        CHECK(e.retryable());
    }
    node.start();
    CHECK(token.call(client, "balanceOf", Json::array({evmtest::dev_address1})) == Json::array({"40"}));
    std::filesystem::remove(state);
}
