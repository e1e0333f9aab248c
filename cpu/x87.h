// The x87 FPU's register stack and status word (SDM vol. 1 ch. 8), shared
// by the ops_x87_*.cc files: TOP, tags, stack faults, the exception
// summary, the #NM/#MF checks every x87 instruction makes, and running an
// x87 instruction on the host (the same 80-bit unit) for its arithmetic.
#ifndef X64SIM_CPU_X87_H_
#define X64SIM_CPU_X87_H_

#include <cstdint>
#include <cstring>

#include "cpu/binder.h"
#include "cpu/cpu.h"

namespace x64sim {

inline constexpr uint16_t kFswInvalid = 0x0001;       // IE
inline constexpr uint16_t kFswExceptions = 0x003f;    // IE DE ZE OE UE PE
inline constexpr uint16_t kFswPreComputation = 0x0007;  // IE DE ZE: no result is delivered
inline constexpr uint16_t kFswStoreBlocking = 0x001f;  // all but PE, for a memory destination
inline constexpr uint16_t kFswStackFault = 0x0040;    // SF
inline constexpr uint16_t kFswSummary = 0x0080;       // ES
inline constexpr uint16_t kFswC0 = 0x0100;
inline constexpr uint16_t kFswC1 = 0x0200;
inline constexpr uint16_t kFswC2 = 0x0400;
inline constexpr uint16_t kFswC3 = 0x4000;
inline constexpr uint16_t kFswConditions = kFswC0 | kFswC1 | kFswC2 | kFswC3;
inline constexpr uint16_t kFswTop = 0x3800;
inline constexpr uint16_t kFswBusy = 0x8000;  // B, a copy of ES

// An 80-bit register as it lies in memory: 64-bit significand (bit 63 the
// explicit integer bit), then sign and 15-bit exponent.
struct F80 {
  uint64_t significand;
  uint16_t sign_exponent;
};
// The real indefinite, a QNaN (SDM vol. 1 4.8.3.7).
inline constexpr F80 kIndefinite = {0xc000000000000000ull, 0xffff};

inline F80 LoadF80(const uint8_t* p) {
  F80 v;
  std::memcpy(&v.significand, p, 8);
  std::memcpy(&v.sign_exponent, p + 8, 2);
  return v;
}

inline void StoreF80(uint8_t* p, const F80& v) {
  std::memcpy(p, &v.significand, 8);
  std::memcpy(p + 8, &v.sign_exponent, 2);
}

inline int Top(const SseState& s) { return (s.fsw >> 11) & 7; }
inline int Physical(const SseState& s, int i) { return (Top(s) + i) & 7; }
inline bool IsEmpty(const SseState& s, int i) { return !((s.ftw >> Physical(s, i)) & 1); }
inline F80 St(const SseState& s, int i) { return LoadF80(s.st[Physical(s, i)]); }

// Writes ST(i) and tags it non-empty.
inline void SetSt(SseState& s, int i, const F80& v) {
  StoreF80(s.st[Physical(s, i)], v);
  s.ftw = static_cast<uint8_t>(s.ftw | (1u << Physical(s, i)));
}

inline void SetTop(SseState& s, int top) {
  s.fsw = static_cast<uint16_t>((s.fsw & ~kFswTop) | ((top & 7) << 11));
}

// Pop: ST(0) becomes empty and TOP moves up (SDM vol. 1 8.1.2).
inline void Pop(SseState& s) {
  s.ftw = static_cast<uint8_t>(s.ftw & ~(1u << Physical(s, 0)));
  SetTop(s, Top(s) + 1);
}

inline void Push(SseState& s, const F80& v) {
  SetTop(s, Top(s) - 1);
  SetSt(s, 0, v);
}

inline void SetC1(SseState& s, bool c1) {
  s.fsw = static_cast<uint16_t>((s.fsw & ~kFswC1) | (c1 ? kFswC1 : 0));
}

// ES and B follow the exception flags the control word does not mask.
inline void UpdateSummary(SseState& s) {
  const bool pending = (s.fsw & ~s.fcw & kFswExceptions) != 0;
  s.fsw = static_cast<uint16_t>((s.fsw & ~(kFswSummary | kFswBusy)) |
                                (pending ? kFswSummary | kFswBusy : 0));
}

// Stack overflow (push onto a non-empty register, C1 = 1) or underflow
// (an empty source, C1 = 0): IE and SF (SDM vol. 1 8.5.1.1). True if IE is
// masked: the instruction then goes on with the real indefinite as its
// value; if not, nothing but the status word changes.
inline bool StackFault(SseState& s, bool overflow) {
  s.fsw |= kFswInvalid | kFswStackFault;
  SetC1(s, overflow);
  UpdateSummary(s);
  return s.fcw & kFswInvalid;
}

// The two-bit tag of physical register r: valid 0, zero 1, special 2
// (NaN, infinity, denormal, pseudo-denormal, unnormal), empty 3 (8.1.7).
inline int FullTag(const SseState& s, int r) {
  if (!((s.ftw >> r) & 1)) return 3;
  const F80 v = LoadF80(s.st[r]);
  const int exponent = v.sign_exponent & 0x7fff;
  if (exponent == 0x7fff) return 2;
  if (exponent == 0) return v.significand == 0 ? 1 : 2;
  return (v.significand >> 63) ? 0 : 2;
}

inline uint16_t FullTagWord(const SseState& s) {
  uint16_t tw = 0;
  for (int r = 0; r < 8; ++r) tw = static_cast<uint16_t>(tw | (FullTag(s, r) << (2 * r)));
  return tw;
}

// An x87 instruction other than WAIT faults with #NM when CR0.EM or
// CR0.TS is set (SDM vol. 3A 2.5, table 2-2).
inline bool X87Available(Cpu& cpu) {
  if (cpu.state.cr0 & (kCr0EM | kCr0TS)) {
    cpu.FaultNoCode(kDeviceNotAvailable);
    return false;
  }
  return true;
}

// Entry to a waiting, non-control x87 instruction: #NM, then #MF while an
// unmasked exception is pending (ES; SDM vol. 1 8.6); then the instruction
// becomes the last non-control one: its opcode (in.imm), address and, with
// a memory operand, the operand's offset (8.1.8, 8.1.9). With CR0.NE clear
// a PC would signal FERR# to the interrupt controller instead; x64sim
// raises #MF either way (docs/cpu.md).
inline bool X87Begin(Cpu& cpu, const DecodedInsn& in, bool memory) {
  if (!X87Available(cpu)) return false;
  SseState& s = cpu.state.sse;
  if (s.fsw & kFswSummary) {
    cpu.FaultNoCode(kFpuError);
    return false;
  }
  s.fop = static_cast<uint16_t>(in.imm);
  // Offsets, but linear addresses in real and virtual-8086 mode, whose
  // FSTENV/FSAVE formats store them so (SDM vol. 1 8.1.10, figure 8-10).
  const bool linear = cpu.state.mode == CpuMode::kReal || (cpu.state.rflags & kVM);
  s.fip = cpu.state.rip + (linear ? cpu.SegmentBase(kCs) : 0);
  if (memory) s.fdp = linear ? cpu.UncheckedLinear(in) : cpu.EffectiveAddress(in);
  return true;
}

// The opcode an x87 instruction records: the low three bits of its first
// byte, then its ModR/M byte (SDM vol. 1 8.1.9).
inline uint16_t X87Opcode(const ZydisInsn& z) {
  const auto& m = z.insn.raw.modrm;
  return static_cast<uint16_t>(((z.insn.opcode & 7) << 8) | (m.mod << 6) | (m.reg << 3) | m.rm);
}

// ---- The host's x87 unit -----------------------------------------------------

// What one instruction did on the host: its status word and ST(0), ST(1)
// afterwards, and ZF/PF/CF (FCOMI and friends).
struct HostX87 {
  F80 st[2];           // in: the operands as ST(0) and ST(1)
  alignas(8) uint8_t mem[10];  // a memory operand, read or written at [rax]
  uint16_t fsw;
  bool zf, pf, cf;
};

// Runs the two instruction bytes kOp kModRM on the host from a stack
// holding just hx.st[0] and hx.st[1] (TOP = 6), under the guest's control
// word (precision, rounding and masks apply as on the guest) and with the
// guest's C0-C3, so a condition code the instruction leaves alone stays as
// it was. FRSTOR (32-bit format) sets that up in one go. An unmasked
// exception only sets ES (x87 exceptions are reported by the next waiting
// instruction, SDM vol. 1 8.6), so FNSTSW and FNCLEX collect it before
// anything could wait; FNINIT leaves the host's unit as the ABI wants it.
// Register forms address ST(1), memory forms [rax].
template <uint8_t kOp, uint8_t kModRM>
inline void RunOnHost(uint16_t fcw, uint16_t fsw, HostX87& hx) {
  static constexpr uint16_t kMasked = 0x037f;
  struct [[gnu::packed]] {
    uint32_t env[7];
    uint8_t st[8][10];
  } image = {{fcw, static_cast<uint32_t>((fsw & kFswConditions) | (6 << 11)), 0x0fff}, {}};
  StoreF80(image.st[0], hx.st[0]);
  StoreF80(image.st[1], hx.st[1]);
  asm volatile(
      "frstor %[image]\n\t"
      ".byte %c[op], %c[modrm]\n\t"
      "fnstsw %[sw]\n\t"
      "fnclex\n\t"
      "fldcw %[masked]\n\t"
      "fstpt (%[st])\n\t"
      "fstpt 16(%[st])\n\t"
      "fninit"
      : [sw] "=m"(hx.fsw), "=@ccz"(hx.zf), "=@ccp"(hx.pf), "=@ccc"(hx.cf)
      : [image] "m"(image), [masked] "m"(kMasked), [st] "r"(hx.st), "a"(hx.mem), [op] "i"(kOp),
        [modrm] "i"(kModRM)
      : "memory", "st", "st(1)", "st(2)", "st(3)", "st(4)", "st(5)", "st(6)", "st(7)");
}

using HostRun = void (*)(uint16_t, uint16_t, HostX87&);

// ---- Binding by encoding -------------------------------------------------------

// An x87 form's handler from its opcode byte (D8-DF) and ModR/M byte, with
// the r/m bits cleared for memory forms; null if not implemented.
using X87Lookup = Handler (*)(uint8_t op, uint8_t modrm);

// Binds an x87 instruction: in.imm = its FOP, in.reg = the i of ST(i).
template <X87Lookup kFind>
bool BindX87(const ZydisInsn& z, DecodedInsn& out) {
  const auto& m = z.insn.raw.modrm;
  const bool memory = m.mod != 3;
  const uint8_t modrm = static_cast<uint8_t>((m.mod << 6) | (m.reg << 3) | m.rm);
  const Handler h = kFind(static_cast<uint8_t>(z.insn.opcode), memory ? modrm & 0x38 : modrm);
  if (h == nullptr) return false;
  out.handler = h;
  out.imm = X87Opcode(z);
  out.reg = m.rm;
  if (!memory) return true;
  for (int i = 0; i < z.insn.operand_count_visible; ++i) {
    if (IsMem(z.ops[i])) return BindMemory(z, z.ops[i], out);
  }
  return false;
}

}  // namespace x64sim

#endif  // X64SIM_CPU_X87_H_
