// Content addressing: ids (the canonical encoding, kinds, text form), the in-memory and the
// SQLite store behind one concept (put, get, contains, iteration, erase), durability
// across reopening and a killed writer, and corruption: a changed byte on disk or in the
// table is an error naming the record's id.
#include <causality/store/content.hpp>
#include <causality/store/sqlite_store.hpp>

#include <catch2/catch.hpp>

#include "temp_files.hpp"

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>

#include <sys/wait.h>
#include <unistd.h>

using namespace causality;
using namespace causality::store;

namespace {

std::vector<std::uint8_t> random_bytes(std::size_t n, std::uint32_t seed) {
    std::mt19937 g(seed);
    std::vector<std::uint8_t> v(n);
    for (auto& b : v) b = static_cast<std::uint8_t>(g());
    return v;
}
std::string temp_path(const std::string& name) { return testfiles::temp_path("causality-store-test", name); }

template <ContentStore S>
void exercise(S& s) {
    const auto a = random_bytes(100, 1), b = random_bytes(5000, 2);
    const std::vector<std::uint8_t> empty;
    const ContentId ia = s.put(ContentKind::blob, a), ib = s.put(ContentKind::proof, b), ie = s.put(ContentKind::blob, empty);
    CHECK(s.put(ContentKind::blob, a) == ia);  // idempotent
    CHECK(s.size() == 3);
    CHECK(s.contains(ia));
    CHECK(s.contains(ib));
    CHECK_FALSE(s.contains(content_id(ContentKind::program, a)));
    const auto ra = s.get(ia);
    REQUIRE(ra);
    CHECK(ra->bytes == a);
    CHECK(ra->kind == ContentKind::blob);
    CHECK(s.get(ib)->bytes == b);
    CHECK(s.get(ib)->kind == ContentKind::proof);
    CHECK(s.get(ie)->bytes.empty());
    CHECK_FALSE(s.get(content_id(ContentKind::blob, b)).has_value());
    std::vector<ContentEntry> seen;
    s.for_each([&](const ContentEntry& e) { seen.push_back(e); });
    REQUIRE(seen.size() == 3);
    CHECK(std::is_sorted(seen.begin(), seen.end(), [](const auto& x, const auto& y) { return x.id < y.id; }));
    for (const auto& e : seen) CHECK(e.size == (e.id == ib ? 5000u : e.id == ia ? 100u : 0u));
    CHECK(s.erase(ie));
    CHECK_FALSE(s.erase(ie));
    CHECK(s.size() == 2);
}

}  // namespace

TEST_CASE("content ids: the canonical encoding, kinds, text form", "[store]") {
    const auto a = random_bytes(33, 3);
    const ContentId id = content_id(ContentKind::blob, a);
    static const auto perm = stark::default_poseidon2<field::BabyBear, 16>();
    CHECK(id.words == vm::hash_bytes(perm, canonical_encoding(ContentKind::blob, a)));
    CHECK(canonical_encoding(ContentKind::proof, a).size() == a.size() + 20);
    CHECK(content_id(ContentKind::proof, a) != id);
    auto b = a;
    b[32] ^= 1;
    CHECK(content_id(ContentKind::blob, b) != id);
    CHECK(ContentId::from_hex(id.hex()) == id);
    CHECK(ContentId::from_bytes(id.bytes()) == id);
    CHECK(id.hex().size() == 64);
    CHECK_THROWS_WITH(ContentId::from_hex("abc"), Catch::Contains("64 hex digits"));
    CHECK_THROWS_WITH(ContentId::from_hex(std::string(63, '0') + "g"), Catch::Contains("not a hex content id"));
    CHECK_THROWS_WITH(parse_kind("nope"), Catch::Contains("unknown kind 'nope'"));
    CHECK(parse_kind("key") == ContentKind::verifying_key);
}

TEST_CASE("stores: put, get, contains, iteration, erase (memory and SQLite)", "[store]") {
    SECTION("memory") {
        MemoryContentStore s;
        exercise(s);
    }
    SECTION("sqlite") {
        SqliteContentStore s(temp_path("basic.db"));
        exercise(s);
    }
}

TEST_CASE("memory store: a corrupted record is an error naming its id", "[store][negative]") {
    MemoryContentStore s;
    const ContentId id = s.put(ContentKind::blob, random_bytes(64, 4));
    (*s.bytes_for_testing(id))[10] ^= 0x40;
    CHECK_THROWS_WITH(s.get(id), Catch::Contains("record " + id.hex() + " is corrupted"));
}

