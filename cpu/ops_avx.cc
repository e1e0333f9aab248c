// AVX's own instructions and its moves: VZEROUPPER, VZEROALL, the
// whole-register moves (VMOVAPS/APD/DQA/UPS/UPD/DQU, VMOVNTPS/PD/DQ,
// VMOVNTDQA, VLDDQU), VMOVSS/VMOVSD, VMOVD/VMOVQ, VPINSRB/W/D/Q and
// VPEXTRB/W/D/Q (with VEXTRACTPS, VPEXTRD's twin), the masked loads and
// stores (VMASKMOVPS/PD, VPMASKMOVD/Q), the half-register moves
// VMOVLPS/LPD/HPS/HPD, VMOVDDUP, the broadcasts, VINSERTF128/VEXTRACTF128,
// VPERM2F128, VPERMILPS/PD, the variable blends, VTESTPS/PD, VPTEST, the
// sign masks, VLDMXCSR/VSTMXCSR (SDM vol. 2 pages of the same names), with
// their AVX2 integer twins. The VEX forms of the SSE operations are
// registered beside their lane functions (ops_sse*.cc) through cpu/vex.h.
#include <emmintrin.h>

#include <cstring>
#include <type_traits>

#include "cpu/binder.h"
#include "cpu/cpu.h"
#include "cpu/element_moves.h"
#include "cpu/fx_area.h"
#include "cpu/vex.h"

namespace x64sim {
namespace {

int VecRegisterCount(const Cpu& cpu) { return cpu.state.mode == CpuMode::kLong64 ? 16 : 8; }

// VZEROUPPER zeroes bits 255:128 of the YMM registers, VZEROALL all of
// them; outside 64-bit mode only YMM0-7, YMM8-15 unchanged.
template <bool kAll>
Flow ZeroUpper(Cpu& cpu, const DecodedInsn& in) {
  if (!VexEnabled(cpu)) [[unlikely]] return VexUnavailable(cpu);
  const int n = VecRegisterCount(cpu);
  std::memset(cpu.state.sse.ymm_hi, 0, 16 * n);
  if (kAll) std::memset(cpu.state.sse.xmm, 0, 16 * n);
  return cpu.Next(in);
}

template <bool kAll>
bool BindZeroUpper(const ZydisInsn&, DecodedInsn& out) {
  out.handler = &ZeroUpper<kAll>;
  return true;
}

// ---- Whole-register moves ---------------------------------------------------

// The aligned moves fault (#GP(0)) on an operand not aligned to its size
// (16 or 32 bytes); the others do not check (SDM vol. 2A 2.8, type 1).
template <bool kAligned>
bool VectorAddress(Cpu& cpu, const DecodedInsn& in, uint64_t* linear) {
  *linear = cpu.Linear(in);
  if (kAligned && (*linear & (in.size - 1))) {
    cpu.Fault(kGeneralProtection, 0);
    return false;
  }
  return true;
}

template <bool kAligned>
struct Vector {
  template <int kLanes>
  static Flow Load(Cpu& cpu, const DecodedInsn& in) {
    if (!VexEnabled(cpu)) [[unlikely]] return VexUnavailable(cpu);
    uint64_t linear;
    Ymm v;
    if (!VectorAddress<kAligned>(cpu, in, &linear) || !cpu.ReadBytes(linear, &v, 16 * kLanes)) {
      return Flow::kFault;
    }
    StoreVex<kLanes>(cpu, in.reg, v);
    return cpu.Next(in);
  }

