// The one-line progress indicator of long runs on a terminal: instructions,
// host MIPS and simulated time, redrawn on stderr about once a second.
//
// A ticker thread only raises Cpu::kProgressRequest; the CPU answers it
// between blocks by calling Draw on the simulation thread, so the line reads
// the machine without a data race and the run stays deterministic (nothing
// the guest sees depends on when, or whether, the line is drawn).
#ifndef X64SIM_SIM_PROGRESS_LINE_H_
#define X64SIM_SIM_PROGRESS_LINE_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>

namespace x64sim {

struct ProgressFigures {
  uint64_t instructions = 0;
  double simulated_seconds = 0;
};

// The text of one progress line (no carriage return): e.g.
// "x64sim: 1.24 G instructions, 382 MIPS, 0.412 s simulated".
std::string FormatProgress(const ProgressFigures& now, double mips);

class ProgressLine {
 public:
  // Draws on `out`; raises requests in `request` every `interval`.
  ProgressLine(std::FILE* out, std::atomic<int>* request,
               std::chrono::milliseconds interval = std::chrono::milliseconds(1000));
  ~ProgressLine();  // stops the ticker and clears the line
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

  // On the simulation thread, when the CPU answers a request.
  void Draw(const ProgressFigures& now);
  // Before other output to the same terminal (the guest's console): takes
  // the line away, to be drawn again at the next tick.
  void Clear() {
    if (drawn_) Erase();
  }

 private:
  void Tick();
  void Erase();

  std::FILE* out_;
  std::atomic<int>* request_;
  std::chrono::milliseconds interval_;
  std::chrono::steady_clock::time_point last_time_;
  uint64_t last_instructions_ = 0;
  bool drawn_ = false;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread ticker_;
};

}  // namespace x64sim

#endif  // X64SIM_SIM_PROGRESS_LINE_H_
