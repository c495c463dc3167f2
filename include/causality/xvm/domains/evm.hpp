// causality/xvm/domains/evm.hpp — an Ethereum chain as a domain, through a node's JSON-RPC.
//
// EvmBackend speaks to one node (evm/client.hpp) with one account (a key from a file or
// an environment variable; never written anywhere) and knows contracts by name (the
// artifacts contracts/compile.mjs writes: ABI and bytecode; an address given, or the one a
// `deploy` step produced). Its policy is CrossVm: a message carrying a proof from a
// ZkProofs domain is verified there and what the verifier states is posted on chain.
//
// Operations (params):
//   deploy  {contract, args?, value?}              -> {contract, address, tx, ...}
//   send    {contract, function, args?, value?, gas?} -> {tx, block_number, block_hash,
//            gas_used, nonce, events: [{contract, event, args, log_index}], reorgs,
//            replacements, rebroadcasts}
//   transfer {to, value}                           -> the same, without events
//   call    {contract, function, args?, block?}    -> {result}  (read-only, no transaction)
//   events  {contract, event, from_block?, where?: {indexed argument: value}}
//            -> {events: [...], to_block}: the decoded logs of final blocks only
//   post_proven (a message from a ZkProofs domain) {program, registry?: "registry"}:
//            the message's proof is verified by the source domain's verifier against
//            `program` (named by the step, not the message); the run must have exited
//            with 0; the verified program id, nullifiers and commitments (never the
//            message's payload) are posted to the registry contract (contracts/Registry.sol),
//            which refuses a nullifier it has seen ("nullifier spent").
// Values: amounts and integers as decimal strings or numbers, addresses as 0x hex, bytes
// as 0x hex, as abi.hpp reads them. `args` is an array or an object by parameter name.
//
// Finality: a transaction's step is done only when its receipt is final — `confirmations`
// deep or at or below the node's "finalized" block — and still canonical (Signer::
// wait_final: a reorg is waited out, a dropped transaction broadcast again, a stuck one
// replaced with higher fees; a nonce taken by another transaction after a reorg is
// EvmError(reorg), a final failure, and the plan compensates).
//
// Idempotency from the chain: before a transaction is broadcast, its signed bytes are
// recorded under the step's idempotency key in the domain's own SQLite file (and every
// replacement before it is broadcast). Executing a key again, or asking applied(key)
// after a crash, looks the recorded transactions up on the chain: one with a final
// successful receipt is the outcome (nothing is sent again); one the node no longer has,
// with its nonce still free, is broadcast again (the same bytes: the same nonce and hash,
// so it can apply at most once); a nonce that a block shows used by another transaction
// means it never applied, and the step signs anew. Without that evidence (a node that lost
// blocks but kept their state, as a dev node stopped mid-block can) the step fails as
// EvmError(reorg) "cannot tell whether ... applied" rather than risk applying it twice. The
// registry's post also carries keccak256(key) and refuses a key it has seen.
//
// Errors: EvmError (an XvmError): transport and malformed replies are transient (retried
// by the coordinator), timeouts are timeouts, reverts (with the reason decoded with the
// contract's errors), node refusals and reorged-away transactions are rejections.
#pragma once

#include <causality/evm/client.hpp>
#include <causality/store/sqlite.hpp>
#include <causality/xvm/broker.hpp>

#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <mutex>

