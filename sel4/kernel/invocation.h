/* One object invocation as the decoders see it: the invoked cap, the
 * message (label, length, arguments) and the extra caps. */
#ifndef KERNEL_INVOCATION_H
#define KERNEL_INVOCATION_H

#include "kernel/ipc.h"

typedef struct invocation {
    tcb_t *thread;
    word_t cptr;
    cap_t cap;
    cte_t *slot;
    word_t label;
    word_t length;
    word_t *buffer;
    extra_caps_t extra;
    bool is_call, is_blocking;
    word_t reply_length; /* MRs a successful invocation returns */
} invocation_t;

static inline word_t inv_arg(const invocation_t *inv, word_t i) { return get_mr(inv->thread, inv->buffer, i); }
static inline cap_t inv_extra_cap(const invocation_t *inv, word_t i) { return inv->extra.slots[i]->cap; }
static inline void inv_reply_mr(invocation_t *inv, word_t i, word_t v)
{
    inv->reply_length = set_mr(inv->thread, ipc_buffer_of(inv->thread, true), i, v);
}

syscall_error_t decode_invocation(invocation_t *inv);
syscall_error_t decode_untyped_invocation(invocation_t *inv);
syscall_error_t decode_cnode_invocation(invocation_t *inv);
syscall_error_t decode_tcb_invocation(invocation_t *inv);
syscall_error_t decode_paging_invocation(invocation_t *inv);
syscall_error_t decode_ioport_invocation(invocation_t *inv);

#endif
