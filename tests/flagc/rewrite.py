#!/usr/bin/env python3
"""flagc rewrites its header only when the content changes: an unchanged registry leaves the file
and its mtime alone (so Meson's restat recompiles nothing); a changed registry rewrites it.

usage: rewrite.py FLAGC
"""
import os
import sys

import support

REGISTRY = """\
[flags."ops.kill-switch-payments"]
description = "Stop taking payments"
owner = "oncall"
created = 2025-01-01
default = false
"""
OLD_MTIME = 1_000_000_000  # set by hand, so a rewrite shows even on a coarse-grained file system


def main():
    flagc = sys.argv[1]
    root = support.temp_dir("rewrite")
    registry = root / "registry.toml"
    header = root / "registry.hpp"
    registry.write_text(REGISTRY, encoding="utf-8")
    command = [flagc, registry, "-o", header, "--today", "2026-11-21"]

    support.run_ok(command)
    first = header.read_bytes()
    os.utime(header, (OLD_MTIME, OLD_MTIME))
    inode = header.stat().st_ino

    support.run_ok(command)
    support.check_equal(header.stat().st_mtime, OLD_MTIME, "same registry: the header's mtime is unchanged")
    support.check_equal(header.stat().st_ino, inode, "same registry: the header is not replaced")
    support.check_equal(header.read_bytes(), first, "same registry: the same content")

    registry.write_text(REGISTRY.replace("Stop taking payments", "Stop taking card payments"), encoding="utf-8")
    support.run_ok(command)
    support.check(header.stat().st_mtime > OLD_MTIME, "changed registry: the header is rewritten")
    support.check(b'"Stop taking card payments"' in header.read_bytes(), "changed registry: the new content")
    support.check_equal(sorted(p.name for p in root.iterdir()), ["registry.hpp", "registry.toml"],
                        "no temporary file is left behind")
    support.finish()


if __name__ == "__main__":
    main()
