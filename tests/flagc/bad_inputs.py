#!/usr/bin/env python3
"""Bad registries through the real flagc: exit code 1, the exact messages on stderr, and no header
written or touched, because flagc validates everything before it emits anything.

usage: bad_inputs.py FLAGC [--sanitized]
"""
import os
import resource
import stat
import subprocess
import sys
from pathlib import Path

import support

VALID_FLAG = support.RELEASE_FLAG
SANITIZED = "--sanitized" in sys.argv

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


READ_REFUSED_HINT = "    hint: name a regular file, not a directory, FIFO or device\n"
WRITE_REFUSED_HINT = "    hint: -o names the header to write: a new path, or the regular file of an earlier build\n"


def char_device(path):
    """A character device at `path` that reads like /dev/zero, made in the test's own directory so
    that a flagc that replaced it would replace nothing of the system. Without the right to make
    one, /dev/null: no flagc can replace it then, nor read it for long."""
    try:
        os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, 5))
        return path
    except PermissionError:
        return Path("/dev/null")


def limited_memory():
    """A flagc that read a device without end stops at 1 GiB instead of taking the machine's memory.
    A sanitized build reserves far more address space than it uses, so it runs without the limit."""
    if not SANITIZED:
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))


def run_flagc(command):
    print("$ " + " ".join(str(part) for part in command), flush=True)
    try:
        return subprocess.run([str(part) for part in command], text=True, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, timeout=30, preexec_fn=limited_memory)
    except subprocess.TimeoutExpired:
        sys.exit(f"flagc still running after 30 s, killed: {command}")


def refuses_special_registries(flagc):
    """The registry reader takes regular files of bounded size only: a FIFO would block it, a device
    never ends, and a file past the limit costs its whole size in memory."""
    root = support.temp_dir("special-registry")
    os.mkfifo(root / "fifo.toml")
    device = char_device(root / "device.toml")
    (root / "folder.toml").mkdir()
    with open(root / "large.toml", "wb") as large:
        large.truncate(16 * 1024 * 1024 + 1)
    (root / "flags").mkdir()
    (root / "flags" / "good.toml").write_text(VALID_FLAG, encoding="utf-8")
    os.mkfifo(root / "flags" / "pipe.toml")
    device_shown = "device.toml" if device.parent == root else str(device)
    fifo = "fifo.toml: error: cannot read the file: it is a FIFO, not a regular file\n" + READ_REFUSED_HINT
    device_message = (f"{device_shown}: error: cannot read the file: it is a device or socket, not a regular file\n"
                      + READ_REFUSED_HINT)
    large = ("large.toml: error: cannot read the file: the file is 16777217 bytes; the limit is 16777216\n"
             "    hint: a flag file is far smaller: check that the path names the right file\n")
    folder = "folder.toml: error: cannot read the file: it is a directory, not a file\n" + READ_REFUSED_HINT
    cases = [
        (root / "fifo.toml", fifo),
        (device, device_message),
        (root / "large.toml", large),
        (root / "flags", "flags/pipe.toml: error: cannot read the file: it is a FIFO, not a regular file\n"
                         + READ_REFUSED_HINT),
        # As a registry directory, the *.toml entries that are not regular files are each refused.
        (root, (device_message if device.parent == root else "") + fifo + folder + large),
    ]
    for registry, expected in cases:
        header = root / "out.hpp"
        result = run_flagc([flagc, registry, "-o", header, "--display-root", root])
        support.check_equal(result.returncode, 1, f"registry {registry.name}: exit code")
        support.check_equal(result.stderr, expected, f"registry {registry.name}: stderr")
        support.check(not header.exists(), f"registry {registry.name}: no header is written")


BUDGET_HINT = ("    hint: a registry of the most flags a header holds is far below this: check that the path names"
               " the registry\n")


def within_128_mib():
    """Refusing a registry within the size limits must cost less than 128 MiB of address space; a
    sanitized build reserves far more than it uses, so it runs without the limit."""
    if not SANITIZED:
        resource.setrlimit(resource.RLIMIT_AS, (128 << 20, 128 << 20))