namespace causality::xvm {

struct EvmDomainOptions {
    std::string rpc = "http://127.0.0.1:8545";
    std::optional<std::uint64_t> chain_id;  // checked against the node's before the first effect
    evm::Finality finality;
    evm::RpcOptions rpc_options;
    std::string state = ":memory:";  // the SQLite file of what was sent per idempotency key
};

struct EvmContract {
    std::string name;
    evm::abi::Interface abi;
    evm::Bytes bytecode;
    std::optional<evm::Address> address;
};

// An artifact of contracts/compile.mjs: {"contract", "abi", "bytecode", ...}.
inline EvmContract load_contract_artifact(const std::string& name, const std::string& path) {
    std::ifstream f(path);
    if (!f) throw XvmError(XvmErrorKind::bad_config, "evm: cannot read the artifact " + path + " of contract '" + name + "'");
    const Json j = Json::parse(f, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("abi") || !j.contains("bytecode") || !j["bytecode"].is_string())
        throw XvmError(XvmErrorKind::bad_config, "evm: " + path + " is not a contract artifact ({abi, bytecode})");
    try {
        return {name, evm::abi::Interface(j["abi"]), evm::bytes_from_hex(j["bytecode"].get<std::string>(), path + " bytecode"), std::nullopt};
    } catch (const evm::EvmError& e) {
        throw XvmError(XvmErrorKind::bad_config, "evm: " + path + ": " + e.what());
    }
}

class EvmBackend {
public:
    // Called at "before broadcast" (recorded, not sent), "after broadcast", "after final"
    // (final, the outcome not yet recorded): tests kill the process there.
    std::function<void(std::string_view point, const Operation&)> hook;

    EvmBackend(EvmDomainOptions options, std::optional<evm::PrivateKey> key)
        : options_(std::move(options)),
          client_(std::make_unique<evm::EvmClient>(options_.rpc, options_.rpc_options)),
          db_(std::make_unique<store::SqliteDb>(options_.state)) {
        if (key) signer_ = std::make_unique<evm::Signer>(*client_, std::move(*key));
        db_->require_meta("schema", "causality-xvm-evm 1", "EVM domain");
        db_->exec(
            "CREATE TABLE IF NOT EXISTS sent(key TEXT NOT NULL, version INTEGER NOT NULL, hash TEXT NOT NULL, nonce INTEGER NOT NULL,"
            " raw BLOB NOT NULL, deploys TEXT NOT NULL, head INTEGER NOT NULL, PRIMARY KEY(key, version));"
            "CREATE TABLE IF NOT EXISTS outcomes(key TEXT PRIMARY KEY, operation TEXT NOT NULL, output TEXT NOT NULL);"
            "CREATE TABLE IF NOT EXISTS deployed(name TEXT PRIMARY KEY, address TEXT NOT NULL)",
            "create the EVM domain tables");
    }
    EvmBackend(EvmBackend&&) noexcept = default;

    void add_contract(EvmContract c) {
        std::lock_guard lock(*mutex_);
        if (!c.address) {
            auto q = db_->prepare("SELECT address FROM deployed WHERE name = ?", "read a deployed address");
            q.text(1, c.name);
            if (q.row()) c.address = evm::Address::parse(q.column_text(0), "recorded address");
        }
        const std::string n = c.name;
        contracts_.insert_or_assign(n, std::move(c));
    }
    [[nodiscard]] evm::EvmClient& client() noexcept { return *client_; }
    [[nodiscard]] evm::Signer* signer() noexcept { return signer_.get(); }
    [[nodiscard]] const EvmDomainOptions& options() const noexcept { return options_; }
    [[nodiscard]] std::optional<evm::Address> address_of(const std::string& contract) {
        std::lock_guard lock(*mutex_);
        const auto it = contracts_.find(contract);
        return it == contracts_.end() ? std::nullopt : it->second.address;
    }

    [[nodiscard]] std::string vm_type() const { return "evm"; }
    [[nodiscard]] std::vector<std::string> operations() const { return {"deploy", "send", "transfer", "call", "events", "post_proven"}; }

    Outcome execute(const Operation& op) {
        if (op.name == "call") return read_call(op);
        if (op.name == "events") return read_events(op);
        if (op.name == "post_proven") throw XvmError(XvmErrorKind::unknown_operation, "evm: post_proven comes as a message from a proving domain");
        if (auto done = recorded_outcome(op.idempotency_key)) return *done;
        check_deadline(op);
        if (op.name == "deploy") {
            const std::string name = text(op.params, "contract");
            const EvmContract c = contract(name);
            evm::Bytes data = c.bytecode;
            const evm::Bytes args = translate_abi([&] { return c.abi.encode_constructor(op.params.value("args", Json::array())); });
            data.insert(data.end(), args.begin(), args.end());
            return transact(op, evm::TxRequest::deploy(std::move(data), value_of(op.params)), name);
        }
        if (op.name == "send") {
            const EvmContract c = deployed(text(op.params, "contract"));
            const auto& fn = function(c, text(op.params, "function"));
            evm::TxRequest r = evm::TxRequest::invoke(*c.address, translate_abi([&] { return fn.encode_call(op.params.value("args", Json::array())); }),
                                                      value_of(op.params));
            if (op.params.contains("gas")) r.gas = to_u64(op.params["gas"], "evm: gas");
            return transact(op, std::move(r));
        }
        if (op.name == "transfer") {
            const auto to = translate_abi([&] { return evm::Address::parse(text(op.params, "to"), "evm: transfer 'to'"); });
            return transact(op, evm::TxRequest::pay(to, value_of(op.params)));
        }
        throw XvmError(XvmErrorKind::unknown_operation, "evm: no operation " + op.name);
    }

