/* Notifications: signal, wait, poll, badge OR-ing, waiting queues and
 * notifications bound to a TCB waking its endpoint receive. */
#include "test.h"

static volatile seL4_Word got[4];

static seL4_CPtr mint(seL4_CPtr src, seL4_CapRights_t rights, seL4_Word badge)
{
    seL4_CPtr dest = env_slot();
    seL4_CNode_Mint(ROOT_CNODE, dest, ROOT_DEPTH, ROOT_CNODE, src, ROOT_DEPTH, rights, badge);
    return dest;
}

static const char *test_signal_then_wait(void)
{
    seL4_CPtr n = env_alloc(seL4_NotificationObject, 0);
    seL4_Signal(mint(n, seL4_AllRights, 4));
    seL4_Word badge = 0;
    seL4_Wait(n, &badge);
    CHECK_EQ(badge, 4);
    PASS;
}

static const char *test_badges_or(void)
{
    seL4_CPtr n = env_alloc(seL4_NotificationObject, 0);
    seL4_Signal(mint(n, seL4_AllRights, 1));
    seL4_Signal(mint(n, seL4_AllRights, 2));
    seL4_Signal(mint(n, seL4_AllRights, 0x10));
    seL4_Word first = 0, second = 9;
    seL4_Poll(n, &first);
    seL4_Poll(n, &second);
    CHECK_EQ(first, 0x13);
    CHECK_EQ(second, 0);
    PASS;
}

static const char *test_poll_empty(void)
{
    seL4_CPtr n = env_alloc(seL4_NotificationObject, 0);
    seL4_Word badge = 9;
    seL4_Poll(n, &badge);
    CHECK_EQ(badge, 0);
    PASS;
}

static void waiter(seL4_Word n, seL4_Word slot)
{
    seL4_Word badge = 0;
    seL4_Wait(n, &badge);
    got[slot] = badge;
    seL4_Signal(env_done_ntfn);
}

static const char *test_wait_blocks_until_signal(void)
{
    seL4_CPtr n = env_alloc(seL4_NotificationObject, 0);
    got[0] = 0;
    helper_t h = helper_start(waiter, n, 0, seL4_MaxPrio);
    seL4_Yield();
    seL4_Word before = got[0];
    seL4_Signal(mint(n, seL4_AllRights, 8));
    seL4_Wait(env_done_ntfn, NULL);
    helper_destroy(&h);
    CHECK_EQ(before, 0);
    CHECK_EQ(got[0], 8);
    PASS;
}

static const char *test_waiters_fifo(void)
{
    seL4_CPtr n = env_alloc(seL4_NotificationObject, 0);
    got[0] = got[1] = 0;
    helper_t a = helper_start(waiter, n, 0, seL4_MaxPrio);
    seL4_Yield();
    helper_t b = helper_start(waiter, n, 1, seL4_MaxPrio);
    seL4_Yield();
    seL4_Signal(mint(n, seL4_AllRights, 1));
    seL4_Wait(env_done_ntfn, NULL);
    seL4_Signal(mint(n, seL4_AllRights, 2));
    seL4_Wait(env_done_ntfn, NULL);
    helper_destroy(&a);
    helper_destroy(&b);
    CHECK_EQ(got[0], 1);
    CHECK_EQ(got[1], 2);
    PASS;
}

/* Waits on an endpoint while bound to a notification. */
static void bound_receiver(seL4_Word ep, seL4_Word unused)
{
    seL4_Word badge = 0;
    seL4_MessageInfo_t info = seL4_RecvWithMRs(ep, &badge, NULL, NULL, NULL, NULL);
    got[2] = badge;
    got[3] = seL4_MessageInfo_get_length(info);
    seL4_Signal(env_done_ntfn);
}

static const char *test_bound_wakes_endpoint_receive(void)
{
    seL4_CPtr ep = env_alloc(seL4_EndpointObject, 0), n = env_alloc(seL4_NotificationObject, 0);
    got[2] = 0;
    helper_t h = helper_create(bound_receiver, ep, 0, seL4_MaxPrio);
    CHECK_EQ(seL4_TCB_BindNotification(h.tcb, n), 0);
    seL4_TCB_Resume(h.tcb);
    seL4_Yield();
    seL4_Signal(mint(n, seL4_AllRights, 0x20));
    seL4_Wait(env_done_ntfn, NULL);
    helper_destroy(&h);
    CHECK_EQ(got[2], 0x20);
    PASS;
}

static const char *test_bound_pending_before_receive(void)
{
    seL4_CPtr ep = env_alloc(seL4_EndpointObject, 0), n = env_alloc(seL4_NotificationObject, 0);
    got[2] = 0;
    helper_t h = helper_create(bound_receiver, ep, 0, seL4_MaxPrio);
    CHECK_EQ(seL4_TCB_BindNotification(h.tcb, n), 0);
    seL4_Signal(mint(n, seL4_AllRights, 0x40));
    seL4_TCB_Resume(h.tcb);
    seL4_Wait(env_done_ntfn, NULL);
    helper_destroy(&h);
    CHECK_EQ(got[2], 0x40);
    PASS;
}

