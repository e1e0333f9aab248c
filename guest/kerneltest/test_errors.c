/* Error paths: bad caps, wrong types, missing rights, short messages, and
 * user access to kernel memory; none may disturb the kernel. */
#include "test.h"

static seL4_Word call_label(seL4_CPtr cap, seL4_Word label, seL4_Word length, seL4_Word extra)
{
    return seL4_MessageInfo_get_label(seL4_Call(cap, seL4_MessageInfo_new(label, 0, extra, length)));
}

static const char *test_initial_cap_types(void)
{
    static const seL4_Word expected[] = {0, 12, 10, 9, 14, 11, 13, 17, 0, 1, 1, 20, 0, 0, 0, 0};
    for (seL4_Word slot = 0; slot < sizeof(expected) / sizeof(expected[0]); slot++)
        if (seL4_DebugCapIdentify(slot) != expected[slot])
            FAIL("slot %lu has cap type %u, expected %lu", slot, seL4_DebugCapIdentify(slot), expected[slot]);
    PASS;
}

static const char *test_bootinfo_consistent(void)
{
    seL4_BootInfo *bi = env_bootinfo;
    CHECK_EQ(bi->initThreadCNodeSizeBits, 12);
    CHECK_EQ(bi->numNodes, 1);
    CHECK_EQ((seL4_Word)bi->ipcBuffer, (seL4_Word)seL4_GetIPCBuffer());
    CHECK(bi->untyped.end > bi->untyped.start);
    CHECK(bi->userImageFrames.end > bi->userImageFrames.start);
    CHECK_EQ(bi->empty.end, 1ul << 12);
    CHECK_EQ(seL4_DebugCapIdentify(bi->userImageFrames.start), 1);
    CHECK_EQ(seL4_DebugCapIdentify(bi->untyped.start), 2);
    seL4_Word total = 0;
    for (seL4_Word i = 0; i < bi->untyped.end - bi->untyped.start; i++) {
        seL4_UntypedDesc *d = &bi->untypedList[i];
        CHECK_EQ(d->paddr & ((1ul << d->sizeBits) - 1), 0);
        if (!d->isDevice) total += 1ul << d->sizeBits;
    }
    CHECK(total > (16ul << 20));
    PASS;
}

static const char *test_wrong_label_for_untyped(void)
{
    seL4_CPtr ut = env_alloc(seL4_UntypedObject, 12);
    CHECK_EQ(call_label(ut, TCBConfigure, 0, 0), seL4_IllegalOperation);
    PASS;
}

static const char *test_retype_truncated(void)
{
    seL4_CPtr ut = env_alloc(seL4_UntypedObject, 12);
    seL4_SetCap(0, ROOT_CNODE);
    CHECK_EQ(call_label(ut, UntypedRetype, 3, 1), seL4_TruncatedMessage);
    CHECK_EQ(call_label(ut, UntypedRetype, 6, 0), seL4_TruncatedMessage);
    PASS;
}

static const char *test_cnode_label_on_tcb(void)
{
    CHECK_EQ(call_label(ROOT_TCB, CNodeCopy, 6, 0), seL4_IllegalOperation);
    PASS;
}

static const char *test_unknown_label_on_cnode(void)
{
    CHECK_EQ(call_label(ROOT_CNODE, 99, 2, 0), seL4_IllegalOperation);
    CHECK_EQ(call_label(ROOT_CNODE, CNodeDelete, 1, 0), seL4_TruncatedMessage);
    PASS;
}

static const char *test_map_with_wrong_vspace_cap(void)
{
    seL4_Word va = env_region(1);
    seL4_CPtr frame = env_alloc(seL4_X86_4K, 0), ep = env_alloc(seL4_EndpointObject, 0);
    CHECK_EQ(seL4_X86_Page_Map(frame, ep, va, seL4_AllRights, 0), seL4_InvalidCapability);
    CHECK_EQ(seL4_GetMR(0), 1);
    PASS;
}

static const char *test_frame_invocation_truncated(void)
{
    seL4_CPtr frame = env_alloc(seL4_X86_4K, 0);
    CHECK_EQ(call_label(frame, X86PageMap, 2, 0), seL4_TruncatedMessage);
    PASS;
}

static const char *test_irq_control_not_supported(void)
{
    CHECK_EQ(call_label(seL4_CapIRQControl, IRQIssueIRQHandler, 0, 0), seL4_IllegalOperation);
    PASS;
}

