// The JSON-RPC client against a fake server on loopback that answers every request with a
// damaged reply: a field dropped or replaced by another JSON value, the body cut short,
// random bytes, another id, both or neither of result and error, an HTTP error status,
// garbage instead of HTTP, a reply past the size limit, a hang-up, a reply too late. Every
// call ends in a value or an EvmError of a documented kind; nothing else escapes and
// nothing crashes (the sanitizer variant runs this too).
#include "evm/fake_rpc.hpp"

#include <causality/evm/client.hpp>

#include <catch2/catch.hpp>

#include <map>
#include <mutex>
#include <random>
#include <set>

using namespace causality;
using namespace causality::evm;
using evmtest::FakeRpcServer;
using evmtest::Reply;

namespace {

const char* hash_a = "0x1111111111111111111111111111111111111111111111111111111111111111";
const char* hash_b = "0x2222222222222222222222222222222222222222222222222222222222222222";
const char* addr = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266";

Json valid_log() {
    return Json{{"address", addr},
                {"topics", Json::array({hash_a, hash_b})},
                {"data", "0x00ff"},
                {"blockNumber", "0x5"},
                {"blockHash", hash_b},
                {"transactionHash", hash_a},
                {"logIndex", "0x0"},
                {"removed", false}};
}
Json valid_result(const std::string& method) {
    if (method == "eth_chainId") return "0x7a69";
    if (method == "eth_blockNumber") return "0x10";
    if (method == "eth_getBlockByNumber")
        return Json{{"number", "0x10"}, {"hash", hash_a}, {"parentHash", hash_b}, {"timestamp", "0x5f5e100"}, {"baseFeePerGas", "0x3b9aca00"}};
    if (method == "eth_getTransactionReceipt")
        return Json{{"transactionHash", hash_a}, {"status", "0x1"},     {"blockNumber", "0x5"},
                    {"blockHash", hash_b},       {"gasUsed", "0x5208"}, {"effectiveGasPrice", "0x1"},
                    {"from", addr},              {"to", addr},          {"contractAddress", nullptr},
                    {"logs", Json::array({valid_log()})}};
    if (method == "eth_getTransactionByHash") return Json{{"hash", hash_a}, {"from", addr}, {"nonce", "0x3"}, {"blockNumber", "0x5"}};
    if (method == "eth_getLogs") return Json::array({valid_log(), valid_log()});
    if (method == "eth_call") return "0x" + std::string(64, '0');
    if (method == "eth_estimateGas") return "0x5208";
    if (method == "eth_getBalance") return "0xde0b6b3a7640000";
    return nullptr;
}

Json random_json(std::mt19937_64& rng) {
    switch (rng() % 12) {
        case 0: return nullptr;
        case 1: return static_cast<std::int64_t>(rng());
        case 2: return -1;
        case 3: return "0xzz";
        case 4: return "0x" + std::string(70, 'f');
        case 5: return "";
        case 6: return Json::array({1, 2});
        case 7: return Json::object();
        case 8: return "0x";
        case 9: return "0x1";
        case 10: return true;
        default: return "not hex";
    }
}
// Replaces or drops one value somewhere inside v.
void damage(Json& v, std::mt19937_64& rng, int depth = 0) {
    if ((v.is_object() || v.is_array()) && !v.empty() && depth < 4 && rng() % 4 != 0) {
        auto it = v.begin();
        std::advance(it, static_cast<std::ptrdiff_t>(rng() % v.size()));
        if (rng() % 3 == 0) {
            if (v.is_object()) v.erase(it.key());
            else v.erase(static_cast<std::size_t>(std::distance(v.begin(), it)));
            return;
        }
        damage(*it, rng, depth + 1);
        return;
    }
    v = random_json(rng);
}

}  // namespace

TEST_CASE("rpc: damaged replies from a fake server give typed errors, never a crash", "[evm][rpc][fuzz]") {
    std::mt19937_64 rng(20261204);
    std::mutex m;
    std::map<std::string, int> kinds;
    FakeRpcServer server([&](const std::string& body) -> Reply {
        std::lock_guard lock(m);
        const Json req = Json::parse(body, nullptr, false);
        const Json id = req.is_object() && req.contains("id") ? req["id"] : Json(0);
        const std::string method = req.is_object() ? req.value("method", std::string()) : "";
        Json reply = Json{{"jsonrpc", "2.0"}, {"id", id}, {"result", valid_result(method)}};
        switch (rng() % 14) {
            case 0: return {200, reply.dump()};  // intact
            case 1: case 2: case 3: case 4: damage(reply["result"], rng); return {200, reply.dump()};
            case 5: damage(reply, rng); return {200, reply.dump()};
            case 6: {
                const std::string s = reply.dump();
                return {200, s.substr(0, rng() % s.size())};
            }
            case 7: {
                std::string s(rng() % 200, '\0');
                for (auto& c : s) c = static_cast<char>(rng());
                return {200, s};
            }
            case 8: reply["id"] = id.is_number() ? Json(id.get<std::uint64_t>() + 1) : Json("x"); return {200, reply.dump()};
            case 9: reply["error"] = Json{{"code", -32000}, {"message", "nonce too low"}}; if (rng() % 2) reply.erase("result");
                    return {200, reply.dump()};
            case 10: return {static_cast<int>(rng() % 2 ? 500 : 404), "oops"};
            case 11: return {200, "", "garbage\r\n\r\n"};
            case 12: { Reply r; r.hang_up = true; return r; }
            default: return {200, "{\"jsonrpc\":\"2.0\",\"id\":" + id.dump() + ",\"result\":\"" + std::string(5000, 'a') + "\"}"};
        }
    });
    RpcOptions o;
    o.timeout = std::chrono::milliseconds(2000);
    o.max_reply_bytes = 4096;
    EvmClient client(server.url(), o);
    const Address a = Address::parse(addr);
    Hash h{};
    std::fill(h.begin(), h.end(), 0x11);
    int values = 0;
    for (int i = 0; i < 600; ++i) {
        try {
            switch (i % 9) {
                case 0: (void)client.rpc().call("eth_chainId"); break;
                case 1: (void)client.block_number(); break;
                case 2: (void)client.block("latest"); break;
                case 3: (void)client.receipt(h); break;
                case 4: (void)client.transaction(h); break;
                case 5: (void)client.logs(Json{{"fromBlock", "0x0"}}); break;
                case 6: (void)client.call(CallRequest{std::nullopt, a, {}, {}, std::nullopt}); break;
                case 7: (void)client.estimate_gas(CallRequest{a, a, {}, {}, std::nullopt}); break;
                default: (void)client.balance(a); break;
            }
            ++values;
        } catch (const EvmError& e) {
            ++kinds[std::string(to_string(e.evm_kind()))];
            CHECK(std::string(e.what()).size() < 2000);
        }
        // anything else (a json exception, std::out_of_range, ...) fails the test case
    }
    INFO("values " << values);
    for (const auto& [k, n] : kinds) INFO(k << ": " << n);
    CHECK(values > 0);
    CHECK(kinds["malformed response"] > 100);
    CHECK(kinds["transport"] > 10);
    CHECK(kinds["rpc error"] > 5);
}

