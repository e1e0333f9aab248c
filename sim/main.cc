// x64sim: boots a Multiboot 1 image and runs it until the guest exits.
#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>
#include <sstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <unistd.h>

#include "absl/flags/flag.h"
#include "absl/flags/reflection.h"
#include "absl/flags/usage.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "mmu/mmu_tracer.h"
#include "sim/checkpoint.h"
#include "sim/command_line.h"
#include "sim/exit_codes.h"
#include "sim/gdb_stub.h"
#include "sim/input_file.h"
#include "sim/machine.h"
#include "sim/output_file.h"
#include "sim/platform_clock.h"
#include "sim/progress_line.h"
#include "sim/stats_json.h"
#include "sim/timeline.h"
#include "uarch/loader.h"

ABSL_FLAG(std::string, kernel, "", "Multiboot 1 kernel image (ELF32, ELF64 or a.out kludge)");
ABSL_FLAG(std::string, cmdline, "", "kernel command line passed in the multiboot information");
ABSL_FLAG(uint64_t, max_instructions, 20'000'000'000ull,
          "stop after this many instructions (exit code 6)");
ABSL_FLAG(uint64_t, memory_mib, 512, "guest RAM in MiB");
ABSL_FLAG(uint64_t, core_mhz, x64sim::PlatformClock::kDefaultCoreMhz,
          "the modelled core's clock in MHz (100..10000): the simulated time a cycle takes, the rate "
          "of the TSC and the local APIC timer; the PIT and HPET keep their own (docs/platform.md)");
ABSL_FLAG(std::string, cpuid, "skylake",
          "the CPU model: its CPUID values and the instructions, CR4 bits and MSRs it has "
          "(skylake, nehalem, haswell; docs/cpu.md)");
ABSL_FLAG(std::string, stats, "", "write the statistics report to this file ('-' for stderr)");
ABSL_FLAG(std::string, stats_format, "text",
          "'text' (sections of name-value lines) or 'json' (docs/stats-format.md)");
ABSL_FLAG(std::string, unimplemented, "ud",
          "on an unimplemented instruction: 'ud' raises #UD in the guest, 'stop' ends the run "
          "(exit code 10)");
ABSL_FLAG(std::string, trace_mmu, "",
          "trace MMU walks and TLB events: a file for JSON lines, '-' for text on stderr");
ABSL_FLAG(std::string, trace_mmu_filter, "", "trace only linear addresses ADDR[/MASK] (hex)");
ABSL_FLAG(bool, trace_mmu_faults_only, false, "trace only translations that fault");
ABSL_FLAG(std::string, timeline, "",
          "write a Chrome trace-event / Perfetto JSON timeline of the run to this file "
          "(docs/timeline.md)");
ABSL_FLAG(bool, tlb_model, true,
          "model the TLBs and paging-structure caches (false: every translation walks)");
ABSL_FLAG(std::string, uarch, "skylake",
          "the modelled core: a shipped model (skylake, zen4, zen5), 'host' for the shipped model "
          "matching this machine's CPU, or a .uarch file (docs/uarch-format.md)");
ABSL_FLAG(std::string, uarch_set, "",
          "description lines replacing the --uarch lines they name, separated by ';', e.g. "
          "'tlb l1d L1d-4K entries=32 ways=4 pages=4K replacement=plru' (docs/uarch-format.md)");
ABSL_FLAG(std::string, timing, "on",
          "'on': cycles from the --uarch timing model; 'off': one cycle per instruction "
          "(fastest)");
ABSL_FLAG(bool, fast_forward, false,
          "run functionally until the guest's region of interest begins (guest/roi), then timed");
ABSL_FLAG(int32_t, gdb, -1,
          "serve the GDB remote protocol on 127.0.0.1:PORT (0: a free port, printed on stderr); "
          "docs/gdb.md");
ABSL_FLAG(bool, gdb_wait, false, "with --gdb: wait for gdb and stop before the first instruction");
ABSL_FLAG(bool, quiet, false,
          "no progress line (drawn on stderr about once a second only when stderr is a terminal)");