TEST_CASE("sqlite store: records survive reopening, batches commit at once", "[store][durable]") {
    const std::string path = temp_path("reopen.db");
    std::vector<std::vector<std::uint8_t>> items;
    for (std::uint32_t k = 0; k < 50; ++k) items.push_back(random_bytes(10 + k * 7, 100 + k));
    std::vector<ContentId> ids;
    {
        SqliteContentStore s(path);
        ids = s.put_many(ContentKind::resource, items);
    }
    SqliteContentStore again(path);
    CHECK(again.size() == 50);
    for (std::size_t k = 0; k < items.size(); ++k) {
        const auto r = again.get(ids[k]);
        REQUIRE(r);
        CHECK(r->bytes == items[k]);
        CHECK(r->kind == ContentKind::resource);
    }
}

TEST_CASE("sqlite store: a writer killed mid-stream leaves only whole, verified records", "[store][durable]") {
    const std::string path = temp_path("killed.db");
    { SqliteContentStore create(path); }
    int ready[2];
    REQUIRE(::pipe(ready) == 0);
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        ::close(ready[0]);
        try {
            SqliteContentStore s(path);
            for (std::uint32_t k = 0;; ++k) {
                s.put(ContentKind::blob, random_bytes(3000 + k % 500, k));
                if (k == 20) (void)!::write(ready[1], "x", 1);
            }
        } catch (...) {
        }
        ::_exit(1);
    }
    ::close(ready[1]);
    char c = 0;
    REQUIRE(::read(ready[0], &c, 1) == 1);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    ::kill(child, SIGKILL);
    int status = 0;
    ::waitpid(child, &status, 0);
    ::close(ready[0]);
    CHECK(WIFSIGNALED(status));
    SqliteContentStore s(path);
    const std::size_t n = s.size();
    CHECK(n > 20);
    std::size_t verified = 0;
    s.for_each([&](const ContentEntry& e) {
        const auto r = s.get(e.id);  // hashes the bytes again
        REQUIRE(r);
        CHECK(r->bytes.size() == e.size);
        ++verified;
    });
    CHECK(verified == n);
}

TEST_CASE("sqlite store: changed bytes on disk are an error naming the id", "[store][negative]") {
    const std::string path = temp_path("corrupt.db");
    const auto payload = random_bytes(300, 5);
    ContentId id;
    {
        SqliteContentStore s(path);
        id = s.put(ContentKind::blob, payload);
    }  // the last connection checkpoints the WAL into the file
    {
        std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
        std::string file((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
        const auto at = file.find(std::string(payload.begin(), payload.end()));
        REQUIRE(at != std::string::npos);
        f.seekp(static_cast<std::streamoff>(at + 150));
        const char flipped = static_cast<char>(payload[150] ^ 0x01);
        f.write(&flipped, 1);
    }
    SqliteContentStore s(path);
    CHECK(s.contains(id));
    CHECK_THROWS_WITH(s.get(id), Catch::Contains("record " + id.hex() + " is corrupted"));
    try {
        (void)s.get(id);
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::corrupted_data);
    }
}

TEST_CASE("sqlite store: bad files and paths are typed errors", "[store][negative]") {
    const std::string junk = temp_path("junk.db");
    {
        std::ofstream f(junk, std::ios::binary);
        f << std::string(4096, 'j');
    }
    CHECK_THROWS_WITH(SqliteContentStore(junk), Catch::Contains("not a database"));
    CHECK_THROWS_WITH(SqliteContentStore("/nonexistent-dir/x/store.db"), Catch::Contains("cannot open"));
    // Another schema.
    const std::string other = temp_path("other.db");
    {
        SqliteContentStore s(other);
    }
    {
        sqlite3* db = nullptr;
        REQUIRE(sqlite3_open(other.c_str(), &db) == SQLITE_OK);
        REQUIRE(sqlite3_exec(db, "UPDATE meta SET value = 'causality-store 9' WHERE key = 'schema'", nullptr, nullptr, nullptr) == SQLITE_OK);
        sqlite3_close(db);
    }
    CHECK_THROWS_WITH(SqliteContentStore(other), Catch::Contains("schema 'causality-store 9'"));
}
