#include "cpu/isa_gate.h"

namespace x64sim {
namespace {

using enum Feature;

// The feature each gated Zydis ISA set needs. Sets not listed are in every
// model. LAHF/SAHF is not gated: only its 64-bit form needs kLahf64, which
// every model has. VEX-encoded AES needs AVX and AES; no model has AVX without AES
// and PCLMULQDQ, so the VEX forms (VPCLMULQDQ is in set AVX) need only AVX
// here.
struct GatedSet {
  ZydisISASet set;
  Feature feature;
};
constexpr GatedSet kGatedSets[] = {
    {ZYDIS_ISA_SET_SSE3, kSse3},
    {ZYDIS_ISA_SET_SSE3X87, kSse3},
    {ZYDIS_ISA_SET_MONITOR, kMonitor},
    {ZYDIS_ISA_SET_SSSE3, kSsse3},
    {ZYDIS_ISA_SET_SSSE3MMX, kSsse3},
    {ZYDIS_ISA_SET_CMPXCHG16B, kCmpxchg16b},
    {ZYDIS_ISA_SET_SSE4, kSse41},
    {ZYDIS_ISA_SET_SSE42, kSse42},
    {ZYDIS_ISA_SET_POPCNT, kPopcnt},
    {ZYDIS_ISA_SET_PCLMULQDQ, kPclmulqdq},
    {ZYDIS_ISA_SET_AES, kAes},
    {ZYDIS_ISA_SET_AVXAES, kAvx},
    {ZYDIS_ISA_SET_MOVBE, kMovbe},
    {ZYDIS_ISA_SET_XSAVE, kXsave},
    {ZYDIS_ISA_SET_XSAVEOPT, kXsaveopt},
    {ZYDIS_ISA_SET_XSAVEC, kXsavec},
    {ZYDIS_ISA_SET_XSAVES, kXsaves},
    {ZYDIS_ISA_SET_AVX, kAvx},
    {ZYDIS_ISA_SET_AVX2, kAvx2},
    {ZYDIS_ISA_SET_AVX2GATHER, kAvx2},
    {ZYDIS_ISA_SET_FMA, kFma},
    {ZYDIS_ISA_SET_F16C, kF16c},
    {ZYDIS_ISA_SET_RDRAND, kRdrand},
    {ZYDIS_ISA_SET_RDSEED, kRdseed},
    {ZYDIS_ISA_SET_RDWRFSGS, kFsgsbase},
    {ZYDIS_ISA_SET_BMI1, kBmi1},
    {ZYDIS_ISA_SET_BMI2, kBmi2},
    {ZYDIS_ISA_SET_ADOX_ADCX, kAdx},
    {ZYDIS_ISA_SET_INVPCID, kInvpcid},
    {ZYDIS_ISA_SET_CLFLUSHOPT, kClflushopt},
    {ZYDIS_ISA_SET_RDPID, kRdpid},
    {ZYDIS_ISA_SET_RDTSCP, kRdtscp},
    {ZYDIS_ISA_SET_LZCNT, kLzcnt},
    {ZYDIS_ISA_SET_MPX, kMpx},
};

}  // namespace

IsaGate::IsaGate(const CpuModel& model)
    : lzcnt_(model.Has(kLzcnt)), tzcnt_(model.Has(kBmi1)), mpx_(model.Has(kMpx)) {
  allowed_.fill(true);
  for (const GatedSet& g : kGatedSets) allowed_[g.set] = model.Has(g.feature);
}

void IsaGate::ConfigureDecoder(ZydisDecoder* decoder) const {
  ZydisDecoderEnableMode(decoder, ZYDIS_DECODER_MODE_LZCNT, lzcnt_);
  ZydisDecoderEnableMode(decoder, ZYDIS_DECODER_MODE_TZCNT, tzcnt_);
  ZydisDecoderEnableMode(decoder, ZYDIS_DECODER_MODE_MPX, mpx_);
}

}  // namespace x64sim
