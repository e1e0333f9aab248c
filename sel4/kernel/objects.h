/* Per-type capability behaviour: identity, derivation, teardown, creation. */
#ifndef KERNEL_OBJECTS_H
#define KERNEL_OBJECTS_H

#include "kernel/errors.h"

typedef struct cap_result {
    syscall_error_t error;
    cap_t cap;
} cap_result_t;

bool same_region_as(cap_t a, cap_t b);
bool same_object_as(cap_t a, cap_t b);
/* Tear down the object behind a deleted cap (final: it was the last one). */
void finalise_cap(cap_t cap, bool final);
/* The cap a Copy/Mint/transfer of slot's cap produces (or an error). */
cap_result_t derive_cap(cte_t *slot, cap_t cap);
/* Mint/Mutate data (badge, guard); a null cap when not allowed. */
cap_t update_cap_data(bool preserve, word_t data, cap_t cap);
cap_t mask_cap_rights(word_t rights, cap_t cap);
/* log2 of the object size, or -1 for an invalid type. */
long object_size_bits(word_t type, word_t user_size);
/* Zero (unless device memory) and initialise an object; return its cap. */
cap_t create_object(word_t type, void *region, word_t user_size, bool device);
bool is_frame_type(word_t type);

#endif
