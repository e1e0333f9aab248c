/* TCB register access and configuration. */
#include "test.h"

static volatile seL4_Word seen_fs;

static void idle_helper(seL4_Word unused0, seL4_Word unused1) {}

static const char *test_write_read_roundtrip(void)
{
    helper_t h = helper_create(idle_helper, 0, 0, 10);
    seL4_UserContext in, out;
    seL4_Word *w = (seL4_Word *)&in;
    for (int i = 0; i < 20; i++) w[i] = 0x1000 + (seL4_Word)i * 0x111;
    in.rflags = 0x8d5;
    seL4_Error we = seL4_TCB_WriteRegisters(h.tcb, 0, 0, 20, &in);
    seL4_Error re = seL4_TCB_ReadRegisters(h.tcb, 0, 0, 20, &out);
    helper_destroy(&h);
    CHECK_EQ(we, 0);
    CHECK_EQ(re, 0);
    seL4_Word *o = (seL4_Word *)&out;
    for (int i = 0; i < 20; i++)
        if (i != 2 && o[i] != w[i]) FAIL("register %d is %#lx, wrote %#lx", i, o[i], w[i]);
    CHECK_EQ(out.rflags, 0x8d5 | 0x202);
    PASS;
}

static const char *test_rflags_sanitised(void)
{
    helper_t h = helper_create(idle_helper, 0, 0, 10);
    seL4_UserContext regs;
    seL4_TCB_ReadRegisters(h.tcb, 0, 0, 3, &regs);
    regs.rflags = ~0ul;
    seL4_TCB_WriteRegisters(h.tcb, 0, 0, 3, &regs);
    seL4_TCB_ReadRegisters(h.tcb, 0, 0, 3, &regs);
    helper_destroy(&h);
    /* Arithmetic flags and DF are the user's; IF stays set, IOPL/TF clear. */
    CHECK_EQ(regs.rflags, 0xcd5 | 0x202);
    PASS;
}

static const char *test_noncanonical_ip_zeroed(void)
{
    helper_t h = helper_create(idle_helper, 0, 0, 10);
    seL4_UserContext regs;
    seL4_TCB_ReadRegisters(h.tcb, 0, 0, 1, &regs);
    regs.rip = 0x0000800000000000ul;
    seL4_TCB_WriteRegisters(h.tcb, 0, 0, 1, &regs);
    seL4_TCB_ReadRegisters(h.tcb, 0, 0, 1, &regs);
    helper_destroy(&h);
    CHECK_EQ(regs.rip, 0);
    PASS;
}

static const char *test_read_self_fails(void)
{
    seL4_UserContext regs;
    CHECK_EQ(seL4_TCB_ReadRegisters(ROOT_TCB, 0, 0, 1, &regs), seL4_IllegalOperation);
    CHECK_EQ(seL4_TCB_WriteRegisters(ROOT_TCB, 0, 0, 1, &regs), seL4_IllegalOperation);
    PASS;
}

static const char *test_read_count_range(void)
{
    helper_t h = helper_create(idle_helper, 0, 0, 10);
    seL4_UserContext regs;
    seL4_Error zero = seL4_TCB_ReadRegisters(h.tcb, 0, 0, 0, &regs);
    seL4_Word min = seL4_GetMR(0), max = seL4_GetMR(1);
    seL4_Error many = seL4_TCB_ReadRegisters(h.tcb, 0, 0, 21, &regs);
    helper_destroy(&h);
    CHECK_EQ(zero, seL4_RangeError);
    CHECK_EQ(min, 1);
    CHECK_EQ(max, 20);
    CHECK_EQ(many, seL4_RangeError);
    PASS;
}

static const char *test_write_truncated(void)
{
    helper_t h = helper_create(idle_helper, 0, 0, 10);
    seL4_SetMR(0, 0);
    seL4_SetMR(1, 10); /* ten registers announced, three sent */
    seL4_MessageInfo_t r = seL4_Call(h.tcb, seL4_MessageInfo_new(TCBWriteRegisters, 0, 0, 5));
    helper_destroy(&h);
    CHECK_EQ(seL4_MessageInfo_get_label(r), seL4_TruncatedMessage);
    PASS;
}

static const char *test_copy_registers(void)
{
    helper_t a = helper_create(idle_helper, 0, 0, 10), b = helper_create(idle_helper, 0, 0, 10);
    seL4_UserContext in, out;
    seL4_TCB_ReadRegisters(a.tcb, 0, 0, 20, &in);
    in.rax = 0xaaaa;
    in.r12 = 0xcccc;
    seL4_TCB_WriteRegisters(a.tcb, 0, 0, 20, &in);
    seL4_Error frame_only = seL4_TCB_CopyRegisters(b.tcb, a.tcb, 0, 0, 1, 0, 0);
    seL4_TCB_ReadRegisters(b.tcb, 0, 0, 20, &out);
    seL4_Word rax_after_frame = out.rax, r12_after_frame = out.r12;
    seL4_TCB_CopyRegisters(b.tcb, a.tcb, 0, 0, 0, 1, 0);
    seL4_TCB_ReadRegisters(b.tcb, 0, 0, 20, &out);
    helper_destroy(&a);
    helper_destroy(&b);
    CHECK_EQ(frame_only, 0);
    CHECK_EQ(rax_after_frame, 0xaaaa);
    CHECK(r12_after_frame != 0xcccc);
    CHECK_EQ(out.r12, 0xcccc);
    PASS;
}

static const char *test_copy_registers_needs_tcb(void)
{
    helper_t a = helper_create(idle_helper, 0, 0, 10);
    seL4_Error err = seL4_TCB_CopyRegisters(a.tcb, ROOT_CNODE, 0, 0, 1, 1, 0);
    helper_destroy(&a);
    CHECK_EQ(err, seL4_InvalidCapability);
    PASS;
}

