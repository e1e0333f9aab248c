#include "guest/demo/compute/workloads.h"

enum { kCopyWords = 1024 };

static uint64_t source[kCopyWords];
static uint64_t destination[kCopyWords + 8];

static void copy_words(uint64_t* dest, const uint64_t* src, size_t n) {
  for (size_t i = 0; i < n; ++i) dest[i] = src[i];
}

static void copy_bytes(uint8_t* dest, const uint8_t* src, size_t n) {
  for (size_t i = 0; i < n; ++i) dest[i] = src[i];
}

// Copies from the end so that an overlapping destination above the source
// is handled, as memmove does.
static void copy_bytes_backward(uint8_t* dest, const uint8_t* src, size_t n) {
  for (size_t i = n; i > 0; --i) dest[i - 1] = src[i - 1];
}

static uint64_t sum_words(const uint64_t* a, size_t n) {
  uint64_t sum = 0;
  for (size_t i = 0; i < n; ++i) sum += a[i] ^ (sum >> 7);
  return sum;
}

uint64_t run_copies(uint64_t seed) {
  uint64_t state = seed;
  for (size_t i = 0; i < kCopyWords; ++i) source[i] = lcg_next(&state);
  copy_words(destination, source, kCopyWords);
  uint64_t sum = sum_words(destination, kCopyWords);
  // Byte copy at an odd offset, then shift it back up by 3 bytes in place.
  uint8_t* bytes = (uint8_t*)destination;
  copy_bytes(bytes + 5, (const uint8_t*)source, kCopyWords * 8);
  copy_bytes_backward(bytes + 8, bytes + 5, kCopyWords * 8);
  if (destination[1] != source[0] || destination[kCopyWords] != source[kCopyWords - 1]) return 0;
  return sum + sum_words(destination + 1, kCopyWords);
}
