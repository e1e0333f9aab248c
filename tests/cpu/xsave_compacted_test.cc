// The compacted XSAVE format (cpu/ops_xsave.cc): XSAVEC/XSAVES and the
// compacted XRSTOR/XRSTORS against the offsets CPUID leaf 0xD reports, their
// header rules and faults, IA32_XSS, XGETBV with ECX = 1, and XSAVEC and
// compacted XRSTOR against the host CPU.
#include <cpuid.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "gtest/gtest.h"
#include "tests/cpu/system_machine.h"

namespace x64sim::testing {
namespace {

using M = SystemMachine;
constexpr uint64_t kArea = M::kData;  // 64-byte aligned
constexpr uint64_t kCompacted = 1ull << 63;

const std::vector<uint8_t> kXsavec = {0x0f, 0xc7, 0x27};          // xsavec [rdi]
const std::vector<uint8_t> kXsavec64 = {0x48, 0x0f, 0xc7, 0x27};  // xsavec64 [rdi]
const std::vector<uint8_t> kXsaves = {0x0f, 0xc7, 0x2f};          // xsaves [rdi]
const std::vector<uint8_t> kXrstor = {0x0f, 0xae, 0x2f};          // xrstor [rdi]
const std::vector<uint8_t> kXrstors = {0x0f, 0xc7, 0x1f};         // xrstors [rdi]
const std::vector<uint8_t> kXsave = {0x0f, 0xae, 0x27};           // xsave [rdi]

struct Machine {
  Machine() {
    m.cpu().WriteCr4(m.state().cr4 | kCr4OSXSAVE);
    m.state().xcr0 = 7;
  }
  int Run(const std::vector<uint8_t>& code, uint64_t rfbm) {
    m.state().gpr[kRax] = rfbm & 0xffffffff;
    m.state().gpr[kRdx] = rfbm >> 32;
    m.state().gpr[kRdi] = kArea;
    return m.Run(code).vector;
  }
  void Fill(uint64_t bytes, uint64_t pattern) {
    for (uint64_t off = 0; off < bytes; off += 8) m.Put64(kArea + off, pattern);
  }
  CpuState& s() { return m.state(); }
  M m;
};

struct CpuidRegs {
  uint32_t eax, ebx, ecx, edx;
};

CpuidRegs GuestCpuid(Machine& x, uint32_t leaf, uint32_t subleaf) {
  x.s().gpr[kRax] = leaf;
  x.s().gpr[kRcx] = subleaf;
  EXPECT_EQ(x.m.Run({0x0f, 0xa2}).vector, -1);
  const uint64_t* g = x.s().gpr;
  return {static_cast<uint32_t>(g[kRax]), static_cast<uint32_t>(g[kRbx]), static_cast<uint32_t>(g[kRcx]),
          static_cast<uint32_t>(g[kRdx])};
}

TEST(XsaveCompactedTest, CpuidAdvertisesTheCompactionExtensions) {
  Machine x;
  const CpuidRegs sub1 = GuestCpuid(x, 0xd, 1);
  EXPECT_EQ(sub1.eax, 0xfu) << "XSAVEOPT, XSAVEC, XGETBV ECX=1, XSAVES";
  EXPECT_EQ(sub1.ebx, 832u) << "compacted size of XCR0 = 7";
  EXPECT_EQ(sub1.ecx | sub1.edx, 0u) << "no IA32_XSS bit supported";
  x.s().xcr0 = 3;
  EXPECT_EQ(GuestCpuid(x, 0xd, 1).ebx, 576u);
  const CpuidRegs avx = GuestCpuid(x, 0xd, 2);
  EXPECT_EQ(avx.ecx, 0u) << "user state, not 64-byte aligned when compacted";
  EXPECT_EQ(GuestCpuid(x, 0xd, 3).eax, 0u) << "no component 3";
}

// XSAVEC writes XSTATE_BV = RFBM and XCOMP_BV = RFBM | bit 63, leaves header
// bytes 63:16 alone, and packs AVX where CPUID's sizes and alignment put it.
TEST(XsaveCompactedTest, XsavecLayoutFollowsCpuid) {
  Machine x;
  const CpuidRegs avx = GuestCpuid(x, 0xd, 2);
  uint32_t avx_offset = 576;
  if (avx.ecx & 2) avx_offset = (avx_offset + 63) & ~63u;
  for (int i = 0; i < 16; ++i) std::memset(x.s().sse.ymm_hi[i], 0xa0 + i, 16);
  for (int i = 0; i < 16; ++i) std::memset(x.s().sse.xmm[i], 0x10 + i, 16);
  x.s().sse.mxcsr = 0x1f00;
  for (uint64_t rfbm : {uint64_t{7}, uint64_t{5}, uint64_t{4}, uint64_t{3}}) {
    x.Fill(1024, 0xcccccccccccccccc);
    ASSERT_EQ(x.Run(kXsavec, rfbm), -1) << rfbm;
    EXPECT_EQ(x.m.Get64(kArea + 512), rfbm);
    EXPECT_EQ(x.m.Get64(kArea + 520), rfbm | kCompacted);
    for (int off = 528; off < 576; off += 8) EXPECT_EQ(x.m.Get64(kArea + off), 0xccccccccccccccccull);
    // MXCSR goes with SSE only (XSAVE also stores it with AVX alone).
    EXPECT_EQ(x.m.Get64(kArea + 24) & 0xffffffff, (rfbm & 2) ? 0x1f00u : 0xccccccccu) << rfbm;
    EXPECT_EQ(x.m.Get64(kArea + 160), (rfbm & 2) ? 0x1010101010101010ull : 0xccccccccccccccccull);
    const uint32_t end = avx_offset + ((rfbm & 4) ? avx.eax : 0);
    if (rfbm & 4) {
      EXPECT_EQ(x.m.Get64(kArea + avx_offset), 0xa0a0a0a0a0a0a0a0ull);
      EXPECT_EQ(x.m.Get64(kArea + end - 8), 0xafafafafafafafafull);
    }
    EXPECT_EQ(x.m.Get64(kArea + end), 0xccccccccccccccccull) << "nothing past the compacted size";
  }
}

// XRSTOR of a compacted image: what XSTATE_BV names comes back; SSE
// requested but not saved initialises the XMM registers and MXCSR (the
// compacted form ignores RFBM[2] for MXCSR).
TEST(XsaveCompactedTest, CompactedRestore) {
  Machine x;
  for (int i = 0; i < 16; ++i) std::memset(x.s().sse.ymm_hi[i], 0xa0 + i, 16);
  for (int i = 0; i < 16; ++i) std::memset(x.s().sse.xmm[i], 0x10 + i, 16);
  x.s().sse.mxcsr = 0x1f00;
  x.s().sse.fcw = 0x27f;
  ASSERT_EQ(x.Run(kXsavec, 7), -1);
  std::memset(x.s().sse.ymm_hi, 0, sizeof(x.s().sse.ymm_hi));
  std::memset(x.s().sse.xmm, 0, sizeof(x.s().sse.xmm));
  x.s().sse.mxcsr = 0x1f80;
  x.s().sse.fcw = 0x37f;
  ASSERT_EQ(x.Run(kXrstor, 7), -1);
  EXPECT_EQ(x.s().sse.ymm_hi[15][0], 0xaf);
  EXPECT_EQ(x.s().sse.xmm[15][0], 0x1f);
  EXPECT_EQ(x.s().sse.mxcsr, 0x1f00u);
  EXPECT_EQ(x.s().sse.fcw, 0x27f);
  x.m.Put64(kArea + 512, 5);  // SSE not saved
  ASSERT_EQ(x.Run(kXrstor, 6), -1);
  EXPECT_EQ(x.s().sse.xmm[15][0], 0);
  EXPECT_EQ(x.s().sse.mxcsr, 0x1f80u);
  EXPECT_EQ(x.s().sse.ymm_hi[15][0], 0xaf);
  // AVX alone requested: the compacted form leaves MXCSR alone.
  x.s().sse.mxcsr = 0x1fc0;
  ASSERT_EQ(x.Run(kXrstor, 4), -1);
  EXPECT_EQ(x.s().sse.mxcsr, 0x1fc0u);
  // XCOMP_BV without AVX: XSTATE_BV may not name it; without it, AVX is
  // initialised.
  x.m.Put64(kArea + 520, 3 | kCompacted);
  EXPECT_EQ(x.Run(kXrstor, 7), kGeneralProtection);
  x.m.Put64(kArea + 512, 3);
  ASSERT_EQ(x.Run(kXrstor, 7), -1);
  EXPECT_EQ(x.s().sse.ymm_hi[15][0], 0);
}

TEST(XsaveCompactedTest, CompactedHeaderFaults) {
  Machine x;
  x.s().xcr0 = 3;
  x.Fill(576, 0);
  x.m.Put64(kArea + 24, 0x1f80);
  x.m.Put64(kArea + 512, 3);
  x.m.Put64(kArea + 520, 3 | kCompacted);
  ASSERT_EQ(x.Run(kXrstor, 3), -1);
  ASSERT_EQ(x.Run(kXrstors, 3), -1);
  x.m.Put64(kArea + 520, 7 | kCompacted);  // AVX, which XCR0 lacks
  EXPECT_EQ(x.Run(kXrstor, 3), kGeneralProtection);
  EXPECT_EQ(x.Run(kXrstors, 3), kGeneralProtection);
  x.m.Put64(kArea + 520, 3 | kCompacted);
  x.m.Put64(kArea + 568, 1);  // a reserved header byte
  EXPECT_EQ(x.Run(kXrstor, 3), kGeneralProtection);
  x.m.Put64(kArea + 568, 0);
  x.m.Put64(kArea + 512, 3 | kCompacted);  // XSTATE_BV bit 63
  EXPECT_EQ(x.Run(kXrstor, 3), kGeneralProtection);
  x.m.Put64(kArea + 512, 3);
  x.m.Put64(kArea + 24, 0x10000);  // a reserved MXCSR bit, loaded with SSE
  EXPECT_EQ(x.Run(kXrstor, 3), kGeneralProtection);
  EXPECT_EQ(x.Run(kXrstor, 1), -1) << "MXCSR not loaded without SSE requested";
  x.m.Put64(kArea + 24, 0x1f80);
  // XRSTORS needs the compacted format; the standard form ignores bytes 63:24.
  x.m.Put64(kArea + 520, 0);
  EXPECT_EQ(x.Run(kXrstors, 3), kGeneralProtection);
  x.m.Put64(kArea + 560, 1);
  EXPECT_EQ(x.Run(kXrstor, 3), -1);
  x.m.Put64(kArea + 528, 1);  // bytes 23:16
  EXPECT_EQ(x.Run(kXrstor, 3), kGeneralProtection);
  EXPECT_EQ(x.Run(kXsavec, 3), -1);
  EXPECT_EQ(x.m.Get64(kArea + 528), 1u) << "XSAVEC leaves bytes 63:16 alone";
}

// XSAVES and XRSTORS are CPL 0 only (#GP(0)); #UD/#NM come first; all of
// the family needs a 64-byte aligned area.
TEST(XsaveCompactedTest, PrivilegeAndAlignment) {
  for (const auto& code : {kXsaves, kXrstors}) {
    Machine x;
    x.m.Load(M::kUserCode, code);
    x.m.SetPteFlags(kArea, M::kPteFlags | 4);
    x.m.EnterUser(M::kUserStackTop);
    x.s().gpr[kRdi] = kArea;
    x.s().gpr[kRax] = 3;
    M::Result r = x.m.RunFrom(M::kUserCode);
    EXPECT_EQ(r.outcome.vector, kGeneralProtection);
    EXPECT_EQ(r.frame.error_code, 0u);
    EXPECT_EQ(r.frame.rip, M::kUserCode);
  }
  Machine x;
  x.s().gpr[kRdi] = kArea + 32;
  x.s().gpr[kRax] = 3;
  EXPECT_EQ(x.m.Run(kXsavec).vector, kGeneralProtection);  // misaligned
  x.m.cpu().WriteCr0(x.s().cr0 | kCr0TS);
  EXPECT_EQ(x.Run(kXsaves, 3), kDeviceNotAvailable);
  x.m.cpu().WriteCr4(x.s().cr4 & ~kCr4OSXSAVE);
  EXPECT_EQ(x.Run(kXsavec, 3), kInvalidOpcode);
  EXPECT_EQ(x.Run(kXrstors, 3), kInvalidOpcode);
}

// IA32_XSS (0xDA0) supports no component: it reads 0, takes 0, and any
// other value (PT, bit 8, on a Skylake client) is #GP(0).
TEST(XsaveCompactedTest, XssAndXgetbvOne) {
  Machine x;
  x.s().gpr[kRcx] = 0xda0;
  x.s().gpr[kRax] = x.s().gpr[kRdx] = 0;
  EXPECT_EQ(x.m.Run({0x0f, 0x30}).vector, -1);  // wrmsr 0
  for (uint64_t bad : {uint64_t{1} << 8, uint64_t{4}, uint64_t{1} << 32}) {
    x.s().gpr[kRcx] = 0xda0;
    x.s().gpr[kRax] = bad & 0xffffffff;
    x.s().gpr[kRdx] = bad >> 32;
    EXPECT_EQ(x.m.Run({0x0f, 0x30}).vector, kGeneralProtection) << bad;
  }
  x.s().gpr[kRcx] = 0xda0;
  x.s().gpr[kRax] = x.s().gpr[kRdx] = ~0ull;
  EXPECT_EQ(x.m.Run({0x0f, 0x32}).vector, -1);  // rdmsr
  EXPECT_EQ(x.s().gpr[kRax] | x.s().gpr[kRdx], 0u);
  x.s().gpr[kRcx] = 1;
  EXPECT_EQ(x.m.Run({0x0f, 0x01, 0xd0}).vector, -1);  // xgetbv: XCR0 AND XINUSE
  EXPECT_EQ(x.s().gpr[kRax], 7u);
  EXPECT_EQ(x.s().gpr[kRdx], 0u);
  x.s().gpr[kRcx] = 2;
  EXPECT_EQ(x.m.Run({0x0f, 0x01, 0xd0}).vector, kGeneralProtection);
}

// ---- Against the host ----

constexpr int kAreaSize = 832;

// A standard-format image of non-initial x87, SSE and AVX state (so the
// host's XINUSE is all ones too), with the x87 pointers and opcode zero and
// no pending x87 exception (AMD stores them only with one pending).
void MakeImage(uint32_t seed, uint8_t* img) {
  uint32_t v = seed * 2654435761u + 1;
  for (int i = 0; i < kAreaSize; ++i) {
    v = v * 1103515245u + 12345u;
    img[i] = static_cast<uint8_t>(v >> 16);
  }
  std::memset(img, 0, 32);
  const uint16_t fcw = 0x27f, fsw = static_cast<uint16_t>((seed << 11) & 0x3800);  // TOP only
  std::memcpy(img, &fcw, 2);
  std::memcpy(img + 2, &fsw, 2);
  img[4] = static_cast<uint8_t>(0x80 | seed);  // abridged tags
  const uint32_t mxcsr = 0x1f80 ^ ((seed & 3) << 13);  // rounding control
  std::memcpy(img + 24, &mxcsr, 4);
  for (int i = 0; i < 8; ++i) std::memset(img + 32 + 16 * i + 10, 0, 6);
  std::memset(img + 416, 0, 96);
  std::memset(img + 512, 0, 64);
  img[512] = 7;  // XSTATE_BV
}

bool HostHasXsavec() {
  unsigned a, b, c, d;
  if (!__get_cpuid_count(0xd, 1, &a, &b, &c, &d) || !(a & 2)) return false;
  __get_cpuid_count(1, 0, &a, &b, &c, &d);
  return (c >> 27 & 1) && (c >> 28 & 1);  // OSXSAVE, AVX
}

// XRSTOR of `img`, then XSAVEC of `rfbm` into `out`, on the host; the host's
// own state is saved around them.
void HostXsavec(const uint8_t* img, uint64_t rfbm, bool rex_w, uint8_t* out) {
  alignas(64) static uint8_t saved[4096];
  const uint32_t lo = static_cast<uint32_t>(rfbm), hi = static_cast<uint32_t>(rfbm >> 32);
  if (rex_w) {
    asm volatile("mov $-1, %%eax; mov $-1, %%edx; xsave %[s]; mov $7, %%eax; xor %%edx, %%edx; xrstor %[i];"
                 "mov %[lo], %%eax; mov %[hi], %%edx; xsavec64 %[o];"
                 "mov $-1, %%eax; mov $-1, %%edx; xrstor %[s]"
                 : [s] "+m"(saved), [o] "=m"(*reinterpret_cast<uint8_t(*)[kAreaSize]>(out))
                 : [i] "m"(*reinterpret_cast<const uint8_t(*)[kAreaSize]>(img)), [lo] "r"(lo), [hi] "r"(hi)
                 : "eax", "edx", "memory");
  } else {
    asm volatile("mov $-1, %%eax; mov $-1, %%edx; xsave %[s]; mov $7, %%eax; xor %%edx, %%edx; xrstor %[i];"
                 "mov %[lo], %%eax; mov %[hi], %%edx; xsavec %[o];"
                 "mov $-1, %%eax; mov $-1, %%edx; xrstor %[s]"
                 : [s] "+m"(saved), [o] "=m"(*reinterpret_cast<uint8_t(*)[kAreaSize]>(out))
                 : [i] "m"(*reinterpret_cast<const uint8_t(*)[kAreaSize]>(img)), [lo] "r"(lo), [hi] "r"(hi)
                 : "eax", "edx", "memory");
  }
}

void PutBytes(Machine& x, const uint8_t* bytes, int n) {
  for (int off = 0; off < n; off += 8) {
    uint64_t v;
    std::memcpy(&v, bytes + off, 8);
    x.m.Put64(kArea + off, v);
  }
}

void GetBytes(Machine& x, uint8_t* bytes, int n) {
  for (int off = 0; off < n; off += 8) {
    const uint64_t v = x.m.Get64(kArea + off);
    std::memcpy(bytes + off, &v, 8);
  }
}

// MXCSR_MASK (bytes 31:28) is the one field the host may fill differently
// (AMD's misaligned-exception mask bit 17).
void ClearMxcsrMask(uint8_t* area) { std::memset(area + 28, 0, 4); }

TEST(XsaveCompactedTest, XsavecMatchesTheHost) {
  if (!HostHasXsavec()) GTEST_SKIP() << "the host lacks XSAVEC or AVX";
  int cases = 0;
  for (uint32_t seed = 0; seed < 4; ++seed) {
    alignas(64) uint8_t img[kAreaSize];
    MakeImage(seed, img);
    for (uint64_t rfbm = 1; rfbm <= 7; ++rfbm) {
      for (bool rex_w : {false, true}) {
        alignas(64) uint8_t host[kAreaSize], sim[kAreaSize];
        std::memset(host, 0xcc, sizeof(host));
        HostXsavec(img, rfbm, rex_w, host);
        Machine x;
        PutBytes(x, img, kAreaSize);
        ASSERT_EQ(x.Run(kXrstor, 7), -1);
        std::memset(sim, 0xcc, sizeof(sim));
        PutBytes(x, sim, kAreaSize);
        ASSERT_EQ(x.Run(rex_w ? kXsavec64 : kXsavec, rfbm), -1);
        GetBytes(x, sim, kAreaSize);
        ClearMxcsrMask(host);
        ClearMxcsrMask(sim);
        for (int i = 0; i < kAreaSize; ++i) {
          ASSERT_EQ(sim[i], host[i]) << "byte " << i << " seed " << seed << " rfbm " << rfbm << " rex.w " << rex_w;
        }
        // The host's compacted image restored by x64sim gives back the state
        // (its reserved header bytes, left as they were, cleared first).
        std::memset(host + 528, 0, 48);
        Machine y;
        PutBytes(y, host, kAreaSize);
        ASSERT_EQ(y.Run(kXrstor, rfbm), -1);
        ASSERT_EQ(y.Run(kXsave, rfbm), -1);  // over the same area: now standard-format parts
        if (rfbm & 4) {
          for (int off = 576; off < kAreaSize; off += 8) {
            uint64_t want;
            std::memcpy(&want, img + off, 8);
            ASSERT_EQ(y.m.Get64(kArea + off), want) << off;
          }
        }
        if (rfbm & 2) {
          uint64_t want;
          std::memcpy(&want, img + 160 + 8 * seed, 8);
          ASSERT_EQ(y.m.Get64(kArea + 160 + 8 * seed), want);
        }
        ++cases;
      }
    }
  }
  EXPECT_EQ(cases, 56);
}

}  // namespace
}  // namespace x64sim::testing
