#!/bin/sh
# The explain-fault command on the sample trace: exit status, one line per
# #PF, and the not-present explanation in the issue's form.
set -eu
out=$(sim/explain-fault tests/mmu/testdata/fault_trace.jsonl)
test "$(printf '%s\n' "$out" | wc -l)" -eq 5
printf '%s\n' "$out" | grep -qF 'PD[56] not present: no page table maps 0x7000000–0x71fffff; error code 0x6 = user write to a not-present page'
# Bad input: exit 1 and a message naming the file and what is wrong.
bad() {
  if sim/explain-fault "$1" >/dev/null 2>"${TEST_TMPDIR:-/tmp}/err"; then echo "FAIL: $1 accepted"; exit 1; fi
  grep -qF "$2" "${TEST_TMPDIR:-/tmp}/err" || { echo "FAIL: $1:"; cat "${TEST_TMPDIR:-/tmp}/err"; exit 1; }
}
bad /nonexistent "cannot open '/nonexistent'"
bad / "'/' is a directory"
printf '{"ev":"translate"\n' >"${TEST_TMPDIR:-/tmp}/broken.jsonl"
bad "${TEST_TMPDIR:-/tmp}/broken.jsonl" "broken.jsonl: line 1:"
echo PASS
