// The x87 FPU's control instructions (SDM vol. 1 ch. 8, vol. 2): FNINIT,
// FWAIT, FLDCW, FNSTCW, FNSTSW and FNCLEX, on the control, status and tag
// words that FXSAVE/FXRSTOR also carry. The x87 data registers and
// arithmetic are not implemented: those instructions raise #UD and are
// reported by name, and CPUID does not advertise an FPU (docs/cpu.md).
#include "cpu/operand_forms.h"

namespace x64sim {

namespace {

constexpr uint16_t kFcwAfterInit = 0x037f;  // all exceptions masked, 64-bit precision, round to nearest
constexpr uint16_t kFcwWritable = 0x1f3f;   // bits 6 and 13-15 are reserved
constexpr uint16_t kFcwAlwaysOne = 0x0040;  // reads as 1 (SDM vol. 1 8.1.5; checked on the host)
constexpr uint16_t kFswExceptions = 0x003f;  // IE DE ZE OE UE PE
constexpr uint16_t kFswStackFault = 0x0040;
constexpr uint16_t kFswSummary = 0x0080;     // ES
constexpr uint16_t kFswBusy = 0x8000;        // B, a copy of ES

// An x87 instruction other than WAIT faults with #NM when CR0.EM or CR0.TS
// is set (SDM vol. 3A 2.5, table 2-2).
bool X87Available(Cpu& cpu) {
  if (cpu.state.cr0 & (kCr0EM | kCr0TS)) {
    cpu.FaultNoCode(kDeviceNotAvailable);
    return false;
  }
  return true;
}

// ES and B follow the exception flags not masked by the control word.
void UpdateSummary(SseState& s) {
  const bool pending = (s.fsw & ~s.fcw & kFswExceptions) != 0;
  s.fsw = static_cast<uint16_t>((s.fsw & ~(kFswSummary | kFswBusy)) |
                                (pending ? kFswSummary | kFswBusy : 0));
}

Flow Fninit(Cpu& cpu, const DecodedInsn& in) {
  if (!X87Available(cpu)) return Flow::kFault;
  SseState& s = cpu.state.sse;
  s.fcw = kFcwAfterInit;
  s.fsw = 0;
  s.ftw = 0;  // abridged tag word: every register empty
  return cpu.Next(in);
}

// WAIT: #NM when CR0.MP and CR0.TS are both set; #MF when an unmasked
// exception is pending (ES). With CR0.NE clear a PC signals FERR# to the
// interrupt controller instead; x64sim raises #MF in both cases.
Flow Fwait(Cpu& cpu, const DecodedInsn& in) {
  if ((cpu.state.cr0 & (kCr0MP | kCr0TS)) == (kCr0MP | kCr0TS)) {
    return cpu.FaultNoCode(kDeviceNotAvailable);
  }
  if (cpu.state.sse.fsw & kFswSummary) return cpu.FaultNoCode(kFpuError);
  return cpu.Next(in);
}

Flow Fldcw(Cpu& cpu, const DecodedInsn& in) {
  if (!X87Available(cpu)) return Flow::kFault;
  uint16_t v;
  if (!cpu.Read<uint16_t>(cpu.Linear(in), &v)) return Flow::kFault;
  SseState& s = cpu.state.sse;
  s.fcw = static_cast<uint16_t>((v & kFcwWritable) | kFcwAlwaysOne);
  UpdateSummary(s);
  return cpu.Next(in);
}

Flow Fnstcw(Cpu& cpu, const DecodedInsn& in) {
  if (!X87Available(cpu)) return Flow::kFault;
  return cpu.Write<uint16_t>(cpu.Linear(in), cpu.state.sse.fcw) ? cpu.Next(in) : Flow::kFault;
}

// The status word's TOP field (bits 13:11) is always 0: no register stack.
template <bool kToAx>
Flow Fnstsw(Cpu& cpu, const DecodedInsn& in) {
  if (!X87Available(cpu)) return Flow::kFault;
  if constexpr (kToAx) {
    cpu.SetReg<uint16_t>(kRax * 8, cpu.state.sse.fsw);
    return cpu.Next(in);
  } else {
    return cpu.Write<uint16_t>(cpu.Linear(in), cpu.state.sse.fsw) ? cpu.Next(in) : Flow::kFault;
  }
}

Flow Fnclex(Cpu& cpu, const DecodedInsn& in) {
  if (!X87Available(cpu)) return Flow::kFault;
  cpu.state.sse.fsw &= static_cast<uint16_t>(
      ~(kFswExceptions | kFswStackFault | kFswSummary | kFswBusy));
  return cpu.Next(in);
}

template <Handler H>
bool BindNoOperands(const ZydisInsn&, DecodedInsn& out) {
  out.handler = H;
  return true;
}

template <Handler H>
bool BindWordInMemory(const ZydisInsn& z, DecodedInsn& out) {
  if (!IsMem(z.ops[0])) return false;
  out.handler = H;
  return BindMemory(z, z.ops[0], out);
}

bool BindFnstsw(const ZydisInsn& z, DecodedInsn& out) {
  if (IsReg(z.ops[0])) {
    out.handler = &Fnstsw<true>;
    return z.ops[0].reg.value == ZYDIS_REGISTER_AX;
  }
  out.handler = &Fnstsw<false>;
  return BindMemory(z, z.ops[0], out);
}

}  // namespace

void RegisterX87ControlOps(BinderTable& t) {
  t.Add(ZYDIS_MNEMONIC_FNINIT, BindNoOperands<&Fninit>);
  t.Add(ZYDIS_MNEMONIC_FWAIT, BindNoOperands<&Fwait>);
  t.Add(ZYDIS_MNEMONIC_FNCLEX, BindNoOperands<&Fnclex>);
  t.Add(ZYDIS_MNEMONIC_FLDCW, BindWordInMemory<&Fldcw>);
  t.Add(ZYDIS_MNEMONIC_FNSTCW, BindWordInMemory<&Fnstcw>);
  t.Add(ZYDIS_MNEMONIC_FNSTSW, BindFnstsw);
}

}  // namespace x64sim
