#!/bin/bash
# Runs the seL4 tutorial dynamic-2 at one stage: boots the guest kernel with
# that stage's root server and shows the console.
#
# Usage: bazel run //:tutorial -- [--stage=N] [--runner=sim|qemu] [SIMULATOR FLAGS...]
#   --stage=N      TASKs 1..N solved, 0..15 (default 15, the finished tutorial)
#   --stage=exercise  your own work: guest/dynamic2/exercise.c (docs/tutorial.md)
#   --runner=qemu  boot in QEMU instead of the simulator (no other flags then)
# Other flags go to //sim:x64sim unchanged, e.g. --trace-mmu=- or
# --max-instructions=N. Relative paths are taken from where you ran bazel.
set -euo pipefail

# Runfiles of this script (bazel run sets the working directory inside them).
case "$0" in
  /*) self="$0" ;;
  *) self="$PWD/$0" ;;
esac
runfiles="${RUNFILES_DIR:-$self.runfiles}/x64sim"
if [[ ! -d "$runfiles" ]]; then
  runfiles="$PWD"
fi

stage=15
runner=sim
simulator_flags=()
for arg in "$@"; do
  case "$arg" in
    --stage=*) stage="${arg#--stage=}" ;;
    --runner=*) runner="${arg#--runner=}" ;;
    *) simulator_flags+=("$arg") ;;
  esac
done

if [[ "$stage" == exercise ]]; then
  root_server_name=exercise
elif [[ "$stage" =~ ^[0-9]+$ ]] && ((stage <= 15)); then
  root_server_name="stage$stage"
else
  echo "tutorial: --stage must be 0..15 or exercise, got '$stage'" >&2
  exit 2
fi

kernel="$runfiles/sel4/kernel"
root_server="$runfiles/guest/dynamic2/$root_server_name"

# Relative paths in the flags (e.g. --trace-mmu=trace.txt) are the user's.
cd "${BUILD_WORKING_DIRECTORY:-$PWD}"

case "$runner" in
  sim)
    exec "$runfiles/sim/x64sim" --kernel="$kernel" --module="$root_server" \
      "${simulator_flags[@]+"${simulator_flags[@]}"}"
    ;;
  qemu)
    if ((${#simulator_flags[@]} > 0)); then
      echo "tutorial: QEMU takes no simulator flags: ${simulator_flags[*]}" >&2
      exit 2
    fi
    exec "$runfiles/tools/run_qemu" --kernel="$kernel" --module="$root_server"
    ;;
  *)
    echo "tutorial: --runner must be sim or qemu, got '$runner'" >&2
    exit 2
    ;;
esac
