/* One-shot reply capabilities (non-MCS seL4): Call leaves a reply cap in
 * the receiver's caller slot, a child of the caller's master reply cap. */
#include "kernel/cte.h"
#include "kernel/faults.h"
#include "kernel/ipc.h"
#include "kernel/thread.h"

void setup_reply_master(tcb_t *t)
{
    cte_t *slot = tcb_slot(t, tcbReply);
    if (!cap_is_null(slot->cap)) return;
    slot->cap = reply_cap_new(t, true, true);
    slot->mdb_prev = 0;
    slot->mdb_next = NULL;
    mdb_set_flags(slot, true, true);
}

void setup_caller_cap(tcb_t *sender, tcb_t *receiver, bool can_grant)
{
    set_thread_state(sender, ThreadState_BlockedOnReply);
    cte_t *caller = tcb_slot(receiver, tcbCaller);
    cte_delete(caller);
    cte_insert(reply_cap_new(sender, false, can_grant), tcb_slot(sender, tcbReply), caller);
}

void delete_caller_cap(tcb_t *receiver) { cte_delete_reply(tcb_slot(receiver, tcbCaller)); }

void do_reply_transfer(tcb_t *sender, tcb_t *receiver, cte_t *slot, bool grant)
{
    if (receiver->state != ThreadState_BlockedOnReply) return;
    if (receiver->fault.type == seL4_Fault_NullFault) {
        do_ipc_transfer(sender, NULL, 0, grant, receiver);
        cte_delete_reply(slot);
        set_thread_state(receiver, ThreadState_Running);
        possible_switch_to(receiver);
        return;
    }
    cte_delete_reply(slot);
    bool restart = handle_fault_reply(receiver, sender);
    receiver->fault.type = seL4_Fault_NullFault;
    if (restart) {
        set_thread_state(receiver, ThreadState_Restart);
        possible_switch_to(receiver);
    } else {
        set_thread_state(receiver, ThreadState_Inactive);
    }
}
