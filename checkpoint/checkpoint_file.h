// The checkpoint file (docs/checkpoints.md): a header a person can read
// with `head -c 4096`, then the machine's state sections, compressed.
//
//   "x64sim checkpoint\n"                 magic
//   u32 format version                    kCheckpointFormatVersion
//   u32 length, metadata                  JSON text (what, when, how timed)
//   u64 length, payload                   one zstd frame, with its checksum,
//                                         of the sections: u32 name length,
//                                         name, u64 length, bytes; repeated
//
// Integers are little-endian. A file of another format version is refused
// rather than guessed at.
#ifndef X64SIM_CHECKPOINT_CHECKPOINT_FILE_H_
#define X64SIM_CHECKPOINT_CHECKPOINT_FILE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace x64sim {

// 2: the x87 data registers and pointers joined the CPU state.
// 3: the HPET, the I/O APIC's input pins and the local APIC's TMR joined the
//    devices, and the upper halves of the YMM registers the CPU state.
// 4: a page-crossing block's last page; MONITOR/MWAIT, MOV SS breakpoint and
//    REP-slice state in the CPU; each shared interrupt line's sources.
// 5: the timing model's non-pipelined units keep busy windows, not one
//    busy-until cycle each.
// 6: IN and OUT no longer end a decoded block, so the saved blocks' lengths
//    (checked when they are decoded again) differ from version 5's.
inline constexpr uint32_t kCheckpointFormatVersion = 6;

struct CheckpointContents {
  std::string metadata;  // JSON
  std::vector<std::pair<std::string, std::string>> sections;
};



using CheckpointSections = std::vector<std::pair<std::string, std::string>>;

std::string EncodeCheckpoint(const CheckpointContents& contents);

// Errors say what is wrong with the bytes; the caller names the file.
absl::StatusOr<CheckpointContents> DecodeCheckpoint(std::string_view bytes);

// The payload before compression: the sections one after another.
std::string EncodeSections(const CheckpointSections& sections);
absl::StatusOr<CheckpointSections> DecodeSections(std::string_view payload);

}  // namespace x64sim

#endif  // X64SIM_CHECKPOINT_CHECKPOINT_FILE_H_
