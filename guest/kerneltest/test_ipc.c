/* Endpoint IPC: Call/Reply, Send/Recv, badges, message registers, reply
 * caps, capability transfer, fastpath and slow path. */
#include "test.h"

static volatile seL4_Word seen[8];
static seL4_IPCBuffer *volatile server_ipc;

/* Replies to each Call with (~MR0, badge, length, label). */
static void echo_server(seL4_Word ep, seL4_Word unused)
{
    seL4_Word badge, mr[4] = {0, 0, 0, 0};
    seL4_MessageInfo_t info = seL4_RecvWithMRs(ep, &badge, &mr[0], &mr[1], &mr[2], &mr[3]);
    for (;;) {
        mr[0] = ~mr[0];
        mr[2] = seL4_MessageInfo_get_length(info);
        mr[3] = seL4_MessageInfo_get_label(info);
        mr[1] = badge;
        info = seL4_ReplyRecvWithMRs(ep, h_msg(0, 4), &badge, &mr[0], &mr[1], &mr[2], &mr[3]);
    }
}

static const char *call_echo(seL4_CPtr call_cap, seL4_CPtr server_ep, seL4_Word expect_badge)
{
    helper_t h = helper_start(echo_server, server_ep, 0, seL4_MaxPrio);
    seL4_SetMR(0, 0x6161);
    seL4_MessageInfo_t reply = seL4_Call(call_cap, seL4_MessageInfo_new(0x42, 0, 0, 1));
    seL4_Word mr[4] = {seL4_GetMR(0), seL4_GetMR(1), seL4_GetMR(2), seL4_GetMR(3)};
    helper_destroy(&h);
    CHECK_EQ(seL4_MessageInfo_get_length(reply), 4);
    CHECK_EQ(mr[0], ~0x6161ul);
    CHECK_EQ(mr[1], expect_badge);
    CHECK_EQ(mr[2], 1);
    CHECK_EQ(mr[3], 0x42);
    PASS;
}

static const char *test_call_reply(void)
{
    seL4_CPtr ep = env_alloc(seL4_EndpointObject, 0);
    return call_echo(ep, ep, 0);
}

static const char *test_badge_delivered(void)
{
    seL4_CPtr ep = env_alloc(seL4_EndpointObject, 0), badged = env_slot();
    CHECK_EQ(seL4_CNode_Mint(ROOT_CNODE, badged, ROOT_DEPTH, ROOT_CNODE, ep, ROOT_DEPTH, seL4_AllRights, 0x61), 0);
    return call_echo(badged, ep, 0x61);
}

static const char *test_four_register_mrs(void)
{
    seL4_CPtr ep = env_alloc(seL4_EndpointObject, 0);
    helper_t h = helper_start(echo_server, ep, 0, seL4_MaxPrio);
    seL4_Word a = 1, b = 2, c = 3, d = 4;
    seL4_MessageInfo_t reply = seL4_CallWithMRs(ep, seL4_MessageInfo_new(7, 0, 0, 4), &a, &b, &c, &d);
    helper_destroy(&h);
    CHECK_EQ(seL4_MessageInfo_get_length(reply), 4);
    CHECK_EQ(a, ~1ul);
    CHECK_EQ(c, 4);
    CHECK_EQ(d, 7);
    PASS;
}

/* Receives a long message and replies with the sum of its words. */
static void sum_server(seL4_Word ep, seL4_Word unused)
{
    seL4_Word badge, mr[4];
    seL4_MessageInfo_t info = seL4_RecvWithMRs(ep, &badge, &mr[0], &mr[1], &mr[2], &mr[3]);
    seL4_Word n = seL4_MessageInfo_get_length(info), sum = 0;
    for (seL4_Word i = 0; i < n; i++) sum += i < 4 ? mr[i] : server_ipc->msg[i];
    seen[0] = n;
    seL4_Word r = sum;
    seL4_ReplyWithMRs(h_msg(0, 1), &r, NULL, NULL, NULL);
}

