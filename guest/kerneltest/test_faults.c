/* Faults: VM faults, user exceptions, unknown syscalls and cap faults
 * delivered to the fault endpoint with seL4's message layout; replies that
 * restart or redirect the thread; threads without a handler stop. */
#include "test.h"

static volatile seL4_Word progress;

static void ud_then_continue(seL4_Word unused0, seL4_Word unused1)
{
    __asm__ volatile("ud2");
    progress = 1;
    seL4_SendWithMRs(env_fault_ep, h_msg(NO_FAULT_LABEL, 0), NULL, NULL, NULL, NULL);
}

static const char *test_vm_fault_read(void)
{
    seL4_Word va = env_region(0) + 0x18;
    fault_msg_t f = env_touch(va, 0);
    CHECK_EQ(f.label, seL4_Fault_VMFault);
    CHECK_EQ(f.length, seL4_VMFault_Length);
    CHECK_EQ(f.mr[seL4_VMFault_Addr], va);
    CHECK_EQ(f.mr[seL4_VMFault_PrefetchFault], 0);
    CHECK_EQ(f.mr[seL4_VMFault_FSR], 4);
    CHECK(f.mr[seL4_VMFault_IP] >= 0x400000 && f.mr[seL4_VMFault_IP] < 0x800000);
    PASS;
}

static const char *test_vm_fault_write(void)
{
    seL4_Word va = env_region(0);
    fault_msg_t f = env_touch(va, 1);
    CHECK_EQ(f.label, seL4_Fault_VMFault);
    CHECK_EQ(f.mr[seL4_VMFault_FSR], 6);
    PASS;
}

static void jump_to(seL4_Word target, seL4_Word unused)
{
    ((void (*)(void))target)();
}

static const char *test_instruction_fetch_fault(void)
{
    /* No EFER.NXE, no SMEP: the #PF error code has no I/D bit (SDM 4.7). */
    seL4_Word va = env_region(0) + 0x40;
    helper_t h = helper_start(jump_to, va, 0, seL4_MaxPrio - 1);
    fault_msg_t f = env_fault_of(&h);
    CHECK_EQ(f.label, seL4_Fault_VMFault);
    CHECK_EQ(f.mr[seL4_VMFault_IP], va);
    CHECK_EQ(f.mr[seL4_VMFault_Addr], va);
    CHECK_EQ(f.mr[seL4_VMFault_FSR], 4);
    CHECK_EQ(f.mr[seL4_VMFault_PrefetchFault], 0);
    PASS;
}

static const char *test_fault_badge_names_thread(void)
{
    helper_t h = helper_start(jump_to, 0, 0, seL4_MaxPrio - 1);
    seL4_Word expect = (seL4_Word)h.index + 1;
    fault_msg_t f = env_fault_of(&h);
    CHECK_EQ(f.badge, expect);
    CHECK_EQ(f.mr[seL4_VMFault_Addr], 0);
    PASS;
}

static const char *test_user_exception_ud(void)
{
    helper_t h = helper_start(ud_then_continue, 0, 0, seL4_MaxPrio - 1);
    fault_msg_t f = env_fault_of(&h);
    CHECK_EQ(f.label, seL4_Fault_UserException);
    CHECK_EQ(f.length, seL4_UserException_Length);
    CHECK_EQ(f.mr[seL4_UserException_Number], 6);
    CHECK_EQ(f.mr[seL4_UserException_Code], 0);
    CHECK_EQ(*(unsigned short *)f.mr[seL4_UserException_FaultIP], 0x0b0f); /* ud2 */
    CHECK_EQ(f.mr[seL4_UserException_FLAGS] & 0x200, 0x200);
    PASS;
}

/* RFLAGS.DF is user state: the kernel's C code (string instructions in
 * its IPC transfer) must not run with the user's DF set. */
static void fault_with_df_set(seL4_Word addr, seL4_Word unused)
{
    __asm__ volatile("std\n\tmovq (%0), %%rax" : : "r"(addr) : "rax", "memory");
}

