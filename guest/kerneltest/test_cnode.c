/* CNode operations: copy, mint, move, mutate, rotate, delete, revoke,
 * save caller, and capability addressing with guards and depths. */
#include "test.h"

#define CAP_TYPE_NULL 0
#define CAP_TYPE_NOTIFICATION 6

static seL4_Word poll_badge(seL4_CPtr ntfn)
{
    seL4_Word badge = 0;
    seL4_Poll(ntfn, &badge);
    return badge;
}

static seL4_CPtr mint(seL4_CPtr src, seL4_CapRights_t rights, seL4_Word badge)
{
    seL4_CPtr dest = env_slot();
    return seL4_CNode_Mint(ROOT_CNODE, dest, ROOT_DEPTH, ROOT_CNODE, src, ROOT_DEPTH, rights, badge) ? 0 : dest;
}

static const char *test_copy_names_same_object(void)
{
    seL4_CPtr ntfn = env_alloc(seL4_NotificationObject, 0), badged = mint(ntfn, seL4_AllRights, 0x8), copy = env_slot();
    CHECK_EQ(seL4_CNode_Copy(ROOT_CNODE, copy, ROOT_DEPTH, ROOT_CNODE, badged, ROOT_DEPTH, seL4_AllRights), 0);
    seL4_Signal(copy);
    CHECK_EQ(poll_badge(ntfn), 0x8);
    PASS;
}

static const char *test_mint_badge(void)
{
    seL4_CPtr ntfn = env_alloc(seL4_NotificationObject, 0), badged = mint(ntfn, seL4_AllRights, 5);
    CHECK(badged);
    seL4_Signal(badged);
    CHECK_EQ(poll_badge(ntfn), 5);
    PASS;
}

static const char *test_mint_badged_again_fails(void)
{
    seL4_CPtr ntfn = env_alloc(seL4_NotificationObject, 0), badged = mint(ntfn, seL4_AllRights, 5);
    seL4_CPtr dest = env_slot();
    CHECK_EQ(seL4_CNode_Mint(ROOT_CNODE, dest, ROOT_DEPTH, ROOT_CNODE, badged, ROOT_DEPTH, seL4_AllRights, 6),
             seL4_IllegalOperation);
    CHECK_EQ(seL4_DebugCapIdentify(dest), CAP_TYPE_NULL);
    PASS;
}

static const char *test_mint_drops_rights(void)
{
    seL4_CPtr ep = env_alloc(seL4_EndpointObject, 0), read_only = mint(ep, seL4_CanRead, 0);
    seL4_MessageInfo_t reply = seL4_Call(read_only, seL4_MessageInfo_new(0, 0, 0, 0));
    CHECK_EQ(seL4_MessageInfo_get_label(reply), seL4_InvalidCapability);
    PASS;
}

static const char *test_move(void)
{
    seL4_CPtr ntfn = env_alloc(seL4_NotificationObject, 0), dest = env_slot();
    CHECK_EQ(seL4_CNode_Move(ROOT_CNODE, dest, ROOT_DEPTH, ROOT_CNODE, ntfn, ROOT_DEPTH), 0);
    CHECK_EQ(seL4_DebugCapIdentify(ntfn), CAP_TYPE_NULL);
    CHECK_EQ(seL4_DebugCapIdentify(dest), CAP_TYPE_NOTIFICATION);
    PASS;
}

static const char *test_mutate_badge_refused(void)
{
    /* seL4: Mutate preserves badges; it cannot badge an endpoint/notification. */
    seL4_CPtr ntfn = env_alloc(seL4_NotificationObject, 0), copy = env_slot(), dest = env_slot();
    seL4_CNode_Copy(ROOT_CNODE, copy, ROOT_DEPTH, ROOT_CNODE, ntfn, ROOT_DEPTH, seL4_AllRights);
    CHECK_EQ(seL4_CNode_Mutate(ROOT_CNODE, dest, ROOT_DEPTH, ROOT_CNODE, copy, ROOT_DEPTH, 0x30), seL4_IllegalOperation);
    CHECK_EQ(seL4_DebugCapIdentify(copy), CAP_TYPE_NOTIFICATION);
    PASS;
}

