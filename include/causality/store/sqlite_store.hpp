// causality/store/sqlite_store.hpp — the content-addressed store on disk, in SQLite (the
// project's one database; Debian's libsqlite3-dev, linked by the causality target).
//
// One file, two tables:
//   meta(key TEXT PRIMARY KEY, value TEXT)     schema = "causality-store 1"
//   contents(id BLOB PRIMARY KEY (32 bytes), kind INTEGER, bytes BLOB)
// in WAL mode with synchronous = FULL: a put that returned is on disk, and a crash leaves
// either the whole record or none. Every get hashes the bytes it read and compares them
// with the id (Error(corrupted_data) naming the id when they differ: a changed byte on
// disk is never returned). SQLite failures (an unwritable path, a file that is not a
// database, a full disk) are Error(io_error) with SQLite's message; a database of another
// schema is Error(malformed_input).
//
// One SqliteContentStore is one connection: use it from one thread at a time (open one
// per thread; SQLite serialises writers across connections).
#pragma once

#include <causality/error.hpp>
#include <causality/store/content.hpp>

#include <sqlite3.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace causality::store {

inline constexpr const char* sqlite_store_schema = "causality-store 1";

class SqliteContentStore {
public:
    // Opens (creating when absent) the store at `path`.
    explicit SqliteContentStore(std::string path) : path_(std::move(path)) {
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
            exec("CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)", "create the meta table");
            exec("CREATE TABLE IF NOT EXISTS contents(id BLOB PRIMARY KEY CHECK(length(id) = 32), kind INTEGER NOT NULL, "
                 "bytes BLOB NOT NULL)",
                 "create the contents table");
            exec(std::string("INSERT OR IGNORE INTO meta(key, value) VALUES('schema', '") + sqlite_store_schema + "')",
                 "write the schema version");
            Statement s(*this, "SELECT value FROM meta WHERE key = 'schema'", "read the schema version");
            if (s.step() != SQLITE_ROW) fail("read the schema version");
            const std::string schema = reinterpret_cast<const char*>(sqlite3_column_text(s.get(), 0));
            if (schema != sqlite_store_schema)
                throw Error(ErrorCode::malformed_input, "store: " + path_ + " has schema '" + schema + "', this library reads '" +
                                                            sqlite_store_schema + "'");
        } catch (...) {
            close();
            throw;
        }
    }
    SqliteContentStore(const SqliteContentStore&) = delete;
    SqliteContentStore& operator=(const SqliteContentStore&) = delete;
    SqliteContentStore(SqliteContentStore&& o) noexcept : path_(std::move(o.path_)), db_(std::exchange(o.db_, nullptr)) {}
    SqliteContentStore& operator=(SqliteContentStore&& o) noexcept {
        if (this != &o) {
            close();
            path_ = std::move(o.path_);
            db_ = std::exchange(o.db_, nullptr);
        }
        return *this;
    }
    ~SqliteContentStore() { close(); }

    [[nodiscard]] const std::string& path() const noexcept { return path_; }

    ContentId put(ContentKind kind, std::span<const std::uint8_t> bytes) {
        const ContentId id = content_id(kind, bytes);
        insert(id, kind, bytes);
        return id;
    }
    // Many records in one transaction (one fsync): the ids in order.
    std::vector<ContentId> put_many(ContentKind kind, std::span<const std::vector<std::uint8_t>> items) {
        std::vector<ContentId> ids;
        ids.reserve(items.size());
        exec("BEGIN IMMEDIATE", "begin a transaction");
        try {
            for (const auto& b : items) {
                ids.push_back(content_id(kind, b));
                insert(ids.back(), kind, b);
            }
            exec("COMMIT", "commit");
        } catch (...) {
            sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
            throw;
        }
        return ids;
    }
    [[nodiscard]] std::optional<ContentRecord> get(const ContentId& id) const {
        Statement s(*this, "SELECT kind, bytes FROM contents WHERE id = ?", "read a record");
        const auto key = id.bytes();
        s.bind_blob(1, key.data(), key.size());
        const int rc = s.step();
        if (rc == SQLITE_DONE) return std::nullopt;
        if (rc != SQLITE_ROW) fail("read record " + id.hex());
        ContentRecord r;
        r.id = id;
        r.kind = kind_from_number(static_cast<std::uint64_t>(sqlite3_column_int64(s.get(), 0)));
        const auto* p = static_cast<const std::uint8_t*>(sqlite3_column_blob(s.get(), 1));
        const auto n = static_cast<std::size_t>(sqlite3_column_bytes(s.get(), 1));
        if (p) r.bytes.assign(p, p + n);
        detail::check_record(id, r.kind, r.bytes);
        return r;
    }
    [[nodiscard]] bool contains(const ContentId& id) const {
        Statement s(*this, "SELECT 1 FROM contents WHERE id = ?", "look up a record");
        const auto key = id.bytes();
        s.bind_blob(1, key.data(), key.size());
        const int rc = s.step();
        if (rc != SQLITE_ROW && rc != SQLITE_DONE) fail("look up record " + id.hex());
        return rc == SQLITE_ROW;
    }
    [[nodiscard]] std::size_t size() const {
        Statement s(*this, "SELECT count(*) FROM contents", "count the records");
        if (s.step() != SQLITE_ROW) fail("count the records");
        return static_cast<std::size_t>(sqlite3_column_int64(s.get(), 0));
    }
    // Every record's id, kind and size, ordered by id (the bytes are not read).
    void for_each(const std::function<void(const ContentEntry&)>& visit) const {
        Statement s(*this, "SELECT id, kind, length(bytes) FROM contents ORDER BY id", "list the records");
        int rc;
        while ((rc = s.step()) == SQLITE_ROW) {
            const auto* p = static_cast<const std::uint8_t*>(sqlite3_column_blob(s.get(), 0));
            const auto n = static_cast<std::size_t>(sqlite3_column_bytes(s.get(), 0));
            ContentEntry e;
            e.id = ContentId::from_bytes(std::span<const std::uint8_t>(p, n));
            e.kind = kind_from_number(static_cast<std::uint64_t>(sqlite3_column_int64(s.get(), 1)));
            e.size = static_cast<std::uint64_t>(sqlite3_column_int64(s.get(), 2));
            visit(e);
        }
        if (rc != SQLITE_DONE) fail("list the records");
    }
    bool erase(const ContentId& id) {
        Statement s(*this, "DELETE FROM contents WHERE id = ?", "delete a record");
        const auto key = id.bytes();
        s.bind_blob(1, key.data(), key.size());
        if (s.step() != SQLITE_DONE) fail("delete record " + id.hex());
        return sqlite3_changes(db_) > 0;
    }

private:
    class Statement {
    public:
        Statement(const SqliteContentStore& store, const char* sql, const std::string& what) : store_(store) {
            if (sqlite3_prepare_v2(store.db_, sql, -1, &stmt_, nullptr) != SQLITE_OK) store.fail(what);
        }
        Statement(const Statement&) = delete;
        Statement& operator=(const Statement&) = delete;
        ~Statement() { sqlite3_finalize(stmt_); }
        [[nodiscard]] sqlite3_stmt* get() const noexcept { return stmt_; }
        // An empty blob is bound as a zero-length blob, not NULL.
        void bind_blob(int i, const void* p, std::size_t n) {
            const int rc = n == 0 ? sqlite3_bind_zeroblob(stmt_, i, 0) : sqlite3_bind_blob64(stmt_, i, p, n, SQLITE_TRANSIENT);
            if (rc != SQLITE_OK) store_.fail("bind a value");
        }
        void bind_int(int i, std::int64_t v) {
            if (sqlite3_bind_int64(stmt_, i, v) != SQLITE_OK) store_.fail("bind a value");
        }
        int step() { return sqlite3_step(stmt_); }

    private:
        const SqliteContentStore& store_;
        sqlite3_stmt* stmt_ = nullptr;
    };

    void insert(const ContentId& id, ContentKind kind, std::span<const std::uint8_t> bytes) {
        Statement s(*this, "INSERT INTO contents(id, kind, bytes) VALUES(?, ?, ?) ON CONFLICT(id) DO NOTHING", "store a record");
        const auto key = id.bytes();
        s.bind_blob(1, key.data(), key.size());
        s.bind_int(2, static_cast<std::int64_t>(kind));
        s.bind_blob(3, bytes.data(), bytes.size());
        if (s.step() != SQLITE_DONE) fail("store record " + id.hex());
    }
    void exec(const std::string& sql, const std::string& what) {
        if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) fail(what);
    }
    [[noreturn]] void fail(const std::string& what) const {
        throw Error(ErrorCode::io_error, "store: " + path_ + ": cannot " + what + ": " + sqlite3_errmsg(db_));
    }
    void close() noexcept {
        if (db_) sqlite3_close_v2(db_);
        db_ = nullptr;
    }

    std::string path_;
    sqlite3* db_ = nullptr;
};
static_assert(ContentStore<SqliteContentStore>);

}  // namespace causality::store
