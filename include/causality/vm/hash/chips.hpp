// causality/vm/hash/chips.hpp — the circuit of ext::Poseidon2Hash: three chips, and why
// their constraints force digest = Poseidon2-sponge(the input bytes) (encoding in
// hash_pool.hpp).
//
// Buses of the extension (fresh ids from the inventory):
//   chain    (key, block, address, remaining, ts)   hash_call -> hash_absorb -> hash_absorb ...
//   done     (key, ts after the input's reads)        the last hash_absorb row -> hash_call
//   block    (key, block, remaining, last, 8 rate elements)   hash_absorb -> poseidon2_sponge
//   capacity (key, block, 8 capacity elements)        poseidon2_sponge -> poseidon2_sponge
//   digest   (key, 8 digest elements)                 the last sponge row -> hash_call
// key is the call row's timestamp: the execution bus gives each executed instruction its
// own (strictly increasing along the one execution chain), so messages of two requests
// never mix.
//
// hash_call (one row per phash / phashd): looks up its instruction (pc, opcode, rd, rs1,
// rs2, f), reads rs1 (the input address) and rs2 (the length) and, for phash, rd (the
// digest address), each with its top byte below 32 (so each value is below 2^29 and its
// field value is the integer: no wrap-around mod p). It starts the input's chain at
// (key, 0, address, length, ts + 2 + phash) and takes back (key, T) from its end, so the
// words read are exactly those the chain's rows read, at timestamps in [ts + 3, T). It
// receives (key, digest) from the sponge. phash writes the 8 digest words at the digest
// address + 4k at T + k: each word's bytes are range-checked, equal the digest element and
// are below p byte-wise (the element's canonical value, what the executor writes). phashd
// reads the deferred counter h at T and writes h + 1 at T + 1 (address space 4, whose
// boundary is the connector: the chain of increments from 0 to the published count gives
// the handles 0..count-1, once each), writes h (two range-checked bytes, h < 2^16) to rd
// at T + 2 when f (rd != x0), and sends (h, digest) to the connector's table. The
// successor state is (pc + 4, T + 8) or (pc + 4, T + 3).
//
// hash_absorb (one row per 16-byte block): receives (key, i, address, remaining, ts); its
// 16 byte masks m are booleans with m_(k+1) <= m_k. A row that is not the last has every
// mask set and remaining >= 17 (remaining - 17 in two range-checked 14-bit limbs), and
// passes (key, i + 1, address + 16, remaining - 16, ts + 4) on; the last has sum m =
// remaining (so remaining <= 16 and the masks are exactly the bytes below it) and sends
// (key, ts + words read) on the done bus. Word j (m_4j set) is read at ts + j through the
// memory bridge (the boundary only balances aligned words below 2^29, so the address is
// the word's). The block's rate elements are e_k = m_2k b_2k + 256 m_2k+1 b_2k+1 (bytes
// past the length count as zero; read bytes are bytes by the memory argument). Since
// remaining starts below 2^29 and drops by 16 per row while >= 17, every chain reaches
// its last row after exactly max(1, ceil(length / 16)) rows, and the blocks are the
// input's, in order.
//
// poseidon2_sponge (one row per permutation, Poseidon2Air's columns first): every row is
// a valid permutation of its 16 input columns (stark/hash/poseidon2_air.hpp). A real row
// receives its block (key, i, remaining, last, rate = input[0..8]); on the first block
// (i = 0) the capacity input is (remaining = the length, the domain tag, 0, ...), on the
// others it is received as (key, i, capacity) from the row of block i - 1, which sends
// (key, i + 1, output[8..16]) unless it is the last. A block 0 marked "not first" would
// need a sender of block -1, and a later block marked first would leave its
// predecessor's capacity message unreceived, so the chain is the sponge of the encoding.
// The last row sends (key, output[0..8]): the digest.
#pragma once

#include <causality/air/air.hpp>
#include <causality/air/periphery.hpp>
#include <causality/error.hpp>
#include <causality/field/matrix.hpp>
#include <causality/parallel.hpp>
#include <causality/stark/defaults.hpp>
#include <causality/stark/hash/poseidon2_air.hpp>
#include <causality/vm/bridge.hpp>
#include <causality/vm/hash/extension.hpp>
#include <causality/vm/hash_pool.hpp>
#include <causality/vm/inventory.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

