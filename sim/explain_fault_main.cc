// explain-fault: reads an MMU trace written with --trace-mmu=FILE and prints
// one sentence per page fault in it.
//
//   bazel run //sim:explain-fault -- TRACE
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>

#include "mmu/explain_fault.h"

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
  std::ifstream trace(path);
  if (!trace) {
    std::cerr << "explain-fault: cannot open " << path << "\n";
    return 1;
  }
  absl::StatusOr<int> faults = x64sim::ExplainTrace(trace, std::cout);
  if (!faults.ok()) {
    std::cerr << "explain-fault: " << path << ": " << faults.status().message() << "\n";
    return 1;
  }
  if (*faults == 0) std::cout << "no page faults in " << path << "\n";
  return 0;
}
