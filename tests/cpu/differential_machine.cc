#include "tests/cpu/differential_machine.h"

#include <sys/mman.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#define X64SIM_CTL "0xc05000"  // kControlAddr, for the assembler

// The control page: 16 GPRs (Gpr order) at +0, RFLAGS at +128, the host RSP
// at +136, the snippet's address at +144 and the exit slot at +152.
// x64sim_diff_enter loads everything and jumps to the snippet; the snippet's
// `jmp [exit slot]` lands on x64sim_diff_exit, which stores everything back.
// Only absolute addressing is used while guest values are live, and MOV
// changes no flags, so the image is exactly what the instruction left.
asm(R"(
  .text
  .globl x64sim_diff_enter
  .type x64sim_diff_enter, @function
x64sim_diff_enter:
  push %rbx
  push %rbp
  push %r12
  push %r13
  push %r14
  push %r15
  mov %rsp, )" X64SIM_CTL R"(+136
  pushq )" X64SIM_CTL R"(+128
  popfq
  mov )" X64SIM_CTL R"(+0, %rax
  mov )" X64SIM_CTL R"(+8, %rcx
  mov )" X64SIM_CTL R"(+16, %rdx
  mov )" X64SIM_CTL R"(+24, %rbx
  mov )" X64SIM_CTL R"(+40, %rbp
  mov )" X64SIM_CTL R"(+48, %rsi
  mov )" X64SIM_CTL R"(+56, %rdi
  mov )" X64SIM_CTL R"(+64, %r8
  mov )" X64SIM_CTL R"(+72, %r9
  mov )" X64SIM_CTL R"(+80, %r10
  mov )" X64SIM_CTL R"(+88, %r11
  mov )" X64SIM_CTL R"(+96, %r12
  mov )" X64SIM_CTL R"(+104, %r13
  mov )" X64SIM_CTL R"(+112, %r14
  mov )" X64SIM_CTL R"(+120, %r15
  mov )" X64SIM_CTL R"(+32, %rsp
  jmp *)" X64SIM_CTL R"(+144
  .globl x64sim_diff_exit
x64sim_diff_exit:
  mov %rax, )" X64SIM_CTL R"(+0
  mov %rcx, )" X64SIM_CTL R"(+8
  mov %rdx, )" X64SIM_CTL R"(+16
  mov %rbx, )" X64SIM_CTL R"(+24
  mov %rsp, )" X64SIM_CTL R"(+32
  mov %rbp, )" X64SIM_CTL R"(+40
  mov %rsi, )" X64SIM_CTL R"(+48
  mov %rdi, )" X64SIM_CTL R"(+56
  mov %r8, )" X64SIM_CTL R"(+64
  mov %r9, )" X64SIM_CTL R"(+72
  mov %r10, )" X64SIM_CTL R"(+80
  mov %r11, )" X64SIM_CTL R"(+88
  mov %r12, )" X64SIM_CTL R"(+96
  mov %r13, )" X64SIM_CTL R"(+104
  mov %r14, )" X64SIM_CTL R"(+112
  mov %r15, )" X64SIM_CTL R"(+120
  mov )" X64SIM_CTL R"(+136, %rsp
  pushfq
  popq )" X64SIM_CTL R"(+128
  cld
  pop %r15
  pop %r14
  pop %r13
  pop %r12
  pop %rbp
  pop %rbx
  ret
  .size x64sim_diff_enter, .-x64sim_diff_enter
)");

extern "C" void x64sim_diff_enter();
extern "C" void x64sim_diff_exit();

