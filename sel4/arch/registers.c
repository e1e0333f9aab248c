#include "arch/registers.h"

#include "arch/machine.h"

static word_t *register_slot(tcb_t *t, enum user_register r)
{
    user_context_t *c = &t->ctx;
    switch (r) {
    case REG_RIP: return &t->fault_ip;
    case REG_RSP: return &c->rsp;
    case REG_RFLAGS: return &c->rflags;
    case REG_RAX: return &c->rax;
    case REG_RBX: return &c->rbx;
    case REG_RCX: return &c->rcx;
    case REG_RDX: return &c->rdx;
    case REG_RSI: return &c->rsi;
    case REG_RDI: return &c->rdi;
    case REG_RBP: return &c->rbp;
    case REG_R8: return &c->r8;
    case REG_R9: return &c->r9;
    case REG_R10: return &c->r10;
    case REG_R11: return &c->r11;
    case REG_R12: return &c->r12;
    case REG_R13: return &c->r13;
    case REG_R14: return &c->r14;
    case REG_R15: return &c->r15;
    case REG_FS_BASE: return &t->fs_base;
    default: return &t->gs_base;
    }
}

word_t get_user_register(tcb_t *t, enum user_register r) { return *register_slot(t, r); }

/* SDM 3.3.7.1: a non-canonical RIP or segment base would fault inside the
 * kernel's IRET/WRMSR; seL4 replaces such values with 0. */
static bool is_canonical(word_t v) { return v < 0x0000800000000000ul || v >= 0xffff800000000000ul; }

void set_user_register(tcb_t *t, enum user_register r, word_t v)
{
    if ((r == REG_RIP || r == REG_FS_BASE || r == REG_GS_BASE) && !is_canonical(v)) v = 0;
    if (r == REG_RFLAGS) v = (v & RFLAGS_USER_MASK) | RFLAGS_USER_DEFAULT;
    *register_slot(t, r) = v;
    if (r == REG_RIP) t->ctx.rip = v;
    t->ctx.vector = 0;
    forget_fast_return(t);
}

void init_user_context(tcb_t *t)
{
    t->ctx.rflags = RFLAGS_USER_DEFAULT;
    t->ctx.cs = USER_CS;
    t->ctx.ss = USER_DS;
    t->ctx.vector = 0;
    forget_fast_return(t);
}
