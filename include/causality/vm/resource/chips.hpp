// causality/vm/resource/chips.hpp — the circuit of ext::ResourceRegisters: five chips, and
// why their constraints force the executor's semantics (vm/resource/extension.hpp).
//
// Buses of the extension (fresh ids from the inventory):
//   binding     (register, id[8])            resource_op looks up; resource_slot provides
//   capability  (rights, target kind, t[16]) resource_op looks up; resource_table provides
//   nullifiers  (8 elements)                 resource_op -> resource_table (public)
//   commitments (8 elements)                 resource_op -> resource_table (public)
//   path        (key, level, node[8])        resource_slot -> merkle_path -> resource_slot
//   and a second Poseidon2 sponge's block / capacity / digest buses (hash/chips.hpp).
// Hash keys on that sponge: an op row hashes under its timestamp ts + 0..4 (an op advances
// the timestamp by at least 11 when it hashes; timestamps are below 2^28), a slot under
// 2^30 + 64 register and its Merkle rows under that + level + 1 (levels <= 32): no two
// requests share a key.
//
// The state of every register is a word of address space 5 in the memory argument
// (bridge.hpp): 0 empty, 1 input, 2 created, 3 consumed. Each op reads or writes it
// through the memory bridge, so it sees what the previous op of that register left:
//   rcreate  0 -> 2   rread 1 -> 1   rconsume 1 -> 3   rtransfer src 1 -> 3, dst 0 -> 2
//   rstate   s -> s and rd = s
// A second consume of a register finds 3 and has no satisfying row; creating into a used
// register finds a nonzero state. The boundary of space 5 is resource_slot (BoundaryAir
// only accepts spaces 1 and 2): one row per touched register, registers strictly
// increasing (the gap minus one in two range-checked 14-bit limbs) and below the
// statement's register count, each sending its initial state (0 or 1: `input`) at
// timestamp 0 and receiving its final state; so every register has exactly one chain.
//
// An input slot holds the id of its resource and proves it a member of the input set:
// it hashes commitment = H_el("CCMT" | id) (resource.hpp's element hash) and starts a
// chain of merkle_path rows at (key, 0, commitment) that must end at (key, depth, root)
// with the statement's depth and root (merkle_path.hpp's argument: the chain's nodes are
// the honest tree's). It provides (register, id) to op rows `mult` times, and only an
// input slot provides (mult = 0 otherwise).
//
// resource_op (one row per instruction) looks up its instruction, reads rs1 (the
// register index, bytes 2 and 3 zero: below 2^16), rs2 (the buffer pointer, top byte
// below 32: below 2^29, no wrap-around) and, for rtransfer, rd (the destination index),
// and the buffer words at ptr + 4k (rread writes them: their bytes are range-checked).
// Its 64 content halves are the resource's: for rcreate and rread they are the buffer's
// bytes pairwise; for rconsume and rtransfer they are a witness, bound to the register by
// looking up (register, id) where id = H(content) is hashed in the row: the slot's id is
// the honest member's (above), so by collision resistance the content is the member's.
// rread looks up the same binding, so what it writes is the register's resource. The id
// is the content id (store/content.hpp: "CCID" | 1 | kind | 128 | the bytes, as halves).
// rconsume / rtransfer hash owner_of(key) = H("COWN" | key halves) from the key's buffer
// bytes and require each element to equal the owner word's halves (lo + 2^16 hi): the key
// holder is the owner (an owner word at or above p could match a reduced element only
// through a preimage of owner_of). The nullifier H_el("CNUL" | key halves | id) is sent to
// the public table: it is a function of the resource (its id) and the owner's one key,
// so a resource consumed twice in one proof repeats a nullifier, which the verifier
// rejects (statement.hpp). rcreate / rtransfer send commitment = H_el("CCMT" | id_new)
// to the public table; rtransfer's new content is the old one with owner and nonce from
// the buffer (words 8..15, 16..23) and kind and data kept.
// Capabilities: every op but rstate looks up (rights, target kind, target) in the
// verifier's table (statement.hpp's capability_entries) with the right it needs set in
// rights (six boolean bits) and the target its id (kind 0), its content's kind halves (1)
// or its register (2), so some capability valid at the context's timestamp grants it.
//
// resource_table (one row; its public values are the statement's tables): receives each
// listed nullifier and commitment once and provides each capability entry; the multiset
// of published values is exactly the statement's lists.
//
// Not proven: the memory segments' rights (resource/memory.hpp; the executor enforces
// them, a proof says nothing about them) and the context's domain, trace id and
// environment (no instruction reads them).
#pragma once

#include <causality/air/air.hpp>
#include <causality/error.hpp>
#include <causality/field/baby_bear.hpp>
#include <causality/field/matrix.hpp>
#include <causality/resource/resource.hpp>
#include <causality/stark/defaults.hpp>
#include <causality/stark/hash/poseidon2_default.hpp>
#include <causality/store/content.hpp>
#include <causality/vm/bridge.hpp>
#include <causality/vm/hash/chips.hpp>
#include <causality/vm/hash/merkle_path.hpp>
#include <causality/vm/inventory.hpp>
#include <causality/vm/resource/extension.hpp>
#include <causality/vm/resource/statement.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

