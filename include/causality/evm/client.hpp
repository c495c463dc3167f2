// causality/evm/client.hpp — an Ethereum node through its JSON-RPC API, and a signer
// that sends EIP-1559 transactions and waits until they are final.
//
// EvmClient: chain id, blocks (by number or tag: "latest", "finalized", "safe"), balances,
// nonces, code, eth_call, gas estimation, fee suggestion, raw transactions, receipts,
// transactions and logs, each reply checked for the shape it must have (a receipt without
// a block hash, a log with a topic of 31 bytes, a quantity that is not hex: EvmError
// malformed_response naming the method and field).
//
// Signer: one account. Nonces: the next nonce is the larger of the one it gave last and
// the node's pending count, asked at every send, so that transactions of one signer never
// share a nonce and one sent by someone else with this key is noticed; "nonce too low" from
// the node makes it ask again and sign once more. Gas: estimated (a revert during
// estimation is EvmError(reverted) with the reason, before anything is sent), times 1.25.
// Fees: max priority fee from eth_maxPriorityFeePerGas, max fee = 2 * base fee + priority.
//
// wait_final(sent, finality): polls until the transaction (or one of its replacements,
// all sharing its nonce) has a receipt in a block that is final — `confirmations` blocks
// deep (1: the including block is the head), or at or below the node's "finalized" block
// — and is still the canonical block at its height. Along the way:
//   - a receipt whose block is no longer the canonical one at its height (a reorg) is
//     counted and waited out: the transaction is either included again or comes back
//     without a receipt;
//   - a transaction the node no longer knows (dropped by a reorg or from the pool) is
//     broadcast again (the same signed bytes, so the same hash and nonce);
//   - one pending longer than `stuck_after` is replaced: the same nonce, both fees raised
//     by `bump_percent` (at least the 10% nodes require), and every version is watched;
//   - a nonce that a block shows taken by a transaction that is none of ours (after a
//     reorg, another transaction of this key) is EvmError(reorg) when ours had been
//     included before, or EvmError(rpc) otherwise: the effect did not happen and cannot
//     happen with this nonce (a nonce used with no such block yet, or used by ours whose
//     receipt lags, is waited for);
//   - a receipt with status 0 is EvmError(reverted), the reason found by replaying the call
//     on the block before;
//   - past the deadline, EvmError(timeout).
#pragma once

#include <causality/evm/rpc.hpp>
#include <causality/evm/transaction.hpp>

#include <functional>
#include <thread>