    Outcome receive(const Message& m, const Operation& op, CrossVmBroker& broker) {
        if (op.name != "post_proven")
            throw XvmError(XvmErrorKind::unknown_operation, "evm: a message can only post_proven, not " + op.name);
        if (auto done = recorded_outcome(op.idempotency_key)) return *done;
        if (op.idempotency_key.empty()) throw XvmError(XvmErrorKind::bad_config, "evm: post_proven needs an idempotency key");
        const std::string program = text(op.params, "program");
        const Json statement = broker.proofs_of(m.source).verify_proof(program, m.attachment);
        if (!statement.value("terminated", false) || statement.value("exit_code", 1u) != 0)
            throw XvmError(XvmErrorKind::proof_rejected, "evm: the proven run of " + program + " did not exit with code 0");
        if (!statement.contains("nullifiers") || !statement["nullifiers"].is_array() || statement["nullifiers"].empty())
            throw XvmError(XvmErrorKind::proof_rejected, "evm: the proof of " + program + " states no nullifiers (not a resource transfer)");
        const auto words = [&](const Json& list) {
            Json a = Json::array();
            for (const auto& d : list) a.push_back("0x" + d.get<std::string>());
            return a;
        };
        const EvmContract reg = deployed(op.params.value("registry", std::string("registry")));
        const auto& fn = function(reg, "post");
        const Json args = Json::array({evm::to_hex(evm::abi::keccak(op.idempotency_key)), "0x" + statement.at("program_id").get<std::string>(),
                                       words(statement["nullifiers"]), words(statement.value("commitments", Json::array()))});
        Outcome o = transact(op, evm::TxRequest::invoke(*reg.address, translate_abi([&] { return fn.encode_call(args); })));
        o.output["program_id"] = statement["program_id"];
        o.output["verified_from"] = m.source;
        return o;
    }

    std::optional<Outcome> applied(const std::string& key) {
        if (key.empty()) return std::nullopt;
        if (auto done = recorded_outcome(key)) return done;
        const auto versions = sent_versions(key);
        if (versions.empty()) return std::nullopt;
        for (const auto& v : versions) {
            const auto r = client_->receipt(v.hash);
            if (!r || !r->success) continue;
            const auto final_at = client_->final_height(options_.finality);
            const auto canonical = client_->block(r->block_number);
            if (!final_at || *final_at < r->block_number || !canonical || canonical->hash != r->block_hash) return std::nullopt;
            evm::FinalReceipt fr;
            fr.receipt = *r;
            fr.sent = v;
            Outcome o = outcome_of(fr);
            finish_deploy(deploys_of(key), o);
            record_outcome(key, "recovered", o);
            return o;
        }
        return std::nullopt;
    }

