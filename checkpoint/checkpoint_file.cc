#include "checkpoint/checkpoint_file.h"

#include <zstd.h>

#include <cstring>

#include "absl/strings/str_format.h"

namespace x64sim {
namespace {

constexpr std::string_view kMagic = "x64sim checkpoint\n";
// Level 3, zstd's default: RAM pages compress well and fast.
constexpr int kCompressionLevel = 3;
// Larger than any state x64sim makes (3 GiB of RAM and the rest): a header
// claiming more is corrupt, not a reason to allocate.
constexpr uint64_t kMaxPayload = 8ull << 30;

template <typename T>
void Put(std::string& out, T value) {
  out.append(reinterpret_cast<const char*>(&value), sizeof(T));
}

// Reads from the front of `in`; false when too short.
template <typename T>
bool Take(std::string_view& in, T* value) {
  if (in.size() < sizeof(T)) return false;
  std::memcpy(value, in.data(), sizeof(T));
  in.remove_prefix(sizeof(T));
  return true;
}

bool TakeBytes(std::string_view& in, uint64_t n, std::string_view* bytes) {
  if (in.size() < n) return false;
  *bytes = in.substr(0, n);
  in.remove_prefix(n);
  return true;
}

}  // namespace

std::string EncodeSections(const CheckpointSections& sections) {
  std::string payload;
  for (const auto& [name, bytes] : sections) {
    Put<uint32_t>(payload, static_cast<uint32_t>(name.size()));
    payload += name;
    Put<uint64_t>(payload, bytes.size());
    payload += bytes;
  }
  return payload;
}

absl::StatusOr<CheckpointSections> DecodeSections(std::string_view payload) {
  CheckpointSections sections;
  while (!payload.empty()) {
    uint32_t name_size = 0;
    std::string_view name;
    uint64_t bytes_size = 0;
    std::string_view bytes;
    if (!Take(payload, &name_size) || !TakeBytes(payload, name_size, &name) ||
        !Take(payload, &bytes_size) || !TakeBytes(payload, bytes_size, &bytes)) {
      return absl::DataLossError("a state section is truncated");
    }
    sections.emplace_back(std::string(name), std::string(bytes));
  }
  return sections;
}

std::string EncodeCheckpoint(const CheckpointContents& contents) {
  const std::string payload = EncodeSections(contents.sections);
  std::string compressed(ZSTD_compressBound(payload.size()), '\0');
  ZSTD_CCtx* ctx = ZSTD_createCCtx();
  ZSTD_CCtx_setParameter(ctx, ZSTD_c_compressionLevel, kCompressionLevel);
  ZSTD_CCtx_setParameter(ctx, ZSTD_c_checksumFlag, 1);
  const size_t n = ZSTD_compress2(ctx, compressed.data(), compressed.size(), payload.data(), payload.size());
  ZSTD_freeCCtx(ctx);
  // Compressing into a buffer of ZSTD_compressBound cannot fail.
  compressed.resize(ZSTD_isError(n) ? 0 : n);

  std::string out(kMagic);
  Put<uint32_t>(out, kCheckpointFormatVersion);
  Put<uint32_t>(out, static_cast<uint32_t>(contents.metadata.size()));
  out += contents.metadata;
  Put<uint64_t>(out, compressed.size());
  out += compressed;
  return out;
}

absl::StatusOr<CheckpointContents> DecodeCheckpoint(std::string_view in) {
  if (in.substr(0, kMagic.size()) != kMagic) {
    return absl::InvalidArgumentError("not an x64sim checkpoint (no \"x64sim checkpoint\" header)");
  }
  in.remove_prefix(kMagic.size());
  const auto truncated = [] { return absl::DataLossError("truncated"); };
  uint32_t version = 0;
  if (!Take(in, &version)) return truncated();
  if (version != kCheckpointFormatVersion) {
    return absl::FailedPreconditionError(absl::StrFormat(
        "checkpoint format version %d; this x64sim reads version %d only (take the checkpoint "
        "again with this x64sim)",
        version, kCheckpointFormatVersion));
  }
  CheckpointContents contents;
  uint32_t metadata_size = 0;
  std::string_view metadata;
  uint64_t compressed_size = 0;
  std::string_view compressed;
  if (!Take(in, &metadata_size) || !TakeBytes(in, metadata_size, &metadata) ||
      !Take(in, &compressed_size) || !TakeBytes(in, compressed_size, &compressed)) {
    return truncated();
  }
  if (!in.empty()) return absl::DataLossError("bytes after the end of the checkpoint");
  contents.metadata = std::string(metadata);

  const unsigned long long size = ZSTD_getFrameContentSize(compressed.data(), compressed.size());
  if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN || size > kMaxPayload) {
    return absl::DataLossError("the compressed state is corrupt (no valid zstd frame header)");
  }
  std::string payload(size, '\0');
  const size_t n = ZSTD_decompress(payload.data(), payload.size(), compressed.data(), compressed.size());
  if (ZSTD_isError(n) || n != size) {
    return absl::DataLossError(absl::StrFormat("the compressed state is corrupt (zstd: %s)",
                                               ZSTD_isError(n) ? ZSTD_getErrorName(n) : "short"));
  }
  absl::StatusOr<CheckpointSections> sections = DecodeSections(payload);
  if (!sections.ok()) return sections.status();
  contents.sections = *std::move(sections);
  return contents;
}

}  // namespace x64sim