ABSL_FLAG(std::string, checkpoint, "",
          "write a checkpoint of the whole machine to this file, after --checkpoint-at "
          "instructions or where the guest asks (docs/checkpoints.md)");
ABSL_FLAG(uint64_t, checkpoint_at, 0,
          "with --checkpoint: once this many instructions have retired since boot (at the next "
          "block boundary)");
ABSL_FLAG(bool, stop_after_checkpoint, false, "with --checkpoint: end the run (exit 0) once it is written");
ABSL_FLAG(std::string, restore, "",
          "resume the machine a checkpoint holds, instead of booting --kernel; model flags not "
          "given keep the checkpoint's");
ABSL_FLAG(uint64_t, rdrand_seed, 0,
          "seed of the deterministic sequence RDRAND and RDSEED return (the same seed, the same "
          "numbers)");

namespace x64sim {
namespace {

int Fail(int code, const std::string& message) {
  std::fflush(stdout);
  std::fprintf(stderr, "x64sim: %s\n", message.c_str());
  return code;
}

absl::StatusOr<std::vector<uint8_t>> ReadFile(const std::string& path) {
  absl::StatusOr<std::string> contents = ReadWholeFile(path);
  if (!contents.ok()) return contents.status();
  return std::vector<uint8_t>(contents->begin(), contents->end());
}

// --help: the flags by purpose, then examples. A flag of this file in no
// group is listed under "other" (tests/sim/cli_test.sh checks there is none).
struct HelpGroup {
  const char* title;
  std::vector<std::string> flags;
};

void PrintHelp() {
  const HelpGroup groups[] = {
      {"the guest",
       {"kernel=IMAGE", "module=FILE[,ARGS]", "cmdline=ARGS", "memory_mib=MIB", "core_mhz=MHZ",
        "cpuid=MODEL", "rdrand_seed=N", "unimplemented=ud|stop"}},
      {"running", {"max_instructions=N", "quiet"}},
      {"checkpoints (docs/checkpoints.md)",
       {"checkpoint=FILE", "checkpoint_at=N", "stop_after_checkpoint", "restore=FILE"}},
      {"the timing model (docs/timing.md)",
       {"timing=on|off", "uarch=NAME|FILE", "uarch_set=LINES", "tlb_model=true|false", "fast_forward"}},
      {"statistics and traces (docs/stats-format.md, docs/trace-format.md)",
       {"stats=FILE", "stats_format=text|json", "trace_mmu=FILE|-", "trace_mmu_filter=ADDR[/MASK]",
        "trace_mmu_faults_only", "timeline=FILE"}},
      {"debugging (docs/gdb.md)", {"gdb=PORT", "gdb_wait"}},
  };
  std::map<std::string, const absl::CommandLineFlag*> ours;
  for (const auto& [name, flag] : absl::GetAllFlags()) {
    if (flag->Filename().find("sim/main.cc") != std::string::npos) ours[std::string(name)] = flag;
  }
  // `usage` is the flag's name, then what it takes: "stats=FILE".
  auto print = [](const std::string& usage, const absl::CommandLineFlag* flag) {
    std::string dashed = usage.substr(0, usage.find('='));
    std::replace(dashed.begin(), dashed.end(), '_', '-');
    dashed += usage.substr(dashed.size());
    if (flag == nullptr) {  // --module, read by sim/command_line.cc
      std::printf("  --%s\n      a multiboot module and its command line; repeat for more\n", dashed.c_str());
      return;
    }
    std::printf("  --%s\n      %s (default: %s)\n", dashed.c_str(), flag->Help().c_str(),
                flag->DefaultValue().empty() ? "none" : flag->DefaultValue().c_str());
  };
  std::printf("x64sim %s\n", std::string(absl::ProgramUsageMessage()).c_str());
  std::printf("\nflags (--foo-bar and --foo_bar are the same):\n");
  for (const HelpGroup& group : groups) {
    std::printf("\n %s:\n", group.title);
    for (const std::string& usage : group.flags) {
      auto it = ours.find(usage.substr(0, usage.find('=')));
      print(usage, it == ours.end() ? nullptr : it->second);
      if (it != ours.end()) ours.erase(it);
    }
  }
  if (!ours.empty()) {
    std::printf("\n other:\n");
    for (const auto& [name, flag] : ours) print(name, flag);
  }
  std::printf(
      "\nexamples (B=$(bazel info -c opt bazel-bin) after bazel build -c opt //...):\n"
      "  the tutorial's last stage, timed by the Skylake model, statistics on stderr:\n"
      "    x64sim --kernel=$B/sel4/kernel --module=$B/guest/dynamic2/stage15 --stats=-\n"
      "  the IPC benchmark on the Zen 4 model, statistics as JSON:\n"
      "    x64sim --kernel=$B/sel4/kernel --module=$B/guest/ipcbench/ipcbench --uarch=zen4 \\\n"
      "        --stats=ipc.json --stats-format=json\n"
      "  why a page fault happened: trace the faulting walks, then explain them:\n"
      "    x64sim --kernel=... --module=... --trace-mmu=walks.jsonl --trace-mmu-faults-only\n"
      "    bazel run //sim:explain-fault -- $PWD/walks.jsonl\n"
      "  a smaller data TLB, functional speed:\n"
      "    x64sim --kernel=... --uarch-set='tlb l1d L1d-4K entries=32 ways=4 pages=4K "
      "replacement=plru'\n"
      "    x64sim --kernel=... --timing=off\n"
      "  debug the guest: x64sim --kernel=... --gdb=1234 --gdb-wait, then in gdb:\n"
      "    target remote :1234\n"
      "  skip the boot: checkpoint once, then restore as often as needed:\n"
      "    x64sim --kernel=... --module=... --checkpoint=boot.ckpt --checkpoint-at=5000000 \\\n"
      "        --stop-after-checkpoint\n"
      "    x64sim --restore=boot.ckpt --stats=-\n");
}

std::atomic<int> g_stop_signal{0};

void OnStopSignal(int signal) { g_stop_signal.store(signal, std::memory_order_relaxed); }

int ExitCodeFor(const StopInfo& stop) {
  switch (stop.reason) {
    case StopReason::kGuestExit: return stop.exit_status;
    case StopReason::kCheckpointWritten: return 0;
    case StopReason::kInstructionLimit: return kExitInstructionLimit;
    case StopReason::kTripleFault: return kExitTripleFault;
    case StopReason::kUnimplemented: return kExitUnimplemented;
    case StopReason::kInterrupted: return kExitInterrupted;
    case StopReason::kDebugger:
    case StopReason::kHaltedForever:
    case StopReason::kNone: return kExitHaltedForever;
  }
  return kExitHaltedForever;
}

int Main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "boots a Multiboot 1 image on a simulated x86-64 PC.\n"
      "usage: x64sim --kernel=IMAGE [--module=ELF[,cmdline]]... [flags]\n"
      "exit status: 0 when the guest wrote 0 to the debug-exit port (success), (v<<1)|1 when\n"
      "it wrote v > 0; or 2 bad flag, 4 bad image, 6 instruction limit, 8 triple fault,\n"
      "10 unimplemented instruction, 12 halted forever, 14 I/O error, 16 stopped by\n"
      "SIGINT/SIGTERM, 18 killed from gdb, 20 bad checkpoint (outputs complete whatever the\n"
      "status); 0 also after --stop-after-checkpoint");
  // Under `bazel run` the working directory is the runfiles tree; relative
  // paths (images, --stats, --trace-mmu, .uarch files) are the user's.
  if (const char* dir = std::getenv("BUILD_WORKING_DIRECTORY"); dir != nullptr && *dir != 0) {
    if (::chdir(dir) != 0) {
      return Fail(kExitIoError, absl::StrFormat("cannot enter BUILD_WORKING_DIRECTORY '%s'", dir));
    }
  }
  ParsedCommandLine parsed;
  if (absl::Status st = ParseCommandLine(argc, argv, &parsed); !st.ok()) {
    return Fail(kExitBadFlag, absl::StrFormat("%s (see --help)", st.message()));
  }
  if (parsed.help) {
    PrintHelp();
    return 0;
  }
  const std::vector<std::string>& module_args = parsed.modules;
  auto given = [&parsed](const char* flag) { return parsed.given.contains(flag); };
  const std::string kernel_path = absl::GetFlag(FLAGS_kernel);
  const std::string restore_path = absl::GetFlag(FLAGS_restore);
  std::optional<LoadedCheckpoint> restored;
  if (!restore_path.empty()) {
    for (const char* flag : {"kernel", "cmdline", "memory_mib", "core_mhz", "rdrand_seed"}) {
      if (given(flag)) {
        return Fail(kExitBadFlag,
                    absl::StrFormat("--%s cannot be given with --restore: the checkpoint holds the guest", flag));
      }
    }
    if (!module_args.empty()) {
      return Fail(kExitBadFlag, "--module cannot be given with --restore: the checkpoint holds the guest");
    }
    absl::StatusOr<LoadedCheckpoint> loaded = ReadCheckpoint(restore_path);
    if (!loaded.ok()) {
      return Fail(absl::IsNotFound(loaded.status()) || absl::IsPermissionDenied(loaded.status())
                      ? kExitIoError
                      : kExitBadCheckpoint,
                  std::string(loaded.status().message()));
    }
    restored = *std::move(loaded);
  } else if (kernel_path.empty()) {
    return Fail(kExitBadFlag, "--kernel=IMAGE (or --restore=FILE) is required");
  }
  const std::string unimplemented = absl::GetFlag(FLAGS_unimplemented);
  if (unimplemented != "ud" && unimplemented != "stop") {
    return Fail(kExitBadFlag, "--unimplemented must be 'ud' or 'stop'");
  }
  uint64_t memory_mib = restored ? restored->info.memory_mib : absl::GetFlag(FLAGS_memory_mib);
  if (memory_mib < 2 || memory_mib > 3072) return Fail(kExitBadFlag, "--memory_mib must be 2..3072");
  const uint64_t core_mhz = restored ? restored->info.core_mhz : absl::GetFlag(FLAGS_core_mhz);
  if (!PlatformClock::Accepts(core_mhz)) {  // a checkpoint's clock was checked as it was read
    return Fail(kExitBadFlag, absl::StrFormat("--core_mhz must be %d..%d", PlatformClock::kMinCoreMhz,
                                              PlatformClock::kMaxCoreMhz));
  }

