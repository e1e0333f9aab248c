#!/bin/bash
# --tlb-model=false end to end: the benchmark guest's page sweeps give the
# same console with the TLB model on and off; with it off every translation
# is a walk, with it on almost none are. A machine too small for the sweep
# region gets the guest's own failure message, not a crash.
# Usage: tlb_model_switch_test.sh X64SIM COMPUTE_IMAGE
set -u
sim="$1"
compute="$2"
tmp="${TEST_TMPDIR:-$(mktemp -d)}"
failures=0

fail() {
  echo "FAIL $*"
  failures=$((failures + 1))
}

stat() { awk -v k="$1" '$1 == k { print $2 }' "$2"; }

for model in true false; do
  "$sim" --kernel="$compute" --cmdline="compute rounds=1 sweeps=3" --tlb-model=$model \
    --stats="$tmp/stats.$model" >"$tmp/out.$model" 2>"$tmp/err.$model"
  status=$?
  [[ $status == 33 ]] || fail "model=$model: exit $status (want 33): $(cat "$tmp/err.$model")"
done
grep -q '^compute: sweep 0x' "$tmp/out.true" || fail "no sweep line: $(cat "$tmp/out.true")"
cmp -s "$tmp/out.true" "$tmp/out.false" || fail "consoles differ with the model on and off"

translations=$(stat mmu.translations "$tmp/stats.false")
walks_off=$(stat mmu.walks "$tmp/stats.false")
walks_on=$(stat mmu.walks "$tmp/stats.true")
(( translations > 3 * 16384 )) || fail "model off: only $translations translations"
[[ "$walks_off" == "$translations" ]] || fail "model off: $walks_off walks for $translations translations"
(( walks_on < 1000 )) || fail "model on: $walks_on walks"
[[ -z "$(stat mmu.fills "$tmp/stats.false")" ]] || fail "model off: TLB fills reported"

"$sim" --kernel="$compute" --cmdline="compute rounds=0 sweeps=1" --memory-mib=128 \
  >"$tmp/small" 2>&1
status=$?
[[ $status == 35 ]] || fail "small machine: exit $status (want 35: debug exit 0x11, failure)"
grep -q 'FAILED: sweeps need RAM' "$tmp/small" || fail "small machine: $(cat "$tmp/small")"

if [[ $failures == 0 ]]; then echo "PASS"; fi
exit $((failures > 0))
