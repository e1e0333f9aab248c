/* Notifications: a word of badge bits, OR-ed by Signal, taken by Wait or
 * Poll; a bound TCB also receives signals while it waits on an endpoint. */
#include "kernel/ipc.h"

#include "kernel/thread.h"

static void ntfn_append(notification_t *n, tcb_t *t)
{
    tcb_t *head = ntfn_head(n);
    t->ep_next = NULL;
    t->ep_prev = n->tail;
    if (n->tail) n->tail->ep_next = t;
    else head = t;
    n->tail = t;
    ntfn_set_head(n, head);
}

static void ntfn_remove(notification_t *n, tcb_t *t)
{
    if (t->ep_prev) t->ep_prev->ep_next = t->ep_next;
    else ntfn_set_head(n, t->ep_next);
    if (t->ep_next) t->ep_next->ep_prev = t->ep_prev;
    else n->tail = t->ep_prev;
    t->ep_next = t->ep_prev = NULL;
    if (!ntfn_head(n)) ntfn_set_state(n, NtfnState_Idle);
}

void send_signal(notification_t *n, word_t badge)
{
    switch (ntfn_state(n)) {
    case NtfnState_Idle: {
        tcb_t *t = n->bound;
        if (t && t->state == ThreadState_BlockedOnReceive) {
            cancel_ipc(t);
            set_thread_state(t, ThreadState_Running);
            t->ctx.rdi = badge;
            possible_switch_to(t);
        } else {
            ntfn_set_state(n, NtfnState_Active);
            n->badge = badge;
        }
        break;
    }
    case NtfnState_Waiting: {
        tcb_t *t = ntfn_head(n);
        ntfn_remove(n, t);
        set_thread_state(t, ThreadState_Running);
        t->ctx.rdi = badge;
        possible_switch_to(t);
        break;
    }
    case NtfnState_Active:
        n->badge |= badge;
        break;
    }
}

void complete_signal(notification_t *n, tcb_t *t)
{
    t->ctx.rdi = n->badge;
    n->badge = 0;
    ntfn_set_state(n, NtfnState_Idle);
}

void receive_signal(tcb_t *thread, cap_t cap, bool blocking)
{
    notification_t *n = cap_ptr(cap);
    if (ntfn_state(n) == NtfnState_Active) {
        complete_signal(n, thread);
        return;
    }
    if (!blocking) {
        thread->ctx.rdi = 0;
        return;
    }
    thread->blocking_object = (word_t)n;
    set_thread_state(thread, ThreadState_BlockedOnNotification);
    ntfn_append(n, thread);
    ntfn_set_state(n, NtfnState_Waiting);
}

void cancel_signal(tcb_t *t, notification_t *n)
{
    ntfn_remove(n, t);
    set_thread_state(t, ThreadState_Inactive);
}

void bind_notification(tcb_t *t, notification_t *n)
{
    n->bound = t;
    t->bound_notification = n;
}

void unbind_notification(tcb_t *t)
{
    notification_t *n = t->bound_notification;
    if (!n) return;
    n->bound = NULL;
    t->bound_notification = NULL;
}

void notification_finalise(notification_t *n)
{
    if (n->bound) unbind_notification(n->bound);
    while (ntfn_head(n)) {
        tcb_t *t = ntfn_head(n);
        ntfn_remove(n, t);
        set_thread_state(t, ThreadState_Restart);
        sched_enqueue(t);
    }
    reschedule_required();
}