namespace causality::vm::rescircuit {

using resource::Digest;

struct ResourceBuses {
    ChipBuses chip;
    air::LookupBus bytes;  // the 8-bit range checker
    hash::HashBuses hash;  // the resource sponge's block, capacity and digest buses
    air::PermutationBus path;
    air::BusId binding = 0, capability = 0, nullifiers = 0, commitments = 0;
};

inline constexpr std::uint32_t slot_key_base = std::uint32_t{1} << 30;
inline constexpr std::uint32_t slot_key(std::uint32_t reg) noexcept { return slot_key_base + 64 * reg; }
inline constexpr std::uint32_t tag_lo(const char* t) noexcept {
    return std::uint32_t{static_cast<unsigned char>(t[0])} | std::uint32_t{static_cast<unsigned char>(t[1])} << 8;
}
inline constexpr std::uint32_t tag_hi(const char* t) noexcept {
    return std::uint32_t{static_cast<unsigned char>(t[2])} | std::uint32_t{static_cast<unsigned char>(t[3])} << 8;
}
// The 10 halves of the content id's 20-byte header for a resource.
inline const std::array<std::uint32_t, 10>& content_header() {
    static const std::array<std::uint32_t, 10> h = [] {
        const std::vector<std::uint8_t> zeros(resource::resource_bytes);
        const auto enc = store::canonical_encoding(store::ContentKind::resource, zeros);
        std::array<std::uint32_t, 10> out{};
        for (std::size_t k = 0; k < 10; ++k) out[k] = std::uint32_t{enc[2 * k]} | std::uint32_t{enc[2 * k + 1]} << 8;
        return out;
    }();
    return h;
}
inline constexpr std::uint32_t content_bytes = 148, owner_bytes = 36, nullifier_bytes = 52, commitment_bytes = 20;

// --- native mirrors of what the rows hash -----------------------------------------------------
template <class F>
void push_halves(std::vector<F>& v, std::uint32_t w) {
    v.push_back(F::from_u64(w & 0xffff));
    v.push_back(F::from_u64(w >> 16));
}
template <class F>
std::vector<F> content_message(const std::array<std::uint32_t, resource::resource_words>& words) {
    std::vector<F> v;
    for (const std::uint32_t h : content_header()) v.push_back(F::from_u64(h));
    for (const std::uint32_t w : words) push_halves(v, w);
    return v;
}
template <class F>
std::vector<F> tagged_message(const char* tag, std::span<const std::uint32_t> halved, std::span<const std::uint32_t> digest) {
    std::vector<F> v{F::from_u64(tag_lo(tag)), F::from_u64(tag_hi(tag))};
    for (const std::uint32_t w : halved) push_halves(v, w);
    for (const std::uint32_t w : digest) v.push_back(F::from_u64(w));
    return v;
}

// What one resource instruction's row holds, from its record and the run's register file.
struct OpInfo {
    std::uint32_t local = 0, reg = 0, ptr = 0, dst = 0;
    std::array<std::uint32_t, resource::resource_words> buffer{}, content{}, next{};
    Digest id_a{}, own{}, nul{}, id_b{}, cmt{};
    bool hashed = false, spends = false, creates = false, binds = false;
    std::uint32_t right = 0;  // the right it needs (0: rstate)
};
// The access layout (extension.hpp's order): the buffer's first access and the state word's.
inline std::size_t buffer_access(std::uint32_t local) { return local == 1 || local == 3 ? 3 : 2; }
inline std::size_t buffer_words(std::uint32_t local) { return local <= 1 ? 32 : local == 2 ? 8 : local == 3 ? 24 : 0; }
inline std::size_t state_access(std::uint32_t local) {
    switch (local) {
        case 0: return 34;
        case 1: return 2;
        case 2: return 10;
        case 3: return 27;
        default: return 1;
    }
}

template <class F>
OpInfo op_info(const InstructionRecord& r, std::uint32_t local, const resource::ResourceFile& file) {
    static const auto perm = stark::default_poseidon2<F, 16>();
    const auto hash = [&](const std::vector<F>& m) { return hash_elements(perm, std::span<const F>(m)); };
    OpInfo o;
    o.local = local;
    o.reg = r.accesses[0].value;
    if (local == 4) return o;
    o.hashed = true;
    o.ptr = r.accesses[1].value;
    if (local == 3) o.dst = r.accesses[2].value;
    const std::size_t first = buffer_access(local);
    for (std::size_t k = 0; k < buffer_words(local); ++k) o.buffer[k] = r.accesses[first + k].value;
    if (local <= 1) o.content = o.buffer;
    else {
        if (o.reg >= file.size())
            throw Error(ErrorCode::invalid_argument, "resource_op: register " + std::to_string(o.reg) + " is not in the file");
        o.content = file.at(o.reg).resource.words();
    }
    o.spends = local == 2 || local == 3;
    o.creates = local == 0 || local == 3;
    o.binds = local >= 1 && local <= 3;
    o.right = local == 0 ? resource::Right::create
              : local == 1 ? resource::Right::read
              : local == 2 ? resource::Right::consume
                           : resource::Right::transfer;
    o.id_a = hash(content_message<F>(o.content));
    const std::span<const std::uint32_t> key(o.buffer.data(), 8);
    if (o.spends) {
        o.own = hash(tagged_message<F>("COWN", key, {}));
        o.nul = hash(tagged_message<F>("CNUL", key, o.id_a));
    }
    if (local == 3) {
        o.next = o.content;
        for (std::size_t k = 0; k < 8; ++k) {
            o.next[8 + k] = o.buffer[8 + k];
            o.next[24 + k] = o.buffer[16 + k];
        }
        o.id_b = hash(content_message<F>(o.next));
    }
    if (o.creates) o.cmt = hash(tagged_message<F>("CCMT", {}, local == 3 ? o.id_b : o.id_a));
    return o;
}

// The capability entry an op uses: the first of the table that grants its right over its
// id, its kind or its register (what the executor's grant found, in the table's terms).
template <class F>
std::size_t choose_entry(const std::vector<CapabilityEntry>& entries, const OpInfo& o) {
    const Digest& id = o.id_a;
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const auto& e = entries[i];
        if ((e.rights & o.right) != o.right) continue;
        std::array<std::uint32_t, 16> t{};
        if (e.target_kind == 0) {
            for (std::size_t k = 0; k < 8; ++k) t[k] = id[k];
        } else if (e.target_kind == 1) {
            for (std::size_t k = 0; k < 8; ++k) {
                t[2 * k] = o.content[k] & 0xffff;
                t[2 * k + 1] = o.content[k] >> 16;
            }
        } else {
            t[0] = o.reg;
        }
        if (t == e.target) return i;
    }
    throw Error(ErrorCode::invalid_argument, "resource_op: no capability entry grants " + resource::rights_text(o.right) +
                                                 " over register " + std::to_string(o.reg) +
                                                 " (the run was checked against another context?)");
}

