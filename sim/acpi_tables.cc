#include "sim/acpi_tables.h"

#include <cstring>
#include <string>

namespace x64sim {

namespace {

// Offsets of the tables from the RSDP (each 16-byte aligned).
constexpr uint32_t kRsdtOffset = 0x40;
constexpr uint32_t kMadtOffset = 0x80;

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
std::vector<uint8_t> Header(const std::string& signature) {
  std::vector<uint8_t> t(36, 0);
  PutChars(t, 0, signature);
  t[8] = 1;  // revision
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
  std::vector<uint8_t> t = Header("APIC");
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

}  // namespace

uint8_t AcpiChecksum(const uint8_t* bytes, size_t n) {
  uint8_t sum = 0;
  for (size_t i = 0; i < n; ++i) sum = static_cast<uint8_t>(sum + bytes[i]);
  return static_cast<uint8_t>(-sum);
}

std::vector<uint8_t> BuildAcpiTables(const AcpiConfig& config) {
  // RSDT (ACPI 6.4 5.2.7): one 32-bit pointer, to the MADT.
  std::vector<uint8_t> rsdt = Header("RSDT");
  Put(rsdt, 36, kAcpiRsdpAddress + kMadtOffset, 4);
  Finish(rsdt);
  const std::vector<uint8_t> madt = Madt(config);

  // RSDP (ACPI 6.4 5.2.5.3), revision 0: the 20-byte ACPI 1.0 structure,
  // its checksum over those 20 bytes.
  std::vector<uint8_t> out(kMadtOffset + madt.size(), 0);
  PutChars(out, 0, "RSD PTR ");
  PutChars(out, 9, "X64SIM");
  out[15] = 0;  // revision 0: RSDT only
  Put(out, 16, kAcpiRsdpAddress + kRsdtOffset, 4);
  out[8] = AcpiChecksum(out.data(), 20);
  std::memcpy(out.data() + kRsdtOffset, rsdt.data(), rsdt.size());
  std::memcpy(out.data() + kMadtOffset, madt.data(), madt.size());
  return out;
}

}  // namespace x64sim