static const char *test_mutate_sets_cnode_guard(void)
{
    seL4_CPtr cnode = env_alloc(seL4_CapTableObject, 4), dest = env_slot();
    seL4_CPtr ntfn = env_alloc(seL4_NotificationObject, 0), badged = mint(ntfn, seL4_AllRights, 0x31);
    seL4_Word data = seL4_CNode_CapData_new(0x2, 2).words[0];
    CHECK_EQ(seL4_CNode_Mutate(ROOT_CNODE, dest, ROOT_DEPTH, ROOT_CNODE, cnode, ROOT_DEPTH, data), 0);
    CHECK_EQ(seL4_DebugCapIdentify(cnode), CAP_TYPE_NULL);
    /* Depth 6 = 2 guard bits (0b10) + 4 radix bits. */
    CHECK_EQ(seL4_CNode_Copy(dest, 0x29, 6, ROOT_CNODE, badged, ROOT_DEPTH, seL4_AllRights), 0);
    seL4_CPtr back = env_slot();
    CHECK_EQ(seL4_CNode_Copy(ROOT_CNODE, back, ROOT_DEPTH, dest, 0x29, 6, seL4_AllRights), 0);
    seL4_Signal(back);
    CHECK_EQ(poll_badge(ntfn), 0x31);
    PASS;
}

static const char *test_delete(void)
{
    seL4_CPtr ntfn = env_alloc(seL4_NotificationObject, 0);
    CHECK_EQ(seL4_CNode_Delete(ROOT_CNODE, ntfn, ROOT_DEPTH), 0);
    CHECK_EQ(seL4_DebugCapIdentify(ntfn), CAP_TYPE_NULL);
    CHECK_EQ(seL4_CNode_Delete(ROOT_CNODE, ntfn, ROOT_DEPTH), 0);
    PASS;
}

static const char *test_copy_into_occupied_fails(void)
{
    seL4_CPtr a = env_alloc(seL4_NotificationObject, 0), b = env_alloc(seL4_NotificationObject, 0);
    CHECK_EQ(seL4_CNode_Copy(ROOT_CNODE, b, ROOT_DEPTH, ROOT_CNODE, a, ROOT_DEPTH, seL4_AllRights), seL4_DeleteFirst);
    PASS;
}

static const char *test_copy_from_empty_fails(void)
{
    seL4_CPtr empty = env_slot(), dest = env_slot();
    CHECK_EQ(seL4_CNode_Copy(ROOT_CNODE, dest, ROOT_DEPTH, ROOT_CNODE, empty, ROOT_DEPTH, seL4_AllRights),
             seL4_FailedLookup);
    CHECK_EQ(seL4_GetMR(0), 1); /* the source failed */
    CHECK_EQ(seL4_GetMR(1), seL4_MissingCapability);
    PASS;
}

static const char *test_revoke_deletes_badged_children(void)
{
    seL4_CPtr ntfn = env_alloc(seL4_NotificationObject, 0);
    seL4_CPtr a = mint(ntfn, seL4_AllRights, 1), b = mint(ntfn, seL4_AllRights, 2);
    CHECK_EQ(seL4_CNode_Revoke(ROOT_CNODE, ntfn, ROOT_DEPTH), 0);
    CHECK_EQ(seL4_DebugCapIdentify(a), CAP_TYPE_NULL);
    CHECK_EQ(seL4_DebugCapIdentify(b), CAP_TYPE_NULL);
    CHECK_EQ(seL4_DebugCapIdentify(ntfn), CAP_TYPE_NOTIFICATION);
    PASS;
}

static const char *test_revoke_badged_keeps_siblings(void)
{
    seL4_CPtr ntfn = env_alloc(seL4_NotificationObject, 0);
    seL4_CPtr a = mint(ntfn, seL4_AllRights, 1), b = mint(ntfn, seL4_AllRights, 2), a_copy = env_slot();
    seL4_CNode_Copy(ROOT_CNODE, a_copy, ROOT_DEPTH, ROOT_CNODE, a, ROOT_DEPTH, seL4_AllRights);
    CHECK_EQ(seL4_CNode_Revoke(ROOT_CNODE, a, ROOT_DEPTH), 0);
    CHECK_EQ(seL4_DebugCapIdentify(a_copy), CAP_TYPE_NULL);
    CHECK_EQ(seL4_DebugCapIdentify(b), CAP_TYPE_NOTIFICATION);
    PASS;
}

