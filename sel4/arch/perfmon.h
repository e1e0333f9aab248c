/* Architectural performance monitoring: the kernel turns on the retired-
 * instruction counter for every privilege level and lets user code read it
 * with RDPMC (seL4's user-level PMC access option, always on here). */
#ifndef ARCH_PERFMON_H
#define ARCH_PERFMON_H

/* Does nothing on a CPU whose CPUID leaf 0AH reports no version-2 fixed
 * counter (QEMU TCG, for one), so no MSR access can fault. */
void perfmon_init(void);

#endif
