// x64sim's documented choices where the SDM leaves results undefined or the
// host differs: undefined flags are cleared (cpu/host_flags.h) whatever the
// input flags, so runs are reproducible on any host (the differential tests
// check it on every run; this names the rule per kind), and 16-bit BSWAP
// gives 0.
#include <string>

#include "gtest/gtest.h"
#include "tests/cpu/differential_forms.h"

namespace x64sim::testing {
namespace {

struct Case {
  const char* text;
  std::vector<uint8_t> code;
  uint64_t undefined;  // SDM vol. 2, per instruction
};

TEST(UndefinedFlagsTest, ClearedWhateverTheInputFlags) {
  const Case cases[] = {
      {"mul ecx", {0xf7, 0xe1}, kSF | kZF | kAF | kPF},
      {"imul eax, ecx", {0x0f, 0xaf, 0xc1}, kSF | kZF | kAF | kPF},
      {"div ecx", {0xf7, 0xf1}, kArithFlags},
      {"and eax, ecx", {0x21, 0xc8}, kAF},
      {"shl eax, 3", {0xc1, 0xe0, 0x03}, kAF | kOF},
      {"rol eax, 3", {0xc1, 0xc0, 0x03}, kOF},
      {"bt eax, ecx", {0x0f, 0xa3, 0xc8}, kOF | kSF | kAF | kPF},
      {"bsf eax, ecx", {0x0f, 0xbc, 0xc1}, kCF | kOF | kSF | kAF | kPF},
      {"shld ax, dx, 20", {0x66, 0x0f, 0xa4, 0xd0, 0x14}, kArithFlags},
  };
  DifferentialMachine machine;
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    machine.SetCode(c.code);
    for (uint64_t flags_in : {kFlagsFixed1, kFlagsFixed1 | kArithFlags}) {
      MachineState in, out;
      in.gpr[kRax] = 0x12345678;
      in.gpr[kRcx] = 0x9;
      in.gpr[kRdx] = 0x1;
      in.gpr[kRsp] = kStackTop;
      in.rflags = flags_in;
      SimOutcome o = machine.RunSim(in, &out);
      ASSERT_TRUE(o.clean) << o.detail;
      EXPECT_EQ(out.rflags & c.undefined, 0u);
    }
  }
}

TEST(UndefinedFlagsTest, SixteenBitBswapClearsTheRegister) {
  // SDM vol. 2 BSWAP: undefined for 16-bit operands; x64sim writes 0.
  DifferentialMachine machine;
  machine.SetCode({0x66, 0x0f, 0xc8});  // bswap ax
  MachineState in, out;
  in.gpr[kRax] = 0x1122334455667788ull;
  in.gpr[kRsp] = kStackTop;
  ASSERT_TRUE(machine.RunSim(in, &out).clean);
  EXPECT_EQ(out.gpr[kRax], 0x1122334455660000ull);
}

}  // namespace
}  // namespace x64sim::testing