    Json query(const Json& request) {
        if (!request.is_object()) throw XvmError(XvmErrorKind::bad_config, "evm: a query is an object");
        if (request.contains("contract")) {
            const auto a = address_of(request["contract"].get<std::string>());
            return a ? Json{{"address", a->checksummed()}} : Json::object();
        }
        if (request.contains("balance"))
            return Json{{"balance", abi_word_decimal(client_->balance(evm::Address::parse(request["balance"].get<std::string>(), "balance")))}};
        if (request.contains("call")) {
            Operation op{"call", request["call"], "", Clock::time_point::max()};
            return read_call(op).output;
        }
        if (request.contains("sent")) {
            Json a = Json::array();
            for (const auto& v : sent_versions(request["sent"].get<std::string>()))
                a.push_back(Json{{"tx", evm::to_hex(v.hash)}, {"nonce", v.tx.nonce}});
            return a;
        }
        if (request.contains("account")) return signer_ ? Json{{"address", signer_->address().checksummed()}} : Json::object();
        throw XvmError(XvmErrorKind::bad_config, "evm: unknown query " + detail::shown(request));
    }

private:
    static std::string text(const Json& p, const char* name) {
        if (!p.is_object() || !p.contains(name) || !p[name].is_string())
            throw XvmError(XvmErrorKind::rejected, std::string("evm: the step needs '") + name + "' (a string)");
        return p[name].get<std::string>();
    }
    static evm::Word value_of(const Json& p) { return p.contains("value") ? to_abi_word(p["value"], "evm: value") : evm::Word{}; }
    template <class Fn>
    static auto translate_abi(Fn&& f) -> decltype(f()) {
        try {
            return f();
        } catch (const evm::EvmError& e) {
            throw XvmError(XvmErrorKind::translation, e.what());
        }
    }
    static void check_deadline(const Operation& op) {
        if (Clock::now() > op.deadline) throw XvmError(XvmErrorKind::timeout, "evm: " + op.name + " past its deadline");
    }
    EvmContract contract(const std::string& name) {
        std::lock_guard lock(*mutex_);
        const auto it = contracts_.find(name);
        if (it == contracts_.end()) throw XvmError(XvmErrorKind::rejected, "evm: no contract '" + name + "' in this domain");
        return it->second;
    }
    EvmContract deployed(const std::string& name) {
        EvmContract c = contract(name);
        if (!c.address) throw XvmError(XvmErrorKind::rejected, "evm: contract '" + name + "' has no address (deploy it first)");
        return c;
    }
    static const evm::abi::Function& function(const EvmContract& c, const std::string& name) {
        try {
            return c.abi.function(name);
        } catch (const evm::EvmError& e) {
            throw XvmError(XvmErrorKind::rejected, "evm: contract '" + c.name + "': " + e.what());
        }
    }
    evm::Signer& signer_or_fail() {
        if (!signer_) throw XvmError(XvmErrorKind::bad_config, "evm: this domain has no key (key_env or key_file): it can only read");
        if (!chain_checked_->load()) {
            if (options_.chain_id && client_->chain_id() != *options_.chain_id)
                throw XvmError(XvmErrorKind::bad_config, "evm: the node at " + client_->rpc().host() + " is chain " + std::to_string(client_->chain_id()) +
                                                             ", the domain is configured for chain " + std::to_string(*options_.chain_id));
            *chain_checked_ = true;
        }
        return *signer_;
    }
    // A revert's reason in the words of the contract it was sent to.
    std::string revert_reason(const evm::EvmError& e, const std::optional<evm::Address>& to) {
        if (e.data().size() > 2 && to) {
            std::lock_guard lock(*mutex_);
            for (const auto& [n, c] : contracts_)
                if (c.address == to) return evm::abi::describe_revert(evm::bytes_from_hex(e.data(), "revert data", evm::EvmErrorKind::malformed_response), c.abi.errors());
        }
        return e.reason();
    }

    // A deployment's outcome: the contract's address recorded under its name.
    void finish_deploy(const std::string& name, Outcome& o) {
        if (name.empty() || !o.output.contains("address")) return;
        const auto addr = evm::Address::parse(o.output["address"].get<std::string>(), "deployed address");
        std::lock_guard lock(*mutex_);
        db_->prepare("INSERT OR REPLACE INTO deployed(name, address) VALUES(?, ?)", "record a deployed address")
            .text(1, name)
            .text(2, addr.checksummed())
            .run();
        if (const auto it = contracts_.find(name); it != contracts_.end()) it->second.address = addr;
        o.output["contract"] = name;
    }

