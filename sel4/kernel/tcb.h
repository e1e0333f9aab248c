/* TCB objects: creation, teardown and invocations. */
#ifndef KERNEL_TCB_H
#define KERNEL_TCB_H

#include "kernel/structures.h"

/* A new TCB: inactive, priority 0, named after its creator. */
void tcb_init(tcb_t *t, tcb_t *creator);
void tcb_set_name(tcb_t *t, const char *name, word_t max_len);
void tcb_finalise(tcb_t *t);

#endif
