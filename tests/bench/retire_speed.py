#!/usr/bin/env python3
"""How long `flagctl retire` takes on a generated project of N translation units (default 200), each
including the reading header (<flags/read.hpp>, or --header H) and reading the flag in an if/else, a ?: and a test-like override. The
README reports the figure; nothing asserts it.

Units that begin with the same #include lines share one parse of those headers (a precompiled
preamble); --distinct-preambles starts each unit with its own comment line, so that none shares and
every unit parses the headers itself: the cost for a project whose files all begin differently.

usage: retire_speed.py FLAGCTL FLAGC SOURCE_ROOT [UNITS] [--distinct-preambles] [--header flags/flags.hpp]
"""
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

UNIT = """#include <{header}>

namespace unit{n} {{
namespace {{
int new_path(int x) {{ return x * {n}; }}
}}  // namespace

int price(const flags::Context& ctx, int x) {{
    if (flags::enabled<flags::Flag::release_new_checkout>(ctx)) {{
        return new_path(x);
    }} else {{
        return x + {n};
    }}
}}

bool fast(const flags::Context& ctx, bool cached) {{
    return cached || flags::enabled<"release.new-checkout">(ctx) ? true : false;
}}
}}  // namespace unit{n}
"""


def main():
    distinct = "--distinct-preambles" in sys.argv
    args = [a for a in sys.argv[1:] if a != "--distinct-preambles"]
    header = "flags/read.hpp"
    if "--header" in args:
        at = args.index("--header")
        header = args[at + 1]
        del args[at:at + 2]
    flagctl, flagc, source_root = (str(Path(a).resolve()) for a in args[:3])
    units = int(args[3]) if len(args) > 3 else 200
    registry = Path(source_root) / "tests" / "retire" / "fixture" / "flags" / "registry.toml"
    with tempfile.TemporaryDirectory(prefix="retire-speed-") as temp:
        root = Path(temp)
        (root / "flags").mkdir()
        (root / "src").mkdir()
        (root / "build" / "gen" / "flags").mkdir(parents=True)
        (root / "flags" / "registry.toml").write_text(registry.read_text(encoding="utf-8"), encoding="utf-8")
        subprocess.run([flagc, "flags/registry.toml", "-o", "build/gen/flags/registry.hpp", "--today", "2026-03-01"],
                       cwd=root, check=True)
        entries = []
        for n in range(units):
            source = f"src/unit{n}.cpp"
            (root / source).write_text((f"// unit {n}\n" if distinct else "") + UNIT.format(n=n, header=header), encoding="utf-8")
            command = f"c++ -std=c++20 -Wall -Wextra -Werror -I{source_root}/include -Ibuild/gen -c {source} -o build/{n}.o"
            entries.append({"directory": str(root), "command": command, "file": source})
        (root / "build" / "compile_commands.json").write_text(json.dumps(entries), encoding="utf-8")
        start = time.monotonic()
        result = subprocess.run([flagctl, "retire", "release.new-checkout", "--keep", "true", "-p", "build",
                                 "--registry", "flags/registry.toml"], cwd=root, capture_output=True, text=True)
        seconds = time.monotonic() - start
        sites = len(result.stdout.splitlines())
        print(f"flagctl retire: {units} translation units, {sites} sites, exit {result.returncode}, "
              f"{seconds:.1f} s on {os.cpu_count()} cores, <{header}>{', distinct preambles' if distinct else ''}")
        if result.returncode != 0:
            print(result.stdout[-2000:], result.stderr[-2000:], file=sys.stderr)
            sys.exit(1)


main()
