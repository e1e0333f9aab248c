// Data movement against the host CPU: MOV (all opcode forms, moffs),
// MOVZX/MOVSX/MOVSXD, LEA over the addressing modes (SIB, no base, RIP,
// 0x67), XCHG, XADD, CMPXCHG, CMPXCHG8B/16B, PUSH/POP, PUSHF/POPF,
// CBW..CQO, BSWAP, LAHF/SAHF, XLAT, ENTER (every nesting level class) and
// LEAVE.
#include <string>

#include "gtest/gtest.h"
#include "gtest/gtest-spi.h"
#include "tests/cpu/differential_forms.h"

namespace x64sim::testing {
namespace {

constexpr int kSizes[] = {1, 2, 4, 8};
constexpr uint64_t kR13Base = kMemBase;  // base register of the CMPXCHG8B/16B operand

std::string R(int size) { return "r" + std::to_string(8 * size); }
std::string RmSize(int size) { return "r/m" + std::to_string(8 * size); }

class DataDifferentialTest : public ::testing::Test {
 protected:
  // Runs the installed code over `n` fresh random states, after `prepare`.
  bool RunStates(const std::string& form, int n, const Expect& e,
                 const std::function<void(MachineState&)>& prepare) {
    for (int i = 0; i < n; ++i) {
      MachineState s = d.Fresh();
      prepare(s);
      if (!d.checker.Check(form, s, e)) return false;
    }
    return true;
  }

