// x87 loads, stores and stack operations against the host CPU: every form,
// random and edge-case operands under every precision, rounding and mask
// setting, with empty and full stacks. C bits the SDM leaves undefined are
// not compared.
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/cpu/x87_differential.h"

namespace x64sim::testing {
namespace {

constexpr uint16_t kC0C2C3 = 0x4500;  // undefined after these instructions (SDM vol. 2)
constexpr uint16_t kAllC = 0x4700;
constexpr int kRuns = 400;

std::vector<X87Form> LoadStoreForms() {
  return {
      {"fld m32fp", MemoryForm(0xd9, 0), 'f', false, kC0C2C3},
      {"fld m64fp", MemoryForm(0xdd, 0), 'd', false, kC0C2C3},
      {"fld m80fp", MemoryForm(0xdb, 5), 't', false, kC0C2C3},
      {"fld st(i)", {0xd9, 0xc0}, 0, true, kC0C2C3},
      {"fild m16int", MemoryForm(0xdf, 0), 'w', false, kC0C2C3},
      {"fild m32int", MemoryForm(0xdb, 0), 'l', false, kC0C2C3},
      {"fild m64int", MemoryForm(0xdf, 5), 'q', false, kC0C2C3},
      {"fbld m80bcd", MemoryForm(0xdf, 4), 'b', false, kC0C2C3},
      {"fst m32fp", MemoryForm(0xd9, 2), 'f', false, kC0C2C3},
      {"fst m64fp", MemoryForm(0xdd, 2), 'd', false, kC0C2C3},
      {"fstp m32fp", MemoryForm(0xd9, 3), 'f', false, kC0C2C3},
      {"fstp m64fp", MemoryForm(0xdd, 3), 'd', false, kC0C2C3},
      {"fstp m80fp", MemoryForm(0xdb, 7), 't', false, kC0C2C3},
      {"fst st(i)", {0xdd, 0xd0}, 0, true, kC0C2C3},
      {"fstp st(i)", {0xdd, 0xd8}, 0, true, kC0C2C3},
      {"fist m16int", MemoryForm(0xdf, 2), 'w', false, kC0C2C3},
      {"fist m32int", MemoryForm(0xdb, 2), 'l', false, kC0C2C3},
      {"fistp m16int", MemoryForm(0xdf, 3), 'w', false, kC0C2C3},
      {"fistp m32int", MemoryForm(0xdb, 3), 'l', false, kC0C2C3},
      {"fistp m64int", MemoryForm(0xdf, 7), 'q', false, kC0C2C3},
      {"fisttp m16int", MemoryForm(0xdf, 1), 'w', false, kC0C2C3},
      {"fisttp m32int", MemoryForm(0xdb, 1), 'l', false, kC0C2C3},
      {"fisttp m64int", MemoryForm(0xdd, 1), 'q', false, kC0C2C3},
      {"fbstp m80bcd", MemoryForm(0xdf, 6), 'b', false, kC0C2C3},
      {"fld1", {0xd9, 0xe8}, 0, false, kC0C2C3},
      {"fldl2t", {0xd9, 0xe9}, 0, false, kC0C2C3},
      {"fldl2e", {0xd9, 0xea}, 0, false, kC0C2C3},
      {"fldpi", {0xd9, 0xeb}, 0, false, kC0C2C3},
      {"fldlg2", {0xd9, 0xec}, 0, false, kC0C2C3},
      {"fldln2", {0xd9, 0xed}, 0, false, kC0C2C3},
      {"fldz", {0xd9, 0xee}, 0, false, kC0C2C3},
      {"fxch st(i)", {0xd9, 0xc8}, 0, true, kC0C2C3},
      {"ffree st(i)", {0xdd, 0xc0}, 0, true, kAllC},
      {"fincstp", {0xd9, 0xf7}, 0, false, kC0C2C3},
      {"fdecstp", {0xd9, 0xf6}, 0, false, kC0C2C3},
      {"fnop", {0xd9, 0xd0}, 0, false, kAllC},
      {"ffreep st(i)", {0xdf, 0xc0}, 0, true, kAllC},
      {"fstpnce st(i)", {0xd9, 0xd8}, 0, true, kC0C2C3},
      {"feni", {0xdb, 0xe0}, 0, false, kAllC},
      {"fdisi", {0xdb, 0xe1}, 0, false, kAllC},
      {"fsetpm", {0xdb, 0xe4}, 0, false, kAllC},
      {"fcmovb", {0xda, 0xc0}, 0, true, kC0C2C3},
      {"fcmove", {0xda, 0xc8}, 0, true, kC0C2C3},
      {"fcmovbe", {0xda, 0xd0}, 0, true, kC0C2C3},
      {"fcmovu", {0xda, 0xd8}, 0, true, kC0C2C3},
      {"fcmovnb", {0xdb, 0xc0}, 0, true, kC0C2C3},
      {"fcmovne", {0xdb, 0xc8}, 0, true, kC0C2C3},
      {"fcmovnbe", {0xdb, 0xd0}, 0, true, kC0C2C3},
      {"fcmovnu", {0xdb, 0xd8}, 0, true, kC0C2C3},
  };
}

class X87LoadStoreTest : public ::testing::TestWithParam<X87Form> {};

TEST_P(X87LoadStoreTest, MatchesTheHost) { CheckForm(GetParam(), 1234, kRuns); }

INSTANTIATE_TEST_SUITE_P(Forms, X87LoadStoreTest, ::testing::ValuesIn(LoadStoreForms()),
                         [](const ::testing::TestParamInfo<X87Form>& info) {
                           return FormTestName(info.param);
                         });

}  // namespace
}  // namespace x64sim::testing
