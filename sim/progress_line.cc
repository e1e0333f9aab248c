#include "sim/progress_line.h"

#include "absl/strings/str_format.h"
#include "cpu/cpu.h"

namespace x64sim {

std::string FormatProgress(const ProgressFigures& now, double mips) {
  const double n = static_cast<double>(now.instructions);
  const std::string count = n >= 1e9   ? absl::StrFormat("%.2f G ", n / 1e9)
                            : n >= 1e6 ? absl::StrFormat("%.2f M ", n / 1e6)
                                       : absl::StrFormat("%d ", now.instructions);
  return absl::StrFormat("x64sim: %sinstructions, %.0f MIPS, %.3f s simulated", count, mips,
                         now.simulated_seconds);
}

ProgressLine::ProgressLine(std::FILE* out, std::atomic<int>* request,
                           std::chrono::milliseconds interval)
    : out_(out), request_(request), interval_(interval),
      last_time_(std::chrono::steady_clock::now()), ticker_([this] { Tick(); }) {}

ProgressLine::~ProgressLine() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  ticker_.join();
  // A request still pending is dropped, so a later run does not answer it.
  int pending = Cpu::kProgressRequest;
  request_->compare_exchange_strong(pending, 0, std::memory_order_relaxed);
  Clear();  // what follows starts on a clean line
}

void ProgressLine::Erase() {
  std::fputs("\r\033[K", out_);
  std::fflush(out_);
  drawn_ = false;
}

void ProgressLine::Tick() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!wake_.wait_for(lock, interval_, [this] { return stopping_; })) {
    // Never over a signal: a stop request wins.
    int idle = 0;
    request_->compare_exchange_strong(idle, Cpu::kProgressRequest, std::memory_order_relaxed);
  }
}

void ProgressLine::Draw(const ProgressFigures& now) {
  const auto time = std::chrono::steady_clock::now();
  const double seconds = std::chrono::duration<double>(time - last_time_).count();
  const double mips =
      seconds > 0 ? static_cast<double>(now.instructions - last_instructions_) / seconds / 1e6 : 0;
  last_time_ = time;
  last_instructions_ = now.instructions;
  std::fprintf(out_, "\r%s\033[K", FormatProgress(now, mips).c_str());
  std::fflush(out_);
  drawn_ = true;
}

}  // namespace x64sim
