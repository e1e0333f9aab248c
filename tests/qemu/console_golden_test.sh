#!/bin/bash
# Boots a guest with RUNNER (//tools:run_qemu or //sim:x64sim: both take
# --kernel/--module/--cmdline and print the guest console on stdout) and
# checks the console against a golden file and the exit status.
#
# Usage: console_golden_test.sh RUNNER EXPECTED_CONSOLE EXPECTED_STATUS [RUNNER_ARG]...
set -u

if [[ $# -lt 3 ]]; then
  echo "usage: $0 RUNNER EXPECTED_CONSOLE EXPECTED_STATUS [RUNNER_ARG]..." >&2
  exit 2
fi
runner="$1"
expected_console="$2"
expected_status="$3"
shift 3

out_dir="${TEST_TMPDIR:-$(mktemp -d)}"
actual_console="$out_dir/console.txt"
runner_stderr="$out_dir/stderr.txt"

"$runner" "$@" >"$actual_console" 2>"$runner_stderr"
status=$?

failed=0
if ! diff -u "$expected_console" "$actual_console"; then
  echo "FAIL: console differs from $expected_console (- expected, + actual)"
  failed=1
fi
if [[ "$status" != "$expected_status" ]]; then
  echo "FAIL: exit status $status, expected $expected_status"
  failed=1
fi
if [[ $failed -ne 0 ]]; then
  echo "--- $runner stderr:"
  cat "$runner_stderr"
  exit 1
fi
echo "PASS: $(wc -l <"$actual_console") console lines match, exit status $status"
