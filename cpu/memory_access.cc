// The slow path behind Cpu::Read/Write: canonical checks, translation,
// page-crossing accesses, MMIO, self-modifying code, soft-TLB fills.
#include <algorithm>
#include <bit>
#include <cstring>

#include "absl/strings/str_format.h"
#include "cpu/cpu.h"
#include "mmu/paging_bits.h"
#include "mmu/ram_store.h"

namespace x64sim {

PagingContext Cpu::MakePagingContext(bool user) const {
  PagingContext ctx;
  ctx.cr0 = state.cr0;
  ctx.cr3 = state.cr3;
  ctx.cr4 = state.cr4;
  ctx.efer = state.efer;
  ctx.user = user;
  // SDM vol. 3A 4.6.1: implicit supervisor-mode accesses to user pages are
  // SMAP violations whatever RFLAGS.AC says.
  ctx.rflags_ac = (state.rflags & kAC) && !implicit_access_;
  ctx.rip = state.rip;
  ctx.cpl = state.cpl;
  ctx.instret = instret_;
  return ctx;
}

// SDM vol. 1 3.3.7.1: bits 63..47 must equal bit 47; a violation is #SS for
// stack references and #GP otherwise. Push/Pop report #SS themselves.
bool Cpu::CheckCanonical(uint64_t linear, int size) {
  if (state.mode != CpuMode::kLong64) return true;
  if (paging::IsCanonical(linear) && paging::IsCanonical(linear + size - 1)) return true;
  Fault(kGeneralProtection, 0);
  return false;
}

// In 64-bit mode a non-canonical address referencing SS (a base of RSP or
// RBP; the CS, DS, ES and SS overrides are ignored there, SDM vol. 1
// 3.3.7.1) is #SS(0) (SDM vol. 3A 6.15, interrupt 12, and the 64-bit mode
// exceptions of each instruction in vol. 2). Implicit accesses (descriptor
// tables, the TSS) stay #GP.
bool Cpu::CheckCanonicalOperand(uint64_t linear, int size) {
  if (state.mode != CpuMode::kLong64) return true;
  if (paging::IsCanonical(linear) && paging::IsCanonical(linear + size - 1)) return true;
  const bool stack = !implicit_access_ && !system_access_ && OperandSegment(linear) == kSs;
  Fault(stack ? kStackFault : kGeneralProtection, 0);
  return false;
}

SegReg Cpu::OperandSegment(uint64_t linear) const {
  const Block* b = current_block_;
  if (b == nullptr) return kDs;
  // A block lies within one page (a straddler starts there), where linear
  // and physical offsets agree: the instruction at RIP is the one that
  // starts at RIP's offset.
  const int64_t at = static_cast<int64_t>((seg_base_[kCs] + state.rip) & kPageOffsetMask) -
                     static_cast<int64_t>(b->phys() & kPageOffsetMask);
  const DecodedInsn* in = nullptr;
  for (int i = 0, start = 0; i < b->count && start <= at; start += b->insns[i].length, ++i) {
    if (start == at) in = &b->insns[i];
  }
  if (in == nullptr) return kDs;
  const auto seg = static_cast<SegReg>(in->seg);
  if (!(in->flags & kInsnString)) return seg;
  uint64_t rsi = state.gpr[kRsi];
  if (in->flags & kInsnAddr32) rsi = static_cast<uint32_t>(rsi);
  return linear == access_base_[seg] + rsi ? seg : kEs;
}

void Cpu::RaiseTranslationFault(uint64_t linear, const Translation& t) {
  switch (t.failure) {
    case TranslateFailure::kLegacyPaging:
      RequestStop({StopReason::kUnimplemented, 0,
                   absl::StrFormat("paging without long mode (32-bit or PAE paging) is not "
                                   "supported: access to %#x at rip %#x", linear, state.rip)});
      return;
    case TranslateFailure::kNonCanonical:
      Fault(kGeneralProtection, 0);
      return;
    default:
      state.cr2 = linear;  // SDM vol. 3A 4.7: CR2 holds the faulting linear address
      Fault(kPageFault, t.error_code);
  }
}

bool Cpu::TranslateData(uint64_t linear, AccessKind kind, bool user, uint64_t* phys) {
  Translation t = mmu_.Translate(linear, kind, MakePagingContext(user));
  if (!t.ok) {
    RaiseTranslationFault(linear, t);
    return false;
  }
  *phys = t.phys;
  if (kind != AccessKind::kExecute) FillSoftTlb(linear, t.phys, t.allow, t.global, user);
  return true;
}

void Cpu::FillSoftTlb(uint64_t linear, uint64_t phys, uint8_t allow, bool global, bool user) {
  uint8_t* host = memory_.RamPointer(phys & ~kPageOffsetMask);
  if (host == nullptr) return;  // MMIO always takes the slow path
  const size_t slot = SoftTlbIndex(linear);
  SoftTlbEntry& e = soft_tlb_[user ? 1 : 0][slot];
  uint64_t page = linear & ~kPageOffsetMask;
  // Data accesses to a page a data breakpoint watches take the slow path.
  if (write_breakpoints_ != 0 && WatchesPage(page)) allow &= kAllowExecute;
  uint64_t addend = reinterpret_cast<uint64_t>(host) - page;
  // Another page's tags go even when its addend is the same (identity
  // maps): the slot's global bit below must describe every tag it holds.
  auto other = [page](uint64_t tag) { return tag != kInvalidTag && tag != page; };
  if (e.addend != addend || other(e.read_tag) || other(e.write_tag) || other(e.exec_tag)) {
    e = SoftTlbEntry{};
  }
  uint64_t& word = non_global_[user ? 1 : 0][slot / 64];
  const uint64_t bit = 1ull << (slot % 64);
  word = global ? word & ~bit : word | bit;
  e.addend = addend;
  if (allow & kAllowRead) e.read_tag = page;
  if ((allow & kAllowWrite) && !memory_.IsCodePage(phys)) e.write_tag = page;
  if (allow & kAllowExecute) e.exec_tag = page;
}

const Cpu::SoftTlbEntry Cpu::kNoFastPath[Cpu::kSoftTlbEntries];

void Cpu::FlushSoftTlb() {
  for (auto& tlb : soft_tlb_) {
    for (SoftTlbEntry& e : tlb) e = SoftTlbEntry{};
  }
  std::memset(non_global_, 0, sizeof(non_global_));
  InvalidateLinks();
}

void Cpu::OnTranslationDropped(uint64_t linear_page) {
  for (auto& tlb : soft_tlb_) {
    SoftTlbEntry& e = tlb[SoftTlbIndex(linear_page)];
    uint64_t page = linear_page & ~kPageOffsetMask;
    if (e.read_tag == page || e.write_tag == page || e.exec_tag == page) e = SoftTlbEntry{};
  }
  InvalidateLinks();
}

std::string Cpu::SoftTlbIncoherence() const {
  const bool checking = state.cpl == 3 && (state.cr0 & kCr0AM) && (state.rflags & kAC);
  if (checking != (tlb_ == kNoFastPath)) {
    return absl::StrFormat("alignment checking is %s but data accesses %s the fast path",
                           checking ? "on" : "off", checking ? "use" : "bypass");
  }
  if (!(state.cr0 & kCr0PG) || !mmu_.tlb_model()) return "";
  const uint16_t pcid = (state.cr4 & kCr4PCIDE) ? static_cast<uint16_t>(state.cr3 & 0xfff) : 0;
  const uint64_t ram0 = reinterpret_cast<uint64_t>(memory_.RamPointer(0));
  for (int user = 0; user < 2; ++user) {
    for (const SoftTlbEntry& e : soft_tlb_[user]) {
      for (uint64_t tag : {e.read_tag, e.write_tag, e.exec_tag}) {
        if (tag == kInvalidTag) continue;
        const uint64_t phys = e.addend + tag - ram0;
        const TlbEntry* held = mmu_.tlbs().Probe(tag, pcid);
        if (held == nullptr) {
          return absl::StrFormat("soft TLB (%s) maps page %#x, which no modelled TLB holds",
                                 user ? "user" : "supervisor", tag);
        }
        const uint64_t held_phys = held->frame + (tag - held->linear_base());
        if (held_phys != phys) {
          return absl::StrFormat("soft TLB (%s) maps page %#x to %#x, the modelled TLB to %#x",
                                 user ? "user" : "supervisor", tag, phys, held_phys);
        }
      }
    }
  }
  return "";
}

void Cpu::OnAllTranslationsDropped() { FlushSoftTlb(); }

// Global translations serve every address space (SDM 4.10.2.4), and so do
// links into code on global pages.
void Cpu::OnAddressSpaceChanged() {
  for (int p = 0; p < 2; ++p) {
    for (size_t w = 0; w < kSoftTlbEntries / 64; ++w) {
      for (uint64_t bits = non_global_[p][w]; bits != 0; bits &= bits - 1) {
        soft_tlb_[p][w * 64 + std::countr_zero(bits)] = SoftTlbEntry{};
      }
      non_global_[p][w] = 0;
    }
  }
  ++address_space_;
}

bool Cpu::ResolveSegmented(uint64_t* linear, int size, bool write) {
  const SegReg r = SegmentOf(*linear);
  const uint64_t offset = OffsetOf(*linear);
  // Real mode checks the limit only (SDM vol. 3A 20.1.1).
  const bool allowed = state.mode == CpuMode::kReal ? WithinLimit(state.seg[r], offset, size)
                                                    : SegmentAllows(state.seg[r], offset, size, write);
  if (!allowed) {
    Fault(r == kSs ? kStackFault : kGeneralProtection, 0);
    return false;
  }
  *linear = static_cast<uint32_t>(state.seg[r].base + offset);
  return true;
}

// SDM vol. 3A table 6-7 by access size. Bytes need nothing; x64sim checks
// no access of 16 bytes or more: the SDM leaves #AC for unaligned 128-bit
// loads to the implementation, and the forms that need alignment raise #GP.
static int NaturalAlignment(int size) {
  switch (size) {
    case 2: return 2;
    case 4: return 4;
    case 8:
    case 10: return 8;  // quadword; 80-bit extended precision and BCD
    default: return 1;
  }
}

bool Cpu::CheckAlignment(uint64_t linear, int size, int alignment) {
  if (alignment == kNaturalAlignment) alignment = NaturalAlignment(size);
  if ((linear & static_cast<uint64_t>(alignment - 1)) == 0) return true;
  Fault(kAlignmentCheck, 0);
  return false;
}

bool Cpu::ReadSlow(uint64_t linear, int size, uint64_t* value) {
  uint8_t bytes[8] = {};
  if (!ReadBytes(linear, bytes, size)) return false;
  std::memcpy(value, bytes, 8);
  return true;
}

bool Cpu::WriteSlow(uint64_t linear, int size, uint64_t value) {
  return WriteBytes(linear, &value, size);
}

// A page-crossing access translates both pages before it reads anything.
bool Cpu::ReadBytesAs(AccessKind intent, uint64_t linear, void* dst, int size, int alignment) {
  const bool for_update = intent == AccessKind::kWrite;
  if (!ResolveLinear(&linear, size, for_update)) return false;
  // The fast path, as in Read; implicit accesses have SMAP rules of their own.
  if (const SoftTlbEntry& e = tlb_[SoftTlbIndex(linear)];
      (for_update ? e.write_tag : e.read_tag) == FastPathTag(linear, size) && !implicit_access_) {
    std::memcpy(dst, reinterpret_cast<const void*>(e.addend + linear), size);
    if (log_pos_ != log_end_) LogFastAccess(linear, e.addend + linear, 0);
    return true;
  }
  if (!CheckCanonicalOperand(linear, size)) return false;
  bool user = privilege_ == 1;
  int first = static_cast<int>(std::min<uint64_t>(size, kPageSize - (linear & kPageOffsetMask)));
  uint64_t phys[2];
  if (!TranslateData(linear, intent, user, &phys[0])) return false;
  if (first < size && !TranslateData(linear + first, intent, user, &phys[1])) return false;
  if (alignment_checking_ && !CheckAlignment(linear, size, alignment)) return false;
  if (log_pos_ != log_end_) LogSlowAccess(linear, phys[0], 0);
  if (read_breakpoints_ != 0) NoteDataAccess(linear, size, /*write=*/false);
  auto* out = static_cast<uint8_t*>(dst);
  auto read_part = [&](uint64_t p, uint8_t* to, int n) {
    if (uint8_t* host = memory_.RamPointer(p)) {
      std::memcpy(to, host, n);
      return;
    }
    SyncTiming();  // a device may read the clock
    if (n == 1 || n == 2 || n == 4 || n == 8) {
      uint64_t v = memory_.Read(p, n);
      std::memcpy(to, &v, n);
    } else {
      for (int i = 0; i < n; ++i) to[i] = static_cast<uint8_t>(memory_.Read(p + i, 1));
    }
  };
  read_part(phys[0], out, first);
  if (first < size) read_part(phys[1], out + first, size - first);
  return true;
}

bool Cpu::WriteBytes(uint64_t linear, const void* src, int size, int alignment) {
  if (!ResolveLinear(&linear, size, /*write=*/true)) return false;
  if (const SoftTlbEntry& e = tlb_[SoftTlbIndex(linear)];
      e.write_tag == FastPathTag(linear, size) && !implicit_access_) {
    std::memcpy(reinterpret_cast<void*>(e.addend + linear), src, size);
    if (log_pos_ != log_end_) LogFastAccess(linear, e.addend + linear, kAccessWrite);
    return true;
  }
  if (!CheckCanonicalOperand(linear, size)) return false;
  bool user = privilege_ == 1;
  int first = static_cast<int>(std::min<uint64_t>(size, kPageSize - (linear & kPageOffsetMask)));
  uint64_t phys[2];
  if (!TranslateData(linear, AccessKind::kWrite, user, &phys[0])) return false;
  if (first < size && !TranslateData(linear + first, AccessKind::kWrite, user, &phys[1])) return false;
  if (alignment_checking_ && !CheckAlignment(linear, size, alignment)) return false;
  if (log_pos_ != log_end_) LogSlowAccess(linear, phys[0], kAccessWrite);
  if (write_breakpoints_ != 0) NoteDataAccess(linear, size, /*write=*/true);
  const auto* in = static_cast<const uint8_t*>(src);
  auto write_part = [&](uint64_t p, const uint8_t* from, int n) {
    if (memory_.IsCodePage(p)) WroteMarkedPage(p, n);
    if (uint8_t* host = memory_.RamPointer(p)) {
      StoreBytes(host, from, n);
      return;
    }
    SyncTiming();  // a device may read the clock
    if (n == 1 || n == 2 || n == 4 || n == 8) {
      uint64_t v = 0;
      std::memcpy(&v, from, n);
      memory_.Write(p, n, v);
    } else {
      for (int i = 0; i < n; ++i) memory_.Write(p + i, 1, from[i]);
    }
  };
  write_part(phys[0], in, first);
  if (first < size) write_part(phys[1], in + first, size - first);
  return true;
}

bool Cpu::ProbeWrite(uint64_t linear, int size) {
  if (!ResolveLinear(&linear, size, /*write=*/true)) return false;
  if (!CheckCanonicalOperand(linear, size)) return false;
  const bool user = privilege_ == 1;
  const uint64_t last_page = (linear + size - 1) & ~kPageOffsetMask;
  for (uint64_t page = linear & ~kPageOffsetMask;; page += kPageSize) {
    uint64_t phys;
    const uint64_t at = std::max(page, linear);
    if (tlb_[SoftTlbIndex(at)].write_tag != page &&
        !TranslateData(at, AccessKind::kWrite, user, &phys)) {
      return false;
    }
    if (page == last_page) return true;
  }
}

bool Cpu::ReadSupervisor(uint64_t linear, void* dst, int size) {
  int saved = privilege_;
  SetPrivilege(0);
  implicit_access_ = system_access_ = true;
  bool ok = ReadBytes(linear, dst, size);
  implicit_access_ = system_access_ = false;
  SetPrivilege(saved);
  return ok;
}

bool Cpu::WriteSupervisor(uint64_t linear, const void* src, int size) {
  int saved = privilege_;
  SetPrivilege(0);
  implicit_access_ = system_access_ = true;
  bool ok = WriteBytes(linear, src, size);
  implicit_access_ = system_access_ = false;
  SetPrivilege(saved);
  return ok;
}

// Stack accesses: a non-canonical RSP raises #SS(0), not #GP (SDM vol. 3A 6.15).
bool Cpu::Push(uint64_t v, int size, int written) {
  uint64_t rsp = state.gpr[kRsp] - size;
  if (state.mode != CpuMode::kLong64) {
    rsp = (state.seg[kSs].default_big() ? static_cast<uint32_t>(rsp) : static_cast<uint16_t>(rsp));
  } else if (!paging::IsCanonical(rsp)) {
    Fault(kStackFault, 0);
    return false;
  }
  if (!WriteBytes(access_base_[kSs] + rsp, &v, written)) return false;
  if (state.mode == CpuMode::kLong64 || state.seg[kSs].default_big()) {
    state.gpr[kRsp] = state.mode == CpuMode::kLong64 ? rsp : static_cast<uint32_t>(rsp);
  } else {
    SetReg<uint16_t>(kRsp * 8, static_cast<uint16_t>(rsp));
  }
  return true;
}

bool Cpu::Pop(uint64_t* v, int size) {
  uint64_t rsp = state.gpr[kRsp];
  if (state.mode != CpuMode::kLong64) {
    rsp = state.seg[kSs].default_big() ? static_cast<uint32_t>(rsp) : static_cast<uint16_t>(rsp);
  } else if (!paging::IsCanonical(rsp)) {
    Fault(kStackFault, 0);
    return false;
  }
  uint64_t value = 0;
  if (!ReadBytes(access_base_[kSs] + rsp, &value, size)) return false;
  *v = value;
  if (state.mode == CpuMode::kLong64) {
    state.gpr[kRsp] = rsp + size;
  } else if (state.seg[kSs].default_big()) {
    state.gpr[kRsp] = static_cast<uint32_t>(rsp + size);
  } else {
    SetReg<uint16_t>(kRsp * 8, static_cast<uint16_t>(rsp + size));
  }
  return true;
}

bool Cpu::StackAccessFailed(uint64_t rsp) {
  if (!paging::IsCanonical(rsp) || !paging::IsCanonical(rsp + 7)) exception_.vector = kStackFault;
  return false;
}

}  // namespace x64sim
