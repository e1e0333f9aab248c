// Runs the guest kernel test suite (//guest/kerneltest) once under a runner
// (QEMU or the simulator, same flags) and reports every guest test as its
// own GoogleTest result, plus checks on the run as a whole. The guest tests
// expected are named in a checked-in list: one that disappears, is renamed
// or is new fails until the list says so.
#include <algorithm>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "tests/qemu/qemu_check.h"
#include "tests/tutorial/guest_runner.h"

ABSL_FLAG(std::string, runner, "", "//tools:run_qemu or //sim:x64sim");
ABSL_FLAG(std::string, kernel, "", "the guest kernel image");
ABSL_FLAG(std::string, suite, "", "the kernel test suite root server");
ABSL_FLAG(std::string, runner_flags, "", "more flags for the runner");
ABSL_FLAG(std::string, expected_tests, "",
          "file naming every guest test, one a line ('#' starts a comment line)");
ABSL_FLAG(bool, needs_qemu, false, "the runner runs qemu-system-x86_64: skip every test without it");

namespace {

// One "TEST <name> PASS|FAIL <detail>" line of the guest's console.
struct GuestResult {
  bool passed = false;
  std::string detail;
};

struct SuiteRun {
  x64sim::testing::BootResult boot;
  std::vector<std::pair<std::string, GuestResult>> results;
  bool has_summary = false;
  int summary_passed = -1;
  int summary_failed = -1;
};

SuiteRun ParseConsole(x64sim::testing::BootResult boot) {
  SuiteRun run;
  std::istringstream lines(boot.console);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream words(line);
    std::string tag, name, verdict;
    words >> tag;
    if (tag == "TEST") {
      words >> name >> verdict;
      GuestResult r;
      r.passed = verdict == "PASS";
      std::getline(words, r.detail);
      run.results.emplace_back(name, r);
    } else if (tag == "SUMMARY") {
      std::string passed_word, failed_word;
      words >> run.summary_passed >> passed_word >> run.summary_failed >> failed_word;
      run.has_summary = true;
    }
  }
  run.boot = std::move(boot);
  return run;
}

// Why nothing ran (the runner cannot run here): every test skips saying so.
std::string skip_reason;

// One guest test by name; `result` is null when the console never named it.
class GuestTest : public ::testing::Test {
 public:
  explicit GuestTest(const GuestResult* result) : result_(result) {}
  void TestBody() override {
    if (!skip_reason.empty()) GTEST_SKIP() << skip_reason;
    ASSERT_NE(result_, nullptr) << "the suite did not run it (removed or renamed in "
                                   "//guest/kerneltest? then update expected_guest_tests.txt)";
    EXPECT_TRUE(result_->passed) << result_->detail;
  }

 private:
  const GuestResult* result_;
};

const SuiteRun* the_run = nullptr;
std::vector<std::string> expected_names;

// The non-empty, non-comment lines of `path`; an empty list if unreadable.
std::vector<std::string> ReadNames(const std::string& path) {
  std::vector<std::string> names;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    const std::string name(absl::StripAsciiWhitespace(line));
    if (!name.empty() && name[0] != '#') names.push_back(name);
  }
  return names;
}

// Checks on the run as a whole.
class KernelSuite : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!skip_reason.empty()) GTEST_SKIP() << skip_reason;
    ASSERT_NE(the_run, nullptr);
  }
};

TEST_F(KernelSuite, RanToCompletion) {
  EXPECT_TRUE(absl::StrContains(the_run->boot.console, "Booting all finished, dropped to user space"));
  ASSERT_TRUE(the_run->has_summary) << "no SUMMARY line; console:\n" << the_run->boot.console;
  // seL4_DebugHalt ends the run with debug-exit status 0x10: (0x10 << 1) | 1.
  EXPECT_EQ(the_run->boot.exit_code, 33);
}

// The console names each expected guest test once and no other: a new test
// must be added to expected_guest_tests.txt (a missing one fails as itself).
TEST_F(KernelSuite, RanExactlyTheExpectedTests) {
  ASSERT_FALSE(expected_names.empty()) << "no expected test names read";
  const std::set<std::string> expected(expected_names.begin(), expected_names.end());
  EXPECT_EQ(expected.size(), expected_names.size()) << "a name is listed twice";
  std::map<std::string, int> reported;
  for (const auto& [name, r] : the_run->results) ++reported[name];
  for (const auto& [name, times] : reported) {
    EXPECT_EQ(times, 1) << name << " reported " << times << " times";
    EXPECT_EQ(expected.count(name), 1u) << name << " ran but is not in expected_guest_tests.txt";
  }
  EXPECT_EQ(reported.size(), expected.size());
}

