#include "kernel/thread.h"

#include "arch/exit.h"
#include "kernel/ipc.h"
#include "kernel/printf.h"

tcb_t *ks_cur_thread;

typedef struct ready_queue {
    tcb_t *head, *tail;
} ready_queue_t;

static ready_queue_t ready_queues[seL4_MaxPrio + 1];
static word_t ready_bitmap[(seL4_MaxPrio + 1) / 64];

/* seL4's scheduler action: resume the current thread, choose a new one, or
 * switch to a candidate. */
#define ACTION_RESUME_CURRENT ((tcb_t *)0)
#define ACTION_CHOOSE_NEW ((tcb_t *)1)
static tcb_t *scheduler_action = ACTION_RESUME_CURRENT;

static tcb_t *debug_tcbs;

void sched_enqueue(tcb_t *t)
{
    if (t->queued) return;
    ready_queue_t *q = &ready_queues[t->priority];
    t->sched_prev = NULL;
    t->sched_next = q->head;
    if (q->head) q->head->sched_prev = t;
    else q->tail = t;
    q->head = t;
    ready_bitmap[t->priority / 64] |= BIT(t->priority % 64);
    t->queued = true;
}

void sched_append(tcb_t *t)
{
    if (t->queued) return;
    ready_queue_t *q = &ready_queues[t->priority];
    t->sched_next = NULL;
    t->sched_prev = q->tail;
    if (q->tail) q->tail->sched_next = t;
    else q->head = t;
    q->tail = t;
    ready_bitmap[t->priority / 64] |= BIT(t->priority % 64);
    t->queued = true;
}

void sched_dequeue(tcb_t *t)
{
    if (!t->queued) return;
    ready_queue_t *q = &ready_queues[t->priority];
    if (t->sched_prev) t->sched_prev->sched_next = t->sched_next;
    else q->head = t->sched_next;
    if (t->sched_next) t->sched_next->sched_prev = t->sched_prev;
    else q->tail = t->sched_prev;
    if (!q->head) ready_bitmap[t->priority / 64] &= ~BIT(t->priority % 64);
    t->queued = false;
}

word_t highest_ready_priority(bool *any)
{
    for (int i = (int)(sizeof(ready_bitmap) / sizeof(ready_bitmap[0])) - 1; i >= 0; i--) {
        if (ready_bitmap[i]) {
            *any = true;
            return (word_t)i * 64 + 63 - (word_t)__builtin_clzl(ready_bitmap[i]);
        }
    }
    *any = false;
    return 0;
}

void reschedule_required(void)
{
    if (scheduler_action != ACTION_RESUME_CURRENT && scheduler_action != ACTION_CHOOSE_NEW)
        sched_enqueue(scheduler_action);
    scheduler_action = ACTION_CHOOSE_NEW;
}

void set_thread_state(tcb_t *t, enum thread_state s)
{
    t->state = s;
    if (!is_runnable(t)) {
        sched_dequeue(t);
        /* A candidate that stopped (or is being destroyed) must not run. */
        if (scheduler_action == t) scheduler_action = ACTION_CHOOSE_NEW;
    }
    if (t == ks_cur_thread && scheduler_action == ACTION_RESUME_CURRENT && !is_runnable(t))
        reschedule_required();
}

void possible_switch_to(tcb_t *t)
{
    if (scheduler_action != ACTION_RESUME_CURRENT) {
        reschedule_required();
        sched_enqueue(t);
    } else {
        scheduler_action = t;
    }
}

static void switch_to_thread(tcb_t *t)
{
    sched_dequeue(t);
    if (t != ks_cur_thread) x64sim_note_thread_switch(t);
    ks_cur_thread = t;
}

static void choose_new_thread(void)
{
    bool any;
    word_t prio = highest_ready_priority(&any);
    if (!any) {
        /* No interrupt handlers and no timeouts exist, so nothing can ever
         * make a thread runnable again: the run is over. */
        kprintf("x64sim-kernel: no runnable threads; halting\n");
        machine_exit(X64SIM_EXIT_IDLE);
    }
    switch_to_thread(ready_queues[prio].head);
}

