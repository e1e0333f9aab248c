// The checkpoint container: header, JSON metadata, compressed sections.
#include "checkpoint/checkpoint_file.h"

#include <cstring>
#include <string>

#include "gtest/gtest.h"

namespace x64sim {
namespace {

CheckpointContents Sample() {
  CheckpointContents c;
  c.metadata = "{\"instructions\": 5}\n";
  c.sections = {{"ram", std::string(100000, '\0') + "end"}, {"cpu", "\x01\x02"}, {"empty", ""}};
  return c;
}

constexpr size_t kMagicSize = 18;  // "x64sim checkpoint\n"

TEST(CheckpointFileTest, DecodesWhatWasEncoded) {
  const std::string bytes = EncodeCheckpoint(Sample());
  EXPECT_EQ(bytes.substr(0, kMagicSize), "x64sim checkpoint\n");
  EXPECT_NE(bytes.find("{\"instructions\": 5}"), std::string::npos) << "the metadata is readable";
  EXPECT_LT(bytes.size(), 2000u) << "zeros compress";
  absl::StatusOr<CheckpointContents> back = DecodeCheckpoint(bytes);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->metadata, Sample().metadata);
  EXPECT_EQ(back->sections, Sample().sections);
}

TEST(CheckpointFileTest, RefusesOtherFiles) {
  absl::StatusOr<CheckpointContents> r = DecodeCheckpoint("ELF...");
  EXPECT_NE(r.status().message().find("not an x64sim checkpoint"), std::string::npos);
}

TEST(CheckpointFileTest, RefusesOtherFormatVersions) {
  for (uint32_t version : {0u, kCheckpointFormatVersion + 1}) {
    std::string bytes = EncodeCheckpoint(Sample());
    std::memcpy(bytes.data() + kMagicSize, &version, 4);
    absl::StatusOr<CheckpointContents> r = DecodeCheckpoint(bytes);
    EXPECT_EQ(r.status().message(),
              "checkpoint format version " + std::to_string(version) +
                  "; this x64sim reads version " + std::to_string(kCheckpointFormatVersion) +
                  " only (take the checkpoint again with this x64sim)");
  }
}

TEST(CheckpointFileTest, RefusesEveryTruncation) {
  const std::string bytes = EncodeCheckpoint(Sample());
  for (size_t n = kMagicSize; n < bytes.size(); ++n) {
    EXPECT_FALSE(DecodeCheckpoint(bytes.substr(0, n)).ok()) << "cut at " << n;
  }
  EXPECT_FALSE(DecodeCheckpoint(bytes + "x").ok()) << "a byte too many";
}

// zstd's checksum: a flipped payload byte is refused, or (a bit the frame
// format ignores) decodes to the very same sections; never to others.
TEST(CheckpointFileTest, AFlippedPayloadByteNeverDecodesToOtherState) {
  const std::string bytes = EncodeCheckpoint(Sample());
  const size_t payload = kMagicSize + 8 + Sample().metadata.size() + 8;
  int refused = 0;
  for (size_t i = payload; i < bytes.size(); ++i) {
    std::string bad = bytes;
    bad[i] ^= 0x10;
    absl::StatusOr<CheckpointContents> r = DecodeCheckpoint(bad);
    if (!r.ok()) {
      ++refused;
    } else {
      EXPECT_EQ(r->sections, Sample().sections) << "byte " << i;
    }
  }
  EXPECT_GT(refused, static_cast<int>(bytes.size() - payload) / 2);
}

}  // namespace
}  // namespace x64sim
