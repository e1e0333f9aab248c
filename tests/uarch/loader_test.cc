#include "uarch/loader.h"

#include <string>

#include "gtest/gtest.h"
#include "uarch/implemented_form_keys.h"
#include "uarch/implemented_forms.h"
#include "uarch/shipped_models.h"

namespace x64sim {
namespace {

TEST(LoaderTest, BuiltInKeysAreTheImplementedForms) {
  std::vector<std::string> swept;
  for (const ImplementedForm& f : ImplementedForms()) swept.push_back(f.key);
  EXPECT_EQ(ImplementedFormKeys(), swept);
}

TEST(LoaderTest, ShippedModelsLoadAndPriceEveryForm) {
  ASSERT_GE(ShippedModels().size(), 2u);
  for (const ShippedModel& m : ShippedModels()) {
    absl::StatusOr<UarchDescription> d = LoadUarch(m.name);
    ASSERT_TRUE(d.ok()) << m.name << ": " << d.status();
    EXPECT_EQ(d->name, m.name);
    EXPECT_GE(d->forms.size(), ImplementedFormKeys().size());
  }
}

// The MMU's built-in geometry (what unit tests construct an Mmu with) must
// be the shipped Skylake description's, so the two cannot drift apart.
TEST(LoaderTest, SkylakeTlbIsTheMmuDefault) {
  absl::StatusOr<UarchDescription> d = LoadUarch("skylake");
  ASSERT_TRUE(d.ok()) << d.status();
  const MicroArch& a = d->tlb;
  const MicroArch& b = kSkylakeClient;
  EXPECT_EQ(a.phys_addr_bits, b.phys_addr_bits);
  EXPECT_EQ(a.has_1g_pages, b.has_1g_pages);
  EXPECT_EQ(a.psc.pml4e_entries, b.psc.pml4e_entries);
  EXPECT_EQ(a.psc.pdpte_entries, b.psc.pdpte_entries);
  EXPECT_EQ(a.psc.pde_entries, b.psc.pde_entries);
  const TlbLevelGeometry* levels[][2] = {{&a.l1i, &b.l1i}, {&a.l1d, &b.l1d}, {&a.stlb, &b.stlb}};
  for (const auto& level : levels) {
    for (int i = 0; i < kMaxArraysPerLevel; ++i) {
      const TlbArrayGeometry& x = level[0]->arrays[i];
      const TlbArrayGeometry& y = level[1]->arrays[i];
      EXPECT_EQ(x.entries, y.entries) << y.name;
      if (y.entries == 0) continue;
      EXPECT_STREQ(x.name, y.name);
      EXPECT_EQ(x.ways, y.ways) << y.name;
      EXPECT_EQ(x.page_sizes, y.page_sizes) << y.name;
      EXPECT_EQ(x.replacement, y.replacement) << y.name;
    }
  }
}

TEST(LoaderTest, HostMatchingByCpuid) {
  absl::StatusOr<std::string> skylake = MatchShippedModel({"GenuineIntel", 6, 0x5e});
  ASSERT_TRUE(skylake.ok()) << skylake.status();
  EXPECT_EQ(*skylake, "skylake");
  absl::StatusOr<std::string> zen4 = MatchShippedModel({"AuthenticAMD", 25, 0x11});
  ASSERT_TRUE(zen4.ok()) << zen4.status();
  EXPECT_EQ(*zen4, "zen4");
  absl::StatusOr<std::string> zen5 = MatchShippedModel({"AuthenticAMD", 26, 0x02});  // Turin
  ASSERT_TRUE(zen5.ok()) << zen5.status();
  EXPECT_EQ(*zen5, "zen5");
  absl::StatusOr<std::string> none = MatchShippedModel({"GenuineIntel", 6, 0x1a});  // Nehalem
  ASSERT_FALSE(none.ok());
  EXPECT_NE(std::string(none.status().message()).find("GenuineIntel family 6 model 0x1a"),
            std::string::npos)
      << none.status();
}

TEST(LoaderTest, ReadsTheHostIdentity) {
  const HostCpu host = ReadHostCpu();
  EXPECT_TRUE(host.vendor == "GenuineIntel" || host.vendor == "AuthenticAMD") << host.vendor;
  EXPECT_GT(host.family, 0);
}

TEST(LoaderTest, UnknownNameIsAClearError) {
  absl::StatusOr<UarchDescription> d = LoadUarch("/no/such/file.uarch");
  ASSERT_FALSE(d.ok());
  EXPECT_NE(
      std::string(d.status().message()).find("no such shipped model (skylake, zen4, zen5, host)"),
      std::string::npos)
      << d.status();
}

}  // namespace
}  // namespace x64sim
