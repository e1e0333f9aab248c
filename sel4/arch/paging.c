/* Decoding of the x86 paging invocations: frames, page tables, page
 * directories, PDPTs, ASID control and ASID pools (seL4's checks, in
 * seL4's order, before anything changes). */
#include "arch/cpu.h"
#include "arch/vspace.h"
#include "kernel/cspace.h"
#include "kernel/cte.h"
#include "kernel/invocation.h"
#include "kernel/lib.h"

/* The VSpace argument: a PML4 cap with an ASID that still names it. */
typedef struct vspace_arg {
    syscall_error_t error;
    pte_t *pml4;
    word_t asid;
} vspace_arg_t;

static vspace_arg_t decode_vspace_arg(cap_t c)
{
    vspace_arg_t r = {no_error(), NULL, 0};
    if (cap_get_type(c) != cap_pml4_cap || !mapped_asid(c)) {
        r.error = invalid_capability(1);
        return r;
    }
    r.asid = mapped_asid(c);
    r.pml4 = find_vspace_for_asid(r.asid);
    if (!r.pml4) r.error = failed_lookup(false, lf_invalid_root());
    else if (r.pml4 != cap_ptr(c)) r.error = invalid_capability(1);
    return r;
}

static word_t pte_rights_bits(word_t vm_rights)
{
    switch (vm_rights) {
    case VMReadWrite: return PTE_USER | PTE_WRITE;
    case VMReadOnly: return PTE_USER;
    default: return 0;
    }
}

static syscall_error_t decode_frame_map(invocation_t *inv)
{
    if (inv->length < 3 || inv->extra.count < 1) return error_of(seL4_TruncatedMessage);
    word_t vaddr = inv_arg(inv, 0), rights_mask = inv_arg(inv, 1), attr = inv_arg(inv, 2);
    cap_t frame = inv->cap;
    vspace_arg_t vs = decode_vspace_arg(inv_extra_cap(inv, 0));
    if (is_error(vs.error)) return vs.error;
    word_t bits = frame_size_bits(frame);
    bool remap = mapped_asid(frame) != 0;
    if (remap) {
        if (mapped_asid(frame) != vs.asid) return invalid_capability(0);
        if (mapped_vaddr(frame) != vaddr) return invalid_argument(0);
    }
    word_t vm_rights = mask_vm_rights(frame_vm_rights(frame), rights_mask);
    if (!IS_ALIGNED(vaddr, bits)) return error_of(seL4_AlignmentError);
    word_t vtop = vaddr + BIT(bits) - 1;
    if (vtop < vaddr || vtop >= USER_TOP) return invalid_argument(0);
    pte_lookup_t slot = bits == seL4_PageBits ? lookup_pt_slot(vs.pml4, vaddr)
                        : bits == seL4_LargePageBits ? lookup_pd_slot(vs.pml4, vaddr)
                                                     : lookup_pdpt_slot(vs.pml4, vaddr);
    if (slot.fault.type != seL4_NoFailure) return failed_lookup(false, slot.fault);
    if (pte_present(*slot.slot)) {
        bool same_page = (bits == seL4_PageBits || pte_is_large(*slot.slot)) &&
                         pte_paddr(*slot.slot) == pptr_to_paddr(cap_ptr(frame));
        if (!remap || !same_page) return error_of(seL4_DeleteFirst);
    }
    /* Perform. */
    bool large = bits != seL4_PageBits;
    pte_t e = pptr_to_paddr(cap_ptr(frame)) | PTE_PRESENT | pte_rights_bits(vm_rights) |
              vm_attributes_bits(attr, large) | (large ? PTE_PAGE_SIZE : 0);
    bool was_present = pte_present(*slot.slot);
    *slot.slot = e;
    if (was_present) invalidate_page(vs.pml4, vs.asid, vaddr);
    inv->slot->cap = cap_set_mapping(frame, vs.asid, vaddr);
    return no_error();
}

static syscall_error_t decode_frame_invocation(invocation_t *inv)
{
    switch (inv->label) {
    case X86PageMap: return decode_frame_map(inv);
    case X86PageUnmap:
        if (mapped_asid(inv->cap)) unmap_page(inv->cap);
        inv->slot->cap = cap_set_mapping(inv->cap, 0, 0);
        return no_error();
    case X86PageGetAddress:
        inv_reply_mr(inv, 0, pptr_to_paddr(cap_ptr(inv->cap)));
        return no_error();
    default: return error_of(seL4_IllegalOperation);
    }
}

/* PageTable, PageDirectory and PDPT share Map/Unmap: they differ in the
 * level they occupy. */
typedef struct table_kind {
    word_t map_label, unmap_label, shift_covered;
} table_kind_t;

static table_kind_t table_kind_of(enum cap_type t)
{
    switch (t) {
    case cap_page_table_cap: return (table_kind_t){X86PageTableMap, X86PageTableUnmap, PD_SHIFT};
    case cap_page_directory_cap: return (table_kind_t){X86PageDirectoryMap, X86PageDirectoryUnmap, PDPT_SHIFT};
    default: return (table_kind_t){X86PDPTMap, X86PDPTUnmap, PML4_SHIFT};
    }
}

