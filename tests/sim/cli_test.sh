#!/bin/bash
# x64sim's command line and stops: each bad input or simulator-side stop
# gives its documented exit code and a one-line reason on stderr.
# Usage: cli_test.sh X64SIM DEMO_IMAGE
set -u
sim="$1"
demo="$2"
tmp="${TEST_TMPDIR:-$(mktemp -d)}"
failures=0

# A 32-bit a.out-kludge multiboot image loaded at 1 MiB whose code (hex
# bytes) starts at offset 0x20.
make_image() {
  python3 - "$1" "$2" <<'PY'
import struct, sys
code = bytes.fromhex(sys.argv[2])
magic, flags = 0x1BADB002, 0x10000
header = struct.pack("<8I", magic, flags, (-(magic + flags)) & 0xffffffff,
                     0x100000, 0x100000, 0, 0, 0x100020)
open(sys.argv[1], "wb").write(header.ljust(0x20, b"\0") + code)
PY
}

# expect NAME STATUS STDERR_FRAGMENT STDOUT_EXPECTED -- ARGS...
expect() {
  local name="$1" want_status="$2" want_err="$3" want_out="$4"
  shift 5
  "$sim" "$@" >"$tmp/out" 2>"$tmp/err"
  local status=$?
  local ok=1
  [[ "$status" == "$want_status" ]] || ok=0
  [[ -z "$want_err" ]] || grep -qF -- "$want_err" "$tmp/err" || ok=0
  [[ "$(cat "$tmp/out")" == "$want_out" ]] || ok=0
  if [[ $ok == 1 ]]; then
    echo "PASS $name"
  else
    echo "FAIL $name: status $status (want $want_status), stderr:"
    cat "$tmp/err"
    echo "stdout: $(cat "$tmp/out")"
    failures=$((failures + 1))
  fi
}

make_image "$tmp/exit5.img" "66baf400b005ee"                 # out 0xf4, 5
make_image "$tmp/hello.img" "66baf803b041ee66baf400b000ee"   # 'A' to COM1, then exit 0
make_image "$tmp/spin.img" "ebfe"                            # jmp $
make_image "$tmp/ud2.img" "0f0b"                             # #UD with no IDT
make_image "$tmp/nowhere.img" "b8000000f0ffe0"               # jmp to unbacked 0xf0000000: ff ff is #UD
make_image "$tmp/halt.img" "faf4"                            # cli; hlt
make_image "$tmp/x87.img" "d9e8"                             # fld1: not implemented
printf 'garbage' >"$tmp/garbage.img"

expect no-kernel 2 "--kernel=IMAGE is required" "" --
expect unknown-flag 2 "unknown flag '--bogus'" "" -- --kernel="$demo" --bogus
expect bad-value 2 "bad value 'many' for --max_instructions" "" -- --kernel="$demo" --max-instructions=many
expect stray-argument 2 "unexpected argument 'extra'" "" -- --kernel="$demo" extra
expect bad-unimplemented-mode 2 "--unimplemented must be" "" -- --kernel="$demo" --unimplemented=maybe
expect missing-kernel 4 "cannot open '$tmp/none'" "" -- --kernel="$tmp/none"
expect missing-module 4 "module: cannot open '$tmp/none'" "" -- --kernel="$demo" --module="$tmp/none,x"
expect garbage-image 4 "no multiboot header" "" -- --kernel="$tmp/garbage.img"
expect guest-exit 11 "" "" -- --kernel="$tmp/exit5.img"
expect console 1 "" "A" -- --kernel="$tmp/hello.img"
expect instruction-limit 6 "instruction limit of 1000 reached at rip 0x100020 (32-bit protected mode)" "" -- --kernel="$tmp/spin.img" --max-instructions=1000
expect triple-fault 8 "triple fault" "" -- --kernel="$tmp/ud2.img"
expect jump-into-nowhere 8 "at 0xf0000000 (32-bit protected mode): no memory to fetch from" "" -- --kernel="$tmp/nowhere.img"
expect halted-forever 12 "hlt at rip 0x100022 with interrupts disabled" "" -- --kernel="$tmp/halt.img"
expect unimplemented-stop 10 "unimplemented instruction at 0x100020 (32-bit protected mode): fld1" "" -- --kernel="$tmp/x87.img" --unimplemented=stop
expect unimplemented-ud 10 "last unimplemented instruction: fld1" "" -- --kernel="$tmp/x87.img"

# The statistics report counts the unimplemented instruction by name.
"$sim" --kernel="$tmp/x87.img" --stats="$tmp/stats" >/dev/null 2>&1
if grep -qx "fld1 1" "$tmp/stats"; then echo "PASS stats-unimplemented"; else
  echo "FAIL stats-unimplemented:"; cat "$tmp/stats"; failures=$((failures + 1)); fi

# Under `bazel run`, relative paths are taken from where bazel was run
# (BUILD_WORKING_DIRECTORY), inputs and outputs alike.
mkdir -p "$tmp/wd"
cp "$demo" "$tmp/wd/demo.img"
abs_sim="$(realpath "$sim")"
(cd / && BUILD_WORKING_DIRECTORY="$tmp/wd" "$abs_sim" --kernel=demo.img --stats=run.stats \
  >/dev/null 2>&1)
if grep -q "^instructions " "$tmp/wd/run.stats" 2>/dev/null; then echo "PASS build-working-directory"; else
  echo "FAIL build-working-directory: no $tmp/wd/run.stats"; failures=$((failures + 1)); fi

echo "$failures failure(s)"
[[ $failures == 0 ]]
