/* Untyped retype: every object type, seL4's argument checks and errors,
 * the watermark, alignment, zeroing and reset after revoke. */
#include "test.h"

/* A fresh untyped of 2^bits bytes, retyped from the boot untypeds. */
static seL4_CPtr child_untyped(seL4_Word bits) { return env_alloc(seL4_UntypedObject, bits); }

static seL4_Error retype(seL4_CPtr ut, seL4_Word type, seL4_Word size, seL4_CPtr slot, seL4_Word count)
{
    return seL4_Untyped_Retype(ut, type, size, ROOT_CNODE, 0, 0, slot, count);
}

static const char *test_every_object_type(void)
{
    static const struct {
        seL4_Word type, size, cap_type;
    } cases[] = {
        {seL4_TCBObject, 0, 12},           {seL4_EndpointObject, 0, 4},       {seL4_NotificationObject, 0, 6},
        {seL4_CapTableObject, 3, 10},      {seL4_X86_4K, 0, 1},               {seL4_X86_PageTableObject, 0, 3},
        {seL4_X86_PageDirectoryObject, 0, 5}, {seL4_X86_PDPTObject, 0, 7},   {seL4_X64_PML4Object, 0, 9},
        {seL4_X86_LargePageObject, 0, 1},  {seL4_UntypedObject, 12, 2},
    };
    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        seL4_CPtr cap = env_alloc(cases[i].type, cases[i].size);
        if (!cap) FAIL("type %lu could not be created", cases[i].type);
        CHECK_EQ(seL4_DebugCapIdentify(cap), cases[i].cap_type);
    }
    PASS;
}

static const char *test_invalid_type(void)
{
    seL4_CPtr ut = child_untyped(16);
    CHECK_EQ(retype(ut, 99, 0, env_slot(), 1), seL4_InvalidArgument);
    CHECK_EQ(seL4_GetMR(0), 0);
    PASS;
}

static const char *test_untyped_too_small(void)
{
    seL4_CPtr ut = child_untyped(16);
    CHECK_EQ(retype(ut, seL4_UntypedObject, 3, env_slot(), 1), seL4_InvalidArgument);
    CHECK_EQ(seL4_GetMR(0), 1);
    PASS;
}

static const char *test_cnode_size_zero(void)
{
    seL4_CPtr ut = child_untyped(16);
    CHECK_EQ(retype(ut, seL4_CapTableObject, 0, env_slot(), 1), seL4_InvalidArgument);
    PASS;
}

static const char *test_size_too_big(void)
{
    seL4_CPtr ut = child_untyped(16);
    CHECK_EQ(retype(ut, seL4_UntypedObject, 64, env_slot(), 1), seL4_RangeError);
    CHECK_EQ(seL4_GetMR(0), 0);
    CHECK_EQ(seL4_GetMR(1), seL4_MaxUntypedBits);
    PASS;
}

static const char *test_dest_occupied(void)
{
    seL4_CPtr ut = child_untyped(16), taken = env_alloc(seL4_EndpointObject, 0);
    CHECK_EQ(retype(ut, seL4_EndpointObject, 0, taken, 1), seL4_DeleteFirst);
    PASS;
}

static const char *test_not_enough_memory(void)
{
    seL4_CPtr ut = child_untyped(12), a = env_slot(), b = env_slot();
    CHECK_EQ(retype(ut, seL4_EndpointObject, 0, a, 1), 0);
    CHECK_EQ(retype(ut, seL4_X86_4K, 0, b, 1), seL4_NotEnoughMemory);
    CHECK_EQ(seL4_GetMR(0), 4096 - 16);
    PASS;
}

/* Found by //guest/kerneltest:sysfuzz: a thread cap names the tcb_t, half-way
 * into its object, so a TCB that ends its untyped looked as if it ran past
 * it; the untyped then seemed childless, Retype reset its watermark and put
 * the next object over live ones. */
static const char *test_tcb_at_the_end_is_a_child(void)
{
    seL4_CPtr ut = child_untyped(12), a = env_slot(), b = env_slot(), c = env_slot();
    CHECK_EQ(retype(ut, seL4_TCBObject, 0, a, 1), 0);
    CHECK_EQ(retype(ut, seL4_TCBObject, 0, b, 1), 0);
    CHECK_EQ(retype(ut, seL4_EndpointObject, 0, c, 1), seL4_NotEnoughMemory);
    PASS;
}

