#!/usr/bin/env python3
"""Sorts the ThreadSanitizer reports in a test log into known and unexplained.

Known (issue 17, RELIABILITY.md "Sanitizers"): a race between a continuation's
`resume()` on one thread and the resumed task's write to its own frame in
`with…Continuation` on another. The two are ordered by an atomic inside the Swift
concurrency runtime, which is not instrumented. Every other report is unexplained.

Usage: tsan-triage.py LOG   (exit status 1 when any report is unexplained)
"""
import re
import sys

CONTINUATION = re.compile(r"with(Unsafe|Checked)(Throwing)?Continuation")


def first_frames(report):
    """The frame #0 of each access ("Write of size …", "Previous read of size …")."""
    frames = []
    lines = report.splitlines()
    for index, line in enumerate(lines):
        if re.search(r"(Write|Read|read|write) of size \d+", line) and index + 1 < len(lines):
            frames.append(lines[index + 1])
    return frames


def is_known(report):
    frames = first_frames(report)
    if len(frames) != 2 or "data race" not in report.splitlines()[0]:
        return False
    awaiting = [f for f in frames if CONTINUATION.search(f)]
    resuming = [f for f in frames if "6resume" in f]
    return len(awaiting) == 1 and len(resuming) == 1


def main(path):
    text = open(path, errors="replace").read()
    reports = text.split("WARNING: ThreadSanitizer:")[1:]
    known = sum(1 for r in reports if is_known(r))
    unexplained = len(reports) - known
    print(f"ThreadSanitizer: {len(reports)} report(s): {known} known (continuation hand-off, issue 17), {unexplained} unexplained")
    for report in reports:
        if not is_known(report):
            try:
                print("unexplained report:\nWARNING: ThreadSanitizer:" + report[:3000])
            except BrokenPipeError:
                break
    return 1 if unexplained else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
