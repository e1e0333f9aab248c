// One x86-64 core: the run loop, the decoded-block cache, the memory fast
// path and exception delivery. Instruction semantics live in the ops_*.cc
// files; they reach the core only through the public members below.
#ifndef X64SIM_CPU_CPU_H_
#define X64SIM_CPU_CPU_H_

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstdint>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "checkpoint/state_archive.h"
#include "cpu/cpu_model.h"
#include "cpu/debug_hook.h"
#include "cpu/decoded_insn.h"
#include "cpu/event_observer.h"
#include "cpu/io_bus.h"
#include "cpu/retire_observer.h"
#include "cpu/segment_access.h"
#include "cpu/state.h"
#include "cpu/timing.h"
#include "mmu/mmu.h"
#include "mmu/physical_memory.h"
#include "mmu/ram_store.h"

namespace x64sim {

// Exception vectors (SDM vol. 3A table 6-1).
enum Vector : uint8_t {
  kDivideError = 0, kDebug = 1, kNmi = 2, kBreakpoint = 3, kOverflow = 4,
  kBoundRange = 5, kInvalidOpcode = 6, kDeviceNotAvailable = 7,
  kDoubleFault = 8, kInvalidTss = 10, kSegmentNotPresent = 11,
  kStackFault = 12, kGeneralProtection = 13, kPageFault = 14,
  kFpuError = 16, kAlignmentCheck = 17, kMachineCheck = 18, kSimdError = 19,
};

// x64sim's marker instruction: NOP DWORD [RAX + kMarkerTag | command].
inline constexpr uint32_t kMarkerTag = 0x58530000;  // "XS"
inline constexpr uint32_t kMarkerRegionBegin = 1;
inline constexpr uint32_t kMarkerRegionEnd = 2;
// The guest kernel switched threads: RDI points to the NUL-terminated name
// of the thread now running, and its address identifies the thread
// (docs/timeline.md).
inline constexpr uint32_t kMarkerThreadSwitch = 3;
// The guest asks for a checkpoint here (--checkpoint without --checkpoint-at).
inline constexpr uint32_t kMarkerCheckpoint = 4;

enum class StopReason : uint8_t {
  kNone,
  kGuestExit,         // the guest wrote the debug-exit port
  kInstructionLimit,  // --max-instructions reached
  kTripleFault,
  kHaltedForever,     // HLT with interrupts off or no interrupt source left
  kUnimplemented,     // an unimplemented instruction, with --unimplemented=stop
  kInterrupted,       // a stop was requested (SIGINT/SIGTERM): at a block boundary
  kDebugger,          // the attached DebugHook stopped before an instruction
  kCheckpointWritten,  // --stop-after-checkpoint: the checkpoint is written
};

struct StopInfo {
  StopReason reason = StopReason::kNone;
  int exit_status = 0;   // for kGuestExit
  std::string detail;    // one line for the user
};

// A run of decoded instructions that starts at one physical address and
// ends at a control transfer, a system instruction or the end of its page.
struct Block {
  static constexpr int kMaxInsns = 64;
  // A direct link to a block that followed this one, valid while nothing
  // that translation or decoding depends on has changed (same epoch: link
  // generation and privilege) and, unless the target's code page is global,
  // in the same address space.
  struct Link {
    uint64_t rip = ~0ull;
    uint64_t epoch = 0;
    uint64_t address_space = 0;  // 0: a global page, valid in every address space
    const Block* block = nullptr;
  };
  // `code16`: outside 64-bit mode, CS.D = 0 (16-bit default operand and
  // address size), which decodes the same bytes differently; `vm86`:
  // EFLAGS.VM, where VEX encodings are #UD.
  static uint64_t MakeKey(uint64_t phys, CpuMode mode, bool code16, bool vm86) {
    return phys | (static_cast<uint64_t>(mode) << 56) | (static_cast<uint64_t>(code16) << 58) |
           (static_cast<uint64_t>(vm86) << 59);
  }
  uint64_t phys() const { return key & ((1ull << 56) - 1); }
  CpuMode mode() const { return static_cast<CpuMode>((key >> 56) & 3); }
  bool code16() const { return (key >> 58) & 1; }
  bool vm86() const { return (key >> 59) & 1; }

  // An instruction that crosses into the next page is a block of its own,
  // which depends on the physical page holding its end as well: run only
  // while the next linear page still maps there, and never entered by a link.
  static constexpr uint64_t kNoSecondPage = ~0ull;
  bool straddles() const { return second_page != kNoSecondPage; }

  uint64_t key = 0;  // MakeKey(physical address, mode, code16, vm86)
  uint64_t second_page = kNoSecondPage;
  int count = 0;
  int length = 0;  // bytes of code, for CS limit checks
  bool valid = true;
  mutable Link links[2];
  // count + 1 entries: insns[count] is the end marker, whose handler returns
  // Flow::kNext to the run loop. Sized to the block (kernel blocks average
  // a handful of instructions).
  std::unique_ptr<DecodedInsn[]> insns;
  // The static timing of each instruction, when a timing model is attached.
  std::unique_ptr<InsnTiming[]> timing;
};

class Cpu : public TranslationListener {
 public:
  Cpu(PhysicalMemory& memory, Mmu& mmu, IoBus& io);
  // Not copyable: it points into itself (the access log, the priced range).
  Cpu(const Cpu&) = delete;
  Cpu& operator=(const Cpu&) = delete;
  ~Cpu() override;

  CpuState state;

