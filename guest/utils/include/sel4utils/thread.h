/* Setting up a new thread's registers (seL4_UserContext) by name. */
#ifndef GUEST_SEL4UTILS_THREAD_H
#define GUEST_SEL4UTILS_THREAD_H

#include <sel4/sel4.h>

static inline void sel4utils_set_instruction_pointer(seL4_UserContext *regs,
                                                     seL4_Word value) {
    regs->rip = value;
}

static inline void sel4utils_set_stack_pointer(seL4_UserContext *regs,
                                               seL4_Word value) {
    regs->rsp = value;
}

/* The first integer argument of the entry function (SysV: RDI). */
static inline void sel4utils_set_arg0(seL4_UserContext *regs, seL4_Word value) {
    regs->rdi = value;
}

/* How many words of seL4_UserContext WriteRegisters should copy. */
#define SEL4UTILS_USER_CONTEXT_WORDS (sizeof(seL4_UserContext) / sizeof(seL4_Word))

#endif
