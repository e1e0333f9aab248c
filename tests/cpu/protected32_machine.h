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
    cpu.LoadSegmentCache(kCs, Segment{0x18, 0, 0xffffffff, 0xcf9a});
    cpu.WriteCr0(kCr0PE | kCr0ET);
    cpu.WriteEfer(0);
    cpu.LoadSegmentCache(kSs, Segment{16, 0, 0xffffffff, 0xcf92});
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

// 32-bit protected mode at ring 3, with ring-0 and ring-3 flat segments, a
// 32-bit TSS giving ring 0 the stack SS0:ESP0, and a 32-bit IDT.
struct Ring3Protected32 {
  static constexpr uint64_t kTss32 = 0x7000, kIdt32 = 0x6000;
  static constexpr uint32_t kEsp0 = 0x20000, kUserEsp = 0x30000;
  static constexpr uint16_t kCode0 = 0x18, kData0 = 0x10, kCode3 = 0x20 | 3, kData3 = 0x28 | 3, kGate = 0x30;

  Ring3Protected32() {
    m.Put64(LongModeMachine::kGdt + 0x18, 0x00cf9a000000ffffull);  // ring-0 code32
    m.Put64(LongModeMachine::kGdt + 0x20, 0x00cffa000000ffffull);  // ring-3 code32
    m.Put64(LongModeMachine::kGdt + 0x28, 0x00cff2000000ffffull);  // ring-3 data
    m.state().gdtr = {LongModeMachine::kGdt, 0x37};
    m.Put64(kTss32 + 4, kEsp0 | (uint64_t{kData0} << 32));  // ESP0, SS0
    m.state().tr = Segment{0x40, kTss32, 0x67, 0x8b};
    m.state().idtr = {kIdt32, 0x100 * 8 - 1};
    Cpu& cpu = m.cpu();
    cpu.LoadSegmentCache(kCs, Segment{kCode3, 0, 0xffffffff, 0xcffa});
    cpu.WriteCr0(kCr0PE | kCr0ET);
    cpu.WriteEfer(0);
    cpu.LoadSegmentCache(kSs, Segment{kData3, 0, 0xffffffff, 0xcff2});
    cpu.SetCpl(3);
  }
  // A 32-bit interrupt gate (type 0xE) for `vector` to `handler` in ring 0.
  void SetGate(int vector, uint64_t handler, int dpl) {
    m.Put64(kIdt32 + 8 * vector, (handler & 0xffff) | (uint64_t{kCode0} << 16) |
                                     (static_cast<uint64_t>(0x8e | (dpl << 5)) << 40) |
                                     (((handler >> 16) & 0xffff) << 48));
  }
  void Load(uint64_t at, const std::vector<uint8_t>& code) {
    m.cpu().WriteSupervisor(at, code.data(), static_cast<int>(code.size()));
  }
  uint32_t Get32(uint64_t at) { return static_cast<uint32_t>(m.Get64(at)); }

  LongModeMachine m;
};

}  // namespace x64sim::testing

#endif  // X64SIM_TESTS_CPU_PROTECTED32_MACHINE_H_
