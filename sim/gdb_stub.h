// A GDB remote stub (docs/gdb.md): gdb connects over TCP on loopback and
// debugs the guest as one thread — registers, virtual memory through the
// guest's current page tables, breakpoints, watchpoints, single steps,
// Ctrl-C — plus `monitor` commands about the machine (sim/gdb_monitor.h).
//
// While the stub is in charge the CPU runs with a DebugHook: blocks that
// hold a breakpoint, or all of them while stepping or watching, run an
// instruction at a time through StopBefore; the others run whole. Runs
// without --gdb never see it.
#ifndef X64SIM_SIM_GDB_STUB_H_
#define X64SIM_SIM_GDB_STUB_H_

#include <bitset>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "cpu/debug_hook.h"
#include "sim/gdb_connection.h"
#include "sim/gdb_packet.h"
#include "sim/machine.h"

namespace x64sim {

class GdbStub : public DebugHook {
 public:
  explicit GdbStub(Machine& machine) : machine_(machine), cpu_(machine.cpu()) {}

  // Listens on 127.0.0.1:`port` (0: a free port, see port()).
  absl::Status Listen(int port) { return connection_.Listen(port); }
  int port() const { return connection_.port(); }

  // Runs the machine, at most `max_instructions` more, under the debugger:
  // with `wait` nothing runs until gdb connects and resumes; otherwise the
  // guest starts at once and gdb may attach at any time. Returns when the
  // run has ended and gdb let go of it (detach, hang-up), or gdb killed it.
  StopInfo Run(uint64_t max_instructions, bool wait);
  // gdb sent 'k' while the guest could still run.
  bool killed() const { return killed_; }

  // DebugHook.
  bool StepsBlock(uint64_t rip, const DecodedInsn* insns, int count) override;
  bool StopBefore(const DecodedInsn& insn, uint64_t rip) override;
  void OnEvent(uint8_t vector, uint64_t rip) override;

 private:
  enum class Resume : uint8_t { kContinue, kStep, kKill, kDetach };
  enum BreakKind : int { kSoftware = 0, kHardware = 1, kWrite = 2, kRead = 3, kAccess = 4 };
  struct Watchpoint {
    uint64_t addr = 0;
    uint64_t len = 0;
    BreakKind kind = kWrite;
    std::optional<std::string> value;  // the watched bytes at the last look
    uint64_t cr3 = 0;                  // the address space they were read in
  };
  // Why the guest is stopped, as a stop reply says it.
  struct StopState {
    int signal = 5;     // gdb's signal numbers: 2 INT, 4 ILL, 5 TRAP, 11 SEGV, 24 XCPU
    std::string extra;  // "swbreak:;", "watch:ADDR;", ...
  };

  // Answers packets until gdb resumes, kills or leaves.
  Resume Serve();
  // One packet; true when it resumes, kills or detaches (then `resume`).
  bool Handle(std::string_view packet, Resume* resume);
  void Reply(std::string_view payload);
  // Text for gdb's console ('O' packets).
  void Print(std::string_view text);
  std::string StopReply() const;
  void ReportFinalStop();
  // Takes Ctrl-C and new connections while the guest runs.
  void Poll();
  void ForgetDebugState();

  std::string ReadRegister(int n) const;
  bool WriteRegister(int n, std::string_view bytes);
  std::string ReadAllRegisters() const;
  bool WriteAllRegisters(std::string_view bytes);
  // Guest virtual memory, translated without side effects (reads:
  // Machine::PeekVirtual).
  bool WriteVirtual(uint64_t addr, std::string_view bytes);

  std::string HandleQuery(std::string_view packet);
  std::string HandleBreakpoint(std::string_view packet);
  std::string HandleMonitor(std::string_view command);
  std::string CatchCommand(std::string_view args);

  // A write watchpoint whose bytes changed since the last instruction.
  bool CheckWriteWatchpoints();
  // A read or access watchpoint the instruction at `rip` touches through
  // one of its memory operands.
  std::optional<uint64_t> AccessedWatchpoint(uint64_t rip, BreakKind* kind);
  void SnapshotWatchpoints();

  Machine& machine_;
  Cpu& cpu_;
  GdbConnection connection_;
  GdbPacketReader reader_;
  std::string last_sent_;
  bool no_ack_ = false;
  bool killed_ = false;

  std::map<uint64_t, BreakKind> breakpoints_;
  std::vector<Watchpoint> watchpoints_;
  std::bitset<32> catch_vectors_;
  bool stepping_ = false;
  bool first_after_resume_ = false;
  int requested_signal_ = 0;  // Ctrl-C or a new connection: stop with this signal
  std::optional<StopState> pending_stop_;  // found by OnEvent or an access: taken at the next instruction
  std::string pending_output_;             // printed before the next stop reply
  uint64_t unimplemented_seen_ = 0;        // #UDs for unimplemented instructions at the last caught event
  uint64_t since_poll_ = 0;
  StopState stop_;
  std::optional<StopInfo> final_;  // the run has ended: why
};

}  // namespace x64sim

#endif  // X64SIM_SIM_GDB_STUB_H_