  std::vector<uint8_t> kernel;
  std::vector<BootModule> modules;
  // What runs, for people: the checkpoint's metadata and the timeline's title.
  std::string guest = restored ? restored->info.guest : kernel_path;
  if (!restored) {
    absl::StatusOr<std::vector<uint8_t>> kernel_bytes = ReadFile(kernel_path);
    if (!kernel_bytes.ok()) return Fail(kExitBadImage, std::string(kernel_bytes.status().message()));
    kernel = *std::move(kernel_bytes);
    for (const std::string& arg : module_args) {
      size_t comma = arg.find(',');
      std::string path = arg.substr(0, comma);
      absl::StatusOr<std::vector<uint8_t>> bytes = ReadFile(path);
      if (!bytes.ok()) return Fail(kExitBadImage, absl::StrFormat("module: %s", bytes.status().message()));
      // As GRUB and QEMU do, a module's string starts with its file name.
      modules.push_back({*std::move(bytes), comma == std::string::npos ? path : path + " " + arg.substr(comma + 1)});
      guest += " " + modules.back().cmdline;
    }
    if (!absl::GetFlag(FLAGS_cmdline).empty()) guest += " (kernel command line: " + absl::GetFlag(FLAGS_cmdline) + ")";
  }

  const std::string stats_format = absl::GetFlag(FLAGS_stats_format);
  if (stats_format != "text" && stats_format != "json") {
    return Fail(kExitBadFlag, "--stats_format must be 'text' or 'json'");
  }
  const std::string timing = absl::GetFlag(FLAGS_timing);
  if (timing != "on" && timing != "off") return Fail(kExitBadFlag, "--timing must be 'on' or 'off'");
  std::string chosen;
  const std::vector<std::string> uarch_set =
      absl::StrSplit(absl::GetFlag(FLAGS_uarch_set), ';', absl::SkipWhitespace());
  // A restored run keeps the checkpoint's model unless told otherwise.
  const bool checkpoint_model = restored && !given("uarch") && !given("uarch_set");
  absl::StatusOr<UarchDescription> uarch =
      checkpoint_model
          ? LoadUarchText(restored->info.uarch_text, "the description in checkpoint " + restore_path)
          : LoadUarch(absl::GetFlag(FLAGS_uarch), &chosen, uarch_set);
  if (!uarch.ok()) return Fail(kExitBadFlag, std::string(uarch.status().message()));
  if (!chosen.empty()) std::fprintf(stderr, "x64sim: --uarch=host: this CPU is modelled by '%s'\n", chosen.c_str());

