// Turns the page faults in an MMU trace (docs/trace-format.md) into
// sentences: which entries the walk read, where it stopped, and what the
// #PF error code says.
#ifndef X64SIM_MMU_EXPLAIN_FAULT_H_
#define X64SIM_MMU_EXPLAIN_FAULT_H_

#include <cstdint>
#include <istream>
#include <ostream>
#include <string>

#include "absl/status/statusor.h"
#include "mmu/trace_json.h"

namespace x64sim {

// "user write to a not-present page" and the like, for a #PF error code
// (SDM vol. 3A 4.7).
std::string DescribeErrorCode(uint32_t error_code);

// The explanation of one "translate" trace event that ended in a #PF.
std::string ExplainFault(const Json& event);

// Writes one explanation line per #PF in `trace`; returns how many there
// were, or an error naming the first malformed line.
absl::StatusOr<int> ExplainTrace(std::istream& trace, std::ostream& out);

}  // namespace x64sim

#endif  // X64SIM_MMU_EXPLAIN_FAULT_H_
