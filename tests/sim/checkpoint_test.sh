#!/bin/bash
# Checkpoints (docs/checkpoints.md): a run restored from a checkpoint prints
# the rest of the console and ends with statistics and cycle counts
# byte-identical to the run that was never interrupted, for the tutorial's
# last stage and for ipcbench; taking a checkpoint changes nothing; a
# checkpoint the guest asks for works too; other models restore cold; bad
# files are refused with exit code 20.
# Usage: checkpoint_test.sh X64SIM KERNEL IPCBENCH STAGE15 COMPUTE
set -u
sim="$1"
kernel="$2"
ipcbench="$3"
stage15="$4"
compute="$5"
tmp="${TEST_TMPDIR:-$(mktemp -d)}"
failures=0

pass() { echo "PASS $1"; }
fail() {
  echo "FAIL $1"
  failures=$((failures + 1))
}

# same NAME FILE_A FILE_B: the two files are byte-identical.
same() {
  if cmp -s "$2" "$3"; then return 0; fi
  echo "  $1: $2 and $3 differ:"
  diff "$2" "$3" | head -10
  return 1
}

# identical NAME MODULE AT [FLAGS...]: a checkpoint after AT instructions,
# restored, gives the uninterrupted run's console, stats (text and JSON)
# and exit status; so does the run that writes the checkpoint and goes on.
identical() {
  local name="$1" module="$2" at="$3"
  shift 3
  local d="$tmp/$name"
  mkdir -p "$d"
  local guest=(--kernel="$kernel" --module="$module" "$@")
  "$sim" "${guest[@]}" --stats="$d/full.txt" >"$d/full.out" 2>/dev/null
  local full_status=$?
  "$sim" "${guest[@]}" --stats="$d/full.json" --stats-format=json >/dev/null 2>&1
  "$sim" "${guest[@]}" --stats="$d/cont.txt" --checkpoint="$d/a.ckpt" --checkpoint-at="$at" \
    >"$d/cont.out" 2>"$d/cont.err"
  local cont_status=$?
  "$sim" "${guest[@]}" --checkpoint="$d/b.ckpt" --checkpoint-at="$at" --stop-after-checkpoint \
    >"$d/before.out" 2>"$d/before.err"
  local before_status=$?
  "$sim" --restore="$d/b.ckpt" --stats="$d/restored.txt" >"$d/after.out" 2>"$d/after.err"
  local after_status=$?
  "$sim" --restore="$d/b.ckpt" --stats="$d/restored.json" --stats-format=json >/dev/null 2>&1
  cat "$d/before.out" "$d/after.out" >"$d/joined.out"
  if [[ $before_status == 0 && $after_status == "$full_status" && $cont_status == "$full_status" ]] &&
      grep -q "checkpoint written to $d/b.ckpt after" "$d/before.err" &&
      same console "$d/full.out" "$d/joined.out" && same stats "$d/full.txt" "$d/restored.txt" &&
      same json "$d/full.json" "$d/restored.json" && same continued-console "$d/full.out" "$d/cont.out" &&
      same continued-stats "$d/full.txt" "$d/cont.txt" && same checkpoint-file "$d/a.ckpt" "$d/b.ckpt" &&
      grep -q "^cycles [1-9]" "$d/restored.txt"; then
    pass "$name"
  else
    fail "$name: status full $full_status, continued $cont_status, before $before_status, after $after_status"
    cat "$d/before.err" "$d/after.err"
  fi
}

identical tutorial "$stage15" 600000
identical tutorial-early "$stage15" 1
identical ipcbench "$ipcbench" 2500000
identical ipcbench-timing-off "$ipcbench" 2500000 --timing=off
identical ipcbench-zen4 "$ipcbench" 900000 --uarch=zen4
# The model's name is in the checkpoint: a haswell run restores as haswell.
identical ipcbench-haswell "$ipcbench" 2500000 --cpuid=haswell
# So is the core's clock: a 1 GHz run restores at 1 GHz.
identical ipcbench-1ghz "$ipcbench" 2500000 --core-mhz=1000
if grep -q "^core_mhz 1000$" "$tmp/ipcbench-1ghz/restored.txt" &&
    grep -q "^core_mhz 3400$" "$tmp/ipcbench/restored.txt" &&
    ! same 1ghz-stats "$tmp/ipcbench/full.txt" "$tmp/ipcbench-1ghz/full.txt" >/dev/null; then
  pass restore-core-clock
else
  fail "restore-core-clock: $(grep core_mhz "$tmp/ipcbench-1ghz/restored.txt")"
fi

# Where the guest asks (x64sim_checkpoint() in the compute guest, after its
# set-up): restored, the rest of the run is the uninterrupted run's.
d="$tmp/request"
mkdir -p "$d"
"$sim" --kernel="$compute" --cmdline=rounds=1 --stats="$d/full.txt" >"$d/full.out" 2>/dev/null
"$sim" --kernel="$compute" --cmdline=rounds=1 --checkpoint="$d/c.ckpt" --stop-after-checkpoint \
  >"$d/before.out" 2>/dev/null
"$sim" --restore="$d/c.ckpt" --stats="$d/restored.txt" >"$d/after.out" 2>/dev/null
cat "$d/before.out" "$d/after.out" >"$d/joined.out"
if [[ -s "$d/after.out" ]] && grep -q "compute: done" "$d/after.out" &&
    ! grep -q "compute: rounds" "$d/after.out" && same console "$d/full.out" "$d/joined.out" &&
    same stats "$d/full.txt" "$d/restored.txt"; then
  pass guest-request
