// Multiboot 1 boot loader (Multiboot Specification 0.6.96): loads a kernel
// image and its modules into guest RAM and builds the information structure.
#ifndef X64SIM_SIM_MULTIBOOT_LOADER_H_
#define X64SIM_SIM_MULTIBOOT_LOADER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "mmu/physical_memory.h"

namespace x64sim {

struct BootModule {
  std::vector<uint8_t> bytes;
  std::string cmdline;
};

struct BootImage {
  uint32_t entry = 0;      // physical address of the first instruction
  uint32_t info_addr = 0;  // physical address of the multiboot information
  uint64_t kernel_end = 0;
  std::vector<std::pair<uint64_t, uint64_t>> module_ranges;  // [start, end)
};

inline constexpr uint32_t kMultibootHeaderMagic = 0x1badb002;
inline constexpr uint32_t kMultibootBootloaderMagic = 0x2badb002;

absl::StatusOr<BootImage> LoadMultiboot(PhysicalMemory& memory, const std::vector<uint8_t>& kernel,
                                        const std::string& cmdline,
                                        const std::vector<BootModule>& modules);

}  // namespace x64sim

#endif  // X64SIM_SIM_MULTIBOOT_LOADER_H_
