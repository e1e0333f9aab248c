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
    # Guests have no sanitizer runtime; overrides --config=asan's -fsanitize
    # (rule copts follow --copt on the command line).
    "-fno-sanitize=all",
]

def guest_library(name, copts = [], **kwargs):
    cc_library(
        name = name,
        copts = GUEST_COPTS + copts,
        features = ["-pie"],
        # No shared library: non-PIC guest objects cannot be linked into one,
        # and `bazel build //...` would try.
        linkstatic = kwargs.pop("linkstatic", True),
        **kwargs
    )

def guest_binary(name, linker_script, copts = [], linkopts = [], deps = [], **kwargs):
    """A static, non-PIE ELF64 linked with `linker_script` and no C library."""
    cc_binary(
        name = name,
        copts = GUEST_COPTS + copts,
        linkopts = [
            # GNU ld: gold lacks parts of the linker-script language (EXCLUDE_FILE).
            "-fuse-ld=bfd",
            "-nostdlib",
            "-static",
            "-no-pie",
            "-Wl,--build-id=none",
            "-Wl,-z,max-page-size=0x1000",
            "-Wl,-T,$(location %s)" % linker_script,
        ] + linkopts,
        additional_linker_inputs = [linker_script],
        deps = deps,
        # --start-lib/--end-lib are gold-only.
        features = ["-pie", "-supports_start_end_lib"],
        **kwargs
    )

def guest_elf32(name, src, **kwargs):
    """`src` (a 64-bit guest_binary) rewritten as ELF32 for QEMU's multiboot
    loader, which refuses ELF64 images; seL4 builds its kernel the same way.
    Output: `<name>.elf`."""
    native.genrule(
        name = name,
        srcs = [src],
        outs = [name + ".elf"],
        cmd = "objcopy -O elf32-i386 $< $@",
        **kwargs
    )