else
  fail guest-request
fi

# metadata FILE FIELD: a field of a checkpoint's JSON header.
metadata() {
  python3 - "$1" "$2" <<'PY'
import json, struct, sys
data = open(sys.argv[1], "rb").read()
at = len(b"x64sim checkpoint\n") + 4
size = struct.unpack_from("<I", data, at)[0]
print(json.loads(data[at + 4 : at + 4 + size])[sys.argv[2]])
PY
}
# The console without the counts ipcbench prints: cycles depend on the
# model, and so do instruction counts a little (timer interrupts come at
# cycles, so a region may take one more or one fewer).
uncycled() { sed -E 's/(cycles|instructions)[a-z_]*=[0-9.]+ ?//g' "$1"; }

# Another model restores cold: the same console but for counts, a note on
# stderr, and the clock going on from the checkpoint.
d="$tmp/ipcbench"
"$sim" --restore="$d/b.ckpt" --uarch-set="core.rob 64" --stats="$d/cold.txt" >"$d/cold.out" 2>"$d/cold.err"
status=$?
cycles_at=$(metadata "$d/b.ckpt" cycles)
cold_cycles=$(sed -n 's/^cycles //p' "$d/cold.txt" | head -1)
if [[ $status == 0 ]] && grep -q "start empty" "$d/cold.err" &&
    same cold-console <(uncycled "$d/after.out") <(uncycled "$d/cold.out") &&
    [[ $cold_cycles -gt $cycles_at ]] && ! same cold-stats "$d/restored.txt" "$d/cold.txt" >/dev/null; then
  pass restore-cold
else
  fail "restore-cold: status $status, cycles at checkpoint $cycles_at, at end $cold_cycles"
  cat "$d/cold.err"
fi

# Taken functionally, restored timed: the model starts at the checkpoint's clock.
d="$tmp/ipcbench-timing-off"
"$sim" --restore="$d/b.ckpt" --timing=on --stats="$d/timed.txt" >"$d/timed.out" 2>/dev/null
status=$?
if [[ $status == 0 ]] && same timed-console <(uncycled "$d/after.out") <(uncycled "$d/timed.out") &&
    grep -q "^\[timing\]" "$d/timed.txt"; then
  pass restore-timed
else
  fail "restore-timed: status $status"
fi

# refused NAME FRAGMENT FILE: --restore exits 20 naming the problem.
refused() {
  "$sim" --restore="$3" >/dev/null 2>"$tmp/err"
  local status=$?
  if [[ $status == 20 ]] && grep -qF "$2" "$tmp/err"; then pass "$1"; else
    fail "$1: status $status"
    cat "$tmp/err"
  fi
}
ck="$tmp/ipcbench/b.ckpt"
python3 - "$ck" "$tmp" <<'PY'
import struct, sys
data = open(sys.argv[1], "rb").read()
magic = b"x64sim checkpoint\n"
version_at = len(magic)
meta_len = struct.unpack_from("<I", data, version_at + 4)[0]
payload_at = version_at + 8 + meta_len + 8
old = bytearray(data)
struct.pack_into("<I", old, version_at, 0)
open(sys.argv[2] + "/old.ckpt", "wb").write(old)
flipped = bytearray(data)
flipped[payload_at + len(data[payload_at:]) // 2] ^= 0x40
open(sys.argv[2] + "/flipped.ckpt", "wb").write(flipped)
open(sys.argv[2] + "/short.ckpt", "wb").write(data[: len(data) // 2])
def with_metadata(name, old_text, new_text):  # the checkpoint with its metadata edited
    meta = data[version_at + 8 : version_at + 8 + meta_len].replace(old_text, new_text)
    edited = data[: version_at + 4] + struct.pack("<I", len(meta)) + meta + data[version_at + 8 + meta_len :]
    open(sys.argv[2] + "/" + name, "wb").write(edited)
with_metadata("fast.ckpt", b'"core_mhz": 3400', b'"core_mhz": 20000')
with_metadata("unclocked.ckpt", b'  "core_mhz": 3400,\n', b"")
PY
refused restore-old-version "checkpoint format version 0; this x64sim reads version 6 only" "$tmp/old.ckpt"
refused restore-corrupt "the compressed state is corrupt" "$tmp/flipped.ckpt"
refused restore-truncated "truncated" "$tmp/short.ckpt"
refused restore-core-clock-out-of-range "its core clock, 20000 MHz, is outside 100..10000" "$tmp/fast.ckpt"
# A checkpoint from before the clock was in the metadata ran at 3400 MHz.
"$sim" --restore="$tmp/unclocked.ckpt" --stats="$tmp/unclocked.txt" >/dev/null 2>&1
if ! head -c 600 "$tmp/unclocked.ckpt" | grep -qa core_mhz &&
    same unclocked-stats "$tmp/ipcbench/restored.txt" "$tmp/unclocked.txt"; then
  pass restore-without-core-clock
else
  fail restore-without-core-clock
fi

# The CPU model is the checkpoint's: another --cpuid is refused (exit 2).
"$sim" --restore="$ck" --cpuid=nehalem >/dev/null 2>"$tmp/err"
status=$?
if [[ $status == 2 ]] && grep -qF -- "--cpuid=nehalem: checkpoint $ck was taken with --cpuid=skylake" "$tmp/err"; then
  pass restore-other-cpuid
else
  fail "restore-other-cpuid: status $status"
  cat "$tmp/err"
fi

echo "$failures failure(s)"
[[ $failures == 0 ]]
