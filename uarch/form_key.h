#ifndef X64SIM_UARCH_FORM_KEY_H_
#define X64SIM_UARCH_FORM_KEY_H_
#include <Zydis/Zydis.h>
#include <string>
namespace x64sim {
std::string FormKey(const ZydisDecodedInstruction& insn, const ZydisDecodedOperand* ops);
}
#endif
