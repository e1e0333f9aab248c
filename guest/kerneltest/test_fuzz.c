/* Random invocations on a sandbox of objects: every reply must be a valid
 * seL4 error and the kernel must keep working. Deterministic (xorshift). */
#include "test.h"

#define SANDBOX_SLOTS 48
#define ROUNDS 4000

static seL4_Word rng_state = 0x9e3779b97f4a7c15ul;
static seL4_Word ipc_seed = 0x1234567ul;

void fuzz_set_seed(seL4_Word seed)
{
    rng_state = seed | 1; /* xorshift's state must not be 0 */
    ipc_seed = (seed >> 17) | 1;
}

static seL4_Word next_random(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* Interesting argument values: small numbers, sandbox slot indices, depths,
 * aligned and unaligned addresses, kernel addresses, all-ones. */
static seL4_Word random_arg(seL4_CPtr first_slot)
{
    static const seL4_Word specials[] = {0, 1, 2, 4, 12, 64, 65, 4095, 4096, 0x200000, 0x7ffffffff000ul,
                                         0xffffff8000000000ul, 0xffffffff80100000ul, ~0ul, 0x8000000000ul};
    switch (next_random() % 4) {
    case 0: return specials[next_random() % (sizeof(specials) / sizeof(specials[0]))];
    case 1: return first_slot + next_random() % SANDBOX_SLOTS;
    case 2: return next_random() % 64;
    default: return 0x30000000ul + (next_random() % 64) * 0x1000 + (next_random() % 2) * 0x10;
    }
}

static const char *test_random_invocations(void)
{
    seL4_CPtr ut = env_alloc(seL4_UntypedObject, 22);
    CHECK(ut);
    seL4_CPtr first = env_slot();
    for (int i = 1; i < SANDBOX_SLOTS; i++) env_slot();
    static const seL4_Word types[] = {seL4_EndpointObject, seL4_NotificationObject, seL4_CapTableObject,
                                      seL4_X86_4K, seL4_X86_PageTableObject, seL4_X86_PageDirectoryObject,
                                      seL4_X86_PDPTObject, seL4_X64_PML4Object, seL4_TCBObject,
                                      seL4_UntypedObject, seL4_X86_4K, seL4_NotificationObject};
    for (int i = 0; i < 24; i++) {
        seL4_Word type = types[i % (sizeof(types) / sizeof(types[0]))];
        seL4_Word size = type == seL4_CapTableObject ? 3 : type == seL4_UntypedObject ? 14 : 0;
        CHECK_EQ(seL4_Untyped_Retype(ut, type, size, ROOT_CNODE, 0, 0, first + i, 1), 0);
    }
    int errors[seL4_NumErrors + 1] = {0};
    for (int round = 0; round < ROUNDS; round++) {
        seL4_CPtr service = first + next_random() % SANDBOX_SLOTS;
        seL4_Uint32 type = seL4_DebugCapIdentify(service);
        seL4_Word label = next_random() % 48;
        /* Never start a sandbox thread: its registers are random. */
        if (type == 12 && (label == TCBResume || label == TCBWriteRegisters || label == TCBCopyRegisters)) continue;
        seL4_Word length = next_random() % 9, extra = next_random() % 4;
        for (seL4_Word i = 0; i < length; i++) seL4_SetMR((int)i, random_arg(first));
        for (seL4_Word i = 0; i < extra; i++) seL4_SetCap((int)i, first + next_random() % SANDBOX_SLOTS);
        seL4_MessageInfo_t info = seL4_MessageInfo_new(label, 0, extra, length);
        if (type == 4) { /* an endpoint: never block */
            seL4_NBSend(service, info);
            continue;
        }
        seL4_Word result = seL4_MessageInfo_get_label(seL4_Call(service, info));
        if (result >= seL4_NumErrors) FAIL("round %d: label %lu on cap type %u returned %lu", round, label, type, result);
        errors[result]++;
    }
    /* Tear the sandbox down and check the kernel still works. */
    CHECK_EQ(seL4_CNode_Revoke(ROOT_CNODE, ut, ROOT_DEPTH), 0);
    for (int i = 0; i < SANDBOX_SLOTS; i++)
        if (seL4_DebugCapIdentify(first + i) != 0)
            FAIL("slot %d still holds cap type %u after revoke", i, seL4_DebugCapIdentify(first + i));
    CHECK(errors[seL4_NoError] > 0);
    CHECK(errors[seL4_IllegalOperation] > 0);
    seL4_CPtr n = env_alloc(seL4_NotificationObject, 0), badged = env_slot();
    seL4_CNode_Mint(ROOT_CNODE, badged, ROOT_DEPTH, ROOT_CNODE, n, ROOT_DEPTH, seL4_AllRights, 0x44);
    seL4_Signal(badged);
    seL4_Word badge = 0;
    seL4_Poll(n, &badge);
    CHECK_EQ(badge, 0x44);
    PASS;
}

/* Random IPC among three threads on shared endpoints and notifications. */
#define IPC_OBJECTS 8
static seL4_CPtr ipc_caps[IPC_OBJECTS];
static volatile seL4_Word ops_done[3], bad_results;

static seL4_Word thread_random(seL4_Word *state)
{
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    return *state;
}

static void ipc_chaos(seL4_Word index, seL4_Word seed)
{
    seL4_Word state = seed;
    for (;;) {
        seL4_CPtr cap = ipc_caps[thread_random(&state) % IPC_OBJECTS];
        seL4_Word len = thread_random(&state) % 5, badge = 0;
        seL4_Word m0 = index, m1 = len, m2 = 0, m3 = 0;
        seL4_MessageInfo_t info = seL4_MessageInfo_new(thread_random(&state) % 8, 0, 0, len), r = info;
        switch (thread_random(&state) % 9) {
        case 0: seL4_SendWithMRs(cap, info, &m0, &m1, &m2, &m3); break;
        case 1: seL4_NBSendWithMRs(cap, info, &m0, &m1, &m2, &m3); break;
        case 2: r = seL4_RecvWithMRs(cap, &badge, &m0, &m1, &m2, &m3); break;
        case 3: r = seL4_CallWithMRs(cap, info, &m0, &m1, &m2, &m3); break;
        case 4: r = seL4_ReplyRecvWithMRs(cap, info, &badge, &m0, &m1, &m2, &m3); break;
        case 5: seL4_ReplyWithMRs(info, &m0, &m1, &m2, &m3); break;
        case 6: seL4_Signal(cap); break;
        case 7: seL4_Poll(cap, &badge); break;
        default: seL4_Yield(); break;
        }
        if (seL4_MessageInfo_get_length(r) > seL4_MsgMaxLength) bad_results++;
        ops_done[index]++;
    }
}

static const char *test_random_ipc(void)
{
    for (int i = 0; i < IPC_OBJECTS; i++) {
        seL4_Word type = i % 2 ? seL4_NotificationObject : seL4_EndpointObject;
        seL4_CPtr object = env_alloc(type, 0);
        ipc_caps[i] = env_slot();
        seL4_CNode_Mint(ROOT_CNODE, ipc_caps[i], ROOT_DEPTH, ROOT_CNODE, object, ROOT_DEPTH, seL4_AllRights,
                        (seL4_Word)i + 1);
    }
    ops_done[0] = ops_done[1] = ops_done[2] = 0;
    bad_results = 0;
    helper_t h[3];
    for (int i = 0; i < 3; i++) h[i] = helper_start(ipc_chaos, (seL4_Word)i, ipc_seed * (seL4_Word)(i + 1), seL4_MaxPrio);
    /* Main never blocks: it yields, and now and then unblocks the helpers
     * (takes and answers a queued message, feeds a receiver, signals). */
    for (int round = 0; round < 3000; round++) {
        seL4_Yield();
        if (round % 4) continue;
        for (int i = 0; i < IPC_OBJECTS; i++) {
            if (i % 2) {
                seL4_Signal(ipc_caps[i]);
                continue;
            }
            seL4_Word badge;
            seL4_NBRecv(ipc_caps[i], &badge);
            seL4_Reply(seL4_MessageInfo_new(0, 0, 0, 0));
            seL4_NBSend(ipc_caps[i], seL4_MessageInfo_new(0, 0, 0, 0));
        }
    }
    for (int i = 0; i < 3; i++) helper_destroy(&h[i]);
    CHECK_EQ(bad_results, 0);
    CHECK(ops_done[0] + ops_done[1] + ops_done[2] > 1000);
    /* The objects still work after their users died mid-operation. */
    for (int i = 0; i < IPC_OBJECTS; i += 2) {
        seL4_Word badge = 7;
        seL4_NBRecv(ipc_caps[i], &badge);
        seL4_NBRecv(ipc_caps[i], &badge);
    }
    seL4_Word badge = 0;
    seL4_Poll(ipc_caps[1], &badge);
    seL4_Signal(ipc_caps[1]);
    seL4_Poll(ipc_caps[1], &badge);
    CHECK_EQ(badge, 2);
    PASS;
}

const test_case_t fuzz_tests[] = {
    {"fuzz_random_invocations", test_random_invocations},
    {"fuzz_random_ipc", test_random_ipc},
    {NULL, NULL},
};