namespace causality::vm::hash {

struct HashBuses {
    ChipBuses chip;
    air::LookupBus bytes;  // the 8-bit range checker
    air::PermutationBus chain, done, block, capacity, digest;
};

// A hash request of another chip, by value: sends the blocks of a message given as its
// 16-bit halves (`elements`, 2 per word, zero-padded to whole blocks) under `key` on the
// sponge's block bus, as hash_absorb would for the same bytes, and receives its digest
// on the digest bus. `bytes` is the message's length (the sponge puts it in the capacity).
// Keys must be unique across every request of the sponge (the caller's argument).
template <class AB, class E, std::size_t N>
void request_hash(AB& b, const HashBuses& buses, const E& key, const std::array<E, N>& elements, std::uint32_t bytes,
                  const std::array<E, 8>& digest, const E& count) {
    using gadgets::constant;
    const std::size_t blocks = HashEncoding::blocks(bytes);
    static_assert(N % 8 == 0, "request_hash: whole blocks of 8 elements");
    if (blocks * 8 > N || (bytes + 1) / 2 > N)
        throw Error(ErrorCode::invalid_size, "request_hash: " + std::to_string(bytes) + " bytes in " + std::to_string(N) +
                                                 " elements");
    for (std::size_t j = 0; j < blocks; ++j) {
        std::array<E, 12> msg{key, constant(b, j), constant(b, bytes - 16 * j), constant(b, j + 1 == blocks ? 1 : 0)};
        for (std::size_t k = 0; k < 8; ++k) msg[4 + k] = elements[8 * j + k];
        buses.block.send(b, std::span<const E>(msg), count);
    }
    std::array<E, 9> d{key};
    for (std::size_t k = 0; k < 8; ++k) d[1 + k] = digest[k];
    buses.digest.receive(b, std::span<const E>(d), count);
}

namespace detail {
// A request as the trace fillers see it, from a hash_call record.
struct CallView {
    bool immediate = true;
    std::uint32_t src = 0, length = 0, words = 0;
    std::size_t first_word = 0;  // index of the first input word's access
};
inline CallView view(const InstructionRecord& r, std::uint32_t local) {
    CallView v;
    v.immediate = local == 0;
    v.src = r.accesses[0].value;
    v.length = r.accesses[1].value;
    v.words = (v.length + 3) / 4;
    v.first_word = v.immediate ? 3 : 2;
    return v;
}
inline std::vector<std::uint8_t> message_of(const InstructionRecord& r, const CallView& v) {
    std::vector<std::uint8_t> m(std::size_t{v.words} * 4);
    for (std::uint32_t w = 0; w < v.words; ++w) {
        const std::uint32_t x = r.accesses[v.first_word + w].value;
        for (std::size_t k = 0; k < 4; ++k) m[4 * w + k] = static_cast<std::uint8_t>(x >> (8 * k));
    }
    m.resize(v.length);
    return m;
}
template <class AB>
typename AB::Expr value_of(AB& b, const std::array<typename AB::Expr, 4>& x) {
    using gadgets::constant;
    return x[0] + constant(b, 256) * x[1] + constant(b, 65536) * x[2] + constant(b, 1u << 24) * x[3];
}
}  // namespace detail

// --- hash_call -----------------------------------------------------------------------------
template <class F>
class HashCallAir {
public:
    static constexpr std::size_t digest_words = 8;
    // Per digest word (phash): 4 bytes, 4 bytes before the write, access, less-than-p d and borrow.
    static constexpr std::size_t dw_bytes = 0, dw_before = 4, dw_access = 8, dw_d = 11, dw_borrow = 15, dw_width = 19;
    enum Col : std::size_t {
        is_imm = 0, is_def, pc, ts, rd, rs1, rs2, f,
        src = f + 1, src_access = src + 4, len = src_access + 3, len_access = len + 4, out = len_access + 3,
        out_access = out + 4, end_ts = out_access + 3, digest = end_ts + 1,
        handle = digest + 8, counter_read = handle + 1, counter_write = counter_read + 3, handle_bytes = counter_write + 3,
        rd_before = handle_bytes + 2, rd_access = rd_before + 4, words = rd_access + 3,
        width_ = words + dw_width * digest_words
    };
    explicit HashCallAir(HashBuses buses) : b_(buses) {}
    [[nodiscard]] static std::size_t width() noexcept { return width_; }
    [[nodiscard]] static std::string name() { return "hash_call"; }

