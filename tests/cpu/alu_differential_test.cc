// ADD..CMP, TEST, INC/DEC/NEG/NOT, MUL/IMUL/DIV/IDIV against the host CPU:
// every opcode form, operand size and register/memory/immediate shape.
// Compared flags follow SDM vol. 2 for each instruction; the undefined ones
// must read 0 in x64sim (cpu/host_flags.h clears them).
#include <string>

#include "gtest/gtest.h"
#include "tests/cpu/differential_forms.h"

namespace x64sim::testing {
namespace {

constexpr int kSizes[] = {1, 2, 4, 8};
constexpr uint64_t kAllButAf = kArithFlags & ~kAF;

std::string SizeName(int size) { return "r" + std::to_string(8 * size); }
std::string RmSize(int size) { return "r/m" + std::to_string(8 * size); }
int ImmBytes(int size) { return size == 8 ? 4 : size; }  // imm32 sign-extended for 64-bit

// One immediate-carrying form: encodes for each immediate value, then runs
// the destination operand over values.
bool RunImmediate(Differential& d, const std::string& form,
                  const std::function<std::vector<uint8_t>(uint64_t)>& encode, int imm_bytes,
                  const Place& dst, int size, const Expect& expect, bool both_carries) {
  std::vector<uint64_t> imms = OperandValues(d.values, imm_bytes, 6);
  std::vector<uint64_t> dsts = OperandValues(d.values, size, 6);
  for (uint64_t imm : imms) {
    d.machine.SetCode(encode(imm));
    for (uint64_t a : dsts) {
      for (int carry = 0; carry < (both_carries ? 2 : 1); ++carry) {
        MachineState s = d.Fresh();
        if (both_carries) s.rflags = (s.rflags & ~kCF) | (carry ? kCF : 0);
        Put(s, dst, a, size, d.values);
        if (!d.checker.Check(form, s, expect)) return false;
      }
    }
  }
  return true;
}

struct BinaryOp {
  const char* name;
  int n;  // opcode row (00, 08, ..., 38) and /digit of 80/81/83
  bool logic;
  bool carry_in;
};
constexpr BinaryOp kBinaryOps[] = {
    {"add", 0, false, false}, {"or", 1, true, false},   {"adc", 2, false, true},
    {"sbb", 3, false, true},  {"and", 4, true, false},  {"sub", 5, false, false},
    {"xor", 6, true, false},  {"cmp", 7, false, false},
};

Expect BinaryExpect(bool logic) {
  // SDM vol. 2 AND/OR/XOR/TEST: OF = CF = 0, SF ZF PF by result, AF undefined.
  return logic ? Expect{kAllButAf, kAF, 0} : Expect{kArithFlags, 0, 0};
}

class AluDifferentialTest : public ::testing::Test {
 protected:
  Differential d;
};

TEST_F(AluDifferentialTest, BinaryArithmeticAndLogic) {
  for (const BinaryOp& op : kBinaryOps) {
    const Expect e = BinaryExpect(op.logic);
    const uint8_t row = static_cast<uint8_t>(op.n * 8);
    for (int size : kSizes) {
      const uint8_t w = size == 1 ? 0 : 1;
      const std::string rm = RmSize(size), r = SizeName(size);
      for (const RegPair& p : RegPairs(size)) {
        // op r/m, r (00/01) and op r, r/m (02/03) with register r/m.
        ModRmInsn mr{{}, size, {static_cast<uint8_t>(row + w)}, p.src, -1, Rm::R(p.dst)};
        ModRmInsn rm_form{{}, size, {static_cast<uint8_t>(row + 2 + w)}, p.dst, -1, Rm::R(p.src)};
        Place dst = RegPlace(p.dst), src = RegPlace(p.src);
        // The arithmetic gets every edge pair once per form; the other
        // register variants check operand access with fewer values.
        const bool primary = std::string(p.tag) == "low";
        EXPECT_TRUE(RunPairs(d, FormName(std::string(op.name) + " " + rm + "," + r + " reg", p.tag),
                             Encode(mr), dst, &src, size, e, op.carry_in, primary ? 48 : 16, primary));
        EXPECT_TRUE(RunPairs(d, FormName(std::string(op.name) + " " + r + "," + rm + " reg", p.tag),
                             Encode(rm_form), dst, &src, size, e, op.carry_in, 16, false));
      }
      for (auto [reg, tag] : MemSideRegs(size)) {
        ModRmInsn mr{{}, size, {static_cast<uint8_t>(row + w)}, reg, -1, Rm::M(StandardMem())};
        ModRmInsn rm_form{{}, size, {static_cast<uint8_t>(row + 2 + w)}, reg, -1, Rm::M(StandardMem())};
        Place mem = MemPlace(), regp = RegPlace(reg);
        const bool primary = std::string(tag) == "low";
        EXPECT_TRUE(RunPairs(d, FormName(std::string(op.name) + " " + rm + "," + r + " mem", tag),
                             Encode(mr), mem, &regp, size, e, op.carry_in, primary ? 48 : 16, primary));
        EXPECT_TRUE(RunPairs(d, FormName(std::string(op.name) + " " + r + "," + rm + " mem", tag),
                             Encode(rm_form), regp, &mem, size, e, op.carry_in, 16, false));
      }
      // Accumulator short form (04/05 + row).
      const int ib = ImmBytes(size);
      Reg acc{0, size};
      EXPECT_TRUE(RunImmediate(
          d, FormName(std::string(op.name) + " " + (size == 1 ? "al" : "rAX") + ",imm " + r, ""),
          [&](uint64_t imm) {
            return EncodePlain({static_cast<uint8_t>(row + 4 + w)}, size, imm, ib);
          },
          ib, RegPlace(acc), size, e, op.carry_in));
      // 80/81 /n and 83 /n ib, register and memory destinations.
      for (bool mem : {false, true}) {
        Rm dst_rm = mem ? Rm::M(StandardMem()) : Rm::R(Reg{14, size});
        Place dst = mem ? MemPlace() : RegPlace(Reg{14, size});
        const char* where = mem ? " mem" : " reg";
        EXPECT_TRUE(RunImmediate(
            d, FormName(std::string(op.name) + " " + rm + ",imm" + std::to_string(8 * ib) + where, ""),
            [&](uint64_t imm) {
              return Encode({{}, size, {static_cast<uint8_t>(size == 1 ? 0x80 : 0x81)}, {}, op.n,
                             dst_rm, imm, ib});
            },
            ib, dst, size, e, op.carry_in));
        if (size > 1) {
          EXPECT_TRUE(RunImmediate(
              d, FormName(std::string(op.name) + " " + rm + ",imm8 (83)" + where, ""),
              [&](uint64_t imm) { return Encode({{}, size, {0x83}, {}, op.n, dst_rm, imm, 1}); }, 1,
              dst, size, e, op.carry_in));
        }
      }
    }
  }
}

TEST_F(AluDifferentialTest, LockedMemoryForms) {
  // LOCK on a read-modify-write memory form changes nothing on one core.
  for (const BinaryOp& op : kBinaryOps) {
    if (op.n == 7) continue;  // CMP cannot be locked
    for (int size : kSizes) {
      ModRmInsn insn{{0xf0}, size, {static_cast<uint8_t>(op.n * 8 + (size == 1 ? 0 : 1))},
                     Reg{1, size}, -1, Rm::M(StandardMem())};
      Place mem = MemPlace(), reg = RegPlace(Reg{1, size});
      EXPECT_TRUE(RunPairs(d, FormName("lock " + std::string(op.name) + " " + RmSize(size) + "," + SizeName(size), ""),
                           Encode(insn), mem, &reg, size, BinaryExpect(op.logic), op.carry_in, 16));
    }
  }
}

TEST_F(AluDifferentialTest, Test) {
  const Expect e = BinaryExpect(true);
  for (int size : kSizes) {
    const uint8_t w = size == 1 ? 0 : 1;
    for (const RegPair& p : RegPairs(size)) {
      ModRmInsn insn{{}, size, {static_cast<uint8_t>(0x84 + w)}, p.src, -1, Rm::R(p.dst)};
      Place dst = RegPlace(p.dst), src = RegPlace(p.src);
      EXPECT_TRUE(RunPairs(d, FormName("test " + RmSize(size) + "," + SizeName(size) + " reg", p.tag),
                           Encode(insn), dst, &src, size, e, false));
    }
    Place mem = MemPlace(), reg = RegPlace(Reg{1, size});
    EXPECT_TRUE(RunPairs(d, FormName("test " + RmSize(size) + "," + SizeName(size) + " mem", ""),
                         Encode({{}, size, {static_cast<uint8_t>(0x84 + w)}, Reg{1, size}, -1,
                                 Rm::M(StandardMem())}),
                         mem, &reg, size, e, false));
    const int ib = ImmBytes(size);
    EXPECT_TRUE(RunImmediate(
        d, FormName("test " + std::string(size == 1 ? "al" : "rAX") + ",imm " + SizeName(size), ""),
        [&](uint64_t imm) { return EncodePlain({static_cast<uint8_t>(0xa8 + w)}, size, imm, ib); },
        ib, RegPlace(Reg{0, size}), size, e, false));
    for (bool in_mem : {false, true}) {
      Rm dst_rm = in_mem ? Rm::M(StandardMem()) : Rm::R(Reg{10, size});
      // F6/F7 /0, and /1, its undocumented alias.
      for (int digit : {0, 1}) {
        EXPECT_TRUE(RunImmediate(
            d, FormName("test " + RmSize(size) + ",imm /" + std::to_string(digit) + (in_mem ? " mem" : " reg"), ""),
            [&](uint64_t imm) {
              return Encode({{}, size, {static_cast<uint8_t>(0xf6 + w)}, {}, digit, dst_rm, imm, ib});
            },
            ib, in_mem ? MemPlace() : RegPlace(Reg{10, size}), size, e, false));
      }
    }
  }
}

TEST_F(AluDifferentialTest, IncDecNegNot) {
  struct UnaryOp {
    const char* name;
    uint8_t opcode;  // byte form; +1 for the others
    int digit;
  };
  // INC/DEC keep CF (SDM vol. 2 INC); NEG sets all six; NOT changes none.
  const UnaryOp ops[] = {{"inc", 0xfe, 0}, {"dec", 0xfe, 1}, {"not", 0xf6, 2}, {"neg", 0xf6, 3}};
  for (const UnaryOp& op : ops) {
    for (int size : kSizes) {
      const uint8_t opcode = static_cast<uint8_t>(op.opcode + (size == 1 ? 0 : 1));
      for (const RegPair& p : RegPairs(size)) {
        if (std::string(p.tag) == "same") continue;
        EXPECT_TRUE(RunPairs(d, FormName(std::string(op.name) + " " + RmSize(size) + " reg", p.tag),
                             Encode({{}, size, {opcode}, {}, op.digit, Rm::R(p.dst)}),
                             RegPlace(p.dst), nullptr, size, Expect{}, false, 8));
      }
      EXPECT_TRUE(RunPairs(d, FormName(std::string(op.name) + " " + RmSize(size) + " mem", ""),
                           Encode({{}, size, {opcode}, {}, op.digit, Rm::M(StandardMem())}),
                           MemPlace(), nullptr, size, Expect{}, false, 8));
    }
  }
}

// SDM vol. 2 DIV/IDIV: #DE when the divisor is 0 or the quotient does not fit.
bool DivideFaults(bool is_signed, int size, unsigned __int128 dividend, uint64_t divisor) {
  const int bits = 8 * size;
  if (Truncate(divisor, size) == 0) return true;
  if (!is_signed) {
    unsigned __int128 q = dividend / Truncate(divisor, size);
    return (q >> bits) != 0;
  }
  // Sign-extend the 2*bits-wide dividend and the divisor.
  const int shift = 128 - 2 * bits;
  __int128 n = static_cast<__int128>(dividend << shift) >> shift;
  __int128 m = static_cast<__int128>(static_cast<unsigned __int128>(divisor) << (128 - bits)) >>
               (128 - bits);
  const __int128 lo = -(static_cast<__int128>(1) << (bits - 1));
  const __int128 hi = (static_cast<__int128>(1) << (bits - 1)) - 1;
  if (m == -1) return n < -hi || n > -lo;  // -n must fit; avoids overflowing n / -1
  __int128 q = n / m;
  return q < lo || q > hi;
}

TEST_F(AluDifferentialTest, MultiplyAndDivide) {
  struct Op {
    const char* name;
    int digit;
  };
  const Op ops[] = {{"mul", 4}, {"imul", 5}, {"div", 6}, {"idiv", 7}};
  for (const Op& op : ops) {
    const bool divide = op.digit >= 6, is_signed = op.digit & 1;
    // MUL/IMUL: OF and CF defined, SF ZF AF PF undefined; DIV/IDIV: all undefined.
    const Expect e = divide ? Expect{0, kArithFlags, 0}
                            : Expect{kCF | kOF, kSF | kZF | kAF | kPF, 0};
    for (int size : kSizes) {
      const uint8_t opcode = size == 1 ? 0xf6 : 0xf7;
      for (bool mem : {false, true}) {
        Reg src_reg{13, size};
        std::string form = FormName(std::string(op.name) + " " + RmSize(size) + (mem ? " mem" : " reg"), "");
        d.machine.SetCode(Encode({{}, size, {opcode}, {}, op.digit,
                                  mem ? Rm::M(StandardMem()) : Rm::R(src_reg)}));
        Place src = mem ? MemPlace() : RegPlace(src_reg);
        std::vector<uint64_t> vals = OperandValues(d.values, size, 24);
        bool ok = true;
        for (size_t i = 0; i < vals.size() && ok; ++i) {
          for (size_t j = 0; j < vals.size() && ok; ++j) {
            MachineState s = d.Fresh();
            Put(s, src, vals[j], size, d.values);
            uint64_t lo = vals[i], hi;
            // Dividends: the high half sometimes below the divisor (quotient fits).
            hi = divide && (i + j) % 3 != 0 ? d.values.Bits64() % (Truncate(vals[j], size) | 1)
                                            : d.values.Random(size);
            unsigned __int128 dividend;
            if (size == 1) {
              s.gpr[0] = (s.gpr[0] & ~uint64_t{0xffff}) | (lo & 0xff) | ((hi & 0xff) << 8);
              dividend = (lo & 0xff) | ((hi & 0xff) << 8);
            } else {
              Put(s, RegPlace(Reg{0, size}), lo, size, d.values);
              if (divide) Put(s, RegPlace(Reg{2, size}), hi, size, d.values);
              dividend = (static_cast<unsigned __int128>(Truncate(hi, size)) << (8 * size)) |
                         Truncate(lo, size);
            }
            if (divide && DivideFaults(is_signed, size, dividend, vals[j])) {
              ok = d.checker.CheckSimFault(form, s, kDivideError);
            } else {
              ok = d.checker.Check(form, s, e);
            }
          }
        }
        EXPECT_TRUE(ok);
      }
    }
  }
}

TEST_F(AluDifferentialTest, ImulTwoAndThreeOperands) {
  const Expect e{kCF | kOF, kSF | kZF | kAF | kPF, 0};
  for (int size : {2, 4, 8}) {
    const std::string r = SizeName(size), rm = RmSize(size);
    for (const RegPair& p : RegPairs(size)) {
      Place dst = RegPlace(p.dst), src = RegPlace(p.src);
      EXPECT_TRUE(RunPairs(d, FormName("imul " + r + "," + rm + " reg", p.tag),
                           Encode({{}, size, {0x0f, 0xaf}, p.dst, -1, Rm::R(p.src)}), dst, &src,
                           size, e, false));
    }
    Place mem = MemPlace(), dst = RegPlace(Reg{9, size});
    EXPECT_TRUE(RunPairs(d, FormName("imul " + r + "," + rm + " mem", ""),
                         Encode({{}, size, {0x0f, 0xaf}, Reg{9, size}, -1, Rm::M(StandardMem())}),
                         dst, &mem, size, e, false));
    // 6B /r ib and 69 /r iw/id: dst <- src * imm (sign-extended).
    for (int ib : {1, ImmBytes(size)}) {
      const uint8_t opcode = ib == 1 ? 0x6b : 0x69;
      for (bool in_mem : {false, true}) {
        Rm src_rm = in_mem ? Rm::M(StandardMem()) : Rm::R(Reg{6, size});
        Place srcp = in_mem ? MemPlace() : RegPlace(Reg{6, size});
        EXPECT_TRUE(RunImmediate(
            d, FormName("imul " + r + "," + rm + ",imm" + std::to_string(8 * ib) + (in_mem ? " mem" : " reg"), ""),
            [&](uint64_t imm) { return Encode({{}, size, {opcode}, Reg{10, size}, -1, src_rm, imm, ib}); },
            ib, srcp, size, e, false));
      }
    }
  }
}

}  // namespace
}  // namespace x64sim::testing
