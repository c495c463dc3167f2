// causality/xvm/domains/ledger.hpp — an in-process ledger domain with its own data format
// (document 000's "custom VM"): accounts with an owner and a balance, rights granted to
// other actors, amounts written as decimal strings of 64-bit units. Its state is a SQLite
// file of its own (a domain is not the coordinator: it keeps what it applied, and the
// idempotency keys of what it applied, in the same transaction).
//
// Operations (params):
//   open     {account, owner}                      a new account (balance "0")
//   mint     {account, amount}                     amount added
//   burn     {account, amount}                     amount removed (rejected: below zero)
//   transfer {from, to, amount, actor}             actor is the owner of `from` or holds "debit" on it
//   grant    {account, actor, to, right}           the owner gives `to` a right on the account
//   credit_on_proof (a message from a ZkProofs domain) {account, program, value: index}
//            the message's proof is verified by the source domain's ZkProofs policy
//            against `program` (named by this step, not by the message); the run must
//            have exited with code 0; public value `value` is credited
// A rejected operation (unknown account, insufficient funds, no right, overflow) is
// XvmError(rejected): final. A configured "flaky" count per operation makes the next N
// attempts fail with XvmError(transient) (to exercise retries). Queries:
//   {"balance": A} -> {"account", "balance"};  {"rights": {"resource": A, "actor": X}} ->
//   {"owner", "rights"} (empty object: no such account);  {"accounts": true} -> all;
//   {"applied": true} -> the number of applied effects.
#pragma once

#include <causality/store/sqlite.hpp>
#include <causality/xvm/broker.hpp>

#include <functional>
#include <map>
#include <memory>
#include <mutex>

namespace causality::xvm {

class LedgerBackend {
public:
    // Called before and after an effect's transaction (tests kill the process there).
    std::function<void(std::string_view point, const Operation&)> hook;

    explicit LedgerBackend(const std::string& path) : db_(std::make_unique<store::SqliteDb>(path)) {
        db_->require_meta("schema", "causality-xvm-ledger 1", "ledger domain");
        db_->exec(
            "CREATE TABLE IF NOT EXISTS accounts(id TEXT PRIMARY KEY, owner TEXT NOT NULL, balance INTEGER NOT NULL);"
            "CREATE TABLE IF NOT EXISTS grants(account TEXT NOT NULL, actor TEXT NOT NULL, right TEXT NOT NULL,"
            " PRIMARY KEY(account, actor, right));"
            "CREATE TABLE IF NOT EXISTS applied(key TEXT PRIMARY KEY, operation TEXT NOT NULL, output TEXT NOT NULL)",
            "create the ledger tables");
    }
    LedgerBackend(LedgerBackend&&) noexcept = default;

    void set_flaky(const std::string& operation, unsigned failures) {
        std::lock_guard lock(*mutex_);
        flaky_[operation] = failures;
    }

    [[nodiscard]] std::string vm_type() const { return "ledger"; }
    [[nodiscard]] std::vector<std::string> operations() const {
        return {"open", "mint", "burn", "transfer", "grant", "credit_on_proof"};
    }

    Outcome execute(const Operation& op) {
        std::lock_guard lock(*mutex_);
        if (auto done = applied_locked(op.idempotency_key)) return *done;
        if (Clock::now() > op.deadline) throw XvmError(XvmErrorKind::timeout, "ledger: " + op.name + " past its deadline");
        if (auto it = flaky_.find(op.name); it != flaky_.end() && it->second > 0) {
            --it->second;
            throw XvmError(XvmErrorKind::transient, "ledger: " + op.name + " is unavailable for now (injected)");
        }
        if (op.name == "credit_on_proof")
            throw XvmError(XvmErrorKind::unknown_operation, "ledger: credit_on_proof comes as a message from a proving domain");
        return apply(op, [&](store::SqliteDb& db) { return effect(db, op); });
    }

    Outcome receive(const Message& m, const Operation& op, CrossVmBroker& broker) {
        if (op.name != "credit_on_proof")
            throw XvmError(XvmErrorKind::unknown_operation, "ledger: a message can only credit_on_proof, not " + op.name);
        {
            std::lock_guard lock(*mutex_);
            if (auto done = applied_locked(op.idempotency_key)) return *done;
        }
        const std::string program = text(op.params, "program");
        const std::string account = text(op.params, "account");
        const std::uint64_t index = to_u64(param(op.params, "value"), "ledger: credit_on_proof value");
        // Verified by the source domain's verifier, against the program this step names.
        const Json statement = broker.proofs_of(m.source).verify_proof(program, m.attachment);
        if (!statement.value("terminated", false) || statement.value("exit_code", 1u) != 0)
            throw XvmError(XvmErrorKind::proof_rejected, "ledger: the proven run of " + program + " did not exit with code 0");
        const auto& values = statement.at("public_values");
        if (index >= values.size())
            throw XvmError(XvmErrorKind::proof_rejected, "ledger: the proof states " + std::to_string(values.size()) +
                                                             " public values, none at " + std::to_string(index));
        const std::uint64_t amount = to_u64(values[index], "ledger: the proven value");
        std::lock_guard lock(*mutex_);
        if (auto done = applied_locked(op.idempotency_key)) return *done;
        return apply(op, [&](store::SqliteDb& db) {
            add(db, account, amount, true);
            return Json{{"account", account}, {"amount", std::to_string(amount)}, {"program", program}};
        });
    }

