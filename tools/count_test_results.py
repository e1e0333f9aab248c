#!/usr/bin/env python3
"""Counts passed and failed test cases from Bazel's JUnit XML test logs.

Usage: count_test_results.py TESTLOGS_DIR TARGET...
Prints "PASSED FAILED". A target without a test.xml (it did not build or
did not run) counts as one failure; a sharded target counts every shard.
"""
import glob
import os
import sys
import xml.etree.ElementTree as ET


def count(xml_path):
    root = ET.parse(xml_path).getroot()
    cases = list(root.iter("testcase"))
    if not cases:
        return 0, 1
    failed = sum(1 for c in cases if c.find("failure") is not None or c.find("error") is not None)
    return len(cases) - failed, failed


def main():
    logs, targets = sys.argv[1], sys.argv[2:]
    passed = failed = 0
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
            p, f = count(xml)
            passed += p
            failed += f
    print(passed, failed)


if __name__ == "__main__":
    main()
