#!/usr/bin/env python3
"""flagctl through its real binary on real files: golden files for the human output, parsed JSON for
--json, and the exit code of every subcommand.

usage: flagctl_test.py [--update] FLAGCTL FLAGC BUCKET_PY [unittest arguments, e.g. the class Debt]

Commands run in tests/flagctl/data with relative paths and a pinned --today, so their output depends
neither on the machine nor on the date. A golden file holds the command, its standard output, its
standard error (when any) and its exit code. With --update (`ninja update-flagctl-goldens`) the
golden files are rewritten from the current output instead of compared: review the diff.

Standard library only. FLAGC checks that `flagctl lint` speaks flagc's messages word for word;
BUCKET_PY (tools/bucket.py) computes buckets independently of the C++.
"""
import importlib.util
import json
import os
import queue
import re
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
GOLDEN = HERE / "golden"
TODAY = "2026-11-21"
REGISTRY = ["--registry", "registry.toml", "--today", TODAY]

FLAGCTL = FLAGC = None
UPDATE = False
bucket = None  # tools/bucket.py's bucket(salt, key)


def run(args, cwd=DATA, timeout=120):
    return subprocess.run([FLAGCTL, *map(str, args)], cwd=cwd, text=True, capture_output=True, timeout=timeout)


def transcript(args, result):
    out = f"$ flagctl {' '.join(map(str, args))}\n{result.stdout}"
    if result.stderr:
        out += f"--- stderr\n{result.stderr}"
    return out + f"--- exit {result.returncode}\n"


class FlagctlTest(unittest.TestCase):
    maxDiff = None

    def flagctl(self, *args, exit_code, cwd=DATA):
        """Runs flagctl and checks its exit code; the failure message shows everything it printed."""
        result = run(args, cwd=cwd)
        self.assertEqual(result.returncode, exit_code, transcript(args, result))
        return result

    def golden(self, name, *args, exit_code, cwd=DATA):
        """Runs flagctl and compares its whole transcript with golden/NAME.txt."""
        result = run(args, cwd=cwd)
        text = transcript(args, result)
        path = GOLDEN / f"{name}.txt"
        if UPDATE:
            path.write_text(text, encoding="utf-8")
        else:
            self.assertTrue(path.exists(), f"no golden {path.name}; run `ninja update-flagctl-goldens`")
            self.assertEqual(text, path.read_text(encoding="utf-8"),
                             f"output differs from golden/{path.name} (run `ninja update-flagctl-goldens` and review "
                             "the diff if the change is intended)")
        self.assertEqual(result.returncode, exit_code, text)
        return result

    def json_of(self, *args, exit_code=0, cwd=DATA):
        """Runs flagctl with --json: one JSON document on standard output, nothing on standard error."""
        result = self.flagctl(*args, "--json", exit_code=exit_code, cwd=cwd)
        self.assertEqual(result.stderr, "", "--json writes nothing but JSON")
        self.assertEqual(result.stdout.count("\n"), 1, "one JSON document, on one line")
        return json.loads(result.stdout)

    def temp_dir(self):
        path = Path(tempfile.mkdtemp(prefix="flagctl-test-"))
        self.addCleanup(shutil.rmtree, path, ignore_errors=True)
        shutil.copy(DATA / "registry.toml", path / "registry.toml")
        return path


class Usage(FlagctlTest):
    COMMANDS = ["lint", "check", "eval", "list", "debt", "diff", "buckets", "watch", "override", "schema"]

    def test_no_command_is_a_usage_error(self):
        result = self.flagctl(exit_code=2)
        self.assertIn("usage: flagctl COMMAND", result.stderr)

    def test_help_lists_every_command(self):
        result = self.golden("help", "--help", exit_code=0)
        for command in self.COMMANDS:
            self.assertIn(f"\n  {command} ", result.stdout)

    def test_unknown_command(self):
        self.golden("unknown-command", "frobnicate", exit_code=2)

    def test_every_command_has_help_with_an_example(self):
        for command in self.COMMANDS:
            with self.subTest(command):
                result = self.flagctl(command, "--help", exit_code=0)
                self.assertTrue(result.stdout.startswith(f"usage: flagctl {command}"), result.stdout)
                self.assertIn("example:\n  $ flagctl " + command, result.stdout)
                self.assertIn("exit codes: 0 ok, 1 findings or invalid input, 2 usage error", result.stdout)

    def test_usage_error_message(self):
        self.golden("usage-error", "eval", "release.new-checkout", *REGISTRY, exit_code=2)

    def test_usage_errors_exit_2(self):
        cases = {
            "unknown option": ["lint", "--frob"],
            "option without its value": ["check", "runtime.toml", "--registry"],
            "missing positional": ["check", *REGISTRY],
            "extra positional": ["lint", "extra", *REGISTRY],
            "missing required option": ["buckets", "release.new-checkout", *REGISTRY],
            "bad --today": ["lint", "--today", "2026-13-01"],
            "bad --attr": ["eval", "release.new-checkout", "--file", "runtime.toml", "--attr", "plan", *REGISTRY],
            "bad --keys": ["buckets", "release.new-checkout", "--file", "runtime.toml", "--keys", "0", *REGISTRY],
            "bad --sample": ["diff", "runtime.toml", "runtime.toml", "--sample", "many", *REGISTRY],
            "bad --timeout": ["watch", "--file", "runtime.toml", "--timeout", "-1", *REGISTRY],
            "switch given a value": ["list", "--json=yes", *REGISTRY],
            "debt takes no positional": ["debt", "debt.toml", *REGISTRY],
            "--override without --file": ["list", "--override", "o.toml", *REGISTRY],
            "override without action": ["override", "--file", "o.toml", *REGISTRY],
            "override with unknown action": ["override", "toggle", "ops.kill-switch-payments", "--file", "o.toml", *REGISTRY],
            "override set without a value": ["override", "set", "ops.kill-switch-payments", "--file", "o.toml", *REGISTRY],
            "schema of an unknown file": ["schema", "yaml"],
            "schema without which": ["schema"],
        }
        for name, args in cases.items():
            with self.subTest(name):
                result = self.flagctl(*args, exit_code=2)
                self.assertIn(": error: ", result.stderr)
                self.assertIn("usage: flagctl ", result.stderr)
        self.assertFalse((DATA / "o.toml").exists(), "a usage error writes nothing")

    def test_option_equals_value(self):
        result = self.flagctl("lint", "--registry=registry.toml", "--today=2026-10-01", exit_code=0)
        self.assertEqual(result.stdout, "registry.toml: 10 flags, valid\n")

    def test_a_broken_registry_fails_every_command(self):
        for command in [["list"], ["check", "runtime.toml"], ["eval", "release.new-checkout", "--file", "runtime.toml"]]:
            with self.subTest(command[0]):
                result = self.flagctl(*command, "--registry", "bad/registry.toml", exit_code=1)
                self.assertIn("bad/registry.toml:1:1: error: flag 'release.no-owner' has no 'owner'", result.stderr)
                self.assertEqual(result.stdout, "")

    def test_a_missing_registry_fails(self):
        result = self.flagctl("list", "--registry", "nowhere.toml", exit_code=1)
        self.assertIn("nowhere.toml", result.stderr)

    def test_failure_as_json(self):
        data = self.json_of("eval", "release.unknown", "--file", "runtime.toml", *REGISTRY, exit_code=1)
        self.assertEqual(data["ok"], False)
        self.assertEqual(data["diagnostics"][0]["message"], "unknown flag 'release.unknown'")


