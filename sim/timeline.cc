#include "sim/timeline.h"

#include <nlohmann/json.hpp>

#include "absl/strings/str_format.h"
#include "mmu/tlb_event.h"
#include "mmu/walk_record.h"

namespace x64sim {
namespace {

// Counters are sampled at the events the timeline sees, at most once per
// this many cycles (10 us of a 3.4 GHz core), so their cost and the file
// stay small whatever the guest does.
constexpr uint64_t kCounterInterval = 34'000;

// A JSON string literal: guest-chosen names may hold anything.
std::string Quoted(const std::string& text) {
  return nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

std::string Sel4SyscallName(int64_t number) {
  static const std::map<int64_t, const char*> kNames = {
      {-1, "Call"},           {-2, "ReplyRecv"},         {-3, "Send"},
      {-4, "NBSend"},         {-5, "Recv"},              {-6, "Reply"},
      {-7, "Yield"},          {-8, "NBRecv"},            {-9, "DebugPutChar"},
      {-10, "DebugDumpScheduler"}, {-11, "DebugHalt"},   {-12, "DebugCapIdentify"},
      {-13, "DebugSnapshot"}, {-14, "DebugNameThread"},  {-64, "X64simSetFastpath"},
      {-65, "X64simExitSuccess"},
  };
  const auto it = kNames.find(number);
  return it != kNames.end() ? absl::StrCat("seL4_", it->second) : absl::StrFormat("syscall %d", number);
}

std::string VectorName(uint8_t vector, bool software) {
  // SDM vol. 3A table 6-1.
  static const char* const kExceptions[32] = {
      "#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "vector 9", "#TS",
      "#NP", "#SS", "#GP", "#PF", "vector 15", "#MF", "#AC", "#MC", "#XM", "#VE", "#CP"};
  if (vector < 32 && kExceptions[vector] != nullptr) return kExceptions[vector];
  if (vector < 32) return absl::StrFormat("vector %d", vector);
  return absl::StrFormat(software ? "int %#x" : "interrupt %#x", vector);
}

Timeline::Timeline(std::ostream& out, const Cpu& cpu, PlatformClock clock, const std::string& title)
    : out_(out), cpu_(cpu), clock_(clock) {
  out_ << "{\"displayTimeUnit\":\"ns\",\"otherData\":{\"title\":" << Quoted(title)
       << absl::StrFormat(",\"clock\":\"simulated core cycles at %d MHz, in microseconds\"},\"traceEvents\":[\n",
                          clock_.core_mhz());
  sample_cycles_ = cpu_.cycles();
  sample_instructions_ = cpu_.instret();
  SetPrivilege(cpu_.state.cpl);
}

double Timeline::Now() const {
  return clock_.Seconds(cpu_.cycles()) * 1e6;
}

void Timeline::Event(const std::string& json_fields) {
  if (!first_event_) out_ << ",\n";
  first_event_ = false;
  out_ << '{' << json_fields << '}';
}

void Timeline::Begin(int pid, int tid, const std::string& name, const std::string& args) {
  Event(absl::StrFormat("\"ph\":\"B\",\"pid\":%d,\"tid\":%d,\"ts\":%.4f,\"name\":%s%s", pid, tid, Now(),
                        Quoted(name), args.empty() ? "" : ",\"args\":{" + args + "}"));
}

void Timeline::End(int pid, int tid) {
  Event(absl::StrFormat("\"ph\":\"E\",\"pid\":%d,\"tid\":%d,\"ts\":%.4f", pid, tid, Now()));
}

void Timeline::Instant(int tid, const std::string& name, const std::string& args) {
  Event(absl::StrFormat("\"ph\":\"i\",\"s\":\"t\",\"pid\":%d,\"tid\":%d,\"ts\":%.4f,\"name\":%s,\"args\":{%s}",
                        kMachinePid, tid, Now(), Quoted(name), args));
}

void Timeline::SetPrivilege(int cpl) {
  if (cpl == cpl_) return;
  if (cpl_ == 0 || cpl_ == 3) End(kMachinePid, cpl_ == 0 ? kCpl0 : kCpl3);
  cpl_ = cpl;
  // CPL 1 and 2 (unused by the guests here) show as gaps between the two.
  if (cpl == 0 || cpl == 3) Begin(kMachinePid, cpl == 0 ? kCpl0 : kCpl3, absl::StrFormat("CPL %d", cpl));
}

void Timeline::SampleCounters() {
  const uint64_t cycles = cpu_.cycles();
  if (cycles - sample_cycles_ < kCounterInterval) return;
  const uint64_t instructions = cpu_.instret();
  const double ipc = static_cast<double>(instructions - sample_instructions_) /
                     static_cast<double>(cycles - sample_cycles_);
  const double ts = Now();
  Event(absl::StrFormat("\"ph\":\"C\",\"pid\":%d,\"ts\":%.4f,\"name\":\"IPC\",\"args\":{\"ipc\":%.3f}",
                        kMachinePid, ts, ipc));
  Event(absl::StrFormat(
      "\"ph\":\"C\",\"pid\":%d,\"ts\":%.4f,\"name\":\"TLB misses\",\"args\":{\"walks\":%d}", kMachinePid,
      ts, walks_ - sample_walks_));
  sample_cycles_ = cycles;
  sample_instructions_ = instructions;
  sample_walks_ = walks_;
}

void Timeline::OnSyscall(int from_cpl) {
  if (finished_) return;
  SampleCounters();
  SetPrivilege(cpu_.state.cpl);
  const int64_t number = static_cast<int64_t>(cpu_.state.gpr[kRdx]);
  Begin(kMachinePid, kEntries, Sel4SyscallName(number),
        absl::StrFormat("\"rdx\":%d,\"from_cpl\":%d,\"rip\":\"%#x\"", number, from_cpl, cpu_.state.gpr[kRcx]));
  ++open_entries_;
}

void Timeline::OnDelivery(int from_cpl, uint8_t vector, bool software, uint32_t error_code) {
  if (finished_) return;
  SampleCounters();
  SetPrivilege(cpu_.state.cpl);
  std::string args = absl::StrFormat("\"vector\":%d,\"from_cpl\":%d,\"error_code\":\"%#x\"", vector,
                                     from_cpl, error_code);
  if (vector == kPageFault) args += absl::StrFormat(",\"cr2\":\"%#x\"", cpu_.state.cr2);
  Begin(kMachinePid, kEntries, VectorName(vector, software), args);
  ++open_entries_;
}

void Timeline::OnReturn(int to_cpl) {
  if (finished_) return;
  SampleCounters();
  // A return to user level ends everything the kernel had open (a thread
  // switch may return to another thread by another instruction than the
  // one that entered); a return within the kernel ends the innermost.
  int ends = to_cpl == 3 ? open_entries_ : std::min(open_entries_, 1);
  for (; ends > 0; --ends, --open_entries_) End(kMachinePid, kEntries);
  SetPrivilege(to_cpl);
}

void Timeline::OnTranslate(const WalkRecord& record) {
  if (finished_ || record.tlb != TlbSource::kWalk) return;
  ++walks_;
  const bool fault = record.stop != WalkStop::kOk;
  Instant(kMmu, fault ? "page walk: fault" : "page walk",
          absl::StrFormat("\"linear\":\"%#x\",\"access\":\"%s\",\"levels\":%d,\"psc\":\"%s\",\"result\":\"%s\"",
                          record.linear, AccessKindName(record.kind), record.num_steps,
                          PscSourceName(record.psc), WalkStopName(record.stop)));
}

void Timeline::OnTlbEvent(const TlbEvent& event) {
  if (finished_ || event.kind != TlbEvent::Kind::kInvalidate) return;
  Instant(kMmu, absl::StrCat("TLB flush: ", InvalidationKindName(event.reason)),
          absl::StrFormat("\"linear\":\"%#x\",\"pcid\":%d", event.linear, event.pcid));
}

void Timeline::OnThreadSwitch(uint64_t thread, const std::string& name) {
  if (finished_) return;
  auto [it, added] = thread_tids_.try_emplace(thread, static_cast<int>(thread_names_.size()) + 1);
  if (added) thread_names_.push_back(name);
  thread_names_[it->second - 1] = name;  // the latest name wins
  if (running_thread_ == it->second) return;
  if (running_thread_ != 0) End(kThreadsPid, running_thread_);
  running_thread_ = it->second;
  Begin(kThreadsPid, running_thread_, name, absl::StrFormat("\"thread\":\"%#x\"", thread));
}

void Timeline::Finish() {
  if (finished_) return;
  for (; open_entries_ > 0; --open_entries_) End(kMachinePid, kEntries);
  if (running_thread_ != 0) End(kThreadsPid, running_thread_);
  SetPrivilege(-1);
  auto name = [this](int pid, int tid, const char* kind, const std::string& text) {
    Event(absl::StrFormat("\"ph\":\"M\",\"pid\":%d,\"tid\":%d,\"name\":\"%s\",\"args\":{\"name\":%s}", pid,
                          tid, kind, Quoted(text)));
  };
  name(kMachinePid, 0, "process_name", "x64sim");
  name(kMachinePid, kCpl0, "thread_name", "CPL 0 (kernel)");
  name(kMachinePid, kCpl3, "thread_name", "CPL 3 (user)");
  name(kMachinePid, kEntries, "thread_name", "kernel entries");
  name(kMachinePid, kMmu, "thread_name", "MMU");
  name(kThreadsPid, 0, "process_name", "guest threads");
  for (size_t i = 0; i < thread_names_.size(); ++i) {
    name(kThreadsPid, static_cast<int>(i) + 1, "thread_name", thread_names_[i]);
  }
  out_ << "\n]}\n";
  finished_ = true;
}

}  // namespace x64sim
