/* The IPC fastpath (seL4's fastpath_call / fastpath_reply_recv): a Call or
 * ReplyRecv that carries no caps and at most four message words, when the
 * partner is ready and may run at once, goes straight to the partner.
 * Everything on the way is inline: a one-level CSpace lookup, the ASID
 * check of the partner's VSpace, the reply cap's derivation-tree links, the
 * message registers and the return to user mode.  Any other case leaves
 * before changing anything, and the slow path runs; its effects are the
 * same (the kernel test suite's ipc_fastpath_matches_slowpath). */
#include "arch/machine.h"
#include "arch/vspace.h"
#include "kernel/ipc.h"
#include "kernel/syscall.h"
#include "kernel/thread.h"

/* No extra caps and at most MSG_REGISTER_COUNT words: the length (bits
 * 6..0) and extraCaps (8..7) fields together are at most the count. */
static FORCE_INLINE bool fast_message(word_t info)
{
    return (info & MASK(seL4_MsgLengthBits + seL4_MsgExtraCapBits)) <= MSG_REGISTER_COUNT;
}

/* For a fast_message no clamping to seL4_MsgMaxLength applies
 * (message_info_from_word): the length is the field as it stands. */
static FORCE_INLINE word_t message_length(word_t info) { return info & MASK(seL4_MsgLengthBits); }

/* The receiver's message info: the sender's with capsUnwrapped cleared. */
static FORCE_INLINE word_t received_info(word_t info)
{
    seL4_MessageInfo_t m = {{info}};
    return seL4_MessageInfo_set_capsUnwrapped(m, 0).words[0];
}

/* The cap cptr names when the thread's CSpace root is a single CNode whose
 * guard and radix consume all 64 bits (as the root server's and most
 * CSpaces are); a null cap when the lookup would fail or need more levels,
 * which the slow path's resolve_address_bits then handles. */
static FORCE_INLINE cap_t lookup_fast(tcb_t *t, word_t cptr)
{
    cap_t root = tcb_slot(t, tcbCTable)->cap;
    word_t radix = cnode_radix(root);
    if (cap_get_type(root) != cap_cnode_cap || radix + cnode_guard_size(root) != seL4_WordBits) return cap_null();
    /* radix + guard size = 64 (so radix < 64): the guard is everything
     * above the radix bits, and the index is what remains. */
    word_t guard = cptr >> radix;
    if (guard != cnode_guard(root)) return cap_null();
    return ((cte_t *)cap_object_ptr(root))[cptr - (guard << radix)].cap;
}

/* The general return for a message the fastpath delivers: it reads
 * everything from the context, so the message goes there first.  MR0..MR3
 * live in R10, R8, R9 and R15 (msg_register); only the message's words
 * move, so the receiver's other registers keep their values. */
static NORETURN void deliver_through_context(tcb_t *from, tcb_t *to, word_t badge, word_t info)
{
    for (word_t i = 0; i < message_length(info); i++) *msg_register(to, i) = *msg_register(from, i);
    to->ctx.rdi = badge;
    to->ctx.rsi = info;
    restore_user_context(to);
}

/* Run `to` with the message from `from`: badge and info in RDI and RSI.
 * SYSRET at once when to's fast-return record is current (arch/machine.h);
 * restore_user_sysret_ipc then loads the message words straight from the
 * sender's context. */
static FORCE_INLINE NORETURN void switch_to_partner(tcb_t *from, tcb_t *to, const pte_t *pml4, word_t badge,
                                                    word_t info)
{
    to->state = ThreadState_Running;
    x64sim_note_thread_switch(to);
    ks_cur_thread = to;
    load_vspace(pml4);
    set_entry_context(to);
    if (unlikely(to->fast_return_epoch != fast_return_epoch)) deliver_through_context(from, to, badge, info);
    restore_user_sysret_ipc(from, info, to, badge);
}

