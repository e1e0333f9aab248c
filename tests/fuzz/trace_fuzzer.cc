// Fuzz target: explain-fault's trace reader on mutated MMU traces. Every
// input gets explanations or an error naming the first malformed line.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>

#include "mmu/explain_fault.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::istringstream trace(std::string(reinterpret_cast<const char*>(data), size));
  std::ostringstream out;
  absl::StatusOr<int> faults = x64sim::ExplainTrace(trace, out);
  if (!faults.ok() && faults.status().message().empty()) {
    std::fprintf(stderr, "trace: an error without a message\n");
    std::abort();
  }
  if (faults.ok() && *faults < 0) {
    std::fprintf(stderr, "trace: a negative fault count\n");
    std::abort();
  }
  return 0;
}
