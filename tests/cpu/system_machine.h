// LongModeMachine plus what privilege and exception tests need: user code
// and data segments laid out for SYSCALL/SYSRET, a 64-bit TSS with RSP0 and
// IST1, user-accessible pages, gates with a chosen DPL and IST, and a run
// that reports the exception frame the stub's HLT stopped on.
#ifndef X64SIM_TESTS_CPU_SYSTEM_MACHINE_H_
#define X64SIM_TESTS_CPU_SYSTEM_MACHINE_H_

#include <algorithm>
#include <cstdint>
#include <vector>

#include "tests/cpu/long_mode_machine.h"

namespace x64sim::testing {

class SystemMachine : public LongModeMachine {
 public:
  // GDT: 0x08 kernel code64, 0x10 kernel data, 0x18 user code32, 0x20 user
  // data, 0x28 user code64 (the SYSRET layout of STAR[63:48] = 0x18), 0x30
  // a 32-bit kernel code segment, 0x38 the TSS (16 bytes).
  static constexpr uint16_t kKernelCs = 0x08, kKernelSs = 0x10, kUserCs32 = 0x1b,
                            kUserSs = 0x23, kUserCs = 0x2b, kKernelCs32 = 0x30, kTssSel = 0x38;
  static constexpr uint64_t kTss = 0x5000;
  static constexpr uint64_t kRsp0 = 0x20000;  // TSS.RSP0
  static constexpr uint64_t kIst1 = 0x28000;  // TSS.IST1
  static constexpr uint64_t kKernelCode = 0x50000;
  static constexpr uint64_t kUserCode = 0x60000;
  static constexpr uint64_t kUserStackTop = 0x70000;  // the page below is user-writable

  // The 64-bit interrupt frame as the stub's RSP sees it.
  struct Frame {
    uint64_t error_code = 0;  // only when the vector pushes one
    uint64_t rip = 0, cs = 0, rflags = 0, rsp = 0, ss = 0;
    uint64_t address = 0;  // where the frame (its lowest word) is
  };
  struct Result {
    Outcome outcome;
    Frame frame;
  };

  SystemMachine() {
    Put64(kGdt + 0x18, 0x00cffa000000ffffull);  // user code32, DPL 3
    Put64(kGdt + 0x20, 0x00cff2000000ffffull);  // user data, DPL 3
    Put64(kGdt + 0x28, 0x00affa000000ffffull);  // user code64, DPL 3
    Put64(kGdt + 0x30, 0x00cf9a000000ffffull);  // kernel code32
    // Available 64-bit TSS (type 9), limit 0x67 (SDM vol. 3A 7.2.3).
    Put64(kGdt + 0x38, 0x67 | ((kTss & 0xffffff) << 16) | (0x89ull << 40) |
                           ((kTss >> 24 & 0xff) << 56));
    Put64(kGdt + 0x40, kTss >> 32);
    state().gdtr = {kGdt, 0x47};
    Put64(kTss + 4, kRsp0);
    Put64(kTss + 0x24, kIst1);
    state().tr = Segment{kTssSel, kTss, 0x67, 0x8b};
    // User access needs U at every level (SDM vol. 3A 4.6.1).
    Put64(kPml4, kPdpt | 7);
    Put64(kPdpt, kPd | 7);
    Put64(kPd, kPageTables | 7);
    for (uint64_t page : {kUserCode, kUserCode + kPageSize, kUserStackTop - kPageSize}) {
      SetPteFlags(page, 7);
    }
    cpu().WriteCr3(kPml4);
    state().gpr[kRsp] = kStackTop;
  }

  // Interrupt gate (or trap gate) for `vector` to its HLT stub.
  void SetGate(int vector, int dpl, int ist = 0, bool trap = false, bool present = true) {
    uint64_t target = kStubs + 16 * vector;
    uint64_t type = (trap ? 0xf : 0xe) | (dpl << 5) | (present ? 0x80 : 0);
    Put64(kIdt + 16 * vector, (target & 0xffff) | (uint64_t{kKernelCs} << 16) |
                                  (static_cast<uint64_t>(ist) << 32) | (type << 40) |
                                  ((target >> 16 & 0xffff) << 48));
  }

  // A 64-bit interrupt gate (DPL 0) for `vector` to `handler`, the IDT
  // grown to hold it: for the vectors of external interrupts (32 and up).
  void SetInterruptGate(int vector, uint64_t handler) {
    state().idtr.limit = static_cast<uint16_t>(std::max<int>(state().idtr.limit, (vector + 1) * 16 - 1));
    Put64(kIdt + 16 * vector, (handler & 0xffff) | (uint64_t{kKernelCs} << 16) | (0x8eull << 40) |
                                  ((handler >> 16 & 0xffff) << 48));
    Put64(kIdt + 16 * vector + 8, handler >> 32);
  }

  // Stores `code` at `addr` through the CPU (drops blocks decoded there).
  void Load(uint64_t addr, const std::vector<uint8_t>& code) {
    for (size_t off = 0; off < code.size(); off += 16) {
      int n = static_cast<int>(std::min<size_t>(16, code.size() - off));
      cpu().WriteSupervisor(addr + off, code.data() + off, n);
    }
  }

  // Switches the current privilege to ring 3 with flat user segments.
  void EnterUser(uint64_t rsp) {
    cpu().LoadSegmentCache(kCs, Segment{kUserCs, 0, 0xffffffff, 0xaffb});
    cpu().LoadSegmentCache(kSs, Segment{kUserSs, 0, 0xffffffff, 0xcff3});
    cpu().SetCpl(3);
    state().gpr[kRsp] = rsp;
  }

  // Runs from `rip` with the current state until the machine halts.
  Result RunFrom(uint64_t rip, uint64_t max_instructions = 10000) {
    state().rip = rip;
    state().halted = false;
    StopInfo stop = cpu().Run(max_instructions);
    Result r;
    r.outcome.reason = stop.reason;
    uint64_t at = state().rip;
    if (at > kStubs && at <= kStubs + 32 * 16) {
      int v = static_cast<int>((at - 1 - kStubs) / 16);
      r.outcome.vector = v;
      uint64_t rsp = state().gpr[kRsp];
      r.frame.address = rsp;
      bool has_code = v == kDoubleFault || (v >= kInvalidTss && v <= kPageFault) ||
                      v == kAlignmentCheck;
      if (has_code) {
        r.frame.error_code = Get64(rsp);
        rsp += 8;
      }
      r.frame.rip = Get64(rsp);
      r.frame.cs = Get64(rsp + 8);
      r.frame.rflags = Get64(rsp + 16);
      r.frame.rsp = Get64(rsp + 24);
      r.frame.ss = Get64(rsp + 32);
      r.outcome.error_code = r.frame.error_code;
      r.outcome.fault_rip = r.frame.rip;
    }
    return r;
  }
};

}  // namespace x64sim::testing

#endif  // X64SIM_TESTS_CPU_SYSTEM_MACHINE_H_
