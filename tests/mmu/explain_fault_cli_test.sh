#!/bin/sh
# The explain-fault command on the sample trace: exit status, one line per
# #PF, and the not-present explanation in the issue's form.
set -eu
out=$(sim/explain-fault tests/mmu/testdata/fault_trace.jsonl)
test "$(printf '%s\n' "$out" | wc -l)" -eq 5
printf '%s\n' "$out" | grep -qF 'PD[56] not present: no page table maps 0x7000000–0x71fffff; error code 0x6 = user write to a not-present page'
if sim/explain-fault /nonexistent 2>/dev/null; then exit 1; fi
echo PASS
