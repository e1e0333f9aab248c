// Operand forms shared by the integer handlers: where the destination and
// source of a two-operand instruction live.
#ifndef X64SIM_CPU_OPERAND_FORMS_H_
#define X64SIM_CPU_OPERAND_FORMS_H_

#include <cstdint>

#include "cpu/binder.h"
#include "cpu/cpu.h"

namespace x64sim {

enum class Form : uint8_t {
  kRR,  // reg <- reg2
  kRM,  // reg <- [mem]
  kMR,  // [mem] <- reg2
  kRI,  // reg <- imm
  kMI,  // [mem] <- imm
};

inline constexpr bool DestIsMem(Form f) { return f == Form::kMR || f == Form::kMI; }

// How a handler's memory accesses go. kFull: Read and Write, slow path and
// faults included. kFastOnly: the soft TLB's fast path alone, failing with
// nothing done where the full access would take its slow path; the handler
// then runs again with kFull, in a function apart (AccessFailed), so that
// its common case makes no call and needs no stack frame.
enum class Path : bool { kFastOnly, kFull };

// A memory operand's load: kForUpdate when the instruction writes the
// result back there (Cpu::ReadForUpdate), not for CMP, TEST or BT.
template <typename T, bool kForUpdate, Path kPath = Path::kFull>
inline bool ReadMemoryOperand(Cpu& cpu, uint64_t linear, T* v) {
  if constexpr (kPath == Path::kFastOnly) {
    return kForUpdate ? cpu.TryFastReadForUpdate<T>(linear, v) : cpu.TryFastRead<T>(linear, v);
  } else if constexpr (kForUpdate) {
    return cpu.ReadForUpdate<T>(linear, v);
  } else {
    return cpu.Read<T>(linear, v);
  }
}

template <typename T, Path kPath>
inline bool WriteMemoryOperand(Cpu& cpu, uint64_t linear, T v) {
  if constexpr (kPath == Path::kFastOnly) {
    return cpu.TryFastWrite<T>(linear, v);
  } else {
    return cpu.Write<T>(linear, v);
  }
}

// Reads the destination (first) operand; sets *linear for memory forms.
template <typename T, Form F, bool kForUpdate, Path kPath = Path::kFull>
inline bool ReadDest(Cpu& cpu, const DecodedInsn& in, T* v, uint64_t* linear) {
  if constexpr (DestIsMem(F)) {
    *linear = cpu.Linear(in);
    return ReadMemoryOperand<T, kForUpdate, kPath>(cpu, *linear, v);
  } else {
    *v = cpu.Reg<T>(in.reg);
    return true;
  }
}

template <typename T, Form F, Path kPath = Path::kFull>
inline bool ReadSource(Cpu& cpu, const DecodedInsn& in, T* v) {
  if constexpr (F == Form::kRR || F == Form::kMR) {
    *v = cpu.Reg<T>(in.reg2);
  } else if constexpr (F == Form::kRM) {
    return ReadMemoryOperand<T, false, kPath>(cpu, cpu.Linear(in), v);
  } else {
    *v = static_cast<T>(in.imm);
  }
  return true;
}

template <typename T, Form F, Path kPath = Path::kFull>
inline bool WriteDest(Cpu& cpu, const DecodedInsn& in, T v, uint64_t linear) {
  if constexpr (DestIsMem(F)) {
    return WriteMemoryOperand<T, kPath>(cpu, linear, v);
  } else {
    cpu.SetReg<T>(in.reg, v);
    return true;
  }
}

// Handlers that take memory operands run Op::Body<kFastOnly>; where one of
// its accesses misses the fast path, it returns AccessFailed, which runs
// Body<kFull> from the start (a tail call to a function apart). So the fast
// body must change nothing before its last access that can miss. Under
// kFull, AccessFailed is the fault.
template <class Op>
[[gnu::noinline]] Flow RunFull(Cpu& cpu, const DecodedInsn& in) {
  return Op::template Body<Path::kFull>(cpu, in);
}
template <class Op, Path kPath>
[[gnu::always_inline]] inline Flow AccessFailed(Cpu& cpu, const DecodedInsn& in) {
  if constexpr (kPath == Path::kFastOnly) {
    return RunFull<Op>(cpu, in);
  } else {
    return Flow::kFault;
  }
}

// Classifies a two-operand instruction's visible operands 0 and 1 and fills
// the register/memory/immediate fields. Returns false for other shapes.
bool BindTwoOperands(const ZydisInsn& z, DecodedInsn& out, Form* form);
// Classifies a one-operand (register or memory) instruction.
bool BindOneOperand(const ZydisInsn& z, DecodedInsn& out, bool* is_mem);

// Picks handler[size index][form] for sizes 1, 2, 4, 8.
inline int SizeIndex(int bytes) {
  return bytes == 1 ? 0 : bytes == 2 ? 1 : bytes == 4 ? 2 : bytes == 8 ? 3 : -1;
}

template <template <typename, Form> class Op>
struct FormTable {
  template <typename T>
  static constexpr Handler Row(Form f) {
    switch (f) {
      case Form::kRR: return &Op<T, Form::kRR>::Run;
      case Form::kRM: return &Op<T, Form::kRM>::Run;
      case Form::kMR: return &Op<T, Form::kMR>::Run;
      case Form::kRI: return &Op<T, Form::kRI>::Run;
      case Form::kMI: return &Op<T, Form::kMI>::Run;
    }
    return nullptr;
  }
  static Handler Pick(int bytes, Form f) {
    switch (bytes) {
      case 1: return Row<uint8_t>(f);
      case 2: return Row<uint16_t>(f);
      case 4: return Row<uint32_t>(f);
      case 8: return Row<uint64_t>(f);
    }
    return nullptr;
  }
};

// Same for one-operand instructions: Op<T, kMem>.
template <template <typename, bool> class Op>
struct UnaryTable {
  static Handler Pick(int bytes, bool mem) {
    switch (bytes) {
      case 1: return mem ? &Op<uint8_t, true>::Run : &Op<uint8_t, false>::Run;
      case 2: return mem ? &Op<uint16_t, true>::Run : &Op<uint16_t, false>::Run;
      case 4: return mem ? &Op<uint32_t, true>::Run : &Op<uint32_t, false>::Run;
      case 8: return mem ? &Op<uint64_t, true>::Run : &Op<uint64_t, false>::Run;
    }
    return nullptr;
  }
};

// Reads/writes a one-operand instruction's operand.
template <typename T, bool kMem, bool kForUpdate, Path kPath = Path::kFull>
inline bool ReadUnary(Cpu& cpu, const DecodedInsn& in, T* v, uint64_t* linear) {
  if constexpr (kMem) {
    *linear = cpu.Linear(in);
    return ReadMemoryOperand<T, kForUpdate, kPath>(cpu, *linear, v);
  } else {
    *v = cpu.Reg<T>(in.reg);
    return true;
  }
}

template <typename T, bool kMem, Path kPath = Path::kFull>
inline bool WriteUnary(Cpu& cpu, const DecodedInsn& in, T v, uint64_t linear) {
  if constexpr (kMem) {
    return WriteMemoryOperand<T, kPath>(cpu, linear, v);
  } else {
    cpu.SetReg<T>(in.reg, v);
    return true;
  }
}

// Condition codes in encoding order (SDM vol. 1 B.1): O NO B NB Z NZ BE NBE S NS P NP L NL LE NLE.
inline bool EvalCondition(int cc, uint64_t f) {
  bool r;
  switch (cc >> 1) {
    case 0: r = f & kOF; break;
    case 1: r = f & kCF; break;
    case 2: r = f & kZF; break;
    case 3: r = f & (kCF | kZF); break;
    case 4: r = f & kSF; break;
    case 5: r = f & kPF; break;
    case 6: r = !(f & kSF) != !(f & kOF); break;
    default: r = (f & kZF) || (!(f & kSF) != !(f & kOF)); break;
  }
  return r != (cc & 1);
}

// Condition code of a Jcc/SETcc/CMOVcc mnemonic, or -1.
int ConditionOf(ZydisMnemonic m);
// JO..JNLE (not JrCXZ or LOOP).
inline bool IsConditionalJump(ZydisMnemonic m) {
  return ConditionOf(m) >= 0 && ZydisMnemonicGetString(m)[0] == 'j';
}

}  // namespace x64sim

#endif  // X64SIM_CPU_OPERAND_FORMS_H_
