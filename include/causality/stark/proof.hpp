// causality/stark/proof.hpp — the multi-AIR STARK proof and its binary format.
//
// Format (little-endian, version 3): magic "CSTK", version u32, configuration id u32
// (stark::config_id), then the AIR count and each AIR's log2 trace height, the main,
// permutation (LogUp) and quotient roots and the bus grinding witness, each AIR's opened
// values (preprocessed, main and LogUp columns at zeta and zeta*omega, its cumulative sum,
// quotient chunks at zeta; extension elements as their base coordinates; the
// preprocessed root is in the verifying key, not the proof), and the FRI proof:
// per layer its root and proof-of-work witness, the final polynomial, the query
// proof-of-work witness, and per query the Merkle openings of the inputs and layers.
// Field elements are canonical 4- or 8-byte words. Decoding checks every count against
// the bytes that remain before allocating, rejects non-canonical elements and trailing
// bytes, and throws Error(malformed_input) naming the field that is wrong.
#pragma once

#include <causality/error.hpp>
#include <causality/stark/bytes.hpp>
#include <causality/stark/config.hpp>
#include <causality/stark/fri.hpp>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace causality::stark {

inline constexpr std::uint32_t proof_magic = 0x4b545343;  // "CSTK"
inline constexpr std::uint32_t proof_version = 3;

template <StarkConfig SC>
struct AirOpenedValues {
    using EF = typename SC::Challenge;
    std::vector<EF> preprocessed_local, preprocessed_next;  // at zeta and zeta * omega (empty without)
    std::vector<EF> main_local, main_next;                  // at zeta and zeta * omega, one per column
    // LogUp (AIRs with buses only): the LogUp columns' base coordinates at zeta and zeta *
    // omega, and the AIR's cumulative sum (one element, or none without buses).
    std::vector<EF> permutation_local, permutation_next, cumulative_sum;
    std::vector<EF> quotient;               // chunk-major: chunk t, base coordinate k at zeta
    friend bool operator==(const AirOpenedValues&, const AirOpenedValues&) = default;
};

template <StarkConfig SC>
struct StarkProof {
    using T = StarkTypes<SC>;
    std::vector<std::uint32_t> log_heights;  // per AIR: log2 of the trace height
    typename T::Digest main_root{}, quotient_root{};
    typename T::Digest permutation_root{};  // the LogUp columns; zero when no AIR has buses
    typename T::F bus_pow_witness{};        // grinding before the bus challenges; zero without buses
    std::vector<AirOpenedValues<SC>> opened;
    FriProof<SC> fri;
    friend bool operator==(const StarkProof&, const StarkProof&) = default;
};

namespace detail {

// Extension elements as their base coordinates; digests and Merkle openings in the Merkle
// scheme's own encoding.
template <StarkConfig SC>
struct ProofCodec {
    using T = StarkTypes<SC>;
    using F = typename T::F;
    using EF = typename T::EF;
    using Mmcs = typename T::Mmcs;
    static constexpr std::size_t elem_bytes = F::encoded_size;
    static constexpr std::size_t digest_bytes = Mmcs::digest_bytes;

    static void exts(ByteWriter& w, const std::vector<EF>& v) {
        w.u32(static_cast<std::uint32_t>(v.size()));
        for (const EF& x : v) w.element(x);
    }
    static std::vector<EF> exts(ByteReader& r, const char* what) {
        const std::size_t n = r.count(EF::encoded_size, what);
        std::vector<EF> v;
        v.reserve(n);
        for (std::size_t i = 0; i < n; ++i) v.push_back(r.element<EF>(what, i));
        return v;
    }
};

}  // namespace detail