static const char *test_long_message_via_buffer(void)
{
    seL4_CPtr ep = env_alloc(seL4_EndpointObject, 0);
    helper_t h = helper_create(sum_server, ep, 0, seL4_MaxPrio);
    server_ipc = h.ipc;
    seL4_TCB_Resume(h.tcb);
    for (int i = 0; i < 100; i++) seL4_SetMR(i, (seL4_Word)i * 3);
    seL4_MessageInfo_t reply = seL4_Call(ep, seL4_MessageInfo_new(0, 0, 0, 100));
    seL4_Word sum = seL4_GetMR(0);
    helper_destroy(&h);
    CHECK_EQ(seen[0], 100);
    CHECK_EQ(seL4_MessageInfo_get_length(reply), 1);
    CHECK_EQ(sum, 3 * 99 * 100 / 2);
    PASS;
}

static const char *test_length_clamped_to_max(void)
{
    seL4_CPtr ep = env_alloc(seL4_EndpointObject, 0);
    helper_t h = helper_create(sum_server, ep, 0, seL4_MaxPrio);
    server_ipc = h.ipc;
    seL4_TCB_Resume(h.tcb);
    for (int i = 0; i < seL4_MsgMaxLength; i++) seL4_SetMR(i, 1);
    seL4_Call(ep, seL4_MessageInfo_new(0, 0, 0, 127));
    seL4_Word sum = seL4_GetMR(0);
    helper_destroy(&h);
    CHECK_EQ(seen[0], seL4_MsgMaxLength);
    CHECK_EQ(sum, seL4_MsgMaxLength);
    PASS;
}

static void sender(seL4_Word ep, seL4_Word value)
{
    seL4_Word v = value;
    seL4_SendWithMRs(ep, h_msg(0, 1), &v, NULL, NULL, NULL);
}

static const char *test_send_blocks_until_recv(void)
{
    seL4_CPtr ep = env_alloc(seL4_EndpointObject, 0);
    helper_t h = helper_start(sender, ep, 0x77, seL4_MaxPrio);
    seL4_Yield(); /* the sender runs and blocks on the endpoint */
    seL4_Word badge = 1;
    seL4_MessageInfo_t info = seL4_NBRecv(ep, &badge);
    seL4_Word word = seL4_GetMR(0);
    helper_destroy(&h);
    CHECK_EQ(seL4_MessageInfo_get_length(info), 1);
    CHECK_EQ(word, 0x77);
    CHECK_EQ(badge, 0);
    PASS;
}

static const char *test_nbrecv_empty(void)
{
    seL4_CPtr ep = env_alloc(seL4_EndpointObject, 0);
    seL4_Word badge = 99;
    seL4_NBRecv(ep, &badge);
    CHECK_EQ(badge, 0);
    PASS;
}

static const char *test_nbsend_without_receiver_dropped(void)
{
    seL4_CPtr ep = env_alloc(seL4_EndpointObject, 0), badged = env_slot();
    seL4_CNode_Mint(ROOT_CNODE, badged, ROOT_DEPTH, ROOT_CNODE, ep, ROOT_DEPTH, seL4_AllRights, 5);
    seL4_SetMR(0, 1);
    seL4_NBSend(badged, seL4_MessageInfo_new(0, 0, 0, 1));
    seL4_Word badge = 99;
    seL4_NBRecv(ep, &badge);
    CHECK_EQ(badge, 0);
    PASS;
}

static const char *test_fifo_order(void)
{
    seL4_CPtr ep = env_alloc(seL4_EndpointObject, 0);
    helper_t a = helper_start(sender, ep, 1, seL4_MaxPrio);
    seL4_Yield();
    helper_t b = helper_start(sender, ep, 2, seL4_MaxPrio);
    seL4_Yield();
    seL4_Recv(ep, NULL);
    seL4_Word first = seL4_GetMR(0);
    seL4_Recv(ep, NULL);
    seL4_Word second = seL4_GetMR(0);
    helper_destroy(&a);
    helper_destroy(&b);
    CHECK_EQ(first, 1);
    CHECK_EQ(second, 2);
    PASS;
}

/* Calls ep once and records the reply word. */
static void caller(seL4_Word ep, seL4_Word value)
{
    seL4_Word v = value;
    seL4_CallWithMRs(ep, h_msg(0, 1), &v, NULL, NULL, NULL);
    seen[1] = v;
    seL4_Signal(env_done_ntfn);
}

