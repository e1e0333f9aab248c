/* Kernel entry from user mode: system calls, exceptions and interrupts. */
#ifndef KERNEL_SYSCALL_H
#define KERNEL_SYSCALL_H

#include "kernel/structures.h"

extern bool fastpath_enabled;

void NORETURN c_handle_syscall(void);
void NORETURN c_handle_exception(void);
void NORETURN return_to_user(void);

/* fastpath.c: return only when the slow path must handle the call. */
void fastpath_call(tcb_t *t);
void fastpath_reply_recv(tcb_t *t);

#endif
