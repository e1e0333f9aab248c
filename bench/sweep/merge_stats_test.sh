#!/bin/bash
# A sweep's pieces end to end: run_point.sh for two reorder-buffer sizes
# into a testlogs-like layout (one point zipped as Bazel does, one not),
# then merge_stats.py into a CSV and a plot; the smaller ROB must cost more
# cycles, and a missing sweep is an error.
# Usage: merge_stats_test.sh RUN_POINT MERGE_STATS X64SIM COMPUTE_IMAGE
set -u
run_point="$1"
merge="$2"
sim="$3"
compute="$4"
tmp="${TEST_TMPDIR:-$(mktemp -d)}"
logs="$tmp/testlogs"
failures=0
check() {  # check NAME CONDITION...
  local name="$1"
  shift
  if "$@"; then echo "PASS $name"; else echo "FAIL $name"; failures=$((failures + 1)); fi
}

for rob in 16 224; do
  out="$logs/rob_$rob/test.outputs"
  mkdir -p "$out"
  TEST_UNDECLARED_OUTPUTS_DIR="$out" "$run_point" "$sim" 33 rob "$rob" \
    "--uarch-set=core.rob $rob" --kernel="$compute" --cmdline=rounds=1 >/dev/null
  check "point rob=$rob ran" test $? -eq 0
done
(cd "$logs/rob_224/test.outputs" && /usr/bin/python3 -m zipfile -c outputs.zip ./*.json ./*.txt &&
  rm ./*.json ./*.txt)

/usr/bin/python3 "$merge" "$logs" rob --csv="$tmp/rob.csv" --plot="$tmp/rob.png" \
  --stat=timing.cycles --stat=cpu.instructions >/dev/null
check "merged" test $? -eq 0
check "csv: header and two rows, small ROB slower" /usr/bin/python3 - "$tmp/rob.csv" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1])))
assert rows[0] == ["value", "timing.cycles", "cpu.instructions"], rows[0]
assert [r[0] for r in rows[1:]] == ["16", "224"], rows
assert int(rows[1][1]) > int(rows[2][1]), rows       # fewer entries, more cycles
assert rows[1][2] == rows[2][2], rows                 # the same instructions
PY
check "plot written" test -s "$tmp/rob.png"
/usr/bin/python3 "$merge" "$logs" nothing --csv="$tmp/x.csv" 2>"$tmp/err"
check "unknown sweep: an error" test $? -ne 0
check "unknown sweep: says so" grep -q "no points of sweep 'nothing'" "$tmp/err"

echo "failures: $failures"
[ "$failures" -eq 0 ]