    template <class AB>
    void eval(AB& b) const {
        using E = typename AB::Expr;
        using gadgets::constant;
        namespace g = gadgets;
        const auto m = b.main();
        const auto col = [&](std::size_t i) { return E(m.local(i)); };
        const E zero = constant(b, 0), one = constant(b, 1);
        const E imm = col(is_imm), def = col(is_def), real = imm + def;
        b.assert_bool(imm);
        b.assert_bool(def);
        b.assert_bool(real);
        b.assert_bool(col(f));
        b.assert_zero(imm * col(f));
        const E opcode = imm * constant(b, ext::Poseidon2Hash<F>::opcode_offset) +
                         def * constant(b, ext::Poseidon2Hash<F>::opcode_offset + 1);
        b_.chip.program(b, col(pc), opcode, {col(rd), col(rs1), col(rs2), zero, zero, col(f), zero}, real);
        const E T = col(end_ts);
        b_.chip.execute(b, col(pc), col(ts), col(pc) + constant(b, 4), T + constant(b, 8) * imm + constant(b, 3) * def, real);

        const E regs = constant(b, static_cast<std::uint64_t>(AddressSpace::registers));
        const auto srcs = g::bytes_at(b, m, src), lens = g::bytes_at(b, m, len), outs = g::bytes_at(b, m, out);
        b_.chip.access(b, m, {src_access}, regs, g::reg_address(b, col(rs1)), srcs, srcs, col(ts), real);
        b_.chip.access(b, m, {len_access}, regs, g::reg_address(b, col(rs2)), lens, lens, col(ts) + one, real);
        b_.chip.access(b, m, {out_access}, regs, g::reg_address(b, col(rd)), outs, outs, col(ts) + constant(b, 2), imm);
        b_.bytes.lookup_key(b, {constant(b, 8) * srcs[3]}, real);
        b_.bytes.lookup_key(b, {constant(b, 8) * lens[3]}, real);
        b_.bytes.lookup_key(b, {constant(b, 8) * outs[3]}, imm);

        b_.chain.send(b, {col(ts), zero, detail::value_of(b, srcs), detail::value_of(b, lens), col(ts) + constant(b, 2) + imm}, real);
        b_.done.receive(b, {col(ts), T}, real);
        std::array<E, 9> dmsg{col(ts)};
        for (std::size_t k = 0; k < 8; ++k) dmsg[1 + k] = col(digest + k);
        b_.digest.receive(b, std::span<const E>(dmsg), real);

        // phash: the digest words at out + 4k.
        const std::uint64_t p = F::modulus;
        const std::array<E, 4> p_bytes{constant(b, p & 0xff), constant(b, (p >> 8) & 0xff), constant(b, (p >> 16) & 0xff),
                                       constant(b, (p >> 24) & 0xff)};
        const E mem = constant(b, static_cast<std::uint64_t>(AddressSpace::memory));
        const E out_address = detail::value_of(b, outs);
        for (std::size_t k = 0; k < digest_words; ++k) {
            const std::size_t c = words + dw_width * k;
            const auto xs = g::bytes_at(b, m, c + dw_bytes);
            for (std::size_t i = 0; i < 4; ++i) b_.bytes.lookup_key(b, {xs[i]}, imm);
            b.assert_zero(imm * (detail::value_of(b, xs) - col(digest + k)));
            const E below = g::eval_less_than(b, b_.bytes, xs, p_bytes, g::cols4<AB>(m, c + dw_d), g::cols4<AB>(m, c + dw_borrow), imm);
            b.assert_zero(imm * (one - below));
            b_.chip.access(b, m, {c + dw_access}, mem, out_address + constant(b, 4 * k), g::bytes_at(b, m, c + dw_before), xs,
                           T + constant(b, k), imm);
        }
        // phashd: the counter, the handle, the table.
        const E space = constant(b, static_cast<std::uint64_t>(AddressSpace::deferred));
        const E h = col(handle);
        const std::array<E, 4> before{h, zero, zero, zero}, after{h + one, zero, zero, zero};
        b_.chip.access(b, m, {counter_read}, space, zero, before, before, T, def);
        b_.chip.access(b, m, {counter_write}, space, zero, before, after, T + one, def);
        const E h0 = col(handle_bytes), h1 = col(handle_bytes + 1);
        b_.bytes.lookup_key(b, {h0}, def);
        b_.bytes.lookup_key(b, {h1}, def);
        b.assert_zero(def * (h - h0 - constant(b, 256) * h1));
        b_.chip.access(b, m, {rd_access}, regs, g::reg_address(b, col(rd)), g::bytes_at(b, m, rd_before), {h0, h1, zero, zero},
                       T + constant(b, 2), def * col(f));
        std::array<E, 9> table{h};
        for (std::size_t k = 0; k < 8; ++k) table[1 + k] = col(digest + k);
        b.send(b_.chip.system.deferred.id, std::span<const E>(table), def);
    }

