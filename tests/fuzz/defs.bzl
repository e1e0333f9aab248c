"""fuzz_target: one libFuzzer entry point, built two ways.

Under --config=fuzz (clang-14, tools/fuzz.sh) NAME links libFuzzer's main
and searches. In every other configuration it links replay_main.cc, which
runs LLVMFuzzerTestOneInput over the files it is given. Either way
NAME_corpus_test runs it over the checked-in corpus (libFuzzer, too, runs
file arguments once each), so every seed and every input that once found a
bug is replayed by the normal and the ASan+UBSan test runs.
"""

load("@rules_cc//cc:defs.bzl", "cc_binary", "cc_library")

def fuzz_target(name, srcs, deps = [], corpus = [], extra_inputs = [], guest_inputs = {}):
    """Defines NAME (the fuzzer) and NAME_corpus_test.

    Args:
      name: the fuzzer's name; its seed corpus is corpus/NAME/ unless given.
      srcs: sources defining LLVMFuzzerTestOneInput.
      deps: libraries they use.
      corpus: seed files (default: glob corpus/NAME/*).
      extra_inputs: more files replayed by the corpus test and copied into a
        fresh corpus by tools/fuzz.sh (labels of files from elsewhere).
      guest_inputs: environment variable -> guest image label the target
        reads (set for the corpus test; tools/fuzz.sh sets them for fuzzing,
        since guests cannot be built in the fuzz configuration).
    """
    seeds = corpus or native.glob(["corpus/%s/*" % name])
    cc_library(
        name = name + "_entry",
        testonly = True,
        srcs = srcs,
        deps = deps,
        alwayslink = True,
    )
    cc_binary(
        name = name,
        testonly = True,
        deps = [":%s_entry" % name] + select({
            "//tests/fuzz:fuzzing": [],
            "//conditions:default": ["//tests/fuzz:replay_main"],
        }),
        linkopts = select({
            "//tests/fuzz:fuzzing": ["-fsanitize=fuzzer"],
            "//conditions:default": [],
        }),
        data = seeds + extra_inputs,
    )
    guests = guest_inputs.values()
    native.sh_test(
        name = name + "_corpus_test",
        srcs = ["//tests/fuzz:replay_corpus.sh"],
        args = ["$(rootpath :%s)" % name] + ["$(rootpath %s)" % s for s in seeds + extra_inputs],
        data = [":" + name] + seeds + extra_inputs + guests,
        env = {var: "$(rootpath %s)" % label for var, label in guest_inputs.items()},
    )