static const char *test_fault_with_df_set(void)
{
    seL4_Word va = env_region(0) + 0x28;
    for (int round = 0; round < 3; round++) {
        helper_t h = helper_start(fault_with_df_set, va, 0, seL4_MaxPrio - 1);
        seL4_Word expect_badge = (seL4_Word)h.index + 1;
        fault_msg_t f = env_fault_of(&h);
        CHECK_EQ(f.badge, expect_badge);
        CHECK_EQ(f.label, seL4_Fault_VMFault);
        CHECK_EQ(f.length, seL4_VMFault_Length);
        CHECK_EQ(f.mr[seL4_VMFault_Addr], va);
        CHECK_EQ(f.mr[seL4_VMFault_FSR], 4);
        CHECK_EQ(f.mr[seL4_VMFault_PrefetchFault], 0);
    }
    /* The kernel still transfers a long message correctly afterwards. */
    seL4_CPtr ep = env_alloc(seL4_EndpointObject, 0);
    CHECK(ep);
    for (int i = 0; i < 20; i++) seL4_SetMR(i, 0x1000 + i);
    seL4_NBSend(ep, seL4_MessageInfo_new(0, 0, 0, 20));
    PASS;
}

static void privileged(seL4_Word unused0, seL4_Word unused1) { __asm__ volatile("hlt"); }

static const char *test_user_exception_gp(void)
{
    helper_t h = helper_start(privileged, 0, 0, seL4_MaxPrio - 1);
    fault_msg_t f = env_fault_of(&h);
    CHECK_EQ(f.label, seL4_Fault_UserException);
    CHECK_EQ(f.mr[seL4_UserException_Number], 13);
    CHECK_EQ(f.mr[seL4_UserException_Code], 0);
    PASS;
}

static void divide(seL4_Word divisor, seL4_Word unused)
{
    seL4_Word q;
    __asm__ volatile("xor %%edx, %%edx\n\tmov $7, %%eax\n\tdivq %1" : "=a"(q) : "r"(divisor) : "rdx");
    progress = q;
}

static const char *test_user_exception_divide(void)
{
    helper_t h = helper_start(divide, 0, 0, seL4_MaxPrio - 1);
    fault_msg_t f = env_fault_of(&h);
    CHECK_EQ(f.label, seL4_Fault_UserException);
    CHECK_EQ(f.mr[seL4_UserException_Number], 0);
    PASS;
}

static void writer(seL4_Word va, seL4_Word value)
{
    *(volatile seL4_Word *)va = value;
    progress = *(volatile seL4_Word *)va;
    seL4_SendWithMRs(env_fault_ep, h_msg(NO_FAULT_LABEL, 0), NULL, NULL, NULL, NULL);
}

static const char *test_reply_restarts_after_mapping(void)
{
    seL4_Word va = env_region(1);
    progress = 0;
    helper_t h = helper_start(writer, va, 0x99, seL4_MaxPrio - 1);
    seL4_MessageInfo_t first = seL4_Recv(env_fault_ep, NULL);
    seL4_CPtr frame = env_map_new_frame(va);
    seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 0));
    seL4_MessageInfo_t second = seL4_Recv(env_fault_ep, NULL);
    helper_destroy(&h);
    CHECK_EQ(seL4_MessageInfo_get_label(first), seL4_Fault_VMFault);
    CHECK(frame);
    CHECK_EQ(seL4_MessageInfo_get_label(second), NO_FAULT_LABEL);
    CHECK_EQ(progress, 0x99);
    PASS;
}

static const char *test_reply_moves_past_exception(void)
{
    progress = 0;
    helper_t h = helper_start(ud_then_continue, 0, 0, seL4_MaxPrio - 1);
    seL4_MessageInfo_t first = seL4_Recv(env_fault_ep, NULL);
    seL4_Word ip = seL4_GetMR(0), sp = seL4_GetMR(1), flags = seL4_GetMR(2);
    seL4_SetMR(0, ip + 2);
    seL4_SetMR(1, sp);
    seL4_SetMR(2, flags);
    seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 3));
    seL4_MessageInfo_t second = seL4_Recv(env_fault_ep, NULL);
    helper_destroy(&h);
    CHECK_EQ(seL4_MessageInfo_get_label(first), seL4_Fault_UserException);
    CHECK_EQ(seL4_MessageInfo_get_label(second), NO_FAULT_LABEL);
    CHECK_EQ(progress, 1);
    PASS;
}