    std::optional<Outcome> applied(const std::string& key) {
        std::lock_guard lock(*mutex_);
        return applied_locked(key);
    }

    Json query(const Json& request) {
        std::lock_guard lock(*mutex_);
        if (!request.is_object()) throw XvmError(XvmErrorKind::bad_config, "ledger: a query is an object");
        if (request.contains("balance")) {
            const std::string a = request["balance"].is_string() ? request["balance"].get<std::string>() : "";
            const auto acct = account_of(*db_, a);
            if (!acct) return Json::object();
            return Json{{"account", a}, {"balance", std::to_string(acct->second)}};
        }
        if (request.contains("rights")) {
            const auto& r = request["rights"];
            const std::string a = r.value("resource", std::string()), actor = r.value("actor", std::string());
            const auto acct = account_of(*db_, a);
            if (!acct) return Json::object();
            Json rights = Json::array();
            auto q = db_->prepare("SELECT right FROM grants WHERE account = ? AND actor = ? ORDER BY right", "read grants");
            q.text(1, a).text(2, actor);
            while (q.row()) rights.push_back(q.column_text(0));
            return Json{{"owner", acct->first}, {"rights", rights}};
        }
        if (request.contains("accounts")) {
            Json out = Json::object();
            auto q = db_->prepare("SELECT id, owner, balance FROM accounts ORDER BY id", "list accounts");
            while (q.row())
                out[q.column_text(0)] = {{"owner", q.column_text(1)}, {"balance", std::to_string(static_cast<std::uint64_t>(q.column_int(2)))}};
            return out;
        }
        if (request.contains("applied")) {
            auto q = db_->prepare("SELECT COUNT(*) FROM applied", "count applied effects");
            (void)q.row();
            return q.column_int(0);
        }
        throw XvmError(XvmErrorKind::bad_config, "ledger: unknown query " + detail::shown(request));
    }

private:
    static const Json& param(const Json& p, const char* k) {
        const auto it = p.find(k);
        if (it == p.end()) throw XvmError(XvmErrorKind::rejected, std::string("ledger: the parameter '") + k + "' is missing");
        return *it;
    }
    static std::string text(const Json& p, const char* k) {
        const auto& v = param(p, k);
        if (!v.is_string() || v.get_ref<const std::string&>().empty())
            throw XvmError(XvmErrorKind::rejected, std::string("ledger: '") + k + "' is a non-empty string, not " + detail::shown(v));
        return v.get<std::string>();
    }
    static std::uint64_t amount(const Json& p) {
        const std::uint64_t a = to_u64(param(p, "amount"), "ledger: amount");
        if (a > static_cast<std::uint64_t>(INT64_MAX)) throw XvmError(XvmErrorKind::rejected, "ledger: amounts are below 2^63");
        return a;
    }
    static std::optional<std::pair<std::string, std::uint64_t>> account_of(store::SqliteDb& db, const std::string& id) {
        auto q = db.prepare("SELECT owner, balance FROM accounts WHERE id = ?", "read an account");
        q.text(1, id);
        if (!q.row()) return std::nullopt;
        return std::make_pair(q.column_text(0), static_cast<std::uint64_t>(q.column_int(1)));
    }
    static void add(store::SqliteDb& db, const std::string& id, std::uint64_t amount, bool credit) {
        const auto acct = account_of(db, id);
        if (!acct) throw XvmError(XvmErrorKind::rejected, "ledger: no account '" + id + "'");
        const std::uint64_t b = acct->second;
        if (credit && b > static_cast<std::uint64_t>(INT64_MAX) - amount)
            throw XvmError(XvmErrorKind::rejected, "ledger: account '" + id + "' would pass 2^63 - 1");
        if (!credit && b < amount)
            throw XvmError(XvmErrorKind::rejected, "ledger: account '" + id + "' holds " + std::to_string(b) + ", less than " +
                                                       std::to_string(amount));
        db.prepare("UPDATE accounts SET balance = ? WHERE id = ?", "update a balance")
            .integer(1, static_cast<std::int64_t>(credit ? b + amount : b - amount))
            .text(2, id)
            .run();
    }

