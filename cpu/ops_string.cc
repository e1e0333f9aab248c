// String instructions: MOVS, STOS, LODS, CMPS, SCAS in every operand and
// address size, alone or with REP/REPE/REPNE (SDM vol. 2B "REP/REPE/REPZ/
// REPNE/REPNZ" and each instruction's page).
//
// Every repetition commits RSI/RDI/RCX before the next one starts, so a
// fault part-way leaves the registers naming the element that faulted and
// the instruction restarts where it stopped (SDM vol. 2B REP: "the
// instruction can be restarted"). REP MOVS/STOS forward runs that stay in
// fast-path pages are moved page-sized at a time through host pointers;
// the result is the same as element by element (see BulkForward).
#include <algorithm>
#include <cstring>

#include "cpu/binder.h"
#include "cpu/cpu.h"
#include "cpu/host_flags.h"

namespace x64sim {
namespace {

enum class StringOp : uint8_t { kMovs, kStos, kLods, kCmps, kScas };
enum class Repeat : uint8_t { kOnce, kRep, kRepe, kRepne };

// RSI, RDI and RCX as the address size sees them (A = uint16_t, uint32_t or
// uint64_t; SDM vol. 2B REP: the count register is CX, ECX or RCX).
template <typename A>
uint64_t AddrReg(const Cpu& cpu, Gpr r) {
  return static_cast<A>(cpu.state.gpr[r]);
}

// 32-bit writes zero the upper half (SDM vol. 1 3.4.1.1); 16-bit keep it.
template <typename A>
void SetAddrReg(Cpu& cpu, Gpr r, uint64_t v) {
  if constexpr (sizeof(A) == 2) {
    cpu.SetReg<uint16_t>(r * 8, static_cast<uint16_t>(v));
  } else {
    cpu.state.gpr[r] = static_cast<A>(v);
  }
}

// seg:reg as a linear address (the core gives ES/DS a base of 0 in 64-bit
// mode, SDM vol. 1 3.3.7); outside 64-bit mode linear addresses are 32-bit.
template <typename A>
uint64_t StringLinear(const Cpu& cpu, SegReg seg, Gpr r) {
  uint64_t linear = cpu.SegmentBase(seg) + AddrReg<A>(cpu, r);
  return cpu.state.mode == CpuMode::kLong64 ? linear : static_cast<uint32_t>(linear);
}

// CMPS/SCAS set the flags as CMP does (SDM vol. 2A CMPS: "sets the status
// flags according to the results" of SRC1 - SRC2).
template <typename T>
void CompareFlags(Cpu& cpu, T a, T b) {
  uint64_t host;
  HostSub<T>(a, b, &host);
  MergeFlags(cpu.state.rflags, host, kArithFlags, kArithFlags);
}

// One element; RSI/RDI advance by `delta` only if every access succeeded.
template <typename T, typename A, StringOp Op>
bool Step(Cpu& cpu, SegReg src_seg, int64_t delta) {
  T a, b;
  if constexpr (Op == StringOp::kMovs) {
    if (!cpu.Read<T>(StringLinear<A>(cpu, src_seg, kRsi), &a)) return false;
    if (!cpu.Write<T>(StringLinear<A>(cpu, kEs, kRdi), a)) return false;
  } else if constexpr (Op == StringOp::kStos) {
    if (!cpu.Write<T>(StringLinear<A>(cpu, kEs, kRdi), cpu.Reg<T>(kRax * 8))) return false;
  } else if constexpr (Op == StringOp::kLods) {
    if (!cpu.Read<T>(StringLinear<A>(cpu, src_seg, kRsi), &a)) return false;
    cpu.SetReg<T>(kRax * 8, a);
  } else if constexpr (Op == StringOp::kCmps) {
    if (!cpu.Read<T>(StringLinear<A>(cpu, src_seg, kRsi), &a)) return false;
    if (!cpu.Read<T>(StringLinear<A>(cpu, kEs, kRdi), &b)) return false;
    CompareFlags<T>(cpu, a, b);
  } else {
    if (!cpu.Read<T>(StringLinear<A>(cpu, kEs, kRdi), &b)) return false;
    CompareFlags<T>(cpu, cpu.Reg<T>(kRax * 8), b);
  }
  if constexpr (Op != StringOp::kStos && Op != StringOp::kScas) {
    SetAddrReg<A>(cpu, kRsi, AddrReg<A>(cpu, kRsi) + delta);
  }
  if constexpr (Op != StringOp::kLods) {
    SetAddrReg<A>(cpu, kRdi, AddrReg<A>(cpu, kRdi) + delta);
  }
  return true;
}

// Whole elements from `linear` to the end of its page, and (for 16/32-bit
// address sizes) before the register `reg` wraps around.
template <typename T, typename A>
uint64_t ElementsAhead(uint64_t linear, uint64_t reg) {
  uint64_t bytes = kPageSize - (linear & (kPageSize - 1));
  if constexpr (sizeof(A) < 8) {
    bytes = std::min<uint64_t>(bytes, (uint64_t{1} << (8 * sizeof(A))) - reg);
  }
  return bytes / sizeof(T);
}

// REP MOVS/STOS with DF=0: moves the elements that stay inside the current
// source and destination pages at once, if both pages are in the fast path.
// Returns how many elements it moved (0: take one slow step, which also
// fills the fast path for the next round).
template <typename T, typename A, StringOp Op>
uint64_t BulkForward(Cpu& cpu, SegReg src_seg, uint64_t count) {
  const uint64_t rdi = AddrReg<A>(cpu, kRdi);
  const uint64_t dst_linear = StringLinear<A>(cpu, kEs, kRdi);
  uint8_t* dst = cpu.FastWritePointer(dst_linear);
  if (dst == nullptr) return 0;
  uint64_t n = std::min(count, ElementsAhead<T, A>(dst_linear, rdi));
  const uint8_t* src = nullptr;
  uint64_t rsi = 0;
  if constexpr (Op == StringOp::kMovs) {
    rsi = AddrReg<A>(cpu, kRsi);
    const uint64_t src_linear = StringLinear<A>(cpu, src_seg, kRsi);
    src = cpu.FastReadPointer(src_linear);
    if (src == nullptr) return 0;
    n = std::min(n, ElementsAhead<T, A>(src_linear, rsi));
  }
  if (n == 0) return 0;  // the next element straddles a page or wraps
  const uint64_t bytes = n * sizeof(T);
  if constexpr (Op == StringOp::kMovs) {
    // A destination that starts inside the source run reads bytes this run
    // has already written: copy element by element, as the hardware does.
    // Comparing host pointers also catches two linear pages aliasing one
    // physical page.
    if (dst > src && dst < src + bytes) {
      for (uint64_t i = 0; i < bytes; i += sizeof(T)) std::memmove(dst + i, src + i, sizeof(T));
    } else {
      std::memmove(dst, src, bytes);
    }
    SetAddrReg<A>(cpu, kRsi, rsi + bytes);
  } else {
    const T value = cpu.Reg<T>(kRax * 8);
    if constexpr (sizeof(T) == 1) {
      std::memset(dst, value, bytes);
    } else {
      for (uint64_t i = 0; i < bytes; i += sizeof(T)) std::memcpy(dst + i, &value, sizeof(T));
    }
  }
  SetAddrReg<A>(cpu, kRdi, rdi + bytes);
  SetAddrReg<A>(cpu, kRcx, count - n);
  return n;
}

template <typename T, typename A, StringOp Op, Repeat R>
Flow StringInsn(Cpu& cpu, const DecodedInsn& in) {
  const SegReg src_seg = static_cast<SegReg>(in.seg);
  // SDM vol. 1 3.4.3.2: DF=1 walks down.
  const int64_t delta = (cpu.state.rflags & kDF) ? -static_cast<int64_t>(sizeof(T)) : sizeof(T);
  if constexpr (R == Repeat::kOnce) {
    return Step<T, A, Op>(cpu, src_seg, delta) ? Flow::kNext : Flow::kFault;
  } else {
    uint64_t count = AddrReg<A>(cpu, kRcx);
    while (count != 0) {
      if constexpr (Op == StringOp::kMovs || Op == StringOp::kStos) {
        if (delta > 0) {
          uint64_t moved = BulkForward<T, A, Op>(cpu, src_seg, count);
          if (moved != 0) {
            count -= moved;
            continue;
          }
        }
      }
      if (!Step<T, A, Op>(cpu, src_seg, delta)) return Flow::kFault;
      SetAddrReg<A>(cpu, kRcx, --count);
      // SDM vol. 2B REP: REPE stops when ZF=0, REPNE when ZF=1.
      if constexpr (R == Repeat::kRepe) {
        if (!(cpu.state.rflags & kZF)) break;
      } else if constexpr (R == Repeat::kRepne) {
        if (cpu.state.rflags & kZF) break;
      }
    }
    return Flow::kNext;
  }
}

template <typename T, typename A, StringOp Op>
Handler PickRepeat(uint8_t flags) {
  constexpr bool kCompares = Op == StringOp::kCmps || Op == StringOp::kScas;
  if constexpr (kCompares) {
    if (flags & kInsnRepne) return &StringInsn<T, A, Op, Repeat::kRepne>;
    if (flags & kInsnRep) return &StringInsn<T, A, Op, Repeat::kRepe>;
  } else {
    // F2 on MOVS/STOS/LODS repeats like F3 (the hardware ignores the ZF test).
    if (flags & (kInsnRep | kInsnRepne)) return &StringInsn<T, A, Op, Repeat::kRep>;
  }
  return &StringInsn<T, A, Op, Repeat::kOnce>;
}

template <typename T, StringOp Op>
Handler PickAddressSize(int address_width, uint8_t flags) {
  switch (address_width) {
    case 16: return PickRepeat<T, uint16_t, Op>(flags);
    case 32: return PickRepeat<T, uint32_t, Op>(flags);
    case 64: return PickRepeat<T, uint64_t, Op>(flags);
  }
  return nullptr;
}

template <StringOp Op>
bool BindString(const ZydisInsn& z, DecodedInsn& out) {
  // MOVSD/CMPSD with visible operands are the SSE2 scalar forms.
  if (z.insn.operand_count_visible != 0) return false;
  // The source is the memory operand based on RSI/ESI/SI; its segment may be
  // overridden. ES:RDI cannot be (SDM vol. 2B MOVS: "ES segment cannot be
  // overridden").
  out.seg = kDs;
  for (int i = 0; i < z.insn.operand_count; ++i) {
    const ZydisDecodedOperand& op = z.ops[i];
    if (IsMem(op) && GprIndex(op.mem.base) == kRsi) {
      int seg = SegIndex(op.mem.segment);
      if (seg >= 0) out.seg = static_cast<uint8_t>(seg);
    }
  }
  Handler h = nullptr;
  switch (z.insn.operand_width) {
    case 8: h = PickAddressSize<uint8_t, Op>(z.insn.address_width, out.flags); break;
    case 16: h = PickAddressSize<uint16_t, Op>(z.insn.address_width, out.flags); break;
    case 32: h = PickAddressSize<uint32_t, Op>(z.insn.address_width, out.flags); break;
    case 64: h = PickAddressSize<uint64_t, Op>(z.insn.address_width, out.flags); break;
  }
  out.handler = h;
  return h != nullptr;
}

}  // namespace

// MOVSD is also the SSE2 scalar move; ops_sse.cc binds that form and hands
// the string form (no visible operands) to this.
bool BindMovsString(const ZydisInsn& z, DecodedInsn& out) {
  return BindString<StringOp::kMovs>(z, out);
}

void RegisterStringOps(BinderTable& t) {
  for (ZydisMnemonic m : {ZYDIS_MNEMONIC_MOVSB, ZYDIS_MNEMONIC_MOVSW, ZYDIS_MNEMONIC_MOVSD,
                          ZYDIS_MNEMONIC_MOVSQ}) {
    t.Add(m, &BindString<StringOp::kMovs>);
  }
  for (ZydisMnemonic m : {ZYDIS_MNEMONIC_STOSB, ZYDIS_MNEMONIC_STOSW, ZYDIS_MNEMONIC_STOSD,
                          ZYDIS_MNEMONIC_STOSQ}) {
    t.Add(m, &BindString<StringOp::kStos>);
  }
  for (ZydisMnemonic m : {ZYDIS_MNEMONIC_LODSB, ZYDIS_MNEMONIC_LODSW, ZYDIS_MNEMONIC_LODSD,
                          ZYDIS_MNEMONIC_LODSQ}) {
    t.Add(m, &BindString<StringOp::kLods>);
  }
  for (ZydisMnemonic m : {ZYDIS_MNEMONIC_CMPSB, ZYDIS_MNEMONIC_CMPSW, ZYDIS_MNEMONIC_CMPSD,
                          ZYDIS_MNEMONIC_CMPSQ}) {
    t.Add(m, &BindString<StringOp::kCmps>);
  }
  for (ZydisMnemonic m : {ZYDIS_MNEMONIC_SCASB, ZYDIS_MNEMONIC_SCASW, ZYDIS_MNEMONIC_SCASD,
                          ZYDIS_MNEMONIC_SCASQ}) {
    t.Add(m, &BindString<StringOp::kScas>);
  }
}

}  // namespace x64sim