  // A restored run keeps the checkpoint's CPU model: its state (CR4, decoded
  // code) is only valid on that model.
  const std::string cpuid_name = restored ? restored->info.cpuid : absl::GetFlag(FLAGS_cpuid);
  if (restored && given("cpuid") && absl::GetFlag(FLAGS_cpuid) != cpuid_name) {
    return Fail(kExitBadFlag, absl::StrFormat("--cpuid=%s: checkpoint %s was taken with --cpuid=%s",
                                              absl::GetFlag(FLAGS_cpuid), restore_path, cpuid_name));
  }
  const CpuModel* cpu_model = FindCpuModel(cpuid_name);
  if (cpu_model == nullptr) {
    return Fail(restored ? kExitBadCheckpoint : kExitBadFlag,
                absl::StrFormat("unknown CPU model '%s' (known: %s)", cpuid_name, CpuModelNames()));
  }

  MachineConfig config;
  config.ram_bytes = memory_mib << 20;
  config.clock = PlatformClock(core_mhz);
  config.cpu_model = cpu_model;
  config.uarch = &*uarch;
  config.timing = restored && !given("timing") ? restored->info.timing : timing == "on";
  config.fast_forward = restored && !given("fast_forward") ? restored->info.fast_forward
                                                           : absl::GetFlag(FLAGS_fast_forward);
  config.rdrand_seed = absl::GetFlag(FLAGS_rdrand_seed);
  config.stop_on_unimplemented = unimplemented == "stop";
  config.tlb_model = restored && !given("tlb_model") ? restored->info.tlb_model : absl::GetFlag(FLAGS_tlb_model);
  // Line-buffered even into a pipe: a reader (tee, a test) sees each line
  // as the guest finishes it, also from guests that then idle forever.
  std::setvbuf(stdout, nullptr, _IOLBF, 1 << 16);
  // On a terminal, a progress line shares the screen with the console.
  std::unique_ptr<ProgressLine> progress;
  config.console = [&progress](uint8_t c) {
    if (progress != nullptr) progress->Clear();
    std::fputc(c, stdout);
  };
  Machine machine(config);
  if (machine.memory().ram_size() != config.ram_bytes) {
    return Fail(kExitBadFlag, absl::StrFormat("--memory_mib=%d: the host cannot map that much guest RAM",
                                              memory_mib));
  }

