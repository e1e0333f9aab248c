#!/bin/bash
# One point of a sweep (defs.bzl): runs x64sim and leaves stats.json,
# console.txt and point.json in the test's undeclared outputs.
# Usage: run_point.sh X64SIM EXIT_STATUS SWEEP VALUE X64SIM_FLAGS...
set -u
sim="$1"
expected="$2"
sweep="$3"
value="$4"
shift 4
out="${TEST_UNDECLARED_OUTPUTS_DIR:-$PWD}"
mkdir -p "$out"
"$sim" "$@" --stats="$out/stats.json" --stats-format=json >"$out/console.txt" 2>"$out/stderr.txt"
status=$?
printf '{"sweep": "%s", "value": "%s"}\n' "$sweep" "$value" >"$out/point.json"
if [ "$status" -ne "$expected" ]; then
  echo "FAIL $sweep=$value: x64sim exited $status, expected $expected"
  cat "$out/stderr.txt"
  exit 1
fi
echo "PASS $sweep=$value"