static FORCE_INLINE void fastpath_call(tcb_t *t, word_t cptr, word_t info)
{
    if (unlikely(!fast_message(info) || t->fault.type != seL4_Fault_NullFault)) return;
    cap_t cap = lookup_fast(t, cptr);
    if (unlikely(!cap_is_endpoint_with(cap, RIGHT_WRITE) || !(cap_rights(cap) & (RIGHT_GRANT | RIGHT_GRANT_REPLY))))
        return;
    endpoint_t *ep = cap_object_ptr(cap);
    tcb_t *dest = ep->head;
    if (unlikely(!dest || dest->state == ThreadState_BlockedOnSend || dest->priority < t->priority)) return;
    const pte_t *pml4 = vspace_root_fast(tcb_slot(dest, tcbVTable)->cap);
    if (unlikely(!pml4)) return;
    cte_t *caller_slot = tcb_slot(dest, tcbCaller);
    if (unlikely(!cap_is_null(caller_slot->cap) || t->queued)) return;

    /* dest leaves the head of the receive queue (ep_remove). */
    tcb_t *next = dest->ep_next;
    ep->head = next;
    if (unlikely(next != NULL)) next->ep_prev = NULL;
    else ep->tail = NULL;
    dest->ep_next = NULL;

    t->state = ThreadState_BlockedOnReply;
    /* The reply cap, a child of t's master reply cap (cte_insert: reply
     * caps are not revocable, so the slot's flags are clear). */
    cte_t *master = tcb_slot(t, tcbReply);
    cte_t *after = master->mdb_next;
    caller_slot->cap = reply_cap_new(t, false, dest->blocking_can_grant);
    caller_slot->mdb_prev = (word_t)master;
    caller_slot->mdb_next = after;
    master->mdb_next = caller_slot;
    if (unlikely(after != NULL)) mdb_set_prev(after, caller_slot);

    switch_to_partner(t, dest, pml4, cap_badge(cap), received_info(info));
}

static FORCE_INLINE void fastpath_reply_recv(tcb_t *t, word_t cptr, word_t info)
{
    if (unlikely(!fast_message(info) || t->fault.type != seL4_Fault_NullFault)) return;
    cap_t cap = lookup_fast(t, cptr);
    if (unlikely(!cap_is_endpoint_with(cap, RIGHT_READ))) return;
    endpoint_t *ep = cap_object_ptr(cap);
    if (unlikely(ep->head && ep->head->state == ThreadState_BlockedOnSend)) return;
    notification_t *bound = t->bound_notification;
    if (unlikely(bound && ntfn_state(bound) == NtfnState_Active)) return;
    cte_t *caller_slot = tcb_slot(t, tcbCaller);
    cap_t reply = caller_slot->cap;
    if (unlikely(!cap_is_caller_reply(reply))) return;
    tcb_t *caller = cap_object_ptr(reply);
    if (unlikely(caller->state != ThreadState_BlockedOnReply || caller->fault.type != seL4_Fault_NullFault ||
                 caller->priority < t->priority || t->queued))
        return;
    const pte_t *pml4 = vspace_root_fast(tcb_slot(caller, tcbVTable)->cap);
    if (unlikely(!pml4)) return;

    /* t waits at the tail of the endpoint's receive queue (ep_append). */
    t->blocking_can_grant = (cap_rights(cap) & RIGHT_GRANT) != 0;
    t->blocking_object = (word_t)ep;
    t->state = ThreadState_BlockedOnReceive;
    tcb_t *tail = ep->tail;
    t->ep_next = NULL;
    t->ep_prev = tail;
    if (unlikely(tail != NULL)) tail->ep_next = t;
    else ep->head = t;
    ep->tail = t;

    /* The reply cap is used up (cte_delete_reply's unlink). */
    cte_t *prev = mdb_prev(caller_slot), *next = caller_slot->mdb_next;
    if (likely(prev != NULL)) prev->mdb_next = next;
    if (unlikely(next != NULL)) {
        mdb_set_prev(next, prev);
        mdb_set_flags(next, mdb_revocable(next), mdb_first_badged(next) || mdb_first_badged(caller_slot));
    }
    caller_slot->cap = cap_null();
    caller_slot->mdb_prev = 0;
    caller_slot->mdb_next = NULL;

    switch_to_partner(t, caller, pml4, 0, received_info(info));
}

/* The entry stub has saved the registers and fault_ip. */
void c_handle_syscall(word_t cptr, word_t info, word_t sys)
{
    tcb_t *t = ks_cur_thread;
    if (sys == fastpath_call_number) fastpath_call(t, cptr, info);
    else if (sys == fastpath_reply_recv_number) fastpath_reply_recv(t, cptr, info);
    slowpath();
}