  void set_interrupt_controller(InterruptController* c) { interrupts_ = c; }
  void set_retire_observer(RetireObserver* o) { observer_ = o; }
  void set_event_observer(CpuEventObserver* o) { events_ = o; }
  CpuEventObserver* event_observer() const { return events_; }
  // A debugger: with one attached every instruction is stepped (no chaining).
  void set_debug_hook(DebugHook* hook) { debug_hook_ = hook; }
  void set_stop_on_unimplemented(bool stop) { stop_on_unimplemented_ = stop; }
  // The CPU model (--cpuid): what CPUID reports and which instructions,
  // CR4 bits and MSRs exist. Set before the first instruction runs.
  void set_cpu_model(const CpuModel& model);
  const CpuModel& cpu_model() const { return *cpu_model_; }
  // Elements a REP string instruction does before it yields to the run
  // loop (Yield). Shorter slices bound the host time between looks at
  // interrupts and stop requests, and with the instruction limit the work
  // a run can do at all; the architectural result is the same.
  void set_rep_slice(uint64_t elements) {
    chosen_rep_slice_ = elements < 1 ? 1 : elements;
    ArmBreakpoints();
  }
  uint64_t rep_slice() const { return rep_slice_; }
  // A request another thread or a signal handler sets, read by the loop
  // between blocks (so within a few hundred instructions): a signal number
  // stops the run; kProgressRequest calls the progress hook, which may
  // look at the machine, clears the request and goes on (0: none).
  static constexpr int kProgressRequest = -1;
  void set_stop_request(std::atomic<int>* request) { stop_request_ = request; }
  void set_progress_hook(std::function<void()> hook) { progress_hook_ = std::move(hook); }
  // Calls `hook` on the simulation thread at the first block boundary at
  // which at least `at_instret` instructions have retired (once; schedule
  // again for another). There the run loop is about to look at events, so
  // what the hook saves (a checkpoint) resumes exactly as the run goes on.
  void set_boundary_hook(std::function<void()> hook) { boundary_hook_ = std::move(hook); }
  void ScheduleBoundaryHook(uint64_t at_instret) {
    boundary_at_ = at_instret;
    chain_until_ = std::min(chain_until_, at_instret);
  }

  // Checkpoints (cpu/cpu_checkpoint.cc). The architectural state, clocks and
  // counters; loading without the timing model's state (`model_state_follows`
  // false) leaves timing off with the clock where the checkpoint's stood.
  void SerializeArchitecture(StateArchive& ar, bool model_state_follows);
  // What the core caches beside that, mirroring the MMU's TLBs: the fast
  // path and the decoded blocks with their links (saved as keys, decoded
  // again on loading, into a core whose caches are empty).
  void SerializeCaches(StateArchive& ar);

  // Receives the commands of x64sim's marker instruction (kMarker*).
  void set_marker_handler(std::function<void(uint32_t)> handler) { marker_ = std::move(handler); }
  void Mark(uint32_t command) {
    if (marker_) marker_(command);
  }
  // Attaches a timing model before anything runs: every block decoded from
  // then on carries the model's static timing. set_timing(true) prices
  // execution with it, its clock starting at the current cycle.
  void set_timing_model(TimingModel* model) { model_ = model; }
  void set_timing(bool on);
  bool timing() const { return timing_on_; }

  // Runs until a stop condition; at most `max_instructions` more retire.
  StopInfo Run(uint64_t max_instructions);
  // Ends the run before the next block starts: right after the current
  // instruction when its handler leaves the block (port I/O, faults),
  // else at the end of the running block.
  void RequestStop(StopInfo info);
  // Devices call this when an interrupt may have become deliverable.
  void RecheckInterrupts() {
    next_event_check_ = 0;
    chain_until_ = 0;
  }

  uint64_t instret() const { return instret_; }
  // Simulated time: the timing model's core cycles, or with timing off one
  // cycle per instruction plus the cycles a halted core slept.
  uint64_t cycles() const { return timing_on_ ? model_->cycles() : instret_ + idle_cycles_; }
  // Prices the instructions of the running block that have retired, so
  // that time read now (RDTSC, a device) counts every one before it.
  void SyncTiming() {
    if (timed_block_ != nullptr &&
        instret_ - timed_instret_ > static_cast<uint64_t>(timed_range_.begin)) {
      PriceTimedBlock(static_cast<int>(instret_ - timed_instret_), /*leaves=*/false);
    }
  }
  // REP string instructions are priced as one run, not element by element:
  // PauseMemLog stops recording their accesses, ResumeMemLog records the run.
  MemAccess* PauseMemLog() {
    MemAccess* end = log_end_;
    log_end_ = log_pos_;
    return end;
  }
  void ResumeMemLog(MemAccess* end, uint64_t elements, int element_size, uint64_t dst_linear,
                    uint64_t src_linear);
  // A division completed: the model prices it by its quotient's width and
  // whether the dividend was wide (cpu/timing.h DivideWork).
  void LogDivide(int quotient_bits, bool wide) {
    if (timed_block_ == nullptr || num_divides_ == Block::kMaxInsns) return;
    divide_log_[num_divides_++] = {static_cast<uint32_t>(state.rip),
                                   static_cast<uint8_t>(quotient_bits), wide};
  }

  // ---- Used by instruction handlers -------------------------------------

