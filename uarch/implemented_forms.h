#ifndef X64SIM_UARCH_IMPLEMENTED_FORMS_H_
#define X64SIM_UARCH_IMPLEMENTED_FORMS_H_
#include <string>
#include <vector>
namespace x64sim {
struct ImplementedForm { std::string key; };
const std::vector<ImplementedForm>& ImplementedForms();
}
#endif
