#include "tests/cpu/native_runner.h"

#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>
#include <ucontext.h>

#include <cstddef>
#include <cstdlib>
#include <cstring>

// x64sim_run_native(RegisterImage* image /* rdi */, void* code /* rsi */):
// R8 keeps the image and R9 the code while the instruction runs.
asm(R"(
  .text
  .globl x64sim_run_native
  .type x64sim_run_native, @function
x64sim_run_native:
  mov %rdi, %r8
  mov %rsi, %r9
  movdqu 0(%r8), %xmm0
  movdqu 16(%r8), %xmm1
  movdqu 32(%r8), %xmm2
  movdqu 48(%r8), %xmm3
  mov 64(%r8), %rax
  mov 72(%r8), %rcx
  mov 80(%r8), %rdx
  mov 88(%r8), %rsi
  mov 96(%r8), %rdi
  pushq 104(%r8)
  popfq
  call *%r9
  pushfq
  popq 104(%r8)
  pushfq
  andq $~0x40400, (%rsp)
  popfq
  movdqu %xmm0, 0(%r8)
  movdqu %xmm1, 16(%r8)
  movdqu %xmm2, 32(%r8)
  movdqu %xmm3, 48(%r8)
  mov %rax, 64(%r8)
  mov %rcx, 72(%r8)
  mov %rdx, 80(%r8)
  mov %rsi, 88(%r8)
  mov %rdi, 96(%r8)
  ret
  .size x64sim_run_native, .-x64sim_run_native
)");

extern "C" void x64sim_run_native(x64sim::testing::RegisterImage* image, const void* code);

namespace x64sim::testing {

static_assert(offsetof(RegisterImage, rax) == 64 && offsetof(RegisterImage, rflags) == 104);

NativeCode::NativeCode(const std::vector<uint8_t>& insn) {
  page_ = mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (page_ == MAP_FAILED) std::abort();
  std::memcpy(page_, insn.data(), insn.size());
  static_cast<uint8_t*>(page_)[insn.size()] = 0xc3;  // RET
  if (mprotect(page_, 4096, PROT_READ | PROT_EXEC) != 0) std::abort();
}

NativeCode::~NativeCode() { munmap(page_, 4096); }

void NativeCode::Run(RegisterImage* image) const { x64sim_run_native(image, page_); }

namespace {

sigjmp_buf g_fault_jump;
NativeFault g_fault;

void OnFault(int signal, siginfo_t* info, void* context) {
  const auto& registers = static_cast<ucontext_t*>(context)->uc_mcontext.gregs;
  g_fault = {signal, info->si_code, registers[REG_TRAPNO], registers[REG_ERR]};
  siglongjmp(g_fault_jump, 1);
}

}  // namespace

NativeFault RunCatchingFaults(const NativeCode& code, RegisterImage* image) {
  struct sigaction action = {}, old_bus, old_segv;
  action.sa_sigaction = &OnFault;
  action.sa_flags = SA_SIGINFO;
  sigaction(SIGBUS, &action, &old_bus);
  sigaction(SIGSEGV, &action, &old_segv);
  g_fault = {};
  if (sigsetjmp(g_fault_jump, 1) == 0) code.Run(image);
  sigaction(SIGBUS, &old_bus, nullptr);
  sigaction(SIGSEGV, &old_segv, nullptr);
  return g_fault;
}

LowMemory::LowMemory(size_t bytes) : size_(bytes) {
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT,
                 -1, 0);
  if (p == MAP_FAILED) std::abort();
  data_ = static_cast<uint8_t*>(p);
}

LowMemory::~LowMemory() { munmap(data_, size_); }

}  // namespace x64sim::testing
