#include "kernel/cte.h"

#include "kernel/objects.h"

static bool is_cap_revocable(cap_t derived, cap_t src)
{
    switch (cap_get_type(derived)) {
    case cap_endpoint_cap:
    case cap_notification_cap:
        return cap_badge(derived) != cap_badge(src);
    case cap_untyped_cap:
        return true;
    default:
        return false;
    }
}

static void link_after(cte_t *prev, cte_t *slot)
{
    cte_t *next = prev ? prev->mdb_next : NULL;
    mdb_set_prev(slot, prev);
    slot->mdb_next = next;
    if (prev) prev->mdb_next = slot;
    if (next) mdb_set_prev(next, slot);
}

void cte_insert(cap_t new_cap, cte_t *src, cte_t *dest)
{
    bool revocable = is_cap_revocable(new_cap, src->cap);
    dest->cap = new_cap;
    dest->mdb_prev = 0;
    mdb_set_flags(dest, revocable, revocable);
    link_after(src, dest);
}

void insert_new_cap(cte_t *parent, cte_t *slot, cap_t cap)
{
    slot->cap = cap;
    slot->mdb_prev = 0;
    mdb_set_flags(slot, true, true);
    link_after(parent, slot);
}

void cte_move(cap_t new_cap, cte_t *src, cte_t *dest)
{
    dest->cap = new_cap;
    dest->mdb_prev = src->mdb_prev;
    dest->mdb_next = src->mdb_next;
    if (mdb_prev(dest)) mdb_prev(dest)->mdb_next = dest;
    if (dest->mdb_next) mdb_set_prev(dest->mdb_next, dest);
    src->cap = cap_null();
    src->mdb_prev = 0;
    src->mdb_next = NULL;
}

void cte_swap(cap_t cap1, cte_t *slot1, cap_t cap2, cte_t *slot2)
{
    cte_t tmp = *slot1;
    /* Swap the tree positions by relinking both neighbourhoods. */
    slot1->cap = cap2;
    slot2->cap = cap1;
    word_t prev1 = tmp.mdb_prev;
    cte_t *next1 = tmp.mdb_next;
    slot1->mdb_prev = slot2->mdb_prev;
    slot1->mdb_next = slot2->mdb_next;
    slot2->mdb_prev = prev1;
    slot2->mdb_next = next1;
    /* If they were neighbours, the links now point at themselves. */
    if (mdb_prev(slot1) == slot1) mdb_set_prev(slot1, slot2);
    if (slot1->mdb_next == slot1) slot1->mdb_next = slot2;
    if (mdb_prev(slot2) == slot2) mdb_set_prev(slot2, slot1);
    if (slot2->mdb_next == slot2) slot2->mdb_next = slot1;
    if (mdb_prev(slot1)) mdb_prev(slot1)->mdb_next = slot1;
    if (slot1->mdb_next) mdb_set_prev(slot1->mdb_next, slot1);
    if (mdb_prev(slot2)) mdb_prev(slot2)->mdb_next = slot2;
    if (slot2->mdb_next) mdb_set_prev(slot2->mdb_next, slot2);
}

bool is_final_capability(const cte_t *slot)
{
    const cte_t *prev = mdb_prev(slot), *next = slot->mdb_next;
    if (prev && same_object_as(prev->cap, slot->cap)) return false;
    if (next && same_object_as(next->cap, slot->cap)) return false;
    return true;
}

bool is_mdb_parent_of(const cte_t *a, const cte_t *b)
{
    if (!mdb_revocable(a)) return false;
    if (!same_region_as(a->cap, b->cap)) return false;
    switch (cap_get_type(a->cap)) {
    case cap_endpoint_cap:
    case cap_notification_cap: {
        word_t badge = cap_badge(a->cap);
        if (badge == 0) return true;
        return badge == cap_badge(b->cap) && !mdb_first_badged(b);
    }
    default:
        return true;
    }
}

bool ensure_no_children(const cte_t *slot)
{
    return !(slot->mdb_next && is_mdb_parent_of(slot, slot->mdb_next));
}

static void empty_slot(cte_t *slot)
{
    cte_t *prev = mdb_prev(slot), *next = slot->mdb_next;
    if (prev) prev->mdb_next = next;
    if (next) {
        mdb_set_prev(next, prev);
        mdb_set_flags(next, mdb_revocable(next), mdb_first_badged(next) || mdb_first_badged(slot));
    }
    slot->cap = cap_null();
    slot->mdb_prev = 0;
    slot->mdb_next = NULL;
}

/* CNodes whose last cap is gone and whose slots are being emptied.  An
 * explicit stack instead of recursion keeps the kernel stack bounded
 * however deeply user CNodes nest. */
#define PENDING_CNODES 128
static struct pending_cnode {
    cte_t *slots;
    word_t count, next;
} pending[PENDING_CNODES];
static word_t pending_top;
static bool draining;

static void drain_pending_cnodes(void)
{
    draining = true;
    while (pending_top) {
        struct pending_cnode *p = &pending[pending_top - 1];
        while (p->next < p->count && cap_is_null(p->slots[p->next].cap)) p->next++;
        if (p->next == p->count) pending_top--;
        else cte_delete(&p->slots[p->next]);
    }
    draining = false;
}

void cte_delete_reply(cte_t *slot)
{
    if (cap_get_type(slot->cap) == cap_reply_cap && !reply_is_master(slot->cap)) empty_slot(slot);
    else cte_delete(slot);
}

void cte_delete(cte_t *slot)
{
    if (cap_is_null(slot->cap)) return;
    cap_t cap = slot->cap;
    bool final = is_final_capability(slot);
    /* Unlink first: the object's teardown may delete further slots,
     * including (for a CNode holding its own cap) this one. */
    empty_slot(slot);
    if (final && cap_get_type(cap) == cap_cnode_cap) {
        /* Beyond PENDING_CNODES levels the innermost CNode's contents are
         * left unreachable (leaked) rather than risk the kernel stack. */
        if (pending_top < PENDING_CNODES)
            pending[pending_top++] = (struct pending_cnode){cap_ptr(cap), BIT(cnode_radix(cap)), 0};
    } else {
        finalise_cap(cap, final);
    }
    if (!draining) drain_pending_cnodes();
}

void cte_revoke(cte_t *slot)
{
    while (slot->mdb_next && is_mdb_parent_of(slot, slot->mdb_next)) cte_delete(slot->mdb_next);
}
