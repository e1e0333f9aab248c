#include "kernel/objects.h"

#include "arch/vspace.h"
#include "arch/ioport.h"
#include "kernel/cte.h"
#include "kernel/ipc.h"
#include "kernel/lib.h"
#include "kernel/tcb.h"
#include "kernel/thread.h"

/* The physical extent a cap covers, for untyped containment checks. */
typedef struct region {
    word_t base, size_bits;
    bool valid;
} region_t;

static region_t cap_region(cap_t c)
{
    region_t r = {(word_t)cap_ptr(c), 0, true};
    switch (cap_get_type(c)) {
    case cap_untyped_cap: r.size_bits = untyped_size_bits(c); break;
    case cap_endpoint_cap: r.size_bits = seL4_EndpointBits; break;
    case cap_notification_cap: r.size_bits = seL4_NotificationBits; break;
    case cap_cnode_cap: r.size_bits = cnode_radix(c) + seL4_SlotBits; break;
    case cap_thread_cap:
        /* A thread cap names the tcb_t, TCB_OFFSET into its object (the
         * object's first half holds the TCB's slots). */
        r.base -= TCB_OFFSET;
        r.size_bits = seL4_TCBBits;
        break;
    case cap_frame_cap: r.size_bits = frame_size_bits(c); break;
    case cap_page_table_cap:
    case cap_page_directory_cap:
    case cap_pdpt_cap:
    case cap_pml4_cap:
    case cap_asid_pool_cap: r.size_bits = seL4_PageBits; break;
    default: r.valid = false; break;
    }
    return r;
}

bool same_region_as(cap_t a, cap_t b)
{
    enum cap_type ta = cap_get_type(a), tb = cap_get_type(b);
    switch (ta) {
    case cap_untyped_cap: {
        region_t ra = cap_region(a), rb = cap_region(b);
        if (!rb.valid) return false;
        word_t a_top = ra.base + MASK(ra.size_bits), b_top = rb.base + MASK(rb.size_bits);
        return ra.base <= rb.base && b_top <= a_top && rb.base <= b_top;
    }
    case cap_frame_cap: {
        if (tb != cap_frame_cap) return false;
        word_t a_top = (word_t)cap_ptr(a) + MASK(frame_size_bits(a));
        word_t b_top = (word_t)cap_ptr(b) + MASK(frame_size_bits(b));
        return (word_t)cap_ptr(a) <= (word_t)cap_ptr(b) && a_top >= b_top;
    }
    case cap_cnode_cap:
        return tb == ta && cap_ptr(a) == cap_ptr(b) && cnode_radix(a) == cnode_radix(b);
    case cap_endpoint_cap:
    case cap_notification_cap:
    case cap_thread_cap:
    case cap_reply_cap:
    case cap_page_table_cap:
    case cap_page_directory_cap:
    case cap_pdpt_cap:
    case cap_pml4_cap:
    case cap_asid_pool_cap:
        return tb == ta && cap_ptr(a) == cap_ptr(b);
    case cap_io_port_control_cap:
        /* The control cap is the parent of every port range cap. */
        return tb == ta || tb == cap_io_port_cap;
    case cap_io_port_cap:
        return tb == ta && io_port_first(a) == io_port_first(b) && io_port_last(a) == io_port_last(b);
    case cap_irq_control_cap:
    case cap_asid_control_cap:
    case cap_domain_cap:
        return tb == ta;
    default:
        return false;
    }
}

bool same_object_as(cap_t a, cap_t b)
{
    if (cap_get_type(a) == cap_untyped_cap) return false;
    /* The control cap covers port ranges but is not the same object. */
    if (cap_get_type(a) == cap_io_port_control_cap && cap_get_type(b) == cap_io_port_cap) return false;
    if (cap_get_type(a) == cap_frame_cap && cap_get_type(b) == cap_frame_cap)
        return cap_ptr(a) == cap_ptr(b) && frame_size_bits(a) == frame_size_bits(b) &&
               frame_is_device(a) == frame_is_device(b);
    return same_region_as(a, b);
}

void finalise_cap(cap_t cap, bool final)
{
    switch (cap_get_type(cap)) {
    case cap_frame_cap:
        /* Every frame cap carries its own mapping. */
        if (mapped_asid(cap)) unmap_page(cap);
        return;
    default:
        break;
    }
    if (!final) return;
    switch (cap_get_type(cap)) {
    case cap_endpoint_cap: cancel_all_ipc(cap_ptr(cap)); break;
    case cap_notification_cap: notification_finalise(cap_ptr(cap)); break;
    case cap_cnode_cap: /* emptied by cte_delete's pending-CNode stack */
        break;
    case cap_thread_cap: tcb_finalise(cap_ptr(cap)); break;
    case cap_page_table_cap:
    case cap_page_directory_cap:
    case cap_pdpt_cap:
        if (mapped_asid(cap)) unmap_paging_structure(cap);
        break;
    case cap_pml4_cap:
        if (mapped_asid(cap)) delete_asid(mapped_asid(cap), cap_ptr(cap));
        break;
    case cap_asid_pool_cap: delete_asid_pool(asid_pool_base(cap), cap_ptr(cap)); break;
    case cap_io_port_cap: free_io_ports(io_port_first(cap), io_port_last(cap)); break;
    default: break;
    }
}

