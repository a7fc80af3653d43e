#!/usr/bin/env python3
"""flagc's header and source file for tests/data/registry/golden.toml equal golden.hpp and golden.cpp
byte for byte.

usage: golden.py [--update] FLAGC REGISTRY GOLDEN_HPP GOLDEN_CPP SOURCE_ROOT

With --update (`ninja update-flagc-goldens`) it rewrites the goldens instead: review the diff, since
they are what every project's generated files look like.
"""
import difflib
import sys
from pathlib import Path

import support

# Pinned, so that the golden does not depend on the day the test runs (no expiry warnings).
TODAY = "2026-11-21"


def main():
    args = sys.argv[1:]
    update = args[:1] == ["--update"]
    if update:
        args = args[1:]
    flagc, registry, golden_header, golden_source, source_root = args

    out = support.temp_dir("golden") / "flags"
    out.mkdir()
    # --display-root makes both files name their registry as tests/data/registry/golden.toml,
    # wherever the build directory is.
    result = support.run([flagc, registry, "-o", out / "registry.hpp", "--source-out", out / "registry.cpp",
                          "--today", TODAY, "--display-root", source_root])
    support.check_equal(result.returncode, 0, "flagc accepts the golden registry")
    support.check_equal(result.stderr, "", "flagc prints nothing for a valid registry before any date")
    if result.returncode != 0:
        support.finish()

    for generated_name, golden in (("registry.hpp", golden_header), ("registry.cpp", golden_source)):
        generated = (out / generated_name).read_bytes()
        if update:
            Path(golden).write_bytes(generated)
            print(f"wrote {golden}")
            continue
        expected = Path(golden).read_bytes()
        name = Path(golden).name
        diff = "".join(difflib.unified_diff(expected.decode().splitlines(True), generated.decode().splitlines(True),
                                            name, "flagc output"))
        support.check(generated == expected, f"flagc output equals {name} (run `ninja update-flagc-goldens`"
                      " and review the diff if the change is intended)", diff)
    support.finish()


main()
