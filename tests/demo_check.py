#!/usr/bin/env python3
"""Runs the demo without a terminal, as `tools/dev demo` does in CI, and checks what it shows: the
good edit served (new-checkout near 60%, generation 2), the broken one refused while generation 2
keeps serving, and the checked-in runtime file left untouched.

It also runs the demo's metrics endpoint (--metrics-port 0) and scrapes it while the demo runs: after
the edits the demo keeps serving until its standard input closes, so the scrapes below happen in a
known state with no sleep. The exposition must parse as Prometheus text, show generation 2 and the
refused load, answer 404 elsewhere, and survive clients that say nothing or leave early. Given a file
that does not exist, the demo says so and exits 1."""
import hashlib
import re
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import urllib.error
import urllib.request

demo, runtime_file = sys.argv[1], sys.argv[2]
failures = []
METRICS_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def parse_exposition(text):
    """Prometheus text format 0.0.4. Every line is blank, a comment ('# HELP name text', '# TYPE name
    type', or other), or a sample 'name{label="value",...} value [timestamp]' whose family has had its
    # HELP and # TYPE. Returns {(name, ((label, value), ...)): value} and the problems found."""
    helps, types, samples, problems = set(), {}, {}, []
    sample = re.compile(r'([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?[ \t]+(\S+)(?:[ \t]+-?\d+)?')
    label = re.compile(r'[ \t]*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\.)*)"[ \t]*(,|$)')
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        if line.startswith("#"):
            parts = line.split(None, 3)
            if len(parts) >= 3 and parts[1] == "HELP":
                helps.add(parts[2])
            elif len(parts) >= 4 and parts[1] == "TYPE":
                types[parts[2]] = parts[3]
            continue
        m = sample.fullmatch(line)
        if not m:
            problems.append(f"line {number} is not 'name{{labels}} value': {line!r}")
            continue
        name, label_text, value = m.groups()
        labels, at = {}, 0
        while label_text and at < len(label_text) and (lm := label.match(label_text, at)):
            labels[lm.group(1)] = lm.group(2)
            at = lm.end()
        if label_text and at < len(label_text):
            problems.append(f"line {number} has malformed labels: {line!r}")
            continue
        try:
            number_value = float(value)  # also NaN, +Inf, -Inf
        except ValueError:
            problems.append(f"line {number} has a value that is not a number: {line!r}")
            continue
        if name not in helps or name not in types:  # the library writes counters and gauges only
            problems.append(f"line {number}: family {name} has no # HELP and # TYPE before it")
        samples[(name, tuple(sorted(labels.items())))] = number_value
    return samples, problems


def check_metrics(url, generation):
    """Scrapes the running demo's endpoint."""
    with urllib.request.urlopen(url, timeout=10) as response:
        if response.status != 200:
            failures.append(f"GET /metrics answered {response.status}")
        if response.headers.get("Content-Type") != METRICS_TYPE:
            failures.append(f"GET /metrics has Content-Type {response.headers.get('Content-Type')!r}, not {METRICS_TYPE!r}")
        text = response.read().decode("utf-8")
    samples, problems = parse_exposition(text)
    failures.extend(f"metrics: {p}" for p in problems)
    served = samples.get(("flagstone_generation", ()))
    if served != 2 or served != generation:
        failures.append(f"metrics: flagstone_generation is {served}, the demo reached generation {generation} (expected 2)")
    refused = samples.get(("flagstone_loads_total", (("outcome", "refused"),)))
    if refused is None or refused < 1:
        failures.append(f"metrics: flagstone_loads_total{{outcome=\"refused\"}} is {refused} after the broken edit")
    # The demo counts evaluations and sends the experiment's exposures to a sink (flags::observe).
    button_reads = sum(v for (name, labels), v in samples.items()
                       if name == "flagstone_evaluations_total" and ("flag", "experiment.button-color") in labels)
    if button_reads < 10000:
        failures.append(f"metrics: {button_reads} evaluations of experiment.button-color counted; the demo made 10,000 a table")
    delivered = samples.get(("flagstone_exposures_total", (("outcome", "delivered"),)))
    if delivered is None or delivered < 1:
        failures.append(f"metrics: flagstone_exposures_total{{outcome=\"delivered\"}} is {delivered}")

    try:
        with urllib.request.urlopen(url.removesuffix("/metrics") + "/elsewhere", timeout=10) as response:
            failures.append(f"GET /elsewhere answered {response.status}, not 404")
    except urllib.error.HTTPError as e:
        if e.code != 404:
            failures.append(f"GET /elsewhere answered {e.code}, not 404")


