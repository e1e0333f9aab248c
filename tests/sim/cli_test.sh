#!/bin/bash
# x64sim's command line and stops: each bad input or simulator-side stop
# gives its documented exit code and a one-line reason on stderr.
# Usage: cli_test.sh X64SIM DEMO_IMAGE
set -u
sim="$1"
demo="$2"
tmp="${TEST_TMPDIR:-$(mktemp -d)}"
failures=0

# A 32-bit a.out-kludge multiboot image loaded at 1 MiB whose code (hex
# bytes) starts at offset 0x20.
make_image() {
  python3 - "$1" "$2" <<'PY'
import struct, sys
code = bytes.fromhex(sys.argv[2])
magic, flags = 0x1BADB002, 0x10000
header = struct.pack("<8I", magic, flags, (-(magic + flags)) & 0xffffffff,
                     0x100000, 0x100000, 0, 0, 0x100020)
open(sys.argv[1], "wb").write(header.ljust(0x20, b"\0") + code)
PY
}

# expect NAME STATUS STDERR_FRAGMENT STDOUT_EXPECTED -- ARGS...
expect() {
  local name="$1" want_status="$2" want_err="$3" want_out="$4"
  shift 5
  "$sim" "$@" >"$tmp/out" 2>"$tmp/err"
  local status=$?
  local ok=1
  [[ "$status" == "$want_status" ]] || ok=0
  [[ -z "$want_err" ]] || grep -qF -- "$want_err" "$tmp/err" || ok=0
  [[ "$(cat "$tmp/out")" == "$want_out" ]] || ok=0
  if [[ $ok == 1 ]]; then
    echo "PASS $name"
  else
    echo "FAIL $name: status $status (want $want_status), stderr:"
    cat "$tmp/err"
    echo "stdout: $(cat "$tmp/out")"
    failures=$((failures + 1))
  fi
}

make_image "$tmp/exit5.img" "66baf400b005ee"                 # out 0xf4, 5
make_image "$tmp/hello.img" "66baf803b041ee66baf400b000ee"   # 'A' to COM1, then exit 0
make_image "$tmp/spin.img" "ebfe"                            # jmp $
make_image "$tmp/ud2.img" "0f0b"                             # #UD with no IDT
make_image "$tmp/nowhere.img" "b8000000f0ffe0"               # jmp to unbacked 0xf0000000: ff ff is #UD
make_image "$tmp/halt.img" "faf4"                            # cli; hlt
make_image "$tmp/tsx.img" "0f01d6"                           # xtest (TSX): not implemented
make_image "$tmp/rdrand.img" "0fc7f066baf400ee"             # rdrand eax; exit with al
make_image "$tmp/unbacked.img" "c705000000f078563412a1000000f083f8ff0f95c066baf400ee"  # write, read back 0xf0000000
make_image "$tmp/absent-mmio.img" "a10000d4fe83f8ff0f95c066baf400ee"  # read the (absent) TPM at 0xfed40000
printf 'garbage' >"$tmp/garbage.img"
python3 - "$tmp" <<'PY'
import struct, sys
d = sys.argv[1]
magic = 0x1BADB002
def mb(flags, fields=b""):
    return struct.pack("<3I", magic, flags, (-(magic + flags)) & 0xffffffff) + fields
# ELF magic with an invalid class byte; an ELF64 header cut short; a header
# asking for a video mode; an a.out kludge image whose bss ends at 4 MiB.
open(d + "/badclass.img", "wb").write(b"\x7fELF\x07\x01\x01" + bytes(57) + mb(3))
open(d + "/truncated.img", "wb").write(b"\x7fELF\x02\x01\x01" + bytes(17) + mb(3))
open(d + "/video.img", "wb").write(mb(7) + bytes(64))
open(d + "/big.img", "wb").write(mb(0x10000, struct.pack("<5I", 0x100000, 0x100000, 0, 0x400000, 0x100020)).ljust(0x20, b"\0") + b"\xf4")
PY
mkdir -p "$tmp/dir.img"

