// The host CPU as the oracle: runs one instruction natively between loading
// and storing a register image, so tests can compare x64sim against the
// hardware it imitates. The instruction may use XMM0-3, RAX, RCX, RDX, RSI,
// RDI and the arithmetic flags and DF; it must not touch RSP, R8 or R9.
#ifndef X64SIM_TESTS_CPU_NATIVE_RUNNER_H_
#define X64SIM_TESTS_CPU_NATIVE_RUNNER_H_

#include <cstddef>
#include <cstdint>
#include <vector>

namespace x64sim::testing {

struct RegisterImage {
  alignas(16) uint8_t xmm[4][16];
  uint64_t rax, rcx, rdx, rsi, rdi;
  uint64_t rflags;  // loaded with POPFQ and stored with PUSHFQ; DF and AC are cleared afterwards
};

// Executable copies of instruction bytes (each followed by RET).
class NativeCode {
 public:
  explicit NativeCode(const std::vector<uint8_t>& insn);
  ~NativeCode();
  NativeCode(const NativeCode&) = delete;
  NativeCode& operator=(const NativeCode&) = delete;

  void Run(RegisterImage* image) const;
  // The instruction bytes (followed by RET), for runners of other images.
  const void* code() const { return page_; }

 private:
  void* page_;
};

// What a native run raised, as Linux reports it: the signal (0 when the
// instruction ran to its end), its si_code, and the hardware's vector and
// error code from the signal context (REG_TRAPNO, REG_ERR).
struct NativeFault {
  int signal = 0;
  int code = 0;
  long vector = -1;
  long error_code = -1;
};
// Runs `code` on `image`, catching SIGSEGV and SIGBUS.
NativeFault RunCatchingFaults(const NativeCode& code, RegisterImage* image);

// Memory in the low 2 GiB (MAP_32BIT), so 32-bit address-size forms can
// reach it natively. Page-aligned, zeroed.
class LowMemory {
 public:
  explicit LowMemory(size_t bytes);
  ~LowMemory();
  LowMemory(const LowMemory&) = delete;
  LowMemory& operator=(const LowMemory&) = delete;
  uint8_t* data() const { return data_; }
  size_t size() const { return size_; }

 private:
  uint8_t* data_;
  size_t size_;
};

}  // namespace x64sim::testing

#endif  // X64SIM_TESTS_CPU_NATIVE_RUNNER_H_