    // `digests`: each record's digest.
    template <class Inv>
    static field::RowMajorMatrix<F> trace(const RecordArena& calls, Inv& inv, std::span<const HashDigest> digests) {
        auto t = field::zero_matrix<F>(trace_rows(calls.size()), width_);
        auto& limbs = inv.range_checker(timestamp_limb_bits);
        auto& bytes = inv.range_checker(8);
        for (std::size_t i = 0; i < calls.size(); ++i) {
            const InstructionRecord r = calls[i];
            const auto& in = inv.instruction(r.pc);
            const std::uint32_t local = in.opcode - ext::Poseidon2Hash<F>::opcode_offset;
            const detail::CallView v = detail::view(r, local);
            F* row = t.data() + i * width_;
            row[v.immediate ? is_imm : is_def] = F::one();
            row[pc] = F::from_u64(r.pc);
            row[ts] = F::from_u64(r.timestamp);
            row[rd] = in.operands[0];
            row[rs1] = in.operands[1];
            row[rs2] = in.operands[2];
            row[f] = in.operands[5];
            put_pointer_read(row, src, {src_access}, r.accesses[0], r.timestamp, limbs, bytes);
            put_pointer_read(row, len, {len_access}, r.accesses[1], r.timestamp + 1, limbs, bytes);
            const std::uint32_t T = r.timestamp + static_cast<std::uint32_t>(v.first_word) + v.words;
            row[end_ts] = F::from_u64(T);
            for (std::size_t k = 0; k < 8; ++k) row[digest + k] = F::from_u64(digests[i][k]);
            if (v.immediate) {
                put_pointer_read(row, out, {out_access}, r.accesses[2], r.timestamp + 2, limbs, bytes);
                for (std::size_t k = 0; k < digest_words; ++k) {
                    const std::size_t c = words + dw_width * k;
                    const AccessRecord& a = r.accesses[v.first_word + v.words + k];
                    put_bytes(row, c + dw_bytes, a.value);
                    for (std::size_t j = 0; j < 4; ++j) bytes.add(gadgets::byte_of(a.value, j));
                    gadgets::put_less_than(row, c + dw_d, c + dw_borrow, a.value, static_cast<std::uint32_t>(F::modulus), bytes);
                    put_bytes(row, c + dw_before, a.previous_value);
                    put_access(row, {c + dw_access}, a, T + static_cast<std::uint32_t>(k), limbs);
                }
            } else {
                const std::size_t c = v.first_word + v.words;
                const std::uint32_t h = r.accesses[c].value;
                row[handle] = F::from_u64(h);
                put_access(row, {counter_read}, r.accesses[c], T, limbs);
                put_access(row, {counter_write}, r.accesses[c + 1], T + 1, limbs);
                row[handle_bytes] = F::from_u64(h & 0xff);
                row[handle_bytes + 1] = F::from_u64(h >> 8);
                bytes.add(h & 0xff);
                bytes.add(h >> 8);
                put_bytes(row, rd_before, r.accesses[c + 2].previous_value);
                put_access(row, {rd_access}, r.accesses[c + 2], T + 2, limbs);
            }
        }
        return t;
    }

private:
    HashBuses b_;
};

// --- hash_absorb ---------------------------------------------------------------------------
class HashAbsorbAir {
public:
    enum Col : std::size_t {
        real = 0, key, index, address, remaining, ts, last, mask, byte = mask + 16, access = byte + 16,
        limbs = access + 4 * AccessColumns::width, width_ = limbs + 2
    };
    explicit HashAbsorbAir(HashBuses buses) : b_(buses) {}
    [[nodiscard]] static std::size_t width() noexcept { return width_; }
    [[nodiscard]] static std::string name() { return "hash_absorb"; }

