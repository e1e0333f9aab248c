/* A minimal virtual memory manager: map frames into any VSpace, creating the
 * paging structures on the way, and hand out unused virtual ranges. */
#ifndef GUEST_VSPACE_VSPACE_H
#define GUEST_VSPACE_VSPACE_H

#include <stddef.h>

#include <sel4/sel4.h>
#include <vka/vka.h>

/* Maps the 4 KiB `frame` at `vaddr` in the VSpace whose root (PML4) is
 * `root`. When a paging structure is missing (seL4_FailedLookup) it
 * allocates page tables, page directories and PDPTs from `vka` as needed and
 * maps them first. 0 or an seL4 error. */
int vspace_map_frame(vka_t *vka, seL4_CPtr root, seL4_CPtr frame,
                     seL4_Word vaddr, seL4_CapRights_t rights);

typedef struct vspace {
    vka_t *vka;
    seL4_CPtr root;
    seL4_Word next_free; /* next unreserved page */
    seL4_Word end;       /* first address after the managed range */
} vspace_t;

/* Manages the page-aligned range [start, end) of the VSpace `root`. */
void vspace_init(vspace_t *vspace, vka_t *vka, seL4_CPtr root, seL4_Word start,
                 seL4_Word end);

/* Reserves `pages` unmapped pages; returns their address, or 0 when the
 * range is used up. */
seL4_Word vspace_reserve(vspace_t *vspace, size_t pages);

#endif
