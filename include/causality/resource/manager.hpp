// causality/resource/manager.hpp — ResourceManager: the resources, their input set and
// the nullifier set, durably in one SQLite file (store/sqlite.hpp; the file is also a
// content store: resources are records of kind `resource` in its contents table).
//
// Tables (next to the content store's meta and contents):
//   leaves(leaf INTEGER PRIMARY KEY, commitment BLOB UNIQUE, batch INTEGER)
//       the input set: every commitment ever published, in order (append-only, as a
//       note-commitment tree); the Merkle tree over them is rebuilt when the file opens.
//   resources(id BLOB PRIMARY KEY, leaf INTEGER, state INTEGER, kind BLOB, owner BLOB,
//             created_batch INTEGER, consumed_batch INTEGER NULL)
//       the resources whose contents are known here (a commitment may be published
//       without its resource: its owner keeps the data).
//   nullifiers(nullifier BLOB PRIMARY KEY, batch INTEGER)
//   relations(from_id BLOB, to_id BLOB, relation TEXT, PRIMARY KEY(from_id, to_id, relation))
//   batches(batch INTEGER PRIMARY KEY, label TEXT, effects INTEGER)
//
// `apply` takes the effects of one or many runs (nullifiers, commitments, the created
// resources and, when known, the consumed ids) and writes them in one transaction: a
// nullifier seen before, or twice among the effects, is VmError(double_spend) naming it
// and nothing is written; so is a consumed id that is not live, a created resource whose
// commitment is not among the published ones. A process killed at any point of an apply
// leaves the whole of it or none (WAL, synchronous FULL; tested by killing children).
#pragma once

#include <causality/error.hpp>
#include <causality/resource/errors.hpp>
#include <causality/resource/merkle.hpp>
#include <causality/resource/registers.hpp>
#include <causality/resource/resource.hpp>
#include <causality/store/sqlite.hpp>
#include <causality/store/sqlite_store.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <vector>

namespace causality::resource {

inline constexpr const char* resource_manager_schema = "causality-resources 1";

enum class LedgerState : std::uint8_t { live = 1, consumed = 2 };

struct StoredResource {
    Resource resource{};
    ResourceId id{};
    std::uint64_t leaf = 0;
    LedgerState state = LedgerState::live;
    std::uint64_t created_batch = 0;
    std::optional<std::uint64_t> consumed_batch;
    friend bool operator==(const StoredResource&, const StoredResource&) = default;
};

// The effects of one run, as the ledger takes them (a run's ResourceOutputs, or a
// verified proof's public nullifiers and commitments with the resources the prover hands
// over).
struct Effects {
    std::vector<Digest> nullifiers;
    std::vector<Digest> commitments;
    std::vector<Resource> created;       // each one's commitment is among `commitments`
    std::vector<ResourceId> consumed;    // optional: ids known to be consumed
    static Effects of(const ResourceOutputs& o) { return {o.nullifiers, o.commitments, o.created, o.consumed}; }
    [[nodiscard]] bool empty() const noexcept { return nullifiers.empty() && commitments.empty(); }
};

// A query over the stored resources (every field optional).
struct ResourceQuery {
    std::optional<Digest> kind, owner;
    std::optional<LedgerState> state;
    std::size_t limit = 1000;
};

class ResourceManager {
public:
    // Opens (creating) the ledger at `path`; the input set has depth `depth` (fixed when
    // the file is created: a file of another depth is Error(malformed_input)).
    explicit ResourceManager(std::string path, unsigned depth = 20) : db_(std::move(path)), tree_(depth) {
        store::contents_open(db_);
        db_.require_meta("resources", resource_manager_schema, "resource manager");
        db_.require_meta("input-set-depth", std::to_string(depth), "resource manager");
        db_.exec("CREATE TABLE IF NOT EXISTS leaves(leaf INTEGER PRIMARY KEY, commitment BLOB NOT NULL UNIQUE, "
                 "batch INTEGER NOT NULL)",
                 "create the leaves table");
        db_.exec("CREATE TABLE IF NOT EXISTS resources(id BLOB PRIMARY KEY, leaf INTEGER NOT NULL, state INTEGER NOT NULL, "
                 "kind BLOB NOT NULL, owner BLOB NOT NULL, created_batch INTEGER NOT NULL, consumed_batch INTEGER)",
                 "create the resources table");
        db_.exec("CREATE INDEX IF NOT EXISTS resources_owner ON resources(owner, state)", "create an index");
        db_.exec("CREATE TABLE IF NOT EXISTS nullifiers(nullifier BLOB PRIMARY KEY, batch INTEGER NOT NULL)",
                 "create the nullifiers table");
        db_.exec("CREATE TABLE IF NOT EXISTS relations(from_id BLOB NOT NULL, to_id BLOB NOT NULL, relation TEXT NOT NULL, "
                 "PRIMARY KEY(from_id, to_id, relation))",
                 "create the relations table");
        db_.exec("CREATE TABLE IF NOT EXISTS batches(batch INTEGER PRIMARY KEY, label TEXT NOT NULL, effects INTEGER NOT NULL)",
                 "create the batches table");
        load_tree();
    }