  template <int kLanes>
  static Flow Store(Cpu& cpu, const DecodedInsn& in) {
    if (!VexEnabled(cpu)) [[unlikely]] return VexUnavailable(cpu);
    uint64_t linear;
    const Ymm v = LoadYmm(cpu, in.reg2);
    if (!VectorAddress<kAligned>(cpu, in, &linear) || !cpu.WriteBytes(linear, &v, 16 * kLanes)) {
      return Flow::kFault;
    }
    return cpu.Next(in);
  }
};

template <int kLanes>
Flow MoveVector(Cpu& cpu, const DecodedInsn& in) {
  if (!VexEnabled(cpu)) [[unlikely]] return VexUnavailable(cpu);
  StoreVex<kLanes>(cpu, in.reg, LoadYmm(cpu, in.reg2));
  return cpu.Next(in);
}

template <bool kAligned>
bool BindVectorMove(const ZydisInsn& z, DecodedInsn& out) {
  if (z.insn.operand_count_visible != 2) return false;
  const bool wide = VexLanes(z) == 2;
  out.size = static_cast<uint8_t>(wide ? 32 : 16);
  if (IsMem(z.ops[0])) {
    out.handler = wide ? &Vector<kAligned>::template Store<2> : &Vector<kAligned>::template Store<1>;
    return BindVec(z.ops[1], &out.reg2) && BindMemory(z, z.ops[0], out);
  }
  if (!BindVec(z.ops[0], &out.reg)) return false;
  if (IsMem(z.ops[1])) {
    out.handler = wide ? &Vector<kAligned>::template Load<2> : &Vector<kAligned>::template Load<1>;
    return BindMemory(z, z.ops[1], out);
  }
  out.handler = wide ? &MoveVector<2> : &MoveVector<1>;
  return BindVec(z.ops[1], &out.reg2);
}

// ---- Element moves ------------------------------------------------------------

// VMOVSS/VMOVSD/VMOVD/VMOVQ xmm, m32/m64 (and VMOVQ xmm, xmm): the element
// zero-extended to 256 bits.
template <bool kMem>
Flow LoadElement(Cpu& cpu, const DecodedInsn& in) {
  if (!VexEnabled(cpu)) [[unlikely]] return VexUnavailable(cpu);
  Ymm v;
  if (kMem) {
    if (!ReadVexMemory(cpu, in, &v)) return Flow::kFault;
  } else {
    v.lane[0] = _mm_move_epi64(LoadXmm(cpu, in.reg2));
  }
  StoreXmmZeroUpper(cpu, in.reg, v.lane[0]);
  return cpu.Next(in);
}

// VMOVSS/VMOVSD/VMOVD/VMOVQ/VMOVLPS/VMOVLPD m32/m64, xmm: the low element.
Flow StoreLowElement(Cpu& cpu, const DecodedInsn& in) {
  if (!VexEnabled(cpu)) [[unlikely]] return VexUnavailable(cpu);
  return cpu.WriteBytes(cpu.Linear(in), cpu.state.sse.xmm[in.reg2], in.size) ? cpu.Next(in)
                                                                             : Flow::kFault;
}

// VMOVHPS/VMOVHPD m64, xmm: the high quadword.
Flow StoreHighQword(Cpu& cpu, const DecodedInsn& in) {
  if (!VexEnabled(cpu)) [[unlikely]] return VexUnavailable(cpu);
  return cpu.WriteBytes(cpu.Linear(in), cpu.state.sse.xmm[in.reg2] + 8, 8) ? cpu.Next(in)
                                                                           : Flow::kFault;
}

// VMOVD/VMOVQ xmm, r32/r64: zero-extended to 256 bits.
template <typename T>
Flow GprToVec(Cpu& cpu, const DecodedInsn& in) {
  if (!VexEnabled(cpu)) [[unlikely]] return VexUnavailable(cpu);
  StoreXmmZeroUpper(cpu, in.reg, _mm_cvtsi64_si128(static_cast<int64_t>(cpu.Reg<T>(in.reg2))));
  return cpu.Next(in);
}

// VMOVD r32, xmm / VMOVQ r64, xmm.
template <typename T>
Flow VecToGpr(Cpu& cpu, const DecodedInsn& in) {
  if (!VexEnabled(cpu)) [[unlikely]] return VexUnavailable(cpu);
  T v;
  std::memcpy(&v, cpu.state.sse.xmm[in.reg2], sizeof(T));
  cpu.SetReg<T>(in.reg, v);
  return cpu.Next(in);
}

bool BindVmovdVmovq(const ZydisInsn& z, DecodedInsn& out) {
  if (z.insn.operand_count_visible != 2) return false;
  const ZydisDecodedOperand& dst = z.ops[0];
  const ZydisDecodedOperand& src = z.ops[1];
  const bool wide = (IsMem(dst) ? src : dst).size == 64 || src.size == 64;
  if (IsMem(dst)) {
    out.size = static_cast<uint8_t>(dst.size / 8);
    out.handler = &StoreLowElement;
    return BindVec(src, &out.reg2) && BindMemory(z, dst, out);
  }
  if (BindVec(dst, &out.reg)) {
    if (IsMem(src)) {
      out.size = static_cast<uint8_t>(src.size / 8);
      out.handler = &LoadElement<true>;
      return BindMemory(z, src, out);
    }
    if (BindVec(src, &out.reg2)) {
      out.handler = &LoadElement<false>;
      return true;
    }
    const int g = IsReg(src) ? GprOffset(src.reg.value) : -1;
    out.reg2 = static_cast<uint8_t>(g);
    out.handler = wide ? &GprToVec<uint64_t> : &GprToVec<uint32_t>;
    return g >= 0;
  }
  const int g = IsReg(dst) ? GprOffset(dst.reg.value) : -1;
  out.reg = static_cast<uint8_t>(g);
  out.handler = dst.size == 64 ? &VecToGpr<uint64_t> : &VecToGpr<uint32_t>;
  return g >= 0 && BindVec(src, &out.reg2);
}

// VMASKMOVPS/PD and VPMASKMOVD/Q loads, xmm1/ymm1, mask (VEX.vvvv), m:
// element i from memory where mask element i has its top bit set, else
// zero. Masked-off elements are not read, so they never fault; a fault on
// an enabled one leaves the destination unchanged.
template <typename T, int kLanes>
Flow MaskedLoad(Cpu& cpu, const DecodedInsn& in) {
  if (!VexEnabled(cpu)) [[unlikely]] return VexUnavailable(cpu);
  constexpr int kCount = 16 * kLanes / static_cast<int>(sizeof(T));
  const Ymm mask = LoadYmm(cpu, in.aux);
  T m[kCount], v[kCount] = {};
  std::memcpy(m, &mask, sizeof m);
  const uint64_t linear = cpu.Linear(in);
  for (int i = 0; i < kCount; ++i) {
    // Elements of a vector operand, which alignment checking leaves alone.
    if ((m[i] >> (8 * sizeof(T) - 1)) &&
        !cpu.ReadBytes(linear + i * sizeof(T), &v[i], sizeof(T), Cpu::kAnyAlignment)) {
      return Flow::kFault;
    }
  }
  Ymm r{};
  std::memcpy(&r, v, sizeof v);
  StoreVex<kLanes>(cpu, in.reg, r);
  return cpu.Next(in);
}

// The stores, m, mask (VEX.vvvv), xmm2/ymm2: element i of the source to
// memory where mask element i has its top bit set. Masked-off elements are
// neither written nor checked; every enabled one is checked before any is
// written, so a fault (the lowest enabled element's) leaves memory as it was.
template <typename T, int kLanes>
Flow MaskedStore(Cpu& cpu, const DecodedInsn& in) {
  if (!VexEnabled(cpu)) [[unlikely]] return VexUnavailable(cpu);
  constexpr int kCount = 16 * kLanes / static_cast<int>(sizeof(T));
  const Ymm mask = LoadYmm(cpu, in.aux), data = LoadYmm(cpu, in.reg2);
  T m[kCount], v[kCount];
  std::memcpy(m, &mask, sizeof m);
  std::memcpy(v, &data, sizeof v);
  const uint64_t linear = cpu.Linear(in);
  for (int i = 0; i < kCount; ++i) {
    if ((m[i] >> (8 * sizeof(T) - 1)) && !cpu.ProbeWrite(linear + i * sizeof(T), sizeof(T))) {
      return Flow::kFault;
    }
  }
  for (int i = 0; i < kCount; ++i) {
    if ((m[i] >> (8 * sizeof(T) - 1)) &&
        !cpu.WriteBytes(linear + i * sizeof(T), &v[i], sizeof(T), Cpu::kAnyAlignment)) {
      return Flow::kFault;
    }
  }
  return cpu.Next(in);
}

// Loads "xmm1, mask, m" and stores "m, mask, xmm2" (the register-only
// encodings do not exist: #UD).
template <typename T>
bool BindMaskedMove(const ZydisInsn& z, DecodedInsn& out) {
  if (z.insn.operand_count_visible != 3 || !IsVvvv(z.ops[1]) || !BindVec(z.ops[1], &out.aux)) {
    return false;
  }
  const bool wide = VexLanes(z) == 2;
  if (IsMem(z.ops[0])) {
    out.handler = wide ? &MaskedStore<T, 2> : &MaskedStore<T, 1>;
    return BindVec(z.ops[2], &out.reg2) && BindMemory(z, z.ops[0], out);
  }
  out.handler = wide ? &MaskedLoad<T, 2> : &MaskedLoad<T, 1>;
  return IsMem(z.ops[2]) && BindVec(z.ops[0], &out.reg) && BindMemory(z, z.ops[2], out);
}

// VMOVSS/VMOVSD xmm1, xmm2, xmm3: the low element of xmm3, the rest of the
// low 128 bits from xmm2.
template <int kBytes>
__m128i MergeLowElement(__m128i src1, __m128i src2, uint8_t) {
  alignas(16) uint8_t r[16];
  _mm_store_si128(reinterpret_cast<__m128i*>(r), src1);
  std::memcpy(r, &src2, kBytes);
  return _mm_load_si128(reinterpret_cast<const __m128i*>(r));
}

template <int kBytes>
bool BindScalarMove(const ZydisInsn& z, DecodedInsn& out) {
  const int n = z.insn.operand_count_visible;
  if (n == 3) return BindVexPacked<&MergeLowElement<kBytes>>(z, out);
  if (n != 2) return false;
  out.size = kBytes;
  if (IsMem(z.ops[0])) {
    out.handler = &StoreLowElement;
    return BindVec(z.ops[1], &out.reg2) && BindMemory(z, z.ops[0], out);
  }
  out.handler = &LoadElement<true>;
  return BindVec(z.ops[0], &out.reg) && BindMemory(z, z.ops[1], out);
}

// VMOVLPS/VMOVLPD xmm1, xmm2, m64: the quadword low, xmm2's high quadword
// above it; VMOVHPS/VMOVHPD: xmm2's low quadword, the quadword above it.
__m128i LoadLowQword(__m128i src1, __m128i src2, uint8_t) {
  return _mm_unpacklo_epi64(src2, _mm_unpackhi_epi64(src1, src1));
}
__m128i LoadHighQword(__m128i src1, __m128i src2, uint8_t) {
  return _mm_unpacklo_epi64(src1, src2);
}

template <bool kHigh>
bool BindHalfMove(const ZydisInsn& z, DecodedInsn& out) {
  if (z.insn.operand_count_visible == 3) {
    return IsMem(z.ops[2]) &&
           BindVexPacked<kHigh ? &LoadHighQword : &LoadLowQword, VexWidths::k128>(z, out);
  }
  if (z.insn.operand_count_visible != 2 || !IsMem(z.ops[0])) return false;
  out.size = 8;
  out.handler = kHigh ? &StoreHighQword : &StoreLowElement;
  return BindVec(z.ops[1], &out.reg2) && BindMemory(z, z.ops[0], out);
}

// ---- Broadcasts, 128-bit lanes and permutes -------------------------------------

// VBROADCASTSS/SD/F128 (and AVX2's VPBROADCASTB/W/D/Q, VBROADCASTI128,
// and register sources): the source's low in.size bytes repeated over the
// destination.
template <int kLanes, bool kMem>
Flow Broadcast(Cpu& cpu, const DecodedInsn& in) {
  if (!VexEnabled(cpu)) [[unlikely]] return VexUnavailable(cpu);
  Ymm src, r;
  if (!ReadVexSource<kMem>(cpu, in, &src)) return Flow::kFault;
  auto* bytes = reinterpret_cast<uint8_t*>(r.lane);
  for (int at = 0; at < 16 * kLanes; at += in.size) std::memcpy(bytes + at, src.lane, in.size);
  StoreVex<kLanes>(cpu, in.reg, r);
  return cpu.Next(in);
}

// kElement: the element's bytes (the memory operand's size for a memory source).
template <int kElement>
bool BindBroadcast(const ZydisInsn& z, DecodedInsn& out) {
  if (z.insn.operand_count_visible != 2 || !BindVec(z.ops[0], &out.reg)) return false;
  const bool wide = VexLanes(z) == 2, mem = IsMem(z.ops[1]);
  out.size = kElement;
  out.handler = wide ? (mem ? &Broadcast<2, true> : &Broadcast<2, false>)
                     : (mem ? &Broadcast<1, true> : &Broadcast<1, false>);
  return mem ? BindMemory(z, z.ops[1], out) : BindVec(z.ops[1], &out.reg2);
}

// VINSERTF128/VINSERTI128 ymm1, ymm2, xmm3/m128, imm8: ymm2 with lane
// imm8[0] replaced.
template <bool kMem>
Flow InsertLane(Cpu& cpu, const DecodedInsn& in) {
  if (!VexEnabled(cpu)) [[unlikely]] return VexUnavailable(cpu);
  Ymm src, r = LoadYmm(cpu, in.aux);
  if (!ReadVexSource<kMem>(cpu, in, &src)) return Flow::kFault;
  r.lane[in.imm & 1] = src.lane[0];
  StoreYmm(cpu, in.reg, r);
  return cpu.Next(in);
}

bool BindInsertLane(const ZydisInsn& z, DecodedInsn& out) {
  bool nds, mem;
  if (VexLanes(z) != 2 || !BindVexOperands(z, out, &nds, &mem) || !nds) return false;
  out.handler = mem ? &InsertLane<true> : &InsertLane<false>;
  return true;
}

// VEXTRACTF128/VEXTRACTI128 xmm1/m128, ymm2, imm8: lane imm8[0] of ymm2.
template <bool kMem>
Flow ExtractLane(Cpu& cpu, const DecodedInsn& in) {
  if (!VexEnabled(cpu)) [[unlikely]] return VexUnavailable(cpu);
  const __m128i v = LoadYmm(cpu, in.reg2).lane[in.imm & 1];
  if constexpr (kMem) {
    if (!cpu.WriteBytes(cpu.Linear(in), &v, 16)) return Flow::kFault;
  } else {
    StoreXmmZeroUpper(cpu, in.reg, v);
  }
  return cpu.Next(in);
}

bool BindExtractLane(const ZydisInsn& z, DecodedInsn& out) {
  if (VexLanes(z) != 2 || z.insn.operand_count_visible != 3 || !IsImm(z.ops[2]) ||
      !BindVec(z.ops[1], &out.reg2)) {
    return false;
  }
  out.imm = z.ops[2].imm.value.u;
  if (IsMem(z.ops[0])) {
    out.handler = &ExtractLane<true>;
    return BindMemory(z, z.ops[0], out);
  }
  out.handler = &ExtractLane<false>;
  return BindVec(z.ops[0], &out.reg);
}

// VPERM2F128/VPERM2I128 ymm1, ymm2, ymm3/m256, imm8: each destination
// lane j is lane imm8[4j] of ymm2 (imm8[4j+1] = 0) or ymm3 (1), or zero
// when imm8[4j+3] is set.
template <bool kMem>
Flow PermuteLanes(Cpu& cpu, const DecodedInsn& in) {
  if (!VexEnabled(cpu)) [[unlikely]] return VexUnavailable(cpu);
  Ymm src2, r;
  if (!ReadVexSource<kMem>(cpu, in, &src2)) return Flow::kFault;
  const Ymm src1 = LoadYmm(cpu, in.aux);
  for (int j = 0; j < 2; ++j) {
    const int select = static_cast<int>(in.imm >> (4 * j));
    r.lane[j] = (select & 8)   ? _mm_setzero_si128()
                : (select & 2) ? src2.lane[select & 1]
                               : src1.lane[select & 1];
  }
  StoreYmm(cpu, in.reg, r);
  return cpu.Next(in);
}

bool BindPermuteLanes(const ZydisInsn& z, DecodedInsn& out) {
  bool nds, mem;
  if (VexLanes(z) != 2 || !BindVexOperands(z, out, &nds, &mem) || !nds) return false;
  out.handler = mem ? &PermuteLanes<true> : &PermuteLanes<false>;
  return true;
}

// VPERMILPS/VPERMILPD within each lane: element i is the source's element
// picked by imm8 (two bits per single, one per double; the upper lane of
// VPERMILPD takes the next two bits), or by the low bits of element i of
// the control vector (bits 1:0 for singles, bit 1 for doubles).
template <typename Lane>
__m128i PermuteByImm(__m128i, __m128i src, uint8_t imm) {
  constexpr int kBits = sizeof(Lane) == 4 ? 2 : 1;
  Lanes<Lane> s(src), r;
  for (int i = 0; i < r.kCount; ++i) r.v[i] = s.v[(imm >> (kBits * i)) & ((1 << kBits) - 1)];
  return r.Pack();
}

template <typename Lane>
__m128i PermuteByVector(__m128i src, __m128i control, uint8_t) {
  constexpr int kShift = sizeof(Lane) == 4 ? 0 : 1;
  Lanes<Lane> s(src), c(control), r;
  for (int i = 0; i < r.kCount; ++i) r.v[i] = s.v[(c.v[i] >> kShift) & (r.kCount - 1)];
  return r.Pack();
}

template <typename Lane>
bool BindPermute(const ZydisInsn& z, DecodedInsn& out) {
  if (IsImm(z.ops[z.insn.operand_count_visible - 1])) {
    return BindVexPacked<&PermuteByImm<Lane>, VexWidths::kBoth, -1, sizeof(Lane) == 8 ? 2 : 0>(
        z, out);
  }
  return BindVexPacked<&PermuteByVector<Lane>>(z, out);
}

// VMOVDDUP: the even doubles, each twice (per lane; VEX.128 reads m64).
__m128i DuplicateEvenQ(__m128i, __m128i src, uint8_t) { return _mm_unpacklo_epi64(src, src); }

// ---- Variable blends, tests, sign masks ------------------------------------------

// VBLENDVPS/VBLENDVPD/VPBLENDVB ymm1, ymm2, ymm3/m, ymm4: each element
// from ymm3 where ymm4's element has its sign bit set, else from ymm2.
template <typename Lane>
struct BlendVariable {
  template <int kLanes, bool kMem, bool kNds>
  struct H {
    static Flow Run(Cpu& cpu, const DecodedInsn& in) {
      if (!VexEnabled(cpu)) [[unlikely]] return VexUnavailable(cpu);
      using S = std::make_signed_t<Lane>;
      Ymm src2, r;
      if (!ReadVexSource<kMem>(cpu, in, &src2)) return Flow::kFault;
      const Ymm src1 = LoadYmm(cpu, in.aux), mask = LoadYmm(cpu, in.cond);
      for (int l = 0; l < kLanes; ++l) {
        Lanes<Lane> a(src1.lane[l]), b(src2.lane[l]), out;
        Lanes<S> m(mask.lane[l]);
        for (int i = 0; i < out.kCount; ++i) out.v[i] = m.v[i] < 0 ? b.v[i] : a.v[i];
        r.lane[l] = out.Pack();
      }
      StoreVex<kLanes>(cpu, in.reg, r);
      return cpu.Next(in);
    }
  };
};

template <typename Lane>
bool BindBlendVariable(const ZydisInsn& z, DecodedInsn& out) {
  bool nds, mem;
  if (z.insn.operand_count_visible != 4 || !BindVexOperands(z, out, &nds, &mem) || !nds) {
    return false;
  }
  out.handler = PickVex<BlendVariable<Lane>::template H>(VexLanes(z), mem, true);
  return true;
}

// VPTEST (every bit) and VTESTPS/VTESTPD (the sign bits) ymm1, ymm2/m:
// ZF = no bit set in both, CF = no bit set in the source and clear in
// ymm1; AF OF PF SF cleared.
template <uint64_t kBits>
struct Test {
  template <int kLanes, bool kMem, bool kNds>
  struct H {
    static Flow Run(Cpu& cpu, const DecodedInsn& in) {
      if (!VexEnabled(cpu)) [[unlikely]] return VexUnavailable(cpu);
      Ymm src;
      if (!ReadVexSource<kMem>(cpu, in, &src)) return Flow::kFault;
      const Ymm dst = LoadYmm(cpu, in.reg);
      const __m128i bits = _mm_set1_epi64x(static_cast<int64_t>(kBits));
      __m128i both = _mm_setzero_si128(), src_only = _mm_setzero_si128();
      for (int l = 0; l < kLanes; ++l) {
        both = _mm_or_si128(both, _mm_and_si128(_mm_and_si128(dst.lane[l], src.lane[l]), bits));
        src_only =
            _mm_or_si128(src_only, _mm_and_si128(_mm_andnot_si128(dst.lane[l], src.lane[l]), bits));
      }
      const auto none = [](__m128i v) { return _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_setzero_si128())) == 0xffff; };
      cpu.state.rflags = (cpu.state.rflags & ~kArithFlags) | (none(both) ? kZF : 0) |
                         (none(src_only) ? kCF : 0);
      return cpu.Next(in);
    }
  };
};