void schedule(void)
{
    if (scheduler_action == ACTION_RESUME_CURRENT) {
        if (ks_cur_thread && is_runnable(ks_cur_thread)) return;
        scheduler_action = ACTION_CHOOSE_NEW;
    }
    tcb_t *cur = ks_cur_thread;
    bool was_runnable = cur && is_runnable(cur);
    if (was_runnable) sched_enqueue(cur);
    if (scheduler_action == ACTION_CHOOSE_NEW) {
        choose_new_thread();
    } else {
        tcb_t *candidate = scheduler_action;
        bool any;
        word_t top = highest_ready_priority(&any);
        bool fastfail = (was_runnable && candidate->priority < cur->priority) ||
                        (any && candidate->priority < top);
        if (fastfail) {
            sched_enqueue(candidate);
            choose_new_thread();
        } else if (was_runnable && candidate->priority == cur->priority) {
            sched_append(candidate);
            choose_new_thread();
        } else {
            switch_to_thread(candidate);
        }
    }
    scheduler_action = ACTION_RESUME_CURRENT;
}

void activate_thread(void)
{
    tcb_t *t = ks_cur_thread;
    if (t->state == ThreadState_Restart) {
        t->ctx.rip = t->fault_ip;
        set_thread_state(t, ThreadState_Running);
    }
}

void timer_tick(void)
{
    tcb_t *t = ks_cur_thread;
    if (!t || !is_runnable(t)) return;
    if (t->time_slice > 1) {
        t->time_slice--;
        return;
    }
    t->time_slice = TIME_SLICE_TICKS;
    sched_append(t);
    reschedule_required();
}

void handle_yield(void)
{
    tcb_t *t = ks_cur_thread;
    sched_dequeue(t);
    sched_append(t);
    reschedule_required();
}

void set_priority(tcb_t *t, word_t prio)
{
    bool was_queued = t->queued;
    sched_dequeue(t);
    t->priority = prio;
    if (is_runnable(t)) {
        if (t == ks_cur_thread) reschedule_required();
        else if (was_queued) possible_switch_to(t);
    }
}

void suspend_thread(tcb_t *t)
{
    cancel_ipc(t);
    set_thread_state(t, ThreadState_Inactive);
    sched_dequeue(t);
}

void restart_thread(tcb_t *t)
{
    if (!is_stopped(t)) return;
    cancel_ipc(t);
    setup_reply_master(t);
    set_thread_state(t, ThreadState_Restart);
    sched_enqueue(t);
    possible_switch_to(t);
}

void debug_tcb_link(tcb_t *t)
{
    t->debug_prev = NULL;
    t->debug_next = debug_tcbs;
    if (debug_tcbs) debug_tcbs->debug_prev = t;
    debug_tcbs = t;
}

void debug_tcb_unlink(tcb_t *t)
{
    if (t->debug_prev) t->debug_prev->debug_next = t->debug_next;
    else debug_tcbs = t->debug_next;
    if (t->debug_next) t->debug_next->debug_prev = t->debug_prev;
}

static const char *state_name(word_t s)
{
    static const char *const names[] = {"inactive", "running", "restart", "blocked on recv",
                                        "blocked on send", "blocked on reply", "blocked on ntfn"};
    return s < sizeof(names) / sizeof(names[0]) ? names[s] : "unknown";
}

void debug_dump_scheduler(void)
{
    kprintf("Dumping all tcbs!\n");
    kprintf("Name                                    \tState          \tIP                  \t Prio \t Core\n");
    kprintf("--------------------------------------------------------------------------------------\n");
    for (tcb_t *t = debug_tcbs; t; t = t->debug_next) {
        kprintf("%-40s\t%-15s\t%#-20lx\t%5lu\t%5d\n", t->name, state_name(t->state), t->fault_ip, t->priority, 0);
    }
}
