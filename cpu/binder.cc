// Shared operand helpers for binders, and the table of all binders.
#include "cpu/binder.h"

#include "cpu/state.h"

namespace x64sim {

BinderTable::BinderTable() {
  RegisterDataOps(*this);
  RegisterAluOps(*this);
  RegisterControlOps(*this);
  RegisterStringOps(*this);
  RegisterSystemOps(*this);
  RegisterSseOps(*this);
  RegisterSseFloatOps(*this);
  RegisterSseReciprocalOps(*this);
  RegisterSseConvertOps(*this);
  RegisterSsse3Ops(*this);
  RegisterMmxOps(*this);
  RegisterSse41Ops(*this);
  RegisterSse42Ops(*this);
  RegisterAesOps(*this);
  RegisterBitManipulationOps(*this);
  RegisterX87ControlOps(*this);
  RegisterX87LoadStoreOps(*this);
  RegisterX87ArithOps(*this);
  RegisterX87EnvironmentOps(*this);
  RegisterTransferOps(*this);
  RegisterRandomOps(*this);
  RegisterLegacy32Ops(*this);
  RegisterSegmentOps(*this);
  RegisterXsaveOps(*this);
  RegisterAvxOps(*this);
  RegisterFmaOps(*this);
  RegisterF16cOps(*this);
  RegisterGatherOps(*this);
}

const BinderTable& BinderTable::Get() {
  static const BinderTable* table = new BinderTable();
  return *table;
}

int GprIndex(ZydisRegister r) {
  if (r >= ZYDIS_REGISTER_AX && r <= ZYDIS_REGISTER_R15W) return r - ZYDIS_REGISTER_AX;
  if (r >= ZYDIS_REGISTER_EAX && r <= ZYDIS_REGISTER_R15D) return r - ZYDIS_REGISTER_EAX;
  if (r >= ZYDIS_REGISTER_RAX && r <= ZYDIS_REGISTER_R15) return r - ZYDIS_REGISTER_RAX;
  return -1;
}

int GprOffset(ZydisRegister r) {
  if (r >= ZYDIS_REGISTER_AL && r <= ZYDIS_REGISTER_BL) return (r - ZYDIS_REGISTER_AL) * 8;
  if (r >= ZYDIS_REGISTER_AH && r <= ZYDIS_REGISTER_BH) return (r - ZYDIS_REGISTER_AH) * 8 + 1;
  if (r >= ZYDIS_REGISTER_SPL && r <= ZYDIS_REGISTER_R15B) return (r - ZYDIS_REGISTER_SPL + 4) * 8;
  int i = GprIndex(r);
  return i < 0 ? -1 : i * 8;
}

int SegIndex(ZydisRegister r) {
  switch (r) {
    case ZYDIS_REGISTER_ES: return kEs;
    case ZYDIS_REGISTER_CS: return kCs;
    case ZYDIS_REGISTER_SS: return kSs;
    case ZYDIS_REGISTER_DS: return kDs;
    case ZYDIS_REGISTER_FS: return kFs;
    case ZYDIS_REGISTER_GS: return kGs;
    default: return -1;
  }
}

int XmmIndex(ZydisRegister r) {
  if (r >= ZYDIS_REGISTER_XMM0 && r <= ZYDIS_REGISTER_XMM15) return r - ZYDIS_REGISTER_XMM0;
  return -1;
}

int MmIndex(ZydisRegister r) {
  if (r >= ZYDIS_REGISTER_MM0 && r <= ZYDIS_REGISTER_MM7) return r - ZYDIS_REGISTER_MM0;
  return -1;
}

bool BindMemory(const ZydisInsn& z, const ZydisDecodedOperand& op, DecodedInsn& out) {
  if (op.type != ZYDIS_OPERAND_TYPE_MEMORY) return false;
  const ZydisDecodedOperandMem& m = op.mem;
  out.disp = m.disp.value;
  if (m.base == ZYDIS_REGISTER_RIP || m.base == ZYDIS_REGISTER_EIP) {
    out.flags |= kInsnRipRelative;
    out.base = kZeroReg;
  } else if (m.base != ZYDIS_REGISTER_NONE) {
    int b = GprIndex(m.base);
    if (b < 0) return false;
    out.base = static_cast<uint8_t>(b);
  }
  if (m.index != ZYDIS_REGISTER_NONE) {
    int i = GprIndex(m.index);
    if (i < 0) return false;
    out.index = static_cast<uint8_t>(i);
    out.scale = m.scale == 8 ? 3 : m.scale == 4 ? 2 : m.scale == 2 ? 1 : 0;
  }
  int seg = SegIndex(m.segment);
  out.seg = static_cast<uint8_t>(seg < 0 ? kDs : seg);
  if (z.insn.address_width == 32) out.flags |= kInsnAddr32;
  if (z.insn.address_width == 16) out.flags |= kInsnAddr16;
  out.address_form = AddressForm::kGeneral;
  if (z.insn.machine_mode == ZYDIS_MACHINE_MODE_LONG_64 && out.index == kZeroReg &&
      !(out.flags & (kInsnAddr32 | kInsnAddr16)) && out.seg != kFs && out.seg != kGs) {
    out.address_form = (out.flags & kInsnRipRelative) ? AddressForm::kRipDisp64 : AddressForm::kBaseDisp64;
  }
  return true;
}

}  // namespace x64sim