// --- resource_op --------------------------------------------------------------------------------
template <class F>
class ResourceOpAir {
public:
    static constexpr std::size_t buf_stride = 11;  // per buffer word: 4 bytes, 4 bytes before (rread), access
    enum Col : std::size_t {
        sel = 0, pc = 5, ts, rd, rs1, rs2, f,
        reg_b, reg_acc = reg_b + 4, ptr_b = reg_acc + 3, ptr_acc = ptr_b + 4, rdv = ptr_acc + 3, rd_acc = rdv + 4,
        st = rd_acc + 3, st_acc, st2_acc = st_acc + 3, buf = st2_acc + 3, content = buf + 32 * buf_stride,
        id_a = content + 64, own = id_a + 8, nul = own + 8, id_b = nul + 8, cmt = id_b + 8,
        rights = cmt + 8, rbit, by_id = rbit + 6, by_kind, by_section, tgt, width_ = tgt + 16
    };
    static constexpr std::uint32_t step_long = 35, step_consume = 11, step_transfer = 29, step_state = 3;
    explicit ResourceOpAir(ResourceBuses buses) : b_(buses) {}
    [[nodiscard]] static std::size_t width() noexcept { return width_; }
    [[nodiscard]] static std::string name() { return "resource_op"; }

    template <class AB>
    void eval(AB& b) const {
        using E = typename AB::Expr;
        using gadgets::constant;
        namespace g = gadgets;
        const auto m = b.main();
        const auto col = [&](std::size_t i) { return E(m.local(i)); };
        const E zero = constant(b, 0), one = constant(b, 1);
        const E sc = col(sel), sr = col(sel + 1), sn = col(sel + 2), stf = col(sel + 3), ss = col(sel + 4);
        for (std::size_t k = 0; k < 5; ++k) b.assert_bool(col(sel + k));
        const E real = sc + sr + sn + stf + ss;
        b.assert_bool(real);
        const E hashed = real - ss, spends = sn + stf, creates = sc + stf, binds = sr + sn + stf;
        const std::uint32_t base = ext::ResourceRegisters<F>::opcode_offset;
        const E opcode = sc * constant(b, base) + sr * constant(b, base + 1) + sn * constant(b, base + 2) +
                         stf * constant(b, base + 3) + ss * constant(b, base + 4);
        b_.chip.program(b, col(pc), opcode, {col(rd), col(rs1), col(rs2), zero, zero, col(f), zero}, real);
        b.assert_bool(col(f));
        b.assert_zero(col(f) * (one - ss));
        const E T = col(ts);
        const E step = constant(b, step_long) * (sc + sr) + constant(b, step_consume) * sn + constant(b, step_transfer) * stf +
                       constant(b, step_state) * ss;
        b_.chip.execute(b, col(pc), T, col(pc) + constant(b, 4), T + step, real);

        const E regs = constant(b, static_cast<std::uint64_t>(AddressSpace::registers));
        const auto regb = g::bytes_at(b, m, reg_b), ptrb = g::bytes_at(b, m, ptr_b), rdvb = g::bytes_at(b, m, rdv);
        b_.chip.access(b, m, {reg_acc}, regs, g::reg_address(b, col(rs1)), regb, regb, T, real);
        b.assert_zero(real * regb[2]);
        b.assert_zero(real * regb[3]);
        const E reg = regb[0] + constant(b, 256) * regb[1];
        b_.chip.access(b, m, {ptr_acc}, regs, g::reg_address(b, col(rs2)), ptrb, ptrb, T + one, hashed);
        b_.bytes.lookup_key(b, {constant(b, 8) * ptrb[3]}, hashed);
        const E ptr = hash::detail::value_of(b, ptrb);
        const std::array<E, 4> rd_after{rdvb[0] + ss * (col(st) - rdvb[0]), rdvb[1] - ss * rdvb[1], rdvb[2] - ss * rdvb[2],
                                        rdvb[3] - ss * rdvb[3]};
        b_.chip.access(b, m, {rd_acc}, regs, g::reg_address(b, col(rd)), rdvb, rd_after, T + constant(b, 2), stf + ss * col(f));
        b.assert_zero(stf * rdvb[2]);
        b.assert_zero(stf * rdvb[3]);
        const E dst = rdvb[0] + constant(b, 256) * rdvb[1];

        // The state words.
        const E space = constant(b, static_cast<std::uint64_t>(AddressSpace::resources));
        const E before = sr + sn + stf + ss * col(st), after = constant(b, 2) * sc + sr + constant(b, 3) * (sn + stf) + ss * col(st);
        const E state_ts = T + constant(b, 34) * sc + constant(b, 2) * sr + constant(b, 10) * sn + constant(b, 27) * stf + ss;
        b_.chip.access(b, m, {st_acc}, space, constant(b, 4) * reg, {before, zero, zero, zero}, {after, zero, zero, zero}, state_ts,
                       real);
        b_.chip.access(b, m, {st2_acc}, space, constant(b, 4) * dst, {zero, zero, zero, zero}, {constant(b, 2), zero, zero, zero},
                       T + constant(b, 28), stf);

        // The buffer.
        const E mem = constant(b, static_cast<std::uint64_t>(AddressSpace::memory));
        const auto word_bytes = [&](std::size_t k) { return g::bytes_at(b, m, buf + buf_stride * k); };
        for (std::size_t k = 0; k < 32; ++k) {
            const std::size_t c = buf + buf_stride * k;
            const auto bb = word_bytes(k), bef = g::bytes_at(b, m, c + 4);
            E count = sc + sr;
            if (k < 8) count = count + sn;
            if (k < 24) count = count + stf;
            const std::array<E, 4> before_bytes{bb[0] + sr * (bef[0] - bb[0]), bb[1] + sr * (bef[1] - bb[1]),
                                                bb[2] + sr * (bef[2] - bb[2]), bb[3] + sr * (bef[3] - bb[3])};
            b_.chip.access(b, m, {c + 8}, mem, ptr + constant(b, 4 * k), before_bytes, bb, T + constant(b, 2 + k) + sr + stf, count);
            for (std::size_t j = 0; j < 4; ++j) b_.bytes.lookup_key(b, {bb[j]}, sr);
        }
        const auto half = [&](std::size_t word, std::size_t h) {
            const auto bb = word_bytes(word);
            return bb[2 * h] + constant(b, 256) * bb[2 * h + 1];
        };
        for (std::size_t j = 0; j < 64; ++j) b.assert_zero((sc + sr) * (col(content + j) - half(j / 2, j % 2)));

        // The hashes.
        const auto digest = [&](std::size_t c0) {
            std::array<E, 8> d;
            for (std::size_t k = 0; k < 8; ++k) d[k] = col(c0 + k);
            return d;
        };
        const auto header = content_header();
        {
            std::array<E, 80> e;
            for (auto& x : e) x = zero;
            for (std::size_t k = 0; k < 10; ++k) e[k] = constant(b, header[k]);
            for (std::size_t j = 0; j < 64; ++j) e[10 + j] = col(content + j);
            hash::request_hash(b, b_.hash, T, e, content_bytes, digest(id_a), hashed);
        }
        std::array<E, 16> key_halves;
        for (std::size_t j = 0; j < 16; ++j) key_halves[j] = half(j / 2, j % 2);
        {
            std::array<E, 24> e;
            for (auto& x : e) x = zero;
            e[0] = constant(b, tag_lo("COWN"));
            e[1] = constant(b, tag_hi("COWN"));
            for (std::size_t j = 0; j < 16; ++j) e[2 + j] = key_halves[j];
            hash::request_hash(b, b_.hash, T + one, e, owner_bytes, digest(own), spends);
            for (std::size_t k = 0; k < 8; ++k)
                b.assert_zero(spends * (col(own + k) - col(content + 16 + 2 * k) - constant(b, 65536) * col(content + 17 + 2 * k)));
        }
        {
            std::array<E, 32> e;
            for (auto& x : e) x = zero;
            e[0] = constant(b, tag_lo("CNUL"));
            e[1] = constant(b, tag_hi("CNUL"));
            for (std::size_t j = 0; j < 16; ++j) e[2 + j] = key_halves[j];
            for (std::size_t k = 0; k < 8; ++k) e[18 + k] = col(id_a + k);
            hash::request_hash(b, b_.hash, T + constant(b, 2), e, nullifier_bytes, digest(nul), spends);
        }
        {
            std::array<E, 80> e;
            for (auto& x : e) x = zero;
            for (std::size_t k = 0; k < 10; ++k) e[k] = constant(b, header[k]);
            for (std::size_t j = 0; j < 64; ++j) {
                E v = col(content + j);
                if (j >= 16 && j < 32) v = half(8 + (j - 16) / 2, j % 2);       // the new owner
                else if (j >= 48) v = half(16 + (j - 48) / 2, j % 2);          // the new nonce
                e[10 + j] = v;
            }
            hash::request_hash(b, b_.hash, T + constant(b, 3), e, content_bytes, digest(id_b), stf);
        }
        {
            std::array<E, 16> e;
            for (auto& x : e) x = zero;
            e[0] = constant(b, tag_lo("CCMT"));
            e[1] = constant(b, tag_hi("CCMT"));
            for (std::size_t k = 0; k < 8; ++k) e[2 + k] = col(id_a + k) + stf * (col(id_b + k) - col(id_a + k));
            hash::request_hash(b, b_.hash, T + constant(b, 4), e, commitment_bytes, digest(cmt), creates);
        }
        // Published values, the register's binding, the capability.
        const auto nd = digest(nul), cd = digest(cmt);
        b.send(b_.nullifiers, std::span<const E>(nd), spends);
        b.send(b_.commitments, std::span<const E>(cd), creates);
        std::array<E, 9> bind{reg};
        for (std::size_t k = 0; k < 8; ++k) bind[1 + k] = col(id_a + k);
        b.send(b_.binding, std::span<const E>(bind), binds);

        E rights_sum = zero;
        for (std::size_t i = 0; i < 6; ++i) {
            b.assert_bool(col(rbit + i));
            rights_sum = rights_sum + constant(b, 1u << i) * col(rbit + i);
        }
        b.assert_zero(col(rights) - rights_sum);
        b.assert_zero(sr * (one - col(rbit + 0)));
        b.assert_zero(sc * (one - col(rbit + 2)));
        b.assert_zero(sn * (one - col(rbit + 3)));
        b.assert_zero(stf * (one - col(rbit + 4)));
        const E bi = col(by_id), bk = col(by_kind), bs = col(by_section);
        b.assert_bool(bi);
        b.assert_bool(bk);
        b.assert_bool(bs);
        b.assert_zero(bi + bk + bs - hashed);
        for (std::size_t t = 0; t < 16; ++t) {
            E v = bk * col(content + t);
            if (t < 8) v = v + bi * col(id_a + t);
            if (t == 0) v = v + bs * reg;
            b.assert_zero(col(tgt + t) - v);
        }
        std::array<E, 18> cap{col(rights), bk + constant(b, 2) * bs};
        for (std::size_t t = 0; t < 16; ++t) cap[2 + t] = col(tgt + t);
        b.send(b_.capability, std::span<const E>(cap), hashed);
    }