static const char *test_offset_out_of_range(void)
{
    seL4_CPtr ut = child_untyped(16);
    CHECK_EQ(seL4_Untyped_Retype(ut, seL4_EndpointObject, 0, ROOT_CNODE, 0, 0, 4096, 1), seL4_RangeError);
    CHECK_EQ(seL4_GetMR(0), 0);
    CHECK_EQ(seL4_GetMR(1), 4095);
    PASS;
}

static const char *test_count_zero(void)
{
    seL4_CPtr ut = child_untyped(16);
    CHECK_EQ(retype(ut, seL4_EndpointObject, 0, env_slot(), 0), seL4_RangeError);
    CHECK_EQ(seL4_GetMR(0), 1);
    PASS;
}

static const char *test_window_past_cnode_end(void)
{
    seL4_CPtr ut = child_untyped(16);
    CHECK_EQ(seL4_Untyped_Retype(ut, seL4_EndpointObject, 0, ROOT_CNODE, 0, 0, 4094, 4), seL4_RangeError);
    CHECK_EQ(seL4_GetMR(1), 2);
    PASS;
}

static const char *test_watermark_alignment(void)
{
    seL4_CPtr ut = child_untyped(16), ep = env_slot(), frame = env_slot();
    CHECK_EQ(retype(ut, seL4_EndpointObject, 0, ep, 1), 0);
    CHECK_EQ(retype(ut, seL4_X86_4K, 0, frame, 1), 0);
    seL4_X86_Page_GetAddress_t addr = seL4_X86_Page_GetAddress(frame);
    CHECK_EQ(addr.error, 0);
    CHECK_EQ(addr.paddr & 0xfff, 0);
    /* The endpoint took the first 16 bytes; the frame is the next 4 KiB
     * boundary: the untyped's base + 4096. */
    seL4_CPtr frame0 = env_slot(), ut2 = child_untyped(16);
    CHECK_EQ(retype(ut2, seL4_X86_4K, 0, frame0, 1), 0);
    seL4_X86_Page_GetAddress_t base = seL4_X86_Page_GetAddress(frame0);
    CHECK_EQ(base.paddr & 0xffff, 0);
    CHECK_EQ(addr.paddr & 0xffff, 0x1000);
    PASS;
}

static const char *test_objects_zeroed(void)
{
    seL4_CPtr ut = child_untyped(12), frame = env_slot();
    seL4_Word va = env_region(1);
    CHECK_EQ(retype(ut, seL4_X86_4K, 0, frame, 1), 0);
    CHECK_EQ(seL4_X86_Page_Map(frame, ROOT_VSPACE, va, seL4_AllRights, seL4_X86_Default_VMAttributes), 0);
    volatile seL4_Word *p = (volatile seL4_Word *)va;
    for (int i = 0; i < 512; i++) p[i] = 0xdeadbeef;
    seL4_X86_Page_Unmap(frame);
    CHECK_EQ(seL4_CNode_Revoke(ROOT_CNODE, ut, ROOT_DEPTH), 0);
    CHECK_EQ(seL4_DebugCapIdentify(frame), 0);
    seL4_CPtr again = env_slot();
    CHECK_EQ(retype(ut, seL4_X86_4K, 0, again, 1), 0);
    CHECK_EQ(seL4_X86_Page_Map(again, ROOT_VSPACE, va, seL4_AllRights, seL4_X86_Default_VMAttributes), 0);
    for (int i = 0; i < 512; i++)
        if (p[i] != 0) FAIL("word %d is %#lx after retype", i, p[i]);
    PASS;
}

static const char *test_reuse_after_revoke(void)
{
    seL4_CPtr ut = child_untyped(12), a = env_slot(), b = env_slot();
    CHECK_EQ(retype(ut, seL4_X86_4K, 0, a, 1), 0);
    CHECK_EQ(retype(ut, seL4_X86_4K, 0, b, 1), seL4_NotEnoughMemory);
    CHECK_EQ(seL4_CNode_Revoke(ROOT_CNODE, ut, ROOT_DEPTH), 0);
    CHECK_EQ(retype(ut, seL4_X86_4K, 0, b, 1), 0);
    PASS;
}

