// The accuracy kernels (kernels.S) and how to prepare each one's buffer,
// shared by the native runner and the guest so both measure the same loops
// over the same data (a fixed-seed generator; only addresses differ).
#ifndef BENCH_ACCURACY_KERNEL_TABLE_H_
#define BENCH_ACCURACY_KERNEL_TABLE_H_

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// The memory the caller provides. `work` and `huge` are backed by 2 MiB
// pages, `small_pages` by 4 KiB pages (the TLB kernels rely on that).
struct accuracy_memory {
  uint8_t* work;         // kAccuracyWorkBytes
  uint8_t* huge;         // kAccuracyHugeBytes, 2 MiB-aligned
  uint8_t* small_pages;  // kAccuracySmallPagesBytes, 4 KiB-aligned
};

enum {
  kAccuracyWorkBytes = 4 << 20,
  kAccuracyHugeBytes = 256 << 20,
  kAccuracySmallPagesBytes = 136 << 20,
};

typedef uint64_t (*accuracy_kernel_fn)(uint64_t iterations, void* buffer);

struct accuracy_kernel {
  const char* name;
  accuracy_kernel_fn run;
  // Iterations of one measured run (the guest's budget decides them).
  uint64_t iterations;
  // Fills the kernel's buffer in `memory` and returns what to pass it.
  void* (*prepare)(const struct accuracy_memory* memory);
};

extern const struct accuracy_kernel kAccuracyKernels[];
extern const int kAccuracyKernelCount;

// 64 dependent ADDs per iteration: the native runner's cycle reference.
uint64_t kernel_calibrate_adds(uint64_t iterations, void* buffer);

#ifdef __cplusplus
}
#endif

#endif  // BENCH_ACCURACY_KERNEL_TABLE_H_