/* Rotate uses caps whose data update is the identity (TCB, frame). */
static const char *test_rotate(void)
{
    seL4_CPtr src = env_alloc(seL4_TCBObject, 0), pivot = env_alloc(seL4_X86_4K, 0), dest = env_slot();
    CHECK_EQ(seL4_CNode_Rotate(ROOT_CNODE, dest, ROOT_DEPTH, ROOT_CNODE, pivot, ROOT_DEPTH, 0, ROOT_CNODE, src,
                               ROOT_DEPTH, 0),
             0);
    CHECK_EQ(seL4_DebugCapIdentify(src), CAP_TYPE_NULL);
    CHECK_EQ(seL4_DebugCapIdentify(dest), 1);  /* the frame */
    CHECK_EQ(seL4_DebugCapIdentify(pivot), 12); /* the TCB */
    PASS;
}

static const char *test_rotate_swap(void)
{
    seL4_CPtr a = env_alloc(seL4_TCBObject, 0), b = env_alloc(seL4_X86_4K, 0);
    CHECK_EQ(seL4_CNode_Rotate(ROOT_CNODE, a, ROOT_DEPTH, ROOT_CNODE, b, ROOT_DEPTH, 0, ROOT_CNODE, a, ROOT_DEPTH, 0),
             0);
    CHECK_EQ(seL4_DebugCapIdentify(a), 1);
    CHECK_EQ(seL4_DebugCapIdentify(b), 12);
    PASS;
}

static const char *test_rotate_badged_refused(void)
{
    seL4_CPtr a = env_alloc(seL4_NotificationObject, 0), b = env_alloc(seL4_NotificationObject, 0), dest = env_slot();
    CHECK_EQ(seL4_CNode_Rotate(ROOT_CNODE, dest, ROOT_DEPTH, ROOT_CNODE, b, ROOT_DEPTH, 0, ROOT_CNODE, a, ROOT_DEPTH, 0),
             seL4_IllegalOperation);
    PASS;
}

static const char *test_rotate_pivot_is_dest_fails(void)
{
    seL4_CPtr a = env_alloc(seL4_NotificationObject, 0), b = env_alloc(seL4_NotificationObject, 0);
    CHECK_EQ(seL4_CNode_Rotate(ROOT_CNODE, b, ROOT_DEPTH, ROOT_CNODE, b, ROOT_DEPTH, 0, ROOT_CNODE, a, ROOT_DEPTH, 0),
             seL4_IllegalOperation);
    PASS;
}

static const char *test_save_caller_into_occupied_fails(void)
{
    seL4_CPtr occupied = env_alloc(seL4_NotificationObject, 0);
    CHECK_EQ(seL4_CNode_SaveCaller(ROOT_CNODE, occupied, ROOT_DEPTH), seL4_DeleteFirst);
    PASS;
}

static const char *test_depth_out_of_range(void)
{
    seL4_CPtr ntfn = env_alloc(seL4_NotificationObject, 0);
    CHECK_EQ(seL4_CNode_Delete(ROOT_CNODE, ntfn, 0), seL4_RangeError);
    CHECK_EQ(seL4_GetMR(0), 1);
    CHECK_EQ(seL4_GetMR(1), 64);
    CHECK_EQ(seL4_CNode_Delete(ROOT_CNODE, ntfn, 65), seL4_RangeError);
    PASS;
}

static const char *test_guard_mismatch_reported(void)
{
    /* The root CNode has a 52-bit zero guard: a set high bit mismatches. */
    seL4_CPtr dest = env_slot();
    CHECK_EQ(seL4_CNode_Copy(ROOT_CNODE, dest | (1ul << 60), ROOT_DEPTH, ROOT_CNODE, ROOT_TCB, ROOT_DEPTH,
                             seL4_AllRights),
             seL4_FailedLookup);
    CHECK_EQ(seL4_GetMR(0), 0); /* the destination failed */
    CHECK_EQ(seL4_GetMR(1), seL4_GuardMismatch);
    CHECK_EQ(seL4_GetMR(2), 64); /* bits left */
    CHECK_EQ(seL4_GetMR(3), 0);  /* guard found in the CNode cap */
    CHECK_EQ(seL4_GetMR(4), 52); /* guard size */
    PASS;
}

