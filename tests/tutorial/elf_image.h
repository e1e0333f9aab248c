// What the golden tests need to know about a root server's ELF64 file: its
// symbols, its loaded segments and the bytes at a virtual address.
#ifndef TESTS_TUTORIAL_ELF_IMAGE_H_
#define TESTS_TUTORIAL_ELF_IMAGE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace x64sim::testing {

struct ElfSymbol {
  std::string name;
  uint64_t address = 0;
  uint64_t size = 0;
};

class ElfImage {
 public:
  static absl::StatusOr<ElfImage> Load(const std::string& path);

  std::optional<ElfSymbol> FindSymbol(const std::string& name) const;
  // The function whose [address, address + size) holds `address`.
  std::optional<ElfSymbol> FunctionContaining(uint64_t address) const;
  // Up to `length` file-backed bytes at `address` (fewer at a segment end).
  std::vector<uint8_t> BytesAt(uint64_t address, size_t length) const;
  // Whether a loaded segment (rounded out to 4 KiB pages, as the kernel
  // maps it) covers `address`.
  bool IsMapped(uint64_t address) const;

 private:
  struct Segment {
    uint64_t address;
    uint64_t file_size;
    uint64_t memory_size;
    uint64_t file_offset;
  };

  std::vector<uint8_t> file_;
  std::vector<Segment> segments_;
  std::vector<ElfSymbol> symbols_;
  std::vector<ElfSymbol> functions_;
};

}  // namespace x64sim::testing

#endif  // TESTS_TUTORIAL_ELF_IMAGE_H_
