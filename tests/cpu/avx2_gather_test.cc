// AVX2's gathers (VGATHERDPS/DPD/QPS/QPD, VPGATHERDD/DQ/QD/QQ) against the
// host with random masks, indices (negative ones too) and scales at both
// vector lengths; then in x64sim alone what the host cannot show safely:
// a fault part-way (the elements gathered so far kept, their mask cleared,
// the instruction restartable), masked-off elements on a missing page, and
// #UD when destination, index and mask are not three registers.
#include <cstring>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "gtest/gtest.h"
#include "tests/cpu/avx_differential.h"
#include "tests/cpu/long_mode_machine.h"

namespace x64sim::testing {
namespace {

struct GatherKind {
  const char* name;
  VexOpcode op;
  int index_bytes;
  int data_bytes;
};

const GatherKind kGathers[] = {
    {"vgatherdps", {2, 1, 0x92}, 4, 4}, {"vgatherdpd", {2, 1, 0x92, true}, 4, 8},
    {"vgatherqps", {2, 1, 0x93}, 8, 4}, {"vgatherqpd", {2, 1, 0x93, true}, 8, 8},
    {"vpgatherdd", {2, 1, 0x90}, 4, 4}, {"vpgatherdq", {2, 1, 0x90, true}, 4, 8},
    {"vpgatherqd", {2, 1, 0x91}, 8, 4}, {"vpgatherqq", {2, 1, 0x91, true}, 8, 8},
};

constexpr int kDisp = 0x20;

// "reg, [rsi + index*scale + kDisp], mask": ModRM.mod = 01, rm = 100 (SIB).
std::vector<uint8_t> GatherBytes(VexOpcode op, int length, int dst, int index, int mask,
                                 int scale_log2) {
  return VexBytes(op, length, mask,
                  {static_cast<uint8_t>(0x44 | dst << 3),
                   static_cast<uint8_t>(scale_log2 << 6 | index << 3 | 6), kDisp});
}

TEST(Avx2GatherTest, MatchesTheHost) {
  int runs = 0;
  for (const GatherKind& g : kGathers) {
    for (int length : {128, 256}) {
      for (int scale_log2 = 0; scale_log2 < 4; ++scale_log2) {
        const int scale = 1 << scale_log2;
        // ymm0 = gather [rsi + ymm2 * scale + kDisp] under mask ymm1; every
        // index stays within the 96 bytes of memory, some below kDisp.
        const std::string text =
            std::string(g.name) + " " + std::to_string(length) + " scale " + std::to_string(scale);
        std::vector<SseForm> forms = {{text, GatherBytes(g.op, length, 0, 2, 1, scale_log2)}};
        const int lowest = -kDisp / scale;
        const int highest = (AvxRun::kMemBytes - kDisp - g.data_bytes) / scale;
        auto indices = [&](std::mt19937_64& rng, AvxRun& run) {
          for (int i = 0; i < 32 / g.index_bytes; ++i) {
            const int64_t v = lowest + static_cast<int64_t>(rng() % (highest - lowest + 1));
            std::memcpy(run.regs.ymm[2] + i * g.index_bytes, &v, g.index_bytes);
          }
        };
        runs += CompareAvxForms(forms, 40, &FillIntegerValue, {0x1f80}, indices);
        if (::testing::Test::HasFailure()) return;
      }
    }
  }
  EXPECT_EQ(runs, 8 * 2 * 4 * 40);
}

// VPGATHERDD ymm0, [rsi + ymm2*4 + 0x20], ymm1 with elements 2..7 on a
// page that is not present.
class GatherFaultTest : public ::testing::Test {
 protected:
  static constexpr uint64_t kPage = LongModeMachine::kData + 0x5000;

  GatherFaultTest() {
    EnableAvx(m_);
    m_.SetPteFlags(kPage, 0);
    m_.state().gpr[kRsi] = kPage - 8 - kDisp;
    m_.Put64(kPage - 8, 0x2222222211111111);
    for (uint32_t i = 0; i < 8; ++i) {
      std::memcpy(Element(m_.state().sse.xmm[2], m_.state().sse.ymm_hi[2], i), &i, 4);
      const uint32_t old = 0xd0d0d000 + i;
      std::memcpy(Element(m_.state().sse.xmm[0], m_.state().sse.ymm_hi[0], i), &old, 4);
    }
  }

