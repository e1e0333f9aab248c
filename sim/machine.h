// The whole PC: RAM and MMIO, the MMU, one core and the devices of
// docs/platform.md, wired together. Nothing here reads flags or files.
#ifndef X64SIM_SIM_MACHINE_H_
#define X64SIM_SIM_MACHINE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "checkpoint/checkpoint_file.h"
#include "checkpoint/state_archive.h"
#include "cpu/cpu.h"
#include "mmu/mmu.h"
#include "mmu/physical_memory.h"
#include "mmu/walk_observers.h"
#include "sim/debug_exit.h"
#include "sim/hpet.h"
#include "sim/interrupt_lines.h"
#include "sim/io_apic.h"
#include "sim/local_apic.h"
#include "sim/multiboot_loader.h"
#include "sim/pic_pair.h"
#include "sim/pit8254.h"
#include "sim/platform_clock.h"
#include "sim/platform_interrupts.h"
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
  // The core and its TLBs; it must outlive the Machine. Without one the MMU
  // has the built-in Skylake geometry and there is no timing model.
  const UarchDescription* uarch = nullptr;
  bool timing = true;        // price execution with the uarch's model
  bool fast_forward = false;  // run functionally until the guest's region of interest begins
  uint64_t rdrand_seed = 0;   // RDRAND/RDSEED's deterministic sequence (cpu/ops_random.cc)
  PlatformClock clock;        // the core's clock rate (--core-mhz)
  const CpuModel* cpu_model = &DefaultCpuModel();  // --cpuid
};

// The machine's counters at one moment.
struct MachineSnapshot {
  uint64_t cycles = 0;
  uint64_t instructions = 0;
  CoreCounters core;  // zero with timing off

  void Serialize(StateArchive& ar) { ar(cycles, instructions, core); }
};

// One region of interest the guest marked (guest/roi): the counters where
// it began and where it ended (or where the run stopped inside it).
struct RegionOfInterest {
  MachineSnapshot begin;
  MachineSnapshot end;
  bool ended = false;

  void Serialize(StateArchive& ar) { ar(begin, end, ended); }
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
  // Called when the guest kernel says it switched threads (kMarkerThreadSwitch).
  using ThreadSwitchObserver = std::function<void(uint64_t thread, const std::string& name)>;
  void set_thread_switch_observer(ThreadSwitchObserver observer) { on_thread_switch_ = std::move(observer); }

  // Reads guest memory at a linear address through the current page tables
  // as a supervisor (SMAP aside) without changing any state: no TLB fill,
  // no accessed bit, no fault. Stops at the first byte not mapped to RAM.
  std::string PeekVirtual(uint64_t linear, uint64_t length);
  bool PeekTranslate(uint64_t linear, uint64_t* phys);

  Cpu& cpu() { return cpu_; }
  const PlatformClock& clock() const { return config_.clock; }
  const CoreModel* core_model() const { return core_model_.get(); }
  // Every region the guest marked, in order; the last may still be open.
  const std::vector<RegionOfInterest>& regions() const { return regions_; }
  MachineSnapshot Snapshot() const;
  Mmu& mmu() { return mmu_; }
  PhysicalMemory& memory() { return memory_; }
  const BootImage& boot_image() const { return boot_; }

  // Checkpoints (sim/machine_checkpoint.cc, docs/checkpoints.md): the whole
  // machine as named sections, taken between two blocks (Cpu::set_boundary_hook).
  using StateSections = CheckpointSections;
  StateSections SaveState();
  // Loads sections into this machine, freshly built with the checkpoint's
  // RAM size and nothing run. With `warm` (this machine has the timing
  // description and TLB setting the checkpoint was taken with) the TLBs,
  // caches, predictor, pipeline and the core's fast path are loaded too;
  // otherwise they start empty, with the clock going on where it stood.
  absl::Status LoadState(const StateSections& sections, bool warm);
  // While on, the guest's checkpoint marker (kMarkerCheckpoint) runs the
  // CPU's boundary hook after the marker's block; otherwise it is a NOP.
  void set_checkpoint_requests(bool on) { checkpoint_requests_ = on; }

 private:
  void OnMarker(uint32_t command);
  // Times execution with the model, or not; the model watches translations
  // (its caches see the walks' reads) only while it times.
  void SetTiming(bool on);
  // Gives the MMU the observers, or none when there are none.
  void SetWalkObserver();
  void SerializeMachine(StateArchive& ar);
  void SerializeDevices(StateArchive& ar);

  MachineConfig config_;
  PhysicalMemory memory_;
  Mmu mmu_;
  PortBus ports_;
  Cpu cpu_;
  Uart16550 com1_;
  DebugExit debug_exit_;
  LocalApic apic_;
  IoApic io_apic_;
  PicPair pics_;
  InterruptLines lines_;  // the ISA lines and I/O APIC inputs the devices share
  Pit8254 pit_;
  Hpet hpet_;
  PlatformInterrupts interrupts_;
  BootImage boot_;
  WalkObservers walk_observers_;
  std::unique_ptr<CoreModel> core_model_;
  std::vector<RegionOfInterest> regions_;
  ThreadSwitchObserver on_thread_switch_;
  bool checkpoint_requests_ = false;
};

}  // namespace x64sim

#endif  // X64SIM_SIM_MACHINE_H_
