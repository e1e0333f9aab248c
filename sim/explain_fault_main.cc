// explain-fault: reads an MMU trace written with --trace-mmu=FILE and prints
// one sentence per page fault in it.
//
//   bazel run //sim:explain-fault -- TRACE
#include <cstdlib>
#include <iostream>
#include <sstream>
#include <string>

#include "mmu/explain_fault.h"
#include "sim/input_file.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: explain-fault TRACE.jsonl\n";
    return 2;
  }
  // `bazel run` starts us in the runfiles tree; relative paths mean the
  // directory the command was typed in.
  std::string path = argv[1];
  if (const char* cwd = std::getenv("BUILD_WORKING_DIRECTORY"); cwd && !path.empty() && path[0] != '/') {
    path = std::string(cwd) + "/" + path;
  }
  absl::StatusOr<std::string> contents = x64sim::ReadWholeFile(path);
  if (!contents.ok()) {
    std::cerr << "explain-fault: " << contents.status().message() << "\n";
    return 1;
  }
  std::istringstream trace(*std::move(contents));
  absl::StatusOr<int> faults = x64sim::ExplainTrace(trace, std::cout);
  if (!faults.ok()) {
    std::cerr << "explain-fault: " << path << ": " << faults.status().message() << "\n";
    return 1;
  }
  if (*faults == 0) std::cout << "no page faults in " << path << "\n";
  return 0;
}
