#include "echo_server.h"

#include <sel4utils/thread.h>
#include <utils/util.h>
#include <vka/object.h>

/* The first byte of the root server's image (root_server.lds). */
extern char __executable_start[];

/* Slots of the server's own CNode: 2^4 slots, with a guard of the remaining
 * 60 bits so that its CPtrs resolve with depth 64. */
#define SERVER_CNODE_SLOT_BITS 4
#define SERVER_ENDPOINT_SLOT 1

/* Where the server's IPC buffer lives in its own address space. */
#define SERVER_IPC_BUFFER_VADDR 0x7000000

/* Echoes each message back with ReplyRecv, passing message registers in
 * processor registers only (the *WithMRs calls), so it never touches the
 * IPC buffer pointer it shares with the root server's code. */
static _Noreturn void echo_server_main(seL4_CPtr endpoint) {
    seL4_Word badge;
    seL4_Word mr0 = 0, mr1 = 0, mr2 = 0, mr3 = 0;
    seL4_MessageInfo_t info =
        seL4_RecvWithMRs(endpoint, &badge, &mr0, &mr1, &mr2, &mr3);
    for (;;) {
        info = seL4_ReplyRecvWithMRs(endpoint, info, &badge, &mr0, &mr1, &mr2, &mr3);
    }
}

/* A new VSpace with the root server's image mapped at its link addresses, and
 * `ipc_frame` at SERVER_IPC_BUFFER_VADDR. */
static int make_own_vspace(vka_t *vka, simple_t *simple, seL4_CPtr ipc_frame,
                           seL4_CPtr *vspace_root) {
    vka_object_t pml4;
    int error = vka_alloc_vspace_root(vka, &pml4);
    if (error != seL4_NoError) {
        return error;
    }
    error = seL4_X86_ASIDPool_Assign(seL4_CapInitThreadASIDPool, pml4.cptr);
    if (error != seL4_NoError) {
        return error;
    }
    seL4_SlotRegion image = simple->info->userImageFrames;
    for (seL4_SlotPos slot = image.start; slot < image.end; slot++) {
        /* A frame capability maps once: map a copy of it. */
        cspacepath_t copy;
        error = vka_cspace_alloc_path(vka, &copy);
        if (error != seL4_NoError) {
            return error;
        }
        error = seL4_CNode_Copy(copy.root, copy.capPtr, (seL4_Uint8)copy.capDepth,
                                seL4_CapInitThreadCNode, slot, seL4_WordBits,
                                seL4_AllRights);
        if (error != seL4_NoError) {
            return error;
        }
        seL4_Word vaddr = (seL4_Word)__executable_start +
                          (slot - image.start) * BIT(seL4_PageBits);
        error = vspace_map_frame(vka, pml4.cptr, copy.capPtr, vaddr, seL4_AllRights);
        if (error != seL4_NoError) {
            return error;
        }
    }
    error = vspace_map_frame(vka, pml4.cptr, ipc_frame, SERVER_IPC_BUFFER_VADDR,
                             seL4_ReadWrite);
    *vspace_root = pml4.cptr;
    return error;
}

/* A CNode holding only a copy of `endpoint`, and the cap data that gives
 * the server's CSpace root the guard for 64-bit CPtrs. */
static int make_own_cspace(vka_t *vka, seL4_CPtr endpoint, seL4_CPtr *cnode,
                           seL4_Word *cspace_root_data) {
    vka_object_t object;
    int error = vka_alloc_cnode_object(vka, SERVER_CNODE_SLOT_BITS, &object);
    if (error != seL4_NoError) {
        return error;
    }
    error = seL4_CNode_Copy(object.cptr, SERVER_ENDPOINT_SLOT, SERVER_CNODE_SLOT_BITS,
                            seL4_CapInitThreadCNode, endpoint, seL4_WordBits,
                            seL4_AllRights);
    *cnode = object.cptr;
    *cspace_root_data =
        seL4_CNode_CapData_new(0, seL4_WordBits - SERVER_CNODE_SLOT_BITS).words[0];
    return error;
}

int echo_server_start(vka_t *vka, simple_t *simple, vspace_t *root_vspace,
                      bool own_space, seL4_Word priority, uint64_t *stack,
                      size_t stack_bytes, echo_server_t *result) {
    vka_object_t endpoint, tcb, ipc_frame;
    int error = vka_alloc_endpoint(vka, &endpoint);
    if (error == seL4_NoError) error = vka_alloc_tcb(vka, &tcb);
    if (error == seL4_NoError) error = vka_alloc_frame(vka, seL4_PageBits, &ipc_frame);
    if (error != seL4_NoError) {
        return error;
    }

    seL4_CPtr cspace = simple_get_cnode(simple);
    seL4_Word cspace_root_data = seL4_NilData;
    seL4_CPtr vspace = simple_get_pd(simple);
    seL4_CPtr server_endpoint = endpoint.cptr;
    seL4_Word ipc_buffer_vaddr;
    if (own_space) {
        error = make_own_vspace(vka, simple, ipc_frame.cptr, &vspace);
        if (error == seL4_NoError) {
            error = make_own_cspace(vka, endpoint.cptr, &cspace, &cspace_root_data);
        }
        server_endpoint = SERVER_ENDPOINT_SLOT;
        ipc_buffer_vaddr = SERVER_IPC_BUFFER_VADDR;
    } else {
        ipc_buffer_vaddr = vspace_reserve(root_vspace, 1);
        error = ipc_buffer_vaddr == 0
                    ? seL4_NotEnoughMemory
                    : vspace_map_frame(vka, vspace, ipc_frame.cptr, ipc_buffer_vaddr,
                                       seL4_ReadWrite);
    }
    if (error != seL4_NoError) {
        return error;
    }

    error = seL4_TCB_Configure(tcb.cptr, seL4_CapNull, cspace, cspace_root_data,
                               vspace, seL4_NilData, ipc_buffer_vaddr, ipc_frame.cptr);
    if (error == seL4_NoError) {
        error = seL4_TCB_SetPriority(tcb.cptr, seL4_CapInitThreadTCB, priority);
    }
    if (error != seL4_NoError) {
        return error;
    }

    /* Enter echo_server_main as if called: RSP+8 a multiple of 16 (SysV
     * x86-64 ABI 3.2.2). */
    seL4_UserContext regs = {0};
    sel4utils_set_instruction_pointer(&regs, (seL4_Word)echo_server_main);
    sel4utils_set_stack_pointer(&regs, (seL4_Word)stack + stack_bytes - sizeof(seL4_Word));
    sel4utils_set_arg0(&regs, server_endpoint);
    error = seL4_TCB_WriteRegisters(tcb.cptr, 0, 0, SEL4UTILS_USER_CONTEXT_WORDS, &regs);
    if (error == seL4_NoError) {
        error = seL4_TCB_Resume(tcb.cptr);
    }
    *result = (echo_server_t){.endpoint = endpoint.cptr, .tcb = tcb.cptr};
    return error;
}
