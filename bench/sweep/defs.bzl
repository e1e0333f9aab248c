"""Parameter sweeps as Bazel tests: one test per point, so `bazel test`
runs a sweep on local cores and the same command with --remote_executor on
a remote-execution cluster. docs/sweeps.md."""

def guest_checkpoint(name, kernel, modules = [], args = [], at = None):
    """Boots `kernel` and writes its checkpoint, NAME.ckpt, and console, NAME.console.txt.

    The checkpoint is taken after `at` instructions or, without `at`, where
    the guest asks (x64sim_checkpoint()); the run ends there. An action like
    any other: built once, cached, and run remotely with the sweep.

    Args:
      kernel: the multiboot image.
      modules: multiboot modules, passed as --module in order.
      args: further x64sim flags (--cmdline=..., --memory-mib=..., --timing=off).
      at: instructions from boot to the checkpoint (None: the guest's request).
    """
    flags = ["--kernel=$(location %s)" % kernel]
    flags += ["--module=$(location %s)" % m for m in modules]
    flags += args
    if at != None:
        flags.append("--checkpoint-at=%d" % at)
    native.genrule(
        name = name,
        srcs = [kernel] + modules,
        outs = [name + ".ckpt", name + ".console.txt"],
        # stderr only when it fails (it names the reason).
        cmd = ("err=$$($(location //sim:x64sim) %s --checkpoint=$(location %s.ckpt) " +
               "--stop-after-checkpoint 2>&1 >$(location %s.console.txt)) || " +
               "{ echo \"$$err\" >&2; exit 1; }") % (" ".join(flags), name, name),
        tools = ["//sim:x64sim"],
    )

def uarch_sweep(name, line, values, kernel = None, modules = [], checkpoint = None, runner_args = [], exit_status = 33, tags = []):
    """Runs a guest once per value with the description line `line` changed.

    Each point is a test `NAME_VALUE` that runs x64sim with
    --uarch-set=LINE ({} in LINE replaced by the value) and leaves its JSON
    statistics, console and point description in the test's undeclared
    outputs; bench/sweep/merge_stats.py gathers them into a CSV and a plot.
    A test_suite NAME runs them all. A point boots `kernel` (and `modules`),
    or restores `checkpoint` (a guest_checkpoint's .ckpt), which skips what
    ran before it; restored under another description, the model's TLBs,
    caches and predictor start empty (docs/checkpoints.md).

    Args:
      line: a .uarch line with {} where the value goes.
      values: the sweep's values (strings or integers).
      kernel: the multiboot image, when the points boot.
      modules: multiboot modules, passed as --module in order.
      checkpoint: a checkpoint file to restore instead of booting.
      runner_args: further x64sim flags (--cmdline=..., --uarch=...).
      exit_status: x64sim's expected exit status (the guest's debug exit).
      tags: e.g. ["manual"] for sweeps too long for `bazel test //...`.
    """
    if (kernel == None) == (checkpoint == None):
        fail("uarch_sweep %s: give exactly one of kernel and checkpoint" % name)
    if checkpoint != None:
        guest_flags = ["--restore=$(location %s)" % checkpoint]
        guest_files = [checkpoint]
    else:
        guest_flags = ["--kernel=$(location %s)" % kernel]
        guest_flags += ["--module=$(location %s)" % m for m in modules]
        guest_files = [kernel] + modules
    points = []
    for value in values:
        point = "%s_%s" % (name, value)
        args = [
            "$(location //sim:x64sim)",
            str(exit_status),
            name,
            str(value),
            "'--uarch-set=%s'" % line.format(value),
        ]
        native.sh_test(
            name = point,
            srcs = ["//bench/sweep:run_point.sh"],
            args = args + guest_flags + runner_args,
            data = ["//sim:x64sim"] + guest_files,
            tags = tags,
        )
        points.append(":" + point)
    # On a test_suite only "manual" keeps wildcards out; other tags would filter.
    native.test_suite(name = name, tests = points, tags = [t for t in tags if t == "manual"])
