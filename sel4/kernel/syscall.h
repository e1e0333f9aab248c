/* Kernel entry from user mode: system calls, exceptions and interrupts. */
#ifndef KERNEL_SYSCALL_H
#define KERNEL_SYSCALL_H

#include "kernel/structures.h"

extern bool fastpath_enabled;

/* fastpath.c: the entry stub's target, called with the system call's
 * RDI, RSI and RDX; Call and ReplyRecv may take the fastpath, everything
 * else goes to slowpath. */
void NORETURN c_handle_syscall(word_t cptr, word_t info, word_t sys);
/* Handle system call `sys` of the current thread, then return to user. */
void NORETURN slowpath(word_t sys);
void NORETURN c_handle_exception(void);
void NORETURN return_to_user(void);

#endif
