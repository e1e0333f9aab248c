#!/bin/bash
# Debian's gdb, in batch mode, against x64sim booting the seL4 tutorial's
# root server at stage 0 (the seed, which faults at 0x70003c8): a breakpoint
# on a symbol, steps, registers and variables, a read and a write
# watchpoint, the fault caught and explained, the kernel's fault handler
# with a backtrace, the guest's exit. The session runs twice and must print
# the same both times (simulation is deterministic). Then, from a raw
# client (rsp_client.py): Ctrl-C, register writes, kill (exit 18), attach
# and detach without --gdb-wait, and the stops that end a run.
# Usage: gdb_session_test.sh X64SIM KERNEL ROOT_SERVER COMPUTE_IMAGE RSP_CLIENT
set -u
sim="$1"
kernel="$2"
root_server="$3"
compute="$4"
client_py="$5"
tmp="${TEST_TMPDIR:-$(mktemp -d)}"
failures=0
check() {  # check NAME CONDITION...
  local name="$1"
  shift
  if "$@"; then echo "PASS $name"; else echo "FAIL $name"; failures=$((failures + 1)); fi
}
has() { grep -qF -- "$2" "$1"; }  # has FILE TEXT

# start_sim NAME FLAGS...: x64sim in the background, serving gdb on a port
# it chose (printed on stderr); sets $pid and $port.
start_sim() {
  local name="$1"
  shift
  "$sim" --gdb=0 "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" &
  pid=$!
  port=""
  for _ in $(seq 200); do
    port=$(sed -n 's/^x64sim: gdb: listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$tmp/$name.err" 2>/dev/null)
    [ -n "$port" ] && return 0
    sleep 0.05
  done
  echo "x64sim did not start listening:" && cat "$tmp/$name.err"
  return 1
}

# wait_sim: x64sim's exit status, or 124 after 60 s.
wait_sim() {
  for _ in $(seq 600); do
    if ! kill -0 "$pid" 2>/dev/null; then
      wait "$pid"
      return $?
    fi
    sleep 0.1
  done
  kill -KILL "$pid"
  return 124
}

session() {  # session NAME: the tutorial session; gdb's output in NAME.gdb
  local name="$1"
  start_sim "$name" --gdb-wait --kernel="$kernel" --module="$root_server" || return 1
  cat >"$tmp/$name.cmd" <<GDB
set pagination off
set confirm off
target remote 127.0.0.1:$port
info registers rip cs cr0 efer
stepi
info registers rip
symbol-file $root_server
break main
continue
info registers rip cs
x/2i \$pc
print/x \$efer
next
next
print info
print/x \$cr3
print \$fs_base
rwatch info
continue
delete
watch allocman
continue
delete
monitor catch 14
continue
monitor walk 0x70003c8 write user
monitor cycles
monitor phys 0x100000 16
monitor tlb
eval "monitor tlb 0x%lx", \$pc
add-symbol-file $kernel
break handle_fault
continue
backtrace
print/x \$cr2
delete
continue
GDB
  timeout 120 gdb -batch -nx -x "$tmp/$name.cmd" >"$tmp/$name.gdb" 2>&1
  wait_sim
  echo $? >"$tmp/$name.status"
  # The port differs between runs; nothing else may.
  sed -i "s/127\.0\.0\.1:$port/127.0.0.1:PORT/" "$tmp/$name.gdb" "$tmp/$name.err"
}

session first
g="$tmp/first.gdb"
cat "$g"
check "stopped before the first instruction (multiboot entry)" has "$g" "rip            0x10000c"
check "stepi moves one instruction" has "$g" "0x000000000010000d in ?? ()"
check "cr0 shows PE and ET at the multiboot entry" has "$g" "cr0            0x11"
check "breakpoint at main" has "$g" "Breakpoint 1, main () at guest/dynamic2/main.c:126"
check "rip at main, user code segment" grep -qE "^rip +0x400040 +0x400040 <main>" "$g"
check "cs is the user code selector" grep -qE "^cs +0x23 " "$g"
check "next steps a source line" grep -qE "^127[[:space:]]" "$g"
check "a global variable reads" grep -qE '^\$2 = \(seL4_BootInfo \*\) 0x[0-9a-f]+' "$g"
# Bits 11:0 are the PCID (the kernel tags address spaces with their ASIDs),
# the rest the PML4's page-aligned address: at least 0x1000.
check "cr3 is a page-table root" grep -qE '^\$3 = 0x[0-9a-f]*[1-9a-f][0-9a-f]{3,}$' "$g"
check "write watchpoint reports old and new value" has "$g" "Old value = (allocman_t *) 0x0"
check "write watchpoint new value" grep -qE "^New value = \(allocman_t \*\) 0x[0-9a-f]+ <allocator_mem_pool>" "$g"
check "read watchpoint" has "$g" "Hardware read watchpoint 2: info"
check "read watchpoint value" grep -qE "^Value = \(seL4_BootInfo \*\) 0x" "$g"
check "the seed's page fault is caught" grep -qE "guest exception 14 at 0x4[0-9a-f]+ \(64-bit mode\): mov .*, cpl 3, cr2 0x70003c8" "$g"
check "reported as SIGSEGV" has "$g" "Program received signal SIGSEGV"
check "monitor walk explains it" has "$g" "PD[56] not present: no page table maps 0x7000000"
check "monitor walk gives the error code" has "$g" "error code 0x6 = user write to a not-present page"
check "monitor cycles" grep -qE "^instructions [0-9]+" "$g"
check "code reads through the page tables" grep -qE "^=> 0x400040 <main>:" "$g"
check "efer: long mode active (LMA, bit 10)" grep -qE '^\$1 = 0x[0-9a-f]*[4-7c-f][0-9a-f]{2}$' "$g"
check "monitor phys" grep -qE "^0x0000100000: ([0-9a-f]{2} ){15}[0-9a-f]{2}$" "$g"
check "monitor tlb ADDR" grep -qE "^0xffffffff8[0-9a-f]+: held as (4K|2M|1G) page 0x[0-9a-f]+ -> frame (0|0x[0-9a-f]+), pcid 0, global" "$g"
check "monitor tlb" grep -qE "^STLB-4K/2M +[0-9]+ sets x +[0-9]+ ways" "$g"
check "kernel symbols: a breakpoint in the kernel's fault handler" grep -qE "^Breakpoint [0-9]+, handle_fault \(t=0x" "$g"
check "kernel backtrace" grep -qE "^#1 +0x[0-9a-f]+ in c_handle_exception \(\)" "$g"
check "cr2 in the kernel" grep -qE '^\$[0-9]+ = 0x70003c8$' "$g"
check "guest exit reported to gdb" has "$g" "[Inferior 1 (Remote target) exited with code 043]"
check "guest's own fault report on the console" has "$tmp/first.out" "vm fault on data at address 0x70003c8"
check "x64sim exits with the guest's status" test "$(cat "$tmp/first.status")" = 35

session second
check "the session replays exactly (gdb)" cmp -s "$tmp/first.gdb" "$tmp/second.gdb"
check "the session replays exactly (console)" cmp -s "$tmp/first.out" "$tmp/second.out"
diff "$tmp/first.gdb" "$tmp/second.gdb" | head -20

# A raw client (rsp_client.py): Ctrl-C while a long guest runs, then kill.
client() { python3 "$client_py" "$port" "$@"; }
start_sim compute --gdb-wait --kernel="$compute" --cmdline="rounds=100000"
client send:QStartNoAckMode go:c sleep:0.5 int wait send:P0=efbeadde00000000 send:p0 \
  send:P12=00000000 send:qXfer:features:read:target.xml:0,20 "send:qRcmd,$(printf cycles | od -An -tx1 | tr -d ' \n')" go:k >"$tmp/compute.client" 2>&1
wait_sim
status=$?
cat "$tmp/compute.client"
check "Ctrl-C stops the guest with SIGINT" has "$tmp/compute.client" "reply T02thread:1;"
check "a register write reads back" has "$tmp/compute.client" "reply efbeadde00000000"
check "a selector is not the debugger's to change" has "$tmp/compute.client" "reply E01"
check "target description over qXfer" has "$tmp/compute.client" 'reply m<?xml version="1.0"?>'
check "monitor command through qRcmd" grep -qE "^console instructions [0-9]+$" "$tmp/compute.client"
check "kill from gdb: exit 18" test "$status" -eq 18
check "kill from gdb: says so" has "$tmp/compute.err" "x64sim: killed from gdb"

# Without --gdb-wait the guest starts at once; gdb attaches (SIGTRAP),
# detaches (the guest runs on) and attaches again.
start_sim attach --kernel="$compute" --cmdline="rounds=100000"
"$sim" --kernel="$compute" --gdb="$port" >/dev/null 2>"$tmp/busy.err"
check "a port in use: exit 14" test $? -eq 14
check "a port in use: says so" grep -q "gdb: cannot listen on 127.0.0.1:$port" "$tmp/busy.err"
client wait send:D >"$tmp/attach.client" 2>&1
client wait go:k >>"$tmp/attach.client" 2>&1
wait_sim
status=$?
cat "$tmp/attach.client"
check "attach, detach, attach again" test "$(grep -c '^reply T05thread:1;$' "$tmp/attach.client")" -eq 2
check "attach then kill: exit 18" test "$status" -eq 18

# Stops that end the run are reported with a signal and the reason; the
# session stays to look around, and x64sim exits as the run ended.
make_image() {  # a 32-bit a.out-kludge multiboot image; code (hex) at 1 MiB + 0x20
  python3 - "$1" "$2" <<'PY'
import struct, sys
magic, flags = 0x1BADB002, 0x10000
header = struct.pack("<8I", magic, flags, (-(magic + flags)) & 0xffffffff,
                     0x100000, 0x100000, 0, 0, 0x100020)
open(sys.argv[1], "wb").write(header.ljust(0x20, b"\0") + bytes.fromhex(sys.argv[2]))
PY
}
make_image "$tmp/ud2.img" "0f0b"    # #UD with no IDT: a triple fault
make_image "$tmp/x87.img" "0f01d6"  # xtest (TSX): not implemented
start_sim ud2 --gdb-wait --kernel="$tmp/ud2.img"
client send:c send:Z9,0,0 send:m send:pzz send:P0=zz send:qRcmd,zz send:Mzz "send:vCont;t" \
  send:bogus send:g go:k >"$tmp/ud2.client" 2>&1
wait_sim
status=$?
cat "$tmp/ud2.client"
check "triple fault: reason on gdb's console" grep -qE "^console x64sim: triple fault" "$tmp/ud2.client"
check "triple fault: SIGSEGV" has "$tmp/ud2.client" "reply T0bthread:1;"
check "malformed packets get errors" test "$(grep -cxE 'reply E(01|14)' "$tmp/ud2.client")" -eq 7
check "unknown packets get the empty reply" grep -qx "reply " "$tmp/ud2.client"
check "triple fault: registers still readable" grep -qE "^reply [0-9a-f]{200,}$" "$tmp/ud2.client"
check "triple fault: exit 8 after kill" test "$status" -eq 8
start_sim x87ud --gdb-wait --kernel="$tmp/x87.img"
client "send:qRcmd,$(printf 'catch 6' | od -An -tx1 | tr -d ' \n')" send:c go:k >"$tmp/x87ud.client" 2>&1
wait_sim
cat "$tmp/x87ud.client"
check "a caught #UD names the instruction x64sim lacks" grep -qE "^console x64sim: guest exception 6 at 0x100020 \(32-bit protected mode\): xtest \[0f 01 d6\], cpl 0 \(x64sim does not implement it\)" "$tmp/x87ud.client"
check "a caught #UD is SIGILL" has "$tmp/x87ud.client" "reply T04thread:1;"
start_sim x87 --gdb-wait --kernel="$tmp/x87.img" --unimplemented=stop
client send:c go:D >"$tmp/x87.client" 2>&1
wait_sim
status=$?
cat "$tmp/x87.client"
check "unimplemented: named on gdb's console" grep -qE "^console x64sim: unimplemented instruction at 0x100020.*xtest" "$tmp/x87.client"
check "unimplemented: SIGILL" has "$tmp/x87.client" "reply T04thread:1;"
check "unimplemented: exit 10 after detach" test "$status" -eq 10

# Listening costs no accuracy: without a debugger attached, --gdb changes
# nothing the run counts.
"$sim" --kernel="$kernel" --module="$root_server" --stats="$tmp/plain.stats" >/dev/null 2>&1
"$sim" --kernel="$kernel" --module="$root_server" --stats="$tmp/gdb.stats" --gdb=0 >/dev/null 2>&1
check "same statistics with --gdb and without" cmp -s "$tmp/plain.stats" "$tmp/gdb.stats"

"$sim" --kernel="$compute" --gdb-wait >/dev/null 2>"$tmp/flag.err"
check "--gdb-wait needs --gdb" test $? -eq 2
"$sim" --kernel="$compute" --gdb=70000 >/dev/null 2>"$tmp/flag.err"
check "--gdb needs a port" test $? -eq 2
"$sim" --kernel="$compute" --gdb=-7 >/dev/null 2>"$tmp/flag.err"
check "--gdb needs a port, not a negative number" test $? -eq 2

echo "failures: $failures"
[ "$failures" -eq 0 ]
