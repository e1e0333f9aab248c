/* x87/SSE state: saved per thread with FXSAVE, switched when a different
 * thread returns to user mode.  The kernel itself never touches it. */
#ifndef ARCH_FPU_H
#define ARCH_FPU_H

#include "kernel/structures.h"

void fpu_init(void);
void fpu_init_state(tcb_t *t);
void fpu_switch_to(tcb_t *t);
/* A TCB is being destroyed: never save into it again. */
void fpu_forget(tcb_t *t);

#endif
