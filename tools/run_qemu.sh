#!/bin/bash
# Boots a multiboot image under qemu-system-x86_64 (TCG) with the machine the
# simulator models: COM1 on stdout, isa-debug-exit at port 0xF4, 512 MiB.
#
# Usage: run_qemu.sh --kernel=IMAGE [--module=FILE[,ARGS]]... [--cmdline=ARGS]
#                    [--timeout=SECONDS]
# The flags mirror //sim:x64sim's, so tests can run either with the same
# arguments. An ELF64 image is converted to ELF32 first (QEMU's multiboot
# loader only takes ELF32), as guest_elf32 in //guest/build:defs.bzl does.
#
# Exit status: x64sim's for a debug exit, i.e. (v << 1) | 1 when the guest
# wrote v > 0 to port 0xF4 (QEMU's own), and 0 for v = 0 (QEMU says 1, which
# also means QEMU failed: that is told apart by QEMU's error on stderr, and
# gives 2); 8, x64sim's triple-fault status, when QEMU stopped without a
# debug exit (a triple fault with -no-reboot); 124 on timeout; 2 on a usage
# error.
set -u

kernel=""
cmdline=""
timeout_seconds=60
modules=()

# Under `bazel run` the working directory is the runfiles tree; a relative
# path not found there is taken from where bazel was run.
resolve_path() {
  local path="$1"
  if [[ "$path" != /* && ! -e "$path" && -n "${BUILD_WORKING_DIRECTORY:-}" ]]; then
    path="$BUILD_WORKING_DIRECTORY/$path"
  fi
  echo "$path"
}

usage() {
  echo "usage: $0 --kernel=IMAGE [--module=FILE[,ARGS]]... [--cmdline=ARGS] [--timeout=SECONDS]" >&2
  exit 2
}

for arg in "$@"; do
  case "$arg" in
    --kernel=*) kernel="$(resolve_path "${arg#--kernel=}")" ;;
    --module=*) modules+=("${arg#--module=}") ;;
    --cmdline=*) cmdline="${arg#--cmdline=}" ;;
    --timeout=*) timeout_seconds="${arg#--timeout=}" ;;
    *) usage ;;
  esac
done
[[ -n "$kernel" ]] || usage
if [[ ! -f "$kernel" ]]; then
  echo "run_qemu: no such kernel image: $kernel" >&2
  exit 2
fi

workdir="$(mktemp -d)"
trap 'rm -rf "$workdir"' EXIT

# Byte 4 of an ELF header is its class: 1 = ELF32, 2 = ELF64.
elf_class="$(od -An -tu1 -j4 -N1 "$kernel" | tr -d ' ')"
if [[ "$elf_class" == "2" ]]; then
  objcopy -O elf32-i386 "$kernel" "$workdir/kernel.elf32" || exit 2
  kernel="$workdir/kernel.elf32"
fi

# MAXPHYADDR 39 as x64sim's CPUID reports: QEMU then lists no memory above it
# (with 40 bits or more an AMD vCPU gets the HyperTransport hole at 1012 GiB).
qemu_args=(
  -accel tcg
  -cpu qemu64,phys-bits=39
  -kernel "$kernel"
  -append "$cmdline"
  -serial stdio
  -display none
  -monitor none
  -device isa-debug-exit,iobase=0xf4,iosize=0x04
  -no-reboot
  -m 512M
)

if [[ ${#modules[@]} -gt 0 ]]; then
  # QEMU's -initrd: modules separated by ',', each "FILE ARGS"; a literal
  # comma is written ',,'.
  initrd=""
  for module in "${modules[@]}"; do
    file="$(resolve_path "${module%%,*}")"
    args=""
    [[ "$module" == *,* ]] && args="${module#*,}"
    if [[ ! -f "$file" ]]; then
      echo "run_qemu: no such module: $file" >&2
      exit 2
    fi
    entry="$file${args:+ $args}"
    initrd+="${initrd:+,}${entry//,/,,}"
  done
  qemu_args+=(-initrd "$initrd")
fi

timeout --kill-after=5 "$timeout_seconds" qemu-system-x86_64 "${qemu_args[@]}" </dev/null \
  2> >(tee "$workdir/stderr" >&2)
status=$?
wait  # for tee
case "$status" in
  124) echo "run_qemu: timed out after ${timeout_seconds}s" >&2 ;;
  0)
    echo "run_qemu: QEMU stopped without a debug exit (triple fault?)" >&2
    status=8
    ;;
  1)
    # QEMU prefixes its errors with its name; its warnings say "warning".
    if grep -v 'warning' "$workdir/stderr" | grep -q 'qemu-system-x86_64'; then
      echo "run_qemu: QEMU failed" >&2
      status=2
    else
      status=0
    fi
    ;;
esac
exit "$status"
