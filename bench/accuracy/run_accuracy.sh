#!/usr/bin/env bash
# `bazel run //bench/accuracy -- [--uarch=NAME] [--timing=on|off] [--markdown]
# [--repetitions=N] [--native-from=FILE]`: the accuracy table (accuracy.py).
set -euo pipefail
here="$PWD"
cd "${BUILD_WORKING_DIRECTORY:-.}"
exec python3 "$here/bench/accuracy/accuracy.py" \
  --x64sim="$here/sim/x64sim" \
  --native="$here/bench/accuracy/native" \
  --guest="$here/guest/accuracy/accuracy" \
  --compute-image="$here/guest/demo/compute/compute" \
  --kernels-source="$here/bench/accuracy/kernels.S" \
  "$@"
