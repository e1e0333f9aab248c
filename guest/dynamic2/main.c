/*
 * seL4 tutorial "dynamic-2": IPC between two threads, and managing virtual
 * memory by hand.
 *
 * The root server creates a second thread (thread_2) that shares its CSpace
 * and VSpace, gives it an IPC buffer that it maps itself (allocating a page
 * table on the way), creates an endpoint and a badged copy of its capability,
 * and exchanges one message with thread_2 by Call and ReplyRecv.
 *
 * In guest/dynamic2/main.c the solution to TASK N is compiled in when
 * TUTORIAL_STAGE >= N, so the build for stage N is the program with TASKs
 * 1..N done. The exercise template (bazel-bin/guest/dynamic2/
 * exercise_template.c) is the same file with the solutions removed: stage 0,
 * where the tutorial starts. docs/tutorial.md says how to work through it.
 */

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>

#include <allocman/allocman.h>
#include <sel4/sel4.h>
#include <sel4platsupport/bootinfo.h>
#include <sel4utils/sel4_zf_logif.h>
#include <sel4utils/thread.h>
#include <simple/simple.h>
#include <utils/util.h>
#include <utils/zf_log.h>
#include <vka/object.h>

#ifndef TUTORIAL_STAGE
#error "Build with -DTUTORIAL_STAGE=N (0..15): the TASKs 1..N are solved."
#endif

/* constants */
#define EP_BADGE 0x61   /* arbitrary (but unique) number for a badge */
#define MSG_DATA 0x6161 /* arbitrary data to send */

#define IPCBUF_FRAME_SIZE_BITS 12 /* use a 4K frame for the IPC buffer */
#define IPCBUF_VADDR 0x7000000    /* arbitrary (but free) address for IPC buffer */

/* global environment variables */

/* the boot info the kernel gave us: our capabilities and untyped memory */
seL4_BootInfo *info;

/* simple_t: a view of the boot info */
simple_t simple;

/* vka_t: the interface for allocating slots and kernel objects */
vka_t vka;

/* allocman_t: the allocator behind the vka */
allocman_t *allocman;

/* variables to support thread_2 */

/* the endpoint thread_2 receives on (the original, unbadged capability) */
vka_object_t ep_object;

/* the badged copy of the endpoint capability that main sends on */
cspacepath_t ep_cap_path;

/* static memory for the allocator to keep its records in */
#define ALLOCATOR_STATIC_POOL_SIZE (BIT(seL4_PageBits) * 10)
static char allocator_mem_pool[ALLOCATOR_STATIC_POOL_SIZE] __attribute__((aligned(16)));

/* stack for the new thread */
#define THREAD_2_STACK_SIZE 512
static uint64_t thread_2_stack[THREAD_2_STACK_SIZE] __attribute__((aligned(16)));

/* function to run in the new thread */
void thread_2(void) {
    seL4_Word sender_badge = 0;
    UNUSED seL4_MessageInfo_t tag = seL4_MessageInfo_new(0, 0, 0, 0);
    seL4_Word msg = 0;

    printf("thread_2: hallo wereld\n");

    /* TASK 11: wait for a message to come in over the endpoint
     * hint: seL4_Recv(src, &sender_badge) blocks until a message arrives and
     * returns its seL4_MessageInfo_t; receive on the original capability. */
#if TUTORIAL_STAGE >= 11
    tag = seL4_Recv(ep_object.cptr, &sender_badge);
#endif

    /* TASK 12: make sure it is what we expected
     * hint: is the badge EP_BADGE? Did exactly one message register arrive
     * (seL4_MessageInfo_get_length)? */
#if TUTORIAL_STAGE >= 12
    ZF_LOGF_IF(sender_badge != EP_BADGE,
               "Badge on the endpoint was not what was expected.");
    ZF_LOGF_IF(seL4_MessageInfo_get_length(tag) != 1,
               "Length of the data send from root thread was not what was expected.\n"
               "\tHow many registers did you set with seL4_SetMR, within the root thread?");
#endif

    /* TASK 13: get the message stored in the first message register
     * hint: seL4_GetMR(i) */
#if TUTORIAL_STAGE >= 13
    msg = seL4_GetMR(0);
#endif
    printf("thread_2: got a message %#" PRIxPTR " from %#" PRIxPTR "\n", msg, sender_badge);

    /* modify the message */
    msg = ~msg;

    /* TASK 14: copy the modified message back into the message register
     * hint: seL4_SetMR(i, value) */
#if TUTORIAL_STAGE >= 14
    seL4_SetMR(0, msg);
#endif

    /* TASK 15: send the message back
     * hint: seL4_ReplyRecv(src, tag, &sender_badge) replies to the caller
     * through the one-shot reply capability, then waits for the next message. */
#if TUTORIAL_STAGE >= 15
    seL4_ReplyRecv(ep_object.cptr, tag, &sender_badge);
#endif
}

