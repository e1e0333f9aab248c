/* Untyped memory: Retype carves typed objects from the free region above
 * the watermark, with seL4's rules and errors. */
#include "kernel/cspace.h"
#include "kernel/cte.h"
#include "kernel/invocation.h"
#include "kernel/lib.h"
#include "kernel/objects.h"

#define RETYPE_FAN_OUT_LIMIT 256

syscall_error_t decode_untyped_invocation(invocation_t *inv)
{
    if (inv->label != UntypedRetype) return error_of(seL4_IllegalOperation);
    if (inv->length < 6 || inv->extra.count < 1) return error_of(seL4_TruncatedMessage);
    word_t type = inv_arg(inv, 0), user_size = inv_arg(inv, 1);
    word_t node_index = inv_arg(inv, 2), node_depth = inv_arg(inv, 3);
    word_t node_offset = inv_arg(inv, 4), node_window = inv_arg(inv, 5);
    cap_t root = inv_extra_cap(inv, 0);

    if (type >= seL4_ObjectTypeCount) return invalid_argument(0);
    long object_bits = object_size_bits(type, user_size);
    if (user_size >= seL4_WordBits || object_bits < 0 || object_bits > seL4_MaxUntypedBits)
        return range_error(0, seL4_MaxUntypedBits);
    if (type == seL4_CapTableObject && user_size == 0) return invalid_argument(1);
    if (type == seL4_UntypedObject && user_size < seL4_MinUntypedBits) return invalid_argument(1);

    cap_t node = root;
    if (node_depth != 0) {
        slot_result_t s = lookup_slot_for_cnode_op(false, root, node_index, node_depth);
        if (is_error(s.error)) return s.error;
        node = s.slot->cap;
    }
    if (cap_get_type(node) != cap_cnode_cap) return failed_lookup(false, lf_missing_capability(node_depth));

    word_t node_size = BIT(cnode_radix(node));
    if (node_offset > node_size - 1) return range_error(0, node_size - 1);
    if (node_window < 1 || node_window > RETYPE_FAN_OUT_LIMIT) return range_error(1, RETYPE_FAN_OUT_LIMIT);
    if (node_window > node_size - node_offset) return range_error(1, node_size - node_offset);
    cte_t *dest = (cte_t *)cap_ptr(node) + node_offset;
    for (word_t i = 0; i < node_window; i++)
        if (!cap_is_null(dest[i].cap)) return error_of(seL4_DeleteFirst);

    cap_t ut = inv->cap;
    bool reset = ensure_no_children(inv->slot);
    word_t free_index = reset ? 0 : untyped_free_index(ut);
    word_t size_bits = untyped_size_bits(ut);
    bool device = untyped_is_device(ut);
    word_t base = (word_t)cap_ptr(ut);
    word_t free_bytes = BIT(size_bits) - free_index;
    if ((free_bytes >> object_bits) < node_window) return not_enough_memory(free_bytes);
    if (device && !is_frame_type(type) && type != seL4_UntypedObject) return invalid_argument(1);
    word_t aligned = ROUND_UP(base + free_index, (word_t)object_bits);
    if (aligned + (node_window << object_bits) > base + BIT(size_bits)) return not_enough_memory(free_bytes);

    /* Perform: the watermark moves, then each object is created and its
     * cap becomes a child of the untyped. */
    if (reset && !device && free_index == 0 && untyped_free_index(ut) != 0)
        memset((void *)base, 0, untyped_free_index(ut));
    inv->slot->cap.w1 = aligned + (node_window << object_bits) - base;
    for (word_t i = 0; i < node_window; i++) {
        void *obj = (void *)(aligned + (i << object_bits));
        insert_new_cap(inv->slot, &dest[i], create_object(type, obj, user_size, device));
    }
    return no_error();
}
