// FormKey on decoded byte sequences: each rule of the key definition
// (uarch/form_key.h) with a few samples.
#include "uarch/form_key.h"

#include <Zydis/Zydis.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace x64sim {
namespace {

enum class Mode { kLong64, kCompat32 };

std::string KeyOf(std::vector<uint8_t> bytes, Mode mode = Mode::kLong64) {
  ZydisDecoder decoder;
  if (mode == Mode::kLong64) {
    ZydisDecoderInit(&decoder, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
  } else {
    ZydisDecoderInit(&decoder, ZYDIS_MACHINE_MODE_LONG_COMPAT_32, ZYDIS_STACK_WIDTH_32);
  }
  ZydisDecodedInstruction insn;
  ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
  if (!ZYAN_SUCCESS(ZydisDecoderDecodeFull(&decoder, bytes.data(), bytes.size(), &insn, ops))) {
    return "(undecodable)";
  }
  EXPECT_EQ(insn.length, bytes.size()) << "test bytes hold more than one instruction";
  return FormKey(insn, ops);
}

TEST(FormKeyTest, GeneralRegistersByClass) {
  EXPECT_EQ(KeyOf({0x48, 0x01, 0xc0}), "ADD r64,r64");       // add rax, rax
  EXPECT_EQ(KeyOf({0x01, 0xd9}), "ADD r32,r32");             // add ecx, ebx
  EXPECT_EQ(KeyOf({0x66, 0x29, 0xc8}), "SUB r16,r16");       // sub ax, cx
  EXPECT_EQ(KeyOf({0x88, 0xe0}), "MOV r8,r8");               // mov al, ah: AH is r8
  EXPECT_EQ(KeyOf({0x40, 0x88, 0xf7}), "MOV r8,r8");         // mov dil, sil
  EXPECT_EQ(KeyOf({0x48, 0x0f, 0xaf, 0xc1}), "IMUL r64,r64");
  EXPECT_EQ(KeyOf({0x48, 0xf7, 0xd8}), "NEG r64");
  EXPECT_EQ(KeyOf({0x48, 0x0f, 0xbe, 0xc1}), "MOVSX r64,r8");  // movsx rax, cl
}

TEST(FormKeyTest, OtherRegisterClasses) {
  EXPECT_EQ(KeyOf({0x0f, 0x22, 0xd8}), "MOV cr,r64");        // mov cr3, rax
  EXPECT_EQ(KeyOf({0x0f, 0x20, 0xe0}), "MOV r64,cr");        // mov rax, cr4
  EXPECT_EQ(KeyOf({0x0f, 0x22, 0xd8}, Mode::kCompat32), "MOV cr,r32");
  EXPECT_EQ(KeyOf({0x0f, 0x21, 0xf8}), "MOV r64,dr");        // mov rax, dr7
  EXPECT_EQ(KeyOf({0x8e, 0xd8}), "MOV sreg,r16");            // mov ds, ax
  EXPECT_EQ(KeyOf({0x8c, 0xe0}), "MOV r32,sreg");            // mov eax, fs
  EXPECT_EQ(KeyOf({0x0f, 0x28, 0xc1}), "MOVAPS xmm,xmm");
  EXPECT_EQ(KeyOf({0x0f, 0xef, 0xc1}), "PXOR mm,mm");
  EXPECT_EQ(KeyOf({0xc5, 0xfd, 0x6f, 0xc1}), "VMOVDQA ymm,ymm");
  EXPECT_EQ(KeyOf({0xc5, 0xf8, 0x90, 0xca}), "KMOVW k,k");
  EXPECT_EQ(KeyOf({0xd8, 0xc1}), "FADD st0,st");  // fadd st0, st1: st0 fixed by the opcode
}

TEST(FormKeyTest, RegistersFixedByTheOpcodeByName) {
  EXPECT_EQ(KeyOf({0xd3, 0xe0}), "SHL r32,cl");
  EXPECT_EQ(KeyOf({0x48, 0xd3, 0xf8}), "SAR r64,cl");
  EXPECT_EQ(KeyOf({0x04, 0x05}), "ADD al,i8");
  EXPECT_EQ(KeyOf({0x05, 0x01, 0x02, 0x03, 0x04}), "ADD eax,i32");
  EXPECT_EQ(KeyOf({0x48, 0x3d, 0x01, 0x02, 0x03, 0x04}), "CMP rax,i32");
  EXPECT_EQ(KeyOf({0xec}), "IN al,dx");
  EXPECT_EQ(KeyOf({0xef}), "OUT dx,eax");
  EXPECT_EQ(KeyOf({0x91}), "XCHG r32,eax");                  // xchg ecx, eax
  EXPECT_EQ(KeyOf({0x0f, 0xa5, 0xd8}), "SHLD r32,r32,cl");
}

TEST(FormKeyTest, MemoryBySizeAndAddressGeneration) {
  EXPECT_EQ(KeyOf({0x48, 0x03, 0x03}), "ADD r64,m64");        // add rax, [rbx]
  EXPECT_EQ(KeyOf({0x00, 0x44, 0x24, 0x08}), "ADD m8,r8");    // add [rsp+8], al
  EXPECT_EQ(KeyOf({0x66, 0xc7, 0x00, 0x34, 0x12}), "MOV m16,i16");
  EXPECT_EQ(KeyOf({0x0f, 0x28, 0x00}), "MOVAPS xmm,m128");
  EXPECT_EQ(KeyOf({0x66, 0x0f, 0x7f, 0x00}), "MOVDQA m128,xmm");
  EXPECT_EQ(KeyOf({0xc5, 0xfd, 0x6f, 0x00}), "VMOVDQA ymm,m256");
  EXPECT_EQ(KeyOf({0x48, 0x8d, 0x04, 0x18}), "LEA r64,agen");  // lea rax, [rax+rbx]
  EXPECT_EQ(KeyOf({0x8d, 0x40, 0x10}), "LEA r32,agen");
  EXPECT_EQ(KeyOf({0x0f, 0x01, 0x10}), "LGDT m80");
  EXPECT_EQ(KeyOf({0x0f, 0x01, 0x10}, Mode::kCompat32), "LGDT m48");
  EXPECT_EQ(KeyOf({0x0f, 0x01, 0x38}), "INVLPG m8");
  EXPECT_EQ(KeyOf({0xa1, 1, 2, 3, 4, 5, 6, 7, 8}), "MOV eax,m32");  // moffs
  EXPECT_EQ(KeyOf({0x48, 0xff, 0x30}), "PUSH m64");
}

TEST(FormKeyTest, FarPointers) {
  // Memory far pointers by size like other memory operands: m16:32 is m48.
  EXPECT_EQ(KeyOf({0xff, 0x28}), "JMP FAR m48");
  EXPECT_EQ(KeyOf({0x48, 0xff, 0x28}), "JMP FAR m80");
  EXPECT_EQ(KeyOf({0x66, 0xff, 0x18}), "CALL FAR m32");
  EXPECT_EQ(KeyOf({0x0f, 0xb2, 0x00}), "LSS r32,m48");
  EXPECT_EQ(KeyOf({0xea, 1, 2, 3, 4, 5, 6}, Mode::kCompat32), "JMP FAR ptr48");
  EXPECT_EQ(KeyOf({0x66, 0x9a, 1, 2, 3, 4}, Mode::kCompat32), "CALL FAR ptr32");
  EXPECT_EQ(KeyOf({0xcb}), "RET FAR");
  EXPECT_EQ(KeyOf({0xca, 0x08, 0x00}), "RET FAR i16");
  EXPECT_EQ(KeyOf({0xc3}), "RET");
  EXPECT_EQ(KeyOf({0xc2, 0x08, 0x00}), "RET i16");
}

TEST(FormKeyTest, ImmediatesByEncodedSize) {
  EXPECT_EQ(KeyOf({0xd1, 0xe0}), "SHL r32,1");               // the 1 of D1 /4
  EXPECT_EQ(KeyOf({0xd0, 0x20}), "SHL m8,1");
  EXPECT_EQ(KeyOf({0xc1, 0xe0, 0x05}), "SHL r32,i8");
  EXPECT_EQ(KeyOf({0x48, 0x83, 0xc0, 0x01}), "ADD r64,i8");  // sign-extended to 64: still i8
  EXPECT_EQ(KeyOf({0x48, 0x81, 0xc0, 1, 2, 3, 4}), "ADD r64,i32");
  EXPECT_EQ(KeyOf({0x48, 0xb8, 1, 2, 3, 4, 5, 6, 7, 8}), "MOV r64,i64");
  EXPECT_EQ(KeyOf({0x6a, 0x10}), "PUSH i8");
  EXPECT_EQ(KeyOf({0xe6, 0x80}), "OUT i8,al");
  EXPECT_EQ(KeyOf({0xcd, 0x80}), "INT i8");
  EXPECT_EQ(KeyOf({0xc8, 0x10, 0x00, 0x01}), "ENTER i16,i8");
  EXPECT_EQ(KeyOf({0x6b, 0xc1, 0x10}), "IMUL r32,r32,i8");
  EXPECT_EQ(KeyOf({0x66, 0x0f, 0x70, 0xc1, 0x1b}), "PSHUFD xmm,xmm,i8");
}

TEST(FormKeyTest, RelativeTargetsByEncodedSize) {
  EXPECT_EQ(KeyOf({0x75, 0x10}), "JNZ rel8");
  EXPECT_EQ(KeyOf({0x0f, 0x85, 1, 2, 3, 4}), "JNZ rel32");
  EXPECT_EQ(KeyOf({0x66, 0x0f, 0x84, 1, 2}, Mode::kCompat32), "JZ rel16");
  EXPECT_EQ(KeyOf({0xe8, 1, 2, 3, 4}), "CALL rel32");
  EXPECT_EQ(KeyOf({0xeb, 0xfe}), "JMP rel8");
  EXPECT_EQ(KeyOf({0xe2, 0xfe}), "LOOP rel8");
  EXPECT_EQ(KeyOf({0xe3, 0xfe}), "JRCXZ rel8");
  EXPECT_EQ(KeyOf({0x67, 0xe3, 0xfe}), "JECXZ rel8");
}

TEST(FormKeyTest, PrefixWords) {
  EXPECT_EQ(KeyOf({0xf0, 0x01, 0x08}), "LOCK ADD m32,r32");
  EXPECT_EQ(KeyOf({0xf0, 0x48, 0x0f, 0xc1, 0x03}), "LOCK XADD m64,r64");
  EXPECT_EQ(KeyOf({0xf0, 0x48, 0x0f, 0xc7, 0x0f}), "LOCK CMPXCHG16B m128");
  EXPECT_EQ(KeyOf({0xf3, 0xa4}), "REP MOVSB");
  EXPECT_EQ(KeyOf({0xf3, 0x48, 0xab}), "REP STOSQ");
  EXPECT_EQ(KeyOf({0xf3, 0xa6}), "REPE CMPSB");
  EXPECT_EQ(KeyOf({0xf2, 0xae}), "REPNE SCASB");
  EXPECT_EQ(KeyOf({0xa4}), "MOVSB");
  EXPECT_EQ(KeyOf({0x66, 0xa5}), "MOVSW");
  // F3 as a mandatory prefix is no REP.
  EXPECT_EQ(KeyOf({0xf3, 0x0f, 0x10, 0xc1}), "MOVSS xmm,xmm");
  EXPECT_EQ(KeyOf({0xf3, 0x90}), "PAUSE");
}

TEST(FormKeyTest, NoOperands) {
  EXPECT_EQ(KeyOf({0x0f, 0x05}), "SYSCALL");
  EXPECT_EQ(KeyOf({0x48, 0xcf}), "IRETQ");
  EXPECT_EQ(KeyOf({0x0f, 0x01, 0xf8}), "SWAPGS");
  EXPECT_EQ(KeyOf({0x0f, 0xa2}), "CPUID");
  EXPECT_EQ(KeyOf({0xf4}), "HLT");
}

}  // namespace
}  // namespace x64sim
