// End to end in a whole machine (sim/machine.h): 32-bit guest code
// programs the PIT's channel 0 in mode 2 for a 1193-tick (about 1 ms)
// period and the 8259 master, globally disables the local APIC so the
// 8259's INTR goes straight to the CPU, enables interrupts and spins on
// RDTSC for ten and a half periods of simulated time, counting IRQ0 in its
// handler. With the HPET's legacy replacement, the HPET's timer 0 takes
// IRQ0 from the PIT, through the same 8259.
#include <cstdint>
#include <vector>

#include "cpu/descriptors.h"
#include "gtest/gtest.h"
#include "sim/machine.h"
#include "sim/platform_clock.h"

namespace x64sim {
namespace {

constexpr PlatformClock kClock;  // the default 3.4 GHz core

constexpr uint64_t kGdt = 0x800, kIdt = 0x1000, kCode = 0x2000, kHandler = 0x3000, kStack = 0x8000;
constexpr uint32_t kPeriodTicks = 1193;
constexpr uint32_t kHpetPeriodTicks = 60'000;  // 0.6 ms of the 100 MHz counter
constexpr uint8_t kVectorBase = 0x20;
// Ten and a half periods in core cycles.
const uint32_t kSpinCycles = static_cast<uint32_t>(kClock.CycleOfPitTick(kPeriodTicks * 21 / 2));

enum class Hpet { kUnused, kLegacyIdle, kLegacyTimer0 };

// mov dword [0xfed00000 + reg], value
void WriteHpet(std::vector<uint8_t>& c, uint8_t reg_high, uint8_t reg_low, uint32_t value) {
  c.insert(c.end(), {0xc7, 0x05, reg_low, reg_high, 0xd0, 0xfe});
  for (int i = 0; i < 4; ++i) c.push_back(static_cast<uint8_t>(value >> (8 * i)));
}

std::vector<uint8_t> Program(uint8_t pic_mask, Hpet hpet) {
  std::vector<uint8_t> c;
  if (hpet == Hpet::kLegacyTimer0) {
    // Timer 0 as Linux sets up its legacy clock event: 32-bit, periodic,
    // edge-triggered, enabled, the comparator and then the period written
    // after Tn_VAL_SET_CNF.
    WriteHpet(c, 0x01, 0x00, 0x14c);
    WriteHpet(c, 0x01, 0x08, kHpetPeriodTicks);
    WriteHpet(c, 0x01, 0x08, kHpetPeriodTicks);
    WriteHpet(c, 0x00, 0x10, 0x3);  // ENABLE_CNF | LEG_RT_CNF
  } else if (hpet == Hpet::kLegacyIdle) {
    WriteHpet(c, 0x00, 0x10, 0x2);  // LEG_RT_CNF alone: the HPET stays halted
  }
  c.insert(c.end(), {
                        0xb0, 0x34, 0xe6, 0x43,  // PIT: channel 0, LSB then MSB, mode 2
                        0xb0, kPeriodTicks & 0xff, 0xe6, 0x40, 0xb0, kPeriodTicks >> 8, 0xe6, 0x40,
                        0xb0, 0x11, 0xe6, 0x20,  // ICW1: edge, cascade, ICW4
                        0xb0, kVectorBase, 0xe6, 0x21, 0xb0, 0x04, 0xe6, 0x21, 0xb0, 0x01, 0xe6,
                        0x21, 0xb0, pic_mask, 0xe6, 0x21,  // OCW1
                        0xb9, 0x1b, 0x00, 0x00, 0x00,      // mov ecx, IA32_APIC_BASE
                        0x31, 0xd2,                        // xor edx, edx
                        0xb8, 0x00, 0x01, 0xe0, 0xfe,      // mov eax, 0xfee00100: BSP, EN clear
                        0x0f, 0x30,                        // wrmsr
                        0x31, 0xdb,                        // xor ebx, ebx: the count
                        0x0f, 0x31,                        // rdtsc
                        0x05,                              // add eax, kSpinCycles
                    });
  for (int i = 0; i < 4; ++i) c.push_back(static_cast<uint8_t>(kSpinCycles >> (8 * i)));
  c.insert(c.end(), {
                        0x89, 0xc6,  // mov esi, eax
                        0xfb,        // sti
                        0x0f, 0x31,  // spin: rdtsc
                        0x39, 0xf0,  // cmp eax, esi
                        0x72, 0xfa,  // jb spin
                        0xfa, 0xf4,  // cli; hlt: the run ends
                    });
  return c;
}

// Runs Program on a core at `clock` and returns the number of IRQ0
// interrupts taken.
uint32_t CountIrq0(uint8_t pic_mask, Hpet hpet = Hpet::kUnused, PlatformClock clock = kClock) {
  MachineConfig config;
  config.ram_bytes = 1ull << 20;
  config.clock = clock;
  Machine m(config);
  const std::vector<uint8_t> code = Program(pic_mask, hpet);
  const std::vector<uint8_t> handler = {0x43, 0xb0, 0x20, 0xe6, 0x20, 0xcf};  // inc ebx; EOI; iretd
  m.memory().CopyIn(kCode, code.data(), code.size());
  m.memory().CopyIn(kHandler, handler.data(), handler.size());
  // A 32-bit interrupt gate to the handler for IRQ0's vector.
  const uint64_t gate = (kHandler & 0xffff) | uint64_t{0x10} << 16 | uint64_t{0x8e} << 40 |
                        (kHandler >> 16) << 48;
  m.memory().CopyIn(kIdt + 8 * kVectorBase, &gate, 8);
  // The flat code (0x10) and data (0x18) segments the gate's selector names.
  const uint64_t gdt[4] = {0, 0, 0x00cf9a000000ffffull, 0x00cf92000000ffffull};
  m.memory().CopyIn(kGdt, gdt, sizeof(gdt));
  Cpu& cpu = m.cpu();
  CpuState& s = cpu.state;
  s.cr0 = kCr0PE | kCr0ET;
  s.rflags = kFlagsFixed1;
  for (SegReg r : {kEs, kSs, kDs, kFs, kGs}) cpu.LoadSegmentCache(r, FlatSegment(0x18, 0xc093));
  cpu.LoadSegmentCache(kCs, FlatSegment(0x10, 0xc09b));
  cpu.SetCpl(0);
  s.gdtr = {kGdt, sizeof(gdt) - 1};
  s.idtr = {kIdt, 8 * 256 - 1};
  s.gpr[kRsp] = kStack;
  s.rip = kCode;
  const StopInfo stop = m.Run(UINT64_MAX);
  EXPECT_EQ(stop.reason, StopReason::kHaltedForever) << stop.detail;
  EXPECT_EQ(s.rip, kCode + code.size()) << "stopped at the final hlt";
  EXPECT_GE(cpu.cycles(), kSpinCycles);
  return static_cast<uint32_t>(s.gpr[kRbx]);
}

TEST(PitIrq0MachineTest, GuestCountsOneIrq0APeriod) { EXPECT_EQ(CountIrq0(0xfe), 10u); }

TEST(PitIrq0MachineTest, MaskedIr0DeliversNothing) { EXPECT_EQ(CountIrq0(0xff), 0u); }

// HPET 1.0a 2.3.5: with LEG_RT_CNF the 8254's output no longer reaches IRQ0.
TEST(PitIrq0MachineTest, HpetLegacyReplacementDisconnectsThePit) {
  EXPECT_EQ(CountIrq0(0xfe, Hpet::kLegacyIdle), 0u);
}

// HPET 1.0a 2.3.5: timer 0 drives IRQ0 in the PIT's place, the 8259's IR0
// included; its edge-triggered pulses every 0.6 ms are one interrupt each,
// 17 in the 10.5 ms (the PIT, still counting, adds none).
TEST(PitIrq0MachineTest, HpetLegacyTimer0InterruptsThrough8259OncePerPeriod) {
  EXPECT_EQ(CountIrq0(0xfe, Hpet::kLegacyTimer0), 17u);
  EXPECT_EQ(CountIrq0(0xff, Hpet::kLegacyTimer0), 0u) << "IR0 masked";
}

// --core-mhz: the PIT and the HPET keep their rates while the core's
// slows, so the spin's cycles (read from the TSC, which counts them) last
// 3.4 times as long on a 1 GHz core: 35.7 PIT periods, 59.5 of the HPET's.
TEST(PitIrq0MachineTest, TheSameCyclesLastLongerOnASlowerCore) {
  EXPECT_EQ(CountIrq0(0xfe, Hpet::kUnused, PlatformClock(1000)), 35u);
  EXPECT_EQ(CountIrq0(0xfe, Hpet::kLegacyTimer0, PlatformClock(1000)), 59u);
  EXPECT_EQ(CountIrq0(0xfe, Hpet::kUnused, PlatformClock(6800)), 5u) << "half as long at 6.8 GHz";
}

}  // namespace
}  // namespace x64sim
