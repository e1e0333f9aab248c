// --timeline=FILE: a Chrome trace-event JSON file (opens in Perfetto's UI,
// ui.perfetto.dev, and chrome://tracing) of one run in simulated time.
//
// Process "x64sim" holds a track per privilege level (spans while the core
// runs at CPL 0 and at CPL 3), a "kernel entries" track (nested spans from
// each SYSCALL, exception or interrupt to the return that ends it, named
// by seL4 system call or vector), an "MMU" track (instant events for page
// walks and TLB invalidations) and two counters, IPC and TLB misses.
// Process "guest threads" has a track per thread the guest kernel names
// through x64sim's thread-switch marker (cpu.h kMarkerThreadSwitch).
// docs/timeline.md describes the format; Finish makes every span end.
#ifndef X64SIM_SIM_TIMELINE_H_
#define X64SIM_SIM_TIMELINE_H_

#include <cstdint>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "cpu/cpu.h"
#include "cpu/event_observer.h"
#include "mmu/mmu.h"
#include "sim/platform_clock.h"

namespace x64sim {

// The name of a system call in seL4's x86-64 ABI (number in RDX), as our
// kernel and upstream seL4 (non-MCS) number them; "syscall N" otherwise.
std::string Sel4SyscallName(int64_t number);
// "#PF", "#GP", ... for exceptions; "interrupt 0x30" or "int 0x80" above 31.
std::string VectorName(uint8_t vector, bool software);

class Timeline final : public CpuEventObserver, public WalkObserver {
 public:
  // Writes to `out` as the run goes; reads time and registers from `cpu`,
  // whose cycles `clock` turns into microseconds.
  Timeline(std::ostream& out, const Cpu& cpu, PlatformClock clock, const std::string& title);
  Timeline(const Timeline&) = delete;
  Timeline& operator=(const Timeline&) = delete;

  void OnSyscall(int from_cpl) override;
  void OnDelivery(int from_cpl, uint8_t vector, bool software, uint32_t error_code) override;
  void OnReturn(int to_cpl) override;
  void OnTranslate(const WalkRecord& record) override;
  void OnTlbEvent(const TlbEvent& event) override;
  void OnThreadSwitch(uint64_t thread, const std::string& name);

  // Ends every open span now, names the tracks and closes the JSON. Once.
  void Finish();

 private:
  // Track ids in process 1.
  enum Track : int { kCpl0 = 1, kCpl3 = 2, kEntries = 3, kMmu = 4 };
  static constexpr int kMachinePid = 1;
  static constexpr int kThreadsPid = 2;

  double Now() const;
  void Event(const std::string& json_fields);
  void Begin(int pid, int tid, const std::string& name, const std::string& args = "");
  void End(int pid, int tid);
  void Instant(int tid, const std::string& name, const std::string& args);
  void SetPrivilege(int cpl);
  void SampleCounters();

  std::ostream& out_;
  const Cpu& cpu_;
  PlatformClock clock_;
  bool first_event_ = true;
  bool finished_ = false;
  int cpl_ = -1;            // the level whose span is open (-1: none yet)
  int open_entries_ = 0;    // spans open on kEntries
  int running_thread_ = 0;  // tid in kThreadsPid with an open span (0: none)
  std::map<uint64_t, int> thread_tids_;
  std::vector<std::string> thread_names_;  // by tid - 1
  uint64_t walks_ = 0;
  uint64_t sample_cycles_ = 0;
  uint64_t sample_instructions_ = 0;
  uint64_t sample_walks_ = 0;
};

}  // namespace x64sim

#endif  // X64SIM_SIM_TIMELINE_H_