/* A two-level CSpace: a radix-4 CNode whose slot 3 holds a radix-4 CNode. */
static const char *test_two_level_addressing(void)
{
    seL4_CPtr top = env_alloc(seL4_CapTableObject, 4), leaf = env_alloc(seL4_CapTableObject, 4);
    seL4_CPtr ntfn = env_alloc(seL4_NotificationObject, 0), badged = mint(ntfn, seL4_AllRights, 0x44);
    CHECK_EQ(seL4_CNode_Copy(top, 3, 4, ROOT_CNODE, leaf, ROOT_DEPTH, seL4_AllRights), 0);
    /* Index 0x35 at depth 8: slot 3 of top, then slot 5 of leaf. */
    CHECK_EQ(seL4_CNode_Copy(top, 0x35, 8, ROOT_CNODE, badged, ROOT_DEPTH, seL4_AllRights), 0);
    seL4_CPtr back = env_slot();
    CHECK_EQ(seL4_CNode_Copy(ROOT_CNODE, back, ROOT_DEPTH, leaf, 5, 4, seL4_AllRights), 0);
    seL4_Signal(back);
    CHECK_EQ(poll_badge(ntfn), 0x44);
    PASS;
}

static const char *test_depth_mismatch_reported(void)
{
    seL4_CPtr top = env_alloc(seL4_CapTableObject, 4), dest = env_slot();
    /* Depth 8 through a radix-4 CNode whose slot is empty: 4 bits remain. */
    CHECK_EQ(seL4_CNode_Copy(ROOT_CNODE, dest, ROOT_DEPTH, top, 0x12, 8, seL4_AllRights), seL4_FailedLookup);
    CHECK_EQ(seL4_GetMR(0), 1);
    CHECK_EQ(seL4_GetMR(1), seL4_DepthMismatch);
    CHECK_EQ(seL4_GetMR(2), 4);
    PASS;
}

static const char *test_mint_guard_on_cnode(void)
{
    seL4_CPtr cnode = env_alloc(seL4_CapTableObject, 4), guarded = env_slot();
    seL4_CPtr ntfn = env_alloc(seL4_NotificationObject, 0), badged = mint(ntfn, seL4_AllRights, 0x3);
    /* Guard 0x5 of 4 bits in front of the 4-bit radix. */
    seL4_Word data = seL4_CNode_CapData_new(0x5, 4).words[0];
    CHECK_EQ(seL4_CNode_Mint(ROOT_CNODE, guarded, ROOT_DEPTH, ROOT_CNODE, cnode, ROOT_DEPTH, seL4_AllRights, data), 0);
    CHECK_EQ(seL4_CNode_Copy(guarded, 0x57, 8, ROOT_CNODE, badged, ROOT_DEPTH, seL4_AllRights), 0);
    CHECK_EQ(seL4_CNode_Copy(guarded, 0x68, 8, ROOT_CNODE, badged, ROOT_DEPTH, seL4_AllRights), seL4_FailedLookup);
    CHECK_EQ(seL4_GetMR(1), seL4_GuardMismatch);
    seL4_CPtr back = env_slot();
    CHECK_EQ(seL4_CNode_Copy(ROOT_CNODE, back, ROOT_DEPTH, cnode, 7, 4, seL4_AllRights), 0);
    seL4_Signal(back);
    CHECK_EQ(poll_badge(ntfn), 0x3);
    PASS;
}

static const char *test_mint_guard_too_large_fails(void)
{
    seL4_CPtr cnode = env_alloc(seL4_CapTableObject, 4), dest = env_slot();
    seL4_Word data = seL4_CNode_CapData_new(0, 61).words[0];
    CHECK_EQ(seL4_CNode_Mint(ROOT_CNODE, dest, ROOT_DEPTH, ROOT_CNODE, cnode, ROOT_DEPTH, seL4_AllRights, data),
             seL4_IllegalOperation);
    PASS;
}