    template <class AB>
    void eval(AB& b) const {
        using E = typename AB::Expr;
        using gadgets::constant;
        const auto m = b.main();
        const auto col = [&](std::size_t i) { return E(m.local(i)); };
        const E one = constant(b, 1), on = col(real), is_last = col(last), more = on - is_last;
        b.assert_bool(on);
        b.assert_bool(is_last);
        b.assert_zero(is_last * (one - on));
        E masked = constant(b, 0), words = constant(b, 0);
        for (std::size_t k = 0; k < 16; ++k) {
            b.assert_bool(col(mask + k));
            if (k > 0) b.assert_zero(col(mask + k) * (one - col(mask + k - 1)));
            b.assert_zero(more * (one - col(mask + k)));
            masked = masked + col(mask + k);
        }
        b.assert_zero(is_last * (masked - col(remaining)));
        b.assert_zero(more * (col(remaining) - constant(b, 17) - col(limbs) -
                              constant(b, 1u << timestamp_limb_bits) * col(limbs + 1)));
        b_.chip.timestamps.lookup_key(b, {col(limbs)}, more);
        b_.chip.timestamps.lookup_key(b, {col(limbs + 1)}, more);
        const E mem = constant(b, static_cast<std::uint64_t>(AddressSpace::memory));
        for (std::size_t j = 0; j < 4; ++j) {
            const auto bs = gadgets::bytes_at(b, m, byte + 4 * j);
            const E read = on * col(mask + 4 * j);
            b_.chip.access(b, m, {access + AccessColumns::width * j}, mem, col(address) + constant(b, 4 * j), bs, bs,
                           col(ts) + constant(b, j), read);
            words = words + col(mask + 4 * j);
        }
        b_.chain.receive(b, {col(key), col(index), col(address), col(remaining), col(ts)}, on);
        b_.chain.send(b, {col(key), col(index) + one, col(address) + constant(b, 16), col(remaining) - constant(b, 16),
                          col(ts) + constant(b, 4)},
                      more);
        b_.done.send(b, {col(key), col(ts) + words}, is_last);
        std::array<E, 12> block{col(key), col(index), col(remaining), is_last};
        for (std::size_t k = 0; k < 8; ++k)
            block[4 + k] = col(mask + 2 * k) * col(byte + 2 * k) + constant(b, 256) * col(mask + 2 * k + 1) * col(byte + 2 * k + 1);
        b_.block.send(b, std::span<const E>(block), on);
    }

