// The local APIC (xAPIC, MMIO at 0xFEE00000, APIC ID 0) as far as a
// kernel's timer and interrupts need it (SDM vol. 3A ch. 10): the timer,
// counting simulated core cycles divided by the divide configuration, and
// the I/O APIC's messages, held in IRR/ISR/TMR and delivered by priority.
#ifndef X64SIM_SIM_LOCAL_APIC_H_
#define X64SIM_SIM_LOCAL_APIC_H_

#include <bitset>
#include <cstdint>
#include <functional>

#include "checkpoint/state_archive.h"
#include "cpu/io_bus.h"
#include "mmu/physical_memory.h"
#include "sim/io_apic.h"

namespace x64sim {

class LocalApic : public MmioDevice, public InterruptController {
 public:
  static constexpr uint64_t kBase = 0xfee00000;
  // `now` reads simulated time; `changed` is called after every register
  // write, since one may make an interrupt deliverable.
  LocalApic(std::function<uint64_t()> now, std::function<void()> changed)
      : now_(std::move(now)), changed_(std::move(changed)) {}

  uint64_t MmioRead(uint64_t offset, int size) override;
  void MmioWrite(uint64_t offset, int size, uint64_t value) override;

  int PendingVector(uint64_t now) override;
  void Acknowledge(int vector) override;
  uint64_t NextEventCycle() override;

  // An interrupt message from the I/O APIC: false if its destination is
  // not this APIC (SDM vol. 3A 10.6.2).
  bool Accept(const ApicMessage& message);
  // Called with the vector of each EOI for a level-triggered interrupt
  // (TMR set): the broadcast to the I/O APICs (SDM vol. 3A 10.8.5).
  void set_eoi_broadcast(std::function<void(uint8_t)> broadcast) { eoi_broadcast_ = std::move(broadcast); }

  // Whether an ExtINT interrupt awaits its INTA cycle: the 8259's INTR
  // `intr` asserted on LVT LINT0, unmasked in ExtINT mode, or an ExtINT
  // message from the I/O APIC (SDM vol. 3A 10.5.1). Such interrupts bypass
  // the IRR, ISR and PPR.
  bool TakesExtInt(bool intr) const;
  // The INTA cycle for an ExtINT interrupt has run.
  void AcknowledgeExtInt() { ext_int_pending_ = false; }

  uint64_t timer_interrupts() const { return timer_interrupts_; }

  void Serialize(StateArchive& ar) {
    ar(tpr_, svr_, ldr_, dfr_, esr_, lvt_timer_, lvt_lint0_, lvt_lint1_, lvt_error_,
       initial_count_, divide_config_, timer_start_, deadline_, irr_, isr_, tmr_, timer_interrupts_,
       ext_int_pending_);
  }

 private:
  bool software_enabled() const { return svr_ & 0x100; }
  bool timer_armed() const { return initial_count_ != 0 && deadline_ != UINT64_MAX; }
  uint64_t divider() const;
  void ArmTimer(uint64_t now);
  void UpdateTimer(uint64_t now);  // fires the timer if its deadline passed
  int HighestIsr() const;

  std::function<uint64_t()> now_;
  std::function<void()> changed_;
  std::function<void(uint8_t)> eoi_broadcast_;
  uint32_t tpr_ = 0;
  uint32_t svr_ = 0xff;
  uint32_t ldr_ = 0, dfr_ = 0xffffffff, esr_ = 0;
  uint32_t lvt_timer_ = 0x10000, lvt_lint0_ = 0x10000, lvt_lint1_ = 0x10000, lvt_error_ = 0x10000;
  uint32_t initial_count_ = 0;
  uint32_t divide_config_ = 0;
  uint64_t timer_start_ = 0;
  uint64_t deadline_ = UINT64_MAX;  // cycle at which the count reaches 0
  std::bitset<256> irr_, isr_, tmr_;
  uint64_t timer_interrupts_ = 0;
  bool ext_int_pending_ = false;  // an ExtINT message from the I/O APIC
};

}  // namespace x64sim

#endif  // X64SIM_SIM_LOCAL_APIC_H_
