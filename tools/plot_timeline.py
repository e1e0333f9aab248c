#!/usr/bin/python3
"""Draws an x64sim --timeline file as a picture: one row per track, spans as
bars (nested spans of a track stacked thinner), instants as ticks.

Usage: tools/plot_timeline.py TIMELINE.json OUT.png [--from US] [--to US]
For a quick look without a browser; Perfetto's UI shows the same file
interactively (docs/timeline.md).
"""
import argparse
import collections
import json

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("timeline")
    parser.add_argument("out")
    parser.add_argument("--from", dest="start", type=float, default=None, help="first microsecond shown")
    parser.add_argument("--to", dest="end", type=float, default=None, help="last microsecond shown")
    args = parser.parse_args()
    events = json.load(open(args.timeline))["traceEvents"]
    names = {(e["pid"], e["tid"]): e["args"]["name"] for e in events if e["ph"] == "M" and e["tid"] != 0}
    spans = collections.defaultdict(list)  # track -> (start, end, depth, name)
    instants = collections.defaultdict(list)
    open_spans = collections.defaultdict(list)
    for e in events:
        track = (e.get("pid"), e.get("tid"))
        if e["ph"] == "B":
            open_spans[track].append(e)
        elif e["ph"] == "E":
            b = open_spans[track].pop()
            spans[track].append((b["ts"], e["ts"], len(open_spans[track]), b["name"]))
        elif e["ph"] == "i":
            instants[track].append((e["ts"], e["name"]))
    tracks = sorted(set(spans) | set(instants))
    start = args.start if args.start is not None else min(s[0] for t in spans.values() for s in t)
    end = args.end if args.end is not None else max(s[1] for t in spans.values() for s in t)
    colours = {}
    palette = plt.get_cmap("tab20").colors
    fig, ax = plt.subplots(figsize=(12, 0.55 * len(tracks) + 1.2))
    for row, track in enumerate(tracks):
        y = len(tracks) - 1 - row
        for s, e, depth, name in spans[track]:
            if e < start or s > end:
                continue
            colour = colours.setdefault(name, palette[len(colours) % len(palette)])
            height = 0.7 * (0.75 ** depth)
            ax.barh(y, max(e - s, (end - start) / 2000), left=s, height=height, color=colour, linewidth=0)
        for t, name in instants[track]:
            if start <= t <= end:
                ax.plot([t, t], [y - 0.3, y + 0.3], color="black", linewidth=0.6)
    ax.set_yticks(range(len(tracks)))
    ax.set_yticklabels([names.get(t, str(t)) for t in reversed(tracks)])
    ax.set_xlim(start, end)
    ax.set_xlabel("simulated time (microseconds of the 3.4 GHz core)")
    shown = sorted(colours, key=lambda n: -sum(e - s for t in spans.values() for s, e, _, m in t if m == n))[:12]
    handles = [plt.Rectangle((0, 0), 1, 1, color=colours[n]) for n in shown]
    ax.legend(handles, shown, loc="upper center", bbox_to_anchor=(0.5, -0.25), ncol=4, fontsize=8, frameon=False)
    ax.set_title(json.load(open(args.timeline))["otherData"]["title"].split("/")[-1], fontsize=9)
    fig.tight_layout()
    fig.savefig(args.out, dpi=110)


if __name__ == "__main__":
    main()
