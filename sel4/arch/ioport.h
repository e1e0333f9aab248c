/* x86 I/O ports: IOPortControl hands out disjoint port ranges; an IOPort
 * cap lets its holder have the kernel perform IN/OUT within its range. */
#ifndef ARCH_IOPORT_H
#define ARCH_IOPORT_H

#include "kernel/types.h"

void free_io_ports(word_t first, word_t last);

#endif
