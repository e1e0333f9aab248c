#include "guest/demo/compute/workloads.h"

enum {
  kSlots = 2048,  // a power of two
  kKeys = 1200,
};

struct slot {
  uint64_t key;  // 0 = empty
  uint64_t value;
};

static struct slot table[kSlots];

// Fibonacci hashing: the top bits of key * 2^64 / golden ratio.
static uint32_t slot_index(uint64_t key) { return (uint32_t)((key * 0x9E3779B97F4A7C15ull) >> 53); }

static void clear_table(void) {
  for (int i = 0; i < kSlots; ++i) table[i] = (struct slot){0, 0};
}

// Linear probing. Adds `value` to the key's value when it is present.
static void insert(uint64_t key, uint64_t value) {
  uint32_t i = slot_index(key);
  while (table[i].key != 0 && table[i].key != key) i = (i + 1) & (kSlots - 1);
  table[i].key = key;
  table[i].value += value;
}

static const struct slot* lookup(uint64_t key) {
  uint32_t i = slot_index(key);
  while (table[i].key != 0) {
    if (table[i].key == key) return &table[i];
    i = (i + 1) & (kSlots - 1);
  }
  return 0;
}

uint64_t run_hash_table(uint64_t seed) {
  clear_table();
  uint64_t state = seed;
  // Keys drawn from a small range so that some repeat.
  for (int i = 0; i < kKeys; ++i) {
    uint64_t key = (lcg_next(&state) >> 40) % 4000 + 1;
    insert(key, (uint64_t)i + 1);
  }
  // Every inserted key must be found again.
  state = seed;
  uint64_t checksum = 0;
  for (int i = 0; i < kKeys; ++i) {
    uint64_t key = (lcg_next(&state) >> 40) % 4000 + 1;
    const struct slot* s = lookup(key);
    if (s == 0 || s->value < (uint64_t)i + 1) return 0;
    checksum = checksum * 31 + s->value;
  }
  // Keys from the whole range: count hits and misses.
  uint64_t hits = 0;
  for (uint64_t key = 1; key <= 4000; ++key) hits += lookup(key) != 0;
  return checksum ^ (hits << 48);
}
