/* Capability format.  A capability is two words:
 *   w0: type 4..0 | field A 10..5 | field B 17..11 | field C 19..18 | object pointer bits 47..4 in 63..20
 *   w1: a type-specific word (badge, guard, free index, mapping, ASID base)
 * Each layout is declared here once; the per-type accessors below name the
 * generic fields.  Cap type numbers are those DebugCapIdentify reports. */
#ifndef KERNEL_CAP_H
#define KERNEL_CAP_H

#include "kernel/types.h"

enum cap_type {
    cap_null_cap = 0,
    cap_frame_cap = 1,
    cap_untyped_cap = 2,
    cap_page_table_cap = 3,
    cap_endpoint_cap = 4,
    cap_page_directory_cap = 5,
    cap_notification_cap = 6,
    cap_pdpt_cap = 7,
    cap_reply_cap = 8,
    cap_pml4_cap = 9,
    cap_cnode_cap = 10,
    cap_asid_control_cap = 11,
    cap_thread_cap = 12,
    cap_asid_pool_cap = 13,
    cap_irq_control_cap = 14,
    cap_io_space_cap = 15,
    cap_io_port_control_cap = 17,
    cap_io_port_cap = 19,
    cap_domain_cap = 20,
};

typedef struct cap {
    word_t w0, w1;
} cap_t;

#define CAP_W0_FIELD(name, shift, width)                                              \
    static inline word_t cap_get_##name(cap_t c) { return (c.w0 >> (shift)) & MASK(width); } \
    static inline cap_t cap_set_##name(cap_t c, word_t v)                            \
    {                                                                                 \
        c.w0 = (c.w0 & ~(MASK(width) << (shift))) | ((v & MASK(width)) << (shift));   \
        return c;                                                                     \
    }
CAP_W0_FIELD(type, 0, 5)
CAP_W0_FIELD(field_a, 5, 6)
CAP_W0_FIELD(field_b, 11, 7)
CAP_W0_FIELD(field_c, 18, 2)
CAP_W0_FIELD(ptr_bits, 20, 44)

/* Object pointers are kernel-window or kernel-image addresses (upper half). */
static inline void *cap_ptr(cap_t c) { return (void *)((cap_get_ptr_bits(c) << 4) | 0xffff000000000000ul); }
/* cap_ptr for a cap known to hold an object pointer: w0 bit 63 is pointer
 * bit 47, set in every object address, so an arithmetic shift rebuilds the
 * upper half (two instructions, for the IPC fastpath). */
static inline void *cap_object_ptr(cap_t c) { return (void *)((word_t)((long)c.w0 >> 16) & ~0xful); }
static inline cap_t cap_set_ptr(cap_t c, const void *p) { return cap_set_ptr_bits(c, ((word_t)p >> 4) & MASK(44)); }

static inline cap_t cap_new(enum cap_type type, const void *ptr, word_t w1)
{
    cap_t c = {0, w1};
    c = cap_set_type(c, type);
    return ptr ? cap_set_ptr(c, ptr) : c;
}
static inline cap_t cap_null(void) { cap_t c = {0, 0}; return c; }
static inline bool cap_is_null(cap_t c) { return cap_get_type(c) == cap_null_cap; }

/* Endpoint and notification rights (field B) use seL4_CapRights bits. */
#define RIGHT_WRITE BIT(0)
#define RIGHT_READ BIT(1)
#define RIGHT_GRANT BIT(2)
#define RIGHT_GRANT_REPLY BIT(3)
static inline word_t cap_rights(cap_t c) { return cap_get_field_b(c) & 0xf; }
static inline cap_t cap_with_rights(cap_t c, word_t r) { return cap_set_field_b(c, r & 0xf); }
static inline word_t cap_badge(cap_t c) { return c.w1; }
/* An endpoint cap with every right in `rights`: one masked compare. */
static inline bool cap_is_endpoint_with(cap_t c, word_t rights)
{
    cap_t mask = cap_with_rights(cap_set_type(cap_null(), MASK(5)), rights);
    cap_t want = cap_with_rights(cap_set_type(cap_null(), cap_endpoint_cap), rights);
    return (c.w0 & mask.w0) == want.w0;
}

