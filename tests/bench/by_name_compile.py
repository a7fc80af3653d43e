#!/usr/bin/env python3
"""The compile time of by-name reads: flags::enabled<"release.flag-00042">(ctx) finds its flag at
compile time, and that search must not grow with the registry. Compiles, against a registry of
--flags flags, one file with no read, one with --reads reads by enumerator and one with the same
reads by name, and prints the wall time and peak memory of each compile. Nothing is judged: the
benchmark report (report.py) shows the figures; the bench suite runs it small, so that it keeps working.

usage: by_name_compile.py FLAGC SOURCE_ROOT [--flags N] [--reads K] -- COMPILER...

    by_name_compile.py build/flagc . --flags 10000 --reads 100 -- c++
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FLAG = ('[flags."release.flag-{0:05d}"]\ndescription = "flag {0}"\nowner = "o"\ncreated = 2026-11-01\n'
        'retire_by = 2027-01-15\ndefault = false\n\n')


def reads_file(path, count, flags, by_name):
    """A function summing `count` reads of flags spread over the whole registry."""
    lines = ["#include <flags/read.hpp>", "int count(const flags::Context& ctx) {", "    int n = 0;"]
    for j in range(count):
        i = (j * 7919) % flags
        target = f'"release.flag-{i:05d}"' if by_name else f"flags::Flag::release_flag_{i:05d}"
        lines.append(f"    n += flags::enabled<{target}>(ctx);")
    lines += ["    return n;", "}", ""]
    path.write_text("\n".join(lines), encoding="utf-8")


def timed_compile(command):
    """(seconds, peak resident MB) of one compile, which must succeed."""
    start = time.monotonic()
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.monotonic() - start
    stderr = process.stderr.read()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"compile failed: {' '.join(map(str, command))}\n{stderr}")
    return seconds, usage.ru_maxrss / 1024


def main():
    split = sys.argv.index("--")
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("flagc")
    parser.add_argument("source_root")
    parser.add_argument("--flags", type=int, default=10000)
    parser.add_argument("--reads", type=int, default=100)
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON document")
    args = parser.parse_args(sys.argv[1:split])
    compiler = sys.argv[split + 1:]

    with tempfile.TemporaryDirectory(prefix="flagstone-by-name-") as work:
        work = Path(work)
        (work / "registry.toml").write_text("".join(FLAG.format(i) for i in range(args.flags)), encoding="utf-8")
        (work / "flags").mkdir()
        subprocess.run([args.flagc, work / "registry.toml", "-o", work / "flags" / "registry.hpp",
                        "--today", "2026-11-21"], check=True)
        cases = [("no read", 0, False), (f"{args.reads} reads by enumerator", args.reads, False),
                 (f"{args.reads} reads by name", args.reads, True)]
        if not args.json:
            print(f"compiling against a registry of {args.flags} flags (-std=c++20 -O2):")
        figures = []
        for name, count, by_name in cases:
            source = work / (name.replace(" ", "-") + ".cpp")
            reads_file(source, count, args.flags, by_name)
            seconds, megabytes = timed_compile(compiler + ["-std=c++20", "-O2", f"-I{Path(args.source_root) / 'include'}",
                                                           f"-I{work}", "-c", source, "-o", work / "out.o"])
            figures.append({"case": name, "flags": args.flags, "seconds": seconds, "peak_mb": megabytes})
            if not args.json:
                print(f"  {name:<28} {seconds:7.1f} s  {megabytes:7.0f} MB peak")
        if args.json:
            print(json.dumps(figures))


main()
