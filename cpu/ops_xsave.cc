// The XSAVE feature set (SDM vol. 1 ch. 13, vol. 2 XSAVE/XRSTOR/XSAVEOPT/
// XGETBV/XSETBV) for the state components x64sim has: x87 (bit 0), SSE
// (bit 1) and AVX (bit 2, the upper halves of the YMM registers); XCR0
// supports exactly those. Standard (non-compacted) format
// only: CPUID leaf 0xD advertises XSAVEOPT but not XSAVEC or XSAVES.
//
// XINUSE is taken as all ones: XSAVE and XSAVEOPT record every requested
// component as in use (XSTATE_BV[i] = 1), which the SDM allows (13.6); so
// XSAVEOPT saves what XSAVE saves.
#include "cpu/binder.h"
#include "cpu/cpu.h"
#include "cpu/cpuid.h"
#include "cpu/fx_area.h"

namespace x64sim {
namespace {

constexpr int kHeader = 512;  // XSTATE_BV, then XCOMP_BV, then 48 reserved bytes
// The AVX component's place in the standard format (CPUID leaf 0xD
// sub-leaf 2): bits 255:128 of YMM0-15, 16 bytes each.
constexpr int kYmmHi = kXsaveLegacyAndHeader;
constexpr int kAreaBytes = kXsaveLegacyAndHeader + kXsaveAvxBytes;

// #UD without CR4.OSXSAVE, #NM with CR0.TS (SDM vol. 2 XSAVE exceptions).
Flow Unavailable(Cpu& cpu) {
  if (!(cpu.state.cr4 & kCr4OSXSAVE)) return cpu.FaultNoCode(kInvalidOpcode);
  return cpu.FaultNoCode(kDeviceNotAvailable);
}

bool Available(const Cpu& cpu) { return (cpu.state.cr4 & kCr4OSXSAVE) && !(cpu.state.cr0 & kCr0TS); }

int XmmCount(const Cpu& cpu) { return cpu.state.mode == CpuMode::kLong64 ? 16 : 8; }

uint64_t RequestedFeatures(const Cpu& cpu) {
  const uint64_t edx_eax = (cpu.state.gpr[kRdx] << 32) | static_cast<uint32_t>(cpu.state.gpr[kRax]);
  return cpu.state.xcr0 & edx_eax;
}

// The area must be 64-byte aligned (#GP(0)).
bool AreaAt(Cpu& cpu, const DecodedInsn& in, uint64_t* linear) {
  *linear = cpu.Linear(in);
  if (*linear & 63) {
    cpu.Fault(kGeneralProtection, 0);
    return false;
  }
  return true;
}

// The bytes of the area the requested components occupy.
int AreaBytes(uint64_t rfbm) { return (rfbm & kXcr0Avx) ? kAreaBytes : kXsaveLegacyAndHeader; }

// XSAVE/XSAVEOPT m (SDM vol. 2 XSAVE): the requested components' parts of
// the legacy region (MXCSR with SSE), the AVX component, and their
// XSTATE_BV bits; nothing else of the header or area changes. Outside
// 64-bit mode only XMM0-7 and YMM0-7 are saved (SDM vol. 1 13.5.2, 13.5.3).
Flow Xsave(Cpu& cpu, const DecodedInsn& in) {
  if (!Available(cpu)) return Unavailable(cpu);
  uint64_t linear;
  if (!AreaAt(cpu, in, &linear)) return Flow::kFault;
  const uint64_t rfbm = RequestedFeatures(cpu);
  const int bytes = AreaBytes(rfbm);
  alignas(64) uint8_t area[kAreaBytes];
  // Read-modify-write keeps the bytes XSAVE leaves alone; it also proves the
  // whole area writable before any of it changes.
  if (!cpu.ReadBytes(linear, area, bytes)) return Flow::kFault;
  const SseState& s = cpu.state.sse;
  if (rfbm & kXcr0X87) StoreX87Part(s, area, in.aux);
  if (rfbm & kXcr0Sse) {
    StoreMxcsrPart(s, area);
    StoreXmmPart(s, area, XmmCount(cpu));
  }
  if (rfbm & kXcr0Avx) std::memcpy(area + kYmmHi, s.ymm_hi, 16 * XmmCount(cpu));
  uint64_t xstate_bv;
  std::memcpy(&xstate_bv, area + kHeader, 8);
  xstate_bv = (xstate_bv & ~rfbm) | rfbm;  // XINUSE = 1
  std::memcpy(area + kHeader, &xstate_bv, 8);
  for (int off = 0; off < bytes; off += 64) {
    if (!cpu.WriteBytes(linear + off, area + off, 64)) return Flow::kFault;
  }
  return cpu.Next(in);
}

// XRSTOR m (SDM vol. 2 XRSTOR, standard form): the requested components
// from the area where XSTATE_BV says they were saved, else their initial
// state; MXCSR with SSE. #GP(0) for a compacted-form header (XCOMP_BV bit
// 63), reserved header bytes set, XSTATE_BV bits XCR0 lacks, or reserved
// MXCSR bits; nothing changes then.
Flow Xrstor(Cpu& cpu, const DecodedInsn& in) {
  if (!Available(cpu)) return Unavailable(cpu);
  uint64_t linear;
  if (!AreaAt(cpu, in, &linear)) return Flow::kFault;
  const uint64_t rfbm = RequestedFeatures(cpu);
  alignas(64) uint8_t area[kAreaBytes];
  if (!cpu.ReadBytes(linear, area, AreaBytes(rfbm))) return Flow::kFault;
  uint64_t header[8];
  std::memcpy(header, area + kHeader, sizeof(header));
  const uint64_t xstate_bv = header[0];
  bool reserved_set = false;
  for (int i = 1; i < 8; ++i) reserved_set |= header[i] != 0;
  if (reserved_set || (xstate_bv & ~cpu.state.xcr0)) return cpu.Fault(kGeneralProtection, 0);
  if ((rfbm & kXcr0Sse) && (MxcsrIn(area) & ~kMxcsrMask)) return cpu.Fault(kGeneralProtection, 0);
  SseState& s = cpu.state.sse;
  if (rfbm & kXcr0X87) {
    if (xstate_bv & kXcr0X87) {
      LoadX87Part(s, area, in.aux);
    } else {
      // The initial configuration zeroes the data registers too (SDM vol. 1 13.6).
      InitX87(s);
      std::memset(s.st, 0, sizeof(s.st));
    }
  }
  if (rfbm & kXcr0Sse) {
    s.mxcsr = MxcsrIn(area);
    if (xstate_bv & kXcr0Sse) {
      LoadXmmPart(s, area, XmmCount(cpu));
    } else {
      std::memset(s.xmm, 0, 16 * XmmCount(cpu));
    }
  }
  if (rfbm & kXcr0Avx) {
    if (xstate_bv & kXcr0Avx) {
      std::memcpy(s.ymm_hi, area + kYmmHi, 16 * XmmCount(cpu));
    } else {
      std::memset(s.ymm_hi, 0, 16 * XmmCount(cpu));
    }
  }
  return cpu.Next(in);
}

// XGETBV: XCR0 for ECX = 0 (ECX = 1 is not advertised: #GP(0)), at any CPL.
Flow Xgetbv(Cpu& cpu, const DecodedInsn& in) {
  if (!(cpu.state.cr4 & kCr4OSXSAVE)) return cpu.FaultNoCode(kInvalidOpcode);
  if (static_cast<uint32_t>(cpu.state.gpr[kRcx]) != 0) return cpu.Fault(kGeneralProtection, 0);
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
  const bool restore = z.insn.mnemonic == ZYDIS_MNEMONIC_XRSTOR || z.insn.mnemonic == ZYDIS_MNEMONIC_XRSTOR64;
  out.handler = restore ? Xrstor : Xsave;
  // REX.W forms save and load 64-bit x87 pointers (cpu/fx_area.h).
  out.aux = z.insn.mnemonic == ZYDIS_MNEMONIC_XSAVE64 || z.insn.mnemonic == ZYDIS_MNEMONIC_XRSTOR64 ||
            z.insn.mnemonic == ZYDIS_MNEMONIC_XSAVEOPT64;
  return BindMemory(z, z.ops[0], out);
}

}  // namespace

void RegisterXsaveOps(BinderTable& t) {
  for (ZydisMnemonic m : {ZYDIS_MNEMONIC_XSAVE, ZYDIS_MNEMONIC_XSAVE64, ZYDIS_MNEMONIC_XSAVEOPT,
                          ZYDIS_MNEMONIC_XSAVEOPT64, ZYDIS_MNEMONIC_XGETBV}) {
    t.Add(m, BindXsave);
  }
  // They change state later instructions of a block may depend on.
  for (ZydisMnemonic m : {ZYDIS_MNEMONIC_XRSTOR, ZYDIS_MNEMONIC_XRSTOR64, ZYDIS_MNEMONIC_XSETBV}) {
    t.Add(m, BindXsave, /*ends_block=*/true);
  }
}

}  // namespace x64sim