static const char *test_reply_cap_one_shot(void)
{
    seL4_CPtr ep = env_alloc(seL4_EndpointObject, 0), saved = env_slot();
    seen[1] = 0;
    helper_t h = helper_start(caller, ep, 10, seL4_MaxPrio - 1);
    seL4_Recv(ep, NULL);
    CHECK_EQ(seL4_CNode_SaveCaller(ROOT_CNODE, saved, ROOT_DEPTH), 0);
    seL4_Uint32 type_before = seL4_DebugCapIdentify(saved);
    seL4_SetMR(0, 11);
    seL4_Send(saved, seL4_MessageInfo_new(0, 0, 0, 1));
    seL4_Uint32 type_after = seL4_DebugCapIdentify(saved);
    seL4_Wait(env_done_ntfn, NULL);
    seL4_Word got = seen[1];
    helper_destroy(&h);
    CHECK_EQ(type_before, 8); /* reply cap */
    CHECK_EQ(type_after, 0);  /* used up */
    CHECK_EQ(got, 11);
    PASS;
}

static const char *test_call_without_grant_no_reply_cap(void)
{
    seL4_CPtr ep = env_alloc(seL4_EndpointObject, 0), send_only = env_slot(), saved = env_slot();
    seL4_CNode_Mint(ROOT_CNODE, send_only, ROOT_DEPTH, ROOT_CNODE, ep, ROOT_DEPTH, seL4_CanWrite, 0);
    helper_t h = helper_start(caller, send_only, 1, seL4_MaxPrio - 1);
    seL4_Recv(ep, NULL);
    seL4_CNode_SaveCaller(ROOT_CNODE, saved, ROOT_DEPTH);
    seL4_Uint32 type = seL4_DebugCapIdentify(saved);
    helper_destroy(&h);
    CHECK_EQ(type, 0);
    PASS;
}

static const char *test_call_null_cap_error(void)
{
    seL4_CPtr empty = env_slot();
    seL4_MessageInfo_t reply = seL4_Call(empty, seL4_MessageInfo_new(0, 0, 0, 0));
    CHECK_EQ(seL4_MessageInfo_get_label(reply), seL4_InvalidCapability);
    CHECK_EQ(seL4_GetMR(0), 0);
    PASS;
}

/* Receives one message with a capability into slot `dest`. */
static void cap_receiver(seL4_Word ep, seL4_Word dest)
{
    server_ipc->receiveCNode = ROOT_CNODE;
    server_ipc->receiveIndex = dest;
    server_ipc->receiveDepth = ROOT_DEPTH;
    seL4_Word badge, m0 = 0;
    seL4_MessageInfo_t info = seL4_RecvWithMRs(ep, &badge, &m0, NULL, NULL, NULL);
    seen[2] = seL4_MessageInfo_get_extraCaps(info);
    seen[3] = seL4_MessageInfo_get_capsUnwrapped(info);
    seen[4] = server_ipc->caps_or_badges[0];
    seen[5] = m0;
}

static void send_cap(seL4_CPtr send_cap_ptr, seL4_CPtr recv_ep, seL4_CPtr cap, seL4_CPtr dest)
{
    helper_t h = helper_create(cap_receiver, recv_ep, dest, seL4_MaxPrio);
    server_ipc = h.ipc;
    seL4_TCB_Resume(h.tcb);
    seL4_Yield();
    seL4_SetMR(0, 0xabc);
    seL4_SetCap(0, cap);
    seL4_Send(send_cap_ptr, seL4_MessageInfo_new(0, 0, 1, 1));
    seL4_Yield();
    helper_destroy(&h);
}