template <uint64_t kBits>
bool BindTest(const ZydisInsn& z, DecodedInsn& out) {
  bool nds, mem;
  if (!BindVexOperands(z, out, &nds, &mem) || nds) return false;
  out.handler = PickVex<Test<kBits>::template H>(VexLanes(z), mem, false);
  return true;
}

// VMOVMSKPS/VMOVMSKPD/VPMOVMSKB r32/r64, ymm: the elements' sign bits,
// zero-extended.
template <typename Lane, int kLanes>
Flow SignMask(Cpu& cpu, const DecodedInsn& in) {
  if (!VexEnabled(cpu)) [[unlikely]] return VexUnavailable(cpu);
  using S = std::make_signed_t<Lane>;
  const Ymm v = LoadYmm(cpu, in.reg2);
  uint64_t mask = 0;
  for (int l = 0; l < kLanes; ++l) {
    Lanes<S> s(v.lane[l]);
    for (int i = 0; i < s.kCount; ++i) mask |= uint64_t{s.v[i] < 0} << (l * s.kCount + i);
  }
  cpu.SetReg<uint64_t>(in.reg, mask);
  return cpu.Next(in);
}

template <typename Lane>
bool BindSignMask(const ZydisInsn& z, DecodedInsn& out) {
  if (z.insn.operand_count_visible != 2 || !IsReg(z.ops[0])) return false;
  const int g = GprIndex(z.ops[0].reg.value);
  out.reg = static_cast<uint8_t>(g * 8);  // a byte offset, as GprOffset gives
  out.handler = VexLanes(z) == 2 ? &SignMask<Lane, 2> : &SignMask<Lane, 1>;
  return g >= 0 && BindVec(z.ops[1], &out.reg2);
}

