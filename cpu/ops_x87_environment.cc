// The x87 environment and state images (SDM vol. 1 8.1.10, figures 8-9 to
// 8-12; vol. 2 FSTENV, FLDENV, FSAVE, FRSTOR): FNSTENV/FLDENV (14 or 28
// bytes) and FNSAVE/FRSTOR (the environment, then ST(0)-ST(7) as 80-bit
// values). The 16-bit formats with a 16-bit operand size, the 32-bit ones
// otherwise; real mode and protected mode lay the pointers out
// differently. FCS and FDS are stored as 0 (deprecated, CPUID.7.EBX[13]).
#include <cstring>

#include "cpu/fx_area.h"
#include "cpu/x87.h"

namespace x64sim {

namespace {

constexpr int kSaveBytes = 80;  // ST(0)-ST(7) after the environment

int EnvironmentBytes(const DecodedInsn& in) { return in.size == 2 ? 14 : 28; }

bool RealModeFormat(const Cpu& cpu) {
  return cpu.state.mode == CpuMode::kReal || (cpu.state.rflags & kVM);
}

// The environment as 16-bit or 32-bit fields; a 32-bit field's upper half
// of FCW, FSW and FTW is reserved and stored as ones (as on the host).
void StoreEnvironment(const Cpu& cpu, const DecodedInsn& in, uint8_t* out) {
  const SseState& s = cpu.state.sse;
  const bool wide = in.size != 2;
  const int step = wide ? 4 : 2;
  uint32_t fields[7] = {s.fcw, s.fsw, FullTagWord(s), 0, 0, 0, 0};
  if (RealModeFormat(cpu)) {
    // FIP and FDP as 20-bit (16-bit format) or 32-bit linear addresses
    // split at bit 16, the upper part from bit 12 up, FOP below it.
    const uint64_t high = wide ? 0xffff : 0xf;
    fields[3] = s.fip & 0xffff;
    fields[4] = static_cast<uint32_t>((((s.fip >> 16) & high) << 12) | s.fop);
    fields[5] = s.fdp & 0xffff;
    fields[6] = static_cast<uint32_t>(((s.fdp >> 16) & high) << 12);
  } else {
    fields[3] = static_cast<uint32_t>(s.fip);
    fields[4] = wide ? static_cast<uint32_t>(s.fop) << 16 : 0;
    fields[5] = static_cast<uint32_t>(s.fdp);
  }
  if (wide) {
    for (int f = 0; f < 3; ++f) fields[f] |= 0xffff0000u;
  }
  for (int f = 0; f < 7; ++f) std::memcpy(out + f * step, &fields[f], step);
}

void LoadEnvironment(Cpu& cpu, const DecodedInsn& in, const uint8_t* image) {
  SseState& s = cpu.state.sse;
  const bool wide = in.size != 2;
  const int step = wide ? 4 : 2;
  uint32_t fields[7] = {};
  for (int f = 0; f < 7; ++f) std::memcpy(&fields[f], image + f * step, step);
  s.fcw = static_cast<uint16_t>((fields[0] & 0x1f3f) | 0x0040);
  s.fsw = static_cast<uint16_t>(fields[1]);
  // A tag of 3 empties a register; any other is recomputed from contents.
  s.ftw = 0;
  for (int r = 0; r < 8; ++r) {
    if (((fields[2] >> (2 * r)) & 3) != 3) s.ftw = static_cast<uint8_t>(s.ftw | (1u << r));
  }
  if (RealModeFormat(cpu)) {
    const uint64_t high = wide ? 0xffff : 0xf;
    s.fip = (fields[3] & 0xffff) | (((fields[4] >> 12) & high) << 16);
    s.fop = static_cast<uint16_t>(fields[4] & 0x7ff);
    s.fdp = (fields[5] & 0xffff) | (((fields[6] >> 12) & high) << 16);
  } else {
    s.fip = wide ? fields[3] : fields[3] & 0xffff;
    s.fop = wide ? static_cast<uint16_t>((fields[4] >> 16) & 0x7ff) : 0;
    s.fdp = wide ? fields[5] : fields[5] & 0xffff;
  }
}

// SDM vol. 3A table 6-7: the FSTENV/FSAVE area asks 2 or 4 by operand size.
int ImageAlignment(const DecodedInsn& in) { return in.size == 2 ? 2 : 4; }

// Writes `bytes` at `linear`, proving a second page writable first so that
// a fault leaves memory unchanged.
bool WriteImage(Cpu& cpu, const DecodedInsn& in, const uint8_t* image, int bytes) {
  const uint64_t linear = cpu.Linear(in);
  const uint64_t last = linear + bytes - 1;
  if ((last ^ linear) >> kPageShift) {
    if (!cpu.ProbeWrite(last, 1)) return false;
  }
  return cpu.WriteBytes(linear, image, bytes, ImageAlignment(in));
}

// FNSTENV: stores the environment, then masks every exception.
Flow Fnstenv(Cpu& cpu, const DecodedInsn& in) {
  if (!X87Available(cpu)) return Flow::kFault;
  uint8_t image[28];
  StoreEnvironment(cpu, in, image);
  if (!WriteImage(cpu, in, image, EnvironmentBytes(in))) return Flow::kFault;
  SseState& s = cpu.state.sse;
  s.fcw |= kFswExceptions;
  UpdateSummary(s);
  return cpu.Next(in);
}

// FNSAVE: the environment and the registers, then FNINIT.
Flow Fnsave(Cpu& cpu, const DecodedInsn& in) {
  if (!X87Available(cpu)) return Flow::kFault;
  uint8_t image[28 + kSaveBytes];
  const int env = EnvironmentBytes(in);
  StoreEnvironment(cpu, in, image);
  SseState& s = cpu.state.sse;
  for (int i = 0; i < 8; ++i) std::memcpy(image + env + 10 * i, s.st[Physical(s, i)], 10);
  if (!WriteImage(cpu, in, image, env + kSaveBytes)) return Flow::kFault;
  InitX87(s);
  return cpu.Next(in);
}

// FLDENV and FRSTOR wait: a pending unmasked exception is #MF first.
template <bool kRegisters>
Flow Restore(Cpu& cpu, const DecodedInsn& in) {
  if (!X87Available(cpu)) return Flow::kFault;
  if (cpu.state.sse.fsw & kFswSummary) return cpu.FaultNoCode(kFpuError);
  uint8_t image[28 + kSaveBytes];
  const int env = EnvironmentBytes(in);
  if (!cpu.ReadBytes(cpu.Linear(in), image, env + (kRegisters ? kSaveBytes : 0), ImageAlignment(in))) {
    return Flow::kFault;
  }
  LoadEnvironment(cpu, in, image);
  if (kRegisters) {
    SseState& s = cpu.state.sse;
    for (int i = 0; i < 8; ++i) std::memcpy(s.st[Physical(s, i)], image + env + 10 * i, 10);
  }
  return cpu.Next(in);
}

bool BindImage(const ZydisInsn& z, DecodedInsn& out, Handler h) {
  if (z.insn.operand_count_visible != 1 || !IsMem(z.ops[0])) return false;
  out.handler = h;
  out.size = z.insn.operand_width == 16 ? 2 : 4;
  return BindMemory(z, z.ops[0], out);
}

bool BindFnstenv(const ZydisInsn& z, DecodedInsn& out) { return BindImage(z, out, &Fnstenv); }
bool BindFnsave(const ZydisInsn& z, DecodedInsn& out) { return BindImage(z, out, &Fnsave); }
bool BindFldenv(const ZydisInsn& z, DecodedInsn& out) { return BindImage(z, out, &Restore<false>); }
bool BindFrstor(const ZydisInsn& z, DecodedInsn& out) { return BindImage(z, out, &Restore<true>); }

}  // namespace

void RegisterX87EnvironmentOps(BinderTable& t) {
  t.Add(ZYDIS_MNEMONIC_FNSTENV, BindFnstenv);
  t.Add(ZYDIS_MNEMONIC_FNSAVE, BindFnsave);
  t.Add(ZYDIS_MNEMONIC_FLDENV, BindFldenv);
  t.Add(ZYDIS_MNEMONIC_FRSTOR, BindFrstor);
}

}  // namespace x64sim
