// causality/xvm/journal.hpp — the coordinator's durable journal (SQLite, WAL,
// synchronous FULL: store/sqlite.hpp).
//
// The executor writes, each in one transaction: the plan (its JSON, every step pending)
// before anything runs; a step's intent (attempt count; for a cross-domain step, the
// channel nonce it is given) before it asks the domain; its outcome (output, proof bytes,
// and for a message the channel's consumed mark) after; a failure (which turns the plan to
// compensating); each compensation's intent and outcome; the plan's end. A crash leaves
// every record whole or absent, so after a restart each step is pending (never asked),
// in doubt (intent without outcome: the adapter is asked whether its idempotency key was
// applied), done, or failed, and the plan resumes from there.
//
// Channels: per (source, target) domain pair, the next nonce to send and the next to
// receive and a random 32-byte key. A message is accepted when its tag is the key's MAC
// of its contents (else forged), and its nonce is the next to receive (below: replayed;
// above: out of order). The receive mark moves in the transaction that records the step's
// outcome (or its final failure: a refused message still uses its nonce).
//
// A hook, when set, is called before and after every transaction with the point's name
// ("before intent a", "after outcome a", ...): tests kill the process there.
#pragma once

#include <causality/store/sqlite.hpp>
#include <causality/xvm/adapter.hpp>

#include <array>
#include <functional>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace causality::xvm {

enum class StepStatus : std::uint8_t { pending, running, done, failed, compensating, compensated, compensation_failed };
enum class PlanStatus : std::uint8_t { running, compensating, completed, compensated, compensation_failed, rejected };

constexpr std::string_view to_string(StepStatus s) noexcept {
    switch (s) {
        case StepStatus::pending: return "pending";
        case StepStatus::running: return "running";
        case StepStatus::done: return "done";
        case StepStatus::failed: return "failed";
        case StepStatus::compensating: return "compensating";
        case StepStatus::compensated: return "compensated";
        case StepStatus::compensation_failed: return "compensation_failed";
    }
    return "?";
}
constexpr std::string_view to_string(PlanStatus s) noexcept {
    switch (s) {
        case PlanStatus::running: return "running";
        case PlanStatus::compensating: return "compensating";
        case PlanStatus::completed: return "completed";
        case PlanStatus::compensated: return "compensated";
        case PlanStatus::compensation_failed: return "compensation_failed";
        case PlanStatus::rejected: return "rejected";
    }
    return "?";
}
namespace detail {
template <class E, std::size_t N>
E parse_status(const std::string& s, const char* what) {
    for (std::size_t i = 0; i < N; ++i)
        if (to_string(static_cast<E>(i)) == s) return static_cast<E>(i);
    throw XvmError(XvmErrorKind::journal, std::string("unknown ") + what + " status '" + s + "'");
}
}  // namespace detail

struct StepRecord {
    std::string id;
    StepStatus status = StepStatus::pending;
    unsigned attempts = 0;
    Outcome outcome;
    std::string error;
    std::optional<std::uint64_t> nonce;
    std::int64_t done_seq = 0;  // the order in which steps were done (compensation runs in reverse)
};
struct PlanRecord {
    std::string id;
    Json body;
    PlanStatus status = PlanStatus::running;
    std::vector<StepRecord> steps;
    [[nodiscard]] const StepRecord& step(const std::string& id_) const {
        for (const auto& s : steps)
            if (s.id == id_) return s;
        throw XvmError(XvmErrorKind::journal, "plan '" + id + "' has no step '" + id_ + "' in the journal");
    }
};

class Journal {
public:
    static constexpr const char* schema = "causality-xvm-journal 1";
    std::function<void(std::string_view)> hook;

