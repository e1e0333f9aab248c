#!/usr/bin/env bash
# Runs one libFuzzer target of tests/fuzz for SECONDS (docs/robustness.md).
#
#   tools/fuzz.sh TARGET SECONDS      e.g. tools/fuzz.sh executor_fuzzer 1800
#   tools/fuzz.sh --smoke SECONDS     every target, SECONDS each (CI: 30)
#
# Builds with --config=fuzz (clang-14, ASan+UBSan, libFuzzer), searches from
# the checked-in corpus plus a working corpus kept in $FUZZ_WORK (default
# /tmp/x64sim-fuzz/TARGET), and exits non-zero on any finding, which it
# leaves in $FUZZ_WORK/TARGET/findings/ with the command that replays it.
# With --smoke the last line is "fuzz: N passed, M failed".
set -uo pipefail
cd "$(dirname "$0")/.."
targets=(executor_fuzzer differential_fuzzer kernel_fuzzer loader_fuzzer uarch_fuzzer trace_fuzzer checkpoint_fuzzer)

usage() {
  echo "usage: tools/fuzz.sh TARGET SECONDS | tools/fuzz.sh --smoke SECONDS" >&2
  echo "targets: ${targets[*]}" >&2
  exit 2
}
[ $# -eq 2 ] || usage
[[ $2 =~ ^[0-9]+$ ]] && [ "$2" -gt 0 ] || { echo "fuzz.sh: SECONDS must be a positive integer, got '$2'" >&2; exit 2; }
seconds=$2
command -v clang-14 >/dev/null || { echo "fuzz.sh: clang-14 not found; run tools/setup.sh first" >&2; exit 1; }

if [ "$1" = "--smoke" ]; then
  selected=("${targets[@]}")
else
  [[ " ${targets[*]} " == *" $1 "* ]] || { echo "fuzz.sh: no fuzz target '$1'" >&2; usage; }
  selected=("$1")
fi

# The guest images kernel_fuzzer boots, built by the host gcc as always.
if [[ " ${selected[*]} " == *" kernel_fuzzer "* ]]; then
  bazel build //sel4:kernel //guest/kerneltest:sysfuzz >&2 || { echo "fuzz: 0 passed, ${#selected[@]} failed"; exit 1; }
  guest_bin=$(bazel info bazel-bin 2>/dev/null)
  export X64SIM_SYSFUZZ_KERNEL=$guest_bin/sel4/kernel
  export X64SIM_SYSFUZZ_ROOT_SERVER=$guest_bin/guest/kerneltest/sysfuzz
fi
labels=()
for t in "${selected[@]}"; do labels+=("//tests/fuzz:$t"); done
bazel build --config=fuzz "${labels[@]}" >&2 || { echo "fuzz: 0 passed, ${#selected[@]} failed"; exit 1; }
bin=$(bazel info --config=fuzz bazel-bin 2>/dev/null)/tests/fuzz

passed=0
failed=0
for t in "${selected[@]}"; do
  work=${FUZZ_WORK:-/tmp/x64sim-fuzz}/$t
  mkdir -p "$work/corpus" "$work/findings"
  echo "== $t for ${seconds}s (corpus $work/corpus)" >&2
  # A kernel_fuzzer input boots a whole guest (seconds under ASan); every
  # other input is bounded to milliseconds, so 10 s is a hang.
  timeout=10
  [ "$t" = kernel_fuzzer ] && timeout=60
  if "$bin/$t" -max_total_time="$seconds" -timeout="$timeout" -rss_limit_mb=4096 \
      -print_final_stats=1 -artifact_prefix="$work/findings/" \
      "$work/corpus" "tests/fuzz/corpus/$t" >"$work/log" 2>&1; then
    passed=$((passed + 1))
    grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb)|cov:' "$work/log" | tail -3 >&2
  else
    failed=$((failed + 1))
    tail -40 "$work/log" >&2
    echo "fuzz.sh: $t found something: $work/findings/ (replay: $bin/$t FILE)" >&2
  fi
done
[ "$1" = "--smoke" ] && echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
