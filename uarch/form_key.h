// The name of an instruction form: the key a microarchitecture description
// (uarch/*.uarch) gives timing under. One key covers every encoding that
// differs only in which registers, addresses or immediate values it uses.
//
// A key is: prefix words, the mnemonic, then the visible operands.
//   - `LOCK ` if the instruction has a LOCK prefix; `REP `, `REPE ` or
//     `REPNE ` if Zydis says it has that prefix (ZYDIS_ATTRIB_HAS_REP/REPE/REPNE).
//   - The mnemonic in upper case (ZydisMnemonicGetString), followed by
//     ` FAR` for far branches (Zydis branch type FAR: far JMP, CALL, RET),
//     whose cost has nothing in common with the near forms of the mnemonic.
//   - One space, then the visible operands joined by `,` (no spaces):
//       register fixed by the opcode (operand encoding NONE): its lower-case
//         name, e.g. `cl` in SHL r32,cl or `eax` in ADD eax,i32;
//       other register: its class, r8 r16 r32 r64 (AH..BH are r8) sreg cr dr
//         xmm ymm zmm mm st k tmm bnd;
//       memory: `m` + operand size in bits (`m` if Zydis gives size 0), also
//         for a far pointer in memory (m16:32 is `m48`); `agen` for an
//         address that is only computed (LEA);
//       far pointer immediate: `ptr` + its size in bits (ptr16:32 is `ptr48`);
//       immediate fixed by the opcode (encoding NONE): its decimal value (`1`);
//       relative branch target: rel8, rel16 or rel32 (encoded size);
//       other immediate: i8, i16, i32 or i64 (encoded size, not the size it
//         is extended to).
// Examples: `ADD r64,m64`, `LOCK ADD m32,r32`, `REP MOVSB`, `SHL r32,1`,
// `JNZ rel8`, `LEA r64,agen`, `MOV cr,r64`, `RET FAR i16`, `JMP FAR m80`.
// A key never holds ` : ` (the separator of uarch files' `form` lines).
#ifndef X64SIM_UARCH_FORM_KEY_H_
#define X64SIM_UARCH_FORM_KEY_H_

#include <Zydis/Zydis.h>

#include <string>

namespace x64sim {

// `ops`: Zydis's operand array for `insn`, visible operands first.
std::string FormKey(const ZydisDecodedInstruction& insn, const ZydisDecodedOperand* ops);

}  // namespace x64sim

#endif  // X64SIM_UARCH_FORM_KEY_H_
