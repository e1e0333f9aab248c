/* Ending the run through the QEMU-compatible debug-exit port (0xF4). */
#ifndef ARCH_EXIT_H
#define ARCH_EXIT_H

#include "kernel/types.h"

void NORETURN machine_exit(u32 status);

#endif
