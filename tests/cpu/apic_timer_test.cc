// HLT woken by the local APIC timer (sim/local_apic.h): the guest programs
// a one-shot timer through the xAPIC MMIO page, executes STI; HLT, and the
// core sleeps in simulated time until the count expires, then delivers the
// timer vector (SDM vol. 3A 10.5.4).
#include <vector>

#include "gtest/gtest.h"
#include "sim/local_apic.h"
#include "tests/cpu/system_machine.h"

namespace x64sim::testing {
namespace {

using M = SystemMachine;

// mov dword [rbx+reg], value
void ApicWrite(std::vector<uint8_t>& code, uint32_t reg, uint32_t value) {
  code.insert(code.end(), {0xc7, 0x83});
  for (int i = 0; i < 4; ++i) code.push_back(static_cast<uint8_t>(reg >> (8 * i)));
  for (int i = 0; i < 4; ++i) code.push_back(static_cast<uint8_t>(value >> (8 * i)));
}

TEST(ApicTimerTest, HltSleepsUntilTheTimerFires) {
  M m;
  LocalApic apic([&] { return m.cpu().cycles(); }, [&] { m.cpu().RecheckInterrupts(); });
  m.memory().MapMmio(LocalApic::kBase, kPageSize, &apic);
  m.cpu().set_interrupt_controller(&apic);
  // Linear 0xF00000 maps the APIC page, uncached.
  const uint64_t apic_linear = 0xf00000;
  m.Put64(M::kPageTables + (apic_linear >> kPageShift) * 8, LocalApic::kBase | 0x13);
  m.cpu().Invlpg(apic_linear);

  constexpr int kVector = 32;
  constexpr uint32_t kCount = 5000;
  const uint64_t handler = M::kStubs + 16 * kVector;
  m.SetInterruptGate(kVector, handler);
  std::vector<uint8_t> isr = {0x0f, 0x31};  // rdtsc
  ApicWrite(isr, 0xb0, 0);                  // EOI
  isr.push_back(0xf4);                      // hlt with IF clear: the run ends
  m.Load(handler, isr);

  std::vector<uint8_t> code = {0x48, 0xc7, 0xc3, 0x00, 0x00, 0xf0, 0x00};  // mov rbx, 0xf00000
  ApicWrite(code, 0xf0, 0x1ff);        // SVR: APIC enabled, spurious vector 0xff
  ApicWrite(code, 0x3e0, 0xb);         // divide by 1
  ApicWrite(code, 0x320, kVector);     // LVT timer: one-shot, unmasked
  code.insert(code.end(), {0x0f, 0x31, 0x89, 0xc6});  // rdtsc; mov esi, eax
  ApicWrite(code, 0x380, kCount);      // initial count: starts the timer
  const size_t hlt_offset = code.size() + 1;
  code.insert(code.end(), {0xfb, 0xf4, 0x90});  // sti; hlt; nop
  m.Load(M::kCode, code);

  M::Result r = m.RunFrom(M::kCode);
  EXPECT_EQ(r.outcome.reason, StopReason::kHaltedForever);
  ASSERT_EQ(m.state().rip, handler + isr.size());
  EXPECT_EQ(apic.timer_interrupts(), 1u);
  const uint32_t start = static_cast<uint32_t>(m.state().gpr[kRsi]);
  const uint32_t woke = static_cast<uint32_t>(m.state().gpr[kRax]);
  // The count started one instruction after `start` and ran kCount cycles.
  EXPECT_GE(woke - start, kCount);
  EXPECT_LE(woke - start, kCount + 3);
  EXPECT_LT(m.cpu().instret(), 20u);  // the wait was slept, not executed
  EXPECT_EQ(m.Get64(m.state().gpr[kRsp]), M::kCode + hlt_offset + 1);  // after the HLT
  m.cpu().set_interrupt_controller(nullptr);
}

}  // namespace
}  // namespace x64sim::testing
