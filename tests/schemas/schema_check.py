#!/usr/bin/env python3
"""The JSON Schemas of schemas/ against real files, with Python's jsonschema on the TOML as tomllib
reads it, and with its dates as the strings TOML editors give a schema: the repository's own registry and
runtime files and every README and docs/ example that names a schema are valid; bad files (a
rollout out of range, a misspelt key, ...) are refused at the key at fault. `flagctl schema` prints
the very same files.

usage: schema_check.py SOURCE_ROOT FLAGCTL
"""
import datetime
import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import jsonschema

failures = []


def check(condition, what, detail=""):
    print(("ok   " if condition else "FAIL ") + what)
    if not condition:
        failures.append(what)
        if detail:
            print(detail)
    return condition


def as_json(value):
    """TOML's dates and times as the ISO 8601 strings editors hand a schema."""
    if isinstance(value, dict):
        return {k: as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    if isinstance(value, (datetime.date, datetime.time)):  # datetime.datetime is a date
        return value.isoformat()
    return value


def problems(validator, text):
    """Each error as 'path: message', path as dotted keys; empty when the file is valid. The file is
    checked twice: as tomllib reads it (dates as Python dates) and as an editor hands it over (dates
    as strings); a schema must take both."""
    read = tomllib.loads(text)
    found = []
    for document in (read, as_json(read)):
        for e in validator.iter_errors(document):
            problem = ".".join(str(p) for p in e.absolute_path) + ": " + e.message
            if problem not in found:
                found.append(problem)
    return found


def examples(source_root):
    """(where, schema name, text) of every ```toml block in README.md and docs/ that starts with #:schema."""
    pages = [source_root / "README.md", *sorted((source_root / "docs").glob("*.md"))]
    for page in pages:
        if not page.is_file():
            continue
        for match in re.finditer(r"^```toml\n(.*?)^```", page.read_text(encoding="utf-8"), re.MULTILINE | re.DOTALL):
            block = match.group(1)
            directive = re.match(r"#:schema (\S+)", block)
            if directive:
                line = page.read_text(encoding="utf-8")[:match.start()].count("\n") + 2
                yield f"{page.relative_to(source_root)}:{line}", Path(directive.group(1)).name, block


REGISTRY_FLAG = """\
[flags."release.new-checkout"]
description = "Redesigned checkout flow"
owner = "payments-team"
created = 2026-11-01
retire_by = 2027-01-15
default = false
"""

OTHER_VALID = [
    ("tests/data/registry/golden.toml", "registry"),
    ("tests/data/flags/registry.toml", "registry"),
    ("tests/consumer/flags/registry.toml", "registry"),
    ("tests/consumer-cmake/flags/registry.toml", "registry"),
    ("tests/flagctl/data/registry.toml", "registry"),
    ("tests/flagctl/data/runtime.toml", "runtime"),
    ("tests/flagctl/data/debt.toml", "runtime"),
    ("tests/fuzz/corpus/runtime-loader/operators.toml", "runtime"),
]

# (what, schema, text, the path of the error that must be among the problems)
BAD = [
    ("a misspelt registry key", "registry", REGISTRY_FLAG.replace("retire_by", "retire-by"), "flags.release.new-checkout"),
    ("a release flag without retire_by", "registry", REGISTRY_FLAG.replace("retire_by = 2027-01-15\n", ""),
     "flags.release.new-checkout"),
    ("review_by on a release flag", "registry", REGISTRY_FLAG + "review_by = 2027-01-01\n", "flags.release.new-checkout"),
    ("retire_by on an ops flag", "registry", REGISTRY_FLAG.replace("release.new-checkout", "ops.kill-switch"),
     "flags.ops.kill-switch"),
    ("an unknown flag type", "registry", REGISTRY_FLAG.replace("release.new-checkout", "feature.new-checkout"), "flags"),
    ("a name that is not kebab-case", "registry", REGISTRY_FLAG.replace("new-checkout", "New_Checkout"), "flags"),
    ("a date in quotes that is no date", "registry", REGISTRY_FLAG.replace("2026-11-01", '"last week"'),
     "flags.release.new-checkout.created"),
    ("a number for a date", "registry", REGISTRY_FLAG.replace("2026-11-01", "20261101"),
     "flags.release.new-checkout.created"),
    ("warn_days out of range", "registry", "[policy]\nwarn_days = 4000\n", "policy.warn_days"),
    ("a misspelt policy key", "registry", "[policy]\nwarn-days = 3\n", "policy"),
    ("one variant", "registry", REGISTRY_FLAG + 'variants = ["blue"]\n', "flags.release.new-checkout.variants"),
    ("a variant that is no identifier", "registry", REGISTRY_FLAG + 'variants = ["Blue", "green"]\n',
     "flags.release.new-checkout.variants.0"),
    ("a rollout over 100", "runtime", 'schema = 1\n[flags."release.new-checkout"]\nrollout = 150\n',
     "flags.release.new-checkout.rollout"),
    ("a negative rollout", "runtime", 'schema = 1\n[flags."release.new-checkout"]\nrollout = -1\n',
     "flags.release.new-checkout.rollout"),
    ("a misspelt runtime key", "runtime", 'schema = 1\n[flags."release.new-checkout"]\nrolout = 25\n',
     "flags.release.new-checkout"),
    ("no schema", "runtime", '[flags."release.new-checkout"]\nvalue = true\n', ""),
    ("a newer schema", "runtime", 'schema = 2\n', "schema"),
    ("value and rollout together", "runtime", 'schema = 1\n[flags."release.new-checkout"]\nvalue = true\nrollout = 5\n',
     "flags.release.new-checkout"),
    ("a split weight over 100", "runtime", 'schema = 1\n[flags."experiment.x"]\nsplit = { a = 101, b = 0 }\n',
     "flags.experiment.x.split.a"),
    ("a rule without when", "runtime", 'schema = 1\n[flags."release.x"]\nrules = [{ value = true }]\n',
     "flags.release.x.rules.0"),
    ("a condition with two operators", "runtime",
     'schema = 1\n[flags."release.x"]\nrules = [{ when = [{ attr = "plan", in = ["a"], not_in = ["b"] }], value = true }]\n',
     "flags.release.x.rules.0.when.0"),
    ("an unknown operator", "runtime",
     'schema = 1\n[flags."release.x"]\nrules = [{ when = [{ attr = "plan", one_of = ["a"] }], value = true }]\n',
     "flags.release.x.rules.0.when.0"),
    ("a time without an offset", "runtime",
     'schema = 1\n[flags."release.x"]\nrules = [{ when = [{ attr = "t", after = 2026-06-01T00:00:00 }], value = true }]\n',
     "flags.release.x.rules.0.when.0"),
    ("a segment that names a segment", "runtime", 'schema = 1\n[segments]\na = [{ segment = "b" }]\n', "segments.a.0"),
    ("a bucket_by that is no attribute name", "runtime", 'schema = 1\n[flags."release.x"]\nrollout = 5\nbucket_by = "a b"\n',
     "flags.release.x.bucket_by"),
]


def main():
    source_root, flagctl = Path(sys.argv[1]), sys.argv[2]
    schemas = {}
    for name in ["registry", "runtime"]:
        path = source_root / "schemas" / f"{name}.schema.json"
        schema = json.loads(path.read_text(encoding="utf-8"))
        check(schema.get("$schema") == "http://json-schema.org/draft-04/schema#", f"{name}: a draft-04 schema")
        jsonschema.Draft4Validator.check_schema(schema)
        schemas[name] = jsonschema.Draft4Validator(schema)
        printed = subprocess.run([flagctl, "schema", name], capture_output=True, text=True)
        check(printed.returncode == 0 and printed.stdout == path.read_text(encoding="utf-8"),
              f"flagctl schema {name} prints schemas/{name}.schema.json")

    for name in ["registry", "runtime"]:
        path = source_root / "flags" / f"{name}.toml"
        text = path.read_text(encoding="utf-8")
        first = text.splitlines()[0]
        check(first == f"#:schema ../schemas/{name}.schema.json", f"flags/{name}.toml names its schema first", first)
        found = problems(schemas[name], text)
        check(not found, f"flags/{name}.toml is valid", "\n".join(found))

    # Other valid files of the repository, among them one that uses every condition operator.
    for relative, name in OTHER_VALID:
        found = problems(schemas[name], (source_root / relative).read_text(encoding="utf-8"))
        check(not found, f"{relative} is valid", "\n".join(found))

    shown = 0
    for where, schema_file, text in examples(source_root):
        name = schema_file.removesuffix(".schema.json")
        if not check(name in schemas, f"{where}: names a known schema", schema_file):
            continue
        found = problems(schemas[name], text)
        check(not found, f"{where}: the example is valid", "\n".join(found))
        shown += 1
    print(f"{shown} documentation examples checked")

    for what, name, text, path in BAD:
        found = problems(schemas[name], text)
        check(any(p.startswith(path + ": ") or (path == "" and p.startswith(": ")) for p in found),
              f"{name}: refuses {what} at '{path}'", "\n".join(found) or "(no problem found)")

    if failures:
        sys.exit(f"{len(failures)} check(s) failed")


main()
