#include "mmu/physical_memory.h"

#include <sys/mman.h>

#include <cstring>

namespace x64sim {
namespace {

constexpr uint64_t kHugePage = 2ull << 20;

uint64_t MappedBytes(uint64_t ram_bytes) { return (ram_bytes + kPageSize - 1) & ~(kPageSize - 1); }

// Anonymous memory, 2 MiB-aligned so that a host whose policy gives
// transparent huge pages to every mapping can back it with them. x64sim
// does not ask for them itself (MADV_HUGEPAGE): on the virtual machines
// x64sim is developed on, a huge page's first touch cost up to five times
// a small one's, and sel4test ran 4 s faster without (docs/performance.md,
// "Guest RAM and host pages"). Returns nullptr on failure.
uint8_t* MapRam(uint64_t bytes) {
  if (bytes == 0) return nullptr;
  const uint64_t padded = bytes + kHugePage;
  void* p = mmap(nullptr, padded, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) return nullptr;
  const uint64_t start = reinterpret_cast<uint64_t>(p);
  const uint64_t aligned = (start + kHugePage - 1) & ~(kHugePage - 1);
  if (aligned > start) munmap(p, aligned - start);
  const uint64_t tail = start + padded - (aligned + bytes);
  if (tail > 0) munmap(reinterpret_cast<void*>(aligned + bytes), tail);
  return reinterpret_cast<uint8_t*>(aligned);
}

}  // namespace

void PhysicalMemory::Unmapper::operator()(uint8_t* p) const { munmap(p, bytes); }

PhysicalMemory::PhysicalMemory(uint64_t ram_bytes)
    : ram_(MapRam(MappedBytes(ram_bytes)), Unmapper{MappedBytes(ram_bytes)}) {
  ram_size_ = ram_ != nullptr ? ram_bytes : 0;
  code_pages_.assign((ram_size_ + kPageSize - 1) >> kPageShift, 0);
}

MmioDevice* PhysicalMemory::FindMmio(uint64_t paddr, uint64_t* offset) const {
  for (const MmioWindow& w : mmio_) {
    if (paddr - w.base < w.size) {
      *offset = paddr - w.base;
      return w.device;
    }
  }
  return nullptr;
}

uint64_t PhysicalMemory::Read(uint64_t paddr, int size) {
  if (uint8_t* p = RamPointer(paddr)) {
    uint64_t v = 0;
    std::memcpy(&v, p, size);
    return v;
  }
  uint64_t offset;
  if (MmioDevice* d = FindMmio(paddr, &offset)) return d->MmioRead(offset, size);
  return size == 8 ? ~0ull : (1ull << (8 * size)) - 1;
}

void PhysicalMemory::Write(uint64_t paddr, int size, uint64_t value) {
  if (uint8_t* p = RamPointer(paddr)) {
    std::memcpy(p, &value, size);
    return;
  }
  uint64_t offset;
  if (MmioDevice* d = FindMmio(paddr, &offset)) d->MmioWrite(offset, size, value);
}

bool PhysicalMemory::CopyIn(uint64_t paddr, const void* src, size_t n) {
  if (paddr > ram_size_ || n > ram_size_ - paddr) return false;
  if (n == 0) return true;  // src may be null
  std::memcpy(ram_.get() + paddr, src, n);
  return true;
}

bool PhysicalMemory::CopyOut(uint64_t paddr, void* dst, size_t n) const {
  if (paddr > ram_size_ || n > ram_size_ - paddr) return false;
  if (n == 0) return true;
  std::memcpy(dst, ram_.get() + paddr, n);
  return true;
}

void PhysicalMemory::MapMmio(uint64_t base, uint64_t size, MmioDevice* device) {
  mmio_.push_back({base, size, device});
}

void PhysicalMemory::SerializeRam(StateArchive& ar) {
  const uint64_t pages = ram_size_ / kPageSize;
  ar.Check(ram_size_ % kPageSize == 0, "RAM is not a whole number of pages");
  std::vector<uint64_t> used;
  if (ar.saving()) {
    static constexpr uint8_t kZero[kPageSize] = {};
    for (uint64_t page = 0; page < pages; ++page) {
      if (std::memcmp(ram_.get() + page * kPageSize, kZero, kPageSize) != 0) used.push_back(page);
    }
  }
  ar.Sized(used, pages, "RAM page list");
  uint64_t next = 0;  // pages are listed in increasing order
  for (uint64_t page : used) {
    if (!ar.Check(page >= next && page < pages, "RAM page number out of order or range")) return;
    ar.Bytes(ram_.get() + page * kPageSize, kPageSize);
    next = page + 1;
  }
}

}  // namespace x64sim
