// The I/O APIC's registers (Intel 82093AA datasheet, 3.0): IOREGSEL at
// offset 0x00 selects a register, IOWIN at 0x10 reads or writes it. ID,
// version (0x20, 24 redirection entries), arbitration, and the redirection
// table, every entry masked at reset. No device raises a line through it
// yet (docs/platform.md): a kernel can find, program and mask it.
#ifndef X64SIM_SIM_IO_APIC_H_
#define X64SIM_SIM_IO_APIC_H_

#include <array>
#include <cstdint>

#include "checkpoint/state_archive.h"
#include "mmu/physical_memory.h"

namespace x64sim {

class IoApic : public MmioDevice {
 public:
  static constexpr uint64_t kBase = 0xfec00000;
  static constexpr int kEntries = 24;

  IoApic() { redirection_.fill(kMasked); }

  uint64_t MmioRead(uint64_t offset, int size) override;
  void MmioWrite(uint64_t offset, int size, uint64_t value) override;

  uint64_t redirection(int entry) const { return redirection_[entry]; }

  void Serialize(StateArchive& ar) { ar(select_, id_, redirection_); }

 private:
  static constexpr uint64_t kMasked = 1ull << 16;
  // Bits software may set in an entry: vector, delivery mode, destination
  // mode, polarity, trigger mode, mask, destination (datasheet 3.2.4).
  static constexpr uint64_t kWritable = 0xff00'0000'0001'afffull;

  uint32_t ReadRegister(uint8_t index) const;
  void WriteRegister(uint8_t index, uint32_t value);

  uint8_t select_ = 0;
  uint32_t id_ = 0;  // bits 27:24
  std::array<uint64_t, kEntries> redirection_;
};

}  // namespace x64sim

#endif  // X64SIM_SIM_IO_APIC_H_
