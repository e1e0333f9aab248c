// The instructions valid only outside 64-bit mode (cpu/ops_legacy32.cc):
// DAA DAS AAA AAS AAM AAD against the host CPU, which runs them in a
// 32-bit code segment of this 64-bit process (Linux's compatibility-mode
// selector 0x23), over every AL, both CF and AF, and a spread of AH; BOUND
// and INTO in x64sim's 32-bit protected mode with a 32-bit IDT.
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/cpu/long_mode_machine.h"
#include "tests/cpu/protected32_machine.h"

namespace x64sim::testing {
namespace {

// ---- The host side: one instruction in 32-bit compatibility mode ----------

constexpr uint16_t kHostCode32 = 0x23;  // Linux x86-64: __USER32_CS
constexpr uint16_t kHostCode64 = 0x33;  // __USER_CS
constexpr uint32_t kHostData32 = 0x2b;  // __USER_DS

struct HostResult {
  uint32_t eax;
  uint32_t eflags;
};

// A page below 2 GiB (so both modes can address it absolutely) holding a
// 64-bit entry that saves what it must and far-jumps to 32-bit code, the
// 32-bit code (instruction under test, then EFLAGS and EAX stored), and the
// 64-bit way back.
class CompatRunner {
 public:
  CompatRunner() {
    void* p = mmap(nullptr, kPageBytes, PROT_READ | PROT_WRITE | PROT_EXEC,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
    page_ = p == MAP_FAILED ? nullptr : static_cast<uint8_t*>(p);
  }
  ~CompatRunner() {
    if (page_ != nullptr) munmap(page_, kPageBytes);
  }
  bool ok() const { return page_ != nullptr; }

  void SetInstruction(const std::vector<uint8_t>& insn) {
    const uint32_t base = Base();
    std::vector<uint8_t> entry = {0x53, 0x55, 0x41, 0x54, 0x41, 0x55, 0x41, 0x56, 0x41, 0x57};  // push rbx rbp r12-r15
    Append(entry, {0x48, 0x89, 0x24, 0x25}, base + kSavedRsp);        // mov [saved_rsp], rsp
    entry.insert(entry.end(), {0x8c, 0xd8});                           // mov eax, ds
    Append(entry, {0x66, 0x89, 0x04, 0x25}, base + kSavedDs);         // mov [saved_ds], ax
    entry.insert(entry.end(), {0x8c, 0xc0});                           // mov eax, es
    Append(entry, {0x66, 0x89, 0x04, 0x25}, base + kSavedEs);         // mov [saved_es], ax
    Append(entry, {0xb8}, kHostData32);                                // mov eax, USER_DS
    entry.insert(entry.end(), {0x8e, 0xd8, 0x8e, 0xc0});               // mov ds, eax; mov es, eax
    entry.insert(entry.end(), {0x56, 0x9d, 0x89, 0xf8});               // push rsi; popfq; mov eax, edi
    Append(entry, {0xff, 0x2c, 0x25}, base + kFarTo32);                // jmp far [to32]

    std::vector<uint8_t> code32;
    Append(code32, {0xbc}, base + kStack32);                           // mov esp, stack
    code32.insert(code32.end(), insn.begin(), insn.end());
    code32.push_back(0x9c);                                            // pushfd
    Append(code32, {0x8f, 0x05}, base + kOutFlags);                    // pop dword [out_flags]
    Append(code32, {0xa3}, base + kOutEax);                            // mov [out_eax], eax
    Append(code32, {0xff, 0x2d}, base + kFarTo64);                     // jmp far [to64]

    std::vector<uint8_t> back;
    Append(back, {0x48, 0x8b, 0x24, 0x25}, base + kSavedRsp);         // mov rsp, [saved_rsp]
    Append(back, {0x0f, 0xb7, 0x04, 0x25}, base + kSavedDs);          // movzx eax, word [saved_ds]
    back.insert(back.end(), {0x8e, 0xd8});                             // mov ds, eax
    Append(back, {0x0f, 0xb7, 0x04, 0x25}, base + kSavedEs);          // movzx eax, word [saved_es]
    back.insert(back.end(), {0x8e, 0xc0, 0x41, 0x5f, 0x41, 0x5e, 0x41, 0x5d, 0x41, 0x5c, 0x5d, 0x5b, 0xc3});

    std::memcpy(page_ + kEntry, entry.data(), entry.size());
    std::memcpy(page_ + kCode32, code32.data(), code32.size());
    std::memcpy(page_ + kBack, back.data(), back.size());
    FarPointer(kFarTo32, base + kCode32, kHostCode32);
    FarPointer(kFarTo64, base + kBack, kHostCode64);
  }

  HostResult Run(uint32_t eax, uint32_t eflags) {
    using Entry = void (*)(uint32_t, uint64_t);
    reinterpret_cast<Entry>(page_ + kEntry)(eax, eflags);
    HostResult r;
    std::memcpy(&r.eax, page_ + kOutEax, 4);
    std::memcpy(&r.eflags, page_ + kOutFlags, 4);
    return r;
  }

 private:
  static constexpr size_t kPageBytes = 4096;
  static constexpr uint32_t kEntry = 0x000, kCode32 = 0x100, kBack = 0x200;
  static constexpr uint32_t kSavedRsp = 0x300, kSavedDs = 0x308, kSavedEs = 0x30a;
  static constexpr uint32_t kFarTo32 = 0x310, kFarTo64 = 0x318, kOutEax = 0x320, kOutFlags = 0x324;
  static constexpr uint32_t kStack32 = 0xff0;

  uint32_t Base() const { return static_cast<uint32_t>(reinterpret_cast<uintptr_t>(page_)); }
  static void Append(std::vector<uint8_t>& code, std::vector<uint8_t> opcode, uint32_t imm) {
    code.insert(code.end(), opcode.begin(), opcode.end());
    for (int i = 0; i < 4; ++i) code.push_back(static_cast<uint8_t>(imm >> (8 * i)));
  }
  void FarPointer(uint32_t at, uint32_t offset, uint16_t selector) {
    std::memcpy(page_ + at, &offset, 4);
    std::memcpy(page_ + at + 4, &selector, 2);
  }

  uint8_t* page_ = nullptr;
};

// Why this host cannot run 32-bit code (a kernel without IA32 emulation
// faults the far jump), or "" if it can: tried in a child process.
std::string WhyNo32BitCode() {
  const pid_t child = fork();
  if (child == 0) {
    CompatRunner runner;
    if (!runner.ok()) _exit(2);
    runner.SetInstruction({0x90});
    _exit(runner.Run(0x1234, 0x2).eax == 0x1234 ? 0 : 1);
  }
  int status = 0;
  if (child < 0 || waitpid(child, &status, 0) != child) return "fork failed";
  if (WIFSIGNALED(status)) return "the 32-bit code died of signal " + std::to_string(WTERMSIG(status));
  if (WEXITSTATUS(status) == 2) return "no page below 2 GiB (MAP_32BIT)";
  if (WEXITSTATUS(status) != 0) return "the 32-bit code gave a wrong result";
  return "";
}

struct DecimalForm {
  const char* name;
  std::vector<uint8_t> bytes;
  uint32_t defined;  // flags the SDM defines for it
};

constexpr uint32_t kSzp = kSF | kZF | kPF;

TEST(Legacy32Test, DecimalAdjustmentsMatchTheHost) {
  if (const std::string why = WhyNo32BitCode(); !why.empty()) {
    GTEST_SKIP() << "this host cannot run 32-bit code: " << why;
  }
  const DecimalForm forms[] = {
      {"daa", {0x27}, kCF | kAF | kSzp},  {"das", {0x2f}, kCF | kAF | kSzp},
      {"aaa", {0x37}, kCF | kAF},         {"aas", {0x3f}, kCF | kAF},
      {"aam", {0xd4, 0x0a}, kSzp},        {"aam 7", {0xd4, 0x07}, kSzp},
      {"aam 255", {0xd4, 0xff}, kSzp},    {"aad", {0xd5, 0x0a}, kSzp},
      {"aad 16", {0xd5, 0x10}, kSzp},     {"aad 0", {0xd5, 0x00}, kSzp},
  };
  CompatRunner host;
  ASSERT_TRUE(host.ok());
  Protected32 sim;
  int cases = 0;
  for (const DecimalForm& form : forms) {
    host.SetInstruction(form.bytes);
    sim.SetCode(form.bytes);
    int mismatches = 0;
    for (uint32_t ah : {0x00u, 0x01u, 0x09u, 0x7fu, 0x80u, 0xfeu, 0xffu}) {
      for (uint32_t al = 0; al < 256; ++al) {
        for (uint32_t carries : std::initializer_list<uint32_t>{0, kCF, kAF, kCF | kAF}) {
          const uint32_t eax = 0xabcd0000 | (ah << 8) | al;
          const uint32_t eflags = 0x2 | carries;
          const HostResult want = host.Run(eax, eflags);
          CpuState& s = sim.m.state();
          s.gpr[kRax] = eax;
          sim.m.cpu().SetRflags(eflags);
          ASSERT_EQ(sim.Run(), -1) << form.name;
          const uint32_t got_eax = static_cast<uint32_t>(s.gpr[kRax]);
          const uint32_t got_flags = static_cast<uint32_t>(s.rflags);
          const uint32_t undefined = kArithFlags & ~form.defined;
          ++cases;
          if (got_eax == want.eax && (got_flags & form.defined) == (want.eflags & form.defined) &&
              (got_flags & undefined) == 0) {
            continue;
          }
          if (++mismatches <= 5) {
            ADD_FAILURE() << form.name << " AX=" << std::hex << (eax & 0xffff) << " flags=" << eflags
                          << ": host eax " << want.eax << " flags " << (want.eflags & form.defined)
                          << ", x64sim eax " << got_eax << " flags " << (got_flags & form.defined)
                          << " (undefined ones set: " << (got_flags & undefined) << ")";
          }
        }
      }
    }
  }
  EXPECT_EQ(cases, 10 * 7 * 256 * 4);
}

// The worked examples of the SDM's DAA and DAS pages and the textbook
// unpacked-BCD ones, which hold on any host (where the host can run 32-bit
// code the test above compares every input).
TEST(Legacy32Test, WorkedExamples) {
  struct Example {
    const char* what;
    std::vector<uint8_t> bytes;
    uint16_t ax_before;
    uint32_t flags_before;
    uint16_t ax_after;
    uint32_t flags_after;  // compared on the flags the instruction defines
    uint32_t defined;
  };
  const Example examples[] = {
      // SDM vol. 2A DAA: 79H + 35H = AEH, DAA gives 14H with CF and AF.
      {"daa after 79+35", {0x27}, 0x00ae, 0x2, 0x0014, kCF | kAF | kPF, kCF | kAF | kSzp},
      // SDM vol. 2A DAS: 35H - 47H = EEH (CF, AF), DAS gives 88H with CF and AF.
      {"das after 35-47", {0x2f}, 0x00ee, 0x2 | kCF | kAF, 0x0088, kCF | kAF | kSF | kPF, kCF | kAF | kSzp},
      // '8' + '9' = 71H with AF: AAA gives AX 0107H (1, 7) with CF and AF.
      {"aaa after 38+39", {0x37}, 0x0071, 0x2 | kAF, 0x0107, kCF | kAF, kCF | kAF},
      // '8' - '9' = FFH with AF and CF: AAS gives AH - 1, AL 9.
      {"aas after 38-39", {0x3f}, 0x00ff, 0x2 | kAF | kCF, 0xff09, kCF | kAF, kCF | kAF},
      // Nothing to adjust: AL stays, masked to its low digit; CF and AF clear.
      {"aaa without carry", {0x37}, 0x0235, 0x2, 0x0205, 0, kCF | kAF},
      {"aam 63", {0xd4, 0x0a}, 0x003f, 0x2, 0x0603, kPF, kSzp},
      {"aad 6,3", {0xd5, 0x0a}, 0x0603, 0x2, 0x003f, kPF, kSzp},
      {"aad to zero", {0xd5, 0x0a}, 0x0000, 0x2, 0x0000, kZF | kPF, kSzp},
  };
  Protected32 sim;
  for (const Example& e : examples) {
    sim.SetCode(e.bytes);
    CpuState& s = sim.m.state();
    s.gpr[kRax] = 0x55550000 | e.ax_before;
    sim.m.cpu().SetRflags(e.flags_before);
    ASSERT_EQ(sim.Run(), -1) << e.what;
    EXPECT_EQ(s.gpr[kRax], 0x55550000u | e.ax_after) << e.what;
    EXPECT_EQ(s.rflags & e.defined, e.flags_after) << e.what;
  }
}

TEST(Legacy32Test, AamByZeroIsDivideError) {
  Protected32 sim;
  sim.SetCode({0xd4, 0x00});
  uint64_t eip = 0;
  EXPECT_EQ(sim.Run(&eip), kDivideError);
  EXPECT_EQ(eip, LongModeMachine::kCode);  // a fault: the frame names AAM itself
}

// BOUND: signed bounds from memory, inclusive at both ends; outside them
// #BR, a fault naming BOUND itself.
TEST(Legacy32Test, BoundRaisesBoundRangeOutsideSignedBounds) {
  Protected32 sim;
  const uint64_t pair = LongModeMachine::kData;
  sim.m.Put64(pair, 0x00000064fffffff6ull);  // lower -10, upper 100
  sim.SetCode({0x62, 0x05, static_cast<uint8_t>(pair), static_cast<uint8_t>(pair >> 8),
               static_cast<uint8_t>(pair >> 16), 0x00});  // bound eax, [pair]
  for (int64_t value : {-10, 0, 100}) {
    sim.m.state().gpr[kRax] = static_cast<uint32_t>(value);
    EXPECT_EQ(sim.Run(), -1) << value;
  }
  for (int64_t value : {-11, 101, 0x7fffffff}) {
    sim.m.state().gpr[kRax] = static_cast<uint32_t>(value);
    uint64_t eip = 0;
    EXPECT_EQ(sim.Run(&eip), kBoundRange) << value;
    EXPECT_EQ(eip, LongModeMachine::kCode);
  }
  // The 16-bit form reads a pair of words.
  sim.m.Put64(pair, 0x0005fffbull);  // lower -5, upper 5
  sim.SetCode({0x66, 0x62, 0x05, static_cast<uint8_t>(pair), static_cast<uint8_t>(pair >> 8),
               static_cast<uint8_t>(pair >> 16), 0x00});
  sim.m.state().gpr[kRax] = 0x1234fffb;  // AX = -5
  EXPECT_EQ(sim.Run(), -1);
  sim.m.state().gpr[kRax] = 0x00000006;
  EXPECT_EQ(sim.Run(), kBoundRange);
}

// PUSHAD pushes the eight registers with ESP as it was; POPAD restores
// them but ESP, whose slot it skips.
TEST(Legacy32Test, PushadAndPopad) {
  Protected32 sim;
  sim.SetCode({0x60, 0x31, 0xc0, 0x31, 0xdb, 0x61});  // pushad; xor eax,eax; xor ebx,ebx; popad
  CpuState& s = sim.m.state();
  for (int r = 0; r < 8; ++r) s.gpr[r] = 0x1000 * (r + 1);
  // Run() sets ESP to kStackTop; the pushes land below it.
  ASSERT_EQ(sim.Run(), -1);
  const uint64_t top = LongModeMachine::kStackTop;
  EXPECT_EQ(sim.m.Get64(top - 4) & 0xffffffff, 0x1000u);  // EAX first
  EXPECT_EQ(sim.m.Get64(top - 20) & 0xffffffff, top);  // ESP before PUSHAD
  EXPECT_EQ(sim.m.Get64(top - 32) & 0xffffffff, 0x8000u);  // EDI last
  for (int r = 0; r < 8; ++r) {
    if (r == kRsp) continue;
    EXPECT_EQ(s.gpr[r], 0x1000u * (r + 1)) << r;
  }
  EXPECT_EQ(s.gpr[kRsp], top);
}

// ARPL raises the destination selector's RPL to the source's (ZF = 1), or
// leaves it (ZF = 0).
TEST(Legacy32Test, Arpl) {
  Protected32 sim;
  sim.SetCode({0x63, 0xc8});  // arpl ax, cx
  CpuState& s = sim.m.state();
  s.gpr[kRax] = 0xabcd0010;
  s.gpr[kRcx] = 0x0003;
  ASSERT_EQ(sim.Run(), -1);
  EXPECT_EQ(s.gpr[kRax], 0xabcd0013u);
  EXPECT_TRUE(s.rflags & kZF);
  s.gpr[kRcx] = 0x0001;
  ASSERT_EQ(sim.Run(), -1);
  EXPECT_EQ(s.gpr[kRax], 0xabcd0013u);
  EXPECT_FALSE(s.rflags & kZF);
}

// With a 16-bit address size LOOP counts in CX and JCXZ tests CX, leaving
// ECX's upper half alone.
TEST(Legacy32Test, LoopAndJcxzWithSixteenBitAddresses) {
  Protected32 sim;
  CpuState& s = sim.m.state();
  sim.SetCode({0x67, 0xe2, 0xfd});  // a: loop a (counting CX)
  s.gpr[kRcx] = 0x12340005;
  ASSERT_EQ(sim.Run(), -1);
  EXPECT_EQ(s.gpr[kRcx], 0x12340000u);
  sim.SetCode({0x67, 0xe3, 0x02, 0xb0, 0x01});  // jcxz +2; mov al, 1
  s.gpr[kRax] = 0;
  s.gpr[kRcx] = 0x56780000;  // CX = 0: taken
  ASSERT_EQ(sim.Run(), -1);
  EXPECT_EQ(s.gpr[kRax], 0u);
  s.gpr[kRcx] = 0x00000001;  // not taken
  ASSERT_EQ(sim.Run(), -1);
  EXPECT_EQ(s.gpr[kRax], 1u);
}

// With 66h a near branch outside 64-bit mode has a 16-bit operand size:
// its target is an IP (the upper half of EIP cleared), CALL pushes and RET
// pops a 16-bit return address, an indirect target is 16 bits (SDM vol. 2A
// CALL, JMP; 2B RET).
TEST(Legacy32Test, NearBranchesWithASixteenBitOperandSize) {
  Protected32 sim;
  CpuState& s = sim.m.state();
  constexpr uint64_t kTarget = 0x5000;
  sim.m.Put64(kTarget, 0xf4);  // hlt
  auto ran_to_target = [&] { return s.rip == kTarget + 1; };

  // call rel16: IP after it is (0x40000 + 4) & 0xffff = 4.
  sim.SetCode({0x66, 0xe8, 0xfc, 0x4f});
  sim.Run();
  EXPECT_TRUE(ran_to_target());
  ASSERT_EQ(s.gpr[kRsp], LongModeMachine::kStackTop - 2);
  EXPECT_EQ(sim.m.Get64(s.gpr[kRsp]) & 0xffff, 4u);

  sim.SetCode({0x66, 0x68, 0x00, 0x50, 0x66, 0xc3});  // push word 0x5000; ret (16-bit)
  sim.Run();
  EXPECT_TRUE(ran_to_target());
  EXPECT_EQ(s.gpr[kRsp], LongModeMachine::kStackTop);

  sim.SetCode({0x66, 0xff, 0xe0});  // jmp ax
  s.gpr[kRax] = 0x12345000;
  sim.Run();
  EXPECT_TRUE(ran_to_target());

  // call word [0x7000]: two bytes read; the return IP (0x40007 & 0xffff) pushed.
  sim.m.Put64(0x7000, 0xffff5000);
  sim.SetCode({0x66, 0xff, 0x15, 0x00, 0x70, 0x00, 0x00});
  sim.Run();
  EXPECT_TRUE(ran_to_target());
  ASSERT_EQ(s.gpr[kRsp], LongModeMachine::kStackTop - 2);
  EXPECT_EQ(sim.m.Get64(s.gpr[kRsp]) & 0xffff, 7u);
}

TEST(Legacy32Test, SalcCopiesCarryIntoAl) {
  Protected32 sim;
  sim.SetCode({0xd6});
  CpuState& s = sim.m.state();
  s.gpr[kRax] = 0x1234;
  sim.m.cpu().SetRflags(0x2 | kCF);
  ASSERT_EQ(sim.Run(), -1);
  EXPECT_EQ(s.gpr[kRax], 0x12ffu);
  sim.m.cpu().SetRflags(0x2);
  ASSERT_EQ(sim.Run(), -1);
  EXPECT_EQ(s.gpr[kRax], 0x1200u);
}

// INTO: nothing with OF clear; with OF set the overflow trap, whose frame
// names the instruction after INTO.
TEST(Legacy32Test, IntoTrapsOnlyWithOverflowSet) {
  Protected32 sim;
  sim.SetCode({0xce});
  sim.m.cpu().SetRflags(0x2);
  EXPECT_EQ(sim.Run(), -1);
  sim.m.cpu().SetRflags(0x2 | kOF);
  uint64_t eip = 0;
  EXPECT_EQ(sim.Run(&eip), kOverflow);
  EXPECT_EQ(eip, LongModeMachine::kCode + 1);
}

}  // namespace
}  // namespace x64sim::testing