static const char *test_cap_transfer_with_grant(void)
{
    seL4_CPtr ep = env_alloc(seL4_EndpointObject, 0), ntfn = env_alloc(seL4_NotificationObject, 0);
    seL4_CPtr badged = env_slot(), dest = env_slot();
    seL4_CNode_Mint(ROOT_CNODE, badged, ROOT_DEPTH, ROOT_CNODE, ntfn, ROOT_DEPTH, seL4_AllRights, 0x10);
    send_cap(ep, ep, badged, dest);
    CHECK_EQ(seen[2], 1);
    CHECK_EQ(seen[3], 0);
    CHECK_EQ(seen[5], 0xabc);
    CHECK_EQ(seL4_DebugCapIdentify(dest), 6);
    /* The transferred cap names the same notification, with its badge. */
    seL4_Signal(dest);
    seL4_Word badge = 0;
    seL4_Poll(ntfn, &badge);
    CHECK_EQ(badge, 0x10);
    PASS;
}

static const char *test_cap_transfer_needs_grant(void)
{
    seL4_CPtr ep = env_alloc(seL4_EndpointObject, 0), ntfn = env_alloc(seL4_NotificationObject, 0);
    seL4_CPtr no_grant = env_slot(), dest = env_slot();
    seL4_CNode_Mint(ROOT_CNODE, no_grant, ROOT_DEPTH, ROOT_CNODE, ep, ROOT_DEPTH, seL4_ReadWrite, 0);
    send_cap(no_grant, ep, ntfn, dest);
    CHECK_EQ(seen[2], 0);
    CHECK_EQ(seen[5], 0xabc);
    CHECK_EQ(seL4_DebugCapIdentify(dest), 0);
    PASS;
}

static const char *test_cap_unwrapped_to_badge(void)
{
    seL4_CPtr ep = env_alloc(seL4_EndpointObject, 0), badged = env_slot(), dest = env_slot();
    seL4_CNode_Mint(ROOT_CNODE, badged, ROOT_DEPTH, ROOT_CNODE, ep, ROOT_DEPTH, seL4_AllRights, 0x99);
    send_cap(ep, ep, badged, dest);
    CHECK_EQ(seen[2], 1);
    CHECK_EQ(seen[3], 1);
    CHECK_EQ(seen[4], 0x99);
    CHECK_EQ(seL4_DebugCapIdentify(dest), 0);
    PASS;
}

/* A round trip workload run with the fastpath on, then off. */
static void counting_server(seL4_Word ep, seL4_Word unused)
{
    seL4_Word badge, mr[4] = {0, 0, 0, 0};
    seL4_MessageInfo_t info = seL4_RecvWithMRs(ep, &badge, &mr[0], &mr[1], &mr[2], &mr[3]);
    for (seL4_Word n = 1;; n++) {
        mr[0] += mr[1] * 3 + n;
        mr[3] = badge ^ seL4_MessageInfo_get_label(info);
        info = seL4_ReplyRecvWithMRs(ep, seL4_MessageInfo_new(n & 0xff, 0, 0, seL4_MessageInfo_get_length(info)),
                                     &badge, &mr[0], &mr[1], &mr[2], &mr[3]);
    }
}

static seL4_Word round_trips(seL4_CPtr cap, seL4_CPtr ep)
{
    helper_t h = helper_start(counting_server, ep, 0, seL4_MaxPrio);
    seL4_Word digest = 0;
    for (seL4_Word i = 0; i < 200; i++) {
        seL4_Word a = i, b = digest, c = 7, d = 9;
        seL4_MessageInfo_t info = seL4_CallWithMRs(cap, seL4_MessageInfo_new(i, 0, 0, 1 + i % 4), &a, &b, &c, &d);
        digest = digest * 31 + a + (b << 1) + (c << 2) + (d << 3) + info.words[0];
    }
    helper_destroy(&h);
    return digest;
}

static const char *test_fastpath_matches_slowpath(void)
{
    seL4_CPtr ep = env_alloc(seL4_EndpointObject, 0), badged = env_slot();
    seL4_CNode_Mint(ROOT_CNODE, badged, ROOT_DEPTH, ROOT_CNODE, ep, ROOT_DEPTH, seL4_AllRights, 0x5a);
    seL4_X64sim_SetFastpath(1);
    seL4_Word fast = round_trips(badged, ep);
    seL4_X64sim_SetFastpath(0);
    seL4_Word slow = round_trips(badged, ep);
    seL4_X64sim_SetFastpath(1);
    CHECK_EQ(fast, slow);
    CHECK(fast != 0);
    PASS;
}