  // Ends a handler that completed without a jump: retires the instruction
  // and runs the next one of its block. The indirect call is the last thing
  // the handler does, so the compiler makes it a jump (no return to a loop,
  // one branch site per handler); without that it still works, one frame per
  // instruction of the block. Always inlined: an out-of-line copy would be
  // one shared branch site again.
  [[gnu::always_inline]] Flow Next(const DecodedInsn& in) {
    Retire(in);
    const DecodedInsn& next = (&in)[1];
    return next.handler(*this, next);
  }
  // Next for a fused pair (kInsnFused) that falls through: retires both.
  [[gnu::always_inline]] Flow NextPair(const DecodedInsn& first) {
    Retire(first);
    return Next((&first)[1]);
  }
  // Retires the instruction, leaving the handler to say what runs next.
  void Retire(const DecodedInsn& in) {
    state.rip += in.length;
    ++instret_;
  }
  // Ends a near branch's handler: retires it with RIP at `target`. When the
  // run loop would go straight on (no event due, no stop, far from the
  // instruction limit), runs the block at `target` directly instead of
  // returning to the loop: the current block's link for it, else the block
  // that FindChainTarget finds (out of line: only a missed link pays for
  // the call).
  [[gnu::always_inline]] Flow Branch(uint64_t target) {
    state.rip = target;
    ++instret_;
    if (instret_ < chain_until_) {
      const Block* next = FollowLink(current_block_);
      if (next == nullptr) [[unlikely]] next = FindChainTarget(current_block_);
      if (next != nullptr) {
        if (timing_on_ && !PriceAndChain(next)) return Flow::kLeave;
        current_block_ = next;
        ++chained_blocks_;
        return next->insns[0].handler(*this, next->insns[0]);
      }
    }
    return Flow::kLeave;
  }
  // How many more times in a row the running block may run from its start,
  // retiring `insns` instructions each time, with nothing for the run loop
  // to do between two runs: no event due, no boundary hook, not near the
  // instruction limit. 0 when stepping, observed or timed (the model prices
  // every instruction). Lets a handler run a loop that its block makes back
  // to itself in bulk (cpu/fill_loop.cc), then retire it with
  // RetireRepeats.
  uint64_t RepeatRoom(uint64_t insns) const {
    if (timing_on_ || instret_ >= chain_until_) return 0;
    const uint64_t bound = ChainBound();
    return bound > instret_ ? (bound - instret_ - 1) / insns : 0;
  }
  void RetireRepeats(uint64_t runs, uint64_t insns) {
    instret_ += runs * insns;
    bulk_repeats_ += runs;
  }
  // Ends a handler part-way through a long instruction (a REP string
  // instruction's slice) whose committed registers say where it goes on:
  // nothing retires, RIP stays, and the run loop looks at events, stop
  // requests and the limit before running it again. Each slice counts
  // towards the instruction limit, so no single instruction outlasts it.
  // The pause is noted so that an event taken before the next slice pushes
  // RF = 1 (PausedInRepString).
  Flow Yield() {
    if (run_limit_ > instret_) --run_limit_;
    rep_pause_rip_ = state.rip;
    rep_pause_instret_ = instret_;
    return Flow::kYield;
  }
  // Retires the instruction and returns to the run loop, which then looks
  // again at everything a block depends on (mode, interrupts, stop requests).
  Flow Leave(const DecodedInsn& in) {
    Retire(in);
    return Flow::kLeave;
  }
  // Ends a port I/O instruction's handler. A device that needs the run loop
  // to look at once (an interrupt it may have raised, an event it moved, a
  // stop) clears chain_until_ through RecheckInterrupts or RequestStop, and
  // the block ends; otherwise, with timing off, the block goes on, as the
  // loop would have run the next instruction at once (Branch's condition).
  // seL4 reads the PIT this way for tens of millions of polls at boot.
  Flow NextAfterPortIo(const DecodedInsn& in) {
    if (!timing_on_ && instret_ + 1 < chain_until_) return Next(in);
    return Leave(in);
  }

  template <typename T>
  T Reg(uint8_t offset) const {
    T v;
    std::memcpy(&v, reinterpret_cast<const uint8_t*>(state.gpr) + offset, sizeof(T));
    return v;
  }
  // 32-bit writes zero the upper half (SDM vol. 1 3.4.1.1); 8/16-bit keep it.
  template <typename T>
  void SetReg(uint8_t offset, T v) {
    if constexpr (sizeof(T) == 4) {
      state.gpr[offset >> 3] = v;
    } else {
      std::memcpy(reinterpret_cast<uint8_t*>(state.gpr) + offset, &v, sizeof(T));
    }
  }

  // Offset of the instruction's memory operand within its segment, moved by
  // `displacement` bytes before the address size wraps it (BT's bit string).
  uint64_t EffectiveAddress(const DecodedInsn& in, int64_t displacement = 0) const {
    uint64_t ea = state.gpr[in.base] + (state.gpr[in.index] << in.scale) +
                  static_cast<uint64_t>(in.disp) + static_cast<uint64_t>(displacement);
    if (in.flags & (kInsnRipRelative | kInsnAddr32 | kInsnAddr16)) {
      if (in.flags & kInsnRipRelative) ea += state.rip + in.length;
      if (in.flags & kInsnAddr32) ea = static_cast<uint32_t>(ea);
      if (in.flags & kInsnAddr16) ea = static_cast<uint16_t>(ea);
    }
    return ea;
  }
  // Address of the instruction's memory operand as the accessors below
  // take it: the linear address, or, through a segment that can refuse an
  // access, a tagged one they check first (cpu/segment_access.h).
  uint64_t Linear(const DecodedInsn& in, int64_t displacement = 0) const {
    if (in.address_form == AddressForm::kBaseDisp64) [[likely]] {
      return state.gpr[in.base] + static_cast<uint64_t>(in.disp) + static_cast<uint64_t>(displacement);
    }
    if (in.address_form == AddressForm::kRipDisp64) {
      return state.rip + in.length + static_cast<uint64_t>(in.disp) + static_cast<uint64_t>(displacement);
    }
    return access_base_[in.seg] + EffectiveAddress(in, displacement);
  }
  // Linear for an operand of a known AddressForm: the forms of 64-bit code
  // need none of Linear's tests.
  template <AddressForm kForm>
  uint64_t LinearOf(const DecodedInsn& in) const {
    if constexpr (kForm == AddressForm::kBaseDisp64) {
      return state.gpr[in.base] + static_cast<uint64_t>(in.disp);
    } else if constexpr (kForm == AddressForm::kRipDisp64) {
      return state.rip + in.length + static_cast<uint64_t>(in.disp);
    } else {
      return Linear(in);
    }
  }
  // What accesses through `r` add their offset to: its base, or its tag.
  uint64_t AccessBase(SegReg r) const { return access_base_[r]; }
  // The segment's base in the current mode (for what is not an access).
  uint64_t SegmentBase(SegReg r) const { return seg_base_[r]; }
  // The operand's linear address without segment checks (INVLPG).
  uint64_t UncheckedLinear(const DecodedInsn& in) const {
    const uint64_t linear = seg_base_[in.seg] + EffectiveAddress(in);
    return state.mode == CpuMode::kLong64 ? linear : static_cast<uint32_t>(linear);
  }
  // Outside 64-bit mode, the segment checks a tagged address stands for
  // (#GP(0), or #SS(0) through SS, when they fail), then the 32-bit linear
  // address; in 64-bit mode, and for the accesses of system_access_,
  // `linear` stays as it is.
  bool ResolveLinear(uint64_t* linear, int size, bool write) {
    if (state.mode == CpuMode::kLong64 || system_access_) return true;
    if (IsSegmented(*linear)) [[unlikely]] return ResolveSegmented(linear, size, write);
    *linear = static_cast<uint32_t>(*linear);
    return true;
  }

