/* Ending a program: the tutorial's C library halts the whole system through
 * the debug kernel, so a failed check stops every thread at once. */
#include <stdlib.h>

#include <stdio.h>

#include <sel4/sel4.h>

static _Noreturn void halt_system(void) {
    seL4_DebugHalt();
    /* A kernel without DebugHalt returns here: never run on. */
    for (;;) {
    }
}

void abort(void) {
    printf("seL4 root server abort()ed\n");
    halt_system();
}

void exit(int status) {
    (void)status;
    halt_system();
}
