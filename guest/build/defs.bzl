"""Freestanding guest code built with the host gcc."""

load("@rules_cc//cc:defs.bzl", "cc_binary", "cc_library")

GUEST_COPTS = [
    "-ffreestanding",
    "-fno-stack-protector",
    "-fno-pie",
    "-fno-pic",
    "-mno-red-zone",
    "-fno-exceptions",
    "-fno-asynchronous-unwind-tables",
    "-fcf-protection=none",
    "-O2",
]

def guest_library(name, copts = [], **kwargs):
    cc_library(
        name = name,
        copts = GUEST_COPTS + copts,
        features = ["-pie"],
        **kwargs
    )

def guest_binary(name, linker_script, copts = [], linkopts = [], deps = [], **kwargs):
    """A static, non-PIE ELF64 linked with `linker_script` and no C library."""
    cc_binary(
        name = name,
        copts = GUEST_COPTS + copts,
        linkopts = [
            "-nostdlib",
            "-static",
            "-no-pie",
            "-Wl,--build-id=none",
            "-Wl,-z,max-page-size=0x1000",
            "-Wl,-T,$(location %s)" % linker_script,
        ] + linkopts,
        additional_linker_inputs = [linker_script],
        deps = deps,
        features = ["-pie"],
        **kwargs
    )
