#include "sim/command_line.h"

#include <algorithm>

#include "absl/flags/reflection.h"
#include "absl/strings/str_format.h"

namespace x64sim {

absl::Status ParseCommandLine(int argc, char** argv, ParsedCommandLine* out) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.rfind("--", 0) != 0 || arg.size() == 2) {
      return absl::InvalidArgumentError(absl::StrFormat("unexpected argument '%s'", arg));
    }
    size_t eq = arg.find('=');
    std::string name = arg.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
    std::replace(name.begin(), name.end(), '-', '_');
    bool has_value = eq != std::string::npos;
    std::string value = has_value ? arg.substr(eq + 1) : "";
    if (name == "help" || name == "helpfull") {
      out->help = true;
      continue;
    }
    if (name == "module") {
      if (!has_value) {
        if (i + 1 >= argc) return absl::InvalidArgumentError("--module needs a value");
        value = argv[++i];
      }
      out->modules.push_back(value);
      continue;
    }
    absl::CommandLineFlag* flag = absl::FindCommandLineFlag(name);
    bool negated = false;
    if (flag == nullptr && name.rfind("no", 0) == 0) {
      flag = absl::FindCommandLineFlag(name.substr(2));
      negated = flag != nullptr && flag->IsOfType<bool>() && !has_value;
      if (!negated) flag = nullptr;
    }
    if (flag == nullptr || flag->IsRetired()) {
      return absl::InvalidArgumentError(absl::StrFormat("unknown flag '--%s'", name));
    }
    if (!has_value) {
      if (flag->IsOfType<bool>()) {
        value = negated ? "false" : "true";
      } else if (i + 1 < argc) {
        value = argv[++i];
      } else {
        return absl::InvalidArgumentError(absl::StrFormat("--%s needs a value", name));
      }
    }
    std::string error;
    if (!flag->ParseFrom(value, &error)) {
      return absl::InvalidArgumentError(
          absl::StrFormat("bad value '%s' for --%s: %s", value, name, error));
    }
    out->given.insert(std::string(flag->Name()));
  }
  return absl::OkStatus();
}

}  // namespace x64sim