    // deploys: the contract name a deployment is of ("" for other transactions)
    Outcome transact(const Operation& op, evm::TxRequest request, const std::string& deploys = {}) {
        evm::Signer& s = signer_or_fail();
        evm::Finality finality = options_.finality;  // the step's deadline bounds the wait for finality too
        if (op.deadline != Clock::time_point::max()) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(op.deadline - Clock::now());
            finality.timeout = std::max(std::chrono::milliseconds(0), std::min(finality.timeout, left));
        }
        std::vector<evm::SentTransaction> versions = op.idempotency_key.empty() ? std::vector<evm::SentTransaction>{} : sent_versions(op.idempotency_key);
        const auto record_version = [&](const evm::SentTransaction& v) {
            if (op.idempotency_key.empty()) return;
            const std::uint64_t head = client_->block_number();  // where a search for it would start
            std::lock_guard lock(*mutex_);
            auto q = db_->prepare("SELECT COALESCE(MAX(version), -1) + 1 FROM sent WHERE key = ?", "number a sent transaction");
            q.text(1, op.idempotency_key);
            (void)q.row();
            const std::int64_t n = q.column_int(0);
            db_->prepare("INSERT INTO sent(key, version, hash, nonce, raw, deploys, head) VALUES(?, ?, ?, ?, ?, ?, ?)", "record a sent transaction")
                .text(1, op.idempotency_key)
                .integer(2, n)
                .text(3, evm::to_hex(v.hash))
                .integer(4, static_cast<std::int64_t>(v.tx.nonce))
                .blob(5, v.raw)
                .text(6, deploys)
                .integer(7, static_cast<std::int64_t>(head))
                .run();
        };
        try {
            evm::FinalReceipt fr;
            bool done = false;
            if (!versions.empty()) {
                // Sent before (a retry, or a recovery): find it on the chain.
                bool mined = false;
                for (const auto& v : versions) mined = mined || client_->receipt(v.hash).has_value();
                const std::uint64_t used = client_->nonce(s.address(), "latest");
                if (mined || used <= versions.front().tx.nonce) {
                    if (!mined) s.broadcast(versions.back());  // the node may have lost it: the same bytes again
                    if (hook) hook("after broadcast", op);
                    const std::vector<evm::SentTransaction> others(versions.begin() + 1, versions.end());
                    fr = s.wait_final(versions.front(), finality, others, record_version);
                    done = true;
                }
                else {
                    // Its nonce is used, and none of its versions has a receipt. Sign anew only
                    // if a block shows another transaction with that nonce; a version of ours in
                    // a block (the node lacks its receipt), or no transaction with that nonce at
                    // all (a node that lost blocks but kept their state), leaves the step in doubt:
                    // sending again could apply it twice.
                    const std::uint64_t nonce = versions.front().tx.nonce;
                    const auto user = client_->find_transaction(s.address(), nonce, recorded_head(op.idempotency_key));
                    bool ours = false;
                    for (const auto& v : versions) ours = ours || (user && *user == v.hash);
                    if (ours)
                        throw evm::EvmError(evm::EvmErrorKind::transport, "transaction " + evm::to_hex(*user) +
                                                                              " is in a block but the node gives no receipt for it yet");
                    if (!user)
                        throw evm::EvmError(evm::EvmErrorKind::reorg,
                                            "cannot tell whether the transaction of " + op.idempotency_key + " (nonce " + std::to_string(nonce) +
                                                ") applied: its nonce is used, but no block since it was sent holds a transaction with that "
                                                "nonce; not sending it again");
                    // another transaction took the nonce: ours never applied; sign anew
                }
            }
            if (!done) {
                evm::SentTransaction sent = s.sign(request);
                record_version(sent);
                if (hook) hook("before broadcast", op);
                try {
                    s.broadcast(sent);
                } catch (const evm::EvmError& e) {
                    if (!evm::nonce_too_low(e)) throw;
                    s.resync();  // someone else used this nonce: sign with the next one
                    sent = s.sign(request);
                    record_version(sent);
                    s.broadcast(sent);
                }
                if (hook) hook("after broadcast", op);
                fr = s.wait_final(sent, finality, {}, record_version);
            }
            if (hook) hook("after final", op);
            Outcome o = outcome_of(fr);
            finish_deploy(deploys, o);
            record_outcome(op.idempotency_key, op.name, o);
            return o;
        } catch (const evm::EvmError& e) {
            if (e.evm_kind() == evm::EvmErrorKind::reverted) {
                const std::string reason = revert_reason(e, request.to);
                throw evm::EvmError(evm::EvmErrorKind::reverted, op.name + (reason.empty() ? " (no reason given)" : ": " + reason), e.code(), reason, e.data());
            }
            throw;
        }
    }

