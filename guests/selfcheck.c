/* Self-checking RV32IM tests in the style of riscv-tests: every check computes with
   operands the compiler cannot see (volatile) and compares with the result the compiler
   computed itself at build time (or the value the specification gives, for the cases C
   leaves undefined, through inline assembly). The guest exits with 0 when every check
   passes, else with the number of the first failing check; a proof of a run that exits
   with 0 says every check held in the proven execution. */
#include <stdint.h>

#include "guest.h"

static volatile uint32_t v[] = {0, 1, 2, 7, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffffu, 0x80000000u,
                                0xfffffffeu, 0xffffffffu, 0x12345678u, 0xdeadbeefu};
#define N (sizeof v / sizeof v[0])
static const uint32_t c[] = {0, 1, 2, 7, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffffu, 0x80000000u,
                             0xfffffffeu, 0xffffffffu, 0x12345678u, 0xdeadbeefu};

static int failed = 0, number = 0;
static void check(uint32_t got, uint32_t want) {
    ++number;
    if (!failed && got != want) failed = number;
}

static uint32_t rv_div(uint32_t a, uint32_t b) { uint32_t r; __asm__ volatile("div %0, %1, %2" : "=r"(r) : "r"(a), "r"(b)); return r; }
static uint32_t rv_rem(uint32_t a, uint32_t b) { uint32_t r; __asm__ volatile("rem %0, %1, %2" : "=r"(r) : "r"(a), "r"(b)); return r; }
static uint32_t rv_divu(uint32_t a, uint32_t b) { uint32_t r; __asm__ volatile("divu %0, %1, %2" : "=r"(r) : "r"(a), "r"(b)); return r; }
static uint32_t rv_remu(uint32_t a, uint32_t b) { uint32_t r; __asm__ volatile("remu %0, %1, %2" : "=r"(r) : "r"(a), "r"(b)); return r; }

int main(void) {
    for (unsigned i = 0; i < N; ++i)
        for (unsigned j = 0; j < N; ++j) {
            const uint32_t a = v[i], b = v[j], ca = c[i], cb = c[j];
            const int32_t sa = (int32_t)ca, sb = (int32_t)cb;
            check(a + b, ca + cb);
            check(a - b, ca - cb);
            check(a ^ b, ca ^ cb);
            check(a | b, ca | cb);
            check(a & b, ca & cb);
            check(a << (b & 31), ca << (cb & 31));
            check(a >> (b & 31), ca >> (cb & 31));
            check((uint32_t)((int32_t)a >> (b & 31)), (uint32_t)(sa >> (cb & 31)));
            check((int32_t)a < (int32_t)b, sa < sb);
            check(a < b, ca < cb);
            check(a * b, ca * cb);
            check((uint32_t)(((int64_t)(int32_t)a * (int64_t)(int32_t)b) >> 32), (uint32_t)(((int64_t)sa * (int64_t)sb) >> 32));
            check((uint32_t)(((int64_t)(int32_t)a * (int64_t)(uint64_t)b) >> 32), (uint32_t)(((int64_t)sa * (int64_t)(uint64_t)cb) >> 32));
            check((uint32_t)(((uint64_t)a * b) >> 32), (uint32_t)(((uint64_t)ca * cb) >> 32));
            /* Division: the specification's values for zero divisors and INT_MIN / -1. */
            const uint32_t q = cb == 0 ? 0xffffffffu : (ca == 0x80000000u && cb == 0xffffffffu) ? ca : (uint32_t)(sa / sb);
            const uint32_t r = cb == 0 ? ca : (ca == 0x80000000u && cb == 0xffffffffu) ? 0 : (uint32_t)(sa % sb);
            check(rv_div(a, b), q);
            check(rv_rem(a, b), r);
            check(rv_divu(a, b), cb == 0 ? 0xffffffffu : ca / cb);
            check(rv_remu(a, b), cb == 0 ? ca : ca % cb);
            /* Branches through C comparisons on volatile operands. */
            uint32_t taken = 0;
            if (a == b) taken |= 1;
            if (a != b) taken |= 2;
            if ((int32_t)a < (int32_t)b) taken |= 4;
            if ((int32_t)a >= (int32_t)b) taken |= 8;
            if (a < b) taken |= 16;
            if (a >= b) taken |= 32;
            check(taken, (ca == cb) | (ca != cb) << 1 | (sa < sb) << 2 | (sa >= sb) << 3 | (ca < cb) << 4 | (ca >= cb) << 5);
        }
    /* Loads and stores of every width and offset, sign and zero extension. */
    static volatile uint8_t bytes[16];
    for (unsigned k = 0; k < 16; ++k) bytes[k] = (uint8_t)(0x80 + 17 * k);
    for (unsigned k = 0; k < 16; ++k) {
        check((uint32_t)(int32_t)(int8_t)bytes[k], (uint32_t)(int32_t)(int8_t)(uint8_t)(0x80 + 17 * k));
        check(bytes[k], (uint8_t)(0x80 + 17 * k));
    }
    volatile uint16_t* halves = (volatile uint16_t*)bytes;
    volatile uint32_t* words = (volatile uint32_t*)bytes;
    for (unsigned k = 0; k < 8; ++k) {
        const uint32_t lo = (uint8_t)(0x80 + 34 * k), hi = (uint8_t)(0x80 + 17 * (2 * k + 1));
        check(halves[k], lo | hi << 8);
        check((uint32_t)(int32_t)(int16_t)halves[k], (uint32_t)(int32_t)(int16_t)(lo | hi << 8));
    }
    words[1] = 0xa1b2c3d4u;
    halves[1] = 0x5566;
    bytes[3] = 0x77;
    check(words[0], (uint32_t)0x77660000u | (uint8_t)(0x80 + 17 * 1) << 8 | (uint8_t)0x80);
    check(words[1], 0xa1b2c3d4u);
    /* jal / jalr through a function pointer, auipc / lui through addresses. */
    uint32_t (*volatile f)(uint32_t, uint32_t) = rv_divu;
    check(f(100, 7), 14);
    guest_publish(0, (uint32_t)number);
    return failed;
}