// ---- AVX2: variable shifts and whole-register permutes ---------------------------

enum class Shift : uint8_t { kLeft, kRight, kArith };

// VPSLLVD/Q, VPSRLVD/Q, VPSRAVD: each element shifted by the count in the
// same element of the source; counts past the width give 0 (the sign for
// VPSRAVD).
template <typename T, Shift kShift>
__m128i ShiftVariable(__m128i value, __m128i counts, uint8_t) {
  using S = std::make_signed_t<T>;
  constexpr T kWidth = 8 * sizeof(T);
  Lanes<T> v(value), c(counts), r;
  for (int i = 0; i < r.kCount; ++i) {
    const T n = c.v[i];
    if (kShift == Shift::kArith) {
      r.v[i] = static_cast<T>(static_cast<S>(v.v[i]) >> (n < kWidth ? n : kWidth - 1));
    } else if (n >= kWidth) {
      r.v[i] = 0;
    } else {
      r.v[i] = kShift == Shift::kLeft ? static_cast<T>(v.v[i] << n) : static_cast<T>(v.v[i] >> n);
    }
  }
  return r.Pack();
}

// An operation on whole 256-bit values (across lanes): VEX.256 only.
using WholeOp = Ymm (*)(const Ymm& src1, const Ymm& src2, uint8_t imm);

