// The progress line: its text, its ticker, and that drawing it changes
// nothing the guest or the statistics see.
#include "sim/progress_line.h"

#include <cstdio>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "cpu/cpu.h"
#include "gtest/gtest.h"
#include "sim/machine.h"
#include "uarch/loader.h"

ABSL_FLAG(std::string, compute, "", "the compute guest (//guest/demo/compute)");

namespace x64sim {
namespace {

TEST(FormatProgress, ScalesCountsAndShowsSimulatedSeconds) {
  EXPECT_EQ(FormatProgress({1'240'000'000, 1.0}, 381.6),
            "x64sim: 1.24 G instructions, 382 MIPS, 1.000 s simulated");
  EXPECT_EQ(FormatProgress({52'300'000, 0.0012}, 12), "x64sim: 52.30 M instructions, 12 MIPS, 0.001 s simulated");
  EXPECT_EQ(FormatProgress({999, 0}, 0), "x64sim: 999 instructions, 0 MIPS, 0.000 s simulated");
}

std::string ReadAll(std::FILE* f) {
  std::fflush(f);
  std::rewind(f);
  std::string text;
  for (int c; (c = std::fgetc(f)) != EOF;) text.push_back(static_cast<char>(c));
  return text;
}

TEST(ProgressLine, TickerRaisesRequestsButNeverOverASignal) {
  std::atomic<int> request{0};
  std::FILE* out = std::tmpfile();
  ASSERT_NE(out, nullptr);
  {
    ProgressLine line(out, &request, std::chrono::milliseconds(1));
    while (request.load() != Cpu::kProgressRequest) std::this_thread::yield();
    request.store(2);  // SIGINT arrives
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    EXPECT_EQ(request.load(), 2);  // the ticker left it alone
    request.store(Cpu::kProgressRequest);
  }
  EXPECT_EQ(request.load(), 0);  // a pending request is dropped at the end
  EXPECT_EQ(ReadAll(out), "");   // nothing drawn, nothing to erase
  std::fclose(out);
}

TEST(ProgressLine, DrawsOverItselfAndClearsBeforeOtherOutput) {
  std::atomic<int> request{0};
  std::FILE* out = std::tmpfile();
  ASSERT_NE(out, nullptr);
  {
    ProgressLine line(out, &request, std::chrono::hours(1));
    line.Draw({5, 7});
    line.Clear();
    line.Clear();  // once is enough
    line.Draw({2'000'000, 7});
  }
  const std::string text = ReadAll(out);
  EXPECT_EQ(text.rfind("\rx64sim: 5 instructions, ", 0), 0u) << text;
  EXPECT_NE(text.find("\r\033[K\rx64sim: 2.00 M instructions"), std::string::npos) << text;
  EXPECT_EQ(text.substr(text.size() - 4), "\r\033[K");  // the end leaves a clean line
  EXPECT_EQ(text.find("\r\033[K\r\033[K"), std::string::npos) << text;
  std::fclose(out);
}

struct RunResult {
  std::string console;
  std::string stats;
  uint64_t instructions = 0;
  uint64_t cycles = 0;
  int draws = 0;
};

// Runs the compute guest with timing on, answering progress requests raised
// every `interval` (none when zero).
RunResult RunCompute(std::chrono::milliseconds interval) {
  std::ifstream in(absl::GetFlag(FLAGS_compute), std::ios::binary);
  const std::vector<uint8_t> image{std::istreambuf_iterator<char>(in), {}};
  static const absl::StatusOr<UarchDescription> skylake = LoadUarch("skylake");
  RunResult result;
  MachineConfig config;
  config.uarch = &*skylake;
  config.console = [&result](uint8_t c) { result.console.push_back(static_cast<char>(c)); };
  Machine machine(config);
  EXPECT_TRUE(machine.Boot(image, "compute rounds=3", {}).ok());
  std::atomic<int> request{0};
  machine.cpu().set_stop_request(&request);
  std::FILE* out = std::tmpfile();
  {
    std::unique_ptr<ProgressLine> line;
    if (interval.count() > 0) {
      line = std::make_unique<ProgressLine>(out, &request, interval);
      machine.cpu().set_progress_hook([&] {
        ++result.draws;
        line->Draw({machine.cpu().instret(), machine.clock().Seconds(machine.cpu().cycles())});
      });
    }
    const StopInfo stop = machine.Run(UINT64_MAX);
    EXPECT_EQ(stop.reason, StopReason::kGuestExit) << stop.detail;
  }
  std::fclose(out);
  std::ostringstream stats;
  machine.PrintStats(stats);
  result.stats = stats.str();
  result.instructions = machine.cpu().instret();
  result.cycles = machine.cpu().cycles();
  return result;
}

TEST(ProgressLine, DrawingChangesNothingTheRunComputes) {
  ASSERT_FALSE(absl::GetFlag(FLAGS_compute).empty());
  const RunResult quiet = RunCompute(std::chrono::milliseconds(0));
  const RunResult drawn = RunCompute(std::chrono::milliseconds(1));
  EXPECT_GT(drawn.draws, 0);
  EXPECT_EQ(quiet.console, drawn.console);
  EXPECT_EQ(quiet.instructions, drawn.instructions);
  EXPECT_EQ(quiet.cycles, drawn.cycles);
  // Host time differs between runs; everything the model computes must not.
  auto modelled = [](const std::string& stats) {
    std::string kept;
    std::istringstream lines(stats);
    for (std::string line; std::getline(lines, line);) {
      if (line.find("host") == std::string::npos && line.find("mips") == std::string::npos) kept += line + "\n";
    }
    return kept;
  };
  EXPECT_EQ(modelled(quiet.stats), modelled(drawn.stats));
}

}  // namespace
}  // namespace x64sim

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  absl::ParseCommandLine(argc, argv);
  return RUN_ALL_TESTS();
}
