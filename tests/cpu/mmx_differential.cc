#include "tests/cpu/mmx_differential.h"

#include <xmmintrin.h>

#include <cstring>
#include <iterator>

#include "gtest/gtest.h"

namespace x64sim::testing {

namespace {

constexpr int kFsw = 2, kFtw = 4, kFop = 6, kMxcsr = 24, kSt = 32, kXmm = 160;
// fxrstor [rsi] before the code; fxsave [rsi] and fninit after (the same
// bytes in 64-bit and 32-bit mode).
const std::vector<uint8_t> kPrologue = {0x0f, 0xae, 0x0e};
const std::vector<uint8_t> kEpilogue = {0x0f, 0xae, 0x06, 0xdb, 0xe3};

std::vector<uint8_t> Wrap(const std::vector<uint8_t>& code) {
  std::vector<uint8_t> wrapped = kPrologue;
  wrapped.insert(wrapped.end(), code.begin(), code.end());
  wrapped.insert(wrapped.end(), kEpilogue.begin(), kEpilogue.end());
  return wrapped;
}

void PutDisp32(std::vector<uint8_t>& code, uint32_t disp) {
  for (int i = 0; i < 4; ++i) code.push_back(static_cast<uint8_t>(disp >> (8 * i)));
}

}  // namespace

std::vector<uint8_t> WithMemory(std::vector<uint8_t> opcode, int reg) {
  opcode.push_back(static_cast<uint8_t>(0x86 | (reg << 3)));  // [rsi + disp32]
  PutDisp32(opcode, kMmxMemOffset);
  return opcode;
}

std::vector<uint8_t> WithRegisters(std::vector<uint8_t> opcode, int reg, int rm) {
  opcode.push_back(static_cast<uint8_t>(0xc0 | (reg << 3) | rm));
  return opcode;
}

void MmxValues::Integers(uint8_t* v, int bytes) {
  for (int at = 0; at < bytes; at += 8) {
    const int width = 1 << (rng_() % 4);  // lane bytes
    const int kind = static_cast<int>(rng_() % 3);
    for (int lane = 0; lane < 8; lane += width) {
      const uint64_t top = 1ull << (8 * width - 1);  // the sign bit
      uint64_t x = rng_();
      if (kind == 1) {
        const uint64_t edges[] = {0,       1, ~0ull, top,  top - 1, top + 1,
                                  top - 2, 2, ~1ull, 0x7f, 0x80};
        x = edges[rng_() % std::size(edges)];
      } else if (kind == 2) {
        x = rng_() % 80 - 8;  // small numbers: shift counts below and past every width
      }
      std::memcpy(v + at + lane, &x, width);
    }
  }
}

void MmxValues::Floats(uint8_t* v, int bytes) {
  const bool doubles = rng_() & 1;
  for (int at = 0; at < bytes; at += doubles ? 8 : 4) {
    if (doubles) {
      const double pool[] = {0.0, -0.0, 0.5, 1.5, 2.5, -2.5, 2147483647.0, 2147483647.5,
                             2147483648.0, -2147483648.0, -2147483648.5, -2147483649.0,
                             1e300, -1e-310, __builtin_inf(), __builtin_nan("")};
      const double random = static_cast<double>(static_cast<int64_t>(rng_()));
      double d = (rng_() & 1) ? pool[rng_() % std::size(pool)] : random / (1ull << (rng_() % 40));
      std::memcpy(v + at, &d, 8);
    } else {
      const float pool[] = {0.0f, -0.0f, 0.5f, 1.5f, -2.5f, 2147483520.0f, 2147483648.0f,
                            -2147483648.0f, -2147483904.0f, 1e-40f, __builtin_inff(),
                            __builtin_nanf("")};
      const float random = static_cast<float>(static_cast<int32_t>(rng_()));
      float f = (rng_() & 1) ? pool[rng_() % std::size(pool)] : random / (1u << (rng_() % 20));
      std::memcpy(v + at, &f, 4);
    }
  }
}

MmxRun MmxValues::State() {
  MmxRun run;
  uint8_t* image = run.image;
  // Every x87 exception masked (so none is pending), any precision and rounding.
  const uint16_t fcw = static_cast<uint16_t>(0x007f | (rng_() & 0x0f00));
  const uint16_t top = static_cast<uint16_t>(rng_() % 8);
  const uint16_t fsw = static_cast<uint16_t>((top << 11) | (rng_() & 0x4700) | (rng_() & 0x3f));
  std::memcpy(image, &fcw, 2);
  std::memcpy(image + kFsw, &fsw, 2);
  image[kFtw] = static_cast<uint8_t>(rng_() % 3 == 0 ? 0 : rng_());
  const uint32_t mxcsr = 0x1f80 | static_cast<uint32_t>(rng_() & 0xe000) | (rng_() & 0x40);
  std::memcpy(image + kMxcsr, &mxcsr, 4);
  for (int r = 0; r < 8; ++r) {
    Integers(image + kSt + 16 * r, 8);
    const uint16_t exponent = static_cast<uint16_t>(rng_());
    std::memcpy(image + kSt + 16 * r + 8, &exponent, 2);
  }
  for (int r = 0; r < 4; ++r) {
    if (rng_() & 1) Integers(image + kXmm + 16 * r, 16);
    else Floats(image + kXmm + 16 * r, 16);
  }
  for (int at = 0; at < static_cast<int>(sizeof(run.mem)); at += 16) {
    if (rng_() & 1) Integers(run.mem + at, 16);
    else Floats(run.mem + at, 16);
  }
  if (rng_() % 8 == 0) std::memcpy(run.mem, image + kSt + 16, 8);  // memory = MM1
  run.rax = rng_();
  run.rcx = rng_();
  run.rdx = rng_();
  run.rflags = 0x2 | (rng_() & 0x8d5);
  return run;
}

MmxDifferential::MmxDifferential(const std::vector<uint8_t>& code, uint8_t options)
    : code_(Wrap(code)), options_(options), native_(code_), host_mem_(4096) {
  if (options_ & kProtected32) {
    protected32_ = std::make_unique<Protected32>();
    protected32_->SetCode(code_);
  }
}

bool MmxDifferential::Matches(const MmxRun& run, const std::string& what, int skip_from,
                              int skip_to) {
  uint8_t* host = host_mem_.data();
  std::memcpy(host, run.image, kFxImageBytes);
  std::memcpy(host + kMmxMemOffset, run.mem, sizeof(run.mem));
  RegisterImage regs{};
  regs.rsi = reinterpret_cast<uint64_t>(host);
  regs.rdi = regs.rsi + kMmxMemOffset;
  regs.rax = run.rax;
  regs.rcx = run.rcx;
  regs.rdx = run.rdx;
  regs.rflags = run.rflags;
  const uint32_t saved_mxcsr = _mm_getcsr();  // FXRSTOR loaded the run's
  native_.Run(&regs);
  _mm_setcsr(saved_mxcsr);
  if (options_ & kSdmSwitch) {
    // TOP = 0, every tag valid; the image holds ST(0)-ST(7), so physical
    // register p moves from ST((p - TOP) & 7) to ST(p).
    const int top = (host[kFsw + 1] >> 3) & 7;
    uint8_t st[8][16];
    for (int p = 0; p < 8; ++p) std::memcpy(st[p], host + kSt + 16 * ((p - top) & 7), 16);
    std::memcpy(host + kSt, st, sizeof(st));
    host[kFsw + 1] &= 0xc7;
    host[kFtw] = 0xff;
  }

  LongModeMachine& m = protected32_ ? protected32_->m : long_mode_;
  CpuState& s = m.state();
  constexpr uint64_t kImage = LongModeMachine::kData;
  m.memory().CopyIn(kImage, run.image, kFxImageBytes);
  m.memory().CopyIn(kImage + kMmxMemOffset, run.mem, sizeof(run.mem));
  s.gpr[kRsi] = kImage;
  s.gpr[kRdi] = kImage + kMmxMemOffset;
  s.gpr[kRax] = run.rax;
  s.gpr[kRcx] = run.rcx;
  s.gpr[kRdx] = run.rdx;
  s.rflags = run.rflags;
  const int vector = protected32_ ? protected32_->Run() : long_mode_.Run(code_).vector;
  uint8_t sim[kFxImageBytes + sizeof(run.mem)];
  m.memory().CopyOut(kImage, sim, sizeof(sim));

  EXPECT_EQ(vector, -1) << what;
  EXPECT_EQ(0, std::memcmp(sim, host, kFop)) << "FCW, FSW, FTW, " << what;
  EXPECT_EQ(0, std::memcmp(sim + kMxcsr, host + kMxcsr, 4)) << "MXCSR, " << what;
  for (int r = 0; r < 8; ++r) {
    EXPECT_EQ(0, std::memcmp(sim + kSt + 16 * r, host + kSt + 16 * r, 10)) << "ST/MM" << r << ", "
                                                                           << what;
  }
  for (int r = 0; r < 4; ++r) {
    EXPECT_EQ(0, std::memcmp(sim + kXmm + 16 * r, host + kXmm + 16 * r, 16)) << "XMM" << r << ", "
                                                                             << what;
  }
  for (int b = 0; b < static_cast<int>(sizeof(run.mem)); ++b) {
    if (b >= skip_from && b < skip_to) continue;
    EXPECT_EQ(sim[kMmxMemOffset + b], host[kMmxMemOffset + b]) << "memory byte " << b << ", "
                                                               << what;
  }
  if (!protected32_) {  // the 32-bit side has 32-bit registers
    EXPECT_EQ(s.gpr[kRax], regs.rax) << what;
    EXPECT_EQ(s.gpr[kRcx], regs.rcx) << what;
    EXPECT_EQ(s.gpr[kRdx], regs.rdx) << what;
  } else {
    EXPECT_EQ(static_cast<uint32_t>(s.gpr[kRax]), static_cast<uint32_t>(regs.rax)) << what;
  }
  EXPECT_EQ(s.rflags & kArithFlags, regs.rflags & kArithFlags) << what;
  return !::testing::Test::HasFailure();
}

}  // namespace x64sim::testing
