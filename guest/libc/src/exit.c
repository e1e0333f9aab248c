/* Ending a program: the tutorial's C library halts the whole system through
 * the debug kernel, so a failed check stops every thread at once. A program
 * that succeeds (exit(0), main returning 0) ends the run with status 0, so
 * the simulator's own exit status says it succeeded. */
#include <stdlib.h>

#include <stdio.h>

#include <sel4/sel4.h>

static _Noreturn void stay(void) {
    /* A kernel without these debug calls returns here: never run on. */
    for (;;) {
    }
}

static _Noreturn void halt_system(void) {
    seL4_DebugHalt();
    stay();
}

void abort(void) {
    printf("seL4 root server abort()ed\n");
    halt_system();
}

void exit(int status) {
    if (status == 0) {
        seL4_X64sim_ExitSuccess();
        stay();
    }
    halt_system();
}
