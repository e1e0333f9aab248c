// explain-fault: reads an MMU trace written with --trace-mmu=FILE and prints
// one sentence per page fault in it.
//
//   bazel run //sim:explain-fault -- TRACE
#include <fstream>
#include <iostream>

#include "mmu/explain_fault.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: explain-fault TRACE.jsonl\n";
    return 2;
  }
  std::ifstream trace(argv[1]);
  if (!trace) {
    std::cerr << "explain-fault: cannot open " << argv[1] << "\n";
    return 1;
  }
  absl::StatusOr<int> faults = x64sim::ExplainTrace(trace, std::cout);
  if (!faults.ok()) {
    std::cerr << "explain-fault: " << argv[1] << ": " << faults.status().message() << "\n";
    return 1;
  }
  if (*faults == 0) std::cout << "no page faults in " << argv[1] << "\n";
  return 0;
}
