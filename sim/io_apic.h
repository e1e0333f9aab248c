// The I/O APIC (Intel 82093AA datasheet): IOREGSEL at offset 0x00 selects a
// register, IOWIN at 0x10 reads or writes it. ID, version (0x20, 24
// redirection entries), arbitration, and the redirection table, every
// entry masked at reset. Devices drive its 24 input pins (SetLine); an
// entry turns its pin's assertion into an interrupt message for the local
// APIC: edge-triggered entries on the edge into the asserted state,
// level-triggered ones while the pin stays asserted, once per EOI (remote
// IRR). Fixed, lowest-priority and ExtINT delivery (docs/platform.md).
#ifndef X64SIM_SIM_IO_APIC_H_
#define X64SIM_SIM_IO_APIC_H_

#include <array>
#include <cstdint>
#include <functional>

#include "checkpoint/state_archive.h"
#include "mmu/physical_memory.h"

namespace x64sim {

// An interrupt message on the APIC bus (82093AA 3.2.4; SDM vol. 3A 10.6).
struct ApicMessage {
  uint8_t vector = 0;
  bool level = false;     // level-triggered: the local APIC broadcasts its EOI
  bool logical = false;   // destination mode
  uint8_t destination = 0;
  bool ext_int = false;   // ExtINT: the CPU takes the vector from the 8259's INTA
};

class IoApic : public MmioDevice {
 public:
  static constexpr uint64_t kBase = 0xfec00000;
  static constexpr int kEntries = 24;
  // Hands a message to the local APICs; true if one accepted it.
  using Deliver = std::function<bool(const ApicMessage&)>;

  IoApic() { redirection_.fill(kMasked); }
  void set_deliver(Deliver deliver) { deliver_ = std::move(deliver); }

  uint64_t MmioRead(uint64_t offset, int size) override;
  void MmioWrite(uint64_t offset, int size, uint64_t value) override;

  // A device drives `pin` high or low. Whether that is the asserted state
  // is the entry's polarity (bit 13: 0 active high, 1 active low).
  void SetLine(int pin, bool high);
  // A pulse (high, then low): an edge-triggering device's event. Either
  // polarity sees one assertion edge in it.
  void Pulse(int pin) {
    SetLine(pin, true);
    SetLine(pin, false);
  }
  // The local APIC's EOI broadcast for a level-triggered `vector`: clears
  // the remote IRR of the entries with that vector, which deliver again if
  // their pin is still asserted.
  void EndOfInterrupt(uint8_t vector);

  uint64_t redirection(int entry) const { return redirection_[entry]; }

  void Serialize(StateArchive& ar) { ar(select_, id_, redirection_, line_high_); }

 private:
  static constexpr uint64_t kMasked = 1ull << 16;
  static constexpr uint64_t kRemoteIrr = 1ull << 14;
  // Bits software may set in an entry: vector, delivery mode, destination
  // mode, polarity, trigger mode, mask, destination (datasheet 3.2.4).
  static constexpr uint64_t kWritable = 0xff00'0000'0001'afffull;

  uint32_t ReadRegister(uint8_t index) const;
  void WriteRegister(uint8_t index, uint32_t value);
  bool Asserted(int pin) const;
  // Sends entry `pin`'s message if it is level-triggered, unmasked, its
  // pin asserted and no earlier one awaits an EOI.
  void ServiceLevel(int pin);
  void Send(int pin);

  Deliver deliver_;
  uint8_t select_ = 0;
  uint32_t id_ = 0;  // bits 27:24
  std::array<uint64_t, kEntries> redirection_;
  uint32_t line_high_ = 0;  // bit n: pin n driven high
};

}  // namespace x64sim

#endif  // X64SIM_SIM_IO_APIC_H_