namespace x64sim::testing {
namespace {

static_assert(kControlAddr == 0xc05000, "X64SIM_CTL must match kControlAddr");

constexpr uint64_t kFlagsOffset = 128;
constexpr uint64_t kEntryOffset = 144;
constexpr uint64_t kSimExitHlt = kControlAddr + 0x100;

uint8_t* NativeWindow() {
  static uint8_t* window = [] {
    void* p = mmap(reinterpret_cast<void*>(kWindow), kWindowBytes,
                   PROT_READ | PROT_WRITE | PROT_EXEC,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (p != reinterpret_cast<void*>(kWindow)) {
      std::fprintf(stderr, "differential_machine: cannot map the window at %#llx\n",
                   static_cast<unsigned long long>(kWindow));
      std::abort();
    }
    return static_cast<uint8_t*>(p);
  }();
  return window;
}

uint8_t* Native(uint64_t addr) { return NativeWindow() + (addr - kWindow); }

}  // namespace

std::vector<uint8_t> ExitJump() {
  std::vector<uint8_t> j = {0xff, 0x24, 0x25};
  for (int i = 0; i < 4; ++i) j.push_back(static_cast<uint8_t>(kExitSlot >> (8 * i)));
  return j;
}

uint64_t MachineState::Load(uint64_t addr, int size) const {
  uint64_t v = 0;
  std::memcpy(&v, data.data() + (addr - kDataAddr), size);
  return v;
}

void MachineState::Store(uint64_t addr, uint64_t value, int size) {
  std::memcpy(data.data() + (addr - kDataAddr), &value, size);
}

DifferentialMachine::DifferentialMachine() {
  NativeWindow();
  uint8_t hlt = 0xf4;
  sim_.memory().CopyIn(kSimExitHlt, &hlt, 1);
  sim_.Put64(kExitSlot, kSimExitHlt);
}

void DifferentialMachine::SetCode(const std::vector<uint8_t>& code) {
  std::vector<uint8_t> bytes = code;
  std::vector<uint8_t> exit = ExitJump();
  bytes.insert(bytes.end(), exit.begin(), exit.end());
  SetRawCode(bytes);
}

void DifferentialMachine::SetRawCode(const std::vector<uint8_t>& code) {
  std::memcpy(Native(kCodeAddr), code.data(), code.size());
  // Through the CPU, so blocks decoded from the previous snippet are dropped.
  for (size_t off = 0; off < code.size(); off += 16) {
    int n = static_cast<int>(std::min<size_t>(16, code.size() - off));
    sim_.cpu().WriteSupervisor(kCodeAddr + off, code.data() + off, n);
  }
}

void DifferentialMachine::RunNative(const MachineState& in, MachineState* out) {
  uint8_t* ctl = Native(kControlAddr);
  std::memcpy(ctl, in.gpr, sizeof(in.gpr));
  std::memcpy(ctl + kFlagsOffset, &in.rflags, 8);
  uint64_t entry = kCodeAddr;
  uint64_t exit = reinterpret_cast<uint64_t>(&x64sim_diff_exit);
  std::memcpy(ctl + kEntryOffset, &entry, 8);
  std::memcpy(Native(kExitSlot), &exit, 8);
  std::memcpy(Native(kDataAddr), in.data.data(), kDataBytes);
  x64sim_diff_enter();
  std::memcpy(out->gpr, ctl, sizeof(out->gpr));
  std::memcpy(&out->rflags, ctl + kFlagsOffset, 8);
  out->data.resize(kDataBytes);
  std::memcpy(out->data.data(), Native(kDataAddr), kDataBytes);
}

SimOutcome DifferentialMachine::RunSim(const MachineState& in, MachineState* out) {
  Cpu& cpu = sim_.cpu();
  CpuState& s = cpu.state;
  for (int r = 0; r < 16; ++r) s.gpr[r] = in.gpr[r];
  s.rflags = in.rflags | kFlagsFixed1;
  s.rip = kCodeAddr;
  s.halted = false;
  sim_.memory().CopyIn(kDataAddr, in.data.data(), kDataBytes);
  StopInfo stop = cpu.Run(1000);
  SimOutcome o;
  uint64_t rip = s.rip;
  using M = LongModeMachine;
  if (stop.reason == StopReason::kHaltedForever && rip == kSimExitHlt + 1) {
    o.clean = true;
  } else if (stop.reason == StopReason::kHaltedForever && rip > M::kStubs &&
             rip <= M::kStubs + 32 * 16) {
    o.vector = static_cast<int>((rip - 1 - M::kStubs) / 16);
    uint64_t rsp = s.gpr[kRsp];
    bool has_code = o.vector == kDoubleFault ||
                    (o.vector >= kInvalidTss && o.vector <= kPageFault) ||
                    o.vector == kAlignmentCheck;
    if (has_code) {
      o.error_code = sim_.Get64(rsp);
      rsp += 8;
    }
    o.fault_rip = sim_.Get64(rsp);
  } else {
    o.detail = stop.detail.empty() ? "stopped without reaching the exit" : stop.detail;
  }
  for (int r = 0; r < 16; ++r) out->gpr[r] = s.gpr[r];
  out->rflags = s.rflags;
  out->data.resize(kDataBytes);
  sim_.memory().CopyOut(kDataAddr, out->data.data(), kDataBytes);
  return o;
}

}  // namespace x64sim::testing
