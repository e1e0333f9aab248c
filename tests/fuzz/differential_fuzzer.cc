// Fuzz target: random sequences of user-mode integer instructions, run on
// the host CPU and in x64sim from the same registers, flags and memory,
// then compared: every general register, the data window, and the
// arithmetic flags the SDM defines after the sequence (x64sim must leave
// the undefined ones clear, cpu/host_flags.h). The machine-level
// differential tests (tests/cpu) walk each form over chosen operands; this
// searches the combinations.
//
// Input: [16 x register value: 8] [flags: 1] then per instruction
// [form] [size] [register a] [register b] [immediate / displacement].
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "tests/cpu/differential_forms.h"
#include "tests/cpu/differential_machine.h"
#include "tests/cpu/x86_encoder.h"
#include "tests/fuzz/fuzz_input.h"

namespace x64sim::fuzz {
namespace {

using testing::Encode;
using testing::EncodeOpReg;
using testing::Mem;
using testing::ModRmInsn;
using testing::Reg;
using testing::Rm;

constexpr int kMaxInstructions = 16;
constexpr uint64_t kNoFlags = 0;
constexpr uint64_t kAllFlags = kArithFlags;

// What an instruction does to the arithmetic flags: writes with a defined
// value, leaves undefined, and reads (SDM vol. 2, each instruction's
// "Flags Affected").
struct FlagEffect {
  uint64_t defines = kNoFlags;
  uint64_t undefines = kNoFlags;
  uint64_t reads = kNoFlags;
};

// Condition codes 0-15 and the flags each reads (SDM vol. 1 table B-1).
uint64_t ConditionReads(int cc) {
  static constexpr uint64_t kReads[8] = {kOF, kCF, kZF, kCF | kZF, kSF, kPF, kSF | kOF,
                                         kZF | kSF | kOF};
  return kReads[(cc >> 1) & 7];
}

// Registers a form may use: not RBX (the memory base) or RSP.
constexpr int kUsable[] = {0, 1, 2, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};

struct Operands {
  int size;    // 1, 2, 4 or 8
  Reg a, b;    // a: the ModRM reg (or the only register), b: the r/m register
  bool mem;    // r/m is memory [rbx + disp8]
  uint8_t imm;
};

Rm RmOf(const Operands& o) {
  if (!o.mem) return Rm::R(o.b);
  return Rm::M(Mem{3 /*rbx*/, testing::kNoReg, 1, static_cast<int32_t>(o.imm & 0x78), false, 1});
}

// One form of the menu: its encoding from operands, and its flag effect.
struct Form {
  const char* name;
  std::vector<uint8_t> (*encode)(const Operands&);
  FlagEffect (*flags)(const Operands&);
};

ModRmInsn Insn(const Operands& o, std::vector<uint8_t> opcode) {
  ModRmInsn i;
  i.opsize = o.size;
  i.opcode = std::move(opcode);
  i.reg = o.a;
  i.rm = RmOf(o);
  return i;
}
// The byte-sized opcode, or the next one for 16/32/64-bit operands.
uint8_t Sized(uint8_t byte_opcode, int size) { return size == 1 ? byte_opcode : byte_opcode + 1; }

// ALU operations 0-7 (ADD OR ADC SBB AND SUB XOR CMP), SDM vol. 2.
FlagEffect AluFlags(int op) {
  const bool logic = op == 1 || op == 4 || op == 6;
  const uint64_t reads = (op == 2 || op == 3) ? kCF : kNoFlags;
  return logic ? FlagEffect{kAllFlags & ~kAF, kAF, reads} : FlagEffect{kAllFlags, kNoFlags, reads};
}

const std::vector<Form>& Menu() {
  static const std::vector<Form> forms = [] {
    std::vector<Form> f;
    // ALU r/m, reg and reg, r/m for each of the eight operations: the
    // operation is taken from the immediate byte's low bits.
    f.push_back({"alu r/m, reg",
                 [](const Operands& o) { return Encode(Insn(o, {Sized(static_cast<uint8_t>((o.imm & 7) << 3), o.size)})); },
                 [](const Operands& o) { return AluFlags(o.imm & 7); }});
    f.push_back({"alu reg, r/m",
                 [](const Operands& o) { return Encode(Insn(o, {static_cast<uint8_t>(Sized(static_cast<uint8_t>((o.imm & 7) << 3), o.size) + 2)})); },
                 [](const Operands& o) { return AluFlags(o.imm & 7); }});
    f.push_back({"alu r/m, imm8",
                 [](const Operands& o) {
                   ModRmInsn i = Insn(o, {static_cast<uint8_t>(o.size == 1 ? 0x80 : 0x83)});
                   i.digit = (o.imm >> 3) & 7;
                   i.imm = o.imm;
                   i.imm_bytes = 1;
                   return Encode(i);
                 },
                 [](const Operands& o) { return AluFlags((o.imm >> 3) & 7); }});
    f.push_back({"test r/m, reg", [](const Operands& o) { return Encode(Insn(o, {Sized(0x84, o.size)})); },
                 [](const Operands&) { return FlagEffect{kAllFlags & ~kAF, kAF, kNoFlags}; }});
    f.push_back({"mov r/m, reg", [](const Operands& o) { return Encode(Insn(o, {Sized(0x88, o.size)})); },
                 [](const Operands&) { return FlagEffect{}; }});
    f.push_back({"mov reg, r/m", [](const Operands& o) { return Encode(Insn(o, {Sized(0x8a, o.size)})); },
                 [](const Operands&) { return FlagEffect{}; }});
    f.push_back({"xchg r/m, reg", [](const Operands& o) { return Encode(Insn(o, {Sized(0x86, o.size)})); },
                 [](const Operands&) { return FlagEffect{}; }});
    // INC/DEC keep CF (SDM vol. 2 INC, DEC); NEG sets CF by the source; NOT touches nothing.
    f.push_back({"inc/dec r/m",
                 [](const Operands& o) {
                   ModRmInsn i = Insn(o, {Sized(0xfe, o.size)});
                   i.digit = o.imm & 1;
                   return Encode(i);
                 },
                 [](const Operands&) { return FlagEffect{kAllFlags & ~kCF, kNoFlags, kNoFlags}; }});
    f.push_back({"neg/not r/m",
                 [](const Operands& o) {
                   ModRmInsn i = Insn(o, {Sized(0xf6, o.size)});
                   i.digit = (o.imm & 1) ? 3 : 2;
                   return Encode(i);
                 },
                 [](const Operands& o) { return (o.imm & 1) ? FlagEffect{kAllFlags, kNoFlags, kNoFlags} : FlagEffect{}; }});
    // Shifts by one: CF OF SF ZF PF defined, AF undefined; rotates by one:
    // CF and OF only (SDM vol. 2 SAL/SAR/SHL/SHR, RCL/RCR/ROL/ROR).
    f.push_back({"shift/rotate r/m, 1",
                 [](const Operands& o) {
                   static constexpr int kDigits[] = {0, 1, 4, 5, 7};
                   ModRmInsn i = Insn(o, {Sized(0xd0, o.size)});
                   i.digit = kDigits[o.imm % 5];
                   return Encode(i);
                 },
                 [](const Operands& o) {
                   return o.imm % 5 < 2 ? FlagEffect{kCF | kOF, kNoFlags, kNoFlags}
                                        : FlagEffect{kAllFlags & ~kAF, kAF, kNoFlags};
                 }});
    f.push_back({"imul reg, r/m",
                 [](const Operands& o) {
                   Operands w = o;
                   if (w.size == 1) w.size = 4;
                   w.a.size = w.b.size = w.size;
                   return Encode(Insn(w, {0x0f, 0xaf}));
                 },
                 [](const Operands&) { return FlagEffect{kCF | kOF, kSF | kZF | kAF | kPF, kNoFlags}; }});
    f.push_back({"movzx/movsx reg, r/m8",
                 [](const Operands& o) {
                   Operands w = o;
                   w.size = o.size == 1 ? 4 : o.size;
                   w.a.size = w.size;
                   w.b.size = 1;
                   return Encode(Insn(w, {0x0f, static_cast<uint8_t>((o.imm & 1) ? 0xbe : 0xb6)}));
                 },
                 [](const Operands&) { return FlagEffect{}; }});
    f.push_back({"cmovcc reg, r/m",
                 [](const Operands& o) {
                   Operands w = o;
                   if (w.size == 1) w.size = 4;
                   w.a.size = w.b.size = w.size;
                   return Encode(Insn(w, {0x0f, static_cast<uint8_t>(0x40 | (o.imm & 15))}));
                 },
                 [](const Operands& o) { return FlagEffect{kNoFlags, kNoFlags, ConditionReads(o.imm & 15)}; }});
    f.push_back({"setcc r/m8",
                 [](const Operands& o) {
                   Operands w = o;
                   w.size = 1;
                   w.b.size = 1;
                   ModRmInsn i = Insn(w, {0x0f, static_cast<uint8_t>(0x90 | (o.imm & 15))});
                   i.digit = 0;
                   return Encode(i);
                 },
                 [](const Operands& o) { return FlagEffect{kNoFlags, kNoFlags, ConditionReads(o.imm & 15)}; }});
    f.push_back({"bswap reg",
                 [](const Operands& o) { return EncodeOpReg({0x0f, 0xc8}, Reg{o.a.num, o.size == 8 ? 8 : 4}, o.size == 8 ? 8 : 4); },
                 [](const Operands&) { return FlagEffect{}; }});
    f.push_back({"lea reg, [rbx+disp8]",
                 [](const Operands& o) {
                   Operands w = o;
                   if (w.size == 1) w.size = 4;
                   w.a.size = w.size;
                   w.mem = true;
                   return Encode(Insn(w, {0x8d}));
                 },
                 [](const Operands&) { return FlagEffect{}; }});
    // POPCNT: ZF by the result, CF OF SF AF PF cleared (SDM vol. 2 POPCNT).
    f.push_back({"popcnt reg, r/m",
                 [](const Operands& o) {
                   Operands w = o;
                   if (w.size == 1) w.size = 4;
                   w.a.size = w.b.size = w.size;
                   ModRmInsn i = Insn(w, {0x0f, 0xb8});
                   i.prefixes = {0xf3};
                   return Encode(i);
                 },
                 [](const Operands&) { return FlagEffect{kAllFlags, kNoFlags, kNoFlags}; }});
    return f;
  }();
  return forms;
}

Reg TakeReg(FuzzInput& in, int size) {
  return Reg{kUsable[in.Below(std::size(kUsable))], size, false};
}

[[noreturn]] void Fail(const std::string& program, const std::string& what) {
  std::fprintf(stderr, "differential: %s\n  program: %s\n", what.c_str(), program.c_str());
  std::abort();
}

}  // namespace
}  // namespace x64sim::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace x64sim;
  using namespace x64sim::fuzz;
  static auto* machine = new testing::DifferentialMachine();
  FuzzInput in(data, size);
  testing::MachineState start;
  for (uint64_t& r : start.gpr) r = in.Take<uint64_t>();
  start.gpr[kRbx] = testing::kMemBase;
  start.gpr[kRsp] = testing::kStackTop;
  start.rflags = (in.Take<uint8_t>() & kArithFlags) | kFlagsFixed1;
  for (size_t i = 0; i < start.data.size(); ++i) start.data[i] = static_cast<uint8_t>(i * 131 + 7);

  std::vector<uint8_t> code;
  std::string program;
  uint64_t undefined = 0;  // arithmetic flags the SDM leaves undefined so far
  for (int n = 0; n < kMaxInstructions && in.remaining() >= 5; ++n) {
    const Form& form = Menu()[in.Below(Menu().size())];
    Operands o;
    static constexpr int kSizes[] = {1, 2, 4, 8};
    o.size = kSizes[in.Take<uint8_t>() & 3];
    o.a = TakeReg(in, o.size);
    o.b = TakeReg(in, o.size);
    o.imm = in.Take<uint8_t>();
    o.mem = o.imm & 0x80;
    const FlagEffect effect = form.flags(o);
    if (effect.reads & undefined) continue;  // its result would be undefined too
    undefined = (undefined & ~effect.defines) | effect.undefines;
    const std::vector<uint8_t> bytes = form.encode(o);
    code.insert(code.end(), bytes.begin(), bytes.end());
    program += std::string(form.name) + "; ";
  }
  machine->SetCode(code);
  testing::MachineState native, sim;
  machine->RunNative(start, &native);
  const testing::SimOutcome outcome = machine->RunSim(start, &sim);
  if (!outcome.clean) Fail(program, "x64sim did not finish: " + outcome.detail);
  for (int r = 0; r < 16; ++r) {
    if (native.gpr[r] != sim.gpr[r]) {
      char what[128];
      std::snprintf(what, sizeof what, "register %d: host %#llx, x64sim %#llx", r,
                    static_cast<unsigned long long>(native.gpr[r]),
                    static_cast<unsigned long long>(sim.gpr[r]));
      Fail(program, what);
    }
  }
  const uint64_t defined = kArithFlags & ~undefined;
  if ((native.rflags & defined) != (sim.rflags & defined)) Fail(program, "defined flags differ");
  if (sim.rflags & undefined) Fail(program, "x64sim left an undefined flag set");
  if (native.data != sim.data) Fail(program, "memory differs");
  return 0;
}
