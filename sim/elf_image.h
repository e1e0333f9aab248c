// The parts of an ELF32/ELF64 executable a boot loader needs: the loadable
// segments and the entry point (System V gABI, "Program Header").
#ifndef X64SIM_SIM_ELF_IMAGE_H_
#define X64SIM_SIM_ELF_IMAGE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace x64sim {

struct ElfSegment {
  uint64_t paddr;
  uint64_t vaddr;
  uint64_t file_offset;
  uint64_t file_size;
  uint64_t mem_size;
};

struct ElfImage {
  bool is_64 = false;
  uint16_t machine = 0;
  uint64_t entry = 0;
  std::vector<ElfSegment> segments;  // PT_LOAD only, validated against the file size
};

// Parses and validates the headers of `bytes`. Errors name what is wrong.
absl::StatusOr<ElfImage> ParseElf(const std::vector<uint8_t>& bytes);

}  // namespace x64sim

#endif  // X64SIM_SIM_ELF_IMAGE_H_
