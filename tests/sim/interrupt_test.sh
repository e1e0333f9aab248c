#!/bin/bash
# SIGINT and SIGTERM stop a running guest at a block boundary with exit code
# 16, and every output file is complete: the JSON statistics parse, every
# MMU trace line is a JSON object, the timeline is well-formed with every
# span ended, and no temporary file is left behind.
# Usage: interrupt_test.sh X64SIM COMPUTE_IMAGE TIMELINE_CHECKER
set -u
sim="$1"
compute="$2"
timeline_check="$3"
tmp="${TEST_TMPDIR:-$(mktemp -d)}"
failures=0
check() {  # check NAME CONDITION...
  local name="$1"
  shift
  if "$@"; then echo "PASS $name"; else echo "FAIL $name"; failures=$((failures + 1)); fi
}

for signal in INT TERM; do
  dir="$tmp/$signal"
  mkdir -p "$dir"
  # A run of about a minute unless stopped.
  "$sim" --kernel="$compute" --cmdline="rounds=100000" --stats="$dir/stats.json" \
    --stats-format=json --trace-mmu="$dir/trace.jsonl" --timeline="$dir/timeline.json" \
    >"$dir/out" 2>"$dir/err" &
  pid=$!
  # The trace goes to a temporary file until the run ends: once it exists
  # the guest is booting; a second later it is well into its rounds.
  for _ in $(seq 100); do
    [ -e "$dir/trace.jsonl.tmp" ] && break
    sleep 0.1
  done
  sleep 1
  # Twice, as timeout(1) does (to the process and to its group): one stop.
  kill -"$signal" "$pid"
  kill -"$signal" "$pid" 2>/dev/null
  wait "$pid"
  status=$?
  check "SIG$signal: exit 16" test "$status" -eq 16
  check "SIG$signal: says which signal" grep -q "stopped by signal" "$dir/err"
  check "SIG$signal: outputs complete" /usr/bin/python3 - "$dir/stats.json" "$dir/trace.jsonl" <<'PY'
import json, sys
stats = json.load(open(sys.argv[1]))["stats"]
assert stats["cpu.instructions"] > 0
assert stats["roi.0.ended"].startswith("no"), stats["roi.0.ended"]
lines = open(sys.argv[2]).read().splitlines()
assert lines, "empty trace"
for line in lines:
    json.loads(line)
PY
  check "SIG$signal: timeline complete" python3 "$timeline_check" "$dir/timeline.json" --span "CPL 0"
  check "SIG$signal: no temporary files" test -z "$(ls "$dir" | grep '\.tmp$')"
done

echo "failures: $failures"
[ "$failures" -eq 0 ]
