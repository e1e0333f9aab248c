#include "tests/cpu/sse_differential.h"

#include <xmmintrin.h>

#include <cstring>

#include "gtest/gtest.h"

namespace x64sim::testing {

namespace {
constexpr uint64_t kMemOffset = 64;  // keeps RSI 16-byte aligned on both sides
}  // namespace

uint32_t MaskedMxcsr(int mode) {
  return 0x1f80 | ((mode & 3) << 13) | ((mode & 4) ? 0x40 : 0) | ((mode & 8) ? 0x8000 : 0);
}

SseDifferential::SseDifferential(const std::vector<uint8_t>& bytes)
    : bytes_(bytes), native_(bytes), host_mem_(4096) {}

bool SseDifferential::Matches(const SseRun& run, const std::string& what) {
  RegisterImage host = run.regs;
  host.rsi = reinterpret_cast<uint64_t>(host_mem_.data()) + kMemOffset;
  std::memcpy(host_mem_.data() + kMemOffset, run.mem, SseRun::kMemBytes);
  const uint32_t host_saved = _mm_getcsr();
  _mm_setcsr(run.mxcsr);
  native_.Run(&host);
  const uint32_t host_mxcsr = _mm_getcsr();
  _mm_setcsr(host_saved);

  CpuState& s = machine_.state();
  s.sse.mxcsr = run.mxcsr;
  std::memcpy(s.sse.xmm, run.regs.xmm, sizeof(run.regs.xmm));
  s.gpr[kRax] = run.regs.rax;
  s.gpr[kRcx] = run.regs.rcx;
  s.gpr[kRdx] = run.regs.rdx;
  s.gpr[kRdi] = run.regs.rdi;
  s.gpr[kRsi] = LongModeMachine::kData + kMemOffset;
  s.rflags = run.regs.rflags;
  machine_.memory().CopyIn(LongModeMachine::kData + kMemOffset, run.mem, SseRun::kMemBytes);
  LongModeMachine::Outcome out = machine_.Run(bytes_);
  EXPECT_EQ(out.vector, -1) << what;
  for (int r = 0; r < 4; ++r) {
    EXPECT_EQ(0, std::memcmp(s.sse.xmm[r], host.xmm[r], 16)) << "xmm" << r << ", " << what;
  }
  EXPECT_EQ(s.gpr[kRax], host.rax) << what;
  EXPECT_EQ(s.gpr[kRcx], host.rcx) << what;
  EXPECT_EQ(s.gpr[kRdx], host.rdx) << what;
  EXPECT_EQ(s.gpr[kRdi], host.rdi) << what;
  EXPECT_EQ(s.rflags & kArithFlags, host.rflags & kArithFlags) << what;
  EXPECT_EQ(s.sse.mxcsr, host_mxcsr) << what;
  uint8_t mem[SseRun::kMemBytes];
  machine_.memory().CopyOut(LongModeMachine::kData + kMemOffset, mem, SseRun::kMemBytes);
  EXPECT_EQ(0, std::memcmp(mem, host_mem_.data() + kMemOffset, SseRun::kMemBytes)) << what;
  return !::testing::Test::HasFailure();
}

}  // namespace x64sim::testing