    Outcome outcome_of(const evm::FinalReceipt& fr) {
        const auto& r = fr.receipt;
        Outcome o;
        o.output = {{"tx", evm::to_hex(r.tx_hash)},
                    {"block_number", r.block_number},
                    {"block_hash", evm::to_hex(r.block_hash)},
                    {"gas_used", r.gas_used},
                    {"nonce", fr.sent.tx.nonce},
                    {"from", r.from.checksummed()},
                    {"reorgs", fr.reorgs},
                    {"replacements", fr.replacements},
                    {"rebroadcasts", fr.rebroadcasts}};
        if (r.contract_address) o.output["address"] = r.contract_address->checksummed();
        Json events = Json::array();
        std::lock_guard lock(*mutex_);
        for (const auto& l : r.logs) events.push_back(decode_log(l));
        o.output["events"] = std::move(events);
        return o;
    }
    Json decode_log(const evm::Log& l) const {  // under mutex_
        for (const auto& [name, c] : contracts_) {
            if (c.address != l.address || l.topics.empty()) continue;
            if (const auto* e = c.abi.event_by_topic(l.topics[0])) {
                try {
                    return Json{{"contract", name}, {"event", e->name}, {"args", e->decode(l.topics, l.data)}, {"log_index", l.log_index},
                                {"block_number", l.block_number}};
                } catch (const evm::EvmError&) {
                }
            }
        }
        Json topics = Json::array();
        for (const auto& t : l.topics) topics.push_back(evm::to_hex(t));
        return Json{{"address", l.address.checksummed()}, {"topics", topics}, {"data", evm::to_hex(l.data)}, {"log_index", l.log_index}};
    }

    Outcome read_call(const Operation& op) {
        const EvmContract c = deployed(text(op.params, "contract"));
        const auto& fn = function(c, text(op.params, "function"));
        const evm::Bytes data = translate_abi([&] { return fn.encode_call(op.params.value("args", Json::array())); });
        const Json block = op.params.value("block", Json("latest"));
        std::optional<evm::Address> from;
        if (signer_) from = signer_->address();
        try {
            const evm::Bytes out = client_->call(evm::CallRequest{from, c.address, value_of(op.params), data, std::nullopt}, block);
            return Outcome{Json{{"result", fn.decode_output(out)}}, {}};
        } catch (const evm::EvmError& e) {
            if (e.evm_kind() != evm::EvmErrorKind::reverted) throw;
            const std::string reason = revert_reason(e, c.address);
            throw evm::EvmError(evm::EvmErrorKind::reverted, "call " + fn.signature() + (reason.empty() ? " (no reason given)" : ": " + reason), e.code(), reason, e.data());
        }
    }

