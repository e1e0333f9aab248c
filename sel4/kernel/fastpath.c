/* The IPC fastpath (seL4's fastpath_call / fastpath_reply_recv): a Call or
 * ReplyRecv that carries no caps and at most four message words, when the
 * partner is ready and may run at once, goes straight to the partner.
 * Any other case returns and the slow path runs. */
#include "arch/machine.h"
#include "arch/vspace.h"
#include "kernel/cspace.h"
#include "kernel/cte.h"
#include "kernel/ipc.h"
#include "kernel/syscall.h"
#include "kernel/thread.h"

static bool fast_message(seL4_MessageInfo_t info)
{
    return seL4_MessageInfo_get_extraCaps(info) == 0 && seL4_MessageInfo_get_length(info) <= MSG_REGISTER_COUNT;
}

static void copy_fast_mrs(tcb_t *from, tcb_t *to, seL4_MessageInfo_t info)
{
    for (word_t i = 0; i < seL4_MessageInfo_get_length(info); i++) *msg_register(to, i) = *msg_register(from, i);
    to->ctx.rsi = seL4_MessageInfo_set_capsUnwrapped(info, 0).words[0];
}

static NORETURN void switch_now(tcb_t *to)
{
    to->state = ThreadState_Running;
    ks_cur_thread = to;
    set_vm_root(to);
    restore_user_context(to);
}

void fastpath_call(tcb_t *t)
{
    seL4_MessageInfo_t info = message_info_from_word(t->ctx.rsi);
    if (!fast_message(info)) return;
    resolve_result_t r = lookup_slot(t, t->ctx.rdi);
    if (r.fault.type != seL4_NoFailure) return;
    cap_t cap = r.slot->cap;
    word_t rights = cap_rights(cap);
    if (cap_get_type(cap) != cap_endpoint_cap || !(rights & RIGHT_WRITE)) return;
    if (!(rights & (RIGHT_GRANT | RIGHT_GRANT_REPLY))) return;
    endpoint_t *ep = cap_ptr(cap);
    if (ep_state(ep) != EPState_Recv) return;
    tcb_t *dest = ep->head;
    if (!has_valid_vspace(dest) || dest->priority < t->priority) return;
    if (!cap_is_null(tcb_slot(dest, tcbCaller)->cap)) return;

    ep_remove(ep, dest);
    sched_dequeue(t);
    t->state = ThreadState_BlockedOnReply;
    cte_insert(reply_cap_new(t, false, dest->blocking_can_grant), tcb_slot(t, tcbReply), tcb_slot(dest, tcbCaller));
    copy_fast_mrs(t, dest, info);
    dest->ctx.rdi = cap_badge(cap);
    switch_now(dest);
}

void fastpath_reply_recv(tcb_t *t)
{
    seL4_MessageInfo_t info = message_info_from_word(t->ctx.rsi);
    if (!fast_message(info)) return;
    resolve_result_t r = lookup_slot(t, t->ctx.rdi);
    if (r.fault.type != seL4_NoFailure) return;
    cap_t cap = r.slot->cap;
    if (cap_get_type(cap) != cap_endpoint_cap || !(cap_rights(cap) & RIGHT_READ)) return;
    endpoint_t *ep = cap_ptr(cap);
    if (ep_state(ep) == EPState_Send) return;
    notification_t *bound = t->bound_notification;
    if (bound && ntfn_state(bound) == NtfnState_Active) return;
    cte_t *caller_slot = tcb_slot(t, tcbCaller);
    cap_t reply = caller_slot->cap;
    if (cap_get_type(reply) != cap_reply_cap || reply_is_master(reply)) return;
    tcb_t *caller = cap_ptr(reply);
    if (caller->state != ThreadState_BlockedOnReply || caller->fault.type != seL4_Fault_NullFault) return;
    if (!has_valid_vspace(caller) || caller->priority < t->priority) return;

    sched_dequeue(t);
    t->blocking_can_grant = (cap_rights(cap) & RIGHT_GRANT) != 0;
    t->blocking_object = (word_t)ep;
    t->state = ThreadState_BlockedOnReceive;
    ep_append(ep, t);
    cte_delete_reply(caller_slot);
    copy_fast_mrs(t, caller, info);
    caller->ctx.rdi = 0;
    switch_now(caller);
}
