#!/usr/bin/env bash
# Runs every test twice, as built normally and under AddressSanitizer +
# UndefinedBehaviorSanitizer, then each fuzz target for 30 s, and prints
# "tests: N passed, M failed, K skipped" counted from the real results.
# Exits non-zero on any failure.
# Installs nothing: tools/setup.sh does that. Without qemu-system-x86_64 a
# QEMU test that skips (saying why) counts as skipped, not passed.
set -uo pipefail
cd "$(dirname "$0")/.."
command -v bazel >/dev/null || { echo "test.sh: bazel not found; run tools/setup.sh first" >&2; exit 1; }
command -v qemu-system-x86_64 >/dev/null ||
  echo "test.sh: qemu-system-x86_64 not found: the QEMU tests will be skipped (tools/setup.sh installs it)" >&2

# Tests tagged manual (long sweeps) are not part of `bazel test //...`.
targets=$(bazel query 'tests(//...) except attr(tags, "manual", tests(//...))' 2>/dev/null) || { echo "tests: 0 passed, 1 failed, 0 skipped"; exit 1; }
passed=0
failed=0
skipped=0
status=0
for config in "" "--config=asan"; do
  echo "== bazel test //... ${config:-(default)}" >&2
  # shellcheck disable=SC2086
  bazel test //... $config --keep_going --test_output=errors --test_summary=terse || status=1
  read -r p f s < <(python3 tools/count_test_results.py "$(bazel info $config bazel-testlogs 2>/dev/null)" $targets)
  passed=$((passed + p))
  failed=$((failed + f))
  skipped=$((skipped + s))
done
# A 30-second smoke run of every libFuzzer target (tools/fuzz.sh), each
# counted as one test, from a fresh working corpus so the run depends only
# on the checked-in one.
if command -v clang-14 >/dev/null; then
  echo "== fuzz smoke runs" >&2
  fuzz_work=$(mktemp -d)
  read -r p f < <(FUZZ_WORK=$fuzz_work tools/fuzz.sh --smoke 30 | sed -n 's/^fuzz: \([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p')
  rm -rf "$fuzz_work"
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-1}))
else
  echo "test.sh: clang-14 not found: the fuzz smoke runs are skipped (tools/setup.sh installs it)" >&2
  skipped=$((skipped + 6))
fi
[ "$failed" -gt 0 ] && status=1
echo "tests: $passed passed, $failed failed, $skipped skipped"
exit $status
