"""Parameter sweeps as Bazel tests: one test per point, so `bazel test`
runs a sweep on local cores and the same command with --remote_executor on
a remote-execution cluster. docs/sweeps.md."""

def uarch_sweep(name, kernel, line, values, modules = [], runner_args = [], exit_status = 33, tags = []):
    """Boots `kernel` once per value with the description line `line` changed.

    Each point is a test `NAME_VALUE` that runs x64sim with
    --uarch-set=LINE ({} in LINE replaced by the value) and leaves its JSON
    statistics, console and point description in the test's undeclared
    outputs; bench/sweep/merge_stats.py gathers them into a CSV and a plot.
    A test_suite NAME runs them all.

    Args:
      kernel: the multiboot image.
      line: a .uarch line with {} where the value goes.
      values: the sweep's values (strings or integers).
      modules: multiboot modules, passed as --module in order.
      runner_args: further x64sim flags (--cmdline=..., --uarch=...).
      exit_status: x64sim's expected exit status (the guest's debug exit).
      tags: e.g. ["manual"] for sweeps too long for `bazel test //...`.
    """
    points = []
    for value in values:
        point = "%s_%s" % (name, value)
        args = [
            "$(location //sim:x64sim)",
            str(exit_status),
            name,
            str(value),
            "'--uarch-set=%s'" % line.format(value),
            "--kernel=$(location %s)" % kernel,
        ]
        args += ["--module=$(location %s)" % m for m in modules]
        native.sh_test(
            name = point,
            srcs = ["//bench/sweep:run_point.sh"],
            args = args + runner_args,
            data = ["//sim:x64sim", kernel] + modules,
            tags = tags,
        )
        points.append(":" + point)
    # On a test_suite only "manual" keeps wildcards out; other tags would filter.
    native.test_suite(name = name, tests = points, tags = [t for t in tags if t == "manual"])
