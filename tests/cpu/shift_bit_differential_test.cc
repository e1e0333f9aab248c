// Shifts, rotates, SHLD/SHRD, BT/BTS/BTR/BTC and BSF/BSR against the host
// CPU: every count source (1, CL, imm8), counts 0, 1, n and past the width,
// register and memory operands, bit strings addressed with negative offsets.
#include <string>

#include "gtest/gtest.h"
#include "tests/cpu/differential_forms.h"

namespace x64sim::testing {
namespace {

constexpr int kSizes[] = {1, 2, 4, 8};
const uint8_t kCounts[] = {0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 255};

std::string RmSize(int size) { return "r/m" + std::to_string(8 * size); }
std::string Hex(int v) {
  char buf[8];
  std::snprintf(buf, sizeof(buf), "%02X", v);
  return buf;
}

// Destination registers that leave CL to the count.
std::vector<std::pair<Reg, const char*>> ShiftRegs(int size) {
  if (size == 1) return {{{0, 1}, "low"}, {{0, 1, true}, "high"}, {{6, 1}, "rex"}};
  return {{{0, size}, "low"}, {{10, size}, "ext"}};
}

struct ShiftOp {
  const char* name;
  int digit;
};
// /6 is the undocumented alias of SHL that decoders accept.
constexpr ShiftOp kShiftOps[] = {{"rol", 0}, {"ror", 1}, {"rcl", 2}, {"rcr", 3},
                                 {"shl", 4}, {"shr", 5}, {"sal(/6)", 6}, {"sar", 7}};

// SDM vol. 2 SAL/SAR/SHL/SHR and RCL/RCR/ROL/ROR: a masked count of 0 changes
// no flag; OF is defined only for 1-bit counts; shifts set SF ZF PF by the
// result and leave AF undefined; SHL/SHR leave CF undefined for counts of
// the operand width or more; rotates leave SF ZF AF PF alone.
Expect ShiftExpect(int digit, int size, uint8_t count) {
  const int masked = count & (size == 8 ? 63 : 31);
  if (masked == 0) return Expect{};
  uint64_t undefined = masked == 1 ? 0 : kOF;
  if (digit >= 4) {
    undefined |= kAF;
    if (digit != 7 && masked >= 8 * size) undefined |= kCF;
  }
  return Expect{kArithFlags & ~undefined, undefined, 0};
}

class ShiftBitDifferentialTest : public ::testing::Test {
 protected:
  // Runs `dsts` values of `size` at `dst` with count `count` in CL
  // (`count_in_cl`) or encoded already; both carries.
  bool RunShift(const std::string& form, const Place& dst, int size, uint8_t count,
                bool count_in_cl, const Expect& e, const std::vector<uint64_t>& dsts) {
    for (uint64_t a : dsts) {
      for (int carry = 0; carry < 2; ++carry) {
        MachineState s = d.Fresh();
        s.rflags = (s.rflags & ~kCF) | (carry ? kCF : 0);
        if (count_in_cl) s.gpr[1] = (s.gpr[1] & ~uint64_t{0xff}) | count;
        Put(s, dst, a, size, d.values);
        if (!d.checker.Check(form, s, e)) return false;
      }
    }
    return true;
  }

