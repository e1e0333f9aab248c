// x64sim in 32-bit protected mode, for the tests of what differs outside
// 64-bit mode.
#ifndef X64SIM_TESTS_CPU_PROTECTED32_MACHINE_H_
#define X64SIM_TESTS_CPU_PROTECTED32_MACHINE_H_

#include <cstdint>
#include <vector>

#include "tests/cpu/long_mode_machine.h"

namespace x64sim::testing {

// LongModeMachine switched to 32-bit protected mode without paging, with a
// 32-bit code descriptor (selector 0x18) and a 32-bit IDT whose vector v
// goes to the HLT at kStubs + 16 v.
class Protected32 {
 public:
  static constexpr uint64_t kIdt32 = 0x6000;

  Protected32() {
    m.Put64(LongModeMachine::kGdt + 24, 0x00cf9a000000ffffull);
    m.state().gdtr = {LongModeMachine::kGdt, 31};
    for (uint64_t v = 0; v < 32; ++v) {
      const uint64_t target = LongModeMachine::kStubs + 16 * v;
      m.Put64(kIdt32 + 8 * v, (target & 0xffff) | (0x18ull << 16) | (0x8e00ull << 32) |
                                  ((target & 0xffff0000) << 32));
    }
    m.state().idtr = {kIdt32, 32 * 8 - 1};
    Cpu& cpu = m.cpu();
    cpu.LoadSegmentCache(kCs, Segment{0x18, 0, 0xfffff, 0xcf9a});
    cpu.WriteCr0(kCr0PE | kCr0ET);
    cpu.WriteEfer(0);
    cpu.LoadSegmentCache(kSs, Segment{16, 0, 0xfffff, 0xcf92});
  }

  void SetCode(const std::vector<uint8_t>& insn) {
    std::vector<uint8_t> code = insn;
    code.push_back(0xf4);  // hlt
    m.cpu().WriteSupervisor(LongModeMachine::kCode, code.data(), static_cast<int>(code.size()));
  }

  // Runs the code; returns the vector taken (-1: none) and, for one, the
  // EIP its frame holds.
  int Run(uint64_t* frame_eip = nullptr) {
    CpuState& s = m.state();
    s.rip = LongModeMachine::kCode;
    s.gpr[kRsp] = LongModeMachine::kStackTop;
    s.halted = false;
    m.cpu().Run(100);
    if (s.rip <= LongModeMachine::kStubs || s.rip > LongModeMachine::kStubs + 32 * 16) return -1;
    if (frame_eip != nullptr) *frame_eip = m.Get64(s.gpr[kRsp]) & 0xffffffff;
    return static_cast<int>((s.rip - 1 - LongModeMachine::kStubs) / 16);
  }

  LongModeMachine m;
};

}  // namespace x64sim::testing

#endif  // X64SIM_TESTS_CPU_PROTECTED32_MACHINE_H_
