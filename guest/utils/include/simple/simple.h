/* "simple": what the root server knows about its environment, read from the
 * boot info (its capabilities, the untyped memory, the free slots). */
#ifndef GUEST_SIMPLE_SIMPLE_H
#define GUEST_SIMPLE_SIMPLE_H

#include <stdbool.h>
#include <stddef.h>

#include <sel4/sel4.h>

typedef struct simple {
    seL4_BootInfo *info;
} simple_t;

void simple_default_init_bootinfo(simple_t *simple, seL4_BootInfo *info);

static inline seL4_CPtr simple_get_cnode(const simple_t *simple) {
    (void)simple;
    return seL4_CapInitThreadCNode;
}

/* The root of the initial thread's VSpace (its PML4). */
static inline seL4_CPtr simple_get_pd(const simple_t *simple) {
    (void)simple;
    return seL4_CapInitThreadVSpace;
}

static inline size_t simple_get_untyped_count(const simple_t *simple) {
    return simple->info->untyped.end - simple->info->untyped.start;
}

/* The n-th untyped capability, with its size, physical address and whether
 * it covers device memory. */
seL4_CPtr simple_get_nth_untyped(const simple_t *simple, size_t n,
                                 size_t *size_bits, seL4_Word *paddr,
                                 bool *device);

/* The first free slot of the root CNode and the first slot after them. */
static inline seL4_SlotRegion simple_get_empty_slots(const simple_t *simple) {
    return simple->info->empty;
}

#endif
