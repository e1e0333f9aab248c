// Pieces of machine code, and an observer, that CPU tests build programs
// and runs from.
#ifndef X64SIM_TESTS_CPU_TEST_CODE_H_
#define X64SIM_TESTS_CPU_TEST_CODE_H_

#include <cstdint>
#include <vector>

#include "cpu/cpu.h"

namespace x64sim::testing {

// The low `bytes` bytes of `v`, little-endian (immediates, displacements).
inline void Append(std::vector<uint8_t>& code, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) code.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

// mov REG, imm64 (REG < 8).
inline void MovImm64(std::vector<uint8_t>& code, int reg, uint64_t v) {
  code.insert(code.end(), {0x48, static_cast<uint8_t>(0xb8 + reg)});
  Append(code, v, 8);
}

// mov ecx, msr; mov eax, low half; mov edx, high half; wrmsr
inline void Wrmsr(std::vector<uint8_t>& code, uint32_t msr, uint64_t v) {
  code.push_back(0xb9);
  Append(code, msr, 4);
  code.push_back(0xb8);
  Append(code, v, 4);
  code.push_back(0xba);
  Append(code, v >> 32, 4);
  code.insert(code.end(), {0x0f, 0x30});
}

// Attached, it makes the CPU run one instruction at a time: never a loop
// in bulk, never a chain of blocks.
class SteppingObserver : public RetireObserver {
 public:
  void OnRetire(const DecodedInsn&, uint64_t, uint64_t) override {}
  void OnEvent(uint8_t, uint64_t) override {}
};

}  // namespace x64sim::testing

#endif  // X64SIM_TESTS_CPU_TEST_CODE_H_