    template <class Inv>
    static field::RowMajorMatrix<F> trace(const RecordArena& ops, Inv& inv) {
        auto t = field::zero_matrix<F>(trace_rows(ops.size()), width_);
        auto& limbs = inv.range_checker(timestamp_limb_bits);
        auto& bytes = inv.range_checker(8);
        const auto& file = inv.resources();
        const auto entries = ResourceStatement::of(file, file.outputs()).template capability_entries<F>();
        for (std::size_t i = 0; i < ops.size(); ++i) {
            const InstructionRecord r = ops[i];
            const auto& in = inv.instruction(r.pc);
            const std::uint32_t local = in.opcode - ext::ResourceRegisters<F>::opcode_offset;
            const OpInfo o = op_info<F>(r, local, file);
            F* row = t.data() + i * width_;
            row[sel + local] = F::one();
            row[pc] = F::from_u64(r.pc);
            row[ts] = F::from_u64(r.timestamp);
            row[rd] = in.operands[0];
            row[rs1] = in.operands[1];
            row[rs2] = in.operands[2];
            row[f] = in.operands[5];
            put_read(row, reg_b, {reg_acc}, r.accesses[0], r.timestamp, limbs);
            if (local == 4) {
                const AccessRecord& s = r.accesses[1];
                row[st] = F::from_u64(s.value);
                put_access(row, {st_acc}, s, r.timestamp + 1, limbs);
                put_bytes(row, rdv, r.accesses[2].previous_value);
                put_access(row, {rd_acc}, r.accesses[2], r.timestamp + 2, limbs);
                continue;
            }
            put_pointer_read(row, ptr_b, {ptr_acc}, r.accesses[1], r.timestamp + 1, limbs, bytes);
            if (local == 3) {
                put_bytes(row, rdv, o.dst);
                put_access(row, {rd_acc}, r.accesses[2], r.timestamp + 2, limbs);
                put_access(row, {st2_acc}, r.accesses[28], r.timestamp + 28, limbs);
            }
            const std::size_t sa = state_access(local);
            put_access(row, {st_acc}, r.accesses[sa], r.timestamp + static_cast<std::uint32_t>(sa), limbs);
            const std::size_t first = buffer_access(local);
            for (std::size_t k = 0; k < buffer_words(local); ++k) {
                const std::size_t c = buf + buf_stride * k;
                const AccessRecord& a = r.accesses[first + k];
                put_bytes(row, c, a.value);
                if (local == 1) {
                    put_bytes(row, c + 4, a.previous_value);
                    for (std::size_t j = 0; j < 4; ++j) bytes.add(gadgets::byte_of(a.value, j));
                }
                put_access(row, {c + 8}, a, r.timestamp + static_cast<std::uint32_t>(first + k), limbs);
            }
            for (std::size_t j = 0; j < 64; ++j) row[content + j] = F::from_u64((o.content[j / 2] >> (16 * (j % 2))) & 0xffff);
            for (std::size_t k = 0; k < 8; ++k) {
                row[id_a + k] = F::from_u64(o.id_a[k]);
                row[own + k] = F::from_u64(o.own[k]);
                row[nul + k] = F::from_u64(o.nul[k]);
                row[id_b + k] = F::from_u64(o.id_b[k]);
                row[cmt + k] = F::from_u64(o.cmt[k]);
            }
            const auto& e = entries[choose_entry<F>(entries, o)];
            row[rights] = F::from_u64(e.rights);
            for (std::size_t b = 0; b < 6; ++b) row[rbit + b] = F::from_u64((e.rights >> b) & 1);
            row[e.target_kind == 0 ? by_id : e.target_kind == 1 ? by_kind : by_section] = F::one();
            for (std::size_t j = 0; j < 16; ++j) row[tgt + j] = F::from_u64(e.target[j]);
        }
        return t;
    }

private:
    ResourceBuses b_;
};

