/* Endpoints: synchronous IPC with FIFO queues of senders or receivers. */
#include "kernel/ipc.h"

#include "kernel/cte.h"
#include "kernel/thread.h"

void ep_append(endpoint_t *ep, tcb_t *t)
{
    t->ep_next = NULL;
    t->ep_prev = ep->tail;
    if (ep->tail) ep->tail->ep_next = t;
    else ep->head = t;
    ep->tail = t;
}

void ep_remove(endpoint_t *ep, tcb_t *t)
{
    if (t->ep_prev) t->ep_prev->ep_next = t->ep_next;
    else ep->head = t->ep_next;
    if (t->ep_next) t->ep_next->ep_prev = t->ep_prev;
    else ep->tail = t->ep_prev;
    t->ep_next = t->ep_prev = NULL;
}

static void block_on(endpoint_t *ep, tcb_t *t, enum thread_state s)
{
    t->blocking_object = (word_t)ep;
    set_thread_state(t, s);
    ep_append(ep, t);
}

void send_ipc(bool blocking, bool do_call, word_t badge, bool can_grant, bool can_grant_reply, tcb_t *thread,
              endpoint_t *ep)
{
    if (ep_state(ep) != EPState_Recv) {
        if (!blocking) return;
        thread->blocking_badge = badge;
        thread->blocking_can_grant = can_grant;
        thread->blocking_can_grant_reply = can_grant_reply;
        thread->blocking_is_call = do_call;
        block_on(ep, thread, ThreadState_BlockedOnSend);
        return;
    }
    tcb_t *dest = ep->head;
    ep_remove(ep, dest);
    do_ipc_transfer(thread, ep, badge, can_grant, dest);
    bool reply_can_grant = dest->blocking_can_grant;
    set_thread_state(dest, ThreadState_Running);
    possible_switch_to(dest);
    if (do_call) {
        if (can_grant || can_grant_reply) setup_caller_cap(thread, dest, reply_can_grant);
        else set_thread_state(thread, ThreadState_Inactive);
    }
}

void receive_ipc(tcb_t *thread, cap_t cap, bool blocking)
{
    endpoint_t *ep = cap_ptr(cap);
    notification_t *bound = thread->bound_notification;
    if (bound && ntfn_state(bound) == NtfnState_Active) {
        complete_signal(bound, thread);
        return;
    }
    if (ep_state(ep) != EPState_Send) {
        if (!blocking) {
            thread->ctx.rdi = 0; /* seL4: a failed NBRecv reports badge 0 */
            return;
        }
        thread->blocking_can_grant = (cap_rights(cap) & RIGHT_GRANT) != 0;
        block_on(ep, thread, ThreadState_BlockedOnReceive);
        return;
    }
    tcb_t *sender = ep->head;
    ep_remove(ep, sender);
    word_t badge = sender->blocking_badge;
    bool can_grant = sender->blocking_can_grant, can_grant_reply = sender->blocking_can_grant_reply;
    do_ipc_transfer(sender, ep, badge, can_grant, thread);
    if (sender->blocking_is_call) {
        if (can_grant || can_grant_reply) setup_caller_cap(sender, thread, (cap_rights(cap) & RIGHT_GRANT) != 0);
        else set_thread_state(sender, ThreadState_Inactive);
    } else {
        set_thread_state(sender, ThreadState_Running);
        possible_switch_to(sender);
    }
}

void cancel_ipc(tcb_t *t)
{
    switch (t->state) {
    case ThreadState_BlockedOnSend:
    case ThreadState_BlockedOnReceive:
        ep_remove((endpoint_t *)t->blocking_object, t);
        set_thread_state(t, ThreadState_Inactive);
        break;
    case ThreadState_BlockedOnNotification:
        cancel_signal(t, (notification_t *)t->blocking_object);
        break;
    case ThreadState_BlockedOnReply: {
        t->fault.type = seL4_Fault_NullFault;
        cte_t *master = tcb_slot(t, tcbReply);
        cte_t *caller = master->mdb_next;
        if (caller && cap_get_type(caller->cap) == cap_reply_cap && !reply_is_master(caller->cap) &&
            cap_ptr(caller->cap) == t)
            cte_delete(caller);
        break;
    }
    default:
        break;
    }
}

void cancel_all_ipc(endpoint_t *ep)
{
    while (ep->head) {
        tcb_t *t = ep->head;
        ep_remove(ep, t);
        set_thread_state(t, ThreadState_Restart);
        sched_enqueue(t);
    }
    reschedule_required();
}

void cancel_badged_sends(endpoint_t *ep, word_t badge)
{
    if (ep_state(ep) != EPState_Send) return;
    tcb_t *t = ep->head;
    while (t) {
        tcb_t *next = t->ep_next;
        if (t->blocking_badge == badge) {
            ep_remove(ep, t);
            set_thread_state(t, ThreadState_Restart);
            sched_enqueue(t);
        }
        t = next;
    }
    reschedule_required();
}
