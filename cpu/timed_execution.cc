// The core's side of timing (cpu/timing.h): recording what each block did
// and handing it to the model when the block ends, inside the threaded,
// chained run loop.
#include <algorithm>
#include <cstring>

#include "cpu/cpu.h"

namespace x64sim {

void Cpu::set_timing(bool on) {
  if (on == timing_on_ || (on && model_ == nullptr)) return;
  if (on) {
    model_->Start(cycles());
  } else {
    FinishTimedBlock();
    idle_cycles_ = model_->cycles() - instret_;  // the clock goes on from where the model left it
  }
  timing_on_ = on;
  log_pos_ = log_end_ = mem_log_;
}

void Cpu::StartTimedBlock(const Block* block) {
  timed_block_ = block->timing ? block : nullptr;
  timed_instret_ = instret_;
  PricedRange& r = timed_range_;
  r.timing = block->timing.get();
  r.begin = 0;
  r.rip = state.rip;
  r.code_phys = block->phys();
  r.fetch_linear = seg_base_[kCs] + state.rip;
  r.accesses = mem_log_;
  r.reps = rep_log_;
  r.divides = divide_log_;
  r.cpl = state.cpl;
  r.paging = state.cr0 & kCr0PG;
  r.pcid = (state.cr4 & kCr4PCIDE) ? static_cast<uint16_t>(state.cr3 & 0xfff) : 0;
  log_pos_ = mem_log_;
  log_end_ = timed_block_ != nullptr ? mem_log_ + kMemLogSize : mem_log_;
  num_reps_ = 0;
  num_divides_ = 0;
}

void Cpu::PriceTimedBlock(int end, bool leaves) {
  PricedRange& r = timed_range_;
  end = std::min(end, timed_block_->count);
  if (end <= r.begin) return;
  const int used_log = static_cast<int>(log_pos_ - mem_log_);
  r.end = end;
  r.num_accesses = used_log;
  r.num_reps = num_reps_;
  r.num_divides = num_divides_;
  r.leaves_block = leaves;
  r.next_rip = state.rip;
  r.cr3_noflush = cr3_noflush_;
  const TimingModel::Used used = model_->Price(r);
  // What the priced instructions did is spent; the running one's stays.
  const bool recording = log_end_ != log_pos_;  // not inside a REP run
  const int left = used_log - used.accesses;
  if (left > 0) std::memmove(mem_log_, mem_log_ + used.accesses, sizeof(MemAccess) * left);
  log_pos_ = mem_log_ + left;
  log_end_ = recording ? mem_log_ + kMemLogSize : log_pos_;
  if (used.reps > 0) {
    std::memmove(rep_log_, rep_log_ + used.reps, sizeof(RepWork) * (num_reps_ - used.reps));
    num_reps_ -= used.reps;
  }
  if (used.divides > 0) {
    std::memmove(divide_log_, divide_log_ + used.divides,
                 sizeof(DivideWork) * (num_divides_ - used.divides));
    num_divides_ -= used.divides;
  }
  const int begin = r.begin;
  r.begin = end;
  if (leaves) return;  // the block is done: nothing more of it is priced
  // The rest of the block is priced later, from the next instruction on.
  for (int i = begin; i < end; ++i) {
    r.rip += r.timing[i].length;
    r.code_phys += r.timing[i].length;
  }
}

void Cpu::FinishTimedBlock() {
  if (timed_block_ == nullptr) return;
  PriceTimedBlock(static_cast<int>(std::min<uint64_t>(instret_ - timed_instret_, Block::kMaxInsns)),
                  /*leaves=*/true);
  timed_block_ = nullptr;
  log_pos_ = log_end_ = mem_log_;
}

bool Cpu::PriceAndChain(const Block* next) {
  const uint64_t generation = generation_;
  FinishTimedBlock();
  if (cycles() >= next_event_check_ || generation != generation_) return false;
  StartTimedBlock(next);
  return true;
}

void Cpu::LogSlowAccess(uint64_t linear, uint64_t phys, uint8_t flags) {
  *log_pos_++ = {linear, phys, static_cast<uint32_t>(state.rip),
                 static_cast<uint16_t>(model_->TakeWalkCycles()), flags};
}

void Cpu::ResumeMemLog(MemAccess* end, uint64_t elements, int element_size, uint64_t dst_linear,
                       uint64_t src_linear) {
  log_end_ = end;
  if (log_end_ == log_pos_ || num_reps_ == Block::kMaxInsns) return;  // not recording
  // The runs' physical addresses through the fast path (a run outside it,
  // such as MMIO, is priced at its linear address).
  auto phys = [&](uint64_t linear) {
    const uint8_t* host = FastReadPointer(linear);
    return host != nullptr ? reinterpret_cast<uint64_t>(host) - ram_base_ : linear;
  };
  rep_log_[num_reps_++] = {static_cast<uint32_t>(state.rip), static_cast<uint32_t>(element_size),
                           elements, phys(dst_linear),
                           src_linear == kNoSource ? kNoSource : phys(src_linear)};
}

}  // namespace x64sim