/* seL4 drops a Send on a null cap: an invocation error, but only a Call
 * gets it back. The sender runs on with its registers as they were (a Call
 * there gets the error label and MR0 = 0, ipc_call_null_cap_error). */
static const char *test_send_on_null_cap_ignored(void)
{
    const seL4_Word empty = env_slot(), sent_info = seL4_MessageInfo_new(0x31, 0, 0, 4).words[0];
    seL4_Word dest = empty, info = sent_info, mr[4] = {0x1111, 0x2222, 0x3333, 0x4444};
    x64sim_syscall(seL4_SysSend, &dest, &info, &mr[0], &mr[1], &mr[2], &mr[3]);
    CHECK_EQ(dest, empty);
    CHECK_EQ(info, sent_info);
    CHECK_EQ(mr[0], 0x1111);
    CHECK_EQ(mr[1], 0x2222);
    CHECK_EQ(mr[2], 0x3333);
    CHECK_EQ(mr[3], 0x4444);
    PASS;
}

static const char *test_recv_after_yield_gets_label(void)
{
    seL4_CPtr ep = env_alloc(seL4_EndpointObject, 0), badged = env_slot();
    seL4_CNode_Mint(ROOT_CNODE, badged, ROOT_DEPTH, ROOT_CNODE, ep, ROOT_DEPTH, seL4_AllRights, 3);
    helper_t h = helper_start(sender, badged, 0x1234, seL4_MaxPrio);
    seL4_Word badge = 0;
    seL4_MessageInfo_t info = seL4_Recv(ep, &badge);
    seL4_Word word = seL4_GetMR(0);
    helper_destroy(&h);
    CHECK_EQ(badge, 3);
    CHECK_EQ(seL4_MessageInfo_get_label(info), 0);
    CHECK_EQ(word, 0x1234);
    PASS;
}

static const char *test_deleted_sender_leaves_queue(void)
{
    seL4_CPtr ep = env_alloc(seL4_EndpointObject, 0);
    helper_t a = helper_start(sender, ep, 1, seL4_MaxPrio);
    seL4_Yield(); /* a blocks sending */
    helper_destroy(&a);
    seL4_Word badge = 9;
    seL4_MessageInfo_t none = seL4_NBRecv(ep, &badge);
    helper_t b = helper_start(sender, ep, 2, seL4_MaxPrio);
    seL4_Recv(ep, NULL);
    seL4_Word word = seL4_GetMR(0);
    helper_destroy(&b);
    CHECK_EQ(badge, 0);
    CHECK_EQ(seL4_MessageInfo_get_length(none), 0);
    CHECK_EQ(word, 2);
    PASS;
}

static const char *test_deleted_caller_drops_reply_cap(void)
{
    seL4_CPtr ep = env_alloc(seL4_EndpointObject, 0), saved = env_slot();
    helper_t h = helper_start(caller, ep, 5, seL4_MaxPrio - 1);
    seL4_Recv(ep, NULL);
    helper_destroy(&h); /* the caller dies waiting for its reply */
    seL4_CNode_SaveCaller(ROOT_CNODE, saved, ROOT_DEPTH);
    CHECK_EQ(seL4_DebugCapIdentify(saved), 0);
    PASS;
}

static const char *test_cancel_badged_sends(void)
{
    seL4_CPtr ep = env_alloc(seL4_EndpointObject, 0), badged = env_slot();
    seL4_CNode_Mint(ROOT_CNODE, badged, ROOT_DEPTH, ROOT_CNODE, ep, ROOT_DEPTH, seL4_AllRights, 0x7);
    /* The sender runs below us, so a timer tick (real time under QEMU) can
     * never let it run between the cancel and the delete: we step down to
     * let it run, and back up when it blocks. */
    helper_t h = helper_start(sender, badged, 3, seL4_MaxPrio - 1);
    seL4_TCB_SetPriority(ROOT_TCB, ROOT_TCB, seL4_MaxPrio - 2);
    seL4_TCB_SetPriority(ROOT_TCB, ROOT_TCB, seL4_MaxPrio); /* blocked sending with badge 7 */
    CHECK_EQ(seL4_CNode_CancelBadgedSends(ROOT_CNODE, badged, ROOT_DEPTH), 0);
    /* Cancelled, the sender restarts its Send and blocks again; revoking
     * the badged cap first makes the restarted Send fail instead. */
    CHECK_EQ(seL4_CNode_Delete(ROOT_CNODE, badged, ROOT_DEPTH), 0);
    seL4_TCB_SetPriority(ROOT_TCB, ROOT_TCB, seL4_MaxPrio - 2);
    seL4_TCB_SetPriority(ROOT_TCB, ROOT_TCB, seL4_MaxPrio);
    seL4_Word badge = 9;
    seL4_NBRecv(ep, &badge);
    helper_destroy(&h);
    CHECK_EQ(badge, 0);
    PASS;
}

