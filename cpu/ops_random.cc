// RDRAND and RDSEED (SDM vol. 2B): a random number in a register, CF = 1
// for "valid", OF SF ZF AF PF cleared. x64sim draws both from one
// deterministic generator seeded by --rdrand-seed (CpuState::random_state),
// so a run repeats exactly; it never reports the entropy source as
// exhausted (CF = 0), which real hardware may do.
#include "cpu/binder.h"
#include "cpu/cpu.h"

namespace x64sim {
namespace {

// SplitMix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number
// generators", OOPSLA 2014): every seed, zero included, gives a full-period
// sequence.
uint64_t NextRandom(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

template <typename T>
Flow ReadRandom(Cpu& cpu, const DecodedInsn& in) {
  cpu.SetReg<T>(in.reg, static_cast<T>(NextRandom(cpu.state.random_state)));
  cpu.state.rflags = (cpu.state.rflags & ~kArithFlags) | kCF;
  return cpu.Next(in);
}

bool BindRandom(const ZydisInsn& z, DecodedInsn& out) {
  const ZydisDecodedOperand& dst = z.ops[0];
  if (dst.type != ZYDIS_OPERAND_TYPE_REGISTER) return false;
  out.reg = static_cast<uint8_t>(GprOffset(dst.reg.value));
  switch (dst.size) {
    case 16: out.handler = &ReadRandom<uint16_t>; return true;
    case 32: out.handler = &ReadRandom<uint32_t>; return true;
    case 64: out.handler = &ReadRandom<uint64_t>; return true;
    default: return false;
  }
}

}  // namespace

void RegisterRandomOps(BinderTable& t) {
  t.Add(ZYDIS_MNEMONIC_RDRAND, BindRandom);
  t.Add(ZYDIS_MNEMONIC_RDSEED, BindRandom);
}

}  // namespace x64sim
