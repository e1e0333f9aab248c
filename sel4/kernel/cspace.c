#include "kernel/cspace.h"

resolve_result_t resolve_address_bits(cap_t node, word_t cptr, word_t n_bits)
{
    resolve_result_t r = {lookup_ok(), NULL, 0};
    if (cap_get_type(node) != cap_cnode_cap) {
        r.fault = lf_invalid_root();
        return r;
    }
    for (;;) {
        word_t radix = cnode_radix(node);
        word_t guard_bits = cnode_guard_size(node);
        word_t level_bits = radix + guard_bits;
        word_t cap_guard = cnode_guard(node);
        /* The guard is the top guard_bits of the bits still unresolved. */
        word_t guard = guard_bits && guard_bits <= n_bits ? (cptr >> (n_bits - guard_bits)) & MASK(guard_bits) : 0;
        if (guard_bits > n_bits || guard != cap_guard) {
            r.fault = lf_guard_mismatch(n_bits, cap_guard, guard_bits);
            return r;
        }
        if (level_bits > n_bits || level_bits == 0) {
            r.fault = lf_depth_mismatch(n_bits, level_bits);
            return r;
        }
        word_t offset = (cptr >> (n_bits - level_bits)) & MASK(radix);
        cte_t *slot = (cte_t *)cap_ptr(node) + offset;
        if (n_bits == level_bits) {
            r.slot = slot;
            return r;
        }
        n_bits -= level_bits;
        node = slot->cap;
        if (cap_get_type(node) != cap_cnode_cap) {
            r.slot = slot;
            r.bits_remaining = n_bits;
            return r;
        }
    }
}

resolve_result_t lookup_slot(tcb_t *t, word_t cptr)
{
    return resolve_address_bits(tcb_slot(t, tcbCTable)->cap, cptr, seL4_WordBits);
}

slot_result_t lookup_slot_for_cnode_op(bool is_source, cap_t root, word_t cptr, word_t depth)
{
    slot_result_t r = {no_error(), NULL};
    if (cap_get_type(root) != cap_cnode_cap) {
        r.error = failed_lookup(is_source, lf_invalid_root());
        return r;
    }
    if (depth < 1 || depth > seL4_WordBits) {
        r.error = range_error(1, seL4_WordBits);
        return r;
    }
    resolve_result_t res = resolve_address_bits(root, cptr, depth);
    if (res.fault.type != seL4_NoFailure) {
        r.error = failed_lookup(is_source, res.fault);
        return r;
    }
    if (res.bits_remaining != 0) {
        r.error = failed_lookup(is_source, lf_depth_mismatch(res.bits_remaining, 0));
        return r;
    }
    r.slot = res.slot;
    return r;
}