static const char *test_many_objects(void)
{
    seL4_CPtr ut = child_untyped(12), first = env_slot();
    for (int i = 1; i < 5; i++) env_slot();
    CHECK_EQ(retype(ut, seL4_EndpointObject, 0, first, 5), 0);
    for (seL4_CPtr i = 0; i < 5; i++) CHECK_EQ(seL4_DebugCapIdentify(first + i), 4);
    PASS;
}

static const char *test_device_untyped_only_frames(void)
{
    seL4_BootInfo *bi = env_bootinfo;
    for (seL4_Word i = 0; i < bi->untyped.end - bi->untyped.start; i++) {
        if (!bi->untypedList[i].isDevice) continue;
        seL4_CPtr ut = bi->untyped.start + i;
        CHECK_EQ(retype(ut, seL4_TCBObject, 0, env_slot(), 1), seL4_InvalidArgument);
        CHECK_EQ(retype(ut, seL4_X86_4K, 0, env_slot(), 1), 0);
        PASS;
    }
    FAIL("no device untyped in the boot info");
}

static const char *test_copy_untyped_with_children(void)
{
    seL4_CPtr ut = child_untyped(12), copy = env_slot();
    CHECK_EQ(retype(ut, seL4_EndpointObject, 0, env_slot(), 1), 0);
    CHECK_EQ(seL4_CNode_Copy(ROOT_CNODE, copy, ROOT_DEPTH, ROOT_CNODE, ut, ROOT_DEPTH, seL4_AllRights),
             seL4_RevokeFirst);
    PASS;
}

static const char *test_retype_into_other_cnode(void)
{
    seL4_CPtr ut = child_untyped(12), cnode = env_alloc(seL4_CapTableObject, 4), back = env_slot();
    /* node_index/depth name the CNode cap inside the root CNode. */
    CHECK_EQ(seL4_Untyped_Retype(ut, seL4_NotificationObject, 0, ROOT_CNODE, cnode, ROOT_DEPTH, 9, 1), 0);
    CHECK_EQ(seL4_CNode_Move(ROOT_CNODE, back, ROOT_DEPTH, cnode, 9, 4), 0);
    CHECK_EQ(seL4_DebugCapIdentify(back), 6);
    PASS;
}

static const char *test_retype_node_not_cnode(void)
{
    seL4_CPtr ut = child_untyped(12), ep = env_alloc(seL4_EndpointObject, 0);
    CHECK_EQ(seL4_Untyped_Retype(ut, seL4_NotificationObject, 0, ROOT_CNODE, ep, ROOT_DEPTH, 0, 1), seL4_FailedLookup);
    PASS;
}

const test_case_t untyped_tests[] = {
    {"retype_every_object_type", test_every_object_type},
    {"retype_invalid_type", test_invalid_type},
    {"retype_untyped_too_small", test_untyped_too_small},
    {"retype_cnode_size_zero", test_cnode_size_zero},
    {"retype_size_too_big", test_size_too_big},
    {"retype_dest_occupied", test_dest_occupied},
    {"retype_not_enough_memory", test_not_enough_memory},
    {"retype_tcb_at_the_end_is_a_child", test_tcb_at_the_end_is_a_child},
    {"retype_offset_out_of_range", test_offset_out_of_range},
    {"retype_count_zero", test_count_zero},
    {"retype_window_past_cnode_end", test_window_past_cnode_end},
    {"retype_watermark_alignment", test_watermark_alignment},
    {"retype_objects_zeroed", test_objects_zeroed},
    {"retype_reuse_after_revoke", test_reuse_after_revoke},
    {"retype_many_objects", test_many_objects},
    {"retype_device_untyped_only_frames", test_device_untyped_only_frames},
    {"retype_copy_untyped_with_children", test_copy_untyped_with_children},
    {"retype_into_other_cnode", test_retype_into_other_cnode},
    {"retype_node_not_cnode", test_retype_node_not_cnode},
    {NULL, NULL},
};
