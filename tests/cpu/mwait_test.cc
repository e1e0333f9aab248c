// MONITOR/MWAIT (cpu/monitor.cc, ops_system.cc) at machine level: MWAIT
// sleeps like HLT until the local APIC timer's interrupt; it returns at once
// when the monitored line was stored to since MONITOR (by the code itself or
// an interrupt handler), and a store elsewhere in the page does not count; a
// debugger's store ends a wait; ECX[0] = 1 lets a masked interrupt end it
// undelivered; faults; CPUID leaf 5.
#include <vector>

#include "gtest/gtest.h"
#include "sim/local_apic.h"
#include "tests/cpu/system_machine.h"

namespace x64sim::testing {
namespace {

using M = SystemMachine;
constexpr uint64_t kLine = M::kData + 0x1c0;  // RDI: the monitored line

// mov rax, rdi; xor ecx, ecx; xor edx, edx; monitor
const std::vector<uint8_t> kMonitorRdi = {0x48, 0x89, 0xf8, 0x31, 0xc9, 0x31, 0xd2, 0x0f, 0x01, 0xc8};
// xor eax, eax; xor ecx, ecx; mwait
const std::vector<uint8_t> kMwait = {0x31, 0xc0, 0x31, 0xc9, 0x0f, 0x01, 0xc9};
const std::vector<uint8_t> kMovEbp7 = {0xbd, 0x07, 0x00, 0x00, 0x00};  // mov ebp, 7

std::vector<uint8_t> Concat(std::initializer_list<std::vector<uint8_t>> parts) {
  std::vector<uint8_t> out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

M::Result RunCode(M& m, const std::vector<uint8_t>& code) {
  m.Load(M::kCode, Concat({code, {0xf4}}));
  m.state().gpr[kRdi] = kLine;
  return m.RunFrom(M::kCode);
}

// With IF clear and no interrupt source, a wait never ends: the run stops
// right after MWAIT with EBP untouched; a wait not taken reaches MOV EBP.
TEST(MwaitTest, ReturnsAtOnceOnlyIfTheLineWasWritten) {
  struct Case {
    std::vector<uint8_t> store;
    bool waits;
  };
  const std::vector<uint8_t> kStoreLine = {0xc6, 0x47, 0x3f, 0x01};   // mov byte [rdi+63], 1
  const std::vector<uint8_t> kStoreNext = {0xc6, 0x47, 0x40, 0x01};   // mov byte [rdi+64], 1
  const std::vector<uint8_t> kStoreBelow = {0xc6, 0x47, 0xff, 0x01};  // mov byte [rdi-1], 1
  for (const Case& c : {Case{{}, true}, Case{kStoreLine, false}, Case{kStoreNext, true},
                        Case{kStoreBelow, true}}) {
    M m;
    const std::vector<uint8_t> code = Concat({kMonitorRdi, c.store, kMwait, kMovEbp7});
    M::Result r = RunCode(m, code);
    EXPECT_EQ(r.outcome.reason, StopReason::kHaltedForever);
    const uint64_t after_mwait = M::kCode + kMonitorRdi.size() + c.store.size() + kMwait.size();
    EXPECT_EQ(m.state().rip, c.waits ? after_mwait : M::kCode + code.size() + 1) << c.store.size();
    EXPECT_EQ(m.state().gpr[kRbp], c.waits ? 0u : 7u);
  }
}

// MWAIT with no MONITOR before it, or after the armed line's store, goes on.
TEST(MwaitTest, NoArmedMonitorNoWait) {
  M m;
  M::Result r = RunCode(m, Concat({kMwait, kMovEbp7}));
  EXPECT_EQ(m.state().gpr[kRbp], 7u);
  EXPECT_EQ(r.outcome.reason, StopReason::kHaltedForever);  // the final HLT
}

// A store from outside the core (the debugger's, as gdb_stub makes) to the
// line ends the wait; one elsewhere does not.
TEST(MwaitTest, DebuggerStoreEndsTheWait) {
  M m;
  RunCode(m, Concat({kMonitorRdi, kMwait, kMovEbp7}));
  ASSERT_TRUE(m.state().halted);
  m.Put64(kLine + 64, 1);
  m.cpu().OnDebuggerWrite(kLine + 64);
  EXPECT_TRUE(m.state().halted);
  m.Put64(kLine + 8, 1);
  m.cpu().OnDebuggerWrite(kLine + 8);
  EXPECT_FALSE(m.state().halted);
  m.cpu().Run(100);
  EXPECT_EQ(m.state().gpr[kRbp], 7u);
}

// An interrupt taken between MONITOR and MWAIT whose handler stores to the
// line: MWAIT returns at once (the race MONITOR/MWAIT exist to close).
TEST(MwaitTest, HandlerStoreBeforeMwait) {
  M m;
  constexpr int kVector = 0x40;
  const uint64_t handler = M::kKernelCode;
  m.Load(handler, {0xc6, 0x07, 0x01, 0x48, 0xcf});  // mov byte [rdi], 1; iretq
  m.SetInterruptGate(kVector, handler);
  RunCode(m, Concat({kMonitorRdi, {0xcd, kVector}, kMwait, kMovEbp7}));
  EXPECT_EQ(m.state().gpr[kRbp], 7u);
}

// mov dword [rbx+reg], value
void ApicWrite(std::vector<uint8_t>& code, uint32_t reg, uint32_t value) {
  code.insert(code.end(), {0xc7, 0x83});
  for (int i = 0; i < 4; ++i) code.push_back(static_cast<uint8_t>(reg >> (8 * i)));
  for (int i = 0; i < 4; ++i) code.push_back(static_cast<uint8_t>(value >> (8 * i)));
}

// A machine with the local APIC's one-shot timer about to fire kVector,
// whose handler reads the TSC, sends EOI and halts with IF clear.
struct TimerMachine {
  static constexpr int kVector = 32;
  static constexpr uint32_t kCount = 5000;
  TimerMachine() : apic([this] { return m.cpu().cycles(); }, [this] { m.cpu().RecheckInterrupts(); }) {
    m.memory().MapMmio(LocalApic::kBase, kPageSize, &apic);
    m.cpu().set_interrupt_controller(&apic);
    m.Put64(M::kPageTables + (kApicLinear >> kPageShift) * 8, LocalApic::kBase | 0x13);
    m.cpu().Invlpg(kApicLinear);
    m.state().idtr.limit = (kVector + 1) * 16 - 1;
    m.Put64(M::kIdt + 16 * kVector, (handler & 0xffff) | (uint64_t{M::kKernelCs} << 16) | (0x8eull << 40) |
                                        ((handler >> 16 & 0xffff) << 48));
    m.Put64(M::kIdt + 16 * kVector + 8, 0);
    std::vector<uint8_t> isr = {0x0f, 0x31};  // rdtsc
    ApicWrite(isr, 0xb0, 0);                  // EOI
    isr.push_back(0xf4);
    m.Load(handler, isr);
    handler_end = handler + isr.size();
  }
  ~TimerMachine() { m.cpu().set_interrupt_controller(nullptr); }
  // mov rbx, the APIC page; program the timer; rdtsc; mov esi, eax; start it.
  std::vector<uint8_t> StartTimer() const {
    std::vector<uint8_t> code = {0x48, 0xc7, 0xc3, 0x00, 0x00, 0xf0, 0x00};
    ApicWrite(code, 0xf0, 0x1ff);
    ApicWrite(code, 0x3e0, 0xb);
    ApicWrite(code, 0x320, kVector);
    code.insert(code.end(), {0x0f, 0x31, 0x89, 0xc6});
    ApicWrite(code, 0x380, kCount);
    return code;
  }
  static constexpr uint64_t kApicLinear = 0xf00000;
  const uint64_t handler = M::kKernelCode;
  uint64_t handler_end = 0;
  M m;
  LocalApic apic;
};

// MWAIT sleeps in simulated time until the timer's interrupt, which is
// delivered with the return address after MWAIT.
TEST(MwaitTest, SleepsUntilTheTimerInterrupt) {
  TimerMachine t;
  const std::vector<uint8_t> start = Concat({kMonitorRdi, t.StartTimer(), {0xfb}});  // ...; sti
  RunCode(t.m, Concat({start, kMwait, kMovEbp7}));
  ASSERT_EQ(t.m.state().rip, t.handler_end);
  EXPECT_EQ(t.apic.timer_interrupts(), 1u);
  const uint32_t woke = static_cast<uint32_t>(t.m.state().gpr[kRax]);
  EXPECT_GE(woke - static_cast<uint32_t>(t.m.state().gpr[kRsi]), TimerMachine::kCount);
  EXPECT_LT(t.m.cpu().instret(), 40u);  // slept, not executed
  EXPECT_EQ(t.m.Get64(t.m.state().gpr[kRsp]), M::kCode + start.size() + kMwait.size());
}

// IF clear: ECX[0] = 1 lets the pending interrupt end the wait without
// delivering it (taken later, after STI); ECX = 0 waits for ever. 
TEST(MwaitTest, MaskedInterruptEndsTheWaitOnlyWithEcxBit0) {
  for (bool wake_masked : {true, false}) {
    TimerMachine t;
    const std::vector<uint8_t> mwait = {0x31, 0xc0, 0xb9, wake_masked ? uint8_t{1} : uint8_t{0}, 0, 0, 0,
                                        0x0f, 0x01, 0xc9};  // xor eax, eax; mov ecx, n; mwait
    const std::vector<uint8_t> wait = Concat({kMonitorRdi, t.StartTimer(), mwait});
    M::Result r = RunCode(t.m, Concat({wait, kMovEbp7, {0xfb}}));  // ...; sti; hlt
    if (wake_masked) {
      EXPECT_EQ(t.m.state().gpr[kRbp], 7u);
      ASSERT_EQ(t.m.state().rip, t.handler_end);  // delivered after STI
      EXPECT_EQ(t.apic.timer_interrupts(), 1u);
    } else {
      EXPECT_EQ(r.outcome.reason, StopReason::kHaltedForever);
      EXPECT_EQ(t.m.state().rip, M::kCode + wait.size());
      EXPECT_EQ(t.m.state().gpr[kRbp], 0u);
    }
  }
}

TEST(MwaitTest, Faults) {
  {
    M m;  // MONITOR's reserved ECX, MWAIT's ECX beyond bit 0: #GP(0)
    m.state().gpr[kRcx] = 1;
    m.state().gpr[kRax] = kLine;
    EXPECT_EQ(m.Run({0x0f, 0x01, 0xc8}).vector, kGeneralProtection);
    m.state().gpr[kRcx] = 2;
    EXPECT_EQ(m.Run({0x0f, 0x01, 0xc9}).vector, kGeneralProtection);
    m.state().gpr[kRcx] = 0;
    m.state().gpr[kRax] = 1ull << 60;  // non-canonical
    EXPECT_EQ(m.Run({0x0f, 0x01, 0xc8}).vector, kGeneralProtection);
    m.state().gpr[kRax] = 0x7f0000000000;  // unmapped: #PF as a read
    EXPECT_EQ(m.Run({0x0f, 0x01, 0xc8}).vector, kPageFault);
    EXPECT_EQ(m.state().cr2, 0x7f0000000000u);
  }
  for (uint8_t modrm : {0xc8, 0xc9}) {  // CPL 3: #UD
    M m;
    m.Load(M::kUserCode, {0x0f, 0x01, modrm});
    m.EnterUser(M::kUserStackTop);
    m.state().gpr[kRax] = M::kUserStackTop - 64;
    M::Result r = m.RunFrom(M::kUserCode);
    EXPECT_EQ(r.outcome.vector, kInvalidOpcode);
    EXPECT_EQ(r.frame.rip, M::kUserCode);
  }
}

TEST(MwaitTest, CpuidLeaf5) {
  M m;
  m.state().gpr[kRax] = 5;
  ASSERT_EQ(m.Run({0x0f, 0xa2}).vector, -1);
  EXPECT_EQ(m.state().gpr[kRax], 64u);  // smallest monitor line
  EXPECT_EQ(m.state().gpr[kRbx], 64u);  // largest
  EXPECT_EQ(m.state().gpr[kRcx], 3u);   // extensions enumerated; interrupt break-event
  m.state().gpr[kRax] = 1;
  ASSERT_EQ(m.Run({0x0f, 0xa2}).vector, -1);
  EXPECT_TRUE(m.state().gpr[kRcx] & (1u << 3));
}

}  // namespace
}  // namespace x64sim::testing