    template <class F, class Inv>
    static field::RowMajorMatrix<F> trace(const RecordArena& calls, Inv& inv) {
        std::size_t total = 0;
        for (std::size_t i = 0; i < calls.size(); ++i) {
            const auto r = calls[i];
            total += HashEncoding::blocks(r.accesses[1].value);
        }
        auto t = field::zero_matrix<F>(trace_rows(total), width_);
        auto& lim = inv.range_checker(timestamp_limb_bits);
        std::size_t row_index = 0;
        for (std::size_t i = 0; i < calls.size(); ++i) {
            const InstructionRecord r = calls[i];
            const auto& in = inv.instruction(r.pc);
            const std::uint32_t local = in.opcode - ext::Poseidon2Hash<F>::opcode_offset;
            const detail::CallView v = detail::view(r, local);
            const std::size_t n = HashEncoding::blocks(v.length);
            for (std::size_t blk = 0; blk < n; ++blk) {
                F* row = t.data() + (row_index++) * width_;
                const std::uint32_t rem = v.length - static_cast<std::uint32_t>(16 * blk);
                const std::uint32_t tsb = r.timestamp + static_cast<std::uint32_t>(v.first_word + 4 * blk);
                const bool is_last = blk + 1 == n;
                row[real] = F::one();
                row[key] = F::from_u64(r.timestamp);
                row[index] = F::from_u64(blk);
                row[address] = F::from_u64(v.src + 16 * blk);
                row[remaining] = F::from_u64(rem);
                row[ts] = F::from_u64(tsb);
                row[last] = F::from_u64(is_last ? 1 : 0);
                for (std::size_t k = 0; k < 16; ++k) row[mask + k] = F::from_u64(k < rem ? 1 : 0);
                for (std::size_t j = 0; j < 4; ++j) {
                    const std::size_t w = 4 * blk + j;
                    if (w >= v.words) break;
                    const AccessRecord& a = r.accesses[v.first_word + w];
                    put_bytes(row, byte + 4 * j, a.value);
                    put_access(row, {access + AccessColumns::width * j}, a, tsb + static_cast<std::uint32_t>(j), lim);
                }
                if (!is_last) {
                    const std::uint32_t d = rem - 17;
                    row[limbs] = F::from_u64(d & ((1u << timestamp_limb_bits) - 1));
                    row[limbs + 1] = F::from_u64(d >> timestamp_limb_bits);
                    lim.add(d & ((1u << timestamp_limb_bits) - 1));
                    lim.add(d >> timestamp_limb_bits);
                }
            }
        }
        return t;
    }

private:
    HashBuses b_;
};

// --- poseidon2_sponge ----------------------------------------------------------------------
template <class F>
class SpongeAir {
public:
    using Permutation = stark::Poseidon2<F, 16>;
    // `name`: the AIR's (a second sponge of a VM, the resource chips', has its own).
    SpongeAir(HashBuses buses, Permutation perm, std::string name = "poseidon2_sponge")
        : b_(buses), p2_(std::move(perm)), name_(std::move(name)) {}
    [[nodiscard]] std::size_t width() const noexcept { return p2_.width() + extra; }
    [[nodiscard]] std::string name() const { return name_; }
    // Columns after Poseidon2Air's.
    enum Extra : std::size_t { real = 0, first, last, key, index, remaining, extra };
    [[nodiscard]] std::size_t column(Extra e) const noexcept { return p2_.width() + e; }

    template <class AB>
    void eval(AB& b) const {
        using E = typename AB::Expr;
        using gadgets::constant;
        p2_.eval(b);
        const auto m = b.main();
        const auto col = [&](std::size_t i) { return E(m.local(i)); };
        const auto x = [&](Extra e) { return col(column(e)); };
        const E one = constant(b, 1), on = x(real), is_first = x(first), is_last = x(last);
        b.assert_bool(on);
        b.assert_bool(is_first);
        b.assert_bool(is_last);
        b.assert_zero(is_first * (one - on));
        b.assert_zero(is_last * (one - on));
        b.assert_zero(is_first * x(index));
        b.assert_zero(is_first * (col(8) - x(remaining)));
        b.assert_zero(is_first * (col(9) - constant(b, HashEncoding::domain_tag)));
        for (std::size_t k = 10; k < 16; ++k) b.assert_zero(is_first * col(k));
        std::array<E, 12> block{x(key), x(index), x(remaining), is_last};
        for (std::size_t k = 0; k < 8; ++k) block[4 + k] = col(k);
        b_.block.receive(b, std::span<const E>(block), on);
        std::array<E, 10> cap_in{x(key), x(index)}, cap_out{x(key), x(index) + one};
        for (std::size_t k = 0; k < 8; ++k) {
            cap_in[2 + k] = col(8 + k);
            cap_out[2 + k] = col(p2_.output_column(8 + k));
        }
        b_.capacity.receive(b, std::span<const E>(cap_in), on - is_first);
        b_.capacity.send(b, std::span<const E>(cap_out), on - is_last);
        std::array<E, 9> digest{x(key)};
        for (std::size_t k = 0; k < 8; ++k) digest[1 + k] = col(p2_.output_column(k));
        b_.digest.send(b, std::span<const E>(digest), is_last);
    }

