/* Marshalling of object invocations: words into MR0.., capabilities into
 * caps_or_badges[], then a Call whose reply label is the error. */
#include <sel4/invocation.h>
#include <sel4/invocations.h>
#include <sel4/syscalls.h>

static seL4_Error invoke(seL4_CPtr service, enum invocation_label label, seL4_Word words, seL4_Word caps)
{
    seL4_MessageInfo_t reply = seL4_Call(service, seL4_MessageInfo_new(label, 0, caps, words));
    return (seL4_Error)seL4_MessageInfo_get_label(reply);
}

seL4_Error seL4_Untyped_Retype(seL4_Untyped service, seL4_Word type, seL4_Word size_bits, seL4_CNode root,
                               seL4_Word node_index, seL4_Word node_depth, seL4_Word node_offset,
                               seL4_Word num_objects)
{
    seL4_SetMR(0, type);
    seL4_SetMR(1, size_bits);
    seL4_SetMR(2, node_index);
    seL4_SetMR(3, node_depth);
    seL4_SetMR(4, node_offset);
    seL4_SetMR(5, num_objects);
    seL4_SetCap(0, root);
    return invoke(service, UntypedRetype, 6, 1);
}

static seL4_Word register_flags(seL4_Bool flag, seL4_Uint8 arch_flags)
{
    return (seL4_Word)(flag & 1) | ((seL4_Word)arch_flags << 8);
}

seL4_Error seL4_TCB_ReadRegisters(seL4_TCB service, seL4_Bool suspend_source, seL4_Uint8 arch_flags,
                                  seL4_Word count, seL4_UserContext *regs)
{
    seL4_SetMR(0, register_flags(suspend_source, arch_flags));
    seL4_SetMR(1, count);
    seL4_Error err = invoke(service, TCBReadRegisters, 2, 0);
    if (err != seL4_NoError) return err;
    seL4_Word *out = (seL4_Word *)regs;
    for (seL4_Word i = 0; i < count && i < sizeof(*regs) / sizeof(seL4_Word); i++) out[i] = seL4_GetMR((int)i);
    return err;
}

seL4_Error seL4_TCB_WriteRegisters(seL4_TCB service, seL4_Bool resume_target, seL4_Uint8 arch_flags,
                                   seL4_Word count, seL4_UserContext *regs)
{
    const seL4_Word max = sizeof(*regs) / sizeof(seL4_Word);
    const seL4_Word *in = (const seL4_Word *)regs;
    seL4_SetMR(0, register_flags(resume_target, arch_flags));
    seL4_SetMR(1, count);
    for (seL4_Word i = 0; i < count && i < max; i++) seL4_SetMR((int)(i + 2), in[i]);
    return invoke(service, TCBWriteRegisters, 2 + (count < max ? count : max), 0);
}

seL4_Error seL4_TCB_CopyRegisters(seL4_TCB service, seL4_TCB source, seL4_Bool suspend_source,
                                  seL4_Bool resume_target, seL4_Bool transfer_frame, seL4_Bool transfer_integer,
                                  seL4_Uint8 arch_flags)
{
    seL4_SetMR(0, (seL4_Word)(suspend_source & 1) | (seL4_Word)(resume_target & 1) << 1 |
                      (seL4_Word)(transfer_frame & 1) << 2 | (seL4_Word)(transfer_integer & 1) << 3 |
                      (seL4_Word)arch_flags << 8);
    seL4_SetCap(0, source);
    return invoke(service, TCBCopyRegisters, 1, 1);
}

seL4_Error seL4_TCB_Configure(seL4_TCB service, seL4_Word fault_ep, seL4_CNode cspace_root,
                              seL4_Word cspace_root_data, seL4_CPtr vspace_root, seL4_Word vspace_root_data,
                              seL4_Word buffer, seL4_CPtr bufferFrame)
{
    seL4_SetMR(0, fault_ep);
    seL4_SetMR(1, cspace_root_data);
    seL4_SetMR(2, vspace_root_data);
    seL4_SetMR(3, buffer);
    seL4_SetCap(0, cspace_root);
    seL4_SetCap(1, vspace_root);
    seL4_SetCap(2, bufferFrame);
    return invoke(service, TCBConfigure, 4, 3);
}