def refuses_oversized_registries(flagc):
    """The registry reader checks the cheap limits in the text before toml++ builds a tree of it (a
    15 MB `x = [{},...]` took 604 MB), and caps what the files of a directory hold together."""
    root = support.temp_dir("oversized-registry")
    (root / "array.toml").write_text("x = [" + ",".join(["{}"] * 5_000_000) + "]\n", encoding="utf-8")
    (root / "keys.toml").write_text("".join(f"[t{i}]\n" for i in range(524_289)), encoding="utf-8")
    (root / "deep.toml").write_text("x = " + "[" * 9 + "]" * 9 + "\n", encoding="utf-8")
    (root / "flags").mkdir()
    for name in ("a", "b", "c", "d"):
        (root / "flags" / f"{name}.toml").write_text("#" + "-" * 14_999_998 + "\n", encoding="utf-8")
    cases = [
        (root / "array.toml", "array.toml:1:5: error: an array of 5000000 elements; the limit is 131072\n" + BUDGET_HINT),
        (root / "keys.toml", "keys.toml:524289:1: error: the registry files reach 524289 values (keys, tables and"
                             " array elements) here; the limit is 524288\n" + BUDGET_HINT),
        (root / "deep.toml", "deep.toml:1:13: error: values are nested 9 deep; the limit is 8\n" + BUDGET_HINT),
        (root / "flags", "flags/c.toml: error: with it the registry files hold 45000000 bytes; the limit for all of"
                         " them is 33554432\n    hint: a registry of the most flags a header holds is far smaller:"
                         " check that the directory holds only registry files\n"),
    ]
    for registry, expected in cases:
        header = root / "out.hpp"
        command = [str(part) for part in (flagc, registry, "-o", header, "--display-root", root)]
        print("$ " + " ".join(command), flush=True)
        result = subprocess.run(command, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60,
                                preexec_fn=within_128_mib)
        support.check_equal(result.returncode, 1, f"registry {registry.name}: exit code")
        support.check_equal(result.stderr, expected, f"registry {registry.name}: stderr")
        support.check(not header.exists(), f"registry {registry.name}: no header is written")

    # Within the limits, refusing still costs less than 128 MiB: the most values the budget lets
    # through, as tables (the costliest to parse), and the most flags a header holds with one mistake.
    (root / "at-limit.toml").write_text("".join(f"[t{i}]\n" for i in range(524_288)), encoding="utf-8")
    most_flags = "".join(VALID_FLAG.replace("release.new-checkout", f"release.flag-{i}") + "\n"
                         for i in range(65_536))
    (root / "most-flags.toml").write_text(most_flags + "[bogus]\n", encoding="utf-8")
    cases = [
        (root / "at-limit.toml", "at-limit.toml: error: more than 1000 problems; the rest are not listed\n"),
        (root / "most-flags.toml", "most-flags.toml:458753:2: error: unknown key 'bogus' at the top level\n"),
    ]
    for registry, first_line in cases:
        result = subprocess.run([str(flagc), str(registry), "-o", str(root / "out.hpp"), "--today", "2026-11-21",
                                 "--display-root", str(root)],
                                text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60,
                                preexec_fn=within_128_mib)
        support.check_equal(result.returncode, 1, f"registry {registry.name}: exit code")
        support.check_equal(result.stderr.splitlines(keepends=True)[:1], [first_line],
                            f"registry {registry.name}: refused for what it holds, within 128 MiB")

    # The budget lets through the most flags a header holds.
    (root / "most-flags.toml").write_text(most_flags, encoding="utf-8")
    result = subprocess.run([str(flagc), str(root / "most-flags.toml"), "-o", str(root / "out.hpp"),
                             "--today", "2026-11-21"], text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            timeout=120)
    support.check_equal((result.returncode, result.stderr), (0, ""), f"registry of {65_536} flags: accepted")


