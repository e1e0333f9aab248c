#include "sim/gdb_stub.h"

#include <Zydis/Zydis.h>

#include <algorithm>
#include <cstring>

#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "cpu/code_decoder.h"
#include "cpu/x87.h"
#include "sim/gdb_monitor.h"
#include "sim/gdb_target_xml.h"

namespace x64sim {
namespace {

// Between looks at the socket while the guest runs (Ctrl-C, a debugger
// connecting): a few milliseconds of stepping.
constexpr uint64_t kPollInterval = 1 << 14;

constexpr Gpr kGprOrder[16] = {kRax, kRbx, kRcx, kRdx, kRsi, kRdi, kRbp, kRsp,
                               kR8,  kR9,  kR10, kR11, kR12, kR13, kR14, kR15};
constexpr SegReg kSegOrder[6] = {kCs, kSs, kDs, kEs, kFs, kGs};

constexpr int kSigInt = 2, kSigIll = 4, kSigTrap = 5, kSigFpe = 8, kSigSegv = 11, kSigXcpu = 24;

int SignalForVector(uint8_t vector) {
  switch (vector) {
    case kInvalidOpcode: return kSigIll;
    case kDivideError:
    case kFpuError:
    case kSimdError: return kSigFpe;
    case kPageFault:
    case kGeneralProtection:
    case kStackFault:
    case kSegmentNotPresent:
    case kDoubleFault: return kSigSegv;
    default: return kSigTrap;
  }
}

int SignalForStop(const StopInfo& stop) {
  switch (stop.reason) {
    case StopReason::kTripleFault: return kSigSegv;
    case StopReason::kUnimplemented: return kSigIll;
    case StopReason::kInterrupted: return kSigInt;
    case StopReason::kInstructionLimit: return kSigXcpu;
    default: return kSigTrap;
  }
}

// "addr,len" (hex) as the m, M, X and Z packets give it.
bool ParseAddressLength(std::string_view text, uint64_t* addr, uint64_t* len) {
  const size_t comma = text.find(',');
  if (comma == std::string_view::npos) return false;
  const std::optional<uint64_t> a = ParseHexNumber(text.substr(0, comma));
  const std::optional<uint64_t> l = ParseHexNumber(text.substr(comma + 1));
  if (!a || !l) return false;
  *addr = *a;
  *len = *l;
  return true;
}

uint64_t LoadLittleEndian(std::string_view bytes) {
  uint64_t v = 0;
  std::memcpy(&v, bytes.data(), std::min<size_t>(bytes.size(), 8));
  return v;
}

}  // namespace

StopInfo GdbStub::Run(uint64_t max_instructions, bool wait) {
  const uint64_t limit = cpu_.instret() + max_instructions;
  cpu_.set_debug_hook(this);
  bool stopped = false;
  if (wait && connection_.Accept(/*block=*/true)) {
    stopped = true;
    stop_ = {kSigTrap, ""};
  }
  for (;;) {
    if (stopped) {
      const Resume resume = connection_.connected() ? Serve() : Resume::kDetach;
      if (resume == Resume::kKill) {
        killed_ = !final_.has_value();
        connection_.Disconnect();
        cpu_.set_debug_hook(nullptr);
        return final_.value_or(StopInfo{StopReason::kNone, 0, "killed from gdb"});
      }
      stopped = false;
      stepping_ = resume == Resume::kStep;
      if (resume == Resume::kDetach) {  // the guest runs on; a debugger may attach again
        connection_.Disconnect();
        ForgetDebugState();
      }
    }
    if (final_.has_value()) {  // nothing can run any more
      if (!connection_.connected()) {
        cpu_.set_debug_hook(nullptr);
        return *final_;
      }
      ReportFinalStop();
      stopped = true;
      continue;
    }
    first_after_resume_ = true;
    SnapshotWatchpoints();
    const StopInfo stop = cpu_.Run(limit - cpu_.instret());
    if (stop.reason == StopReason::kDebugger) {
      Print(pending_output_);
      pending_output_.clear();
      Reply(StopReply());
      stopped = true;
      continue;
    }
    final_ = stop;
    Print(pending_output_);  // a caught exception whose delivery ended the run
    pending_output_.clear();
    pending_stop_.reset();
  }
}

void GdbStub::ReportFinalStop() {
  Print(absl::StrFormat("x64sim: %s\n", final_->detail));
  if (final_->reason == StopReason::kGuestExit) {
    Reply(absl::StrFormat("W%02x", final_->exit_status & 0xff));
    return;
  }
  stop_ = {SignalForStop(*final_), ""};
  Reply(StopReply());
}

bool GdbStub::StepsBlock(uint64_t rip, const DecodedInsn* insns, int count) {
  since_poll_ += static_cast<uint64_t>(count);
  if (since_poll_ >= kPollInterval) {
    since_poll_ = 0;
    Poll();
  }
  if (stepping_ || requested_signal_ != 0 || pending_stop_.has_value() || !watchpoints_.empty()) return true;
  if (auto it = breakpoints_.lower_bound(rip); it != breakpoints_.end()) {
    uint64_t bytes = 0;
    for (int i = 0; i < count; ++i) bytes += insns[i].length;
    if (it->first < rip + bytes) return true;
  }
  first_after_resume_ = false;  // the first instruction runs here, unchecked as it should be
  return false;
}

bool GdbStub::StopBefore(const DecodedInsn&, uint64_t rip) {
  if (++since_poll_ >= kPollInterval) {
    since_poll_ = 0;
    Poll();
  }
  const bool first = first_after_resume_;
  first_after_resume_ = false;
  if (requested_signal_ != 0) {
    stop_ = {requested_signal_, ""};
    requested_signal_ = 0;
    return true;
  }
  if (pending_stop_.has_value()) {
    stop_ = *pending_stop_;
    pending_stop_.reset();
    return true;
  }
  if (!watchpoints_.empty()) {
    if (CheckWriteWatchpoints()) return true;
    BreakKind kind = kRead;
    if (std::optional<uint64_t> addr = AccessedWatchpoint(rip, &kind)) {
      // Reported once the instruction has run, as the hardware does.
      pending_stop_ = StopState{kSigTrap, absl::StrFormat("%s:%x;", kind == kRead ? "rwatch" : "awatch", *addr)};
    }
  }
  if (first) return false;
  if (stepping_) {
    stop_ = {kSigTrap, ""};
    return true;
  }
  if (auto it = breakpoints_.find(rip); it != breakpoints_.end()) {
    stop_ = {kSigTrap, it->second == kHardware ? "hwbreak:;" : "swbreak:;"};
    return true;
  }
  return false;
}

void GdbStub::OnEvent(uint8_t vector, uint64_t rip) {
  if (vector >= catch_vectors_.size() || !catch_vectors_[vector] || !connection_.connected()) return;
  std::string text = absl::StrFormat("x64sim: guest exception %d %s, cpl %d", vector,
                                     cpu_.DescribeInstructionAt(rip), cpu_.state.cpl);
  if (vector == kPageFault) absl::StrAppendFormat(&text, ", cr2 %#x", cpu_.state.cr2);
  uint64_t unimplemented = 0;
  for (const auto& [name, count] : cpu_.unimplemented_counts()) unimplemented += count;
  if (vector == kInvalidOpcode && unimplemented != unimplemented_seen_) text += " (x64sim does not implement it)";
  unimplemented_seen_ = unimplemented;
  pending_output_ += text + "\n";
  pending_stop_ = StopState{SignalForVector(vector), ""};
}

void GdbStub::Poll() {
  if (!connection_.connected()) {
    if (connection_.Accept(/*block=*/false)) requested_signal_ = kSigTrap;  // attached
    return;
  }
  std::string bytes;
  if (!connection_.Receive(/*block=*/false, &bytes)) {
    ForgetDebugState();  // gdb went away without detaching
    return;
  }
  for (char c : bytes) {
    if (c == '\x03') {
      requested_signal_ = kSigInt;  // Ctrl-C
    } else {
      reader_.Feed(std::string_view(&c, 1));
    }
  }
}

void GdbStub::ForgetDebugState() {
  breakpoints_.clear();
  watchpoints_.clear();
  catch_vectors_.reset();
  stepping_ = false;
  pending_stop_.reset();
  pending_output_.clear();
  no_ack_ = false;
  reader_ = GdbPacketReader();
}

GdbStub::Resume GdbStub::Serve() {
  for (;;) {
    while (std::optional<GdbInput> in = reader_.Next()) {
      switch (in->kind) {
        case GdbInput::Kind::kPacket: {
          if (!no_ack_) connection_.Send("+");
          Resume resume = Resume::kContinue;
          if (Handle(in->payload, &resume)) return resume;
          break;
        }
        case GdbInput::Kind::kBadPacket: connection_.Send("-"); break;
        case GdbInput::Kind::kNack: connection_.Send(last_sent_); break;
        case GdbInput::Kind::kAck:
        case GdbInput::Kind::kInterrupt: break;  // already stopped
      }
    }
    std::string bytes;
    if (!connection_.Receive(/*block=*/true, &bytes)) return Resume::kDetach;
    reader_.Feed(bytes);
  }
}

void GdbStub::Reply(std::string_view payload) {
  last_sent_ = FramePacket(payload);
  connection_.Send(last_sent_);
}

void GdbStub::Print(std::string_view text) {
  // Bounded packets: gdb's own buffer is sized from our PacketSize.
  for (size_t at = 0; at < text.size(); at += 1024) Reply("O" + ToHex(text.substr(at, 1024)));
}

std::string GdbStub::StopReply() const {
  return absl::StrFormat("T%02xthread:1;%s", stop_.signal, stop_.extra);
}

bool GdbStub::Handle(std::string_view packet, Resume* resume) {
  if (packet.empty()) {
    Reply("");
    return false;
  }
  const char command = packet[0];
  const std::string_view args = packet.substr(1);
  uint64_t addr = 0;
  uint64_t len = 0;
  switch (command) {
    case '?':
      if (final_.has_value() && final_->reason == StopReason::kGuestExit) {
        Reply(absl::StrFormat("W%02x", final_->exit_status & 0xff));
      } else {
        Reply(StopReply());
      }
      return false;
    case 'g': Reply(ReadAllRegisters()); return false;
    case 'G': {
      const std::optional<std::string> bytes = FromHex(args);
      Reply(bytes && WriteAllRegisters(*bytes) ? "OK" : "E01");
      return false;
    }
    case 'p': {
      const std::optional<uint64_t> n = ParseHexNumber(args);
      Reply(n && *n < kGdbRegisterCount ? ReadRegister(static_cast<int>(*n)) : "E01");
      return false;
    }
    case 'P': {
      const size_t eq = args.find('=');
      const std::optional<uint64_t> n = ParseHexNumber(args.substr(0, eq));
      const std::optional<std::string> bytes =
          eq == std::string_view::npos ? std::nullopt : FromHex(args.substr(eq + 1));
      const bool ok = n && bytes && *n < kGdbRegisterCount &&
                      static_cast<int>(bytes->size()) == GdbRegisterSize(static_cast<int>(*n)) &&
                      WriteRegister(static_cast<int>(*n), *bytes);
      Reply(ok ? "OK" : "E01");
      return false;
    }
    case 'm': {
      if (!ParseAddressLength(args, &addr, &len)) {
        Reply("E01");
        return false;
      }
      const std::string bytes = machine_.PeekVirtual(addr, std::min<uint64_t>(len, 0x1000));
      Reply(bytes.empty() && len > 0 ? "E14" : ToHex(bytes));
      return false;
    }
    case 'M':
    case 'X': {
      const size_t colon = args.find(':');
      std::optional<std::string> bytes;
      if (colon != std::string_view::npos && ParseAddressLength(args.substr(0, colon), &addr, &len)) {
        const std::string_view data = args.substr(colon + 1);
        bytes = command == 'M' ? FromHex(data) : std::optional<std::string>(std::string(data));
      }
      Reply(bytes && bytes->size() == len && WriteVirtual(addr, *bytes) ? "OK" : "E14");
      return false;
    }
    case 'c':
    case 'C':
      *resume = Resume::kContinue;
      return true;
    case 's':
    case 'S':
      *resume = Resume::kStep;
      return true;
    case 'k':
      *resume = Resume::kKill;
      return true;
    case 'D':
      Reply("OK");
      *resume = Resume::kDetach;
      return true;
    case 'H':
    case 'T': Reply("OK"); return false;
    case 'Z':
    case 'z': Reply(HandleBreakpoint(packet)); return false;
    case 'v':
      if (packet.starts_with("vCont?")) {
        Reply("vCont;c;C;s;S");
        return false;
      }
      if (packet.starts_with("vCont;")) {
        // One thread: the first action says what it does.
        const char action = packet.size() > 6 ? packet[6] : 'c';
        if (action == 's' || action == 'S' || action == 'c' || action == 'C') {
          *resume = action == 's' || action == 'S' ? Resume::kStep : Resume::kContinue;
          return true;
        }
        Reply("E01");
        return false;
      }
      if (packet.starts_with("vKill")) {
        Reply("OK");
        *resume = Resume::kKill;
        return true;
      }
      Reply("");
      return false;
    case 'Q':
      if (packet == "QStartNoAckMode") {
        Reply("OK");
        no_ack_ = true;  // this packet was acknowledged; none after it is
        return false;
      }
      Reply("");
      return false;
    case 'q': Reply(HandleQuery(packet)); return false;
    default: Reply(""); return false;
  }
}

std::string GdbStub::HandleQuery(std::string_view packet) {
  if (packet.starts_with("qSupported")) {
    return "PacketSize=4000;qXfer:features:read+;swbreak+;hwbreak+;QStartNoAckMode+;vContSupported+";
  }
  if (packet.starts_with("qXfer:features:read:")) {
    std::string_view rest = packet.substr(std::strlen("qXfer:features:read:"));
    const size_t colon = rest.find(':');
    uint64_t offset = 0;
    uint64_t len = 0;
    if (colon == std::string_view::npos || !ParseAddressLength(rest.substr(colon + 1), &offset, &len)) return "E01";
    if (rest.substr(0, colon) != "target.xml") return "E00";
    const std::string& xml = GdbTargetXml();
    if (offset >= xml.size()) return "l";
    const std::string chunk = xml.substr(offset, len);
    return (offset + chunk.size() >= xml.size() ? "l" : "m") + chunk;
  }
  if (packet == "qC") return "QC1";
  if (packet == "qfThreadInfo") return "m1";
  if (packet == "qsThreadInfo") return "l";
  if (packet.starts_with("qAttached")) return "1";
  if (packet.starts_with("qSymbol")) return "OK";
  if (packet.starts_with("qRcmd,")) {
    const std::optional<std::string> command = FromHex(packet.substr(6));
    if (!command) return "E01";
    Print(HandleMonitor(*command));
    return "OK";
  }
  return "";
}

std::string GdbStub::HandleMonitor(std::string_view command) {
  std::string output;
  if (RunMonitorCommand(machine_, command, &output)) return output;
  const std::vector<std::string> words = absl::StrSplit(std::string(command), absl::MaxSplits(' ', 1));
  if (words[0] == "catch") return CatchCommand(words.size() > 1 ? words[1] : "");
  if (words[0] == "help" || words[0].empty()) {
    return MonitorHelp() +
           "catch [VECTOR...|none]  stop before the guest's handler of these exceptions (0..31)\n"
           "help                 this list\n";
  }
  return absl::StrFormat("unknown monitor command '%s' (try 'monitor help')\n", command);
}

std::string GdbStub::CatchCommand(std::string_view args) {
  const std::vector<std::string> words = absl::StrSplit(std::string(args), ' ', absl::SkipWhitespace());
  for (const std::string& word : words) {
    int vector = 0;
    if (word == "none") {
      catch_vectors_.reset();
    } else if (absl::SimpleAtoi(word, &vector) && vector >= 0 && vector < 32) {
      catch_vectors_.set(static_cast<size_t>(vector));
    } else {
      return absl::StrFormat("catch: '%s' is not an exception vector 0..31\n", word);
    }
  }
  std::string out = "catching:";
  for (size_t v = 0; v < catch_vectors_.size(); ++v) {
    if (catch_vectors_[v]) absl::StrAppendFormat(&out, " %d", v);
  }
  return out + (catch_vectors_.none() ? " nothing\n" : "\n");
}

std::string GdbStub::HandleBreakpoint(std::string_view packet) {
  const bool insert = packet[0] == 'Z';
  const std::vector<std::string> fields = absl::StrSplit(std::string(packet.substr(1)), ',');
  int type = 0;
  uint64_t addr = 0;
  uint64_t len = 0;
  if (fields.size() < 3 || !absl::SimpleAtoi(fields[0], &type) || type < 0 || type > 4 ||
      !ParseAddressLength(absl::StrFormat("%s,%s", fields[1], fields[2].substr(0, fields[2].find(';'))),
                          &addr, &len)) {
    return "E01";
  }
  const BreakKind kind = static_cast<BreakKind>(type);
  if (kind == kSoftware || kind == kHardware) {
    // Neither writes INT3 into the guest: the run loop compares RIP before
    // every instruction, so the guest can never see a breakpoint.
    if (insert) {
      breakpoints_[addr] = kind;
    } else {
      breakpoints_.erase(addr);
    }
    return "OK";
  }
  if (len == 0 || len > 8) return "E01";
  auto same = [&](const Watchpoint& w) { return w.addr == addr && w.len == len && w.kind == kind; };
  if (insert) {
    watchpoints_.push_back({addr, len, kind, std::nullopt, 0});
    SnapshotWatchpoints();
  } else {
    watchpoints_.erase(std::remove_if(watchpoints_.begin(), watchpoints_.end(), same), watchpoints_.end());
  }
  return "OK";
}

bool GdbStub::WriteVirtual(uint64_t addr, std::string_view bytes) {
  for (uint64_t done = 0; done < bytes.size();) {
    const uint64_t linear = addr + done;
    const uint64_t chunk = std::min<uint64_t>(bytes.size() - done, kPageSize - (linear & (kPageSize - 1)));
    uint64_t phys = 0;
    if (!machine_.PeekTranslate(linear, &phys)) return false;
    uint8_t* p = machine_.memory().RamPointer(phys);
    if (p == nullptr || phys + chunk > machine_.memory().ram_size()) return false;
    std::memcpy(p, bytes.data() + done, chunk);
    cpu_.OnDebuggerWrite(phys);
    done += chunk;
  }
  return true;
}

std::string GdbStub::ReadRegister(int n) const {
  const CpuState& s = cpu_.state;
  const int size = GdbRegisterSize(n);
  if (n < kGdbRip) return LittleEndianHex(s.gpr[kGprOrder[n]], size);
  if (n == kGdbRip) return LittleEndianHex(s.rip, size);
  if (n == kGdbEflags) return LittleEndianHex(s.rflags, size);
  if (n < kGdbSt0) return LittleEndianHex(s.seg[kSegOrder[n - kGdbCs]].selector, size);
  if (n < kGdbFctrl) {
    const uint8_t* st = s.sse.st[Physical(s.sse, n - kGdbSt0)];
    return ToHex(std::string_view(reinterpret_cast<const char*>(st), 10));
  }
  if (n < kGdbXmm0) {
    // fctrl fstat ftag fiseg fioff foseg fooff fop; the selectors are 0 (deprecated).
    const uint64_t values[8] = {s.sse.fcw, s.sse.fsw, FullTagWord(s.sse), 0,
                                static_cast<uint32_t>(s.sse.fip), 0,
                                static_cast<uint32_t>(s.sse.fdp), s.sse.fop};
    return LittleEndianHex(values[n - kGdbFctrl], size);
  }
  if (n < kGdbMxcsr) {
    return ToHex(std::string_view(reinterpret_cast<const char*>(s.sse.xmm[n - kGdbXmm0]), 16));
  }
  if (n == kGdbMxcsr) return LittleEndianHex(s.sse.mxcsr, size);
  if (n == kGdbFsBase) return LittleEndianHex(cpu_.SegmentBase(kFs), size);
  if (n == kGdbGsBase) return LittleEndianHex(cpu_.SegmentBase(kGs), size);
  const uint64_t system[6] = {s.cr0, s.cr2, s.cr3, s.cr4, s.cr8, s.efer};
  return LittleEndianHex(system[n - kGdbCr0], size);
}

// The debugger may change what an instruction could change without side
// effects elsewhere; selectors, control registers, EFER and the x87
// registers, tags and pointers are shown but kept (a write of the value shown is
// accepted, so that 'G' round-trips).
bool GdbStub::WriteRegister(int n, std::string_view bytes) {
  CpuState& s = cpu_.state;
  const uint64_t v = LoadLittleEndian(bytes);
  if (n < kGdbRip) {
    s.gpr[kGprOrder[n]] = v;
  } else if (n == kGdbRip) {
    s.rip = v;
  } else if (n == kGdbEflags) {
    cpu_.SetRflags((v & kFlagsWritable) | kFlagsFixed1 | (s.rflags & kVM));
  } else if (n >= kGdbXmm0 && n < kGdbMxcsr) {
    std::memcpy(s.sse.xmm[n - kGdbXmm0], bytes.data(), 16);
  } else if (n == kGdbMxcsr) {
    s.sse.mxcsr = static_cast<uint32_t>(v) & 0xffff;
  } else if (n == kGdbFctrl) {
    s.sse.fcw = static_cast<uint16_t>(v);
  } else if (n == kGdbFctrl + 1) {
    s.sse.fsw = static_cast<uint16_t>(v);
  } else if (n == kGdbFsBase || n == kGdbGsBase) {
    const SegReg r = n == kGdbFsBase ? kFs : kGs;
    Segment seg = s.seg[r];
    seg.base = v;
    cpu_.LoadSegmentCache(r, seg);
  } else {
    return ReadRegister(n) == ToHex(bytes);
  }
  return true;
}

std::string GdbStub::ReadAllRegisters() const {
  std::string out;
  for (int n = 0; n < kGdbRegisterCount; ++n) out += ReadRegister(n);
  return out;
}

bool GdbStub::WriteAllRegisters(std::string_view bytes) {
  bool ok = true;
  for (int n = 0; n < kGdbRegisterCount && !bytes.empty(); ++n) {
    const size_t size = static_cast<size_t>(GdbRegisterSize(n));
    if (bytes.size() < size) return false;
    ok = WriteRegister(n, bytes.substr(0, size)) && ok;
    bytes.remove_prefix(size);
  }
  return ok;
}

void GdbStub::SnapshotWatchpoints() {
  for (Watchpoint& w : watchpoints_) {
    if (w.kind != kWrite) continue;
    const std::string bytes = machine_.PeekVirtual(w.addr, w.len);
    w.value = bytes.size() == w.len ? std::optional<std::string>(bytes) : std::nullopt;
    w.cr3 = cpu_.state.cr3;
  }
}

// A change seen in the address space of the last look is a write by the
// instruction (or the event delivery) in between; one seen across a CR3
// change is another address space's memory, not a write.
bool GdbStub::CheckWriteWatchpoints() {
  for (Watchpoint& w : watchpoints_) {
    if (w.kind != kWrite) continue;
    const std::string bytes = machine_.PeekVirtual(w.addr, w.len);
    std::optional<std::string> now = bytes.size() == w.len ? std::optional<std::string>(bytes) : std::nullopt;
    const bool changed = w.cr3 == cpu_.state.cr3 && now && w.value && *now != *w.value;
    w.value = std::move(now);
    w.cr3 = cpu_.state.cr3;
    if (changed) {
      stop_ = {kSigTrap, absl::StrFormat("watch:%x;", w.addr)};
      return true;
    }
  }
  return false;
}

std::optional<uint64_t> GdbStub::AccessedWatchpoint(uint64_t rip, BreakKind* kind) {
  bool any = false;
  for (const Watchpoint& w : watchpoints_) any |= w.kind != kWrite;
  if (!any) return std::nullopt;
  const bool long64 = cpu_.state.mode == CpuMode::kLong64;
  const uint64_t fetch = cpu_.SegmentBase(kCs) + rip;
  const std::string code = machine_.PeekVirtual(long64 ? fetch : static_cast<uint32_t>(fetch), 15);
  ZydisDecoder decoder;
  InitCodeDecoder(&decoder, CodeWidthOf(cpu_.state.mode, !cpu_.state.seg[kCs].default_big()));
  ZydisDecodedInstruction insn;
  ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
  if (!ZYAN_SUCCESS(ZydisDecoderDecodeFull(&decoder, code.data(), code.size(), &insn, ops))) return std::nullopt;
  ZydisRegisterContext regs;
  std::memset(&regs, 0, sizeof(regs));
  for (int i = 0; i < 16; ++i) {
    const uint64_t v = cpu_.state.gpr[i];
    regs.values[ZydisRegisterEncode(ZYDIS_REGCLASS_GPR64, static_cast<ZyanU8>(i))] = v;
    regs.values[ZydisRegisterEncode(ZYDIS_REGCLASS_GPR32, static_cast<ZyanU8>(i))] = static_cast<uint32_t>(v);
    regs.values[ZydisRegisterEncode(ZYDIS_REGCLASS_GPR16, static_cast<ZyanU8>(i))] = static_cast<uint16_t>(v);
  }
  for (int i = 0; i < insn.operand_count; ++i) {
    const ZydisDecodedOperand& op = ops[i];
    if (op.type != ZYDIS_OPERAND_TYPE_MEMORY || op.mem.type == ZYDIS_MEMOP_TYPE_AGEN) continue;
    ZyanU64 ea = 0;
    if (!ZYAN_SUCCESS(ZydisCalcAbsoluteAddressEx(&insn, &op, rip, &regs, &ea))) continue;
    // Zydis orders ES CS SS DS FS GS as SegReg does; SegmentBase is 0 for
    // all but FS and GS in 64-bit mode.
    const int seg_index = op.mem.segment - ZYDIS_REGISTER_ES;
    const uint64_t seg =
        seg_index >= 0 && seg_index < 6 ? cpu_.SegmentBase(static_cast<SegReg>(seg_index)) : 0;
    const uint64_t first = ea + seg;
    const uint64_t last = first + std::max<uint64_t>(op.size / 8, 1) - 1;
    const bool reads = op.actions & ZYDIS_OPERAND_ACTION_MASK_READ;
    for (const Watchpoint& w : watchpoints_) {
      if (w.kind == kWrite || (w.kind == kRead && !reads)) continue;
      if (first <= w.addr + w.len - 1 && w.addr <= last) {
        *kind = w.kind;
        return w.addr;
      }
    }
  }
  return std::nullopt;
}

}  // namespace x64sim
