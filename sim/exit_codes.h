// Process exit codes of x64sim. A guest that writes v to the debug-exit port
// exits with (v << 1) | 1, always odd, or 0 for v = 0 (success); the
// simulator's own stops are even and non-zero.
#ifndef X64SIM_SIM_EXIT_CODES_H_
#define X64SIM_SIM_EXIT_CODES_H_

namespace x64sim {

inline constexpr int kExitBadFlag = 2;
inline constexpr int kExitBadImage = 4;
inline constexpr int kExitInstructionLimit = 6;
inline constexpr int kExitTripleFault = 8;
inline constexpr int kExitUnimplemented = 10;
inline constexpr int kExitHaltedForever = 12;
inline constexpr int kExitIoError = 14;
inline constexpr int kExitInterrupted = 16;  // SIGINT or SIGTERM: stopped, outputs written
inline constexpr int kExitKilledFromGdb = 18;  // gdb's 'kill' (docs/gdb.md), outputs written
inline constexpr int kExitBadCheckpoint = 20;  // --restore: the file is not a checkpoint it can load

}  // namespace x64sim

#endif  // X64SIM_SIM_EXIT_CODES_H_
