// The ACPI tables a PC's firmware leaves for the operating system (ACPI 6.4
// ch. 5), built from the machine's configuration: an RSDP in the BIOS area
// 0xE0000-0xFFFFF (where seL4 and Linux scan for "RSD PTR "), an RSDT
// naming a FADT (a hardware-reduced platform: no ACPI fixed hardware, no
// DSDT), a MADT listing the one processor's local APIC, the I/O APIC and
// the ISA interrupt overrides QEMU's pc machine reports, and the HPET's
// description table (IA-PC HPET 1.0a 3.2.4). No DSDT or DMAR: power
// management and an IOMMU are not modelled.
#ifndef X64SIM_SIM_ACPI_TABLES_H_
#define X64SIM_SIM_ACPI_TABLES_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "sim/hpet.h"

namespace x64sim {

struct AcpiConfig {
  uint32_t local_apic_address = 0xfee00000;
  uint32_t io_apic_address = 0xfec00000;
  uint8_t io_apic_id = 0;
  uint32_t io_apic_gsi_base = 0;
  uint64_t hpet_address = Hpet::kBase;
  uint32_t hpet_block_id = Hpet::kBlockId;
  uint16_t sci_interrupt = 9;  // as QEMU's pc machine
};

// Where the tables go: the RSDP at kAcpiRsdpAddress (16-byte aligned, in
// the BIOS area), the other tables after it, each 16-byte aligned.
inline constexpr uint64_t kAcpiRsdpAddress = 0xf5a00;

// The tables as bytes to place at kAcpiRsdpAddress.
std::vector<uint8_t> BuildAcpiTables(const AcpiConfig& config);

// The byte sum that makes a table's checksum valid (every byte of the table
// sums to 0 mod 256).
uint8_t AcpiChecksum(const uint8_t* bytes, size_t n);

}  // namespace x64sim

#endif  // X64SIM_SIM_ACPI_TABLES_H_
