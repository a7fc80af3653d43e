#!/usr/bin/env python3
"""Runs the demo without a terminal, as `tools/dev demo` does in CI, and checks what it shows: the
good edit served (new-checkout near 60%, generation 2), the broken one refused while generation 2
keeps serving, and the checked-in runtime file left untouched."""
import hashlib
import re
import subprocess
import sys

demo, runtime_file = sys.argv[1], sys.argv[2]
before = hashlib.sha256(open(runtime_file, "rb").read()).hexdigest()
run = subprocess.run([demo, runtime_file], capture_output=True, text=True, timeout=60)
out = run.stdout
print(out)
print(run.stderr, file=sys.stderr)

failures = []
if run.returncode != 0:
    failures.append(f"exit code {run.returncode}")
tables = out.split("-- a ")
if len(tables) != 3:
    failures.append("expected an initial table, a good edit and a broken edit")
else:
    good = re.search(r"release\.new-checkout\s+release\s+([\d.]+)% on", tables[1])
    if not good or not 55.0 <= float(good.group(1)) <= 65.0:
        failures.append("the good edit (rollout 60) is not what the population sees")
    if "generation 2" not in tables[1]:
        failures.append("the good edit did not publish generation 2")
    if "rollout 250 is not from 0 to 100" not in tables[2] or "generation 2 keeps serving" not in tables[2]:
        failures.append("the broken edit was not refused while generation 2 kept serving")
if hashlib.sha256(open(runtime_file, "rb").read()).hexdigest() != before:
    failures.append("the demo modified the checked-in runtime file")
for f in failures:
    print("FAIL:", f, file=sys.stderr)
sys.exit(1 if failures else 0)
