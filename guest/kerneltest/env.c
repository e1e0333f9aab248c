/* The test environment: object allocation from the boot untypeds, fresh
 * virtual regions, and helper threads sharing the root server's spaces. */
#include "test.h"

#define HELPER_COUNT 8
#define HELPER_STACK_BYTES 16384
#define FIRST_TEST_REGION 0x20000000ul
#define REGION_BYTES 0x200000ul

seL4_BootInfo *env_bootinfo;
seL4_CPtr env_fault_ep;
seL4_CPtr env_done_ntfn;

static seL4_CPtr next_slot, slot_end;
static seL4_Word next_region = FIRST_TEST_REGION;
static seL4_CPtr park_ntfn;
static seL4_CPtr helper_fault_eps[HELPER_COUNT];
static seL4_CPtr helper_ipc_frames[HELPER_COUNT];
static seL4_Word helper_ipc_base;
static int next_helper;
static unsigned char helper_stacks[HELPER_COUNT][HELPER_STACK_BYTES] __attribute__((aligned(16)));

seL4_CPtr env_slot(void) { return next_slot < slot_end ? next_slot++ : 0; }

seL4_CPtr env_alloc(seL4_Word type, seL4_Word size_bits)
{
    seL4_CPtr slot = env_slot();
    seL4_BootInfo *bi = env_bootinfo;
    for (seL4_Word i = 0; slot && i < bi->untyped.end - bi->untyped.start; i++) {
        if (bi->untypedList[i].isDevice) continue;
        seL4_Error err = seL4_Untyped_Retype(bi->untyped.start + i, type, size_bits, ROOT_CNODE, 0, 0, slot, 1);
        if (err == seL4_NoError) return slot;
    }
    return 0;
}

seL4_Word env_region(int with_pt)
{
    seL4_Word base = next_region;
    next_region += REGION_BYTES;
    if (with_pt) {
        seL4_CPtr pt = env_alloc(seL4_X86_PageTableObject, 0);
        seL4_X86_PageTable_Map(pt, ROOT_VSPACE, base, seL4_X86_Default_VMAttributes);
    }
    return base;
}

seL4_CPtr env_map_new_frame(seL4_Word vaddr)
{
    seL4_CPtr frame = env_alloc(seL4_X86_4K, 0);
    if (!frame || seL4_X86_Page_Map(frame, ROOT_VSPACE, vaddr, seL4_AllRights, seL4_X86_Default_VMAttributes))
        return 0;
    return frame;
}

void helper_park(void)
{
    for (;;) seL4_Wait(park_ntfn, NULL);
}

static void helper_entry(helper_fn fn, seL4_Word arg0, seL4_Word arg1)
{
    fn(arg0, arg1);
    helper_park();
}

void env_init(seL4_BootInfo *bi)
{
    env_bootinfo = bi;
    next_slot = bi->empty.start;
    slot_end = bi->empty.end;
    park_ntfn = env_alloc(seL4_NotificationObject, 0);
    env_fault_ep = env_alloc(seL4_EndpointObject, 0);
    env_done_ntfn = env_alloc(seL4_NotificationObject, 0);
    helper_ipc_base = env_region(1);
    for (int i = 0; i < HELPER_COUNT; i++) {
        helper_fault_eps[i] = env_slot();
        seL4_CNode_Mint(ROOT_CNODE, helper_fault_eps[i], ROOT_DEPTH, ROOT_CNODE, env_fault_ep, ROOT_DEPTH,
                        seL4_AllRights, (seL4_Word)i + 1);
        helper_ipc_frames[i] = env_map_new_frame(helper_ipc_base + (seL4_Word)i * 4096);
    }
}

helper_t helper_create(helper_fn fn, seL4_Word arg0, seL4_Word arg1, seL4_Word prio)
{
    helper_t h;
    h.index = next_helper;
    next_helper = (next_helper + 1) % HELPER_COUNT;
    seL4_Word ipc_vaddr = helper_ipc_base + (seL4_Word)h.index * 4096;
    h.ipc = (seL4_IPCBuffer *)ipc_vaddr;
    h.tcb = env_alloc(seL4_TCBObject, 0);
    seL4_TCB_Configure(h.tcb, helper_fault_eps[h.index], ROOT_CNODE, 0, ROOT_VSPACE, 0, ipc_vaddr, helper_ipc_frames[h.index]);
    seL4_TCB_SetPriority(h.tcb, ROOT_TCB, prio);
    seL4_UserContext regs = {0};
    regs.rip = (seL4_Word)helper_entry;
    /* As if called: RSP + 8 is 16-byte aligned at function entry. */
    regs.rsp = (seL4_Word)(helper_stacks[h.index] + HELPER_STACK_BYTES) - 8;
    regs.rflags = 0x202;
    regs.rdi = (seL4_Word)fn;
    regs.rsi = arg0;
    regs.rdx = arg1;
    seL4_TCB_WriteRegisters(h.tcb, 0, 0, 10, &regs);
    return h;
}

helper_t helper_start(helper_fn fn, seL4_Word arg0, seL4_Word arg1, seL4_Word prio)
{
    helper_t h = helper_create(fn, arg0, arg1, prio);
    seL4_TCB_Resume(h.tcb);
    return h;
}

seL4_Error helper_set_vspace(helper_t *h, seL4_CPtr pml4)
{
    return seL4_TCB_SetSpace(h->tcb, helper_fault_eps[h->index], ROOT_CNODE, 0, pml4, 0);
}

void helper_destroy(helper_t *h) { seL4_CNode_Delete(ROOT_CNODE, h->tcb, ROOT_DEPTH); }

/* Reads (or writes) addr, then reports "no fault" on the fault endpoint. */
static void toucher(seL4_Word addr, seL4_Word write)
{
    if (write) *(volatile seL4_Word *)addr = 0x5a5a;
    else (void)*(volatile seL4_Word *)addr;
    seL4_SendWithMRs(env_fault_ep, h_msg(NO_FAULT_LABEL, 0), NULL, NULL, NULL, NULL);
}

fault_msg_t env_fault_of(helper_t *h)
{
    fault_msg_t f;
    seL4_MessageInfo_t info = seL4_Recv(env_fault_ep, &f.badge);
    f.label = seL4_MessageInfo_get_label(info);
    f.length = seL4_MessageInfo_get_length(info);
    for (int i = 0; i < 8; i++) f.mr[i] = seL4_GetMR(i);
    helper_destroy(h);
    return f;
}

fault_msg_t env_touch(seL4_Word addr, int write)
{
    helper_t h = helper_start(toucher, addr, (seL4_Word)write, seL4_MaxPrio - 1);
    return env_fault_of(&h);
}

fault_msg_t env_touch_in(seL4_CPtr pml4, seL4_Word addr, int write)
{
    helper_t h = helper_create(toucher, addr, (seL4_Word)write, seL4_MaxPrio - 1);
    helper_set_vspace(&h, pml4);
    seL4_TCB_Resume(h.tcb);
    return env_fault_of(&h);
}
