#include "arch/apic.h"

#include "arch/cpu.h"
#include "arch/machine.h"

#define APIC_PADDR 0xFEE00000ul
#define APIC_EOI 0xB0
#define APIC_SVR 0xF0
#define APIC_LVT_TIMER 0x320
#define APIC_TIMER_INITIAL 0x380
#define APIC_TIMER_DIVIDE 0x3E0

static volatile u32 *apic_reg(word_t offset) { return (volatile u32 *)((u8 *)paddr_to_pptr(APIC_PADDR) + offset); }

void apic_init(word_t timer_initial_count)
{
    /* Mask the legacy 8259 PICs: only the local APIC interrupts us. */
    outb(0x21, 0xff);
    outb(0xa1, 0xff);
    /* SDM 10.9: software-enable the APIC, spurious vector 255. */
    *apic_reg(APIC_SVR) = 0x100 | SPURIOUS_VECTOR;
    /* SDM 10.5.4: divide by 16, periodic mode (bit 17). */
    *apic_reg(APIC_TIMER_DIVIDE) = 0x3;
    *apic_reg(APIC_LVT_TIMER) = BIT(17) | TIMER_VECTOR;
    *apic_reg(APIC_TIMER_INITIAL) = (u32)timer_initial_count;
}

void apic_eoi(void) { *apic_reg(APIC_EOI) = 0; }