    Outcome read_events(const Operation& op) {
        const EvmContract c = deployed(text(op.params, "contract"));
        const evm::abi::Event* ev = nullptr;
        try {
            ev = &c.abi.event(text(op.params, "event"));
        } catch (const evm::EvmError& e) {
            throw XvmError(XvmErrorKind::rejected, std::string("evm: ") + e.what());
        }
        const auto final_at = client_->final_height(options_.finality);
        if (!final_at) return Outcome{Json{{"events", Json::array()}, {"to_block", nullptr}}, {}};
        std::uint64_t from = 0;
        if (op.params.contains("from_block")) from = to_u64(op.params["from_block"], "evm: from_block");
        Json topics = Json::array({evm::to_hex(ev->topic())});
        if (op.params.contains("where")) {
            const Json& w = op.params["where"];
            if (!w.is_object()) throw XvmError(XvmErrorKind::rejected, "evm: 'where' maps indexed arguments to values");
            for (const auto& p : ev->inputs) {
                if (!p.indexed) continue;
                if (!w.contains(p.name)) {
                    topics.push_back(nullptr);
                    continue;
                }
                const evm::Bytes word = translate_abi([&] { return evm::abi::encode({p.type}, Json::array({w[p.name]})); });
                if (p.type.dynamic()) throw XvmError(XvmErrorKind::rejected, "evm: filtering on a dynamic indexed argument is not supported");
                topics.push_back(evm::to_hex(word));
            }
            for (const auto& [k, v] : w.items()) {
                bool known = false;
                for (const auto& p : ev->inputs) known = known || (p.indexed && p.name == k);
                if (!known) throw XvmError(XvmErrorKind::rejected, "evm: '" + k + "' is not an indexed argument of " + ev->signature());
            }
            while (topics.size() > 1 && topics.back().is_null()) topics.erase(topics.size() - 1);
        }
        if (from > *final_at) return Outcome{Json{{"events", Json::array()}, {"to_block", *final_at}}, {}};
        const auto logs = client_->logs(Json{{"address", c.address->hex()},
                                              {"fromBlock", evm::quantity(from)},
                                              {"toBlock", evm::quantity(*final_at)},
                                              {"topics", topics}});
        Json events = Json::array();
        for (const auto& l : logs) {
            if (l.removed) continue;
            events.push_back(Json{{"event", ev->name}, {"args", ev->decode(l.topics, l.data)}, {"block_number", l.block_number},
                                  {"tx", evm::to_hex(l.tx_hash)}, {"log_index", l.log_index}});
        }
        return Outcome{Json{{"events", events}, {"to_block", *final_at}}, {}};
    }

    std::optional<Outcome> recorded_outcome(const std::string& key) {
        if (key.empty()) return std::nullopt;
        std::lock_guard lock(*mutex_);
        auto q = db_->prepare("SELECT output FROM outcomes WHERE key = ?", "read an outcome");
        q.text(1, key);
        if (!q.row()) return std::nullopt;
        return Outcome{Json::parse(q.column_text(0)), {}};
    }
    void record_outcome(const std::string& key, const std::string& operation, const Outcome& o) {
        if (key.empty()) return;
        {
            std::lock_guard lock(*mutex_);
            db_->prepare("INSERT OR IGNORE INTO outcomes(key, operation, output) VALUES(?, ?, ?)", "record an outcome")
                .text(1, key)
                .text(2, operation)
                .text(3, o.output.dump())
                .run();
        }
    }
    // The head block when the key's first transaction was recorded.
    std::uint64_t recorded_head(const std::string& key) {
        std::lock_guard lock(*mutex_);
        auto q = db_->prepare("SELECT MIN(head) FROM sent WHERE key = ?", "read where a transaction was sent");
        q.text(1, key);
        return q.row() && !q.column_null(0) ? static_cast<std::uint64_t>(q.column_int(0)) : 0;
    }
    std::string deploys_of(const std::string& key) {
        std::lock_guard lock(*mutex_);
        auto q = db_->prepare("SELECT deploys FROM sent WHERE key = ? ORDER BY version LIMIT 1", "read what a transaction deploys");
        q.text(1, key);
        return q.row() ? q.column_text(0) : std::string();
    }
    std::vector<evm::SentTransaction> sent_versions(const std::string& key) {
        std::lock_guard lock(*mutex_);
        auto q = db_->prepare("SELECT raw FROM sent WHERE key = ? ORDER BY version", "read sent transactions");
        q.text(1, key);
        std::vector<evm::SentTransaction> out;
        while (q.row()) {
            evm::SentTransaction s;
            s.raw = q.column_blob(0);
            s.hash = evm::transaction_hash(s.raw);
            s.tx = evm::decode_eip1559(s.raw).tx;
            out.push_back(std::move(s));
        }
        return out;
    }

    EvmDomainOptions options_;
    std::unique_ptr<evm::EvmClient> client_;
    std::unique_ptr<evm::Signer> signer_;
    std::unique_ptr<store::SqliteDb> db_;
    std::unique_ptr<std::mutex> mutex_ = std::make_unique<std::mutex>();
    std::map<std::string, EvmContract> contracts_;
    std::unique_ptr<std::atomic<bool>> chain_checked_ = std::make_unique<std::atomic<bool>>(false);
};

