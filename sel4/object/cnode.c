/* CNode invocations: copy, mint, move, mutate, rotate, delete, revoke,
 * save caller, cancel badged sends. */
#include "kernel/cspace.h"
#include "kernel/cte.h"
#include "kernel/invocation.h"
#include "kernel/objects.h"

static syscall_error_t decode_copy_family(invocation_t *inv, cte_t *dest)
{
    if (inv->length < 4 || inv->extra.count < 1) return error_of(seL4_TruncatedMessage);
    word_t src_index = inv_arg(inv, 2), src_depth = inv_arg(inv, 3);
    if (!cap_is_null(dest->cap)) return error_of(seL4_DeleteFirst);
    slot_result_t src = lookup_slot_for_cnode_op(true, inv_extra_cap(inv, 0), src_index, src_depth);
    if (is_error(src.error)) return src.error;
    if (cap_is_null(src.slot->cap)) return failed_lookup(true, lf_missing_capability(src_depth));
    cap_t src_cap = src.slot->cap;

    switch (inv->label) {
    case CNodeCopy:
    case CNodeMint: {
        word_t need = inv->label == CNodeCopy ? 5 : 6;
        if (inv->length < need) return error_of(seL4_TruncatedMessage);
        cap_result_t d = derive_cap(src.slot, mask_cap_rights(inv_arg(inv, 4), src_cap));
        if (is_error(d.error)) return d.error;
        if (cap_is_null(d.cap)) return error_of(seL4_IllegalOperation);
        cap_t new_cap = d.cap;
        if (inv->label == CNodeMint) {
            new_cap = update_cap_data(false, inv_arg(inv, 5), d.cap);
            if (cap_is_null(new_cap)) return error_of(seL4_IllegalOperation);
        }
        cte_insert(new_cap, src.slot, dest);
        return no_error();
    }
    case CNodeMove:
        cte_move(src_cap, src.slot, dest);
        return no_error();
    default: { /* CNodeMutate */
        if (inv->length < 5) return error_of(seL4_TruncatedMessage);
        cap_t new_cap = update_cap_data(true, inv_arg(inv, 4), src_cap);
        if (cap_is_null(new_cap)) return error_of(seL4_IllegalOperation);
        cte_move(new_cap, src.slot, dest);
        return no_error();
    }
    }
}

static syscall_error_t decode_rotate(invocation_t *inv, cte_t *dest)
{
    if (inv->length < 8 || inv->extra.count < 2) return error_of(seL4_TruncatedMessage);
    word_t pivot_index = inv_arg(inv, 2), pivot_depth = inv_arg(inv, 3), pivot_badge = inv_arg(inv, 4);
    word_t src_index = inv_arg(inv, 5), src_depth = inv_arg(inv, 6), src_badge = inv_arg(inv, 7);
    slot_result_t pivot = lookup_slot_for_cnode_op(true, inv_extra_cap(inv, 0), pivot_index, pivot_depth);
    if (is_error(pivot.error)) return pivot.error;
    slot_result_t src = lookup_slot_for_cnode_op(true, inv_extra_cap(inv, 1), src_index, src_depth);
    if (is_error(src.error)) return src.error;
    if (pivot.slot == src.slot || pivot.slot == dest) return error_of(seL4_IllegalOperation);
    if (src.slot != dest && !cap_is_null(dest->cap)) return error_of(seL4_DeleteFirst);
    if (cap_is_null(src.slot->cap)) return failed_lookup(true, lf_missing_capability(src_depth));
    if (cap_is_null(pivot.slot->cap)) return failed_lookup(false, lf_missing_capability(pivot_depth));
    cap_t new_src = update_cap_data(true, src_badge, src.slot->cap);
    cap_t new_pivot = update_cap_data(true, pivot_badge, pivot.slot->cap);
    if (cap_is_null(new_src) || cap_is_null(new_pivot)) return error_of(seL4_IllegalOperation);
    if (src.slot == dest) {
        cte_swap(new_src, src.slot, new_pivot, pivot.slot);
    } else {
        cte_move(new_pivot, pivot.slot, dest);
        cte_move(new_src, src.slot, pivot.slot);
    }
    return no_error();
}

syscall_error_t decode_cnode_invocation(invocation_t *inv)
{
    if (inv->label < CNodeRevoke || inv->label > CNodeSaveCaller) return error_of(seL4_IllegalOperation);
    if (inv->length < 2) return error_of(seL4_TruncatedMessage);
    slot_result_t dest = lookup_slot_for_cnode_op(false, inv->cap, inv_arg(inv, 0), inv_arg(inv, 1));
    if (is_error(dest.error)) return dest.error;

    switch (inv->label) {
    case CNodeCopy:
    case CNodeMint:
    case CNodeMove:
    case CNodeMutate: return decode_copy_family(inv, dest.slot);
    case CNodeRotate: return decode_rotate(inv, dest.slot);
    case CNodeRevoke:
        cte_revoke(dest.slot);
        return no_error();
    case CNodeDelete:
        cte_delete(dest.slot);
        return no_error();
    case CNodeSaveCaller: {
        if (!cap_is_null(dest.slot->cap)) return error_of(seL4_DeleteFirst);
        cte_t *caller = tcb_slot(inv->thread, tcbCaller);
        if (cap_get_type(caller->cap) == cap_reply_cap) cte_move(caller->cap, caller, dest.slot);
        return no_error();
    }
    default: { /* CNodeCancelBadgedSends */
        cap_t c = dest.slot->cap;
        bool all_rights = cap_get_type(c) == cap_endpoint_cap &&
                          (cap_rights(c) & (RIGHT_READ | RIGHT_WRITE | RIGHT_GRANT)) ==
                              (RIGHT_READ | RIGHT_WRITE | RIGHT_GRANT);
        if (!all_rights) return error_of(seL4_IllegalOperation);
        if (cap_badge(c)) cancel_badged_sends(cap_ptr(c), cap_badge(c));
        return no_error();
    }
    }
}
