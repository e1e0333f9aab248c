/* Kernel object layouts: capability slots, TCBs, endpoints, notifications,
 * faults and errors. */
#ifndef KERNEL_STRUCTURES_H
#define KERNEL_STRUCTURES_H

#include "kernel/cap.h"

/* A CNode slot (2^seL4_SlotBits bytes): the cap and its place in the
 * derivation tree, a list in pre-order.  mdb_prev carries two flags. */
typedef struct cte {
    cap_t cap;
    word_t mdb_prev; /* struct cte * | revocable (bit 0) | first badged (bit 1) */
    struct cte *mdb_next;
} cte_t;
_Static_assert(sizeof(cte_t) == BIT(seL4_SlotBits), "slot size");

#define MDB_REVOCABLE BIT(0)
#define MDB_FIRST_BADGED BIT(1)
static inline cte_t *mdb_prev(const cte_t *s) { return (cte_t *)(s->mdb_prev & ~3ul); }
static inline bool mdb_revocable(const cte_t *s) { return s->mdb_prev & MDB_REVOCABLE; }
static inline bool mdb_first_badged(const cte_t *s) { return s->mdb_prev & MDB_FIRST_BADGED; }
static inline void mdb_set_prev(cte_t *s, cte_t *p) { s->mdb_prev = (word_t)p | (s->mdb_prev & 3); }
static inline void mdb_set_flags(cte_t *s, bool revocable, bool first_badged)
{
    s->mdb_prev = (s->mdb_prev & ~3ul) | (revocable ? MDB_REVOCABLE : 0) | (first_badged ? MDB_FIRST_BADGED : 0);
}

enum thread_state {
    ThreadState_Inactive = 0,
    ThreadState_Running = 1,
    ThreadState_Restart = 2,
    ThreadState_BlockedOnReceive = 3,
    ThreadState_BlockedOnSend = 4,
    ThreadState_BlockedOnReply = 5,
    ThreadState_BlockedOnNotification = 6,
};

typedef struct lookup_fault {
    word_t type; /* seL4_LookupFailureType */
    word_t bits_left, guard_found, bits_found;
} lookup_fault_t;

typedef struct fault {
    word_t type; /* seL4_FaultType */
    word_t a, b, c;
    lookup_fault_t lookup; /* cap faults */
} fault_t;

/* Register save area.  Its tail is the x86-64 interrupt frame (SDM 6.14.2),
 * and TSS.RSP0 points just past `ss`, so exceptions from user mode push
 * straight into the current TCB; the syscall path builds the same frame. */
typedef struct user_context {
    word_t r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx, rax;
    word_t vector, error;
    word_t rip, cs, rflags, rsp, ss;
} user_context_t;
#define USER_CONTEXT_WORDS (sizeof(user_context_t) / sizeof(word_t))

#define TCB_NAME_LENGTH 112

typedef struct notification notification_t;

/* The thread control block proper, at offset 2^(seL4_TCBBits-1) of the TCB
 * object; the first half holds the TCB's own capability slots. */
typedef struct tcb {
    u8 fpu[512] __attribute__((aligned(16))); /* FXSAVE image */
    user_context_t ctx;
    word_t fault_ip;       /* restart PC: the syscall or faulting instruction */
    word_t fs_base, gs_base;
    word_t fast_return_epoch; /* arch/machine.h */
    word_t state;
    bool queued;           /* in a ready queue */
    bool blocking_can_grant, blocking_can_grant_reply, blocking_is_call;
    word_t blocking_object;
    word_t blocking_badge;
    struct tcb *ep_next, *ep_prev;
    struct tcb *sched_next, *sched_prev;
    struct tcb *debug_next, *debug_prev;
    word_t priority, mcp;
    word_t time_slice;
    word_t ipc_buffer;     /* user vaddr */
    word_t fault_handler;  /* cptr */
    fault_t fault;
    notification_t *bound_notification;
    char name[TCB_NAME_LENGTH];
} tcb_t;

/* arch/traps.S addresses the context and fault_ip by these offsets. */
_Static_assert(__builtin_offsetof(user_context_t, r15) == 0 && __builtin_offsetof(user_context_t, rax) == 112 &&
                   __builtin_offsetof(user_context_t, vector) == 120 &&
                   __builtin_offsetof(user_context_t, rip) == 136 &&
                   __builtin_offsetof(user_context_t, rflags) == 152 &&
                   __builtin_offsetof(user_context_t, rsp) == 160 && sizeof(user_context_t) == 176,
               "user_context_t layout");
_Static_assert(__builtin_offsetof(tcb_t, fault_ip) == __builtin_offsetof(tcb_t, ctx) + sizeof(user_context_t),
               "fault_ip follows the context");
_Static_assert(__builtin_offsetof(tcb_t, ctx) == 512, "traps.S: TCB_CTX_END");

#define TCB_OFFSET BIT(seL4_TCBBits - 1)
enum tcb_cnode_index { tcbCTable = 0, tcbVTable = 1, tcbReply = 2, tcbCaller = 3, tcbBuffer = 4, tcbCNodeEntries = 5 };
_Static_assert(sizeof(tcb_t) <= TCB_OFFSET, "tcb fits its half");
_Static_assert(tcbCNodeEntries * sizeof(cte_t) <= TCB_OFFSET, "tcb slots fit");
_Static_assert(__builtin_offsetof(tcb_t, ctx) % 16 == 0 &&
                   (__builtin_offsetof(tcb_t, ctx) + sizeof(user_context_t)) % 16 == 0,
               "interrupt frame end is 16-byte aligned");

static inline cte_t *tcb_slot(tcb_t *t, enum tcb_cnode_index i) { return (cte_t *)((word_t)t - TCB_OFFSET) + i; }
static inline tcb_t *tcb_of_object(void *obj) { return (tcb_t *)((word_t)obj + TCB_OFFSET); }

/* Endpoint (16 bytes): a FIFO of threads all sending or all receiving. */
enum ep_state { EPState_Idle = 0, EPState_Send = 1, EPState_Recv = 2 };
typedef struct endpoint {
    tcb_t *head;
    tcb_t *tail;
} endpoint_t;
_Static_assert(sizeof(endpoint_t) <= BIT(seL4_EndpointBits), "endpoint size");
/* The queue's direction is that of its threads: state is derived. */
static inline enum ep_state ep_state(const endpoint_t *ep)
{
    if (!ep->head) return EPState_Idle;
    return ep->head->state == ThreadState_BlockedOnSend ? EPState_Send : EPState_Recv;
}

/* Notification (32 bytes): waiting queue head with the state in its low
 * bits (TCBs are 1 KiB aligned), tail, pending badge word, bound TCB. */
enum ntfn_state { NtfnState_Idle = 0, NtfnState_Waiting = 1, NtfnState_Active = 2 };
struct notification {
    word_t head_state;
    tcb_t *tail;
    word_t badge;
    tcb_t *bound;
};
_Static_assert(sizeof(notification_t) <= BIT(seL4_NotificationBits), "notification size");
static inline tcb_t *ntfn_head(const notification_t *n) { return (tcb_t *)(n->head_state & ~3ul); }
static inline enum ntfn_state ntfn_state(const notification_t *n) { return (enum ntfn_state)(n->head_state & 3); }
static inline void ntfn_set_head(notification_t *n, tcb_t *h) { n->head_state = (word_t)h | (n->head_state & 3); }
static inline void ntfn_set_state(notification_t *n, enum ntfn_state s) { n->head_state = (n->head_state & ~3ul) | s; }

#endif
