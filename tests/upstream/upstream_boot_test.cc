// Unmodified upstream seL4 images boot in x64sim with QEMU's console.
//
// The images are built outside this repository (docs/platform.md names the
// snapshots and configuration) and read from $X64SIM_UPSTREAM_DIR; without
// it every case is skipped, saying what the directory must hold. The
// libraries-2 cases boot KERNEL with MODULE and compare the console, line
// by line, with MODULE.qemu-console.txt captured from QEMU 7.2 with the
// same images; the sel4test case runs the whole test suite and checks its
// verdict and traces its deliberate page faults; the sel4bench case runs
// upstream's IPC benchmark on the skylake model and checks its report; the
// Nehalem case boots the libraries-2 solution with --cpuid=nehalem and
// expects the default model's console.
// Lines that depend on where each firmware puts things (ACPI table
// addresses and QEMU's FADT, the boot module's address and path, where the
// kernel finds the user image) are left out of the comparison.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "mmu/explain_fault.h"
#include "nlohmann/json.hpp"

namespace x64sim {
namespace {

struct Image {
  const char* kernel;
  const char* module;
};

const Image kImages[] = {
    {"kernel-x86_64-pc99", "libraries-2-solution-image"},
    {"kernel-x86_64-pc99", "libraries-2-exercise-image"},
};

bool FirmwareDependent(const std::string& line) {
  return absl::StartsWith(line, "ACPI: ") || absl::StrContains(line, "module #0: start=") ||
         absl::StrContains(line, " p_start=") ||
         absl::StartsWith(line, "Moving loaded userland images");
}

// A line of the kernel's dump of a faulting thread's stack ("0x548080:
// 0x0", "0x0: INVALID"). It starts at the RSP of the thread's last
// interrupt or exception from user mode (seL4's SYSCALL entry does not save
// RSP), and which that was depends on how the timer ticks fall between the
// lazy-FPU #NM traps: under QEMU, on its host-time clock, two runs printed
// both forms above.
bool TimingDependent(const std::string& line) {
  const size_t colon = line.find(": ");
  if (!absl::StartsWith(line, "0x") || colon == std::string::npos) return false;
  const std::string value = line.substr(colon + 2);
  return value == "INVALID" || absl::StartsWith(value, "0x");
}

// The console from "Boot config" on (QEMU's BIOS banner comes before it),
// without carriage returns, firmware-dependent or timing-dependent lines.
std::vector<std::string> Normalise(const std::string& text) {
  std::vector<std::string> out;
  const size_t start = text.find("Boot config");
  if (start == std::string::npos) return out;
  for (absl::string_view piece : absl::StrSplit(text.substr(start), '\n')) {
    std::string line(piece);
    line.erase(std::remove(line.begin(), line.end(), '\r'), line.end());
    if (absl::StartsWith(line, "qemu-system-x86_64: terminating")) break;
    if (!FirmwareDependent(line) && !TimingDependent(line)) out.push_back(line);
  }
  while (!out.empty() && out.back().empty()) out.pop_back();
  return out;
}

// Runs x64sim until `done` holds for its console so far (or it ended, or
// `seconds` passed), then stops it: the kernel idles forever after its
// last line, as under QEMU. SIGTERM ends the run at a block boundary with
// complete output files (stats, traces); SIGKILL only if that hangs.
std::string RunUntil(const std::vector<std::string>& argv,
                     const std::function<bool(const std::string&)>& done, int seconds) {
  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) return "";
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(pipe_fds[1], 1);
    close(pipe_fds[0]);
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  close(pipe_fds[1]);
  alarm(static_cast<unsigned>(seconds));  // a hung read ends the test
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = read(pipe_fds[0], buf, sizeof(buf))) > 0) {
    out.append(buf, static_cast<size_t>(n));
    if (done(out)) break;
  }
  kill(pid, SIGTERM);
  alarm(60);
  if (waitpid(pid, nullptr, 0) != pid) {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
  }
  alarm(0);
  close(pipe_fds[0]);
  return out;
}

// The directory of upstream images, or null with the reason to skip.
const char* UpstreamDir(const std::vector<std::string>& files, std::string* skip) {
  const char* dir = std::getenv("X64SIM_UPSTREAM_DIR");
  std::string need;
  for (size_t i = 0; i < files.size(); ++i) {
    need += (i == 0 ? "" : i + 1 == files.size() ? " and " : ", ") + files[i];
  }
  if (dir == nullptr || *dir == 0) {
    *skip = "X64SIM_UPSTREAM_DIR is not set: it must name a directory holding " + need +
            " (upstream seL4 images and QEMU's console for them; docs/platform.md)";
    return nullptr;
  }
  for (const std::string& f : files) {
    if (access((std::string(dir) + "/" + f).c_str(), R_OK) != 0) {
      *skip = std::string(dir) + " does not hold " + need;
      return nullptr;
    }
  }
  return dir;
}