expect no-kernel 2 "--kernel=IMAGE (or --restore=FILE) is required" "" --
expect unknown-flag 2 "unknown flag '--bogus'" "" -- --kernel="$demo" --bogus
expect unknown-cpuid 2 "unknown CPU model 'pentium' (known: skylake, nehalem, haswell)" "" -- --kernel="$demo" --cpuid=pentium
expect bad-value 2 "bad value 'many' for --max_instructions" "" -- --kernel="$demo" --max-instructions=many
expect stray-argument 2 "unexpected argument 'extra'" "" -- --kernel="$demo" extra
expect bad-unimplemented-mode 2 "--unimplemented must be" "" -- --kernel="$demo" --unimplemented=maybe
expect missing-kernel 4 "cannot open '$tmp/none'" "" -- --kernel="$tmp/none"
expect missing-module 4 "module: cannot open '$tmp/none'" "" -- --kernel="$demo" --module="$tmp/none,x"
expect garbage-image 4 "no multiboot header" "" -- --kernel="$tmp/garbage.img"
expect kernel-is-directory 4 "'$tmp/dir.img' is a directory" "" -- --kernel="$tmp/dir.img"
expect module-is-directory 4 "'$tmp/dir.img' is a directory" "" -- --kernel="$demo" --module="$tmp/dir.img"
expect elf-bad-class 4 "bad ELF class 7" "" -- --kernel="$tmp/badclass.img"
expect elf-truncated 4 "truncated ELF header" "" -- --kernel="$tmp/truncated.img"
expect multiboot-video-mode 4 "requires what x64sim cannot provide (flags 0x7" "" -- --kernel="$tmp/video.img"
expect image-larger-than-ram 4 "kernel image [0x100000, 0x400000) does not fit in 2 MiB of RAM" "" -- --kernel="$tmp/big.img" --memory-mib=2
expect memory-too-small 2 "--memory_mib must be 2..3072" "" -- --kernel="$demo" --memory-mib=1
expect core-clock-too-slow 2 "--core_mhz must be 100..10000" "" -- --kernel="$demo" --core-mhz=99
expect core-clock-too-fast 2 "--core_mhz must be 100..10000" "" -- --kernel="$demo" --core-mhz=10001
expect uarch-is-directory 2 "'$tmp/dir.img' is a directory" "" -- --kernel="$demo" --uarch="$tmp/dir.img"
expect stats-unwritable 14 "cannot write '$tmp/no/such/dir/stats'" "" -- --kernel="$tmp/exit5.img" --stats="$tmp/no/such/dir/stats"
expect stats-disk-full 14 "cannot write '/dev/full': No space left on device" "" -- --kernel="$tmp/exit5.img" --stats=/dev/full
expect unbacked-memory-reads-ones 0 "" "" -- --kernel="$tmp/unbacked.img"
expect absent-mmio-reads-ones 0 "" "" -- --kernel="$tmp/absent-mmio.img"
expect guest-exit 11 "" "" -- --kernel="$tmp/exit5.img"
expect console 0 "" "A" -- --kernel="$tmp/hello.img"
expect instruction-limit 6 "instruction limit of 1000 reached at rip 0x100020 (32-bit protected mode)" "" -- --kernel="$tmp/spin.img" --max-instructions=1000
expect triple-fault 8 "triple fault" "" -- --kernel="$tmp/ud2.img"
expect jump-into-nowhere 8 "at 0xf0000000 (32-bit protected mode): no memory to fetch from" "" -- --kernel="$tmp/nowhere.img"
expect halted-forever 12 "hlt at rip 0x100022 with interrupts disabled" "" -- --kernel="$tmp/halt.img"
expect unimplemented-stop 10 "unimplemented instruction at 0x100020 (32-bit protected mode): xtest" "" -- --kernel="$tmp/tsx.img" --unimplemented=stop
expect unimplemented-ud 10 "last unimplemented instruction: xtest" "" -- --kernel="$tmp/tsx.img"

# An MMU trace to a full disk (the demo pages, so it has translations to
# write): the write error ends the run with exit 14 and names the file.
"$sim" --kernel="$demo" --trace-mmu=/dev/full >/dev/null 2>"$tmp/err"
status=$?
if [[ $status == 14 ]] && grep -qF "cannot write '/dev/full': No space left on device" "$tmp/err"; then
  echo "PASS trace-disk-full"; else
  echo "FAIL trace-disk-full: status $status"; cat "$tmp/err"; failures=$((failures + 1)); fi

# The statistics report counts the unimplemented instruction by name.
"$sim" --kernel="$tmp/tsx.img" --stats="$tmp/stats" >/dev/null 2>&1
if grep -qx "xtest 1" "$tmp/stats"; then echo "PASS stats-unimplemented"; else
  echo "FAIL stats-unimplemented:"; cat "$tmp/stats"; failures=$((failures + 1)); fi

# Under `bazel run`, relative paths are taken from where bazel was run
# (BUILD_WORKING_DIRECTORY), inputs and outputs alike.
mkdir -p "$tmp/wd"
cp "$demo" "$tmp/wd/demo.img"
abs_sim="$(realpath "$sim")"
(cd / && BUILD_WORKING_DIRECTORY="$tmp/wd" "$abs_sim" --kernel=demo.img --stats=run.stats \
  >/dev/null 2>&1)
if grep -q "^instructions " "$tmp/wd/run.stats" 2>/dev/null; then echo "PASS build-working-directory"; else
  echo "FAIL build-working-directory: no $tmp/wd/run.stats"; failures=$((failures + 1)); fi

