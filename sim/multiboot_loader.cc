#include "sim/multiboot_loader.h"

#include <algorithm>
#include <cstring>

#include "absl/strings/str_format.h"
#include "sim/elf_image.h"

namespace x64sim {
namespace {

constexpr uint32_t kHeaderSearchBytes = 8192;
constexpr uint32_t kFlagAoutKludge = 1u << 16;
// Spec 3.1.2: bits 0-15 are requirements a loader must refuse if it cannot
// meet them. x64sim aligns modules (bit 0) and gives the memory map (bit 1);
// it has no video mode table (bit 2), and bits 3-15 mean nothing yet.
constexpr uint32_t kFlagsUnmet = 0xfffc;
// Information-structure flags (spec 3.3).
constexpr uint32_t kInfoMemory = 1u << 0;
constexpr uint32_t kInfoCmdline = 1u << 2;
constexpr uint32_t kInfoModules = 1u << 3;
constexpr uint32_t kInfoMmap = 1u << 6;
constexpr uint32_t kInfoLoaderName = 1u << 9;
constexpr uint32_t kInfoSize = 88;

uint64_t AlignUp(uint64_t v, uint64_t a) { return (v + a - 1) & ~(a - 1); }

struct Header {
  uint32_t flags;
  uint32_t header_addr, load_addr, load_end_addr, bss_end_addr, entry_addr;
  uint32_t offset;  // of the header in the file
};

absl::StatusOr<Header> FindHeader(const std::vector<uint8_t>& k) {
  uint32_t limit = static_cast<uint32_t>(std::min<size_t>(k.size(), kHeaderSearchBytes));
  for (uint32_t off = 0; off + 12 <= limit; off += 4) {
    uint32_t w[3];
    std::memcpy(w, k.data() + off, 12);
    if (w[0] != kMultibootHeaderMagic) continue;
    if (w[0] + w[1] + w[2] != 0) {
      return absl::InvalidArgumentError(
          absl::StrFormat("multiboot header at offset %#x has a bad checksum", off));
    }
    if (w[1] & kFlagsUnmet) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "multiboot header at offset %#x requires what x64sim cannot provide (flags %#x; "
          "only bits 0, 1 and 16 are supported)", off, w[1]));
    }
    Header h{};
    h.flags = w[1];
    h.offset = off;
    if (h.flags & kFlagAoutKludge) {
      if (off + 32 > k.size()) return absl::InvalidArgumentError("truncated multiboot header");
      uint32_t a[5];
      std::memcpy(a, k.data() + off + 12, 20);
      h.header_addr = a[0];
      h.load_addr = a[1];
      h.load_end_addr = a[2];
      h.bss_end_addr = a[3];
      h.entry_addr = a[4];
    }
    return h;
  }
  return absl::InvalidArgumentError("no multiboot header in the first 8 KiB of the image");
}

absl::Status CheckRange(const PhysicalMemory& memory, uint64_t start, uint64_t size,
                        const std::string& what) {
  if (start > memory.ram_size() || size > memory.ram_size() - start) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "%s [%#x, %#x) does not fit in %d MiB of RAM", what, start, start + size,
        memory.ram_size() >> 20));
  }
  return absl::OkStatus();
}

// Loads the image; returns the entry point and the end of the loaded kernel.
absl::StatusOr<std::pair<uint32_t, uint64_t>> LoadKernel(PhysicalMemory& memory,
                                                         const std::vector<uint8_t>& k,
                                                         const Header& h) {
  absl::StatusOr<ElfImage> elf = ParseElf(k);
  if (elf.ok()) {
    uint64_t end = 0;
    uint64_t entry = elf->entry;
    for (const ElfSegment& s : elf->segments) {
      absl::Status st = CheckRange(memory, s.paddr, s.mem_size, "kernel segment");
      if (!st.ok()) return st;
      memory.CopyIn(s.paddr, k.data() + s.file_offset, s.file_size);
      std::vector<uint8_t> zeros(s.mem_size - s.file_size, 0);
      memory.CopyIn(s.paddr + s.file_size, zeros.data(), zeros.size());
      end = std::max(end, s.paddr + s.mem_size);
      // An entry given as a virtual address is translated through its segment.
      if (elf->entry >= s.vaddr && elf->entry < s.vaddr + s.mem_size) {
        entry = elf->entry - s.vaddr + s.paddr;
      }
    }
    if (entry >> 32) return absl::InvalidArgumentError(absl::StrFormat("entry point %#x is above 4 GiB", entry));
    return std::make_pair(static_cast<uint32_t>(entry), end);
  }
  if (!(h.flags & kFlagAoutKludge)) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "image is not a valid ELF (%s) and its multiboot header has no address fields",
        elf.status().message()));
  }
  // Spec 3.1.3: the file from header_addr - (offset) is loaded at load_addr.
  if (h.header_addr < h.load_addr) return absl::InvalidArgumentError("header_addr below load_addr");
  uint64_t file_start = h.offset - (h.header_addr - h.load_addr);
  if (file_start > k.size()) return absl::InvalidArgumentError("load_addr precedes the file");
  uint64_t load_end = h.load_end_addr ? h.load_end_addr : h.load_addr + (k.size() - file_start);
  if (load_end < h.load_addr || load_end - h.load_addr > k.size() - file_start) {
    return absl::InvalidArgumentError("load_end_addr past the end of the file");
  }
  uint64_t bss_end = std::max<uint64_t>(h.bss_end_addr, load_end);
  absl::Status st = CheckRange(memory, h.load_addr, bss_end - h.load_addr, "kernel image");
  if (!st.ok()) return st;
  memory.CopyIn(h.load_addr, k.data() + file_start, load_end - h.load_addr);
  std::vector<uint8_t> zeros(bss_end - load_end, 0);
  memory.CopyIn(load_end, zeros.data(), zeros.size());
  return std::make_pair(h.entry_addr, bss_end);
}