template <WholeOp Op>
struct Whole {
  template <int kLanes, bool kMem, bool kNds>
  struct H {
    static Flow Run(Cpu& cpu, const DecodedInsn& in) {
      if (!VexEnabled(cpu)) [[unlikely]] return VexUnavailable(cpu);
      Ymm src1, src2;
      if (!ReadVexSources<kMem, kNds>(cpu, in, &src1, &src2)) return Flow::kFault;
      StoreYmm(cpu, in.reg, Op(src1, src2, static_cast<uint8_t>(in.imm)));
      return cpu.Next(in);
    }
  };
};

template <WholeOp Op>
bool BindWhole(const ZydisInsn& z, DecodedInsn& out) {
  bool nds, mem;
  if (VexLanes(z) != 2 || !BindVexOperands(z, out, &nds, &mem)) return false;
  out.handler = PickVex<Whole<Op>::template H>(2, mem, nds);
  return true;
}

template <typename T>
struct Elements {
  static constexpr int kCount = 32 / sizeof(T);
  T v[kCount];
  explicit Elements(const Ymm& y) { std::memcpy(v, y.lane, 32); }
  Elements() = default;
  Ymm Pack() const {
    Ymm y;
    std::memcpy(y.lane, v, 32);
    return y;
  }
};

// VPERMD/VPERMPS ymm1, ymm2, ymm3/m256: dword i of ymm3 picked by ymm2's
// dword i (bits 2:0).
Ymm PermuteDwords(const Ymm& index, const Ymm& src, uint8_t) {
  Elements<uint32_t> x(index), s(src), r;
  for (int i = 0; i < 8; ++i) r.v[i] = s.v[x.v[i] & 7];
  return r.Pack();
}

