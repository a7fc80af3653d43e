#!/usr/bin/env python3
"""flagctl retire, one rewrite rule at a time: each case is a one-file project (the fixture's
registry), retired; the file must come out exactly as expected, the exit code and the notes must be
the ones the rule gives, and a result with every site rewritten must compile with -Werror against
the registry without the flag. The command line's usage errors (exit 2) and --json are checked here too.

usage: rules_test.py FLAGCTL FLAGC LIBFLAGSTONE SOURCE_ROOT -- CXX...
"""
import json
import shutil
import subprocess
import sys
import tempfile
import textwrap
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from fixture_project import WARNINGS
from rules_cases import CASES

HERE = Path(__file__).resolve().parent
failures = []


def check(condition, what, detail=""):
    if not condition:
        failures.append(what)
        print(f"FAIL: {what}\n{detail}", file=sys.stderr)


class Tools:
    def __init__(self, flagctl, flagc, source_root, cxx):
        self.flagctl, self.flagc, self.include, self.cxx = flagctl, flagc, str(Path(source_root) / "include"), cxx

    def project(self, root, source, runtime=None):
        (root / "flags").mkdir(parents=True)
        (root / "src").mkdir()
        (root / "build" / "gen" / "flags").mkdir(parents=True)
        shutil.copy(HERE / "fixture" / "flags" / "registry.toml", root / "flags" / "registry.toml")
        if runtime is not None:
            (root / "flags" / "runtime.toml").write_text(runtime, encoding="utf-8")
        (root / "src" / "case.cpp").write_text(source, encoding="utf-8")
        self.header(root)
        command = self.cxx + ["-std=c++20", *WARNINGS, "-I" + self.include, "-Ibuild/gen", "-c", "src/case.cpp",
                              "-o", "build/case.o"]
        (root / "build" / "compile_commands.json").write_text(json.dumps(
            [{"directory": str(root), "command": " ".join(command), "file": "src/case.cpp"}]), encoding="utf-8")
        return command

    def header(self, root):
        subprocess.run([self.flagc, "flags/registry.toml", "-o", "build/gen/flags/registry.hpp", "--today",
                        "2026-03-01"], cwd=root, check=True, capture_output=True)

    def retire(self, root, *args):
        return subprocess.run([self.flagctl, "retire", *args], cwd=root, capture_output=True, text=True)


def run_case(tools, temp, case):
    root = Path(temp) / case["name"]
    source = textwrap.dedent(case["before"]).lstrip("\n")
    runtime = textwrap.dedent(case["runtime"]).lstrip("\n") if "runtime" in case else None
    command = tools.project(root, source, runtime)
    args = [case["flag"], "--keep", case["keep"], "-p", "build", "--registry", "flags/registry.toml"]
    if "runtime" in case:
        args += ["--runtime", "flags/runtime.toml"]
    result = tools.retire(root, *args)
    name = case["name"]
    check(result.returncode == case.get("exit", 0), f"{name}: exit {case.get('exit', 0)}",
          f"got {result.returncode}\n{result.stdout}{result.stderr}")
    expected = textwrap.dedent(case["after"]).lstrip("\n") if "after" in case else source
    actual = (root / "src" / "case.cpp").read_text(encoding="utf-8")
    check(actual == expected, f"{name}: the file as the rule leaves it", f"expected:\n{expected}\nactual:\n{actual}")
    for note in case.get("notes", []):
        check(note in result.stdout, f"{name}: prints {note!r}", result.stdout)
    if "runtime_after" in case:
        runtime = (root / "flags" / "runtime.toml").read_text(encoding="utf-8")
        check(runtime == textwrap.dedent(case["runtime_after"]).lstrip("\n"), f"{name}: the runtime file", runtime)
    if result.returncode == 0:
        tools.header(root)
        built = subprocess.run(command, cwd=root, capture_output=True, text=True)
        check(built.returncode == 0, f"{name}: the result compiles with -Werror", built.stderr)


def usage_errors(tools, temp):
    root = Path(temp) / "usage"
    tools.project(root, "int main() {}\n")
    cases = [
        (["release.nope", "--keep", "true", "-p", "build"], "unknown flag 'release.nope'"),
        (["release.new-checkout", "--keep", "yes", "-p", "build"], "--keep yes: release.new-checkout is a boolean flag"),
        (["experiment.button-color", "--keep", "purple", "-p", "build"], "keep one of blue, green, red"),
        (["release.new-checkout", "--keep", "true", "-p", "flags"], "flags/compile_commands.json"),
        (["release.new-checkout", "-p", "build"], "--keep is required"),
        (["release.new-checkout", "--keep", "true"], "--build-dir is required"),
        (["release.new-checkout", "--keep", "true", "-p", "build", "--build-dir", "build"], "give the build directory once"),
        (["release.new-checkout", "--keep", "true", "-p", "build", "--runtime", "nope.toml"], "--runtime nope.toml"),
    ]
    for args, message in cases:
        result = tools.retire(root, *args, "--registry", "flags/registry.toml")
        check(result.returncode == 2, f"usage {args}: exit 2", result.stderr)
        check(message in result.stderr, f"usage {args}: says {message!r}", result.stderr)


def json_and_dry_run(tools, temp):
    root = Path(temp) / "json"
    source = "#include <flags/flags.hpp>\nbool f(const flags::Context& c) { return flags::enabled<\"release.new-checkout\">(c); }\n"
    tools.project(root, source)
    result = tools.retire(root, "release.new-checkout", "--keep", "false", "--build-dir", "build", "--registry",
                          "flags/registry.toml", "--json", "--dry-run")
    check(result.returncode == 0, "json: exit 0", result.stderr)
    document = json.loads(result.stdout)
    check(document["flag"] == "release.new-checkout" and document["keep"] == "false" and document["complete"],
          "json: flag, keep and complete", result.stdout)
    check(document["sites"] == [{"file": "src/case.cpp", "line": 2, "status": "rewritten", "note": None}],
          "json: the site", result.stdout)
    check(sorted(document["files"]) == ["flags/registry.toml", "src/case.cpp"], "json: the files", result.stdout)
    check("+bool f([[maybe_unused]] const flags::Context& c) { return false; }" in document["diff"],
          "json: the diff", document["diff"])
    check((root / "src" / "case.cpp").read_text(encoding="utf-8") == source, "json --dry-run: nothing changed")


def main():
    args = sys.argv[1:]
    split = args.index("--")
    # Absolute: the projects are built and retired from their own directories.
    flagctl, flagc, _library, source_root = (str(Path(a).resolve()) for a in args[:split])
    tools = Tools(flagctl, flagc, source_root, args[split + 1:])
    with tempfile.TemporaryDirectory(prefix="retire-rules-") as temp:
        with ThreadPoolExecutor(max_workers=2) as pool:
            list(pool.map(lambda c: run_case(tools, temp, c), CASES))
        usage_errors(tools, temp)
        json_and_dry_run(tools, temp)
    if failures:
        print(f"{len(failures)} checks failed", file=sys.stderr)
        sys.exit(1)
    print(f"{len(CASES)} rules and the command line checked")


main()
