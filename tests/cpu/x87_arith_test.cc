// x87 arithmetic, compares and transcendentals against the host CPU: every
// form (memory, ST(0) op ST(i), ST(i) op ST(0), popping), random and
// edge-case operands (zeros, denormals, pseudo-denormals, unnormals,
// infinities, NaNs) under every precision, rounding and mask setting, with
// empty and full stacks. C bits the SDM leaves undefined are not compared.
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/cpu/x87_differential.h"

namespace x64sim::testing {
namespace {

constexpr uint16_t kC0C2C3 = 0x4500;
constexpr uint16_t kC0C3 = 0x4100;
constexpr int kRuns = 400;

const char* const kOps[] = {"add", "mul", "com", "comp", "sub", "subr", "div", "divr"};

std::vector<X87Form> ArithForms() {
  std::vector<X87Form> forms;
  for (int r = 0; r < 8; ++r) {
    const bool compare = r == 2 || r == 3;
    const uint16_t undefined = compare ? 0 : kC0C2C3;
    const std::string op = kOps[r];
    forms.push_back({"f" + op + " m32fp", MemoryForm(0xd8, r), 'f', false, undefined});
    forms.push_back({"f" + op + " m64fp", MemoryForm(0xdc, r), 'd', false, undefined});
    forms.push_back({"fi" + op + " m32int", MemoryForm(0xda, r), 'l', false, undefined});
    forms.push_back({"fi" + op + " m16int", MemoryForm(0xde, r), 'w', false, undefined});
    forms.push_back({"f" + op + " st0 sti", {0xd8, static_cast<uint8_t>(0xc0 | r << 3)}, 0, true,
                     undefined});
    if (compare) continue;
    forms.push_back({"f" + op + " sti st0", {0xdc, static_cast<uint8_t>(0xc0 | r << 3)}, 0, true,
                     undefined});
    forms.push_back({"f" + op + "p sti st0", {0xde, static_cast<uint8_t>(0xc0 | r << 3)}, 0, true,
                     undefined});
  }
  const std::vector<X87Form> others = {
      {"fcompp", {0xde, 0xd9}, 0, false, 0},
      {"fucompp", {0xda, 0xe9}, 0, false, 0},
      {"fucom sti", {0xdd, 0xe0}, 0, true, 0},
      {"fucomp sti", {0xdd, 0xe8}, 0, true, 0},
      {"fcomi sti", {0xdb, 0xf0}, 0, true, 0},
      {"fucomi sti", {0xdb, 0xe8}, 0, true, 0},
      {"fcomip sti", {0xdf, 0xf0}, 0, true, 0},
      {"fucomip sti", {0xdf, 0xe8}, 0, true, 0},
      {"ftst", {0xd9, 0xe4}, 0, false, 0},
      {"fxam", {0xd9, 0xe5}, 0, false, 0},
      {"fchs", {0xd9, 0xe0}, 0, false, kC0C2C3},
      {"fabs", {0xd9, 0xe1}, 0, false, kC0C2C3},
      {"fsqrt", {0xd9, 0xfa}, 0, false, kC0C2C3},
      {"frndint", {0xd9, 0xfc}, 0, false, kC0C2C3},
      {"fscale", {0xd9, 0xfd}, 0, false, kC0C2C3},
      {"fxtract", {0xd9, 0xf4}, 0, false, kC0C2C3},
      {"fprem", {0xd9, 0xf8}, 0, false, 0},
      {"fprem1", {0xd9, 0xf5}, 0, false, 0},
      {"f2xm1", {0xd9, 0xf0}, 0, false, kC0C2C3},
      {"fyl2x", {0xd9, 0xf1}, 0, false, kC0C2C3},
      {"fyl2xp1", {0xd9, 0xf9}, 0, false, kC0C2C3},
      {"fpatan", {0xd9, 0xf3}, 0, false, kC0C2C3},
      {"fsin", {0xd9, 0xfe}, 0, false, kC0C3},
      {"fcos", {0xd9, 0xff}, 0, false, kC0C3},
      {"fsincos", {0xd9, 0xfb}, 0, false, kC0C3},
      {"fptan", {0xd9, 0xf2}, 0, false, kC0C3},
  };
  forms.insert(forms.end(), others.begin(), others.end());
  return forms;
}

class X87ArithTest : public ::testing::TestWithParam<X87Form> {};

TEST_P(X87ArithTest, MatchesTheHost) { CheckForm(GetParam(), 4321, kRuns); }

INSTANTIATE_TEST_SUITE_P(Forms, X87ArithTest, ::testing::ValuesIn(ArithForms()),
                         [](const ::testing::TestParamInfo<X87Form>& info) {
                           return FormTestName(info.param);
                         });

}  // namespace
}  // namespace x64sim::testing
