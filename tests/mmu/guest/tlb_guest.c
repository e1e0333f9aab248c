// A guest kernel that changes its own page tables and reports what it then
// reads: the architecturally defined results (after INVLPG, MOV to CR3, a
// CR4.PGE toggle; A/D bits) on every run, and, with `model-checks` on the
// command line, the results the SDM leaves open (stale TLB and
// paging-structure-cache entries) that x64sim models as a Skylake would.
// The same image runs under QEMU, whose TLB is not the hardware's, without
// `model-checks` and against a golden file without those lines.
//
// Layout: the boot code identity-maps the first GiB (PML4[0] -> PDPT ->
// PD of 2 MiB pages). This kernel hangs its own page directory at PDPT[1],
// so every linear address it plays with is in [1 GiB, 2 GiB) and nothing it
// runs on is ever remapped.
#include <stdint.h>

#include "guest/demo/common/debug_exit.h"
#include "guest/demo/common/kprintf.h"
#include "guest/demo/common/multiboot.h"
#include "guest/demo/common/serial.h"

enum {
  kPteP = 1 << 0,
  kPteRw = 1 << 1,
  kPteA = 1 << 5,
  kPteD = 1 << 6,
  kPtePs = 1 << 7,
  kPteG = 1 << 8,
  kCr4Pge = 1 << 7,
};

#define WINDOW 0x40000000ull  // PDPT[1]: 1 GiB
#define PAGE(n) (WINDOW + (uint64_t)(n) * 0x1000)  // 4 KiB pages through `pt` (PD[0])
#define BIG (WINDOW + 0x200000)  // a 2 MiB page (PD[1])

// Paging structures are volatile: the compiler must neither drop a store
// that a later one overwrites (the MMU may read it in between) nor reuse a
// value it wrote (the MMU sets A and D behind its back).
static volatile uint64_t pd[512] __attribute__((aligned(4096)));
static volatile uint64_t pt[512] __attribute__((aligned(4096)));
static volatile uint64_t pt_other[512] __attribute__((aligned(4096)));
static uint64_t frames[2][512] __attribute__((aligned(4096)));
static uint64_t big[2][0x200000 / 8] __attribute__((aligned(0x200000)));

static const uint64_t kValue[2] = {0xaaaaaaaaaaaaaaaaull, 0xbbbbbbbbbbbbbbbbull};

static uint64_t read_cr3(void) {
  uint64_t v;
  __asm__ volatile("mov %%cr3, %0" : "=r"(v));
  return v;
}
static void write_cr3(uint64_t v) { __asm__ volatile("mov %0, %%cr3" : : "r"(v) : "memory"); }
static uint64_t read_cr4(void) {
  uint64_t v;
  __asm__ volatile("mov %%cr4, %0" : "=r"(v));
  return v;
}
static void write_cr4(uint64_t v) { __asm__ volatile("mov %0, %%cr4" : : "r"(v) : "memory"); }
static void invlpg(uint64_t linear) {
  __asm__ volatile("invlpg (%0)" : : "r"(linear) : "memory");
}
// Accesses through the window, after every earlier store has been emitted.
static uint64_t peek(uint64_t linear) {
  __asm__ volatile("" : : : "memory");
  return *(volatile uint64_t*)linear;
}
static void poke(uint64_t linear, uint64_t v) {
  __asm__ volatile("" : : : "memory");
  *(volatile uint64_t*)linear = v;
}

// Physical = virtual below 1 GiB (identity map).
static uint64_t phys(const volatile void* p) { return (uint64_t)p; }

// "A" or "B" for a value read through a mapping of frames[i] or big[i].
static const char* which(uint64_t v) {
  return v == kValue[0] ? "A" : v == kValue[1] ? "B" : "?";
}

static int failures;
static int model_checks;

// An architecturally defined result: must be `want` on any x86-64.
static void check(const char* what, const char* got, const char* want) {
  int ok = got[0] == want[0];
  kprintf("tlb: %s: %s%s\n", what, got, ok ? "" : " (WRONG)");
  if (!ok) ++failures;
}

// A result the SDM leaves to the implementation: printed only on request.
static void model(const char* what, const char* got) {
  if (model_checks) kprintf("tlb: model: %s: %s\n", what, got);
}

static int has_word(const struct multiboot_info* info, const char* word) {
  if (!(info->flags & kMultibootInfoCmdline)) return 0;
  for (const char* p = (const char*)(uint64_t)info->cmdline; *p; ++p) {
    int k = 0;
    while (word[k] && p[k] == word[k]) ++k;
    if (!word[k]) return 1;
  }
  return 0;
}