TEST_F(KernelSuite, SummaryMatchesResults) {
  int passed = 0, failed = 0;
  for (const auto& [name, r] : the_run->results) (r.passed ? passed : failed)++;
  EXPECT_EQ(the_run->summary_passed, passed);
  EXPECT_EQ(the_run->summary_failed, failed);
}

TEST_F(KernelSuite, UnhandledFaultReportFormat) {
  // fault_no_handler_stops_thread: a thread without a fault handler is
  // reported in seL4's debug format and stopped.
  const std::string& c = the_run->boot.console;
  EXPECT_TRUE(absl::StrContains(c, "Caught cap fault in send phase at address (nil)\n"
                                   "while trying to handle:\n"
                                   "user exception 0x6 code (nil)\n"
                                   "in thread 0xffffff80"));
  EXPECT_TRUE(absl::StrContains(c, "\"child of: 'rootserver'\" at address 0x"));
}

// sched_dump_scheduler_lists_threads: seL4_DebugDumpScheduler prints a
// table of every thread (name, state, IP, priority, core, tab-separated)
// with the guest's named helper blocked on an endpoint at priority 77.
TEST_F(KernelSuite, SchedulerDumpListsThreads) {
  const std::string& c = the_run->boot.console;
  const size_t dump = c.find("Dumping all tcbs!\n");
  ASSERT_NE(dump, std::string::npos) << "no scheduler dump in the console";
  std::map<std::string, std::vector<std::string>> rows;  // by thread name
  std::istringstream lines(c.substr(dump));
  std::string line;
  while (std::getline(lines, line) && !absl::StartsWith(line, "TEST ")) {
    std::vector<std::string> fields = absl::StrSplit(line, '\t');
    for (std::string& f : fields) f = std::string(absl::StripAsciiWhitespace(f));
    if (fields.size() == 5) rows[fields[0]] = fields;
  }
  ASSERT_EQ(rows.count("sched_dump_helper"), 1u) << c.substr(dump, 2000);
  EXPECT_EQ(rows["sched_dump_helper"][1], "blocked on recv");
  EXPECT_EQ(rows["sched_dump_helper"][3], "77");
  ASSERT_EQ(rows.count("rootserver"), 1u);
  EXPECT_EQ(rows["rootserver"][1], "running");
  EXPECT_EQ(rows["rootserver"][3], "255");
}

}  // namespace

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  absl::ParseCommandLine(argc, argv);
  expected_names = ReadNames(absl::GetFlag(FLAGS_expected_tests));
  if (absl::GetFlag(FLAGS_needs_qemu)) skip_reason = x64sim::testing::QemuMissingReason();
  if (!skip_reason.empty()) {
    fprintf(stderr, "%s\n", skip_reason.c_str());
    for (const std::string& name : expected_names) {
      ::testing::RegisterTest("Guest", name.c_str(), nullptr, nullptr, __FILE__, __LINE__,
                              []() -> ::testing::Test* { return new GuestTest(nullptr); });
    }
    return RUN_ALL_TESTS();
  }
  x64sim::testing::GuestRunner runner(absl::GetFlag(FLAGS_runner), absl::GetFlag(FLAGS_kernel));
  auto boot = runner.Boot(absl::GetFlag(FLAGS_suite), absl::GetFlag(FLAGS_runner_flags));
  if (!boot.ok()) {
    fprintf(stderr, "cannot boot the suite: %s\n", std::string(boot.status().message()).c_str());
    return 1;
  }
  static const SuiteRun run = ParseConsole(*std::move(boot));
  the_run = &run;
  // Every expected test, then any the console names besides.
  std::vector<std::string> names = expected_names;
  for (const auto& [name, result] : run.results) {
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  }
  for (const std::string& name : names) {
    const GuestResult* r = nullptr;
    for (const auto& [n, result] : run.results) {
      if (n == name) r = &result;
    }
    ::testing::RegisterTest("Guest", name.c_str(), nullptr, nullptr, __FILE__, __LINE__,
                            [r]() -> ::testing::Test* { return new GuestTest(r); });
  }
  return RUN_ALL_TESTS();
}
