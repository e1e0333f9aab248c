// Guest physical address space: RAM as one host allocation plus MMIO windows.
#ifndef X64SIM_MMU_PHYSICAL_MEMORY_H_
#define X64SIM_MMU_PHYSICAL_MEMORY_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "checkpoint/state_archive.h"

namespace x64sim {

// A device mapped into physical memory. Accesses are 1, 2, 4 or 8 bytes and
// never cross the device's window.
class MmioDevice {
 public:
  virtual ~MmioDevice() = default;
  virtual uint64_t MmioRead(uint64_t offset, int size) = 0;
  virtual void MmioWrite(uint64_t offset, int size, uint64_t value) = 0;
};

inline constexpr uint64_t kPageSize = 4096;
inline constexpr int kPageShift = 12;

class PhysicalMemory {
 public:
  // RAM is mapped from the host lazily (zero pages on first touch), so a
  // large guest RAM costs nothing until the guest uses it; ram_size() is 0
  // if the host refused the mapping.
  explicit PhysicalMemory(uint64_t ram_bytes);

  uint64_t ram_size() const { return ram_size_; }

  // Host pointer to RAM at `paddr`, valid to the end of its 4 KiB page, or
  // nullptr when `paddr` is not RAM (MMIO or unbacked).
  uint8_t* RamPointer(uint64_t paddr) {
    return paddr < ram_size_ ? ram_.get() + paddr : nullptr;
  }

  // Accesses that may hit MMIO or unbacked space. Unbacked reads return all
  // ones and unbacked writes are dropped, as on a PC bus. `size` is 1..8 and
  // the access does not cross a page.
  uint64_t Read(uint64_t paddr, int size);
  void Write(uint64_t paddr, int size, uint64_t value);

  // Byte copies for loaders and tests; return false if any byte is not RAM.
  bool CopyIn(uint64_t paddr, const void* src, size_t n);
  bool CopyOut(uint64_t paddr, void* dst, size_t n) const;

  void MapMmio(uint64_t base, uint64_t size, MmioDevice* device);

  // RAM's contents as the pages that are not all zero, by page number.
  // Loading expects a fresh RAM of the same size (all zero).
  void SerializeRam(StateArchive& ar);

  // Pages that hold decoded code. The CPU marks them when it decodes and
  // must see every later write to them, so it never gives the fast path a
  // writable pointer into a marked page.
  bool IsCodePage(uint64_t paddr) const {
    uint64_t page = paddr >> kPageShift;
    return page < code_pages_.size() && code_pages_[page];
  }
  void SetCodePage(uint64_t paddr, bool is_code) {
    uint64_t page = paddr >> kPageShift;
    if (page < code_pages_.size()) code_pages_[page] = is_code;
  }

 private:
  struct MmioWindow {
    uint64_t base;
    uint64_t size;
    MmioDevice* device;
  };
  MmioDevice* FindMmio(uint64_t paddr, uint64_t* offset) const;

  struct Unmapper {
    uint64_t bytes;
    void operator()(uint8_t* p) const;
  };
  uint64_t ram_size_;  // 0 if the host could not map the RAM
  std::unique_ptr<uint8_t, Unmapper> ram_;
  std::vector<uint8_t> code_pages_;
  std::vector<MmioWindow> mmio_;
};

}  // namespace x64sim

#endif  // X64SIM_MMU_PHYSICAL_MEMORY_H_
