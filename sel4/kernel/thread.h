/* Thread states and the scheduler: 256 priorities, FIFO ready queues,
 * round robin within a priority, seL4's scheduler actions. */
#ifndef KERNEL_THREAD_H
#define KERNEL_THREAD_H

#include "kernel/structures.h"

#define TIME_SLICE_TICKS 5

extern tcb_t *ks_cur_thread;

/* Tells x64sim which thread runs from here on, for its timeline
 * (docs/timeline.md): x64sim's marker instruction, a NOP with an unusual
 * operand ("XS" | 3), so hardware and QEMU run it as the NOP it is. */
static inline void x64sim_note_thread_switch(const tcb_t *t)
{
    __asm__ volatile(".byte 0x0f, 0x1f, 0x80; .long 0x58530003" : : "D"(t->name) : "memory");
}

static inline bool is_runnable(const tcb_t *t)
{
    return t->state == ThreadState_Running || t->state == ThreadState_Restart;
}
static inline bool is_stopped(const tcb_t *t)
{
    return t->state == ThreadState_Inactive || t->state == ThreadState_BlockedOnReceive ||
           t->state == ThreadState_BlockedOnSend || t->state == ThreadState_BlockedOnNotification ||
           t->state == ThreadState_BlockedOnReply;
}

void set_thread_state(tcb_t *t, enum thread_state s);
void sched_enqueue(tcb_t *t); /* at the head of its queue */
void sched_append(tcb_t *t);  /* at the tail */
void sched_dequeue(tcb_t *t);
void reschedule_required(void);
/* A thread became runnable: run it now if the scheduler would, else queue it. */
void possible_switch_to(tcb_t *t);
/* Make the scheduler's pending decision; afterwards ks_cur_thread runs. */
void schedule(void);
/* Prepare ks_cur_thread to run (restart PCs). */
void activate_thread(void);
void timer_tick(void);
void handle_yield(void);
void set_priority(tcb_t *t, word_t prio);
word_t highest_ready_priority(bool *any);

/* Every TCB, for DebugDumpScheduler. */
void debug_tcb_link(tcb_t *t);
void debug_tcb_unlink(tcb_t *t);
void debug_dump_scheduler(void);

/* Suspend: cancel any IPC, become Inactive. Restart: Inactive -> Restart. */
void suspend_thread(tcb_t *t);
void restart_thread(tcb_t *t);

#endif
