#!/bin/bash
# --stats-format: the JSON report validates against docs/stats-schema.json
# and holds exactly the text report's figures under dotted names; a bad
# format is refused.
# Usage: stats_format_test.sh X64SIM COMPUTE_IMAGE SCHEMA
set -u
sim="$1"
compute="$2"
schema="$3"
tmp="${TEST_TMPDIR:-$(mktemp -d)}"
failures=0
check() {  # check NAME CONDITION...
  local name="$1"
  shift
  if "$@"; then echo "PASS $name"; else echo "FAIL $name"; failures=$((failures + 1)); fi
}

for format in text json; do
  "$sim" --kernel="$compute" --cmdline="rounds=2" --stats="$tmp/stats.$format" \
    --stats-format="$format" >/dev/null 2>"$tmp/err.$format"
  check "$format: guest exit" test $? -eq 33
done

# Debian's python3 with python3-jsonschema (tools/setup.sh installs both).
check "json: valid against the schema, the same figures as the text report" /usr/bin/python3 - \
  "$tmp/stats.json" "$tmp/stats.text" "$schema" <<'PY'
import json, sys
import jsonschema
doc = json.load(open(sys.argv[1]))
jsonschema.validate(doc, json.load(open(sys.argv[3])))
text, section = {}, None
for line in open(sys.argv[2]):
    line = line.rstrip("\n")
    if line.startswith("["):
        section = line[1:-1]
        continue
    key, _, value = line.partition(" ")
    text[key if key.startswith(section + ".") else section + "." + key] = value
stats = doc["stats"]
assert set(stats) == set(text) == set(doc["units"]), set(stats) ^ set(text)
for name, value in text.items():
    assert str(stats[name]) == value, (name, stats[name], value)
for name in ("cpu.instructions", "timing.cycles", "roi.0.cycles", "mmu.walks"):
    assert isinstance(stats[name], int), name
assert doc["units"]["timing.cycles"] == "cycles"
assert doc["units"]["timing.ipc"] == "instructions/cycle"
assert doc["units"]["timing.uarch"] == "text"
PY

"$sim" --kernel="$compute" --stats="$tmp/x" --stats-format=xml >/dev/null 2>"$tmp/err.bad"
status=$?
check "bad format: exit 2" test "$status" -eq 2
check "bad format: says so" grep -q "stats_format must be 'text' or 'json'" "$tmp/err.bad"
check "bad format: no file written" test ! -e "$tmp/x"

echo "failures: $failures"
[ "$failures" -eq 0 ]
