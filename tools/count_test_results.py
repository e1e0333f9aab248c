#!/usr/bin/env python3
"""Counts passed, failed and skipped test cases from Bazel's JUnit XML logs.

Usage: count_test_results.py TESTLOGS_DIR TARGET...
Prints "PASSED FAILED SKIPPED". A target without a test.xml (it did not
build or did not run) counts as one failure; a sharded target counts every
shard. A case is skipped when it has a <skipped> element (GTEST_SKIP, or a
script that wrote its own XML) or GoogleTest marked it as not run (a
DISABLED_ test): it ran no check, so it is not a pass.
"""
import glob
import os
import sys
import xml.etree.ElementTree as ET


def outcome(case):
    if case.find("failure") is not None or case.find("error") is not None:
        return "failed"
    if (case.find("skipped") is not None or case.get("result") in ("skipped", "suppressed")
            or case.get("status") == "notrun"):
        return "skipped"
    return "passed"


def count(xml_path):
    """(passed, failed, skipped) of one test.xml."""
    cases = list(ET.parse(xml_path).getroot().iter("testcase"))
    if not cases:
        return 0, 1, 0
    outcomes = [outcome(c) for c in cases]
    return outcomes.count("passed"), outcomes.count("failed"), outcomes.count("skipped")


def main():
    logs, targets = sys.argv[1], sys.argv[2:]
    passed = failed = skipped = 0
    for target in targets:
        package, name = target.lstrip("/").split(":")
        target_dir = os.path.join(logs, package, name)
        # A sharded test has one test.xml per shard_K_of_N directory.
        xmls = glob.glob(os.path.join(target_dir, "test.xml")) or sorted(
            glob.glob(os.path.join(target_dir, "shard_*_of_*", "test.xml")))
        if not xmls:
            print(f"no result for {target}", file=sys.stderr)
            failed += 1
            continue
        for xml in xmls:
            p, f, s = count(xml)
            passed += p
            failed += f
            skipped += s
    print(passed, failed, skipped)


if __name__ == "__main__":
    main()