static const char *test_kernel_image_unreadable(void)
{
    fault_msg_t f = env_touch(0xffffffff80100000ul, 0);
    CHECK_EQ(f.label, seL4_Fault_VMFault);
    CHECK_EQ(f.mr[seL4_VMFault_FSR], 5); /* present, user read: a protection fault */
    PASS;
}

static const char *test_kernel_window_unwritable(void)
{
    fault_msg_t f = env_touch(0xffffff8000001000ul, 1);
    CHECK_EQ(f.label, seL4_Fault_VMFault);
    CHECK_EQ(f.mr[seL4_VMFault_FSR], 7);
    PASS;
}

static const char *test_noncanonical_access(void)
{
    fault_msg_t f = env_touch(0x8000000000000000ul, 0);
    CHECK_EQ(f.label, seL4_Fault_UserException);
    CHECK_EQ(f.mr[seL4_UserException_Number], 13);
    PASS;
}

static seL4_IPCBuffer *volatile invoker_ipc;

/* Invokes an untyped with an extra cap that does not resolve. */
static void bad_extra_cap(seL4_Word ut, seL4_Word bad_cptr)
{
    invoker_ipc->caps_or_badges[0] = bad_cptr;
    seL4_Word a = 0, b = 0, c = 0, d = 0;
    seL4_CallWithMRs(ut, seL4_MessageInfo_new(UntypedRetype, 0, 1, 4), &a, &b, &c, &d);
}

static const char *test_extra_cap_lookup_fault(void)
{
    seL4_CPtr ut = env_alloc(seL4_UntypedObject, 12);
    seL4_Word bad = 0xbad0000000000001ul;
    helper_t h = helper_create(bad_extra_cap, ut, bad, seL4_MaxPrio - 1);
    invoker_ipc = h.ipc;
    seL4_TCB_Resume(h.tcb);
    fault_msg_t f = env_fault_of(&h);
    CHECK_EQ(f.label, seL4_Fault_CapFault);
    CHECK_EQ(f.mr[seL4_CapFault_Addr], bad);
    CHECK_EQ(f.mr[seL4_CapFault_InRecvPhase], 0);
    PASS;
}

static const char *test_invoke_null_cap(void)
{
    CHECK_EQ(call_label(env_slot(), TCBResume, 0, 0), seL4_InvalidCapability);
    CHECK_EQ(seL4_GetMR(0), 0);
    PASS;
}

static volatile seL4_Word replies_seen[2];
static seL4_CPtr server_got, server_go;

/* Calls ep_a, then ep_b, recording each reply word. */
static void two_calls(seL4_Word ep_a, seL4_Word ep_b)
{
    seL4_Word v = 1;
    seL4_CallWithMRs(ep_a, h_msg(0, 1), &v, NULL, NULL, NULL);
    replies_seen[0] = v;
    v = 2;
    seL4_CallWithMRs(ep_b, h_msg(0, 1), &v, NULL, NULL, NULL);
    replies_seen[1] = v;
    seL4_Signal(env_done_ntfn);
}

/* Takes one Call on ep, says so, and replies 0xb once told to. */
static void late_server(seL4_Word ep, seL4_Word unused)
{
    seL4_RecvWithMRs(ep, NULL, NULL, NULL, NULL, NULL);
    seL4_Signal(server_got);
    seL4_Wait(server_go, NULL);
    seL4_Word r = 0xb;
    seL4_ReplyWithMRs(h_msg(0, 1), &r, NULL, NULL, NULL);
}

/* A Reply with no caller does nothing: the replier's registers come back as
 * they were, and a reply cap used up earlier is not used again even though
 * its caller now waits for another server's reply. */