  // Data accesses at the current privilege. False means an exception is
  // pending and nothing was written.
  template <typename T>
  bool Read(uint64_t linear, T* value) {
    if (TryFastRead(linear, value)) return true;
    uint64_t v = 0;
    if (!ReadSlow(linear, sizeof(T), &v)) return false;
    *value = static_cast<T>(v);
    return true;
  }
  template <typename T>
  bool Write(uint64_t linear, T value) {
    return TryFastWrite(linear, value) || WriteSlow(linear, sizeof(T), static_cast<uint64_t>(value));
  }
  // The load of a read-modify-write instruction (ADD, INC, XCHG, CMPXCHG...
  // with a memory destination). The processor makes it a write access: a
  // page the store could not write faults here, before anything is read,
  // with W set in the error code (SDM vol. 3A 4.7), and it sets the dirty
  // flag. The fast path takes pages the store's own fast path takes.
  template <typename T>
  bool ReadForUpdate(uint64_t linear, T* value) {
    if (TryFastReadForUpdate(linear, value)) return true;
    uint64_t v = 0;
    if (!ReadBytesForUpdate(linear, &v, sizeof(T))) return false;
    *value = static_cast<T>(v);
    return true;
  }
  // Write(linear, 0), except that memory already zero is left unwritten:
  // guest RAM the host has not backed stays unbacked (mmu/ram_store.h).
  template <typename T>
  bool WriteZero(uint64_t linear) {
    uint8_t* host = FastWritePointer(linear);
    if (host == nullptr || (linear & kPageOffsetMask) > kPageSize - sizeof(T)) {
      return WriteSlow(linear, sizeof(T), 0);
    }
    StoreZeros(host, sizeof(T));
    if (log_pos_ != log_end_) LogFastAccess(linear, reinterpret_cast<uint64_t>(host), kAccessWrite);
    return true;
  }
  // Read's, ReadForUpdate's and Write's fast paths alone: false, with nothing
  // done, where they would take the slow path. For handlers that keep their
  // common case free of calls (and so of a stack frame), the rest apart.
  template <typename T>
  [[gnu::always_inline]] bool TryFastRead(uint64_t linear, T* value) {
    const SoftTlbEntry& e = tlb_[SoftTlbIndex(linear)];
    if (e.read_tag != FastPathTag(linear, sizeof(T))) return false;
    std::memcpy(value, reinterpret_cast<const void*>(e.addend + linear), sizeof(T));
    if (log_pos_ != log_end_) LogFastAccess(linear, e.addend + linear, 0);
    return true;
  }
  template <typename T>
  [[gnu::always_inline]] bool TryFastReadForUpdate(uint64_t linear, T* value) {
    const SoftTlbEntry& e = tlb_[SoftTlbIndex(linear)];
    if (e.write_tag != FastPathTag(linear, sizeof(T))) return false;
    std::memcpy(value, reinterpret_cast<const void*>(e.addend + linear), sizeof(T));
    if (log_pos_ != log_end_) LogFastAccess(linear, e.addend + linear, 0);
    return true;
  }
  template <typename T>
  [[gnu::always_inline]] bool TryFastWrite(uint64_t linear, T value) {
    const SoftTlbEntry& e = tlb_[SoftTlbIndex(linear)];
    if (e.write_tag != FastPathTag(linear, sizeof(T))) return false;
    std::memcpy(reinterpret_cast<void*>(e.addend + linear), &value, sizeof(T));
    if (log_pos_ != log_end_) LogFastAccess(linear, e.addend + linear, kAccessWrite);
    return true;
  }
  // Host address of `linear` when its page is in the fast path, valid to the
  // end of that page; nullptr otherwise (then use Read/Write, which fill it).
  // Lets REP MOVS/STOS move page-sized runs; write pointers never cover MMIO
  // or pages holding decoded code, so self-modifying code is still caught.
  uint8_t* FastReadPointer(uint64_t linear) const {
    const SoftTlbEntry& e = tlb_[SoftTlbIndex(linear)];
    if (e.read_tag != (linear & ~kPageOffsetMask)) return nullptr;
    return reinterpret_cast<uint8_t*>(e.addend + linear);
  }
  uint8_t* FastWritePointer(uint64_t linear) const {
    const SoftTlbEntry& e = tlb_[SoftTlbIndex(linear)];
    if (e.write_tag != (linear & ~kPageOffsetMask)) return nullptr;
    return reinterpret_cast<uint8_t*>(e.addend + linear);
  }
  // Accesses of up to a page (SSE, descriptors, save areas), split as
  // needed. `alignment` is what alignment checking asks of the access
  // (SDM vol. 3A table 6-7): by default what its size alone asks
  // (NaturalAlignment); instructions storing a structure name theirs.
  static constexpr int kNaturalAlignment = 0;
  static constexpr int kAnyAlignment = 1;  // never checked
  bool ReadBytes(uint64_t linear, void* dst, int size, int alignment = kNaturalAlignment) {
    return ReadBytesAs(AccessKind::kRead, linear, dst, size, alignment);
  }
  // ReadBytes for the load of a read-modify-write (see ReadForUpdate).
  bool ReadBytesForUpdate(uint64_t linear, void* dst, int size) {
    return ReadBytesAs(AccessKind::kWrite, linear, dst, size, kNaturalAlignment);
  }
  bool WriteBytes(uint64_t linear, const void* src, int size, int alignment = kNaturalAlignment);
  // Whether an explicit write of `size` bytes (up to a page) at `linear`
  // would go through, checked without writing: raises its fault (#GP, #PF
  // with the write error code) if not. Translating sets the accessed and
  // dirty flags as the write would. For instructions that must fault
  // before storing any part (the masked stores), which then write through
  // Write/WriteBytes as usual.
  bool ProbeWrite(uint64_t linear, int size);
  // Accesses the SDM calls implicit supervisor-mode accesses (descriptor
  // tables, TSS): made as CPL 0 whatever the CPL; with CR4.SMAP they may not
  // touch user pages whatever RFLAGS.AC says (SDM vol. 3A 4.6.1).
  bool ReadSupervisor(uint64_t linear, void* dst, int size);
  bool WriteSupervisor(uint64_t linear, const void* src, int size);
  // An explicit write made at privilege `cpl` whatever the current CPL: the
  // pushes of an interrupt frame, made at the handler's privilege.
  template <typename T>
  bool WriteAtPrivilege(int cpl, uint64_t linear, T value) {
    const int saved = privilege_;
    SetPrivilege(cpl == 3 ? 1 : 0);
    system_access_ = true;
    const bool ok = Write<T>(linear, value);
    system_access_ = false;
    SetPrivilege(saved);
    return ok;
  }

