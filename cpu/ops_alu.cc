// Integer arithmetic and logic: ADD..CMP, TEST, INC/DEC/NEG/NOT, MUL/IMUL/
// DIV/IDIV, shifts and rotates, bit tests and scans, XADD, CMPXCHG.
// Flag rules: SDM vol. 2 per instruction; undefined flags are cleared.
#include <array>
#include <bit>
#include <utility>

#include "cpu/host_flags.h"
#include "cpu/operand_forms.h"

namespace x64sim {
namespace {

constexpr uint64_t kLogicDefined = kCF | kOF | kSF | kZF | kPF;  // AF undefined

enum class Bin : uint8_t { kAdd, kOr, kAdc, kSbb, kAnd, kSub, kXor, kCmp, kTest };

template <Bin op, typename T>
inline T Compute(T a, T b, uint64_t rflags, uint64_t* f) {
  if constexpr (op == Bin::kAdd) return HostAdd(a, b, f);
  if constexpr (op == Bin::kOr) return HostOr(a, b, f);
  if constexpr (op == Bin::kAdc) return HostAdc(a, b, rflags, f);
  if constexpr (op == Bin::kSbb) return HostSbb(a, b, rflags, f);
  if constexpr (op == Bin::kAnd || op == Bin::kTest) return HostAnd(a, b, f);
  if constexpr (op == Bin::kSub || op == Bin::kCmp) return HostSub(a, b, f);
  if constexpr (op == Bin::kXor) return HostXor(a, b, f);
}

template <Bin op>
struct BinaryOp {
  static constexpr bool kWrites = op != Bin::kCmp && op != Bin::kTest;
  static constexpr bool kLogic = op == Bin::kOr || op == Bin::kAnd || op == Bin::kXor ||
                                 op == Bin::kTest;
  template <typename T, Form F>
  struct Op {
    static Flow Run(Cpu& cpu, const DecodedInsn& in) { return Body<Path::kFastOnly>(cpu, in); }
    // A memory destination's store goes where its load (for update) found
    // the page writable in the fast path, so it cannot miss after the load
    // and the fast body changes nothing before a miss.
    template <Path kPath>
    static Flow Body(Cpu& cpu, const DecodedInsn& in) {
      T a, b;
      uint64_t linear = 0;
      if (!ReadDest<T, F, kWrites, kPath>(cpu, in, &a, &linear) ||
          !ReadSource<T, F, kPath>(cpu, in, &b)) {
        return AccessFailed<Op, kPath>(cpu, in);
      }
      uint64_t f;
      T r = Compute<op, T>(a, b, cpu.state.rflags, &f);
      if constexpr (kWrites) {
        if (!WriteDest<T, F, kPath>(cpu, in, r, linear)) return AccessFailed<Op, kPath>(cpu, in);
      }
      MergeFlags(cpu.state.rflags, f, kArithFlags, kLogic ? kLogicDefined : kArithFlags);
      return cpu.Next(in);
    }
  };
};

// ---- Compare-and-branch fusion --------------------------------------------

// CMP or TEST (two registers, or a register and an immediate) and the Jcc
// after it as one handler: the flags are computed and stored as CMP/TEST
// alone would, the condition is read from them in a register, and both
// instructions retire. Bound in 64-bit mode only, so the target needs no
// wrap; a pair run one instruction at a time uses UnfusedCompare.
template <Bin op, typename T, Form F, int kCond>
Flow CompareAndBranch(Cpu& cpu, const DecodedInsn& in) {
  const T a = cpu.Reg<T>(in.reg);
  const T b = F == Form::kRR ? cpu.Reg<T>(in.reg2) : static_cast<T>(in.imm);
  uint64_t f;
  Compute<op, T>(a, b, 0, &f);
  MergeFlags(cpu.state.rflags, f, kArithFlags, op == Bin::kTest ? kLogicDefined : kArithFlags);
  if (!EvalCondition(kCond, f)) return cpu.NextPair(in);
  const DecodedInsn& jcc = (&in)[1];
  cpu.Retire(in);
  return cpu.Branch(cpu.state.rip + jcc.length + jcc.imm);
}

struct Fusion {
  Handler compare;
  std::array<Handler, 16> fused;  // by condition code
};

template <Bin op, typename T, Form F, int... kConds>
constexpr Fusion MakeFusion(std::integer_sequence<int, kConds...>) {
  return {&BinaryOp<op>::template Op<T, F>::Run, {&CompareAndBranch<op, T, F, kConds>...}};
}

template <Bin op, typename T, Form F>
constexpr Fusion FusionOf() {
  return MakeFusion<op, T, F>(std::make_integer_sequence<int, 16>());
}

constexpr Fusion kFusions[] = {
    FusionOf<Bin::kCmp, uint32_t, Form::kRR>(),  FusionOf<Bin::kCmp, uint32_t, Form::kRI>(),
    FusionOf<Bin::kCmp, uint64_t, Form::kRR>(),  FusionOf<Bin::kCmp, uint64_t, Form::kRI>(),
    FusionOf<Bin::kTest, uint32_t, Form::kRR>(), FusionOf<Bin::kTest, uint32_t, Form::kRI>(),
    FusionOf<Bin::kTest, uint64_t, Form::kRR>(), FusionOf<Bin::kTest, uint64_t, Form::kRI>(),
};

template <Bin op>
bool BindBinary(const ZydisInsn& z, DecodedInsn& out) {
  Form form;
  if (!BindTwoOperands(z, out, &form)) return false;
  out.handler = FormTable<BinaryOp<op>::template Op>::Pick(out.size, form);
  return out.handler != nullptr;
}

// ---- One-operand: INC DEC NEG NOT ----------------------------------------

enum class Un : uint8_t { kInc, kDec, kNeg, kNot };

template <Un op>
struct UnaryOp {
  template <typename T, bool kMem>
  struct Op {
    static Flow Run(Cpu& cpu, const DecodedInsn& in) { return Body<Path::kFastOnly>(cpu, in); }
    template <Path kPath>  // the store cannot miss after the load (BinaryOp)
    static Flow Body(Cpu& cpu, const DecodedInsn& in) {
      T a;
      uint64_t linear = 0;
      if (!ReadUnary<T, kMem, true, kPath>(cpu, in, &a, &linear)) {
        return AccessFailed<Op, kPath>(cpu, in);
      }
      uint64_t f = 0;
      T r;
      if constexpr (op == Un::kInc) r = HostInc(a, &f);
      if constexpr (op == Un::kDec) r = HostDec(a, &f);
      if constexpr (op == Un::kNeg) r = HostNeg(a, &f);
      if constexpr (op == Un::kNot) r = static_cast<T>(~a);
      if (!WriteUnary<T, kMem, kPath>(cpu, in, r, linear)) return AccessFailed<Op, kPath>(cpu, in);
      if constexpr (op == Un::kInc || op == Un::kDec) {
        MergeFlags(cpu.state.rflags, f, kArithFlags & ~kCF, kArithFlags & ~kCF);
      } else if constexpr (op == Un::kNeg) {
        MergeFlags(cpu.state.rflags, f, kArithFlags, kArithFlags);
      }
      return cpu.Next(in);
    }
  };
};

template <Un op>
bool BindUnary(const ZydisInsn& z, DecodedInsn& out) {
  bool mem;
  if (!BindOneOperand(z, out, &mem)) return false;
  out.handler = UnaryTable<UnaryOp<op>::template Op>::Pick(out.size, mem);
  return out.handler != nullptr;
}

// ---- MUL IMUL DIV IDIV ----------------------------------------------------

template <typename T>
using Signed = std::make_signed_t<T>;

template <typename T>
struct Wide;
template <> struct Wide<uint8_t> { using U = uint16_t; using S = int16_t; };
template <> struct Wide<uint16_t> { using U = uint32_t; using S = int32_t; };
template <> struct Wide<uint32_t> { using U = uint64_t; using S = int64_t; };
template <> struct Wide<uint64_t> { using U = unsigned __int128; using S = __int128; };

// Writes the double-width result to AX (8-bit) or rDX:rAX.
template <typename T>
void WriteAccumulatorPair(Cpu& cpu, typename Wide<T>::U v) {
  constexpr int kBits = sizeof(T) * 8;
  if constexpr (sizeof(T) == 1) {
    cpu.SetReg<uint16_t>(kRax * 8, static_cast<uint16_t>(v));
  } else {
    cpu.SetReg<T>(kRax * 8, static_cast<T>(v));
    cpu.SetReg<T>(kRdx * 8, static_cast<T>(v >> kBits));
  }
}

template <typename T>
typename Wide<T>::U ReadAccumulatorPair(Cpu& cpu) {
  constexpr int kBits = sizeof(T) * 8;
  if constexpr (sizeof(T) == 1) {
    return cpu.Reg<uint16_t>(kRax * 8);
  } else {
    return (static_cast<typename Wide<T>::U>(cpu.Reg<T>(kRdx * 8)) << kBits) | cpu.Reg<T>(kRax * 8);
  }
}

enum class MulDiv : uint8_t { kMul, kImul, kDiv, kIdiv };

template <MulDiv op>
struct MulDivOp {
  template <typename T, bool kMem>
  struct Op {
    static Flow Run(Cpu& cpu, const DecodedInsn& in) {
      using WU = typename Wide<T>::U;
      using WS = typename Wide<T>::S;
      constexpr int kBits = sizeof(T) * 8;
      T src;
      uint64_t linear = 0;
      if (!ReadUnary<T, kMem, false>(cpu, in, &src, &linear)) return Flow::kFault;
      T acc = cpu.Reg<T>(kRax * 8);
      if constexpr (op == MulDiv::kMul) {
        WU r = static_cast<WU>(acc) * src;
        WriteAccumulatorPair<T>(cpu, r);
        uint64_t f = (r >> kBits) ? (kCF | kOF) : 0;
        MergeFlags(cpu.state.rflags, f, kArithFlags, kCF | kOF);
      } else if constexpr (op == MulDiv::kImul) {
        WS r = static_cast<WS>(static_cast<Signed<T>>(acc)) * static_cast<Signed<T>>(src);
        WriteAccumulatorPair<T>(cpu, static_cast<WU>(r));
        uint64_t f = (r != static_cast<Signed<T>>(r)) ? (kCF | kOF) : 0;
        MergeFlags(cpu.state.rflags, f, kArithFlags, kCF | kOF);
      } else if constexpr (op == MulDiv::kDiv) {
        // SDM vol. 2 DIV: #DE for a zero divisor or a quotient that does not fit.
        if (src == 0) return cpu.FaultNoCode(kDivideError);
        WU dividend = ReadAccumulatorPair<T>(cpu);
        WU q = dividend / src;
        if (q >> kBits) return cpu.FaultNoCode(kDivideError);
        T rem = static_cast<T>(dividend % src);
        StoreQuotient(cpu, static_cast<T>(q), rem);
        MergeFlags(cpu.state.rflags, 0, kArithFlags, 0);
        cpu.LogDivide(std::bit_width(static_cast<T>(q)), (dividend >> kBits) != 0);
      } else {
        if (src == 0) return cpu.FaultNoCode(kDivideError);
        WS dividend = static_cast<WS>(ReadAccumulatorPair<T>(cpu));
        WS divisor = static_cast<Signed<T>>(src);
        // The most negative dividend divided by -1 overflows in C++ too: check first.
        if (divisor == -1 && dividend == (static_cast<WS>(1) << (2 * kBits - 1))) {
          return cpu.FaultNoCode(kDivideError);
        }
        WS q = dividend / divisor;
        if (q != static_cast<Signed<T>>(q)) return cpu.FaultNoCode(kDivideError);
        StoreQuotient(cpu, static_cast<T>(q), static_cast<T>(dividend % divisor));
        MergeFlags(cpu.state.rflags, 0, kArithFlags, 0);
        const T magnitude = q < 0 ? static_cast<T>(T{0} - static_cast<T>(q)) : static_cast<T>(q);
        cpu.LogDivide(std::bit_width(magnitude),
                      dividend != static_cast<Signed<T>>(dividend));  // not the low half sign-extended
      }
      return cpu.Next(in);
    }
    static void StoreQuotient(Cpu& cpu, T q, T rem) {
      if constexpr (sizeof(T) == 1) {
        cpu.SetReg<uint8_t>(kRax * 8, q);
        cpu.SetReg<uint8_t>(kRax * 8 + 1, rem);
      } else {
        cpu.SetReg<T>(kRax * 8, q);
        cpu.SetReg<T>(kRdx * 8, rem);
      }
    }
  };
};

template <MulDiv op>
bool BindMulDiv(const ZydisInsn& z, DecodedInsn& out) {
  bool mem;
  if (!BindOneOperand(z, out, &mem)) return false;
  out.handler = UnaryTable<MulDivOp<op>::template Op>::Pick(out.size, mem);
  return out.handler != nullptr;
}

// IMUL r, r/m and IMUL r, r/m, imm: truncated signed product.
template <typename T, Form F>
struct ImulOp {
  static Flow Run(Cpu& cpu, const DecodedInsn& in) {
    T a, b;
    if (in.aux) {  // three-operand form: the first factor is r/m, the second imm
      if constexpr (F == Form::kRM) {
        if (!cpu.Read<T>(cpu.Linear(in), &a)) return Flow::kFault;
      } else {
        a = cpu.Reg<T>(in.reg2);
      }
      b = static_cast<T>(in.imm);
    } else {
      a = cpu.Reg<T>(in.reg);
      if (!ReadSource<T, F>(cpu, in, &b)) return Flow::kFault;
    }
    using WS = typename Wide<T>::S;
    WS r = static_cast<WS>(static_cast<Signed<T>>(a)) * static_cast<Signed<T>>(b);
    cpu.SetReg<T>(in.reg, static_cast<T>(r));
    uint64_t f = (r != static_cast<Signed<T>>(r)) ? (kCF | kOF) : 0;
    MergeFlags(cpu.state.rflags, f, kArithFlags, kCF | kOF);
    return cpu.Next(in);
  }
};

bool BindImul(const ZydisInsn& z, DecodedInsn& out) {
  if (z.insn.operand_count_visible == 1) return BindMulDiv<MulDiv::kImul>(z, out);
  Form form;
  if (!BindTwoOperands(z, out, &form)) return false;
  if (z.insn.operand_count_visible == 3) {
    if (!IsImm(z.ops[2])) return false;
    out.imm = z.ops[2].imm.value.u;
    out.aux = 1;
    if (form == Form::kRR) out.reg2 = static_cast<uint8_t>(GprOffset(z.ops[1].reg.value));
  }
  if (form != Form::kRR && form != Form::kRM) return false;
  switch (out.size) {
    case 2: out.handler = form == Form::kRR ? &ImulOp<uint16_t, Form::kRR>::Run : &ImulOp<uint16_t, Form::kRM>::Run; break;
    case 4: out.handler = form == Form::kRR ? &ImulOp<uint32_t, Form::kRR>::Run : &ImulOp<uint32_t, Form::kRM>::Run; break;
    case 8: out.handler = form == Form::kRR ? &ImulOp<uint64_t, Form::kRR>::Run : &ImulOp<uint64_t, Form::kRM>::Run; break;
    default: return false;
  }
  return true;
}

// ---- Shifts and rotates -----------------------------------------------------

enum class Sh : uint8_t { kShl, kShr, kSar, kRol, kRor, kRcl, kRcr };
constexpr uint8_t kCountInCl = 0xff;

template <Sh op>
struct ShiftOp {
  template <typename T, bool kMem>
  struct Op {
    static Flow Run(Cpu& cpu, const DecodedInsn& in) {
      constexpr int kBits = sizeof(T) * 8;
      uint8_t count = in.aux == kCountInCl ? cpu.Reg<uint8_t>(kRcx * 8) : in.aux;
      count &= kBits == 64 ? 0x3f : 0x1f;  // SDM vol. 2 SAL/SAR/SHL/SHR: masked count
      T a;
      uint64_t linear = 0;
      if (!ReadUnary<T, kMem, true>(cpu, in, &a, &linear)) return Flow::kFault;
      if (count == 0) {
        // Flags unchanged; a memory operand is still accessed for write.
        return WriteUnary<T, kMem>(cpu, in, a, linear) ? cpu.Next(in) : Flow::kFault;
      }
      uint64_t f;
      T r;
      uint64_t cf = cpu.state.rflags;
      if constexpr (op == Sh::kShl) r = HostShl(a, count, cf, &f);
      if constexpr (op == Sh::kShr) r = HostShr(a, count, cf, &f);
      if constexpr (op == Sh::kSar) r = HostSar(a, count, cf, &f);
      if constexpr (op == Sh::kRol) r = HostRol(a, count, cf, &f);
      if constexpr (op == Sh::kRor) r = HostRor(a, count, cf, &f);
      if constexpr (op == Sh::kRcl) r = HostRcl(a, count, cf, &f);
      if constexpr (op == Sh::kRcr) r = HostRcr(a, count, cf, &f);
      if (!WriteUnary<T, kMem>(cpu, in, r, linear)) return Flow::kFault;
      constexpr bool kShift = op == Sh::kShl || op == Sh::kShr || op == Sh::kSar;
      uint64_t defined = kCF | (count == 1 ? kOF : 0);
      if constexpr (kShift) {
        defined |= kSF | kZF | kPF;
        if (op != Sh::kSar && count >= kBits) defined &= ~kCF;
        MergeFlags(cpu.state.rflags, f, kArithFlags, defined);
      } else {
        MergeFlags(cpu.state.rflags, f, kCF | kOF, defined);
      }
      return cpu.Next(in);
    }
  };
};

template <Sh op>
bool BindShift(const ZydisInsn& z, DecodedInsn& out) {
  bool mem;
  if (!BindOneOperand(z, out, &mem)) return false;
  const ZydisDecodedOperand& c = z.ops[1];
  if (IsImm(c)) {
    out.aux = static_cast<uint8_t>(c.imm.value.u & 0x3f);  // masked at run time anyway
  } else if (IsReg(c) && c.reg.value == ZYDIS_REGISTER_CL) {
    out.aux = kCountInCl;
  } else {
    return false;
  }
  out.handler = UnaryTable<ShiftOp<op>::template Op>::Pick(out.size, mem);
  return out.handler != nullptr;
}

// SHLD/SHRD r/m, reg, imm8|CL.
template <bool kLeft>
struct DoubleShiftOp {
  template <typename T, bool kMem>
  struct Op {
    static Flow Run(Cpu& cpu, const DecodedInsn& in) {
      uint8_t count = in.aux == kCountInCl ? cpu.Reg<uint8_t>(kRcx * 8) : in.aux;
      count &= sizeof(T) == 8 ? 0x3f : 0x1f;
      T a;
      uint64_t linear = 0;
      if (!ReadUnary<T, kMem, true>(cpu, in, &a, &linear)) return Flow::kFault;
      if (count == 0) return WriteUnary<T, kMem>(cpu, in, a, linear) ? cpu.Next(in) : Flow::kFault;
      T b = cpu.Reg<T>(in.reg2);
      uint64_t f;
      T r = kLeft ? HostShld(a, b, count, &f) : HostShrd(a, b, count, &f);
      if (!WriteUnary<T, kMem>(cpu, in, r, linear)) return Flow::kFault;
      uint64_t defined = kCF | kSF | kZF | kPF | (count == 1 ? kOF : 0);
      if (count > sizeof(T) * 8) defined = 0;  // 16-bit operand, count > 16: all undefined
      MergeFlags(cpu.state.rflags, f, kArithFlags, defined);
      return cpu.Next(in);
    }
  };
};

template <bool kLeft>
bool BindDoubleShift(const ZydisInsn& z, DecodedInsn& out) {
  bool mem;
  if (!BindOneOperand(z, out, &mem) || !IsReg(z.ops[1])) return false;
  out.reg2 = static_cast<uint8_t>(GprOffset(z.ops[1].reg.value));
  const ZydisDecodedOperand& c = z.ops[2];
  if (IsImm(c)) {
    out.aux = static_cast<uint8_t>(c.imm.value.u & 0x3f);
  } else {
    out.aux = kCountInCl;
  }
  switch (out.size) {
    case 2: out.handler = mem ? &DoubleShiftOp<kLeft>::template Op<uint16_t, true>::Run : &DoubleShiftOp<kLeft>::template Op<uint16_t, false>::Run; break;
    case 4: out.handler = mem ? &DoubleShiftOp<kLeft>::template Op<uint32_t, true>::Run : &DoubleShiftOp<kLeft>::template Op<uint32_t, false>::Run; break;
    case 8: out.handler = mem ? &DoubleShiftOp<kLeft>::template Op<uint64_t, true>::Run : &DoubleShiftOp<kLeft>::template Op<uint64_t, false>::Run; break;
    default: return false;
  }
  return true;
}

// ---- BT BTS BTR BTC -----------------------------------------------------------

enum class Bt : uint8_t { kTest, kSet, kReset, kComplement };

template <Bt op>
struct BitTestOp {
  static constexpr bool kWrites = op != Bt::kTest;
  template <typename T, Form F>
  struct Op {
    static Flow Run(Cpu& cpu, const DecodedInsn& in) {
      constexpr int kBits = sizeof(T) * 8;
      T a;
      uint64_t linear = 0;
      uint64_t bit;
      if constexpr (F == Form::kMR) {
        // SDM vol. 2 BT: a register bit offset addresses the whole bit string.
        int64_t offset = static_cast<Signed<T>>(cpu.Reg<T>(in.reg2));
        linear = cpu.Linear(in, (offset >> (kBits == 16 ? 4 : kBits == 32 ? 5 : 6)) * int64_t{sizeof(T)});
        bit = static_cast<uint64_t>(offset) & (kBits - 1);
        if (!ReadMemoryOperand<T, kWrites>(cpu, linear, &a)) return Flow::kFault;
      } else {
        if (!ReadDest<T, F, kWrites>(cpu, in, &a, &linear)) return Flow::kFault;
        T src;
        if (!ReadSource<T, F>(cpu, in, &src)) return Flow::kFault;
        bit = src & (kBits - 1);
      }
      uint64_t f = ((a >> bit) & 1) ? kCF : 0;
      if constexpr (op != Bt::kTest) {
        T mask = static_cast<T>(T{1} << bit);
        T r = op == Bt::kSet ? (a | mask) : op == Bt::kReset ? (a & ~mask) : (a ^ mask);
        if constexpr (DestIsMem(F)) {
          if (!cpu.Write<T>(linear, r)) return Flow::kFault;
        } else {
          cpu.SetReg<T>(in.reg, r);
        }
      }
      MergeFlags(cpu.state.rflags, f, kCF | kOF | kSF | kAF | kPF, kCF);  // ZF unaffected
      return cpu.Next(in);
    }
  };
};

template <Bt op>
bool BindBitTest(const ZydisInsn& z, DecodedInsn& out) {
  Form form;
  if (!BindTwoOperands(z, out, &form) || form == Form::kRM || out.size == 1) return false;
  out.handler = FormTable<BitTestOp<op>::template Op>::Pick(out.size, form);
  return out.handler != nullptr;
}

// ---- BSF BSR ---------------------------------------------------------------

template <bool kForward>
struct BitScanOp {
  template <typename T, Form F>
  struct Op {
    static Flow Run(Cpu& cpu, const DecodedInsn& in) {
      T src;
      if (!ReadSource<T, F>(cpu, in, &src)) return Flow::kFault;
      if (src == 0) {
        MergeFlags(cpu.state.rflags, kZF, kArithFlags, kZF);  // destination unchanged
        return cpu.Next(in);
      }
      int index = kForward ? __builtin_ctzll(src) : 63 - __builtin_clzll(src);
      cpu.SetReg<T>(in.reg, static_cast<T>(index));
      MergeFlags(cpu.state.rflags, 0, kArithFlags, kZF);
      return cpu.Next(in);
    }
  };
};

template <bool kForward>
bool BindBitScan(const ZydisInsn& z, DecodedInsn& out) {
  Form form;
  if (!BindTwoOperands(z, out, &form) || out.size == 1) return false;
  out.handler = FormTable<BitScanOp<kForward>::template Op>::Pick(out.size, form);
  return out.handler != nullptr;
}

// ---- XADD CMPXCHG (single core: LOCK changes nothing observable) ----------

template <typename T, Form F>
struct XaddOp {
  static Flow Run(Cpu& cpu, const DecodedInsn& in) {
    T a;
    uint64_t linear = 0;
    if (!ReadDest<T, F, true>(cpu, in, &a, &linear)) return Flow::kFault;
    T b = cpu.Reg<T>(in.reg2);
    uint64_t f;
    T sum = HostAdd(a, b, &f);
    if (!WriteDest<T, F>(cpu, in, sum, linear)) return Flow::kFault;
    cpu.SetReg<T>(in.reg2, a);
    if constexpr (!DestIsMem(F)) cpu.SetReg<T>(in.reg, sum);  // dest written last
    MergeFlags(cpu.state.rflags, f, kArithFlags, kArithFlags);
    return cpu.Next(in);
  }
};

template <typename T, Form F>
struct CmpxchgOp {
  static Flow Run(Cpu& cpu, const DecodedInsn& in) {
    T dest;
    uint64_t linear = 0;
    if (!ReadDest<T, F, true>(cpu, in, &dest, &linear)) return Flow::kFault;
    T acc = cpu.Reg<T>(kRax * 8);
    uint64_t f;
    HostSub(acc, dest, &f);
    bool equal = acc == dest;
    // SDM vol. 2 CMPXCHG: a memory destination is written in both cases; a
    // register one only on success (hardware does not zero-extend a 32-bit
    // register that compared unequal).
    if ((DestIsMem(F) || equal) &&
        !WriteDest<T, F>(cpu, in, equal ? cpu.Reg<T>(in.reg2) : dest, linear)) {
      return Flow::kFault;
    }
    if (!equal) cpu.SetReg<T>(kRax * 8, dest);
    MergeFlags(cpu.state.rflags, f, kArithFlags, kArithFlags);
    return cpu.Next(in);
  }
};

template <template <typename, Form> class Op>
bool BindRmReg(const ZydisInsn& z, DecodedInsn& out) {
  Form form;
  if (!BindTwoOperands(z, out, &form) || (form != Form::kRR && form != Form::kMR)) return false;
  out.handler = FormTable<Op>::Pick(out.size, form);
  return out.handler != nullptr;
}

// CMPXCHG8B/16B m64/m128.
template <typename T>
Flow CmpxchgDouble(Cpu& cpu, const DecodedInsn& in) {
  uint64_t linear = cpu.Linear(in);
  if (sizeof(T) == 8 && (linear & 15)) return cpu.Fault(kGeneralProtection, 0);
  T mem[2];
  if (!cpu.ReadBytesForUpdate(linear, mem, sizeof(mem))) return Flow::kFault;
  T expect_lo = cpu.Reg<T>(kRax * 8), expect_hi = cpu.Reg<T>(kRdx * 8);
  bool equal = mem[0] == expect_lo && mem[1] == expect_hi;
  T result[2] = {equal ? cpu.Reg<T>(kRbx * 8) : mem[0], equal ? cpu.Reg<T>(kRcx * 8) : mem[1]};
  if (!cpu.WriteBytes(linear, result, sizeof(result))) return Flow::kFault;
  if (!equal) {
    cpu.SetReg<T>(kRax * 8, mem[0]);
    cpu.SetReg<T>(kRdx * 8, mem[1]);
  }
  cpu.state.rflags = (cpu.state.rflags & ~kZF) | (equal ? kZF : 0);
  return cpu.Next(in);
}

bool BindCmpxchgDouble(const ZydisInsn& z, DecodedInsn& out) {
  if (!BindMemory(z, z.ops[0], out)) return false;
  out.handler = z.ops[0].size == 128 ? &CmpxchgDouble<uint64_t> : &CmpxchgDouble<uint32_t>;
  return true;
}

}  // namespace

bool FuseWithBranch(DecodedInsn& compare, ZydisMnemonic branch) {
  if (!IsConditionalJump(branch)) return false;
  for (const Fusion& f : kFusions) {
    if (compare.handler != f.compare) continue;
    compare.handler = f.fused[ConditionOf(branch)];
    compare.flags |= kInsnFused;
    return true;
  }
  return false;
}

Handler AddImmediateHandler(int bytes) {
  return FormTable<BinaryOp<Bin::kAdd>::template Op>::Pick(bytes, Form::kRI);
}

Handler FusedCompareHandler(int bytes, int cond) {
  const Handler compare = FormTable<BinaryOp<Bin::kCmp>::template Op>::Pick(bytes, Form::kRR);
  for (const Fusion& f : kFusions) {
    if (f.compare == compare) return f.fused[cond];
  }
  return nullptr;
}

Handler UnfusedCompare(Handler fused) {
  for (const Fusion& f : kFusions) {
    for (Handler h : f.fused) {
      if (h == fused) return f.compare;
    }
  }
  return nullptr;
}

void RegisterAluOps(BinderTable& t) {
  t.Add(ZYDIS_MNEMONIC_ADD, BindBinary<Bin::kAdd>);
  t.Add(ZYDIS_MNEMONIC_OR, BindBinary<Bin::kOr>);
  t.Add(ZYDIS_MNEMONIC_ADC, BindBinary<Bin::kAdc>);
  t.Add(ZYDIS_MNEMONIC_SBB, BindBinary<Bin::kSbb>);
  t.Add(ZYDIS_MNEMONIC_AND, BindBinary<Bin::kAnd>);
  t.Add(ZYDIS_MNEMONIC_SUB, BindBinary<Bin::kSub>);
  t.Add(ZYDIS_MNEMONIC_XOR, BindBinary<Bin::kXor>);
  t.Add(ZYDIS_MNEMONIC_CMP, BindBinary<Bin::kCmp>);
  t.Add(ZYDIS_MNEMONIC_TEST, BindBinary<Bin::kTest>);
  t.Add(ZYDIS_MNEMONIC_INC, BindUnary<Un::kInc>);
  t.Add(ZYDIS_MNEMONIC_DEC, BindUnary<Un::kDec>);
  t.Add(ZYDIS_MNEMONIC_NEG, BindUnary<Un::kNeg>);
  t.Add(ZYDIS_MNEMONIC_NOT, BindUnary<Un::kNot>);
  t.Add(ZYDIS_MNEMONIC_MUL, BindMulDiv<MulDiv::kMul>);
  t.Add(ZYDIS_MNEMONIC_IMUL, BindImul);
  t.Add(ZYDIS_MNEMONIC_DIV, BindMulDiv<MulDiv::kDiv>);
  t.Add(ZYDIS_MNEMONIC_IDIV, BindMulDiv<MulDiv::kIdiv>);
  t.Add(ZYDIS_MNEMONIC_SHL, BindShift<Sh::kShl>);
  t.Add(ZYDIS_MNEMONIC_SHR, BindShift<Sh::kShr>);
  t.Add(ZYDIS_MNEMONIC_SAR, BindShift<Sh::kSar>);
  t.Add(ZYDIS_MNEMONIC_ROL, BindShift<Sh::kRol>);
  t.Add(ZYDIS_MNEMONIC_ROR, BindShift<Sh::kRor>);
  t.Add(ZYDIS_MNEMONIC_RCL, BindShift<Sh::kRcl>);
  t.Add(ZYDIS_MNEMONIC_RCR, BindShift<Sh::kRcr>);
  t.Add(ZYDIS_MNEMONIC_SHLD, BindDoubleShift<true>);
  t.Add(ZYDIS_MNEMONIC_SHRD, BindDoubleShift<false>);
  t.Add(ZYDIS_MNEMONIC_BT, BindBitTest<Bt::kTest>);
  t.Add(ZYDIS_MNEMONIC_BTS, BindBitTest<Bt::kSet>);
  t.Add(ZYDIS_MNEMONIC_BTR, BindBitTest<Bt::kReset>);
  t.Add(ZYDIS_MNEMONIC_BTC, BindBitTest<Bt::kComplement>);
  t.Add(ZYDIS_MNEMONIC_BSF, BindBitScan<true>);
  t.Add(ZYDIS_MNEMONIC_BSR, BindBitScan<false>);
  t.Add(ZYDIS_MNEMONIC_XADD, BindRmReg<XaddOp>);
  t.Add(ZYDIS_MNEMONIC_CMPXCHG, BindRmReg<CmpxchgOp>);
  t.Add(ZYDIS_MNEMONIC_CMPXCHG8B, BindCmpxchgDouble);
  t.Add(ZYDIS_MNEMONIC_CMPXCHG16B, BindCmpxchgDouble);
}

}  // namespace x64sim
