#!/usr/bin/env python3
"""Native vs x64sim vs llvm-mca cycles per iteration for bench/accuracy's kernels.

Run through `bazel run //bench/accuracy -- [flags]` (run_accuracy.sh gives the
paths). Runs the guest in x64sim, then the native runner, llvm-mca-14 on
kernels.S's marked loop bodies and the compute workload natively, and prints
one table (docs/accuracy.md). Errors are (model - host) / host.
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile

LLVM_MCA = "llvm-mca-14"
# LLVM 14 has no Zen 4 model; Zen 3 shares its integer pipeline (docs/accuracy.md).
LLVM_MCA_CPU = "znver3"
LLVM_MCA_ITERATIONS = 1000
# The compute guest's default rounds (guest/demo/compute/compute_main.c).
WHOLE_PROGRAM_ROUNDS = 100
WHOLE_PROGRAM_REPETITIONS = 31
# The accuracy guest needs usable RAM up to 512 MiB (guest/accuracy/accuracy_main.c).
GUEST_MEMORY_MIB = 640
# The compute workload's code-generation flags (guest/demo/compute/BUILD.bazel).
WORKLOAD_SOURCES = ["arithmetic.c", "copies.c", "crc32.c", "hash_table.c", "rounds.c", "sort.c"]
WORKLOAD_COPTS = ["-O2", "-mgeneral-regs-only", "-fno-tree-loop-distribute-patterns"]

KEY_VALUE = re.compile(r"(\w+)=(\S+)")


def fields(line):
    return dict(KEY_VALUE.findall(line))


def run(command, **kwargs):
    result = subprocess.run(command, capture_output=True, text=True, **kwargs)
    return result.returncode, result.stdout, result.stderr


def simulate(args, kernel_image, x64sim_flags):
    """Cycles per iteration by kernel from the accuracy guest's console."""
    status, out, err = run([args.x64sim, f"--kernel={kernel_image}",
                            f"--memory-mib={GUEST_MEMORY_MIB}"] + x64sim_flags)
    if "accuracy: done" not in out:
        sys.exit(f"accuracy: the guest did not finish (x64sim status {status}): {err.strip()}")
    cycles = {}
    for line in out.splitlines():
        if line.startswith("accuracy: kernel="):
            f = fields(line)
            cycles[f["kernel"]] = int(f["cycles"]) / int(f["iterations"])
    return cycles


def simulate_whole_program(args, x64sim_flags):
    """The compute guest's region of interest (its rounds): x64sim cycles and instructions."""
    with tempfile.TemporaryDirectory() as tmp:
        # By name after the run: x64sim replaces the file rather than
        # writing into it, so a handle opened before would see nothing.
        stats = os.path.join(tmp, "compute.stats")
        status, _, err = run([args.x64sim, f"--kernel={args.compute_image}",
                              f"--stats={stats}"] + x64sim_flags)
        text = open(stats).read() if os.path.exists(stats) else ""
    region = re.search(r"^\[roi\.0\]\n((?:[^\[].*\n)*)", text, re.M)
    values = dict(re.findall(r"^(\S+) (\d+)$", region.group(1), re.M)) if region else {}
    if "cycles" not in values or "instructions" not in values:
        sys.exit(f"accuracy: no [roi.0] cycles from the compute guest (status {status}): {err}")
    return int(values["cycles"]), int(values["instructions"])


def native(args):
    """The native runner's output: its header lines and per-kernel fields."""
    if args.native_from:
        with open(args.native_from) as f:
            out = f.read()
    else:
        status, out, err = run([args.native, f"--repetitions={args.repetitions}"])
        if status != 0:
            sys.exit(f"accuracy: native runner failed: {err}")
    header, kernels = [], {}
    for line in out.splitlines():
        if line.startswith("native: kernel="):
            f = fields(line)
            kernels[f["kernel"]] = (float(f["cycles_per_iter"]), float(f["spread_pct"]))
        elif line.startswith("native: "):
            header.append(line[len("native: "):])
    return header, kernels


def native_whole_program(args):
    """Builds the compute workload with its flags and times it natively."""
    workspace = os.environ.get("BUILD_WORKSPACE_DIRECTORY")
    if not workspace:
        return None, "no BUILD_WORKSPACE_DIRECTORY (run through bazel run)"
    here = os.path.join(workspace, "bench", "accuracy")
    compute = os.path.join(workspace, "guest", "demo", "compute")
    with tempfile.TemporaryDirectory() as tmp:
        objects = []
        for source in WORKLOAD_SOURCES:
            obj = os.path.join(tmp, source + ".o")
            status, _, err = run(["gcc", "-c", f"-I{workspace}"] + WORKLOAD_COPTS +
                                 [os.path.join(compute, source), "-o", obj])
            if status != 0:
                return None, f"gcc {source}: {err}"
            objects.append(obj)
        binary = os.path.join(tmp, "whole_program")
        status, _, err = run(["g++", "-O2", "-std=c++20", f"-I{workspace}", "-o", binary,
                              os.path.join(here, "whole_program_main.cc"),
                              os.path.join(here, "tsc_calibration.cc"),
                              os.path.join(here, "kernels.S")] + objects)
        if status != 0:
            return None, f"g++: {err}"
        status, out, err = run([binary, str(WHOLE_PROGRAM_ROUNDS),
                                str(WHOLE_PROGRAM_REPETITIONS)])
        if status != 0:
            return None, f"whole_program: {err}"
    return fields(out), None


def expand_rept(body):
    """`body` with each (unnested) `.rept N` ... `.endr` block repeated N times."""
    return re.sub(r"^\s*\.rept (\d+)\n(.*?)^\s*\.endr\n",
                  lambda m: m.group(2) * int(m.group(1)), body, flags=re.M | re.S)