  Differential d;
};

TEST_F(ShiftBitDifferentialTest, ShiftsAndRotates) {
  for (const ShiftOp& op : kShiftOps) {
    for (int size : kSizes) {
      const uint8_t w = size == 1 ? 0 : 1;
      std::vector<std::pair<Rm, Place>> dsts;
      std::vector<std::string> kinds;
      for (auto [reg, tag] : ShiftRegs(size)) {
        dsts.push_back({Rm::R(reg), RegPlace(reg)});
        kinds.push_back(tag);
      }
      dsts.push_back({Rm::M(StandardMem()), MemPlace()});
      kinds.push_back("");
      for (size_t k = 0; k < dsts.size(); ++k) {
        const auto& [rm, place] = dsts[k];
        const std::string base =
            std::string(op.name) + (rm.is_mem ? " mem " : " reg ") + RmSize(size);
        // Every edge value for the first register; a few for the other operands.
        std::vector<uint64_t> values = OperandValues(d.values, size, 8);
        if (k != 0) values = {values[1], values[6], values[7], values[9], values[11], values[13]};
        // D0/D1 /n: by 1.
        d.machine.SetCode(Encode({{}, size, {static_cast<uint8_t>(0xd0 + w)}, {}, op.digit, rm}));
        EXPECT_TRUE(RunShift(FormName(base + ",1 (" + Hex(0xd0 + w) + ")", kinds[k]), place, size,
                             1, false, ShiftExpect(op.digit, size, 1), values));
        // D2/D3 /n: by CL.
        const std::string by_cl = FormName(base + ",cl (" + Hex(0xd2 + w) + ")", kinds[k]);
        d.machine.SetCode(Encode({{}, size, {static_cast<uint8_t>(0xd2 + w)}, {}, op.digit, rm}));
        bool ok = true;
        for (uint8_t count : kCounts) {
          ok = ok && RunShift(by_cl, place, size, count, true, ShiftExpect(op.digit, size, count),
                              values);
        }
        for (int i = 0; i < 8 && ok; ++i) {
          uint8_t count = static_cast<uint8_t>(d.values.Bits64());
          ok = RunShift(by_cl, place, size, count, true, ShiftExpect(op.digit, size, count), values);
        }
        EXPECT_TRUE(ok);
        // C0/C1 /n ib.
        const std::string by_imm = FormName(base + ",imm8 (" + Hex(0xc0 + w) + ")", kinds[k]);
        ok = true;
        for (uint8_t count : kCounts) {
          d.machine.SetCode(
              Encode({{}, size, {static_cast<uint8_t>(0xc0 + w)}, {}, op.digit, rm, count, 1}));
          ok = ok && RunShift(by_imm, place, size, count, false, ShiftExpect(op.digit, size, count),
                              values);
        }
        EXPECT_TRUE(ok);
      }
    }
  }
}

// SDM vol. 2 SHLD/SHRD: count masked to 5 bits (6 with REX.W); 0 changes
// nothing; CF SF ZF PF defined, OF only for 1, AF undefined; a count past a
// 16-bit operand's width leaves the result and every flag undefined.
Expect DoubleShiftExpect(int size, uint8_t count, uint32_t dest_reg_bit) {
  const int masked = count & (size == 8 ? 63 : 31);
  if (masked == 0) return Expect{};
  if (masked > 8 * size) return Expect{0, kArithFlags, dest_reg_bit};
  const uint64_t undefined = kAF | (masked == 1 ? 0 : kOF);
  return Expect{kArithFlags & ~undefined, undefined, 0};
}

TEST_F(ShiftBitDifferentialTest, DoubleShifts) {
  for (bool left : {true, false}) {
    const uint8_t imm_op = left ? 0xa4 : 0xac;
    for (int size : {2, 4, 8}) {
      for (bool mem : {false, true}) {
        Reg dst_reg{9, size}, src_reg{2, size};
        Rm rm = mem ? Rm::M(StandardMem()) : Rm::R(dst_reg);
        Place dst = mem ? MemPlace() : RegPlace(dst_reg), src = RegPlace(src_reg);
        const std::string base = std::string(left ? "shld " : "shrd ") + RmSize(size) + ",r" +
                                 std::to_string(8 * size);
        const char* kind = mem ? "mem" : "reg";
        const std::string by_imm = FormName(base + ",imm8", kind);
        const std::string by_cl = FormName(base + ",cl", kind);
        std::vector<uint64_t> values = OperandValues(d.values, size, 3);
        bool ok = true;
        for (bool cl : {false, true}) {
          if (cl) d.machine.SetCode(Encode({{}, size, {0x0f, static_cast<uint8_t>(imm_op + 1)}, src_reg, -1, rm}));
          for (uint8_t count : kCounts) {
            Expect e = DoubleShiftExpect(size, count, RegBit(dst_reg.num));
            if (mem && e.undefined_regs) continue;  // an undefined memory result: not comparable
            if (!cl) d.machine.SetCode(Encode({{}, size, {0x0f, imm_op}, src_reg, -1, rm, count, 1}));
            for (size_t i = 0; i < values.size() && ok; ++i) {
              for (size_t j = 0; j < values.size() && ok; j += 2) {
                MachineState s = d.Fresh();
                s.gpr[1] = (s.gpr[1] & ~uint64_t{0xff}) | count;
                Put(s, dst, values[i], size, d.values);
                Put(s, src, values[j], size, d.values);
                ok = d.checker.Check(cl ? by_cl : by_imm, s, e);
              }
            }
          }
        }
        EXPECT_TRUE(ok);
      }
    }
  }
}

struct BitOp {
  const char* name;
  uint8_t opcode;  // 0F xx /r
  int digit;       // 0F BA /digit ib
};
constexpr BitOp kBitOps[] = {
    {"bt", 0xa3, 4}, {"bts", 0xab, 5}, {"btr", 0xb3, 6}, {"btc", 0xbb, 7}};
// SDM vol. 2 BT: CF is the bit, ZF unchanged, OF SF AF PF undefined.
constexpr Expect kBitExpect{kCF | kZF, kOF | kSF | kAF | kPF, 0};

std::vector<int64_t> BitOffsets(Values& v, int size) {
  const int64_t bits = 8 * size;
  std::vector<int64_t> out = {0,         1,     -1,         bits - 1, bits,  bits + 1,
                              -bits,     -bits - 1, 2 * bits, -2 * bits - 3, 0x7fff, -0x8000,
                              8 * 0x100, -8 * 0x100 + 5};
  for (int i = 0; i < 24; ++i) out.push_back(static_cast<int64_t>(v.Bits64() % 0x10000) - 0x8000);
  return out;
}

TEST_F(ShiftBitDifferentialTest, BitTests) {
  for (const BitOp& op : kBitOps) {
    for (int size : {2, 4, 8}) {
      const std::string r = "r" + std::to_string(8 * size);
      Reg base_reg{10, size}, offset_reg{6, size};
      // Register bit base: the offset is taken modulo the width.
      std::string form = FormName(std::string(op.name) + " " + RmSize(size) + "," + r, "reg");
      Place base = RegPlace(base_reg), offset = RegPlace(offset_reg);
      EXPECT_TRUE(RunPairs(d, form, Encode({{}, size, {0x0f, op.opcode}, offset_reg, -1, Rm::R(base_reg)}),
                           base, &offset, size, kBitExpect, false));
      // Memory bit string: a register offset reaches below and above the operand
      // (SDM vol. 2 BT: signed offsets address the whole string).
      form = FormName(std::string(op.name) + " " + RmSize(size) + "," + r, "mem bit string");
      d.machine.SetCode(Encode({{}, size, {0x0f, op.opcode}, offset_reg, -1, Rm::M(StandardMem())}));
      bool ok = true;
      for (int64_t off : BitOffsets(d.values, size)) {
        MachineState s = d.Fresh();
        Put(s, offset, static_cast<uint64_t>(off), size, d.values);
        ok = ok && d.checker.Check(form, s, kBitExpect);
      }
      EXPECT_TRUE(ok);
      // 0F BA /digit ib, register and memory: the offset is masked to the width.
      for (bool mem : {false, true}) {
        form = FormName(std::string(op.name) + " " + RmSize(size) + ",imm8", mem ? "mem" : "reg");
        ok = true;
        for (uint8_t imm : kCounts) {
          d.machine.SetCode(Encode({{}, size, {0x0f, 0xba}, {}, op.digit,
                                    mem ? Rm::M(StandardMem()) : Rm::R(base_reg), imm, 1}));
          for (uint64_t v : OperandValues(d.values, size, 2)) {
            MachineState s = d.Fresh();
            Put(s, mem ? MemPlace() : base, v, size, d.values);
            ok = ok && d.checker.Check(form, s, kBitExpect);
          }
        }
        EXPECT_TRUE(ok);
      }
    }
  }
}

TEST_F(ShiftBitDifferentialTest, BitScans) {
  for (bool forward : {true, false}) {
    for (int size : {2, 4, 8}) {
      for (bool mem : {false, true}) {
        Reg dst{9, size}, src_reg{12, size};
        std::string form = FormName(std::string(forward ? "bsf " : "bsr ") + "r" +
                                        std::to_string(8 * size) + "," + RmSize(size),
                                    mem ? "mem" : "reg");
        d.machine.SetCode(Encode({{}, size, {0x0f, static_cast<uint8_t>(forward ? 0xbc : 0xbd)},
                                  dst, -1, mem ? Rm::M(StandardMem()) : Rm::R(src_reg)}));
        std::vector<uint64_t> values = OperandValues(d.values, size, 16);
        for (int b = 0; b < 8 * size; b += 5) values.push_back(uint64_t{1} << b);
        bool ok = true;
        for (uint64_t v : values) {
          MachineState s = d.Fresh();
          Put(s, mem ? MemPlace() : RegPlace(src_reg), v, size, d.values);
          // SDM vol. 2 BSF: ZF defined, the rest undefined; a zero source
          // leaves the destination undefined.
          Expect e{kZF, kArithFlags & ~kZF, Truncate(v, size) == 0 ? RegBit(dst.num) : 0u};
          ok = ok && d.checker.Check(form, s, e);
        }
        EXPECT_TRUE(ok);
      }
    }
  }
}

}  // namespace
}  // namespace x64sim::testing
