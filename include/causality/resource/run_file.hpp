// causality/resource/run_file.hpp — a resource run's starting register file as bytes, so
// that one process (a wallet, the resource_ledger example) prepares a run and another (the
// `causality prove --resources FILE` command) proves it.
//
// Bytes (little-endian, version 1): magic "CRUN", version, register count, input root (8
// words), depth, the sections (count; name length, name bytes, first, count), the context
// (domain length and bytes, trace id (8 words), timestamp (u64), holder (8 words), the
// capabilities (count; 144 bytes each, capability.hpp's encoding), the environment
// (count; key and value as length and bytes)), the inputs (count; register, the
// resource's 128 bytes, path index (u64), sibling count and siblings (8 words each)).
// Memory segments are not part of it (a proof says nothing about them).
//
// decode_run_file: Error(malformed_input) naming what is wrong (truncated, another magic
// or version, a register, section or input the file cannot hold, trailing bytes).
#pragma once

#include <causality/error.hpp>
#include <causality/resource/capability.hpp>
#include <causality/resource/registers.hpp>
#include <causality/stark/bytes.hpp>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace causality::resource {

inline constexpr std::uint32_t run_file_magic = 0x4e555243;  // "CRUN"
inline constexpr std::uint32_t run_file_version = 1;

namespace detail {
inline void put_string(stark::ByteWriter& w, const std::string& s) {
    w.u32(static_cast<std::uint32_t>(s.size()));
    w.raw(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()));
}
inline std::string get_string(stark::ByteReader& r, const char* what) {
    const std::size_t n = r.count(1, what);
    const auto b = r.take(n, what);
    return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}
inline void put_digest(stark::ByteWriter& w, const Digest& d) {
    for (const std::uint32_t x : d) w.u32(x);
}
inline Digest get_digest(stark::ByteReader& r, const char* what) {
    Digest d;
    for (auto& x : d) x = r.u32(what);
    return d;
}
}  // namespace detail

inline std::vector<std::uint8_t> encode_run_file(const ResourceFile& f) {
    stark::ByteWriter w;
    w.u32(run_file_magic);
    w.u32(run_file_version);
    w.u32(f.size());
    detail::put_digest(w, f.input_root());
    w.u32(f.input_depth());
    w.u32(static_cast<std::uint32_t>(f.sections().size()));
    for (const auto& s : f.sections()) {
        detail::put_string(w, s.name);
        w.u32(s.first);
        w.u32(s.count);
    }
    const auto& c = f.context();
    detail::put_string(w, c.domain_id);
    detail::put_digest(w, c.trace_id);
    w.u32(static_cast<std::uint32_t>(c.timestamp));
    w.u32(static_cast<std::uint32_t>(c.timestamp >> 32));
    detail::put_digest(w, c.capability_token.holder());
    w.u32(static_cast<std::uint32_t>(c.capability_token.capabilities().size()));
    for (const auto& cap : c.capability_token.capabilities()) w.raw(cap.bytes());
    w.u32(static_cast<std::uint32_t>(c.environment.size()));
    for (const auto& [k, v] : c.environment) {
        detail::put_string(w, k);
        detail::put_string(w, v);
    }
    std::uint32_t inputs = 0;
    for (const auto& r : f.registers()) inputs += r.state == RegisterState::input ? 1 : 0;
    w.u32(inputs);
    for (std::uint32_t k = 0; k < f.size(); ++k) {
        const auto& r = f.at(k);
        if (r.state != RegisterState::input) continue;
        w.u32(k);
        w.raw(r.resource.bytes());
        w.u32(static_cast<std::uint32_t>(r.path.index));
        w.u32(static_cast<std::uint32_t>(r.path.index >> 32));
        w.u32(static_cast<std::uint32_t>(r.path.siblings.size()));
        for (const auto& s : r.path.siblings) detail::put_digest(w, s);
    }
    return std::move(w).take();
}

inline ResourceFile decode_run_file(std::span<const std::uint8_t> bytes) {
    stark::ByteReader r(bytes);
    if (r.u32("magic") != run_file_magic)
        throw Error(ErrorCode::malformed_input, "not a resource run file (the magic is not \"CRUN\")");
    if (const auto v = r.u32("version"); v != run_file_version)
        throw Error(ErrorCode::malformed_input, "resource run file version " + std::to_string(v) + " (this library reads 1)");
    const std::uint32_t size = r.u32("register count");
    if (size == 0 || size > ResourceFile::max_registers)
        throw Error(ErrorCode::malformed_input, "resource run file: " + std::to_string(size) + " registers (1..65536)");
    ResourceFile f(size);
    const Digest root = detail::get_digest(r, "input root");
    const std::uint32_t depth = r.u32("depth");
    if (depth < 1 || depth > 32) throw Error(ErrorCode::malformed_input, "resource run file: depth " + std::to_string(depth));
    f.set_input_root(root, depth);
    try {
        const std::size_t sections = r.count(12, "sections");
        for (std::size_t k = 0; k < sections; ++k) {
            std::string name = detail::get_string(r, "section name");
            const std::uint32_t first = r.u32("section first"), count = r.u32("section count");
            f.define_section(std::move(name), first, count);
        }
        auto& c = f.context();
        c.domain_id = detail::get_string(r, "domain");
        c.trace_id = detail::get_digest(r, "trace id");
        c.timestamp = r.u32("timestamp");
        c.timestamp |= std::uint64_t{r.u32("timestamp")} << 32;
        const Digest holder = detail::get_digest(r, "holder");
        const std::size_t ncaps = r.count(Capability::encoded_bytes, "capabilities");
        std::vector<Capability> caps;
        for (std::size_t k = 0; k < ncaps; ++k) caps.push_back(Capability::from_bytes(r.take(Capability::encoded_bytes, "capability")));
        c.capability_token = CapabilityToken(holder, std::move(caps));
        const std::size_t nenv = r.count(8, "environment");
        for (std::size_t k = 0; k < nenv; ++k) {
            std::string key = detail::get_string(r, "environment key");
            c.environment[std::move(key)] = detail::get_string(r, "environment value");
        }
        const std::size_t ninputs = r.count(4 + resource_bytes + 12, "inputs");
        for (std::size_t k = 0; k < ninputs; ++k) {
            const std::uint32_t reg = r.u32("input register");
            const Resource res = Resource::from_bytes(r.take(resource_bytes, "input resource"));
            MerklePath path;
            path.index = r.u32("path index");
            path.index |= std::uint64_t{r.u32("path index")} << 32;
            const std::size_t n = r.count(32, "path siblings");
            for (std::size_t j = 0; j < n; ++j) path.siblings.push_back(detail::get_digest(r, "path sibling"));
            if (reg >= size)
                throw Error(ErrorCode::malformed_input, "resource run file: input register " + std::to_string(reg) + " of " +
                                                            std::to_string(size));
            f.load_input(reg, res, std::move(path));
        }
    } catch (const Error& e) {
        if (e.code() == ErrorCode::malformed_input) throw;
        throw Error(ErrorCode::malformed_input, std::string("resource run file: ") + e.what());
    }
    r.expect_end("the resource run file");
    return f;
}

}  // namespace causality::resource
