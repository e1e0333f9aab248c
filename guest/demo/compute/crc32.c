#include "guest/demo/compute/workloads.h"

enum { kCrcBufferBytes = 4096 };

static uint32_t crc_table[256];
static uint8_t crc_buffer[kCrcBufferBytes];

void crc32_init(void) {
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int bit = 0; bit < 8; ++bit) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    crc_table[i] = c;
  }
}

uint32_t crc32(const uint8_t* data, size_t length) {
  uint32_t crc = 0xFFFFFFFFu;
  for (size_t i = 0; i < length; ++i) crc = crc_table[(crc ^ data[i]) & 0xFF] ^ (crc >> 8);
  return ~crc;
}

uint32_t run_crc32(uint64_t seed) {
  uint64_t state = seed;
  for (size_t i = 0; i < kCrcBufferBytes; i += 8) {
    uint64_t word = lcg_next(&state);
    for (int b = 0; b < 8; ++b) crc_buffer[i + b] = (uint8_t)(word >> (56 - 8 * b));
  }
  return crc32(crc_buffer, kCrcBufferBytes);
}
