// SSE4.2: PCMPGTQ, CRC32 and the string compares PCMPESTRI, PCMPESTRM,
// PCMPISTRI, PCMPISTRM (with AVX's VEX.128 forms), written from their SDM
// vol. 2 pages (the string compares from vol. 2B 4.1, "Imm8 control byte operation for PCMPESTRI /
// PCMPESTRM / PCMPISTRI / PCMPISTRM").
#include <emmintrin.h>

#include <bit>
#include <cstdint>

#include "cpu/binder.h"
#include "cpu/cpu.h"
#include "cpu/sse_access.h"
#include "cpu/sse_packed.h"
#include "cpu/vex.h"

namespace x64sim {
namespace {

__m128i CompareGreaterQ(__m128i dst, __m128i src, uint8_t) {
  Lanes<int64_t> d(dst), s(src), r;
  for (int i = 0; i < 2; ++i) r.v[i] = d.v[i] > s.v[i] ? -1 : 0;
  return r.Pack();
}

// ---- CRC32 -----------------------------------------------------------------

// CRC-32C (polynomial 11EDC6F41h) on the bit-reflected value, as the SDM's
// CRC32 operation defines it: the source's bytes in order, least
// significant bit first. 82F63B78h is the reflected polynomial.
template <typename T>
uint32_t Crc32c(uint32_t crc, T data) {
  for (unsigned byte = 0; byte < sizeof(T); ++byte) {
    crc ^= static_cast<uint8_t>(static_cast<uint64_t>(data) >> (8 * byte));
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ (0x82f63b78u & (0u - (crc & 1)));
  }
  return crc;
}

// CRC32 r32/r64, r/m8/16/32/64: a general-register instruction (no CR0/CR4
// SSE checks). The running CRC is the destination's low 32 bits; the result
// is written as a 32-bit value, so a 64-bit destination's upper half is 0.
template <typename T, bool kMem>
Flow Crc32(Cpu& cpu, const DecodedInsn& in) {
  T data;
  if constexpr (kMem) {
    if (!cpu.Read<T>(cpu.Linear(in), &data)) return Flow::kFault;
  } else {
    data = cpu.Reg<T>(in.reg2);
  }
  cpu.SetReg<uint32_t>(in.reg, Crc32c(cpu.Reg<uint32_t>(in.reg), data));
  return cpu.Next(in);
}

template <typename T>
Handler Crc32Handler(bool mem) {
  return mem ? &Crc32<T, true> : &Crc32<T, false>;
}

bool BindCrc32(const ZydisInsn& z, DecodedInsn& out) {
  if (z.insn.operand_count_visible != 2 || !IsReg(z.ops[0])) return false;
  const int dst = GprOffset(z.ops[0].reg.value);
  if (dst < 0) return false;
  out.reg = static_cast<uint8_t>(dst);
  const ZydisDecodedOperand& src = z.ops[1];
  const bool mem = IsMem(src);
  if (mem) {
    if (!BindMemory(z, src, out)) return false;
  } else {
    const int s = IsReg(src) ? GprOffset(src.reg.value) : -1;
    if (s < 0) return false;
    out.reg2 = static_cast<uint8_t>(s);
  }
  switch (src.size) {
    case 8: out.handler = Crc32Handler<uint8_t>(mem); return true;
    case 16: out.handler = Crc32Handler<uint16_t>(mem); return true;
    case 32: out.handler = Crc32Handler<uint32_t>(mem); return true;
    case 64: out.handler = Crc32Handler<uint64_t>(mem); return true;
  }
  return false;
}

// ---- PCMPxSTRx ---------------------------------------------------------------

// One operand's elements by imm8[1:0] (unsigned bytes, unsigned words,
// signed bytes, signed words), as ints.
struct Elements {
  int v[16];
};

Elements Unpack(__m128i x, uint8_t imm) {
  Elements e;
  const bool words = imm & 1, is_signed = imm & 2;
  Lanes<uint8_t> ub(x);
  Lanes<int8_t> sb(x);
  Lanes<uint16_t> uw(x);
  Lanes<int16_t> sw(x);
  for (int i = 0; i < (words ? 8 : 16); ++i) {
    e.v[i] = words ? (is_signed ? sw.v[i] : uw.v[i]) : (is_signed ? sb.v[i] : ub.v[i]);
  }
  return e;
}

// Implicit length: the elements before the first zero one.
int ImplicitLength(const Elements& e, int n) {
  int len = 0;
  while (len < n && e.v[len] != 0) ++len;
  return len;
}

// Explicit length: |RAX| or |EAX| (|RDX|, |EDX|), saturated to n.
int ExplicitLength(int64_t reg, int n) {
  const uint64_t magnitude = reg < 0 ? 0 - static_cast<uint64_t>(reg) : static_cast<uint64_t>(reg);
  return magnitude > static_cast<uint64_t>(n) ? n : static_cast<int>(magnitude);
}

// IntRes1, by the aggregation imm8[3:2], with the SDM's overrides for
// invalid elements (table 4-7): a is the first operand (la valid elements),
// b the second (lb valid); bit j of the result belongs to element j of b.
uint32_t Aggregate(const Elements& a, int la, const Elements& b, int lb, int n, int how) {
  uint32_t result = 0;
  for (int j = 0; j < n; ++j) {
    bool bit = false;
    switch (how) {
      case 0:  // equal any: b[j] is one of a's valid elements
        for (int i = 0; j < lb && i < la; ++i) bit |= a.v[i] == b.v[j];
        break;
      case 1:  // ranges: a[i] <= b[j] <= a[i+1] for an even i with both valid
        for (int i = 0; j < lb && i + 1 < la; i += 2) {
          bit |= a.v[i] <= b.v[j] && b.v[j] <= a.v[i + 1];
        }
        break;
      case 2:  // equal each: both invalid is true, one invalid false
        bit = (j < la && j < lb) ? a.v[j] == b.v[j] : (j >= la && j >= lb);
        break;
      default:  // equal ordered: a occurs in b at j; an invalid a[k] matches anything
        bit = true;
        for (int k = 0; k < n - j && k < la; ++k) bit &= j + k < lb && a.v[k] == b.v[j + k];
        break;
    }
    result |= static_cast<uint32_t>(bit) << j;
  }
  return result;
}

// What the four instructions share: IntRes2 after the polarity imm8[5:4]
// (negated; or negated only over b's valid elements), and the flags: CF =
// IntRes2 != 0, ZF = b is shorter than n, SF = a is, OF = IntRes2[0]; AF
// and PF cleared.
struct StringCompare {
  uint32_t result;
  int n;
  uint64_t flags;
};

StringCompare CompareStrings(__m128i first, __m128i second, uint8_t imm, int la, int lb) {
  const int n = (imm & 1) ? 8 : 16;
  const Elements a = Unpack(first, imm), b = Unpack(second, imm);
  if (la < 0) la = ImplicitLength(a, n);
  if (lb < 0) lb = ImplicitLength(b, n);
  uint32_t r = Aggregate(a, la, b, lb, n, (imm >> 2) & 3);
  switch ((imm >> 4) & 3) {
    case 1: r ^= (1u << n) - 1; break;
    case 3: r ^= (1u << lb) - 1; break;
  }
  const uint64_t flags =
      (r ? kCF : 0) | (lb < n ? kZF : 0) | (la < n ? kSF : 0) | ((r & 1) ? kOF : 0);
  return {r, n, flags};
}

// Bit i of `bits` as lane i, all ones or all zeros.
template <typename Lane>
__m128i Expand(uint32_t bits) {
  Lanes<Lane> r;
  for (int i = 0; i < r.kCount; ++i) r.v[i] = (bits >> i) & 1 ? static_cast<Lane>(~Lane{0}) : 0;
  return r.Pack();
}

// kExplicit: lengths from RAX/RDX (64-bit with REX.W or VEX.W, else
// EAX/EDX); else from the NUL elements. kMask: the result to XMM0 (bits,
// or with imm8[6] whole elements; the VEX form zeroes bits 255:128); else
// its lowest (imm8[6]: highest) set bit's index to ECX, n if none. The
// memory operand needs no alignment (SDM vol. 2B PCMPESTRI: exception type
// 4, "alignment not required").
template <bool kVex, bool kExplicit, bool kWide, bool kMask, bool kMem>
Flow StringCompareOp(Cpu& cpu, const DecodedInsn& in) {
  if constexpr (kVex) {
    if (!VexEnabled(cpu)) [[unlikely]] return VexUnavailable(cpu);
  } else {
    if (!SseEnabled(cpu)) [[unlikely]] return SseUnavailable(cpu);
  }
  __m128i second;
  if constexpr (kMem) {
    if (!cpu.ReadBytes(cpu.Linear(in), &second, 16)) return Flow::kFault;
  } else {
    second = LoadXmm(cpu, in.reg2);
  }
  const uint8_t imm = static_cast<uint8_t>(in.imm);
  int la = -1, lb = -1;
  if constexpr (kExplicit) {
    const int n = (imm & 1) ? 8 : 16;
    const uint64_t* g = cpu.state.gpr;
    la = ExplicitLength(kWide ? static_cast<int64_t>(g[kRax]) : static_cast<int32_t>(g[kRax]), n);
    lb = ExplicitLength(kWide ? static_cast<int64_t>(g[kRdx]) : static_cast<int32_t>(g[kRdx]), n);
  }
  const StringCompare c = CompareStrings(LoadXmm(cpu, in.reg), second, imm, la, lb);
  if constexpr (kMask) {
    const __m128i mask = (imm & 0x40)
                             ? (c.n == 8 ? Expand<uint16_t>(c.result) : Expand<uint8_t>(c.result))
                             : _mm_cvtsi32_si128(static_cast<int>(c.result));
    if constexpr (kVex) {
      StoreXmmZeroUpper(cpu, 0, mask);
    } else {
      StoreXmm(cpu, 0, mask);
    }
  } else {
    const int index = c.result == 0  ? c.n
                      : (imm & 0x40) ? 31 - std::countl_zero(c.result)
                                     : std::countr_zero(c.result);
    cpu.SetReg<uint32_t>(8 * kRcx, static_cast<uint32_t>(index));
  }
  cpu.state.rflags = (cpu.state.rflags & ~kArithFlags) | c.flags;
  return cpu.Next(in);
}

// kVex: VPCMPxSTRx, VEX.128 only (VEX.L = 1 is #UD).
template <bool kVex, bool kExplicit, bool kMask>
bool BindStringCompare(const ZydisInsn& z, DecodedInsn& out) {
  if (z.insn.operand_count_visible != 3 || !IsImm(z.ops[2]) || !BindXmm(z.ops[0], &out.reg) ||
      (kVex && VexLanes(z) != 1)) {
    return false;
  }
  out.imm = z.ops[2].imm.value.u;
  const bool wide = kExplicit && (kVex ? z.insn.raw.vex.W : z.insn.raw.rex.W);
  const bool mem = IsMem(z.ops[1]);
  if (mem ? !BindMemory(z, z.ops[1], out) : !BindXmm(z.ops[1], &out.reg2)) return false;
  out.handler = wide ? (mem ? &StringCompareOp<kVex, kExplicit, true, kMask, true>
                            : &StringCompareOp<kVex, kExplicit, true, kMask, false>)
                     : (mem ? &StringCompareOp<kVex, kExplicit, false, kMask, true>
                            : &StringCompareOp<kVex, kExplicit, false, kMask, false>);
  return true;
}

}  // namespace

void RegisterSse42Ops(BinderTable& t) {
  t.Add(ZYDIS_MNEMONIC_PCMPGTQ, &BindPacked<&CompareGreaterQ>);
  t.Add(ZYDIS_MNEMONIC_VPCMPGTQ, &BindVexPacked<&CompareGreaterQ>);  // cpu/vex.h
  t.Add(ZYDIS_MNEMONIC_CRC32, &BindCrc32);
  t.Add(ZYDIS_MNEMONIC_PCMPESTRI, &BindStringCompare<false, true, false>);
  t.Add(ZYDIS_MNEMONIC_PCMPESTRM, &BindStringCompare<false, true, true>);
  t.Add(ZYDIS_MNEMONIC_PCMPISTRI, &BindStringCompare<false, false, false>);
  t.Add(ZYDIS_MNEMONIC_PCMPISTRM, &BindStringCompare<false, false, true>);
  t.Add(ZYDIS_MNEMONIC_VPCMPESTRI, &BindStringCompare<true, true, false>);
  t.Add(ZYDIS_MNEMONIC_VPCMPESTRM, &BindStringCompare<true, true, true>);
  t.Add(ZYDIS_MNEMONIC_VPCMPISTRI, &BindStringCompare<true, false, false>);
  t.Add(ZYDIS_MNEMONIC_VPCMPISTRM, &BindStringCompare<true, false, true>);
}

}  // namespace x64sim
