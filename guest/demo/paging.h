// Changes to the boot identity map: the user region and a demand-paged
// region whose pages are mapped by the #PF handler when first touched.
#ifndef GUEST_DEMO_PAGING_H_
#define GUEST_DEMO_PAGING_H_

#include <stdint.h>

// 2 MiB of address space at 1 GiB, unmapped until touched.
enum {
  kDemandRegionBase = 0x40000000,
  kDemandRegionBytes = 0x200000,
};

// Makes the 2 MiB pages of the linker's user region user-accessible.
void paging_open_user_region(void);

int paging_in_demand_region(uint64_t address);

// Maps the 4 KiB page holding `address` to a fresh zeroed frame. Returns the
// frame's physical address, or 0 when the frame pool is exhausted.
uint64_t paging_map_demand_page(uint64_t address);

// Sets or clears the XD bit of the demand page holding `address` and
// invalidates its TLB entry. Requires EFER.NXE (SDM Vol. 3A 4.6.2).
void paging_set_no_execute(uint64_t address, int no_execute);

// Physical address `address` translates to through the current tables,
// or ~0 if it is not mapped.
uint64_t paging_translate(uint64_t address);

#endif  // GUEST_DEMO_PAGING_H_
