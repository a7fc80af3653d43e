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


PRICING = """\
#pragma once

#include <flags/flags.hpp>

// Only the old checkout charges it.
static int handling_fee(int items) { return 99 + items; }

namespace {

int legacy_rate(int items) { return items * 3; }

// The old total, at the old rate.
int legacy_total(int items) { return legacy_rate(items) + 1; }

}  // namespace

static int shared_fee(int items) { return items + 7; }

inline int header_price(const flags::Context& ctx, int items) {
    if (flags::enabled<flags::Flag::release_new_checkout>(ctx)) {
        return items;
    } else {
        return items + handling_fee(items);
    }
}
"""

PRICING_AFTER = """\
#pragma once

#include <flags/flags.hpp>

namespace {

}  // namespace

static int shared_fee(int items) { return items + 7; }

inline int header_price([[maybe_unused]] const flags::Context& ctx, int items) {
    return items;
}
"""

UNITS = {
    "src/a.cpp": """\
#include "pricing.hpp"

int price_a(const flags::Context& ctx, int items) {
    if (flags::enabled<"release.new-checkout">(ctx)) {
        return header_price(ctx, items) + shared_fee(items);
    } else {
        return legacy_total(items);
    }
}
""",
    "src/b.cpp": """\
#include "pricing.hpp"

int price_b(const flags::Context& ctx, int items) {
    return flags::enabled<flags::Flag::release_new_checkout>(ctx) ? shared_fee(items) : legacy_total(items) * 2;
}
""",
}


def header_project(tools, root, units):
    """A project of several units that begin alike (so they share one preamble) over one header."""
    (root / "src").mkdir(parents=True)
    (root / "flags").mkdir()
    shutil.copy(HERE / "fixture" / "flags" / "registry.toml", root / "flags" / "registry.toml")
    (root / "build" / "gen" / "flags").mkdir(parents=True)
    tools.header(root)
    (root / "src" / "pricing.hpp").write_text(PRICING, encoding="utf-8")
    commands, entries = [], []
    for path, text in units.items():
        (root / path).write_text(text, encoding="utf-8")
        command = tools.cxx + ["-std=c++20", *WARNINGS, "-I" + tools.include, "-Ibuild/gen", "-c", path,
                               "-o", "build/" + Path(path).stem + ".o"]
        commands.append(command)
        entries.append({"directory": str(root), "command": " ".join(command), "file": path})
    (root / "build" / "compile_commands.json").write_text(json.dumps(entries), encoding="utf-8")
    return commands


def compiles(tools, root, commands, what):
    for command in commands:
        built = subprocess.run(command, cwd=root, capture_output=True, text=True)
        check(built.returncode == 0, f"{what}: {command[-3]} compiles with -Werror", built.stderr)


