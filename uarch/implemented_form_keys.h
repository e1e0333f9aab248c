// The keys of every instruction form x64sim implements (ImplementedForms()),
// listed when x64sim is built, so that loading a description checks its
// coverage in a moment.
#ifndef X64SIM_UARCH_IMPLEMENTED_FORM_KEYS_H_
#define X64SIM_UARCH_IMPLEMENTED_FORM_KEYS_H_

#include <string>
#include <vector>

namespace x64sim {

// Sorted, without duplicates.
const std::vector<std::string>& ImplementedFormKeys();

}  // namespace x64sim

#endif  // X64SIM_UARCH_IMPLEMENTED_FORM_KEYS_H_