static syscall_error_t decode_table_invocation(invocation_t *inv)
{
    table_kind_t kind = table_kind_of(cap_get_type(inv->cap));
    if (inv->label == kind.unmap_label) {
        if (mapped_asid(inv->cap)) {
            if (!is_final_capability(inv->slot)) return error_of(seL4_RevokeFirst);
            unmap_paging_structure(inv->cap);
            memset(cap_ptr(inv->cap), 0, BIT(seL4_PageTableBits));
        }
        inv->slot->cap = cap_set_mapping(inv->cap, 0, 0);
        return no_error();
    }
    if (inv->label != kind.map_label) return error_of(seL4_IllegalOperation);
    if (inv->length < 2 || inv->extra.count < 1) return error_of(seL4_TruncatedMessage);
    if (mapped_asid(inv->cap)) return invalid_capability(0);
    word_t vaddr = inv_arg(inv, 0) & ~MASK(kind.shift_covered);
    vspace_arg_t vs = decode_vspace_arg(inv_extra_cap(inv, 0));
    if (is_error(vs.error)) return vs.error;
    if (vaddr >= USER_TOP) return invalid_argument(0);
    pte_lookup_t slot;
    switch (cap_get_type(inv->cap)) {
    case cap_page_table_cap: slot = lookup_pd_slot(vs.pml4, vaddr); break;
    case cap_page_directory_cap: slot = lookup_pdpt_slot(vs.pml4, vaddr); break;
    default:
        slot.fault = lookup_ok();
        slot.slot = &vs.pml4[TABLE_INDEX(vaddr, PML4_SHIFT)];
        break;
    }
    if (slot.fault.type != seL4_NoFailure) return failed_lookup(false, slot.fault);
    if (pte_present(*slot.slot)) return error_of(seL4_DeleteFirst);
    /* SDM 4.10.4.3: a not-present -> present change needs no invalidation. */
    *slot.slot = pptr_to_paddr(cap_ptr(inv->cap)) | PTE_PRESENT | PTE_WRITE | PTE_USER;
    inv->slot->cap = cap_set_mapping(inv->cap, vs.asid, vaddr);
    return no_error();
}

static syscall_error_t decode_asid_control(invocation_t *inv)
{
    if (inv->label != X86ASIDControlMakePool) return error_of(seL4_IllegalOperation);
    if (inv->length < 2 || inv->extra.count < 2) return error_of(seL4_TruncatedMessage);
    word_t index = inv_arg(inv, 0), depth = inv_arg(inv, 1);
    cte_t *untyped_slot = inv->extra.slots[0];
    cap_t untyped = untyped_slot->cap;
    word_t base;
    for (base = 0; base < BIT(ASID_HIGH_BITS); base++)
        if (!asid_pool_at(base << ASID_LOW_BITS)) break;
    if (base == BIT(ASID_HIGH_BITS)) return error_of(seL4_DeleteFirst);
    if (cap_get_type(untyped) != cap_untyped_cap || untyped_size_bits(untyped) != seL4_ASIDPoolBits ||
        untyped_is_device(untyped))
        return invalid_capability(1);
    if (!ensure_no_children(untyped_slot)) return error_of(seL4_RevokeFirst);
    slot_result_t dest = lookup_slot_for_cnode_op(false, inv_extra_cap(inv, 1), index, depth);
    if (is_error(dest.error)) return dest.error;
    if (!cap_is_null(dest.slot->cap)) return error_of(seL4_DeleteFirst);
    /* Perform: the whole untyped becomes the pool. */
    void *pool = cap_ptr(untyped);
    untyped_slot->cap.w1 = BIT(seL4_ASIDPoolBits);
    memset(pool, 0, BIT(seL4_ASIDPoolBits));
    cap_t pool_cap = cap_new(cap_asid_pool_cap, pool, base << ASID_LOW_BITS);
    cte_insert(pool_cap, untyped_slot, dest.slot);
    set_asid_pool(base << ASID_LOW_BITS, pool);
    return no_error();
}

static syscall_error_t decode_asid_pool(invocation_t *inv)
{
    if (inv->label != X86ASIDPoolAssign) return error_of(seL4_IllegalOperation);
    if (inv->extra.count < 1) return error_of(seL4_TruncatedMessage);
    cte_t *vspace_slot = inv->extra.slots[0];
    cap_t vspace = vspace_slot->cap;
    if (cap_get_type(vspace) != cap_pml4_cap || mapped_asid(vspace)) return invalid_capability(1);
    word_t base = asid_pool_base(inv->cap);
    pte_t **pool = asid_pool_at(base);
    if (!pool) return failed_lookup(false, lf_invalid_root());
    if ((void *)pool != cap_ptr(inv->cap)) return invalid_capability(0);
    word_t i = 0;
    while (i < BIT(ASID_LOW_BITS) && (base + i == 0 || pool[i])) i++;
    if (i == BIT(ASID_LOW_BITS)) return error_of(seL4_DeleteFirst);
    asid_assign(pool, base + i, cap_ptr(vspace));
    vspace_slot->cap = cap_set_mapping(vspace, base + i, 0);
    return no_error();
}

syscall_error_t decode_paging_invocation(invocation_t *inv)
{
    switch (cap_get_type(inv->cap)) {
    case cap_frame_cap: return decode_frame_invocation(inv);
    case cap_page_table_cap:
    case cap_page_directory_cap:
    case cap_pdpt_cap: return decode_table_invocation(inv);
    case cap_asid_control_cap: return decode_asid_control(inv);
    case cap_asid_pool_cap: return decode_asid_pool(inv);
    default: return error_of(seL4_IllegalOperation);
    }
}
