// IN and OUT end their block only when the device asks the run loop to look
// (Cpu::NextAfterPortIo): a loop polling a port runs as one block, as seL4
// polls the PIT at boot, while an OUT that raises an interrupt is followed
// by it before the next instruction, and one that stops the machine stops
// it there, exactly as when every port access ended its block.
#include <cstdint>

#include "gtest/gtest.h"
#include "tests/cpu/system_machine.h"

namespace x64sim::testing {
namespace {

using M = SystemMachine;

TEST(PortIoTest, PollingLoopRunsAsOneBlock) {
  M m;
  // mov ecx, 1000; L: in al, 0x80; dec ecx; jnz L; hlt
  m.Load(M::kCode, {0xb9, 0xe8, 0x03, 0x00, 0x00, 0xe4, 0x80, 0xff, 0xc9, 0x75, 0xfa, 0xf4});
  const uint64_t decoded = m.cpu().blocks_decoded();
  M::Result r = m.RunFrom(M::kCode);
  EXPECT_EQ(r.outcome.reason, StopReason::kHaltedForever);
  EXPECT_EQ(m.ports().ins.size(), 1000u);
  EXPECT_EQ(m.state().gpr[kRcx], 0u);
  // One from kCode and one from L, each running on past the JNZ to the
  // HLT: a block ending at the IN, or the run loop starting one after it,
  // would add [dec ecx; jnz L; hlt].
  EXPECT_EQ(m.cpu().blocks_decoded() - decoded, 2u);
}

// Raises `vector` when the test's device is written, as the PIC does when an
// OUT unmasks a pending request.
class RaisedByAWrite : public InterruptController {
 public:
  explicit RaisedByAWrite(int vector) : vector_(vector) {}
  void Raise() { raised_ = true; }
  int PendingVector(uint64_t) override { return raised_ && !taken_ ? vector_ : -1; }
  void Acknowledge(int vector) override {
    EXPECT_EQ(vector, vector_);
    taken_ = true;
  }
  uint64_t NextEventCycle() override { return UINT64_MAX; }
  bool taken() const { return taken_; }

 private:
  int vector_;
  bool raised_ = false;
  bool taken_ = false;
};

TEST(PortIoTest, InterruptRaisedByAnOutIsTakenBeforeTheNextInstruction) {
  M m;
  constexpr int kVector = 32;
  const uint64_t handler = M::kStubs + 16 * kVector;
  m.SetInterruptGate(kVector, handler);
  m.Load(handler, {0xf4});  // hlt, IF clear: the run stops there
  RaisedByAWrite device(kVector);
  m.cpu().set_interrupt_controller(&device);
  m.ports().on_out = [&] {
    device.Raise();
    m.cpu().RecheckInterrupts();
  };
  // sti; nop; out 0x80, al; mov ebx, 1; hlt
  m.Load(M::kCode, {0xfb, 0x90, 0xe6, 0x80, 0xbb, 0x01, 0x00, 0x00, 0x00, 0xf4});
  m.state().gpr[kRbx] = 0;
  M::Result r = m.RunFrom(M::kCode);
  EXPECT_EQ(r.outcome.reason, StopReason::kHaltedForever);
  EXPECT_TRUE(device.taken());
  EXPECT_EQ(m.state().rip, handler + 1);
  EXPECT_EQ(m.Get64(m.state().gpr[kRsp]), M::kCode + 4);  // interrupted after the OUT
  EXPECT_EQ(m.state().gpr[kRbx], 0u);                    // before the MOV ran
  m.cpu().set_interrupt_controller(nullptr);
}

TEST(PortIoTest, OutThatStopsTheMachineStopsItAfterItself) {
  M m;
  m.ports().on_out = [&] { m.cpu().RequestStop({StopReason::kGuestExit, 3, "debug exit"}); };
  // nop; out 0x80, al; mov ebx, 1; hlt
  m.Load(M::kCode, {0x90, 0xe6, 0x80, 0xbb, 0x01, 0x00, 0x00, 0x00, 0xf4});
  m.state().gpr[kRbx] = 0;
  M::Result r = m.RunFrom(M::kCode);
  EXPECT_EQ(r.outcome.reason, StopReason::kGuestExit);
  EXPECT_EQ(m.state().rip, M::kCode + 3);
  EXPECT_EQ(m.state().gpr[kRbx], 0u);
  EXPECT_EQ(m.cpu().instret(), 2u);
}

}  // namespace
}  // namespace x64sim::testing
