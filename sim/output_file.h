// Output files that are complete or absent: written to a temporary file
// beside the target, then renamed over it, so a reader never sees half a
// report, whatever ends the run.
#ifndef X64SIM_SIM_OUTPUT_FILE_H_
#define X64SIM_SIM_OUTPUT_FILE_H_

#include <fstream>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace x64sim {

// Writes `contents` to `path` through `path`.tmp and a rename. On failure
// the temporary file is removed and the error names `path`.
absl::Status WriteFileWhole(const std::string& path, absl::string_view contents);

// A file written as the run goes (an MMU trace): the stream writes
// `path`.tmp, which Commit renames to `path` once everything is in it.
// Dropped without Commit, the temporary file is removed. Devices and pipes
// are written in place.
class StagedFile {
 public:
  StagedFile() = default;
  StagedFile(const StagedFile&) = delete;
  StagedFile& operator=(const StagedFile&) = delete;
  ~StagedFile();

  absl::Status Open(const std::string& path);
  std::ostream& stream() { return out_; }
  absl::Status Commit();

 private:
  std::string path_;
  std::string tmp_;
  std::ofstream out_;
  bool committed_ = false;
};
}  // namespace x64sim

#endif  // X64SIM_SIM_OUTPUT_FILE_H_