// VPERMQ/VPERMPD ymm1, ymm2/m256, imm8: quadword i picked by imm8[2i+1:2i].
Ymm PermuteQwords(const Ymm&, const Ymm& src, uint8_t imm) {
  Elements<uint64_t> s(src), r;
  for (int i = 0; i < 4; ++i) r.v[i] = s.v[(imm >> (2 * i)) & 3];
  return r.Pack();
}

// VLDMXCSR m32 (#GP(0) for a reserved bit set) and VSTMXCSR m32.
Flow LoadMxcsr(Cpu& cpu, const DecodedInsn& in) {
  if (!VexEnabled(cpu)) [[unlikely]] return VexUnavailable(cpu);
  uint32_t v;
  if (!cpu.Read<uint32_t>(cpu.Linear(in), &v)) return Flow::kFault;
  if (v & ~kMxcsrMask) return cpu.Fault(kGeneralProtection, 0);
  cpu.state.sse.mxcsr = v;
  return cpu.Next(in);
}

Flow StoreMxcsr(Cpu& cpu, const DecodedInsn& in) {
  if (!VexEnabled(cpu)) [[unlikely]] return VexUnavailable(cpu);
  return cpu.Write<uint32_t>(cpu.Linear(in), cpu.state.sse.mxcsr) ? cpu.Next(in) : Flow::kFault;
}

