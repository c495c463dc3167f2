/* Resource-register operations one at a time, for the tests of ext::ResourceRegisters.
   Input: a list of commands (u32 each, with operands), until the input ends:
     1 reg            consume reg with the key that follows (32 bytes)
     2 reg            read reg and print its data[0]
     3 reg            create in reg the resource that follows (128 bytes)
     4 reg dst        transfer reg to dst with the causality_transfer_t that follows (96 bytes)
     5 reg            print the state of reg
     6 reg addr       read reg into the buffer at addr (resource-mapped memory)
     7 reg addr       create in reg the resource in the buffer at addr
     8 addr n         store the n bytes that follow at addr (an ordinary guest store)
   Exits 0 after the last command (a violation is the VM's fault). */
#include "guest.h"

static uint32_t next_u32(int* ok) {
    uint8_t b[4];
    *ok = guest_read_all(b, 4) == 4;
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}
static void read_exact(void* p, size_t n) {
    if (guest_read_all((uint8_t*)p, n) != n) guest_exit(4);
}

int main(void) {
    static causality_resource_t r;
    static causality_key_t key;
    static causality_transfer_t t;
    for (;;) {
        int ok;
        const uint32_t cmd = next_u32(&ok);
        if (!ok) return 0;
        const uint32_t reg = next_u32(&ok);
        if (!ok) guest_exit(4);
        switch (cmd) {
            case 1: read_exact(&key, sizeof key); causality_resource_consume(reg, &key); break;
            case 2:
                causality_resource_read(reg, &r);
                guest_print_u64(r.data[0]);
                guest_print("\n");
                break;
            case 3: read_exact(&r, sizeof r); causality_resource_create(reg, &r); break;
            case 4: {
                const uint32_t dst = next_u32(&ok);
                if (!ok) guest_exit(4);
                read_exact(&t, sizeof t);
                causality_resource_transfer(reg, dst, &t);
                break;
            }
            case 5:
                guest_print_u64(causality_resource_state(reg));
                guest_print("\n");
                break;
            case 6:
            case 7: {
                const uint32_t addr = next_u32(&ok);
                if (!ok) guest_exit(4);
                if (cmd == 6) causality_resource_read(reg, (causality_resource_t*)(uintptr_t)addr);
                else causality_resource_create(reg, (const causality_resource_t*)(uintptr_t)addr);
                break;
            }
            case 8: { /* here `reg` is the address */
                const uint32_t n = next_u32(&ok);
                if (!ok) guest_exit(4);
                read_exact((void*)(uintptr_t)reg, n);
                break;
            }
            default: guest_exit(5);
        }
    }
}
