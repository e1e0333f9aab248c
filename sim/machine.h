// The whole PC: RAM and MMIO, the MMU, one core, COM1, the debug-exit port
// and the local APIC, wired together. Nothing here reads flags or files.
#ifndef X64SIM_SIM_MACHINE_H_
#define X64SIM_SIM_MACHINE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "cpu/cpu.h"
#include "mmu/mmu.h"
#include "mmu/physical_memory.h"
#include "mmu/walk_observers.h"
#include "sim/debug_exit.h"
#include "sim/local_apic.h"
#include "sim/multiboot_loader.h"
#include "sim/port_bus.h"
#include "sim/uart16550.h"
#include "uarch/core_model.h"
#include "uarch/description.h"

namespace x64sim {

struct MachineConfig {
  uint64_t ram_bytes = 512ull << 20;
  // Receives every byte the guest writes to COM1.
  std::function<void(uint8_t)> console = [](uint8_t) {};
  bool stop_on_unimplemented = false;
  bool tlb_model = true;  // Mmu::set_tlb_model
  // The core and its TLBs. Without one the MMU has the built-in Skylake
  // geometry and there is no timing model.
  const UarchDescription* uarch = nullptr;
  bool timing = true;        // price execution with the uarch's model
  bool fast_forward = false;  // run functionally until the guest's region of interest begins
};

// What the guest's region of interest (guest/roi) covered.
struct RegionOfInterest {
  bool begun = false;
  bool ended = false;
  uint64_t begin_cycles = 0, begin_instructions = 0;
  uint64_t end_cycles = 0, end_instructions = 0;
};

class Machine {
 public:
  explicit Machine(MachineConfig config);

  // Loads a multiboot image and puts the core in the state the Multiboot
  // specification defines for its entry.
  absl::Status Boot(const std::vector<uint8_t>& kernel, const std::string& cmdline,
                    const std::vector<BootModule>& modules);

  StopInfo Run(uint64_t max_instructions) { return cpu_.Run(max_instructions); }

  // Writes the statistics report ("name value" lines, by section).
  void PrintStats(std::ostream& out) const;

  // Lets another observer (the MMU tracer) watch translations too.
  void AddWalkObserver(WalkObserver* observer);

  Cpu& cpu() { return cpu_; }
  const CoreModel* core_model() const { return core_model_.get(); }
  const RegionOfInterest& region_of_interest() const { return roi_; }
  Mmu& mmu() { return mmu_; }
  PhysicalMemory& memory() { return memory_; }
  const BootImage& boot_image() const { return boot_; }

 private:
  void OnMarker(uint32_t command);

  MachineConfig config_;
  PhysicalMemory memory_;
  Mmu mmu_;
  PortBus ports_;
  Cpu cpu_;
  Uart16550 com1_;
  DebugExit debug_exit_;
  LocalApic apic_;
  BootImage boot_;
  WalkObservers walk_observers_;
  std::unique_ptr<CoreModel> core_model_;
  RegionOfInterest roi_;
};

}  // namespace x64sim

#endif  // X64SIM_SIM_MACHINE_H_
