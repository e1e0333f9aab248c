#include "arch/fpu.h"

#include "arch/cpu.h"
#include "kernel/lib.h"

static tcb_t *fpu_owner;

void fpu_init(void)
{
    /* SDM 13.1: CR0.EM=0, MP=1; CR4.OSFXSR and OSXMMEXCPT enable SSE. */
    write_cr0((read_cr0() & ~(CR0_EM | CR0_TS)) | CR0_MP);
    write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);
}

void fpu_init_state(tcb_t *t)
{
    /* SDM 10.5.1 Table 10-2: FCW 0x37F (after FNINIT), MXCSR 0x1F80. */
    memset(t->fpu, 0, sizeof(t->fpu));
    t->fpu[0] = 0x7f;
    t->fpu[1] = 0x03;
    t->fpu[24] = 0x80;
    t->fpu[25] = 0x1f;
}

void fpu_switch_to(tcb_t *t)
{
    if (fpu_owner == t) return;
    if (fpu_owner) fxsave(fpu_owner->fpu);
    fxrstor(t->fpu);
    fpu_owner = t;
}

void fpu_forget(tcb_t *t)
{
    if (fpu_owner == t) fpu_owner = NULL;
}
