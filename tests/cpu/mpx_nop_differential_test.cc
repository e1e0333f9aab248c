// MPX encodings on a CPU without MPX (x64sim's models do not enumerate it;
// the host, an AMD part, has none): SDM vol. 1 17.5 and the vol. 2 entries
// of BNDMK ... BNDSTX make 0F 1A and 0F 1B NOPs there in every form, and F2
// before a branch is ignored. Each form runs on the host and in x64sim from
// the same random states; nothing may change but RIP. LOCK makes them #UD
// (a NOP cannot be locked), checked in x64sim only.
#include <cstdint>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/cpu/differential_check.h"

namespace x64sim::testing {
namespace {

struct Form {
  const char* name;
  std::vector<uint8_t> bytes;
};

// Memory operands are [rbx+0x18] (RBX = the data window), [rbx+rcx+0x18]
// or RIP-relative into the code page, so a CPU that did read them would
// not fault; none may be read.
const Form kNops[] = {
    {"bndmk bnd0, [rbx+0x18]", {0xf3, 0x0f, 0x1b, 0x43, 0x18}},
    {"bndmk bnd0, [rip+0x40]", {0xf3, 0x0f, 0x1b, 0x05, 0x40, 0x00, 0x00, 0x00}},
    {"bndcl bnd0, [rbx+0x18]", {0xf3, 0x0f, 0x1a, 0x43, 0x18}},
    {"bndcl bnd0, rcx", {0xf3, 0x0f, 0x1a, 0xc1}},
    {"bndcu bnd1, [rbx+0x18]", {0xf2, 0x0f, 0x1a, 0x4b, 0x18}},
    {"bndcu bnd2, rcx", {0xf2, 0x0f, 0x1a, 0xd1}},
    {"bndcn bnd2, [rbx+0x18]", {0xf2, 0x0f, 0x1b, 0x53, 0x18}},
    {"bndcn bnd3, rcx", {0xf2, 0x0f, 0x1b, 0xd9}},
    {"bndmov bnd0, bnd1", {0x66, 0x0f, 0x1a, 0xc1}},
    {"bndmov bnd0, [rbx+0x18]", {0x66, 0x0f, 0x1a, 0x43, 0x18}},
    {"bndmov [rbx+0x18], bnd0", {0x66, 0x0f, 0x1b, 0x43, 0x18}},
    {"bndldx bnd0, [rbx+rcx+0x18]", {0x0f, 0x1a, 0x44, 0x0b, 0x18}},
    {"bndstx [rbx+rcx+0x18], bnd0", {0x0f, 0x1b, 0x44, 0x0b, 0x18}},
    {"0f 1a, register form", {0x0f, 0x1a, 0xc1}},
    {"0f 1b, register form", {0x0f, 0x1b, 0xc1}},
    {"0f 1b, RIP-relative", {0x0f, 0x1b, 0x05, 0x40, 0x00, 0x00, 0x00}},
    {"67 bndcl bnd0, [ebx+0x18]", {0x67, 0xf3, 0x0f, 0x1a, 0x43, 0x18}},
    {"67 bndldx bnd0, [ebx+ecx+0x18]", {0x67, 0x0f, 0x1a, 0x44, 0x0b, 0x18}},
    {"bndmk with REX.W", {0xf3, 0x48, 0x0f, 0x1b, 0x43, 0x18}},
    {"bnd4 (no such register)", {0x66, 0x0f, 0x1a, 0x63, 0x18}},
    {"bnd jmp rel8", {0xf2, 0xeb, 0x00}},
    {"bnd jmp rel32", {0xf2, 0xe9, 0x00, 0x00, 0x00, 0x00}},
    {"bnd jz rel8", {0xf2, 0x74, 0x00}},
};

constexpr int kStatesPerForm = 8;

MachineState StateFor(Values& values) {
  MachineState s = values.RandomState();
  s.gpr[kRbx] = kDataAddr;
  s.gpr[kRcx] = 0x40;
  return s;
}

TEST(MpxNopDifferentialTest, EveryFormIsANopOnTheHostAndInX64sim) {
  DifferentialMachine machine;
  DifferentialChecker checker(machine);
  Values values(0x4d5058);
  for (const Form& f : kNops) {
    machine.SetCode(f.bytes);
    for (int i = 0; i < kStatesPerForm; ++i) {
      if (!checker.Check(f.name, StateFor(values), Expect{})) break;
    }
  }
  EXPECT_EQ(checker.runs(), static_cast<int64_t>(std::size(kNops)) * kStatesPerForm);
  EXPECT_TRUE(machine.sim().cpu().unimplemented_counts().empty());
}

TEST(MpxNopDifferentialTest, LockedFormsAreInvalid) {
  DifferentialMachine machine;
  DifferentialChecker checker(machine);
  Values values(0x4c4f434b);
  const Form kLocked[] = {
      {"lock bndcl bnd0, [rbx+0x18]", {0xf0, 0xf3, 0x0f, 0x1a, 0x43, 0x18}},
      {"lock bndstx [rbx+rcx+0x18], bnd0", {0xf0, 0x0f, 0x1b, 0x44, 0x0b, 0x18}},
  };
  for (const Form& f : kLocked) {
    machine.SetCode(f.bytes);
    checker.CheckSimFault(f.name, StateFor(values), kInvalidOpcode);
  }
}

}  // namespace
}  // namespace x64sim::testing