def header_functions(tools, temp):
    # Every unit used the header's internal functions only from removed code: they go, the ones they
    # alone called too; the one kept code calls stays.
    root = Path(temp) / "header-functions"
    commands = header_project(tools, root, UNITS)
    compiles(tools, root, commands, "header functions before")
    result = tools.retire(root, "release.new-checkout", "--keep", "true", "-p", "build", "--registry", "flags/registry.toml")
    check(result.returncode == 0, "header functions: exit 0", result.stdout + result.stderr)
    actual = (root / "src" / "pricing.hpp").read_text(encoding="utf-8")
    check(actual == PRICING_AFTER, "header functions: the header", f"expected:\n{PRICING_AFTER}\nactual:\n{actual}")
    check((root / "src" / "b.cpp").read_text(encoding="utf-8").endswith("    return shared_fee(items);\n}\n"),
          "header functions: b.cpp keeps the kept operand", (root / "src" / "b.cpp").read_text(encoding="utf-8"))
    tools.header(root)
    compiles(tools, root, commands, "header functions after")

    # A third unit still calls legacy_total from kept code: it stays, and the units that no longer
    # call it would warn that it is unused, so it is reported; legacy_rate, still called by it, is not.
    root = Path(temp) / "header-functions-shared"
    units = dict(UNITS, **{"src/c.cpp": '#include "pricing.hpp"\n\nint price_c(int items) { return shared_fee(items) + legacy_total(items); }\n'})
    commands = header_project(tools, root, units)
    compiles(tools, root, commands, "header functions shared before")
    result = tools.retire(root, "release.new-checkout", "--keep", "true", "-p", "build", "--registry", "flags/registry.toml")
    check(result.returncode == 1, "header functions shared: exit 1", result.stdout + result.stderr)
    line = PRICING.splitlines().index("int legacy_total(int items) { return legacy_rate(items) + 1; }") + 1
    check(f"src/pricing.hpp:{line}: note: left for a person: the removed code was legacy_total's only use in " in result.stdout
          and "but other files still use it; mark it inline or [[maybe_unused]]" in result.stdout,
          "header functions shared: legacy_total reported", result.stdout)
    check("legacy_rate" not in result.stdout, "header functions shared: legacy_rate not reported", result.stdout)
    actual = (root / "src" / "pricing.hpp").read_text(encoding="utf-8")
    check("int legacy_total(" in actual and "int legacy_rate(" in actual and "handling_fee" not in actual,
          "header functions shared: the header keeps what c.cpp calls", actual)


