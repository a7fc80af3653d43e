#!/usr/bin/env python3
"""End to end with real config management: a running service watches its runtime file while
ansible-playbook deploys new versions with the copy module and `validate: flagctl check ... %s`.
A valid file reaches the service within seconds; an invalid one is refused by validate, never
reaches the destination, and the service keeps serving the last good state."""
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import time

service, flagctl, registry, playbook = (os.path.abspath(a) for a in sys.argv[1:5])

RUNTIME = """schema = 1
[flags."experiment.button-color"]
value = "{color}"
"""


def reader(stream, lines):
    for line in stream:
        lines.put(line.rstrip("\n"))


def wait_for(lines, wanted, seconds=20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=0.1)
        except queue.Empty:
            continue
        print("service:", line)
        if wanted in line:
            return True
    return False


def deploy(work, color_or_text, dest):
    src = os.path.join(work, "candidate.toml")
    with open(src, "w", encoding="utf-8") as f:
        f.write(color_or_text)
    env = dict(os.environ, ANSIBLE_NOCOLOR="1", ANSIBLE_LOCAL_TEMP=os.path.join(work, "ansible-local"),
               ANSIBLE_REMOTE_TEMP=os.path.join(work, "ansible-remote"), ANSIBLE_RETRY_FILES_ENABLED="0",
               HOME=work)
    return subprocess.run(
        ["ansible-playbook", "-i", "localhost,", "-c", "local", playbook,
         "-e", f"runtime_src={src}", "-e", f"runtime_dest={dest}", "-e", f"flagctl={flagctl}",
         "-e", f"registry={registry}", "-e", "ansible_python_interpreter=/usr/bin/python3"],
        capture_output=True, text=True, env=env, timeout=180)


def main():
    if shutil.which("ansible-playbook") is None:
        print("FAIL: ansible-playbook is not installed (tools/dev installs ansible-core)", file=sys.stderr)
        return 1
    work = tempfile.mkdtemp(prefix="flagstone-ansible-")
    try:
        dest = os.path.join(work, "etc", "flags.toml")
        os.makedirs(os.path.dirname(dest))
        with open(dest, "w", encoding="utf-8") as f:
            f.write(RUNTIME.format(color="green"))
        proc = subprocess.Popen([service, dest], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        lines = queue.Queue()
        threading.Thread(target=reader, args=(proc.stdout, lines), daemon=True).start()
        failures = []
        if not wait_for(lines, "ready"):
            failures.append("the service did not start")

        good = deploy(work, RUNTIME.format(color="red"), dest)
        print(good.stdout, good.stderr)
        if good.returncode != 0:
            failures.append(f"ansible-playbook failed on a valid file (exit {good.returncode})")
        elif not wait_for(lines, "color=red"):
            failures.append("the service never served the deployed file")

        before = open(dest, encoding="utf-8").read()
        bad = deploy(work, RUNTIME.format(color="purple"), dest)
        print(bad.stdout, bad.stderr)
        if bad.returncode == 0:
            failures.append("ansible-playbook accepted an invalid file")
        if "is not a variant of flag 'experiment.button-color'" not in bad.stdout + bad.stderr:
            failures.append("validate's message (flagctl check) is not in Ansible's output")
        if open(dest, encoding="utf-8").read() != before:
            failures.append("the invalid file reached the destination")
        if wait_for(lines, "serving generation", seconds=2):
            failures.append("the service published something after the refused deploy")

        proc.stdin.close()
        proc.wait(timeout=10)
        for failure in failures:
            print("FAIL:", failure, file=sys.stderr)
        return 1 if failures else 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


sys.exit(main())