seL4_Error seL4_TCB_SetPriority(seL4_TCB service, seL4_TCB authority, seL4_Word priority)
{
    seL4_SetMR(0, priority);
    seL4_SetCap(0, authority);
    return invoke(service, TCBSetPriority, 1, 1);
}

seL4_Error seL4_TCB_SetMCPriority(seL4_TCB service, seL4_TCB authority, seL4_Word mcp)
{
    seL4_SetMR(0, mcp);
    seL4_SetCap(0, authority);
    return invoke(service, TCBSetMCPriority, 1, 1);
}

seL4_Error seL4_TCB_SetSchedParams(seL4_TCB service, seL4_TCB authority, seL4_Word mcp, seL4_Word priority)
{
    seL4_SetMR(0, mcp);
    seL4_SetMR(1, priority);
    seL4_SetCap(0, authority);
    return invoke(service, TCBSetSchedParams, 2, 1);
}

seL4_Error seL4_TCB_SetIPCBuffer(seL4_TCB service, seL4_Word buffer, seL4_CPtr bufferFrame)
{
    seL4_SetMR(0, buffer);
    seL4_SetCap(0, bufferFrame);
    return invoke(service, TCBSetIPCBuffer, 1, 1);
}

seL4_Error seL4_TCB_SetSpace(seL4_TCB service, seL4_Word fault_ep, seL4_CNode cspace_root,
                             seL4_Word cspace_root_data, seL4_CPtr vspace_root, seL4_Word vspace_root_data)
{
    seL4_SetMR(0, fault_ep);
    seL4_SetMR(1, cspace_root_data);
    seL4_SetMR(2, vspace_root_data);
    seL4_SetCap(0, cspace_root);
    seL4_SetCap(1, vspace_root);
    return invoke(service, TCBSetSpace, 3, 2);
}

seL4_Error seL4_TCB_Suspend(seL4_TCB service) { return invoke(service, TCBSuspend, 0, 0); }

seL4_Error seL4_TCB_Resume(seL4_TCB service) { return invoke(service, TCBResume, 0, 0); }

seL4_Error seL4_TCB_BindNotification(seL4_TCB service, seL4_CPtr notification)
{
    seL4_SetCap(0, notification);
    return invoke(service, TCBBindNotification, 0, 1);
}

seL4_Error seL4_TCB_UnbindNotification(seL4_TCB service) { return invoke(service, TCBUnbindNotification, 0, 0); }

seL4_Error seL4_TCB_SetTLSBase(seL4_TCB service, seL4_Word tls_base)
{
    seL4_SetMR(0, tls_base);
    return invoke(service, TCBSetTLSBase, 1, 0);
}

static seL4_Error cnode_slot_op(seL4_CNode service, enum invocation_label label, seL4_Word index,
                                seL4_Uint8 depth)
{
    seL4_SetMR(0, index);
    seL4_SetMR(1, depth);
    return invoke(service, label, 2, 0);
}

seL4_Error seL4_CNode_Revoke(seL4_CNode service, seL4_Word index, seL4_Uint8 depth)
{
    return cnode_slot_op(service, CNodeRevoke, index, depth);
}

seL4_Error seL4_CNode_Delete(seL4_CNode service, seL4_Word index, seL4_Uint8 depth)
{
    return cnode_slot_op(service, CNodeDelete, index, depth);
}

seL4_Error seL4_CNode_CancelBadgedSends(seL4_CNode service, seL4_Word index, seL4_Uint8 depth)
{
    return cnode_slot_op(service, CNodeCancelBadgedSends, index, depth);
}

seL4_Error seL4_CNode_SaveCaller(seL4_CNode service, seL4_Word index, seL4_Uint8 depth)
{
    return cnode_slot_op(service, CNodeSaveCaller, index, depth);
}

/* Copy, Mint, Move and Mutate share their first four words and one cap. */
static void cnode_two_slots(seL4_Word dest_index, seL4_Uint8 dest_depth, seL4_CNode src_root,
                            seL4_Word src_index, seL4_Uint8 src_depth)
{
    seL4_SetMR(0, dest_index);
    seL4_SetMR(1, dest_depth);
    seL4_SetMR(2, src_index);
    seL4_SetMR(3, src_depth);
    seL4_SetCap(0, src_root);
}

