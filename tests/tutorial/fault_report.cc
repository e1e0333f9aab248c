#include "tests/tutorial/fault_report.h"

#include <regex>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace x64sim::testing {

std::optional<uint64_t> ParsePointer(const std::string& text) {
  if (text == "(nil)") return 0;
  uint64_t value;
  if (text.rfind("0x", 0) != 0 || !absl::SimpleHexAtoi(text.substr(2), &value)) {
    return std::nullopt;
  }
  return value;
}

absl::StatusOr<FaultReport> ParseFaultReport(
    const std::vector<std::string>& lines, size_t first) {
  if (lines.size() < first + kFaultReportHeaderLines + kFaultReportStackWords) {
    return absl::InvalidArgumentError("console ends inside a fault report");
  }
  auto line = [&](size_t i) -> const std::string& { return lines[first + i]; };
  FaultReport report;
  static const std::regex kCaught("^Caught (.*)$");
  static const std::regex kThread(
      R"re(^in thread (0x[0-9a-f]+) "([^"]*)" at address (\(nil\)|0x[0-9a-f]+)$)re");
  static const std::regex kStackWord(R"re(^(0x[0-9a-f]+): (0x[0-9a-f]+|INVALID)$)re");
  std::smatch match;
  if (!std::regex_match(line(0), match, kCaught)) {
    return absl::InvalidArgumentError(absl::StrCat("not a fault report: ", line(0)));
  }
  report.caught = match[1];
  if (line(1) != "while trying to handle:") {
    return absl::InvalidArgumentError(absl::StrCat("expected 'while trying to handle:', got ", line(1)));
  }
  report.while_handling = line(2);
  if (!std::regex_match(line(3), match, kThread)) {
    return absl::InvalidArgumentError(absl::StrCat("bad thread line: ", line(3)));
  }
  report.thread_pointer = match[1];
  report.thread_name = match[2];
  report.restart_pc = *ParsePointer(match[3]);
  if (line(4) != "With stack:") {
    return absl::InvalidArgumentError(absl::StrCat("expected 'With stack:', got ", line(4)));
  }
  for (size_t i = 0; i < kFaultReportStackWords; ++i) {
    const std::string& text = line(kFaultReportHeaderLines + i);
    if (!std::regex_match(text, match, kStackWord)) {
      return absl::InvalidArgumentError(absl::StrCat("bad stack line: ", text));
    }
    StackWord word;
    word.address = *ParsePointer(match[1]);
    if (match[2] != "INVALID") word.value = ParsePointer(match[2]);
    report.stack.push_back(word);
  }
  return report;
}

}  // namespace x64sim::testing
