// The XSAVE feature set (SDM vol. 1 ch. 13, vol. 2 XSAVE/XSAVEOPT/XSAVEC/
// XSAVES/XRSTOR/XRSTORS/XGETBV/XSETBV) for the state components x64sim
// has: x87 (bit 0), SSE (bit 1) and AVX (bit 2, the upper halves of the
// YMM registers); XCR0 supports exactly those, IA32_XSS none (so XSAVES
// and XRSTORS manage what XSAVEC and XRSTOR do, at CPL 0 only). Both the
// standard and the compacted format (cpu/cpuid.h).
//
// XINUSE is taken as all ones: XSAVE, XSAVEOPT, XSAVEC and XSAVES record
// every requested component as in use (XSTATE_BV[i] = 1), and XGETBV with
// ECX = 1 returns XCR0, which the SDM allows (13.6); so XSAVEOPT saves what
// XSAVE saves and XSAVES what XSAVEC saves (the modified optimization only
// ever lets a processor skip writes).
#include "cpu/binder.h"
#include "cpu/cpu.h"
#include "cpu/cpuid.h"
#include "cpu/fx_area.h"

namespace x64sim {
namespace {

constexpr int kHeader = 512;  // XSTATE_BV, then XCOMP_BV, then 48 reserved bytes
constexpr uint64_t kCompacted = 1ull << 63;  // XCOMP_BV[63]
// The AVX component's place in the standard format (CPUID leaf 0xD
// sub-leaf 2): bits 255:128 of YMM0-15, 16 bytes each.
constexpr int kYmmHi = kXsaveLegacyAndHeader;
constexpr int kAreaBytes = kXsaveLegacyAndHeader + kXsaveAvxBytes;

// The forms, bound per mnemonic: where the extended region goes and whether
// the instruction is privileged (XSAVES, XRSTORS).
enum class Form { kStandard, kCompacted, kSupervisor };

// #UD without CR4.OSXSAVE, #NM with CR0.TS (SDM vol. 2 XSAVE exceptions).
Flow Unavailable(Cpu& cpu) {
  if (!(cpu.state.cr4 & kCr4OSXSAVE)) return cpu.FaultNoCode(kInvalidOpcode);
  return cpu.FaultNoCode(kDeviceNotAvailable);
}

bool Available(const Cpu& cpu) { return (cpu.state.cr4 & kCr4OSXSAVE) && !(cpu.state.cr0 & kCr0TS); }

int XmmCount(const Cpu& cpu) { return cpu.state.mode == CpuMode::kLong64 ? 16 : 8; }

// RFBM: XCR0 (| IA32_XSS, always 0) AND EDX:EAX.
uint64_t RequestedFeatures(const Cpu& cpu) {
  const uint64_t edx_eax = (cpu.state.gpr[kRdx] << 32) | static_cast<uint32_t>(cpu.state.gpr[kRax]);
  return cpu.state.xcr0 & edx_eax;
}

// #UD/#NM first (decode-time faults, SDM vol. 3A table 6-2), then #GP(0)
// for XSAVES/XRSTORS at CPL > 0 and for an area not 64-byte aligned.
bool AreaAt(Cpu& cpu, const DecodedInsn& in, Form form, uint64_t* linear) {
  if (!Available(cpu)) {
    Unavailable(cpu);
    return false;
  }
  *linear = cpu.Linear(in);
  if ((form == Form::kSupervisor && cpu.state.cpl != 0) || (*linear & 63)) {
    cpu.Fault(kGeneralProtection, 0);
    return false;
  }
  return true;
}

// Where the AVX component is: the standard offset, or its compacted one.
int YmmHiOffset(Form form, uint64_t xcomp_bv) {
  return form == Form::kStandard ? kYmmHi : static_cast<int>(CompactedOffset(xcomp_bv, 2));
}

// The bytes of the area the requested components occupy.
int AreaBytes(Form form, uint64_t rfbm) {
  if (form != Form::kStandard) return static_cast<int>(CompactedSize(rfbm));
  return (rfbm & kXcr0Avx) ? kAreaBytes : kXsaveLegacyAndHeader;
}

// XSAVE/XSAVEOPT/XSAVEC/XSAVES m (SDM vol. 2 pseudo-code): the requested
// components' parts of the legacy region (MXCSR with SSE, or, in the
// standard form, with AVX), the AVX
// component, and the header: the standard form sets their XSTATE_BV bits
// and leaves the rest of the header alone; the compacted forms write
// XSTATE_BV = RFBM and XCOMP_BV = RFBM | bit 63, and not bytes 63:16.
// Outside 64-bit mode only XMM0-7 and YMM0-7 are saved (SDM vol. 1 13.5.2,
// 13.5.3).
template <Form kForm>
Flow Xsave(Cpu& cpu, const DecodedInsn& in) {
  uint64_t linear;
  if (!AreaAt(cpu, in, kForm, &linear)) return Flow::kFault;
  const uint64_t rfbm = RequestedFeatures(cpu);
  const int bytes = AreaBytes(kForm, rfbm);
  alignas(64) uint8_t area[kAreaBytes];
  // Read-modify-write keeps the bytes XSAVE leaves alone; it also proves the
  // whole area writable before any of it changes.
  if (!cpu.ReadBytes(linear, area, bytes)) return Flow::kFault;
  const SseState& s = cpu.state.sse;
  if (rfbm & kXcr0X87) StoreX87Part(s, area, in.aux);
  // The compacted forms treat MXCSR as SSE state alone (as the host does).
  if (rfbm & (kForm == Form::kStandard ? kXcr0Sse | kXcr0Avx : kXcr0Sse)) StoreMxcsrPart(s, area);
  if (rfbm & kXcr0Sse) StoreXmmPart(s, area, XmmCount(cpu));
  if (rfbm & kXcr0Avx) std::memcpy(area + YmmHiOffset(kForm, rfbm), s.ymm_hi, 16 * XmmCount(cpu));
  uint64_t header[2];
  std::memcpy(header, area + kHeader, sizeof(header));
  if (kForm == Form::kStandard) {
    header[0] |= rfbm;  // XINUSE = 1
  } else {
    header[0] = rfbm;
    header[1] = rfbm | kCompacted;
  }
  std::memcpy(area + kHeader, header, sizeof(header));
  for (int off = 0; off < bytes; off += 64) {
    if (!cpu.WriteBytes(linear + off, area + off, 64)) return Flow::kFault;
  }
  return cpu.Next(in);
}

// The header checks of XRSTOR/XRSTORS (SDM vol. 2 XRSTOR, XRSTORS
// exceptions), all #GP(0): the standard form (XCOMP_BV[63] = 0; XRSTORS
// has none) needs bytes 23:8 zero and XSTATE_BV within XCR0; the compacted
// form needs XCOMP_BV within XCR0 (| IA32_XSS), XSTATE_BV within XCOMP_BV
// and bytes 63:16 zero.
bool HeaderValid(const Cpu& cpu, Form form, const uint64_t header[8]) {
  const uint64_t xstate_bv = header[0], xcomp_bv = header[1];
  if (!(xcomp_bv & kCompacted)) {
    return form != Form::kSupervisor && xcomp_bv == 0 && header[2] == 0 && !(xstate_bv & ~cpu.state.xcr0);
  }
  const uint64_t components = xcomp_bv & ~kCompacted;
  bool reserved_set = false;
  for (int i = 2; i < 8; ++i) reserved_set |= header[i] != 0;
  return !reserved_set && !(components & ~cpu.state.xcr0) && !(xstate_bv & ~components);
}

// XRSTOR/XRSTORS m (SDM vol. 1 13.8, 13.12): the requested components from
// the area where XSTATE_BV says they were saved, else their initial state.
// MXCSR: the standard form loads it with SSE or AVX requested; the
// compacted form with SSE requested and saved, else initialises it.
// Nothing changes when a check faults.
template <Form kForm>
Flow Xrstor(Cpu& cpu, const DecodedInsn& in) {
  uint64_t linear;
  if (!AreaAt(cpu, in, kForm, &linear)) return Flow::kFault;
  const uint64_t rfbm = RequestedFeatures(cpu);
  alignas(64) uint8_t area[kAreaBytes];
  uint64_t header[8];
  if (!cpu.ReadBytes(linear + kHeader, header, sizeof(header))) return Flow::kFault;
  if (!HeaderValid(cpu, kForm, header)) return cpu.Fault(kGeneralProtection, 0);
  const uint64_t xstate_bv = header[0];
  const Form layout = (header[1] & kCompacted) ? Form::kCompacted : Form::kStandard;
  const uint64_t loaded = rfbm & xstate_bv;
  // The area up to the last component read from it.
  const int bytes = (loaded & kXcr0Avx) ? YmmHiOffset(layout, header[1]) + static_cast<int>(kXsaveAvxBytes)
                                        : kXsaveLegacyAndHeader;
  if (!cpu.ReadBytes(linear, area, bytes)) return Flow::kFault;
  const bool mxcsr_loaded =
      layout == Form::kStandard ? (rfbm & (kXcr0Sse | kXcr0Avx)) != 0 : (loaded & kXcr0Sse) != 0;
  if (mxcsr_loaded && (MxcsrIn(area) & ~kMxcsrMask)) return cpu.Fault(kGeneralProtection, 0);
  SseState& s = cpu.state.sse;
  if (rfbm & kXcr0X87) {
    if (loaded & kXcr0X87) {
      LoadX87Part(s, area, in.aux);
    } else {
      // The initial configuration zeroes the data registers too (SDM vol. 1 13.6).
      InitX87(s);
      std::memset(s.st, 0, sizeof(s.st));
    }
  }
  if (mxcsr_loaded) {
    s.mxcsr = MxcsrIn(area);
  } else if (layout == Form::kCompacted && (rfbm & kXcr0Sse)) {
    s.mxcsr = 0x1f80;  // SSE requested but not saved: MXCSR's initial value
  }
  if (rfbm & kXcr0Sse) {
    if (loaded & kXcr0Sse) {
      LoadXmmPart(s, area, XmmCount(cpu));
    } else {
      std::memset(s.xmm, 0, 16 * XmmCount(cpu));
    }
  }
  if (rfbm & kXcr0Avx) {
    if (loaded & kXcr0Avx) {
      std::memcpy(s.ymm_hi, area + YmmHiOffset(layout, header[1]), 16 * XmmCount(cpu));
    } else {
      std::memset(s.ymm_hi, 0, 16 * XmmCount(cpu));
    }
  }
  return cpu.Next(in);
}

// XGETBV at any CPL: XCR0 for ECX = 0; for ECX = 1, XCR0 AND XINUSE, which
// is XCR0 as XINUSE is all ones; other ECX values are #GP(0).
Flow Xgetbv(Cpu& cpu, const DecodedInsn& in) {
  if (!(cpu.state.cr4 & kCr4OSXSAVE)) return cpu.FaultNoCode(kInvalidOpcode);
  if (static_cast<uint32_t>(cpu.state.gpr[kRcx]) > 1) return cpu.Fault(kGeneralProtection, 0);
  cpu.state.gpr[kRax] = static_cast<uint32_t>(cpu.state.xcr0);
  cpu.state.gpr[kRdx] = cpu.state.xcr0 >> 32;
  return cpu.Next(in);
}

// XSETBV: XCR0 from EDX:EAX at CPL 0; x87 must stay enabled, only the
// supported components may be, and AVX only with SSE (XCR0[2:1] = 10b is
// #GP, SDM vol. 2 XSETBV).
Flow Xsetbv(Cpu& cpu, const DecodedInsn& in) {
  if (!(cpu.state.cr4 & kCr4OSXSAVE)) return cpu.FaultNoCode(kInvalidOpcode);
  const uint64_t v = (cpu.state.gpr[kRdx] << 32) | static_cast<uint32_t>(cpu.state.gpr[kRax]);
  if (cpu.state.cpl != 0 || static_cast<uint32_t>(cpu.state.gpr[kRcx]) != 0 || !(v & kXcr0X87) ||
      (v & ~kXcr0Supported) || (v & (kXcr0Sse | kXcr0Avx)) == kXcr0Avx) {
    return cpu.Fault(kGeneralProtection, 0);
  }
  cpu.state.xcr0 = v;
  return cpu.Leave(in);
}

bool BindXsave(const ZydisInsn& z, DecodedInsn& out) {
  switch (z.insn.mnemonic) {
    case ZYDIS_MNEMONIC_XGETBV: out.handler = Xgetbv; return true;
    case ZYDIS_MNEMONIC_XSETBV: out.handler = Xsetbv; return true;
    default: break;
  }
  if (z.insn.operand_count_visible != 1 || !IsMem(z.ops[0])) return false;
  // The REX.W forms save and load 64-bit x87 pointers (cpu/fx_area.h).
  switch (z.insn.mnemonic) {
    case ZYDIS_MNEMONIC_XSAVE64:
    case ZYDIS_MNEMONIC_XSAVEOPT64:
    case ZYDIS_MNEMONIC_XSAVEC64:
    case ZYDIS_MNEMONIC_XSAVES64:
    case ZYDIS_MNEMONIC_XRSTOR64:
    case ZYDIS_MNEMONIC_XRSTORS64: out.aux = 1; break;
    default: out.aux = 0; break;
  }
  switch (z.insn.mnemonic) {
    case ZYDIS_MNEMONIC_XSAVE:
    case ZYDIS_MNEMONIC_XSAVE64:
    case ZYDIS_MNEMONIC_XSAVEOPT:
    case ZYDIS_MNEMONIC_XSAVEOPT64: out.handler = Xsave<Form::kStandard>; break;
    case ZYDIS_MNEMONIC_XSAVEC:
    case ZYDIS_MNEMONIC_XSAVEC64: out.handler = Xsave<Form::kCompacted>; break;
    case ZYDIS_MNEMONIC_XSAVES:
    case ZYDIS_MNEMONIC_XSAVES64: out.handler = Xsave<Form::kSupervisor>; break;
    case ZYDIS_MNEMONIC_XRSTOR:
    case ZYDIS_MNEMONIC_XRSTOR64: out.handler = Xrstor<Form::kStandard>; break;
    default: out.handler = Xrstor<Form::kSupervisor>; break;  // XRSTORS, XRSTORS64
  }
  return BindMemory(z, z.ops[0], out);
}

}  // namespace

void RegisterXsaveOps(BinderTable& t) {
  for (ZydisMnemonic m : {ZYDIS_MNEMONIC_XSAVE, ZYDIS_MNEMONIC_XSAVE64, ZYDIS_MNEMONIC_XSAVEOPT,
                          ZYDIS_MNEMONIC_XSAVEOPT64, ZYDIS_MNEMONIC_XSAVEC, ZYDIS_MNEMONIC_XSAVEC64,
                          ZYDIS_MNEMONIC_XSAVES, ZYDIS_MNEMONIC_XSAVES64, ZYDIS_MNEMONIC_XGETBV}) {
    t.Add(m, BindXsave);
  }
  // They change state later instructions of a block may depend on.
  for (ZydisMnemonic m : {ZYDIS_MNEMONIC_XRSTOR, ZYDIS_MNEMONIC_XRSTOR64, ZYDIS_MNEMONIC_XRSTORS,
                          ZYDIS_MNEMONIC_XRSTORS64, ZYDIS_MNEMONIC_XSETBV}) {
    t.Add(m, BindXsave, /*ends_block=*/true);
  }
}

}  // namespace x64sim
