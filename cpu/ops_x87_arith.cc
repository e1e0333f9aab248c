// x87 arithmetic, compares and transcendentals (SDM vol. 2: FADD, FSUB,
// FSUBR, FMUL, FDIV, FDIVR in every form, FCOM/FUCOM/FCOMI/FUCOMI/FICOM
// and their popping forms, FTST, FXAM, FCHS, FABS, FSQRT, FRNDINT, FSCALE,
// FXTRACT, FPREM, FPREM1, FSIN, FCOS, FSINCOS, FPTAN, FPATAN, F2XM1, FYL2X,
// FYL2XP1). Each computes on the host's x87 unit under the guest's control
// word (cpu/x87.h); which registers it reads, writes, pops and pushes, and
// its stack faults, are x64sim's.
#include <utility>

#include "cpu/cpu.h"
#include "cpu/x87.h"

namespace x64sim {

namespace {

// Where an instruction's operands and result live, relative to the stack
// before it runs. The host runs it from ST(0) and the second operand as
// its ST(1).
enum class Second : uint8_t { kNone, kStI, kSt1, kMemory };
enum class Dest : uint8_t {
  kNone,     // compares: condition codes or RFLAGS only
  kSt0,      // the host's ST(0)
  kStI,      // ST(i) op= ST(0): the host's ST(1)
  kStIPop,   // ST(i) op= ST(0), then pop: the host popped too, so its ST(0)
  kSt1Pop,   // ST(1) = f(ST(1), ST(0)), then pop: likewise
  kPushPair, // ST(0) replaced by the host's ST(1), then the host's ST(0) pushed
};

constexpr uint16_t kAllConditions = kFswC0 | kFswC1 | kFswC2 | kFswC3;

struct Shape {
  Second second = Second::kNone;
  int mem_bytes = 0;
  Dest dest = Dest::kSt0;
  int pops = 0;  // for compares; the Dest says a result's pop
  bool eflags = false;  // FCOMI family: ZF, PF, CF
  bool reports_c2 = false;     // FPREM and the FSIN family: C2 = 0 after a stack fault
  bool range_checked = false;  // FSIN family: C2 = 1, operand out of range, nothing written
};

void SetConditions(SseState& s, uint16_t mask, uint16_t value) {
  s.fsw = static_cast<uint16_t>((s.fsw & ~mask) | (value & mask));
}

// RFLAGS after an FCOMI-family compare: ZF PF CF as given, OF SF AF clear.
void SetCompareFlags(Cpu& cpu, bool zf, bool pf, bool cf) {
  uint64_t& f = cpu.state.rflags;
  f = (f & ~kArithFlags) | (zf ? kZF : 0) | (pf ? kPF : 0) | (cf ? kCF : 0);
}

void WriteResult(SseState& s, Dest dest, int i, const HostX87& hx) {
  switch (dest) {
    case Dest::kNone: break;
    case Dest::kSt0: SetSt(s, 0, hx.st[0]); break;
    case Dest::kStI: SetSt(s, i, hx.st[1]); break;
    case Dest::kStIPop: SetSt(s, i, hx.st[0]); Pop(s); break;
    case Dest::kSt1Pop: SetSt(s, 1, hx.st[0]); Pop(s); break;
    case Dest::kPushPair:
      SetSt(s, 0, hx.st[1]);
      Push(s, hx.st[0]);
      break;
  }
}

// A compare with an empty operand reports unordered, masked or not (as
// the host does); FPREM and FSIN and friends clear C2.
void StackFaultConditions(Cpu& cpu, const Shape& k) {
  SseState& s = cpu.state.sse;
  if (k.eflags) {
    SetCompareFlags(cpu, true, true, true);
  } else if (k.dest == Dest::kNone) {
    SetConditions(s, kFswC0 | kFswC2 | kFswC3, kFswC0 | kFswC2 | kFswC3);
  } else if (k.reports_c2) {
    SetConditions(s, kFswC2, 0);
  }
}

// Masked stack fault (SDM vol. 1 8.5.1.1): the destination gets the real
// indefinite.
void IndefiniteResult(Cpu& cpu, const Shape& k, int i) {
  SseState& s = cpu.state.sse;
  HostX87 hx{};
  hx.st[0] = hx.st[1] = kIndefinite;
  WriteResult(s, k.dest, i, hx);
}

template <HostRun kRun, Shape k>
Flow Compute(Cpu& cpu, const DecodedInsn& in) {
  if (!X87Begin(cpu, in, k.second == Second::kMemory)) return Flow::kFault;
  SseState& s = cpu.state.sse;
  HostX87 hx{};
  if (k.second == Second::kMemory && !cpu.ReadBytes(cpu.Linear(in), hx.mem, k.mem_bytes)) {
    return Flow::kFault;
  }
  const int i = k.second == Second::kSt1 ? 1 : in.reg;
  const bool reads_second = k.second == Second::kStI || k.second == Second::kSt1;
  if (IsEmpty(s, 0) || (reads_second && IsEmpty(s, i))) {
    StackFaultConditions(cpu, k);
    if (StackFault(s, /*overflow=*/false)) {
      IndefiniteResult(cpu, k, i);
      for (int p = 0; p < k.pops; ++p) Pop(s);
    }
    return cpu.Next(in);
  }
  if (k.dest == Dest::kPushPair && !IsEmpty(s, 7)) {
    StackFaultConditions(cpu, k);
    if (StackFault(s, /*overflow=*/true)) IndefiniteResult(cpu, k, i);
    return cpu.Next(in);
  }
  hx.st[0] = St(s, 0);
  if (reads_second) hx.st[1] = St(s, i);
  kRun(s.fcw, s.fsw, hx);
  s.fsw = static_cast<uint16_t>(s.fsw | (hx.fsw & kFswExceptions));
  SetConditions(s, kAllConditions, hx.fsw);
  UpdateSummary(s);
  if (k.eflags) SetCompareFlags(cpu, hx.zf, hx.pf, hx.cf);
  // An unmasked IE, DE or ZE delivers nothing and pops nothing (8.5.1-8.5.3);
  // a source out of range leaves FSIN and friends' operand alone (C2 = 1).
  if (hx.fsw & ~s.fcw & kFswPreComputation) return cpu.Next(in);
  if (k.range_checked && (hx.fsw & kFswC2)) return cpu.Next(in);
  WriteResult(s, k.dest, i, hx);
  for (int p = 0; p < k.pops; ++p) Pop(s);
  return cpu.Next(in);
}

// FXAM classifies ST(0), empty included: C3 C2 C0 = 1 0 1 when empty, C1
// the sign bit (SDM vol. 2 FXAM). Never an exception.
Flow Examine(Cpu& cpu, const DecodedInsn& in) {
  if (!X87Begin(cpu, in, false)) return Flow::kFault;
  SseState& s = cpu.state.sse;
  const F80 v = St(s, 0);
  const uint16_t sign = (v.sign_exponent & 0x8000) ? kFswC1 : 0;
  if (IsEmpty(s, 0)) {
    SetConditions(s, kAllConditions, kFswC3 | kFswC0 | sign);
    return cpu.Next(in);
  }
  HostX87 hx{};
  hx.st[0] = v;
  RunOnHost<0xd9, 0xe5>(s.fcw, s.fsw, hx);
  SetConditions(s, kAllConditions, hx.fsw);
  return cpu.Next(in);
}


// The D8/DC/DA/DE group's operation (ModR/M reg field): 2 FCOM, 3 FCOMP.
constexpr bool IsCompare(int r) { return r == 2 || r == 3; }

template <int kReg, int kBytes>
constexpr Shape MemoryShape() {
  Shape k{.second = Second::kMemory, .mem_bytes = kBytes};
  if (IsCompare(kReg)) {
    k.dest = Dest::kNone;
    k.pops = kReg == 3;
  }
  return k;
}

template <uint8_t kOp, int kReg, int kBytes>
constexpr Handler MemoryForm() {
  return &Compute<&RunOnHost<kOp, kReg << 3>, MemoryShape<kReg, kBytes>()>;
}

template <uint8_t kOp, int kBytes, int... kRegs>
Handler MemoryGroup(int reg, std::integer_sequence<int, kRegs...>) {
  static constexpr Handler kTable[] = {MemoryForm<kOp, kRegs, kBytes>()...};
  return kTable[reg];
}

// Register forms: D8 (ST(0) op= ST(i)), DC (ST(i) op= ST(0)), DE (likewise,
// then pop). DC/DE's reg fields 2 and 3 are not defined forms but DE D9
// (FCOMPP).
template <uint8_t kOp, int kReg>
constexpr Shape RegisterShape() {
  Shape k{.second = Second::kStI};
  if (kOp == 0xd8 && IsCompare(kReg)) {
    k.dest = Dest::kNone;
    k.pops = kReg == 3;
  } else if (kOp == 0xdc) {
    k.dest = Dest::kStI;
  } else if (kOp == 0xde) {
    k.dest = Dest::kStIPop;
  }
  return k;
}

template <uint8_t kOp, int... kRegs>
Handler RegisterGroup(int reg, std::integer_sequence<int, kRegs...>) {
  static constexpr Handler kTable[] = {
      &Compute<&RunOnHost<kOp, 0xc1 | (kRegs << 3)>, RegisterShape<kOp, kRegs>()>...};
  return kTable[reg];
}

constexpr Shape kCompareSt{.second = Second::kStI, .dest = Dest::kNone};
constexpr Shape kComparePopSt{.second = Second::kStI, .dest = Dest::kNone, .pops = 1};
constexpr Shape kComparePop2{.second = Second::kSt1, .dest = Dest::kNone, .pops = 2};
constexpr Shape kCompareFlags{.second = Second::kStI, .dest = Dest::kNone, .eflags = true};
constexpr Shape kCompareFlagsPop{
    .second = Second::kStI, .dest = Dest::kNone, .pops = 1, .eflags = true};
constexpr Shape kUnary{};
constexpr Shape kTest{.dest = Dest::kNone};
constexpr Shape kWithSt1{.second = Second::kSt1};
constexpr Shape kOfSt1Pop{.second = Second::kSt1, .dest = Dest::kSt1Pop};
constexpr Shape kRemainder{.second = Second::kSt1, .reports_c2 = true};
constexpr Shape kTrig{.reports_c2 = true, .range_checked = true};
constexpr Shape kTrigPush{.dest = Dest::kPushPair, .reports_c2 = true, .range_checked = true};
constexpr Shape kPushPair{.dest = Dest::kPushPair};

template <uint8_t kOp, uint8_t kModRM, Shape k>
constexpr Handler kForm = &Compute<&RunOnHost<kOp, kModRM>, k>;

Handler FindArith(uint8_t op, uint8_t modrm) {
  constexpr auto kRegs = std::make_integer_sequence<int, 8>();
  const int reg = (modrm >> 3) & 7;
  if (modrm < 0xc0) {
    switch (op) {
      case 0xd8: return MemoryGroup<0xd8, 4>(reg, kRegs);  // m32fp
      case 0xdc: return MemoryGroup<0xdc, 8>(reg, kRegs);  // m64fp
      case 0xda: return MemoryGroup<0xda, 4>(reg, kRegs);  // m32int
      case 0xde: return MemoryGroup<0xde, 2>(reg, kRegs);  // m16int
      default: return nullptr;
    }
  }
  switch ((op << 8) | modrm) {
    case 0xded9: return kForm<0xde, 0xd9, kComparePop2>;  // FCOMPP
    case 0xdae9: return kForm<0xda, 0xe9, kComparePop2>;  // FUCOMPP
    case 0xd9e0: return kForm<0xd9, 0xe0, kUnary>;        // FCHS
    case 0xd9e1: return kForm<0xd9, 0xe1, kUnary>;        // FABS
    case 0xd9e4: return kForm<0xd9, 0xe4, kTest>;         // FTST
    case 0xd9e5: return &Examine;                          // FXAM
    case 0xd9f0: return kForm<0xd9, 0xf0, kUnary>;        // F2XM1
    case 0xd9f1: return kForm<0xd9, 0xf1, kOfSt1Pop>;     // FYL2X
    case 0xd9f2: return kForm<0xd9, 0xf2, kTrigPush>;     // FPTAN
    case 0xd9f3: return kForm<0xd9, 0xf3, kOfSt1Pop>;     // FPATAN
    case 0xd9f4: return kForm<0xd9, 0xf4, kPushPair>;     // FXTRACT
    case 0xd9f5: return kForm<0xd9, 0xf5, kRemainder>;    // FPREM1
    case 0xd9f8: return kForm<0xd9, 0xf8, kRemainder>;    // FPREM
    case 0xd9f9: return kForm<0xd9, 0xf9, kOfSt1Pop>;     // FYL2XP1
    case 0xd9fa: return kForm<0xd9, 0xfa, kUnary>;        // FSQRT
    case 0xd9fb: return kForm<0xd9, 0xfb, kTrigPush>;     // FSINCOS
    case 0xd9fc: return kForm<0xd9, 0xfc, kUnary>;        // FRNDINT
    case 0xd9fd: return kForm<0xd9, 0xfd, kWithSt1>;      // FSCALE
    case 0xd9fe: return kForm<0xd9, 0xfe, kTrig>;         // FSIN
    case 0xd9ff: return kForm<0xd9, 0xff, kTrig>;         // FCOS
    default: break;
  }
  switch ((op << 8) | (modrm & 0xf8)) {
    case 0xdde0: return kForm<0xdd, 0xe1, kCompareSt>;                // FUCOM ST(i)
    case 0xdde8: return kForm<0xdd, 0xe9, kComparePopSt>;             // FUCOMP ST(i)
    case 0xdbe8: return kForm<0xdb, 0xe9, kCompareFlags>;             // FUCOMI
    case 0xdbf0: return kForm<0xdb, 0xf1, kCompareFlags>;             // FCOMI
    case 0xdfe8: return kForm<0xdf, 0xe9, kCompareFlagsPop>;          // FUCOMIP
    case 0xdff0: return kForm<0xdf, 0xf1, kCompareFlagsPop>;          // FCOMIP
    case 0xdec0: case 0xdec8: case 0xdee0: case 0xdee8: case 0xdef0: case 0xdef8:
      return RegisterGroup<0xde>(reg, kRegs);
    case 0xdcc0: case 0xdcc8: case 0xdce0: case 0xdce8: case 0xdcf0: case 0xdcf8:
      return RegisterGroup<0xdc>(reg, kRegs);
    default: break;
  }
  return op == 0xd8 ? RegisterGroup<0xd8>(reg, kRegs) : nullptr;
}

}  // namespace

void RegisterX87ArithOps(BinderTable& t) {
  for (ZydisMnemonic m :
       {ZYDIS_MNEMONIC_FADD, ZYDIS_MNEMONIC_FADDP, ZYDIS_MNEMONIC_FIADD, ZYDIS_MNEMONIC_FSUB,
        ZYDIS_MNEMONIC_FSUBP, ZYDIS_MNEMONIC_FISUB, ZYDIS_MNEMONIC_FSUBR, ZYDIS_MNEMONIC_FSUBRP,
        ZYDIS_MNEMONIC_FISUBR, ZYDIS_MNEMONIC_FMUL, ZYDIS_MNEMONIC_FMULP, ZYDIS_MNEMONIC_FIMUL,
        ZYDIS_MNEMONIC_FDIV, ZYDIS_MNEMONIC_FDIVP, ZYDIS_MNEMONIC_FIDIV, ZYDIS_MNEMONIC_FDIVR,
        ZYDIS_MNEMONIC_FDIVRP, ZYDIS_MNEMONIC_FIDIVR, ZYDIS_MNEMONIC_FCOM, ZYDIS_MNEMONIC_FCOMP,
        ZYDIS_MNEMONIC_FCOMPP, ZYDIS_MNEMONIC_FICOM, ZYDIS_MNEMONIC_FICOMP, ZYDIS_MNEMONIC_FUCOM,
        ZYDIS_MNEMONIC_FUCOMP, ZYDIS_MNEMONIC_FUCOMPP, ZYDIS_MNEMONIC_FCOMI,
        ZYDIS_MNEMONIC_FCOMIP, ZYDIS_MNEMONIC_FUCOMI, ZYDIS_MNEMONIC_FUCOMIP, ZYDIS_MNEMONIC_FTST,
        ZYDIS_MNEMONIC_FXAM, ZYDIS_MNEMONIC_FCHS, ZYDIS_MNEMONIC_FABS, ZYDIS_MNEMONIC_FSQRT,
        ZYDIS_MNEMONIC_FRNDINT, ZYDIS_MNEMONIC_FSCALE, ZYDIS_MNEMONIC_FXTRACT,
        ZYDIS_MNEMONIC_FPREM, ZYDIS_MNEMONIC_FPREM1, ZYDIS_MNEMONIC_FSIN, ZYDIS_MNEMONIC_FCOS,
        ZYDIS_MNEMONIC_FSINCOS, ZYDIS_MNEMONIC_FPTAN, ZYDIS_MNEMONIC_FPATAN,
        ZYDIS_MNEMONIC_F2XM1, ZYDIS_MNEMONIC_FYL2X, ZYDIS_MNEMONIC_FYL2XP1}) {
    t.Add(m, &BindX87<&FindArith>);
  }
}

}  // namespace x64sim