class Lint(FlagctlTest):
    def test_valid_registry(self):
        self.golden("lint-valid", "lint", "--registry", "registry.toml", "--today", "2026-10-01", exit_code=0)

    def test_expiry_is_checked(self):
        self.golden("lint-expired", "lint", *REGISTRY, exit_code=1)

    def test_warnings_alone_pass(self):
        result = self.flagctl("lint", "--registry", "registry.toml", "--today", "2026-10-20", exit_code=0)
        self.assertIn("warning: release flag 'release.legacy-cart' retires on 2026-11-01 (in 12 days)", result.stderr)
        self.assertEqual(result.stdout, "registry.toml: 10 flags, valid (1 warning)\n")

    def test_invalid_registry(self):
        self.golden("lint-invalid", "lint", "--registry", "bad/registry.toml", "--today", TODAY, exit_code=1)

    def test_messages_are_flagcs_word_for_word(self):
        for registry in ["registry.toml", "bad/registry.toml"]:
            with self.subTest(registry):
                out = Path(tempfile.mkdtemp(prefix="flagctl-lint-"))
                self.addCleanup(shutil.rmtree, out, ignore_errors=True)
                flagc = subprocess.run([FLAGC, registry, "-o", out / "registry.hpp", "--today", TODAY], cwd=DATA,
                                       text=True, capture_output=True)
                lint = self.flagctl("lint", "--registry", registry, "--today", TODAY, exit_code=flagc.returncode)
                self.assertNotEqual(flagc.stderr, "")
                self.assertEqual(lint.stderr, flagc.stderr)

    def test_directory_registry(self):
        directory = self.temp_dir() / "flags"
        directory.mkdir()
        text = (DATA / "registry.toml").read_text(encoding="utf-8")
        policy, flags = text.split('# Being rolled out', 1)
        (directory / "a.toml").write_text(policy, encoding="utf-8")
        (directory / "b.toml").write_text("# Being rolled out" + flags, encoding="utf-8")
        result = self.flagctl("lint", "--registry", directory, "--today", "2026-10-01", exit_code=0)
        self.assertEqual(result.stdout, f"{directory.as_posix()}: 10 flags, valid\n")

    def test_json(self):
        data = self.json_of("lint", *REGISTRY, exit_code=1)
        self.assertEqual((data["ok"], data["flags"], data["errors"], data["warnings"]), (False, 10, 2, 2))
        first = data["diagnostics"][0]
        self.assertEqual((first["severity"], first["file"], first["line"], first["column"]), ("error", "registry.toml", 22, 13))
        self.assertIn("expired on 2026-11-01 (20 days ago)", first["message"])
        self.assertTrue(first["hint"])


class Check(FlagctlTest):
    def test_valid(self):
        self.golden("check-valid", "check", "runtime.toml", *REGISTRY, exit_code=0)

    def test_unregistered_entry_is_a_warning(self):
        self.golden("check-unregistered", "check", "unregistered.toml", *REGISTRY, exit_code=0)

    def test_syntax_error_at_file_line_col(self):
        self.golden("check-syntax", "check", "bad/syntax.toml", *REGISTRY, exit_code=1)

    def test_every_error_at_file_line_col(self):
        self.golden("check-semantic", "check", "bad/semantic.toml", *REGISTRY, exit_code=1)

    def test_a_flag_that_costs_too_much_to_read_is_refused_as_the_library_refuses_it(self):
        # A legal 1 MB file: a segment of 100,000 `contains` needles, used by 1,000 rules of one flag.
        directory = self.temp_dir()
        needles = ", ".join(f'"n{i}"' for i in range(100_000))
        rules = '  { when = [{ segment = "agents" }], value = true },\n' * 1000
        costly = directory / "costly.toml"
        costly.write_text(f'schema = 1\n[segments]\nagents = [{{ attr = "agent", contains = [{needles}] }}]\n'
                          f'[flags."permission.early-access"]\nvalue = false\nrules = [\n{rules}]\n', encoding="utf-8")
        result = self.flagctl("check", costly, *REGISTRY, exit_code=1)
        self.assertEqual(result.stderr,
                         f"{costly}:4:8: error: flag 'permission.early-access' costs 2045 to evaluate at worst; the "
                         "limit is 250\n    hint: put conditions that rules repeat in a segment, merge rules that serve "
                         "the same value, or raise RuntimeOptions::limits.max_evaluation_cost\n")

    def test_missing_file(self):
        result = self.flagctl("check", "missing.toml", *REGISTRY, exit_code=1)
        self.assertTrue(result.stderr.startswith("missing.toml: error: the runtime file is missing"), result.stderr)

    def test_with_override_file(self):
        directory = self.temp_dir()
        override = directory / "override.toml"
        override.write_text('schema = 1\n[flags."release.new-checkout"]\nvalue = "yes"\n', encoding="utf-8")
        result = self.flagctl("check", DATA / "runtime.toml", "--override", override, *REGISTRY, exit_code=1)
        self.assertIn(f"{override}:3:9: error:", result.stderr)
        override.write_text('schema = 1\n[flags."release.new-checkout"]\nvalue = true\n', encoding="utf-8")
        self.flagctl("check", DATA / "runtime.toml", "--override", override, *REGISTRY, exit_code=0)

    def test_directory_of_runtime_files(self):
        directory = self.temp_dir() / "runtime"
        directory.mkdir()
        (directory / "a.toml").write_text('schema = 1\n[flags."release.new-checkout"]\nrollout = 5\n', encoding="utf-8")
        (directory / "b.toml").write_text('schema = 1\n[flags."release.new-checkout"]\nrollout = 6\n', encoding="utf-8")
        result = self.flagctl("check", directory, *REGISTRY, exit_code=1)
        self.assertIn("has entries in two files", result.stderr)

    def test_a_name_no_registry_can_declare_is_an_error_shown_escaped(self):
        # A Cyrillic 'е', a zero-width space, a NUL and a right-to-left override: no registry can
        # declare these names, so no binary would read the entries, and none reaches the terminal raw.
        directory = self.temp_dir()
        names = ["release.n\u0435w-checkout", "release.new\u200b-thing", "release.new\u0000thing",
                 "release.\u202ekcehc-wen"]
        text = "schema = 1\n" + "".join(f'[flags."{n}"]\nvalue = true\n'
                                         for n in ["release.n\u0435w-checkout", "release.new\u200b-thing"])
        text += '[flags."release.new\\u0000thing"]\nvalue = true\n[flags."release.\u202ekcehc-wen"]\nvalue = true\n'
        (directory / "names.toml").write_text(text, encoding="utf-8")
        result = self.flagctl("check", directory / "names.toml", *REGISTRY, exit_code=1)
        escaped = ["".join(c if " " < c < "\x7f" else f"\\u{ord(c):04x}" for c in n) for n in names]
        for line, name in zip((2, 4, 6, 8), escaped):
            self.assertIn(f"names.toml:{line}:8: error: flag '{name}' is a name no registry can declare", result.stderr)
        self.assertIn("hint: did you mean 'release.new-checkout'?", result.stderr)
        for raw in ("\u0435", "\u200b", "\u0000", "\u202e"):
            self.assertNotIn(raw, result.stderr + result.stdout)
        data = self.json_of("check", directory / "names.toml", *REGISTRY, exit_code=1)
        self.assertEqual((data["ok"], data["errors"], data["warnings"]), (False, 4, 0))
        self.assertEqual(data["diagnostics"][3]["message"].split(" is a name")[0], f"flag '{escaped[3]}'")

    def test_a_well_formed_name_unknown_to_this_registry_stays_a_warning(self):
        # The file may be shared with a binary built from a newer registry: the entry is not an error.
        directory = self.temp_dir()
        (directory / "newer.toml").write_text('schema = 1\n[flags."release.from-the-future"]\nvalue = true\n',
                                              encoding="utf-8")
        result = self.flagctl("check", directory / "newer.toml", *REGISTRY, exit_code=0)
        self.assertIn("warning: flag 'release.from-the-future' is not in the registry", result.stderr)

    def test_a_permission_problem_is_a_warning_naming_the_fix(self):
        directory = self.temp_dir()
        runtime = directory / "runtime.toml"
        shutil.copy(DATA / "runtime.toml", runtime)
        runtime.chmod(0o666)
        result = self.flagctl("check", runtime, *REGISTRY, exit_code=0)
        self.assertEqual(result.stderr,
                         f"{runtime}: warning: a service would refuse it: the file is writable by other users (mode 0666)\n"
                         f"    hint: run chmod go-w '{runtime}', or mount it read-only\n")
        self.assertEqual(result.stdout, f"{runtime}: valid (1 warning)\n")
        # A directory above it, the runtime file being fine.
        runtime.chmod(0o644)
        directory.chmod(0o777)
        data = self.json_of("check", runtime, *REGISTRY)
        self.assertEqual((data["ok"], data["warnings"]), (True, 1))
        self.assertEqual(data["diagnostics"][0]["message"],
                         f"a service would refuse it: directory {directory} is writable by other users (mode 0777)")
        self.assertEqual(data["diagnostics"][0]["hint"], f"run chmod go-w '{directory}', or mount it read-only")
        directory.chmod(0o700)
        self.assertEqual(self.json_of("check", runtime, *REGISTRY)["warnings"], 0)

    def test_json(self):
        data = self.json_of("check", "bad/semantic.toml", *REGISTRY, exit_code=1)
        self.assertEqual((data["ok"], data["file"], data["errors"], data["warnings"]), (False, "bad/semantic.toml", 4, 0))
        self.assertEqual([(d["line"], d["column"]) for d in data["diagnostics"]], [(4, 11), (5, 1), (8, 22), (11, 9)])
        data = self.json_of("check", "unregistered.toml", *REGISTRY)
        self.assertEqual((data["ok"], data["errors"], data["warnings"]), (True, 0, 1))


