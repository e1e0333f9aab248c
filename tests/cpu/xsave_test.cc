// The XSAVE feature set (cpu/ops_xsave.cc): XGETBV/XSETBV, an XSAVE/XRSTOR
// round trip of the x87, SSE and AVX state, components XSTATE_BV marks as
// not saved coming back in their initial state, the header and alignment
// checks, and CPUID leaf 0xD (against the host's layout) and OSXSAVE.
#include <cpuid.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "gtest/gtest.h"
#include "tests/cpu/long_mode_machine.h"

namespace x64sim::testing {
namespace {

constexpr uint64_t kArea = LongModeMachine::kData;  // 64-byte aligned

// A long-mode machine with CR4.OSXSAVE set.
struct XsaveMachine {
  XsaveMachine() { m.cpu().WriteCr4(m.state().cr4 | kCr4OSXSAVE); }
  // EDX:EAX = `rfbm`, RDI = the area; runs `code`; the vector (-1: none).
  int Run(const std::vector<uint8_t>& code, uint64_t rfbm, uint64_t area = kArea) {
    m.state().gpr[kRax] = rfbm & 0xffffffff;
    m.state().gpr[kRdx] = rfbm >> 32;
    m.state().gpr[kRdi] = area;
    return m.Run(code).vector;
  }
  LongModeMachine m;
};

const std::vector<uint8_t> kXsave = {0x0f, 0xae, 0x27};       // xsave [rdi]
const std::vector<uint8_t> kXsaveopt = {0x0f, 0xae, 0x37};    // xsaveopt [rdi]
const std::vector<uint8_t> kXrstor = {0x0f, 0xae, 0x2f};      // xrstor [rdi]
const std::vector<uint8_t> kXgetbv = {0x0f, 0x01, 0xd0};
const std::vector<uint8_t> kXsetbv = {0x0f, 0x01, 0xd1};

TEST(XsaveTest, XcrZeroHoldsX87SseAndAvx) {
  XsaveMachine x;
  CpuState& s = x.m.state();
  s.gpr[kRcx] = 0;
  ASSERT_EQ(x.Run(kXgetbv, 0), -1);
  EXPECT_EQ(s.gpr[kRax], 1u);  // x87 at reset
  s.gpr[kRcx] = 0;
  ASSERT_EQ(x.Run(kXsetbv, 3), -1);
  EXPECT_EQ(s.xcr0, 3u);
  // x87 off; AVX without SSE (XCR0[2:1] = 10b); a component x64sim lacks.
  for (uint64_t bad : {uint64_t{2}, uint64_t{6}, uint64_t{5}, uint64_t{0xf}}) {
    s.gpr[kRcx] = 0;
    EXPECT_EQ(x.Run(kXsetbv, bad), kGeneralProtection) << bad;
  }
  EXPECT_EQ(s.xcr0, 3u);
  s.gpr[kRcx] = 0;
  ASSERT_EQ(x.Run(kXsetbv, 7), -1);
  EXPECT_EQ(s.xcr0, 7u);
}

// The AVX component (bits 255:128 of YMM0-15) at offset 576 of the
// standard format; XSTATE_BV without it zeroes them; not requested, they
// stay as they are.
TEST(XsaveTest, YmmUpperHalvesRoundTrip) {
  XsaveMachine x;
  CpuState& s = x.m.state();
  s.xcr0 = 7;
  for (int i = 0; i < 16; ++i) std::memset(s.sse.ymm_hi[i], 0x80 + i, 16);
  for (uint64_t off = 0; off < 832; off += 8) x.m.Put64(kArea + off, 0);
  x.m.Put64(kArea + 832, 0x1234);  // past the area: untouched
  ASSERT_EQ(x.Run(kXsave, ~0ull), -1);
  EXPECT_EQ(x.m.Get64(kArea + 512), 7u);
  EXPECT_EQ(x.m.Get64(kArea + 576), 0x8080808080808080ull);
  EXPECT_EQ(x.m.Get64(kArea + 576 + 15 * 16 + 8), 0x8f8f8f8f8f8f8f8full);
  EXPECT_EQ(x.m.Get64(kArea + 832), 0x1234u);
  for (int i = 0; i < 16; ++i) std::memset(s.sse.ymm_hi[i], 0, 16);
  ASSERT_EQ(x.Run(kXrstor, 4), -1);
  EXPECT_EQ(s.sse.ymm_hi[9][3], 0x89);
  x.m.Put64(kArea + 512, 3);  // AVX not saved: its initial state, zero
  ASSERT_EQ(x.Run(kXrstor, 7), -1);
  EXPECT_EQ(s.sse.ymm_hi[9][3], 0);
  std::memset(s.sse.ymm_hi[2], 0x22, 16);
  x.m.Put64(kArea + 512, 7);
  ASSERT_EQ(x.Run(kXrstor, 3), -1);  // AVX not requested
  EXPECT_EQ(s.sse.ymm_hi[2][0], 0x22);
  // The standard form stores and loads MXCSR with AVX requested, SSE not.
  s.sse.mxcsr = 0x1fc0;
  x.m.Put64(kArea + 24, 0);
  ASSERT_EQ(x.Run(kXsave, 4), -1);
  EXPECT_EQ(x.m.Get64(kArea + 24) & 0xffffffff, 0x1fc0u);
  x.m.Put64(kArea + 24, 0x1f80);
  ASSERT_EQ(x.Run(kXrstor, 4), -1);
  EXPECT_EQ(s.sse.mxcsr, 0x1f80u);
  // Without AVX requested, XSAVE writes nothing past byte 575.
  x.m.Put64(kArea + 576, 0x77);
  ASSERT_EQ(x.Run(kXsave, 3), -1);
  EXPECT_EQ(x.m.Get64(kArea + 576), 0x77u);
}

TEST(XsaveTest, RoundTripAndInitialStateForComponentsNotSaved) {
  XsaveMachine x;
  CpuState& s = x.m.state();
  s.xcr0 = 3;
  for (int i = 0; i < 16; ++i) std::memset(s.sse.xmm[i], 0x10 + i, 16);
  s.sse.mxcsr = 0x1fc0;
  s.sse.fcw = 0x27f;
  s.sse.ftw = 0x81;
  for (uint64_t off = 0; off < 576; off += 8) x.m.Put64(kArea + off, 0);
  ASSERT_EQ(x.Run(kXsave, ~0ull), -1);
  EXPECT_EQ(x.m.Get64(kArea + 512), 3u);  // XSTATE_BV
  EXPECT_EQ(x.m.Get64(kArea) & 0xffff, 0x27fu);
  EXPECT_EQ(x.m.Get64(kArea + 24) & 0xffffffff, 0x1fc0u);
  EXPECT_EQ(x.m.Get64(kArea + 160 + 15 * 16), 0x1f1f1f1f1f1f1f1full);

  for (int i = 0; i < 16; ++i) std::memset(s.sse.xmm[i], 0, 16);
  s.sse.mxcsr = 0x1f80;
  s.sse.fcw = 0x37f;
  ASSERT_EQ(x.Run(kXrstor, 3), -1);
  EXPECT_EQ(s.sse.xmm[7][0], 0x17);
  EXPECT_EQ(s.sse.mxcsr, 0x1fc0u);
  EXPECT_EQ(s.sse.fcw, 0x27f);
  EXPECT_EQ(s.sse.ftw, 0x81);

  // XSTATE_BV without SSE: XRSTOR zeroes the XMM registers, yet loads MXCSR.
  x.m.Put64(kArea + 512, 1);
  x.m.Put64(kArea + 24, 0x1f80);
  ASSERT_EQ(x.Run(kXrstor, 3), -1);
  EXPECT_EQ(s.sse.xmm[7][0], 0);
  EXPECT_EQ(s.sse.mxcsr, 0x1f80u);
  // Only x87 requested: SSE state untouched.
  std::memset(s.sse.xmm[3], 0x33, 16);
  ASSERT_EQ(x.Run(kXrstor, 1), -1);
  EXPECT_EQ(s.sse.xmm[3][0], 0x33);
  // XSAVEOPT saves as XSAVE does.
  ASSERT_EQ(x.Run(kXsaveopt, 2), -1);
  EXPECT_EQ(x.m.Get64(kArea + 160 + 3 * 16), 0x3333333333333333ull);
}

TEST(XsaveTest, Faults) {
  XsaveMachine x;
  x.m.state().xcr0 = 3;
  EXPECT_EQ(x.Run(kXsave, 3, kArea + 16), kGeneralProtection);  // not 64-byte aligned
  for (uint64_t off = 0; off < 576; off += 8) x.m.Put64(kArea + off, 0);
  x.m.Put64(kArea + 512, 4);  // XSTATE_BV names AVX, which XCR0 lacks
  EXPECT_EQ(x.Run(kXrstor, 3), kGeneralProtection);
  x.m.Put64(kArea + 512, 3);
  x.m.Put64(kArea + 520, 1);  // XCOMP_BV bits without bit 63
  EXPECT_EQ(x.Run(kXrstor, 3), kGeneralProtection);
  x.m.Put64(kArea + 520, 0);
  x.m.Put64(kArea + 24, 0x10000);  // a reserved MXCSR bit
  EXPECT_EQ(x.Run(kXrstor, 3), kGeneralProtection);
  x.m.cpu().WriteCr0(x.m.state().cr0 | kCr0TS);
  EXPECT_EQ(x.Run(kXsave, 3), kDeviceNotAvailable);
  LongModeMachine plain;  // CR4.OSXSAVE clear: #UD
  EXPECT_EQ(plain.Run(kXgetbv).vector, kInvalidOpcode);
  EXPECT_EQ(plain.Run(kXsave).vector, kInvalidOpcode);
}

TEST(XsaveTest, CpuidLeafDAndOsxsave) {
  XsaveMachine x;
  CpuState& s = x.m.state();
  s.gpr[kRax] = 0xd;
  s.gpr[kRcx] = 0;
  ASSERT_EQ(x.m.Run({0x0f, 0xa2}).vector, -1);
  EXPECT_EQ(s.gpr[kRax], 7u);    // x87, SSE and AVX
  EXPECT_EQ(s.gpr[kRbx], 576u);  // the size XCR0's components need
  EXPECT_EQ(s.gpr[kRcx], 832u);  // the size all of them need
  s.xcr0 = 7;
  s.gpr[kRax] = 0xd;
  s.gpr[kRcx] = 0;
  ASSERT_EQ(x.m.Run({0x0f, 0xa2}).vector, -1);
  EXPECT_EQ(s.gpr[kRbx], 832u);
  // Sub-leaf 2, the AVX component's size and offset, as on the host.
  s.gpr[kRax] = 0xd;
  s.gpr[kRcx] = 2;
  ASSERT_EQ(x.m.Run({0x0f, 0xa2}).vector, -1);
  unsigned eax, ebx, ecx, edx;
  ASSERT_TRUE(__get_cpuid_count(0xd, 2, &eax, &ebx, &ecx, &edx));
  EXPECT_EQ(s.gpr[kRax], 256u);
  EXPECT_EQ(s.gpr[kRbx], 576u);
  EXPECT_EQ(s.gpr[kRax], eax);
  EXPECT_EQ(s.gpr[kRbx], ebx);
  s.gpr[kRax] = 0xd;
  s.gpr[kRcx] = 1;
  ASSERT_EQ(x.m.Run({0x0f, 0xa2}).vector, -1);
  EXPECT_EQ(s.gpr[kRax], 0xfu);  // XSAVEOPT, XSAVEC, XGETBV ECX=1, XSAVES
  s.gpr[kRax] = 1;
  ASSERT_EQ(x.m.Run({0x0f, 0xa2}).vector, -1);
  EXPECT_TRUE(s.gpr[kRcx] & (1u << 27));  // OSXSAVE follows CR4
  EXPECT_TRUE(s.gpr[kRcx] & (1u << 26));  // XSAVE
}

}  // namespace
}  // namespace x64sim::testing
