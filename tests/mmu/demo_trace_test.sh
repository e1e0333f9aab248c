#!/bin/bash
# Trace golden test: the demo guest under x64sim with
# --trace-mmu=FILE --trace-mmu-faults-only; explain-fault must find exactly
# the demo's deliberate page faults, with the walks in the golden file
# (rip and instret are left out: they move whenever the demo's code does).
# Usage: demo_trace_test.sh X64SIM EXPLAIN_FAULT DEMO GOLDEN
set -eu
sim="$1" explain="$2" demo="$3" golden="$4"
tmp="${TEST_TMPDIR:-$(mktemp -d)}"
status=0
"$sim" --kernel="$demo" --cmdline="demo-arg=1 second-arg=two" \
  --trace-mmu="$tmp/trace.jsonl" --trace-mmu-faults-only >"$tmp/console" 2>"$tmp/stderr" || status=$?
if [[ $status != 33 ]]; then
  echo "FAIL: demo exit status $status (want 33)"; cat "$tmp/stderr"; exit 1
fi
# Every line is a translate event that faulted.
if grep -v '"ev":"translate"' "$tmp/trace.jsonl" | grep -q .; then
  echo "FAIL: faults-only trace holds other events"; exit 1
fi
"$explain" "$tmp/trace.jsonl" | sed 's/ (rip 0x[0-9a-f]*, instret [0-9]*)$//' >"$tmp/explained"
if ! diff -u "$golden" "$tmp/explained"; then
  echo "FAIL: explanations differ from $golden"; exit 1
fi
echo PASS
