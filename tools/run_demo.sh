#!/usr/bin/env bash
# `bazel run //:demo [-- FLAGS]`: boots the demo guest in x64sim and shows
# its console. Extra flags go to x64sim; relative paths in them are taken
# from the directory bazel was started in.
set -euo pipefail
sim="$PWD/sim/x64sim"
demo="$PWD/guest/demo/demo"
module="$PWD/tests/qemu/testdata/module.txt"
cd "${BUILD_WORKING_DIRECTORY:-.}"
exec "$sim" --kernel="$demo" --cmdline="demo-arg=1 second-arg" --module="$module,module-arg" "$@"