  StagedFile trace_file;
  std::unique_ptr<MmuTracer> tracer;
  if (const std::string trace = absl::GetFlag(FLAGS_trace_mmu); !trace.empty()) {
    MmuTraceConfig tc;
    tc.format = trace == "-" ? MmuTraceConfig::Format::kText : MmuTraceConfig::Format::kJson;
    tc.faults_only = absl::GetFlag(FLAGS_trace_mmu_faults_only);
    if (const std::string f = absl::GetFlag(FLAGS_trace_mmu_filter); !f.empty()) {
      absl::StatusOr<AddressFilter> filter = ParseAddressFilter(f);
      if (!filter.ok()) return Fail(kExitBadFlag, absl::StrFormat("--trace_mmu_filter: %s", filter.status().message()));
      tc.filter = *filter;
    }
    std::ostream* out = &std::cerr;
    if (trace != "-") {
      if (absl::Status opened = trace_file.Open(trace); !opened.ok()) {
        return Fail(kExitIoError, std::string(opened.message()));
      }
      out = &trace_file.stream();
    }
    tracer = std::make_unique<MmuTracer>(*out, tc);
    machine.AddWalkObserver(tracer.get());
  }

  StagedFile timeline_file;
  std::unique_ptr<Timeline> timeline;
  if (const std::string path = absl::GetFlag(FLAGS_timeline); !path.empty()) {
    if (absl::Status opened = timeline_file.Open(path); !opened.ok()) {
      return Fail(kExitIoError, std::string(opened.message()));
    }
    timeline = std::make_unique<Timeline>(timeline_file.stream(), machine.cpu(), machine.clock(), guest);
    machine.cpu().set_event_observer(timeline.get());
    machine.AddWalkObserver(timeline.get());
    machine.set_thread_switch_observer(
        [&timeline](uint64_t thread, const std::string& name) { timeline->OnThreadSwitch(thread, name); });
  }

