// The implemented-form sweep: every mnemonic with a binder has a form, each
// example encoding decodes to its key and binds, and the forms the CPU
// tests run are all found.
#include "uarch/implemented_forms.h"

#include <Zydis/Zydis.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <set>
#include <string>

#include "cpu/binder.h"
#include "uarch/form_key.h"

namespace x64sim {
namespace {

struct Decoded {
  ZydisDecodedInstruction insn;
  ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
};

bool Decode(const ImplementedForm& f, Decoded* d) {
  ZydisDecoder decoder;
  InitFormDecoder(&decoder, f.mode);
  return ZYAN_SUCCESS(
             ZydisDecoderDecodeFull(&decoder, f.bytes.data(), f.bytes.size(), &d->insn, d->ops)) &&
         d->insn.length == f.bytes.size();
}

const ImplementedForm* Find(const std::string& key) {
  for (const ImplementedForm& f : ImplementedForms()) {
    if (f.key == key) return &f;
  }
  return nullptr;
}

// First in the file, so that it times the sweep itself.
// Computed once per process (its time is printed; speed is not a test's
// business: a loaded CI machine or a sanitizer build takes several times longer).
TEST(ImplementedFormsTest, ComputedOnce) {
  auto start = std::chrono::steady_clock::now();
  const std::vector<ImplementedForm>& first = ImplementedForms();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(&first, &ImplementedForms());
  int in_long64 = 0, in_compat32 = 0, in_compat16 = 0;
  for (const ImplementedForm& f : first) {
    in_long64 += (f.modes & kInLong64) != 0;
    in_compat32 += (f.modes & kInCompat32) != 0;
    in_compat16 += (f.modes & kInCompat16) != 0;
  }
  std::printf("ImplementedForms(): %zu forms (%d in 64-bit mode, %d in 32-bit and %d in 16-bit "
              "code) in %.3f s\n",
              first.size(), in_long64, in_compat32, in_compat16, seconds);
}

TEST(ImplementedFormsTest, EveryRegisteredMnemonicHasAForm) {
  std::set<int> mnemonics_with_forms;
  for (const ImplementedForm& f : ImplementedForms()) {
    Decoded d;
    ASSERT_TRUE(Decode(f, &d)) << f.key;
    mnemonics_with_forms.insert(d.insn.mnemonic);
  }
  const BinderTable& table = BinderTable::Get();
  int registered = 0;
  for (int m = 0; m <= ZYDIS_MNEMONIC_MAX_VALUE; ++m) {
    if (table.binder(static_cast<ZydisMnemonic>(m)) == nullptr) continue;
    ++registered;
    EXPECT_TRUE(mnemonics_with_forms.count(m))
        << ZydisMnemonicGetString(static_cast<ZydisMnemonic>(m)) << " has a binder but no form";
  }
  EXPECT_GT(registered, 200);  // the walk saw the real table
}

TEST(ImplementedFormsTest, ExamplesDecodeToTheirKeyAndBind) {
  for (const ImplementedForm& f : ImplementedForms()) {
    Decoded d;
    ASSERT_TRUE(Decode(f, &d)) << f.key;
    EXPECT_EQ(FormKey(d.insn, d.ops), f.key);
    EXPECT_TRUE(X64simBinds(d.insn, d.ops, f.mode == FormMode::kLong64)) << f.key;
    EXPECT_NE(f.modes & (1u << static_cast<int>(f.mode)), 0) << f.key;
  }
}

TEST(ImplementedFormsTest, SortedAndUnique) {
  const std::vector<ImplementedForm>& forms = ImplementedForms();
  for (size_t i = 1; i < forms.size(); ++i) EXPECT_LT(forms[i - 1].key, forms[i].key);
}

TEST(ImplementedFormsTest, FormsOfOneModeOnly) {
  const ImplementedForm* far_jump = Find("JMP FAR ptr48");  // no direct far JMP in 64-bit mode
  ASSERT_NE(far_jump, nullptr);
  EXPECT_EQ(far_jump->modes, kInCompat32 | kInCompat16);
  EXPECT_EQ(far_jump->mode, FormMode::kCompat32);
  const ImplementedForm* swapgs = Find("SWAPGS");
  ASSERT_NE(swapgs, nullptr);
  EXPECT_EQ(swapgs->modes, kInLong64);
  const ImplementedForm* add = Find("ADD r32,r32");
  ASSERT_NE(add, nullptr);
  EXPECT_EQ(add->modes, kInLong64 | kInCompat32 | kInCompat16);
  EXPECT_EQ(add->mode, FormMode::kLong64);
}

}  // namespace
}  // namespace x64sim
