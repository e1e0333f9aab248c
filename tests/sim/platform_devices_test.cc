// The PC platform's devices against their datasheets and the ACPI spec:
// the tables' checksums and contents, the I/O APIC's registers, the 8254's
// counting in simulated time, and the 8259A's initialisation sequence.
#include <cstring>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "sim/acpi_tables.h"
#include "sim/hpet.h"
#include "sim/io_apic.h"
#include "sim/pic8259.h"
#include "sim/pit8254.h"
#include "sim/platform_clock.h"

namespace x64sim {
namespace {

uint32_t Le32(const std::vector<uint8_t>& b, size_t at) {
  return b[at] | b[at + 1] << 8 | b[at + 2] << 16 | static_cast<uint32_t>(b[at + 3]) << 24;
}

uint8_t Sum(const uint8_t* p, size_t n) {
  uint8_t s = 0;
  for (size_t i = 0; i < n; ++i) s = static_cast<uint8_t>(s + p[i]);
  return s;
}

// The table the RSDT names with `signature`, as an offset into `t`; its
// checksum and length checked.
size_t FindTable(const std::vector<uint8_t>& t, const std::string& signature) {
  const size_t rsdt = Le32(t, 16) - kAcpiRsdpAddress;
  const uint32_t rsdt_length = Le32(t, rsdt + 4);
  for (size_t entry = rsdt + 36; entry < rsdt + rsdt_length; entry += 4) {
    const size_t at = Le32(t, entry) - kAcpiRsdpAddress;
    if (at + 36 > t.size() || std::string(t.begin() + at, t.begin() + at + 4) != signature) continue;
    const uint32_t length = Le32(t, at + 4);
    EXPECT_LE(at + length, t.size()) << signature;
    EXPECT_EQ(Sum(t.data() + at, length), 0) << signature << " checksum";
    return at;
  }
  ADD_FAILURE() << "no " << signature << " in the RSDT";
  return 0;
}

TEST(AcpiTablesTest, RsdpRsdtAndMadtAsAKernelReadsThem) {
  const std::vector<uint8_t> t = BuildAcpiTables(AcpiConfig{});
  // RSDP: signature, 20-byte checksum, revision 0, RSDT address (ACPI 6.4 5.2.5.3).
  ASSERT_GE(t.size(), 20u);
  EXPECT_EQ(std::string(t.begin(), t.begin() + 8), "RSD PTR ");
  EXPECT_EQ(Sum(t.data(), 20), 0);
  EXPECT_EQ(t[15], 0);
  EXPECT_EQ(kAcpiRsdpAddress % 16, 0u);
  EXPECT_GE(kAcpiRsdpAddress, 0xe0000u);
  EXPECT_LT(kAcpiRsdpAddress + t.size(), 0x100000u);
  const size_t rsdt = Le32(t, 16) - kAcpiRsdpAddress;
  // RSDT: header checksum over its length, one entry per table.
  ASSERT_LT(rsdt + 48, t.size());
  EXPECT_EQ(std::string(t.begin() + rsdt, t.begin() + rsdt + 4), "RSDT");
  const uint32_t rsdt_length = Le32(t, rsdt + 4);
  EXPECT_EQ(rsdt_length, 36u + 3 * 4) << "FADT, MADT, HPET";
  EXPECT_EQ(Sum(t.data() + rsdt, rsdt_length), 0);
  for (size_t entry = rsdt + 36; entry < rsdt + rsdt_length; entry += 4) {
    EXPECT_EQ(Le32(t, entry) % 16, 0u) << "tables are 16-byte aligned";
  }
  const size_t madt = FindTable(t, "APIC");
  const uint32_t madt_length = Le32(t, madt + 4);
  EXPECT_EQ(Le32(t, madt + 36), 0xfee00000u);
  // Interrupt controller structures: one enabled local APIC, one I/O APIC
  // at 0xFEC00000, IRQ0 overridden to GSI 2.
  int lapics = 0, ioapics = 0;
  bool irq0_on_gsi2 = false;
  for (size_t at = madt + 44; at < madt + madt_length; at += t[at + 1]) {
    ASSERT_GT(t[at + 1], 0);
    if (t[at] == 0 && Le32(t, at + 4) == 1) ++lapics;
    if (t[at] == 1 && Le32(t, at + 4) == 0xfec00000u) ++ioapics;
    if (t[at] == 2 && t[at + 3] == 0 && Le32(t, at + 4) == 2) irq0_on_gsi2 = true;
  }
  EXPECT_EQ(lapics, 1);
  EXPECT_EQ(ioapics, 1);
  EXPECT_TRUE(irq0_on_gsi2);
}

// FADT (ACPI 6.4 table 5.9): revision 6.4, 276 bytes, the flags at offset
// 112 (where seL4 reads them): WBINVD, C1, hardware-reduced; not
// FORCE_APIC_PHYSICAL_DESTINATION_MODE (bit 19), which would stop a kernel
// using logical IDs.
TEST(AcpiTablesTest, FadtDescribesAHardwareReducedPc) {
  const std::vector<uint8_t> t = BuildAcpiTables(AcpiConfig{.sci_interrupt = 11});
  const size_t fadt = FindTable(t, "FACP");
  EXPECT_EQ(Le32(t, fadt + 4), 276u);
  EXPECT_EQ(t[fadt + 8], 6);
  EXPECT_EQ(t[fadt + 131], 4);
  EXPECT_EQ(Le32(t, fadt + 112), 1u << 0 | 1u << 2 | 1u << 20);
  EXPECT_EQ(t[fadt + 46], 11) << "SCI_INT";
  EXPECT_EQ(Le32(t, fadt + 40), 0u) << "no DSDT";
  EXPECT_EQ(t[fadt + 109] & 3, 1) << "legacy devices, no 8042";
}

// HPET table (IA-PC HPET 1.0a 3.2.4): the block ID from the configuration,
// the base address as a memory-space GAS, HPET number 0.
TEST(AcpiTablesTest, HpetTableNamesTheTimerBlock) {
  const std::vector<uint8_t> t =
      BuildAcpiTables(AcpiConfig{.hpet_address = 0xfed01000, .hpet_block_id = 0x12345678});
  const size_t hpet = FindTable(t, "HPET");
  EXPECT_EQ(Le32(t, hpet + 4), 56u);
  EXPECT_EQ(Le32(t, hpet + 36), 0x12345678u);
  EXPECT_EQ(t[hpet + 40], 0) << "system memory";
  EXPECT_EQ(Le32(t, hpet + 44), 0xfed01000u);
  EXPECT_EQ(Le32(t, hpet + 48), 0u);
  EXPECT_EQ(t[hpet + 52], 0);
  EXPECT_EQ(AcpiConfig{}.hpet_block_id, Hpet::kBlockId) << "by default, the machine's HPET";
}

uint32_t IoApicRead(IoApic& a, uint8_t reg) {
  a.MmioWrite(0x00, 4, reg);
  return static_cast<uint32_t>(a.MmioRead(0x10, 4));
}

TEST(IoApicTest, RegistersPerThe82093AA) {
  IoApic a;
  EXPECT_EQ(IoApicRead(a, 0x01), 0x00170020u) << "version 0x20, 24 entries";
  for (int e = 0; e < IoApic::kEntries; ++e) {
    EXPECT_EQ(IoApicRead(a, static_cast<uint8_t>(0x10 + 2 * e)) & (1u << 16), 1u << 16)
        << "entry " << e << " masked at reset";
  }
  // Program entry 2: vector 0x30, level, active low, destination 1.
  a.MmioWrite(0x00, 4, 0x14);
  a.MmioWrite(0x10, 4, 0x0000a030);
  a.MmioWrite(0x00, 4, 0x15);
  a.MmioWrite(0x10, 4, 0x01000000);
  EXPECT_EQ(a.redirection(2), 0x01000000'0000a030ull);
  // Delivery status (12) and remote IRR (14) are read-only.
  a.MmioWrite(0x00, 4, 0x14);
  a.MmioWrite(0x10, 4, 0x00005030);
  EXPECT_EQ(IoApicRead(a, 0x14), 0x00000030u | 0x0000u);
  // The version register cannot be written; the ID keeps bits 27:24.
  a.MmioWrite(0x00, 4, 0x01);
  a.MmioWrite(0x10, 4, 0);
  EXPECT_EQ(IoApicRead(a, 0x01), 0x00170020u);
  a.MmioWrite(0x00, 4, 0x00);
  a.MmioWrite(0x10, 4, 0xffffffff);
  EXPECT_EQ(IoApicRead(a, 0x00), 0x0f000000u);
  EXPECT_EQ(IoApicRead(a, 0x3f + 2), 0u) << "past the table";
}

class PitTest : public ::testing::Test {
 protected:
  uint64_t now_ = 1000;
  Pit8254 pit_{PlatformClock(), [this] { return now_; }, [](bool) {}, [] {}};
  uint16_t ReadCount(int channel) {
    const uint8_t lo = static_cast<uint8_t>(pit_.PortIn(static_cast<uint16_t>(channel), 1));
    const uint8_t hi = static_cast<uint8_t>(pit_.PortIn(static_cast<uint16_t>(channel), 1));
    return static_cast<uint16_t>(lo | hi << 8);
  }
  void Program(int channel, int mode, uint16_t count) {
    pit_.PortOut(3, 1, static_cast<uint32_t>(channel << 6 | 3 << 4 | mode << 1));
    pit_.PortOut(static_cast<uint16_t>(channel), 1, count & 0xff);
    pit_.PortOut(static_cast<uint16_t>(channel), 1, count >> 8);
  }
};

TEST_F(PitTest, RateGeneratorCountsDownAndReloads) {
  Program(0, 2, 59659);  // seL4's calibration period, ~50 ms
  now_ += 1;             // counting starts on the next input tick
  EXPECT_EQ(ReadCount(0), 59659);
  now_ += 1000;
  EXPECT_EQ(ReadCount(0), 58659);
  now_ += 58658;
  EXPECT_EQ(ReadCount(0), 1) << "mode 2 never reads 0";
  now_ += 1;
  EXPECT_EQ(ReadCount(0), 59659) << "reloaded";
}

TEST_F(PitTest, LatchHoldsTheCountUntilRead) {
  Program(0, 2, 1000);
  now_ += 101;
  pit_.PortOut(3, 1, 0x00);  // latch channel 0
  now_ += 500;
  EXPECT_EQ(ReadCount(0), 900);
  EXPECT_EQ(ReadCount(0), 400) << "the latch is spent";
}

TEST_F(PitTest, InterruptOnTerminalCountWrapsAndSquareWaveStepsByTwo) {
  Program(0, 0, 10);
  now_ += 1 + 12;
  EXPECT_EQ(ReadCount(0), 0xfffe);
  Program(2, 3, 100);
  now_ += 1 + 10;
  EXPECT_EQ(ReadCount(2), 80);
  // LSB-only access: a byte write loads the count.
  pit_.PortOut(3, 1, 0 << 6 | 1 << 4 | 2 << 1);
  pit_.PortOut(0, 1, 50);
  now_ += 1 + 5;
  EXPECT_EQ(pit_.PortIn(0, 1), 45u);
  EXPECT_EQ(pit_.PortIn(3, 1), 0xffu) << "the control port is write-only";
}

TEST(PlatformClockTest, TicksFollowTheCoreClock) {
  for (const uint64_t mhz : {PlatformClock::kDefaultCoreMhz, uint64_t{1000}, uint64_t{2666},
                             PlatformClock::kMinCoreMhz, PlatformClock::kMaxCoreMhz}) {
    const PlatformClock clock(mhz);
    SCOPED_TRACE(mhz);
    EXPECT_EQ(clock.core_mhz(), mhz);
    EXPECT_EQ(clock.PitTicks(clock.core_hz()), kPitClockHz) << "one simulated second";
    EXPECT_EQ(clock.HpetTicks(clock.core_hz()), kHpetClockHz);
    EXPECT_EQ(clock.PitTicks(0), 0u);
    EXPECT_DOUBLE_EQ(clock.Seconds(clock.core_hz() / 4), 0.25);
    // CycleOf* is the first cycle at which the tick has elapsed.
    for (const uint64_t tick : {uint64_t{1}, uint64_t{999}, uint64_t{1'234'567}}) {
      const uint64_t pit = clock.CycleOfPitTick(tick);
      EXPECT_EQ(clock.PitTicks(pit), tick);
      EXPECT_EQ(clock.PitTicks(pit - 1), tick - 1);
      const uint64_t hpet = clock.CycleOfHpetTick(tick);
      EXPECT_EQ(clock.HpetTicks(hpet), tick);
      EXPECT_EQ(clock.HpetTicks(hpet - 1), tick - 1);
    }
  }
  EXPECT_EQ(PlatformClock().core_mhz(), 3400u) << "the i7-6700's base clock by default";
  EXPECT_EQ(PlatformClock().CycleOfHpetTick(1), 34u);
  EXPECT_EQ(PlatformClock(1000).CycleOfHpetTick(1), 10u);
  EXPECT_EQ(PlatformClock(1000).CycleOfPitTick(UINT64_MAX), UINT64_MAX) << "saturates";
}

TEST(Pic8259Test, InitialisationSequenceAndOperationCommands) {
  Pic8259 pic;
  EXPECT_EQ(pic.PortIn(1, 1), 0xffu) << "masked at reset";
  pic.PortOut(0, 1, 0x11);  // ICW1: edge, cascade, ICW4 needed
  pic.PortOut(1, 1, 0x20);  // ICW2: vectors 0x20..0x27
  pic.PortOut(1, 1, 0x04);  // ICW3: slave on IRQ2
  pic.PortOut(1, 1, 0x01);  // ICW4: 8086 mode
  EXPECT_TRUE(pic.initialised());
  EXPECT_EQ(pic.vector_base(), 0x20);
  EXPECT_EQ(pic.PortIn(1, 1), 0x00u) << "ICW1 clears the mask";
  pic.PortOut(1, 1, 0xff);  // OCW1: mask all, as seL4 does
  EXPECT_EQ(pic.PortIn(1, 1), 0xffu);
  pic.PortOut(0, 1, 0x0b);  // OCW3: read ISR
  EXPECT_EQ(pic.PortIn(0, 1), 0x00u);
  pic.PortOut(0, 1, 0x20);  // OCW2: non-specific EOI with nothing in service
  EXPECT_EQ(pic.PortIn(0, 1), 0x00u);
}

}  // namespace
}  // namespace x64sim
