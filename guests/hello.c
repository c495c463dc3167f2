/* printf through picolibc (stdio.c hooks stdout to ecall 64), input through stdin
   (ecall 63), a published value: "hello, NAME: 6 * 7 = 42" for the input NAME ("world"
   without input); exits with the name's length. */
#include <stdio.h>
#include <string.h>

#include "guest.h"

int main(void) {
    char name[64];
    size_t n = 0;
    int c;
    while (n + 1 < sizeof name && (c = getchar()) != EOF && c != '\n') name[n++] = (char)c;
    name[n] = 0;
    if (n == 0) strcpy(name, "world");
    printf("hello, %s: %d * %d = %d\n", name, 6, 7, 6 * 7);
    fprintf(stderr, "%u bytes of input\n", (unsigned)n);
    guest_publish(0, 42);
    return (int)strlen(name);
}
