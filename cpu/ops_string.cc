// String instructions: MOVS, STOS, LODS, CMPS, SCAS, INS and OUTS in every
// operand and address size, alone or with REP/REPE/REPNE (SDM vol. 2B
// "REP/REPE/REPZ/REPNE/REPNZ" and each instruction's page).
//
// Every repetition commits RSI/RDI/RCX before the next one starts, so a
// fault part-way leaves the registers naming the element that faulted and
// the instruction restarts where it stopped (SDM vol. 2B REP: "the
// instruction can be restarted"). Repeated MOVS/STOS/CMPS/SCAS work on
// page-sized runs through host pointers; the result is the same as element
// by element (see BulkMove and BulkCompare).
#include <algorithm>
#include <cstring>

#include "cpu/binder.h"
#include "cpu/cpu.h"
#include "cpu/host_flags.h"
#include "cpu/io_permission.h"
#include "mmu/ram_store.h"

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

// seg:reg as the accessors take it: StringLinear, or the tagged address of
// a segment whose limit and type they check (cpu/segment_access.h).
template <typename A>
uint64_t StringAddress(const Cpu& cpu, SegReg seg, Gpr r) {
  const uint64_t address = cpu.AccessBase(seg) + AddrReg<A>(cpu, r);
  if (cpu.state.mode == CpuMode::kLong64 || IsSegmented(address)) return address;
  return static_cast<uint32_t>(address);
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
    if (!cpu.Read<T>(StringAddress<A>(cpu, src_seg, kRsi), &a)) return false;
    if (!cpu.Write<T>(StringAddress<A>(cpu, kEs, kRdi), a)) return false;
  } else if constexpr (Op == StringOp::kStos) {
    if (!cpu.Write<T>(StringAddress<A>(cpu, kEs, kRdi), cpu.Reg<T>(kRax * 8))) return false;
  } else if constexpr (Op == StringOp::kLods) {
    if (!cpu.Read<T>(StringAddress<A>(cpu, src_seg, kRsi), &a)) return false;
    cpu.SetReg<T>(kRax * 8, a);
  } else if constexpr (Op == StringOp::kCmps) {
    if (!cpu.Read<T>(StringAddress<A>(cpu, src_seg, kRsi), &a)) return false;
    if (!cpu.Read<T>(StringAddress<A>(cpu, kEs, kRdi), &b)) return false;
    CompareFlags<T>(cpu, a, b);
  } else {
    if (!cpu.Read<T>(StringAddress<A>(cpu, kEs, kRdi), &b)) return false;
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

// How many whole elements, from the one at `linear` in the direction of DF,
// stay inside its page and do not wrap a 16/32-bit address register `reg`.
template <typename T, typename A, bool kDown>
uint64_t ElementsInPage(uint64_t linear, uint64_t reg) {
  const uint64_t offset = linear & (kPageSize - 1);
  if (offset + sizeof(T) > kPageSize) return 0;  // the element straddles two pages
  uint64_t n = kDown ? offset / sizeof(T) + 1 : (kPageSize - offset) / sizeof(T);
  if constexpr (sizeof(A) < 8) {
    const uint64_t wrap = uint64_t{1} << (8 * sizeof(A));
    n = std::min(n, kDown ? reg / sizeof(T) + 1 : (wrap - reg) / sizeof(T));
  }
  return n;
}

// Elements [start, n) of a run whose element 0 is at host address `p`:
// their lowest address (the run grows down when DF=1).
template <typename T, bool kDown>
uint8_t* RunLow(uint8_t* p, uint64_t start, uint64_t n) {
  return kDown ? p - (n - 1) * sizeof(T) : p + start * sizeof(T);
}

// Copies elements [start, n) as MOVS does. When the destination run begins
// inside the source run on the side the copy comes from, later elements
// read bytes earlier ones wrote, so the order matters; otherwise the run is
// one memmove.
template <typename T, bool kDown>
void CopyRun(uint8_t* dst, uint8_t* src, uint64_t start, uint64_t n) {
  const uint64_t bytes = (n - start) * sizeof(T);
  uint8_t* d = RunLow<T, kDown>(dst, start, n);
  uint8_t* s = RunLow<T, kDown>(src, start, n);
  const bool chained = kDown ? (d < s && s < d + bytes) : (s < d && d < s + bytes);
  if (!chained) {
    std::memmove(d, s, bytes);
    return;
  }
  constexpr int64_t kStep = kDown ? -static_cast<int64_t>(sizeof(T)) : sizeof(T);
  for (uint64_t i = start; i < n; ++i) {
    std::memmove(dst + static_cast<int64_t>(i) * kStep, src + static_cast<int64_t>(i) * kStep,
                 sizeof(T));
  }
}

template <typename T, bool kDown>
void FillRun(uint8_t* dst, T value, uint64_t start, uint64_t n) {
  uint8_t* d = RunLow<T, kDown>(dst, start, n);
  if (value == 0) {
    StoreZeros(d, (n - start) * sizeof(T));
  } else if constexpr (sizeof(T) == 1) {
    std::memset(d, value, n - start);
  } else {
    for (uint64_t i = 0; i < n - start; ++i) std::memcpy(d + i * sizeof(T), &value, sizeof(T));
  }
}

struct BulkResult {
  uint64_t done = 0;     // elements done and committed (RSI/RDI/RCX updated)
  bool fault = false;    // an exception is pending; nothing was committed
  bool stopped = false;  // REPE/REPNE ended on its flag condition
};

template <typename A>
void Advance(Cpu& cpu, Gpr r, int64_t bytes) {
  SetAddrReg<A>(cpu, r, AddrReg<A>(cpu, r) + bytes);
}

// REP MOVS/STOS: the elements that stay inside the current source and
// destination pages, at once. A page not yet in the fast path is brought in
// by doing the first element through Read/Write; host pointers stay valid
// for the rest of the instruction even when the two pages evict each other
// from the direct-mapped fast path. Without a pointer (MMIO, pages holding
// code) one element is done per call.
template <typename T, typename A, StringOp Op, bool kDown>
BulkResult BulkMove(Cpu& cpu, SegReg src_seg, uint64_t count) {
  const uint64_t dst_linear = StringAddress<A>(cpu, kEs, kRdi);
  uint64_t n = std::min(count, ElementsInPage<T, A, kDown>(dst_linear, AddrReg<A>(cpu, kRdi)));
  uint64_t src_linear = 0;
  if constexpr (Op == StringOp::kMovs) {
    src_linear = StringAddress<A>(cpu, src_seg, kRsi);
    n = std::min(n, ElementsInPage<T, A, kDown>(src_linear, AddrReg<A>(cpu, kRsi)));
  }
  if (n == 0) return {};

  T first;
  uint8_t* src = nullptr;
  if constexpr (Op == StringOp::kMovs) {
    src = cpu.FastReadPointer(src_linear);
    if (src != nullptr) {
      std::memcpy(&first, src, sizeof(T));
    } else {
      if (!cpu.Read<T>(src_linear, &first)) return {0, true};
      src = cpu.FastReadPointer(src_linear);
      if (src == nullptr) n = 1;
    }
  } else {
    first = cpu.Reg<T>(kRax * 8);
  }
  uint8_t* dst = cpu.FastWritePointer(dst_linear);
  uint64_t start = 0;  // elements already stored through Write
  if (dst == nullptr) {
    if (!cpu.Write<T>(dst_linear, first)) return {0, true};
    start = 1;
    dst = cpu.FastWritePointer(dst_linear);
    if (dst == nullptr) n = 1;
  }
  if (start < n) {
    if (Op == StringOp::kMovs && src != nullptr) {
      CopyRun<T, kDown>(dst, src, start, n);
    } else {
      FillRun<T, kDown>(dst, first, start, n);  // STOS, or one MOVS element read from MMIO
    }
  }
  const int64_t bytes = static_cast<int64_t>(n * sizeof(T)) * (kDown ? -1 : 1);
  if constexpr (Op == StringOp::kMovs) Advance<A>(cpu, kRsi, bytes);
  Advance<A>(cpu, kRdi, bytes);
  SetAddrReg<A>(cpu, kRcx, count - n);
  return {n, false, false};
}

// Reads the element at `linear` and gives a host pointer to it for the rest
// of the run, bringing its page into the fast path with that read if
// needed; the pointer is nullptr (no fault) where each element must go
// through Read: MMIO, or while alignment checking is on.
template <typename T>
bool ReadFirst(Cpu& cpu, uint64_t linear, T* value, const uint8_t** p) {
  *p = cpu.FastReadPointer(linear);
  if (*p != nullptr) {
    std::memcpy(value, *p, sizeof(T));
    return true;
  }
  if (!cpu.Read<T>(linear, value)) return false;
  *p = cpu.FastReadPointer(linear);
  return true;
}

// REPE/REPNE CMPS/SCAS: compares along the run inside the current pages up
// to the element that ends the repetition, then sets the flags from that
// last comparison, as the element-by-element loop would leave them. Each
// element is read once, in the loop's order (source, then destination).
template <typename T, typename A, StringOp Op, Repeat R, bool kDown>
BulkResult BulkCompare(Cpu& cpu, SegReg src_seg, uint64_t count) {
  const uint64_t dst_linear = StringAddress<A>(cpu, kEs, kRdi);
  uint64_t n = std::min(count, ElementsInPage<T, A, kDown>(dst_linear, AddrReg<A>(cpu, kRdi)));
  uint64_t src_linear = 0;
  if constexpr (Op == StringOp::kCmps) {
    src_linear = StringAddress<A>(cpu, src_seg, kRsi);
    n = std::min(n, ElementsInPage<T, A, kDown>(src_linear, AddrReg<A>(cpu, kRsi)));
  }
  if (n == 0) return {};
  const uint8_t* a = nullptr;
  const uint8_t* b = nullptr;
  T x = cpu.Reg<T>(kRax * 8);  // SCAS compares the accumulator
  T y;
  if constexpr (Op == StringOp::kCmps) {
    if (!ReadFirst<T>(cpu, src_linear, &x, &a)) return {0, true};
  }
  if (!ReadFirst<T>(cpu, dst_linear, &y, &b)) return {0, true};
  if (b == nullptr || (Op == StringOp::kCmps && a == nullptr)) n = 1;

  constexpr int64_t kStep = kDown ? -static_cast<int64_t>(sizeof(T)) : sizeof(T);
  const auto ends = [](T u, T v) { return R == Repeat::kRepe ? u != v : u == v; };
  uint64_t k = 1;
  bool stopped = ends(x, y);
  while (!stopped && k < n) {
    if constexpr (Op == StringOp::kCmps) {
      std::memcpy(&x, a + static_cast<int64_t>(k) * kStep, sizeof(T));
    }
    std::memcpy(&y, b + static_cast<int64_t>(k) * kStep, sizeof(T));
    ++k;
    stopped = ends(x, y);
  }
  CompareFlags<T>(cpu, x, y);
  const int64_t bytes = static_cast<int64_t>(k) * kStep;
  if constexpr (Op == StringOp::kCmps) Advance<A>(cpu, kRsi, bytes);
  Advance<A>(cpu, kRdi, bytes);
  SetAddrReg<A>(cpu, kRcx, count - k);
  return {k, false, stopped};
}

template <typename T, typename A, StringOp Op, Repeat R, bool kDown>
BulkResult Bulk(Cpu& cpu, SegReg src_seg, uint64_t count) {
  if constexpr (Op == StringOp::kMovs || Op == StringOp::kStos) {
    return BulkMove<T, A, Op, kDown>(cpu, src_seg, count);
  } else if constexpr (Op == StringOp::kCmps || Op == StringOp::kScas) {
    return BulkCompare<T, A, Op, R, kDown>(cpu, src_seg, count);
  } else {
    return {};  // REP LODS: element by element
  }
}

// Hands a REP run to the timing model as one piece of work, however the
// instruction ends: the elements it did, from where its runs started.
template <typename T, typename A, StringOp Op>
class RepRun {
 public:
  RepRun(Cpu& cpu, SegReg src_seg)
      : cpu_(cpu),
        count_(AddrReg<A>(cpu, kRcx)),
        first_(Op == StringOp::kLods ? StringLinear<A>(cpu, src_seg, kRsi)
                                     : StringLinear<A>(cpu, kEs, kRdi)),
        second_(Op == StringOp::kMovs || Op == StringOp::kCmps
                    ? StringLinear<A>(cpu, src_seg, kRsi) : kNoSource),
        log_end_(cpu.PauseMemLog()) {}
  ~RepRun() {
    cpu_.ResumeMemLog(log_end_, count_ - AddrReg<A>(cpu_, kRcx), sizeof(T), first_, second_);
  }
  RepRun(const RepRun&) = delete;
  RepRun& operator=(const RepRun&) = delete;

 private:
  Cpu& cpu_;
  uint64_t count_;
  uint64_t first_;
  uint64_t second_;
  MemAccess* log_end_;
};

enum class RepEnd : uint8_t { kDone, kFault, kSliceUsed };

// The repetitions of a REP string instruction, up to one slice of
// Cpu::rep_slice() elements, after which the run loop looks at interrupts,
// stop requests and the limit (SDM vol. 2B REP: the processor may take an
// interrupt between iterations and resume from RCX/RSI/RDI). The default
// 65536 is a few microseconds of host time on RAM; element by element
// (unbacked memory, MMIO) a few hundred.
template <typename T, typename A, StringOp Op, Repeat R>
RepEnd RunRepeated(Cpu& cpu, SegReg src_seg, bool down, int64_t delta) {
  RepRun<T, A, Op> run(cpu, src_seg);
  uint64_t count = AddrReg<A>(cpu, kRcx);
  uint64_t slice_left = cpu.rep_slice();
  while (count != 0) {
    if (slice_left == 0) return RepEnd::kSliceUsed;
    BulkResult r = down ? Bulk<T, A, Op, R, true>(cpu, src_seg, std::min(count, slice_left))
                        : Bulk<T, A, Op, R, false>(cpu, src_seg, std::min(count, slice_left));
    if (r.fault) return RepEnd::kFault;
    if (r.done != 0) {
      // Bulk set RCX to what it was given less what it did.
      SetAddrReg<A>(cpu, kRcx, count - r.done);
      count -= r.done;
      slice_left -= r.done;
      if (r.stopped) break;
      continue;
    }
    if (!Step<T, A, Op>(cpu, src_seg, delta)) return RepEnd::kFault;
    SetAddrReg<A>(cpu, kRcx, --count);
    --slice_left;
    // SDM vol. 2B REP: REPE stops when ZF=0, REPNE when ZF=1.
    if constexpr (R == Repeat::kRepe) {
      if (!(cpu.state.rflags & kZF)) break;
    } else if constexpr (R == Repeat::kRepne) {
      if (cpu.state.rflags & kZF) break;
    }
  }
  return RepEnd::kDone;
}

template <typename T, typename A, StringOp Op, Repeat R>
Flow StringInsn(Cpu& cpu, const DecodedInsn& in) {
  const SegReg src_seg = static_cast<SegReg>(in.seg);
  // SDM vol. 1 3.4.3.2: DF=1 walks down.
  const bool down = cpu.state.rflags & kDF;
  const int64_t delta = down ? -static_cast<int64_t>(sizeof(T)) : sizeof(T);
  if constexpr (R == Repeat::kOnce) {
    return Step<T, A, Op>(cpu, src_seg, delta) ? cpu.Next(in) : Flow::kFault;
  } else {
    switch (RunRepeated<T, A, Op, R>(cpu, src_seg, down, delta)) {
      case RepEnd::kDone: return cpu.Next(in);
      case RepEnd::kFault: return Flow::kFault;
      case RepEnd::kSliceUsed: return cpu.Yield();
    }
    return Flow::kFault;
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
  out.flags |= kInsnString;
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

// ---- INS and OUTS: string port I/O ------------------------------------------
//
// INS stores what port DX gives at ES:rDI; OUTS sends seg:rSI to port DX
// (SDM vol. 2A INS, vol. 2B OUTS). At CPL > IOPL the TSS's I/O bitmap
// decides, as for IN and OUT, once before the first element. Element by element, since each is a device
// access; with REP, Cpu::rep_slice() of them before the run loop looks in.
// INS reads the port before it stores: a store that faults has consumed
// the device's value, as the SDM leaves the order to the processor.
template <typename T, typename A, bool kIn, bool kRepeat>
Flow PortString(Cpu& cpu, const DecodedInsn& in) {
  CpuState& s = cpu.state;
  const uint16_t port = static_cast<uint16_t>(s.gpr[kRdx]);
  if (!IoPermitted(cpu, port, sizeof(T))) return Flow::kFault;
  const int64_t delta = (s.rflags & kDF) ? -static_cast<int64_t>(sizeof(T)) : sizeof(T);
  const Gpr pointer = kIn ? kRdi : kRsi;
  uint64_t count = kRepeat ? AddrReg<A>(cpu, kRcx) : 1;
  for (uint64_t slice = cpu.rep_slice(); count != 0; --slice) {
    if (slice == 0) return cpu.Yield();
    if constexpr (kIn) {
      const T value = static_cast<T>(cpu.io().In(port, sizeof(T)));
      if (!cpu.Write<T>(StringAddress<A>(cpu, kEs, kRdi), value)) return Flow::kFault;
    } else {
      T value;
      if (!cpu.Read<T>(StringAddress<A>(cpu, static_cast<SegReg>(in.seg), kRsi), &value)) return Flow::kFault;
      cpu.io().Out(port, sizeof(T), value);
    }
    cpu.NoteIoAccess(port, sizeof(T));
    SetAddrReg<A>(cpu, pointer, AddrReg<A>(cpu, pointer) + delta);
    --count;
    if constexpr (kRepeat) SetAddrReg<A>(cpu, kRcx, count);
  }
  return cpu.Leave(in);  // a device may have stopped the machine or raised an interrupt
}

template <typename T, bool kIn>
Handler PickPortString(int address_width, bool repeat) {
  switch (address_width) {
    case 16: return repeat ? &PortString<T, uint16_t, kIn, true> : &PortString<T, uint16_t, kIn, false>;
    case 32: return repeat ? &PortString<T, uint32_t, kIn, true> : &PortString<T, uint32_t, kIn, false>;
    case 64: return repeat ? &PortString<T, uint64_t, kIn, true> : &PortString<T, uint64_t, kIn, false>;
  }
  return nullptr;
}

template <bool kIn>
bool BindPortString(const ZydisInsn& z, DecodedInsn& out) {
  out.seg = kDs;
  out.flags |= kInsnString;
  for (int i = 0; i < z.insn.operand_count; ++i) {
    const ZydisDecodedOperand& op = z.ops[i];
    if (!kIn && IsMem(op)) {
      const int seg = SegIndex(op.mem.segment);
      if (seg >= 0) out.seg = static_cast<uint8_t>(seg);
    }
  }
  const bool repeat = out.flags & (kInsnRep | kInsnRepne);
  Handler h = nullptr;
  switch (z.insn.operand_width) {
    case 8: h = PickPortString<uint8_t, kIn>(z.insn.address_width, repeat); break;
    case 16: h = PickPortString<uint16_t, kIn>(z.insn.address_width, repeat); break;
    case 32: h = PickPortString<uint32_t, kIn>(z.insn.address_width, repeat); break;
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

// CMPSD likewise: ops_sse_float.cc binds the SSE2 compare and hands the
// string form to this.
bool BindCmpsString(const ZydisInsn& z, DecodedInsn& out) {
  return BindString<StringOp::kCmps>(z, out);
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
  for (ZydisMnemonic m : {ZYDIS_MNEMONIC_INSB, ZYDIS_MNEMONIC_INSW, ZYDIS_MNEMONIC_INSD}) {
    t.Add(m, &BindPortString<true>, /*ends_block=*/true);
  }
  for (ZydisMnemonic m : {ZYDIS_MNEMONIC_OUTSB, ZYDIS_MNEMONIC_OUTSW, ZYDIS_MNEMONIC_OUTSD}) {
    t.Add(m, &BindPortString<false>, /*ends_block=*/true);
  }
}

}  // namespace x64sim
