// Bit-manipulation instructions (SDM vol. 2): POPCNT, LZCNT, TZCNT, MOVBE,
// BMI1 (ANDN BEXTR BLSI BLSMSK BLSR), BMI2 (BZHI PDEP PEXT RORX SARX SHLX
// SHRX MULX) and ADX (ADCX ADOX). Flags the SDM leaves undefined are
// cleared, as everywhere (docs/cpu.md).
#include <bit>
#include <type_traits>

#include "cpu/host_flags.h"
#include "cpu/operand_forms.h"

namespace x64sim {

namespace {

// Sets the arithmetic flags to `defined` (others cleared).
inline void SetArithFlags(Cpu& cpu, uint64_t defined) {
  MergeFlags(cpu.state.rflags, defined, kArithFlags, kArithFlags);
}

template <typename T>
constexpr int kBits = 8 * sizeof(T);

// ---- POPCNT LZCNT TZCNT: reg <- count(r/m) ----------------------------------

enum class Count : uint8_t { kPopulation, kLeadingZeros, kTrailingZeros };

template <Count kind>
struct CountOp {
  template <typename T, Form F>
  struct Op {
    static Flow Run(Cpu& cpu, const DecodedInsn& in) {
      T src;
      if (!ReadSource<T, F>(cpu, in, &src)) return Flow::kFault;
      T n;
      uint64_t f = 0;
      if constexpr (kind == Count::kPopulation) {
        // OF SF AF CF PF cleared; ZF when the source is zero.
        n = static_cast<T>(std::popcount(src));
        if (src == 0) f |= kZF;
      } else {
        // CF when the source is zero (the count is then the width); ZF when
        // the count is zero.
        n = static_cast<T>(kind == Count::kLeadingZeros ? std::countl_zero(src)
                                                        : std::countr_zero(src));
        if (src == 0) f |= kCF;
        if (n == 0) f |= kZF;
      }
      cpu.SetReg<T>(in.reg, n);
      SetArithFlags(cpu, f);
      return cpu.Next(in);
    }
  };
};

template <Count kind>
bool BindCount(const ZydisInsn& z, DecodedInsn& out) {
  Form form;
  if (!BindTwoOperands(z, out, &form) || (form != Form::kRR && form != Form::kRM)) return false;
  out.handler = FormTable<CountOp<kind>::template Op>::Pick(out.size, form);
  return out.size != 1 && out.handler != nullptr;
}

// ---- MOVBE: a move that reverses the bytes; one side is memory -------------

template <typename T>
T ByteSwap(T v) {
  if constexpr (sizeof(T) == 2) return __builtin_bswap16(v);
  if constexpr (sizeof(T) == 4) return __builtin_bswap32(v);
  if constexpr (sizeof(T) == 8) return __builtin_bswap64(v);
  return v;
}

template <typename T, Form F>
struct MovbeOp {
  static Flow Run(Cpu& cpu, const DecodedInsn& in) {
    if constexpr (F == Form::kRM) {
      T v;
      if (!cpu.Read<T>(cpu.Linear(in), &v)) return Flow::kFault;
      cpu.SetReg<T>(in.reg, ByteSwap(v));
    } else {
      if (!cpu.Write<T>(cpu.Linear(in), ByteSwap(cpu.Reg<T>(in.reg2)))) return Flow::kFault;
    }
    return cpu.Next(in);
  }
};

bool BindMovbe(const ZydisInsn& z, DecodedInsn& out) {
  Form form;
  if (!BindTwoOperands(z, out, &form) || (form != Form::kRM && form != Form::kMR)) return false;
  out.handler = FormTable<MovbeOp>::Pick(out.size, form);
  return out.size != 1 && out.handler != nullptr;
}

// ---- VEX three-operand forms: reg, and two sources -------------------------
//
// in.reg is the destination, in.aux the other register source (VEX.vvvv or
// ModRM.reg), and the r/m source is in.reg2 (kRR) or the memory operand
// (kRM). `first` is whether the r/m source is the instruction's second
// operand (BEXTR BZHI SARX SHLX SHRX RORX) rather than its third (ANDN PDEP
// PEXT MULX): handlers see (a, b) in the SDM's operand order either way.

template <typename T, Form F, bool kRmFirst>
bool ReadTwoSources(Cpu& cpu, const DecodedInsn& in, T* a, T* b) {
  T rm;
  if (!ReadSource<T, F>(cpu, in, &rm)) return false;
  const T other = cpu.Reg<T>(in.aux);
  *a = kRmFirst ? rm : other;
  *b = kRmFirst ? other : rm;
  return true;
}

bool BindThreeOperands(const ZydisInsn& z, DecodedInsn& out, bool rm_first, Form* form) {
  if (z.insn.operand_count_visible < 3 || !IsReg(z.ops[0])) return false;
  const ZydisDecodedOperand& rm = z.ops[rm_first ? 1 : 2];
  const ZydisDecodedOperand& other = z.ops[rm_first ? 2 : 1];
  const int dst = GprOffset(z.ops[0].reg.value);
  if (dst < 0) return false;
  out.reg = static_cast<uint8_t>(dst);
  if (IsReg(other)) {
    const int r = GprOffset(other.reg.value);
    if (r < 0) return false;
    out.aux = static_cast<uint8_t>(r);
  } else if (IsImm(other)) {
    out.imm = other.imm.value.u;  // RORX's count
  } else {
    return false;
  }
  if (IsReg(rm)) {
    const int r = GprOffset(rm.reg.value);
    if (r < 0) return false;
    out.reg2 = static_cast<uint8_t>(r);
    *form = Form::kRR;
    return true;
  }
  *form = Form::kRM;
  return IsMem(rm) && BindMemory(z, rm, out);
}

// The operations, with their sources in SDM order: ComputeVex returns the
// result and, for those that write flags, sets *f.
enum class Vex : uint8_t {
  kAndn, kBextr, kBzhi, kPdep, kPext, kSarx, kShlx, kShrx, kRorx,
};

constexpr bool RmFirst(Vex op) { return op != Vex::kAndn && op != Vex::kPdep && op != Vex::kPext; }
constexpr bool WritesFlags(Vex op) {
  return op == Vex::kAndn || op == Vex::kBextr || op == Vex::kBzhi;
}

template <Vex op, typename T>
T ComputeVex(T a, T b, uint64_t imm, uint64_t* f) {
  constexpr int w = kBits<T>;
  if constexpr (op == Vex::kAndn) {
    // SF ZF by the result; OF CF cleared; AF PF undefined.
    const T r = static_cast<T>(~a & b);
    *f = ResultFlags(r) & (kSF | kZF);
    return r;
  } else if constexpr (op == Vex::kBextr) {
    // Start in b[7:0], length in b[15:8]; ZF by the result, CF OF cleared.
    const unsigned start = b & 0xff;
    const unsigned length = (b >> 8) & 0xff;
    T r = start >= w ? 0 : static_cast<T>(a >> start);
    if (length < w) r &= static_cast<T>((T{1} << length) - 1);
    *f = r == 0 ? kZF : 0;
    return r;
  } else if constexpr (op == Vex::kBzhi) {
    // Index in b[7:0]; CF when it is past the top bit; ZF SF by the result.
    const unsigned n = b & 0xff;
    const T r = n < w ? static_cast<T>(a & ((T{1} << n) - 1)) : a;
    *f = (ResultFlags(r) & (kSF | kZF)) | (n > w - 1 ? kCF : 0);
    return r;
  } else if constexpr (op == Vex::kPdep) {
    T r = 0;
    int k = 0;
    for (T mask = b; mask != 0; mask &= mask - 1, ++k) {
      if ((a >> k) & 1) r |= mask & (~mask + 1);
    }
    return r;
  } else if constexpr (op == Vex::kPext) {
    T r = 0;
    int k = 0;
    for (T mask = b; mask != 0; mask &= mask - 1, ++k) {
      if (a & mask & (~mask + 1)) r |= T{1} << k;
    }
    return r;
  } else if constexpr (op == Vex::kSarx) {
    using S = std::make_signed_t<T>;
    return static_cast<T>(static_cast<S>(a) >> (b & (w - 1)));
  } else if constexpr (op == Vex::kShlx) {
    return static_cast<T>(a << (b & (w - 1)));
  } else if constexpr (op == Vex::kShrx) {
    return static_cast<T>(a >> (b & (w - 1)));
  } else {  // kRorx
    return std::rotr(a, static_cast<int>(imm & (w - 1)));
  }
}

template <Vex op>
struct VexOp {
  template <typename T, Form F>
  struct Op {
    static Flow Run(Cpu& cpu, const DecodedInsn& in) {
      T a, b;
      if (!ReadTwoSources<T, F, RmFirst(op)>(cpu, in, &a, &b)) return Flow::kFault;
      uint64_t f = 0;
      const T r = ComputeVex<op, T>(a, b, in.imm, &f);
      cpu.SetReg<T>(in.reg, r);
      if constexpr (WritesFlags(op)) SetArithFlags(cpu, f);
      return cpu.Next(in);
    }
  };
};

// Only 32- and 64-bit forms exist (VEX.W picks; ignored outside 64-bit mode).
template <template <typename, Form> class Op>
Handler PickWide(int bytes, Form form) {
  return bytes == 4 || bytes == 8 ? FormTable<Op>::Pick(bytes, form) : nullptr;
}

template <Vex op>
bool BindVex(const ZydisInsn& z, DecodedInsn& out) {
  Form form;
  if (!BindThreeOperands(z, out, RmFirst(op), &form)) return false;
  out.handler = PickWide<VexOp<op>::template Op>(out.size, form);
  return out.handler != nullptr;
}

// ---- BLSI BLSMSK BLSR: VEX.vvvv <- f(r/m) ------------------------------------

enum class Bls : uint8_t { kIsolate, kMask, kReset };

template <Bls op>
struct BlsOp {
  template <typename T, Form F>
  struct Op {
    static Flow Run(Cpu& cpu, const DecodedInsn& in) {
      T src;
      if (!ReadSource<T, F>(cpu, in, &src)) return Flow::kFault;
      T r;
      uint64_t f;
      if constexpr (op == Bls::kIsolate) {
        r = static_cast<T>(src & (~src + 1));
        f = (ResultFlags(r) & (kSF | kZF)) | (src != 0 ? kCF : 0);
      } else if constexpr (op == Bls::kMask) {
        r = static_cast<T>(src ^ (src - 1));
        f = (ResultFlags(r) & kSF) | (src == 0 ? kCF : 0);  // ZF cleared
      } else {
        r = static_cast<T>(src & (src - 1));
        f = (ResultFlags(r) & (kSF | kZF)) | (src == 0 ? kCF : 0);
      }
      cpu.SetReg<T>(in.reg, r);
      SetArithFlags(cpu, f);
      return cpu.Next(in);
    }
  };
};

template <Bls op>
bool BindBls(const ZydisInsn& z, DecodedInsn& out) {
  Form form;
  if (!BindTwoOperands(z, out, &form) || (form != Form::kRR && form != Form::kRM)) return false;
  out.handler = PickWide<BlsOp<op>::template Op>(out.size, form);
  return out.handler != nullptr;
}

// ---- MULX: hi:lo <- EDX/RDX * r/m, no flags ----------------------------------

template <typename T, Form F>
struct MulxOp {
  static Flow Run(Cpu& cpu, const DecodedInsn& in) {
    T src;
    if (!ReadSource<T, F>(cpu, in, &src)) return Flow::kFault;
    using Wide = std::conditional_t<sizeof(T) == 8, unsigned __int128, uint64_t>;
    const Wide product = static_cast<Wide>(cpu.Reg<T>(kRdx * 8)) * src;
    // The low half goes to VEX.vvvv first: when both name one register, it
    // holds the high half (SDM vol. 2 MULX).
    cpu.SetReg<T>(in.aux, static_cast<T>(product));
    cpu.SetReg<T>(in.reg, static_cast<T>(product >> kBits<T>));
    return cpu.Next(in);
  }
};

bool BindMulx(const ZydisInsn& z, DecodedInsn& out) {
  Form form;
  if (!BindThreeOperands(z, out, /*rm_first=*/false, &form)) return false;
  out.handler = PickWide<MulxOp>(out.size, form);
  return out.handler != nullptr;
}

// ---- ADCX ADOX: an add with carry through CF or OF alone ---------------------

template <uint64_t kCarryFlag>
struct AddCarryOp {
  template <typename T, Form F>
  struct Op {
    static Flow Run(Cpu& cpu, const DecodedInsn& in) {
      T src;
      if (!ReadSource<T, F>(cpu, in, &src)) return Flow::kFault;
      const T dst = cpu.Reg<T>(in.reg);
      const T carry_in = (cpu.state.rflags & kCarryFlag) ? 1 : 0;
      const T sum = static_cast<T>(dst + src + carry_in);
      const bool carry_out = sum < dst || (carry_in && sum == dst);
      cpu.SetReg<T>(in.reg, sum);
      MergeFlags(cpu.state.rflags, carry_out ? kCarryFlag : 0, kCarryFlag, kCarryFlag);
      return cpu.Next(in);
    }
  };
};

template <uint64_t kCarryFlag>
bool BindAddCarry(const ZydisInsn& z, DecodedInsn& out) {
  Form form;
  if (!BindTwoOperands(z, out, &form) || (form != Form::kRR && form != Form::kRM)) return false;
  out.handler = PickWide<AddCarryOp<kCarryFlag>::template Op>(out.size, form);
  return out.handler != nullptr;
}

}  // namespace

void RegisterBitManipulationOps(BinderTable& t) {
  t.Add(ZYDIS_MNEMONIC_POPCNT, BindCount<Count::kPopulation>);
  t.Add(ZYDIS_MNEMONIC_LZCNT, BindCount<Count::kLeadingZeros>);
  t.Add(ZYDIS_MNEMONIC_TZCNT, BindCount<Count::kTrailingZeros>);
  t.Add(ZYDIS_MNEMONIC_MOVBE, BindMovbe);
  t.Add(ZYDIS_MNEMONIC_ANDN, BindVex<Vex::kAndn>);
  t.Add(ZYDIS_MNEMONIC_BEXTR, BindVex<Vex::kBextr>);
  t.Add(ZYDIS_MNEMONIC_BZHI, BindVex<Vex::kBzhi>);
  t.Add(ZYDIS_MNEMONIC_PDEP, BindVex<Vex::kPdep>);
  t.Add(ZYDIS_MNEMONIC_PEXT, BindVex<Vex::kPext>);
  t.Add(ZYDIS_MNEMONIC_SARX, BindVex<Vex::kSarx>);
  t.Add(ZYDIS_MNEMONIC_SHLX, BindVex<Vex::kShlx>);
  t.Add(ZYDIS_MNEMONIC_SHRX, BindVex<Vex::kShrx>);
  t.Add(ZYDIS_MNEMONIC_RORX, BindVex<Vex::kRorx>);
  t.Add(ZYDIS_MNEMONIC_BLSI, BindBls<Bls::kIsolate>);
  t.Add(ZYDIS_MNEMONIC_BLSMSK, BindBls<Bls::kMask>);
  t.Add(ZYDIS_MNEMONIC_BLSR, BindBls<Bls::kReset>);
  t.Add(ZYDIS_MNEMONIC_MULX, BindMulx);
  t.Add(ZYDIS_MNEMONIC_ADCX, BindAddCarry<kCF>);
  t.Add(ZYDIS_MNEMONIC_ADOX, BindAddCarry<kOF>);
}

}  // namespace x64sim
