/* CPU tables (GDT, TSS, IDT), per-CPU entry data and the user-return path. */
#ifndef ARCH_MACHINE_H
#define ARCH_MACHINE_H

#include "arch/cpu.h"
#include "arch/fpu.h"
#include "kernel/structures.h"

#define KERNEL_CS 0x08
#define KERNEL_DS 0x10
#define USER_DS 0x1b
#define USER_CS 0x23
#define SYSCALL_VECTOR ((word_t)-1)
#define DEVICE_NOT_AVAILABLE_VECTOR 7 /* #NM, SDM 6.15 */
#define TIMER_VECTOR 32
#define SPURIOUS_VECTOR 255

/* SDM 8.7: 64-bit TSS. */
struct tss {
    u32 reserved0;
    u64 rsp[3];
    u64 reserved1;
    u64 ist[7];
    u64 reserved2;
    u16 reserved3;
    u16 iomap_base;
} __attribute__((packed));

/* Read by the entry code through %gs (offsets in arch/traps.S).  The TSS
 * lives here so that the syscall entry finds the current thread's context
 * end in TSS.RSP0, the one place a switch records it. */
struct percpu {
    word_t kernel_stack_top;
    word_t scratch;
    struct tss tss;
};
extern struct percpu percpu;

/* The values last written to IA32_FS_BASE and IA32_KERNEL_GS_BASE (the
 * user GS base until SWAPGS): a return to user mode writes an MSR only when
 * the thread's value differs, as seL4's x86_write_fs_base does.  Like
 * seL4, the kernel does not notice a user segment-selector load that
 * changes a base behind its back. */
extern word_t loaded_fs_base, loaded_gs_base;

void init_cpu_tables(void);
void restore_user_iret(user_context_t *ctx) NORETURN;
void restore_user_sysret(user_context_t *ctx) NORETURN;
/* SYSRET to receiver with RDI = badge, RSI = info (no extra caps, length
 * <= 4), the message words from sender's context and the rest from
 * receiver's (traps.S). */
void restore_user_sysret_ipc(const tcb_t *sender, word_t info, const tcb_t *receiver, word_t badge) NORETURN;
/* Enter t in user mode (its address space must already be loaded): switch
 * FPU access and FS/GS bases as needed, then SYSRET after its own system
 * call, IRET after anything else. */
void NORETURN restore_user_context(tcb_t *t);

/* Point kernel entry (TSS.RSP0: exceptions, interrupts and SYSCALL) at
 * the end of this thread's context. */
static FORCE_INLINE void set_entry_context(tcb_t *t) { percpu.tss.rsp[0] = (word_t)(&t->ctx + 1); }

/* The fastpath's return to t may go straight to SYSRET when nobody owns
 * the FPU, t's FS/GS bases are the ones loaded and t entered by SYSCALL.
 * restore_user_context records in t->fast_return_epoch the current
 * fast_return_epoch when all three hold; whatever could falsify them since
 * either moves the global epoch on (the FPU gains an owner, a base MSR is
 * written) or clears the thread's record (forget_fast_return: its
 * registers are written, or it entered by an exception or interrupt). So
 * one compare stands for four. */
extern word_t fast_return_epoch;
static inline void forget_fast_return(tcb_t *t) { t->fast_return_epoch = 0; }

#endif