static const char *test_reply_without_caller_ignored(void)
{
    const seL4_Word sent_info = seL4_MessageInfo_new(0x31, 0, 0, 4).words[0];
    seL4_Word dest = 0x77, info = sent_info, mr[4] = {0x1111, 0x2222, 0x3333, 0x4444};
    x64sim_syscall(seL4_SysReply, &dest, &info, &mr[0], &mr[1], &mr[2], &mr[3]);
    CHECK_EQ(dest, 0x77);
    CHECK_EQ(info, sent_info);
    CHECK_EQ(mr[0], 0x1111);
    CHECK_EQ(mr[3], 0x4444);

    seL4_CPtr ep_a = env_alloc(seL4_EndpointObject, 0), ep_b = env_alloc(seL4_EndpointObject, 0);
    server_got = env_alloc(seL4_NotificationObject, 0);
    server_go = env_alloc(seL4_NotificationObject, 0);
    replies_seen[0] = replies_seen[1] = 0;
    helper_t server = helper_start(late_server, ep_b, 0, seL4_MaxPrio);
    helper_t client = helper_start(two_calls, ep_a, ep_b, seL4_MaxPrio - 1);
    seL4_Recv(ep_a, NULL); /* the client's first Call */
    seL4_SetMR(0, 0xa);
    seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 1));
    seL4_Wait(server_got, NULL); /* the client now waits for the server's reply */
    seL4_SetMR(0, 0x99);
    seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 1)); /* no caller: must reach nobody */
    seL4_Signal(server_go);
    seL4_Wait(env_done_ntfn, NULL);
    helper_destroy(&client);
    helper_destroy(&server);
    CHECK_EQ(replies_seen[0], 0xa);
    CHECK_EQ(replies_seen[1], 0xb);
    PASS;
}

#define COM1 0x3f8

static const char *test_io_ports(void)
{
    seL4_CPtr ports = env_slot(), other = env_slot();
    CHECK_EQ(seL4_X86_IOPortControl_Issue(seL4_CapIOPortControl, COM1, COM1 + 7, ROOT_CNODE, ports, ROOT_DEPTH), 0);
    CHECK_EQ(seL4_DebugCapIdentify(ports), 19);
    /* The line status register: the transmitter holding register is empty
     * again (16550: LSR bit 5). */
    seL4_X86_IOPort_In8_t lsr = seL4_X86_IOPort_In8(ports, COM1 + 5);
    CHECK_EQ(lsr.error, 0);
    CHECK(lsr.result & 0x20);
    CHECK_EQ(seL4_X86_IOPort_In8(ports, COM1 + 8).error, seL4_IllegalOperation);
    CHECK_EQ(seL4_X86_IOPort_In32(ports, COM1 + 6).error, seL4_IllegalOperation);
    CHECK_EQ(seL4_X86_IOPortControl_Issue(seL4_CapIOPortControl, COM1 + 4, COM1 + 9, ROOT_CNODE, other, ROOT_DEPTH),
             seL4_RevokeFirst);
    CHECK_EQ(seL4_X86_IOPortControl_Issue(seL4_CapIOPortControl, 0x80, 0x70, ROOT_CNODE, other, ROOT_DEPTH),
             seL4_InvalidArgument);
    CHECK_EQ(seL4_CNode_Delete(ROOT_CNODE, ports, ROOT_DEPTH), 0);
    CHECK_EQ(seL4_X86_IOPortControl_Issue(seL4_CapIOPortControl, COM1 + 4, COM1 + 9, ROOT_CNODE, other, ROOT_DEPTH), 0);
    CHECK_EQ(seL4_CNode_Revoke(ROOT_CNODE, seL4_CapIOPortControl, ROOT_DEPTH), 0);
    CHECK_EQ(seL4_DebugCapIdentify(other), 0);
    CHECK_EQ(seL4_CNode_Copy(ROOT_CNODE, env_slot(), ROOT_DEPTH, ROOT_CNODE, seL4_CapIOPortControl, ROOT_DEPTH,
                             seL4_AllRights),
             seL4_IllegalOperation);
    PASS;
}

const test_case_t error_tests[] = {
    {"error_initial_cap_types", test_initial_cap_types},
    {"error_bootinfo_consistent", test_bootinfo_consistent},
    {"error_wrong_label_for_untyped", test_wrong_label_for_untyped},
    {"error_retype_truncated", test_retype_truncated},
    {"error_cnode_label_on_tcb", test_cnode_label_on_tcb},
    {"error_unknown_label_on_cnode", test_unknown_label_on_cnode},
    {"error_map_with_wrong_vspace_cap", test_map_with_wrong_vspace_cap},
    {"error_frame_invocation_truncated", test_frame_invocation_truncated},
    {"error_irq_control_not_supported", test_irq_control_not_supported},
    {"error_kernel_image_unreadable", test_kernel_image_unreadable},
    {"error_kernel_window_unwritable", test_kernel_window_unwritable},
    {"error_noncanonical_access", test_noncanonical_access},
    {"error_extra_cap_lookup_fault", test_extra_cap_lookup_fault},
    {"error_invoke_null_cap", test_invoke_null_cap},
    {"error_reply_without_caller_ignored", test_reply_without_caller_ignored},
    {"error_io_ports", test_io_ports},
    {NULL, NULL},
};