  // Inline: every CALL, RET, PUSH and POP in 64-bit mode uses them.
  bool Push64(uint64_t v) {
    const uint64_t rsp = state.gpr[kRsp] - 8;
    if (!Write<uint64_t>(rsp, v)) return StackAccessFailed(rsp);
    state.gpr[kRsp] = rsp;
    return true;
  }
  bool Pop64(uint64_t* v) {
    const uint64_t rsp = state.gpr[kRsp];
    if (!Read<uint64_t>(rsp, v)) return StackAccessFailed(rsp);
    state.gpr[kRsp] = rsp + 8;
    return true;
  }
  // Push/pop with the current stack width (8 in 64-bit mode, else 4 or 2).
  bool Push(uint64_t v, int size) { return Push(v, size, size); }
  // Moves the stack pointer down by `size` but writes only the low
  // `written` bytes of `v` there (PUSH Sreg, 16 of 32 or 64 bits).
  bool Push(uint64_t v, int size, int written);
  bool Pop(uint64_t* v, int size);

  // Records an exception to deliver; handlers return its result.
  Flow Fault(uint8_t vector, uint32_t error_code = 0);
  Flow FaultNoCode(uint8_t vector);
  // #UD for an instruction x64sim does not implement: counted by mnemonic;
  // with --unimplemented=stop also stops the run, naming the instruction.
  Flow Unimplemented(const DecodedInsn& in);
  // INT n / INT3 / INTO: delivers through the IDT with the gate DPL check.
  Flow SoftwareInterrupt(uint8_t vector, uint64_t return_rip);

  // State changes that the block cache, fast path or MMU depend on. False
  // means an exception is pending; the handler then leaves the block.
  bool WriteCr0(uint64_t v);
  bool WriteCr3(uint64_t v);
  bool WriteCr4(uint64_t v);
  bool WriteEfer(uint64_t v);
  void SetCpl(int cpl);
  void LoadSegmentCache(SegReg reg, const Segment& s);  // recomputes bases and mode
  void SetRflags(uint64_t v);                           // keeps the SMAP fast path honest
  // Hardware breakpoints (cpu/breakpoints.cc): called after DR0-DR3, DR7 or
  // CR4.DE change; drops the fast path's pages when data breakpoints change.
  void UpdateBreakpoints();
  // Port I/O at `port` of `size` bytes, for I/O breakpoints (free when none).
  void NoteIoAccess(uint16_t port, int size) {
    if (io_breakpoints_ != 0) pending_dr_hits_ |= BreakpointHits(io_breakpoints_, port, size);
  }
  void UpdateMode();
  // What UpdateMode derives from the control registers and segment caches.
  CpuMode ModeOfState() const;
  uint64_t BaseOfSegment(SegReg r) const;  // in state.mode
  uint64_t AccessBaseOfSegment(SegReg r) const;
  // Recomputes access_base_, cs_limited_ and code16_ from the mode and
  // segment caches.
  void UpdateSegmentChecks();

  // Fixed counter 0 (instructions retired at the enabled privilege levels).
  uint64_t ReadFixedCounter0() const;
  // Fixed counter 1 (CPU_CLK_UNHALTED.THREAD: core cycles not spent halted).
  uint64_t ReadFixedCounter1() const;
  // Folds the instructions counted so far into state.fixed_ctr0; called
  // before the counter's configuration or the CPL changes.
  void FoldFixedCounter();

  void Invlpg(uint64_t linear);
  void Invpcid(int type, uint16_t pcid, uint64_t linear);

  PagingContext MakePagingContext(bool user) const;
  // Empty when the fast path is the one the privilege level calls for (none
  // while alignment checking is on) and every page it can reach is still
  // held by some modelled TLB with the same frame, as it must be with paging
  // on and the TLB model in use; otherwise what is wrong. For tests and
  // fuzzers, which check it after arbitrary guest code.
  std::string SoftTlbIncoherence() const;
  IoBus& io() { return io_; }
  Mmu& mmu() { return mmu_; }
  PhysicalMemory& memory() { return memory_; }
  InterruptController* interrupt_controller() { return interrupts_; }

  // Counts of #UD raised for unimplemented instructions, by mnemonic.
  const std::map<std::string, uint64_t>& unimplemented_counts() const {
    return unimplemented_counts_;
  }
  uint64_t blocks_decoded() const { return blocks_decoded_; }
  // Times the block cache reached kMaxCachedInsns and was emptied.
  uint64_t block_cache_drops() const { return block_cache_drops_; }
  uint64_t code_invalidations() const { return code_invalidations_; }
  // Blocks a branch entered through a link, without returning to the loop.
  uint64_t chained_blocks() const { return chained_blocks_; }
  // Compare-and-branch pairs fused as their blocks were decoded.
  uint64_t fused_pairs_decoded() const { return fused_pairs_decoded_; }
  // Runs of a block that handlers retired in bulk (RetireRepeats) since this
  // core was made: a host-side diagnostic, not kept in checkpoints.
  uint64_t bulk_repeats() const { return bulk_repeats_; }

  // TranslationListener.
  void OnTranslationDropped(uint64_t linear_page) override;
  void OnAllTranslationsDropped() override;
  void OnAddressSpaceChanged() override;

