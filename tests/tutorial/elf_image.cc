#include "tests/tutorial/elf_image.h"

#include <elf.h>

#include <cstring>
#include <fstream>
#include <iterator>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace x64sim::testing {
namespace {

constexpr uint64_t kPageSize = 4096;

template <typename T>
bool ReadAt(const std::vector<uint8_t>& file, uint64_t offset, T* out) {
  if (offset > file.size() || file.size() - offset < sizeof(T)) return false;
  std::memcpy(out, file.data() + offset, sizeof(T));
  return true;
}

}  // namespace

absl::StatusOr<ElfImage> ElfImage::Load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open ", path));
  ElfImage image;
  image.file_.assign(std::istreambuf_iterator<char>(in),
                     std::istreambuf_iterator<char>());
  const std::vector<uint8_t>& file = image.file_;

  Elf64_Ehdr header;
  if (!ReadAt(file, 0, &header) || std::memcmp(header.e_ident, ELFMAG, SELFMAG) != 0 ||
      header.e_ident[EI_CLASS] != ELFCLASS64) {
    return absl::InvalidArgumentError(absl::StrCat(path, " is not ELF64"));
  }
  for (int i = 0; i < header.e_phnum; ++i) {
    Elf64_Phdr phdr;
    if (!ReadAt(file, header.e_phoff + uint64_t{header.e_phentsize} * i, &phdr)) {
      return absl::InvalidArgumentError("truncated program headers");
    }
    if (phdr.p_type != PT_LOAD) continue;
    image.segments_.push_back(
        {phdr.p_vaddr, phdr.p_filesz, phdr.p_memsz, phdr.p_offset});
  }
  for (int i = 0; i < header.e_shnum; ++i) {
    Elf64_Shdr symtab;
    if (!ReadAt(file, header.e_shoff + uint64_t{header.e_shentsize} * i, &symtab)) {
      return absl::InvalidArgumentError("truncated section headers");
    }
    if (symtab.sh_type != SHT_SYMTAB) continue;
    Elf64_Shdr strtab;
    if (!ReadAt(file, header.e_shoff + uint64_t{header.e_shentsize} * symtab.sh_link,
                &strtab)) {
      return absl::InvalidArgumentError("bad symbol string table");
    }
    for (uint64_t offset = 0; offset + sizeof(Elf64_Sym) <= symtab.sh_size;
         offset += sizeof(Elf64_Sym)) {
      Elf64_Sym sym;
      if (!ReadAt(file, symtab.sh_offset + offset, &sym)) break;
      uint64_t name_offset = strtab.sh_offset + sym.st_name;
      if (name_offset >= file.size()) continue;
      const char* name = reinterpret_cast<const char*>(file.data() + name_offset);
      ElfSymbol symbol{std::string(name, strnlen(name, file.size() - name_offset)),
                       sym.st_value, sym.st_size};
      if (symbol.name.empty()) continue;
      if (ELF64_ST_TYPE(sym.st_info) == STT_FUNC) image.functions_.push_back(symbol);
      image.symbols_.push_back(std::move(symbol));
    }
  }
  if (image.symbols_.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(path, " has no symbol table"));
  }
  return image;
}

std::optional<ElfSymbol> ElfImage::FindSymbol(const std::string& name) const {
  for (const ElfSymbol& symbol : symbols_) {
    if (symbol.name == name) return symbol;
  }
  return std::nullopt;
}

std::optional<ElfSymbol> ElfImage::FunctionContaining(uint64_t address) const {
  for (const ElfSymbol& function : functions_) {
    if (address >= function.address && address - function.address < function.size) {
      return function;
    }
  }
  return std::nullopt;
}

std::vector<uint8_t> ElfImage::BytesAt(uint64_t address, size_t length) const {
  for (const Segment& segment : segments_) {
    if (address < segment.address || address - segment.address >= segment.file_size) {
      continue;
    }
    uint64_t offset = address - segment.address;
    size_t available = static_cast<size_t>(segment.file_size - offset);
    size_t count = length < available ? length : available;
    const uint8_t* start = file_.data() + segment.file_offset + offset;
    return std::vector<uint8_t>(start, start + count);
  }
  return {};
}

bool ElfImage::IsMapped(uint64_t address) const {
  for (const Segment& segment : segments_) {
    uint64_t first = segment.address & ~(kPageSize - 1);
    uint64_t end = (segment.address + segment.memory_size + kPageSize - 1) &
                   ~(kPageSize - 1);
    if (address >= first && address < end) return true;
  }
  return false;
}

}  // namespace x64sim::testing
