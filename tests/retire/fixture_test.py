#!/usr/bin/env python3
"""flagctl retire on the fixture service (tests/retire/fixture), three ways: release.new-checkout kept
true and kept false, experiment.button-color kept green. Each result must match its golden files
under tests/retire/expected/ (so no line unrelated to the flag changes), build with -Werror, pass its
own tests, print what the service printed with the kept state forced, and name the flag nowhere.
--dry-run must change nothing and print a diff that `git apply` turns into the same files.

usage: fixture_test.py [--update] FLAGCTL FLAGC LIBFLAGSTONE SOURCE_ROOT -- CXX...
"""
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from fixture_project import Project

HERE = Path(__file__).resolve().parent
FIXTURE = HERE / "fixture"
EXPECTED = HERE / "expected"

# (flag, kept value, runtime files, the enum type that must go too)
SCENARIOS = [
    ("release.new-checkout", "true", ["flags/runtime.toml", "flags/canary.toml"], None),
    ("release.new-checkout", "false", ["flags/runtime.toml"], None),
    ("experiment.button-color", "green", ["flags/runtime.toml", "flags/canary.toml"], "ButtonColor"),
]

failures = []


def check(condition, what, detail=""):
    if not condition:
        failures.append(f"{what}\n{detail}")
        print(f"FAIL: {what}\n{detail}", file=sys.stderr)


def project_files(root):
    return {str(p.relative_to(root)): p.read_text(encoding="utf-8")
            for folder in ("src", "tests", "flags") for p in sorted((root / folder).rglob("*")) if p.is_file()}


def forced_runtime(flag, keep):
    value = keep if keep in ("true", "false") else f'"{keep}"'
    return f'schema = 1\n\n[flags."{flag}"]\nvalue = {value}\n'


def retire_args(flagctl, flag, keep, runtimes):
    args = [flagctl, "retire", flag, "--keep", keep, "-p", "build", "--registry", "flags/registry.toml"]
    for r in runtimes:
        args += ["--runtime", r]
    return args


def compare_with_golden(name, before, after, update):
    golden = EXPECTED / name
    if update:
        shutil.rmtree(golden, ignore_errors=True)
    for path, text in after.items():
        expected_file = golden / path
        if text == before.get(path):
            check(not expected_file.exists(), f"{name}: {path} should have changed as its golden says")
            continue
        if update:
            expected_file.parent.mkdir(parents=True, exist_ok=True)
            expected_file.write_text(text, encoding="utf-8")
            continue
        expected = expected_file.read_text(encoding="utf-8") if expected_file.exists() else None
        check(expected == text, f"{name}: {path} differs from tests/retire/expected/{name}/{path}",
              "".join(__import__("difflib").unified_diff((expected or "").splitlines(True), text.splitlines(True),
                                                        "expected", "actual")))


def run_scenario(base, work, flagctl, flag, keep, runtimes, enum_type, update):
    name = f"{flag}-{keep}"
    kept_output = base.serve(forced_runtime(flag, keep))
    project = Project.copy_of(base.root, work / name, base.flagc, base.library, str(Path(base.include).parent), base.cxx)
    project.configure()
    before = project_files(project.root)

    dry = Project.copy_of(project.root, work / (name + "-dry"), base.flagc, base.library,
                          str(Path(base.include).parent), base.cxx)
    dry.configure()
    dry_run = dry.run(retire_args(flagctl, flag, keep, runtimes) + ["--dry-run"])
    check(dry_run.returncode == 0, f"{name}: --dry-run exits 0", dry_run.stderr)
    check(project_files(dry.root) == before, f"{name}: --dry-run changes nothing")

    result = project.run(retire_args(flagctl, flag, keep, runtimes))
    check(result.returncode == 0, f"{name}: retire exits 0", result.stdout + result.stderr)
    lines = result.stdout.splitlines()
    check(lines and all(line.endswith(": rewritten") for line in lines), f"{name}: every site is rewritten",
          result.stdout)
    after = project_files(project.root)
    compare_with_golden(name, before, after, update)

    applied = dry.run(["git", "apply", "-p1", "-"], input=dry_run.stdout)
    check(applied.returncode == 0, f"{name}: git apply takes the --dry-run diff", applied.stderr)
    check(project_files(dry.root) == after, f"{name}: the --dry-run diff applied gives the same files")

    names = [flag, flag.replace(".", "_").replace("-", "_")] + ([enum_type] if enum_type else [])
    for path, text in after.items():
        if path.startswith("flags/") and path not in runtimes + ["flags/registry.toml"]:
            continue  # a runtime file this run was not given
        for n in names:
            check(n not in text, f"{name}: {path} still names {n}")

    project.compile()
    tests = project.test()
    check("Leaving test module" in tests, f"{name}: the tests ran", tests)
    served = project.serve("schema = 1\n")
    check(served == kept_output, f"{name}: the service prints what it printed with {flag} = {keep}",
          f"before:\n{kept_output}\nafter:\n{served}")


def main():
    args = sys.argv[1:]
    update = "--update" in args
    args = [a for a in args if a != "--update"]
    split = args.index("--")
    # Absolute: the projects are built and retired from their own directories.
    flagctl, flagc, library, source_root = (str(Path(a).resolve()) for a in args[:split])
    cxx = args[split + 1:]
    with tempfile.TemporaryDirectory(prefix="retire-fixture-") as temp:
        work = Path(temp)
        base = Project.copy_of(FIXTURE, work / "base", flagc, library, source_root, cxx)
        base.compile()
        base.test()
        for flag, keep, runtimes, enum_type in SCENARIOS:
            run_scenario(base, work, flagctl, flag, keep, runtimes, enum_type, update)
    if failures:
        print(f"{len(failures)} checks failed", file=sys.stderr)
        sys.exit(1)
    print("all checks passed")


main()
