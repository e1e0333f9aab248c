#include "guest/accuracy/small_pages.h"

enum {
  kPresentWritable = 0x3,  // SDM Vol. 3A 4.5, Tables 4-14..4-19: P, R/W
  kMaxPageTables = 128,    // 256 MiB
};

static const uint64_t kLinearBase = 1ull << 30;

// Built by boot.S; entry 0 maps the first 1 GiB.
extern uint64_t accuracy_pdpt[512];

static uint64_t directory[512] __attribute__((aligned(4096)));
static uint64_t tables[kMaxPageTables][512] __attribute__((aligned(4096)));

uint8_t* map_small_pages(uint64_t physical, uint64_t bytes) {
  uint64_t pages = bytes >> 12;
  for (uint64_t page = 0; page < pages; ++page) {
    tables[page / 512][page % 512] = (physical + (page << 12)) | kPresentWritable;
  }
  for (uint64_t table = 0; table < pages / 512; ++table) {
    directory[table] = (uint64_t)tables[table] | kPresentWritable;
  }
  accuracy_pdpt[1] = (uint64_t)directory | kPresentWritable;
  // No flush needed: the entry was not present, so no TLB or paging-structure
  // cache holds anything for this range (SDM Vol. 3A 4.10.2.3, 4.10.3.1).
  return (uint8_t*)kLinearBase;
}
