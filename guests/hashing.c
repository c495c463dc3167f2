/* Hashing in the guest, for the Poseidon2 precompile's tests and its measured gain. The
   input is mode (u32), n (u32) and, for mode 3, the Poseidon2 constants; the n bytes are
   generated (xorshift32 seeded with n) after the program's data (__heap_start).
     mode 0  causality_hash (the precompile): prints the digest
     mode 1  causality_hash_deferred: prints the handle (the digest is the proof's)
     mode 2  SHA-256 in RISC-V instructions: prints the digest
     mode 3  Poseidon2 (BabyBear, width 16, the precompile's encoding) in RISC-V
             instructions with the host's constants: prints the digest
     mode 4  n / 64 requests of 64 bytes mixed with arithmetic: every fourth deferred,
             the others immediate and folded into a checksum; prints the checksum
     mode 5  nothing but the data (the other modes' baseline in benchmarks)
   Digests print as the hex of their 8 little-endian words. Exits 0. */
#include "guest.h"

#include "sha256.h"

extern uint8_t __heap_start[];

static uint32_t input_u32(void) {
    uint8_t b[4];
    if (guest_read_all(b, 4) != 4) guest_exit(2);
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

/* --- Poseidon2 over BabyBear in software ------------------------------------------- */
#define BB_P 0x78000001u
static uint32_t rc_full[8][16], rc_partial[32], diag[16];
static uint32_t full_rounds, partial_rounds;

static inline uint32_t bb_add(uint32_t a, uint32_t b) {
    const uint32_t s = a + b;
    return s >= BB_P ? s - BB_P : s;
}
static inline uint32_t bb_mul(uint32_t a, uint32_t b) { return (uint32_t)(((uint64_t)a * b) % BB_P); }
static inline uint32_t sbox(uint32_t x) {
    const uint32_t x2 = bb_mul(x, x), x3 = bb_mul(x2, x), x6 = bb_mul(x3, x3);
    return bb_mul(x6, x);
}
static void external_layer(uint32_t s[16]) {
    for (int c = 0; c < 16; c += 4) {
        const uint32_t x0 = s[c], x1 = s[c + 1], x2 = s[c + 2], x3 = s[c + 3];
        const uint32_t t01 = bb_add(x0, x1), t23 = bb_add(x2, x3), t0123 = bb_add(t01, t23);
        const uint32_t t01123 = bb_add(t0123, x1), t01233 = bb_add(t0123, x3);
        s[c] = bb_add(t01123, t01);
        s[c + 1] = bb_add(bb_add(t01123, x2), x2);
        s[c + 2] = bb_add(t01233, t23);
        s[c + 3] = bb_add(bb_add(t01233, x0), x0);
    }
    uint32_t sums[4] = {0, 0, 0, 0};
    for (int i = 0; i < 16; ++i) sums[i % 4] = bb_add(sums[i % 4], s[i]);
    for (int i = 0; i < 16; ++i) s[i] = bb_add(s[i], sums[i % 4]);
}
static void permute(uint32_t s[16]) {
    external_layer(s);
    for (uint32_t r = 0; r < full_rounds; ++r) {
        if (r == full_rounds / 2)
            for (uint32_t p = 0; p < partial_rounds; ++p) {
                s[0] = sbox(bb_add(s[0], rc_partial[p]));
                uint32_t sum = 0;
                for (int i = 0; i < 16; ++i) sum = bb_add(sum, s[i]);
                for (int i = 0; i < 16; ++i) s[i] = bb_add(sum, bb_mul(diag[i], s[i]));
            }
        for (int i = 0; i < 16; ++i) s[i] = sbox(bb_add(s[i], rc_full[r][i]));
        external_layer(s);
    }
}
static void poseidon2_hash(const uint8_t* data, uint32_t n, causality_digest_t* out) {
    uint32_t s[16] = {0};
    s[8] = n;
    s[9] = 0x43480001u;
    const uint32_t blocks = n == 0 ? 1 : (n + 15) / 16;
    for (uint32_t b = 0; b < blocks; ++b) {
        for (int k = 0; k < 8; ++k) {
            const uint32_t i = 16 * b + 2 * k;
            const uint32_t lo = i < n ? data[i] : 0, hi = i + 1 < n ? data[i + 1] : 0;
            s[k] = lo | hi << 8;
        }
        permute(s);
    }
    for (int k = 0; k < 8; ++k) out->w[k] = s[k];
}

static void print_digest(const causality_digest_t* d) {
    guest_print_hex((const uint8_t*)d->w, 32);
    guest_print("\n");
}

int main(void) {
    const uint32_t mode = input_u32(), n = input_u32();
    uint8_t* data = __heap_start;
    uint32_t x = n | 1;
    for (uint32_t i = 0; i < n; ++i) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        data[i] = (uint8_t)x;
    }
    causality_digest_t d;
    switch (mode) {
        case 0:
            causality_hash(data, n, &d);
            print_digest(&d);
            break;
        case 1:
            guest_print_u64(causality_hash_deferred(data, n));
            guest_print("\n");
            break;
        case 2: {
            sha256_ctx c;
            uint8_t digest[32];
            sha256_init(&c);
            sha256_update(&c, data, n);
            sha256_final(&c, digest);
            guest_print_hex(digest, 32);
            guest_print("\n");
            break;
        }
        case 3:
            full_rounds = input_u32();
            partial_rounds = input_u32();
            if (full_rounds > 8 || partial_rounds > 32) return 3;
            for (uint32_t r = 0; r < full_rounds; ++r)
                for (int i = 0; i < 16; ++i) rc_full[r][i] = input_u32();
            for (uint32_t p = 0; p < partial_rounds; ++p) rc_partial[p] = input_u32();
            for (int i = 0; i < 16; ++i) diag[i] = input_u32();
            poseidon2_hash(data, n, &d);
            print_digest(&d);
            break;
        case 4: {
            uint32_t sum = 0;
            for (uint32_t i = 0; i + 64 <= n; i += 64) {
                if ((i / 64) % 4 == 3) {
                    sum += causality_hash_deferred(data + i, 64) * 0x9e3779b9u;
                    continue;
                }
                causality_hash(data + i, 64, &d);
                for (int k = 0; k < 8; ++k) sum = (sum ^ d.w[k]) * 31u + (sum >> 7);
            }
            guest_print_u64(sum);
            guest_print("\n");
            break;
        }
        case 5: break;
        default: return 4;
    }
    return 0;
}