// The memory map QEMU's pc machine reports (e820), so guests see the same
// map on both.
std::vector<std::array<uint64_t, 3>> PcMemoryMap(uint64_t ram) {
  return {
      {0x0, 0x9fc00, 1},
      {0x9fc00, 0x400, 2},
      {0xf0000, 0x10000, 2},
      {0x100000, ram - 0x20000 - 0x100000, 1},
      {ram - 0x20000, 0x20000, 2},
      {0xfffc0000, 0x40000, 2},
  };
}

}  // namespace

absl::StatusOr<BootImage> LoadMultiboot(PhysicalMemory& memory, const std::vector<uint8_t>& kernel,
                                        const std::string& cmdline,
                                        const std::vector<BootModule>& modules) {
  if (memory.ram_size() < (2u << 20) || memory.ram_size() > (3ull << 30)) {
    return absl::InvalidArgumentError("RAM must be between 2 MiB and 3 GiB");
  }
  absl::StatusOr<Header> header = FindHeader(kernel);
  if (!header.ok()) return header.status();
  auto loaded = LoadKernel(memory, kernel, *header);
  if (!loaded.ok()) return loaded.status();

  BootImage boot;
  boot.entry = loaded->first;
  boot.kernel_end = loaded->second;
  uint64_t next = AlignUp(boot.kernel_end, kPageSize);
  for (size_t i = 0; i < modules.size(); ++i) {
    const BootModule& m = modules[i];
    absl::Status st = CheckRange(memory, next, m.bytes.size(), absl::StrFormat("module %d", i));
    if (!st.ok()) return st;
    memory.CopyIn(next, m.bytes.data(), m.bytes.size());
    boot.module_ranges.push_back({next, next + m.bytes.size()});
    next = AlignUp(next + m.bytes.size(), kPageSize);
  }

  // Information structure, memory map, module list and strings, in one block.
  const auto mmap = PcMemoryMap(memory.ram_size());
  std::vector<uint8_t> block(kInfoSize, 0);
  auto put32 = [&](size_t off, uint32_t v) { std::memcpy(block.data() + off, &v, 4); };
  auto append = [&](const void* p, size_t n) {
    size_t off = block.size();
    block.insert(block.end(), static_cast<const uint8_t*>(p), static_cast<const uint8_t*>(p) + n);
    return static_cast<uint32_t>(next + off);
  };
  auto append_string = [&](const std::string& s) { return append(s.c_str(), s.size() + 1); };

  uint32_t flags = kInfoMemory | kInfoCmdline | kInfoModules | kInfoMmap | kInfoLoaderName;
  put32(0, flags);
  put32(4, 639);  // mem_lower: KiB below the EBDA at 0x9fc00
  put32(8, static_cast<uint32_t>((memory.ram_size() - 0x20000 - 0x100000) >> 10));
  put32(12, 0xffffffff);  // boot_device: none
  uint32_t mmap_addr = static_cast<uint32_t>(next + block.size());
  for (const auto& e : mmap) {
    uint8_t entry[24];
    uint32_t size = 20;
    uint32_t type = static_cast<uint32_t>(e[2]);
    std::memcpy(entry, &size, 4);
    std::memcpy(entry + 4, &e[0], 8);
    std::memcpy(entry + 12, &e[1], 8);
    std::memcpy(entry + 20, &type, 4);
    append(entry, sizeof(entry));
  }
  put32(44, static_cast<uint32_t>(mmap.size() * 24));
  put32(48, mmap_addr);
  std::vector<uint32_t> module_strings;
  for (const BootModule& m : modules) module_strings.push_back(append_string(m.cmdline));
  uint32_t mods_addr = static_cast<uint32_t>(next + block.size());
  for (size_t i = 0; i < modules.size(); ++i) {
    uint32_t entry[4] = {static_cast<uint32_t>(boot.module_ranges[i].first),
                         static_cast<uint32_t>(boot.module_ranges[i].second), module_strings[i], 0};
    append(entry, sizeof(entry));
  }
  put32(20, static_cast<uint32_t>(modules.size()));
  put32(24, mods_addr);
  put32(16, append_string(cmdline));
  put32(64, append_string("x64sim"));
  absl::Status st = CheckRange(memory, next, block.size(), "multiboot information");
  if (!st.ok()) return st;
  memory.CopyIn(next, block.data(), block.size());
  boot.info_addr = static_cast<uint32_t>(next);
  return boot;
}

}  // namespace x64sim
