#!/bin/bash
# The ISA coverage table in docs/cpu.md is what //uarch:isa_coverage prints
# now: adding or removing an instruction must come with the table updated
# (bazel run //uarch:isa_coverage -- --update=$PWD/docs/cpu.md).
# Usage: isa_coverage_test.sh ISA_COVERAGE DOCS_CPU_MD
set -u
tool="$1"
doc="$2"
tmp="${TEST_TMPDIR:-$(mktemp -d)}"
"$tool" >"$tmp/now" || { echo "FAIL: $tool exited $?"; exit 1; }
# The lines between the markers, without the blank line after the first.
sed -n '/^<!-- isa-coverage: generated/,/^<!-- isa-coverage end -->/p' "$doc" | sed '1d;$d' | sed '1{/^$/d}' >"$tmp/doc"
if ! [ -s "$tmp/doc" ]; then
  echo "FAIL: no coverage table between the markers in $doc"
  exit 1
fi
if ! diff -u "$tmp/doc" "$tmp/now"; then
  echo "FAIL: docs/cpu.md's ISA coverage table is stale; run: bazel run //uarch:isa_coverage -- --update=\$PWD/docs/cpu.md"
  exit 1
fi
echo "PASS: $(grep -c '^| [A-Z0-9_]* |' "$tmp/now") ISA sets, table current"
