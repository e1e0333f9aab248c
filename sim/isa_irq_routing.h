// Where an ISA interrupt line enters the I/O APIC: input n for IRQ n, but
// IRQ0 on input 2, as on QEMU's pc machine and in the MADT's interrupt
// source override (sim/acpi_tables.cc). The 8259 pair sees IRQ n on IR n
// of the master (0-7) or of the slave (8-15).
#ifndef X64SIM_SIM_ISA_IRQ_ROUTING_H_
#define X64SIM_SIM_ISA_IRQ_ROUTING_H_

namespace x64sim {

constexpr int IoApicPinOfIsaIrq(int irq) { return irq == 0 ? 2 : irq; }

}  // namespace x64sim

#endif  // X64SIM_SIM_ISA_IRQ_ROUTING_H_