    explicit Journal(std::string path) : db_(std::move(path)) {
        db_.require_meta("schema", schema, "xvm journal");
        db_.exec(
            "CREATE TABLE IF NOT EXISTS plans(id TEXT PRIMARY KEY, body TEXT NOT NULL, status TEXT NOT NULL);"
            "CREATE TABLE IF NOT EXISTS steps(plan TEXT NOT NULL, step TEXT NOT NULL, status TEXT NOT NULL, attempts INTEGER NOT NULL,"
            " output TEXT, attachment BLOB, error TEXT, nonce INTEGER, done_seq INTEGER NOT NULL DEFAULT 0, PRIMARY KEY(plan, step));"
            "CREATE TABLE IF NOT EXISTS channels(source TEXT NOT NULL, target TEXT NOT NULL, next_send INTEGER NOT NULL,"
            " next_receive INTEGER NOT NULL, key BLOB NOT NULL, PRIMARY KEY(source, target));"
            "CREATE TABLE IF NOT EXISTS events(seq INTEGER PRIMARY KEY AUTOINCREMENT, plan TEXT NOT NULL, step TEXT, kind TEXT NOT NULL,"
            " detail TEXT)",
            "create the journal tables");
    }
    [[nodiscard]] const std::string& path() const noexcept { return db_.path(); }

    // Records the plan with every step pending; a plan of that id recorded before must
    // have the same body (then nothing is written and false returned), unless validation
    // rejected it (then it is recorded afresh: it never ran).
    bool begin_plan(const std::string& id, const Json& body, const std::vector<std::string>& steps) {
        std::lock_guard lock(mutex_);
        bool was_rejected = false;
        if (const auto existing = body_of(id)) {
            auto q = db_.prepare("SELECT status FROM plans WHERE id = ?", "read a plan status");
            q.text(1, id);
            was_rejected = q.row() && q.column_text(0) == "rejected";
            if (!was_rejected) {
                if (*existing != body)
                    throw XvmError(XvmErrorKind::journal, "plan '" + id + "' is in the journal with another body");
                return false;
            }
        }
        point("before plan " + id);
        store::SqliteDb::Transaction tx(db_);
        if (was_rejected) db_.prepare("DELETE FROM plans WHERE id = ?", "replace a rejected plan").text(1, id).run();
        db_.prepare("INSERT INTO plans(id, body, status) VALUES(?, ?, 'running')", "record a plan").text(1, id).text(2, body.dump()).run();
        auto ins = db_.prepare("INSERT INTO steps(plan, step, status, attempts) VALUES(?, ?, 'pending', 0)", "record a step");
        for (const auto& s : steps) {
            ins.text(1, id).text(2, s).run();
            ins.reset();
        }
        event(id, "", "plan", "");
        tx.commit();
        point("after plan " + id);
        return true;
    }
    // A plan refused before it ran (validation), for the record.
    void reject_plan(const std::string& id, const Json& body, const std::string& why) {
        std::lock_guard lock(mutex_);
        store::SqliteDb::Transaction tx(db_);
        // Never over a plan that ran: only a new id, or one rejected before, is (re)written.
        db_.prepare("INSERT INTO plans(id, body, status) VALUES(?, ?, 'rejected')"
                    " ON CONFLICT(id) DO UPDATE SET body = excluded.body WHERE plans.status = 'rejected'",
                    "record a rejected plan")
            .text(1, id)
            .text(2, body.dump())
            .run();
        event(id, "", "rejected", why);
        tx.commit();
    }

