// A region of 4 KiB pages for the TLB kernels (the boot map uses 2 MiB pages).
#ifndef GUEST_ACCURACY_SMALL_PAGES_H_
#define GUEST_ACCURACY_SMALL_PAGES_H_

#include <stdint.h>

// Maps `bytes` (a multiple of 2 MiB, at most 256 MiB) of physical memory
// from `physical` with 4 KiB pages at linear 1 GiB (PDPT entry 1, unused by
// the identity map) and returns that address.
uint8_t* map_small_pages(uint64_t physical, uint64_t bytes);

#endif  // GUEST_ACCURACY_SMALL_PAGES_H_
