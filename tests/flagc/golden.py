#!/usr/bin/env python3
"""flagc's header for tests/data/registry/golden.toml equals golden.hpp byte for byte.

usage: golden.py [--update] FLAGC REGISTRY GOLDEN SOURCE_ROOT

With --update (`ninja update-flagc-goldens`) it rewrites GOLDEN instead: review the diff, since
the golden is what every project's generated header looks like.
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
    flagc, registry, golden, source_root = args

    out = support.temp_dir("golden") / "registry.hpp"
    # --display-root makes the header name its registry as tests/data/registry/golden.toml,
    # wherever the build directory is.
    result = support.run([flagc, registry, "-o", out, "--today", TODAY, "--display-root", source_root])
    support.check_equal(result.returncode, 0, "flagc accepts the golden registry")
    support.check_equal(result.stderr, "", "flagc prints nothing for a valid registry before any date")
    if result.returncode != 0:
        support.finish()

    generated = out.read_bytes()
    if update:
        Path(golden).write_bytes(generated)
        print(f"wrote {golden}")
        return

    expected = Path(golden).read_bytes()
    diff = "".join(difflib.unified_diff(expected.decode().splitlines(True), generated.decode().splitlines(True),
                                        "golden.hpp", "flagc output"))
    support.check(generated == expected, "flagc output equals golden.hpp (run `ninja update-flagc-goldens`"
                  " and review the diff if the change is intended)", diff)
    support.finish()


main()