static void read_fs(seL4_Word unused0, seL4_Word unused1)
{
    seL4_Word v;
    __asm__ volatile("mov %%fs:8, %0" : "=r"(v));
    seen_fs = v;
    seL4_Signal(env_done_ntfn);
}

static const char *test_tls_base(void)
{
    static seL4_Word tls_block[4] = {0, 0x7175, 0, 0};
    seen_fs = 0;
    helper_t h = helper_create(read_fs, 0, 0, seL4_MaxPrio);
    CHECK_EQ(seL4_TCB_SetTLSBase(h.tcb, (seL4_Word)tls_block), 0);
    seL4_UserContext regs;
    seL4_TCB_ReadRegisters(h.tcb, 0, 0, 20, &regs);
    seL4_TCB_Resume(h.tcb);
    seL4_Wait(env_done_ntfn, NULL);
    helper_destroy(&h);
    CHECK_EQ(regs.fs_base, (seL4_Word)tls_block);
    CHECK_EQ(seen_fs, 0x7175);
    PASS;
}

static const char *test_configure_bad_cspace(void)
{
    helper_t h = helper_create(idle_helper, 0, 0, 10);
    seL4_CPtr ep = env_alloc(seL4_EndpointObject, 0);
    seL4_Error err = seL4_TCB_Configure(h.tcb, 0, ep, 0, ROOT_VSPACE, 0, 0, 0);
    helper_destroy(&h);
    CHECK_EQ(err, seL4_IllegalOperation);
    PASS;
}

static const char *test_configure_bad_vspace(void)
{
    helper_t h = helper_create(idle_helper, 0, 0, 10);
    seL4_CPtr unassigned = env_alloc(seL4_X64_PML4Object, 0);
    seL4_Error err = seL4_TCB_SetSpace(h.tcb, 0, ROOT_CNODE, 0, unassigned, 0);
    helper_destroy(&h);
    CHECK_EQ(err, seL4_IllegalOperation);
    PASS;
}

static const char *test_ipc_buffer_unaligned(void)
{
    helper_t h = helper_create(idle_helper, 0, 0, 10);
    seL4_CPtr frame = env_alloc(seL4_X86_4K, 0);
    seL4_Error err = seL4_TCB_SetIPCBuffer(h.tcb, 0x10000200, frame);
    helper_destroy(&h);
    CHECK_EQ(err, seL4_AlignmentError);
    PASS;
}

static const char *test_ipc_buffer_not_frame(void)
{
    helper_t h = helper_create(idle_helper, 0, 0, 10);
    seL4_CPtr ep = env_alloc(seL4_EndpointObject, 0);
    seL4_Error err = seL4_TCB_SetIPCBuffer(h.tcb, 0x10000400, ep);
    helper_destroy(&h);
    CHECK_EQ(err, seL4_IllegalOperation);
    PASS;
}

static const char *test_configure_truncated(void)
{
    helper_t h = helper_create(idle_helper, 0, 0, 10);
    seL4_SetCap(0, ROOT_CNODE);
    seL4_MessageInfo_t r = seL4_Call(h.tcb, seL4_MessageInfo_new(TCBConfigure, 0, 1, 4));
    helper_destroy(&h);
    CHECK_EQ(seL4_MessageInfo_get_label(r), seL4_TruncatedMessage);
    PASS;
}

static void waiting_helper(seL4_Word n, seL4_Word unused) { seL4_Wait(n, NULL); }

static const char *test_read_with_suspend(void)
{
    seL4_CPtr n = env_alloc(seL4_NotificationObject, 0);
    helper_t h = helper_start(waiting_helper, n, 0, seL4_MaxPrio);
    seL4_Yield(); /* blocked in Wait */
    seL4_UserContext regs;
    seL4_Error err = seL4_TCB_ReadRegisters(h.tcb, 1, 0, 1, &regs);
    /* Suspended, the Wait was cancelled: the signal stays pending. */
    seL4_CPtr badged = env_slot();
    seL4_CNode_Mint(ROOT_CNODE, badged, ROOT_DEPTH, ROOT_CNODE, n, ROOT_DEPTH, seL4_AllRights, 9);
    seL4_Signal(badged);
    seL4_Word badge = 0;
    seL4_Poll(n, &badge);
    helper_destroy(&h);
    CHECK_EQ(err, 0);
    CHECK_EQ(*(unsigned short *)regs.rip, 0x050f); /* restart point: the syscall */
    CHECK_EQ(badge, 9);
    PASS;
}

const test_case_t tcb_tests[] = {
    {"tcb_write_read_roundtrip", test_write_read_roundtrip},
    {"tcb_rflags_sanitised", test_rflags_sanitised},
    {"tcb_noncanonical_ip_zeroed", test_noncanonical_ip_zeroed},
    {"tcb_read_self_fails", test_read_self_fails},
    {"tcb_read_count_range", test_read_count_range},
    {"tcb_write_truncated", test_write_truncated},
    {"tcb_copy_registers", test_copy_registers},
    {"tcb_copy_registers_needs_tcb", test_copy_registers_needs_tcb},
    {"tcb_tls_base", test_tls_base},
    {"tcb_configure_bad_cspace", test_configure_bad_cspace},
    {"tcb_configure_bad_vspace", test_configure_bad_vspace},
    {"tcb_ipc_buffer_unaligned", test_ipc_buffer_unaligned},
    {"tcb_ipc_buffer_not_frame", test_ipc_buffer_not_frame},
    {"tcb_configure_truncated", test_configure_truncated},
    {"tcb_read_with_suspend", test_read_with_suspend},
    {NULL, NULL},
};
