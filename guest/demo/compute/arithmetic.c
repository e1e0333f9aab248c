#include "guest/demo/compute/workloads.h"

enum { kArithmeticSteps = 2000 };

static uint64_t gcd(uint64_t a, uint64_t b) {
  while (b != 0) {
    uint64_t t = a % b;
    a = b;
    b = t;
  }
  return a;
}

uint64_t run_arithmetic(uint64_t seed) {
  uint64_t state = seed;
  uint64_t acc = seed;
  for (int i = 0; i < kArithmeticSteps; ++i) {
    uint64_t x = lcg_next(&state);
    uint64_t divisor = (x >> 33) | 1;
    acc += x / divisor + x % 1000003;
    uint32_t small = (uint32_t)x;
    acc ^= (uint64_t)(small / ((uint32_t)(acc >> 40) | 1)) << 3;
    int64_t signed_x = (int64_t)x;
    acc += (uint64_t)(signed_x / -7 + signed_x % 13);
    acc = acc * 0x9E3779B97F4A7C15ull + (uint64_t)i;
    if ((i & 15) == 0) acc += gcd(x >> 20, (acc >> 24) | 1);
  }
  return acc;
}