// --- resource_slot ------------------------------------------------------------------------------
// One touched register, as the slot rows and the Merkle rows need it.
struct SlotInfo {
    std::uint32_t reg = 0, initial = 0, final_state = 0, final_ts = 0, mult = 0;
    resource::ResourceId id{};
    Digest leaf{};
    const resource::MerklePath* path = nullptr;
};
inline std::vector<SlotInfo> slot_infos(const RecordArena& ops, std::span<const std::uint32_t> locals,
                                        const std::vector<BoundaryEntry>& boundary, const resource::ResourceFile& file) {
    std::map<std::uint32_t, std::uint32_t> binds;  // register -> lookups (rread, rconsume, rtransfer)
    for (std::size_t i = 0; i < ops.size(); ++i)
        if (locals[i] >= 1 && locals[i] <= 3) ++binds[ops[i].accesses[0].value];
    std::vector<SlotInfo> out;
    for (const auto& e : boundary) {
        if (e.space != AddressSpace::resources) continue;
        SlotInfo s;
        s.reg = e.address / 4;
        s.initial = e.initial;
        s.final_state = e.final_value;
        s.final_ts = e.final_timestamp;
        if (s.initial > 1)
            throw Error(ErrorCode::invalid_argument, "resource_slot: register " + std::to_string(s.reg) + " starts in state " +
                                                         std::to_string(s.initial) + " (a run starts with empty or input registers)");
        if (s.initial == 1) {
            const auto& x = file.at(s.reg);
            s.id = x.id;
            s.leaf = resource::commitment(x.id);
            s.path = &x.path;
            if (!resource::merkle_verify(s.leaf, x.path, file.input_root(), file.input_depth()))
                throw Error(ErrorCode::invalid_argument, "resource_slot: the input in register " + std::to_string(s.reg) +
                                                             " has no path to the input root: a run that touches it cannot be proven");
            const auto it = binds.find(s.reg);
            s.mult = it == binds.end() ? 0 : it->second;
        }
        out.push_back(s);
    }
    return out;
}