static const char *test_bound_still_gets_messages(void)
{
    seL4_CPtr ep = env_alloc(seL4_EndpointObject, 0), n = env_alloc(seL4_NotificationObject, 0);
    got[2] = 0;
    helper_t h = helper_create(bound_receiver, ep, 0, seL4_MaxPrio);
    seL4_TCB_BindNotification(h.tcb, n);
    seL4_TCB_Resume(h.tcb);
    seL4_Yield();
    seL4_SetMR(0, 1);
    seL4_SetMR(1, 2);
    seL4_Send(mint(ep, seL4_AllRights, 0x3), seL4_MessageInfo_new(0, 0, 0, 2));
    seL4_Wait(env_done_ntfn, NULL);
    helper_destroy(&h);
    CHECK_EQ(got[2], 0x3);
    CHECK_EQ(got[3], 2);
    PASS;
}

static const char *test_bind_twice_fails(void)
{
    seL4_CPtr n = env_alloc(seL4_NotificationObject, 0), m = env_alloc(seL4_NotificationObject, 0);
    helper_t h = helper_create(waiter, n, 0, seL4_MaxPrio);
    seL4_Error first = seL4_TCB_BindNotification(h.tcb, n);
    seL4_Error second = seL4_TCB_BindNotification(h.tcb, m);
    helper_destroy(&h);
    CHECK_EQ(first, 0);
    CHECK_EQ(second, seL4_IllegalOperation);
    PASS;
}

static const char *test_unbind(void)
{
    seL4_CPtr n = env_alloc(seL4_NotificationObject, 0);
    helper_t h = helper_create(waiter, n, 0, seL4_MaxPrio);
    seL4_Error unbound = seL4_TCB_UnbindNotification(h.tcb);
    seL4_TCB_BindNotification(h.tcb, n);
    seL4_Error ok = seL4_TCB_UnbindNotification(h.tcb);
    seL4_Error rebind = seL4_TCB_BindNotification(h.tcb, n);
    helper_destroy(&h);
    CHECK_EQ(unbound, seL4_IllegalOperation);
    CHECK_EQ(ok, 0);
    CHECK_EQ(rebind, 0);
    PASS;
}

static const char *test_bind_needs_read_right(void)
{
    seL4_CPtr n = env_alloc(seL4_NotificationObject, 0), write_only = mint(n, seL4_CanWrite, 0);
    helper_t h = helper_create(waiter, n, 0, seL4_MaxPrio);
    seL4_Error err = seL4_TCB_BindNotification(h.tcb, write_only);
    helper_destroy(&h);
    CHECK_EQ(err, seL4_IllegalOperation);
    PASS;
}

static const char *test_signal_needs_write_right(void)
{
    seL4_CPtr n = env_alloc(seL4_NotificationObject, 0), read_only = mint(n, seL4_CanRead, 0);
    seL4_MessageInfo_t r = seL4_Call(read_only, seL4_MessageInfo_new(0, 0, 0, 0));
    CHECK_EQ(seL4_MessageInfo_get_label(r), seL4_InvalidCapability);
    PASS;
}

static const char *test_delete_wakes_waiters(void)
{
    seL4_CPtr n = env_alloc(seL4_NotificationObject, 0);
    got[0] = 0xff;
    helper_t h = helper_start(waiter, n, 0, seL4_MaxPrio);
    seL4_Yield();
    /* Deleting the notification restarts the waiter's Wait, which then
     * looks up an empty slot: a cap fault. */
    seL4_CNode_Delete(ROOT_CNODE, n, ROOT_DEPTH);
    fault_msg_t f = env_fault_of(&h);
    CHECK_EQ(f.label, seL4_Fault_CapFault);
    CHECK_EQ(f.mr[seL4_CapFault_Addr], n);
    CHECK_EQ(f.mr[seL4_CapFault_InRecvPhase], 1);
    CHECK_EQ(got[0], 0xff);
    PASS;
}

const test_case_t notification_tests[] = {
    {"ntfn_signal_then_wait", test_signal_then_wait},
    {"ntfn_badges_or", test_badges_or},
    {"ntfn_poll_empty", test_poll_empty},
    {"ntfn_wait_blocks_until_signal", test_wait_blocks_until_signal},
    {"ntfn_waiters_fifo", test_waiters_fifo},
    {"ntfn_bound_wakes_endpoint_receive", test_bound_wakes_endpoint_receive},
    {"ntfn_bound_pending_before_receive", test_bound_pending_before_receive},
    {"ntfn_bound_still_gets_messages", test_bound_still_gets_messages},
    {"ntfn_bind_twice_fails", test_bind_twice_fails},
    {"ntfn_unbind", test_unbind},
    {"ntfn_bind_needs_read_right", test_bind_needs_read_right},
    {"ntfn_signal_needs_write_right", test_signal_needs_write_right},
    {"ntfn_delete_wakes_waiters", test_delete_wakes_waiters},
    {NULL, NULL},
};