/* Sends on cptr 2 of its own CSpace (a radix-4 CNode with a 60-bit guard),
 * then waits there: nothing else in its CSpace to park on. */
static void own_cspace_sender(seL4_Word value, seL4_Word unused)
{
    seL4_Word v = value;
    seL4_SendWithMRs(2, h_msg(0, 1), &v, NULL, NULL, NULL);
    for (;;) seL4_RecvWithMRs(2, NULL, NULL, NULL, NULL, NULL);
}

static const char *test_thread_with_own_cspace(void)
{
    seL4_CPtr ep = env_alloc(seL4_EndpointObject, 0), cnode = env_alloc(seL4_CapTableObject, 4);
    CHECK_EQ(seL4_CNode_Mint(cnode, 2, 4, ROOT_CNODE, ep, ROOT_DEPTH, seL4_AllRights, 0x22), 0);
    helper_t h = helper_create(own_cspace_sender, 0x99, 0, seL4_MaxPrio);
    seL4_Word guard = seL4_CNode_CapData_new(0, 60).words[0];
    CHECK_EQ(seL4_TCB_SetSpace(h.tcb, 0, cnode, guard, ROOT_VSPACE, 0), 0);
    seL4_TCB_Resume(h.tcb);
    seL4_Word badge = 0;
    seL4_Recv(ep, &badge);
    seL4_Word word = seL4_GetMR(0);
    helper_destroy(&h);
    CHECK_EQ(badge, 0x22);
    CHECK_EQ(word, 0x99);
    PASS;
}

const test_case_t ipc_tests[] = {
    {"ipc_call_reply", test_call_reply},
    {"ipc_badge_delivered", test_badge_delivered},
    {"ipc_four_register_mrs", test_four_register_mrs},
    {"ipc_long_message_via_buffer", test_long_message_via_buffer},
    {"ipc_length_clamped_to_max", test_length_clamped_to_max},
    {"ipc_send_blocks_until_recv", test_send_blocks_until_recv},
    {"ipc_nbrecv_empty", test_nbrecv_empty},
    {"ipc_nbsend_without_receiver_dropped", test_nbsend_without_receiver_dropped},
    {"ipc_fifo_order", test_fifo_order},
    {"ipc_reply_cap_one_shot", test_reply_cap_one_shot},
    {"ipc_call_without_grant_no_reply_cap", test_call_without_grant_no_reply_cap},
    {"ipc_call_null_cap_error", test_call_null_cap_error},
    {"ipc_cap_transfer_with_grant", test_cap_transfer_with_grant},
    {"ipc_cap_transfer_needs_grant", test_cap_transfer_needs_grant},
    {"ipc_cap_unwrapped_to_badge", test_cap_unwrapped_to_badge},
    {"ipc_fastpath_matches_slowpath", test_fastpath_matches_slowpath},
    {"ipc_send_on_null_cap_ignored", test_send_on_null_cap_ignored},
    {"ipc_recv_badge_and_label", test_recv_after_yield_gets_label},
    {"ipc_deleted_sender_leaves_queue", test_deleted_sender_leaves_queue},
    {"ipc_deleted_caller_drops_reply_cap", test_deleted_caller_drops_reply_cap},
    {"ipc_cancel_badged_sends", test_cancel_badged_sends},
    {"ipc_thread_with_own_cspace", test_thread_with_own_cspace},
    {NULL, NULL},
};