  // A one-line description of the instruction at RIP (bytes + disassembly).
  std::string DescribeInstructionAt(uint64_t rip);
  // A debugger wrote guest RAM at `paddr` behind the CPU's back: code
  // decoded from that page is dropped, as a guest store would drop it.
  void OnDebuggerWrite(uint64_t paddr);
  std::string ModeName() const;

  // MONITOR (cpu/monitor.cc): arms the 64-byte line holding `linear`, which
  // is checked as a one-byte load; false if that faulted.
  bool ArmMonitor(uint64_t linear);

 private:
  static constexpr uint64_t kPageOffsetMask = kPageSize - 1;
  static constexpr int kSoftTlbEntries = 1024;
  static constexpr uint64_t kInvalidTag = 1;  // never page-aligned
  struct SoftTlbEntry {
    uint64_t read_tag = kInvalidTag;
    uint64_t write_tag = kInvalidTag;
    uint64_t exec_tag = kInvalidTag;
    uint64_t addend = 0;  // host address = addend + linear
  };
  static size_t SoftTlbIndex(uint64_t linear) {
    return (linear >> kPageShift) & (kSoftTlbEntries - 1);
  }
  // The tag a fast-path access of `size` bytes at `linear` must find in
  // linear's slot: the page of its last byte. An access crossing into the
  // next page names a page the next slot would hold, so the one compare
  // sends it to the slow path too.
  static uint64_t FastPathTag(uint64_t linear, uint64_t size) {
    static_assert(kSoftTlbEntries >= 2);
    return (linear + size - 1) & ~kPageOffsetMask;
  }

  struct PendingException {
    bool pending = false;
    uint8_t vector = 0;
    bool has_error_code = false;
    uint32_t error_code = 0;
  };

  // What DR7 (and CR4.DE) enable, as B0-B3 masks by kind; the loop steps
  // one instruction at a time while any is set (step_flags_).
  void ArmBreakpoints();
  uint8_t BreakpointHits(uint8_t candidates, uint64_t address, int size) const;
  bool WatchesPage(uint64_t linear_page) const;
  void NoteDataAccess(uint64_t linear, int size, bool write) {
    pending_dr_hits_ |= BreakpointHits(write ? write_breakpoints_ : read_breakpoints_, linear, size);
  }
  // Raises the #DB trap for the data breakpoints an event's delivery hit
  // (pending_dr_hits_), to be taken before the handler's first instruction.
  void ReportDeliveryHits();
  // Whether RIP names a REP string instruction stopped between two of its
  // iterations: nothing has retired since its slice yielded there.
  bool PausedInRepString() const {
    return rep_pause_instret_ == instret_ && rep_pause_rip_ == state.rip;
  }

  bool ResolveSegmented(uint64_t* linear, int size, bool write);
  // #AC(0) for an access alignment checking refuses; called once the
  // access translated, since a page fault comes first (SDM vol. 3A 6.9).
  bool CheckAlignment(uint64_t linear, int size, int alignment);
  bool ReadSlow(uint64_t linear, int size, uint64_t* value);
  // A read translated for `intent` (kRead, or kWrite for ReadForUpdate).
  bool ReadBytesAs(AccessKind intent, uint64_t linear, void* dst, int size, int alignment);
  bool WriteSlow(uint64_t linear, int size, uint64_t value);
  // Translates one access that stays within a page; raises #PF/#GP on failure.
  bool TranslateData(uint64_t linear, AccessKind kind, bool user, uint64_t* phys);
  // #PF (with CR2) or #GP for a failed translation, or a stop for paging
  // modes x64sim does not model.
  void RaiseTranslationFault(uint64_t linear, const Translation& t);
  bool CheckCanonical(uint64_t linear, int size);
  // CheckCanonical for an explicit data access: #SS(0) instead of #GP(0)
  // when the instruction's operand at `linear` goes through SS.
  bool CheckCanonicalOperand(uint64_t linear, int size);
  // The segment through which the instruction at RIP made the access at
  // `linear`: its memory operand's, or for string instructions the
  // source's (seg:RSI) or ES (RDI). kDs when no decoded instruction is
  // running there.
  SegReg OperandSegment(uint64_t linear) const;
  // #GP(0) for a rejected control-register or MSR write.
  bool RejectWithGp() {
    Fault(kGeneralProtection, 0);
    return false;
  }
  void FillSoftTlb(uint64_t linear, uint64_t phys, uint8_t allow, bool global, bool user);
  void SetPrivilege(int privilege) {
    privilege_ = privilege;
    // SDM vol. 3A 6.15, #AC: alignment is checked at CPL 3 with CR0.AM and
    // EFLAGS.AC set. Then every data access takes the slow path, which checks.
    alignment_checking_ = privilege == 1 && (state.cr0 & kCr0AM) && (state.rflags & kAC);
    tlb_ = alignment_checking_ ? kNoFastPath : soft_tlb_[privilege];
    link_epoch_ = generation_ * 2 + privilege_;
  }
  void FlushSoftTlb();
  void InvalidateCodePage(uint64_t phys_page);

  // Timing (cpu/timing.h): the block being priced and what it did.
  void LogFastAccess(uint64_t linear, uint64_t host, uint8_t flags) {
    *log_pos_++ = {linear, host - ram_base_, static_cast<uint32_t>(state.rip), 0,
                   static_cast<uint8_t>(flags | kAccessFastPath)};
  }
  void LogSlowAccess(uint64_t linear, uint64_t phys, uint8_t flags);
  void StartTimedBlock(const Block* block);
  // Prices instructions [timed_range_.begin, end) of the timed block; `leaves`
  // when the block is being left (insns[end - 1] went to state.rip).
  void PriceTimedBlock(int end, bool leaves);
  void FinishTimedBlock();
  // Branch's step into a linked block with timing on: prices the block left
  // and starts the next; false if the loop must run first (an event is due
  // or the pricing changed what links depend on).
  bool PriceAndChain(const Block* next);