  static uint8_t* Element(uint8_t* lo, uint8_t* hi, int i) {
    return i < 4 ? lo + 4 * i : hi + 4 * (i - 4);
  }
  uint32_t Get(int reg, int i) {
    uint32_t v;
    std::memcpy(&v, Element(m_.state().sse.xmm[reg], m_.state().sse.ymm_hi[reg], i), 4);
    return v;
  }
  void SetMask(int i, uint32_t v) {
    std::memcpy(Element(m_.state().sse.xmm[1], m_.state().sse.ymm_hi[1], i), &v, 4);
  }

  const std::vector<uint8_t> kGather = GatherBytes({2, 1, 0x90}, 256, 0, 2, 1, 2);
  LongModeMachine m_;
};

// All enabled (top bits only): #PF on element 2, after elements 0 and 1;
// the rest of the mask is all ones, the rest of ymm0 as it was. Mapping
// the page and running it again gathers the rest.
TEST_F(GatherFaultTest, FaultKeepsTheElementsGatheredSoFar) {
  for (int i = 0; i < 8; ++i) SetMask(i, 0x80000000);
  const LongModeMachine::Outcome o = m_.Run(kGather);
  ASSERT_EQ(o.vector, kPageFault);
  EXPECT_EQ(o.error_code, 0u);
  EXPECT_EQ(m_.state().cr2, kPage);
  EXPECT_EQ(o.fault_rip, LongModeMachine::kCode);
  EXPECT_EQ(Get(0, 0), 0x11111111u);
  EXPECT_EQ(Get(0, 1), 0x22222222u);
  for (int i = 2; i < 8; ++i) EXPECT_EQ(Get(0, i), 0xd0d0d000u + i) << i;
  EXPECT_EQ(Get(1, 0), 0u);
  EXPECT_EQ(Get(1, 1), 0u);
  for (int i = 2; i < 8; ++i) EXPECT_EQ(Get(1, i), 0xffffffffu) << i;

  m_.SetPteFlags(kPage, LongModeMachine::kPteFlags);
  m_.Put64(kPage, 0x4444444433333333);
  ASSERT_EQ(m_.Run(kGather).vector, -1);
  EXPECT_EQ(Get(0, 0), 0x11111111u);
  EXPECT_EQ(Get(0, 2), 0x33333333u);
  EXPECT_EQ(Get(0, 3), 0x44444444u);
  for (int i = 0; i < 8; ++i) EXPECT_EQ(Get(1, i), 0u) << i;
}

// Only elements 0 and 1 enabled: the missing page is never touched, the
// other elements of ymm0 keep their values and the whole mask is cleared.
TEST_F(GatherFaultTest, MaskedOffElementsDoNotFault) {
  SetMask(0, 0xffffffff);
  SetMask(1, 0x80000000);
  for (int i = 2; i < 8; ++i) SetMask(i, 0x7fffffff);
  ASSERT_EQ(m_.Run(kGather).vector, -1);
  EXPECT_EQ(Get(0, 0), 0x11111111u);
  EXPECT_EQ(Get(0, 1), 0x22222222u);
  for (int i = 2; i < 8; ++i) EXPECT_EQ(Get(0, i), 0xd0d0d000u + i) << i;
  for (int i = 0; i < 8; ++i) EXPECT_EQ(Get(1, i), 0u) << i;
}

TEST_F(GatherFaultTest, SameRegisterTwiceIsUd) {
  for (int i = 0; i < 8; ++i) SetMask(i, 0x80000000);
  for (const auto& [dst, index, mask] : {std::tuple{0, 0, 1}, {0, 2, 0}, {0, 1, 1}}) {
    EXPECT_EQ(m_.Run(GatherBytes({2, 1, 0x90}, 256, dst, index, mask, 2)).vector, kInvalidOpcode);
  }
  EXPECT_EQ(Get(1, 0), 0x80000000u);  // nothing done
}

}  // namespace
}  // namespace x64sim::testing
