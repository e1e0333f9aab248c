#include "tests/cpu/sse_differential.h"

#include <signal.h>
#include <ucontext.h>
#include <xmmintrin.h>

#include <csetjmp>
#include <cstring>
#include <iterator>

#include "gtest/gtest.h"

namespace x64sim::testing {

namespace {

constexpr uint64_t kMemOffset = 64;  // keeps RSI 16-byte aligned on both sides

// An unmasked SIMD exception on the host arrives as SIGFPE; the handler
// takes MXCSR from the interrupted context and jumps back.
sigjmp_buf g_fault_jump;
uint32_t g_fault_mxcsr;

void OnSigfpe(int, siginfo_t*, void* context) {
  g_fault_mxcsr = static_cast<ucontext_t*>(context)->uc_mcontext.fpregs->mxcsr;
  siglongjmp(g_fault_jump, 1);
}

}  // namespace

uint32_t RunUnderMxcsr(uint32_t mxcsr, const std::function<void()>& run, bool* faulted) {
  struct sigaction action = {}, old;
  action.sa_sigaction = &OnSigfpe;
  action.sa_flags = SA_SIGINFO;
  sigaction(SIGFPE, &action, &old);
  const uint32_t saved = _mm_getcsr();
  uint32_t after;
  *faulted = sigsetjmp(g_fault_jump, 1) != 0;
  if (!*faulted) {
    _mm_setcsr(mxcsr);
    run();
    after = _mm_getcsr();
  } else {
    after = g_fault_mxcsr;
  }
  _mm_setcsr(saved);
  sigaction(SIGFPE, &old, nullptr);
  return after;
}

namespace {

uint32_t RunOnHost(const NativeCode& native, uint32_t mxcsr, RegisterImage* image, bool* faulted) {
  return RunUnderMxcsr(mxcsr, [&] { native.Run(image); }, faulted);
}

}  // namespace

std::vector<SseForm> RegisterAndMemoryForms(const std::string& name,
                                            const std::vector<uint8_t>& opcode, int imm) {
  std::vector<SseForm> forms;
  for (bool mem : {false, true}) {
    SseForm f{name + (mem ? " xmm0,[rsi]" : " xmm0,xmm1"), opcode};
    f.bytes.push_back(mem ? 0x06 : 0xc1);
    if (imm >= 0) {
      f.text += "," + std::to_string(imm);
      f.bytes.push_back(static_cast<uint8_t>(imm));
    }
    forms.push_back(f);
  }
  return forms;
}

void FillIntegerValue(std::mt19937_64& rng, uint8_t* v) {
  const int width = 1 << (rng() % 4);  // lane bytes
  const int kind = static_cast<int>(rng() % 3);
  for (int at = 0; at < 16; at += width) {
    const uint64_t top = 1ull << (8 * width - 1);  // the sign bit
    uint64_t x = rng();
    if (kind == 1) {
      const uint64_t edges[] = {0, 1, ~0ull, top, top - 1, top + 1, top - 2, 2, ~1ull, 0x7f, 0x80};
      x = edges[rng() % std::size(edges)];
    } else if (kind == 2) {
      x = rng() % 64 - 32;
    }
    std::memcpy(v + at, &x, width);
  }
}

int CompareIntegerForms(const std::vector<SseForm>& forms, int rounds,
                        const std::function<void(std::mt19937_64&, SseRun&)>& adjust) {
  int runs = 0;
  for (size_t f = 0; f < forms.size(); ++f) {
    SseDifferential d(forms[f].bytes);
    std::mt19937_64 rng(f + 1);
    for (int round = 0; round < rounds; ++round) {
      SseRun run;
      for (auto& reg : run.regs.xmm) FillIntegerValue(rng, reg);
      for (int i = 0; i < SseRun::kMemBytes; i += 16) FillIntegerValue(rng, run.mem + i);
      if (rng() % 8 == 0) {
        std::memcpy(run.regs.xmm[1], run.regs.xmm[0], 16);
        std::memcpy(run.mem, run.regs.xmm[0], 16);
      }
      run.regs.rax = rng();
      run.regs.rcx = rng();
      run.regs.rdx = rng();
      run.regs.rdi = rng();
      run.regs.rflags = 0x2 | (rng() & 0x8d5);
      if (adjust) adjust(rng, run);
      if (!d.Matches(run, forms[f].text + " round " + std::to_string(round))) return runs;
      ++runs;
    }
  }
  return runs;
}

// Edge values: ±0, ±inf, QNaN, SNaN, smallest and largest denormal, min and
// max normal, 1, values near 1 that round differently per mode, -1 (for SQRT).
const uint32_t kFloatEdges[] = {
    0x00000000, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00000, 0x7fa00000,
    0x00000001, 0x807fffff, 0x00800000, 0x7f7fffff, 0xff7fffff, 0x3f800000,
    0x3f800001, 0x33800000, 0xbf800000, 0x40400000,
};
const uint64_t kDoubleEdges[] = {
    0x0000000000000000, 0x8000000000000000, 0x7ff0000000000000, 0xfff0000000000000,
    0x7ff8000000000000, 0x7ff4000000000000, 0x0000000000000001, 0x800fffffffffffff,
    0x0010000000000000, 0x7fefffffffffffff, 0xffefffffffffffff, 0x3ff0000000000000,
    0x3ff0000000000001, 0x3ca0000000000000, 0xbff0000000000000, 0x4008000000000000,
};

void FillFloatValue(std::mt19937_64& rng, uint8_t* v) {
  switch (rng() % 4) {
    case 0:
      for (int i = 0; i < 4; ++i) std::memcpy(v + 4 * i, &kFloatEdges[rng() % 16], 4);
      break;
    case 1:
      for (int i = 0; i < 2; ++i) std::memcpy(v + 8 * i, &kDoubleEdges[rng() % 16], 8);
      break;
    case 2:
      for (int i = 0; i < 16; ++i) v[i] = static_cast<uint8_t>(rng());
      break;
    default:
      for (int i = 0; i < 2; ++i) {
        uint64_t x = (rng() & 0x800fffffffffffffull) | ((0x3f0ull + rng() % 32) << 52);
        if (rng() & 1) x = (x & 0xffffffff807fffffull) | ((0x70ull + rng() % 32) << 23);
        std::memcpy(v + 8 * i, &x, 8);
      }
  }
}

uint32_t MaskedMxcsr(int mode) {
  return 0x1f80 | ((mode & 3) << 13) | ((mode & 4) ? 0x40 : 0) | ((mode & 8) ? 0x8000 : 0);
}

uint32_t SdmPrecisionFlag(uint32_t mxcsr, uint32_t at_fault,
                          const std::function<uint32_t(uint32_t)>& run_masked) {
  constexpr uint32_t kPre = 0x07, kOverUnder = 0x18, kPrecision = 0x20;
  const uint32_t unmasked = at_fault & ~(mxcsr >> 7) & 0x3f;
  if ((unmasked & kPre) || !(unmasked & kOverUnder)) return 0;
  uint32_t masked = mxcsr | 0x1f80;
  if (!(mxcsr & 0x800)) masked &= ~0x8000u;
  return run_masked(masked) & kPrecision;
}

uint32_t SseDifferential::SdmPrecisionFlag(const SseRun& run, uint32_t at_fault) {
  return x64sim::testing::SdmPrecisionFlag(run.mxcsr, at_fault, [&](uint32_t masked) {
    RegisterImage image = run.regs;
    image.rsi = reinterpret_cast<uint64_t>(host_mem_.data()) + kMemOffset;
    bool faulted;
    return RunOnHost(native_, masked, &image, &faulted);
  });
}

SseDifferential::SseDifferential(const std::vector<uint8_t>& bytes)
    : bytes_(bytes), native_(bytes), host_mem_(4096) {}

bool SseDifferential::Matches(const SseRun& run, const std::string& what) {
  RegisterImage host = run.regs;
  host.rsi = reinterpret_cast<uint64_t>(host_mem_.data()) + kMemOffset;
  std::memcpy(host_mem_.data() + kMemOffset, run.mem, SseRun::kMemBytes);
  bool host_faulted;
  uint32_t host_mxcsr = RunOnHost(native_, run.mxcsr, &host, &host_faulted);
  if (host_faulted) host_mxcsr |= SdmPrecisionFlag(run, host_mxcsr);

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
  EXPECT_EQ(out.vector, host_faulted ? kSimdError : -1) << what;
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

void ExpectLegacySseGate(const std::vector<uint8_t>& code) {
  LongModeMachine m;
  m.state().gpr[kRsi] = LongModeMachine::kData;
  m.state().cr0 |= kCr0TS;
  EXPECT_EQ(m.Run(code).vector, kDeviceNotAvailable);
  m.state().cr0 |= kCr0EM;
  EXPECT_EQ(m.Run(code).vector, kInvalidOpcode);
  m.state().cr0 &= ~(kCr0EM | kCr0TS);
  m.state().cr4 &= ~kCr4OSFXSR;
  EXPECT_EQ(m.Run(code).vector, kInvalidOpcode);
}

}  // namespace x64sim::testing