    // A step's intent; for a cross-domain step (channel given), the nonce its message
    // carries (allocated once: an in-doubt step keeps its nonce).
    std::optional<std::uint64_t> intent(const std::string& plan, const std::string& step, unsigned attempt,
                                        const std::optional<std::pair<std::string, std::string>>& channel) {
        std::lock_guard lock(mutex_);
        point("before intent " + step);
        store::SqliteDb::Transaction tx(db_);
        std::optional<std::uint64_t> nonce;
        if (channel) {
            auto q = db_.prepare("SELECT nonce FROM steps WHERE plan = ? AND step = ?", "read a step's nonce");
            q.text(1, plan).text(2, step);
            if (q.row() && !q.column_null(0)) nonce = static_cast<std::uint64_t>(q.column_int(0));
            if (!nonce) {
                ensure_channel(channel->first, channel->second);
                auto c = db_.prepare("SELECT next_send FROM channels WHERE source = ? AND target = ?", "read a channel");
                c.text(1, channel->first).text(2, channel->second);
                (void)c.row();
                nonce = static_cast<std::uint64_t>(c.column_int(0));
                db_.prepare("UPDATE channels SET next_send = next_send + 1 WHERE source = ? AND target = ?", "advance a channel")
                    .text(1, channel->first)
                    .text(2, channel->second)
                    .run();
            }
        }
        auto u = db_.prepare("UPDATE steps SET status = 'running', attempts = ?, nonce = ? WHERE plan = ? AND step = ?", "record an intent");
        u.integer(1, attempt);
        if (nonce) u.integer(2, static_cast<std::int64_t>(*nonce));
        else u.null(2);
        u.text(3, plan).text(4, step).run();
        event(plan, step, "intent", std::to_string(attempt));
        tx.commit();
        point("after intent " + step);
        return nonce;
    }

    // The step's outcome; a delivered message's nonce is consumed in the same transaction.
    // `seq` numbers completions (compensation runs in reverse).
    void done(const std::string& plan, const std::string& step, const Outcome& outcome, std::int64_t seq,
              const Message* consumed = nullptr) {
        std::lock_guard lock(mutex_);
        point("before outcome " + step);
        store::SqliteDb::Transaction tx(db_);
        if (consumed) consume_in_tx(*consumed);
        db_.prepare(
               "UPDATE steps SET status = 'done', output = ?, attachment = ?, error = NULL, done_seq = ? WHERE plan = ? AND step = ?",
               "record an outcome")
            .text(1, outcome.output.dump())
            .blob(2, outcome.attachment)
            .integer(3, seq)
            .text(4, plan)
            .text(5, step)
            .run();
        event(plan, step, "done", "");
        tx.commit();
        point("after outcome " + step);
    }
    // A final failure; the plan turns to compensating.
    void failed(const std::string& plan, const std::string& step, const std::string& error, const Message* consumed = nullptr) {
        std::lock_guard lock(mutex_);
        point("before failure " + step);
        store::SqliteDb::Transaction tx(db_);
        if (consumed) consume_in_tx(*consumed);
        db_.prepare("UPDATE steps SET status = 'failed', error = ? WHERE plan = ? AND step = ?", "record a failure")
            .text(1, error)
            .text(2, plan)
            .text(3, step)
            .run();
        set_status(plan, PlanStatus::compensating);
        event(plan, step, "failed", error);
        tx.commit();
        point("after failure " + step);
    }
    // A step in doubt whose domain says it was not applied: pending again (attempts and
    // nonce kept).
    void not_applied(const std::string& plan, const std::string& step) { step_status(plan, step, StepStatus::pending, "not applied", ""); }
    void compensation_intent(const std::string& plan, const std::string& step) { step_status(plan, step, StepStatus::compensating, "compensation intent", ""); }
    void compensated(const std::string& plan, const std::string& step) { step_status(plan, step, StepStatus::compensated, "compensated", ""); }
    void compensation_failed(const std::string& plan, const std::string& step, const std::string& error) {
        step_status(plan, step, StepStatus::compensation_failed, "compensation failed", error);
    }
    void finish(const std::string& plan, PlanStatus status) {
        std::lock_guard lock(mutex_);
        point("before finish " + plan);
        store::SqliteDb::Transaction tx(db_);
        set_status(plan, status);
        event(plan, "", "finish", std::string(to_string(status)));
        tx.commit();
        point("after finish " + plan);
    }