class ResourceSlotAir {
public:
    enum Col : std::size_t {
        real = 0, reg, next_real, gap_lo, gap_hi, bound_lo, bound_hi, input, final_state, final_ts, mult, id, leaf = id + 8,
        width_ = leaf + 8
    };
    // Public values: the input root (8), its depth, the register count.
    enum Public : std::size_t { pub_root = 0, pub_depth = 8, pub_registers = 9, public_count = 10 };
    explicit ResourceSlotAir(ResourceBuses buses) : b_(buses) {}
    [[nodiscard]] static std::size_t width() noexcept { return width_; }
    [[nodiscard]] static std::size_t num_public_values() noexcept { return public_count; }
    [[nodiscard]] static std::string name() { return "resource_slot"; }

    template <class AB>
    void eval(AB& b) const {
        using E = typename AB::Expr;
        using gadgets::constant;
        const auto m = b.main();
        const auto c = [&](std::size_t i) { return E(m.local(i)); };
        const auto n = [&](std::size_t i) { return E(m.next(i)); };
        const E one = constant(b, 1), zero = constant(b, 0), limb = constant(b, 1u << timestamp_limb_bits);
        b.assert_bool(c(real));
        b.assert_bool(c(input));
        b.assert_bool(c(next_real));
        b.assert_zero(c(input) * (one - c(real)));
        b.when_transition().assert_eq(c(next_real), n(real));
        b.when_last_row().assert_zero(c(next_real));
        b.when_transition().assert_zero(n(real) * (one - c(real)));
        b.when_transition().assert_zero(c(next_real) * (n(reg) - c(reg) - one - c(gap_lo) - limb * c(gap_hi)));
        b_.chip.timestamps.lookup_key(b, {c(gap_lo)}, c(next_real));
        b_.chip.timestamps.lookup_key(b, {c(gap_hi)}, c(next_real));
        b.assert_zero(c(real) * (b.public_value(pub_registers) - one - c(reg) - c(bound_lo) - limb * c(bound_hi)));
        b_.chip.timestamps.lookup_key(b, {c(bound_lo)}, c(real));
        b_.chip.timestamps.lookup_key(b, {c(bound_hi)}, c(real));
        const E space = constant(b, static_cast<std::uint64_t>(AddressSpace::resources)), address = constant(b, 4) * c(reg);
        const std::array<E, 7> first{space, address, c(input), zero, zero, zero, zero};
        const std::array<E, 7> last{space, address, c(final_state), zero, zero, zero, c(final_ts)};
        b.send(b_.chip.system.memory.id, std::span<const E>(first), c(real));
        b.receive(b_.chip.system.memory.id, std::span<const E>(last), c(real));
        std::array<E, 9> bind{c(reg)};
        for (std::size_t k = 0; k < 8; ++k) bind[1 + k] = c(id + k);
        b.receive(b_.binding, std::span<const E>(bind), c(mult));
        b.assert_zero((one - c(input)) * c(mult));
        const E key = constant(b, slot_key_base) + constant(b, 64) * c(reg);
        std::array<E, 16> e;
        for (auto& x : e) x = zero;
        e[0] = constant(b, tag_lo("CCMT"));
        e[1] = constant(b, tag_hi("CCMT"));
        std::array<E, 8> leaf_d;
        for (std::size_t k = 0; k < 8; ++k) {
            e[2 + k] = c(id + k);
            leaf_d[k] = c(leaf + k);
        }
        hash::request_hash(b, b_.hash, key, e, commitment_bytes, leaf_d, c(input));
        std::array<E, 10> start{key, zero}, end{key, b.public_value(pub_depth)};
        for (std::size_t k = 0; k < 8; ++k) {
            start[2 + k] = c(leaf + k);
            end[2 + k] = b.public_value(pub_root + k);
        }
        b_.path.send(b, std::span<const E>(start), c(input));
        b_.path.receive(b, std::span<const E>(end), c(input));
    }

