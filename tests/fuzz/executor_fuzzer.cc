// Fuzz target: arbitrary bytes as code, in every mode x64sim knows, at
// CPL 0 and 3, with random registers, page permissions and control bits,
// for a bounded number of instructions, priced by the skylake model or
// not. Whatever the bytes do, the run must end in a stop x64sim
// documents, every fault must reach the guest as an exception, and the
// invariants of FuzzMachine::BrokenInvariant must hold afterwards.
//
// Input: [timed] [mode] [cpl] [control bits: CR0.WP off, SMEP, SMAP, PGE,
// NXE off, CR0.AM] [rflags:4] [code, stack, 4 data PTE
// flags: 2 each] [16 x (kind, value:8)] [8 XMM registers: 16 each] [code].
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "mmu/paging_bits.h"
#include "tests/fuzz/fuzz_input.h"
#include "tests/fuzz/fuzz_machine.h"
#include "uarch/loader.h"

namespace x64sim::fuzz {
namespace {

constexpr uint64_t kMaxInstructions = 2000;

[[noreturn]] void Fail(const std::string& what) {
  std::fprintf(stderr, "executor: %s\n", what.c_str());
  std::abort();
}

FuzzMode TakeMode(FuzzInput& in) {
  switch (in.Take<uint8_t>() % 16) {
    case 8: case 9: case 10: return FuzzMode::kCompat32;
    case 11: return FuzzMode::kLegacyPae;
    case 12: return FuzzMode::kVm86;
    case 13: return FuzzMode::kLegacyFlat;
    case 14: return FuzzMode::kProtected16;
    case 15: return FuzzMode::kReal;
    default: return FuzzMode::kLong64;
  }
}

// Flag bits of a leaf PTE, as a change from a present, writable page
// (user-accessible at CPL 3): all zeros is a page the code can use.
uint64_t TakePte(FuzzInput& in, int cpl) {
  const uint16_t v = in.Take<uint16_t>();
  uint64_t pte = v & 0x17f;  // P R/W U/S PWT PCD A D (PAT) G
  pte ^= paging::kPteP | paging::kPteRw | (cpl ? paging::kPteUs : 0);
  if (v & 0x8000) pte |= paging::kPteXd;
  return pte;
}

FuzzSetup TakeSetup(FuzzInput& in) {
  FuzzSetup s;
  s.mode = TakeMode(in);
  s.cpl = in.Bit() ? 3 : 0;
  const uint8_t control = in.Take<uint8_t>();
  s.cr0_wp = !(control & 1);
  s.cr4_smep = control & 2;
  s.cr4_smap = control & 4;
  s.cr4_pge = control & 8;
  s.efer_nxe = !(control & 16);
  s.cr0_am = control & 32;
  s.rflags = in.Take<uint32_t>();
  s.code_pte = TakePte(in, s.cpl);
  s.stack_pte = TakePte(in, s.cpl);
  for (uint64_t& pte : s.data_pte) pte = TakePte(in, s.cpl);
  for (uint64_t& r : s.gpr) {
    const bool pointer = in.Bit();
    const uint64_t v = in.Take<uint64_t>();
    // Half the registers point into the data pages, so memory operands
    // mostly reach mapped memory.
    r = pointer ? FuzzMachine::kDataPages + v % (FuzzMachine::kDataPageCount * 4096) : v;
  }
  for (int i = 0; i < 8; ++i) {
    for (uint8_t& b : s.xmm[i]) b = in.Take<uint8_t>();
  }
  s.code = in.Rest();
  return s;
}

const UarchDescription& Skylake() {
  static const UarchDescription* d = [] {
    absl::StatusOr<UarchDescription> loaded = LoadUarch("skylake");
    if (!loaded.ok()) Fail(std::string(loaded.status().message()));
    return new UarchDescription(*std::move(loaded));
  }();
  return *d;
}

void CheckStop(const StopInfo& stop) {
  switch (stop.reason) {
    case StopReason::kHaltedForever:
    case StopReason::kInstructionLimit:
      return;
    case StopReason::kTripleFault:
    case StopReason::kUnimplemented:
      if (stop.detail.empty()) Fail("a stop without a description");
      return;
    default:
      Fail("unexpected stop: " + stop.detail);
  }
}

}  // namespace
}  // namespace x64sim::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace x64sim::fuzz;
  FuzzInput in(data, size);
  const bool timed = in.Bit();
  const FuzzSetup setup = TakeSetup(in);
  FuzzMachine machine(timed ? &Skylake() : nullptr);
  machine.Setup(setup);
  const x64sim::StopInfo stop = machine.Run(kMaxInstructions);
  CheckStop(stop);
  if (std::string broken = machine.BrokenInvariant(); !broken.empty()) Fail(broken);
  if (machine.cpu().instret() > kMaxInstructions) Fail("ran past the instruction limit");
  return 0;
}