    // --- channels ------------------------------------------------------------------------------
    [[nodiscard]] std::vector<std::uint8_t> channel_key(const std::string& source, const std::string& target) {
        std::lock_guard lock(mutex_);
        ensure_channel(source, target);
        auto q = db_.prepare("SELECT key FROM channels WHERE source = ? AND target = ?", "read a channel key");
        q.text(1, source).text(2, target);
        (void)q.row();
        return q.column_blob(0);
    }
    // Throws forged_message / replayed_message / out_of_order_message; nothing is written.
    void check_message(const Message& m) {
        const auto key = channel_key(m.source, m.target);
        std::lock_guard lock(mutex_);
        const auto tag = m.compute_tag(key);
        std::uint8_t diff = 0;
        for (std::size_t i = 0; i < tag.size(); ++i) diff |= static_cast<std::uint8_t>(tag[i] ^ m.tag[i]);
        const std::string channel = "channel " + m.source + " -> " + m.target + ", nonce " + std::to_string(m.nonce);
        if (diff != 0) throw XvmError(XvmErrorKind::forged_message, channel + ": the tag does not authenticate the message");
        const std::uint64_t next = next_receive(m.source, m.target);
        if (m.nonce < next)
            throw XvmError(XvmErrorKind::replayed_message, channel + ": nonces below " + std::to_string(next) + " were consumed");
        if (m.nonce > next)
            throw XvmError(XvmErrorKind::out_of_order_message, channel + ": the next nonce is " + std::to_string(next));
    }
    // Consumes a message's nonce on its own (a message delivered outside a plan).
    void consume(const Message& m) {
        std::lock_guard lock(mutex_);
        store::SqliteDb::Transaction tx(db_);
        consume_in_tx(m);
        tx.commit();
    }
    [[nodiscard]] std::uint64_t next_send(const std::string& source, const std::string& target) const {
        std::lock_guard lock(mutex_);
        auto q = db_.prepare("SELECT next_send FROM channels WHERE source = ? AND target = ?", "read a channel");
        q.text(1, source).text(2, target);
        return q.row() ? static_cast<std::uint64_t>(q.column_int(0)) : 0;
    }
    [[nodiscard]] std::uint64_t next_receive(const std::string& source, const std::string& target) const {
        std::lock_guard lock(mutex_);
        auto q = db_.prepare("SELECT next_receive FROM channels WHERE source = ? AND target = ?", "read a channel");
        q.text(1, source).text(2, target);
        return q.row() ? static_cast<std::uint64_t>(q.column_int(0)) : 0;
    }

