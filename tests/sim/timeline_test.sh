#!/bin/bash
# --timeline: the file is well-formed trace-event JSON with balanced,
# monotonic tracks (timeline_check.py) for the tutorial (stage 0's seed
# fault and stage 15's IPC) and for ipcbench; recording it changes neither
# the console nor any modelled figure; an unwritable file is an I/O error.
# Usage: timeline_test.sh X64SIM CHECKER KERNEL STAGE0 STAGE15 IPCBENCH
set -u
sim="$1" checker="$2" kernel="$3" stage0="$4" stage15="$5" ipcbench="$6"
tmp="${TEST_TMPDIR:-$(mktemp -d)}"
failures=0
check() {  # check NAME CONDITION...
  local name="$1"
  shift
  if "$@"; then echo "PASS $name"; else echo "FAIL $name"; failures=$((failures + 1)); fi
}
modelled() { grep -v -e host -e mips "$1"; }

# run NAME ROOT_SERVER WANT_STATUS CHECKER_ARGS...
run() {
  local name="$1" root="$2" want="$3"
  shift 3
  "$sim" --kernel="$kernel" --module="$root" --timeline="$tmp/$name.json" --stats="$tmp/$name.stats" \
    >"$tmp/$name.out" 2>"$tmp/$name.err"
  check "$name: exit $want" test $? -eq "$want"
  check "$name: timeline well-formed" python3 "$checker" "$tmp/$name.json" "$@"
  "$sim" --kernel="$kernel" --module="$root" --stats="$tmp/$name.plain.stats" >"$tmp/$name.plain.out" 2>/dev/null
  check "$name: same console without --timeline" cmp -s "$tmp/$name.out" "$tmp/$name.plain.out"
  check "$name: same figures without --timeline" \
    cmp -s <(modelled "$tmp/$name.stats") <(modelled "$tmp/$name.plain.stats")
}

# The seed's first fault: the root server's store to its IPC buffer.
run stage0 "$stage0" 35 --page-fault 0x70003c8 --thread rootserver --span "CPL 3"
run stage15 "$stage15" 0 --span seL4_Call --span seL4_ReplyRecv --span seL4_X64simExitSuccess \
  --thread rootserver
run ipcbench "$ipcbench" 0 --span seL4_Call --span seL4_ReplyRecv --span "CPL 0" --span "CPL 3"

"$sim" --kernel="$kernel" --module="$stage15" --timeline="$tmp/no/such/dir/t.json" >/dev/null 2>"$tmp/err"
status=$?
check "unwritable: exit 14" test "$status" -eq 14
check "unwritable: names the file" grep -qF "$tmp/no/such/dir/t.json" "$tmp/err"

echo "failures: $failures"
[ "$failures" -eq 0 ]