    [[nodiscard]] const std::string& path() const noexcept { return db_.path(); }
    [[nodiscard]] store::SqliteDb& database() noexcept { return db_; }

    // --- the input set ----------------------------------------------------------------
    [[nodiscard]] Digest input_root() const { return tree_.root(); }
    [[nodiscard]] unsigned depth() const noexcept { return tree_.depth(); }
    [[nodiscard]] std::uint64_t leaf_count() const noexcept { return tree_.size(); }
    [[nodiscard]] const MerkleTree& tree() const noexcept { return tree_; }
    [[nodiscard]] MerklePath path_of(const ResourceId& id) const { return tree_.path(require(id).leaf); }

    // --- resources --------------------------------------------------------------------
    // Adds resources created outside any run (a genesis or a mint by the host), in one
    // transaction; returns their ids.
    std::vector<ResourceId> mint(std::span<const Resource> resources, const std::string& why = "mint") {
        Effects e;
        for (const auto& r : resources) {
            e.created.push_back(r);
            e.commitments.push_back(commitment(resource_id(r)));
        }
        apply(std::span<const Effects>(&e, 1), why);
        std::vector<ResourceId> ids;
        for (const auto& r : resources) ids.push_back(resource_id(r));
        return ids;
    }
    [[nodiscard]] std::optional<StoredResource> get(const ResourceId& id) const {
        auto s = db_.prepare("SELECT leaf, state, created_batch, consumed_batch FROM resources WHERE id = ?",
                             "read resource " + id.hex());
        const auto key = id.bytes();
        s.blob(1, key);
        if (!s.row()) return std::nullopt;
        StoredResource r;
        r.id = id;
        r.leaf = static_cast<std::uint64_t>(s.column_int(0));
        r.state = s.column_int(1) == 2 ? LedgerState::consumed : LedgerState::live;
        r.created_batch = static_cast<std::uint64_t>(s.column_int(2));
        if (!s.column_null(3)) r.consumed_batch = static_cast<std::uint64_t>(s.column_int(3));
        const auto rec = store::contents_get(db_, id);
        if (!rec)
            throw Error(ErrorCode::corrupted_data, "resource manager: resource " + id.hex() + " has no record in the store");
        r.resource = Resource::from_bytes(rec->bytes);
        return r;
    }
    [[nodiscard]] const StoredResource require(const ResourceId& id) const {
        auto r = get(id);
        if (!r) throw VmError(VmErrorKind::resource_not_found, "resource " + id.hex() + " is not in " + db_.path());
        return *r;
    }
    [[nodiscard]] std::vector<StoredResource> list(const ResourceQuery& q = {}) const {
        std::string sql = "SELECT id FROM resources WHERE 1";
        if (q.kind) sql += " AND kind = ?1";
        if (q.owner) sql += " AND owner = ?2";
        if (q.state) sql += " AND state = ?3";
        sql += " ORDER BY leaf LIMIT ?4";
        auto s = db_.prepare(sql.c_str(), "list resources");
        const auto kb = q.kind ? digest_bytes(*q.kind) : std::array<std::uint8_t, 32>{};
        const auto ob = q.owner ? digest_bytes(*q.owner) : std::array<std::uint8_t, 32>{};
        if (q.kind) s.blob(1, kb);
        if (q.owner) s.blob(2, ob);
        if (q.state) s.integer(3, static_cast<std::int64_t>(*q.state));
        s.integer(4, static_cast<std::int64_t>(q.limit));
        std::vector<ResourceId> ids;
        while (s.row()) ids.push_back(ResourceId::from_bytes(s.column_blob(0)));
        std::vector<StoredResource> out;
        for (const auto& id : ids) out.push_back(require(id));
        return out;
    }
    [[nodiscard]] bool nullified(const Digest& nf) const {
        const auto b = digest_bytes(nf);
        auto s = db_.prepare("SELECT 1 FROM nullifiers WHERE nullifier = ?", "look up a nullifier");
        s.blob(1, b);
        return s.row();
    }
    [[nodiscard]] std::size_t nullifier_count() const { return count("nullifiers"); }
    [[nodiscard]] std::size_t resource_count() const { return count("resources"); }
    [[nodiscard]] std::uint64_t batch_count() const { return count("batches"); }

