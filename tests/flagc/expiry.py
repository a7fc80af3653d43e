#!/usr/bin/env python3
"""Flag expiry through the real flagc: with --today, and with the clock itself moved by faketime
(no --today), since that is what a build on a later day sees.

usage: expiry.py FLAGC
"""
import datetime
import sys

import support

REGISTRY = support.RELEASE_FLAG
RETIRE_BY = datetime.date(2027, 1, 15)


def expired(days_ago):
    return (f"registry.toml:5:13: error: release flag 'release.new-checkout' expired on 2027-01-15 ({days_ago})\n"
            "    hint: remove Flag::release_new_checkout from the code and its entry from the registry, or extend"
            " retire_by if it must stay longer\n")


def retires(when):
    return (f"registry.toml:5:13: warning: release flag 'release.new-checkout' {when}\n"
            "    hint: plan the removal of Flag::release_new_checkout: the build fails from 2027-01-16 on\n")


def main():
    flagc = sys.argv[1]
    faketime = support.faketime()
    root = support.temp_dir("expiry")
    registry = root / "registry.toml"
    registry.write_text(REGISTRY, encoding="utf-8")

    def flagc_run(name, prefix, args, exit_code, stderr):
        header = root / f"{name.replace(' ', '-')}.hpp"
        result = support.run(prefix + [flagc, registry, "-o", header, "--display-root", root] + args,
                             env=support.utc_env())
        support.check_equal(result.returncode, exit_code, f"{name}: exit code")
        support.check_equal(result.stderr, stderr, f"{name}: stderr")
        # An expired flag fails the build: no header. A warning still produces one.
        support.check_equal(header.exists(), exit_code == 0, f"{name}: header written only on success")

    # The last day is still fine; the day after fails.
    flagc_run("warns within warn_days", [], ["--today", "2027-01-10"], 0, retires("retires on 2027-01-15 (in 5 days)"))
    flagc_run("warns on the last day", [], ["--today", "2027-01-15"], 0, retires("retires today (2027-01-15)"))
    flagc_run("fails the day after", [], ["--today", "2027-01-16"], 1, expired("1 day ago"))
    flagc_run("fails days after", [], ["--today", "2027-02-01"], 1, expired("17 days ago"))
    flagc_run("silent before warn_days", [], ["--today", "2026-12-01"], 0, "")

    # Without --today flagc reads the clock.
    far = datetime.date(2099, 1, 1)
    flagc_run("faketime after retire_by", [faketime, "2099-01-01 12:00:00"], [], 1,
              expired(f"{(far - RETIRE_BY).days} days ago"))
    flagc_run("faketime within warn_days", [faketime, "2027-01-10 12:00:00"], [], 0,
              retires("retires on 2027-01-15 (in 5 days)"))
    # A pinned date wins over the clock (-Dflags_today).
    flagc_run("--today wins over the clock", [faketime, "2099-01-01 12:00:00"], ["--today", "2026-12-01"], 0, "")
    support.finish()


main()