static void map4k(int n, const uint64_t* frame, uint64_t flags) {
  pt[n] = phys(frame) | kPteP | kPteRw | flags;
}

void kernel_main(uint32_t magic, uint32_t info) {
  serial_init();
  kprintf("tlb: x64sim TLB behaviour guest\n");
  if (magic != MULTIBOOT_BOOTLOADER_MAGIC) {
    kprintf("tlb: FAILED: bad multiboot magic\n");
    debug_exit(kDebugExitFailure);
  }
  model_checks = has_word((const struct multiboot_info*)(uint64_t)info, "model-checks");
  for (int i = 0; i < 2; ++i) {
    frames[i][0] = kValue[i];
    big[i][0x1000 / 8] = kValue[i];
  }

  // PDPT[1] was not present: no translation for the window can be cached.
  volatile uint64_t* pml4 = (volatile uint64_t*)(read_cr3() & ~0xfffull);
  volatile uint64_t* pdpt = (volatile uint64_t*)(pml4[0] & 0x000ffffffffff000ull);
  pd[0] = phys(pt) | kPteP | kPteRw;
  pdpt[1] = phys(pd) | kPteP | kPteRw;

  // 1. A PTE changed under a cached translation (SDM 4.10.4.3: the old one
  //    may stay in use until INVLPG, 4.10.4.1: which must drop it).
  map4k(0, frames[0], 0);
  check("page 0 mapped to frame A", which(peek(PAGE(0))), "A");
  map4k(0, frames[1], 0);
  model("page 0 after its PTE moved to frame B, no invalidation", which(peek(PAGE(0))));
  invlpg(PAGE(0));
  check("page 0 after INVLPG", which(peek(PAGE(0))), "B");

  // 2. MOV to CR3 drops non-global translations (SDM 4.10.4.1).
  map4k(0, frames[0], 0);
  write_cr3(read_cr3());
  check("page 0 moved back to A, after MOV to CR3", which(peek(PAGE(0))), "A");

  // 3. Global pages: MOV to CR3 may keep them; toggling CR4.PGE drops them.
  write_cr4(read_cr4() | kCr4Pge);
  map4k(1, frames[0], kPteG);
  check("global page 1 mapped to A", which(peek(PAGE(1))), "A");
  map4k(1, frames[1], kPteG);
  write_cr3(read_cr3());
  model("global page 1 moved to B, after MOV to CR3", which(peek(PAGE(1))));
  write_cr4(read_cr4() & ~(uint64_t)kCr4Pge);
  write_cr4(read_cr4() | kCr4Pge);
  check("global page 1 after a CR4.PGE toggle", which(peek(PAGE(1))), "B");

  // 4. INVLPG of any address in a 2 MiB page drops the whole page.
  pd[1] = phys(big[0]) | kPteP | kPteRw | kPtePs;
  check("2 MiB page mapped to A", which(peek(BIG + 0x1000)), "A");
  pd[1] = phys(big[1]) | kPteP | kPteRw | kPtePs;
  model("2 MiB page moved to B, no invalidation", which(peek(BIG + 0x1000)));
  invlpg(BIG + 0x123000);
  check("2 MiB page after INVLPG of another address in it", which(peek(BIG + 0x1000)), "B");

  // 5. Accessed and dirty flags (SDM 4.8).
  map4k(2, frames[0], 0);
  invlpg(PAGE(2));
  (void)peek(PAGE(2));
  check("read sets A", (pt[2] & kPteA) ? "A set" : "A clear", "A set");
  check("read leaves D clear", (pt[2] & kPteD) ? "D set" : "D clear", "D clear");
  poke(PAGE(2) + 8, 1);
  check("write sets D", (pt[2] & kPteD) ? "D set" : "D clear", "D set");

  // 6. A page-directory entry moved to another page table: a cached PDE
  //    (paging-structure cache, SDM 4.10.3) may still be used for pages
  //    not in the TLB; INVLPG drops every PSC entry (SDM 4.10.4.1).
  map4k(3, frames[0], 0);
  pt_other[3] = phys(frames[1]) | kPteP | kPteRw;
  invlpg(PAGE(3));
  (void)peek(PAGE(0));  // walks through pd[0] -> pt, caching that PDE
  pd[0] = phys(pt_other) | kPteP | kPteRw;
  model("page 3 after its PDE moved to another table, no invalidation", which(peek(PAGE(3))));
  invlpg(PAGE(3));
  check("page 3 after INVLPG", which(peek(PAGE(3))), "B");

  if (failures) {
    kprintf("tlb: FAILED: %d checks\n", failures);
    debug_exit(kDebugExitFailure);
  }
  kprintf("tlb: all checks passed\n");
  debug_exit(kDebugExitSuccess);
}
