"""Compiler options shared by BUILD files."""

# The interpreter, the MMU and the timing model run for every guest
# instruction. In an optimised build (`-c opt`, what benchmarks and users
# timing a guest run) they get -O3: 4 % fewer host instructions for a timed
# ipcbench run and 2 % for a functional one than at -O2 (callgrind,
# docs/performance.md). Other builds keep -O2 (.bazelrc), so the tests'
# build time is unchanged.
HOT_PATH_COPTS = select({
    "//:optimized": ["-O3"],
    "//conditions:default": [],
})
