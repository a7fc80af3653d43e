#!/usr/bin/env python3
"""`meson install` gives a project everything it needs without this source tree: the public headers,
the library, flagc, flagctl, a pkg-config file and the JSON Schemas, and a program builds against them.

usage: install.py MESON BUILD_ROOT SOURCE_ROOT -- COMPILER...
"""
import os
import sys
from pathlib import Path

import support

REGISTRY = """\
[flags."ops.maintenance-mode"]
description = "Serve the maintenance page"
owner = "oncall"
created = 2026-11-01
default = true
"""

# Uses the generated header (enabled<>) and the library (flags::format, compiled in libflagstone).
PROGRAM = r"""
#include <iostream>

#include <flags/diagnostic.hpp>
#include <flags/flags.hpp>

int main() {
    const flags::Context ctx{.user = "u-1"};
    const flags::Diagnostic note{.severity = flags::Severity::warning, .file = "registry.toml", .line = 3,
                                 .column = 1, .message = "installed"};
    std::cout << flags::enabled<flags::Flag::ops_maintenance_mode>(ctx) << '\n' << flags::format(note) << '\n';
}
"""


def main():
    meson, build_root, source_root = sys.argv[1:4]
    compiler = sys.argv[sys.argv.index("--") + 1:]
    work = support.temp_dir("install")
    destdir = work / "destdir"
    support.run_ok([meson, "install", "-C", build_root, "--destdir", destdir, "--no-rebuild"])

    flagc = next(destdir.rglob("bin/flagc"), None)
    if not support.check(flagc is not None, "bin/flagc is installed"):
        support.finish()
    prefix = flagc.parent.parent
    support.check((prefix / "bin" / "flagctl").is_file(), "bin/flagctl is installed")
    public = sorted(p.name for p in (Path(source_root) / "include" / "flags").glob("*.hpp"))
    installed = sorted(p.name for p in (prefix / "include" / "flags").glob("*.hpp"))
    support.check_equal(installed, public, "every public header is installed under include/flags")
    libraries = list(prefix.glob("lib*/**/libflagstone.a"))
    support.check(len(libraries) == 1, "lib/.../libflagstone.a is installed", str(libraries))
    for name in ["registry", "runtime"]:
        installed_schema = prefix / "share" / "flagstone" / f"{name}.schema.json"
        support.check(installed_schema.is_file() and installed_schema.read_bytes() ==
                      (Path(source_root) / "schemas" / f"{name}.schema.json").read_bytes(),
                      f"share/flagstone/{name}.schema.json is installed")
    pc_files = list(prefix.glob("lib*/**/pkgconfig/flagstone.pc"))
    if not support.check(len(pc_files) == 1, "lib/.../pkgconfig/flagstone.pc is installed", str(pc_files)):
        support.finish()

    # A staged tree is found through the sysroot: `--define-prefix` would guess the prefix wrongly
    # from Debian's lib/x86_64-linux-gnu/pkgconfig.
    env = dict(os.environ, PKG_CONFIG_PATH=str(pc_files[0].parent), PKG_CONFIG_SYSROOT_DIR=str(destdir))
    flags_of = support.run_ok(["pkg-config", "--cflags", "--libs", "flagstone"], env=env).stdout.split()
    # pkgconf puts the sysroot in front of variables too; pkg-config does not.
    flagc_variable = support.run_ok(["pkg-config", "--variable=flagc", "flagstone"], env=env).stdout.strip()
    flagc_variable = flagc_variable.removeprefix(str(destdir))
    support.check_equal(Path(str(destdir) + flagc_variable), flagc, "the pkg-config variable flagc names it")

    project = work / "project"
    (project / "gen" / "flags").mkdir(parents=True)
    (project / "registry.toml").write_text(REGISTRY, encoding="utf-8")
    (project / "main.cpp").write_text(PROGRAM, encoding="utf-8")
    support.run_ok([flagc, project / "registry.toml", "-o", project / "gen" / "flags" / "registry.hpp",
                    "--source-out", project / "gen" / "registry.cpp", "--today", "2026-12-01"])
    support.run_ok(compiler + ["-std=c++20", project / "main.cpp", project / "gen" / "registry.cpp", "-I", project / "gen",
                               "-o", project / "program", *flags_of])
    result = support.run([project / "program"])
    support.check_equal(result.returncode, 0, "the program runs")
    support.check_equal(result.stdout, "1\nregistry.toml:3:1: warning: installed\n",
                        "the program reads its flag and calls the library")
    support.finish()


main()