TEST_CASE("rpc: each kind of failure, one at a time", "[evm][rpc]") {
    std::mutex m;
    Reply next;
    FakeRpcServer server([&](const std::string& body) {
        std::lock_guard lock(m);
        Reply r = next;
        const Json req = Json::parse(body);
        if (r.body == "ECHO") r.body = Json{{"jsonrpc", "2.0"}, {"id", req["id"]}, {"result", "0x7a69"}}.dump();
        else if (r.body.rfind("ERROR:", 0) == 0) {
            r.body = Json{{"jsonrpc", "2.0"}, {"id", req["id"]}, {"error", Json::parse(r.body.substr(6))}}.dump();
        }
        return r;
    });
    RpcOptions o;
    o.timeout = std::chrono::milliseconds(300);
    RpcClient rpc(server.url(), o);
    const auto kind_of = [&](Reply r) -> std::optional<EvmErrorKind> {
        {
            std::lock_guard lock(m);
            next = std::move(r);
        }
        try {
            (void)rpc.call("eth_chainId");
            return std::nullopt;
        } catch (const EvmError& e) {
            return e.evm_kind();
        }
    };
    CHECK(kind_of({200, "ECHO"}) == std::nullopt);
    CHECK(kind_of({500, "ECHO"}) == EvmErrorKind::transport);
    Reply slow{200, "ECHO"};
    slow.delay = std::chrono::milliseconds(800);
    CHECK(kind_of(slow) == EvmErrorKind::timeout);
    std::this_thread::sleep_for(std::chrono::milliseconds(700));  // the server answers one at a time
    Reply hang;
    hang.hang_up = true;
    CHECK(kind_of(hang) == EvmErrorKind::transport);
    CHECK(kind_of({200, "[1,2]"}) == EvmErrorKind::malformed_response);
    CHECK(kind_of({200, "{\"jsonrpc\":\"2.0\",\"id\":999,\"result\":1}"}) == EvmErrorKind::malformed_response);
    CHECK(kind_of({200, "ERROR:{\"code\":-32000,\"message\":\"nonce too low\"}"}) == EvmErrorKind::rpc);
    CHECK(kind_of({200, "ERROR:{\"code\":\"x\",\"message\":\"bad\"}"}) == EvmErrorKind::malformed_response);
    // a revert with Error(string) data: the reason decoded
    {
        std::lock_guard lock(m);
        next = {200, "ERROR:{\"code\":3,\"message\":\"execution reverted: nope\",\"data\":\"0x08c379a0"
                     "0000000000000000000000000000000000000000000000000000000000000020"
                     "0000000000000000000000000000000000000000000000000000000000000004"
                     "6e6f706500000000000000000000000000000000000000000000000000000000\"}"};
    }
    try {
        (void)rpc.call("eth_call");
        FAIL("no revert");
    } catch (const EvmError& e) {
        CHECK(e.evm_kind() == EvmErrorKind::reverted);
        CHECK(e.reason() == "nope");
        CHECK(e.code() == 3);
        CHECK(e.kind() == xvm::XvmErrorKind::rejected);
    }
    // nobody listening (a port bound but not listening: refused, and nobody else can take it)
    const int closed = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(closed, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    socklen_t alen = sizeof addr;
    ::getsockname(closed, reinterpret_cast<sockaddr*>(&addr), &alen);
    const int port = ntohs(addr.sin_port);
    RpcClient nobody("http://127.0.0.1:" + std::to_string(port) + "/", o);
    try {
        (void)nobody.call("eth_chainId");
        FAIL("connected to nobody");
    } catch (const EvmError& e) {
        CHECK(e.evm_kind() == EvmErrorKind::transport);
        CHECK(e.retryable());
    }
    // a URL's credentials are never quoted
    RpcClient secret("http://user:s3cret@127.0.0.1:" + std::to_string(port) + "/key/abc", o);
    try {
        (void)secret.call("eth_chainId");
    } catch (const EvmError& e) {
        CHECK_THAT(e.what(), !Catch::Contains("s3cret"));
        CHECK_THAT(e.what(), !Catch::Contains("abc"));
    }
    ::close(closed);
}
