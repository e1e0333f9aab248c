// Arithmetic flags computed by running the same operation on the host CPU
// (x86-64), then keeping only the flags the SDM defines for it. Flags the
// SDM leaves undefined are cleared, so results do not depend on the host
// model; docs/cpu.md lists them.
#ifndef X64SIM_CPU_HOST_FLAGS_H_
#define X64SIM_CPU_HOST_FLAGS_H_

#include <cstdint>

#include "cpu/state.h"

namespace x64sim {

// LAHF gives SF ZF AF PF CF in their RFLAGS positions; SETO gives OF.
inline uint64_t CollectFlags(uint32_t ax, uint8_t of) {
  return ((ax >> 8) & (kSF | kZF | kAF | kPF | kCF)) | (static_cast<uint64_t>(of) << 11);
}

// rflags = rflags with `affected` replaced by host's `defined` flags.
inline void MergeFlags(uint64_t& rflags, uint64_t host, uint64_t affected, uint64_t defined) {
  rflags = (rflags & ~affected) | (host & defined);
}

#define X64SIM_HOST_BINARY(NAME, MNEMONIC)                                         \
  template <typename T>                                                          \
  inline T NAME(T a, T b, uint64_t* flags) {                                     \
    uint32_t ax;                                                                 \
    uint8_t of;                                                                  \
    asm(MNEMONIC " %[b], %[a]\n\tlahf\n\tseto %[of]"                             \
        : [a] "+r"(a), "=a"(ax), [of] "=q"(of)                                   \
        : [b] "r"(b)                                                             \
        : "cc");                                                                 \
    *flags = CollectFlags(ax, of);                                               \
    return a;                                                                    \
  }

// Variants that first load CF from the guest's flags.
#define X64SIM_HOST_BINARY_CF(NAME, MNEMONIC)                                      \
  template <typename T>                                                          \
  inline T NAME(T a, T b, uint64_t carry_in, uint64_t* flags) {                  \
    uint32_t ax;                                                                 \
    uint8_t of;                                                                  \
    asm("btq $0, %[c]\n\t" MNEMONIC " %[b], %[a]\n\tlahf\n\tseto %[of]"          \
        : [a] "+r"(a), "=a"(ax), [of] "=q"(of)                                   \
        : [b] "r"(b), [c] "r"(carry_in)                                          \
        : "cc");                                                                 \
    *flags = CollectFlags(ax, of);                                               \
    return a;                                                                    \
  }

X64SIM_HOST_BINARY(HostAdd, "add")
X64SIM_HOST_BINARY(HostSub, "sub")
X64SIM_HOST_BINARY(HostAnd, "and")
X64SIM_HOST_BINARY(HostOr, "or")
X64SIM_HOST_BINARY(HostXor, "xor")
X64SIM_HOST_BINARY_CF(HostAdc, "adc")
X64SIM_HOST_BINARY_CF(HostSbb, "sbb")

#define X64SIM_HOST_UNARY(NAME, MNEMONIC)                                          \
  template <typename T>                                                          \
  inline T NAME(T a, uint64_t* flags) {                                          \
    uint32_t ax;                                                                 \
    uint8_t of;                                                                  \
    asm(MNEMONIC " %[a]\n\tlahf\n\tseto %[of]"                                   \
        : [a] "+r"(a), "=a"(ax), [of] "=q"(of)                                   \
        :                                                                        \
        : "cc");                                                                 \
    *flags = CollectFlags(ax, of);                                               \
    return a;                                                                    \
  }

X64SIM_HOST_UNARY(HostInc, "inc")
X64SIM_HOST_UNARY(HostDec, "dec")
X64SIM_HOST_UNARY(HostNeg, "neg")

// Shifts and rotates by CL; callers handle a masked count of 0 (flags
// unchanged) themselves.
#define X64SIM_HOST_SHIFT(NAME, MNEMONIC)                                          \
  template <typename T>                                                          \
  inline T NAME(T a, uint8_t count, uint64_t carry_in, uint64_t* flags) {        \
    uint32_t ax;                                                                 \
    uint8_t of;                                                                  \
    asm("btq $0, %[c]\n\t" MNEMONIC " %%cl, %[a]\n\tlahf\n\tseto %[of]"          \
        : [a] "+r"(a), "=a"(ax), [of] "=q"(of)                                   \
        : "c"(count), [c] "r"(carry_in)                                          \
        : "cc");                                                                 \
    *flags = CollectFlags(ax, of);                                               \
    return a;                                                                    \
  }

X64SIM_HOST_SHIFT(HostShl, "shl")
X64SIM_HOST_SHIFT(HostShr, "shr")
X64SIM_HOST_SHIFT(HostSar, "sar")
X64SIM_HOST_SHIFT(HostRol, "rol")
X64SIM_HOST_SHIFT(HostRor, "ror")
X64SIM_HOST_SHIFT(HostRcl, "rcl")
X64SIM_HOST_SHIFT(HostRcr, "rcr")

template <typename T>
inline T HostShld(T a, T b, uint8_t count, uint64_t* flags) {
  uint32_t ax;
  uint8_t of;
  asm("shld %%cl, %[b], %[a]\n\tlahf\n\tseto %[of]"
      : [a] "+r"(a), "=a"(ax), [of] "=q"(of)
      : [b] "r"(b), "c"(count)
      : "cc");
  *flags = CollectFlags(ax, of);
  return a;
}

template <typename T>
inline T HostShrd(T a, T b, uint8_t count, uint64_t* flags) {
  uint32_t ax;
  uint8_t of;
  asm("shrd %%cl, %[b], %[a]\n\tlahf\n\tseto %[of]"
      : [a] "+r"(a), "=a"(ax), [of] "=q"(of)
      : [b] "r"(b), "c"(count)
      : "cc");
  *flags = CollectFlags(ax, of);
  return a;
}

// PF over the low byte, SF and ZF of a result (for ops computed in C++).
template <typename T>
inline uint64_t ResultFlags(T r) {
  uint64_t f = 0;
  if (r == 0) f |= kZF;
  if (r >> (sizeof(T) * 8 - 1)) f |= kSF;
  if (!(__builtin_popcount(static_cast<uint8_t>(r)) & 1)) f |= kPF;
  return f;
}

}  // namespace x64sim

#endif  // X64SIM_CPU_HOST_FLAGS_H_
