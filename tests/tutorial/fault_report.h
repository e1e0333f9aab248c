// The kernel's report of a fault nobody handled (the debug kernel's console
// format, docs/kernel.md), parsed from console lines.
#ifndef TESTS_TUTORIAL_FAULT_REPORT_H_
#define TESTS_TUTORIAL_FAULT_REPORT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace x64sim::testing {

struct StackWord {
  uint64_t address = 0;
  std::optional<uint64_t> value;  // empty when the kernel printed INVALID
};

struct FaultReport {
  std::string caught;           // "cap fault in send phase at address (nil)"
  std::string while_handling;   // "vm fault on data at address ... with status ..."
  std::string thread_pointer;   // as printed, e.g. "0xffffff801ffb5400"
  std::string thread_name;      // e.g. "rootserver"
  uint64_t restart_pc = 0;      // "(nil)" reads as 0
  std::vector<StackWord> stack;
};

// The number of console lines a report occupies: five, then the stack.
constexpr size_t kFaultReportHeaderLines = 5;
constexpr size_t kFaultReportStackWords = 16;

// Parses a report that starts at lines[first].
absl::StatusOr<FaultReport> ParseFaultReport(
    const std::vector<std::string>& lines, size_t first);

// Reads "0x..." or "(nil)" as %p prints them.
std::optional<uint64_t> ParsePointer(const std::string& text);

}  // namespace x64sim::testing

#endif  // TESTS_TUTORIAL_FAULT_REPORT_H_
