/* CPU tables (GDT, TSS, IDT), per-CPU entry data and the user-return path. */
#ifndef ARCH_MACHINE_H
#define ARCH_MACHINE_H

#include "kernel/structures.h"

#define KERNEL_CS 0x08
#define KERNEL_DS 0x10
#define USER_DS 0x1b
#define USER_CS 0x23
#define SYSCALL_VECTOR ((word_t)-1)
#define TIMER_VECTOR 32
#define SPURIOUS_VECTOR 255

/* Read by the entry code through %gs. */
struct percpu {
    word_t kernel_stack_top;
    word_t ctx_top;
    word_t scratch;
};
extern struct percpu percpu;

void init_cpu_tables(void);
/* Point the entry path (TSS.RSP0 and %gs:ctx_top) at this thread. */
void set_entry_context(tcb_t *t);
void NORETURN restore_user_context(tcb_t *t);
/* t's FS/GS base changed or t is being destroyed: reload them next time. */
void forget_segment_bases(tcb_t *t);

#endif