  template <bool kObserve>
  StopInfo RunLoop(uint64_t max_instructions);
  // Runs at most `budget` instructions of `block` one at a time, for an
  // observer or near the instruction limit.
  template <bool kObserve>
  void StepBlock(const Block* block, uint64_t budget);
  // One instruction with RFLAGS.TF set, then its single-step trap.
  template <bool kObserve>
  void SingleStep(std::unique_ptr<Block>* uncached);
  // Returns the block at RIP, decoding it if needed; nullptr if fetching
  // raised an exception (then pending).
  const Block* FetchBlock(std::unique_ptr<Block>* uncached);
  // Decodes into `block` (whose key says the mode) from `phys`. An
  // instruction whose bytes go past `fetch_room` bytes from the start (CS's
  // limit) becomes a #GP(0) that ends the block, which is then not cacheable.
  bool DecodeBlock(uint64_t linear, uint64_t phys, Block* block, bool* cacheable,
                   uint64_t fetch_room = UINT64_MAX);
  // Why a loaded state could not have been reached, or "" (cpu_checkpoint.cc).
  std::string ImpossibleState() const;
  void DeliverPendingException();
  bool DeliverInterrupt(uint8_t vector, bool has_error_code, uint32_t error_code,
                        bool software, uint64_t return_rip);
  bool DeliverLong(uint8_t vector, bool has_error_code, uint32_t error_code,
                   bool software, uint64_t return_rip);
  bool DeliverProtected(uint8_t vector, bool has_error_code, uint32_t error_code,
                        bool software, uint64_t return_rip);
  bool DeliverReal(uint8_t vector, uint64_t return_rip);
  void HandleExternalEvents();
  // Something that block links depend on (translations, code, mode)
  // changed: links made before are no longer followed.
  void InvalidateLinks() {
    ++generation_;
    link_epoch_ = generation_ * 2 + privilege_;
  }
  [[gnu::always_inline]] const Block* FollowLink(const Block* prev) const {
    for (const Block::Link& link : prev->links) {
      if (link.rip == state.rip && link.epoch == link_epoch_ &&
          (link.address_space == 0 || link.address_space == address_space_)) {
        return link.block;
      }
    }
    return nullptr;
  }
  // The block at RIP after `prev` when FollowLink found none, without
  // FetchBlock: a link of `prev` made in another address space that leads
  // to the same block because the fast path translates RIP there now (the
  // link is renewed for this one), else the block the block table's slot
  // holds for RIP (then linked, unless it straddles two pages: one whose
  // second page the fast path maps as when it was decoded runs unlinked).
  // Null when only FetchBlock can tell (a translation or a decode to do, a
  // CS limit to check).
  [[gnu::noinline]] const Block* FindChainTarget(const Block* prev);
  // CS:RIP as a linear address (wrapped to 32 bits outside 64-bit mode).
  uint64_t RipLinear() const {
    const uint64_t linear = seg_base_[kCs] + state.rip;
    return state.mode == CpuMode::kLong64 ? linear : static_cast<uint32_t>(linear);
  }
  // After a failed 64-bit stack access at `rsp`: the access's canonical
  // check raised #GP(0), which a stack reference makes #SS(0). False.
  bool StackAccessFailed(uint64_t rsp);
  // Sets chain_until_ for a block about to run from the loop.
  void AllowChaining();
  // The instruction count at whose block boundary the loop has something
  // to do (an event, the boundary hook, stepping to the limit); chaining
  // and bulk runs stop short of it.
  uint64_t ChainBound() const;
  void AddLink(const Block* prev, const Block* next);

  PhysicalMemory& memory_;
  Mmu& mmu_;
  IoBus& io_;
  InterruptController* interrupts_ = nullptr;
  RetireObserver* observer_ = nullptr;
  CpuEventObserver* events_ = nullptr;
  DebugHook* debug_hook_ = nullptr;
  TimingModel* model_ = nullptr;
  const CpuModel* cpu_model_ = &DefaultCpuModel();
  bool timing_on_ = false;
  std::function<void(uint32_t)> marker_;

  static constexpr int kMemLogSize = 512;
  MemAccess mem_log_[kMemLogSize];
  MemAccess* log_pos_ = mem_log_;
  MemAccess* log_end_ = mem_log_;  // == log_pos_ while not recording
  RepWork rep_log_[Block::kMaxInsns];
  int num_reps_ = 0;
  DivideWork divide_log_[Block::kMaxInsns];
  int num_divides_ = 0;
  uint64_t ram_base_ = 0;  // host address of guest physical 0
  const Block* timed_block_ = nullptr;
  uint64_t timed_instret_ = 0;  // instret_ when the block started
  // What the model is handed: the block's instructions from the first not
  // yet priced (begin, with its RIP and physical address) on; the fields
  // that describe the end are filled when it is priced.
  PricedRange timed_range_{};
  bool cr3_noflush_ = false;

  uint64_t seg_base_[6] = {};
  uint64_t access_base_[6] = {};  // seg_base_, or SegmentedBase where checks apply
  // Outside 64-bit mode with a CS limit below 4 GiB - 1: fetches are checked
  // against it, and blocks are not linked.
  bool cs_limited_ = false;
  // Outside 64-bit mode, CS.D = 0: instructions decode as 16-bit code.
  bool code16_ = false;
  int privilege_ = 0;  // soft TLB in use: 1 at CPL 3
  SoftTlbEntry soft_tlb_[2][kSoftTlbEntries];
  // Soft-TLB slots holding a non-global translation, dropped on CR3 writes:
  // one bit a slot, scanned a word at a time.
  uint64_t non_global_[2][kSoftTlbEntries / 64] = {};
  bool IsNonGlobal(int privilege, size_t slot) const {
    return (non_global_[privilege][slot / 64] >> (slot % 64)) & 1;
  }
  // Data accesses look up here: soft_tlb_[privilege_], or kNoFastPath.
  const SoftTlbEntry* tlb_ = soft_tlb_[0];
  static const SoftTlbEntry kNoFastPath[kSoftTlbEntries];  // never filled
  bool alignment_checking_ = false;
  bool implicit_access_ = false;      // inside ReadSupervisor/WriteSupervisor
  // Inside ReadSupervisor, WriteSupervisor or WriteAtPrivilege, whose
  // callers form linear addresses of the right width themselves: the GDT,
  // IDT, TSS and 64-bit stacks that event delivery in compatibility mode
  // reaches lie at 64-bit addresses, which a 32-bit truncation (or a tag
  // test) would corrupt.
  bool system_access_ = false;