  if (restored) {
    const bool warm = uarch->text == restored->info.uarch_text && config.tlb_model == restored->info.tlb_model;
    if (!warm) {
      std::fprintf(stderr,
                   "x64sim: --restore: the timing description or --tlb-model differs from the "
                   "checkpoint's: TLBs, caches, predictor and pipeline start empty\n");
    }
    if (absl::Status st = machine.LoadState(restored->sections, warm); !st.ok()) {
      return Fail(kExitBadCheckpoint, absl::StrFormat("checkpoint %s: %s", restore_path, st.message()));
    }
    restored.reset();  // the state is in the machine now
  } else {
    // The kernel's command line starts with the image's file name (GRUB, QEMU).
    std::string cmdline = kernel_path;
    if (!absl::GetFlag(FLAGS_cmdline).empty()) cmdline += " " + absl::GetFlag(FLAGS_cmdline);
    if (absl::Status st = machine.Boot(kernel, cmdline, modules); !st.ok()) {
      return Fail(kExitBadImage, absl::StrFormat("%s: %s", kernel_path, st.message()));
    }
  }
  absl::Status checkpoint_written = absl::OkStatus();
  bool checkpoint_taken = false;
  const std::string checkpoint_path = absl::GetFlag(FLAGS_checkpoint);
  if (checkpoint_path.empty()) {
    for (const char* flag : {"checkpoint_at", "stop_after_checkpoint"}) {
      if (given(flag)) return Fail(kExitBadFlag, absl::StrFormat("--%s needs --checkpoint=FILE", flag));
    }
  } else {
    CheckpointInfo info{.guest = guest,
                        .memory_mib = memory_mib,
                        .core_mhz = core_mhz,
                        .cpuid = cpu_model->name,
                        .uarch = uarch->name,
                        .uarch_text = uarch->text,
                        .timing = config.timing,
                        .tlb_model = config.tlb_model,
                        .fast_forward = config.fast_forward};
    const bool stop_after = absl::GetFlag(FLAGS_stop_after_checkpoint);
    machine.cpu().set_boundary_hook([&machine, info, checkpoint_path, stop_after, &checkpoint_written,
                                     &checkpoint_taken]() mutable {
      Cpu& cpu = machine.cpu();
      machine.set_checkpoint_requests(false);
      info.instructions = cpu.instret();
      info.cycles = cpu.cycles();
      checkpoint_written = WriteCheckpoint(checkpoint_path, machine, info);
      if (!checkpoint_written.ok()) {
        cpu.RequestStop({StopReason::kInterrupted, 0, std::string(checkpoint_written.message())});
        return;
      }
      checkpoint_taken = true;
      std::fflush(stdout);
      std::fprintf(stderr, "x64sim: checkpoint written to %s after %lu instructions\n",
                   checkpoint_path.c_str(), static_cast<unsigned long>(info.instructions));
      if (stop_after) {
        cpu.RequestStop({StopReason::kCheckpointWritten, 0, "stopped after writing the checkpoint"});
      }
    });
    if (given("checkpoint_at")) {
      machine.cpu().ScheduleBoundaryHook(absl::GetFlag(FLAGS_checkpoint_at));
    } else {
      machine.set_checkpoint_requests(true);
    }
  }
  // Ctrl-C or SIGTERM stops the run at the next block boundary; the outputs
  // are then written as at any other end. Repeats change nothing (timeout(1)
  // signals both the process and its group), so the handler stays.
  machine.cpu().set_stop_request(&g_stop_signal);
  struct sigaction on_stop = {};
  on_stop.sa_handler = OnStopSignal;
  sigaction(SIGINT, &on_stop, nullptr);
  sigaction(SIGTERM, &on_stop, nullptr);
  std::unique_ptr<GdbStub> gdb;
  const int port = absl::GetFlag(FLAGS_gdb);
  if (port < -1 || port > 65535) return Fail(kExitBadFlag, "--gdb must be a TCP port, 0..65535");
  if (port >= 0) {
    gdb = std::make_unique<GdbStub>(machine);
    if (absl::Status listening = gdb->Listen(port); !listening.ok()) {
      return Fail(kExitIoError, std::string(listening.message()));
    }
    std::fprintf(stderr, "x64sim: gdb: listening on 127.0.0.1:%d\n", gdb->port());
  } else if (absl::GetFlag(FLAGS_gdb_wait)) {
    return Fail(kExitBadFlag, "--gdb_wait needs --gdb=PORT");
  }
  if (!absl::GetFlag(FLAGS_quiet) && ::isatty(STDERR_FILENO)) {
    progress = std::make_unique<ProgressLine>(stderr, &g_stop_signal);
    machine.cpu().set_progress_hook([&machine, &progress] {
      std::fflush(stdout);  // the console's last line first
      progress->Draw({machine.cpu().instret(), machine.clock().Seconds(machine.cpu().cycles())});
    });
  }
  const uint64_t max_instructions = absl::GetFlag(FLAGS_max_instructions);
  StopInfo stop = gdb != nullptr ? gdb->Run(max_instructions, absl::GetFlag(FLAGS_gdb_wait))
                                 : machine.Run(max_instructions);
  progress.reset();
  std::fflush(stdout);
  if (timeline != nullptr) {
    timeline->Finish();
    if (absl::Status written = timeline_file.Commit(); !written.ok()) {
      return Fail(kExitIoError, std::string(written.message()));
    }
  }
  if (tracer != nullptr && absl::GetFlag(FLAGS_trace_mmu) != "-") {
    if (absl::Status written = trace_file.Commit(); !written.ok()) {
      return Fail(kExitIoError, std::string(written.message()));
    }
  }
  if (const std::string stats = absl::GetFlag(FLAGS_stats); !stats.empty()) {
    std::ostringstream text;
    machine.PrintStats(text);
    const std::string report = stats_format == "json" ? StatsTextToJson(text.str()) : text.str();
    if (stats == "-") {
      std::cerr << report;
    } else if (absl::Status written = WriteFileWhole(stats, report); !written.ok()) {
      return Fail(kExitIoError, std::string(written.message()));
    }
  }
  if (gdb != nullptr && gdb->killed()) return Fail(kExitKilledFromGdb, "killed from gdb");
  if (!checkpoint_written.ok()) return Fail(kExitIoError, std::string(checkpoint_written.message()));
  if (!checkpoint_path.empty() && !checkpoint_taken) {
    const std::string why = absl::StrFormat(
        "no checkpoint written: the run ended after %d instructions, %s", machine.cpu().instret(),
        given("checkpoint_at") ? absl::StrFormat("before --checkpoint-at=%d", absl::GetFlag(FLAGS_checkpoint_at))
                               : std::string("and the guest never asked for one (x64sim_checkpoint())"));
    // With --stop-after-checkpoint the checkpoint was the point of the run.
    if (absl::GetFlag(FLAGS_stop_after_checkpoint)) return Fail(kExitBadFlag, why);
    std::fprintf(stderr, "x64sim: %s\n", why.c_str());
  }
  if (stop.reason == StopReason::kGuestExit) return stop.exit_status;
  return Fail(ExitCodeFor(stop), stop.detail);
}

}  // namespace
}  // namespace x64sim

int main(int argc, char** argv) { return x64sim::Main(argc, argv); }
