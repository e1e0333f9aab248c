"""Compiler options shared by BUILD files."""

# The interpreter, the MMU and the timing model run for every guest
# instruction. In an optimised build (`-c opt`, what benchmarks and users
# timing a guest run) they are compiled without frame pointers (Bazel's
# default toolchain keeps them; without, every interpreter handler saves a
# register fewer) and at -O3: together 7 % fewer host instructions for a
# timed ipcbench run and 6 % for a functional one (callgrind,
# docs/performance.md). Only these libraries: guest code, also built by
# Bazel's C++ rules, must compile to the same instructions in every build,
# or the cycle counts the tests pin would move. Other builds, the tests'
# among them, keep the defaults.
HOT_PATH_COPTS = select({
    "//:optimized": [
        "-O3",
        "-fomit-frame-pointer",
    ],
    "//conditions:default": [],
})
