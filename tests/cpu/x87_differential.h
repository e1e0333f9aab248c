// One x87 instruction on the host CPU and in x64sim from the same x87
// state, compared: the oracle of the x87 tests. Both run
//   fxrstor64 [rsi]; <instruction>; fxsave64 [rsi]; fninit
// so the whole x87 state goes in and comes out through the FXSAVE image:
// control and status words (TOP, C0-C3, flags), abridged tags, ST(0)-ST(7),
// plus a memory operand at [rsi + kMemOffset], RAX and the arithmetic flags.
#ifndef X64SIM_TESTS_CPU_X87_DIFFERENTIAL_H_
#define X64SIM_TESTS_CPU_X87_DIFFERENTIAL_H_

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "tests/cpu/long_mode_machine.h"
#include "tests/cpu/native_runner.h"

namespace x64sim::testing {

// The memory operand's displacement from RSI; an instruction's memory form
// is encoded with ModR/M mod = 10, r/m = RSI and this disp32 (MemoryForm).
inline constexpr uint32_t kX87MemOffset = 0x200;

// "op /reg" with [rsi + kX87MemOffset].
std::vector<uint8_t> MemoryForm(uint8_t op, int reg);

struct X87Run {
  uint16_t fcw = 0x037f;
  uint16_t fsw = 0;     // exception flags only where FCW masks them: nothing pending
  uint8_t ftw = 0;      // abridged: bit i set, physical register i in use
  uint8_t st[8][10] = {};  // in stack order, ST(0) first
  uint8_t mem[112] = {};  // FNSAVE's 108 bytes at most
  uint64_t rax = 0;
  uint64_t rflags = 0x2;
};

// Operand values: random normals and every class the SDM distinguishes
// (zeros, denormals, pseudo-denormals, unnormals, infinities, QNaN, SNaN,
// pseudo-NaN, integers, huge and tiny exponents).
class X87Values {
 public:
  explicit X87Values(uint32_t seed) : rng_(seed) {}
  void F80(uint8_t out[10]);
  // Memory of `kind`: 'f' float, 'd' double, 't' 80-bit, 'w'/'l'/'q' 16/32/64-bit
  // integer, 'b' packed BCD.
  void Memory(char kind, uint8_t out[112]);
  // A random state: control word (any precision, rounding, masks), TOP,
  // tags (a few empty, sometimes full or empty), registers, flags.
  X87Run State(char mem_kind);
  uint64_t Bits(int n) { return n >= 64 ? rng_() : rng_() & ((1ull << n) - 1); }

 private:
  std::mt19937_64 rng_;
};

class X87Differential {
 public:
  explicit X87Differential(const std::vector<uint8_t>& insn);

  // Runs both ways; expects the same image but the status word bits in
  // `undefined_fsw` (C bits the SDM leaves undefined for the instruction),
  // the same memory operand but bytes [skip_from, skip_to) (instruction and
  // data pointers, which differ between host and x64sim), RAX and
  // arithmetic flags, and no exception in x64sim. Reports differences with
  // `what`; true if there were none.
  bool Matches(const X87Run& run, uint16_t undefined_fsw, const std::string& what,
               int skip_from = 0, int skip_to = 0);

 private:
  std::vector<uint8_t> code_;
  NativeCode native_;
  LowMemory host_mem_;
  LongModeMachine machine_;
};

// One instruction form for CheckForm: its bytes (a register form's i is
// added to the last byte and runs over 0..7), the memory operand's kind for
// X87Values::Memory (0 for none), and the C bits the SDM leaves undefined.
struct X87Form {
  std::string name;
  std::vector<uint8_t> bytes;
  char mem_kind;
  bool register_index;
  uint16_t undefined;
};

// `runs` random states (split over the eight i of a register form), each
// run on the host and in x64sim; stops at the first difference.
void CheckForm(const X87Form& f, uint32_t seed, int runs);

// A test-name-safe version of the form's name.
std::string FormTestName(const X87Form& f);

}  // namespace x64sim::testing

#endif  // X64SIM_TESTS_CPU_X87_DIFFERENTIAL_H_