def refuses_special_outputs(flagc):
    """-o writes a regular file only: anything else already at the path is refused and left as it
    was, never read, and never replaced by a renamed temporary file."""
    root = support.temp_dir("special-output")
    (root / "registry.toml").write_text(VALID_FLAG, encoding="utf-8")
    os.mkfifo(root / "fifo.hpp")
    device = char_device(root / "device.hpp")
    (root / "folder.hpp").mkdir()
    (root / "target.hpp").write_text("// another file\n", encoding="utf-8")
    (root / "link.hpp").symlink_to(root / "target.hpp")
    cases = [
        (root / "fifo.hpp", stat.S_ISFIFO, "it is a FIFO, not a regular file"),
        (device, stat.S_ISCHR, "it is a device or socket, not a regular file"),
        (root / "folder.hpp", stat.S_ISDIR, "it is a directory, not a file"),
        (root / "link.hpp", stat.S_ISLNK, "it is a symbolic link, not a regular file"),
    ]
    for output, still, problem in cases:
        result = run_flagc([flagc, root / "registry.toml", "-o", output, "--today", "2026-11-21"])
        support.check_equal(result.returncode, 1, f"-o {output.name}: exit code")
        support.check_equal(result.stderr, f"flagc: error: cannot write {output}: {problem}\n" + WRITE_REFUSED_HINT,
                            f"-o {output.name}: stderr")
        support.check(still(os.lstat(output).st_mode), f"-o {output.name}: left as it was")
    support.check_equal((root / "target.hpp").read_text(encoding="utf-8"), "// another file\n",
                        "-o through a symbolic link: its target is untouched")
    # --source-out is written the same way.
    for output, still, problem in cases:
        result = run_flagc([flagc, root / "registry.toml", "-o", root / "out.hpp", "--source-out", output,
                            "--today", "2026-11-21"])
        support.check_equal(result.returncode, 1, f"--source-out {output.name}: exit code")
        support.check_equal(result.stderr, f"flagc: error: cannot write {output}: {problem}\n    hint: --source-out"
                            " names the source file to write: a new path, or the regular file of an earlier build\n",
                            f"--source-out {output.name}: stderr")
        support.check(still(os.lstat(output).st_mode), f"--source-out {output.name}: left as it was")

    # The temporary file has a name of its own: a FIFO (or a symbolic link) at the name an older
    # flagc used is neither opened nor replaced, and the header is written beside it.
    os.mkfifo(root / "registry.hpp.tmp")
    result = run_flagc([flagc, root / "registry.toml", "-o", root / "registry.hpp", "--today", "2026-11-21"])
    support.check_equal(result.returncode, 0, "header beside a FIFO named like a temporary file: exit code")
    support.check(stat.S_ISFIFO(os.lstat(root / "registry.hpp.tmp").st_mode), "the FIFO is left as it was")
    support.check(b"release_new_checkout" in (root / "registry.hpp").read_bytes(), "the header is written")
    leftovers = [p.name for p in root.iterdir() if p.name.startswith(".registry.hpp")]
    support.check_equal(leftovers, [], "no temporary file is left behind")


def main():
    flagc = sys.argv[1]
    for case in CASES:
        run_case(flagc, *case)
    refuses_special_registries(flagc)
    refuses_oversized_registries(flagc)
    refuses_special_outputs(flagc)

    # A usage error is exit code 2, and says what is missing before the usage text.
    root = support.temp_dir("usage")
    (root / "registry.toml").write_text(VALID_FLAG, encoding="utf-8")
    result = support.run([flagc, root / "registry.toml"])
    support.check_equal(result.returncode, 2, "usage error: exit code")
    support.check(result.stderr.startswith("flagc: error: a registry and -o HEADER are required\n\nusage: flagc "),
                  "usage error: names the problem, then the usage", result.stderr)
    same = support.run([flagc, root / "registry.toml", "-o", root / "out.hpp", "--source-out",
                        root / "." / "sub" / ".." / "out.hpp"])
    support.check_equal(same.returncode, 2, "one path for both files: exit code")
    support.check(same.stderr.startswith("flagc: error: -o and --source-out name the same file; give the source file"
                                         " a path of its own\n"), "one path for both files: says so", same.stderr)
    beside = support.run([flagc, root / "registry.toml", "-o", root / "out.cpp"])
    support.check_equal(beside.returncode, 2, "a header named .cpp, whose default source file is itself: exit code")
    quoted = support.run([flagc, root / "registry.toml", "-o", root / 'a"b.hpp', "--source-out", root / "out.cpp"])
    support.check_equal(quoted.returncode, 2, "a quote in the header's path: exit code")
    support.check(quoted.stderr.startswith("flagc: error: the header's path from the source file holds a quote or a"
                                           ' line break: a"b.hpp; choose paths without them\n'),
                  "a quote in the header's path: says so", quoted.stderr)
    support.finish()


main()
