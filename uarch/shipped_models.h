// The .uarch files built into x64sim, so --uarch=skylake works wherever the
// binary is. Users edit a copy and pass --uarch=FILE.
#ifndef X64SIM_UARCH_SHIPPED_MODELS_H_
#define X64SIM_UARCH_SHIPPED_MODELS_H_

#include <vector>

namespace x64sim {

struct ShippedModel {
  const char* name;  // "skylake": the file uarch/skylake.uarch
  const char* text;
};

const std::vector<ShippedModel>& ShippedModels();

}  // namespace x64sim

#endif  // X64SIM_UARCH_SHIPPED_MODELS_H_
