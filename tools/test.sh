#!/usr/bin/env bash
# Runs every test twice, as built normally and under AddressSanitizer +
# UndefinedBehaviorSanitizer, then prints "tests: N passed, M failed, K skipped"
# counted from the test cases' real results. Exits non-zero on any failure.
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
[ "$failed" -gt 0 ] && status=1
echo "tests: $passed passed, $failed failed, $skipped skipped"
exit $status
