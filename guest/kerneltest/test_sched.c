/* Scheduling: strict priorities, round robin with Yield, preemption by the
 * timer, suspend and resume, MCP limits. */
#include "test.h"

static volatile seL4_Word counter[2], flag, release;

static void set_flag(seL4_Word value, seL4_Word unused)
{
    flag = value;
    seL4_Signal(env_done_ntfn);
}

static const char *test_lower_priority_waits(void)
{
    flag = 0;
    helper_t h = helper_start(set_flag, 1, 0, 100);
    seL4_Yield();
    seL4_Word before = flag;
    seL4_Wait(env_done_ntfn, NULL);
    helper_destroy(&h);
    CHECK_EQ(before, 0);
    CHECK_EQ(flag, 1);
    PASS;
}

static const char *test_higher_priority_runs_at_once(void)
{
    flag = 0;
    CHECK_EQ(seL4_TCB_SetPriority(ROOT_TCB, ROOT_TCB, 200), 0);
    helper_t h = helper_start(set_flag, 2, 0, 201);
    seL4_Word after_resume = flag;
    seL4_Wait(env_done_ntfn, NULL);
    helper_destroy(&h);
    CHECK_EQ(seL4_TCB_SetPriority(ROOT_TCB, ROOT_TCB, seL4_MaxPrio), 0);
    CHECK_EQ(after_resume, 2);
    PASS;
}

static void yielding_counter(seL4_Word index, seL4_Word unused)
{
    for (;;) {
        counter[index]++;
        seL4_Yield();
    }
}

static const char *test_yield_round_robin(void)
{
    counter[0] = counter[1] = 0;
    helper_t a = helper_start(yielding_counter, 0, 0, seL4_MaxPrio);
    helper_t b = helper_start(yielding_counter, 1, 0, seL4_MaxPrio);
    for (int i = 0; i < 10; i++) seL4_Yield();
    helper_destroy(&a);
    helper_destroy(&b);
    /* Each Yield lets each of the two others run once (a timer tick may
     * shift one turn). */
    CHECK(counter[0] >= 9 && counter[0] <= 11);
    CHECK(counter[1] >= 9 && counter[1] <= 11);
    PASS;
}

static void spinner(seL4_Word unused0, seL4_Word unused1)
{
    flag = 1;
    while (!release) {
    }
}

static const char *test_timer_preemption(void)
{
    flag = 0;
    release = 0;
    helper_t h = helper_start(spinner, 0, 0, seL4_MaxPrio);
    /* No system call here: only the timer can let the spinner run. */
    unsigned long spins = 0;
    while (!flag && spins < 400000000ul) spins++;
    release = 1;
    seL4_Word ran = flag;
    helper_destroy(&h);
    CHECK_EQ(ran, 1);
    PASS;
}

static const char *test_suspend_and_resume(void)
{
    counter[0] = 0;
    helper_t h = helper_start(yielding_counter, 0, 0, seL4_MaxPrio);
    seL4_Yield();
    seL4_Yield();
    CHECK_EQ(seL4_TCB_Suspend(h.tcb), 0);
    seL4_Word at_suspend = counter[0];
    seL4_Yield();
    seL4_Yield();
    seL4_Word while_suspended = counter[0];
    CHECK_EQ(seL4_TCB_Resume(h.tcb), 0);
    /* Resumed, it first re-executes its interrupted Yield (seL4 restarts
     * the system call), then counts again. */
    for (int i = 0; i < 3; i++) seL4_Yield();
    seL4_Word after_resume = counter[0];
    helper_destroy(&h);
    CHECK(at_suspend >= 1);
    CHECK_EQ(while_suspended, at_suspend);
    CHECK(after_resume > while_suspended);
    PASS;
}

static void other_entry(seL4_Word unused0, seL4_Word unused1)
{
    flag = 7;
    seL4_Signal(env_done_ntfn);
    helper_park();
}

static const char *test_resume_runs_written_ip(void)
{
    flag = 0;
    helper_t h = helper_create(set_flag, 1, 0, seL4_MaxPrio);
    seL4_UserContext regs;
    CHECK_EQ(seL4_TCB_ReadRegisters(h.tcb, 0, 0, 2, &regs), 0);
    regs.rip = (seL4_Word)other_entry;
    CHECK_EQ(seL4_TCB_WriteRegisters(h.tcb, 1, 0, 2, &regs), 0);
    seL4_Wait(env_done_ntfn, NULL);
    helper_destroy(&h);
    CHECK_EQ(flag, 7);
    PASS;
}