  Differential d;
};

// The checker itself must notice a difference: CPUID reports GenuineIntel in
// x64sim and this host's own vendor natively, so registers, the flags of a
// comparison and a store all differ.
TEST_F(DataDifferentialTest, CheckerReportsRegisterFlagAndMemoryDifferences) {
  MachineState s = d.Fresh();
  s.gpr[0] = 0;
  s.gpr[13] = kMemBase;
  std::vector<uint8_t> code = {0x0f, 0xa2};                                   // cpuid
  std::vector<uint8_t> store = Encode({{}, 4, {0x89}, Reg{3, 4}, -1,          // mov [r13+0x18], ebx
                                       Rm::M(Mem{13, kNoReg, 1, 0x18})});
  std::vector<uint8_t> cmp = EncodePlain({0x3d}, 4, 0x756e6547, 4);               // cmp eax, "Genu"
  code.insert(code.end(), store.begin(), store.end());
  code.insert(code.end(), {0x89, 0xd8});                                      // mov eax, ebx
  code.insert(code.end(), cmp.begin(), cmp.end());
  d.machine.SetCode(code);
  MachineState native;
  d.machine.RunNative(s, &native);
  if (native.gpr[3] == 0x756e6547) GTEST_SKIP() << "the host is a GenuineIntel CPU";
  ::testing::TestPartResultArray failures;
  bool ok;
  {
    ::testing::ScopedFakeTestPartResultReporter reporter(
        ::testing::ScopedFakeTestPartResultReporter::INTERCEPT_ONLY_CURRENT_THREAD, &failures);
    ok = d.checker.Check("cpuid self-check", s, Expect{});
  }
  EXPECT_FALSE(ok);
  ASSERT_EQ(failures.size(), 1);
  std::string message = failures.GetTestPartResult(0).message();
  EXPECT_NE(message.find("rbx: host"), std::string::npos) << message;
  EXPECT_NE(message.find("flags"), std::string::npos) << message;
  EXPECT_NE(message.find("memory at"), std::string::npos) << message;
}

TEST_F(DataDifferentialTest, Mov) {
  for (int size : kSizes) {
    const uint8_t w = size == 1 ? 0 : 1;
    for (const RegPair& p : RegPairs(size)) {
      Place dst = RegPlace(p.dst), src = RegPlace(p.src);
      EXPECT_TRUE(RunPairs(d, FormName("mov " + RmSize(size) + "," + R(size) + " reg", p.tag),
                           Encode({{}, size, {static_cast<uint8_t>(0x88 + w)}, p.src, -1, Rm::R(p.dst)}),
                           dst, &src, size, Expect{}, false, 8));
      EXPECT_TRUE(RunPairs(d, FormName("mov " + R(size) + "," + RmSize(size) + " reg", p.tag),
                           Encode({{}, size, {static_cast<uint8_t>(0x8a + w)}, p.dst, -1, Rm::R(p.src)}),
                           dst, &src, size, Expect{}, false, 8));
    }
    for (auto [reg, tag] : MemSideRegs(size)) {
      Place mem = MemPlace(), regp = RegPlace(reg);
      EXPECT_TRUE(RunPairs(d, FormName("mov " + RmSize(size) + "," + R(size) + " mem", tag),
                           Encode({{}, size, {static_cast<uint8_t>(0x88 + w)}, reg, -1, Rm::M(StandardMem())}),
                           mem, &regp, size, Expect{}, false, 8));
      EXPECT_TRUE(RunPairs(d, FormName("mov " + R(size) + "," + RmSize(size) + " mem", tag),
                           Encode({{}, size, {static_cast<uint8_t>(0x8a + w)}, reg, -1, Rm::M(StandardMem())}),
                           regp, &mem, size, Expect{}, false, 8));
    }
    const int ib = size == 8 ? 4 : size;
    for (uint64_t imm : OperandValues(d.values, ib, 4)) {
      // C6/C7 /0: the 64-bit form sign-extends imm32.
      for (bool mem : {false, true}) {
        d.machine.SetCode(Encode({{}, size, {static_cast<uint8_t>(0xc6 + w)}, {}, 0,
                                  mem ? Rm::M(StandardMem()) : Rm::R(Reg{12, size}), imm, ib}));
        EXPECT_TRUE(RunStates(FormName("mov " + RmSize(size) + ",imm", mem ? "mem" : "reg"), 2,
                              Expect{}, [](MachineState&) {}));
      }
      // B0+r / B8+r: the 64-bit form takes a full imm64.
      for (Reg reg : {Reg{0, size}, Reg{11, size}}) {
        uint64_t wide = size == 8 ? (imm | (d.values.Bits64() << 32)) : imm;
        d.machine.SetCode(EncodeOpReg({static_cast<uint8_t>(size == 1 ? 0xb0 : 0xb8)}, reg, size,
                                      wide, size));
        EXPECT_TRUE(RunStates(FormName("mov " + R(size) + ",imm (B" + (size == 1 ? "0" : "8") + "+r)",
                                       reg.num >= 8 ? "ext" : "low"),
                              2, Expect{}, [](MachineState&) {}));
      }
    }
    if (size == 1) {
      d.machine.SetCode(EncodeOpReg({0xb0}, Reg{1, 1, true}, 1, 0x5a, 1));  // mov ch, imm8
      EXPECT_TRUE(RunStates(FormName("mov r8,imm (B0+r)", "high"), 4, Expect{}, [](MachineState&) {}));
    }
    // A0-A3: accumulator to/from a 64-bit absolute address.
    d.machine.SetCode(EncodePlain({static_cast<uint8_t>(0xa0 + w)}, size, kMemAddr, 8));
    EXPECT_TRUE(RunStates(FormName("mov " + std::string(size == 1 ? "al" : "rAX") + ",moffs" + std::to_string(8 * size), ""),
                          8, Expect{}, [](MachineState&) {}));
    d.machine.SetCode(EncodePlain({static_cast<uint8_t>(0xa2 + w)}, size, kMemAddr + 3, 8));
    EXPECT_TRUE(RunStates(FormName("mov moffs" + std::to_string(8 * size) + "," + (size == 1 ? "al" : "rAX"), ""),
                          8, Expect{}, [](MachineState&) {}));
  }
}

// Addressing modes: every base (RSP/R12 need a SIB byte, RBP/R13 a
// displacement), every index and scale, no base, RIP-relative, and the
// 32-bit address size. LEA computes them; MOV loads through them.
std::vector<std::pair<Mem, std::string>> AddressingModes() {
  std::vector<std::pair<Mem, std::string>> modes;
  for (bool a32 : {false, true}) {
    const std::string w = a32 ? " a32" : "";
    for (int base = 0; base < 16; ++base) {
      std::string special = (base & 7) == 4 ? " sib-base" : (base & 7) == 5 ? " rbp-class" : "";
      if ((base & 7) != 5) modes.push_back({Mem{base, kNoReg, 1, 0, a32}, "[base]" + special + w});
      modes.push_back({Mem{base, kNoReg, 1, -0x38, a32, 1}, "[base+d8]" + special + w});
      modes.push_back({Mem{base, kNoReg, 1, 0x12345, a32, 4}, "[base+d32]" + special + w});
    }
    for (int index = 0; index < 16; ++index) {
      if (index == 4) continue;
      for (int scale : {1, 2, 4, 8}) {
        int base = (index * 5 + scale) % 16;
        std::string s = std::to_string(scale);
        modes.push_back({Mem{base, index, scale, 0x40, a32}, "[base+index*" + s + "+d8]" + w});
        modes.push_back({Mem{kNoReg, index, scale, -0x1000, a32}, "[index*" + s + "+d32]" + w});
      }
      modes.push_back({Mem{5, index, 2, 0, a32, 1}, "[rbp+index*2+0(d8)]" + w});
      modes.push_back({Mem{13, index, 4, 0x7fff0000, a32, 4}, "[r13+index*4+d32]" + w});
    }
    modes.push_back({Mem{kNoReg, kNoReg, 1, 0x00c01234, a32}, "[d32]" + w});
    modes.push_back({Mem{kRipBase, kNoReg, 1, -0x20, a32}, "[rip+d32]" + w});
    modes.push_back({Mem{kRipBase, kNoReg, 1, 0x7ffffff0, a32}, "[rip+big d32]" + w});
  }
  return modes;
}

TEST_F(DataDifferentialTest, LeaAddressingModes) {
  for (int size : {2, 4, 8}) {
    for (auto& [mem, kind] : AddressingModes()) {
      Reg dst{11, size};
      d.machine.SetCode(Encode({{}, size, {0x8d}, dst, -1, Rm::M(mem)}));
      EXPECT_TRUE(RunStates(FormName("lea " + R(size) + "," + kind, ""), 6, Expect{},
                            [](MachineState&) {}));
    }
  }
}

TEST_F(DataDifferentialTest, MovThroughAddressingModes) {
  // Loads and stores through each mode whose address can be steered into
  // the data window: the index gets a small value and the base the rest.
  // With 0x67 the upper halves of base and index are random and must not count.
  constexpr uint64_t kTarget = kMemBase + 0x100;
  for (auto [mem, kind] : AddressingModes()) {
    if (mem.base == mem.index && mem.base != kNoReg) continue;
    if (mem.base == kNoReg && mem.index == kNoReg) mem.disp = static_cast<int32_t>(kTarget);
    if (mem.base == kRipBase && mem.disp != -0x20) continue;
    if (mem.base == kNoReg && mem.index != kNoReg && (kTarget - mem.disp) % mem.scale) continue;
    int val = 0;
    while (val == 4 || val == mem.base || val == mem.index) ++val;
    for (bool store : {false, true}) {
      const uint8_t opcode = store ? 0x89 : 0x8b;
      std::vector<uint8_t> code = Encode({{}, 8, {opcode}, Reg{val, 8}, -1, Rm::M(mem)});
      Mem m = mem;
      if (m.base == kRipBase) {  // RIP after the instruction + disp = kTarget
        m.disp = static_cast<int32_t>(kTarget - (kCodeAddr + code.size()));
        code = Encode({{}, 8, {opcode}, Reg{val, 8}, -1, Rm::M(m)});
      }
      d.machine.SetCode(code);
      EXPECT_TRUE(RunStates(FormName(std::string(store ? "mov m64 " : "mov r64 ") + kind, ""), 4,
                            Expect{}, [&](MachineState& s) {
                              uint64_t upper = m.addr32 ? d.values.Bits64() << 32 : 0;
                              uint64_t k = 0;
                              if (m.index != kNoReg) {
                                k = m.base == kNoReg ? (kTarget - m.disp) / m.scale
                                                     : d.values.Bits64() % 64;
                                s.gpr[m.index] = k | upper;
                              }
                              if (m.base >= 0 && m.base < 16) {
                                s.gpr[m.base] = ((kTarget - m.disp - k * m.scale) & 0xffffffff) |
                                                (m.addr32 ? upper << 1 : 0);
                                if (!m.addr32) s.gpr[m.base] = kTarget - m.disp - k * m.scale;
                              }
                            }));
    }
  }
}

TEST_F(DataDifferentialTest, ExtendingMoves) {
  struct Ext {
    const char* name;
    uint8_t opcode;
    int src_size;
  };
  const Ext exts[] = {{"movzx", 0xb6, 1}, {"movzx", 0xb7, 2}, {"movsx", 0xbe, 1}, {"movsx", 0xbf, 2}};
  for (const Ext& x : exts) {
    for (int size : {2, 4, 8}) {
      for (auto [src, tag] : MemSideRegs(x.src_size)) {
        // AH..BH sources exclude REX: a legacy destination, and no 64-bit form.
        if (src.high && size == 8) continue;
        Reg dst{src.high ? 7 : 9, size};
        Place sp = RegPlace(src);
        EXPECT_TRUE(RunPairs(d, FormName(std::string(x.name) + " " + R(size) + ",r/m" + std::to_string(8 * x.src_size) + " reg", tag),
                             Encode({{}, size, {0x0f, x.opcode}, dst, -1, Rm::R(src)}), sp, nullptr,
                             x.src_size, Expect{}, false, 8));
      }
      Reg dst{0, size};
      EXPECT_TRUE(RunPairs(d, FormName(std::string(x.name) + " " + R(size) + ",r/m" + std::to_string(8 * x.src_size) + " mem", ""),
                           Encode({{}, size, {0x0f, x.opcode}, dst, -1, Rm::M(StandardMem())}),
                           MemPlace(), nullptr, x.src_size, Expect{}, false, 8));
    }
  }
  // MOVSXD r64, r/m32 (REX.W 63), the r32 form without REX.W, and the r16
  // form (66 63: a 16-bit move).
  for (int size : {2, 4, 8}) {
    for (bool mem : {false, true}) {
      Reg src{14, 4};
      EXPECT_TRUE(RunPairs(d, FormName("movsxd " + R(size) + ",r/m32", mem ? "mem" : "reg"),
                           Encode({{}, size, {0x63}, Reg{2, size}, -1,
                                   mem ? Rm::M(StandardMem()) : Rm::R(src)}),
                           mem ? MemPlace() : RegPlace(src), nullptr, 4, Expect{}, false, 8));
    }
  }
}

TEST_F(DataDifferentialTest, ExchangeAndAdd) {
  for (int size : kSizes) {
    const uint8_t w = size == 1 ? 0 : 1;
    for (const RegPair& p : RegPairs(size)) {
      Place dst = RegPlace(p.dst), src = RegPlace(p.src);
      EXPECT_TRUE(RunPairs(d, FormName("xchg " + RmSize(size) + "," + R(size) + " reg", p.tag),
                           Encode({{}, size, {static_cast<uint8_t>(0x86 + w)}, p.src, -1, Rm::R(p.dst)}),
                           dst, &src, size, Expect{}, false, 8));
      EXPECT_TRUE(RunPairs(d, FormName("xadd " + RmSize(size) + "," + R(size) + " reg", p.tag),
                           Encode({{}, size, {0x0f, static_cast<uint8_t>(0xc0 + w)}, p.src, -1, Rm::R(p.dst)}),
                           dst, &src, size, Expect{}, false, 16));
    }
    for (auto [reg, tag] : MemSideRegs(size)) {
      Place mem = MemPlace(), regp = RegPlace(reg);
      EXPECT_TRUE(RunPairs(d, FormName("xchg " + RmSize(size) + "," + R(size) + " mem", tag),
                           Encode({{}, size, {static_cast<uint8_t>(0x86 + w)}, reg, -1, Rm::M(StandardMem())}),
                           mem, &regp, size, Expect{}, false, 8));
      for (bool lock : {false, true}) {
        EXPECT_TRUE(RunPairs(d, FormName(std::string(lock ? "lock " : "") + "xadd " + RmSize(size) + "," + R(size) + " mem", tag),
                             Encode({lock ? std::vector<uint8_t>{0xf0} : std::vector<uint8_t>{}, size,
                                     {0x0f, static_cast<uint8_t>(0xc0 + w)}, reg, -1, Rm::M(StandardMem())}),
                             mem, &regp, size, Expect{}, false, 16));
      }
    }
    if (size > 1) {
      // 90+r: XCHG rAX, r (REX.B reaches R8..R15); 87 C0 is XCHG eAX, eAX.
      for (Reg r : {Reg{1, size}, Reg{8, size}}) {
        Place a = RegPlace(Reg{0, size}), b = RegPlace(r);
        EXPECT_TRUE(RunPairs(d, FormName("xchg rAX," + R(size) + " (90+r)", r.num >= 8 ? "ext" : "low"),
                             EncodeOpReg({0x90}, r, size), a, &b, size, Expect{}, false, 8));
      }
      Place a = RegPlace(Reg{0, size});
      EXPECT_TRUE(RunPairs(d, FormName("xchg " + R(size) + " rAX,rAX (87 C0)", ""),
                           Encode({{}, size, {0x87}, Reg{0, size}, -1, Rm::R(Reg{0, size})}), a,
                           nullptr, size, Expect{}, false, 8));
    }
  }
}

TEST_F(DataDifferentialTest, CompareExchange) {
  for (int size : kSizes) {
    const uint8_t w = size == 1 ? 0 : 1;
    struct Shape {
      Rm rm;
      Place dst;
      Reg src;
      std::string kind;
    };
    std::vector<Shape> shapes = {
        {Rm::R(Reg{9, size}), RegPlace(Reg{9, size}), Reg{14, size}, "reg"},
        {Rm::M(StandardMem()), MemPlace(), Reg{1, size}, "mem"},
    };
    if (size == 1) shapes.push_back({Rm::R(Reg{1, 1, true}), RegPlace(Reg{1, 1, true}), Reg{2, 1, true}, "reg high"});
    for (const Shape& sh : shapes) {
      for (bool lock : {false, true}) {
        if (lock && !sh.rm.is_mem) continue;
        std::string form = FormName(std::string(lock ? "lock " : "") + "cmpxchg " + RmSize(size) + "," + R(size), sh.kind);
        d.machine.SetCode(Encode({lock ? std::vector<uint8_t>{0xf0} : std::vector<uint8_t>{}, size,
                                  {0x0f, static_cast<uint8_t>(0xb0 + w)}, sh.src, -1, sh.rm}));
        std::vector<uint64_t> values = OperandValues(d.values, size, 8);
        bool ok = true;
        for (size_t i = 0; i < values.size() && ok; ++i) {
          for (size_t j = 0; j < values.size() && ok; j += 3) {
            for (bool equal : {false, true}) {
              MachineState s = d.Fresh();
              Put(s, sh.dst, values[i], size, d.values);
              Put(s, RegPlace(sh.src), values[j], size, d.values);
              // The accumulator matches the destination or (usually) not.
              Put(s, RegPlace(Reg{0, size}), equal ? values[i] : values[j], size, d.values);
              ok = ok && d.checker.Check(form, s, Expect{});
            }
          }
        }
        EXPECT_TRUE(ok);
      }
    }
  }
  // CMPXCHG8B m64 / CMPXCHG16B m128 (16-byte aligned): ZF only, others unchanged.
  for (int half : {4, 8}) {
    Mem m{13, kNoReg, 1, 0x20};
    std::string form = FormName(half == 4 ? "cmpxchg8b m64" : "cmpxchg16b m128", "");
    d.machine.SetCode(Encode({{}, half == 8 ? 8 : 4, {0x0f, 0xc7}, {}, 1, Rm::M(m)}));
    EXPECT_TRUE(RunStates(form, 64, Expect{}, [&](MachineState& s) {
      s.gpr[13] = kR13Base;
      uint64_t lo = s.Load(kR13Base + 0x20, half), hi = s.Load(kR13Base + 0x20 + half, half);
      int pick = static_cast<int>(d.values.Bits64() % 4);  // equal, low differs, high differs, random
      s.gpr[0] = d.values.WithRandomUpper(pick == 1 ? lo ^ 1 : lo, half);
      s.gpr[2] = d.values.WithRandomUpper(pick == 2 ? hi ^ (uint64_t{1} << (8 * half - 1)) : hi, half);
      if (pick == 3) s.gpr[0] = d.values.Bits64();
    }));
  }
  // SDM vol. 2 CMPXCHG16B: a misaligned operand raises #GP(0).
  MachineState s = d.Fresh();
  s.gpr[13] = kR13Base;
  d.machine.SetCode(Encode({{}, 8, {0x0f, 0xc7}, {}, 1, Rm::M(Mem{13, kNoReg, 1, 0x28})}));
  EXPECT_TRUE(d.checker.CheckSimFault("cmpxchg16b misaligned", s, kGeneralProtection));
}

TEST_F(DataDifferentialTest, PushAndPop) {
  const Expect e{};
  // 50+r / 58+r, 64-bit and 16-bit, every register including RSP itself.
  for (int size : {2, 8}) {
    for (int r = 0; r < 16; ++r) {
      std::string kind = r == 4 ? "rsp" : r >= 8 ? "ext" : "low";
      d.machine.SetCode(EncodeOpReg({0x50}, Reg{r, size}, size == 2 ? 2 : 4));
      EXPECT_TRUE(RunStates(FormName("push " + R(size) + " (50+r)", kind), 4, e, [](MachineState&) {}));
      d.machine.SetCode(EncodeOpReg({0x58}, Reg{r, size}, size == 2 ? 2 : 4));
      EXPECT_TRUE(RunStates(FormName("pop " + R(size) + " (58+r)", kind), 4, e, [](MachineState&) {}));
    }
    const int opsize = size == 2 ? 2 : 4;  // the default stack width needs no REX.W
    for (bool mem : {false, true}) {
      const char* kind = mem ? "mem" : "reg";
      Rm rm = mem ? Rm::M(StandardMem()) : Rm::R(Reg{10, size});
      d.machine.SetCode(Encode({{}, opsize, {0xff}, {}, 6, rm}));
      EXPECT_TRUE(RunStates(FormName("push r/m" + std::to_string(8 * size), kind), 8, e, [](MachineState&) {}));
      d.machine.SetCode(Encode({{}, opsize, {0x8f}, {}, 0, rm}));
      EXPECT_TRUE(RunStates(FormName("pop r/m" + std::to_string(8 * size), kind), 8, e, [](MachineState&) {}));
    }
    // SDM vol. 2 POP: an RSP-based destination address uses the incremented RSP.
    d.machine.SetCode(Encode({{}, opsize, {0x8f}, {}, 0, Rm::M(Mem{4, kNoReg, 1, 8})}));
    EXPECT_TRUE(RunStates(FormName("pop r/m" + std::to_string(8 * size), "[rsp+8]"), 8, e, [](MachineState&) {}));
    d.machine.SetCode(Encode({{}, opsize, {0xff}, {}, 6, Rm::M(Mem{4, kNoReg, 1, -8})}));
    EXPECT_TRUE(RunStates(FormName("push r/m" + std::to_string(8 * size), "[rsp-8]"), 8, e, [](MachineState&) {}));
  }
  // 6A ib and 68 iw/id (sign-extended to the stack width).
  for (int size : {2, 8}) {
    for (uint64_t imm : OperandValues(d.values, 1, 2)) {
      d.machine.SetCode(EncodePlain({0x6a}, size == 2 ? 2 : 4, imm, 1));
      EXPECT_TRUE(RunStates(FormName("push imm8 " + R(size), ""), 2, e, [](MachineState&) {}));
    }
    for (uint64_t imm : OperandValues(d.values, size == 2 ? 2 : 4, 2)) {
      d.machine.SetCode(EncodePlain({0x68}, size == 2 ? 2 : 4, imm, size == 2 ? 2 : 4));
      EXPECT_TRUE(RunStates(FormName("push imm " + R(size), ""), 2, e, [](MachineState&) {}));
    }
  }
  // PUSHF/POPF of the arithmetic flags (IF set on both sides, as in user mode).
  for (int size : {2, 8}) {
    const int opsize = size == 2 ? 2 : 4;
    d.machine.SetCode(EncodePlain({0x9c}, opsize));
    EXPECT_TRUE(RunStates(FormName("pushf " + R(size), ""), 16, e, [](MachineState& s) { s.rflags |= kIF; }));
    d.machine.SetCode(EncodePlain({0x9d}, opsize));
    EXPECT_TRUE(RunStates(FormName("popf " + R(size), ""), 64, e, [&](MachineState& s) {
      s.rflags |= kIF;
      s.Store(kStackTop, (d.values.Bits64() & kArithFlags) | kIF | kFlagsFixed1, size);
    }));
  }
}

TEST_F(DataDifferentialTest, AccumulatorExtensionsSwapsAndFlagTransfers) {
  struct Plain {
    const char* name;
    uint8_t opcode;
    int size;
  };
  const Plain plains[] = {{"cbw", 0x98, 2}, {"cwde", 0x98, 4}, {"cdqe", 0x98, 8},
                          {"cwd", 0x99, 2}, {"cdq", 0x99, 4},  {"cqo", 0x99, 8},
                          {"lahf", 0x9f, 4}, {"sahf", 0x9e, 4}};
  for (const Plain& p : plains) {
    d.machine.SetCode(EncodePlain({p.opcode}, p.size));
    EXPECT_TRUE(RunPairs(d, FormName(p.name, ""), EncodePlain({p.opcode}, p.size),
                         RegPlace(Reg{0, 8}), nullptr, 8, Expect{}, false, 32));
  }
  for (int size : {4, 8}) {
    for (int r : {0, 5, 9, 15}) {
      Reg reg{r, size};
      EXPECT_TRUE(RunPairs(d, FormName("bswap " + R(size), r >= 8 ? "ext" : "low"),
                           EncodeOpReg({0x0f, 0xc8}, reg, size), RegPlace(reg), nullptr, size,
                           Expect{}, false, 16));
    }
  }
  // LEAVE: RSP <- RBP, then pop RBP (64-bit and 16-bit operand size).
  for (int size : {2, 8}) {
    d.machine.SetCode(EncodePlain({0xc9}, size == 2 ? 2 : 4));
    EXPECT_TRUE(RunStates(FormName("leave " + R(size), ""), 32, Expect{}, [&](MachineState& s) {
      s.gpr[5] = kStackTop - 8 * (d.values.Bits64() % 64);
    }));
  }
}

// XLAT: AL <- [RBX + AL]; with 0x67 the sum wraps to 32 bits, so random
// upper halves of RBX must not matter.
TEST_F(DataDifferentialTest, Xlat) {
  for (bool addr32 : {false, true}) {
    d.machine.SetCode(addr32 ? std::vector<uint8_t>{0x67, 0xd7} : std::vector<uint8_t>{0xd7});
    EXPECT_TRUE(RunStates(FormName(addr32 ? "xlat addr32" : "xlat", ""), 64, Expect{}, [&](MachineState& s) {
      const uint64_t table = kDataAddr + d.values.Bits64() % 0x3e00;
      s.gpr[3] = addr32 ? (d.values.Bits64() << 32) | table : table;
    }));
  }
}

// ENTER size, level: nesting levels 0, 1, 2 and deeper (the display copy),
// a level above 31 (taken mod 32), frame sizes up to 0x2ff0 (the new RSP
// must stay in the data window the host runner uses afterwards), with
// 64-bit and 16-bit operand size; RBP points into random stack data, which
// the display copies.
TEST_F(DataDifferentialTest, Enter) {
  for (int size : {2, 8}) {
    for (int level : {0, 1, 2, 3, 7, 31, 33}) {
      for (int frame : {0, 8, 0x1234, 0x2ff0}) {
        std::vector<uint8_t> code = {0xc8, static_cast<uint8_t>(frame), static_cast<uint8_t>(frame >> 8),
                                     static_cast<uint8_t>(level)};
        if (size == 2) code.insert(code.begin(), 0x66);
        d.machine.SetCode(code);
        const std::string form = "enter " + R(size) + " level " + std::to_string(level);
        EXPECT_TRUE(RunStates(FormName(form, "frame " + std::to_string(frame)), 8, Expect{},
                              [&](MachineState& s) {
                                // Room below RSP for the pushes; RBP above the display it copies.
                                s.gpr[4] = kStackTop - 8 * (d.values.Bits64() % 16);
                                s.gpr[5] = kDataAddr + 0x400 + 8 * (d.values.Bits64() % 0x200);
                              }));
      }
    }
  }
}

}  // namespace
}  // namespace x64sim::testing