namespace causality::evm {

struct Block {
    std::uint64_t number = 0;
    Hash hash{}, parent{};
    std::optional<std::uint64_t> base_fee;
    std::uint64_t timestamp = 0;
};

struct Log {
    Address address;
    std::vector<Hash> topics;
    Bytes data;
    std::uint64_t block_number = 0, log_index = 0;
    Hash block_hash{}, tx_hash{};
    bool removed = false;
};

struct Receipt {
    Hash tx_hash{};
    bool success = false;
    std::uint64_t block_number = 0, gas_used = 0, effective_gas_price = 0;
    Hash block_hash{};
    Address from;
    std::optional<Address> to, contract_address;
    std::vector<Log> logs;
};

struct TransactionInfo {
    Hash hash{};
    Address from;
    std::uint64_t nonce = 0;
    std::optional<std::uint64_t> block_number;  // none while pending
};

struct CallRequest {
    std::optional<Address> from, to;
    Word value{};
    Bytes data;
    std::optional<std::uint64_t> gas;
};

struct Finality {
    std::uint64_t confirmations = 1;  // blocks including the transaction's own
    bool finalized_tag = false;       // final when at or below the node's "finalized" block
    std::chrono::milliseconds poll{50};
    std::chrono::milliseconds timeout{60'000};
    std::chrono::milliseconds stuck_after{15'000};  // then replaced with higher fees
    unsigned bump_percent = 25;
    // Called when the transaction is seen in a canonical block (again, after a reorg): progress.
    std::function<void(const Receipt&)> on_included;
};

namespace detail {
inline const Json& field(const Json& o, const char* name, const std::string& where) {
    if (!o.is_object() || !o.contains(name) || o[name].is_null())
        throw EvmError(EvmErrorKind::malformed_response, where + ": no '" + name + "'");
    return o[name];
}
inline std::string text(const Json& o, const char* name, const std::string& where) {
    const Json& v = field(o, name, where);
    if (!v.is_string()) throw EvmError(EvmErrorKind::malformed_response, where + ": '" + name + "' is not a string");
    return v.get<std::string>();
}
inline std::uint64_t u64(const Json& o, const char* name, const std::string& where) {
    return u64_from_quantity(text(o, name, where), where + " " + name);
}
inline Hash hash32(const Json& o, const char* name, const std::string& where) {
    return fixed_from_hex<32>(text(o, name, where), where + " " + name, EvmErrorKind::malformed_response);
}
inline Address address(const Json& o, const char* name, const std::string& where) {
    return Address::parse(text(o, name, where), where + " " + name, EvmErrorKind::malformed_response);
}
inline std::optional<Address> maybe_address(const Json& o, const char* name, const std::string& where) {
    if (!o.contains(name) || o[name].is_null()) return std::nullopt;
    return address(o, name, where);
}
inline Block block(const Json& b, const std::string& where) {
    Block out;
    out.number = u64(b, "number", where);
    out.hash = hash32(b, "hash", where);
    out.parent = hash32(b, "parentHash", where);
    out.timestamp = u64(b, "timestamp", where);
    if (b.contains("baseFeePerGas") && !b["baseFeePerGas"].is_null()) out.base_fee = u64(b, "baseFeePerGas", where);
    return out;
}
inline Log log(const Json& l, const std::string& where) {
    Log out;
    out.address = address(l, "address", where);
    const Json& topics = field(l, "topics", where);
    if (!topics.is_array() || topics.size() > 4) throw EvmError(EvmErrorKind::malformed_response, where + ": 'topics' is not an array of at most 4");
    for (const auto& t : topics) {
        if (!t.is_string()) throw EvmError(EvmErrorKind::malformed_response, where + ": a topic is not a string");
        out.topics.push_back(fixed_from_hex<32>(t.get<std::string>(), where + " topic", EvmErrorKind::malformed_response));
    }
    out.data = bytes_from_hex(text(l, "data", where), where + " data", EvmErrorKind::malformed_response);
    out.block_number = u64(l, "blockNumber", where);
    out.block_hash = hash32(l, "blockHash", where);
    out.tx_hash = hash32(l, "transactionHash", where);
    out.log_index = u64(l, "logIndex", where);
    if (l.contains("removed")) {
        if (!l["removed"].is_boolean()) throw EvmError(EvmErrorKind::malformed_response, where + ": 'removed' is not a bool");
        out.removed = l["removed"].get<bool>();
    }
    return out;
}
inline Receipt receipt(const Json& r, const std::string& where) {
    Receipt out;
    out.tx_hash = hash32(r, "transactionHash", where);
    const std::uint64_t status = u64(r, "status", where);
    if (status > 1) throw EvmError(EvmErrorKind::malformed_response, where + ": status is not 0 or 1");
    out.success = status == 1;
    out.block_number = u64(r, "blockNumber", where);
    out.block_hash = hash32(r, "blockHash", where);
    out.gas_used = u64(r, "gasUsed", where);
    if (r.contains("effectiveGasPrice") && !r["effectiveGasPrice"].is_null()) out.effective_gas_price = u64(r, "effectiveGasPrice", where);
    out.from = address(r, "from", where);
    out.to = maybe_address(r, "to", where);
    out.contract_address = maybe_address(r, "contractAddress", where);
    const Json& logs = field(r, "logs", where);
    if (!logs.is_array()) throw EvmError(EvmErrorKind::malformed_response, where + ": 'logs' is not an array");
    for (const auto& l : logs) out.logs.push_back(log(l, where + " log"));
    return out;
}
inline Json call_object(const CallRequest& c) {
    Json o = Json::object();
    if (c.from) o["from"] = c.from->hex();
    if (c.to) o["to"] = c.to->hex();
    if (!is_zero(c.value)) o["value"] = quantity(c.value);
    if (!c.data.empty()) o["input"] = to_hex(c.data);
    if (c.gas) o["gas"] = quantity(*c.gas);
    return o;
}
}  // namespace detail

class EvmClient {
public:
    explicit EvmClient(std::string url, RpcOptions options = {}) : rpc_(std::move(url), options) {}

    [[nodiscard]] RpcClient& rpc() noexcept { return rpc_; }
    Json raw(const std::string& method, Json params = Json::array()) { return rpc_.call(method, std::move(params)); }

    std::uint64_t chain_id() {
        if (const auto c = chain_id_.load()) return c;
        const auto r = rpc_.call("eth_chainId");
        if (!r.is_string()) throw EvmError(EvmErrorKind::malformed_response, "eth_chainId: the result is not a quantity");
        const std::uint64_t c = u64_from_quantity(r.get<std::string>(), "eth_chainId");
        chain_id_ = c;
        return c;
    }
    std::uint64_t block_number() { return quantity_of(rpc_.call("eth_blockNumber"), "eth_blockNumber"); }
    // "latest", "finalized", "safe", "earliest", or a number; none for a block the node does
    // not have.
    std::optional<Block> block(const Json& tag_or_number) {
        const Json tag = tag_or_number.is_number_unsigned() ? Json(quantity(tag_or_number.get<std::uint64_t>())) : tag_or_number;
        const Json r = rpc_.call("eth_getBlockByNumber", Json::array({tag, false}));
        if (r.is_null()) return std::nullopt;
        return detail::block(r, "eth_getBlockByNumber " + tag.dump());
    }
    Word balance(const Address& a, const std::string& tag = "latest") {
        const Json r = rpc_.call("eth_getBalance", Json::array({a.hex(), tag}));
        if (!r.is_string()) throw EvmError(EvmErrorKind::malformed_response, "eth_getBalance: the result is not a quantity");
        return word_from_quantity(r.get<std::string>(), "eth_getBalance");
    }
    std::uint64_t nonce(const Address& a, const std::string& tag = "pending") {
        return quantity_of(rpc_.call("eth_getTransactionCount", Json::array({a.hex(), tag})), "eth_getTransactionCount");
    }
    Bytes code(const Address& a) { return data_of(rpc_.call("eth_getCode", Json::array({a.hex(), "latest"})), "eth_getCode"); }
    // The call's return data; EvmError(reverted) with the reason when it reverts.
    Bytes call(const CallRequest& c, const Json& block = "latest") {
        const Json tag = block.is_number_unsigned() ? Json(quantity(block.get<std::uint64_t>())) : block;
        return data_of(rpc_.call("eth_call", Json::array({detail::call_object(c), tag})), "eth_call");
    }
    std::uint64_t estimate_gas(const CallRequest& c) {
        return quantity_of(rpc_.call("eth_estimateGas", Json::array({detail::call_object(c)})), "eth_estimateGas");
    }
    std::uint64_t max_priority_fee() { return quantity_of(rpc_.call("eth_maxPriorityFeePerGas"), "eth_maxPriorityFeePerGas"); }
    Hash send_raw(std::span<const std::uint8_t> signed_tx) {
        const Json r = rpc_.call("eth_sendRawTransaction", Json::array({to_hex(signed_tx)}));
        if (!r.is_string()) throw EvmError(EvmErrorKind::malformed_response, "eth_sendRawTransaction: the result is not a hash");
        const Hash h = fixed_from_hex<32>(r.get<std::string>(), "eth_sendRawTransaction result", EvmErrorKind::malformed_response);
        if (h != transaction_hash(signed_tx))
            throw EvmError(EvmErrorKind::malformed_response, "eth_sendRawTransaction: the node answered another transaction hash");
        return h;
    }
    std::optional<Receipt> receipt(const Hash& h) {
        const Json r = rpc_.call("eth_getTransactionReceipt", Json::array({to_hex(h)}));
        if (r.is_null()) return std::nullopt;
        Receipt out = detail::receipt(r, "eth_getTransactionReceipt");
        if (out.tx_hash != h) throw EvmError(EvmErrorKind::malformed_response, "eth_getTransactionReceipt: the receipt of another transaction");
        return out;
    }
    std::optional<TransactionInfo> transaction(const Hash& h) {
        const Json r = rpc_.call("eth_getTransactionByHash", Json::array({to_hex(h)}));
        if (r.is_null()) return std::nullopt;
        const std::string where = "eth_getTransactionByHash";
        TransactionInfo t;
        t.hash = detail::hash32(r, "hash", where);
        if (t.hash != h) throw EvmError(EvmErrorKind::malformed_response, where + ": another transaction");
        t.from = detail::address(r, "from", where);
        t.nonce = detail::u64(r, "nonce", where);
        if (r.contains("blockNumber") && !r["blockNumber"].is_null()) t.block_number = detail::u64(r, "blockNumber", where);
        return t;
    }
    // The transactions of block `number` (hash, sender, nonce); none for a block the node
    // does not have.
    std::optional<std::vector<TransactionInfo>> block_transactions(std::uint64_t number) {
        const Json r = rpc_.call("eth_getBlockByNumber", Json::array({quantity(number), true}));
        if (r.is_null()) return std::nullopt;
        const std::string where = "eth_getBlockByNumber " + std::to_string(number);
        const Json& txs = detail::field(r, "transactions", where);
        if (!txs.is_array()) throw EvmError(EvmErrorKind::malformed_response, where + ": 'transactions' is not an array");
        std::vector<TransactionInfo> out;
        for (const auto& t : txs) {
            TransactionInfo i;
            i.hash = detail::hash32(t, "hash", where);
            i.from = detail::address(t, "from", where);
            i.nonce = detail::u64(t, "nonce", where);
            i.block_number = number;
            out.push_back(i);
        }
        return out;
    }
    // The hash of the transaction of `from` with `nonce` in the blocks from `since` to the
    // head (at most the last 10,000), if one is there.
    std::optional<Hash> find_transaction(const Address& from, std::uint64_t nonce, std::uint64_t since) {
        const std::uint64_t head = block_number();
        const std::uint64_t first = head > since + 10'000 ? head - 10'000 : since;
        for (std::uint64_t n = first; n <= head; ++n) {
            const auto txs = block_transactions(n);
            if (!txs) continue;
            for (const auto& t : *txs)
                if (t.from == from && t.nonce == nonce) return t.hash;
        }
        return std::nullopt;
    }
    // eth_getLogs with a filter object ({"address", "fromBlock", "toBlock", "topics"}).
    std::vector<Log> logs(const Json& filter) {
        const Json r = rpc_.call("eth_getLogs", Json::array({filter}));
        if (!r.is_array()) throw EvmError(EvmErrorKind::malformed_response, "eth_getLogs: the result is not an array");
        std::vector<Log> out;
        for (const auto& l : r) out.push_back(detail::log(l, "eth_getLogs"));
        return out;
    }

    // The height at or below which blocks are final under `f` (none yet: nullopt).
    std::optional<std::uint64_t> final_height(const Finality& f) {
        if (f.finalized_tag) {
            const auto b = block("finalized");
            if (!b) return std::nullopt;
            return b->number;
        }
        const std::uint64_t head = block_number();
        if (head + 1 < f.confirmations) return std::nullopt;
        return head + 1 - std::max<std::uint64_t>(f.confirmations, 1);
    }

private:
    static std::uint64_t quantity_of(const Json& r, const char* method) {
        if (!r.is_string()) throw EvmError(EvmErrorKind::malformed_response, std::string(method) + ": the result is not a quantity");
        return u64_from_quantity(r.get<std::string>(), method);
    }
    static Bytes data_of(const Json& r, const char* method) {
        if (!r.is_string()) throw EvmError(EvmErrorKind::malformed_response, std::string(method) + ": the result is not data");
        return bytes_from_hex(r.get<std::string>(), method, EvmErrorKind::malformed_response);
    }
    RpcClient rpc_;
    std::atomic<std::uint64_t> chain_id_{0};
};

struct TxRequest {
    std::optional<Address> to;  // none: deploy `data`
    Word value{};
    Bytes data;
    std::optional<std::uint64_t> gas;                        // else estimated
    std::optional<std::uint64_t> max_fee, max_priority_fee;  // else suggested
    std::optional<std::uint64_t> nonce;                      // else the signer's next

    static TxRequest deploy(Bytes init_code, Word value = {}) {
        TxRequest r;
        r.data = std::move(init_code);
        r.value = value;
        return r;
    }
    static TxRequest invoke(const Address& contract, Bytes calldata, Word value = {}) {
        TxRequest r;
        r.to = contract;
        r.data = std::move(calldata);
        r.value = value;
        return r;
    }
    static TxRequest pay(const Address& to, Word value) {  // a plain transfer: 21000 gas
        TxRequest r;
        r.to = to;
        r.value = value;
        r.gas = 21000;
        return r;
    }
    TxRequest& with_gas(std::uint64_t g) { gas = g; return *this; }
    TxRequest& with_nonce(std::uint64_t n) { nonce = n; return *this; }
    TxRequest& with_fees(std::uint64_t max, std::uint64_t priority) { max_fee = max; max_priority_fee = priority; return *this; }
};

struct SentTransaction {
    Eip1559Transaction tx;
    Bytes raw;
    Hash hash{};
};

struct FinalReceipt {
    Receipt receipt;
    SentTransaction sent;  // the version that was included
    unsigned reorgs = 0, rebroadcasts = 0, replacements = 0;
};

class Signer {
public:
    Signer(EvmClient& client, PrivateKey key) : client_(&client), key_(std::move(key)), address_(key_.address()) {}

    [[nodiscard]] const Address& address() const noexcept { return address_; }
    [[nodiscard]] EvmClient& client() noexcept { return *client_; }

    // Signs without sending (the caller records it first, then broadcasts).
    SentTransaction sign(const TxRequest& r) {
        Eip1559Transaction tx;
        tx.chain_id = client_->chain_id();
        tx.to = r.to;
        tx.value = r.value;
        tx.data = r.data;
        if (r.gas) {
            tx.gas = *r.gas;
        } else {
            CallRequest c{address_, r.to, r.value, r.data, std::nullopt};
            const std::uint64_t est = client_->estimate_gas(c);
            tx.gas = est + est / 4;
        }
        if (r.max_priority_fee && r.max_fee) {
            tx.max_priority_fee = *r.max_priority_fee;
            tx.max_fee = *r.max_fee;
        } else {
            const std::uint64_t tip = r.max_priority_fee ? *r.max_priority_fee : client_->max_priority_fee();
            const auto head = client_->block("latest");
            const std::uint64_t base = head && head->base_fee ? *head->base_fee : 0;
            tx.max_priority_fee = tip;
            tx.max_fee = r.max_fee ? *r.max_fee : 2 * base + tip;
        }
        if (r.nonce) {
            tx.nonce = *r.nonce;
        } else {  // the node's pending count and ours, under the lock: no nonce is given twice
            std::lock_guard lock(mutex_);
            tx.nonce = std::max(next_nonce_, client_->nonce(address_, "pending"));
            next_nonce_ = tx.nonce + 1;
        }
        return finish(std::move(tx));
    }
    // Broadcasts; "already known" counts as sent. EvmError(rpc) from the node otherwise (and
    // the nonce is given out again: a refused transaction must not leave a gap).
    void broadcast(const SentTransaction& s) {
        try {
            (void)client_->send_raw(s.raw);
        } catch (const EvmError& e) {
            const std::string m = lowercase(e.reason());
            if (e.evm_kind() == EvmErrorKind::rpc && (m.find("already known") != std::string::npos || m.find("already imported") != std::string::npos))
                return;
            if (e.evm_kind() == EvmErrorKind::rpc) {  // refused: its nonce is free again (else a gap)
                std::lock_guard lock(mutex_);
                next_nonce_ = std::min(next_nonce_, s.tx.nonce);
            }
            throw;
        }
    }
    // sign + broadcast; a "nonce too low" answer makes it take the node's nonce and sign once more.
    SentTransaction send(const TxRequest& r) {
        SentTransaction s = sign(r);
        try {
            broadcast(s);
        } catch (const EvmError& e) {
            if (r.nonce || !nonce_too_low(e)) throw;
            resync();
            s = sign(r);
            broadcast(s);
        }
        return s;
    }
    // The same nonce with both fees raised by `percent` (at least 10%, plus one wei).
    SentTransaction replacement(const SentTransaction& s, unsigned percent = 25) {
        Eip1559Transaction tx = s.tx;
        const auto bump = [&](std::uint64_t v) { return v + std::max<std::uint64_t>(v * std::max(percent, 10u) / 100, 1); };
        tx.max_priority_fee = bump(tx.max_priority_fee);
        tx.max_fee = std::max(bump(tx.max_fee), tx.max_priority_fee);
        return finish(std::move(tx));
    }
    void resync() {
        std::lock_guard lock(mutex_);
        next_nonce_ = client_->nonce(address_, "pending");
    }
    [[nodiscard]] std::uint64_t next_nonce() {
        std::lock_guard lock(mutex_);
        return next_nonce_;
    }

    // `others`: earlier versions (replacements) of the same nonce to watch as well;
    // `before_replacement`: called with a replacement before it is broadcast (so that a
    // caller that records what it sent can find it again after a crash).
    FinalReceipt wait_final(const SentTransaction& first, const Finality& f, const std::vector<SentTransaction>& others = {},
                            const std::function<void(const SentTransaction&)>& before_replacement = {}) {
        const auto start = std::chrono::steady_clock::now();
        const auto deadline = start + f.timeout;
        std::vector<SentTransaction> versions = others;
        versions.insert(versions.begin(), first);
        FinalReceipt out;
        auto pending_since = start;
        bool included_before = false;
        Hash seen_block{};
        const std::uint64_t entry_head = client_->block_number();
        const std::uint64_t search_from = entry_head > 256 ? entry_head - 256 : 0;  // where our nonce's user is looked for
        for (;;) {
            if (std::chrono::steady_clock::now() > deadline)
                throw EvmError(EvmErrorKind::timeout, "transaction " + to_hex(first.hash) + " (nonce " + std::to_string(first.tx.nonce) +
                                                          ") is not final after " + std::to_string(f.timeout.count()) + " ms");
            std::optional<Receipt> r;
            const SentTransaction* mined = nullptr;
            for (auto it = versions.rbegin(); it != versions.rend() && !r; ++it) {
                r = client_->receipt(it->hash);
                if (r) mined = &*it;
            }
            if (!r) {
                const std::uint64_t used = client_->nonce(address_, "latest");
                if (used > first.tx.nonce) {
                    // Our nonce is used and no version of ours has a receipt: a block tells who
                    // used it. Ours (the receipt lags the state) or nobody yet: wait; another
                    // transaction: ours can no longer apply.
                    const auto user = client_->find_transaction(address_, first.tx.nonce, search_from);
                    bool ours = false;
                    for (const auto& v : versions) ours = ours || (user && *user == v.hash);
                    if (user && !ours) {
                        const std::string what = "nonce " + std::to_string(first.tx.nonce) + " of " + address_.hex() +
                                                 " was used by another transaction (" + to_hex(*user) + ") than " + to_hex(first.hash);
                        if (included_before) throw EvmError(EvmErrorKind::reorg, what + " after a reorg removed it");
                        throw EvmError(EvmErrorKind::rpc, what);
                    }
                    std::this_thread::sleep_for(f.poll);
                    continue;
                }
                const SentTransaction& latest = versions.back();
                if (!client_->transaction(latest.hash)) {  // dropped: broadcast it again
                    try {
                        broadcast(latest);
                        ++out.rebroadcasts;
                    } catch (const EvmError& e) {
                        if (e.evm_kind() != EvmErrorKind::rpc) throw;  // nonce now used: seen above next time
                    }
                } else if (std::chrono::steady_clock::now() - pending_since > f.stuck_after) {
                    SentTransaction next = replacement(latest, f.bump_percent);
                    if (before_replacement) before_replacement(next);
                    broadcast(next);
                    versions.push_back(std::move(next));
                    ++out.replacements;
                    pending_since = std::chrono::steady_clock::now();
                }
                std::this_thread::sleep_for(f.poll);
                continue;
            }
            const auto canonical = client_->block(r->block_number);
            if (!canonical || canonical->hash != r->block_hash) {  // its block left the chain
                ++out.reorgs;
                included_before = true;
                std::this_thread::sleep_for(f.poll);
                continue;
            }
            if (!included_before || seen_block != r->block_hash) {
                seen_block = r->block_hash;
                if (f.on_included) f.on_included(*r);
            }
            included_before = true;
            const auto final_at = client_->final_height(f);
            if (final_at && *final_at >= r->block_number) {
                // final: check the block is still the one (the finality question took time)
                const auto again = client_->block(r->block_number);
                if (!again || again->hash != r->block_hash) {
                    ++out.reorgs;
                    continue;
                }
                if (!r->success) {
                    std::string reason;
                    try {
                        CallRequest c{address_, mined->tx.to, mined->tx.value, mined->tx.data, mined->tx.gas};
                        (void)client_->call(c, r->block_number ? Json(r->block_number - 1) : Json("earliest"));
                    } catch (const EvmError& e) {
                        if (e.evm_kind() == EvmErrorKind::reverted) reason = e.reason();
                    }
                    throw EvmError(EvmErrorKind::reverted, "transaction " + to_hex(r->tx_hash) + " reverted in block " + std::to_string(r->block_number) +
                                                               (reason.empty() ? "" : ": " + reason), 0, reason);
                }
                out.receipt = std::move(*r);
                out.sent = *mined;
                return out;
            }
            std::this_thread::sleep_for(f.poll);
        }
    }

private:
    SentTransaction finish(Eip1559Transaction tx) {
        SentTransaction s;
        s.raw = tx.sign(key_);
        s.hash = transaction_hash(s.raw);
        s.tx = std::move(tx);
        return s;
    }
    EvmClient* client_;
    PrivateKey key_;
    Address address_;
    std::mutex mutex_;
    std::uint64_t next_nonce_ = 0;
};

}  // namespace causality::evm