static const char *test_priority_bounded_by_mcp(void)
{
    helper_t a = helper_create(set_flag, 0, 0, 10), b = helper_create(set_flag, 0, 0, 10);
    /* A new TCB has MCP 0: as authority it can only grant priority 0. */
    seL4_Error too_high = seL4_TCB_SetPriority(b.tcb, a.tcb, 1);
    seL4_Word max = seL4_GetMR(1);
    seL4_Error zero = seL4_TCB_SetPriority(b.tcb, a.tcb, 0);
    seL4_Error set_mcp = seL4_TCB_SetMCPriority(a.tcb, ROOT_TCB, 50);
    seL4_Error within = seL4_TCB_SetPriority(b.tcb, a.tcb, 50);
    seL4_Error above = seL4_TCB_SetPriority(b.tcb, a.tcb, 51);
    helper_destroy(&a);
    helper_destroy(&b);
    CHECK_EQ(too_high, seL4_RangeError);
    CHECK_EQ(max, 0);
    CHECK_EQ(zero, 0);
    CHECK_EQ(set_mcp, 0);
    CHECK_EQ(within, 0);
    CHECK_EQ(above, seL4_RangeError);
    PASS;
}

static const char *test_sched_params(void)
{
    helper_t a = helper_create(set_flag, 0, 0, 10);
    seL4_Error ok = seL4_TCB_SetSchedParams(a.tcb, ROOT_TCB, 20, 30);
    helper_t b = helper_create(set_flag, 0, 0, 10);
    seL4_Error limited = seL4_TCB_SetPriority(b.tcb, a.tcb, 21);
    helper_destroy(&a);
    helper_destroy(&b);
    CHECK_EQ(ok, 0);
    CHECK_EQ(limited, seL4_RangeError);
    PASS;
}

static const char *test_authority_must_be_tcb(void)
{
    helper_t a = helper_create(set_flag, 0, 0, 10);
    seL4_Error err = seL4_TCB_SetPriority(a.tcb, ROOT_CNODE, 1);
    seL4_Word which = seL4_GetMR(0);
    helper_destroy(&a);
    CHECK_EQ(err, seL4_InvalidCapability);
    CHECK_EQ(which, 1);
    PASS;
}

static void receive_once(seL4_Word ep, seL4_Word unused)
{
    seL4_Word word = 0;
    seL4_RecvWithMRs(ep, NULL, &word, NULL, NULL, NULL);
    flag = word;
    seL4_Signal(env_done_ntfn);
}

/* The dump lists a named helper blocked on an endpoint at priority 77 (the
 * host checks the console: KernelSuite.SchedulerDumpListsThreads) and leaves
 * it as it was: blocked, it still takes the next message. */
static const char *test_dump_scheduler_lists_threads(void)
{
    seL4_CPtr ep = env_alloc(seL4_EndpointObject, 0);
    flag = 0;
    helper_t h = helper_create(receive_once, ep, 0, 77);
    seL4_DebugNameThread(h.tcb, "sched_dump_helper");
    seL4_TCB_Resume(h.tcb);
    /* Below us, the helper runs only when we wait: it then blocks on ep. */
    seL4_TCB_SetPriority(ROOT_TCB, ROOT_TCB, 76);
    seL4_TCB_SetPriority(ROOT_TCB, ROOT_TCB, seL4_MaxPrio);
    seL4_Word before = flag;
    seL4_DebugDumpScheduler();
    seL4_SetMR(0, 0xd0);
    seL4_Send(ep, seL4_MessageInfo_new(0, 0, 0, 1));
    seL4_Wait(env_done_ntfn, NULL);
    helper_destroy(&h);
    CHECK_EQ(before, 0);
    CHECK_EQ(flag, 0xd0);
    PASS;
}

const test_case_t sched_tests[] = {
    {"sched_lower_priority_waits", test_lower_priority_waits},
    {"sched_higher_priority_runs_at_once", test_higher_priority_runs_at_once},
    {"sched_yield_round_robin", test_yield_round_robin},
    {"sched_timer_preemption", test_timer_preemption},
    {"sched_suspend_and_resume", test_suspend_and_resume},
    {"sched_resume_runs_written_ip", test_resume_runs_written_ip},
    {"sched_priority_bounded_by_mcp", test_priority_bounded_by_mcp},
    {"sched_sched_params", test_sched_params},
    {"sched_authority_must_be_tcb", test_authority_must_be_tcb},
    {"sched_dump_scheduler_lists_threads", test_dump_scheduler_lists_threads},
    {NULL, NULL},
};