def check_bad_clients(url, demo_process):
    """Clients that connect and say nothing, send half a request and leave, or reset the connection
    before the answer: the endpoint must drop each and keep answering, and the demo keep running."""
    host, port = "127.0.0.1", int(re.search(r":(\d+)/", url).group(1))
    silent = socket.create_connection((host, port), timeout=10)
    socket.create_connection((host, port), timeout=10).close()
    with socket.create_connection((host, port), timeout=10) as half:
        half.sendall(b"GET /met")
    rude = socket.create_connection((host, port), timeout=10)
    rude.sendall(b"GET /metrics HTTP/1.0\r\n\r\n")
    rude.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # close with a reset
    rude.close()
    try:
        # The silent client holds the endpoint until its deadline (2 s); this scrape waits its turn.
        with urllib.request.urlopen(url, timeout=15) as response:
            if response.status != 200:
                failures.append(f"after bad clients, GET /metrics answered {response.status}")
    except OSError as e:
        failures.append(f"after bad clients, GET /metrics failed: {e}")
    finally:
        silent.close()
    if demo_process.poll() is not None:
        failures.append(f"the demo ended (exit code {demo_process.returncode}) while bad clients connected")


before = hashlib.sha256(open(runtime_file, "rb").read()).hexdigest()
with tempfile.TemporaryFile(mode="w+") as errors:  # a file, not a pipe: stderr can never fill up and block the demo
    run = subprocess.Popen([demo, "--metrics-port", "0", runtime_file], stdin=subprocess.PIPE,
                           stdout=subprocess.PIPE, stderr=errors, text=True)
    watchdog = threading.Timer(50, run.kill)  # a demo that hangs is killed, and the checks below fail
    watchdog.start()
    # Read until the demo says it keeps serving after the edits (or ends without saying so).
    shown = []
    for line in run.stdout:
        shown.append(line)
        if line.startswith("metrics: still serving"):
            break
    head = "".join(shown)
    urls = re.findall(r"^metrics: (http://127\.0\.0\.1:\d+/metrics)$", head, re.MULTILINE)
    reached = re.search(r"generation (\d+) keeps serving", head)
    if len(urls) != 1:
        failures.append(f"expected one line 'metrics: http://127.0.0.1:PORT/metrics', found {len(urls)}")
    elif not shown[-1].startswith("metrics: still serving") or run.poll() is not None:
        failures.append("the demo did not keep serving its metrics after the edits")
    else:
        try:
            check_metrics(urls[0], int(reached.group(1)) if reached else None)
            check_bad_clients(urls[0], run)
        except OSError as e:
            failures.append(f"scraping {urls[0]} failed: {e}")
    run.stdin.close()  # the demo's signal to stop serving and end
    out = head + run.stdout.read()
    run.wait()
    watchdog.cancel()
    errors.seek(0)
    print(out)
    print(errors.read(), file=sys.stderr)

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
# A path that names no file: a clear message naming it and exit code 1, not an uncaught exception.
with tempfile.TemporaryDirectory() as empty:
    missing = f"{empty}/no-such-runtime.toml"
    refused = subprocess.run([demo, missing], stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=20)
    if refused.returncode != 1 or missing not in refused.stderr or "terminate called" in refused.stderr:
        failures.append(f"a missing runtime file: exit code {refused.returncode}, stderr {refused.stderr!r}")

if hashlib.sha256(open(runtime_file, "rb").read()).hexdigest() != before:
    failures.append("the demo modified the checked-in runtime file")
for f in failures:
    print("FAIL:", f, file=sys.stderr)
sys.exit(1 if failures else 0)
