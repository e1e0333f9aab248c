// x87 loads, stores and stack operations (SDM vol. 2 FLD, FST, FILD, FIST,
// FISTTP, FBLD, FBSTP, FLD1 and the other constants, FXCH, FFREE,
// FINCSTP, FDECSTP, FCMOVcc, FNOP; FFREEP, FSTPNCE and the ignored FENI,
// FDISI, FSETPM). Conversions to and from memory formats
// run on the host (cpu/x87.h); the stack, tags and faults are x64sim's.
#include "cpu/cpu.h"
#include "cpu/x87.h"

namespace x64sim {

namespace {

// Takes the host's exception flags and condition codes (it started from
// the guest's, cpu/x87.h).
void MergeStatus(SseState& s, uint16_t host_fsw) {
  s.fsw = static_cast<uint16_t>((s.fsw & ~kFswConditions) |
                                (host_fsw & (kFswExceptions | kFswConditions)));
  UpdateSummary(s);
}

// Pushes a value: from memory (kBytes of it, converted on the host), or a
// constant (kBytes = 0). A full stack is an overflow (SDM vol. 1 8.5.1.1);
// an unmasked IE (SNaN source) leaves the stack as it was. An unmasked DE
// (denormal m32fp/m64fp) does not hold the load back: the host does the
// load, though SDM vol. 1 8.5.2 says TOP stays; docs/cpu.md.
template <HostRun kRun, int kBytes>
Flow Load(Cpu& cpu, const DecodedInsn& in) {
  if (!X87Begin(cpu, in, kBytes > 0)) return Flow::kFault;
  SseState& s = cpu.state.sse;
  HostX87 hx{};
  if (kBytes > 0 && !cpu.ReadBytes(cpu.Linear(in), hx.mem, kBytes)) return Flow::kFault;
  if (!IsEmpty(s, 7)) {
    if (StackFault(s, /*overflow=*/true)) Push(s, kIndefinite);
    return cpu.Next(in);
  }
  kRun(s.fcw, s.fsw, hx);
  MergeStatus(s, hx.fsw);
  if (!(hx.fsw & ~s.fcw & kFswInvalid)) Push(s, hx.st[0]);
  return cpu.Next(in);
}

// FLD ST(i): pushes a copy, no conversion and no exception but the stack's.
Flow LoadRegister(Cpu& cpu, const DecodedInsn& in) {
  if (!X87Begin(cpu, in, false)) return Flow::kFault;
  SseState& s = cpu.state.sse;
  // An empty source is reported before a full stack (as on the host).
  if (IsEmpty(s, in.reg)) {
    if (StackFault(s, /*overflow=*/false)) Push(s, kIndefinite);
  } else if (!IsEmpty(s, 7)) {
    if (StackFault(s, /*overflow=*/true)) Push(s, kIndefinite);
  } else {
    SetC1(s, false);
    Push(s, St(s, in.reg));
  }
  return cpu.Next(in);
}

// Stores ST(0) to kBytes of memory in the instruction's format, then pops
// if kPop. An empty ST(0) is an underflow; masked, what is stored is the
// conversion of the real indefinite (the format's indefinite). An unmasked
// exception other than PE leaves memory and the stack unchanged (SDM vol.
// 1 8.5.1.2, 8.5.4, 8.5.5).
template <HostRun kRun, int kBytes, bool kPop>
Flow Store(Cpu& cpu, const DecodedInsn& in) {
  if (!X87Begin(cpu, in, true)) return Flow::kFault;
  SseState& s = cpu.state.sse;
  const bool empty = IsEmpty(s, 0);
  if (empty && !(s.fcw & kFswInvalid)) {
    StackFault(s, /*overflow=*/false);
    return cpu.Next(in);
  }
  HostX87 hx{};
  hx.st[0] = empty ? kIndefinite : St(s, 0);
  kRun(s.fcw, s.fsw, hx);
  const bool delivered = !(hx.fsw & ~s.fcw & kFswStoreBlocking);
  if (delivered && !cpu.WriteBytes(cpu.Linear(in), hx.mem, kBytes)) return Flow::kFault;
  MergeStatus(s, hx.fsw);
  if (empty) StackFault(s, /*overflow=*/false);
  if (delivered && kPop) Pop(s);
  return cpu.Next(in);
}

// FST/FSTP ST(i): a copy, no conversion. Masked underflow stores the
// indefinite.
template <bool kPop>
Flow StoreRegister(Cpu& cpu, const DecodedInsn& in) {
  if (!X87Begin(cpu, in, false)) return Flow::kFault;
  SseState& s = cpu.state.sse;
  if (IsEmpty(s, 0)) {
    if (!StackFault(s, /*overflow=*/false)) return cpu.Next(in);
    SetSt(s, in.reg, kIndefinite);
  } else {
    SetC1(s, false);
    SetSt(s, in.reg, St(s, 0));
  }
  if (kPop) Pop(s);
  return cpu.Next(in);
}

// FSTPNCE ST(i) (D9 D8+i): FSTP ST(i) without the stack check; with ST(0)
// empty, ST(i) is left alone and the pop is all (as the host does).
Flow StoreRegisterUnchecked(Cpu& cpu, const DecodedInsn& in) {
  if (!X87Begin(cpu, in, false)) return Flow::kFault;
  SseState& s = cpu.state.sse;
  if (!IsEmpty(s, 0)) SetSt(s, in.reg, St(s, 0));
  SetC1(s, false);
  Pop(s);
  return cpu.Next(in);
}

// FXCH ST(i). Masked underflow: empty operands become the indefinite first.
Flow Exchange(Cpu& cpu, const DecodedInsn& in) {
  if (!X87Begin(cpu, in, false)) return Flow::kFault;
  SseState& s = cpu.state.sse;
  if (IsEmpty(s, 0) || IsEmpty(s, in.reg)) {
    if (!StackFault(s, /*overflow=*/false)) return cpu.Next(in);
    if (IsEmpty(s, 0)) SetSt(s, 0, kIndefinite);
    if (IsEmpty(s, in.reg)) SetSt(s, in.reg, kIndefinite);
  } else {
    SetC1(s, false);
  }
  const F80 a = St(s, 0);
  SetSt(s, 0, St(s, in.reg));
  SetSt(s, in.reg, a);
  return cpu.Next(in);
}

// FFREE ST(i), and FFREEP (DF C0+i, AMD APM vol. 5): FFREE, then pop.
template <bool kPop>
Flow Free(Cpu& cpu, const DecodedInsn& in) {
  if (!X87Begin(cpu, in, false)) return Flow::kFault;
  SseState& s = cpu.state.sse;
  s.ftw = static_cast<uint8_t>(s.ftw & ~(1u << Physical(s, in.reg)));
  if (kPop) Pop(s);
  return cpu.Next(in);
}

// FINCSTP/FDECSTP: TOP only; the tags stay (SDM vol. 2 FINCSTP).
template <int kDelta>
Flow MoveTop(Cpu& cpu, const DecodedInsn& in) {
  if (!X87Begin(cpu, in, false)) return Flow::kFault;
  SseState& s = cpu.state.sse;
  SetTop(s, Top(s) + kDelta);
  SetC1(s, false);
  return cpu.Next(in);
}

Flow Nop(Cpu& cpu, const DecodedInsn& in) {
  if (!X87Begin(cpu, in, false)) return Flow::kFault;
  return cpu.Next(in);
}

// FCMOVcc ST(0), ST(i), on RFLAGS. An empty operand is an underflow;
// masked, ST(0) becomes the indefinite whatever the condition (as on the
// host; SDM vol. 1 8.5.1.1: the destination gets the indefinite). C1 is
// only written by an underflow (SDM vol. 2 FCMOVcc).
enum class MoveIf : uint8_t { kB, kE, kBE, kU };

template <MoveIf kCond, bool kNegate>
Flow ConditionalMove(Cpu& cpu, const DecodedInsn& in) {
  if (!X87Begin(cpu, in, false)) return Flow::kFault;
  SseState& s = cpu.state.sse;
  const uint64_t f = cpu.state.rflags;
  bool take = kCond == MoveIf::kB    ? (f & kCF) != 0
              : kCond == MoveIf::kE  ? (f & kZF) != 0
              : kCond == MoveIf::kBE ? (f & (kCF | kZF)) != 0
                                     : (f & kPF) != 0;
  if (kNegate) take = !take;
  if (IsEmpty(s, 0) || IsEmpty(s, in.reg)) {
    if (StackFault(s, /*overflow=*/false)) SetSt(s, 0, kIndefinite);
    return cpu.Next(in);
  }
  if (take) SetSt(s, 0, St(s, in.reg));
  return cpu.Next(in);
}

template <uint8_t kOp, uint8_t kModRM>
constexpr HostRun kHost = &RunOnHost<kOp, kModRM>;

// Memory forms by opcode byte and ModR/M reg field (modrm = reg << 3).
Handler FindMemory(uint8_t op, uint8_t modrm) {
  switch ((op << 8) | modrm) {
    case 0xd900: return &Load<kHost<0xd9, 0x00>, 4>;           // FLD m32fp
    case 0xdd00: return &Load<kHost<0xdd, 0x00>, 8>;           // FLD m64fp
    case 0xdb28: return &Load<kHost<0xdb, 0x28>, 10>;          // FLD m80fp
    case 0xdf00: return &Load<kHost<0xdf, 0x00>, 2>;           // FILD m16int
    case 0xdb00: return &Load<kHost<0xdb, 0x00>, 4>;           // FILD m32int
    case 0xdf28: return &Load<kHost<0xdf, 0x28>, 8>;           // FILD m64int
    case 0xdf20: return &Load<kHost<0xdf, 0x20>, 10>;          // FBLD m80bcd
    case 0xd910: return &Store<kHost<0xd9, 0x10>, 4, false>;   // FST m32fp
    case 0xdd10: return &Store<kHost<0xdd, 0x10>, 8, false>;   // FST m64fp
    case 0xd918: return &Store<kHost<0xd9, 0x18>, 4, true>;    // FSTP m32fp
    case 0xdd18: return &Store<kHost<0xdd, 0x18>, 8, true>;    // FSTP m64fp
    case 0xdb38: return &Store<kHost<0xdb, 0x38>, 10, true>;   // FSTP m80fp
    case 0xdf10: return &Store<kHost<0xdf, 0x10>, 2, false>;   // FIST m16int
    case 0xdb10: return &Store<kHost<0xdb, 0x10>, 4, false>;   // FIST m32int
    case 0xdf18: return &Store<kHost<0xdf, 0x18>, 2, true>;    // FISTP m16int
    case 0xdb18: return &Store<kHost<0xdb, 0x18>, 4, true>;    // FISTP m32int
    case 0xdf38: return &Store<kHost<0xdf, 0x38>, 8, true>;    // FISTP m64int
    case 0xdf08: return &Store<kHost<0xdf, 0x08>, 2, true>;    // FISTTP m16int
    case 0xdb08: return &Store<kHost<0xdb, 0x08>, 4, true>;    // FISTTP m32int
    case 0xdd08: return &Store<kHost<0xdd, 0x08>, 8, true>;    // FISTTP m64int
    case 0xdf30: return &Store<kHost<0xdf, 0x30>, 10, true>;   // FBSTP m80bcd
    default: return nullptr;
  }
}

Handler FindLoadStore(uint8_t op, uint8_t modrm) {
  if (modrm < 0xc0) return FindMemory(op, modrm);
  switch ((op << 8) | (modrm & 0xf8)) {
    case 0xd9c0: return &LoadRegister;             // FLD ST(i)
    case 0xd9c8: return &Exchange;                 // FXCH ST(i)
    case 0xddc0: return &Free<false>;              // FFREE ST(i)
    case 0xdfc0: return &Free<true>;               // FFREEP ST(i)
    case 0xd9d8: return &StoreRegisterUnchecked;   // FSTPNCE ST(i)
    case 0xddd0: return &StoreRegister<false>;     // FST ST(i)
    case 0xddd8: return &StoreRegister<true>;      // FSTP ST(i)
    case 0xdac0: return &ConditionalMove<MoveIf::kB, false>;
    case 0xdac8: return &ConditionalMove<MoveIf::kE, false>;
    case 0xdad0: return &ConditionalMove<MoveIf::kBE, false>;
    case 0xdad8: return &ConditionalMove<MoveIf::kU, false>;
    case 0xdbc0: return &ConditionalMove<MoveIf::kB, true>;
    case 0xdbc8: return &ConditionalMove<MoveIf::kE, true>;
    case 0xdbd0: return &ConditionalMove<MoveIf::kBE, true>;
    case 0xdbd8: return &ConditionalMove<MoveIf::kU, true>;
    default: break;
  }
  switch ((op << 8) | modrm) {
    case 0xd9d0: return &Nop;                          // FNOP
    // FENI, FDISI and FSETPM: 8087/287 controls a 387 and later ignore.
    case 0xdbe0: return &Nop;
    case 0xdbe1: return &Nop;
    case 0xdbe4: return &Nop;
    case 0xd9e8: return &Load<kHost<0xd9, 0xe8>, 0>;  // FLD1
    case 0xd9e9: return &Load<kHost<0xd9, 0xe9>, 0>;  // FLDL2T
    case 0xd9ea: return &Load<kHost<0xd9, 0xea>, 0>;  // FLDL2E
    case 0xd9eb: return &Load<kHost<0xd9, 0xeb>, 0>;  // FLDPI
    case 0xd9ec: return &Load<kHost<0xd9, 0xec>, 0>;  // FLDLG2
    case 0xd9ed: return &Load<kHost<0xd9, 0xed>, 0>;  // FLDLN2
    case 0xd9ee: return &Load<kHost<0xd9, 0xee>, 0>;  // FLDZ
    case 0xd9f6: return &MoveTop<-1>;                  // FDECSTP
    case 0xd9f7: return &MoveTop<1>;                   // FINCSTP
    default: return nullptr;
  }
}

}  // namespace

void RegisterX87LoadStoreOps(BinderTable& t) {
  for (ZydisMnemonic m :
       {ZYDIS_MNEMONIC_FLD, ZYDIS_MNEMONIC_FILD, ZYDIS_MNEMONIC_FBLD, ZYDIS_MNEMONIC_FST,
        ZYDIS_MNEMONIC_FSTP, ZYDIS_MNEMONIC_FIST, ZYDIS_MNEMONIC_FISTP, ZYDIS_MNEMONIC_FISTTP,
        ZYDIS_MNEMONIC_FBSTP, ZYDIS_MNEMONIC_FLD1, ZYDIS_MNEMONIC_FLDL2T, ZYDIS_MNEMONIC_FLDL2E,
        ZYDIS_MNEMONIC_FLDPI, ZYDIS_MNEMONIC_FLDLG2, ZYDIS_MNEMONIC_FLDLN2, ZYDIS_MNEMONIC_FLDZ,
        ZYDIS_MNEMONIC_FXCH, ZYDIS_MNEMONIC_FFREE, ZYDIS_MNEMONIC_FFREEP, ZYDIS_MNEMONIC_FSTPNCE,
        ZYDIS_MNEMONIC_FENI8087_NOP, ZYDIS_MNEMONIC_FDISI8087_NOP, ZYDIS_MNEMONIC_FSETPM287_NOP, ZYDIS_MNEMONIC_FINCSTP,
        ZYDIS_MNEMONIC_FDECSTP, ZYDIS_MNEMONIC_FNOP, ZYDIS_MNEMONIC_FCMOVB,
        ZYDIS_MNEMONIC_FCMOVE, ZYDIS_MNEMONIC_FCMOVBE, ZYDIS_MNEMONIC_FCMOVU,
        ZYDIS_MNEMONIC_FCMOVNB, ZYDIS_MNEMONIC_FCMOVNE, ZYDIS_MNEMONIC_FCMOVNBE,
        ZYDIS_MNEMONIC_FCMOVNU}) {
    t.Add(m, &BindX87<&FindLoadStore>);
  }
}

}  // namespace x64sim
