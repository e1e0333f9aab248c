#include "uarch/implemented_forms.h"
namespace x64sim {
const std::vector<ImplementedForm>& ImplementedForms() { static std::vector<ImplementedForm> k; return k; }
}
