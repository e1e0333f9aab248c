#!/usr/bin/env bash
# Runs a fuzz target once over each corpus file given: any crash, sanitizer
# report or abort fails the test.
set -euo pipefail
target=$1
shift
[ $# -gt 0 ] || { echo "replay_corpus: no corpus files" >&2; exit 1; }
exec "$target" "$@"
