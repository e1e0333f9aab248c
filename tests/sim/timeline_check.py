"""Checks the structure of an x64sim --timeline file (docs/timeline.md).

Usage: timeline_check.py FILE [--span NAME]... [--thread NAME]... [--page-fault CR2]

Well-formed JSON with a traceEvents array; every event has a known phase;
on every track (pid, tid) the B/E events nest and balance and time never
goes back; counters and instants carry arguments; every track with events
is named. Then the spans, guest threads and page faults the options ask for
are present. Exits 1 with the reasons on a failure.
"""
import argparse
import collections
import json
import sys


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("file")
    parser.add_argument("--span", action="append", default=[], help="a span name that must occur")
    parser.add_argument("--thread", action="append", default=[], help="a guest thread that must be named")
    parser.add_argument("--page-fault", help="CR2 of a #PF span that must occur (hex)")
    args = parser.parse_args()
    problems = []
    with open(args.file) as f:
        doc = json.load(f)
    events = doc["traceEvents"]
    stacks = collections.defaultdict(list)
    last_ts = {}
    names = {}
    spans = collections.Counter()
    for i, e in enumerate(events):
        ph = e.get("ph")
        if ph not in ("B", "E", "i", "C", "M"):
            problems.append(f"event {i}: unknown phase {ph!r}")
            continue
        if ph == "M":
            names[(e["pid"], e["tid"])] = e["args"]["name"]
            continue
        track = (e["pid"], e.get("tid", 0))
        ts = e["ts"]
        if track in last_ts and ts < last_ts[track]:
            problems.append(f"event {i}: time goes back on track {track}: {ts} < {last_ts[track]}")
        last_ts[track] = ts
        if ph == "B":
            stacks[track].append(e)
            spans[e["name"]] += 1
        elif ph == "E":
            if not stacks[track]:
                problems.append(f"event {i}: E without B on track {track}")
            else:
                stacks[track].pop()
        elif "args" not in e:
            problems.append(f"event {i}: {ph} without args")
    for track, open_spans in stacks.items():
        if open_spans:
            problems.append(f"track {track}: {len(open_spans)} spans never end, first {open_spans[0]['name']!r}")
    for pid, tid in last_ts:
        if (pid, tid) not in names and tid != 0:
            problems.append(f"track {(pid, tid)} has events but no thread_name")
    for name in args.span:
        if spans[name] == 0:
            problems.append(f"no span named {name!r} (spans: {dict(spans.most_common(12))})")
    threads = {names[k] for k in names if k[0] == 2 and k[1] != 0}
    for name in args.thread:
        if name not in threads:
            problems.append(f"no guest thread {name!r} (threads: {sorted(threads)})")
    if args.page_fault:
        want = int(args.page_fault, 16)
        faults = [e for e in events if e.get("ph") == "B" and e["name"] == "#PF"]
        if not any(int(e["args"]["cr2"], 16) == want for e in faults):
            problems.append(f"no #PF span with cr2 {args.page_fault} ({len(faults)} #PF spans)")
    for p in problems[:20]:
        print(f"{args.file}: {p}")
    if problems:
        sys.exit(1)
    print(f"{args.file}: {len(events)} events, {sum(spans.values())} spans, well-formed")


if __name__ == "__main__":
    main()
