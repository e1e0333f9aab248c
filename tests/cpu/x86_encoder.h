// A small x86-64 instruction encoder for tests: legacy prefixes, REX,
// opcode, ModRM/SIB/displacement and immediate (SDM vol. 2 ch. 2), so a
// test can name the exact opcode form it covers (01 vs 03, 81 vs 83, the
// accumulator short forms, D1 vs C1 /n 1, ...) instead of trusting an
// assembler's choice.
#ifndef X64SIM_TESTS_CPU_X86_ENCODER_H_
#define X64SIM_TESTS_CPU_X86_ENCODER_H_

#include <cstdint>
#include <string>
#include <vector>

namespace x64sim::testing {

inline constexpr int kNoReg = -1;
inline constexpr int kRipBase = 16;  // Mem::base for RIP-relative (EIP with addr32)

// A general register operand: number 0..15 (RAX..R15) and size in bytes.
// `high` selects AH/CH/DH/BH (number 0..3), which exclude a REX prefix.
struct Reg {
  int num = 0;
  int size = 8;
  bool high = false;
};

// A memory operand [base + index*scale + disp].
struct Mem {
  int base = kNoReg;  // Gpr number, kRipBase or kNoReg
  int index = kNoReg;
  int scale = 1;
  int32_t disp = 0;
  bool addr32 = false;  // 0x67 prefix
  int disp_bytes = -1;  // -1: shortest; 1 or 4 to force a width
};

// The r/m operand: a register or memory.
struct Rm {
  bool is_mem = false;
  Reg reg;
  Mem mem;
  static Rm R(Reg r) { return Rm{false, r, {}}; }
  static Rm M(Mem m) { return Rm{true, {}, m}; }
};

struct ModRmInsn {
  std::vector<uint8_t> prefixes;  // emitted first (F0, F2, F3, segment overrides)
  int opsize = 4;                 // 2 adds 0x66, 8 sets REX.W; 1 and 4 add nothing
  std::vector<uint8_t> opcode;
  // The ModRM reg field: a register operand, or the /digit in `digit`.
  Reg reg;
  int digit = -1;  // >= 0: reg field is this opcode extension instead of `reg`
  Rm rm;
  uint64_t imm = 0;
  int imm_bytes = 0;
};

// Encodes a ModRM instruction. Aborts on an impossible request (a REX
// prefix together with AH..BH, RSP as an index).
std::vector<uint8_t> Encode(const ModRmInsn& insn);

// Encodes an instruction whose register is in the low opcode bits (50+r,
// B8+r, 90+r, 0F C8+r): opcode bytes, register, operand size, immediate.
std::vector<uint8_t> EncodeOpReg(std::vector<uint8_t> opcode, Reg reg, int opsize,
                                 uint64_t imm = 0, int imm_bytes = 0);

// Encodes an instruction without ModRM: optional 0x66 / REX.W, opcode, immediate.
std::vector<uint8_t> EncodePlain(std::vector<uint8_t> opcode, int opsize, uint64_t imm = 0,
                                 int imm_bytes = 0);

// Register and operand names for reports ("r9d", "ah", "[rbx+rsi*4+0x10]").
std::string RegName(Reg r);
std::string MemName(const Mem& m);
std::string RmName(const Rm& rm, int size);

}  // namespace x64sim::testing

#endif  // X64SIM_TESTS_CPU_X86_ENCODER_H_
