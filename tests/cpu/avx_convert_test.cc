// The VEX forms of the SSE conversions against the host: VEX.128 and, for
// the packed ones, VEX.256 (where PD2PS/PD2DQ narrow into an XMM register
// and PS2PD/DQ2PD widen from xmm/m128), register and memory operands
// (aligned and not), 32- and 64-bit integer sides, under each rounding
// mode with DAZ/FTZ off and on, exceptions masked and randomly unmasked.
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/cpu/avx_differential.h"

namespace x64sim::testing {
namespace {

// 16 bytes: floating-point edge values, integer edge values, or singles
// and doubles with exponents around 2^31 and 2^63 (the limits of the
// integer conversions, where results become the integer indefinite).
void FillConversionValue(std::mt19937_64& rng, uint8_t* v) {
  switch (rng() % 3) {
    case 0:
      FillFloatValue(rng, v);
      return;
    case 1:
      FillIntegerValue(rng, v);
      return;
    default:
      for (int i = 0; i < 2; ++i) {
        const uint64_t sign_and_fraction = rng() & 0x800fffffffffffffull;
        uint64_t x = sign_and_fraction | ((1023ull + 28 + rng() % 38) << 52);
        if (rng() & 1) {
          const uint32_t lo = static_cast<uint32_t>((rng() & 0x807fffff) | ((127u + 28 + rng() % 38) << 23));
          const uint32_t hi = static_cast<uint32_t>((rng() & 0x807fffff) | ((127u + 28 + rng() % 38) << 23));
          x = (static_cast<uint64_t>(hi) << 32) | lo;
        }
        std::memcpy(v + 8 * i, &x, 8);
      }
  }
}

std::vector<SseForm> ConvertForms() {
  std::vector<SseForm> forms;
  auto add = [&forms](std::vector<SseForm> more) {
    forms.insert(forms.end(), more.begin(), more.end());
  };
  // Packed (VEX.vvvv = 1111b): pp 0 none, 1 66, 2 F3, 3 F2.
  add(VexForms("vcvtdq2pd", {1, 2, 0xe6}, VexShape::kNoNds, {128, 256}));
  add(VexForms("vcvtpd2dq", {1, 3, 0xe6}, VexShape::kNoNds, {128, 256}));
  add(VexForms("vcvttpd2dq", {1, 1, 0xe6}, VexShape::kNoNds, {128, 256}));
  add(VexForms("vcvtps2pd", {1, 0, 0x5a}, VexShape::kNoNds, {128, 256}));
  add(VexForms("vcvtpd2ps", {1, 1, 0x5a}, VexShape::kNoNds, {128, 256}));
  add(VexForms("vcvtdq2ps", {1, 0, 0x5b}, VexShape::kNoNds, {128, 256}));
  add(VexForms("vcvtps2dq", {1, 1, 0x5b}, VexShape::kNoNds, {128, 256}));
  add(VexForms("vcvttps2dq", {1, 2, 0x5b}, VexShape::kNoNds, {128, 256}));
  // Scalar, "xmm0, xmm1, xmm2/m".
  add(VexForms("vcvtss2sd", {1, 2, 0x5a}, VexShape::kNds, {128}));
  add(VexForms("vcvtsd2ss", {1, 3, 0x5a}, VexShape::kNds, {128}));
  for (bool w : {false, true}) {
    const std::string bits = w ? "(64)" : "(32)";
    // "xmm0, xmm1, edx/rdx/[rsi]".
    add(VexForms("vcvtsi2ss" + bits, {1, 2, 0x2a, w}, VexShape::kNds, {128}));
    add(VexForms("vcvtsi2sd" + bits, {1, 3, 0x2a, w}, VexShape::kNds, {128}));
    // "eax/rax, xmm2/[rsi]".
    add(VexForms("vcvttss2si" + bits, {1, 2, 0x2c, w}, VexShape::kNoNds, {128}));
    add(VexForms("vcvtss2si" + bits, {1, 2, 0x2d, w}, VexShape::kNoNds, {128}));
    add(VexForms("vcvttsd2si" + bits, {1, 3, 0x2c, w}, VexShape::kNoNds, {128}));
    add(VexForms("vcvtsd2si" + bits, {1, 3, 0x2d, w}, VexShape::kNoNds, {128}));
  }
  return forms;
}

std::vector<uint32_t> EveryMode() {
  std::vector<uint32_t> modes;
  for (int mode = 0; mode < 16; ++mode) modes.push_back(MaskedMxcsr(mode));
  return modes;
}

TEST(AvxConvertDifferentialTest, EveryFormMatchesTheHostInEveryMode) {
  const std::vector<SseForm> forms = ConvertForms();
  const int runs = CompareAvxForms(forms, 8, &FillConversionValue, EveryMode());
  std::printf("AVX conversion forms compared with the host: %zu (%d runs)\n", forms.size(), runs);
}

// Each exception mask bit cleared with probability 1/2.
TEST(AvxConvertDifferentialTest, UnmaskedExceptionsMatchTheHost) {
  const std::vector<SseForm> forms = ConvertForms();
  const int runs = CompareAvxForms(forms, 8, &FillConversionValue, EveryMode(),
                                   [](std::mt19937_64& rng, AvxRun& run) {
                                     run.mxcsr &= ~(static_cast<uint32_t>(rng() & 0x3f) << 7);
                                   });
  std::printf("AVX conversion forms with unmasked exceptions: %zu (%d runs)\n", forms.size(), runs);
}

}  // namespace
}  // namespace x64sim::testing
