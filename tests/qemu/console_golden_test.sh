#!/bin/bash
# Boots a guest with RUNNER (//tools:run_qemu or //sim:x64sim: both take
# --kernel/--module/--cmdline and print the guest console on stdout) and
# checks the console against a golden file and the exit status.
#
# With --needs_qemu (RUNNER is //tools:run_qemu), a machine without
# qemu-system-x86_64 skips the test, saying so, instead of failing it.
#
# Usage: console_golden_test.sh [--needs_qemu] RUNNER EXPECTED_CONSOLE EXPECTED_STATUS
#                               [RUNNER_ARG]...
set -u

needs_qemu=0
if [[ "${1:-}" == --needs_qemu ]]; then
  needs_qemu=1
  shift
fi
if [[ $# -lt 3 ]]; then
  echo "usage: $0 [--needs_qemu] RUNNER EXPECTED_CONSOLE EXPECTED_STATUS [RUNNER_ARG]..." >&2
  exit 2
fi
if [[ $needs_qemu == 1 ]] && ! command -v qemu-system-x86_64 >/dev/null; then
  reason="qemu-system-x86_64 is not installed (not on PATH): QEMU test skipped; tools/setup.sh installs it"
  echo "SKIPPED: $reason"
  # Bazel keeps a JUnit XML the test wrote itself: one case, skipped.
  if [[ -n "${XML_OUTPUT_FILE:-}" ]]; then
    name="${TEST_TARGET:-console_golden_test}"
    cat >"$XML_OUTPUT_FILE" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<testsuites tests="1" failures="0" skipped="1">
  <testsuite name="$name" tests="1" failures="0" skipped="1">
    <testcase name="$name" classname="$name"><skipped message="$reason"/></testcase>
  </testsuite>
</testsuites>
EOF
  fi
  exit 0
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
