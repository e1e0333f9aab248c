// Control registers, EFER, privilege and segment caches: the state that the
// processor mode, the fast path and the MMU depend on.
#include <cstring>

#include "cpu/cpu.h"

namespace x64sim {

CpuMode Cpu::ModeOfState() const {
  if (!(state.cr0 & kCr0PE)) return CpuMode::kReal;
  if (state.efer & kEferLMA) return state.seg[kCs].long_mode() ? CpuMode::kLong64 : CpuMode::kCompat32;
  return CpuMode::kProtected32;
}

// SDM vol. 1 3.3.7: in 64-bit mode only FS and GS have bases.
uint64_t Cpu::BaseOfSegment(SegReg r) const {
  const bool flat = state.mode == CpuMode::kLong64 && r != kFs && r != kGs;
  return flat ? 0 : state.seg[r].base;
}

// Outside 64-bit mode, a segment that could refuse some access is checked
// on every access through it (cpu/segment_access.h).
uint64_t Cpu::AccessBaseOfSegment(SegReg r) const {
  if (state.mode == CpuMode::kLong64) return seg_base_[r];  // every SYSCALL and SYSRET
  const bool unchecked = state.mode == CpuMode::kReal ? LimitAcceptsEveryOffset(state.seg[r])
                                                      : AcceptsEveryAccess(state.seg[r]);
  return unchecked ? seg_base_[r] : SegmentedBase(r);
}

void Cpu::UpdateSegmentChecks() {
  if (state.mode == CpuMode::kLong64) {  // every SYSCALL and SYSRET: kept short
    std::memcpy(access_base_, seg_base_, sizeof(access_base_));
    cs_limited_ = false;
    code16_ = false;
    return;
  }
  for (SegReg r : {kEs, kCs, kSs, kDs, kFs, kGs}) access_base_[r] = AccessBaseOfSegment(r);
  cs_limited_ = state.seg[kCs].limit != 0xffffffff;
  code16_ = !state.seg[kCs].default_big();
}

void Cpu::UpdateMode() {
  const CpuMode old_mode = state.mode;
  const uint64_t old_cs_base = seg_base_[kCs];
  const bool old_cs_limited = cs_limited_;
  const bool old_code16 = code16_;
  const CpuMode mode = ModeOfState();
  state.mode = mode;
  for (SegReg r : {kEs, kCs, kSs, kDs, kFs, kGs}) seg_base_[r] = BaseOfSegment(r);
  UpdateSegmentChecks();
  // Decoding depends on the mode and CS.D, fetching on CS's base and limit;
  // FS/GS bases (SWAPGS, WRFSBASE) and data segments change neither.
  if (mode != old_mode || code16_ != old_code16 || seg_base_[kCs] != old_cs_base || cs_limited_ ||
      old_cs_limited) {
    InvalidateLinks();
  }
}

void Cpu::LoadSegmentCache(SegReg reg, const Segment& s) {
  state.seg[reg] = s;
  // Only CS can change the mode; another register changes its own base.
  if (reg == kCs) {
    UpdateMode();
  } else {
    seg_base_[reg] = BaseOfSegment(reg);
    access_base_[reg] = AccessBaseOfSegment(reg);
  }
}

void Cpu::SetCpl(int cpl) {
  // Links stay: each names the privilege it was made at (SetPrivilege).
  if (cpl != state.cpl) FoldFixedCounter();
  state.cpl = cpl;
  SetPrivilege(cpl == 3 ? 1 : 0);
}

void Cpu::SetRflags(uint64_t v) {
  uint64_t changed = state.rflags ^ v;
  state.rflags = (v & (kFlagsWritable | kVM)) | kFlagsFixed1;
  if ((changed & kIF) && (v & kIF)) RecheckInterrupts();
  // Supervisor fast-path entries for user pages were made under one AC.
  if ((changed & kAC) && (state.cr4 & kCr4SMAP)) FlushSoftTlb();
  if (changed & kAC) SetPrivilege(privilege_);  // alignment checking follows AC
}

// SDM vol. 3A 2.5 and 9.8.5: CR0.PG with EFER.LME activates IA-32e mode.
bool Cpu::WriteCr0(uint64_t v) {
  if (v >> 32) return RejectWithGp();
  if ((v & kCr0PG) && !(v & kCr0PE)) return RejectWithGp();
  if ((v & kCr0NW) && !(v & kCr0CD)) return RejectWithGp();
  bool enabling_paging = (v & kCr0PG) && !(state.cr0 & kCr0PG);
  if (enabling_paging && (state.efer & kEferLME)) {
    if (!(state.cr4 & kCr4PAE)) return RejectWithGp();
    state.efer |= kEferLMA;
  }
  if (!(v & kCr0PG) && (state.cr0 & kCr0PG)) {
    // SDM vol. 2B MOV to CR: paging stays on in 64-bit mode and with CR4.PCIDE.
    if (state.mode == CpuMode::kLong64 || (state.cr4 & kCr4PCIDE)) return RejectWithGp();
    state.efer &= ~kEferLMA;
  }
  uint64_t changed = state.cr0 ^ v;
  state.cr0 = v | kCr0ET;
  if (changed & (kCr0PG | kCr0WP | kCr0PE)) {
    mmu_.OnPagingModeChange();
    FlushSoftTlb();
  }
  if (changed & kCr0AM) SetPrivilege(privilege_);
  UpdateMode();
  return true;
}

bool Cpu::WriteCr3(uint64_t v) {
  // SDM vol. 3A 4.10.4.1: bit 63 (with CR4.PCIDE) asks not to flush; it is not stored.
  uint64_t stored = (state.cr4 & kCr4PCIDE) ? v & ~kCr3NoFlush : v;
  if (stored >> 52) return RejectWithGp();
  state.cr3 = stored;
  cr3_noflush_ = stored != v;
  PagingContext ctx = MakePagingContext(false);
  ctx.cr3 = v;  // the MMU needs the no-flush bit
  // The MMU drops every fast-path translation through the listener: soft-TLB
  // tags carry no PCID, so they cannot outlive an address-space switch.
  mmu_.OnCr3Write(ctx);
  return true;
}

bool Cpu::WriteCr4(uint64_t v) {
  if (v & ~SupportedCr4(*cpu_model_)) return RejectWithGp();
  if (state.mode == CpuMode::kLong64 && !(v & kCr4PAE)) return RejectWithGp();
  // SDM vol. 3A 4.10.1: PCIDE can be set only with CR3[11:0] = 0, in IA-32e mode.
  if ((v & kCr4PCIDE) && !(state.cr4 & kCr4PCIDE) &&
      ((state.cr3 & 0xfff) || !(state.efer & kEferLMA))) {
    return RejectWithGp();
  }
  uint64_t changed = state.cr4 ^ v;
  state.cr4 = v;
  if (changed & (kCr4PGE | kCr4PAE | kCr4PSE | kCr4PCIDE | kCr4SMEP | kCr4SMAP)) {
    mmu_.OnPagingModeChange();
    FlushSoftTlb();
  }
  if (changed & kCr4DE) UpdateBreakpoints();  // I/O breakpoints need DE
  return true;
}

bool Cpu::WriteEfer(uint64_t v) {
  constexpr uint64_t kWritable = kEferSCE | kEferLME | kEferNXE;
  if (v & ~(kWritable | kEferLMA)) return RejectWithGp();
  // LME cannot change while paging is on (SDM vol. 3A 9.8.5).
  if ((state.cr0 & kCr0PG) && ((v ^ state.efer) & kEferLME)) return RejectWithGp();
  uint64_t changed = state.efer ^ v;
  state.efer = (v & kWritable) | (state.efer & kEferLMA);
  if (changed & kEferNXE) {
    mmu_.OnPagingModeChange();
    FlushSoftTlb();
  }
  UpdateMode();
  return true;
}

namespace {
constexpr uint64_t kCounterMask = (1ull << 48) - 1;  // 48-bit counters (CPUID.0AH)

// SDM vol. 3B 20.2.2: IA32_PERF_GLOBAL_CTRL bit 32+n enables fixed counter
// n; IA32_FIXED_CTR_CTRL bits 4n (ring 0) and 4n+1 (rings 1-3) select where.
bool FixedCounterCounts(const CpuState& s, int n) {
  if (!((s.perf_global_ctrl >> (32 + n)) & 1)) return false;
  const uint64_t field = s.fixed_ctr_ctrl >> (4 * n);
  return s.cpl == 0 ? (field & 1) : (field & 2);
}
}  // namespace

uint64_t Cpu::ReadFixedCounter0() const {
  uint64_t counted = FixedCounterCounts(state, 0) ? instret_ - fixed_ctr0_epoch_ : 0;
  return (state.fixed_ctr0 + counted) & kCounterMask;
}

uint64_t Cpu::ReadFixedCounter1() const {
  uint64_t counted = FixedCounterCounts(state, 1) ? UnhaltedCycles() - fixed_ctr1_epoch_ : 0;
  return (state.fixed_ctr1 + counted) & kCounterMask;
}

void Cpu::FoldFixedCounter() {
  SyncTiming();  // the cycles so far belong to the configuration and CPL before the change
  state.fixed_ctr0 = ReadFixedCounter0();
  fixed_ctr0_epoch_ = instret_;
  state.fixed_ctr1 = ReadFixedCounter1();
  fixed_ctr1_epoch_ = UnhaltedCycles();
}

void Cpu::Invlpg(uint64_t linear) {
  mmu_.Invlpg(linear, MakePagingContext(false));
  OnTranslationDropped(linear & ~kPageOffsetMask);
}

void Cpu::Invpcid(int type, uint16_t pcid, uint64_t linear) {
  mmu_.Invpcid(type, pcid, linear);  // drops fast-path translations through the listener
}

}  // namespace x64sim
