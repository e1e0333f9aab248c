// Which instructions decode on a CPU model. Decided once per decoded
// instruction, so the run loop pays nothing for it.
#ifndef X64SIM_CPU_ISA_GATE_H_
#define X64SIM_CPU_ISA_GATE_H_

#include <Zydis/Zydis.h>

#include <array>

#include "cpu/cpu_model.h"

namespace x64sim {

class IsaGate {
 public:
  explicit IsaGate(const CpuModel& model);

  // False for an instruction of an extension the model lacks: it is #UD.
  bool Allows(ZydisISASet set) const { return allowed_[set]; }

  // The decoder modes for encodings whose meaning depends on the model:
  // without LZCNT (ABM) or BMI1, F3 0F BD and F3 0F BC are BSR and BSF with
  // an ignored prefix (SDM vol. 2A LZCNT and TZCNT); without MPX, 0F 1A and
  // 0F 1B are NOPs and F2 before a branch is ignored (SDM vol. 1 17.5).
  void ConfigureDecoder(ZydisDecoder* decoder) const;

 private:
  std::array<bool, ZYDIS_ISA_SET_MAX_VALUE + 1> allowed_;
  bool lzcnt_;
  bool tzcnt_;
  bool mpx_;
};

}  // namespace x64sim

#endif  // X64SIM_CPU_ISA_GATE_H_
