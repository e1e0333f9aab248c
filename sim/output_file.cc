#include "sim/output_file.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <sys/stat.h>

#include "absl/strings/str_cat.h"

namespace x64sim {

namespace {

absl::Status Failed(const std::string& path, int error) {
  return absl::UnavailableError(absl::StrCat("cannot write '", path, "': ", std::strerror(error)));
}

// Devices and pipes (/dev/stderr, /dev/full, a FIFO) are written in place:
// they cannot be renamed over, and must not be replaced.
bool IsSpecialFile(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode);
}

}  // namespace

absl::Status WriteFileWhole(const std::string& path, absl::string_view contents) {
  const bool special = IsSpecialFile(path);
  const std::string tmp = special ? path : path + ".tmp";
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (f == nullptr) return Failed(path, errno);
  const bool written = std::fwrite(contents.data(), 1, contents.size(), f) == contents.size();
  const int write_errno = errno;
  const bool closed = std::fclose(f) == 0;
  if (!written || !closed) {
    const int error = written ? errno : write_errno;
    if (!special) std::remove(tmp.c_str());
    return Failed(path, error);
  }
  if (!special && std::rename(tmp.c_str(), path.c_str()) != 0) {
    const int error = errno;
    std::remove(tmp.c_str());
    return Failed(path, error);
  }
  return absl::OkStatus();
}

StagedFile::~StagedFile() {
  if (!committed_ && !tmp_.empty() && tmp_ != path_) {
    out_.close();
    std::remove(tmp_.c_str());
  }
}

absl::Status StagedFile::Open(const std::string& path) {
  path_ = path;
  tmp_ = IsSpecialFile(path) ? path : path + ".tmp";
  out_.open(tmp_, std::ios::binary | std::ios::trunc);
  if (!out_) return Failed(path, errno);
  return absl::OkStatus();
}

absl::Status StagedFile::Commit() {
  out_.flush();
  const bool ok = static_cast<bool>(out_);
  const int error = errno;
  out_.close();
  committed_ = true;
  if (!ok) {
    if (tmp_ != path_) std::remove(tmp_.c_str());
    return Failed(path_, error);
  }
  if (tmp_ != path_ && std::rename(tmp_.c_str(), path_.c_str()) != 0) {
    const int rename_error = errno;
    std::remove(tmp_.c_str());
    return Failed(path_, rename_error);
  }
  return absl::OkStatus();
}

}  // namespace x64sim