    // Rows for every request of the call records (inputs from the records' words), hashed
    // packed and in parallel; `digests` receives each record's digest.
    template <class Inv>
    field::RowMajorMatrix<F> trace(const RecordArena& calls, Inv& inv, std::vector<HashDigest>* digests = nullptr) const {
        std::vector<std::vector<std::uint8_t>> messages(calls.size());
        std::vector<std::uint32_t> keys(calls.size());
        for (std::size_t i = 0; i < calls.size(); ++i) {
            const InstructionRecord r = calls[i];
            const auto& in = inv.instruction(r.pc);
            const std::uint32_t local = in.opcode - ext::Poseidon2Hash<F>::opcode_offset;
            messages[i] = detail::message_of(r, detail::view(r, local));
            keys[i] = r.timestamp;
        }
        return trace_of(keys, messages, digests);
    }
    // Rows for messages with their keys (another chip's hash requests: each key names one
    // request, distinct across the requests of this sponge's buses).
    field::RowMajorMatrix<F> trace_of(std::span<const std::uint32_t> keys, std::span<const std::vector<std::uint8_t>> messages,
                                      std::vector<HashDigest>* digests = nullptr) const {
        check_keys(keys.size(), messages.size());
        std::vector<std::size_t> first(messages.size());
        std::vector<std::uint32_t> lengths(messages.size());
        std::size_t total = 0;
        for (std::size_t i = 0; i < messages.size(); ++i) {
            first[i] = total;
            lengths[i] = static_cast<std::uint32_t>(messages[i].size());
            total += HashEncoding::blocks(messages[i].size());
        }
        std::vector<std::array<F, 16>> states(trace_rows(total));  // padding rows: the zero state
        std::vector<std::span<const std::uint8_t>> spans(messages.begin(), messages.end());
        std::vector<HashDigest> out(messages.size());
        hash_messages(p2_.permutation(), std::span<const std::span<const std::uint8_t>>(spans), std::span<HashDigest>(out),
                      std::span<std::array<F, 16>>(states), std::span<const std::size_t>(first));
        if (digests) *digests = std::move(out);
        return assemble(keys, lengths, first, states);
    }
    // Rows for messages of field elements (hash_pool.hpp's hash_elements: 8 per block, the
    // capacity holding 2 x the element count; a message of 16-bit halves is the bytes they
    // spell), with their keys as trace_of's. Hashed one by one (scalar).
    field::RowMajorMatrix<F> trace_of_elements(std::span<const std::uint32_t> keys, std::span<const std::vector<F>> messages,
                                               std::vector<HashDigest>* digests = nullptr) const {
        check_keys(keys.size(), messages.size());
        std::vector<std::size_t> first(messages.size());
        std::vector<std::uint32_t> lengths(messages.size());
        std::vector<std::array<F, 16>> states;
        std::vector<HashDigest> out(messages.size());
        for (std::size_t i = 0; i < messages.size(); ++i) {
            first[i] = states.size();
            lengths[i] = static_cast<std::uint32_t>(2 * messages[i].size());
            out[i] = hash_elements(p2_.permutation(), std::span<const F>(messages[i]), &states);
        }
        states.resize(trace_rows(states.size()));
        if (digests) *digests = std::move(out);
        return assemble(keys, lengths, first, states);
    }

private:
    static void check_keys(std::size_t keys, std::size_t messages) {
        if (keys != messages)
            throw Error(ErrorCode::invalid_size, "poseidon2_sponge: " + std::to_string(keys) + " keys for " +
                                                     std::to_string(messages) + " messages");
    }
    // The trace of permutation input states (message i's blocks from first[i], its length
    // in bytes lengths[i]; rows past the messages: padding).
    field::RowMajorMatrix<F> assemble(std::span<const std::uint32_t> keys, std::span<const std::uint32_t> lengths,
                                      std::span<const std::size_t> first, std::span<const std::array<F, 16>> states) const {
        const std::size_t rows = states.size();
        const auto perm_trace = p2_.generate_trace(states);
        const std::size_t pw = p2_.width(), w = width();
        auto t = field::zero_matrix<F>(rows, w);
        parallel::parallel_for(rows, 256, [&](std::size_t b, std::size_t e) {
            for (std::size_t r = b; r < e; ++r) std::copy_n(perm_trace.data() + r * pw, pw, t.data() + r * w);
        });
        for (std::size_t i = 0; i < lengths.size(); ++i) {
            const std::size_t n = HashEncoding::blocks(lengths[i]);
            for (std::size_t blk = 0; blk < n; ++blk) {
                F* row = t.data() + (first[i] + blk) * w + pw;
                row[real] = F::one();
                row[first_] = F::from_u64(blk == 0 ? 1 : 0);
                row[last] = F::from_u64(blk + 1 == n ? 1 : 0);
                row[key] = F::from_u64(keys[i]);
                row[index] = F::from_u64(blk);
                row[remaining] = F::from_u64(lengths[i] - 16 * blk);
            }
        }
        return t;
    }

private:
    static constexpr std::size_t first_ = first;
    HashBuses b_;
    stark::Poseidon2Air<F, 16> p2_;
    std::string name_;
};

}  // namespace causality::vm::hash