    // Relationships between resources (document 002's resource management): a named,
    // directed edge; `related` lists the targets of `relation` from `from`.
    void relate(const ResourceId& from, const ResourceId& to, const std::string& relation) {
        (void)require(from);
        (void)require(to);
        if (relation.empty() || relation.size() > 64)
            throw Error(ErrorCode::invalid_argument, "resource manager: a relation name is 1..64 bytes");
        const auto a = from.bytes(), b = to.bytes();
        db_.prepare("INSERT OR IGNORE INTO relations(from_id, to_id, relation) VALUES(?, ?, ?)", "store a relation")
            .blob(1, a)
            .blob(2, b)
            .text(3, relation)
            .run();
    }
    [[nodiscard]] std::vector<ResourceId> related(const ResourceId& from, const std::string& relation) const {
        const auto a = from.bytes();
        auto s = db_.prepare("SELECT to_id FROM relations WHERE from_id = ? AND relation = ? ORDER BY to_id", "list relations");
        s.blob(1, a).text(2, relation);
        std::vector<ResourceId> out;
        while (s.row()) out.push_back(ResourceId::from_bytes(s.column_blob(0)));
        return out;
    }

    struct Relation {
        ResourceId from, to;
        std::string type;
    };
    // Every relation leaving (outgoing) or reaching `id`.
    [[nodiscard]] std::vector<Relation> relations(const ResourceId& id, bool outgoing) const {
        const auto a = id.bytes();
        auto s = db_.prepare(outgoing ? "SELECT from_id, to_id, relation FROM relations WHERE from_id = ? ORDER BY relation, to_id"
                                      : "SELECT from_id, to_id, relation FROM relations WHERE to_id = ? ORDER BY relation, from_id",
                             "list relations");
        s.blob(1, a);
        std::vector<Relation> out;
        while (s.row())
            out.push_back({ResourceId::from_bytes(s.column_blob(0)), ResourceId::from_bytes(s.column_blob(1)), s.column_text(2)});
        return out;
    }

    // --- runs -------------------------------------------------------------------------
    // A register file with the live resources `inputs` in registers 0.. (with their paths
    // in the current input set) under `context`; VmError(resource_not_found /
    // invalid_resource_state) for an unknown or consumed one.
    [[nodiscard]] ResourceFile prepare(std::span<const ResourceId> inputs, ExecutionContext context,
                                       std::uint32_t registers = 32) const {
        ResourceFile f(registers);
        f.set_input_root(tree_.root(), tree_.depth());
        for (std::uint32_t k = 0; k < inputs.size(); ++k) {
            const StoredResource r = require(inputs[k]);
            if (r.state != LedgerState::live)
                throw VmError(VmErrorKind::invalid_resource_state,
                              "resource " + inputs[k].hex() + " was consumed in batch " + std::to_string(*r.consumed_batch));
            f.load_input(k, r.resource, tree_.path(r.leaf));
        }
        f.context() = std::move(context);
        return f;
    }

