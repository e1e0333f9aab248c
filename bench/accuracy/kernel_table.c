// The kernel list and buffer preparation (kernel_table.h). Plain C with no
// library calls: it is built for the host and for the freestanding guest.
#include "bench/accuracy/kernel_table.h"

#include <stddef.h>

// SplitMix64 (Steele, Lea, Flood, "Fast splittable pseudorandom number
// generators", OOPSLA 2014): one fixed seed per kernel.
static uint64_t next_random(uint64_t* state) {
  uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

static void fill_zero(uint8_t* p, uint64_t bytes) {
  for (uint64_t i = 0; i < bytes; i += 8) *(volatile uint64_t*)(p + i) = 0;
}

static void fill_random(uint8_t* p, uint64_t bytes, uint64_t seed) {
  for (uint64_t i = 0; i < bytes; i += 8) *(uint64_t*)(p + i) = next_random(&seed);
}

// Where node `i` of a chase list lives: one node per `stride` bytes, at a
// line within the stride that varies with i so nodes spread over cache sets.
// The line also varies with i / 16: otherwise, with 4 KiB strides over
// physically contiguous pages (as in the guest), a 1024-set cache such as
// Zen 5's L2 would see only 64 of its sets, one per value of i % 64, and
// miss where the host, whose pages are scattered, hits.
struct node_layout {
  uint64_t count;
  uint64_t stride;
};

static uint64_t* node_at(uint8_t* base, struct node_layout layout, uint64_t i) {
  uint64_t lines = layout.stride / 64;
  return (uint64_t*)(base + i * layout.stride + ((i * 37 + i / 16) % lines) * 64);
}

// Links the nodes into one random cycle (Sattolo's algorithm, which yields
// a uniformly random cyclic permutation) and returns node 0, the start.
// Each node first holds its successor's index, then its address.
static void* make_chase(uint8_t* base, struct node_layout layout, uint64_t seed) {
  for (uint64_t i = 0; i < layout.count; ++i) *node_at(base, layout, i) = i;
  for (uint64_t i = layout.count - 1; i > 0; --i) {
    uint64_t j = next_random(&seed) % i;
    uint64_t* a = node_at(base, layout, i);
    uint64_t* b = node_at(base, layout, j);
    uint64_t t = *a;
    *a = *b;
    *b = t;
  }
  for (uint64_t i = 0; i < layout.count; ++i) {
    uint64_t* node = node_at(base, layout, i);
    *node = (uint64_t)node_at(base, layout, *node);
  }
  return node_at(base, layout, 0);
}

static void* prepare_none(const struct accuracy_memory* m) {
  fill_zero(m->work, 4096);
  return m->work;
}

static void* prepare_chase_16k(const struct accuracy_memory* m) {
  return make_chase(m->work, (struct node_layout){16 << 10 >> 6, 64}, 1);
}

static void* prepare_chase_128k(const struct accuracy_memory* m) {
  return make_chase(m->work, (struct node_layout){128 << 10 >> 6, 64}, 2);
}

static void* prepare_chase_4m(const struct accuracy_memory* m) {
  return make_chase(m->work, (struct node_layout){4 << 20 >> 6, 64}, 3);
}

// 1 Mi nodes, one per 256 bytes of the 256 MiB region.
static void* prepare_chase_256m(const struct accuracy_memory* m) {
  return make_chase(m->huge, (struct node_layout){kAccuracyHugeBytes / 256, 256}, 4);
}

// One node per 4 KiB page over 2048 pages (8 MiB): beyond the first-level
// DTLB, within the second level.
static void* prepare_chase_4k_pages_stlb(const struct accuracy_memory* m) {
  return make_chase(m->small_pages, (struct node_layout){2048, 4096}, 5);
}

// One node per 4 KiB page over the 32768 pages (128 MiB) after those:
// beyond every TLB level, so most loads walk.
static void* prepare_chase_4k_pages_walk(const struct accuracy_memory* m) {
  return make_chase(m->small_pages + (8 << 20), (struct node_layout){32768, 4096}, 6);
}

// One node per 2 MiB page over 128 pages: 128 lines (L2-resident) behind
// first-level DTLB misses.
static void* prepare_chase_2m_pages(const struct accuracy_memory* m) {
  return make_chase(m->huge, (struct node_layout){kAccuracyHugeBytes >> 21, 2 << 20}, 7);
}

// 4 KiB of bytes whose nonzero pattern repeats every 4 (1, 2, 0, 3).
static void* prepare_branch_pattern(const struct accuracy_memory* m) {
  static const uint8_t kPattern[4] = {1, 2, 0, 3};
  for (int i = 0; i < 4096; ++i) m->work[i] = kPattern[i % 4];
  return m->work;
}

// 4 KiB of bytes, each 0 or 1..3 with probability one half.
static void* prepare_branch_random(const struct accuracy_memory* m) {
  uint64_t seed = 8;
  for (int i = 0; i < 4096; ++i) {
    uint64_t r = next_random(&seed);
    m->work[i] = (r & 1) ? (uint8_t)(1 + (r >> 1) % 3) : 0;
  }
  return m->work;
}

// 4 KiB of jump-table cases 0..3 in order.
static void* prepare_indirect_pattern(const struct accuracy_memory* m) {
  for (int i = 0; i < 4096; ++i) m->work[i] = (uint8_t)(i % 4);
  return m->work;
}

// 4 KiB of uniformly random jump-table cases.
static void* prepare_indirect_random(const struct accuracy_memory* m) {
  uint64_t seed = 9;
  for (int i = 0; i < 4096; ++i) m->work[i] = (uint8_t)(next_random(&seed) & 3);
  return m->work;
}

// Random source bytes, zeroed destination (buffer + 8 KiB).
static void* prepare_copy(const struct accuracy_memory* m) {
  fill_random(m->work, 8192, 10);
  fill_zero(m->work + 8192, 8192);
  return m->work;
}

// The CRC-32 table (reflected polynomial 0xEDB88320, IEEE 802.3) and 4 KiB
// of random data after it.
static void* prepare_crc_table(const struct accuracy_memory* m) {
  uint32_t* table = (uint32_t*)m->work;
  for (uint32_t n = 0; n < 256; ++n) {
    uint32_t c = n;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    table[n] = c;
  }
  fill_random(m->work + 1024, 4096, 11);
  return m->work;
}

// 32 random words to sort.
static void* prepare_insertion_sort(const struct accuracy_memory* m) {
  fill_random(m->work, 32 * 8, 12);
  fill_zero(m->work + 256, 32 * 8);
  return m->work;
}

// 512 random keys in 1024 slots (linear probing, the kernel's hash), and
// 1024 lookups of them in random order.
static void* prepare_hash_lookup(const struct accuracy_memory* m) {
  enum { kSlots = 1024, kKeys = 512, kLookups = 1024 };
  uint64_t* slots = (uint64_t*)m->work;
  uint64_t* lookups = (uint64_t*)(m->work + kSlots * 16);
  uint64_t keys[kKeys];
  uint64_t seed = 13;
  fill_zero(m->work, kSlots * 16);
  for (int k = 0; k < kKeys; ++k) {
    uint64_t key;
    uint64_t h;
    do {  // nonzero (0 marks a free slot) and not already present
      key = next_random(&seed) | 1;
      h = key * 0x9E3779B97F4A7C15ull >> 54;
      while (slots[h * 2] != 0 && slots[h * 2] != key) h = (h + 1) % kSlots;
    } while (slots[h * 2] == key);
    slots[h * 2] = key;
    slots[h * 2 + 1] = (uint64_t)k;
    keys[k] = key;
  }
  for (int i = 0; i < kLookups; ++i) lookups[i] = keys[next_random(&seed) % kKeys];
  return m->work;
}

// The kernels in kernels.S.
#define DECLARE(name) uint64_t kernel_##name(uint64_t iterations, void* buffer);
DECLARE(add_chain)
DECLARE(imul_chain)
DECLARE(div_chain)
DECLARE(div32_chain)
DECLARE(div_small_chain)
DECLARE(div_wide_chain)
DECLARE(shift_chain)
DECLARE(shift_cl_chain)
DECLARE(lea_simple_chain)
DECLARE(lea_complex_chain)
DECLARE(mov_chain)
DECLARE(cmov_chain)
DECLARE(add_indep)
DECLARE(imul_indep)
DECLARE(alu_mix)
DECLARE(chase_16k)
DECLARE(chase_128k)
DECLARE(chase_4m)
DECLARE(chase_256m)
DECLARE(chase_4k_pages_stlb)
DECLARE(chase_4k_pages_walk)
DECLARE(chase_2m_pages)
DECLARE(load_scaled_chain)
DECLARE(load_indep)
DECLARE(store_indep)
DECLARE(store_forward)
DECLARE(rmw_chain)
DECLARE(push_pop)
DECLARE(branch_pattern)
DECLARE(branch_random)
DECLARE(branch_xorshift)
DECLARE(call_ret)
DECLARE(indirect_pattern)
DECLARE(indirect_random)
DECLARE(rep_movsb_64)
DECLARE(rep_movsb_4k)
DECLARE(rep_stosb_64)
DECLARE(rep_stosb_4k)
DECLARE(paddq_chain)
DECLARE(pmuludq_chain)
DECLARE(paddq_indep)
DECLARE(pmuludq_indep)
DECLARE(memcpy_loop)
DECLARE(vload_indep)
DECLARE(vstore_indep)
DECLARE(crc_table)
DECLARE(insertion_sort)
DECLARE(hash_lookup)
#undef DECLARE

#define ENTRY(name, iterations, prepare) {#name, kernel_##name, iterations, prepare}

const struct accuracy_kernel kAccuracyKernels[] = {
    ENTRY(add_chain, 50000, prepare_none),
    ENTRY(imul_chain, 50000, prepare_none),
    ENTRY(div_chain, 50000, prepare_none),
    ENTRY(div32_chain, 50000, prepare_none),
    ENTRY(div_small_chain, 50000, prepare_none),
    ENTRY(div_wide_chain, 50000, prepare_none),
    ENTRY(shift_chain, 50000, prepare_none),
    ENTRY(shift_cl_chain, 50000, prepare_none),
    ENTRY(lea_simple_chain, 50000, prepare_none),
    ENTRY(lea_complex_chain, 50000, prepare_none),
    ENTRY(mov_chain, 50000, prepare_none),
    ENTRY(cmov_chain, 50000, prepare_none),
    ENTRY(add_indep, 50000, prepare_none),
    ENTRY(imul_indep, 50000, prepare_none),
    ENTRY(alu_mix, 50000, prepare_none),
    ENTRY(chase_16k, 100000, prepare_chase_16k),
    ENTRY(chase_128k, 100000, prepare_chase_128k),
    ENTRY(chase_4m, 200000, prepare_chase_4m),
    ENTRY(chase_256m, 100000, prepare_chase_256m),
    ENTRY(chase_4k_pages_stlb, 100000, prepare_chase_4k_pages_stlb),
    ENTRY(chase_4k_pages_walk, 100000, prepare_chase_4k_pages_walk),
    ENTRY(chase_2m_pages, 100000, prepare_chase_2m_pages),
    ENTRY(load_scaled_chain, 50000, prepare_none),
    ENTRY(load_indep, 50000, prepare_none),
    ENTRY(store_indep, 50000, prepare_none),
    ENTRY(store_forward, 50000, prepare_none),
    ENTRY(rmw_chain, 50000, prepare_none),
    ENTRY(push_pop, 50000, prepare_none),
    ENTRY(branch_pattern, 100000, prepare_branch_pattern),
    ENTRY(branch_random, 100000, prepare_branch_random),
    ENTRY(branch_xorshift, 100000, prepare_none),
    ENTRY(call_ret, 50000, prepare_none),
    ENTRY(indirect_pattern, 100000, prepare_indirect_pattern),
    ENTRY(indirect_random, 100000, prepare_indirect_random),
    ENTRY(rep_movsb_64, 50000, prepare_copy),
    ENTRY(rep_movsb_4k, 10000, prepare_copy),
    ENTRY(rep_stosb_64, 50000, prepare_copy),
    ENTRY(rep_stosb_4k, 10000, prepare_copy),
    ENTRY(paddq_chain, 50000, prepare_none),
    ENTRY(pmuludq_chain, 50000, prepare_none),
    ENTRY(paddq_indep, 50000, prepare_none),
    ENTRY(pmuludq_indep, 50000, prepare_none),
    ENTRY(memcpy_loop, 50000, prepare_copy),
    ENTRY(vload_indep, 50000, prepare_none),
    ENTRY(vstore_indep, 50000, prepare_none),
    ENTRY(crc_table, 50000, prepare_crc_table),
    ENTRY(insertion_sort, 2000, prepare_insertion_sort),
    ENTRY(hash_lookup, 100000, prepare_hash_lookup),
};

#undef ENTRY

const int kAccuracyKernelCount = sizeof(kAccuracyKernels) / sizeof(kAccuracyKernels[0]);
