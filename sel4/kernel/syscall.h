/* Kernel entry from user mode: system calls, exceptions and interrupts. */
#ifndef KERNEL_SYSCALL_H
#define KERNEL_SYSCALL_H

#include "kernel/structures.h"

/* The system calls the fastpath may take, seL4_SysCall and
 * seL4_SysReplyRecv, or 0 (no system call's number) while it is off, so
 * that one compare per call decides (fastpath.c). */
extern word_t fastpath_call_number, fastpath_reply_recv_number;
void set_fastpath_enabled(bool enabled);

/* fastpath.c: the entry stub's target, called with the system call's
 * RDI, RSI and RDX; Call and ReplyRecv may take the fastpath, everything
 * else goes to slowpath. */
void NORETURN c_handle_syscall(word_t cptr, word_t info, word_t sys);
/* Handle the current thread's system call (number in its RDX), then
 * return to user mode. */
void NORETURN slowpath(void);
void NORETURN c_handle_exception(void);
void NORETURN return_to_user(void);

#endif
