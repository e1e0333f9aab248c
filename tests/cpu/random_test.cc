// RDRAND and RDSEED (SDM vol. 2B): CF = 1 and OF SF ZF AF PF clear, the
// destination written at its operand size, and a sequence that depends
// only on the seed, so runs repeat exactly.
#include <cstdint>
#include <vector>

#include "gtest/gtest.h"
#include "tests/cpu/long_mode_machine.h"

namespace x64sim::testing {
namespace {

// rdrand rax; rdseed rcx; rdrand edx; rdrand si (SDM vol. 2B: 0F C7 /6 and /7, mod = 11).
const std::vector<uint8_t> kCode = {0x48, 0x0f, 0xc7, 0xf0, 0x48, 0x0f, 0xc7, 0xf9,
                                    0x0f, 0xc7, 0xf2, 0x66, 0x0f, 0xc7, 0xf6};

struct Draw {
  uint64_t rax, rcx, rdx, rsi, rflags;
};

Draw DrawWithSeed(uint64_t seed) {
  LongModeMachine m;
  CpuState& s = m.state();
  s.random_state = seed;
  s.gpr[kRdx] = 0xffffffff00000000ull;
  s.gpr[kRsi] = 0x1111222233334444ull;
  s.rflags = kFlagsFixed1 | kOF | kSF | kZF | kAF | kPF;
  EXPECT_EQ(m.Run(kCode).vector, -1);
  return {s.gpr[kRax], s.gpr[kRcx], s.gpr[kRdx], s.gpr[kRsi], s.rflags};
}

TEST(RandomTest, FlagsAndOperandSizes) {
  const Draw d = DrawWithSeed(7);
  EXPECT_EQ(d.rflags & kArithFlags, kCF);
  EXPECT_EQ(d.rdx >> 32, 0u) << "a 32-bit destination zeroes the upper half";
  EXPECT_EQ(d.rsi & ~0xffffull, 0x1111222233330000ull) << "a 16-bit destination keeps bits 16-63";
  EXPECT_NE(d.rax, d.rcx);
}

TEST(RandomTest, TheSeedDecidesTheSequence) {
  const Draw a = DrawWithSeed(42), b = DrawWithSeed(42), c = DrawWithSeed(43);
  EXPECT_EQ(a.rax, b.rax);
  EXPECT_EQ(a.rcx, b.rcx);
  EXPECT_EQ(a.rdx, b.rdx);
  EXPECT_NE(a.rax, c.rax);
  // SplitMix64's first output for seed 0 (its published test vector).
  EXPECT_EQ(DrawWithSeed(0).rax, 0xe220a8397b1dcdafull);
}

}  // namespace
}  // namespace x64sim::testing