static const char *test_reply_nonzero_label_stops(void)
{
    progress = 0;
    helper_t h = helper_start(ud_then_continue, 0, 0, seL4_MaxPrio - 1);
    seL4_Recv(env_fault_ep, NULL);
    seL4_SetMR(0, seL4_GetMR(0) + 2);
    seL4_Reply(seL4_MessageInfo_new(1, 0, 0, 1)); /* label != 0: do not resume */
    seL4_Word badge = 7;
    seL4_NBRecv(env_fault_ep, &badge);
    seL4_UserContext regs;
    seL4_Error err = seL4_TCB_ReadRegisters(h.tcb, 0, 0, 1, &regs);
    helper_destroy(&h);
    CHECK_EQ(badge, 0);
    CHECK_EQ(progress, 0);
    CHECK_EQ(err, 0);
    CHECK_EQ(*(unsigned short *)(regs.rip - 2), 0x0b0f); /* IP was advanced past ud2 */
    PASS;
}

static void bad_syscall(seL4_Word unused0, seL4_Word unused1)
{
    __asm__ volatile("mov $42, %%rdx\n\tmov %%rsp, %%rbx\n\tsyscall\n\tmov %%rbx, %%rsp"
                     :
                     :
                     : "rdx", "rbx", "rcx", "r11", "memory");
    progress = 2;
    seL4_SendWithMRs(env_fault_ep, h_msg(NO_FAULT_LABEL, 0), NULL, NULL, NULL, NULL);
}

static const char *test_unknown_syscall(void)
{
    progress = 0;
    helper_t h = helper_start(bad_syscall, 0, 0, seL4_MaxPrio - 1);
    seL4_MessageInfo_t first = seL4_Recv(env_fault_ep, NULL);
    seL4_Word number = seL4_GetMR(seL4_UnknownSyscall_Syscall), rdx = seL4_GetMR(seL4_UnknownSyscall_RDX);
    seL4_Word ip = seL4_GetMR(seL4_UnknownSyscall_FaultIP);
    seL4_SetMR(seL4_UnknownSyscall_FaultIP, ip + 2);
    seL4_Reply(seL4_MessageInfo_new(0, 0, 0, seL4_UnknownSyscall_FaultIP + 1));
    seL4_MessageInfo_t second = seL4_Recv(env_fault_ep, NULL);
    helper_destroy(&h);
    CHECK_EQ(seL4_MessageInfo_get_label(first), seL4_Fault_UnknownSyscall);
    CHECK_EQ(seL4_MessageInfo_get_length(first), seL4_UnknownSyscall_Length);
    CHECK_EQ(number, 42);
    CHECK_EQ(rdx, 42);
    CHECK_EQ(*(unsigned short *)ip, 0x050f); /* syscall */
    CHECK_EQ(seL4_MessageInfo_get_label(second), NO_FAULT_LABEL);
    CHECK_EQ(progress, 2);
    PASS;
}

static void call_cptr(seL4_Word cptr, seL4_Word unused)
{
    seL4_CallWithMRs(cptr, h_msg(0, 0), NULL, NULL, NULL, NULL);
}

static void recv_cptr(seL4_Word cptr, seL4_Word unused) { seL4_RecvWithMRs(cptr, NULL, NULL, NULL, NULL, NULL); }

static const char *test_cap_fault_send_phase(void)
{
    seL4_Word bad = 1ul << 60;
    helper_t h = helper_start(call_cptr, bad, 0, seL4_MaxPrio - 1);
    fault_msg_t f = env_fault_of(&h);
    CHECK_EQ(f.label, seL4_Fault_CapFault);
    CHECK_EQ(f.mr[seL4_CapFault_Addr], bad);
    CHECK_EQ(f.mr[seL4_CapFault_InRecvPhase], 0);
    CHECK_EQ(f.mr[seL4_CapFault_LookupFailureType], seL4_GuardMismatch);
    CHECK_EQ(f.mr[seL4_CapFault_BitsLeft], 64);
    CHECK_EQ(f.mr[seL4_CapFault_GuardMismatch_BitsFound], 52);
    PASS;
}