using EvmAdapter = DomainAdapter<EvmBackend, CrossVm>;

// Registers the factory of VM type "evm" (interface 1.0):
//   {"domain", "rpc": URL, "chain_id"?, "key_env": VARIABLE | "key_file": PATH (none: read
//    only), "finality": {"confirmations": N} | {"tag": "finalized"}, "poll_ms"?,
//    "timeout_ms"? (finality), "stuck_after_ms"?, "rpc_timeout_ms"?, "state": PATH?,
//    "contracts": {"name": {"artifact": PATH, "address"?: "0x.."}}}
inline void register_evm(DomainAdapterRegistry& registry) {
    registry.add("evm", InterfaceVersion{1, 0, 0}, [](const Json& c) -> std::unique_ptr<Adapter> {
        const std::string domain = DomainAdapterRegistry::string_field(c, "domain", "");
        const auto bad = [&](const std::string& why) { return XvmError(XvmErrorKind::bad_config, "domain '" + domain + "': " + why); };
        EvmDomainOptions o;
        o.rpc = DomainAdapterRegistry::string_field(c, "rpc", domain);
        if (c.contains("chain_id")) o.chain_id = to_u64(c["chain_id"], "evm: chain_id");
        if (c.contains("state")) o.state = DomainAdapterRegistry::string_field(c, "state", domain);
        if (c.contains("finality")) {
            const Json& f = c["finality"];
            if (!f.is_object()) throw bad("finality is {\"confirmations\": N} or {\"tag\": \"finalized\"}");
            if (f.contains("tag")) {
                if (f["tag"] != "finalized") throw bad("the only finality tag is \"finalized\"");
                o.finality.finalized_tag = true;
            } else if (f.contains("confirmations")) {
                o.finality.confirmations = to_u64(f["confirmations"], "evm: confirmations");
                if (o.finality.confirmations == 0) throw bad("confirmations is at least 1");
            } else {
                throw bad("finality is {\"confirmations\": N} or {\"tag\": \"finalized\"}");
            }
        }
        const auto ms = [&](const char* name, std::chrono::milliseconds& out) {
            if (c.contains(name)) out = std::chrono::milliseconds(to_u64(c[name], std::string("evm: ") + name));
        };
        ms("poll_ms", o.finality.poll);
        ms("timeout_ms", o.finality.timeout);
        ms("stuck_after_ms", o.finality.stuck_after);
        ms("rpc_timeout_ms", o.rpc_options.timeout);
        std::optional<evm::PrivateKey> key;
        try {
            if (c.contains("key_env")) key = evm::PrivateKey::from_env(DomainAdapterRegistry::string_field(c, "key_env", domain));
            else if (c.contains("key_file")) key = evm::PrivateKey::from_file(DomainAdapterRegistry::string_field(c, "key_file", domain));
        } catch (const evm::EvmError& e) {
            throw bad(e.what());
        }
        EvmBackend backend(std::move(o), std::move(key));
        if (c.contains("contracts")) {
            if (!c["contracts"].is_object()) throw bad("'contracts' maps names to {\"artifact\": PATH, \"address\"?: ...}");
            for (const auto& item : c["contracts"].items()) {
                const Json& spec = item.value();
                if (!spec.is_object() || !spec.contains("artifact") || !spec["artifact"].is_string())
                    throw bad("contract '" + item.key() + "' needs an \"artifact\" path");
                EvmContract ct = load_contract_artifact(item.key(), spec["artifact"].get<std::string>());
                if (spec.contains("address")) {
                    try {
                        ct.address = evm::Address::parse(spec["address"].get<std::string>(), "contract '" + item.key() + "' address");
                    } catch (const std::exception& e) {
                        throw bad(e.what());
                    }
                }
                backend.add_contract(std::move(ct));
            }
        }
        return std::make_unique<EvmAdapter>(domain, std::move(backend));
    });
}

}  // namespace causality::xvm
