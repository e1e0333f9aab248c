// The compact form an instruction is decoded into once, then executed many
// times: a handler chosen for the exact operation, size and operand form,
// and operands resolved to register indices, displacement and immediate.
#ifndef X64SIM_CPU_DECODED_INSN_H_
#define X64SIM_CPU_DECODED_INSN_H_

#include <cstdint>

namespace x64sim {

class Cpu;
struct DecodedInsn;

// How a block's run ended. Handlers that complete normally do not return
// to the run loop: they end with Cpu::Next, which retires the instruction
// and runs the next one of the block (threaded dispatch).
enum class Flow : uint8_t {
  kNext,   // the block ran to its end (or, stepping, the instruction fell through)
  kJump,   // RIP was set by the handler; the loop retires it and leaves the block
  kFault,  // an exception is pending; RIP still names this instruction
  kLeave,  // retired by Cpu::Leave: state the block depends on changed
  kYield,  // not retired, to go on later (Cpu::Yield): RIP still names it
};

using Handler = Flow (*)(Cpu&, const DecodedInsn&);

// The memory operands of 64-bit code whose linear address needs none of
// the general computation (index, address size, segment base): a base
// register plus a displacement, and RIP plus a displacement, through DS,
// ES, SS or CS (base 0 in 64-bit mode). Unoptimised code (most of
// sel4test) addresses its stack frame and its constants this way.
enum class AddressForm : uint8_t { kGeneral, kBaseDisp64, kRipDisp64 };

// Register operands are byte offsets into CpuState::gpr, so that AH..BH
// (offset 8*n+1) need no special case at run time.
struct DecodedInsn {
  Handler handler;
  uint64_t imm;        // immediate, branch target offset, or moffs address
  int64_t disp;        // memory displacement (64-bit for moffs forms)
  uint16_t mnemonic;   // ZydisMnemonic, for reports
  uint8_t length;
  uint8_t reg;         // first register operand (byte offset), or SSE register number
  uint8_t reg2;        // second register operand (byte offset), or SSE register number
  uint8_t base;        // Gpr of the memory base (kZeroReg if none)
  uint8_t index;       // Gpr of the memory index (kZeroReg if none)
  uint8_t scale;       // log2 of the index scale
  uint8_t seg;         // SegReg of the memory operand
  uint8_t flags;       // kInsn* below
  uint8_t cond;        // condition code for Jcc/SETcc/CMOVcc, or a sub-operation
  uint8_t size;        // operand size in bytes
  uint8_t aux;         // handler-specific (second size, count, ...)
  AddressForm address_form;  // of the memory operand, as BindMemory found it
};

inline constexpr uint8_t kInsnRipRelative = 1u << 0;
inline constexpr uint8_t kInsnAddr32 = 1u << 1;
inline constexpr uint8_t kInsnAddr16 = 1u << 2;
inline constexpr uint8_t kInsnRep = 1u << 3;    // REP / REPE
inline constexpr uint8_t kInsnRepne = 1u << 4;  // REPNE
inline constexpr uint8_t kInsnLock = 1u << 5;
inline constexpr uint8_t kInsnFused = 1u << 6;  // handler also runs the next instruction (a Jcc)
inline constexpr uint8_t kInsnString = 1u << 7; // MOVS..OUTS: seg is the source's (seg:RSI), ES:RDI fixed

}  // namespace x64sim

#endif  // X64SIM_CPU_DECODED_INSN_H_
