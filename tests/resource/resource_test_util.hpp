// Helpers of the resource tests: digests from seeds, notes, guest input streams, temporary
// ledger files, and the kind of the VmError a call throws.
#pragma once

#include <causality/resource/errors.hpp>
#include <causality/resource/resource.hpp>

#include <catch2/catch.hpp>

#include <cstdint>
#include <filesystem>
#include <string>
#include <unistd.h>
#include <vector>

namespace restest {

using causality::resource::Digest;
using causality::resource::Resource;
using causality::resource::VmErrorKind;

inline Digest digest_of(std::uint32_t seed) {
    Digest d{};
    for (std::uint32_t k = 0; k < 8; ++k) d[k] = seed * 2654435761u + 31 * k + 7;
    return d;
}
// A note of `value` (data[0]) and `asset` (data[1]) owned by the holder of `key`.
inline Resource note(std::uint32_t value, const Digest& key, std::uint32_t seed, std::uint32_t asset = 1) {
    Resource r;
    r.kind = causality::resource::label("note");
    r.owner = causality::resource::owner_of(key);
    r.data[0] = value;
    r.data[1] = asset;
    r.nonce = digest_of(seed);
    return r;
}
inline void put_u32(std::vector<std::uint8_t>& v, std::uint32_t x) {
    for (int k = 0; k < 4; ++k) v.push_back(static_cast<std::uint8_t>(x >> (8 * k)));
}
inline void put_digest(std::vector<std::uint8_t>& v, const Digest& d) {
    for (auto w : d) put_u32(v, w);
}
// A fresh path for a database file (and no WAL or shared-memory file next to it).
inline std::string temp_path(const std::string& suite, const std::string& name) {
    const auto dir = std::filesystem::temp_directory_path() / ("causality-" + suite + "-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const auto p = dir / name;
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(p.string() + suffix);
    return p.string();
}
// The code of the Error a call throws (and that it throws one).
template <class Fn>
causality::ErrorCode error_code_of(Fn&& fn) {
    try {
        fn();
    } catch (const causality::Error& e) {
        return e.code();
    }
    FAIL("no Error thrown");
    return causality::ErrorCode::invalid_argument;
}
template <class Fn>
VmErrorKind error_kind_of(Fn&& fn) {
    try {
        fn();
    } catch (const causality::resource::VmError& e) {
        return e.kind();
    }
    FAIL("no VmError thrown");
    return VmErrorKind::debug_failed;
}

}  // namespace restest