class Eval(FlagctlTest):
    RUNTIME = ["--file", "runtime.toml", *REGISTRY]

    def user_with_bucket(self, salt, low, high):
        """The first user-N whose bucket for `salt` lies in [low, high), by tools/bucket.py."""
        return next(f"user-{i}" for i in range(100000) if low <= bucket(salt, f"user-{i}") < high)

    def test_split(self):
        user = self.user_with_bucket("release.new-checkout", 0, 500)  # inside the 5% rollout
        self.golden("eval-split", "eval", "release.new-checkout", "--user", user, *self.RUNTIME, exit_code=0)

    def test_rule_match_shows_the_rule_as_written(self):
        self.golden("eval-rule", "eval", "ops.search-backend", "--tenant", "acme", "--attr", "email=ann@example.com",
                    *self.RUNTIME, exit_code=0)

    def test_second_rule_with_a_split(self):
        self.golden("eval-rule-split", "eval", "ops.search-backend", "--tenant", "acme", "--attr", "plan=scale",
                    "--attr", "app_version=2.4.0", *self.RUNTIME, exit_code=0)

    def test_prerequisite_failed(self):
        user = self.user_with_bucket("release.new-checkout", 500, 10000)  # outside the 5% rollout
        self.golden("eval-prerequisite", "eval", "experiment.button-color", "--user", user, *self.RUNTIME, exit_code=0)

    def test_missing_bucketing_key(self):
        self.golden("eval-key-missing", "eval", "release.new-checkout", "--tenant", "acme", *self.RUNTIME, exit_code=0)

    def test_disabled_static_and_default(self):
        self.golden("eval-disabled", "eval", "release.legacy-cart", *self.RUNTIME, exit_code=0)
        self.golden("eval-static", "eval", "ops.kill-switch-payments", *self.RUNTIME, exit_code=0)
        self.golden("eval-default", "eval", "permission.beta-api", *self.RUNTIME, exit_code=0)

    def test_unknown_flag(self):
        self.golden("eval-unknown-flag", "eval", "release.new-chekout", *self.RUNTIME, exit_code=1)

    def test_invalid_file(self):
        result = self.flagctl("eval", "release.new-checkout", "--file", "bad/syntax.toml", *REGISTRY, exit_code=1)
        self.assertIn("bad/syntax.toml:3:30: error:", result.stderr)
        self.assertEqual(result.stdout, "")

    def test_json_bucket_is_the_documented_bucket(self):
        for user in ["u-1", "u-2", "alice", "user-42"]:
            with self.subTest(user):
                data = self.json_of("eval", "release.new-checkout", "--user", user, *self.RUNTIME)
                expected = bucket("release.new-checkout", user)
                self.assertEqual(data["bucket"], expected)
                self.assertEqual(data["bucket_by"], "user")
                self.assertEqual(data["reason"], "SPLIT")
                self.assertEqual(data["value"], expected < 500)
                self.assertEqual(data["variant"], "true" if expected < 500 else "false")
                self.assertIsNone(data["error"])
                self.assertIsNone(data["rule"])

    def test_json_rule(self):
        data = self.json_of("eval", "ops.search-backend", "--tenant", "acme", "--attr", "plan=scale",
                            "--attr", "app_version=2.4.0", *self.RUNTIME)
        self.assertEqual((data["reason"], data["rule_index"], data["bucket_by"]), ("TARGETING_MATCH", 1, "tenant"))
        self.assertEqual(data["bucket"], bucket("ops.search-backend", "acme"))
        self.assertEqual(data["value"], "solr" if data["bucket"] < 5000 else "elastic")
        self.assertEqual(data["rule"], {
            "file": "runtime.toml", "line": 33,
            "text": '{ when = [{ attr = "plan", in = ["scale"] }, { attr = "app_version", semver_gte = "2.3.0" }], '
                    'split = { solr = 50, elastic = 50 } }'})
        data = self.json_of("eval", "release.new-checkout", *self.RUNTIME)
        self.assertEqual((data["reason"], data["error"], data["bucket"]), ("ERROR", "TARGETING_KEY_MISSING", None))

    def test_override_file_wins(self):
        # Named so that the base file comes first in path order: the override wins by its layer.
        directory = self.temp_dir()
        shutil.copy(DATA / "runtime.toml", directory / "base.toml")
        (directory / "override.toml").write_text('schema = 1\n[flags."ops.kill-switch-payments"]\nvalue = true\n',
                                                 encoding="utf-8")
        args = ["eval", "ops.kill-switch-payments", "--file", "base.toml", *REGISTRY]
        self.assertEqual(self.json_of(*args, cwd=directory)["value"], False)
        data = self.json_of(*args, "--override", "override.toml", cwd=directory)
        self.assertEqual((data["value"], data["reason"]), (True, "STATIC"))
        result = self.flagctl(*args, "--override", "override.toml", exit_code=0, cwd=directory)
        self.assertIn("entry    override.toml:2 (override)\n", result.stdout)
        result = self.flagctl("list", "--file", "base.toml", "--override", "override.toml", *REGISTRY, exit_code=0,
                              cwd=directory)
        self.assertRegex(result.stdout, r"\nops.kill-switch-payments .* true \(override\)\n")


class List(FlagctlTest):
    def test_registry_table(self):
        self.golden("list", "list", *REGISTRY, exit_code=0)

    def test_with_states(self):
        self.golden("list-file", "list", "--file", "runtime.toml", *REGISTRY, exit_code=0)

    def test_invalid_file(self):
        result = self.flagctl("list", "--file", "bad/semantic.toml", *REGISTRY, exit_code=1)
        self.assertEqual(result.stdout, "")

    def test_json(self):
        data = self.json_of("list", "--file", "runtime.toml", *REGISTRY)
        self.assertEqual(data["today"], TODAY)
        flags = {f["name"]: f for f in data["flags"]}
        self.assertEqual(len(flags), 10)
        cart = flags["release.legacy-cart"]
        self.assertEqual((cart["type"], cart["owner"], cart["created"], cart["age_days"]),
                         ("release", "payments-team", "2026-06-01", 173))
        self.assertEqual((cart["retire_by"], cart["review_by"], cart["days_left"], cart["default"]),
                         ("2026-11-01", None, -20, True))
        self.assertEqual(cart["state"], "off")
        self.assertEqual(cart["entry"], {"file": "runtime.toml", "line": 11, "override": False})
        kill = flags["ops.kill-switch-payments"]
        self.assertEqual((kill["retire_by"], kill["review_by"], kill["days_left"]), (None, "2026-11-01", -20))
        self.assertEqual(flags["permission.beta-api"]["state"], "no entry")
        self.assertIsNone(flags["permission.beta-api"]["entry"])
        self.assertEqual(flags["release.new-checkout"]["state"], "5%")
        self.assertEqual(flags["experiment.button-color"]["state"],
                         "split blue 50% / green 25% / red 25%, requires release.new-checkout")
        self.assertEqual(flags["ops.search-backend"]["state"], "solr, 2 rules")
        self.assertEqual(flags["ops.search-backend"]["default"], "solr")
        self.assertNotIn("state", self.json_of("list", *REGISTRY)["flags"][0])


