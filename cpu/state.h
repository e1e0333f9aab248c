// Architectural state of one x86-64 logical processor.
#ifndef X64SIM_CPU_STATE_H_
#define X64SIM_CPU_STATE_H_

#include <cstdint>

#include "checkpoint/state_archive.h"
#include "cpu/control_bits.h"

namespace x64sim {

enum Gpr : uint8_t {
  kRax, kRcx, kRdx, kRbx, kRsp, kRbp, kRsi, kRdi,
  kR8, kR9, kR10, kR11, kR12, kR13, kR14, kR15,
  kZeroReg,  // always 0: stands for an absent base or index register
};

enum SegReg : uint8_t { kEs, kCs, kSs, kDs, kFs, kGs };

// RFLAGS bits (SDM vol. 1 3.4.3).
inline constexpr uint64_t kCF = 1u << 0;
inline constexpr uint64_t kPF = 1u << 2;
inline constexpr uint64_t kAF = 1u << 4;
inline constexpr uint64_t kZF = 1u << 6;
inline constexpr uint64_t kSF = 1u << 7;
inline constexpr uint64_t kTF = 1u << 8;
inline constexpr uint64_t kIF = 1u << 9;
inline constexpr uint64_t kDF = 1u << 10;
inline constexpr uint64_t kOF = 1u << 11;
inline constexpr uint64_t kIOPL = 3u << 12;
// DR6 and DR7 bits that always read as 1 (SDM vol. 3B 17.2.3, 17.2.4), and
// DR6.BS, set by a single-step trap.
inline constexpr uint64_t kDr6Fixed = 0xffff0ff0;
inline constexpr uint64_t kDr6Bs = 1u << 14;
inline constexpr uint64_t kDr6Bd = 1u << 13;  // a MOV DR under DR7.GD
inline constexpr uint64_t kDr6B0ToB3 = 0xf;      // breakpoint n's condition was met
inline constexpr uint64_t kDr7Gd = 1u << 13;  // general detect
inline constexpr uint64_t kDr7Fixed = 0x400;
inline constexpr uint64_t kNT = 1u << 14;
inline constexpr uint64_t kRF = 1u << 16;
inline constexpr uint64_t kVM = 1u << 17;
inline constexpr uint64_t kAC = 1u << 18;
inline constexpr uint64_t kID = 1u << 21;
inline constexpr uint64_t kArithFlags = kCF | kPF | kAF | kZF | kSF | kOF;
inline constexpr uint64_t kFlagsFixed1 = 1u << 1;
// Bits software can change with POPF/IRET at CPL 0.
inline constexpr uint64_t kFlagsWritable =
    kArithFlags | kTF | kIF | kDF | kIOPL | kNT | kRF | kAC | kID;

// Control register bits (SDM vol. 3A 2.5).

// A segment register with its hidden descriptor cache (SDM vol. 3A 3.4.3).
struct Segment {
  uint16_t selector = 0;
  uint64_t base = 0;
  uint32_t limit = 0xffff;
  // Descriptor bits 40..55 of the high dword: type(4) S DPL(2) P | limit(4) AVL L D/B G.
  uint16_t attributes = 0;

  int dpl() const { return (attributes >> 5) & 3; }
  bool present() const { return attributes & 0x80; }
  bool long_mode() const { return attributes & 0x2000; }
  bool default_big() const { return attributes & 0x4000; }

  void Serialize(StateArchive& ar) { ar(selector, base, limit, attributes); }
};

struct TableRegister {
  uint64_t base = 0;
  uint16_t limit = 0xffff;

  void Serialize(StateArchive& ar) { ar(base, limit); }
};

enum class CpuMode : uint8_t { kReal, kProtected32, kCompat32, kLong64 };

// What a halted core waits for: HLT an interrupt; MWAIT also a store to the
// monitored line, and with ECX[0] = 1 an interrupt RFLAGS.IF masks.
enum class HaltKind : uint8_t { kHlt, kMwait, kMwaitWakeMasked };

struct SseState {
  alignas(16) uint8_t xmm[16][16] = {};
  // Bits 255:128 of YMM0-15 (the XMM registers are their low halves).
  alignas(16) uint8_t ymm_hi[16][16] = {};
  uint32_t mxcsr = 0x1f80;
  // The x87 FPU (cpu/x87.h): control and status words (TOP in FSW bits
  // 13:11), the abridged tag word (bit i set: physical register i is not
  // empty; the two-bit tags are derived from the contents, SDM vol. 1
  // 8.1.7), the data registers by physical number as 80-bit values, and
  // the last non-control instruction's opcode, address and memory operand
  // offset (8.1.8, 8.1.9). FCS and FDS are deprecated (CPUID.7.EBX[13]).
  uint16_t fcw = 0x37f;
  uint16_t fsw = 0;
  uint8_t ftw = 0;
  uint8_t st[8][10] = {};
  uint16_t fop = 0;
  uint64_t fip = 0;
  uint64_t fdp = 0;

