/* allocman: the allocator behind the tutorial's vka. It hands out the root
 * CNode's empty slots in order and carves objects from the boot info's
 * untyped capabilities first-fit, keeping its own records in a static pool
 * the program provides (so it needs no heap). */
#ifndef GUEST_ALLOCMAN_ALLOCMAN_H
#define GUEST_ALLOCMAN_ALLOCMAN_H

#include <stddef.h>

#include <simple/simple.h>
#include <vka/vka.h>

typedef struct allocman allocman_t;

/* Builds an allocator for the current (root) thread's CSpace and untypeds,
 * with its state inside `pool`. NULL when the pool is too small or not
 * word-aligned. */
allocman_t *bootstrap_use_current_simple(simple_t *simple, size_t pool_size,
                                         char *pool);

/* Points `vka` at `allocman`. */
void allocman_make_vka(vka_t *vka, allocman_t *allocman);

#endif
