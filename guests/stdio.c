/* picolibc's stdio on the causality VM: stdout and stderr write through ecall 64 (a line,
   or 64 bytes, at a time; flushed by fflush and at exit), stdin reads the host's input
   through ecall 63. Link it into a guest (causality_add_guest does) and printf works. */
#include <stdio.h>

#include "guest.h"

struct causality_stream {
    FILE file; /* first: picolibc hands the FILE pointer to put/get/flush */
    int fd;
    size_t used;
    char buffer[64];
};

static int causality_flush(FILE* f) {
    struct causality_stream* s = (struct causality_stream*)f;
    if (s->used > 0) guest_write(s->fd, s->buffer, s->used);
    s->used = 0;
    return 0;
}
static int causality_put(char c, FILE* f) {
    struct causality_stream* s = (struct causality_stream*)f;
    s->buffer[s->used++] = c;
    if (c == '\n' || s->used == sizeof s->buffer) causality_flush(f);
    return (unsigned char)c;
}
static int causality_get(FILE* f) {
    (void)f;
    unsigned char c;
    return guest_read(&c, 1) == 1 ? c : EOF;
}

static struct causality_stream causality_out = {FDEV_SETUP_STREAM(causality_put, NULL, causality_flush, _FDEV_SETUP_WRITE), 1, 0, {0}};
static struct causality_stream causality_err = {FDEV_SETUP_STREAM(causality_put, NULL, causality_flush, _FDEV_SETUP_WRITE), 2, 0, {0}};
static FILE causality_in = FDEV_SETUP_STREAM(NULL, causality_get, NULL, _FDEV_SETUP_READ);

FILE* const stdout = &causality_out.file;
FILE* const stderr = &causality_err.file;
FILE* const stdin = &causality_in;

/* Called by start.S after main returns, by guest_exit and by exit(). */
void causality_stdio_flush(void) {
    causality_flush(stdout);
    causality_flush(stderr);
}
void _exit(int code) {
    causality_stdio_flush();
    guest_syscall(93, code, 0, 0);
    __builtin_unreachable();
}
