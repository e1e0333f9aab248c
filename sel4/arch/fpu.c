#include "arch/fpu.h"

#include "arch/cpu.h"
#include "arch/machine.h"
#include "kernel/lib.h"

tcb_t *fpu_owner;
/* CR0.TS is clear: the current FPU registers are usable from user mode. */
static bool fpu_enabled;
/* Returns to non-owners since the owner last took the FPU (seL4's
 * x86KSFPURestoresSinceSwitch): past the limit the owner's state is saved
 * and the FPU released, so two threads that stopped using it no longer
 * toggle CR0.TS on every switch. */
static word_t returns_to_others;
#define FPU_MAX_RETURNS_TO_OTHERS 64 /* seL4's CONFIG_FPU_MAX_RESTORES_SINCE_SWITCH */

static void enable_fpu(void)
{
    __asm__ volatile("clts" ::: "memory");
    fpu_enabled = true;
}

static void disable_fpu(void)
{
    write_cr0(read_cr0() | CR0_TS);
    fpu_enabled = false;
}

void fpu_init(void)
{
    /* SDM 13.1: CR0.EM=0, MP=1; CR4.OSFXSR and OSXMMEXCPT enable SSE.  TS
     * starts set: no thread's state is loaded yet (SDM 2.5: with TS and MP
     * set, x87, WAIT and SSE instructions raise #NM). */
    write_cr0((read_cr0() & ~CR0_EM) | CR0_MP | CR0_TS);
    write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);
    fpu_enabled = false;
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

void fpu_handle_unavailable(tcb_t *t)
{
    /* FXSAVE and FXRSTOR themselves raise #NM while TS is set. */
    enable_fpu();
    if (fpu_owner != t) {
        if (fpu_owner) fxsave(fpu_owner->fpu);
        fxrstor(t->fpu);
        fpu_owner = t;
        fast_return_epoch++; /* the fastpath's returns must see the owner */
    }
    returns_to_others = 0;
}

void fpu_switch_access(tcb_t *t)
{
    if (t == fpu_owner) {
        if (!fpu_enabled) enable_fpu();
        return;
    }
    if (++returns_to_others > FPU_MAX_RETURNS_TO_OTHERS) {
        if (!fpu_enabled) enable_fpu();
        fxsave(fpu_owner->fpu);
        fpu_owner = NULL;
        returns_to_others = 0;
    }
    if (fpu_enabled) disable_fpu();
}

void fpu_forget(tcb_t *t)
{
    if (fpu_owner != t) return;
    fpu_owner = NULL;
    if (fpu_enabled) disable_fpu();
}
