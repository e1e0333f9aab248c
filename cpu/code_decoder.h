// The Zydis decoder set-up for the code a CPU runs: 64-bit mode, or
// outside it 32- or 16-bit code as CS.D says (SDM vol. 3A 3.4.5). One
// place for the core, the gdb stub and the implemented-form sweep.
#ifndef X64SIM_CPU_CODE_DECODER_H_
#define X64SIM_CPU_CODE_DECODER_H_

#include <Zydis/Zydis.h>

#include <cstdint>

#include "cpu/state.h"

namespace x64sim {

enum class CodeWidth : uint8_t { k64, k32, k16 };

// `code16`: CS.D = 0, which matters outside 64-bit mode only.
inline CodeWidth CodeWidthOf(CpuMode mode, bool code16) {
  if (mode == CpuMode::kLong64) return CodeWidth::k64;
  return code16 ? CodeWidth::k16 : CodeWidth::k32;
}

inline void InitCodeDecoder(ZydisDecoder* decoder, CodeWidth width) {
  switch (width) {
    case CodeWidth::k64:
      ZydisDecoderInit(decoder, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
      break;
    case CodeWidth::k32:
      ZydisDecoderInit(decoder, ZYDIS_MACHINE_MODE_LONG_COMPAT_32, ZYDIS_STACK_WIDTH_32);
      break;
    case CodeWidth::k16:
      ZydisDecoderInit(decoder, ZYDIS_MACHINE_MODE_LONG_COMPAT_16, ZYDIS_STACK_WIDTH_16);
      break;
  }
}

}  // namespace x64sim

#endif  // X64SIM_CPU_CODE_DECODER_H_
