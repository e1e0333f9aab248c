/* Capability slots and the derivation tree (MDB): insert, move, swap,
 * delete and revoke, as seL4 defines them. */
#ifndef KERNEL_CTE_H
#define KERNEL_CTE_H

#include "kernel/errors.h"

void cte_insert(cap_t new_cap, cte_t *src, cte_t *dest);
void cte_move(cap_t new_cap, cte_t *src, cte_t *dest);
void cte_swap(cap_t cap1, cte_t *slot1, cap_t cap2, cte_t *slot2);
/* A freshly created object's cap, a child of the untyped in `parent`. */
void insert_new_cap(cte_t *parent, cte_t *slot, cap_t cap);
/* Delete the cap in slot; destroys the object when it is the last cap. */
void cte_delete(cte_t *slot);
/* cte_delete for a slot holding a (non-master) reply cap, which has no
 * object to tear down: just unlink it.  Used on the IPC paths. */
void cte_delete_reply(cte_t *slot);
/* Delete every capability derived from the one in slot. */
void cte_revoke(cte_t *slot);
bool ensure_no_children(const cte_t *slot);
bool is_final_capability(const cte_t *slot);
bool is_mdb_parent_of(const cte_t *a, const cte_t *b);

#endif
