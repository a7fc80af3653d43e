#!/usr/bin/env python3
"""The README's "Use it in your project" works as written: its meson.build, flags/meson.build,
registry and main.cpp, taken from the README itself, build with flagstone as a subproject, and the
program serves the registry default.

usage: readme_example.py SOURCE_ROOT MESON NINJA
"""
import re
import sys
from pathlib import Path

import support

SECTION = "## Use it in your project"


def snippets(readme):
    """The fenced blocks of the README's set-up section, by language, in order."""
    section = readme.split(SECTION, 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```(\w+)\n(.*?)```", section, re.S)


def write_project(blocks, project):
    """Lays the blocks out as files; a block names its file in its first comment line, and the
    meson block holds two files, split at the comment that names the second."""
    files = {}
    for _, text in blocks:
        for piece in re.split(r"\n(?=# flags/meson.build)", text):
            # A TOML block may open with its editor schema (#:schema ...) before the line naming it.
            match = re.match(r"(?:#:schema \S+\n)?(?:#|//) ([\w/.]+)", piece)
            if not support.check(match is not None, "each README block names its file", piece):
                continue
            files[match.group(1)] = piece
    for name, text in files.items():
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_text(text, encoding="utf-8")
    return sorted(files)


def main():
    source_root, meson, ninja = sys.argv[1:4]
    readme = (Path(source_root) / "README.md").read_text(encoding="utf-8")
    project = support.temp_dir("readme") / "service"
    project.mkdir()
    names = write_project(snippets(readme), project)
    support.check_equal(names, ["flags/meson.build", "flags/registry.toml", "main.cpp", "meson.build"],
                        "the README shows every file of the project")
    (project / "meson.build").write_text("project('service', 'cpp', default_options: ['cpp_std=c++20'])\n"
                                         + (project / "meson.build").read_text(encoding="utf-8"))
    (project / "subprojects").mkdir()
    (project / "subprojects" / "flagstone").symlink_to(Path(source_root).resolve(), target_is_directory=True)
    build = project / "build"
    # The README's flag retires on a fixed day; the build runs on a day before it, as a real
    # project's would, so that the example keeps passing after that date.
    clock = [support.faketime(), "2026-12-01 12:00:00"]
    support.run_ok(clock + [meson, "setup", build, project], env=support.utc_env())
    support.run_ok(clock + [ninja, "-C", build, "-j2"], env=support.utc_env())
    result = support.run([build / "service"])
    support.check_equal(result.returncode, 0, "the README's service runs and exits 0")
    support.finish()


main()