    Json effect(store::SqliteDb& db, const Operation& op) {
        const Json& p = op.params;
        if (op.name == "open") {
            const std::string a = text(p, "account"), owner = text(p, "owner");
            if (account_of(db, a)) throw XvmError(XvmErrorKind::rejected, "ledger: account '" + a + "' exists");
            db.prepare("INSERT INTO accounts(id, owner, balance) VALUES(?, ?, 0)", "open an account").text(1, a).text(2, owner).run();
            return {{"account", a}, {"owner", owner}};
        }
        if (op.name == "mint" || op.name == "burn") {
            const std::string a = text(p, "account");
            const std::uint64_t n = amount(p);
            add(db, a, n, op.name == "mint");
            return {{"account", a}, {"amount", std::to_string(n)}};
        }
        if (op.name == "transfer") {
            const std::string from = text(p, "from"), to = text(p, "to"), actor = text(p, "actor");
            const std::uint64_t n = amount(p);
            const auto acct = account_of(db, from);
            if (!acct) throw XvmError(XvmErrorKind::rejected, "ledger: no account '" + from + "'");
            if (acct->first != actor && !has_right(db, from, actor, "debit"))
                throw XvmError(XvmErrorKind::rejected, "ledger: '" + actor + "' may not debit '" + from + "'");
            if (!account_of(db, to)) throw XvmError(XvmErrorKind::rejected, "ledger: no account '" + to + "'");
            add(db, from, n, false);
            add(db, to, n, true);
            return {{"from", from}, {"to", to}, {"amount", std::to_string(n)}};
        }
        if (op.name == "grant") {
            const std::string a = text(p, "account"), actor = text(p, "actor"), to = text(p, "to"), right = text(p, "right");
            const auto acct = account_of(db, a);
            if (!acct) throw XvmError(XvmErrorKind::rejected, "ledger: no account '" + a + "'");
            if (acct->first != actor) throw XvmError(XvmErrorKind::rejected, "ledger: only the owner of '" + a + "' grants rights on it");
            db.prepare("INSERT OR IGNORE INTO grants(account, actor, right) VALUES(?, ?, ?)", "grant a right").text(1, a).text(2, to).text(3, right).run();
            return {{"account", a}, {"to", to}, {"right", right}};
        }
        throw XvmError(XvmErrorKind::unknown_operation, "ledger: no operation '" + op.name + "'");
    }
    static bool has_right(store::SqliteDb& db, const std::string& account, const std::string& actor, const std::string& right) {
        auto q = db.prepare("SELECT 1 FROM grants WHERE account = ? AND actor = ? AND right = ?", "read a grant");
        q.text(1, account).text(2, actor).text(3, right);
        return q.row();
    }

    // The effect and its idempotency key in one transaction.
    template <class Fn>
    Outcome apply(const Operation& op, Fn&& fn) {
        if (hook) hook("before apply", op);
        Outcome o;
        {
            store::SqliteDb::Transaction tx(*db_);
            o.output = fn(*db_);
            if (!op.idempotency_key.empty())
                db_->prepare("INSERT INTO applied(key, operation, output) VALUES(?, ?, ?)", "record an applied effect")
                    .text(1, op.idempotency_key)
                    .text(2, op.name)
                    .text(3, o.output.dump())
                    .run();
            tx.commit();
        }
        if (hook) hook("after apply", op);
        return o;
    }
    std::optional<Outcome> applied_locked(const std::string& key) {
        if (key.empty()) return std::nullopt;
        auto q = db_->prepare("SELECT output FROM applied WHERE key = ?", "read an applied effect");
        q.text(1, key);
        if (!q.row()) return std::nullopt;
        Outcome o;
        o.output = Json::parse(q.column_text(0));
        return o;
    }

    std::unique_ptr<store::SqliteDb> db_;
    std::unique_ptr<std::mutex> mutex_ = std::make_unique<std::mutex>();
    std::map<std::string, unsigned> flaky_;
};

using LedgerAdapter = DomainAdapter<LedgerBackend, CrossVm>;
static_assert(CrossVmAdapter<LedgerAdapter>);

// Registers the factory of VM type "ledger" (interface 1.0): {"domain", "db" (default
// ":memory:"), "flaky": {"operation": failures}}.
inline void register_ledger(DomainAdapterRegistry& registry) {
    registry.add("ledger", InterfaceVersion{1, 0, 0}, [](const Json& c) -> std::unique_ptr<Adapter> {
        const std::string domain = DomainAdapterRegistry::string_field(c, "domain", "");
        std::string db = ":memory:";
        if (c.contains("db")) db = DomainAdapterRegistry::string_field(c, "db", domain);
        LedgerBackend backend(db);
        if (c.contains("flaky")) {
            if (!c["flaky"].is_object()) throw XvmError(XvmErrorKind::bad_config, "domain '" + domain + "': 'flaky' maps operations to counts");
            for (const auto& [op, n] : c["flaky"].items()) {
                if (!n.is_number_unsigned()) throw XvmError(XvmErrorKind::bad_config, "domain '" + domain + "': flaky counts are unsigned");
                backend.set_flaky(op, n.get<unsigned>());
            }
        }
        return std::make_unique<LedgerAdapter>(domain, std::move(backend));
    });
}

}  // namespace causality::xvm