cap_result_t derive_cap(cte_t *slot, cap_t cap)
{
    cap_result_t r = {no_error(), cap};
    switch (cap_get_type(cap)) {
    case cap_untyped_cap:
        if (!ensure_no_children(slot)) {
            r.error = error_of(seL4_RevokeFirst);
            r.cap = cap_null();
        }
        break;
    case cap_reply_cap:
    case cap_irq_control_cap:
    case cap_io_port_control_cap:
        r.cap = cap_null();
        break;
    case cap_frame_cap:
        r.cap = cap_set_mapping(cap, 0, 0);
        break;
    case cap_page_table_cap:
    case cap_page_directory_cap:
    case cap_pdpt_cap:
    case cap_pml4_cap:
        /* Unmapped paging structures cannot be copied (seL4: a mapped cap
         * is the one that records where the structure lives). */
        if (!mapped_asid(cap)) {
            r.error = error_of(seL4_IllegalOperation);
            r.cap = cap_null();
        }
        break;
    default:
        break;
    }
    return r;
}

cap_t update_cap_data(bool preserve, word_t data, cap_t cap)
{
    switch (cap_get_type(cap)) {
    case cap_endpoint_cap:
    case cap_notification_cap:
        if (!preserve && cap_badge(cap) == 0) {
            cap.w1 = data;
            return cap;
        }
        return cap_null();
    case cap_cnode_cap: {
        seL4_CNode_CapData_t d = {{data}};
        word_t guard_size = seL4_CNode_CapData_get_guardSize(d);
        if (guard_size + cnode_radix(cap) > seL4_WordBits) return cap_null();
        word_t guard = seL4_CNode_CapData_get_guard(d) & MASK(guard_size);
        return cnode_cap_new(cap_ptr(cap), cnode_radix(cap), guard_size, guard);
    }
    default:
        return cap;
    }
}

cap_t mask_cap_rights(word_t rights, cap_t cap)
{
    switch (cap_get_type(cap)) {
    case cap_endpoint_cap:
    case cap_notification_cap:
        return cap_with_rights(cap, cap_rights(cap) & rights);
    case cap_reply_cap:
        return reply_cap_new(cap_ptr(cap), reply_is_master(cap), reply_can_grant(cap) && (rights & RIGHT_GRANT));
    case cap_frame_cap:
        return cap_set_field_b(cap, mask_vm_rights(frame_vm_rights(cap), rights));
    default:
        return cap;
    }
}

bool is_frame_type(word_t type)
{
    return type == seL4_X86_4K || type == seL4_X86_LargePageObject || type == seL4_X64_HugePageObject;
}

long object_size_bits(word_t type, word_t user_size)
{
    switch (type) {
    case seL4_UntypedObject: return (long)user_size;
    case seL4_TCBObject: return seL4_TCBBits;
    case seL4_EndpointObject: return seL4_EndpointBits;
    case seL4_NotificationObject: return seL4_NotificationBits;
    case seL4_CapTableObject: return (long)(user_size + seL4_SlotBits);
    case seL4_X86_4K: return seL4_PageBits;
    case seL4_X86_LargePageObject: return seL4_LargePageBits;
    case seL4_X64_HugePageObject: return seL4_HugePageBits;
    case seL4_X86_PageTableObject:
    case seL4_X86_PageDirectoryObject:
    case seL4_X86_PDPTObject:
    case seL4_X64_PML4Object: return seL4_PageBits;
    default: return -1;
    }
}

cap_t create_object(word_t type, void *region, word_t user_size, bool device)
{
    long bits = object_size_bits(type, user_size);
    if (!device && type != seL4_UntypedObject) memset(region, 0, BIT(bits));
    switch (type) {
    case seL4_UntypedObject: return untyped_cap_new(region, user_size, device, 0);
    case seL4_TCBObject: {
        tcb_t *t = tcb_of_object(region);
        tcb_init(t, ks_cur_thread);
        return cap_new(cap_thread_cap, t, 0);
    }
    case seL4_EndpointObject:
        return cap_with_rights(cap_new(cap_endpoint_cap, region, 0), 0xf);
    case seL4_NotificationObject:
        return cap_with_rights(cap_new(cap_notification_cap, region, 0), 0xf);
    case seL4_CapTableObject: return cnode_cap_new(region, user_size, 0, 0);
    case seL4_X86_4K:
    case seL4_X86_LargePageObject:
    case seL4_X64_HugePageObject: return frame_cap_new(region, (word_t)bits, VMReadWrite, device);
    case seL4_X86_PageTableObject: return cap_new(cap_page_table_cap, region, 0);
    case seL4_X86_PageDirectoryObject: return cap_new(cap_page_directory_cap, region, 0);
    case seL4_X86_PDPTObject: return cap_new(cap_pdpt_cap, region, 0);
    case seL4_X64_PML4Object:
        copy_kernel_mappings(region);
        return cap_new(cap_pml4_cap, region, 0);
    default: return cap_null();
    }
}