    // Checks effects against the ledger without writing (what apply would refuse).
    void check(std::span<const Effects> effects) const {
        std::set<Digest> seen_nf, seen_cm;
        std::set<ResourceId> seen_consumed, created_before;  // created by earlier effects of this apply
        for (std::size_t k = 0; k < effects.size(); ++k) {
            const Effects& e = effects[k];
            const std::string at = effects.size() > 1 ? " (effects " + std::to_string(k) + ")" : std::string();
            for (const auto& nf : e.nullifiers) {
                if (!seen_nf.insert(nf).second)
                    throw VmError(VmErrorKind::double_spend, "nullifier " + vm::digest_hex(nf) + " is published twice" + at);
                if (nullified(nf))
                    throw VmError(VmErrorKind::double_spend, "nullifier " + vm::digest_hex(nf) + " was seen before" + at);
            }
            for (const auto& cm : e.commitments) {
                if (!seen_cm.insert(cm).second || leaf_of(cm))
                    throw VmError(VmErrorKind::invalid_resource_state,
                                  "commitment " + vm::digest_hex(cm) + " is already in the input set" + at);
            }
            for (const auto& r : e.created) {
                const Digest cm = commitment(resource_id(r));
                bool listed = false;
                for (const auto& c : e.commitments) listed = listed || c == cm;
                if (!listed)
                    throw VmError(VmErrorKind::invalid_resource_state, "created resource " + resource_id(r).hex() +
                                                                           " has no published commitment" + at);
            }
            for (const auto& id : e.consumed) {
                if (!seen_consumed.insert(id).second)
                    throw VmError(VmErrorKind::double_spend, "resource " + id.hex() + " is consumed twice" + at);
                if (created_before.count(id) != 0) continue;
                const auto r = get(id);
                if (!r) throw VmError(VmErrorKind::resource_not_found, "consumed resource " + id.hex() + " is unknown" + at);
                if (r->state != LedgerState::live)
                    throw VmError(VmErrorKind::double_spend, "resource " + id.hex() + " was consumed in batch " +
                                                                 std::to_string(*r->consumed_batch) + at);
            }
            for (const auto& r : e.created) created_before.insert(resource_id(r));
        }
        if (tree_.size() + seen_cm.size() > tree_.capacity())
            throw VmError(VmErrorKind::invalid_resource_state, "the input set of depth " + std::to_string(tree_.depth()) +
                                                                   " has no room for " + std::to_string(seen_cm.size()) +
                                                                   " more commitments");
    }

