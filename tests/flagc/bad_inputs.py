#!/usr/bin/env python3
"""Bad registries through the real flagc: exit code 1, the exact messages on stderr, and no header
written or touched, because flagc validates everything before it emits anything.

usage: bad_inputs.py FLAGC
"""
import os
import sys

import support

VALID_FLAG = support.RELEASE_FLAG

# (name, files of the registry directory, the registry argument relative to it, exact stderr)
CASES = [
    ("misspelt retire-by does not silently pass",
     {"registry.toml": VALID_FLAG.replace("retire_by", "retire-by")},
     "registry.toml",
     "registry.toml:1:1: error: flag 'release.new-checkout' has no 'retire_by'\n"
     "    hint: release flags are temporary: add retire_by = YYYY-MM-DD, the day the flag must be gone from"
     " code and registry\n"
     "registry.toml:5:1: error: unknown key 'retire-by' in flag 'release.new-checkout'\n"
     "    hint: known keys: created, default, description, owner, retire_by, review_by, ticket, track, variants\n"),

    ("TOML syntax error",
     {"registry.toml": VALID_FLAG.replace('owner = "payments-team"', "owner = payments-team")},
     "registry.toml",
     "registry.toml:3:9: error: invalid TOML value: could not determine value type\n"
     "    hint: fix the TOML syntax at this position\n"),

    # The valid flag comes first: a generator that emitted as it went would have written it.
    ("problems after a valid flag, all reported",
     {"registry.toml": VALID_FLAG + """
[flags."experiment.button-color"]
description = "Checkout button colour test"
owner = "growth"
created = 2026-11-01
retire_by = 2027-02-01
variants = ["blue", "green", "blue"]
default = "red"
"""},
     "registry.toml",
     "registry.toml:13:30: error: variant 'blue' of flag 'experiment.button-color' is listed twice\n"
     "    hint: list each variant once\n"
     "registry.toml:14:11: error: default 'red' of flag 'experiment.button-color' is not one of its variants\n"
     "    hint: choose one of: blue, green\n"),

    ("flag declared in two files of a directory registry",
     {"flags/checkout.toml": VALID_FLAG, "flags/more.toml": "# moved here, but not removed there\n" + VALID_FLAG},
     "flags",
     "flags/more.toml:2:1: error: flag 'release.new-checkout' is declared twice; first at flags/checkout.toml:1\n"
     "    hint: keep one declaration and remove the other\n"),

    ("registry file that does not exist",
     {},
     "missing.toml",
     "missing.toml: error: cannot read the file: No such file or directory\n"
     "    hint: check that the path exists and is readable\n"),
]

OLD_HEADER = b"// the header of the last good build\n"
OLD_MTIME = 1_000_000_000  # 2001-09-09: any rewrite would move it


def run_case(flagc, name, files, registry, expected_stderr):
    root = support.temp_dir("bad-input")
    for relative, text in files.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text, encoding="utf-8")

    # First with no header yet: none may appear. Then over the last good header: it stays as it was.
    absent = root / "out" / "absent.hpp"
    existing = root / "out" / "existing.hpp"
    absent.parent.mkdir()
    existing.write_bytes(OLD_HEADER)
    os.utime(existing, (OLD_MTIME, OLD_MTIME))

    for header in (absent, existing):
        result = support.run([flagc, root / registry, "-o", header, "--display-root", root])
        support.check_equal(result.returncode, 1, f"{name}: exit code")
        support.check_equal(result.stderr, expected_stderr, f"{name}: stderr")
        support.check_equal(result.stdout, "", f"{name}: stdout")
    support.check(not absent.exists(), f"{name}: no header is created")
    support.check_equal(existing.read_bytes(), OLD_HEADER, f"{name}: the existing header keeps its content")
    support.check_equal(existing.stat().st_mtime, OLD_MTIME, f"{name}: the existing header keeps its mtime")
    support.check_equal(sorted(p.name for p in absent.parent.iterdir()), ["existing.hpp"],
                        f"{name}: no temporary file is left behind")


def main():
    flagc = sys.argv[1]
    for case in CASES:
        run_case(flagc, *case)

    # A usage error is exit code 2, and says what is missing before the usage text.
    root = support.temp_dir("usage")
    (root / "registry.toml").write_text(VALID_FLAG, encoding="utf-8")
    result = support.run([flagc, root / "registry.toml"])
    support.check_equal(result.returncode, 2, "usage error: exit code")
    support.check(result.stderr.startswith("flagc: error: a registry and -o HEADER are required\n\nusage: flagc "),
                  "usage error: names the problem, then the usage", result.stderr)
    support.finish()


main()
