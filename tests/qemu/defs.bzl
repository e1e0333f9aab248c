"""Golden console tests of multiboot guests, under QEMU or the simulator."""

# Boot arguments behind //guest/demo:expected_console.txt; every runner that
# checks against that file must boot the demo with exactly these.
# The demo prints only key=value words, which every loader passes unchanged.
DEMO_CMDLINE = "demo-arg=1 second-arg=two"
DEMO_MODULES = {"//tests/qemu:testdata/module.txt": "module-arg=3"}

def console_golden_test(
        name,
        runner,
        kernel,
        expected_console,
        expected_status,
        modules = {},
        cmdline = None,
        runner_args = [],
        **kwargs):
    """Boots `kernel` with `runner` and compares console and exit status.

    Args:
      runner: "//tools:run_qemu" or "//sim:x64sim" (same flags).
      kernel: the multiboot image (ELF64 or ELF32).
      expected_console: golden file of the console output.
      expected_status: the runner's exit status, e.g. 33 for debug-exit 0x10.
      modules: {label: "arguments"} passed as --module=FILE,ARGS (no quote
        characters in the arguments).
      cmdline: kernel arguments passed as --cmdline (no quote characters).
      runner_args: further flags only this runner understands.
    """
    # Without QEMU installed, a QEMU test skips (saying so) instead of failing.
    args = ["--needs_qemu"] if runner == "//tools:run_qemu" else []
    args += [
        "$(location %s)" % runner,
        "$(location %s)" % expected_console,
        str(expected_status),
        "--kernel=$(location %s)" % kernel,
    ]
    for module, module_args in modules.items():
        args.append("'--module=$(location %s)%s'" % (module, "," + module_args if module_args else ""))
    if cmdline != None:
        # `args` are split like a Bourne shell would: keep spaces inside.
        args.append("'--cmdline=%s'" % cmdline)
    native.sh_test(
        name = name,
        srcs = ["//tests/qemu:console_golden_test.sh"],
        args = args + runner_args,
        data = [runner, kernel, expected_console] + list(modules.keys()),
        **kwargs
    )