    // Writes the effects of one or more runs in one transaction as batch `label`; returns
    // the batch number. Everything or nothing: a refused effect (check above) or a failure
    // of the disk leaves the ledger as before.
    std::uint64_t apply(std::span<const Effects> effects, const std::string& label = "batch") {
        check(effects);
        try {
            store::SqliteDb::Transaction tx(db_);
            const std::uint64_t batch = batch_count() + 1;
            step();
            db_.prepare("INSERT INTO batches(batch, label, effects) VALUES(?, ?, ?)", "record the batch")
                .integer(1, static_cast<std::int64_t>(batch))
                .text(2, label)
                .integer(3, static_cast<std::int64_t>(effects.size()))
                .run();
            for (const auto& e : effects) {
                for (const auto& nf : e.nullifiers) {
                    step();
                    const auto b = digest_bytes(nf);
                    db_.prepare("INSERT INTO nullifiers(nullifier, batch) VALUES(?, ?)", "record a nullifier")
                        .blob(1, b)
                        .integer(2, static_cast<std::int64_t>(batch))
                        .run();
                }
                for (const auto& id : e.consumed) {
                    step();
                    const auto b = id.bytes();
                    db_.prepare("UPDATE resources SET state = 2, consumed_batch = ? WHERE id = ?", "mark a resource consumed")
                        .integer(1, static_cast<std::int64_t>(batch))
                        .blob(2, b)
                        .run();
                }
                for (const auto& cm : e.commitments) {
                    step();
                    const std::uint64_t leaf = tree_.append(cm);
                    const auto b = digest_bytes(cm);
                    db_.prepare("INSERT INTO leaves(leaf, commitment, batch) VALUES(?, ?, ?)", "record a commitment")
                        .integer(1, static_cast<std::int64_t>(leaf))
                        .blob(2, b)
                        .integer(3, static_cast<std::int64_t>(batch))
                        .run();
                    for (const auto& r : e.created) {
                        const ResourceId id = resource_id(r);
                        if (commitment(id) != cm) continue;
                        step();
                        const auto bytes = r.bytes();
                        store::contents_insert(db_, id, store::ContentKind::resource, bytes);
                        const auto idb = id.bytes();
                        const auto kb = digest_bytes(r.kind), ob = digest_bytes(r.owner);
                        db_.prepare("INSERT INTO resources(id, leaf, state, kind, owner, created_batch) VALUES(?, ?, 1, ?, ?, ?)",
                                    "record a resource")
                            .blob(1, idb)
                            .integer(2, static_cast<std::int64_t>(leaf))
                            .blob(3, kb)
                            .blob(4, ob)
                            .integer(5, static_cast<std::int64_t>(batch))
                            .run();
                    }
                }
            }
            step();
            tx.commit();
            return batch;
        } catch (...) {
            load_tree();  // the transaction rolled back: the leaves are as before
            throw;
        }
    }
    std::uint64_t apply(const Effects& e, const std::string& label = "run") { return apply(std::span<const Effects>(&e, 1), label); }

    // A hook called before each write of an apply and before its commit, with a running
    // count (crash tests kill the process there).
    std::function<void(std::uint64_t)> on_write;

private:
    // The input set from the leaves table (on open, and after a failed apply, instead of
    // keeping a copy of the tree around every apply).
    void load_tree() {
        tree_ = MerkleTree(tree_.depth());
        auto s = db_.prepare("SELECT leaf, commitment FROM leaves ORDER BY leaf", "read the input set");
        while (s.row()) {
            if (static_cast<std::uint64_t>(s.column_int(0)) != tree_.size())
                throw Error(ErrorCode::corrupted_data, "resource manager: " + db_.path() + ": leaf " +
                                                           std::to_string(tree_.size()) +
                                                           " of the input set is missing (the next one stored is " +
                                                           std::to_string(s.column_int(0)) + ")");
            tree_.append(digest_of(s.column_blob(1), "commitment"));
        }
    }
    void step() {
        if (on_write) on_write(writes_++);
    }
    [[nodiscard]] std::size_t count(const char* table) const {
        const std::string sql = std::string("SELECT count(*) FROM ") + table;
        auto s = db_.prepare(sql.c_str(), std::string("count the ") + table);
        if (!s.row()) db_.fail(std::string("count the ") + table);
        return static_cast<std::size_t>(s.column_int(0));
    }
    [[nodiscard]] std::optional<std::uint64_t> leaf_of(const Digest& cm) const {
        const auto b = digest_bytes(cm);
        auto s = db_.prepare("SELECT leaf FROM leaves WHERE commitment = ?", "look up a commitment");
        s.blob(1, b);
        if (!s.row()) return std::nullopt;
        return static_cast<std::uint64_t>(s.column_int(0));
    }
    static std::array<std::uint8_t, 32> digest_bytes(const Digest& d) { return store::ContentId{d}.bytes(); }
    Digest digest_of(const std::vector<std::uint8_t>& b, const char* what) const {
        if (b.size() != 32)
            throw Error(ErrorCode::corrupted_data, std::string("resource manager: ") + db_.path() + ": a " + what + " of " +
                                                       std::to_string(b.size()) + " bytes");
        return store::ContentId::from_bytes(b).words;
    }

    store::SqliteDb db_;
    MerkleTree tree_;
    std::uint64_t writes_ = 0;
};

}  // namespace causality::resource
