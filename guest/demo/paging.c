#include "guest/demo/paging.h"

#include "guest/demo/common/mem.h"

#include "guest/demo/x86.h"

// Page-table entry bits (SDM Vol. 3A 4.5, Tables 4-14..4-19).
enum {
  kPtePresent = 1u << 0,
  kPteWritable = 1u << 1,
  kPteUser = 1u << 2,
  kPteLarge = 1u << 7,
};

static const uint64_t kPteNoExecute = 1ull << 63;
static const uint64_t kAddressMask = 0x000FFFFFFFFFF000ull;  // bits 51:12
static const uint64_t kLargeAddressMask = 0x000FFFFFFFE00000ull;  // bits 51:21

// Built by boot32.S: PML4[0] -> PDPT[0] -> PD with 512 2 MiB pages.
extern uint64_t boot_pml4[512];
extern uint64_t boot_pdpt[512];
extern uint64_t boot_pd[512];

extern char __user_region_start[];
extern char __user_region_end[];

enum { kDemandFrames = 4 };

static uint64_t demand_pd[512] __attribute__((aligned(4096)));
static uint64_t demand_pt[512] __attribute__((aligned(4096)));
static uint8_t demand_frames[kDemandFrames][4096] __attribute__((aligned(4096)));
static int demand_frames_used;

static unsigned level_index(uint64_t address, int shift) { return (address >> shift) & 511; }

void paging_open_user_region(void) {
  for (uint64_t a = (uint64_t)__user_region_start; a < (uint64_t)__user_region_end;
       a += 0x200000) {
    boot_pd[level_index(a, 21)] |= kPteUser;
  }
  write_cr3(read_cr3());
}

int paging_in_demand_region(uint64_t address) {
  return address >= kDemandRegionBase && address < kDemandRegionBase + kDemandRegionBytes;
}

uint64_t paging_map_demand_page(uint64_t address) {
  if (demand_frames_used == kDemandFrames) return 0;
  uint8_t* frame = demand_frames[demand_frames_used++];
  memset(frame, 0, sizeof(demand_frames[0]));
  // Kernel statics are identity-mapped, so their addresses are physical.
  boot_pdpt[level_index(address, 30)] = (uint64_t)demand_pd | kPtePresent | kPteWritable;
  demand_pd[level_index(address, 21)] = (uint64_t)demand_pt | kPtePresent | kPteWritable;
  demand_pt[level_index(address, 12)] = (uint64_t)frame | kPtePresent | kPteWritable;
  // Not-present entries are never cached (SDM 4.10.2.3), but the SDM still
  // asks software to invalidate after changing an entry (4.10.4.1).
  invlpg(address);
  return (uint64_t)frame;
}

void paging_set_no_execute(uint64_t address, int no_execute) {
  uint64_t* entry = &demand_pt[level_index(address, 12)];
  *entry = no_execute ? *entry | kPteNoExecute : *entry & ~kPteNoExecute;
  // The TLB may hold the old permissions (SDM 4.10.4.1).
  invlpg(address);
}

uint64_t paging_translate(uint64_t address) {
  const uint64_t* table = (const uint64_t*)(read_cr3() & kAddressMask);
  for (int shift = 39; shift >= 12; shift -= 9) {
    uint64_t entry = table[level_index(address, shift)];
    if ((entry & kPtePresent) == 0) return ~0ull;
    if (shift == 12) return (entry & kAddressMask) | (address & 0xFFF);
    if (shift == 21 && (entry & kPteLarge)) {
      return (entry & kLargeAddressMask) | (address & 0x1FFFFF);
    }
    table = (const uint64_t*)(entry & kAddressMask);
  }
  return ~0ull;
}