class Debt(FlagctlTest):
    def outside_git(self):
        """The debt fixtures copied to a directory outside any git work tree: tests/flagctl/data is in
        flagstone's own repository, whose history would otherwise date the entries without `since`."""
        directory = self.temp_dir()
        shutil.copy(DATA / "debt.toml", directory / "debt.toml")
        shutil.copytree(DATA / "src", directory / "src")
        return directory

    def test_everything_most_urgent_first(self):
        self.golden("debt", "debt", "--file", "debt.toml", "--src", "src", *REGISTRY, exit_code=1,
                    cwd=self.outside_git())

    def test_nothing_to_clean(self):
        self.golden("debt-none", "debt", "--registry", "registry.toml", "--today", "2026-10-01", exit_code=0)

    def test_due_alone_does_not_fail(self):
        result = self.flagctl("debt", "--registry", "registry.toml", "--today", "2026-10-25", exit_code=0)
        self.assertEqual(result.stdout.splitlines()[:2],
                         ["release.legacy-cart",
                          "  due      release flag 'release.legacy-cart' retires on 2026-11-01 (in 7 days)"])

    def test_lifecycle_messages_are_flagcs_word_for_word(self):
        # On a day when every kind is there: expired, retiring today, retiring in some days, review due.
        for today in [TODAY, "2026-11-01", "2026-10-25"]:
            with self.subTest(today):
                out = Path(tempfile.mkdtemp(prefix="flagctl-debt-"))
                self.addCleanup(shutil.rmtree, out, ignore_errors=True)
                flagc = subprocess.run([FLAGC, "registry.toml", "-o", out / "registry.hpp", "--today", today],
                                       cwd=DATA, text=True, capture_output=True)
                said = re.findall(r"(?:error|warning): (.*)\n    hint: (.*)\n", flagc.stderr)
                self.assertNotEqual(said, [])
                debt = run(["debt", "--registry", "registry.toml", "--today", today]).stdout
                for message, hint in said:
                    self.assertIn(f"  {message}\n           hint: {hint}\n", debt)

    def test_retire_command_keeps_what_everyone_is_served(self):
        directory = self.temp_dir()
        shutil.copy(DATA / "registry.toml", directory / "registry.toml")
        cases = {
            "value = false": "--keep false",
            "rollout = 100": "--keep true",
            "rollout = 0": "--keep false",
            "off = true\nvalue = false": "--keep true",  # off serves the registry default, true
            "rollout = 50": "--keep VALUE",
            'value = true\nrules = [{ when = [{ attr = "plan", in = ["a"] }], value = false }]': "--keep VALUE",
        }
        for entry, keep in cases.items():
            (directory / "rt.toml").write_text(f'schema = 1\n[flags."release.legacy-cart"]\n{entry}\n',
                                               encoding="utf-8")
            data = self.json_of("debt", "--file", "rt.toml", "--build-dir", "out", "--registry", "registry.toml",
                                "--today", "2026-11-21", exit_code=1, cwd=directory)
            cart = next(d for d in data["flags"] if d["flag"] == "release.legacy-cart")
            self.assertEqual(cart["retire"], "flagctl retire release.legacy-cart " + keep +
                             " --build-dir out --registry registry.toml --runtime rt.toml", entry)
        data = self.json_of("debt", "--registry", "registry.toml", "--today", "2026-10-25", exit_code=0)
        self.assertEqual([d["retire"] for d in data["flags"]], [None] * len(data["flags"]), "nothing is overdue")

    def test_look_alikes_are_not_call_sites(self):
        # On 2027-01-10 release.new-checkout retires in 5 days, so it is listed with its call sites:
        # src/checkout.cpp names release_new_checkout_v2 and "release.new-checkout-v2" too.
        data = self.json_of("debt", "--src", "src", "--registry", "registry.toml", "--today", "2027-01-10",
                            exit_code=1)
        checkout = next(d for d in data["flags"] if d["flag"] == "release.new-checkout")
        self.assertEqual([(s["file"], s["line"]) for s in checkout["call_sites"]], [("src/checkout.cpp", 7)])

    def test_what_counts_as_fully_on(self):
        directory = self.temp_dir()
        cases = {
            "rollout = 100": True,
            "value = true": True,
            "value = true\nrules = [{ when = [{ attr = \"plan\", in = [\"a\"] }], rollout = 100 }]": True,
            "rollout = 99.99": False,
            "value = true\noff = true": False,
            "value = true\nrequires = { \"release.new-checkout\" = true }": False,
            "value = true\nrules = [{ when = [{ attr = \"plan\", in = [\"a\"] }], value = false }]": False,
            "rules = [{ when = [{ attr = \"plan\", in = [\"a\"] }], value = true }]": False,
        }
        for entry, expected in cases.items():
            with self.subTest(entry):
                (directory / "runtime.toml").write_text(
                    f'schema = 1\n[flags."release.dark-mode"]\n{entry}\nsince = 2026-11-01\n', encoding="utf-8")
                data = self.json_of("debt", "--file", "runtime.toml", *REGISTRY, exit_code=1, cwd=directory)
                kinds = [f["kind"] for d in data["flags"] if d["flag"] == "release.dark-mode" for f in d["findings"]]
                self.assertEqual("fully-on" in kinds, expected)

    def test_src_takes_several_directories_and_files(self):
        data = self.json_of("debt", "--src", "src/cart.cpp", "src/include", *REGISTRY, exit_code=1)
        sites = {d["flag"]: [(s["file"], s["line"]) for s in d["call_sites"]] for d in data["flags"]}
        self.assertEqual(sites["release.legacy-cart"], [("src/cart.cpp", 4)])
        self.assertEqual(sites["ops.kill-switch-payments"], [("src/include/payments.hpp", 5)])
        self.assertIn("no C++ file under src/cart.cpp, src/include reads it",
                      [f["message"] for d in data["flags"] if d["flag"] == "release.dark-mode" for f in d["findings"]])

    def test_src_must_exist(self):
        result = self.flagctl("debt", "--src", "nowhere", *REGISTRY, exit_code=1)
        self.assertIn("flagctl debt: error: --src nowhere: no such file or directory", result.stderr)

    def test_json(self):
        data = self.json_of("debt", "--file", "debt.toml", "--src", "src", *REGISTRY, exit_code=1,
                            cwd=self.outside_git())
        self.assertEqual((data["today"], data["overdue"], data["due"], data["cleanup"]), (TODAY, 4, 1, 2))
        order = [f["flag"] for f in data["flags"]]
        self.assertEqual(order, ["ops.kill-switch-payments", "release.legacy-cart", "release.dark-mode",
                                 "experiment.old-banner", "release.one-click", "permission.beta-api",
                                 "release.retired-search"])
        flags = {f["flag"]: f for f in data["flags"]}

        cart = flags["release.legacy-cart"]
        self.assertEqual([(f["urgency"], f["kind"], f["days"]) for f in cart["findings"]],
                         [("overdue", "expired", 20), ("cleanup", "fully-on", 0)])
        self.assertIsNone(cart["findings"][1]["since"], "debt.toml is not in git and says no since")
        self.assertEqual(cart["declared"], {"file": "registry.toml", "line": 18})
        self.assertEqual(cart["entry"], {"file": "debt.toml", "line": 16})
        self.assertEqual([(s["file"], s["line"], s["text"]) for s in cart["call_sites"]],
                         [("src/cart.cpp", 4, "if (flags::enabled<flags::Flag::release_legacy_cart>(ctx)) {"),
                          ("src/checkout.cpp", 9, "return flags::enabled<Flag::release_legacy_cart>(ctx) ? 1 : 0;")])

        dark = flags["release.dark-mode"]["findings"][0]
        self.assertEqual((dark["kind"], dark["urgency"], dark["days"], dark["since"], dark["since_from"]),
                         ("fully-on", "overdue", 13, "2026-10-25", "since"))
        self.assertEqual([(s["file"], s["line"]) for s in flags["release.dark-mode"]["call_sites"]],
                         [("src/checkout.cpp", 8)], "found by name")

        click = flags["release.one-click"]
        self.assertEqual([(f["kind"], f["urgency"], f["days"]) for f in click["findings"]],
                         [("retiring", "due", 9), ("fully-on", "due", 9)])
        # MyFlag::release_one_click is another enum, so only cart.cpp reads the flag.
        self.assertEqual({s["file"] for s in click["call_sites"]}, {"src/cart.cpp"})

        # Neither a hidden directory nor a text file counts as reading the flag.
        self.assertEqual([f["kind"] for f in flags["permission.beta-api"]["findings"]], ["unused"])
        self.assertEqual(flags["permission.beta-api"]["call_sites"], [])
        self.assertEqual([f["kind"] for f in flags["ops.kill-switch-payments"]["findings"]], ["review"])
        self.assertEqual([f["kind"] for f in flags["experiment.old-banner"]["findings"]], ["expired"])
        unregistered = flags["release.retired-search"]
        self.assertEqual(([f["kind"] for f in unregistered["findings"]], unregistered["entry"], unregistered["declared"]),
                         (["unregistered"], {"file": "debt.toml", "line": 19}, None))
        # No line is a call site of a longer identifier or name (release_new_checkout_v2, "...-v2").
        self.assertNotIn("release.new-checkout", flags)

    def test_since_from_git_history(self):
        git = shutil.which("git")
        self.assertIsNotNone(git, "git is not installed (tools/dev installs it)")
        repo = self.temp_dir()
        env = dict(os.environ, GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1", GIT_AUTHOR_NAME="t",
                   GIT_AUTHOR_EMAIL="t@example.com", GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.com")

        def commit(text, date):
            (repo / "runtime.toml").write_text(text, encoding="utf-8")
            stamp = f"{date}T12:00:00+00:00"
            for command in (["add", "runtime.toml"], ["commit", "-q", "-m", f"state of {date}"]):
                subprocess.run([git, *command], cwd=repo, check=True,
                               env=dict(env, GIT_AUTHOR_DATE=stamp, GIT_COMMITTER_DATE=stamp))

        subprocess.run([git, "init", "-q"], cwd=repo, check=True, env=env)
        header = 'schema = 1\n\n[flags."release.new-checkout"]\nrollout = {}\n\n[flags."release.dark-mode"]\n{}\n'
        commit(header.format(5, "rollout = 50"), "2026-09-01")     # not fully on yet
        commit(header.format(5, "rollout = 100"), "2026-10-01")    # fully on from here
        commit(header.format(10, "rollout = 100"), "2026-10-15")   # another flag changes
        commit(header.format(10, "value = true"), "2026-11-01")    # still fully on, written otherwise

        def fully_on(args):
            data = self.json_of("debt", "--file", "runtime.toml", *args, exit_code=1, cwd=repo)
            return next(f for f in next(d for d in data["flags"] if d["flag"] == "release.dark-mode")["findings"]
                        if f["kind"] == "fully-on")

        found = fully_on(REGISTRY)
        self.assertEqual((found["since"], found["since_from"], found["urgency"], found["days"]),
                         ("2026-10-01", "git", "overdue", 51 - 14))
        self.assertIn("by the git history of runtime.toml", found["message"])
        # An uncommitted edit that keeps the state keeps its date.
        (repo / "runtime.toml").write_text(header.format(5, "rollout = 100"), encoding="utf-8")
        self.assertEqual(fully_on(REGISTRY)["since"], "2026-10-01")
        # A state git has not seen committed has no date from it.
        commit(header.format(5, "rollout = 50"), "2026-11-20")
        (repo / "runtime.toml").write_text(header.format(5, "rollout = 100"), encoding="utf-8")
        found = fully_on(REGISTRY)
        self.assertEqual((found["since"], found["since_from"], found["urgency"]), (None, None, "cleanup"))
        # `since` on the entry wins over the history.
        (repo / "runtime.toml").write_text(header.format(5, "rollout = 100\nsince = 2026-11-18"), encoding="utf-8")
        found = fully_on(REGISTRY)
        self.assertEqual((found["since"], found["since_from"], found["urgency"]), ("2026-11-18", "since", "due"))


class DebtUsage(FlagctlTest):
    """debt --usage: the usage files running services write (data/usage), and the flags none evaluated."""
    CHECKOUT = "checkout from 2026-11-21T08:00:00Z to 2026-11-21T10:00:00Z (usage/checkout.json)"
    SEARCH = "search from 2026-11-20T22:15:00Z to 2026-11-21T10:00:05Z (usage/search.json)"
    # On this day nothing is overdue, so that the exit code shows what the usage findings do to it.
    QUIET = ["--registry", "registry.toml", "--today", "2026-10-01"]

    def unevaluated(self, *args, today=QUIET, exit_code=0):
        """{flag: its unevaluated finding} from debt --json."""
        data = self.json_of("debt", *args, *today, exit_code=exit_code)
        return {d["flag"]: f for d in data["flags"] for f in d["findings"] if f["kind"] == "unevaluated"}

    def write(self, directory, name, text):
        (directory / name).write_text(text, encoding="utf-8")
        return name

    def test_human_output(self):
        self.golden("debt-usage", "debt", "--usage", "usage/checkout.json", "usage/search.json", *self.QUIET,
                    exit_code=0)

    def test_a_flag_never_evaluated_is_reported(self):
        found = self.unevaluated("--usage", "usage/checkout.json")
        self.assertEqual(sorted(found), ["experiment.old-banner", "ops.search-backend", "permission.beta-api",
                                         "permission.early-access"])
        early = found["permission.early-access"]
        self.assertEqual((early["urgency"], early["days"], early["since"], early["since_from"]),
                         ("cleanup", 0, None, None))
        self.assertEqual(early["message"], "not evaluated by a running service: " + self.CHECKOUT)
        self.assertIn("remove Flag::permission_early_access from the code", early["hint"])
        self.assertEqual(early["usage"], [{"file": "usage/checkout.json", "service": "checkout",
                                           "started_at": "2026-11-21T08:00:00Z",
                                           "written_at": "2026-11-21T10:00:00Z"}])

    def test_a_flag_another_service_evaluates_is_not_reported(self):
        # checkout never evaluates ops.search-backend; search does.
        self.assertIn("ops.search-backend", self.unevaluated("--usage", "usage/checkout.json"))
        both = self.unevaluated("--usage", "usage/checkout.json", "--usage", "usage/search.json")
        self.assertNotIn("ops.search-backend", both)
        # And the other way round: search never evaluates release.new-checkout; checkout does.
        self.assertIn("release.new-checkout", self.unevaluated("--usage", "usage/search.json"))
        self.assertNotIn("release.new-checkout", both)
        # Neither evaluates permission.beta-api: both are named, in the order given.
        self.assertEqual(both["permission.beta-api"]["message"],
                         f"not evaluated by a running service: {self.CHECKOUT}; {self.SEARCH}")
        self.assertEqual([u["service"] for u in both["permission.beta-api"]["usage"]], ["checkout", "search"])
        # --usage takes several files after it, as --src takes several directories.
        self.assertEqual(self.unevaluated("--usage", "usage/search.json", "usage/checkout.json").keys(), both.keys())

    def test_a_file_that_does_not_list_a_flag_says_nothing_about_it(self):
        # search.json does not list permission.early-access: its service does not know the flag, which
        # is no evidence that checkout, whose file counts 0, is wrong; and a flag no file lists has no finding.
        both = self.unevaluated("--usage", "usage/checkout.json", "usage/search.json")
        self.assertEqual(both["permission.early-access"]["message"], "not evaluated by a running service: " + self.CHECKOUT)
        alone = self.unevaluated("--usage", "usage/search.json")
        self.assertEqual(sorted(alone), ["permission.beta-api", "release.new-checkout"])

    def test_without_a_service_name_the_file_names_it(self):
        directory = self.temp_dir()
        self.write(directory, "anonymous.json", '{"schema": "flagstone-usage/1", "service": "", '
                   '"started_at": "2026-11-21T08:00:00Z", "written_at": "2026-11-21T09:00:00+01:00", "flags": '
                   '[{"flag": "ops.search-backend", "evaluations": 0, "last_evaluated": null, "values": []}]}')
        data = self.json_of("debt", "--usage", "anonymous.json", *self.QUIET, cwd=directory)
        self.assertEqual([(d["flag"], [f["message"] for f in d["findings"]]) for d in data["flags"]],
                         [("ops.search-backend", ["not evaluated by a running service: anonymous.json from "
                                                  "2026-11-21T08:00:00Z to 2026-11-21T09:00:00+01:00"])])

    def test_an_unregistered_flag_is_a_warning(self):
        result = self.flagctl("debt", "--usage", "usage/search.json", *self.QUIET, exit_code=0)
        self.assertEqual(result.stderr,
                         "usage/search.json:10:4: warning: flag 'release.retired-search' is not in the registry; "
                         "its usage is ignored\n"
                         "    hint: the service was built with another registry than registry.toml: an older or newer "
                         "one, or another service's\n")
        self.assertNotIn("release.retired-search", result.stdout)
        # --json keeps standard error empty (json_of checks it), and the flag is not a finding.
        self.assertNotIn("release.retired-search", self.unevaluated("--usage", "usage/search.json"))

    def test_the_finding_does_not_change_the_exit_code(self):
        usage = ["--usage", "usage/checkout.json", "usage/search.json"]
        for today, exit_code in ((self.QUIET, 0), (REGISTRY, 1)):
            with self.subTest(today=today[-1]):
                without = self.json_of("debt", *today, exit_code=exit_code)
                found = self.json_of("debt", *usage, *today, exit_code=exit_code)
                self.assertEqual((found["overdue"], found["due"]), (without["overdue"], without["due"]))
                self.assertGreater(found["cleanup"], without["cleanup"], "the findings are there, as cleanups")
        # Today experiment.old-banner is both expired and unevaluated: overdue, its usage a cleanup below.
        banner = next(d for d in found["flags"] if d["flag"] == "experiment.old-banner")
        self.assertEqual([(f["urgency"], f["kind"]) for f in banner["findings"]],
                         [("overdue", "expired"), ("cleanup", "unevaluated")])

    HEAD = ('{"schema": "flagstone-usage/1", "service": "x", "started_at": "2026-11-21T08:00:00Z", '
            '"written_at": "2026-11-21T10:00:00Z", ')
    BAD = {
        # name: (file content, where, message)
        "not JSON": ('schema = 1\n[flags."ops.search-backend"]\nvalue = "solr"\n', "1:1",
                     "not JSON: expected a value, found 's'"),
        "cut short": ('{"schema": "flagstone-usage/1",\n "flags": [\n', "3:1",
                      "not JSON: expected a value, found end of file"),
        "not an object": ("[]", "1:1", "a usage file is an object, not an array"),
        "no schema": ('{"service": "x"}', "1:1", "the file has no 'schema': it is not a usage file"),
        "another schema": ('{"schema": "flagstone-usage/2"}', "1:12",
                           "schema 'flagstone-usage/2' is not flagstone-usage/1, the one this flagctl reads"),
        "no flags": ('{"schema": "flagstone-usage/1", "service": "x", "started_at": "2026-11-21T08:00:00Z",\n'
                     ' "written_at": "2026-11-21T10:00:00Z"}', "1:1", "the file has no 'flags'"),
        "a bad date-time": ('{"schema": "flagstone-usage/1", "service": "x",\n "started_at": "2026-11-21 08:00"}',
                            "2:16", "'started_at' of the file is not an RFC 3339 date-time: '2026-11-21 08:00'"),
        "a date-time past 2261": ('{"schema": "flagstone-usage/1", "service": "x",\n "started_at": "2300-01-01T00:00:00Z"}',
                                  "2:16", "'started_at' of the file is out of the supported range (years 1678 to 2261): "
                                  "'2300-01-01T00:00:00Z'"),
        "a flag without its count": ('{"schema": "flagstone-usage/1", "service": "x", "started_at": '
                                     '"2026-11-21T08:00:00Z", "written_at": "2026-11-21T10:00:00Z", "flags": [\n'
                                     '  {"flag": "ops.search-backend", "last_evaluated": null, "values": []}]}',
                                     "2:3", "flags[0] has no 'evaluations'"),
        "a negative count": ('{"schema": "flagstone-usage/1", "service": "x", "started_at": "2026-11-21T08:00:00Z",'
                             ' "written_at": "2026-11-21T10:00:00Z", "flags": [\n  {"flag": "ops.search-backend",'
                             ' "evaluations": 1, "last_evaluated": null,\n   "values": [{"value": "solr", '
                             '"reason": "STATIC", "count": -1}]}]}',
                             "3:62", "'count' of flags[0].values[0] is -1, not a count (a whole number from 0)"),
        "a schema that is no string": ('{"schema": 1}', "1:12",
                                       "schema a number is not flagstone-usage/1, the one this flagctl reads"),
        "flags that are no array": (HEAD + '"flags": {}}', "1:134", "'flags' of the file is an object, not an array"),
        "a flag that is no object": (HEAD + '"flags": [\n  "ops.search-backend"]}', "2:3",
                                     "flags[0] is a string, not an object"),
        "a value that is no object": (HEAD + '"flags": [\n  {"flag": "ops.search-backend", "evaluations": 1, '
                                      '"last_evaluated": null, "values": [3]}]}', "2:87",
                                      "flags[0].values[0] is a number, not an object"),
        "a last read that is no date-time": (HEAD + '"flags": [\n  {"flag": "ops.search-backend", "evaluations": 1, '
                                             '"last_evaluated": 5, "values": []}]}', "2:70",
                                             "'last_evaluated' of flags[0] is not an RFC 3339 date-time or null: a number"),
        "a count that is no number": (HEAD + '"flags": [\n  {"flag": "ops.search-backend", "evaluations": 1, '
                                      '"last_evaluated": null, "values": [{"value": "solr", "reason": "STATIC", '
                                      '"count": "1"}]}]}', "2:134",
                                      "'count' of flags[0].values[0] is a string, not a count (a whole number from 0)"),
        "a flag twice": ('{"schema": "flagstone-usage/1", "service": "x", "started_at": "2026-11-21T08:00:00Z", '
                         '"written_at": "2026-11-21T10:00:00Z", "flags": [\n'
                         '  {"flag": "ops.search-backend", "evaluations": 0, "last_evaluated": null, "values": []},\n'
                         '  {"flag": "ops.search-backend", "evaluations": 2, "last_evaluated": null, "values": []}]}',
                         "3:3", "flag 'ops.search-backend' is listed twice (first on line 2)"),
    }

    def test_a_bad_file_fails_naming_it(self):
        # Invalid input exits 1, as a broken --file or registry does (2 is for a wrong command line);
        # the good file given first changes nothing.
        directory = self.temp_dir()
        shutil.copytree(DATA / "usage", directory / "usage")
        for name, (text, where, message) in self.BAD.items():
            with self.subTest(name):
                self.write(directory, "bad.json", text)
                result = self.flagctl("debt", "--usage", "usage/checkout.json", "bad.json", *self.QUIET,
                                      exit_code=1, cwd=directory)
                self.assertEqual(result.stdout, "")
                self.assertTrue(result.stderr.startswith(f"bad.json:{where}: error: {message}\n    hint: "),
                                result.stderr)
                data = self.json_of("debt", "--usage", "bad.json", *self.QUIET, exit_code=1, cwd=directory)
                line, column = map(int, where.split(":"))
                self.assertEqual((data["ok"], data["diagnostics"][0]["file"], data["diagnostics"][0]["line"],
                                  data["diagnostics"][0]["column"], data["diagnostics"][0]["message"]),
                                 (False, "bad.json", line, column, message))

    def test_a_missing_file_fails_naming_it(self):
        result = self.flagctl("debt", "--usage", "usage/nowhere.json", *self.QUIET, exit_code=1)
        self.assertTrue(result.stderr.startswith("usage/nowhere.json: error: cannot read the file: "),
                        result.stderr)
        result = self.flagctl("debt", "--usage", "usage", *self.QUIET, exit_code=1)
        self.assertTrue(result.stderr.startswith("usage: error: cannot read the usage file: it is a directory"),
                        result.stderr)

    def test_help_documents_it(self):
        result = self.flagctl("debt", "--help", exit_code=0)
        self.assertIn("[--usage FILE...]", result.stdout.splitlines()[0])
        self.assertIn("\n  --usage FILE... usage files written by running services", result.stdout)
        self.assertIn('{"schema": "flagstone-usage/1", "service": "checkout",', result.stdout, "the format")
        self.assertIn("\n  $ flagctl debt --registry registry.toml --usage usage/checkout.json usage/search.json\n",
                      result.stdout)

class Diff(FlagctlTest):
    def test_preview(self):
        self.golden("diff", "diff", "runtime.toml", "runtime_next.toml", *REGISTRY, exit_code=0)

    def test_no_change(self):
        self.golden("diff-none", "diff", "runtime.toml", "runtime.toml", *REGISTRY, exit_code=0)

    def test_invalid_file(self):
        result = self.flagctl("diff", "runtime.toml", "bad/syntax.toml", *REGISTRY, exit_code=1)
        self.assertIn("bad/syntax.toml:3:30: error:", result.stderr)

    def test_json(self):
        data = self.json_of("diff", "runtime.toml", "runtime_next.toml", *REGISTRY)
        self.assertEqual((data["old"], data["new"], data["sample"], data["seed"]),
                         ("runtime.toml", "runtime_next.toml", 10000, 1))
        flags = {f["flag"]: f for f in data["flags"]}
        # A new `since` changes no behaviour; an unchanged entry is not reported.
        self.assertEqual(sorted(flags), ["experiment.button-color", "ops.search-backend", "permission.beta-api",
                                         "permission.early-access", "release.new-checkout", "release.one-click"])
        checkout = flags["release.new-checkout"]
        self.assertEqual(checkout["changes"], ["rollout 5% -> 25%"])
        moves = {(m["from"], m["to"]): m["percent"] for m in checkout["moves"]}
        self.assertEqual(set(moves), {(False, True)}, "raising a rollout only adds users")
        self.assertAlmostEqual(moves[(False, True)], 20.0, delta=1.5)
        self.assertEqual(flags["release.one-click"]["changes"], ["turned off"])
        self.assertEqual(flags["release.one-click"]["changed_percent"], 100.0)
        self.assertEqual(flags["permission.beta-api"]["changes"], ["new entry: value true"])
        self.assertEqual(flags["permission.early-access"]["changes"], ["segment 'beta-tenants' changed"])
        # Tenants are drawn from acme, globex, initech, one of their own, or none: initech is a fifth.
        self.assertAlmostEqual(flags["permission.early-access"]["changed_percent"], 20.0, delta=1.5)
        self.assertEqual(flags["experiment.button-color"]["changes"],
                         ["split blue 50% / green 25% / red 25% -> split blue 34% / green 33% / red 33%",
                          "its prerequisite 'release.new-checkout' changed"])
        self.assertEqual(flags["ops.search-backend"]["changes"], ["rules 2 -> 1"])

    def test_the_population_is_the_same_for_a_seed(self):
        args = ["diff", "runtime.toml", "runtime_next.toml", *REGISTRY]
        self.assertEqual(self.flagctl(*args, exit_code=0).stdout, self.flagctl(*args, exit_code=0).stdout)
        other = self.flagctl(*args, "--seed", "2", "--sample", "2000", exit_code=0).stdout
        self.assertIn("shares of 2000 synthetic users (seed 2)", other)
        self.assertNotEqual(other, self.flagctl(*args, exit_code=0).stdout)


class Buckets(FlagctlTest):
    def test_rollout(self):
        self.golden("buckets-rollout", "buckets", "release.new-checkout", "--file", "runtime.toml", *REGISTRY,
                    exit_code=0)

    def test_split_behind_a_prerequisite(self):
        self.golden("buckets-split", "buckets", "experiment.button-color", "--file", "runtime.toml", *REGISTRY,
                    exit_code=0)

    def test_flag_without_a_split(self):
        self.golden("buckets-no-split", "buckets", "ops.kill-switch-payments", "--file", "runtime.toml", *REGISTRY,
                    exit_code=1)

    def test_json_counts_are_the_documented_buckets(self):
        data = self.json_of("buckets", "release.new-checkout", "--file", "runtime.toml", "--keys", "3000", *REGISTRY)
        expected_true = sum(bucket("release.new-checkout", f"user-{i}") < 500 for i in range(3000))
        observed = {v["value"]: v["observed"] for v in data["values"]}
        self.assertEqual(observed, {True: expected_true, False: 3000 - expected_true})
        self.assertEqual((data["keys"], data["reached"], data["bucket_by"], data["degrees_of_freedom"]),
                         (3000, 3000, "user", 1))
        # The statistic and its p-value, recomputed: chi-square with 1 degree of freedom is erfc(sqrt(x/2)).
        import math
        chi = sum((v["observed"] - v["expected"]) ** 2 / v["expected"] for v in data["values"])
        self.assertAlmostEqual(data["chi_square"], chi, places=6)
        self.assertAlmostEqual(data["p_value"], math.erfc(math.sqrt(chi / 2)), places=9)
        self.assertTrue(data["consistent"])

    def test_a_spread_unlike_the_configuration_fails(self):
        # A salt under which user-0 lands in the first 0.05%: one key alone in a 0.05% rollout is far
        # from the 99.95% / 0.05% expected, and the verdict must say so.
        salt = next(f"s{i}" for i in range(1_000_000) if bucket(f"s{i}", "user-0") < 5)
        directory = self.temp_dir()
        (directory / "runtime.toml").write_text(
            f'schema = 1\n[flags."release.new-checkout"]\nrollout = 0.05\nsalt = "{salt}"\n', encoding="utf-8")
        data = self.json_of("buckets", "release.new-checkout", "--file", "runtime.toml", "--keys", "1", *REGISTRY,
                            exit_code=1, cwd=directory)
        self.assertEqual({v["value"]: v["observed"] for v in data["values"]}, {True: 1, False: 0})
        self.assertLess(data["p_value"], 0.001)
        self.assertFalse(data["consistent"])
        result = self.flagctl("buckets", "release.new-checkout", "--file", "runtime.toml", "--keys", "1", *REGISTRY,
                              exit_code=1, cwd=directory)
        self.assertIn(": not consistent with the configured shares\n", result.stdout)


class LineReader:
    """Reads a process's standard output line by line, with a deadline per line."""

    def __init__(self, stream):
        self.lines = queue.Queue()
        threading.Thread(target=self._pump, args=(stream,), daemon=True).start()

    def _pump(self, stream):
        for line in stream:
            self.lines.put(line)
        self.lines.put(None)

    def next(self, timeout=30):
        return self.lines.get(timeout=timeout)


class Watch(FlagctlTest):
    def start(self, directory, *args):
        process = subprocess.Popen([FLAGCTL, "watch", "--file", "runtime.toml", *REGISTRY, *args], cwd=directory,
                                   text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.addCleanup(lambda: process.poll() is None and process.kill())
        return process, LineReader(process.stdout)

    def next_json(self, reader):
        line = reader.next()
        self.assertIsNotNone(line, "watch ended early")
        return json.loads(line)

    def test_publishes_and_refusals_as_json_lines(self):
        directory = self.temp_dir()
        runtime = directory / "runtime.toml"
        runtime.write_text('schema = 1\n[flags."release.new-checkout"]\nrollout = 0\n', encoding="utf-8")
        process, reader = self.start(directory, "--user", "u-1", "--tenant", "acme", "--json", "--count", "3",
                                     "--timeout", "60")

        first = self.next_json(reader)
        self.assertEqual((first["event"], first["generation"]), ("loaded", 1))
        self.assertEqual(len(first["hash"]), 16)
        self.assertEqual(first["values"]["release.new-checkout"], False)
        self.assertEqual(first["values"]["experiment.button-color"], "blue")
        self.assertEqual(len(first["values"]), 10)

        # As config management deploys: a new file renamed over the old one.
        (directory / "next.toml").write_text(
            'schema = 1\n[flags."release.new-checkout"]\nrollout = 100\n'
            '[flags."permission.early-access"]\nvalue = false\nrules = [{ when = [{ attr = "tenant", in = ["acme"] }], '
            'value = true }]\n', encoding="utf-8")
        os.rename(directory / "next.toml", runtime)
        second = self.next_json(reader)
        self.assertEqual((second["event"], second["generation"]), ("loaded", 2))
        self.assertNotEqual(second["hash"], first["hash"])
        self.assertEqual(second["values"]["release.new-checkout"], True)
        self.assertEqual(second["values"]["permission.early-access"], True, "values are for the context given")

        # A broken save in place is refused, with where and why.
        runtime.write_text('schema = 1\n[flags."release.new-checkout"]\nrollout = "most"\n', encoding="utf-8")
        third = self.next_json(reader)
        self.assertEqual((third["event"], third["file"], third["line"]), ("rejected", "runtime.toml", 3))
        self.assertIn("rollout", third["message"])

        self.assertEqual(process.wait(timeout=30), 0, "--count 3 ends it")
        self.assertIsNone(reader.next(), "nothing after the third event")

    def test_missing_file(self):
        directory = self.temp_dir()
        process, reader = self.start(directory, "--json", "--count", "1", "--timeout", "60")
        event = self.next_json(reader)
        self.assertEqual((event["event"], event["file"]), ("missing", "runtime.toml"))
        self.assertEqual(process.wait(timeout=30), 0)

    def test_human_lines(self):
        directory = self.temp_dir()
        (directory / "runtime.toml").write_text('schema = 1\n[flags."release.new-checkout"]\nrollout = 100\n',
                                                encoding="utf-8")
        process, reader = self.start(directory, "--user", "u-1", "--count", "2", "--timeout", "60")
        line = reader.next()
        self.assertRegex(line, r"^loaded generation 1 \([0-9a-f]{16}\): experiment.button-color=blue .*"
                               r" release.new-checkout=true release.one-click=false\n$")
        (directory / "runtime.toml").write_text("schema = 1\nflags = 3\n", encoding="utf-8")
        self.assertEqual(reader.next(), "rejected runtime.toml:2: 'flags' must be a table\n")
        self.assertEqual(process.wait(timeout=30), 0)

    def test_signals_end_it_cleanly(self):
        for sig in (signal.SIGTERM, signal.SIGINT):
            with self.subTest(sig.name):
                directory = self.temp_dir()
                (directory / "runtime.toml").write_text("schema = 1\n", encoding="utf-8")
                process, reader = self.start(directory, "--json")
                self.assertEqual(self.next_json(reader)["event"], "loaded")
                process.send_signal(sig)
                self.assertEqual(process.wait(timeout=30), 0)

    def test_applies_the_permission_policy_of_a_service(self):
        directory = self.temp_dir()
        runtime = directory / "runtime.toml"
        runtime.write_text('schema = 1\n[flags."release.new-checkout"]\nrollout = 100\n', encoding="utf-8")
        runtime.chmod(0o646)
        result = self.flagctl("watch", "--file", "runtime.toml", *REGISTRY, "--count", "1", "--timeout", "60",
                              exit_code=0, cwd=directory)
        self.assertEqual(result.stdout,
                         "rejected runtime.toml: cannot read the runtime file: the file is writable by other users "
                         "(mode 0646)\n")
        result = self.flagctl("watch", "--file", "runtime.toml", *REGISTRY, "--count", "1", "--timeout", "60",
                              "--no-permission-check", exit_code=0, cwd=directory)
        self.assertTrue(result.stdout.startswith("loaded generation 1 "), result.stdout)

    def test_timeout(self):
        directory = self.temp_dir()
        (directory / "runtime.toml").write_text("schema = 1\n", encoding="utf-8")
        started = time.monotonic()
        result = self.flagctl("watch", "--file", "runtime.toml", *REGISTRY, "--json", "--timeout", "0.5",
                              exit_code=0, cwd=directory)
        self.assertGreaterEqual(time.monotonic() - started, 0.5)
        self.assertEqual(len(result.stdout.splitlines()), 1)
        # --count events that did not come by the timeout are a finding.
        self.flagctl("watch", "--file", "runtime.toml", *REGISTRY, "--json", "--count", "2", "--timeout", "0.5",
                     exit_code=1, cwd=directory)


class Override(FlagctlTest):
    def setUp(self):
        self.directory = self.temp_dir()
        self.file = self.directory / "override.toml"

    def override(self, *args, exit_code=0):
        return self.flagctl("override", *args, "--file", "override.toml", *REGISTRY, exit_code=exit_code,
                            cwd=self.directory)

    def content(self):
        return self.file.read_text(encoding="utf-8")

    def assert_no_temporary_files(self):
        self.assertEqual(sorted(p.name for p in self.directory.iterdir()), sorted(
            ["registry.toml"] + (["override.toml"] if self.file.exists() else [])))

    def test_set_and_clear(self):
        self.golden("override-set", "override", "set", "ops.kill-switch-payments", "true", "--file", "override.toml",
                    *REGISTRY, exit_code=0, cwd=self.directory)
        self.assertEqual(self.content(), 'schema = 1\n\n[flags."ops.kill-switch-payments"]\nvalue = true\n')
        self.override("set", "experiment.button-color", "green")
        self.assertEqual(tomllib.loads(self.content()), {"schema": 1, "flags": {
            "ops.kill-switch-payments": {"value": True}, "experiment.button-color": {"value": "green"}}})
        result = self.override("set", "ops.kill-switch-payments", "false")
        self.assertIn("(before: true)", result.stdout)
        self.golden("override-clear", "override", "clear", "ops.kill-switch-payments", "--file", "override.toml",
                    *REGISTRY, exit_code=0, cwd=self.directory)
        self.assertEqual(tomllib.loads(self.content()), {"schema": 1, "flags": {"experiment.button-color": {"value": "green"}}})
        self.override("clear", "experiment.button-color")
        self.assertEqual(self.content(), "schema = 1\n", "clearing the last entry leaves schema = 1")
        self.assert_no_temporary_files()

    def test_clearing_what_is_not_there_changes_nothing(self):
        result = self.override("clear", "ops.kill-switch-payments")
        self.assertIn("nothing to clear", result.stdout)
        self.assertFalse(self.file.exists(), "no file is created to clear nothing")
        self.override("set", "release.new-checkout", "true")
        before = self.file.stat()
        self.override("clear", "ops.kill-switch-payments")
        self.assertEqual(self.file.stat().st_ino, before.st_ino, "the file is not rewritten")
        self.override("clear", "release.unknown", exit_code=1)

    def test_other_entries_are_kept(self):
        self.file.write_text('schema = 1\n\n[flags."permission.early-access"]\nvalue = false\n'
                             'rules = [{ when = [{ attr = "tenant", in = ["acme"] }], value = true }]\n\n'
                             '[flags."release.retired"]   # a flag this registry no longer knows\nvalue = true\n',
                             encoding="utf-8")
        expected = tomllib.loads(self.content())
        self.override("set", "ops.kill-switch-payments", "true")
        expected["flags"]["ops.kill-switch-payments"] = {"value": True}
        self.assertEqual(tomllib.loads(self.content()), expected)
        self.override("clear", "release.retired")  # an entry may be cleared after its flag left the registry
        del expected["flags"]["release.retired"]
        self.assertEqual(tomllib.loads(self.content()), expected)

    def test_values_are_checked_against_the_registry(self):
        self.override("set", "ops.kill-switch-payments", "false")
        before = self.content()
        cases = {
            ("release.new-chekout", "true"): "unknown flag 'release.new-chekout'",
            ("ops.kill-switch-payments", "yes"): "'yes' is not a value of boolean flag 'ops.kill-switch-payments'",
            ("experiment.button-color", "purple"): "'purple' is not a variant of flag 'experiment.button-color'",
            ("experiment.button-color", "true"): "'true' is not a variant of flag 'experiment.button-color'",
        }
        for (flag, value), message in cases.items():
            with self.subTest(f"{flag} {value}"):
                result = self.override("set", flag, value, exit_code=1)
                self.assertIn(f"flagctl override: error: {message}\n    hint: ", result.stderr)
                self.assertEqual(self.content(), before)
        self.assert_no_temporary_files()

    def test_an_invalid_override_file_is_not_touched(self):
        for text in ['schema = 1\n[flags."ops.kill-switch-payments"\n', 'schema = 1\n[flags."ops.search-backend"]\nvalue = true\n']:
            with self.subTest(text):
                self.file.write_text(text, encoding="utf-8")
                result = self.override("set", "release.new-checkout", "true", exit_code=1)
                self.assertIn("override.toml:", result.stderr)
                self.assertEqual(self.content(), text)
                self.assert_no_temporary_files()

    def test_replaced_atomically_with_its_permissions(self):
        self.override("set", "ops.kill-switch-payments", "true")
        self.file.chmod(0o640)
        before = self.file.stat()
        self.override("set", "ops.kill-switch-payments", "false")
        after = self.file.stat()
        self.assertNotEqual(after.st_ino, before.st_ino, "renamed over the old file, not written in place")
        self.assertEqual(stat.S_IMODE(after.st_mode), 0o640)
        self.assert_no_temporary_files()

    def test_a_failed_write_leaves_nothing_behind(self):
        self.file.mkdir()  # nothing can be renamed over a directory, nor read as the override file
        result = self.override("set", "ops.kill-switch-payments", "true", exit_code=1)
        self.assertIn("override.toml: error: cannot read the file: it is a directory, not a file", result.stderr)
        self.assertEqual(sorted(p.name for p in self.directory.iterdir()), ["override.toml", "registry.toml"])

    def test_the_runtime_reads_it_on_top_of_the_base_file(self):
        shutil.copy(DATA / "override_base.toml", self.directory / "base.toml")
        evaluate = ["eval", "ops.kill-switch-payments", "--file", "base.toml", "--override", "override.toml", *REGISTRY]
        self.assertEqual(self.json_of(*evaluate, cwd=self.directory)["value"], False)
        self.override("set", "ops.kill-switch-payments", "true")
        self.assertEqual(self.json_of(*evaluate, cwd=self.directory)["value"], True)
        self.override("clear", "ops.kill-switch-payments")
        self.assertEqual(self.json_of(*evaluate, cwd=self.directory)["value"], False)

    def test_json(self):
        data = self.json_of("override", "set", "experiment.button-color", "red", "--file", "override.toml", *REGISTRY,
                            cwd=self.directory)
        self.assertEqual(data, {"ok": True, "action": "set", "flag": "experiment.button-color", "file": "override.toml",
                                "changed": True, "value": "red", "previous": "no override"})
        data = self.json_of("override", "clear", "experiment.button-color", "--file", "override.toml", *REGISTRY,
                            cwd=self.directory)
        self.assertEqual((data["action"], data["changed"], data["previous"]), ("clear", True, "red"))


def main():
    global FLAGCTL, FLAGC, UPDATE, bucket
    args = sys.argv[1:]
    if args[:1] == ["--update"]:
        UPDATE = True
        args = args[1:]
    FLAGCTL, FLAGC, bucket_py, *rest = args
    FLAGCTL, FLAGC = str(Path(FLAGCTL).resolve()), str(Path(FLAGC).resolve())
    spec = importlib.util.spec_from_file_location("bucket", bucket_py)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    bucket = module.bucket
    unittest.main(argv=[sys.argv[0], *rest], verbosity=2)


if __name__ == "__main__":
    main()