int main(void) {
    UNUSED int error = 0;

    /* get boot info */
    info = platsupport_get_bootinfo();
    ZF_LOGF_IF(info == NULL, "Failed to get bootinfo.");

    /* Set up logging: every log line starts with this */
    zf_log_set_tag_prefix("dynamic-2:");

    /* init simple */
    simple_default_init_bootinfo(&simple, info);

    /* create an allocator */
    allocman = bootstrap_use_current_simple(&simple, ALLOCATOR_STATIC_POOL_SIZE,
                                            allocator_mem_pool);
    ZF_LOGF_IF(allocman == NULL, "Failed to initialize alloc manager.\n"
               "\tMemory pool sufficiently sized?\n"
               "\tMemory pool pointer valid?");

    /* create a vka (interface for interacting with the underlying allocator) */
    allocman_make_vka(&vka, allocman);

    /* get our cspace root cnode */
    seL4_CPtr cspace_cap;
    cspace_cap = simple_get_cnode(&simple);

    /* get our vspace root page directory */
    seL4_CPtr pd_cap;
    pd_cap = simple_get_pd(&simple);

    /* create a new TCB */
    vka_object_t tcb_object = {0};
    error = vka_alloc_tcb(&vka, &tcb_object);
    ZF_LOGF_IFERR(error, "Failed to allocate new TCB.\n"
                  "\tVKA given sufficient bootstrap memory?");

    /*
     * create and map an ipc buffer:
     */

    /* TASK 1: get a frame cap for the ipc buffer
     * hint: vka_alloc_frame(vka, size_bits, &result): size_bits is log2 of
     * the frame's size in bytes. */
    vka_object_t ipc_frame_object = {0};
#if TUTORIAL_STAGE >= 1
    error = vka_alloc_frame(&vka, IPCBUF_FRAME_SIZE_BITS, &ipc_frame_object);
    ZF_LOGF_IFERR(error, "Failed to alloc a frame for the IPC buffer.\n"
                  "\tThe frame size is not the number of bytes, but an exponent.\n"
                  "\tNB: This frame is not an immediately usable, virtually mapped page.");
#endif

    /*
     * map the frame into the vspace at ipc_buffer_vaddr.
     * To do this we first try to map it in to the root page directory.
     * If there is already a page table mapped in the appropriate slot in the
     * page directory where we can insert this frame, then this will succeed.
     * Otherwise we first need to create a page table, and map it in to
     * the page directory, before we can map the frame in.
     */

    seL4_Word ipc_buffer_vaddr = IPCBUF_VADDR;

    /* TASK 2: try to map the frame the first time
     * hint: seL4_ARCH_Page_Map(frame, vspace root, vaddr, seL4_AllRights,
     * seL4_ARCH_Default_VMAttributes). It is normal for it to fail: no page
     * table covers the address yet. */
#if TUTORIAL_STAGE >= 2
    error = seL4_ARCH_Page_Map(ipc_frame_object.cptr, pd_cap, ipc_buffer_vaddr,
                               seL4_AllRights, seL4_ARCH_Default_VMAttributes);
#endif
    if (error != 0) {
        /* TASK 3: create a page table
         * hint: vka_alloc_page_table(vka, &result) */
        UNUSED vka_object_t pt_object = {0};
#if TUTORIAL_STAGE >= 3
        error = vka_alloc_page_table(&vka, &pt_object);
#endif
        ZF_LOGF_IFERR(error, "Failed to allocate new page table.");

        /* TASK 4: map the page table
         * hint: seL4_ARCH_PageTable_Map(page table, vspace root, vaddr,
         * seL4_ARCH_Default_VMAttributes) */
#if TUTORIAL_STAGE >= 4
        error = seL4_ARCH_PageTable_Map(pt_object.cptr, pd_cap, ipc_buffer_vaddr,
                                        seL4_ARCH_Default_VMAttributes);
#endif
        ZF_LOGF_IFERR(error, "Failed to map page table into VSpace.\n"
                      "\tWe are inserting a new page table into the top-level table.\n"
                      "\tPass a capability to the new page table, and not for example, the IPC buffer frame vaddr.");

        /* TASK 5: then map the frame in
         * hint: seL4_ARCH_Page_Map() as in TASK 2 */
#if TUTORIAL_STAGE >= 5
        error = seL4_ARCH_Page_Map(ipc_frame_object.cptr, pd_cap, ipc_buffer_vaddr,
                                   seL4_AllRights, seL4_ARCH_Default_VMAttributes);
#endif
        ZF_LOGF_IFERR(error, "Failed again to map the IPC buffer frame into the VSpace.\n"
                      "\t(It's not supposed to fail.)\n"
                      "\tPass a capability to the IPC buffer's physical frame.\n"
                      "\tRevisit the first seL4_ARCH_Page_Map call above and double-check your arguments.");
    }

    /* set the IPC buffer's virtual address in a field of the IPC buffer */
    seL4_IPCBuffer *ipcbuf = (seL4_IPCBuffer *)ipc_buffer_vaddr;
    ipcbuf->userData = ipc_buffer_vaddr;

    /* TASK 6: create an endpoint
     * hint: vka_alloc_endpoint(vka, &result) */
#if TUTORIAL_STAGE >= 6
    error = vka_alloc_endpoint(&vka, &ep_object);
    ZF_LOGF_IFERR(error, "Failed to allocate new endpoint object.");
#endif

    /* TASK 7: make a badged copy of it in our cspace. This copy will be used to
     * send an IPC message to the original cap.
     * hint: vka_mint_object(vka, &object, &result_path, seL4_AllRights, EP_BADGE) */
#if TUTORIAL_STAGE >= 7
    error = vka_mint_object(&vka, &ep_object, &ep_cap_path, seL4_AllRights, EP_BADGE);
    ZF_LOGF_IFERR(error, "Failed to mint new badged copy of IPC endpoint.\n"
                  "\tseL4_Mint is the backend for vka_mint_object.\n"
                  "\tseL4_Mint is simply being used here to create a badged copy of the same IPC endpoint.\n"
                  "\tThink of a badge in this case as an IPC context cookie.");
#endif

    /* initialise the new TCB: no fault endpoint, our CSpace and VSpace, and
     * the IPC buffer mapped above */
    error = seL4_TCB_Configure(tcb_object.cptr, seL4_CapNull, cspace_cap, seL4_NilData,
                               pd_cap, seL4_NilData, ipc_buffer_vaddr,
                               ipc_frame_object.cptr);
    ZF_LOGF_IFERR(error, "Failed to configure the new TCB object.\n"
                  "\tWe're running the new thread with the root thread's CSpace.\n"
                  "\tWe're running the new thread in the root thread's VSpace.");

    /* set start up registers for the new thread */
    seL4_UserContext regs = {0};
    size_t regs_size = sizeof(seL4_UserContext) / sizeof(seL4_Word);

    /* set instruction pointer where the thread should start running */
    sel4utils_set_instruction_pointer(&regs, (seL4_Word)thread_2);

    /* check that stack is aligned correctly */
    const int stack_alignment_requirement = sizeof(seL4_Word) * 2;
    uintptr_t thread_2_stack_top = (uintptr_t)thread_2_stack + sizeof(thread_2_stack);

    ZF_LOGF_IF(thread_2_stack_top % (stack_alignment_requirement) != 0,
               "Stack top isn't aligned correctly to a %dB boundary.\n"
               "\tDouble check to ensure you're not trampling.",
               stack_alignment_requirement);

    /* set stack pointer for the new thread. thread_2 starts as if it had been
     * called: the x86-64 SysV ABI (3.2.2) has RSP+8 a multiple of 16 at a
     * function's entry, one word below the aligned top where `call` would
     * have put a return address. That word is 0, so returning from thread_2
     * jumps to address 0. */
    sel4utils_set_stack_pointer(&regs, thread_2_stack_top - sizeof(seL4_Word));

    /* actually write the TCB registers. */
    error = seL4_TCB_WriteRegisters(tcb_object.cptr, 0, 0, regs_size, &regs);
    ZF_LOGF_IFERR(error, "Failed to write the new thread's register set.\n"
                  "\tDid you write the correct number of registers? See arg4.");

    /* start the new thread running */
    error = seL4_TCB_Resume(tcb_object.cptr);
    ZF_LOGF_IFERR(error, "Failed to start new thread.");

    /* we are done, say hello */
    printf("main: hello world\n");

    /*
     * now send a message to the new thread, and wait for a reply
     */

    seL4_Word msg = 0;
    seL4_MessageInfo_t tag = seL4_MessageInfo_new(0, 0, 0, 0);

    /* TASK 8: set the data to send. We send it in the first message register
     * hint: tag = seL4_MessageInfo_new(label 0, capsUnwrapped 0, extraCaps 0,
     * length 1); seL4_SetMR(0, MSG_DATA) */
#if TUTORIAL_STAGE >= 8
    tag = seL4_MessageInfo_new(0, 0, 0, 1);
    seL4_SetMR(0, MSG_DATA);
#endif

    /* TASK 9: send and wait for a reply
     * hint: tag = seL4_Call(badged endpoint, tag) */
#if TUTORIAL_STAGE >= 9
    tag = seL4_Call(ep_cap_path.capPtr, tag);
#endif

    /* TASK 10: get the reply message
     * hint: seL4_GetMR(i) */
#if TUTORIAL_STAGE >= 10
    msg = seL4_GetMR(0);
#endif

    /* check that we got the expected reply */
    ZF_LOGF_IF(seL4_MessageInfo_get_length(tag) != 1,
               "Response data from thread_2 was not the length expected.\n"
               "\tHow many registers did you set with seL4_SetMR within thread_2?");

    ZF_LOGF_IF(msg != ~MSG_DATA,
               "Response data from thread_2's content was not what was expected.");

    printf("main: got a reply: %#" PRIxPTR "\n", msg);

    return 0;
}
