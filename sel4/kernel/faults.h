/* Thread faults: delivered as IPC to the thread's fault endpoint, or
 * reported on the console (seL4's debug format) when there is none. */
#ifndef KERNEL_FAULTS_H
#define KERNEL_FAULTS_H

#include "kernel/structures.h"

/* t->fault holds the fault; send it or report it and stop the thread. */
void handle_fault(tcb_t *t);
/* The fault handler replied: apply the reply; true = restart the thread. */
bool handle_fault_reply(tcb_t *faulter, tcb_t *replier);

#endif