template <Handler H>
bool BindMxcsr(const ZydisInsn& z, DecodedInsn& out) {
  if (z.insn.operand_count_visible != 1 || !IsMem(z.ops[0])) return false;
  out.handler = H;
  return BindMemory(z, z.ops[0], out);
}

}  // namespace

void RegisterAvxOps(BinderTable& t) {
  struct Entry {
    ZydisMnemonic mnemonic;
    Binder binder;
  };
  static constexpr Entry kEntries[] = {
      {ZYDIS_MNEMONIC_VZEROUPPER, &BindZeroUpper<false>},
      {ZYDIS_MNEMONIC_VZEROALL, &BindZeroUpper<true>},
      {ZYDIS_MNEMONIC_VMOVAPS, &BindVectorMove<true>},
      {ZYDIS_MNEMONIC_VMOVAPD, &BindVectorMove<true>},
      {ZYDIS_MNEMONIC_VMOVDQA, &BindVectorMove<true>},
      {ZYDIS_MNEMONIC_VMOVNTPS, &BindVectorMove<true>},
      {ZYDIS_MNEMONIC_VMOVNTPD, &BindVectorMove<true>},
      {ZYDIS_MNEMONIC_VMOVNTDQ, &BindVectorMove<true>},
      {ZYDIS_MNEMONIC_VMOVNTDQA, &BindVectorMove<true>},
      {ZYDIS_MNEMONIC_VMOVUPS, &BindVectorMove<false>},
      {ZYDIS_MNEMONIC_VMOVUPD, &BindVectorMove<false>},
      {ZYDIS_MNEMONIC_VMOVDQU, &BindVectorMove<false>},
      {ZYDIS_MNEMONIC_VLDDQU, &BindVectorMove<false>},
      {ZYDIS_MNEMONIC_VMOVSS, &BindScalarMove<4>},
      {ZYDIS_MNEMONIC_VMOVSD, &BindScalarMove<8>},
      {ZYDIS_MNEMONIC_VMOVD, &BindVmovdVmovq},
      {ZYDIS_MNEMONIC_VMOVQ, &BindVmovdVmovq},
      {ZYDIS_MNEMONIC_VPINSRB, &BindInsertElement<uint8_t, VecGate::kVex>},
      {ZYDIS_MNEMONIC_VPINSRW, &BindInsertElement<uint16_t, VecGate::kVex>},
      {ZYDIS_MNEMONIC_VPINSRD, &BindInsertElement<uint32_t, VecGate::kVex>},
      {ZYDIS_MNEMONIC_VPINSRQ, &BindInsertElement<uint64_t, VecGate::kVex>},
      {ZYDIS_MNEMONIC_VPEXTRB, &BindExtractElement<uint8_t, VecGate::kVex>},
      {ZYDIS_MNEMONIC_VPEXTRW, &BindExtractElement<uint16_t, VecGate::kVex>},
      {ZYDIS_MNEMONIC_VPEXTRD, &BindExtractElement<uint32_t, VecGate::kVex>},
      {ZYDIS_MNEMONIC_VPEXTRQ, &BindExtractElement<uint64_t, VecGate::kVex>},
      {ZYDIS_MNEMONIC_VEXTRACTPS, &BindExtractElement<uint32_t, VecGate::kVex>},
      {ZYDIS_MNEMONIC_VMASKMOVPS, &BindMaskedMove<uint32_t>},
      {ZYDIS_MNEMONIC_VMASKMOVPD, &BindMaskedMove<uint64_t>},
      {ZYDIS_MNEMONIC_VPMASKMOVD, &BindMaskedMove<uint32_t>},
      {ZYDIS_MNEMONIC_VPMASKMOVQ, &BindMaskedMove<uint64_t>},
      {ZYDIS_MNEMONIC_VMOVLPS, &BindHalfMove<false>},
      {ZYDIS_MNEMONIC_VMOVLPD, &BindHalfMove<false>},
      {ZYDIS_MNEMONIC_VMOVHPS, &BindHalfMove<true>},
      {ZYDIS_MNEMONIC_VMOVHPD, &BindHalfMove<true>},
      {ZYDIS_MNEMONIC_VMOVDDUP, &BindVexPacked<&DuplicateEvenQ>},
      {ZYDIS_MNEMONIC_VBROADCASTSS, &BindBroadcast<4>},
      {ZYDIS_MNEMONIC_VBROADCASTSD, &BindBroadcast<8>},
      {ZYDIS_MNEMONIC_VBROADCASTF128, &BindBroadcast<16>},
      {ZYDIS_MNEMONIC_VBROADCASTI128, &BindBroadcast<16>},
      {ZYDIS_MNEMONIC_VPBROADCASTB, &BindBroadcast<1>},
      {ZYDIS_MNEMONIC_VPBROADCASTW, &BindBroadcast<2>},
      {ZYDIS_MNEMONIC_VPBROADCASTD, &BindBroadcast<4>},
      {ZYDIS_MNEMONIC_VPBROADCASTQ, &BindBroadcast<8>},
      {ZYDIS_MNEMONIC_VINSERTF128, &BindInsertLane},
      {ZYDIS_MNEMONIC_VINSERTI128, &BindInsertLane},
      {ZYDIS_MNEMONIC_VEXTRACTF128, &BindExtractLane},
      {ZYDIS_MNEMONIC_VEXTRACTI128, &BindExtractLane},
      {ZYDIS_MNEMONIC_VPERM2F128, &BindPermuteLanes},
      {ZYDIS_MNEMONIC_VPERM2I128, &BindPermuteLanes},
      {ZYDIS_MNEMONIC_VPERMILPS, &BindPermute<uint32_t>},
      {ZYDIS_MNEMONIC_VPERMILPD, &BindPermute<uint64_t>},
      {ZYDIS_MNEMONIC_VBLENDVPS, &BindBlendVariable<uint32_t>},
      {ZYDIS_MNEMONIC_VBLENDVPD, &BindBlendVariable<uint64_t>},
      {ZYDIS_MNEMONIC_VPBLENDVB, &BindBlendVariable<uint8_t>},
      {ZYDIS_MNEMONIC_VPTEST, &BindTest<~uint64_t{0}>},
      {ZYDIS_MNEMONIC_VTESTPS, &BindTest<0x8000000080000000ull>},
      {ZYDIS_MNEMONIC_VTESTPD, &BindTest<0x8000000000000000ull>},
      {ZYDIS_MNEMONIC_VMOVMSKPS, &BindSignMask<uint32_t>},
      {ZYDIS_MNEMONIC_VMOVMSKPD, &BindSignMask<uint64_t>},
      {ZYDIS_MNEMONIC_VPMOVMSKB, &BindSignMask<uint8_t>},
      {ZYDIS_MNEMONIC_VPSLLVD, &BindVexPacked<&ShiftVariable<uint32_t, Shift::kLeft>>},
      {ZYDIS_MNEMONIC_VPSLLVQ, &BindVexPacked<&ShiftVariable<uint64_t, Shift::kLeft>>},
      {ZYDIS_MNEMONIC_VPSRLVD, &BindVexPacked<&ShiftVariable<uint32_t, Shift::kRight>>},
      {ZYDIS_MNEMONIC_VPSRLVQ, &BindVexPacked<&ShiftVariable<uint64_t, Shift::kRight>>},
      {ZYDIS_MNEMONIC_VPSRAVD, &BindVexPacked<&ShiftVariable<uint32_t, Shift::kArith>>},
      {ZYDIS_MNEMONIC_VPERMD, &BindWhole<&PermuteDwords>},
      {ZYDIS_MNEMONIC_VPERMPS, &BindWhole<&PermuteDwords>},
      {ZYDIS_MNEMONIC_VPERMQ, &BindWhole<&PermuteQwords>},
      {ZYDIS_MNEMONIC_VPERMPD, &BindWhole<&PermuteQwords>},
      {ZYDIS_MNEMONIC_VLDMXCSR, &BindMxcsr<&LoadMxcsr>},
      {ZYDIS_MNEMONIC_VSTMXCSR, &BindMxcsr<&StoreMxcsr>},
  };
  for (const Entry& e : kEntries) t.Add(e.mnemonic, e.binder);
}

}  // namespace x64sim
