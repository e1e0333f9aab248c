// The dynamic-2 tutorial, stage by stage: each stage's console must show
// what the seL4 tutorial's transcripts (docs/tutorial.md) promise at that
// point. Text the seed fixes is compared exactly; addresses and line numbers
// are matched by pattern and then checked against the root server's ELF and
// source, so a patterned value that is wrong still fails.
#include <cstdint>
#include <fstream>
#include <map>
#include <optional>
#include <regex>
#include <string>
#include <variant>
#include <vector>

#include <Zydis/Zydis.h>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "tests/tutorial/elf_image.h"
#include "tests/tutorial/fault_report.h"
#include "tests/tutorial/guest_runner.h"
#include "tests/tutorial/qemu_skip.h"

ABSL_FLAG(std::string, runner, "",
          "program taking --kernel= and --module=: x64sim or run_qemu.sh");
ABSL_FLAG(std::string, kernel, "", "the guest kernel image");
ABSL_FLAG(std::string, stage_dir, "", "directory holding stage0..stage15");
ABSL_FLAG(std::string, main_c, "", "guest/dynamic2/main.c, for line numbers");
ABSL_FLAG(std::string, exercise, "",
          "the exercise root server built from the template (stage 0 unsolved)");

namespace x64sim::testing {
namespace {

constexpr int kStages = 16;
constexpr char kBanner[] = "Booting all finished, dropped to user space";
constexpr char kAbortLine[] = "seL4 root server abort()ed";

// Debug-exit statuses of our kernel (guest/libsel4 constants.h); the
// simulator and tools/run_qemu exit with 0 for 0, else (status << 1) | 1.
constexpr int kExitSuccess = 0;
constexpr int kExitHalt = (0x10 << 1) | 1;
constexpr int kExitIdle = (0x11 << 1) | 1;

// From the seL4 ABI (libsel4's object types, x86-64).
constexpr uint64_t kTcbObjectType = 1;
constexpr uint64_t kTcbSizeBits = 11;
constexpr uint64_t kInitThreadCNode = 2;
constexpr uint64_t kWordBits = 64;
constexpr uint64_t kIpcBufferUserData = 0x7000000 + 0x3c8;

// A whole unhandled-fault report (21 lines).
enum class Fault {
  kRootWritesUnmappedIpcBuffer,  // the userData store before TASK 5
  kThread2ReturnsToNull,         // thread_2 without its ReplyRecv
};

// A ZF_LOG line: "dynamic-2: <function>@main.c:<line of `call`> <rest>".
struct LogLine {
  std::string function;
  std::string call;  // the text that starts the check in main.c
  std::string rest;
};

using Expected = std::variant<std::string, LogLine, Fault>;

struct StageExpectation {
  std::vector<Expected> transcript;
  int exit_code;
};

const LogLine kPageTableFailed{
    "main", R"(ZF_LOGF_IFERR(error, "Failed to allocate new page table.")",
    "[Err seL4_FailedLookup]:"};
const LogLine kReplyLengthWrong{
    "main", "ZF_LOGF_IF(seL4_MessageInfo_get_length(tag) != 1,",
    "[Cond failed: seL4_MessageInfo_get_length(tag) != 1]"};
const LogLine kReplyContentWrong{"main", "ZF_LOGF_IF(msg != ~MSG_DATA,",
                                 "[Cond failed: msg != ~MSG_DATA]"};

// The seed's transcript at each stage.
StageExpectation ExpectationFor(int stage) {
  const std::string hello = "main: hello world";
  const std::string hallo = "thread_2: hallo wereld";
  switch (stage) {
    case 0:  // "When you first run this tutorial, you will see a fault"
    case 1:  // "the output will not change"
    case 3:  // "you will see another fault"
    case 4:  // "you will see another fault"
      return {{Fault::kRootWritesUnmappedIpcBuffer}, kExitIdle};
    case 2:
      return {{kPageTableFailed, "\tFailed to allocate new page table.",
               kAbortLine},
              kExitHalt};
    case 5:
    case 6:  // "the output will not change"
    case 7:  // "the output will not change"
      return {{hello, kReplyLengthWrong,
               "\tResponse data from thread_2 was not the length expected.",
               "\tHow many registers did you set with seL4_SetMR within thread_2?",
               kAbortLine},
              kExitHalt};
    case 8:
      return {{hello, kReplyContentWrong,
               "\tResponse data from thread_2's content was not what was expected.",
               kAbortLine},
              kExitHalt};
    case 9:
    case 10:  // "the output should not change"
      return {{hello, hallo, "thread_2: got a message 0 from 0",
               Fault::kThread2ReturnsToNull},
              kExitIdle};
    case 11:
    case 12:  // "the output should not change"
      return {{hello, hallo, "thread_2: got a message 0 from 0x61",
               Fault::kThread2ReturnsToNull},
              kExitIdle};
    case 13:
    case 14:  // "the output should not change"
      return {{hello, hallo, "thread_2: got a message 0x6161 from 0x61",
               Fault::kThread2ReturnsToNull},
              kExitIdle};
    default:  // 15: main returns 0 after the reply: the run succeeds.
      return {{hello, hallo, "thread_2: got a message 0x6161 from 0x61",
               "main: got a reply: 0xffffffffffff9e9e"},
              kExitSuccess};
  }
}

// Stages after which the seed says the output does not change.
constexpr int kUnchangedStages[] = {1, 6, 7, 10, 12, 14};

// The kernel's own last words: the root server's DebugHalt or exit(0), or
// that no thread can run any more.
const std::regex kKernelEndOfRun(
    R"re(^((Debug halt|Exit success) syscall from user thread 0xffffff80[0-9a-f]{8} "rootserver"|x64sim-kernel: no runnable threads; halting)$)re");

struct StageRun {
  BootResult boot;
  std::vector<std::string> after_banner;  // console lines after the banner
  std::string banner_error;               // why the banner was not found
};

std::vector<std::string> SplitLines(const std::string& text) {
  std::vector<std::string> lines;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.emplace_back(line);
  }
  if (!lines.empty() && lines.back().empty()) lines.pop_back();
  return lines;
}

std::string StagePath(int stage) {
  return absl::StrCat(absl::GetFlag(FLAGS_stage_dir), "/stage", stage);
}

const GuestRunner& Runner() {
  static const GuestRunner runner(absl::GetFlag(FLAGS_runner), absl::GetFlag(FLAGS_kernel));
  return runner;
}

StageRun BootRootServer(const std::string& root_server) {
  StageRun run;
  absl::StatusOr<BootResult> boot = Runner().Boot(root_server);
  if (!boot.ok()) {
    run.banner_error = boot.status().ToString();
  } else {
    run.boot = *boot;
    std::vector<std::string> lines = SplitLines(boot->console);
    size_t banners = 0;
    for (size_t i = 0; i < lines.size(); ++i) {
      if (lines[i] != kBanner) continue;
      ++banners;
      run.after_banner.assign(lines.begin() + i + 1, lines.end());
    }
    if (banners != 1) {
      run.banner_error = absl::StrCat("expected the banner once, saw it ", banners,
                                      " times; console:\n", boot->console);
    }
  }
  return run;
}

// Each stage boots once; the tests share the result.
const StageRun& RunStage(int stage) {
  static std::map<int, StageRun> runs;
  auto found = runs.find(stage);
  if (found != runs.end()) return found->second;
  return runs.emplace(stage, BootRootServer(StagePath(stage))).first->second;
}

const ElfImage& StageElf(int stage) {
  static std::map<int, ElfImage> images;
  auto found = images.find(stage);
  if (found != images.end()) return found->second;
  absl::StatusOr<ElfImage> image = ElfImage::Load(StagePath(stage));
  if (!image.ok()) {
    ADD_FAILURE() << image.status();
    std::abort();
  }
  return images.emplace(stage, *std::move(image)).first->second;
}

// The line of main.c on which `call` starts inside the definition of
// `function` (what __LINE__ reports for a macro call spanning lines).
std::optional<int> SourceLineOf(const std::string& function, const std::string& call) {
  std::ifstream in(absl::GetFlag(FLAGS_main_c));
  const std::regex definition("^[a-z].*\\b" + function + "\\(.*\\) \\{$");
  std::string line;
  bool inside = false;
  std::optional<int> found;
  for (int number = 1; std::getline(in, line); ++number) {
    if (!inside) {
      inside = std::regex_match(line, definition);
    } else if (line == "}") {
      inside = false;
    } else if (line.find(call) != std::string::npos) {
      if (found) return std::nullopt;  // ambiguous
      found = number;
    }
  }
  return found;
}

// A kernel-window TCB pointer: TCB base (2 KiB aligned) + half the TCB.
void ExpectTcbPointer(const std::string& text) {
  EXPECT_TRUE(std::regex_match(text, std::regex("^0xffffff80[0-9a-f]{8}$")))
      << text << " is not in the kernel window";
  std::optional<uint64_t> pointer = ParsePointer(text);
  ASSERT_TRUE(pointer.has_value());
  EXPECT_EQ(*pointer & ((uint64_t{1} << kTcbSizeBits) - 1), uint64_t{1} << (kTcbSizeBits - 1))
      << text << " is not the middle of a 2 KiB TCB object";
}

// Sixteen consecutive words from the reported RSP, present wherever the image
// is mapped.
void ExpectStackShape(const FaultReport& report, const ElfImage& elf) {
  ASSERT_EQ(report.stack.size(), kFaultReportStackWords);
  for (size_t i = 0; i < report.stack.size(); ++i) {
    EXPECT_EQ(report.stack[i].address, report.stack[0].address + 8 * i);
    if (elf.IsMapped(report.stack[i].address)) {
      EXPECT_TRUE(report.stack[i].value.has_value())
          << "INVALID at mapped address 0x" << std::hex << report.stack[i].address;
    }
  }
}

// Decodes the instruction at `ip` and returns the absolute address it writes
// to, if it is a store with an absolute memory operand.
std::optional<uint64_t> StoreTarget(const ElfImage& elf, uint64_t ip) {
  std::vector<uint8_t> bytes = elf.BytesAt(ip, ZYDIS_MAX_INSTRUCTION_LENGTH);
  ZydisDecoder decoder;
  ZydisDecoderInit(&decoder, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
  ZydisDecodedInstruction instruction;
  ZydisDecodedOperand operands[ZYDIS_MAX_OPERAND_COUNT];
  if (!ZYAN_SUCCESS(ZydisDecoderDecodeFull(&decoder, bytes.data(), bytes.size(),
                                           &instruction, operands))) {
    return std::nullopt;
  }
  for (int i = 0; i < instruction.operand_count_visible; ++i) {
    const ZydisDecodedOperand& operand = operands[i];
    if (operand.type != ZYDIS_OPERAND_TYPE_MEMORY ||
        !(operand.actions & ZYDIS_OPERAND_ACTION_MASK_WRITE)) {
      continue;
    }
    ZyanU64 target;
    if (ZYAN_SUCCESS(ZydisCalcAbsoluteAddress(&instruction, &operand, ip, &target))) {
      return target;
    }
  }
  return std::nullopt;
}

void CheckRootFault(const FaultReport& report, int stage) {
  const ElfImage& elf = StageElf(stage);
  EXPECT_EQ(report.caught, "cap fault in send phase at address (nil)");
  EXPECT_EQ(report.while_handling,
            "vm fault on data at address 0x70003c8 with status 0x6");
  EXPECT_EQ(report.thread_name, "rootserver");
  ExpectTcbPointer(report.thread_pointer);

  // The restart PC is main's store to the IPC buffer's userData field.
  std::optional<ElfSymbol> function = elf.FunctionContaining(report.restart_pc);
  ASSERT_TRUE(function.has_value()) << std::hex << report.restart_pc;
  EXPECT_EQ(function->name, "main");
  EXPECT_EQ(StoreTarget(elf, report.restart_pc), kIpcBufferUserData)
      << "the instruction at 0x" << std::hex << report.restart_pc
      << " is not the store to userData";

  // The stack is the runtime's boot stack, and holds main's locals: the
  // vka_object_t of the new TCB {cptr, untyped, seL4_TCBObject, 11}.
  ExpectStackShape(report, elf);
  std::optional<ElfSymbol> bottom = elf.FindSymbol("runtime_stack_bottom");
  std::optional<ElfSymbol> top = elf.FindSymbol("runtime_stack_top");
  ASSERT_TRUE(bottom && top);
  EXPECT_GE(report.stack[0].address, bottom->address);
  EXPECT_LT(report.stack[0].address, top->address);
  bool tcb_object_seen = false;
  for (size_t i = 0; i + 3 < report.stack.size(); ++i) {
    const auto& s = report.stack;
    tcb_object_seen |= s[i].value.has_value() && s[i + 1].value.has_value() &&
                       s[i + 2].value == kTcbObjectType && s[i + 3].value == kTcbSizeBits;
  }
  EXPECT_TRUE(tcb_object_seen) << "main's tcb_object is not on the reported stack";
}

void CheckThread2Fault(const FaultReport& report, int stage) {
  const ElfImage& elf = StageElf(stage);
  EXPECT_EQ(report.caught, "cap fault in send phase at address (nil)");
  // Returning to address 0 faults on the fetch; without NXE/SMEP the error
  // code has no I/D bit, so it reads as a data fault (SDM vol. 3A 4.7).
  EXPECT_EQ(report.while_handling, "vm fault on data at address (nil) with status 0x4");
  EXPECT_EQ(report.thread_name, "child of: 'rootserver'");
  EXPECT_EQ(report.restart_pc, 0u);
  ExpectTcbPointer(report.thread_pointer);

  // `ret` popped the zero above thread_2's entry RSP, so RSP is the stack top.
  ExpectStackShape(report, elf);
  std::optional<ElfSymbol> stack = elf.FindSymbol("thread_2_stack");
  ASSERT_TRUE(stack.has_value());
  EXPECT_EQ(report.stack[0].address, stack->address + stack->size);
  // Above it the linker placed the allocator's pool, which starts with the
  // allocman's record of the root CNode: its cptr and its depth.
  std::optional<ElfSymbol> pool = elf.FindSymbol("allocator_mem_pool");
  if (pool && pool->address == report.stack[0].address) {
    EXPECT_EQ(report.stack[0].value, kInitThreadCNode);
    EXPECT_EQ(report.stack[1].value, kWordBits);
  }
}

// Compares the console after the banner with the stage's expectation.
void CheckTranscript(int stage, const StageRun& run) {
  ASSERT_TRUE(run.banner_error.empty()) << run.banner_error;
  const std::vector<std::string>& lines = run.after_banner;
  StageExpectation expected = ExpectationFor(stage);
  size_t at = 0;
  for (const Expected& item : expected.transcript) {
    ASSERT_LT(at, lines.size()) << "console ended early; console:\n" << run.boot.console;
    if (const auto* text = std::get_if<std::string>(&item)) {
      EXPECT_EQ(lines[at], *text) << "line " << at << " after the banner";
      ++at;
    } else if (const auto* log = std::get_if<LogLine>(&item)) {
      std::optional<int> source_line = SourceLineOf(log->function, log->call);
      ASSERT_TRUE(source_line.has_value())
          << "'" << log->call << "' not once in " << log->function << " in main.c";
      EXPECT_EQ(lines[at], absl::StrCat("dynamic-2: ", log->function, "@main.c:",
                                        *source_line, " ", log->rest));
      ++at;
    } else {
      absl::StatusOr<FaultReport> report = ParseFaultReport(lines, at);
      ASSERT_TRUE(report.ok()) << report.status() << "\nconsole:\n" << run.boot.console;
      if (std::get<Fault>(item) == Fault::kRootWritesUnmappedIpcBuffer) {
        CheckRootFault(*report, stage);
      } else {
        CheckThread2Fault(*report, stage);
      }
      at += kFaultReportHeaderLines + kFaultReportStackWords;
    }
  }
  // Only the kernel's end-of-run line may follow.
  ASSERT_EQ(lines.size(), at + 1) << "console:\n" << run.boot.console;
  EXPECT_TRUE(std::regex_match(lines[at], kKernelEndOfRun)) << lines[at];
  EXPECT_EQ(run.boot.exit_code, expected.exit_code);
}

// The transcript with the values the seed leaves open masked: the faulting
// thread's pointer and PC and the stack words.
std::vector<std::string> Masked(const std::vector<std::string>& lines) {
  static const std::regex kThread(R"re(^in thread 0x[0-9a-f]+ (".*") at address .*$)re");
  static const std::regex kStackWord(R"re(^0x[0-9a-f]+: .*$)re");
  static const std::regex kEnd(R"re(^(Debug halt syscall from user thread) .*$)re");
  std::vector<std::string> masked;
  for (const std::string& line : lines) {
    std::string m = std::regex_replace(line, kThread, "in thread <tcb> $1 at address <pc>");
    m = std::regex_replace(m, kStackWord, "<stack word>");
    masked.push_back(std::regex_replace(m, kEnd, "$1 <tcb>"));
  }
  return masked;
}

class TutorialStage : public ::testing::TestWithParam<int> {};

TEST_P(TutorialStage, ConsoleMatchesTheTutorial) {
  if (const std::string why = QemuSkipReason(absl::GetFlag(FLAGS_runner)); !why.empty()) {
    GTEST_SKIP() << why;
  }
  CheckTranscript(GetParam(), RunStage(GetParam()));
}

INSTANTIATE_TEST_SUITE_P(Dynamic2, TutorialStage, ::testing::Range(0, kStages),
                         [](const ::testing::TestParamInfo<int>& info) {
                           return absl::StrCat("Stage", info.param);
                         });

class UnchangedStage : public ::testing::TestWithParam<int> {};

// Where the seed says "the output will not change", it does not.
TEST_P(UnchangedStage, OutputSameAsPreviousStage) {
  if (const std::string why = QemuSkipReason(absl::GetFlag(FLAGS_runner)); !why.empty()) {
    GTEST_SKIP() << why;
  }
  int stage = GetParam();
  const StageRun& previous = RunStage(stage - 1);
  const StageRun& current = RunStage(stage);
  ASSERT_TRUE(previous.banner_error.empty() && current.banner_error.empty());
  EXPECT_EQ(Masked(current.after_banner), Masked(previous.after_banner));
  EXPECT_EQ(current.boot.exit_code, previous.boot.exit_code);
}

INSTANTIATE_TEST_SUITE_P(Dynamic2, UnchangedStage, ::testing::ValuesIn(kUnchangedStages),
                         [](const ::testing::TestParamInfo<int>& info) {
                           return absl::StrCat("Stage", info.param);
                         });

// The template a learner starts from behaves as stage 0.
TEST(ExerciseTemplate, BehavesAsStageZero) {
  if (const std::string why = QemuSkipReason(absl::GetFlag(FLAGS_runner)); !why.empty()) {
    GTEST_SKIP() << why;
  }
  StageRun exercise = BootRootServer(absl::GetFlag(FLAGS_exercise));
  const StageRun& stage0 = RunStage(0);
  ASSERT_TRUE(exercise.banner_error.empty()) << exercise.banner_error;
  ASSERT_TRUE(stage0.banner_error.empty()) << stage0.banner_error;
  EXPECT_EQ(Masked(exercise.after_banner), Masked(stage0.after_banner));
  EXPECT_EQ(exercise.boot.exit_code, stage0.boot.exit_code);
}

}  // namespace
}  // namespace x64sim::testing

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  absl::ParseCommandLine(argc, argv);
  return RUN_ALL_TESTS();
}
