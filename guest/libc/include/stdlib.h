#ifndef GUEST_LIBC_STDLIB_H
#define GUEST_LIBC_STDLIB_H

#include <stddef.h>

#define EXIT_SUCCESS 0
#define EXIT_FAILURE 1

/* Both stop the whole system, as the seL4 tutorial's C library does in a
 * debug build: abort() and exit(non-zero) with seL4_DebugHalt (abort() first
 * says so on the console), exit(0) with seL4_X64sim_ExitSuccess. */
_Noreturn void abort(void);
_Noreturn void exit(int status);

#endif