static const char *test_cap_fault_receive_phase(void)
{
    seL4_CPtr ep = env_alloc(seL4_EndpointObject, 0), write_only = env_slot();
    seL4_CNode_Mint(ROOT_CNODE, write_only, ROOT_DEPTH, ROOT_CNODE, ep, ROOT_DEPTH, seL4_CanWrite, 0);
    helper_t h = helper_start(recv_cptr, write_only, 0, seL4_MaxPrio - 1);
    fault_msg_t f = env_fault_of(&h);
    CHECK_EQ(f.label, seL4_Fault_CapFault);
    CHECK_EQ(f.mr[seL4_CapFault_Addr], write_only);
    CHECK_EQ(f.mr[seL4_CapFault_InRecvPhase], 1);
    CHECK_EQ(f.mr[seL4_CapFault_LookupFailureType], seL4_MissingCapability);
    PASS;
}

static const char *test_no_handler_stops_thread(void)
{
    progress = 0;
    helper_t h = helper_create(ud_then_continue, 0, 0, seL4_MaxPrio);
    seL4_TCB_SetSpace(h.tcb, seL4_CapNull, ROOT_CNODE, 0, ROOT_VSPACE, 0);
    seL4_TCB_Resume(h.tcb);
    seL4_Yield(); /* it runs, faults, is reported and becomes inactive */
    seL4_Yield();
    seL4_UserContext regs;
    seL4_Error err = seL4_TCB_ReadRegisters(h.tcb, 0, 0, 2, &regs);
    helper_destroy(&h);
    CHECK_EQ(err, 0);
    CHECK_EQ(progress, 0);
    CHECK_EQ(*(unsigned short *)regs.rip, 0x0b0f);
    PASS;
}

static const char *test_handler_needs_grant(void)
{
    seL4_CPtr ep = env_alloc(seL4_EndpointObject, 0), no_grant = env_slot();
    seL4_CNode_Mint(ROOT_CNODE, no_grant, ROOT_DEPTH, ROOT_CNODE, ep, ROOT_DEPTH, seL4_ReadWrite, 0);
    progress = 0;
    helper_t h = helper_create(ud_then_continue, 0, 0, seL4_MaxPrio);
    seL4_TCB_SetSpace(h.tcb, no_grant, ROOT_CNODE, 0, ROOT_VSPACE, 0);
    seL4_TCB_Resume(h.tcb);
    seL4_Yield();
    seL4_Word badge = 5;
    seL4_MessageInfo_t info = seL4_NBRecv(ep, &badge);
    helper_destroy(&h);
    CHECK_EQ(badge, 0);
    CHECK_EQ(seL4_MessageInfo_get_label(info), 0);
    CHECK_EQ(progress, 0);
    PASS;
}

const test_case_t fault_tests[] = {
    {"fault_vm_read", test_vm_fault_read},
    {"fault_vm_write", test_vm_fault_write},
    {"fault_instruction_fetch", test_instruction_fetch_fault},
    {"fault_badge_names_thread", test_fault_badge_names_thread},
    {"fault_user_exception_ud", test_user_exception_ud},
    {"fault_user_exception_gp", test_user_exception_gp},
    {"fault_with_df_set", test_fault_with_df_set},
    {"fault_user_exception_divide", test_user_exception_divide},
    {"fault_reply_restarts_after_mapping", test_reply_restarts_after_mapping},
    {"fault_reply_moves_past_exception", test_reply_moves_past_exception},
    {"fault_reply_nonzero_label_stops", test_reply_nonzero_label_stops},
    {"fault_unknown_syscall", test_unknown_syscall},
    {"fault_cap_fault_send_phase", test_cap_fault_send_phase},
    {"fault_cap_fault_receive_phase", test_cap_fault_receive_phase},
    {"fault_no_handler_stops_thread", test_no_handler_stops_thread},
    {"fault_handler_needs_grant", test_handler_needs_grant},
    {NULL, NULL},
};
