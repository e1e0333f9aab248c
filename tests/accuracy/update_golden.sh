#!/usr/bin/env bash
# `bazel run //tests/accuracy:update_golden`: reruns the accuracy guest for
# each golden configuration and rewrites tests/accuracy/expected_console_*.txt.
# Usage: update_golden.sh X64SIM IMAGE "CONFIGURATION FLAG..."...
set -euo pipefail
sim="$(realpath "$1")"
image="$(realpath "$2")"
shift 2
dir="${BUILD_WORKSPACE_DIRECTORY:?run through bazel run}/tests/accuracy"
for spec in "$@"; do
  read -r configuration flags <<<"$spec"
  golden="$dir/expected_console_$configuration.txt"
  # shellcheck disable=SC2086  # flags are words
  if "$sim" --kernel="$image" $flags >"$golden.new"; then status=0; else status=$?; fi
  if [[ $status != 33 ]] || ! grep -q '^accuracy: done$' "$golden.new"; then
    echo "update_golden: $configuration: x64sim exit status $status, golden left unchanged" >&2
    rm -f "$golden.new"
    exit 1
  fi
  mv "$golden.new" "$golden"
  echo "update_golden: wrote $golden"
done