template <StarkConfig SC>
std::vector<std::uint8_t> encode_proof(const StarkProof<SC>& p) {
    using C = detail::ProofCodec<SC>;
    ByteWriter w;
    w.u32(proof_magic);
    w.u32(proof_version);
    w.u32(config_id<SC>());
    w.u32(static_cast<std::uint32_t>(p.log_heights.size()));
    for (auto h : p.log_heights) w.u32(h);
    C::Mmcs::write_digest(w, p.main_root);
    C::Mmcs::write_digest(w, p.permutation_root);
    w.element(p.bus_pow_witness);
    C::Mmcs::write_digest(w, p.quotient_root);
    w.u32(static_cast<std::uint32_t>(p.opened.size()));
    for (const auto& o : p.opened) {
        C::exts(w, o.preprocessed_local);
        C::exts(w, o.preprocessed_next);
        C::exts(w, o.main_local);
        C::exts(w, o.main_next);
        C::exts(w, o.permutation_local);
        C::exts(w, o.permutation_next);
        C::exts(w, o.cumulative_sum);
        C::exts(w, o.quotient);
    }
    const auto& f = p.fri;
    w.u32(static_cast<std::uint32_t>(f.commit_roots.size()));
    for (std::size_t l = 0; l < f.commit_roots.size(); ++l) {
        C::Mmcs::write_digest(w, f.commit_roots[l]);
        w.element(f.commit_pow_witnesses[l]);
    }
    C::exts(w, f.final_poly);
    w.element(f.query_pow_witness);
    w.u32(static_cast<std::uint32_t>(f.queries.size()));
    for (const auto& q : f.queries) {
        w.u32(static_cast<std::uint32_t>(q.inputs.size()));
        for (const auto& o : q.inputs) C::Mmcs::write_opening(w, o);
        w.u32(static_cast<std::uint32_t>(q.layers.size()));
        for (const auto& o : q.layers) C::Mmcs::write_opening(w, o);
    }
    return std::move(w).take();
}

// Error(malformed_input) naming what is wrong: magic, version, configuration, a count
// beyond the remaining bytes, a non-canonical element, truncation, trailing bytes.
template <StarkConfig SC>
StarkProof<SC> decode_proof(std::span<const std::uint8_t> bytes) {
    using C = detail::ProofCodec<SC>;
    using F = typename C::F;
    ByteReader r(bytes);
    if (r.u32("magic") != proof_magic) throw Error(ErrorCode::malformed_input, "not a causality STARK proof (magic)");
    if (const auto v = r.u32("version"); v != proof_version)
        throw Error(ErrorCode::malformed_input,
                    "proof format version " + std::to_string(v) + ", this verifier reads version " +
                        std::to_string(proof_version));
    if (const auto id = r.u32("configuration id"); id != config_id<SC>())
        throw Error(ErrorCode::malformed_input, "the proof is for another configuration than " +
                                                    std::string(SC::name));
    StarkProof<SC> p;
    const std::size_t airs = r.count(4, "AIR count");
    for (std::size_t i = 0; i < airs; ++i) p.log_heights.push_back(r.u32("log height"));
    p.main_root = C::Mmcs::read_digest(r);
    p.permutation_root = C::Mmcs::read_digest(r);
    p.bus_pow_witness = r.element<F>("bus proof-of-work witness", 0);
    p.quotient_root = C::Mmcs::read_digest(r);
    const std::size_t opened = r.count(32, "opened-values count");
    for (std::size_t i = 0; i < opened; ++i) {
        AirOpenedValues<SC> o;
        o.preprocessed_local = C::exts(r, "opened preprocessed values at zeta");
        o.preprocessed_next = C::exts(r, "opened preprocessed values at zeta * omega");
        o.main_local = C::exts(r, "opened main values at zeta");
        o.main_next = C::exts(r, "opened main values at zeta * omega");
        o.permutation_local = C::exts(r, "opened LogUp values at zeta");
        o.permutation_next = C::exts(r, "opened LogUp values at zeta * omega");
        o.cumulative_sum = C::exts(r, "cumulative sum");
        o.quotient = C::exts(r, "opened quotient values");
        p.opened.push_back(std::move(o));
    }
    auto& f = p.fri;
    const std::size_t layers = r.count(C::digest_bytes + C::elem_bytes, "FRI layer count");
    for (std::size_t l = 0; l < layers; ++l) {
        f.commit_roots.push_back(C::Mmcs::read_digest(r));
        f.commit_pow_witnesses.push_back(r.element<F>("FRI layer proof-of-work witness", l));
    }
    f.final_poly = C::exts(r, "FRI final polynomial");
    f.query_pow_witness = r.element<F>("FRI query proof-of-work witness", 0);
    const std::size_t queries = r.count(8, "FRI query count");
    for (std::size_t q = 0; q < queries; ++q) {
        FriQueryProof<SC> qp;
        const std::size_t inputs = r.count(8, "FRI input opening count");
        for (std::size_t i = 0; i < inputs; ++i) qp.inputs.push_back(C::Mmcs::read_opening(r));
        const std::size_t ls = r.count(8, "FRI layer opening count");
        for (std::size_t i = 0; i < ls; ++i) qp.layers.push_back(C::Mmcs::read_opening(r));
        f.queries.push_back(std::move(qp));
    }
    r.expect_end("the proof");
    return p;
}

}  // namespace causality::stark
