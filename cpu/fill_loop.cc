#include "cpu/fill_loop.h"

#include <algorithm>
#include <cstring>

#include "cpu/binder.h"
#include "cpu/cpu.h"
#include "cpu/host_flags.h"
#include "mmu/ram_store.h"

namespace x64sim {
namespace {

constexpr int kCondBelow = 2;     // JB: CF
constexpr int kCondNotEqual = 5;  // JNE: !ZF
constexpr uint64_t kInsnsPerIteration = 4;

// How many iterations, this one first, certainly end in a branch back to
// the loop's start. `base` is the pointer before this iteration's ADD.
template <int kCond>
uint64_t IterationsBeforeExit(uint64_t base, uint64_t end, uint64_t size) {
  const uint64_t distance = end - base;
  if constexpr (kCond == kCondNotEqual) {
    // Exits when base + size * n == end (mod 2^64); never if that has no n.
    if (distance % size != 0) return UINT64_MAX;
    return distance == 0 ? UINT64_MAX : distance / size - 1;
  } else {
    // Goes on while base + size * n < end, unsigned. When base is not below
    // end, a wrap could still go on; running one at a time is right anyway.
    return base < end ? (distance - 1) / size : 0;
  }
}

template <typename T, bool kFromRegister, int kCond>
Flow FillLoop(Cpu& cpu, const DecodedInsn& store) {
  const T value = kFromRegister ? cpu.Reg<T>(store.reg2) : static_cast<T>(store.imm);
  uint64_t linear = cpu.Linear(store);
  // Room means the block runs as a whole, not from a copy of one instruction
  // (stepping), so the rest of the loop is there to read.
  if (const uint64_t room = cpu.RepeatRoom(kInsnsPerIteration); room > 0) {
    const DecodedInsn& compare = (&store)[2];
    const uint64_t base = cpu.state.gpr[store.base];
    const uint64_t end = cpu.Reg<uint64_t>(compare.reg2);
    const uint64_t iterations =
        std::min({room, IterationsBeforeExit<kCond>(base, end, sizeof(T)),
                  (kPageSize - (linear & (kPageSize - 1))) / sizeof(T)});
    uint8_t* host = cpu.FastWritePointer(linear);
    if (iterations > 0 && host != nullptr) {
      if (value == 0) {
        StoreZeros(host, iterations * sizeof(T));
      } else {
        for (uint64_t i = 0; i < iterations; ++i) {
          std::memcpy(host + i * sizeof(T), &value, sizeof(T));
        }
      }
      const uint64_t next = base + iterations * sizeof(T);
      cpu.state.gpr[store.base] = next;
      uint64_t flags;
      HostSub(next, end, &flags);  // the last CMP's, which overwrote the ADD's
      MergeFlags(cpu.state.rflags, flags, kArithFlags, kArithFlags);
      cpu.RetireRepeats(iterations, kInsnsPerIteration);
      linear += iterations * sizeof(T);
    }
  }
  // This iteration's store, as MOV makes it.
  const bool stored = value == 0 ? cpu.WriteZero<T>(linear) : cpu.Write<T>(linear, value);
  return stored ? cpu.Next(store) : Flow::kFault;
}

template <typename T, bool kFromRegister, int kCond>
bool Install(DecodedInsn* insns) {
  DecodedInsn& store = insns[0];
  if (!IsMovToMemory(store.handler, sizeof(T), kFromRegister) ||
      insns[1].handler != AddImmediateHandler(8) ||
      insns[2].handler != FusedCompareHandler(8, kCond) ||
      (kFromRegister && store.reg2 == store.base * 8)) {
    return false;
  }
  store.handler = &FillLoop<T, kFromRegister, kCond>;
  return true;
}

}  // namespace

bool InstallFillLoop(DecodedInsn* insns, int count) {
  if (count < 4) return false;
  const DecodedInsn& store = insns[0];
  const DecodedInsn& add = insns[1];
  const DecodedInsn& compare = insns[2];
  const DecodedInsn& branch = insns[3];
  const uint64_t loop_bytes = store.length + add.length + compare.length + branch.length;
  const uint8_t base = store.base * 8;  // as a register operand's byte offset
  if (!(compare.flags & kInsnFused) || branch.imm + loop_bytes != 0 ||
      store.base == kZeroReg || store.index != kZeroReg ||
      (store.flags & (kInsnRipRelative | kInsnAddr32 | kInsnAddr16)) || add.reg != base ||
      add.imm != store.size || compare.reg != base || compare.reg2 == base) {
    return false;
  }
  return Install<uint64_t, false, kCondNotEqual>(insns) ||
         Install<uint64_t, true, kCondNotEqual>(insns) ||
         Install<uint32_t, false, kCondNotEqual>(insns) ||
         Install<uint32_t, true, kCondNotEqual>(insns) ||
         Install<uint64_t, false, kCondBelow>(insns) || Install<uint64_t, true, kCondBelow>(insns) ||
         Install<uint32_t, false, kCondBelow>(insns) || Install<uint32_t, true, kCondBelow>(insns);
}

}  // namespace x64sim
