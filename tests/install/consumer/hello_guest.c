/* A guest built by a consumer with causality_add_guest: printf through the kit's stdio. */
#include <stdio.h>

#include "guest.h"

int main(void) {
    printf("guest kit ok: %d\n", 6 * 7);
    guest_publish(0, 7);
    return 3;
}
