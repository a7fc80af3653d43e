#!/usr/bin/env python3
"""FLAGS_GTEST_EACH_STATE as a GoogleTest user sees it: --gtest_list_tests names each state, and a
failure in one state names that state.

usage: gtest_check.py PROGRAM
"""
import subprocess
import sys

EXPECTED_LIST = """\
EachState.
  checkout_follows_its_state/false  # GetParam() = false
  checkout_follows_its_state/true  # GetParam() = true
  button_color_follows_its_state/blue  # GetParam() = blue
  button_color_follows_its_state/green  # GetParam() = green
  button_color_follows_its_state/red  # GetParam() = red
  every_state_ran_and_the_defaults_are_back
DISABLED_FailsOnPurpose.
  only_false_passes/false  # GetParam() = false
  only_false_passes/true  # GetParam() = true
"""

failures = []


def check(condition, what, detail=""):
    print(("ok   " if condition else "FAIL ") + what)
    if not condition:
        failures.append(what)
        if detail:
            print(detail)


def main():
    program = sys.argv[1]
    listed = subprocess.run([program, "--gtest_list_tests"], capture_output=True, text=True)
    check(listed.returncode == 0, "--gtest_list_tests runs", listed.stderr)
    # gtest_main announces itself first.
    listing = "".join(line for line in listed.stdout.splitlines(keepends=True) if not line.startswith("Running main()"))
    check(listing == EXPECTED_LIST, "--gtest_list_tests names one test per state", listed.stdout)

    ran = subprocess.run([program, "--gtest_also_run_disabled_tests", "--gtest_filter=DISABLED_FailsOnPurpose.*"],
                         capture_output=True, text=True)
    out = ran.stdout
    check(ran.returncode != 0, "a failing state fails the program", out)
    check("[       OK ] DISABLED_FailsOnPurpose.only_false_passes/false" in out, "the passing state passes", out)
    check("[  FAILED  ] DISABLED_FailsOnPurpose.only_false_passes/true, where GetParam() = true" in out,
          "the failure names its state", out)
    check("release.new-checkout = true" in out and "the new checkout is on" in out,
          "the failure's trace names the flag and the state", out)
    check("1 FAILED TEST" in out, "only the failing state failed", out)
    if failures:
        sys.exit(1)


main()
