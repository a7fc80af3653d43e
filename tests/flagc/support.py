"""Helpers shared by the flagc and build tests (Python standard library only)."""
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

_failures = []

# A valid release flag that retires on 2027-01-15, the starting point of most registry cases.
RELEASE_FLAG = """\
[flags."release.new-checkout"]
description = "Redesigned checkout flow"
owner = "payments-team"
created = 2026-11-01
retire_by = 2027-01-15
default = false
"""


def check(condition, message, details=""):
    """Records a failed expectation and carries on, so one run reports every problem."""
    if not condition:
        _failures.append(message)
        print(f"FAIL: {message}", file=sys.stderr)
        if details:
            print(details.rstrip("\n"), file=sys.stderr)
    return condition


def check_equal(actual, expected, message):
    return check(actual == expected, message, f"--- expected:\n{expected}\n--- actual:\n{actual}")


def finish():
    """Exits 1 when any check failed; call it last."""
    if _failures:
        print(f"{len(_failures)} check(s) failed", file=sys.stderr)
        sys.exit(1)
    print("all checks passed")


def run(command, cwd=None, env=None):
    """Runs a command and returns it completed, with text stdout and stderr."""
    shown = " ".join(str(part) for part in command)
    print(f"$ {shown}", flush=True)
    return subprocess.run([str(part) for part in command], cwd=cwd, env=env, text=True,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def run_ok(command, cwd=None, env=None):
    """Runs a command that must succeed; stops the test with its output when it does not."""
    result = run(command, cwd=cwd, env=env)
    if result.returncode != 0:
        print(result.stdout, result.stderr, sep="\n", file=sys.stderr)
        sys.exit(f"command failed with exit code {result.returncode}: {command}")
    return result


def temp_dir(prefix):
    """A fresh directory that lives as long as the test process (removed at exit)."""
    handle = tempfile.TemporaryDirectory(prefix=f"flagstone-{prefix}-")
    _keep_alive.append(handle)
    return Path(handle.name)


_keep_alive = []


def faketime():
    """The faketime binary. Its absence fails the test: tools/dev installs it, and a skipped
    clock test would hide that the build stopped failing on expired flags."""
    path = shutil.which("faketime")
    if not path:
        sys.exit("faketime is not installed (Debian package faketime; tools/dev installs it)")
    return path


def utc_env():
    """The environment with TZ=UTC, so that faketime's date means the same day flagc computes."""
    return dict(os.environ, TZ="UTC")


def make_consumer(source_root, parent):
    """Copies tests/consumer to parent/consumer with subprojects/flagstone linking to this
    checkout, as a project that vendors flagstone would have it."""
    project = Path(parent) / "consumer"
    shutil.copytree(Path(source_root) / "tests" / "consumer", project)
    (project / "subprojects").mkdir()
    (project / "subprojects" / "flagstone").symlink_to(Path(source_root).resolve(), target_is_directory=True)
    return project
