/* Boot-time state: physical memory, the boot allocator, and the steps
 * that build the root server's world. */
#ifndef BOOT_BOOT_H
#define BOOT_BOOT_H

#include "kernel/structures.h"

#define MAX_MEMORY_REGIONS 16

typedef struct phys_region {
    word_t start, end;
} phys_region_t;

typedef struct boot_info_state {
    phys_region_t ram[MAX_MEMORY_REGIONS];
    word_t ram_count;
    phys_region_t module; /* the root server ELF */
    phys_region_t reserved[4];
    word_t reserved_count;
    word_t alloc_cursor, alloc_start;
} boot_state_t;

extern boot_state_t boot_state;

/* Zeroed, physically contiguous, aligned to its size (kernel pointer). */
void *boot_alloc(word_t size_bits);
void *boot_alloc_pages(word_t pages);

/* rootserver.c: builds the root server from its ELF image and starts it. */
void create_root_server(void);

#endif
