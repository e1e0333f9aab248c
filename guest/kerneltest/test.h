/* The kernel test suite's framework: named tests returning NULL on success
 * or a failure detail, and an environment for allocating kernel objects,
 * virtual address regions and helper threads. */
#ifndef KERNELTEST_TEST_H
#define KERNELTEST_TEST_H

#include <sel4/sel4.h>
#include <stdio.h>

typedef const char *(*test_fn)(void);
typedef struct test_case {
    const char *name;
    test_fn run;
} test_case_t;

extern char test_failure[256];
#define FAIL(...)                                                  \
    do {                                                           \
        snprintf(test_failure, sizeof(test_failure), __VA_ARGS__); \
        return test_failure;                                       \
    } while (0)
#define CHECK(cond)                                       \
    do {                                                  \
        if (!(cond)) FAIL("line %d: %s", __LINE__, #cond); \
    } while (0)
#define CHECK_EQ(actual, expected)                                                                      \
    do {                                                                                                \
        seL4_Word check_a_ = (seL4_Word)(actual), check_e_ = (seL4_Word)(expected);                     \
        if (check_a_ != check_e_)                                                                       \
            FAIL("line %d: %s is %#lx, expected %#lx", __LINE__, #actual, check_a_, check_e_);          \
    } while (0)
#define PASS return NULL

/* Each suite is a null-terminated array. */
extern const test_case_t ipc_tests[], cnode_tests[], untyped_tests[], vspace_tests[], fault_tests[],
    notification_tests[], sched_tests[], tcb_tests[], error_tests[], fuzz_tests[];
/* Reseeds the random choices of fuzz_tests (fixed seeds by default). */
void fuzz_set_seed(seL4_Word seed);

/* Environment (env.c). */
extern seL4_BootInfo *env_bootinfo;
#define ROOT_CNODE seL4_CapInitThreadCNode
#define ROOT_VSPACE seL4_CapInitThreadVSpace
#define ROOT_TCB seL4_CapInitThreadTCB
#define ROOT_DEPTH seL4_WordBits

void env_init(seL4_BootInfo *bi);
seL4_CPtr env_slot(void);
/* One new object (0 if the untypeds are exhausted). */
seL4_CPtr env_alloc(seL4_Word type, seL4_Word size_bits);
/* A fresh 2 MiB-aligned virtual region; with_pt maps a page table there. */
seL4_Word env_region(int with_pt);
/* A fresh 4 KiB frame mapped read-write at vaddr. */
seL4_CPtr env_map_new_frame(seL4_Word vaddr);
/* The endpoint every helper thread's faults go to (badge = helper index + 1). */
extern seL4_CPtr env_fault_ep;
/* Helpers signal this when they have recorded their results. */
extern seL4_CPtr env_done_ntfn;

typedef struct helper {
    seL4_CPtr tcb;
    seL4_IPCBuffer *ipc; /* the helper's own buffer: helpers must not use the
                          * global-buffer API (seL4_GetMR etc.) */
    int index;
} helper_t;
typedef void (*helper_fn)(seL4_Word arg0, seL4_Word arg1);

/* A helper thread running fn(arg0, arg1) at `prio` in the root server's
 * CSpace and VSpace; its faults go to env_fault_ep with badge index + 1.
 * helper_create leaves it suspended, helper_start resumes it. */
helper_t helper_create(helper_fn fn, seL4_Word arg0, seL4_Word arg1, seL4_Word prio);
helper_t helper_start(helper_fn fn, seL4_Word arg0, seL4_Word arg1, seL4_Word prio);
void helper_destroy(helper_t *h);
/* Move a (not yet resumed) helper into another VSpace. */
seL4_Error helper_set_vspace(helper_t *h, seL4_CPtr pml4);
/* Helpers that finish block here forever. */
void helper_park(void) __attribute__((noreturn));

/* What arrived on env_fault_ep (the helper is destroyed afterwards). */
#define NO_FAULT_LABEL 0x777
typedef struct fault_msg {
    seL4_Word label, length, badge;
    seL4_Word mr[8];
} fault_msg_t;
fault_msg_t env_fault_of(helper_t *h);
/* A helper touches addr; returns its VM fault, or label NO_FAULT_LABEL. */
fault_msg_t env_touch(seL4_Word addr, int write);
/* The same, from a helper running in the VSpace `pml4`. */
fault_msg_t env_touch_in(seL4_CPtr pml4, seL4_Word addr, int write);

/* Syscall shorthand for helpers (registers only, no IPC buffer). */
static inline seL4_MessageInfo_t h_msg(seL4_Word label, seL4_Word length)
{
    return seL4_MessageInfo_new(label, 0, 0, length);
}

#endif
