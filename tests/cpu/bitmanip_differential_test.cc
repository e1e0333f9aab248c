// POPCNT, LZCNT, TZCNT, MOVBE, BMI1, BMI2 and ADX against the host CPU:
// every operand size, register and memory sources, edge and random values,
// and for BEXTR, BZHI and the shifts every control value from 0 past the
// operand width. Instructions are encoded by Zydis's encoder (VEX included).
#include <Zydis/Zydis.h>

#include <cstring>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/cpu/differential_forms.h"

namespace x64sim::testing {
namespace {

// Operand roles: the destination is R8, a register source R9, the r/m
// source R10 or [rbx+0x18]; MULX also reads RDX.
enum class Shape {
  kRegRm,        // POPCNT r, r/m (also BLSx: vvvv, r/m; ADCX ADOX)
  kRegRegRm,     // ANDN PDEP PEXT MULX: r, vvvv, r/m
  kRegRmReg,     // BEXTR BZHI SARX SHLX SHRX: r, r/m, vvvv
  kRegRmImm,     // RORX: r, r/m, imm8
  kRegMem,       // MOVBE r, m
  kMemReg,       // MOVBE m, r
};

struct Case {
  ZydisMnemonic mnemonic;
  const char* name;
  Shape shape;
  std::vector<int> sizes;
  uint64_t defined;    // flags compared with the host
  uint64_t undefined;  // flags the SDM leaves undefined (x64sim clears them)
  bool control;        // the second source is a count or start/length, not data
};

const Case kCases[] = {
    {ZYDIS_MNEMONIC_POPCNT, "popcnt", Shape::kRegRm, {2, 4, 8}, kArithFlags, 0, false},
    {ZYDIS_MNEMONIC_LZCNT, "lzcnt", Shape::kRegRm, {2, 4, 8}, kCF | kZF, kOF | kSF | kPF | kAF,
     false},
    {ZYDIS_MNEMONIC_TZCNT, "tzcnt", Shape::kRegRm, {2, 4, 8}, kCF | kZF, kOF | kSF | kPF | kAF,
     false},
    {ZYDIS_MNEMONIC_MOVBE, "movbe", Shape::kRegMem, {2, 4, 8}, kArithFlags, 0, false},
    {ZYDIS_MNEMONIC_MOVBE, "movbe", Shape::kMemReg, {2, 4, 8}, kArithFlags, 0, false},
    {ZYDIS_MNEMONIC_ANDN, "andn", Shape::kRegRegRm, {4, 8}, kSF | kZF | kOF | kCF, kAF | kPF,
     false},
    {ZYDIS_MNEMONIC_BEXTR, "bextr", Shape::kRegRmReg, {4, 8}, kZF | kCF | kOF, kAF | kSF | kPF,
     true},
    {ZYDIS_MNEMONIC_BLSI, "blsi", Shape::kRegRm, {4, 8}, kSF | kZF | kCF | kOF, kAF | kPF, false},
    {ZYDIS_MNEMONIC_BLSMSK, "blsmsk", Shape::kRegRm, {4, 8}, kSF | kZF | kCF | kOF, kAF | kPF,
     false},
    {ZYDIS_MNEMONIC_BLSR, "blsr", Shape::kRegRm, {4, 8}, kSF | kZF | kCF | kOF, kAF | kPF, false},
    {ZYDIS_MNEMONIC_BZHI, "bzhi", Shape::kRegRmReg, {4, 8}, kSF | kZF | kCF | kOF, kAF | kPF,
     true},
    {ZYDIS_MNEMONIC_PDEP, "pdep", Shape::kRegRegRm, {4, 8}, kArithFlags, 0, false},
    {ZYDIS_MNEMONIC_PEXT, "pext", Shape::kRegRegRm, {4, 8}, kArithFlags, 0, false},
    {ZYDIS_MNEMONIC_SARX, "sarx", Shape::kRegRmReg, {4, 8}, kArithFlags, 0, true},
    {ZYDIS_MNEMONIC_SHLX, "shlx", Shape::kRegRmReg, {4, 8}, kArithFlags, 0, true},
    {ZYDIS_MNEMONIC_SHRX, "shrx", Shape::kRegRmReg, {4, 8}, kArithFlags, 0, true},
    {ZYDIS_MNEMONIC_RORX, "rorx", Shape::kRegRmImm, {4, 8}, kArithFlags, 0, false},
    {ZYDIS_MNEMONIC_MULX, "mulx", Shape::kRegRegRm, {4, 8}, kArithFlags, 0, false},
    {ZYDIS_MNEMONIC_ADCX, "adcx", Shape::kRegRm, {4, 8}, kArithFlags, 0, false},
    {ZYDIS_MNEMONIC_ADOX, "adox", Shape::kRegRm, {4, 8}, kArithFlags, 0, false},
};

ZydisRegister Gpr(int num, int size) {
  const ZydisRegister base = size == 2   ? ZYDIS_REGISTER_AX
                             : size == 4 ? ZYDIS_REGISTER_EAX
                                         : ZYDIS_REGISTER_RAX;
  return static_cast<ZydisRegister>(base + num);
}

constexpr int kDst = 8, kSrc = 9, kRm = 10;

void SetReg(ZydisEncoderOperand& op, int num, int size) {
  op.type = ZYDIS_OPERAND_TYPE_REGISTER;
  op.reg.value = Gpr(num, size);
}

void SetMem(ZydisEncoderOperand& op, int size) {
  op.type = ZYDIS_OPERAND_TYPE_MEMORY;
  op.mem.base = ZYDIS_REGISTER_RBX;
  op.mem.displacement = kMemDisp;
  op.mem.size = static_cast<ZyanU16>(size);
}

void SetRm(ZydisEncoderOperand& op, bool mem, int size) {
  if (mem) {
    SetMem(op, size);
  } else {
    SetReg(op, kRm, size);
  }
}

std::vector<uint8_t> EncodeCase(const Case& c, int size, bool mem, uint8_t imm) {
  ZydisEncoderRequest req;
  std::memset(&req, 0, sizeof(req));
  req.mnemonic = c.mnemonic;
  req.machine_mode = ZYDIS_MACHINE_MODE_LONG_64;
  ZydisEncoderOperand* op = req.operands;
  switch (c.shape) {
    case Shape::kRegRm:
      req.operand_count = 2;
      SetReg(op[0], kDst, size);
      SetRm(op[1], mem, size);
      break;
    case Shape::kRegRegRm:
      req.operand_count = 3;
      SetReg(op[0], kDst, size);
      SetReg(op[1], kSrc, size);
      SetRm(op[2], mem, size);
      break;
    case Shape::kRegRmReg:
      req.operand_count = 3;
      SetReg(op[0], kDst, size);
      SetRm(op[1], mem, size);
      SetReg(op[2], kSrc, size);
      break;
    case Shape::kRegRmImm:
      req.operand_count = 3;
      SetReg(op[0], kDst, size);
      SetRm(op[1], mem, size);
      op[2].type = ZYDIS_OPERAND_TYPE_IMMEDIATE;
      op[2].imm.u = imm;
      break;
    case Shape::kRegMem:
      req.operand_count = 2;
      SetReg(op[0], kDst, size);
      SetMem(op[1], size);
      break;
    case Shape::kMemReg:
      req.operand_count = 2;
      SetMem(op[0], size);
      SetReg(op[1], kSrc, size);
      break;
  }
  ZyanU8 bytes[ZYDIS_MAX_INSTRUCTION_LENGTH];
  ZyanUSize length = sizeof(bytes);
  if (!ZYAN_SUCCESS(ZydisEncoderEncodeInstruction(&req, bytes, &length))) return {};
  return std::vector<uint8_t>(bytes, bytes + length);
}

bool HasRm(Shape s) { return s != Shape::kRegMem && s != Shape::kMemReg; }

class BitManipulationDifferentialTest : public ::testing::TestWithParam<Case> {
 protected:
  Differential d;
};

TEST_P(BitManipulationDifferentialTest, MatchesTheHost) {
  const Case& c = GetParam();
  for (int size : c.sizes) {
    for (bool mem : {false, true}) {
      if (!HasRm(c.shape) && !mem) continue;
      // RORX: a few rotate counts, each its own encoding.
      const std::vector<uint8_t> imms =
          c.shape == Shape::kRegRmImm ? std::vector<uint8_t>{0, 1, 7, 31, 32, 63, 64, 200}
                                      : std::vector<uint8_t>{0};
      for (uint8_t imm : imms) {
        const std::vector<uint8_t> code = EncodeCase(c, size, mem, imm);
        ASSERT_FALSE(code.empty()) << c.name << " " << size;
        const std::string form = FormName(
            std::string(c.name) + " " + std::to_string(8 * size) +
                (c.shape == Shape::kRegRmImm ? " imm=" + std::to_string(imm) : ""),
            mem ? "mem" : "reg");
        d.machine.SetCode(code);
        std::vector<uint64_t> data = OperandValues(d.values, size, 24);
        for (int b = 0; b < 8 * size; b += 7) data.push_back(uint64_t{1} << b);
        std::vector<uint64_t> seconds = OperandValues(d.values, size, 8);
        if (c.control) {
          // Counts, and BEXTR's start (bits 7:0) and length (bits 15:8).
          for (uint64_t v : {0, 1, 5, 15, 16, 31, 32, 33, 63, 64, 65, 255}) seconds.push_back(v);
          for (uint64_t start : {0, 3, 31, 40, 64}) {
            for (uint64_t length : {0, 1, 8, 32, 33, 64, 200}) seconds.push_back(start | length << 8);
          }
        }
        bool ok = true;
        for (size_t i = 0; i < data.size() && ok; ++i) {
          for (size_t j = 0; j < seconds.size() && ok; j += (c.control ? 1 : 3)) {
            for (int carries = 0; carries < 4 && ok; ++carries) {
              MachineState s = d.Fresh();
              s.rflags = (s.rflags & ~(kCF | kOF)) | ((carries & 1) ? kCF : 0) |
                         ((carries & 2) ? kOF : 0);
              const Place rm = mem ? MemPlace() : RegPlace(Reg{kRm, size});
              Put(s, rm, data[i], size, d.values);
              Put(s, RegPlace(Reg{kSrc, size}), seconds[j], size, d.values);
              Put(s, RegPlace(Reg{kDst, size}), seconds[(j + i) % seconds.size()], size,
                  d.values);
              s.gpr[kRdx] = data[(i + j) % data.size()];
              ok = d.checker.Check(form, s, Expect{c.defined, c.undefined, 0});
            }
          }
        }
        EXPECT_TRUE(ok) << form;
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(All, BitManipulationDifferentialTest, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<Case>& info) {
                           std::string name = info.param.name;
                           if (info.param.shape == Shape::kMemReg) name += "_store";
                           return name;
                         });

}  // namespace
}  // namespace x64sim::testing
