// A small machine for running arbitrary bytes as code: 4 MiB of RAM, the
// first 2 MiB identity-mapped with 4 KiB pages, descriptor tables for
// 64-bit, compatibility and legacy 32-bit protected mode at CPL 0 and 3,
// and an IDT whose every vector leads to a HLT stub. The fuzzer picks the
// mode, the CPL, control-register bits within what the SDM allows, the
// registers and the permissions of the pages the code may touch.
#ifndef X64SIM_TESTS_FUZZ_FUZZ_MACHINE_H_
#define X64SIM_TESTS_FUZZ_FUZZ_MACHINE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "cpu/cpu.h"
#include "cpu/io_bus.h"
#include "mmu/mmu.h"
#include "mmu/physical_memory.h"
#include "uarch/core_model.h"
#include "uarch/description.h"

namespace x64sim::fuzz {

enum class FuzzMode : uint8_t {
  kLong64,         // IA-32e, CS.L = 1
  kCompat32,       // IA-32e, CS.L = 0, CS.D = 1
  kLegacyPae,      // protected mode, PAE paging
  kLegacyFlat,     // protected mode, paging off
  kProtected16,    // protected mode, CS.D = 0: 16-bit code
  kVm86,           // protected mode, paging off, EFLAGS.VM: virtual-8086 mode at segment 0xFFFF
  kReal,           // CR0.PE = 0: real-address mode at segment 0xFFFF
};

struct FuzzSetup {
  FuzzMode mode = FuzzMode::kLong64;
  int cpl = 0;
  uint64_t gpr[16] = {};
  uint64_t rflags = 2;
  bool cr0_wp = true;
  bool cr0_am = false;  // with EFLAGS.AC at CPL 3: alignment checking
  bool cr4_smep = false;
  bool cr4_smap = false;
  bool cr4_pge = false;
  bool efer_nxe = true;
  // PTE flag bits (P, R/W, U/S, PWT, PCD, A, D, G and XD) of the code
  // page, the stack page and the data pages.
  uint64_t code_pte = 0;
  uint64_t stack_pte = 0;
  uint64_t data_pte[4] = {};
  uint8_t xmm[16][16] = {};
  std::vector<uint8_t> code;  // at most one page
};

class FuzzMachine {
 public:
  static constexpr uint64_t kRamBytes = 4ull << 20;
  static constexpr uint64_t kCodePage = 0x100000;
  static constexpr uint64_t kStackPage = 0x101000;
  static constexpr uint64_t kDataPages = 0x102000;  // four pages
  static constexpr int kDataPageCount = 4;
  static constexpr uint64_t kRepSlice = 256;  // elements (Cpu::set_rep_slice)

  // With a description, the machine prices execution with its core model
  // (and its MMU has the description's TLBs).
  explicit FuzzMachine(const UarchDescription* uarch = nullptr);

  void Setup(const FuzzSetup& setup);
  StopInfo Run(uint64_t max_instructions) { return cpu_.Run(max_instructions); }

  // Empty when the architectural invariants that hold after any instruction
  // hold now; otherwise the first one broken.
  std::string BrokenInvariant() const;

  Cpu& cpu() { return cpu_; }

 private:
  class NoPorts : public IoBus {
   public:
    uint32_t In(uint16_t, int) override { return 0xffffffff; }
    void Out(uint16_t, int, uint32_t) override {}
  };

  void BuildTables();
  void Put64(uint64_t phys, uint64_t v) { memory_.CopyIn(phys, &v, 8); }
  void Put32(uint64_t phys, uint32_t v) { memory_.CopyIn(phys, &v, 4); }
  void MapPage(uint64_t linear, uint64_t pte_flags);

  PhysicalMemory memory_;
  Mmu mmu_;
  NoPorts ports_;
  Cpu cpu_;
  std::unique_ptr<CoreModel> model_;
};

}  // namespace x64sim::fuzz

#endif  // X64SIM_TESTS_FUZZ_FUZZ_MACHINE_H_
