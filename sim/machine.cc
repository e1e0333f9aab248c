#include "sim/machine.h"

#include "absl/strings/str_format.h"
#include "cpu/descriptors.h"
#include "sim/acpi_tables.h"
#include "sim/platform_clock.h"

namespace x64sim {

namespace {
// The 8259 master's INTR enters the I/O APIC on input 0, for an ExtINT
// entry (MP specification 1.4, virtual wire mode through the I/O APIC).
constexpr int kPicIntrPin = 0;
constexpr uint64_t kApicGlobalEnable = 1u << 11;  // IA32_APIC_BASE.EN
}  // namespace

Machine::Machine(MachineConfig config)
    : config_(std::move(config)),
      memory_(config_.ram_bytes),
      mmu_(memory_, LimitToModel(config_.uarch != nullptr ? config_.uarch->tlb : kSkylakeClient,
                                 *config_.cpu_model)),
      cpu_(memory_, mmu_, ports_),
      com1_(config_.console),
      debug_exit_([this](int status) {
        cpu_.RequestStop({StopReason::kGuestExit, status,
                          absl::StrFormat("guest wrote the debug-exit port: status %d", status)});
      }),
      apic_([this] { return cpu_.cycles(); }, [this] { cpu_.RecheckInterrupts(); }),
      pics_(
          [this] {
            cpu_.SyncTiming();  // the PIT's edges up to the access are in the IRR
            pit_.Update(cpu_.cycles());
          },
          [this] {
            lines_.SetIoApicInput(kPicIntrSource, kPicIntrPin, pics_.Interrupt());
            cpu_.RecheckInterrupts();
          }),
      lines_(pics_, io_apic_),
      pit_(
          config_.clock,
          [this] {
            cpu_.SyncTiming();  // the clock read counts every instruction before the access
            return config_.clock.PitTicks(cpu_.cycles());
          },
          // Channel 0's output is IRQ0; the HPET disconnects it under legacy replacement.
          [this](bool level) { lines_.SetIsaIrq(kPitSource, 0, level); },
          [this] { cpu_.RecheckInterrupts(); }),
      hpet_(
          config_.clock,
          [this] {
            cpu_.SyncTiming();
            // The PIT's edges before the access are on IRQ0 before
            // LEG_RT_CNF can disconnect it.
            pit_.Update(cpu_.cycles());
            return cpu_.cycles();
          },
          lines_, [this] { cpu_.RecheckInterrupts(); }),
      interrupts_(apic_, hpet_, pit_, pics_, [this] { return (cpu_.state.apic_base & kApicGlobalEnable) != 0; }) {
  ports_.Map(Uart16550::kCom1Base, 8, &com1_);
  ports_.Map(DebugExit::kPort, 4, &debug_exit_);
  ports_.Map(Pic8259::kMasterBase, 2, &pics_.master());
  ports_.Map(Pic8259::kSlaveBase, 2, &pics_.slave());
  ports_.Map(Pit8254::kBase, 4, &pit_);
  memory_.MapMmio(LocalApic::kBase, kPageSize, &apic_);
  memory_.MapMmio(IoApic::kBase, kPageSize, &io_apic_);
  memory_.MapMmio(Hpet::kBase, kPageSize, &hpet_);
  io_apic_.set_deliver([this](const ApicMessage& m) { return apic_.Accept(m); });
  apic_.set_eoi_broadcast([this](uint8_t vector) { io_apic_.EndOfInterrupt(vector); });
  cpu_.set_interrupt_controller(&interrupts_);
  cpu_.set_stop_on_unimplemented(config_.stop_on_unimplemented);
  cpu_.set_cpu_model(*config_.cpu_model);
  cpu_.state.random_state = config_.rdrand_seed;
  mmu_.set_tlb_model(config_.tlb_model);
  cpu_.set_marker_handler([this](uint32_t command) { OnMarker(command); });
  if (config_.uarch != nullptr) {
    core_model_ = std::make_unique<CoreModel>(*config_.uarch, mmu_);
    // Blocks carry the model's static timing only if it may time them.
    cpu_.set_timing_model(config_.timing ? core_model_.get() : nullptr);
    SetTiming(config_.timing && !config_.fast_forward);
  }
}

void Machine::AddWalkObserver(WalkObserver* observer) {
  walk_observers_.Add(observer);
  SetWalkObserver();
}

void Machine::SetTiming(bool on) {
  cpu_.set_timing(on);
  walk_observers_.Remove(core_model_.get());
  if (cpu_.timing()) walk_observers_.Add(core_model_.get());
  SetWalkObserver();
}

// No observer, no events built for one.
void Machine::SetWalkObserver() {
  mmu_.set_observer(walk_observers_.empty() ? nullptr : &walk_observers_);
}

MachineSnapshot Machine::Snapshot() const {
  MachineSnapshot s;
  s.cycles = cpu_.cycles();
  s.instructions = cpu_.instret();
  if (core_model_ != nullptr && cpu_.timing()) s.core = core_model_->counters();
  return s;
}

// A begin inside an open region, or an end outside one, is ignored.
void Machine::OnMarker(uint32_t command) {
  if (command == kMarkerThreadSwitch) {
    if (on_thread_switch_) {
      constexpr uint64_t kMaxName = 128;
      std::string name = PeekVirtual(cpu_.state.gpr[kRdi], kMaxName);
      name.resize(std::min(name.find('\0'), name.size()));
      on_thread_switch_(cpu_.state.gpr[kRdi], name);
    }
    return;
  }
  if (command == kMarkerCheckpoint) {
    if (checkpoint_requests_) cpu_.ScheduleBoundaryHook(0);
    return;
  }
  cpu_.SyncTiming();
  const bool open = !regions_.empty() && !regions_.back().ended;
  if (command == kMarkerRegionBegin && !open) {
    if (config_.fast_forward && config_.timing) SetTiming(true);
    regions_.push_back({Snapshot(), {}, false});
  } else if (command == kMarkerRegionEnd && open) {
    regions_.back().end = Snapshot();
    regions_.back().ended = true;
  }
}

bool Machine::PeekTranslate(uint64_t linear, uint64_t* phys) {
  PagingContext ctx = cpu_.MakePagingContext(/*user=*/false);
  ctx.rflags_ac = true;
  const Translation t = mmu_.Peek(linear, AccessKind::kRead, ctx);
  if (!t.ok) return false;
  *phys = t.phys;
  return true;
}

std::string Machine::PeekVirtual(uint64_t linear, uint64_t length) {
  std::string out;
  while (out.size() < length) {
    const uint64_t at = linear + out.size();
    const uint64_t chunk = std::min<uint64_t>(length - out.size(), kPageSize - (at & (kPageSize - 1)));
    uint64_t phys = 0;
    if (!PeekTranslate(at, &phys)) break;
    const uint8_t* p = memory_.RamPointer(phys);
    if (p == nullptr || phys + chunk > memory_.ram_size()) break;
    out.append(reinterpret_cast<const char*>(p), chunk);
  }
  return out;
}

// Multiboot spec 3.2: 32-bit protected mode, flat 4 GiB segments, paging
// and interrupts off, EAX = magic, EBX = information structure.
absl::Status Machine::Boot(const std::vector<uint8_t>& kernel, const std::string& cmdline,
                           const std::vector<BootModule>& modules) {
  if (memory_.ram_size() != config_.ram_bytes) {
    return absl::ResourceExhaustedError(
        absl::StrFormat("the host cannot map %d MiB of guest RAM", config_.ram_bytes >> 20));
  }
  absl::StatusOr<BootImage> boot = LoadMultiboot(memory_, kernel, cmdline, modules);
  if (!boot.ok()) return boot.status();
  boot_ = *boot;
  // The firmware's ACPI tables, in the BIOS area the memory map reserves.
  const std::vector<uint8_t> acpi = BuildAcpiTables(AcpiConfig{});
  memory_.CopyIn(kAcpiRsdpAddress, acpi.data(), acpi.size());
  CpuState& s = cpu_.state;
  s.cr0 = kCr0PE | kCr0ET;
  s.rflags = kFlagsFixed1;
  s.gpr[kRax] = kMultibootBootloaderMagic;
  s.gpr[kRbx] = boot_.info_addr;
  s.rip = boot_.entry;
  for (SegReg r : {kEs, kSs, kDs, kFs, kGs}) cpu_.LoadSegmentCache(r, FlatSegment(0x18, 0xc093));
  cpu_.LoadSegmentCache(kCs, FlatSegment(0x10, 0xc09b));
  cpu_.SetCpl(0);
  s.gdtr = {0, 0};  // undefined by the spec: the guest loads its own
  s.idtr = {0, 0};
  s.tr.attributes = 0x8b;  // a busy 32-bit TSS, base 0 (never used before LTR)
  return absl::OkStatus();
}

void Machine::PrintStats(std::ostream& out) const {
  out << "[cpu]\n";
  out << "instructions " << cpu_.instret() << "\n";
  out << "cycles " << cpu_.cycles() << "\n";
  out << "core_mhz " << config_.clock.core_mhz() << "\n";
  out << "blocks_decoded " << cpu_.blocks_decoded() << "\n";
  out << "block_cache_drops " << cpu_.block_cache_drops() << "\n";
  out << "code_invalidations " << cpu_.code_invalidations() << "\n";
  out << "timer_interrupts " << apic_.timer_interrupts() << "\n";
  out << "unclaimed_port_accesses " << ports_.unclaimed_accesses() << "\n";
  out << "[unimplemented]\n";
  for (const auto& [name, count] : cpu_.unimplemented_counts()) out << name << " " << count << "\n";
  mmu_.stats().PrintReport(out);
  if (core_model_ != nullptr && cpu_.timing()) core_model_->PrintStats(out, cpu_.instret());
  for (size_t i = 0; i < regions_.size(); ++i) {
    const RegionOfInterest& r = regions_[i];
    const MachineSnapshot end = r.ended ? r.end : Snapshot();
    out << "[roi." << i << "]\n";
    out << "ended " << (r.ended ? "yes" : "no (the run stopped inside it)") << "\n";
    out << "cycles " << end.cycles - r.begin.cycles << "\n";
    out << "instructions " << end.instructions - r.begin.instructions << "\n";
    if (!cpu_.timing()) continue;
    out << "cycles.cpl0 " << end.core.cycles_by_cpl[0] - r.begin.core.cycles_by_cpl[0] << "\n";
    out << "cycles.cpl3 " << end.core.cycles_by_cpl[3] - r.begin.core.cycles_by_cpl[3] << "\n";
    out << "branch.mispredictions " << end.core.mispredictions - r.begin.core.mispredictions << "\n";
    out << "branch.mispredict_cycles "
        << end.core.mispredict_cycles - r.begin.core.mispredict_cycles << "\n";
    for (int e = 1; e < static_cast<int>(TimingEvent::kCount); ++e) {
      const uint64_t n = end.core.event_count[e] - r.begin.core.event_count[e];
      if (n == 0) continue;
      const char* name = TimingEventName(static_cast<TimingEvent>(e));
      out << "event." << name << ".count " << n << "\n";
      out << "event." << name << ".cycles "
          << end.core.event_cycles[e] - r.begin.core.event_cycles[e] << "\n";
    }
  }
}

}  // namespace x64sim