namespace causality::vm::ext {

template <field::PrimeField F>
template <class SC>
void Poseidon2Hash<F>::extend_circuit(CircuitInventory<SC>& inv) const {
    static_assert(std::is_same_v<typename SC::Field, F>, "Poseidon2Hash<F>: the configuration's field must be F");
    using ConfigPermutation = typename stark::ConfigHashing<SC>::Permutation;
    static_assert(std::is_same_v<ConfigPermutation, Permutation>,
                  "Poseidon2Hash: the configuration's permutation is not a width-16 Poseidon2 of this field, so "
                  "its hash cannot be the one the guest computes");
    {
        // Same type; the same constants? Compare one permutation of a fixed state.
        std::array<F, 16> a{}, b{};
        for (std::size_t i = 0; i < 16; ++i) a[i] = b[i] = F::from_u64(i + 1);
        stark::ConfigHashing<SC>::permutation().permute(a);
        perm_.permute(b);
        if (a != b)
            throw Error(ErrorCode::invalid_argument,
                        "poseidon2_hash: the configuration's Poseidon2 (" + std::string(SC::name) +
                            ") has other constants than the extension's; give the extension the configuration's permutation");
    }
    const hash::HashBuses buses{ChipBuses::from(inv),
                                inv.range_checker(8),
                                air::PermutationBus{inv.new_bus()},
                                air::PermutationBus{inv.new_bus()},
                                air::PermutationBus{inv.new_bus()},
                                air::PermutationBus{inv.new_bus()},
                                air::PermutationBus{inv.new_bus()}};
    // Timestamp steps: a call advances 2 + phash + 8 (or + 3) beyond its input's words,
    // which the absorb rows (4 each) account for; the sponge touches no memory.
    inv.add_chip(hash::HashCallAir<F>(buses), 11);
    inv.add_chip(hash::HashAbsorbAir(buses), 4);
    inv.add_chip(hash::SpongeAir<F>(buses, perm_), 0);
}

template <field::PrimeField F>
template <class SC>
field::RowMajorMatrix<typename SC::Field> Poseidon2Hash<F>::generate_trace(std::uint32_t chip, const RecordArena& records,
                                                                           TraceInventory<SC>& inv) const {
    const hash::HashBuses none{};
    switch (chip) {
        case 0: {
            // Each call's digest: the words phash wrote, or (phashd) the batch's hash.
            std::vector<HashDigest> digests(records.size());
            std::vector<std::vector<std::uint8_t>> deferred;
            std::vector<std::size_t> which;
            for (std::size_t i = 0; i < records.size(); ++i) {
                const InstructionRecord r = records[i];
                const auto local = inv.instruction(r.pc).opcode - opcode_offset;
                const auto v = hash::detail::view(r, local);
                if (v.immediate) {
                    for (std::size_t k = 0; k < 8; ++k) digests[i][k] = r.accesses[v.first_word + v.words + k].value;
                } else {
                    deferred.push_back(hash::detail::message_of(r, v));
                    which.push_back(i);
                }
            }
            std::vector<std::span<const std::uint8_t>> spans(deferred.begin(), deferred.end());
            std::vector<HashDigest> out(spans.size());
            hash_messages(perm_, std::span<const std::span<const std::uint8_t>>(spans), std::span<HashDigest>(out));
            for (std::size_t k = 0; k < which.size(); ++k) digests[which[k]] = out[k];
            return hash::HashCallAir<F>::trace(records, inv, std::span<const HashDigest>(digests));
        }
        case 1: return hash::HashAbsorbAir::trace<F>(inv.extension_arena(0), inv);
        case 2: return hash::SpongeAir<F>(none, perm_).trace(inv.extension_arena(0), inv);
        default: throw Error(ErrorCode::invalid_argument, "poseidon2_hash: no chip " + std::to_string(chip));
    }
}

}  // namespace causality::vm::ext
