#include "tests/fuzz/fuzz_machine.h"

#include <algorithm>

#include "absl/strings/str_format.h"
#include "cpu/descriptors.h"
#include "cpu/vm86.h"
#include "mmu/paging_bits.h"

namespace x64sim::fuzz {
namespace {

// Physical layout below the pages the code may touch.
constexpr uint64_t kIdt64 = 0x1000;  // 256 16-byte gates
constexpr uint64_t kGdt = 0x2000;
constexpr uint64_t kTss = 0x3000;
constexpr uint64_t kStubs = 0x4000;       // vector v: HLT at kStubs + 16 * v
constexpr uint64_t kRing0StackTop = 0x7000;
constexpr uint64_t kPml4 = 0x8000;
constexpr uint64_t kPdpt = 0x9000;
constexpr uint64_t kPd = 0xa000;
constexpr uint64_t kPt = 0xb000;          // maps 0-2 MiB
constexpr uint64_t kIdt32 = 0xc000;       // 256 8-byte gates
constexpr uint64_t kPaePdpt = 0xd000;     // four PDPTEs for PAE paging

// GDT selectors and their descriptors (SDM vol. 3A 3.4.5).
constexpr uint16_t kCode64 = 0x08, kData0 = 0x10, kCode32 = 0x18;
constexpr uint16_t kUserCode64 = 0x20, kUserData = 0x28, kUserCode32 = 0x30;
constexpr uint16_t kCode16 = 0x38, kUserCode16 = 0x40;
constexpr uint16_t kTss64 = 0x48, kTss32 = 0x58;
constexpr uint64_t kDescriptors[] = {
    0,
    0x00af9a000000ffffull,  // 0x08 64-bit code, DPL 0
    0x00cf92000000ffffull,  // 0x10 data, DPL 0
    0x00cf9a000000ffffull,  // 0x18 32-bit code, DPL 0
    0x00affa000000ffffull,  // 0x20 64-bit code, DPL 3
    0x00cff2000000ffffull,  // 0x28 data, DPL 3
    0x00cffa000000ffffull,  // 0x30 32-bit code, DPL 3
    0x008f9a000000ffffull,  // 0x38 16-bit code, DPL 0
    0x008ffa000000ffffull,  // 0x40 16-bit code, DPL 3
};
// Available TSS at kTss, limit 0x67 (64-bit: two slots; 32-bit: one).
constexpr uint64_t kTssDescriptor = 0x0000890000000067ull | (kTss << 16);

// Upper levels allow everything, so a leaf's flags alone decide (SDM 4.6).
constexpr uint64_t kTableEntry = paging::kPteP | paging::kPteRw | paging::kPteUs;
constexpr uint64_t kSupervisorPte = paging::kPteP | paging::kPteRw;

uint16_t Rpl(uint16_t selector, int cpl) { return static_cast<uint16_t>(selector | cpl); }

}  // namespace

FuzzMachine::FuzzMachine(const UarchDescription* uarch)
    : memory_(kRamBytes), mmu_(memory_, uarch != nullptr ? uarch->tlb : kSkylakeClient),
      cpu_(memory_, mmu_, ports_) {
  // Short REP slices: with the fuzz targets' instruction limits a REP over
  // 2^32 elements could otherwise do 2^16 element-by-element moves per
  // instruction of the limit, seconds under ASan (a CI smoke-run timeout).
  cpu_.set_rep_slice(kRepSlice);
  if (uarch != nullptr) {
    model_ = std::make_unique<CoreModel>(*uarch, mmu_);
    cpu_.set_timing_model(model_.get());
    cpu_.set_timing(true);
  }
  BuildTables();
}

void FuzzMachine::BuildTables() {
  for (uint64_t page = 0; page < (2u << 20); page += kPageSize) {
    Put64(kPt + (page >> kPageShift) * 8, page | kSupervisorPte);
  }
  Put64(kPd, kPt | kTableEntry);
  Put64(kPdpt, kPd | kTableEntry);
  Put64(kPml4, kPdpt | kTableEntry);
  Put64(kPaePdpt, kPd | paging::kPteP);  // PDPTEs have no R/W or U/S (SDM 4.4.1)
  for (size_t i = 0; i < std::size(kDescriptors); ++i) Put64(kGdt + 8 * i, kDescriptors[i]);
  Put64(kGdt + kTss64, kTssDescriptor);
  Put64(kGdt + kTss64 + 8, 0);
  Put64(kGdt + kTss32, kTssDescriptor);
  for (uint64_t v = 0; v < 256; ++v) {
    const uint64_t stub = kStubs + 16 * v;
    const uint8_t hlt = 0xf4;
    memory_.CopyIn(stub, &hlt, 1);
    // INT3 and INTO may be used from ring 3 (DPL 3), the rest only from ring 0.
    const uint64_t type = (v == 3 || v == 4) ? 0xee : 0x8e;
    Put64(kIdt64 + 16 * v, (stub & 0xffff) | (uint64_t{kCode64} << 16) | (type << 40) |
                               ((stub >> 16 & 0xffff) << 48));
    Put64(kIdt64 + 16 * v + 8, stub >> 32);
    Put32(kIdt32 + 8 * v, static_cast<uint32_t>((stub & 0xffff) | (kCode32 << 16)));
    Put32(kIdt32 + 8 * v + 4, static_cast<uint32_t>((stub & 0xffff0000) | (type << 8)));
  }
}

void FuzzMachine::MapPage(uint64_t linear, uint64_t pte_flags) {
  Put64(kPt + (linear >> kPageShift) * 8, linear | pte_flags);
}

void FuzzMachine::Setup(const FuzzSetup& s) {
  MapPage(kCodePage, s.code_pte);
  MapPage(kStackPage, s.stack_pte);
  for (int i = 0; i < kDataPageCount; ++i) MapPage(kDataPages + i * kPageSize, s.data_pte[i]);
  std::vector<uint8_t> code = s.code;
  code.resize(std::min<size_t>(code.size(), kPageSize));
  memory_.CopyIn(kCodePage, code.data(), code.size());

  CpuState& st = cpu_.state;
  const bool ia32e = s.mode == FuzzMode::kLong64 || s.mode == FuzzMode::kCompat32;
  const bool paging = s.mode != FuzzMode::kLegacyFlat && s.mode != FuzzMode::kReal &&
                      s.mode != FuzzMode::kProtected16 && s.mode != FuzzMode::kVm86;
  st.gdtr = {kGdt, 0x67};
  st.idtr = ia32e ? TableRegister{kIdt64, 256 * 16 - 1} : TableRegister{kIdt32, 256 * 8 - 1};
  // The TSS's ring-0 stack: RSP0 (64-bit TSS) or ESP0 and SS0 (32-bit TSS).
  Put64(kTss + 4, kRing0StackTop);
  if (!ia32e) Put32(kTss + 8, kData0);
  const uint16_t tss = ia32e ? kTss64 : kTss32;
  st.tr = SegmentFromDescriptor(tss, kTssDescriptor | (uint64_t{0xb} << 40));  // busy

  uint64_t cr4 = kCr4OSFXSR | kCr4OSXMMEXCPT;
  if (ia32e || s.mode == FuzzMode::kLegacyPae) cr4 |= kCr4PAE;
  if (s.cr4_smep) cr4 |= kCr4SMEP;
  if (s.cr4_smap) cr4 |= kCr4SMAP;
  if (s.cr4_pge) cr4 |= kCr4PGE;
  uint64_t efer = s.efer_nxe ? kEferNXE : 0;
  if (ia32e) efer |= kEferLME | kEferSCE;
  uint64_t cr0 = kCr0ET | kCr0NE | kCr0MP;
  if (s.mode != FuzzMode::kReal) cr0 |= kCr0PE;
  if (paging) cr0 |= kCr0PG;
  if (s.cr0_wp) cr0 |= kCr0WP;
  if (s.cr0_am) cr0 |= kCr0AM;
  cpu_.WriteEfer(efer);
  cpu_.WriteCr4(cr4);
  cpu_.WriteCr3(ia32e ? kPml4 : kPaePdpt);
  cpu_.WriteCr0(cr0);

  const int cpl = s.mode == FuzzMode::kReal ? 0 : s.cpl;
  uint16_t code_selector;
  switch (s.mode) {
    case FuzzMode::kLong64: code_selector = cpl ? kUserCode64 : kCode64; break;
    case FuzzMode::kProtected16: code_selector = cpl ? kUserCode16 : kCode16; break;
    default: code_selector = cpl ? kUserCode32 : kCode32; break;
  }
  const uint16_t data_selector = cpl ? kUserData : kData0;
  cpu_.LoadSegmentCache(kCs, SegmentFromDescriptor(Rpl(code_selector, cpl),
                                                   kDescriptors[code_selector >> 3]));
  for (SegReg r : {kSs, kDs, kEs, kFs, kGs}) {
    cpu_.LoadSegmentCache(r, SegmentFromDescriptor(Rpl(data_selector, cpl),
                                                   kDescriptors[data_selector >> 3]));
  }
  cpu_.SetCpl(cpl);

  std::copy(std::begin(s.gpr), std::end(s.gpr), st.gpr);
  st.gpr[kRsp] = kStackPage + kPageSize - 64;
  if (!ia32e) {
    for (int r = 0; r < 8; ++r) st.gpr[r] = static_cast<uint32_t>(st.gpr[r]);
    for (int r = 8; r < 16; ++r) st.gpr[r] = 0;
  }
  // Writable flags only, no single-step (x64sim has no TF yet); IOPL and
  // AC as given.
  cpu_.SetRflags((s.rflags & kFlagsWritable & ~kTF) | kFlagsFixed1);
  std::copy(&s.xmm[0][0], &s.xmm[0][0] + sizeof(s.xmm), &st.sse.xmm[0][0]);
  st.rip = kCodePage;
  if (s.mode == FuzzMode::kVm86) {
    // Segment 0xFFFF (base 0xFFFF0) reaches the code, stack and data pages
    // at offsets 0x10 up.
    const uint16_t top[6] = {0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff};
    cpu_.SetRflags(st.rflags | kVM);
    LoadVm86Segments(cpu_, top);
    st.rip = kCodePage - 0xffff0;
    st.gpr[kRsp] -= 0xffff0;
  }
  if (s.mode == FuzzMode::kReal) {
    // The same through segment 0xFFFF with 64-KiB limits, as a far JMP
    // from a 16-bit segment leaves real mode (SDM vol. 3A 9.9.2); events
    // go through whatever the IDT's bytes say as a vector table.
    for (SegReg r : {kEs, kCs, kSs, kDs, kFs, kGs}) {
      const uint16_t rights = r == kCs ? 0x9b : 0x93;
      cpu_.LoadSegmentCache(r, Segment{0xffff, 0xffff0, 0xffff, rights});
    }
    st.rip = kCodePage - 0xffff0;
    st.gpr[kRsp] -= 0xffff0;
  }
  st.halted = false;
}

std::string FuzzMachine::BrokenInvariant() const {
  const CpuState& st = cpu_.state;
  constexpr uint64_t kReservedFlags = (1u << 3) | (1u << 5) | (1u << 15) | ~uint64_t{0x3fffff};
  if (!(st.rflags & kFlagsFixed1) || (st.rflags & kReservedFlags)) {
    return absl::StrFormat("RFLAGS %#x has a reserved bit wrong", st.rflags);
  }
  if (st.mode == CpuMode::kLong64 && !paging::IsCanonical(st.rip)) {
    return absl::StrFormat("RIP %#x is not canonical", st.rip);
  }
  if (st.mode != CpuMode::kLong64 && (st.rip >> 32) != 0) {
    return absl::StrFormat("RIP %#x has bits above 31 outside 64-bit mode", st.rip);
  }
  // In virtual-8086 mode CPL is 3 whatever CS holds.
  const bool vm86 = st.rflags & kVM;
  if (vm86 && (st.mode != CpuMode::kProtected32 || st.cpl != 3)) {
    return absl::StrFormat("EFLAGS.VM in %s at CPL %d", cpu_.ModeName(), st.cpl);
  }
  if (st.mode == CpuMode::kReal && st.cpl != 0) return absl::StrFormat("CPL %d in real mode", st.cpl);
  // After MOV CR0 set PE, CS may still hold a real-mode selector at CPL 0.
  const Segment& cs = st.seg[kCs];
  const bool just_protected = st.mode == CpuMode::kProtected32 && st.cpl == 0 &&
                              cs.base == uint64_t{cs.selector} << 4;
  if (st.mode != CpuMode::kReal && !vm86 && !just_protected && (cs.selector & 3) != st.cpl) {
    return absl::StrFormat("CPL %d but CS selector %#x", st.cpl, st.seg[kCs].selector);
  }
  if ((st.efer & kEferLMA) && !(st.cr0 & kCr0PG)) return "EFER.LMA set with paging off";
  return cpu_.SoftTlbIncoherence();
}

}  // namespace x64sim::fuzz