seL4_Error seL4_CNode_Copy(seL4_CNode service, seL4_Word dest_index, seL4_Uint8 dest_depth, seL4_CNode src_root,
                           seL4_Word src_index, seL4_Uint8 src_depth, seL4_CapRights_t rights)
{
    cnode_two_slots(dest_index, dest_depth, src_root, src_index, src_depth);
    seL4_SetMR(4, rights.words[0]);
    return invoke(service, CNodeCopy, 5, 1);
}

seL4_Error seL4_CNode_Mint(seL4_CNode service, seL4_Word dest_index, seL4_Uint8 dest_depth, seL4_CNode src_root,
                           seL4_Word src_index, seL4_Uint8 src_depth, seL4_CapRights_t rights, seL4_Word badge)
{
    cnode_two_slots(dest_index, dest_depth, src_root, src_index, src_depth);
    seL4_SetMR(4, rights.words[0]);
    seL4_SetMR(5, badge);
    return invoke(service, CNodeMint, 6, 1);
}

seL4_Error seL4_CNode_Move(seL4_CNode service, seL4_Word dest_index, seL4_Uint8 dest_depth, seL4_CNode src_root,
                           seL4_Word src_index, seL4_Uint8 src_depth)
{
    cnode_two_slots(dest_index, dest_depth, src_root, src_index, src_depth);
    return invoke(service, CNodeMove, 4, 1);
}

seL4_Error seL4_CNode_Mutate(seL4_CNode service, seL4_Word dest_index, seL4_Uint8 dest_depth, seL4_CNode src_root,
                             seL4_Word src_index, seL4_Uint8 src_depth, seL4_Word badge)
{
    cnode_two_slots(dest_index, dest_depth, src_root, src_index, src_depth);
    seL4_SetMR(4, badge);
    return invoke(service, CNodeMutate, 5, 1);
}

seL4_Error seL4_CNode_Rotate(seL4_CNode service, seL4_Word dest_index, seL4_Uint8 dest_depth,
                             seL4_CNode pivot_root, seL4_Word pivot_index, seL4_Uint8 pivot_depth,
                             seL4_Word pivot_badge, seL4_CNode src_root, seL4_Word src_index,
                             seL4_Uint8 src_depth, seL4_Word src_badge)
{
    seL4_SetMR(0, dest_index);
    seL4_SetMR(1, dest_depth);
    seL4_SetMR(2, pivot_index);
    seL4_SetMR(3, pivot_depth);
    seL4_SetMR(4, pivot_badge);
    seL4_SetMR(5, src_index);
    seL4_SetMR(6, src_depth);
    seL4_SetMR(7, src_badge);
    seL4_SetCap(0, pivot_root);
    seL4_SetCap(1, src_root);
    return invoke(service, CNodeRotate, 8, 2);
}

static seL4_Error paging_map(seL4_CPtr service, enum invocation_label label, seL4_CPtr vspace, seL4_Word vaddr,
                             seL4_X86_VMAttributes attr)
{
    seL4_SetMR(0, vaddr);
    seL4_SetMR(1, attr);
    seL4_SetCap(0, vspace);
    return invoke(service, label, 2, 1);
}

seL4_Error seL4_X86_PDPT_Map(seL4_X86_PDPT service, seL4_X64_PML4 pml4, seL4_Word vaddr,
                             seL4_X86_VMAttributes attr)
{
    return paging_map(service, X86PDPTMap, pml4, vaddr, attr);
}

seL4_Error seL4_X86_PDPT_Unmap(seL4_X86_PDPT service) { return invoke(service, X86PDPTUnmap, 0, 0); }

seL4_Error seL4_X86_PageDirectory_Map(seL4_X86_PageDirectory service, seL4_X64_PML4 vspace, seL4_Word vaddr,
                                      seL4_X86_VMAttributes attr)
{
    return paging_map(service, X86PageDirectoryMap, vspace, vaddr, attr);
}

seL4_Error seL4_X86_PageDirectory_Unmap(seL4_X86_PageDirectory service)
{
    return invoke(service, X86PageDirectoryUnmap, 0, 0);
}

seL4_Error seL4_X86_PageTable_Map(seL4_X86_PageTable service, seL4_X64_PML4 vspace, seL4_Word vaddr,
                                  seL4_X86_VMAttributes attr)
{
    return paging_map(service, X86PageTableMap, vspace, vaddr, attr);
}