def llvm_mca(kernels_source):
    """Cycles per iteration of every marked loop body.

    Each region goes to llvm-mca on its own, its `.rept` blocks written out:
    llvm-mca-14 sometimes leaves a `.rept` block that opens a region out of
    the region, silently (add_chain's eight ADDs vanished when kernels.S
    grew by a few lines).
    """
    source = open(kernels_source).read()
    regions = re.findall(r"^# LLVM-MCA-BEGIN (\w+)\n(.*?)^# LLVM-MCA-END \1$", source,
                         re.M | re.S)
    regions = [(name, expand_rept(body)) for name, body in regions]
    if not regions:
        sys.exit(f"accuracy: no llvm-mca regions in {kernels_source}")
    cycles = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, body in regions:
            path = os.path.join(tmp, f"{name}.s")
            with open(path, "w") as f:
                f.write(f".intel_syntax noprefix\n# LLVM-MCA-BEGIN {name}\n{body}"
                        f"# LLVM-MCA-END {name}\n")
            status, out, err = run([LLVM_MCA, f"-mcpu={LLVM_MCA_CPU}",
                                    f"-iterations={LLVM_MCA_ITERATIONS}", path])
            if status != 0:
                sys.exit(f"accuracy: {LLVM_MCA} failed on {name}: {err}")
            match = re.search(r"Code Region - (\w+)\s+Iterations:\s+(\d+)\s+"
                              r"Instructions:\s+\d+\s+Total Cycles:\s+(\d+)", out)
            if match is None:
                sys.exit(f"accuracy: no figures from {LLVM_MCA} for {name}:\n{out}")
            cycles[name] = int(match.group(3)) / int(match.group(2))
    return cycles


def error_pct(model, host):
    return None if model is None else (model - host) / host * 100


def format_table(rows, markdown):
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for n, row in enumerate(rows):
        if markdown:
            lines.append("| " + " | ".join(row) + " |")
            if n == 0:
                # The kernel column left-aligned, figures right-aligned.
                lines.append("|---|" + "---:|" * (len(row) - 1))
        else:
            cells = [row[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(row[1:], widths[1:])]
            lines.append("  ".join(cells))
    return "\n".join(lines)


def summary(name, errors):
    errors = [abs(e) for e in errors if e is not None]
    if not errors:
        return f"{name}: no kernels"
    return (f"{name}: median |error| {statistics.median(errors):.1f}%, "
            f"max |error| {max(errors):.1f}% over {len(errors)} kernels")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--uarch", default="host",
                        help="x64sim --uarch (default host: the shipped model of this CPU)")
    parser.add_argument("--timing", help="x64sim --timing (on|off)")
    parser.add_argument("--repetitions", type=int, default=15, help="native repetitions")
    parser.add_argument("--native-from", help="read the native runner's output from this file")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    parser.add_argument("--x64sim", required=True)
    parser.add_argument("--native", required=True)
    parser.add_argument("--guest", required=True)
    parser.add_argument("--compute-image", required=True)
    parser.add_argument("--kernels-source", required=True)
    args = parser.parse_args()

    x64sim_flags = []
    if args.uarch:
        x64sim_flags.append(f"--uarch={args.uarch}")
    if args.timing:
        x64sim_flags.append(f"--timing={args.timing}")
    simulated = simulate(args, args.guest, x64sim_flags)
    simulated_whole, whole_instructions = simulate_whole_program(args, x64sim_flags)
    mca = llvm_mca(args.kernels_source)
    header, host = native(args)
    whole, whole_error = native_whole_program(args)

    rows = [["kernel", "host", "spread%", "x64sim", "llvm-mca", "x64sim err%", "mca err%"]]
    sim_errors, mca_errors = [], []
    for name, (host_cycles, spread) in host.items():
        sim_cycles = simulated.get(name)
        mca_cycles = mca.get(name)
        sim_error = error_pct(sim_cycles, host_cycles)
        mca_error = error_pct(mca_cycles, host_cycles)
        sim_errors.append(sim_error)
        mca_errors.append(mca_error)
        rows.append([name, f"{host_cycles:.2f}", f"{spread:.1f}",
                     "-" if sim_cycles is None else f"{sim_cycles:.2f}",
                     "-" if mca_cycles is None else f"{mca_cycles:.2f}",
                     "-" if sim_error is None else f"{sim_error:+.1f}",
                     "-" if mca_error is None else f"{mca_error:+.1f}"])

    flags = " ".join(x64sim_flags) or "(x64sim defaults)"
    print(f"host: {'; '.join(header)}")
    print(f"x64sim: {flags}; llvm-mca: {LLVM_MCA} -mcpu={LLVM_MCA_CPU}")
    print("cycles per iteration; host = minimum over repetitions, spread = median/min - 1\n")
    print(format_table(rows, args.markdown))
    print()
    print(summary("x64sim", sim_errors))
    print(summary("llvm-mca", mca_errors))
    if whole is None:
        print(f"whole program: native run unavailable ({whole_error})")
    else:
        host_whole = float(whole["cycles"])
        print(f"whole program (compute workload, {WHOLE_PROGRAM_ROUNDS} rounds, "
              f"{whole_instructions} instructions): "
              f"host {host_whole:.0f} cycles (IPC {whole_instructions / host_whole:.2f}; "
              f"sum of per-round minima; fastest whole run {float(whole['whole_min']):.0f}), "
              f"x64sim {simulated_whole} cycles (IPC {whole_instructions / simulated_whole:.2f}), "
              f"error {error_pct(simulated_whole, host_whole):+.1f}%")


if __name__ == "__main__":
    main()
