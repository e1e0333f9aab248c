#include "sim/elf_image.h"

#include <cstring>

#include "absl/strings/str_format.h"

namespace x64sim {
namespace {

constexpr uint32_t kPtLoad = 1;
constexpr uint16_t kEmX86 = 3;
constexpr uint16_t kEmX86_64 = 62;

template <typename T>
bool ReadAt(const std::vector<uint8_t>& b, uint64_t offset, T* out) {
  if (offset > b.size() || sizeof(T) > b.size() - offset) return false;
  std::memcpy(out, b.data() + offset, sizeof(T));
  return true;
}

}  // namespace

absl::StatusOr<ElfImage> ParseElf(const std::vector<uint8_t>& b) {
  if (b.size() < 4 || std::memcmp(b.data(), "\x7f" "ELF", 4) != 0) {
    return absl::InvalidArgumentError("not an ELF file (bad magic)");
  }
  if (b.size() < 52) return absl::InvalidArgumentError("truncated ELF header");
  ElfImage img;
  uint8_t elf_class = b[4];
  if (elf_class != 1 && elf_class != 2) {
    return absl::InvalidArgumentError(absl::StrFormat("bad ELF class %d", elf_class));
  }
  if (b[5] != 1) return absl::InvalidArgumentError("ELF is not little-endian");
  img.is_64 = elf_class == 2;
  if (img.is_64 && b.size() < 64) return absl::InvalidArgumentError("truncated ELF64 header");
  uint64_t phoff = 0;
  uint16_t phentsize = 0, phnum = 0;
  ReadAt(b, 18, &img.machine);
  if (img.is_64) {
    ReadAt(b, 24, &img.entry);
    ReadAt(b, 32, &phoff);
    ReadAt(b, 54, &phentsize);
    ReadAt(b, 56, &phnum);
  } else {
    uint32_t entry32 = 0, phoff32 = 0;
    ReadAt(b, 24, &entry32);
    ReadAt(b, 28, &phoff32);
    ReadAt(b, 42, &phentsize);
    ReadAt(b, 44, &phnum);
    img.entry = entry32;
    phoff = phoff32;
  }
  if (img.machine != kEmX86 && img.machine != kEmX86_64) {
    return absl::InvalidArgumentError(absl::StrFormat("ELF machine %d is not x86", img.machine));
  }
  const uint16_t want = img.is_64 ? 56 : 32;
  if (phnum == 0) return absl::InvalidArgumentError("ELF has no program headers");
  if (phentsize != want) {
    return absl::InvalidArgumentError(absl::StrFormat("bad program header size %d", phentsize));
  }
  if (phoff > b.size() || uint64_t{phnum} * phentsize > b.size() - phoff) {
    return absl::InvalidArgumentError("truncated ELF: program headers past the end of the file");
  }
  for (int i = 0; i < phnum; ++i) {
    uint64_t h = phoff + static_cast<uint64_t>(i) * phentsize;
    uint32_t type = 0;
    ReadAt(b, h, &type);
    if (type != kPtLoad) continue;
    ElfSegment s{};
    if (img.is_64) {
      ReadAt(b, h + 8, &s.file_offset);
      ReadAt(b, h + 16, &s.vaddr);
      ReadAt(b, h + 24, &s.paddr);
      ReadAt(b, h + 32, &s.file_size);
      ReadAt(b, h + 40, &s.mem_size);
    } else {
      uint32_t off = 0, va = 0, pa = 0, fs = 0, ms = 0;
      ReadAt(b, h + 4, &off);
      ReadAt(b, h + 8, &va);
      ReadAt(b, h + 12, &pa);
      ReadAt(b, h + 16, &fs);
      ReadAt(b, h + 20, &ms);
      s = {pa, va, off, fs, ms};
    }
    if (s.file_size > s.mem_size) {
      return absl::InvalidArgumentError(absl::StrFormat("segment %d: file size exceeds memory size", i));
    }
    if (s.file_offset > b.size() || s.file_size > b.size() - s.file_offset) {
      return absl::InvalidArgumentError(
          absl::StrFormat("truncated ELF: segment %d extends past the end of the file", i));
    }
    if (s.paddr + s.mem_size < s.paddr) {
      return absl::InvalidArgumentError(absl::StrFormat("segment %d wraps the address space", i));
    }
    img.segments.push_back(s);
  }
  if (img.segments.empty()) return absl::InvalidArgumentError("ELF has no loadable segments");
  for (size_t i = 0; i < img.segments.size(); ++i) {
    for (size_t j = i + 1; j < img.segments.size(); ++j) {
      const ElfSegment& a = img.segments[i];
      const ElfSegment& c = img.segments[j];
      if (a.mem_size && c.mem_size && a.paddr < c.paddr + c.mem_size && c.paddr < a.paddr + a.mem_size) {
        return absl::InvalidArgumentError(absl::StrFormat(
            "segments overlap: [%#x, %#x) and [%#x, %#x)", a.paddr, a.paddr + a.mem_size, c.paddr,
            c.paddr + c.mem_size));
      }
    }
  }
  return img;
}

}  // namespace x64sim
