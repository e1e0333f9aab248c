// Turning a Zydis decode result into a DecodedInsn. Each ops_*.cc file
// registers, per mnemonic, a binder that picks the handler for the exact
// operand size and form and resolves the operands.
#ifndef X64SIM_CPU_BINDER_H_
#define X64SIM_CPU_BINDER_H_

#include <Zydis/Zydis.h>

#include <array>

#include "cpu/decoded_insn.h"

namespace x64sim {

struct ZydisInsn {
  const ZydisDecodedInstruction& insn;
  const ZydisDecodedOperand* ops;  // visible operands first
  bool long_mode;
};

// Returns false when x64sim has no handler for this operand form.
using Binder = bool (*)(const ZydisInsn&, DecodedInsn&);

class BinderTable {
 public:
  BinderTable();
  static const BinderTable& Get();

  void Add(ZydisMnemonic m, Binder b, bool ends_block = false) {
    entries_[m] = {b, ends_block};
  }
  Binder binder(ZydisMnemonic m) const { return entries_[m].binder; }
  bool ends_block(ZydisMnemonic m) const { return entries_[m].ends_block; }

 private:
  struct Entry {
    Binder binder = nullptr;
    bool ends_block = false;
  };
  std::array<Entry, ZYDIS_MNEMONIC_MAX_VALUE + 1> entries_;
};

// Registration, one function per ops_*.cc file.
void RegisterDataOps(BinderTable& t);
void RegisterAluOps(BinderTable& t);
void RegisterControlOps(BinderTable& t);
void RegisterStringOps(BinderTable& t);
void RegisterSystemOps(BinderTable& t);
void RegisterSseOps(BinderTable& t);
void RegisterSseFloatOps(BinderTable& t);
void RegisterSseReciprocalOps(BinderTable& t);
void RegisterSseConvertOps(BinderTable& t);
void RegisterSsse3Ops(BinderTable& t);
void RegisterMmxOps(BinderTable& t);
void RegisterSse41Ops(BinderTable& t);
void RegisterSse42Ops(BinderTable& t);
void RegisterAesOps(BinderTable& t);
void RegisterBitManipulationOps(BinderTable& t);
void RegisterX87ControlOps(BinderTable& t);
void RegisterX87LoadStoreOps(BinderTable& t);
void RegisterX87ArithOps(BinderTable& t);
void RegisterX87EnvironmentOps(BinderTable& t);
void RegisterTransferOps(BinderTable& t);
void RegisterRandomOps(BinderTable& t);
void RegisterLegacy32Ops(BinderTable& t);
void RegisterSegmentOps(BinderTable& t);
void RegisterXsaveOps(BinderTable& t);
void RegisterAvxOps(BinderTable& t);
void RegisterFmaOps(BinderTable& t);
void RegisterF16cOps(BinderTable& t);
void RegisterGatherOps(BinderTable& t);

// Far forms of JMP, CALL and RET, bound by the near binders' owners.
bool BindFarJmp(const ZydisInsn& z, DecodedInsn& out);
bool BindFarCall(const ZydisInsn& z, DecodedInsn& out);
bool BindFarRet(const ZydisInsn& z, DecodedInsn& out);
// MOV to/from a segment register (MOV shares its mnemonic with the GPR forms).
bool BindMovSegment(const ZydisInsn& z, DecodedInsn& out);
// MOV to/from a control or debug register.
bool BindMovControl(const ZydisInsn& z, DecodedInsn& out);

// Compare-and-branch fusion (ops_alu.cc): in 64-bit mode, a 32- or 64-bit
// CMP or TEST of two registers or a register and an immediate, followed by
// the conditional jump `branch`, becomes one handler that runs and retires
// both. True if `compare` was rewritten (and marked kInsnFused).
bool FuseWithBranch(DecodedInsn& compare, ZydisMnemonic branch);
// The handler of a fused compare alone, for running the pair one by one.
Handler UnfusedCompare(Handler fused);

// Handlers the loop recognizer (cpu/fill_loop.h) looks for, by operand
// size in bytes: MOV to memory from a register or an immediate, in any of
// its handlers (ops_data.cc); ADD of an immediate to a register, and CMP
// of two registers fused with a Jcc of condition `cond` (ops_alu.cc).
bool IsMovToMemory(Handler h, int bytes, bool from_register);
Handler AddImmediateHandler(int bytes);
Handler FusedCompareHandler(int bytes, int cond);

// Operand helpers for binders.
// Byte offset of a general register in CpuState::gpr (AH..BH at +1), or -1.
int GprOffset(ZydisRegister r);
// Gpr index (0..15) of a 64/32/16-bit register, or -1.
int GprIndex(ZydisRegister r);
int SegIndex(ZydisRegister r);
int XmmIndex(ZydisRegister r);
// MM0-MM7: 0..7, or -1.
int MmIndex(ZydisRegister r);
// Fills base/index/scale/disp/seg/address-size flags and the address form
// from a memory operand.
bool BindMemory(const ZydisInsn& z, const ZydisDecodedOperand& op, DecodedInsn& out);
inline bool IsReg(const ZydisDecodedOperand& op) { return op.type == ZYDIS_OPERAND_TYPE_REGISTER; }
inline bool IsMem(const ZydisDecodedOperand& op) { return op.type == ZYDIS_OPERAND_TYPE_MEMORY; }
inline bool IsImm(const ZydisDecodedOperand& op) { return op.type == ZYDIS_OPERAND_TYPE_IMMEDIATE; }

}  // namespace x64sim

#endif  // X64SIM_CPU_BINDER_H_
