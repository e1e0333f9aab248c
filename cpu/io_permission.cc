#include "cpu/io_permission.h"

#include "cpu/descriptors.h"
#include "cpu/vm86.h"

namespace x64sim {
namespace {

constexpr uint32_t kIoMapBaseOffset = 0x66;  // in 32-bit and 64-bit TSSs alike

// The bitmap check itself (SDM vol. 1 18.5.2). The processor reads the two
// bytes holding the port's first bit; either one beyond the TSS limit makes
// the access fault, as if its bits were set. A 16-bit TSS has no bitmap.
enum class Bitmap : uint8_t { kAllows, kDenies, kReadFaulted };

Bitmap CheckBitmap(Cpu& cpu, uint16_t port, int size) {
  const Segment& tr = cpu.state.tr;
  const int type = tr.attributes & 0xf;
  if ((tr.selector & ~3u) == 0 || (type != kTypeTssAvailable && type != kTypeTssBusy)) return Bitmap::kDenies;
  if (tr.limit < kIoMapBaseOffset + 1) return Bitmap::kDenies;
  uint16_t map_base;
  if (!cpu.ReadSupervisor(tr.base + kIoMapBaseOffset, &map_base, 2)) return Bitmap::kReadFaulted;
  const uint32_t at = uint32_t{map_base} + port / 8;
  if (at + 1 > tr.limit) return Bitmap::kDenies;
  uint16_t bits;
  if (!cpu.ReadSupervisor(tr.base + at, &bits, 2)) return Bitmap::kReadFaulted;
  const uint32_t mask = ((1u << size) - 1) << (port % 8);
  return (bits & mask) == 0 ? Bitmap::kAllows : Bitmap::kDenies;
}

}  // namespace

bool IoPermitted(Cpu& cpu, uint16_t port, int size) {
  // Virtual-8086 mode consults the bitmap whatever IOPL is (SDM vol. 3A 20.2.8.1).
  if (!InVm86(cpu) && cpu.state.cpl <= static_cast<int>((cpu.state.rflags >> 12) & 3)) return true;
  switch (CheckBitmap(cpu, port, size)) {
    case Bitmap::kAllows: return true;
    case Bitmap::kDenies: cpu.Fault(kGeneralProtection, 0); return false;
    case Bitmap::kReadFaulted: return false;
  }
  return false;
}

}  // namespace x64sim
