// The accuracy guest: runs every kernel of bench/accuracy/kernels.S under
// x64sim, timing each with RDTSC (modelled core cycles in x64sim), and prints
//   accuracy: kernel=NAME iterations=N cycles=C cycles_per_iter=X.XX
// then "accuracy: done" and exits through the debug-exit port. Each kernel
// runs once to warm caches, TLBs and predictors, then once measured.
//
// Memory (identity-mapped with 2 MiB pages unless said): the image at 1 MiB,
// the work buffer at 16 MiB, the 4 KiB-page region's 136 MiB from physical
// 64 MiB mapped at linear 1 GiB, and the 256 MiB huge region from 256 MiB:
// usable RAM must reach 512 MiB, so run x64sim with --memory-mib=640 (its
// loader keeps the top 128 KiB of RAM out of the usable range).
#include <stdint.h>

#include "bench/accuracy/kernel_table.h"
#include "guest/accuracy/console.h"
#include "guest/accuracy/small_pages.h"
#include "guest/roi/x64sim_roi.h"

enum {
  kMultibootMagic = 0x2BADB002,  // EAX at entry (Multiboot spec 0.6.96, 3.2)
  kMultibootInfoMemory = 1,      // flags bit 0: mem_lower/mem_upper valid (3.3)
  kDebugExitSuccess = 0x10,      // status 33, as the demo guests
  kDebugExitFailure = 0x11,
};

static const uint64_t kWorkPhysical = 16ull << 20;
static const uint64_t kSmallPagesPhysical = 64ull << 20;
static const uint64_t kHugePhysical = 256ull << 20;
static const uint64_t kRamNeeded = 512ull << 20;

// The Multiboot information's first words (spec 3.3).
struct multiboot_info_head {
  uint32_t flags;
  uint32_t mem_lower;  // KiB from 0
  uint32_t mem_upper;  // KiB from 1 MiB
};

static uint64_t read_tsc(void) {
  uint32_t lo, hi;
  __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
  return ((uint64_t)hi << 32) | lo;
}

static void fail(const char* message) {
  console_puts("accuracy: FAILED: ");
  console_puts(message);
  console_puts("\n");
  console_exit(kDebugExitFailure);
}

void accuracy_main(uint32_t magic, uint32_t info_address) {
  console_init();
  console_puts("accuracy: x64sim accuracy kernels\n");
  if (magic != kMultibootMagic) fail("bad multiboot magic");
  const struct multiboot_info_head* info =
      (const struct multiboot_info_head*)(uint64_t)info_address;
  uint64_t ram_end = ((uint64_t)info->mem_upper + 1024) << 10;
  if (!(info->flags & kMultibootInfoMemory) || ram_end < kRamNeeded) {
    fail("needs usable RAM up to 512 MiB (--memory-mib=640)");
  }
  struct accuracy_memory memory = {
      .work = (uint8_t*)kWorkPhysical,
      .huge = (uint8_t*)kHugePhysical,
      .small_pages = map_small_pages(kSmallPagesPhysical, kAccuracySmallPagesBytes),
  };
  // Set up: a checkpoint taken here (x64sim --checkpoint without
  // --checkpoint-at) lets sweeps start at the kernels.
  x64sim_checkpoint();
  for (int k = 0; k < kAccuracyKernelCount; ++k) {
    const struct accuracy_kernel* kernel = &kAccuracyKernels[k];
    void* buffer = kernel->prepare(&memory);
    kernel->run(kernel->iterations, buffer);
    uint64_t start = read_tsc();
    kernel->run(kernel->iterations, buffer);
    uint64_t cycles = read_tsc() - start;
    console_puts("accuracy: kernel=");
    console_puts(kernel->name);
    console_puts(" iterations=");
    console_put_decimal(kernel->iterations);
    console_puts(" cycles=");
    console_put_decimal(cycles);
    console_puts(" cycles_per_iter=");
    console_put_hundredths(cycles, kernel->iterations);
    console_puts("\n");
  }
  console_puts("accuracy: done\n");
  console_exit(kDebugExitSuccess);
}
