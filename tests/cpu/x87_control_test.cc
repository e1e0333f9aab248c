// The x87 control instructions against the host CPU (control and status
// words after FNINIT, FLDCW of every reserved-bit pattern, FNCLEX) and,
// in x64sim alone, their #NM and #MF rules (SDM vol. 3A table 2-2, vol. 1
// 8.6) and the FXSAVE image they leave.
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/cpu/differential_forms.h"
#include "tests/cpu/long_mode_machine.h"

namespace x64sim::testing {
namespace {

// fninit; fldcw [rbx+0x18]; fnstcw [rbx+0x20]; fnstsw [rbx+0x22]; fwait;
// fnclex; fnstsw ax
const std::vector<uint8_t> kSequence = {0xdb, 0xe3, 0xd9, 0x6b, 0x18, 0xd9, 0x7b, 0x20,
                                        0xdd, 0x7b, 0x22, 0x9b, 0xdb, 0xe2, 0xdf, 0xe0};

TEST(X87ControlTest, ControlAndStatusWordsMatchTheHost) {
  Differential d;
  d.machine.SetCode(kSequence);
  std::vector<uint64_t> words = {0x0000, 0xffff, 0x037f, 0x027f, 0x1234, 0x0c7f, 0x1f40, 0xe0bf};
  for (int i = 0; i < 24; ++i) words.push_back(d.values.Random(2));
  for (uint64_t w : words) {
    MachineState s = d.Fresh();
    // Every exception masked, or none pending: FWAIT must not fault.
    s.Store(kMemAddr, w | 0x3f, 2);
    ASSERT_TRUE(d.checker.Check(FormName("x87 control sequence", "fldcw"), s, Expect{}))
        << std::hex << w;
  }
}

TEST(X87ControlTest, DeviceNotAvailableRules) {
  struct Case {
    std::vector<uint8_t> code;
    uint64_t cr0;
    int vector;
  };
  const Case cases[] = {
      {{0xdb, 0xe3}, kCr0TS, kDeviceNotAvailable},           // fninit, TS
      {{0xdb, 0xe3}, kCr0EM, kDeviceNotAvailable},           // fninit, EM
      {{0xdf, 0xe0}, kCr0TS, kDeviceNotAvailable},           // fnstsw ax
      {{0x9b}, kCr0TS, -1},                                  // fwait: TS alone is fine
      {{0x9b}, kCr0TS | kCr0MP, kDeviceNotAvailable},        // fwait: MP and TS
      {{0x9b}, kCr0EM, -1},                                  // fwait ignores EM
  };
  for (const Case& c : cases) {
    LongModeMachine m;
    m.state().cr0 &= ~(kCr0TS | kCr0EM | kCr0MP);
    m.state().cr0 |= c.cr0;
    EXPECT_EQ(m.Run(c.code).vector, c.vector) << "cr0 " << std::hex << c.cr0 << " code "
                                              << static_cast<int>(c.code[0]);
  }
}

TEST(X87ControlTest, UnmaskedPendingExceptionRaisesMathFaultOnWait) {
  LongModeMachine m;
  m.state().sse.fsw = 0x0001;  // IE, as an FXRSTOR image could leave it
  m.state().gpr[kRsp] -= 16;
  // mov word [rsp], 0x037e (IE unmasked); fldcw [rsp]; fwait
  const std::vector<uint8_t> code = {0x66, 0xc7, 0x04, 0x24, 0x7e, 0x03,
                                     0xd9, 0x2c, 0x24, 0x9b};
  EXPECT_EQ(m.Run(code).vector, kFpuError);
  EXPECT_EQ(m.state().sse.fsw & 0x8080, 0x8080) << "ES and B set";
  // FNCLEX clears it; then FWAIT passes.
  LongModeMachine clean;
  clean.state().sse.fsw = 0x0001;
  clean.state().sse.fcw = 0x037e;
  EXPECT_EQ(clean.Run({0xdb, 0xe2, 0x9b}).vector, -1);
  EXPECT_EQ(clean.state().sse.fsw, 0);
}

TEST(X87ControlTest, FninitResetsWhatFxsaveSaves) {
  LongModeMachine m;
  m.state().sse.fcw = 0x0040;
  m.state().sse.fsw = 0x00ff;
  m.state().sse.ftw = 0x0f;
  EXPECT_EQ(m.Run({0xdb, 0xe3}).vector, -1);
  EXPECT_EQ(m.state().sse.fcw, 0x037f);
  EXPECT_EQ(m.state().sse.fsw, 0);
  EXPECT_EQ(m.state().sse.ftw, 0) << "abridged tag word: all empty";
}

}  // namespace
}  // namespace x64sim::testing