/* Untyped: size bits (A), device flag (C), free index in bytes (w1). */
static inline word_t untyped_size_bits(cap_t c) { return cap_get_field_a(c); }
static inline bool untyped_is_device(cap_t c) { return cap_get_field_c(c) & 1; }
static inline word_t untyped_free_index(cap_t c) { return c.w1; }
static inline cap_t untyped_cap_new(void *base, word_t size_bits, bool device, word_t free_index)
{
    cap_t c = cap_new(cap_untyped_cap, base, free_index);
    c = cap_set_field_a(c, size_bits);
    return cap_set_field_c(c, device ? 1 : 0);
}

/* CNode: radix (A), guard size (B), guard (w1). */
static inline word_t cnode_radix(cap_t c) { return cap_get_field_a(c); }
static inline word_t cnode_guard_size(cap_t c) { return cap_get_field_b(c); }
static inline word_t cnode_guard(cap_t c) { return c.w1; }
static inline cap_t cnode_cap_new(void *slots, word_t radix, word_t guard_size, word_t guard)
{
    cap_t c = cap_new(cap_cnode_cap, slots, guard);
    c = cap_set_field_a(c, radix);
    return cap_set_field_b(c, guard_size);
}

/* Reply: master flag (C bit 0), can-grant (C bit 1); pointer = caller TCB. */
static inline bool reply_is_master(cap_t c) { return cap_get_field_c(c) & 1; }
static inline bool reply_can_grant(cap_t c) { return (cap_get_field_c(c) >> 1) & 1; }
/* A reply cap that is not a master: one masked compare. */
static inline bool cap_is_caller_reply(cap_t c)
{
    cap_t mask = cap_set_field_c(cap_set_type(cap_null(), MASK(5)), 1);
    return (c.w0 & mask.w0) == cap_set_type(cap_null(), cap_reply_cap).w0;
}
static inline cap_t reply_cap_new(void *tcb, bool master, bool can_grant)
{
    return cap_set_field_c(cap_new(cap_reply_cap, tcb, 0), (master ? 1 : 0) | (can_grant ? 2 : 0));
}

/* Frames: size bits (A), VM rights (B), device flag (C); w1 = mapped
 * vaddr | ASID (ASID 0 = not mapped).  Paging structures use the same w1. */
enum vm_rights { VMKernelOnly = 1, VMReadOnly = 2, VMReadWrite = 3 };
static inline word_t frame_size_bits(cap_t c) { return cap_get_field_a(c); }
static inline word_t frame_vm_rights(cap_t c) { return cap_get_field_b(c) & 3; }
static inline bool frame_is_device(cap_t c) { return cap_get_field_c(c) & 1; }
static inline cap_t frame_cap_new(void *base, word_t size_bits, word_t rights, bool device)
{
    cap_t c = cap_new(cap_frame_cap, base, 0);
    c = cap_set_field_a(c, size_bits);
    c = cap_set_field_b(c, rights);
    return cap_set_field_c(c, device ? 1 : 0);
}

#define ASID_BITS 12
static inline word_t mapped_asid(cap_t c) { return c.w1 & MASK(ASID_BITS); }
static inline word_t mapped_vaddr(cap_t c) { return c.w1 & ~MASK(ASID_BITS); }
static inline cap_t cap_set_mapping(cap_t c, word_t asid, word_t vaddr)
{
    c.w1 = (vaddr & ~MASK(ASID_BITS)) | (asid & MASK(ASID_BITS));
    return c;
}

/* I/O port range: w1 = first port | last port << 16. */
static inline word_t io_port_first(cap_t c) { return c.w1 & 0xffff; }
static inline word_t io_port_last(cap_t c) { return (c.w1 >> 16) & 0xffff; }
static inline cap_t io_port_cap_new(word_t first, word_t last) { return cap_new(cap_io_port_cap, NULL, first | last << 16); }

/* ASID pool: w1 = first ASID the pool serves. */
static inline word_t asid_pool_base(cap_t c) { return c.w1; }

#endif