    template <class F, class Inv>
    static field::RowMajorMatrix<F> trace(const std::vector<SlotInfo>& slots, const resource::ResourceFile& file, Inv& inv) {
        auto t = field::zero_matrix<F>(trace_rows(slots.size()), width_);
        auto& limbs = inv.range_checker(timestamp_limb_bits);
        const std::uint32_t mask = (1u << timestamp_limb_bits) - 1;
        for (std::size_t i = 0; i < slots.size(); ++i) {
            const SlotInfo& s = slots[i];
            F* row = t.data() + i * width_;
            row[real] = F::one();
            row[reg] = F::from_u64(s.reg);
            if (i + 1 < slots.size()) {
                const std::uint32_t gap = slots[i + 1].reg - s.reg - 1;
                row[next_real] = F::one();
                row[gap_lo] = F::from_u64(gap & mask);
                row[gap_hi] = F::from_u64(gap >> timestamp_limb_bits);
                limbs.add(gap & mask);
                limbs.add(gap >> timestamp_limb_bits);
            }
            const std::uint32_t bound = file.size() - 1 - s.reg;
            row[bound_lo] = F::from_u64(bound & mask);
            row[bound_hi] = F::from_u64(bound >> timestamp_limb_bits);
            limbs.add(bound & mask);
            limbs.add(bound >> timestamp_limb_bits);
            row[input] = F::from_u64(s.initial);
            row[final_state] = F::from_u64(s.final_state);
            row[final_ts] = F::from_u64(s.final_ts);
            row[mult] = F::from_u64(s.mult);
            for (std::size_t k = 0; k < 8; ++k) {
                row[id + k] = F::from_u64(s.id.words[k]);
                row[leaf + k] = F::from_u64(s.initial == 1 ? s.leaf[k] : 0);
            }
        }
        return t;
    }

private:
    ResourceBuses b_;
};

// --- resource_table -----------------------------------------------------------------------------
class ResourceTableAir {
public:
    ResourceTableAir(ResourceBuses buses, ResourceTableSizes sizes) : b_(buses), sizes_(sizes) {}
    [[nodiscard]] std::size_t width() const noexcept { return 1 + sizes_.capabilities; }
    [[nodiscard]] std::size_t num_public_values() const noexcept { return 18 * sizes_.outputs + 19 * sizes_.capabilities; }
    [[nodiscard]] static std::string name() { return "resource_table"; }

    template <class AB>
    void eval(AB& b) const {
        using E = typename AB::Expr;
        using gadgets::constant;
        const auto m = b.main();
        const E real = E(m.local(0)), one = constant(b, 1);
        b.assert_bool(real);
        b.when_first_row().assert_eq(real, one);
        b.when_transition().assert_zero(E(m.next(0)));
        for (std::size_t list = 0; list < 2; ++list)
            for (std::size_t k = 0; k < sizes_.outputs; ++k) {
                const std::size_t p = 9 * (list * sizes_.outputs + k);
                std::array<E, 8> v;
                for (std::size_t j = 0; j < 8; ++j) v[j] = b.public_value(p + 1 + j);
                b.receive(list == 0 ? b_.nullifiers : b_.commitments, std::span<const E>(v), b.public_value(p) * real);
            }
        for (std::size_t k = 0; k < sizes_.capabilities; ++k) {
            const std::size_t p = 18 * sizes_.outputs + 19 * k;
            std::array<E, 18> v;
            for (std::size_t j = 0; j < 18; ++j) v[j] = b.public_value(p + 1 + j);
            const E mult = E(m.local(1 + k));
            b.assert_zero((one - b.public_value(p)) * mult);
            b.receive(b_.capability, std::span<const E>(v), mult * real);
        }
    }

    template <class F>
    field::RowMajorMatrix<F> trace(std::span<const std::uint32_t> mults) const {
        auto t = field::zero_matrix<F>(2, width());
        t(0, 0) = F::one();
        for (std::size_t k = 0; k < mults.size() && k < sizes_.capabilities; ++k)
            t(0, static_cast<Eigen::Index>(1 + k)) = F::from_u64(mults[k]);
        return t;
    }

private:
    ResourceBuses b_;
    ResourceTableSizes sizes_;
};

// Every request of the resource sponge, in a fixed order: the ops', the slots', the Merkle rows'.
template <class F>
void sponge_requests(const RecordArena& ops, std::span<const std::uint32_t> locals, const resource::ResourceFile& file,
                     const std::vector<SlotInfo>& slots, const std::vector<hash::MerkleStep>& steps,
                     std::vector<std::uint32_t>& keys, std::vector<std::vector<F>>& messages) {
    for (std::size_t i = 0; i < ops.size(); ++i) {
        const InstructionRecord r = ops[i];
        const OpInfo o = op_info<F>(r, locals[i], file);
        if (!o.hashed) continue;
        const std::uint32_t T = r.timestamp;
        const std::span<const std::uint32_t> key(o.buffer.data(), 8);
        keys.push_back(T);
        messages.push_back(content_message<F>(o.content));
        if (o.spends) {
            keys.push_back(T + 1);
            messages.push_back(tagged_message<F>("COWN", key, {}));
            keys.push_back(T + 2);
            messages.push_back(tagged_message<F>("CNUL", key, o.id_a));
        }
        if (o.local == 3) {
            keys.push_back(T + 3);
            messages.push_back(content_message<F>(o.next));
        }
        if (o.creates) {
            keys.push_back(T + 4);
            messages.push_back(tagged_message<F>("CCMT", {}, o.local == 3 ? o.id_b : o.id_a));
        }
    }
    for (const auto& s : slots)
        if (s.initial == 1) {
            keys.push_back(slot_key(s.reg));
            messages.push_back(tagged_message<F>("CCMT", {}, s.id.words));
        }
    std::vector<std::vector<std::uint8_t>> bytes;
    hash::MerklePathAir::requests(steps, keys, bytes);
    for (const auto& msg : bytes) {
        std::vector<F> v;
        for (std::size_t k = 0; k + 1 < msg.size(); k += 2) v.push_back(F::from_u64(msg[k] | std::uint32_t{msg[k + 1]} << 8));
        messages.push_back(std::move(v));
    }
}

}  // namespace causality::vm::rescircuit

