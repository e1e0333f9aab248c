/* x87/SSE state, switched lazily as seL4 does on x86: the FPU holds at most
 * one thread's state (the owner's); every other thread runs with CR0.TS set,
 * and its first FPU instruction raises #NM, which moves the FPU to it.  The
 * kernel itself never touches the FPU (-mgeneral-regs-only). */
#ifndef ARCH_FPU_H
#define ARCH_FPU_H

#include "kernel/structures.h"

/* Whose state the FPU registers hold (NULL: nobody's, and CR0.TS is set). */
extern tcb_t *fpu_owner;

void fpu_init(void);
void fpu_init_state(tcb_t *t);
/* #NM from user mode: give the FPU to t (save the owner's, load t's). */
void fpu_handle_unavailable(tcb_t *t);
/* A TCB is being destroyed: never save into it again. */
void fpu_forget(tcb_t *t);
/* fpu_before_return when someone owns the FPU: enable it for the owner,
 * disable it for anyone else, and after enough of the latter release it. */
void fpu_switch_access(tcb_t *t);

/* Called on every return to user mode; costs a load and a branch while
 * nobody owns the FPU (as when two threads ping-pong without using it). */
static FORCE_INLINE void fpu_before_return(tcb_t *t)
{
    if (unlikely(fpu_owner != NULL)) fpu_switch_access(t);
}

#endif
