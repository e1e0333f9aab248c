#!/usr/bin/env bash
# Installs the Debian 12 packages x64sim needs, once: runs `apt-get update`
# and `apt-get install` only when something is missing. Idempotent.
set -euo pipefail

packages=(
  bazel-bootstrap bazel-rules-java
  g++ binutils python3 gdb
  libzydis-dev libabsl-dev libgtest-dev googletest libbenchmark-dev
  nlohmann-json3-dev libzstd-dev python3-jsonschema python3-matplotlib
  qemu-system-x86
  clang-14 lld-14 libclang-rt-14-dev
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi
