#include "arch/perfmon.h"

#include "arch/cpu.h"

#define CPUID_PERFMON_LEAF 0xau
#define MSR_FIXED_CTR0 0x309u
#define MSR_FIXED_CTR_CTRL 0x38Du
#define MSR_PERF_GLOBAL_CTRL 0x38Fu
/* SDM Vol. 3B 20.2.2: FIXED_CTR_CTRL bits 1:0 enable counter 0 at CPL 0
 * (bit 0) and CPL > 0 (bit 1); GLOBAL_CTRL bit 32 enables fixed counter 0. */
#define FIXED_CTR0_ALL_RINGS 0x3ul
#define GLOBAL_CTRL_FIXED_CTR0 BIT(32)

static bool has_fixed_instruction_counter(void)
{
    u32 max_leaf, b, c, d;
    cpuid(0, 0, &max_leaf, &b, &c, &d);
    if (max_leaf < CPUID_PERFMON_LEAF) return false;
    u32 a;
    cpuid(CPUID_PERFMON_LEAF, 0, &a, &b, &c, &d);
    /* SDM Vol. 2A CPUID leaf 0AH: EAX[7:0] version, EDX[4:0] fixed counters;
     * fixed counters and the global control MSRs arrive with version 2. */
    return (a & 0xff) >= 2 && (d & 0x1f) >= 1;
}

void perfmon_init(void)
{
    if (!has_fixed_instruction_counter()) return;
    /* SDM Vol. 3B 20.2.2: fixed counter 0 counts INST_RETIRED.ANY. */
    wrmsr(MSR_FIXED_CTR0, 0);
    wrmsr(MSR_FIXED_CTR_CTRL, FIXED_CTR0_ALL_RINGS);
    wrmsr(MSR_PERF_GLOBAL_CTRL, GLOBAL_CTRL_FIXED_CTR0);
    /* SDM Vol. 3A 2.5: CR4.PCE lets RDPMC run at any privilege level. */
    write_cr4(read_cr4() | CR4_PCE);
}
