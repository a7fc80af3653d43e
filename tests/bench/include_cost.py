#!/usr/bin/env python3
"""What including the reading header costs the build: the compile time of a file that includes
<flags/read.hpp> and checks one flag, against that of a file that includes <string> and <vector>,
both at -O2. The two compile in turn, --rounds times each, and the medians of their processor time
(user + system, which the machine's other load disturbs less than the wall clock) are compared.
Nothing is judged here: the benchmark report (report.py) holds the ratio to its target.

usage: include_cost.py BUILD_DIR SOURCE_ROOT [--rounds N] [--json] -- COMPILER...

    include_cost.py build-release . -- c++
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

READER = """#include <flags/read.hpp>

bool new_checkout(const flags::Context& ctx) { return flags::enabled<flags::Flag::release_new_checkout>(ctx); }
"""

BASELINE = """#include <string>
#include <vector>

std::size_t total_size(const std::vector<std::string>& names) {
    std::size_t total = 0;
    for (const auto& name : names) total += name.size();
    return total;
}
"""


def cpu_seconds(command):
    """The processor time of one compile, which must succeed."""
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(process.pid, 0)
    stderr = process.stderr.read()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"compile failed: {' '.join(map(str, command))}\n{stderr}")
    return usage.ru_utime + usage.ru_stime


def preprocessed_lines(command):
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout.count("\n")


def main():
    split = sys.argv.index("--")
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("build_dir", help="a configured build, whose tests/data/flags/registry.hpp stands in for a project's")
    parser.add_argument("source_root")
    parser.add_argument("--rounds", type=int, default=11)
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON document")
    args = parser.parse_args(sys.argv[1:split])
    compiler = sys.argv[split + 1:]
    flags = ["-std=c++20", "-O2", f"-I{Path(args.source_root) / 'include'}", f"-I{Path(args.build_dir) / 'tests' / 'data'}"]

    with tempfile.TemporaryDirectory(prefix="flagstone-include-cost-") as work:
        work = Path(work)
        sources = {"reader": work / "reader.cpp", "baseline": work / "baseline.cpp"}
        sources["reader"].write_text(READER, encoding="utf-8")
        sources["baseline"].write_text(BASELINE, encoding="utf-8")
        times = {name: [] for name in sources}
        for _ in range(args.rounds):
            for name, source in sources.items():
                times[name].append(cpu_seconds(compiler + flags + ["-c", str(source), "-o", str(work / "out.o")]))
        lines = {name: preprocessed_lines(compiler + flags + ["-E", str(source)]) for name, source in sources.items()}

    figures = {name: {"seconds": statistics.median(times[name]), "lines": lines[name]} for name in sources}
    figures["ratio"] = figures["reader"]["seconds"] / figures["baseline"]["seconds"]
    figures["rounds"] = args.rounds
    if args.json:
        print(json.dumps(figures))
    else:
        for name, label in (("reader", "<flags/read.hpp>, one enabled<>"), ("baseline", "<string> and <vector>")):
            print(f"  {label:<34} {figures[name]['seconds']:6.3f} s  {figures[name]['lines']:7,} lines")
        print(f"  ratio {figures['ratio']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
