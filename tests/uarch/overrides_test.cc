// --uarch-set: description lines replacing the lines with the same key,
// checked on the text and through LoadUarch on the shipped Skylake model.
#include "uarch/overrides.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "uarch/loader.h"

namespace x64sim {
namespace {

TEST(OverridesTest, KeysNameWhatALineSets) {
  EXPECT_EQ(OverrideKey("core.rob 224   [intel-opt]  # comment"), "core.rob");
  EXPECT_EQ(OverrideKey("tlb l1d L1d-4K entries=64 ways=4 pages=4K replacement=plru [x]"),
            "tlb l1d L1d-4K");
  EXPECT_EQ(OverrideKey("cache L2 size=256K ways=4 line=64 latency=12 [x]"), "cache L2");
  EXPECT_EQ(OverrideKey("event syscall cycles=40 [x]"), "event syscall");
  EXPECT_EQ(OverrideKey("form ADD r64, r64 : lat=1 tput=0.25 uops=1 ports=1*p0156 [x]"),
            "form ADD r64, r64");
  EXPECT_EQ(OverrideKey("   # only a comment"), "");
}

TEST(OverridesTest, ReplacesTheLineAndCitesTheCommandLine) {
  const std::string text =
      "x64sim-uarch 1\nname t\nsource a \"A\"\ncore.rob 224 [a]\ncore.issue-width 4 [a]\n";
  absl::StatusOr<std::string> out = ApplyOverrides(text, {"core.rob 100"});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(*out,
            "x64sim-uarch 1\nname t\nsource cli \"a line given with --uarch-set on the command "
            "line\"\nsource a \"A\"\ncore.rob 100 [cli]\ncore.issue-width 4 [a]\n");
  // A line that cites its own source keeps it; the last override of a key wins.
  out = ApplyOverrides(text, {"core.rob 1 [a]", "core.rob 2 [a]"});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_NE(out->find("core.rob 2 [a]\n"), std::string::npos);
  EXPECT_EQ(out->find("source cli"), std::string::npos);
}

TEST(OverridesTest, RefusesLinesItCannotReplace) {
  const std::string text = "x64sim-uarch 1\nname t\ncore.rob 224 [a]\n";
  absl::StatusOr<std::string> out = ApplyOverrides(text, {"core.robe 100"});
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("'core.robe' is not a line of the description"),
            std::string::npos);
  EXPECT_FALSE(ApplyOverrides(text, {"x64sim-uarch 2"}).ok());
}

TEST(OverridesTest, LoadUarchAppliesThemToTheCoreAndTheMmu) {
  absl::StatusOr<UarchDescription> d = LoadUarch(
      "skylake", nullptr,
      {"core.rob 100", "tlb l1d L1d-4K entries=16 ways=4 pages=4K replacement=plru",
       "cache L2 size=512K ways=8 line=64 latency=14"});
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->rob_entries, 100);
  EXPECT_EQ(d->tlb.l1d.arrays[0].entries, 16);
  EXPECT_EQ(d->l2.size_bytes, 512 << 10);
  EXPECT_EQ(d->l2.latency, 14);

  // A bad value is reported against the changed description.
  d = LoadUarch("skylake", nullptr, {"core.rob -3"});
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.status().message().find("skylake.uarch (built in) with --uarch-set:"),
            std::string::npos)
      << d.status();
  EXPECT_NE(d.status().message().find("core.rob"), std::string::npos);
}

}  // namespace
}  // namespace x64sim
