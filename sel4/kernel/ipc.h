/* Message passing: endpoints, notifications, reply caps and the transfer
 * of message registers and capabilities between threads. */
#ifndef KERNEL_IPC_H
#define KERNEL_IPC_H

#include "kernel/errors.h"

/* endpoint.c */
void send_ipc(bool blocking, bool do_call, word_t badge, bool can_grant, bool can_grant_reply, tcb_t *thread,
              endpoint_t *ep);
void receive_ipc(tcb_t *thread, cap_t cap, bool blocking);
void cancel_ipc(tcb_t *t);
void cancel_all_ipc(endpoint_t *ep);
void cancel_badged_sends(endpoint_t *ep, word_t badge);
void ep_append(endpoint_t *ep, tcb_t *t);
void ep_remove(endpoint_t *ep, tcb_t *t);

/* notification.c */
void send_signal(notification_t *n, word_t badge);
void receive_signal(tcb_t *thread, cap_t cap, bool blocking);
void cancel_signal(tcb_t *t, notification_t *n);
void complete_signal(notification_t *n, tcb_t *t);
void bind_notification(tcb_t *t, notification_t *n);
void unbind_notification(tcb_t *t);
void notification_finalise(notification_t *n);

/* reply.c */
void setup_reply_master(tcb_t *t);
void setup_caller_cap(tcb_t *sender, tcb_t *receiver, bool can_grant);
void delete_caller_cap(tcb_t *receiver);
void do_reply_transfer(tcb_t *sender, tcb_t *receiver, cte_t *slot, bool grant);

/* transfer.c */
#define MSG_REGISTER_COUNT seL4_FastMessageRegisters
word_t *ipc_buffer_of(tcb_t *t, bool is_receiver);
word_t *msg_register(tcb_t *t, word_t i);
word_t get_mr(tcb_t *t, word_t *buffer, word_t i);
/* Returns i + 1 when stored, i when there was nowhere to store it. */
word_t set_mr(tcb_t *t, word_t *buffer, word_t i, word_t v);
seL4_MessageInfo_t message_info_from_word(word_t w);
void do_ipc_transfer(tcb_t *sender, endpoint_t *ep, word_t badge, bool grant, tcb_t *receiver);
void reply_from_kernel_error(tcb_t *t, syscall_error_t e);
void reply_from_kernel_success(tcb_t *t, word_t length);

typedef struct extra_caps {
    cte_t *slots[seL4_MsgMaxExtraCaps];
    word_t count;
    word_t failed_cptr;
    lookup_fault_t fault;
} extra_caps_t;
/* Look up the caps named in the buffer's caps_or_badges (fault on failure). */
extra_caps_t lookup_extra_caps(tcb_t *t, word_t *buffer, seL4_MessageInfo_t info);

#endif