    // --- reading -------------------------------------------------------------------------------
    [[nodiscard]] std::optional<PlanRecord> plan(const std::string& id) const {
        std::lock_guard lock(mutex_);
        auto q = db_.prepare("SELECT body, status FROM plans WHERE id = ?", "read a plan");
        q.text(1, id);
        if (!q.row()) return std::nullopt;
        PlanRecord r;
        r.id = id;
        try {
            r.body = Json::parse(q.column_text(0));
        } catch (const Json::exception& e) {
            throw XvmError(XvmErrorKind::journal, "plan '" + id + "': the recorded body is not JSON: " + e.what());
        }
        r.status = detail::parse_status<PlanStatus, 6>(q.column_text(1), "plan");
        auto s = db_.prepare("SELECT step, status, attempts, output, attachment, error, nonce, done_seq FROM steps WHERE plan = ? ORDER BY rowid",
                             "read steps");
        s.text(1, id);
        while (s.row()) {
            StepRecord st;
            st.id = s.column_text(0);
            st.status = detail::parse_status<StepStatus, 7>(s.column_text(1), "step");
            st.attempts = static_cast<unsigned>(s.column_int(2));
            if (!s.column_null(3)) {
                try {
                    st.outcome.output = Json::parse(s.column_text(3));
                } catch (const Json::exception& e) {
                    throw XvmError(XvmErrorKind::journal, "plan '" + id + "' step '" + st.id + "': the output is not JSON: " + e.what());
                }
            }
            st.outcome.attachment = s.column_blob(4);
            st.error = s.column_text(5);
            if (!s.column_null(6)) st.nonce = static_cast<std::uint64_t>(s.column_int(6));
            st.done_seq = s.column_int(7);
            r.steps.push_back(std::move(st));
        }
        return r;
    }
    [[nodiscard]] std::vector<std::string> plans(bool unfinished_only = false) const {
        std::lock_guard lock(mutex_);
        auto q = db_.prepare(unfinished_only ? "SELECT id FROM plans WHERE status IN ('running', 'compensating') ORDER BY rowid"
                                             : "SELECT id FROM plans ORDER BY rowid",
                             "list plans");
        std::vector<std::string> out;
        while (q.row()) out.push_back(q.column_text(0));
        return out;
    }
    // The event log of a plan: (step, kind, detail) in order.
    [[nodiscard]] std::vector<std::array<std::string, 3>> events(const std::string& plan) const {
        std::lock_guard lock(mutex_);
        auto q = db_.prepare("SELECT COALESCE(step, ''), kind, COALESCE(detail, '') FROM events WHERE plan = ? ORDER BY seq", "read events");
        q.text(1, plan);
        std::vector<std::array<std::string, 3>> out;
        while (q.row()) out.push_back({q.column_text(0), q.column_text(1), q.column_text(2)});
        return out;
    }

private:
    void point(const std::string& name) {
        if (hook) hook(name);
    }
    std::optional<Json> body_of(const std::string& id) const {
        auto q = db_.prepare("SELECT body FROM plans WHERE id = ?", "read a plan");
        q.text(1, id);
        if (!q.row()) return std::nullopt;
        try {
            return Json::parse(q.column_text(0));
        } catch (const Json::exception& e) {
            throw XvmError(XvmErrorKind::journal, "plan '" + id + "': the recorded body is not JSON: " + e.what());
        }
    }
    void event(const std::string& plan, const std::string& step, const char* kind, const std::string& detail) {
        auto e = db_.prepare("INSERT INTO events(plan, step, kind, detail) VALUES(?, ?, ?, ?)", "record an event");
        e.text(1, plan);
        if (step.empty()) e.null(2);
        else e.text(2, step);
        e.text(3, kind).text(4, detail).run();
    }
    void set_status(const std::string& plan, PlanStatus s) {
        db_.prepare("UPDATE plans SET status = ? WHERE id = ?", "record a plan status").text(1, std::string(to_string(s))).text(2, plan).run();
    }
    void step_status(const std::string& plan, const std::string& step, StepStatus s, const char* kind, const std::string& error) {
        std::lock_guard lock(mutex_);
        const std::string name = std::string(kind) + " " + step;
        point("before " + name);
        store::SqliteDb::Transaction tx(db_);
        auto u = db_.prepare("UPDATE steps SET status = ?, error = ? WHERE plan = ? AND step = ?", "record a step status");
        u.text(1, std::string(to_string(s)));
        if (error.empty()) u.null(2);
        else u.text(2, error);
        u.text(3, plan).text(4, step).run();
        event(plan, step, kind, error);
        tx.commit();
        point("after " + name);
    }
    void ensure_channel(const std::string& source, const std::string& target) {
        auto q = db_.prepare("SELECT 1 FROM channels WHERE source = ? AND target = ?", "read a channel");
        q.text(1, source).text(2, target);
        if (q.row()) return;  // the key is drawn once, when the channel is created
        std::random_device rd;
        std::vector<std::uint8_t> key(32);
        for (auto& b : key) b = static_cast<std::uint8_t>(rd());
        db_.prepare("INSERT OR IGNORE INTO channels(source, target, next_send, next_receive, key) VALUES(?, ?, 0, 0, ?)", "create a channel")
            .text(1, source)
            .text(2, target)
            .blob(3, key)
            .run();
    }
    void consume_in_tx(const Message& m) {
        db_.prepare("UPDATE channels SET next_receive = ? WHERE source = ? AND target = ? AND next_receive = ?", "consume a nonce")
            .integer(1, static_cast<std::int64_t>(m.nonce + 1))
            .text(2, m.source)
            .text(3, m.target)
            .integer(4, static_cast<std::int64_t>(m.nonce))
            .run();
    }

    store::SqliteDb db_;
    mutable std::recursive_mutex mutex_;
};

}  // namespace causality::xvm
