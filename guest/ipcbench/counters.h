/* Reading the processor's clocks from user mode: the time-stamp counter and,
 * where the CPU has one, the fixed counter of retired instructions. */
#ifndef GUEST_IPCBENCH_COUNTERS_H
#define GUEST_IPCBENCH_COUNTERS_H

#include <stdbool.h>
#include <stdint.h>

/* RDTSC after LFENCE, so earlier instructions have completed (SDM Vol. 2B,
 * RDTSC: "LFENCE; RDTSC" waits for prior instructions). */
static inline uint64_t read_cycles(void) {
    uint32_t low, high;
    __asm__ volatile("lfence\n\trdtsc" : "=a"(low), "=d"(high)::"memory");
    return ((uint64_t)high << 32) | low;
}

/* Whether CPUID leaf 0AH reports architectural performance monitoring
 * version 2 or later with at least one fixed-function counter (SDM Vol. 3B
 * 20.2.2); fixed counter 0 counts INST_RETIRED.ANY. */
bool instruction_counter_available(void);

/* RDPMC with ECX bit 30 set reads fixed counter ECX[29:0] (SDM Vol. 2B,
 * RDPMC). User mode needs CR4.PCE, which the kernel sets when the counter
 * exists. */
static inline uint64_t read_instructions(void) {
    uint32_t low, high;
    __asm__ volatile("rdpmc" : "=a"(low), "=d"(high) : "c"(1u << 30) : "memory");
    return ((uint64_t)high << 32) | low;
}

#endif