static const char *test_cancel_badged_sends_needs_endpoint(void)
{
    seL4_CPtr ntfn = env_alloc(seL4_NotificationObject, 0);
    CHECK_EQ(seL4_CNode_CancelBadgedSends(ROOT_CNODE, ntfn, ROOT_DEPTH), seL4_IllegalOperation);
    PASS;
}

static const char *test_delete_last_cap_destroys_endpoint(void)
{
    /* A thread blocked on an endpoint restarts when the endpoint dies. */
    seL4_CPtr ep = env_alloc(seL4_EndpointObject, 0);
    seL4_CPtr copy = env_slot();
    seL4_CNode_Copy(ROOT_CNODE, copy, ROOT_DEPTH, ROOT_CNODE, ep, ROOT_DEPTH, seL4_AllRights);
    CHECK_EQ(seL4_CNode_Delete(ROOT_CNODE, ep, ROOT_DEPTH), 0);
    CHECK_EQ(seL4_DebugCapIdentify(copy), 4);
    CHECK_EQ(seL4_CNode_Delete(ROOT_CNODE, copy, ROOT_DEPTH), 0);
    CHECK_EQ(seL4_DebugCapIdentify(copy), CAP_TYPE_NULL);
    PASS;
}

/* 300 CNodes, each holding the only cap to the next: deleting the first
 * tears down the whole chain without exhausting the kernel's stack. */
static const char *test_delete_deep_nesting(void)
{
    seL4_CPtr inner = env_alloc(seL4_CapTableObject, 1);
    CHECK(inner);
    for (int i = 0; i < 300; i++) {
        seL4_CPtr outer = env_alloc(seL4_CapTableObject, 1);
        CHECK(outer);
        CHECK_EQ(seL4_CNode_Move(outer, 0, 1, ROOT_CNODE, inner, ROOT_DEPTH), 0);
        inner = outer;
    }
    CHECK_EQ(seL4_CNode_Delete(ROOT_CNODE, inner, ROOT_DEPTH), 0);
    CHECK_EQ(seL4_DebugCapIdentify(inner), 0);
    CHECK(env_alloc(seL4_EndpointObject, 0));
    PASS;
}

const test_case_t cnode_tests[] = {
    {"cnode_copy_names_same_object", test_copy_names_same_object},
    {"cnode_mint_badge", test_mint_badge},
    {"cnode_mint_badged_again_fails", test_mint_badged_again_fails},
    {"cnode_mint_drops_rights", test_mint_drops_rights},
    {"cnode_move", test_move},
    {"cnode_mutate_badge_refused", test_mutate_badge_refused},
    {"cnode_mutate_sets_cnode_guard", test_mutate_sets_cnode_guard},
    {"cnode_delete", test_delete},
    {"cnode_copy_into_occupied_fails", test_copy_into_occupied_fails},
    {"cnode_copy_from_empty_fails", test_copy_from_empty_fails},
    {"cnode_revoke_deletes_badged_children", test_revoke_deletes_badged_children},
    {"cnode_revoke_badged_keeps_siblings", test_revoke_badged_keeps_siblings},
    {"cnode_rotate", test_rotate},
    {"cnode_rotate_swap", test_rotate_swap},
    {"cnode_rotate_badged_refused", test_rotate_badged_refused},
    {"cnode_rotate_pivot_is_dest_fails", test_rotate_pivot_is_dest_fails},
    {"cnode_save_caller_into_occupied_fails", test_save_caller_into_occupied_fails},
    {"cnode_depth_out_of_range", test_depth_out_of_range},
    {"cnode_guard_mismatch_reported", test_guard_mismatch_reported},
    {"cnode_two_level_addressing", test_two_level_addressing},
    {"cnode_depth_mismatch_reported", test_depth_mismatch_reported},
    {"cnode_mint_guard_on_cnode", test_mint_guard_on_cnode},
    {"cnode_mint_guard_too_large_fails", test_mint_guard_too_large_fails},
    {"cnode_cancel_badged_sends_needs_endpoint", test_cancel_badged_sends_needs_endpoint},
    {"cnode_delete_copy_then_last", test_delete_last_cap_destroys_endpoint},
    {"cnode_delete_deep_nesting", test_delete_deep_nesting},
    {NULL, NULL},
};