// Boots `image` with `flags` added until its normalised console has `lines`
// lines; the whole console.
std::string BootImage(const std::string& base, const Image& image, const std::vector<std::string>& flags,
                      size_t lines) {
  std::vector<std::string> argv = {"sim/x64sim", "--timing=off", "--kernel=" + base + image.kernel,
                                   "--module=" + base + image.module};
  argv.insert(argv.end(), flags.begin(), flags.end());
  return RunUntil(
      argv,
      [&](const std::string& out) { return Normalise(out.substr(0, out.rfind('\n') + 1)).size() >= lines; },
      300);
}

void ExpectConsole(const std::string& console, const std::vector<std::string>& expected) {
  std::vector<std::string> got = Normalise(console.substr(0, console.rfind('\n') + 1));
  if (got.size() > expected.size()) got.resize(expected.size());
  ASSERT_EQ(got.size(), expected.size()) << console.substr(console.size() > 2000 ? console.size() - 2000 : 0);
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(got[i], expected[i]) << "console line " << i;
  }
}

// QEMU's console as captured beside an image, normalised.
std::vector<std::string> QemuConsole(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  std::stringstream text;
  text << file.rdbuf();
  return Normalise(text.str());
}

class UpstreamBootTest : public ::testing::TestWithParam<Image> {};

TEST_P(UpstreamBootTest, ConsoleMatchesQemu) {
  const Image& image = GetParam();
  const std::string qemu_console = std::string(image.module) + ".qemu-console.txt";
  std::string skip;
  const char* dir = UpstreamDir({image.kernel, image.module, qemu_console}, &skip);
  if (dir == nullptr) GTEST_SKIP() << skip;
  const std::string base = std::string(dir) + "/";
  const std::vector<std::string> expected = QemuConsole(base + qemu_console);
  ASSERT_FALSE(expected.empty()) << "no 'Boot config' line in QEMU's console";

  ExpectConsole(BootImage(base, image, {}, expected.size()), expected);
}

INSTANTIATE_TEST_SUITE_P(Images, UpstreamBootTest, ::testing::ValuesIn(kImages),
                         [](const ::testing::TestParamInfo<Image>& info) {
                           return absl::StrContains(info.param.module, "solution")
                                      ? std::string("libraries2_solution")
                                      : std::string("libraries2_exercise");
                         });

// The libraries-2 solution on the CPU upstream's simulation builds run on
// (QEMU's -cpu Nehalem): no AVX, XSAVE, FSGSBASE, ... The console is the
// one the default model prints.
TEST(UpstreamNehalemTest, Libraries2SolutionConsoleMatchesTheDefaultModel) {
  const Image& image = kImages[0];
  const std::string qemu_console = std::string(image.module) + ".qemu-console.txt";
  std::string skip;
  const char* dir = UpstreamDir({image.kernel, image.module, qemu_console}, &skip);
  if (dir == nullptr) GTEST_SKIP() << skip;
  const std::string base = std::string(dir) + "/";
  const size_t lines = QemuConsole(base + qemu_console).size();
  ASSERT_GT(lines, 0u) << "no 'Boot config' line in QEMU's console";
  const std::string skylake = BootImage(base, image, {}, lines);
  std::vector<std::string> expected = Normalise(skylake.substr(0, skylake.rfind('\n') + 1));
  if (expected.size() > lines) expected.resize(lines);
  ASSERT_EQ(expected.size(), lines) << skylake;
  ExpectConsole(BootImage(base, image, {"--cpuid=nehalem"}, lines), expected);
}