  void Serialize(StateArchive& ar) { ar(xmm, ymm_hi, mxcsr, fcw, fsw, ftw, st, fop, fip, fdp); }
};

struct CpuState {
  uint64_t gpr[17] = {};  // index kZeroReg stays 0
  uint64_t rip = 0;
  uint64_t rflags = kFlagsFixed1;
  Segment seg[6];
  Segment ldtr;
  Segment tr;
  TableRegister gdtr;
  TableRegister idtr;
  uint64_t cr0 = kCr0ET;
  uint64_t cr2 = 0;
  uint64_t cr3 = 0;
  uint64_t cr4 = 0;
  uint64_t cr8 = 0;
  uint64_t efer = 0;
  uint64_t star = 0;
  uint64_t lstar = 0;
  uint64_t cstar = 0;
  uint64_t fmask = 0;
  uint64_t kernel_gs_base = 0;
  uint64_t sysenter_cs = 0, sysenter_esp = 0, sysenter_eip = 0;  // IA32_SYSENTER_CS/ESP/EIP
  uint64_t pat = 0x0007040600070406ull;
  uint64_t apic_base = 0xfee00900ull;  // BSP, enabled (SDM vol. 3A 10.4.4)
  uint64_t tsc_aux = 0;
  uint64_t tsc_offset = 0;  // TSC = cycles + offset; WRMSR to IA32_TSC sets it
  // Architectural performance monitoring, version 2, one fixed counter
  // (instructions retired; SDM vol. 3B 20.2.2).
  uint64_t fixed_ctr0 = 0;        // value at the last fold (Cpu::FoldFixedCounter)
  uint64_t fixed_ctr1 = 0;        // unhalted core cycles, likewise
  uint64_t fixed_ctr_ctrl = 0;    // IA32_FIXED_CTR_CTRL
  uint64_t perf_global_ctrl = 0;  // IA32_PERF_GLOBAL_CTRL
  SseState sse;
  uint64_t random_state = 0;  // RDRAND/RDSEED's generator (ops_random.cc), seeded by --rdrand-seed
  CpuMode mode = CpuMode::kReal;
  int cpl = 0;
  bool halted = false;
  bool interrupt_shadow = false;  // STI / MOV SS: no interrupt before the next instruction
  bool debug_shadow = false;      // MOV SS: no single-step trap after it (SDM vol. 3A 6.8.3)
  // DR6.B0-B3 of data breakpoints that a MOV SS hit: reported after the
  // instruction that follows it (SDM vol. 3A 6.8.3).
  uint8_t debug_held_hits = 0;
  // MONITOR/MWAIT (cpu/monitor.cc): whether a line is armed and, while
  // halted, what ends the wait.
  bool monitor_armed = false;
  HaltKind halt_kind = HaltKind::kHlt;
  uint64_t monitor_line = 0;  // physical address of the armed 64-byte line
  // Debug registers (SDM vol. 3B 17.2): DR0-DR3 addresses, DR6 status, DR7
  // control. Their fixed bits read as the SDM gives them.
  uint64_t xcr0 = 1;  // XSAVE feature mask (ops_xsave.cc); x87 always
  uint64_t dr[4] = {};
  uint64_t dr6 = kDr6Fixed;
  uint64_t dr7 = kDr7Fixed;

  // Every field: cpu/cpu_checkpoint.cc checks the struct's size so that a
  // new field cannot be forgotten here.
  void Serialize(StateArchive& ar) {
    ar(gpr, rip, rflags, seg, ldtr, tr, gdtr, idtr, cr0, cr2, cr3, cr4, cr8, efer, star, lstar,
       cstar, fmask, kernel_gs_base, sysenter_cs, sysenter_esp, sysenter_eip, pat, apic_base,
       tsc_aux, tsc_offset, fixed_ctr0, fixed_ctr1, fixed_ctr_ctrl, perf_global_ctrl, sse,
       random_state);
    ar.Bounded(mode, CpuMode::kLong64, "CPU mode");
    ar.Bounded(cpl, 3, "CPL");
    ar(halted, interrupt_shadow, debug_shadow, debug_held_hits, xcr0, dr, dr6, dr7, monitor_armed, monitor_line);
    ar.Bounded(halt_kind, HaltKind::kMwaitWakeMasked, "halt kind");
    ar.Check(gpr[kZeroReg] == 0, "the zero register is not zero");
  }
};

}  // namespace x64sim

#endif  // X64SIM_CPU_STATE_H_