namespace causality::vm::ext {

template <field::PrimeField F>
template <class SC>
void ResourceRegisters<F>::extend_circuit(CircuitInventory<SC>& inv) const {
    static_assert(std::is_same_v<typename SC::Field, F>, "ResourceRegisters<F>: the configuration's field must be F");
    static_assert(std::is_same_v<F, field::BabyBear>,
                  "ResourceRegisters: resources are hashed over BabyBear (resource/resource.hpp), so only a BabyBear VM "
                  "proves them");
    using ConfigPermutation = typename stark::ConfigHashing<SC>::Permutation;
    static_assert(std::is_same_v<ConfigPermutation, stark::Poseidon2<F, 16>>,
                  "ResourceRegisters: the configuration's permutation is not a width-16 Poseidon2 of this field");
    const auto perm = stark::default_poseidon2<F, 16>();
    {
        std::array<F, 16> a{}, b{};
        for (std::size_t i = 0; i < 16; ++i) a[i] = b[i] = F::from_u64(i + 1);
        stark::ConfigHashing<SC>::permutation().permute(a);
        perm.permute(b);
        if (a != b)
            throw Error(ErrorCode::invalid_argument, "resource_registers: the configuration's Poseidon2 (" + std::string(SC::name) +
                                                         ") is not the default one the resource hashes use");
    }
    const ChipBuses chip = ChipBuses::from(inv);
    const air::LookupBus bytes = inv.range_checker(8);
    rescircuit::ResourceBuses buses;
    buses.chip = chip;
    buses.bytes = bytes;
    buses.hash = hash::HashBuses{chip, bytes, {}, {}, air::PermutationBus{inv.new_bus()}, air::PermutationBus{inv.new_bus()},
                                 air::PermutationBus{inv.new_bus()}};
    buses.path = air::PermutationBus{inv.new_bus()};
    buses.binding = inv.new_bus();
    buses.capability = inv.new_bus();
    buses.nullifiers = inv.new_bus();
    buses.commitments = inv.new_bus();
    const ResourceTableSizes sizes{inv.limits().resource_outputs, inv.limits().capability_entries};
    inv.add_chip(rescircuit::ResourceOpAir<F>(buses), rescircuit::ResourceOpAir<F>::step_long);
    inv.add_chip(rescircuit::ResourceSlotAir(buses), 0);
    inv.add_chip(hash::MerklePathAir(hash::MerkleBuses{buses.path, buses.hash}), 0);
    inv.add_chip(hash::SpongeAir<F>(buses.hash, perm, "resource_sponge"), 0);
    inv.add_chip(rescircuit::ResourceTableAir(buses, sizes), 0);
}

template <field::PrimeField F>
template <class SC>
field::RowMajorMatrix<typename SC::Field> ResourceRegisters<F>::generate_trace(std::uint32_t chip, const RecordArena& records,
                                                                               TraceInventory<SC>& inv) const {
    namespace rc = rescircuit;
    const auto& file = inv.resources();
    const RecordArena& ops = inv.extension_arena(0);
    std::vector<std::uint32_t> locals(ops.size());
    for (std::size_t i = 0; i < ops.size(); ++i) locals[i] = inv.instruction(ops[i].pc).opcode - opcode_offset;
    const auto slots = [&] { return rc::slot_infos(ops, locals, inv.boundary(), file); };
    const auto steps = [&](const std::vector<rc::SlotInfo>& ss) {
        std::vector<hash::MerkleStep> out;
        for (const auto& s : ss)
            if (s.initial == 1) {
                auto p = hash::merkle_steps(rc::slot_key(s.reg), s.leaf, *s.path);
                out.insert(out.end(), p.begin(), p.end());
            }
        return out;
    };
    switch (chip) {
        case 0: return rc::ResourceOpAir<F>::trace(records, inv);
        case 1: return rc::ResourceSlotAir::trace<F>(slots(), file, inv);
        case 2: {
            const auto ss = slots();
            const auto st = steps(ss);
            return hash::MerklePathAir::trace<F>(st);
        }
        case 3: {
            const auto ss = slots();
            const auto st = steps(ss);
            std::vector<std::uint32_t> keys;
            std::vector<std::vector<F>> messages;
            rc::sponge_requests<F>(ops, locals, file, ss, st, keys, messages);
            return hash::SpongeAir<F>(hash::HashBuses{}, stark::default_poseidon2<F, 16>())
                .trace_of_elements(keys, std::span<const std::vector<F>>(messages));
        }
        case 4: {
            const ResourceStatement statement = ResourceStatement::of(file, file.outputs());
            const auto entries = statement.capability_entries<F>();
            const ResourceTableSizes sizes{inv.limits().resource_outputs, inv.limits().capability_entries};
            if (entries.size() > sizes.capabilities)
                throw Error(ErrorCode::out_of_range, "resource_table: the context's capabilities give " +
                                                         std::to_string(entries.size()) + " entries; the VM's table holds " +
                                                         std::to_string(sizes.capabilities) +
                                                         " (raise MachineConfig::capability_entries)");
            std::vector<std::uint32_t> mults(entries.size(), 0);
            for (std::size_t i = 0; i < ops.size(); ++i) {
                if (locals[i] == state) continue;
                ++mults[rc::choose_entry<F>(entries, rc::op_info<F>(ops[i], locals[i], file))];
            }
            return rc::ResourceTableAir(rc::ResourceBuses{}, sizes).trace<F>(mults);
        }
        default: throw Error(ErrorCode::invalid_argument, "resource_registers: no chip " + std::to_string(chip));
    }
}

}  // namespace causality::vm::ext