seL4_Error seL4_X86_PageTable_Unmap(seL4_X86_PageTable service) { return invoke(service, X86PageTableUnmap, 0, 0); }

seL4_Error seL4_X86_Page_Map(seL4_X86_Page service, seL4_X64_PML4 vspace, seL4_Word vaddr, seL4_CapRights_t rights,
                             seL4_X86_VMAttributes attr)
{
    seL4_SetMR(0, vaddr);
    seL4_SetMR(1, rights.words[0]);
    seL4_SetMR(2, attr);
    seL4_SetCap(0, vspace);
    return invoke(service, X86PageMap, 3, 1);
}

seL4_Error seL4_X86_Page_Unmap(seL4_X86_Page service) { return invoke(service, X86PageUnmap, 0, 0); }

seL4_X86_Page_GetAddress_t seL4_X86_Page_GetAddress(seL4_X86_Page service)
{
    seL4_X86_Page_GetAddress_t result;
    result.error = invoke(service, X86PageGetAddress, 0, 0);
    result.paddr = seL4_GetMR(0);
    return result;
}

seL4_Error seL4_X86_ASIDControl_MakePool(seL4_X86_ASIDControl service, seL4_Untyped untyped, seL4_CNode root,
                                         seL4_Word index, seL4_Uint8 depth)
{
    seL4_SetMR(0, index);
    seL4_SetMR(1, depth);
    seL4_SetCap(0, untyped);
    seL4_SetCap(1, root);
    return invoke(service, X86ASIDControlMakePool, 2, 2);
}

seL4_Error seL4_X86_ASIDPool_Assign(seL4_X86_ASIDPool service, seL4_CPtr vspace)
{
    seL4_SetCap(0, vspace);
    return invoke(service, X86ASIDPoolAssign, 0, 1);
}

seL4_Error seL4_X86_IOPortControl_Issue(seL4_X86_IOPortControl service, seL4_Word first_port, seL4_Word last_port,
                                        seL4_CNode root, seL4_Word index, seL4_Uint8 depth)
{
    seL4_SetMR(0, first_port);
    seL4_SetMR(1, last_port);
    seL4_SetMR(2, index);
    seL4_SetMR(3, depth);
    seL4_SetCap(0, root);
    return invoke(service, X86IOPortControlIssue, 4, 1);
}

/* Port input: the value comes back in MR0. */
static seL4_Word port_in(seL4_X86_IOPort service, enum invocation_label label, seL4_Uint16 port, int *error)
{
    seL4_SetMR(0, port);
    *error = invoke(service, label, 1, 0);
    return seL4_GetMR(0);
}

seL4_X86_IOPort_In8_t seL4_X86_IOPort_In8(seL4_X86_IOPort service, seL4_Uint16 port)
{
    seL4_X86_IOPort_In8_t r;
    r.result = (seL4_Uint8)port_in(service, X86IOPortIn8, port, &r.error);
    return r;
}

seL4_X86_IOPort_In16_t seL4_X86_IOPort_In16(seL4_X86_IOPort service, seL4_Uint16 port)
{
    seL4_X86_IOPort_In16_t r;
    r.result = (seL4_Uint16)port_in(service, X86IOPortIn16, port, &r.error);
    return r;
}

seL4_X86_IOPort_In32_t seL4_X86_IOPort_In32(seL4_X86_IOPort service, seL4_Uint16 port)
{
    seL4_X86_IOPort_In32_t r;
    r.result = (seL4_Uint32)port_in(service, X86IOPortIn32, port, &r.error);
    return r;
}

static seL4_Error port_out(seL4_X86_IOPort service, enum invocation_label label, seL4_Word port, seL4_Word data)
{
    seL4_SetMR(0, port);
    seL4_SetMR(1, data);
    return invoke(service, label, 2, 0);
}

seL4_Error seL4_X86_IOPort_Out8(seL4_X86_IOPort service, seL4_Word port, seL4_Word data)
{
    return port_out(service, X86IOPortOut8, port, data);
}

seL4_Error seL4_X86_IOPort_Out16(seL4_X86_IOPort service, seL4_Word port, seL4_Word data)
{
    return port_out(service, X86IOPortOut16, port, data);
}

seL4_Error seL4_X86_IOPort_Out32(seL4_X86_IOPort service, seL4_Word port, seL4_Word data)
{
    return port_out(service, X86IOPortOut32, port, data);
}
