#include "mmu/physical_memory.h"

#include <cstring>

namespace x64sim {

PhysicalMemory::PhysicalMemory(uint64_t ram_bytes)
    : ram_size_(ram_bytes),
      ram_(static_cast<uint8_t*>(std::calloc(ram_bytes, 1))),
      code_pages_(ram_bytes >> kPageShift, 0) {}

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

}  // namespace x64sim
