#include "counters.h"

bool instruction_counter_available(void) {
    uint32_t max_leaf, ebx, ecx, edx;
    __asm__ volatile("cpuid" : "=a"(max_leaf), "=b"(ebx), "=c"(ecx), "=d"(edx) : "a"(0), "c"(0));
    if (max_leaf < 0xa) {
        return false;
    }
    uint32_t eax;
    __asm__ volatile("cpuid" : "=a"(eax), "=b"(ebx), "=c"(ecx), "=d"(edx) : "a"(0xa), "c"(0));
    uint32_t version = eax & 0xff;
    uint32_t fixed_counters = edx & 0x1f;
    return version >= 2 && fixed_counters >= 1;
}
