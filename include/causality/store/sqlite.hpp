// causality/store/sqlite.hpp — one SQLite connection (the project's one database), shared
// by the content store and the layers that keep state next to it (resources, journals):
// what they write together is written in one transaction.
//
// `SqliteDb` opens (creating) a file in WAL mode with synchronous = FULL, so a committed
// transaction is on disk and a crash leaves every transaction whole or absent. Every
// SQLite failure is Error(io_error) naming the file, what was being done and SQLite's
// message. `Transaction` is RAII: it rolls back unless committed (an exception on the way
// leaves the database as before). One connection is used from one thread at a time.
#pragma once

#include <causality/error.hpp>

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace causality::store {

class SqliteDb {
public:
    explicit SqliteDb(std::string path) : path_(std::move(path)) {
        if (sqlite3_open_v2(path_.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr) !=
            SQLITE_OK) {
            const std::string why = db_ ? sqlite3_errmsg(db_) : "out of memory";
            close();
            throw Error(ErrorCode::io_error, "store: cannot open " + path_ + ": " + why);
        }
        try {
            sqlite3_busy_timeout(db_, 5000);
            exec("PRAGMA journal_mode=WAL", "set WAL mode");
            exec("PRAGMA synchronous=FULL", "set synchronous mode");
        } catch (...) {
            close();
            throw;
        }
    }
    SqliteDb(const SqliteDb&) = delete;
    SqliteDb& operator=(const SqliteDb&) = delete;
    SqliteDb(SqliteDb&& o) noexcept : path_(std::move(o.path_)), db_(std::exchange(o.db_, nullptr)) {}
    SqliteDb& operator=(SqliteDb&& o) noexcept {
        if (this != &o) {
            close();
            path_ = std::move(o.path_);
            db_ = std::exchange(o.db_, nullptr);
        }
        return *this;
    }
    ~SqliteDb() { close(); }

    [[nodiscard]] const std::string& path() const noexcept { return path_; }
    [[nodiscard]] sqlite3* handle() const noexcept { return db_; }

    void exec(const std::string& sql, const std::string& what) {
        if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) fail(what);
    }
    [[noreturn]] void fail(const std::string& what) const {
        throw Error(ErrorCode::io_error, "store: " + path_ + ": cannot " + what + ": " + sqlite3_errmsg(db_));
    }
    [[nodiscard]] bool in_transaction() const noexcept { return sqlite3_get_autocommit(db_) == 0; }
    [[nodiscard]] std::int64_t changes() const noexcept { return sqlite3_changes64(db_); }

    class Statement {
    public:
        Statement(const SqliteDb& db, const char* sql, std::string what) : db_(db), what_(std::move(what)) {
            if (sqlite3_prepare_v2(db.db_, sql, -1, &stmt_, nullptr) != SQLITE_OK) db.fail("prepare to " + what_);
        }
        Statement(const Statement&) = delete;
        Statement& operator=(const Statement&) = delete;
        ~Statement() { sqlite3_finalize(stmt_); }
        [[nodiscard]] sqlite3_stmt* get() const noexcept { return stmt_; }
        // An empty blob is bound as a zero-length blob, not NULL.
        Statement& blob(int i, std::span<const std::uint8_t> b) {
            const int rc = b.empty() ? sqlite3_bind_zeroblob(stmt_, i, 0)
                                     : sqlite3_bind_blob64(stmt_, i, b.data(), b.size(), SQLITE_TRANSIENT);
            if (rc != SQLITE_OK) db_.fail("bind a value to " + what_);
            return *this;
        }
        Statement& integer(int i, std::int64_t v) {
            if (sqlite3_bind_int64(stmt_, i, v) != SQLITE_OK) db_.fail("bind a value to " + what_);
            return *this;
        }
        Statement& text(int i, const std::string& v) {
            if (sqlite3_bind_text64(stmt_, i, v.data(), v.size(), SQLITE_TRANSIENT, SQLITE_UTF8) != SQLITE_OK)
                db_.fail("bind a value to " + what_);
            return *this;
        }
        Statement& null(int i) {
            if (sqlite3_bind_null(stmt_, i) != SQLITE_OK) db_.fail("bind a value to " + what_);
            return *this;
        }
        // true: a row is ready; false: done. Errors throw.
        bool row() {
            const int rc = sqlite3_step(stmt_);
            if (rc == SQLITE_ROW) return true;
            if (rc == SQLITE_DONE) return false;
            db_.fail(what_);
        }
        void run() {
            while (row()) {
            }
        }
        void reset() {
            sqlite3_reset(stmt_);
            sqlite3_clear_bindings(stmt_);
        }
        [[nodiscard]] std::int64_t column_int(int i) const { return sqlite3_column_int64(stmt_, i); }
        [[nodiscard]] bool column_null(int i) const { return sqlite3_column_type(stmt_, i) == SQLITE_NULL; }
        [[nodiscard]] std::vector<std::uint8_t> column_blob(int i) const {
            const auto* p = static_cast<const std::uint8_t*>(sqlite3_column_blob(stmt_, i));
            const auto n = static_cast<std::size_t>(sqlite3_column_bytes(stmt_, i));
            return p ? std::vector<std::uint8_t>(p, p + n) : std::vector<std::uint8_t>{};
        }
        [[nodiscard]] std::string column_text(int i) const {
            const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, i));
            return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, i))) : std::string();
        }

    private:
        const SqliteDb& db_;
        std::string what_;
        sqlite3_stmt* stmt_ = nullptr;
    };
    [[nodiscard]] Statement prepare(const char* sql, std::string what) const { return Statement(*this, sql, std::move(what)); }

    // BEGIN IMMEDIATE .. COMMIT; rolled back when destroyed uncommitted.
    class Transaction {
    public:
        explicit Transaction(SqliteDb& db) : db_(&db) { db.exec("BEGIN IMMEDIATE", "begin a transaction"); }
        Transaction(const Transaction&) = delete;
        Transaction& operator=(const Transaction&) = delete;
        ~Transaction() {
            if (db_) sqlite3_exec(db_->db_, "ROLLBACK", nullptr, nullptr, nullptr);
        }
        void commit() {
            db_->exec("COMMIT", "commit");
            db_ = nullptr;
        }

    private:
        SqliteDb* db_;
    };

    // The value of `key` in a meta(key, value) table, when present.
    [[nodiscard]] std::optional<std::string> meta(const std::string& key) const {
        auto s = prepare("SELECT value FROM meta WHERE key = ?", "read meta '" + key + "'");
        s.text(1, key);
        if (!s.row()) return std::nullopt;
        return s.column_text(0);
    }
    // Creates meta when absent, writes `value` for `key` unless present, and checks that
    // the stored value is `value`: a file of another schema is Error(malformed_input).
    void require_meta(const std::string& key, const std::string& value, const std::string& reader) {
        exec("CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)", "create the meta table");
        prepare("INSERT OR IGNORE INTO meta(key, value) VALUES(?, ?)", "write meta '" + key + "'").text(1, key).text(2, value).run();
        const auto stored = meta(key);
        if (stored != value)
            throw Error(ErrorCode::malformed_input, reader + ": " + path_ + " has " + key + " '" + stored.value_or("") +
                                                        "', this library reads '" + value + "'");
    }

private:
    void close() noexcept {
        if (db_) sqlite3_close_v2(db_);
        db_ = nullptr;
    }
    std::string path_;
    sqlite3* db_ = nullptr;
};

}  // namespace causality::store
