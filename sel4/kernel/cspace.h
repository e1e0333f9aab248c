/* Capability addressing: every CPtr is resolved here, through guards and
 * radices, with seL4's lookup failures. */
#ifndef KERNEL_CSPACE_H
#define KERNEL_CSPACE_H

#include "kernel/errors.h"

typedef struct resolve_result {
    lookup_fault_t fault; /* type seL4_NoFailure on success */
    cte_t *slot;
    word_t bits_remaining;
} resolve_result_t;

typedef struct slot_result {
    syscall_error_t error;
    cte_t *slot;
} slot_result_t;

resolve_result_t resolve_address_bits(cap_t node, word_t cptr, word_t n_bits);
/* A CPtr in the thread's CSpace, resolved with depth 64. */
resolve_result_t lookup_slot(tcb_t *t, word_t cptr);
/* The slot for a CNode invocation: depth must be 1..64 and consumed fully. */
slot_result_t lookup_slot_for_cnode_op(bool is_source, cap_t root, word_t cptr, word_t depth);

#endif
