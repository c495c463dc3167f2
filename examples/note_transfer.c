/* A note transfer: consume input notes, create output notes, conserve value.
   Runs on a VM with ext::ResourceRegisters (the causality CLI's VM, and the tests').

   The host loads the input notes into resource registers 0..n_in-1 (with their paths in
   the input set) and gives the guest, on its input:
       n_in (u32), then per input its nullifier key (32 bytes)
       n_out (u32), then per output: owner (32 bytes), value (u32), nonce (32 bytes)
   Each input must be a "note"; its value is data[0] and its asset data[1]. The guest
   reads every input (the VM checks its path), consumes it with its key (the VM checks
   the key's owner and the consume capability), and creates the outputs in registers
   n_in.. with the inputs' asset. It publishes the total value and the counts
   (public values 0..2). Exit codes: 0 done, 1 value not conserved, 2 an input is not a
   note, 3 mixed assets, 4 bad input stream. */
#include "guest.h"

#include <string.h>

static uint32_t input_u32(void) {
    uint8_t b[4];
    if (guest_read_all(b, 4) != 4) guest_exit(4);
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}
static void input_words(uint32_t* w, int n) {
    if (guest_read_all((uint8_t*)w, 4 * (size_t)n) != 4 * (size_t)n) guest_exit(4);
}

static const uint32_t note_kind[8] = {0x65746f6e, 0, 0, 0, 0, 0, 0, 0}; /* "note" */

int main(void) {
    static causality_resource_t note;
    static causality_key_t key;
    const uint32_t n_in = input_u32();
    if (n_in > 16) guest_exit(4);
    uint64_t total_in = 0;
    uint32_t asset = 0;
    for (uint32_t i = 0; i < n_in; ++i) {
        input_words(key.w, 8);
        causality_resource_read(i, &note);
        if (memcmp(note.kind, note_kind, sizeof note_kind) != 0) guest_exit(2);
        if (i == 0) asset = note.data[1];
        else if (note.data[1] != asset) guest_exit(3);
        total_in += note.data[0];
        causality_resource_consume(i, &key);
    }
    const uint32_t n_out = input_u32();
    if (n_out > 16) guest_exit(4);
    uint64_t total_out = 0;
    for (uint32_t j = 0; j < n_out; ++j) {
        memset(&note, 0, sizeof note);
        memcpy(note.kind, note_kind, sizeof note_kind);
        input_words(note.owner, 8);
        note.data[0] = input_u32();
        note.data[1] = asset;
        input_words(note.nonce, 8);
        total_out += note.data[0];
        causality_resource_create(n_in + j, &note);
    }
    if (total_in != total_out) guest_exit(1);
    guest_publish(0, (uint32_t)total_in);
    guest_publish(1, n_in);
    guest_publish(2, n_out);
    return 0;
}
