#!/usr/bin/env python3
"""The promise of the generated files in a real build (tests/consumer, with flagstone as a
subproject): a build with nothing changed runs flagc and compiles nothing, the same untouched build
fails on a later day because a flag has expired, and a new description recompiles the generated
source file and no file that reads flags.

usage: incremental_build.py SOURCE_ROOT MESON NINJA
"""
import datetime
import re
import sys

import support

TODAY = datetime.date.today()
# The copy's flags retire 60 days from now, so that the test reads the real clock on any day.
CREATED = TODAY - datetime.timedelta(days=30)
RETIRE_BY = TODAY + datetime.timedelta(days=60)


def commands(ninja_output):
    """The commands a `ninja -v` run executed, one per "[n/m] command" line."""
    return re.findall(r"^\[\d+/\d+\] (.*)$", ninja_output, re.MULTILINE)


def main():
    source_root, meson, ninja = sys.argv[1:4]
    faketime = support.faketime()
    project = support.make_consumer(source_root, support.temp_dir("incremental"))
    registry = project / "flags" / "registry.toml"
    text = registry.read_text(encoding="utf-8")
    text = re.sub(r"^created = .*$", f"created = {CREATED}", text, flags=re.MULTILINE)
    text = re.sub(r"^retire_by = .*$", f"retire_by = {RETIRE_BY}", text, flags=re.MULTILINE)
    registry.write_text(text, encoding="utf-8")
    build = project / "build"
    env = support.utc_env()

    def ninja_run(prefix=()):
        return support.run([*prefix, ninja, "-C", build, "-v", "-j2"], env=env)

    support.run_ok([meson, "setup", build, project], env=env)
    support.run_ok([ninja, "-C", build, "-j2"], env=env)

    # Nothing changed: flagc runs (it must, to see the date) and nothing else does.
    again = ninja_run()
    ran = commands(again.stdout)
    support.check_equal(again.returncode, 0, "second build succeeds")
    support.check(len(ran) == 1 and "flagc" in ran[0] and "registry.toml" in ran[0],
                  "second build runs flagc and no compile or link command", again.stdout)

    # Same files, later day: the build fails with flagc's message, although nothing changed.
    expired_day = RETIRE_BY + datetime.timedelta(days=3)
    late = ninja_run([faketime, f"{expired_day} 12:00:00"])
    support.check(late.returncode != 0, f"build on {expired_day} fails", late.stdout)
    support.check(f"flags/registry.toml:7:13: error: release flag 'release.one-click-refund' expired on {RETIRE_BY}"
                  " (3 days ago)" in late.stdout, "the failure is flagc's expiry error, naming flag and date",
                  late.stdout)

    # Within warn_days the build passes and shows the warning, still without recompiling.
    warn_day = RETIRE_BY - datetime.timedelta(days=5)
    warned = ninja_run([faketime, f"{warn_day} 12:00:00"])
    support.check_equal(warned.returncode, 0, f"build on {warn_day} succeeds")
    support.check(f"warning: release flag 'release.one-click-refund' retires on {RETIRE_BY} (in 5 days)"
                  in warned.stdout, "the build warns within warn_days", warned.stdout)
    support.check(len(commands(warned.stdout)) == 1, "a warning recompiles nothing", warned.stdout)

    # -Dflags_today pins the date: a pinned build fails without faketime, and a pinned date wins
    # over a moved clock.
    support.run_ok([meson, "configure", build, f"-Dflags_today={expired_day}"], env=env)
    pinned = ninja_run()
    support.check(pinned.returncode != 0 and f"expired on {RETIRE_BY} (3 days ago)" in pinned.stdout,
                  f"-Dflags_today={expired_day} fails the build", pinned.stdout)
    support.run_ok([meson, "configure", build, f"-Dflags_today={TODAY}"], env=env)
    pinned = ninja_run([faketime, f"{expired_day} 12:00:00"])
    support.check_equal(pinned.returncode, 0, f"-Dflags_today={TODAY} builds whatever the clock says")

    # A new description recompiles the generated source file alone: no file that reads flags.
    described = re.sub(r'^description = ".*"$', 'description = "Refund in one click, now described anew"', text,
                       count=1, flags=re.MULTILINE)
    support.check(described != text, "the registry has a description to change")
    registry.write_text(described, encoding="utf-8")
    edited = ninja_run()
    compiled = [c for c in commands(edited.stdout) if " -c " in c]
    support.check(edited.returncode == 0 and len(compiled) == 1 and "registry.cpp" in compiled[0],
                  "a new description recompiles registry.cpp and nothing else", edited.stdout)
    support.check(not any("main.cpp" in c for c in compiled), "main.cpp is not recompiled", edited.stdout)
    support.check(any("consumer" in c and "registry.cpp.o" in c for c in commands(edited.stdout)),
                  "the program is relinked with the new metadata", edited.stdout)

    # A changed registry does recompile: the no-op result above is not an accident of the setup.
    text = described
    registry.write_text(text.replace("default = true", "default = false"), encoding="utf-8")
    changed = ninja_run()
    support.check(changed.returncode == 0 and any("main.cpp" in c for c in commands(changed.stdout)),
                  "a changed registry recompiles main.cpp", changed.stdout)
    output = support.run_ok([build / "consumer"]).stdout
    support.check("release.one-click-refund: false\n" in output, "the program serves the new default", output)
    support.finish()


main()