// sel4test (its simulation settings) in 3 GiB, as under QEMU with -m 3G:
// the driver runs every enabled test, timing them with the HPET, whose
// interrupts reach it through the I/O APIC. The run also writes an MMU
// trace of its page faults: PAGEFAULT0001-0003 and 1001-1003 read, write
// and jump to an address sel4test leaves unmapped (its faults.c BAD_VADDR),
// FRAMEDIPC0003 writes to a page it unmapped, and explain-fault must say
// why each faulted.
TEST(UpstreamSel4testTest, TestSuitePassesAndItsPageFaultsAreExplained) {
  std::string skip;
  const char* dir = UpstreamDir({"sel4test-kernel-x86_64-pc99", "sel4test-driver-image"}, &skip);
  if (dir == nullptr) GTEST_SKIP() << skip;
  const std::string base = std::string(dir) + "/";
  const char* tmp = std::getenv("TEST_TMPDIR");
  const std::string trace_path = std::string(tmp != nullptr ? tmp : "/tmp") + "/sel4test-faults.jsonl";
  constexpr char kVerdict[] = "Test suite passed. 121 tests passed. 57 tests disabled.";
  constexpr char kEnd[] = "All is well in the universe";
  const std::string console = RunUntil(
      {"sim/x64sim", "--timing=off", "--memory-mib=3072", "--kernel=" + base + "sel4test-kernel-x86_64-pc99",
       "--module=" + base + "sel4test-driver-image", "--trace-mmu=" + trace_path,
       "--trace-mmu-faults-only"},
      [&](const std::string& out) {
        return absl::StrContains(out, kEnd) || absl::StrContains(out, "Test suite failed");
      },
      3000);
  const std::string tail = console.substr(console.size() > 3000 ? console.size() - 3000 : 0);
  EXPECT_TRUE(absl::StrContains(console, kVerdict)) << tail;
  EXPECT_TRUE(absl::StrContains(console, kEnd)) << tail;

  std::ifstream trace(trace_path);
  ASSERT_TRUE(trace.good()) << "no trace at " << trace_path;
  std::ostringstream explained;
  const absl::StatusOr<int> faults = ExplainTrace(trace, explained);
  ASSERT_TRUE(faults.ok()) << faults.status();
  // Inside the test's own address space the walk stops at the PDPT; in a
  // fresh one (the inter-AS tests) already at the PML4. Error codes: user
  // (bit 2), write (bit 1), instruction fetch (bit 4, the kernel sets NXE).
  const std::string kBad = "0x7edcba987650: PML4[253] ";
  const std::string kPdpt =
      "present → PDPT[370] not present: no page directory maps 0x7edc80000000–0x7edcbfffffff; ";
  const std::string kPml4 =
      "not present: no page-directory-pointer table maps 0x7e8000000000–0x7effffffffff; ";
  // FRAMEDIPC0003: a helper writes to a page whose frame capability the
  // test deleted; the kernel has cleared its page-table entry.
  EXPECT_TRUE(absl::StrContains(explained.str(),
                                "not present: no page maps 0x10fb3000–0x10fb3fff; error code 0x6 = "
                                "user write to a not-present page"))
      << explained.str().substr(0, 4000);
  for (const std::string& level : {kPdpt, kPml4}) {
    for (const char* access : {"error code 0x4 = user read from a not-present page",
                               "error code 0x6 = user write to a not-present page",
                               "error code 0x14 = user instruction fetch from a not-present page"}) {
      EXPECT_TRUE(absl::StrContains(explained.str(), absl::StrCat(kBad, level, access)))
          << "missing: " << kBad << level << access << "\n" << explained.str().substr(0, 4000);
    }
  }
}

// sel4bench's IPC benchmark (docs/timing.md says how the image was built;
// its kernel needs PCIDs, which QEMU's TCG lacks, so there is no QEMU
// console to compare with). It times each IPC with rdtsc, which counts the
// model's core cycles: a deterministic machine gives 16 identical samples.
TEST(UpstreamSel4benchTest, IpcBenchmarkReportsModelledCycles) {
  std::string skip;
  const char* dir = UpstreamDir({"sel4bench-kernel-x86_64-pc99", "sel4bench-image"}, &skip);
  if (dir == nullptr) GTEST_SKIP() << skip;
  const std::string base = std::string(dir) + "/";
  const std::string console = RunUntil(
      {"sim/x64sim", "--uarch=skylake", "--kernel=" + base + "sel4bench-kernel-x86_64-pc99",
       "--module=" + base + "sel4bench-image"},
      [](const std::string& out) { return absl::StrContains(out, "Fin\n"); }, 600);
  const std::string tail = console.substr(console.size() > 3000 ? console.size() - 3000 : 0);
  ASSERT_TRUE(absl::StrContains(console, "All is well in the universe.")) << tail;
  const size_t begin = console.find('\n', console.find("JSON OUTPUT"));
  const size_t end = console.find("END JSON OUTPUT");
  ASSERT_TRUE(begin != std::string::npos && end != std::string::npos && begin < end) << tail;
  const nlohmann::json report = nlohmann::json::parse(console.substr(begin, end - begin), nullptr,
                                                      /*allow_exceptions=*/false);
  ASSERT_TRUE(report.is_array() && report.size() == 1) << tail;
  EXPECT_EQ(report[0].value("Benchmark", ""), "One way IPC microbenchmarks");
  const nlohmann::json& rows = report[0]["Results"];
  ASSERT_EQ(rows.size(), 7u);
  auto cycles = [&](const char* function, bool same_space, int length) -> int64_t {
    for (const nlohmann::json& row : rows) {
      if (row["Function"] == function && row["Same vspace?"] == same_space &&
          row["IPC length"] == length) {
        EXPECT_EQ(row["Samples"], 16) << row.dump();
        EXPECT_EQ(row["Min"], row["Max"]) << "samples differ: " << row.dump();
        return row["Min"].get<int64_t>();
      }
    }
    ADD_FAILURE() << "no row for " << function << " length " << length;
    return 0;
  };
  // Positive, and a ten-word message costs more than an empty one.
  EXPECT_GT(cycles("seL4_Call", true, 0), 0);
  EXPECT_GT(cycles("seL4_ReplyRecv", true, 0), 0);
  EXPECT_GT(cycles("seL4_Call", false, 10), cycles("seL4_Call", false, 0));
  EXPECT_GT(cycles("seL4_ReplyRecv", false, 10), cycles("seL4_ReplyRecv", false, 0));
  EXPECT_GT(cycles("seL4_Send", false, 0), 0);
}

}  // namespace
}  // namespace x64sim
