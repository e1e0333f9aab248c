#!/usr/bin/python3
"""Gathers a sweep's points (defs.bzl) into a CSV and, optionally, a plot.

Usage:
  merge_stats.py TESTLOGS_DIR SWEEP --csv=OUT.csv [--plot=OUT.png]
                 [--stat=NAME]... [--xlabel=TEXT]

TESTLOGS_DIR is the package's directory under bazel-testlogs (for
//bench/sweep:stlb_sweep, bazel-testlogs/bench/sweep). Each point's outputs
are read from NAME_VALUE/test.outputs, zipped (Bazel's default) or not. The
CSV has a row per point, sorted by value, and a column per --stat (default:
timing.cycles). The plot, with matplotlib, draws each --stat against the
value. Exits 1 naming what is missing when a point has no outputs.
"""

import argparse
import csv
import json
import os
import sys
import zipfile


def read_outputs(directory):
    """The point's files: {name: bytes} from outputs.zip or the directory."""
    zipped = os.path.join(directory, "outputs.zip")
    if os.path.exists(zipped):
        with zipfile.ZipFile(zipped) as z:
            return {os.path.basename(n): z.read(n) for n in z.namelist()}
    files = {}
    if os.path.isdir(directory):
        for name in os.listdir(directory):
            path = os.path.join(directory, name)
            if os.path.isfile(path):
                with open(path, "rb") as f:
                    files[name] = f.read()
    return files


def sort_key(value):
    try:
        return (0, float(value), value)
    except ValueError:
        return (1, 0.0, value)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("testlogs")
    parser.add_argument("sweep")
    parser.add_argument("--csv", required=True)
    parser.add_argument("--plot")
    parser.add_argument("--stat", action="append")
    parser.add_argument("--xlabel")
    args = parser.parse_args()
    stats_wanted = args.stat or ["timing.cycles"]

    rows = []
    prefix = args.sweep + "_"
    for entry in sorted(os.listdir(args.testlogs)):
        if not entry.startswith(prefix):
            continue
        files = read_outputs(os.path.join(args.testlogs, entry, "test.outputs"))
        if "point.json" not in files or "stats.json" not in files:
            sys.exit("merge_stats: %s has no point.json/stats.json outputs (run `bazel test` on "
                     "the sweep first)" % entry)
        point = json.loads(files["point.json"])
        stats = json.loads(files["stats.json"])["stats"]
        missing = [s for s in stats_wanted if s not in stats]
        if missing:
            sys.exit("merge_stats: %s: no statistic %s" % (entry, ", ".join(missing)))
        rows.append([point["value"]] + [stats[s] for s in stats_wanted])
    if not rows:
        sys.exit("merge_stats: no points of sweep '%s' in %s" % (args.sweep, args.testlogs))
    rows.sort(key=lambda r: sort_key(r[0]))

    with open(args.csv, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["value"] + stats_wanted)
        writer.writerows(rows)

    if args.plot:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        figure, axes = plt.subplots(figsize=(6, 4))
        labels = [str(r[0]) for r in rows]
        for i, name in enumerate(stats_wanted):
            axes.plot(labels, [r[i + 1] for r in rows], marker="o", label=name)
        axes.set_xlabel(args.xlabel or args.sweep)
        axes.set_ylabel(", ".join(stats_wanted))
        axes.set_title("x64sim sweep: " + args.sweep)
        axes.legend()
        axes.grid(True, alpha=0.3)
        figure.tight_layout()
        figure.savefig(args.plot, dpi=100)
    print("merge_stats: %d points -> %s%s" % (len(rows), args.csv,
                                                  " and " + args.plot if args.plot else ""))


if __name__ == "__main__":
    main()