# --help: every flag under a heading of its purpose (none left to
# "other"), with examples.
"$sim" --help >"$tmp/help" 2>"$tmp/err"
status=$?
missing=""
for flag in kernel module cmdline memory-mib core-mhz rdrand-seed unimplemented max-instructions quiet \
    timing uarch uarch-set tlb-model fast-forward stats stats-format trace-mmu trace-mmu-filter \
    trace-mmu-faults-only timeline gdb gdb-wait checkpoint checkpoint-at stop-after-checkpoint \
    restore; do
  grep -qE -- "^  --$flag(=|$)" "$tmp/help" || missing+=" --$flag"
done
if [[ $status == 0 && -z "$missing" ]] && ! grep -q "^ other:" "$tmp/help" &&
    grep -q "^ the timing model" "$tmp/help" && grep -q "^examples" "$tmp/help"; then
  echo "PASS help"; else
  echo "FAIL help: status $status, missing:$missing"; cat "$tmp/help"; failures=$((failures + 1)); fi

# --rdrand-seed: the same seed, the same numbers; another seed, others.
rdrand_status() { "$sim" --kernel="$tmp/rdrand.img" "$@" >/dev/null 2>&1; echo $?; }
a=$(rdrand_status --rdrand-seed=1); b=$(rdrand_status --rdrand-seed=1); c=$(rdrand_status --rdrand-seed=2)
if [[ $a == "$b" && $a != "$c" ]]; then echo "PASS rdrand-seed"; else
  echo "FAIL rdrand-seed: seed 1 gave $a then $b, seed 2 gave $c"; failures=$((failures + 1)); fi

# --trace-mmu-filter: only events of the page asked for; a bad filter is
# a bad flag.
"$sim" --kernel="$demo" --trace-mmu="$tmp/all.jsonl" >/dev/null 2>&1
page=$(python3 -c 'import json,sys
for l in open(sys.argv[1]):
    e = json.loads(l)
    if e.get("ev") == "translate": print(e["linear"]); break' "$tmp/all.jsonl")
"$sim" --kernel="$demo" --trace-mmu="$tmp/one.jsonl" --trace-mmu-filter="$page" >/dev/null 2>&1
if python3 - "$tmp/all.jsonl" "$tmp/one.jsonl" "$page" <<'PY'
import json, sys
page = int(sys.argv[3], 16) & ~0xfff
def kept(e):  # docs/trace-format.md: scope-wide events carry no address and pass
    scope_wide = e["ev"] == "invalidate" and e["reason"] not in ("invlpg", "invpcid-0", "page-fault")
    return scope_wide or (int(e["linear"], 16) & ~0xfff) == page
every = [json.loads(l) for l in open(sys.argv[1])]
one = [json.loads(l) for l in open(sys.argv[2])]
assert one and len(one) < len(every), (len(one), len(every))
assert all(kept(e) for e in one), [e for e in one if not kept(e)][:3]
assert len(one) == sum(1 for e in every if kept(e)), (len(one), sum(1 for e in every if kept(e)))
PY
then echo "PASS trace-mmu-filter"; else echo "FAIL trace-mmu-filter (page $page)"; failures=$((failures + 1)); fi
expect trace-mmu-filter-bad 2 "--trace_mmu_filter:" "" -- --kernel="$demo" --trace-mmu=- --trace-mmu-filter=zz

# Checkpoint flags (tests/sim/checkpoint_test.sh checks what they do).
expect checkpoint-at-alone 2 "--checkpoint_at needs --checkpoint=FILE" "" -- --kernel="$demo" --checkpoint-at=5
expect stop-after-alone 2 "--stop_after_checkpoint needs --checkpoint=FILE" "" -- --kernel="$demo" --stop-after-checkpoint
expect checkpoint-unwritable 14 "cannot write '$tmp/no/such/dir/ck'" "" -- --kernel="$demo" --checkpoint="$tmp/no/such/dir/ck" --checkpoint-at=1
expect checkpoint-never-reached 2 "the run ended after" "" -- --kernel="$tmp/exit5.img" --checkpoint="$tmp/late.ckpt" --checkpoint-at=1000000000 --stop-after-checkpoint
expect restore-missing 14 "cannot open '$tmp/none'" "" -- --restore="$tmp/none"
expect restore-garbage 20 "not an x64sim checkpoint" "" -- --restore="$tmp/garbage.img"
expect restore-with-kernel 2 "--kernel cannot be given with --restore" "" -- --restore="$tmp/garbage.img" --kernel="$demo"
expect restore-with-module 2 "--module cannot be given with --restore" "" -- --restore="$tmp/garbage.img" --module="$demo"
expect restore-with-memory 2 "--memory_mib cannot be given with --restore" "" -- --restore="$tmp/garbage.img" --memory-mib=64
expect restore-with-core-clock 2 "--core_mhz cannot be given with --restore" "" -- --restore="$tmp/garbage.img" --core-mhz=1000

echo "$failures failure(s)"
[[ $failures == 0 ]]
