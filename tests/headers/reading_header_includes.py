#!/usr/bin/env python3
"""A file that only reads flags must not pay for what starting a runtime needs. Preprocesses a file
that includes the reading header and checks one flag, and fails, naming the chain of includes, when
any standard header it must stay clear of was pulled in: <filesystem> and <functional> (what
flags::start and its options need), <sstream> (which <chrono> brings since C++20), <memory> and
<vector> (whose growth a Context's attributes do without), <atomic> and the waiting machinery it
brings since C++20 (<bits/atomic_wait.h>), which the read path's own atomics do without.

usage: reading_header_includes.py HEADER -- COMPILER [FLAGS...]

    reading_header_includes.py flags/read.hpp -- c++ -Iinclude -Ibuild
"""
import re
import subprocess
import sys
import tempfile
from pathlib import Path

FORBIDDEN = ("atomic", "atomic_wait.h", "filesystem", "functional", "sstream", "memory", "vector")

SOURCE = """#include <{header}>
bool reads_one_flag(const flags::Context& ctx) {{ return flags::enabled<flags::Flag::release_new_checkout>(ctx); }}
"""

# A line marker of the preprocessor's output: # 12 "/usr/include/c++/12/filesystem" 1 (1: entering it).
MARKER = re.compile(r'^# \d+ "([^"]+)"((?: \d)*)$')


def entered_headers(preprocessed):
    """Each header the preprocessor entered, with the chain of headers that led to it."""
    stack, found = [], []
    for line in preprocessed.splitlines():
        match = MARKER.match(line)
        if not match:
            continue
        path, flags = match.group(1), match.group(2).split()
        if "1" in flags:
            stack.append(path)
            found.append(list(stack))
        elif "2" in flags and stack:
            stack.pop()
    return found


def main():
    split = sys.argv.index("--")
    header, compiler = sys.argv[1:split], sys.argv[split + 1:]
    if len(header) != 1 or not compiler:
        sys.exit(__doc__.split("\n\n")[1])
    with tempfile.TemporaryDirectory(prefix="flagstone-includes-") as work:
        source = Path(work) / "reads.cpp"
        source.write_text(SOURCE.format(header=header[0]), encoding="utf-8")
        done = subprocess.run(compiler + ["-std=c++20", "-E", str(source)], capture_output=True, text=True)
        if done.returncode != 0:
            sys.exit(f"error: {source.name} does not preprocess:\n{done.stderr}")
    chains = entered_headers(done.stdout)
    if not chains:
        sys.exit("error: the preprocessed output has no line markers to follow; is this a GCC-style compiler?")
    bad = [chain for chain in chains if Path(chain[-1]).name in FORBIDDEN]
    for chain in bad:
        print(f"error: <{header[0]}> includes <{Path(chain[-1]).name}>: " + " -> ".join(chain))
    if bad:
        return 1
    print(f"<{header[0]}>: {len(chains)} headers, {done.stdout.count(chr(10))} preprocessed lines, none of "
          + ", ".join(f"<{name}>" for name in FORBIDDEN))
    return 0


if __name__ == "__main__":
    sys.exit(main())
