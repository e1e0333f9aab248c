#include "guest/demo/compute/workloads.h"

enum {
  kSortElements = 1024,
  kInsertionSortLimit = 16,
};

static uint32_t values[kSortElements];

static void insertion_sort(uint32_t* a, int n) {
  for (int i = 1; i < n; ++i) {
    uint32_t v = a[i];
    int j = i - 1;
    while (j >= 0 && a[j] > v) {
      a[j + 1] = a[j];
      --j;
    }
    a[j + 1] = v;
  }
}

static void swap(uint32_t* a, uint32_t* b) {
  uint32_t t = *a;
  *a = *b;
  *b = t;
}

static uint32_t median_of_three(uint32_t* a, int n) {
  int mid = n / 2;
  if (a[mid] < a[0]) swap(&a[mid], &a[0]);
  if (a[n - 1] < a[0]) swap(&a[n - 1], &a[0]);
  if (a[n - 1] < a[mid]) swap(&a[n - 1], &a[mid]);
  return a[mid];
}

// Hoare partitioning; recurses into the smaller side to bound the depth.
static void quick_sort(uint32_t* a, int n) {
  while (n > kInsertionSortLimit) {
    uint32_t pivot = median_of_three(a, n);
    int i = -1;
    int j = n;
    for (;;) {
      do ++i; while (a[i] < pivot);
      do --j; while (a[j] > pivot);
      if (i >= j) break;
      swap(&a[i], &a[j]);
    }
    int left = j + 1;
    if (left < n - left) {
      quick_sort(a, left);
      a += left;
      n -= left;
    } else {
      quick_sort(a + left, n - left);
      n = left;
    }
  }
  insertion_sort(a, n);
}

uint64_t run_sort(uint64_t seed) {
  uint64_t state = seed;
  for (int i = 0; i < kSortElements; ++i) values[i] = (uint32_t)(lcg_next(&state) >> 32);
  quick_sort(values, kSortElements);
  uint64_t sum = 0;
  for (int i = 0; i < kSortElements; ++i) {
    if (i > 0 && values[i - 1] > values[i]) return 0;
    sum += (uint64_t)values[i] * (uint64_t)(i + 1);
  }
  return sum;
}
