/* Local APIC (xAPIC MMIO) periodic timer: the preemption tick. */
#ifndef ARCH_APIC_H
#define ARCH_APIC_H

#include "kernel/types.h"

void apic_init(word_t timer_initial_count);
void apic_eoi(void);

#endif
