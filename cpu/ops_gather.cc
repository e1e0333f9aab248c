// AVX2's gathers, VGATHERDPS/DPD/QPS/QPD and VPGATHERDD/DQ/QD/QQ (SDM
// vol. 2 pages of those names): "dst, [base + vindex * scale + disp],
// mask" with a vector of signed dword or qword indices (VSIB addressing).
// The float and integer forms move the same bits.
#include <emmintrin.h>

#include <algorithm>
#include <bit>
#include <cstring>

#include "cpu/binder.h"
#include "cpu/cpu.h"
#include "cpu/vex.h"

namespace x64sim {
namespace {

// Elements of T gathered with indices of Index (int32_t or int64_t) at
// kLanes 128-bit lanes. The mask's elements become all ones or zero by
// their top bit; then, lowest first, each enabled element is read and
// every element's mask is cleared as it is passed. A fault ends the
// instruction there (RIP at it): the elements read so far are in the
// destination and cleared in the mask, so running it again goes on.
// Bits beyond the elements (a narrower data than index, or VEX.128) are
// zeroed in the mask from the start and in the destination at the end.
template <typename Index, typename T, int kLanes>
Flow Gather(Cpu& cpu, const DecodedInsn& in) {
  if (!VexEnabled(cpu)) [[unlikely]] return VexUnavailable(cpu);
  constexpr int kCount = 16 * kLanes / static_cast<int>(std::max(sizeof(Index), sizeof(T)));
  constexpr size_t kBytes = kCount * sizeof(T);
  const Ymm index_reg = LoadYmm(cpu, in.reg2), mask_reg = LoadYmm(cpu, in.aux);
  Ymm dst = LoadYmm(cpu, in.reg);
  Index index[kCount];
  T mask[kCount], data[kCount];
  std::memcpy(index, &index_reg, sizeof index);
  std::memcpy(mask, &mask_reg, sizeof mask);
  std::memcpy(data, &dst, sizeof data);
  for (T& m : mask) m = (m >> (8 * sizeof(T) - 1)) ? ~T{0} : 0;
  const uint64_t base = cpu.EffectiveAddress(in);
  const uint64_t segment = cpu.AccessBase(static_cast<SegReg>(in.seg));
  bool completed = true;
  for (int i = 0; i < kCount; ++i) {
    if (mask[i]) {
      uint64_t ea = base + (static_cast<uint64_t>(static_cast<int64_t>(index[i])) << in.scale);
      if (in.flags & kInsnAddr32) ea = static_cast<uint32_t>(ea);
      // Elements of a vector operand, which alignment checking leaves alone.
      if (!cpu.ReadBytes(segment + ea, &data[i], sizeof(T), Cpu::kAnyAlignment)) {
        completed = false;
        break;
      }
    }
    mask[i] = 0;
  }
  Ymm new_mask{};
  std::memcpy(&new_mask, mask, kBytes);
  StoreYmm(cpu, in.aux, new_mask);
  if (completed) dst = Ymm{};
  std::memcpy(&dst, data, kBytes);
  StoreYmm(cpu, in.reg, dst);
  return completed ? cpu.Next(in) : Flow::kFault;
}

// Any two of destination, index and mask the same register: #UD.
Flow OverlappingRegisters(Cpu& cpu, const DecodedInsn&) { return cpu.FaultNoCode(kInvalidOpcode); }

template <typename Index, typename T>
bool BindGather(const ZydisInsn& z, DecodedInsn& out) {
  if (z.insn.operand_count_visible != 3 || !IsMem(z.ops[1]) ||
      z.ops[1].mem.type != ZYDIS_MEMOP_TYPE_VSIB || !BindVec(z.ops[0], &out.reg) ||
      !IsVvvv(z.ops[2]) || !BindVec(z.ops[2], &out.aux)) {
    return false;
  }
  // The memory fields without the vector index, which goes to reg2.
  ZydisDecodedOperand scalar_part = z.ops[1];
  scalar_part.mem.index = ZYDIS_REGISTER_NONE;
  const int vindex = VecIndex(z.ops[1].mem.index);
  if (vindex < 0 || !BindMemory(z, scalar_part, out)) return false;
  out.reg2 = static_cast<uint8_t>(vindex);
  out.scale = static_cast<uint8_t>(std::countr_zero(static_cast<unsigned>(z.ops[1].mem.scale)));
  if (out.reg == out.aux || out.reg == out.reg2 || out.aux == out.reg2) {
    out.handler = &OverlappingRegisters;
  } else {
    out.handler = VexLanes(z) == 2 ? &Gather<Index, T, 2> : &Gather<Index, T, 1>;
  }
  return true;
}

}  // namespace

void RegisterGatherOps(BinderTable& t) {
  t.Add(ZYDIS_MNEMONIC_VGATHERDPS, &BindGather<int32_t, uint32_t>);
  t.Add(ZYDIS_MNEMONIC_VPGATHERDD, &BindGather<int32_t, uint32_t>);
  t.Add(ZYDIS_MNEMONIC_VGATHERDPD, &BindGather<int32_t, uint64_t>);
  t.Add(ZYDIS_MNEMONIC_VPGATHERDQ, &BindGather<int32_t, uint64_t>);
  t.Add(ZYDIS_MNEMONIC_VGATHERQPS, &BindGather<int64_t, uint32_t>);
  t.Add(ZYDIS_MNEMONIC_VPGATHERQD, &BindGather<int64_t, uint32_t>);
  t.Add(ZYDIS_MNEMONIC_VGATHERQPD, &BindGather<int64_t, uint64_t>);
  t.Add(ZYDIS_MNEMONIC_VPGATHERQQ, &BindGather<int64_t, uint64_t>);
}

}  // namespace x64sim
