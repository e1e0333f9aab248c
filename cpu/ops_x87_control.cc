// The x87 FPU's control instructions (SDM vol. 1 ch. 8, vol. 2): FNINIT,
// FWAIT, FLDCW, FNSTCW, FNSTSW and FNCLEX.
#include "cpu/fx_area.h"
#include "cpu/operand_forms.h"
#include "cpu/x87.h"

namespace x64sim {

namespace {

constexpr uint16_t kFcwWritable = 0x1f3f;   // bits 6 and 13-15 are reserved
constexpr uint16_t kFcwAlwaysOne = 0x0040;  // reads as 1 (SDM vol. 1 8.1.5; checked on the host)

Flow Fninit(Cpu& cpu, const DecodedInsn& in) {
  if (!X87Available(cpu)) return Flow::kFault;
  InitX87(cpu.state.sse);
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

// FLDCW waits: a pending unmasked exception is #MF first (it has no
// no-wait form; SDM vol. 1 8.3.11).
Flow Fldcw(Cpu& cpu, const DecodedInsn& in) {
  if (!X87Available(cpu)) return Flow::kFault;
  if (cpu.state.sse.fsw & kFswSummary) return cpu.FaultNoCode(kFpuError);
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