  static constexpr int kBlockTableSize = 1 << 16;
  static size_t BlockSlot(uint64_t key) {
    return (key ^ (key >> 16) ^ (key >> 56)) & (kBlockTableSize - 1);
  }
  // Decoded instructions kept before the whole cache is dropped (~40 bytes
  // each, plus their timing): a bound on its memory whatever the guest does.
  static constexpr uint64_t kMaxCachedInsns = 1 << 20;
  std::vector<Block*> block_table_;  // direct-mapped by physical address
  // Every cached block, by physical code page: the owner, and where a block
  // evicted from its table slot by another is found again.
  absl::flat_hash_map<uint64_t, std::vector<std::unique_ptr<Block>>> blocks_by_page_;
  // Blocks whose instruction ends in the page, owned by their first page.
  absl::flat_hash_map<uint64_t, std::vector<Block*>> straddlers_by_page_;
  uint64_t cached_insns_ = 0;
  std::vector<std::unique_ptr<Block>> retired_blocks_;  // freed between blocks
  void DropAllBlocks();
  // Caches a decoded block, marking its code page(s).
  Block* AddBlock(std::unique_ptr<Block> block);
  void MarkCodePage(uint64_t page);
  // A store reached `n` bytes at `phys` in a page marked as code: drops its
  // code, and triggers an armed monitor the store overlaps (ending an MWAIT)
  // while keeping the monitored page's stores on this path (cpu/monitor.cc).
  void WroteMarkedPage(uint64_t phys, int n);
  void RetireBlock(std::unique_ptr<Block> block);
  // Where an instruction fetch from `linear` goes: the fast path's address
  // if it holds the page, else the MMU's (then kept in the fast path), or
  // nullopt after raising the fetch's fault. FastCodePhys only asks the
  // fast path; NextCodePage translates the page after `linear`'s.
  std::optional<uint64_t> CodePhys(uint64_t linear);
  std::optional<uint64_t> FastCodePhys(uint64_t linear) const;
  std::optional<uint64_t> NextCodePage(uint64_t linear);
  uint64_t NextPageLinear(uint64_t linear) const;  // wraps at 4 GiB outside 64-bit mode
  // DecodeBlock's work area; the block gets copies sized to it.
  DecodedInsn decode_insns_[Block::kMaxInsns + 1];
  InsnTiming decode_timing_[Block::kMaxInsns];
  struct Decoders;
  std::unique_ptr<Decoders> decoders_;

  PendingException exception_;
  int delivery_depth_ = 0;  // nested faults during delivery: #DF, then triple fault
  uint64_t generation_ = 1;
  uint64_t link_epoch_ = 2;      // generation_ * 2 + privilege_
  uint64_t address_space_ = 1;   // counts CR3 writes
  // Cycle at which interrupt sources must be polled again; 0 = now.
  uint64_t next_event_check_ = 0;
  // The block running (or last run), and the instruction count below which
  // Branch may enter the next block without returning to the loop.
  const Block* current_block_ = nullptr;
  uint64_t chain_until_ = 0;
  // The block the loop ran last while its links are usable, kept from one
  // Run to the next (and in checkpoints) so that a run cut in two follows
  // the same links, and so makes the same translations, as one run.
  const Block* link_from_ = nullptr;
  uint64_t link_from_generation_ = 0;
  uint64_t boundary_at_ = UINT64_MAX;
  std::function<void()> boundary_hook_;
  uint64_t rep_slice_ = uint64_t{1} << 16;  // see set_rep_slice; Yield's comment
  uint64_t chosen_rep_slice_ = rep_slice_;  // rep_slice_ is 1 while data or I/O breakpoints are armed
  // RFLAGS bits that send the run loop to SingleStep: all while a
  // breakpoint is armed (RFLAGS bit 1 is always set).
  uint64_t step_flags_ = kTF | kRF;
  uint8_t exec_breakpoints_ = 0;   // B0-B3 of armed instruction breakpoints
  uint8_t write_breakpoints_ = 0;  // data breakpoints a write hits (R/W 01, 11)
  uint8_t read_breakpoints_ = 0;   // data breakpoints a read hits (R/W 11)
  uint8_t io_breakpoints_ = 0;     // R/W 10 with CR4.DE
  uint8_t pending_dr_hits_ = 0;    // data and I/O hits of the instruction stepping or event delivered
  // Where and when the last REP slice yielded (Yield); kept in checkpoints.
  uint64_t rep_pause_rip_ = 0;
  uint64_t rep_pause_instret_ = UINT64_MAX;
  uint64_t run_limit_ = 0;  // instret at which this Run stops (less one per Yield)
  StopInfo stop_;
  bool stop_on_unimplemented_ = false;
  std::atomic<int>* stop_request_ = nullptr;
  std::function<void()> progress_hook_;
  uint64_t instret_ = 0;
  uint64_t idle_cycles_ = 0;
  uint64_t idle_wakeups_without_interrupt_ = 0;
  uint64_t fixed_ctr0_epoch_ = 0;  // instret_ at the last FoldFixedCounter
  uint64_t fixed_ctr1_epoch_ = 0;  // UnhaltedCycles() at the last FoldFixedCounter
  uint64_t halted_cycles_ = 0;     // cycles slept in HLT
  uint64_t UnhaltedCycles() const { return cycles() - halted_cycles_; }
  uint64_t blocks_decoded_ = 0;
  uint64_t block_cache_drops_ = 0;
  uint64_t code_invalidations_ = 0;
  uint64_t chained_blocks_ = 0;
  uint64_t fused_pairs_decoded_ = 0;
  uint64_t bulk_repeats_ = 0;
  std::map<std::string, uint64_t> unimplemented_counts_;
  std::string last_unimplemented_;
};

}  // namespace x64sim

#endif  // X64SIM_CPU_CPU_H_