def usage_errors(tools, temp):
    root = Path(temp) / "usage"
    tools.project(root, "int main() {}\n")
    cases = [
        (["release.nope", "--keep", "true", "-p", "build"], "unknown flag 'release.nope'"),
        (["release.new-checkout", "--keep", "yes", "-p", "build"], "--keep yes: release.new-checkout is a boolean flag"),
        (["experiment.button-color", "--keep", "purple", "-p", "build"], "keep one of blue, green, red"),
        (["release.new-checkout", "--keep", "true", "-p", "flags"], "flags has no compile_commands.json; configure"),
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

def each_file_once(tools, temp):
    # --runtime naming the registry's directory, and the runtime file spelled another way: each file
    # is in the diff once, so that the diff applies.
    root = Path(temp) / "once"
    tools.project(root, "int main() {}\n", runtime='schema = 1\n\n[flags."release.new-checkout"]\nrollout = 10\n')
    subprocess.run(["git", "init", "-q", "."], cwd=root, check=True)
    result = tools.retire(root, "release.new-checkout", "--keep", "true", "-p", "build", "--registry", "flags/registry.toml",
                          "--runtime", "flags", "--runtime", "./flags/../flags/runtime.toml", "--dry-run")
    check(result.returncode == 0, "each file once: exit 0", result.stderr)
    for name in ("flags/registry.toml", "flags/runtime.toml"):
        check(result.stdout.count(f"--- a/{name}\n") == 1, f"each file once: {name} in the diff once", result.stdout)
    applied = subprocess.run(["git", "apply", "--check"], cwd=root, input=result.stdout, capture_output=True, text=True)
    check(applied.returncode == 0, "each file once: the diff applies", applied.stderr)
    result = tools.retire(root, "release.new-checkout", "--keep", "true", "-p", "build", "--registry", "flags/registry.toml",
                          "--runtime", "flags", "--runtime", "./flags/../flags/runtime.toml")
    check(result.returncode == 0 and "release.new-checkout" not in (root / "flags/runtime.toml").read_text(encoding="utf-8"),
          "each file once: edited in place", result.stdout + result.stderr)


READER = """\
#pragma once
#include <flags/flags.hpp>
inline int {name}_steps(const flags::Context& ctx) {{
    return flags::enabled<flags::Flag::release_new_checkout>(ctx) ? 2 : 4;
}}
"""
# Where a read is, the reason it is left: retire rewrites none of these files.
ELSEWHERE = {
    "subprojects/lib/lib.hpp": "in subprojects/, which flagctl retire does not rewrite",
    "build/gen/gen.hpp": "in the build directory, which flagctl retire does not rewrite",
    "vendor/v.hpp": "in a system header (included through -isystem or a system path)",
    "../outside/o.hpp": "outside the current directory, which flagctl retire does not rewrite",
}


def elsewhere_project(tools, root):
    """A unit whose reads are all in headers retire must not rewrite, and a unit compiled elsewhere."""
    tools.project(root, "".join(f'#include <{Path(h).name}>\n' for h in ELSEWHERE) +
                  "int f(const flags::Context& ctx) { return lib_steps(ctx) + gen_steps(ctx) + v_steps(ctx) + o_steps(ctx); }\n")
    for header in ELSEWHERE:
        (root / header).parent.mkdir(parents=True, exist_ok=True)
        (root / header).write_text(READER.format(name=Path(header).stem), encoding="utf-8")
    (root / "../outside/o.cpp").write_text('#include "o.hpp"\nint g(const flags::Context& c) { return o_steps(c); }\n', encoding="utf-8")
    command = tools.cxx + ["-std=c++20", *WARNINGS, "-I" + tools.include, "-Ibuild/gen", "-Isubprojects/lib",
                           "-isystem", "vendor", "-I../outside", "-c", "src/case.cpp", "-o", "build/case.o"]
    other = tools.cxx + ["-std=c++20", "-I" + tools.include, "-I" + str(root / "build/gen"), "-c", "o.cpp", "-o", "o.o"]
    (root / "build" / "compile_commands.json").write_text(json.dumps([
        {"directory": str(root), "command": " ".join(command), "file": "src/case.cpp"},
        {"directory": str((root / "../outside").resolve()), "command": " ".join(other), "file": "o.cpp"}]),
        encoding="utf-8")
    return {h: (root / h).read_text(encoding="utf-8") for h in [*ELSEWHERE, "src/case.cpp", "../outside/o.cpp"]}


def reads_elsewhere(tools, temp):
    # Each read in a file retire does not rewrite is a site left for a person, with its reason; the
    # files stay as they were and the exit is 1, from the project's root or from a subdirectory.
    for cwd, prefix in (("", ""), ("src", "../")):
        root = Path(temp) / f"elsewhere-{cwd or 'root'}" / "project"
        before = elsewhere_project(tools, root)
        result = tools.retire(root / cwd, "release.new-checkout", "--keep", "true", "-p", prefix + "build",
                              "--registry", prefix + "flags/registry.toml", "--json")
        what = f"reads elsewhere (from {cwd or 'the root'})"
        check(result.returncode == 1, f"{what}: exit 1", result.stdout + result.stderr)
        sites = json.loads(result.stdout)["sites"] if result.stdout.startswith("{") else []
        for header, why in ELSEWHERE.items():
            why = ELSEWHERE["../outside/o.hpp"] if cwd and header.startswith("subprojects") else why
            check(any(s["file"] == prefix + header and s["line"] == 4 and s["status"] == "left" and why in s["note"]
                      for s in sites), f"{what}: {header} reported", result.stdout)
        for path, text in before.items():
            check((root / path).read_text(encoding="utf-8") == text, f"{what}: {path} unchanged")
    root = Path(temp) / "elsewhere-text" / "project"
    elsewhere_project(tools, root)
    result = tools.retire(root, "release.new-checkout", "--keep", "true", "-p", "build", "--registry", "flags/registry.toml")
    check("subprojects/lib/lib.hpp:4: note: left for a person: in subprojects/, which flagctl retire does not rewrite"
          in result.stdout, "reads elsewhere: the text line", result.stdout)


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
        header_functions(tools, temp)
        reads_elsewhere(tools, temp)
        each_file_once(tools, temp)
    if failures:
        print(f"{len(failures)} checks failed", file=sys.stderr)
        sys.exit(1)
    print(f"{len(CASES)} rules and the command line checked")


main()
