/* SHA-256 (FIPS 180-4). Checks the published vectors "abc" and one million 'a's, then
   prints the digest of the host's input ("sha256(input) = <hex>") when there is one.
   Exits 0 when the checks pass. */
#include "guest.h"

#include "sha256.h"

static int equal(const uint8_t* a, const uint8_t* b, size_t n) {
    for (size_t i = 0; i < n; ++i)
        if (a[i] != b[i]) return 0;
    return 1;
}

static uint8_t input[1 << 20];
static uint8_t chunk[1000];

int main(void) {
    static const uint8_t abc_digest[32] = {0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40,
                                           0xde, 0x5d, 0xae, 0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17,
                                           0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad};
    static const uint8_t million_a_digest[32] = {0xcd, 0xc7, 0x6e, 0x5c, 0x99, 0x14, 0xfb, 0x92, 0x81, 0xa1, 0xc7,
                                                 0xe2, 0x84, 0xd7, 0x3e, 0x67, 0xf1, 0x80, 0x9a, 0x48, 0xa4, 0x97,
                                                 0x20, 0x0e, 0x04, 0x6d, 0x39, 0xcc, 0xc7, 0x11, 0x2c, 0xd0};
    uint8_t digest[32];
    sha256_ctx c;
    sha256_init(&c);
    sha256_update(&c, (const uint8_t*)"abc", 3);
    sha256_final(&c, digest);
    if (!equal(digest, abc_digest, 32)) return 1;

    const size_t n = guest_read_all(input, sizeof input);
    if (n > 0) {
        sha256_init(&c);
        sha256_update(&c, input, n);
        sha256_final(&c, digest);
        guest_print("sha256(input) = ");
        guest_print_hex(digest, 32);
        guest_print("\n");
        return 0;
    }
    for (size_t i = 0; i < sizeof chunk; ++i) chunk[i] = 'a';
    sha256_init(&c);
    for (int i = 0; i < 1000; ++i) sha256_update(&c, chunk, sizeof chunk);
    sha256_final(&c, digest);
    guest_print("sha256(10^6 x 'a') = ");
    guest_print_hex(digest, 32);
    guest_print("\n");
    return equal(digest, million_a_digest, 32) ? 0 : 1;
}
