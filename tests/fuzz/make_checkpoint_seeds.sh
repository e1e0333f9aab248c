#!/usr/bin/env bash
# Writes the seeds of checkpoint_fuzzer (tests/fuzz/corpus/checkpoint_fuzzer):
# checkpoints of the demo guest at a few points, on the fuzzer's machine,
# reduced to their uncompressed state sections. Run from the repository
# root after a change to what a checkpoint holds:
#   tests/fuzz/make_checkpoint_seeds.sh
set -euo pipefail
# The same lines as kSmallSkylake in checkpoint_fuzzer.cc.
model='cache L2 size=16K ways=4 line=64 latency=12;cache L3 size=32K ways=16 line=64 latency=42;tlb stlb STLB-4K/2M entries=64 ways=4 pages=4K,2M replacement=lru;branch.pht-entries 256;branch.btb-entries 64'
bazel build //sim:x64sim //guest/demo >&2
bin=$(bazel info bazel-bin 2>/dev/null)
out=tests/fuzz/corpus/checkpoint_fuzzer
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out"
seed() {  # seed NAME FLAGS...
  local name=$1
  shift
  "$bin/sim/x64sim" --kernel="$bin/guest/demo/demo" --memory-mib=8 --uarch-set="$model" \
    --checkpoint="$tmp/c.ckpt" --stop-after-checkpoint "$@" >/dev/null 2>&1
  # The payload: zstd-decompressed, without the description (the fuzzer has its own).
  python3 - "$tmp/c.ckpt" "$out/$name" <<'PY'
import struct, subprocess, sys
data = open(sys.argv[1], "rb").read()
at = len(b"x64sim checkpoint\n") + 4
at += 4 + struct.unpack_from("<I", data, at)[0]
size = struct.unpack_from("<Q", data, at)[0]
raw = subprocess.run(["zstd", "-dcq"], input=data[at + 8 : at + 8 + size], check=True,
                     capture_output=True).stdout
kept, i = b"", 0
while i < len(raw):
    n = struct.unpack_from("<I", raw, i)[0]
    name = raw[i + 4 : i + 4 + n]
    length = struct.unpack_from("<Q", raw, i + 4 + n)[0]
    end = i + 4 + n + 8 + length
    if name != b"uarch":
        kept += raw[i:end]
    i = end
open(sys.argv[2], "wb").write(kept)
PY
}
seed demo-at-1 --checkpoint-at=1
seed demo-at-30000 --checkpoint-at=30000
seed demo-at-90000-functional --checkpoint-at=90000 --timing=off
