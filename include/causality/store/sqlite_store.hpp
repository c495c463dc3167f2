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
// One SqliteContentStore is one connection (store/sqlite.hpp's SqliteDb): use it from one
// thread at a time (open one per thread; SQLite serialises writers across connections).
// Layers that keep their own tables in the same file (resource/manager.hpp) write records
// with `contents_insert` inside their own transactions.
#pragma once

#include <causality/error.hpp>
#include <causality/store/content.hpp>
#include <causality/store/sqlite.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace causality::store {

inline constexpr const char* sqlite_store_schema = "causality-store 1";

// The contents table of a database, created when absent (and the schema checked).
inline void contents_open(SqliteDb& db) {
    db.require_meta("schema", sqlite_store_schema, "store");
    db.exec("CREATE TABLE IF NOT EXISTS contents(id BLOB PRIMARY KEY CHECK(length(id) = 32), kind INTEGER NOT NULL, "
            "bytes BLOB NOT NULL)",
            "create the contents table");
}
// Stores a record (a no-op when the id is present).
inline void contents_insert(SqliteDb& db, const ContentId& id, ContentKind kind, std::span<const std::uint8_t> bytes) {
    const auto key = id.bytes();
    db.prepare("INSERT INTO contents(id, kind, bytes) VALUES(?, ?, ?) ON CONFLICT(id) DO NOTHING", "store record " + id.hex())
        .blob(1, key)
        .integer(2, static_cast<std::int64_t>(kind))
        .blob(3, bytes)
        .run();
}
// The record with `id`, hashed again (Error(corrupted_data) when it changed on disk).
inline std::optional<ContentRecord> contents_get(const SqliteDb& db, const ContentId& id) {
    auto s = db.prepare("SELECT kind, bytes FROM contents WHERE id = ?", "read record " + id.hex());
    const auto key = id.bytes();
    s.blob(1, key);
    if (!s.row()) return std::nullopt;
    ContentRecord r;
    r.id = id;
    r.kind = kind_from_number(static_cast<std::uint64_t>(s.column_int(0)));
    r.bytes = s.column_blob(1);
    detail::check_record(id, r.kind, r.bytes);
    return r;
}

class SqliteContentStore {
public:
    // Opens (creating when absent) the store at `path`.
    explicit SqliteContentStore(std::string path) : db_(std::move(path)) { contents_open(db_); }

    [[nodiscard]] const std::string& path() const noexcept { return db_.path(); }
    [[nodiscard]] SqliteDb& database() noexcept { return db_; }

    ContentId put(ContentKind kind, std::span<const std::uint8_t> bytes) {
        const ContentId id = content_id(kind, bytes);
        contents_insert(db_, id, kind, bytes);
        return id;
    }
    // Many records in one transaction (one fsync): the ids in order.
    std::vector<ContentId> put_many(ContentKind kind, std::span<const std::vector<std::uint8_t>> items) {
        std::vector<ContentId> ids;
        ids.reserve(items.size());
        SqliteDb::Transaction tx(db_);
        for (const auto& b : items) {
            ids.push_back(content_id(kind, b));
            contents_insert(db_, ids.back(), kind, b);
        }
        tx.commit();
        return ids;
    }
    [[nodiscard]] std::optional<ContentRecord> get(const ContentId& id) const { return contents_get(db_, id); }
    [[nodiscard]] bool contains(const ContentId& id) const {
        auto s = db_.prepare("SELECT 1 FROM contents WHERE id = ?", "look up record " + id.hex());
        const auto key = id.bytes();
        s.blob(1, key);
        return s.row();
    }
    [[nodiscard]] std::size_t size() const {
        auto s = db_.prepare("SELECT count(*) FROM contents", "count the records");
        if (!s.row()) db_.fail("count the records");
        return static_cast<std::size_t>(s.column_int(0));
    }
    // Every record's id, kind and size, ordered by id (the bytes are not read).
    void for_each(const std::function<void(const ContentEntry&)>& visit) const {
        auto s = db_.prepare("SELECT id, kind, length(bytes) FROM contents ORDER BY id", "list the records");
        while (s.row()) {
            ContentEntry e;
            e.id = ContentId::from_bytes(s.column_blob(0));
            e.kind = kind_from_number(static_cast<std::uint64_t>(s.column_int(1)));
            e.size = static_cast<std::uint64_t>(s.column_int(2));
            visit(e);
        }
    }
    bool erase(const ContentId& id) {
        const auto key = id.bytes();
        db_.prepare("DELETE FROM contents WHERE id = ?", "delete record " + id.hex()).blob(1, key).run();
        return db_.changes() > 0;
    }

private:
    SqliteDb db_;
};
static_assert(ContentStore<SqliteContentStore>);

}  // namespace causality::store
