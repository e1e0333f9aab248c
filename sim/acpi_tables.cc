#include "sim/acpi_tables.h"

#include <cstring>
#include <iterator>
#include <string>

namespace x64sim {

namespace {

void Put(std::vector<uint8_t>& b, size_t at, uint64_t v, int bytes) {
  if (b.size() < at + bytes) b.resize(at + bytes);
  for (int i = 0; i < bytes; ++i) b[at + i] = static_cast<uint8_t>(v >> (8 * i));
}

void PutChars(std::vector<uint8_t>& b, size_t at, const std::string& s) {
  if (b.size() < at + s.size()) b.resize(at + s.size());
  std::memcpy(b.data() + at, s.data(), s.size());
}

// The 36-byte system description table header (ACPI 6.4 table 5.4);
// length and checksum are filled in by Finish.
std::vector<uint8_t> Header(const std::string& signature, uint8_t revision) {
  std::vector<uint8_t> t(36, 0);
  PutChars(t, 0, signature);
  t[8] = revision;
  PutChars(t, 10, "X64SIM");
  PutChars(t, 16, "X64SIMPC");
  Put(t, 24, 1, 4);  // OEM revision
  PutChars(t, 28, "XSIM");
  Put(t, 32, 1, 4);  // creator revision
  return t;
}

void Finish(std::vector<uint8_t>& t) {
  Put(t, 4, t.size(), 4);
  t[9] = 0;
  t[9] = AcpiChecksum(t.data(), t.size());
}

// MADT (ACPI 6.4 5.2.12): the local APIC address, PC-AT compatible dual
// 8259s present, then the interrupt controller structures.
std::vector<uint8_t> Madt(const AcpiConfig& c) {
  std::vector<uint8_t> t = Header("APIC", 1);
  Put(t, 36, c.local_apic_address, 4);
  Put(t, 40, 1, 4);  // flags: PCAT_COMPAT
  auto add = [&t](std::vector<uint8_t> entry) { t.insert(t.end(), entry.begin(), entry.end()); };
  // Processor local APIC (type 0): processor UID 0, APIC ID 0, enabled.
  add({0, 8, 0, 0, 1, 0, 0, 0});
  // I/O APIC (type 1): ID, address, global system interrupt base.
  std::vector<uint8_t> io(12, 0);
  io[0] = 1;
  io[1] = 12;
  io[2] = c.io_apic_id;
  Put(io, 4, c.io_apic_address, 4);
  Put(io, 8, c.io_apic_gsi_base, 4);
  add(io);
  // Interrupt source overrides (type 2) as QEMU's pc machine: IRQ0 (the
  // PIT) on GSI 2; the PCI interrupts 5, 9, 10, 11 level-triggered,
  // active high (flags 0xd).
  struct Override {
    uint8_t irq;
    uint32_t gsi;
    uint16_t flags;
  };
  for (const Override& o : {Override{0, 2, 0}, Override{5, 5, 0xd}, Override{9, 9, 0xd},
                            Override{10, 10, 0xd}, Override{11, 11, 0xd}}) {
    std::vector<uint8_t> e(10, 0);
    e[0] = 2;
    e[1] = 10;
    e[2] = 0;  // bus: ISA
    e[3] = o.irq;
    Put(e, 4, o.gsi, 4);
    Put(e, 8, o.flags, 2);
    add(e);
  }
  Finish(t);
  return t;
}

// FADT (ACPI 6.4 5.2.9, table 5.9; revision 6, 276 bytes) for a
// hardware-reduced platform: no PM, GPE or SMI blocks, no FACS or DSDT.
std::vector<uint8_t> Fadt(const AcpiConfig& c) {
  std::vector<uint8_t> t = Header("FACP", 6);
  t.resize(276, 0);
  Put(t, 46, c.sci_interrupt, 2);
  // IAPC_BOOT_ARCH: legacy devices (the UART, PIT and PICs); no 8042.
  Put(t, 109, 1u << 0, 2);
  // Flags: WBINVD works (bit 0), C1 by HLT (bit 2), HW_REDUCED_ACPI (bit 20).
  Put(t, 112, 1u << 0 | 1u << 2 | 1u << 20, 4);
  t[131] = 4;  // minor version: 6.4
  Finish(t);
  return t;
}

// HPET description table (IA-PC HPET 1.0a 3.2.4): the block's ID, its
// registers in system memory, HPET number 0, and the minimum periodic tick.
std::vector<uint8_t> HpetTable(const AcpiConfig& c) {
  std::vector<uint8_t> t = Header("HPET", 1);
  Put(t, 36, c.hpet_block_id, 4);
  t.resize(56, 0);
  t[40] = 0;   // address space: system memory
  t[41] = 64;  // register width
  Put(t, 44, c.hpet_address, 8);
  t[52] = 0;              // HPET number
  Put(t, 53, 0x80, 2);    // minimum clock ticks in periodic mode (as QEMU)
  t[55] = 0;              // no page protection guarantee
  Finish(t);
  return t;
}

}  // namespace

uint8_t AcpiChecksum(const uint8_t* bytes, size_t n) {
  uint8_t sum = 0;
  for (size_t i = 0; i < n; ++i) sum = static_cast<uint8_t>(sum + bytes[i]);
  return static_cast<uint8_t>(-sum);
}

std::vector<uint8_t> BuildAcpiTables(const AcpiConfig& config) {
  const std::vector<uint8_t> tables[] = {Fadt(config), Madt(config), HpetTable(config)};
  auto aligned = [](size_t n) { return (n + 15) & ~size_t{15}; };
  // RSDP (ACPI 6.4 5.2.5.3), revision 0: the 20-byte ACPI 1.0 structure,
  // its checksum over those 20 bytes; then the RSDT (5.2.7), one 32-bit
  // pointer per table; then the tables.
  const size_t rsdt_at = aligned(20);
  std::vector<uint8_t> rsdt = Header("RSDT", 1);
  size_t at = aligned(rsdt_at + rsdt.size() + 4 * std::size(tables));
  std::vector<uint8_t> out(at, 0);
  for (const std::vector<uint8_t>& table : tables) {
    Put(rsdt, rsdt.size(), kAcpiRsdpAddress + at, 4);
    out.resize(at + table.size(), 0);
    std::memcpy(out.data() + at, table.data(), table.size());
    at = aligned(out.size());
  }
  Finish(rsdt);
  std::memcpy(out.data() + rsdt_at, rsdt.data(), rsdt.size());
  PutChars(out, 0, "RSD PTR ");
  PutChars(out, 9, "X64SIM");
  out[15] = 0;  // revision 0: RSDT only
  Put(out, 16, kAcpiRsdpAddress + rsdt_at, 4);
  out[8] = AcpiChecksum(out.data(), 20);
  return out;
}

}  // namespace x64sim
