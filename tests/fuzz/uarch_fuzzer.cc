// Fuzz target: the microarchitecture description reader. The input is
// parsed as a whole description (a clear error or a description), and its
// lines are applied to the shipped skylake model as --uarch-set would; a
// description that loads then prices a short program without crashing,
// hanging or breaking the machine's invariants.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "tests/fuzz/fuzz_machine.h"
#include "uarch/description_parser.h"
#include "uarch/loader.h"

namespace x64sim::fuzz {
namespace {

[[noreturn]] void Fail(const std::string& what) {
  std::fprintf(stderr, "uarch: %s\n", what.c_str());
  std::abort();
}

// A loop of loads, stores, arithmetic and a call, in 64-bit mode: touches
// the caches, the TLBs, the branch predictor and the return stack.
//   mov ecx, 50
// top: mov rax, [rbx]; add rax, rcx; mov [rbx + rcx*8], rax; imul rax, rax
//   call f; dec ecx; jnz top; hlt
// f: ret
const std::vector<uint8_t> kProgram = {
    0xb9, 0x32, 0x00, 0x00, 0x00,        // mov ecx, 50
    0x48, 0x8b, 0x03,                    // mov rax, [rbx]
    0x48, 0x01, 0xc8,                    // add rax, rcx
    0x48, 0x89, 0x04, 0xcb,              // mov [rbx + rcx*8], rax
    0x48, 0x0f, 0xaf, 0xc0,              // imul rax, rax
    0xe8, 0x05, 0x00, 0x00, 0x00,        // call f
    0xff, 0xc9,                          // dec ecx
    0x75, 0xe9,                          // jnz top
    0xf4,                                // hlt
    0xc3,                                // f: ret
};

void RunProgram(const UarchDescription& d) {
  FuzzMachine machine(&d);
  FuzzSetup s;
  s.code_pte = s.stack_pte = 0x3;
  for (uint64_t& pte : s.data_pte) pte = 0x3;
  s.gpr[3] = FuzzMachine::kDataPages;
  s.code = kProgram;
  machine.Setup(s);
  const StopInfo stop = machine.Run(10000);
  if (stop.reason != StopReason::kHaltedForever) Fail("the program did not reach its HLT: " + stop.detail);
  if (machine.cpu().cycles() == 0) Fail("a run that took no cycles");
  if (std::string broken = machine.BrokenInvariant(); !broken.empty()) Fail(broken);
}

}  // namespace
}  // namespace x64sim::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace x64sim;
  const std::string text(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<UarchDescription> whole = ParseUarch(text, "fuzz.uarch");
  if (!whole.ok() && whole.status().message().find("fuzz.uarch") == std::string::npos) {
    fuzz::Fail("an error that does not name the file: " + std::string(whole.status().message()));
  }
  std::vector<std::string> lines = absl::StrSplit(text, '\n', absl::SkipEmpty());
  absl::StatusOr<UarchDescription> changed = LoadUarch("skylake", nullptr, lines);
  if (changed.ok()) fuzz::RunProgram(*changed);
  return 0;
}
