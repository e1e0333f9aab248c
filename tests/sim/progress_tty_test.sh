#!/bin/bash
# The progress line: drawn on stderr when it is a terminal (a pseudo-terminal
# from script(1) here), about once a second, and taken away before x64sim's
# own last line; never with --quiet, never into a file or a pipe.
# Usage: progress_tty_test.sh X64SIM COMPUTE_IMAGE
set -u
sim="$1"
compute="$2"
tmp="${TEST_TMPDIR:-$(mktemp -d)}"
failures=0
check() {  # check NAME CONDITION...
  local name="$1"
  shift
  if "$@"; then echo "PASS $name"; else echo "FAIL $name"; failures=$((failures + 1)); fi
}
if ! command -v script >/dev/null; then
  echo "SKIP: script(1) (util-linux) is needed for a pseudo-terminal"
  exit 0
fi

# A run of about a minute, stopped by SIGINT after 2.5 s (exit 16).
run="--kernel=$compute --cmdline=rounds=100000"
for quiet in "" --quiet; do
  name=${quiet:-default}
  script -qec "timeout --preserve-status -s INT 2.5 $sim $run $quiet; echo status=\$?" /dev/null >"$tmp/$name.tty" 2>&1
  check "$name: the run ended by SIGINT" grep -q "status=16" "$tmp/$name.tty"
  check "$name: x64sim says why on a line of its own" grep -qP '(^|\r\033\[K)x64sim: stopped by signal 2' "$tmp/$name.tty"
done
check "terminal: a progress line" grep -qP '\rx64sim: [0-9.]+ [MG]?\s?instructions, [0-9]+ MIPS, [0-9.]+ s simulated' "$tmp/default.tty"
check "--quiet: none" bash -c "! grep -q MIPS '$tmp/--quiet.tty'"

timeout --preserve-status -s INT 2.5 "$sim" $run 2>"$tmp/file.err" >/dev/null
check "file: none" bash -c "! grep -q MIPS '$tmp/file.err'"

echo "failures: $failures"
[ "$failures" -eq 0 ]
