/* The guests' interface to the causality VM: its system calls (see
   include/causality/vm/rv32im/extension.hpp) and small output helpers. */
#ifndef CAUSALITY_GUEST_H
#define CAUSALITY_GUEST_H

#include <stddef.h>
#include <stdint.h>

static inline long guest_syscall(long n, long a, long b, long c) {
    register long a0 __asm__("a0") = a;
    register long a1 __asm__("a1") = b;
    register long a2 __asm__("a2") = c;
    register long a7 __asm__("a7") = n;
    __asm__ volatile("ecall" : "+r"(a0) : "r"(a1), "r"(a2), "r"(a7) : "memory");
    return a0;
}
/* Defined by stdio.c when the guest links it (printf through ecall 64). */
void causality_stdio_flush(void) __attribute__((weak));
static inline __attribute__((noreturn)) void guest_exit(int code) {
    if (causality_stdio_flush) causality_stdio_flush();
    guest_syscall(93, code, 0, 0);
    __builtin_unreachable();
}
static inline void guest_write(int fd, const void* p, size_t n) { guest_syscall(64, fd, (long)p, (long)n); }
static inline size_t guest_read(void* p, size_t n) { return (size_t)guest_syscall(63, 0, (long)p, (long)n); }
static inline void guest_publish(uint32_t index, uint32_t value) { guest_syscall(256, index, value, 0); }

static inline size_t guest_strlen(const char* s) {
    size_t n = 0;
    while (s[n]) ++n;
    return n;
}
static inline void guest_print(const char* s) { guest_write(1, s, guest_strlen(s)); }
static inline void guest_print_hex(const uint8_t* p, size_t n) {
    static const char digits[] = "0123456789abcdef";
    char buf[2];
    for (size_t i = 0; i < n; ++i) {
        buf[0] = digits[p[i] >> 4];
        buf[1] = digits[p[i] & 15];
        guest_write(1, buf, 2);
    }
}
static inline void guest_print_u64(uint64_t v) {
    char buf[21];
    int i = 20;
    buf[i] = 0;
    do {
        buf[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    guest_print(buf + i);
}
/* Reads all of the host's input into buf (up to cap bytes); returns its length. */
static inline size_t guest_read_all(uint8_t* buf, size_t cap) {
    size_t n = 0, got;
    while (n < cap && (got = guest_read(buf + n, cap - n)) > 0) n += got;
    return n;
}
static inline uint32_t guest_input_u32(uint32_t fallback) {
    uint8_t b[4];
    size_t n = guest_read_all(b, 4);
    return n == 4 ? (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24 : fallback;
}

/* Poseidon2 hashing (a VM with ext::Poseidon2Hash; include/causality/vm/hash/extension.hpp
   and hash_pool.hpp for the encoding). `data` and `out` must be 4-byte aligned (the VM
   faults otherwise, naming the address); inputs are below 2^29 bytes. */
typedef struct {
    uint32_t w[8]; /* 8 field elements, canonical */
} causality_digest_t;
/* The digest at once (the host hashes natively; the proof of it comes in the batch). */
static inline void causality_hash(const void* data, size_t len, causality_digest_t* out) {
    __asm__ volatile(".insn r 0x2b, 0, 0, %0, %1, %2" : : "r"(out), "r"(data), "r"(len) : "memory");
}
/* A handle (0, 1, ... in call order); the digest exists only after the run, as entry
   `handle` of the proof's deferred-hash table (a public output). */
static inline uint32_t causality_hash_deferred(const void* data, size_t len) {
    uint32_t handle;
    __asm__ volatile(".insn r 0x2b, 1, 0, %0, %1, %2" : "=r"(handle) : "r"(data), "r"(len) : "memory");
    return handle;
}

/* Resource registers (a VM with ext::ResourceRegisters; include/causality/vm/resource/
   extension.hpp and include/causality/resource/). A resource is 128 bytes; its owner is
   owner_of(nullifier key). Pointers must be 4-byte aligned. Each operation needs a
   capability of the run's context granting its right; a violation, a second consume of a
   register, or a wrong key is a fault naming the register. */
typedef struct {
    uint32_t kind[8];  /* a label: up to 32 bytes of text, zero padded */
    uint32_t owner[8]; /* owner_of(the nullifier key) */
    uint32_t data[8];  /* the application's fields */
    uint32_t nonce[8];
} causality_resource_t;
typedef struct {
    uint32_t w[8];
} causality_key_t;
/* What a transfer hands on: the current owner's key, the new owner and nonce. */
typedef struct {
    causality_key_t key;
    uint32_t owner[8];
    uint32_t nonce[8];
} causality_transfer_t;
enum { CAUSALITY_REGISTER_EMPTY = 0, CAUSALITY_REGISTER_INPUT = 1, CAUSALITY_REGISTER_CREATED = 2,
       CAUSALITY_REGISTER_CONSUMED = 3 };

static inline void causality_resource_create(uint32_t reg, const causality_resource_t* r) {
    __asm__ volatile(".insn r 0x5b, 0, 0, x0, %0, %1" : : "r"(reg), "r"(r) : "memory");
}
static inline void causality_resource_read(uint32_t reg, causality_resource_t* out) {
    __asm__ volatile(".insn r 0x5b, 1, 0, x0, %0, %1" : : "r"(reg), "r"(out) : "memory");
}
static inline void causality_resource_consume(uint32_t reg, const causality_key_t* key) {
    __asm__ volatile(".insn r 0x5b, 2, 0, x0, %0, %1" : : "r"(reg), "r"(key) : "memory");
}
static inline void causality_resource_transfer(uint32_t reg, uint32_t to_reg, const causality_transfer_t* t) {
    __asm__ volatile(".insn r 0x5b, 3, 0, %0, %1, %2" : : "r"(to_reg), "r"(reg), "r"(t) : "memory");
}
static inline uint32_t causality_resource_state(uint32_t reg) {
    uint32_t s;
    __asm__ volatile(".insn r 0x5b, 4, 0, %0, %1, x0" : "=r"(s) : "r"(reg) : "memory");
    return s;
}
/* update = consume the input in `reg` and create `next` in `to_reg`. */
static inline void causality_resource_update(uint32_t reg, const causality_key_t* key, uint32_t to_reg,
                                             const causality_resource_t* next) {
    causality_resource_consume(reg, key);
    causality_resource_create(to_reg, next);
}

#endif
