#!/bin/bash
# The timing flags: --timing on/off, --uarch (shipped, host, file, bad),
# --fast-forward with the compute guest's region of interest, and
# determinism of cycle counts.
# Usage: timing_flags_test.sh X64SIM COMPUTE_IMAGE SKYLAKE_UARCH
set -u
sim="$1"
compute="$2"
skylake="$3"
tmp="${TEST_TMPDIR:-$(mktemp -d)}"
failures=0
check() {  # check NAME CONDITION...
  local name="$1"
  shift
  if "$@"; then echo "PASS $name"; else echo "FAIL $name"; failures=$((failures + 1)); fi
}
stat_of() { awk -v s="[$2]" -v k="$3" '$0 == s {in_s = 1; next} /^\[/ {in_s = 0} in_s && $1 == k {print $2}' "$1"; }
run() {  # run NAME ARGS...: console to NAME.out, stats to NAME.stats, exit status to NAME.status
  local name="$1"
  shift
  "$sim" --kernel="$compute" --cmdline="rounds=2" --stats="$tmp/$name.stats" "$@" \
    >"$tmp/$name.out" 2>"$tmp/$name.err"
  echo $? >"$tmp/$name.status"
}

run off --timing=off
run on
run on_again
run zen4 --uarch=zen4
run ff --fast-forward

check "timing off: one cycle per instruction" \
  test "$(stat_of "$tmp/off.stats" cpu cycles)" = "$(stat_of "$tmp/off.stats" cpu instructions)"
check "timing off: no [timing] section" bash -c "! grep -q '^\[timing\]' '$tmp/off.stats'"
check "timing on by default, with skylake" test "$(stat_of "$tmp/on.stats" timing uarch)" = skylake
check "timing on: cycles are the model's" \
  test "$(stat_of "$tmp/on.stats" cpu cycles)" != "$(stat_of "$tmp/on.stats" cpu instructions)"
check "same console with timing on and off" cmp -s "$tmp/off.out" "$tmp/on.out"
check "deterministic: same stats twice" cmp -s "$tmp/on.stats" "$tmp/on_again.stats"
check "zen4 is another model" test "$(stat_of "$tmp/zen4.stats" timing uarch)" = zen4
check "zen4 prices differently" \
  test "$(stat_of "$tmp/zen4.stats" timing cycles)" != "$(stat_of "$tmp/on.stats" timing cycles)"
check "the region of interest is reported" test "$(stat_of "$tmp/on.stats" roi.0 ended)" = yes
check "fast-forward: the region's instructions are the same" \
  test "$(stat_of "$tmp/ff.stats" roi.0 instructions)" = "$(stat_of "$tmp/on.stats" roi.0 instructions)"
ff_cycles=$(stat_of "$tmp/ff.stats" cpu cycles)
ff_timed=$(stat_of "$tmp/ff.stats" timing cycles)
check "fast-forward: functional until the region, timed inside it" \
  test "$ff_cycles" = "$ff_timed" -a "$(stat_of "$tmp/ff.stats" roi.0 cycles)" -gt 0

"$sim" --kernel="$compute" --uarch=host >"$tmp/host.out" 2>"$tmp/host.err"
status=$?
if grep -q "this CPU is modelled by" "$tmp/host.err"; then
  check "--uarch=host names the model it picked" test "$status" = 33
else
  check "--uarch=host says no shipped model matches" \
    bash -c "test $status = 2 && grep -q 'no shipped model matches this CPU' '$tmp/host.err'"
fi

expect_error() {  # expect_error NAME STDERR_FRAGMENT ARGS...
  local name="$1" want="$2"
  shift 2
  "$sim" --kernel="$compute" "$@" >/dev/null 2>"$tmp/err"
  local status=$?
  if [[ $status == 2 ]] && grep -qF -- "$want" "$tmp/err"; then
    echo "PASS $name"
  else
    echo "FAIL $name: status $status, stderr: $(cat "$tmp/err")"
    failures=$((failures + 1))
  fi
}
printf 'x64sim-uarch 1\nname broken\nsource s "test"\ncore.rob many [s]\n' >"$tmp/broken.uarch"
expect_error "bad file: names file, line and field" "broken.uarch:4: core.rob: expected an integer" \
  --uarch="$tmp/broken.uarch"
printf 'x64sim-uarch 2\n' >"$tmp/v2.uarch"
expect_error "newer format refused" "format version 2 is not supported" --uarch="$tmp/v2.uarch"
expect_error "unknown model" "no such shipped model" --uarch=pentium4
expect_error "bad --timing" "--timing must be 'on' or 'off'" --timing=maybe
# A copy of a shipped model without one form line is refused at load time.
grep -v '^form ADD r64,r64 ' "$skylake" >"$tmp/missing.uarch"
expect_error "a missing form is an error" "have no entry, e.g. 'ADD r64,r64'" --uarch="$tmp/missing.uarch"

echo "timing_flags_test: $failures failures"
[[ $failures == 0 ]]
