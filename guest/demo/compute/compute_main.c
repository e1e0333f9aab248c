// The compute-bound guest of the simulator's MIPS benchmark: a fixed number
// of rounds of CRC-32, sorting, hashing, arithmetic and copies in 64-bit
// mode, then the checksums on COM1 and a debug exit. With `sweeps=N` it
// also makes N page-strided sweeps over 64 MiB of RAM (TLB-bound).
//
// Rounds: kDefaultRounds, or `rounds=N` on the multiboot command line. One
// round is 559,047 guest instructions: `x64sim --stats=FILE` counts
// 55,917,570 for a whole run of 100 rounds and 559,069,910 for rounds=1000
// (callgrind on the native build of the same sources counts 57,083,679 for
// 100 rounds). QEMU and x64sim print the same checksums at both counts.
#include <stdint.h>

#include "guest/demo/common/debug_exit.h"
#include "guest/demo/common/kprintf.h"
#include "guest/demo/common/multiboot.h"
#include "guest/demo/common/serial.h"
#include "guest/demo/compute/page_sweep.h"
#include "guest/demo/compute/workloads.h"
#include "guest/roi/x64sim_roi.h"

enum { kDefaultRounds = 100 };

// The sweep region: 64 MiB from 256 MiB, inside the boot code's 1 GiB
// identity map of 2 MiB pages.
static const uint64_t kSweepBase = 256ull << 20;
static const uint64_t kSweepBytes = 64ull << 20;

// The CRC-32 check value of "123456789" (Rocksoft model, CRC-32/ISO-HDLC).
static const uint32_t kCrc32Check = 0xCBF43926u;

// Value of `key` (such as "rounds=") in the command line, or `fallback`.
static uint64_t parse_option(const struct multiboot_info* info, const char* key,
                             uint64_t fallback) {
  if ((info->flags & kMultibootInfoCmdline) == 0) return fallback;
  for (const char* p = (const char*)(uint64_t)info->cmdline; *p; ++p) {
    int k = 0;
    while (key[k] != '\0' && p[k] == key[k]) ++k;
    if (key[k] != '\0') continue;
    uint64_t value = 0;
    for (p += k; *p >= '0' && *p <= '9'; ++p) value = value * 10 + (uint64_t)(*p - '0');
    return value;
  }
  return fallback;
}

void kernel_main(uint32_t magic, uint32_t info) {
  serial_init();
  kprintf("compute: x64sim compute workload\n");
  if (magic != MULTIBOOT_BOOTLOADER_MAGIC) {
    kprintf("compute: FAILED: bad multiboot magic 0x%x\n", magic);
    debug_exit(kDebugExitFailure);
  }
  crc32_init();
  if (crc32((const uint8_t*)"123456789", 9) != kCrc32Check) {
    kprintf("compute: FAILED: CRC-32 check value\n");
    debug_exit(kDebugExitFailure);
  }
  const struct multiboot_info* mbi = (const struct multiboot_info*)(uint64_t)info;
  uint64_t rounds = parse_option(mbi, "rounds=", kDefaultRounds);
  uint64_t sweeps = parse_option(mbi, "sweeps=", 0);
  kprintf("compute: rounds %lu\n", rounds);
  // Booted and set up: with --checkpoint and no --checkpoint-at, x64sim
  // takes its checkpoint here, so that runs restoring it skip the boot.
  x64sim_checkpoint();
  if (sweeps != 0) {
    uint64_t ram_end = ((uint64_t)mbi->mem_upper + 1024) << 10;
    if (!(mbi->flags & kMultibootInfoMemory) || ram_end < kSweepBase + kSweepBytes) {
      kprintf("compute: FAILED: sweeps need RAM up to 0x%lx\n", kSweepBase + kSweepBytes);
      debug_exit(kDebugExitFailure);
    }
    kprintf("compute: sweep 0x%016lx\n", page_sweep(kSweepBase, kSweepBytes, sweeps));
  }

  // The rounds are the region of interest (x64sim --fast-forward times only them).
  x64sim_roi_begin();
  struct compute_checksums r = run_rounds(rounds);
  x64sim_roi_end();
  kprintf("compute: crc32 0x%016lx\n", r.crc32);
  kprintf("compute: sort 0x%016lx\n", r.sort);
  kprintf("compute: hash 0x%016lx\n", r.hash_table);
  kprintf("compute: arithmetic 0x%016lx\n", r.arithmetic);
  kprintf("compute: copies 0x%016lx\n", r.copies);
  kprintf("compute: checksum 0x%016lx\n", r.combined);
  if (r.failed_self_checks != 0) {
    kprintf("compute: FAILED: %d self-checks\n", r.failed_self_checks);
    debug_exit(kDebugExitFailure);
  }
  kprintf("compute: done\n");
  debug_exit(kDebugExitSuccess);
}
