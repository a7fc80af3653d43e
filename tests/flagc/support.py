"""Helpers shared by the flagc and build tests (Python standard library only)."""
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

_failures = []

# A valid release flag that retires on 2027-01-15, the starting point of most registry cases.
RELEASE_FLAG = """\
[flags."release.new-checkout"]
description = "Redesigned checkout flow"
owner = "payments-team"
created = 2026-11-01
retire_by = 2027-01-15
default = false
"""


def check(condition, message, details=""):
    """Records a failed expectation and carries on, so one run reports every problem."""
    if not condition:
        _failures.append(message)
        print(f"FAIL: {message}", file=sys.stderr)
        if details:
            print(details.rstrip("\n"), file=sys.stderr)
    return condition


def check_equal(actual, expected, message):
    return check(actual == expected, message, f"--- expected:\n{expected}\n--- actual:\n{actual}")


def finish():
    """Exits 1 when any check failed; call it last."""
    if _failures:
        print(f"{len(_failures)} check(s) failed", file=sys.stderr)
        sys.exit(1)
    print("all checks passed")


def run(command, cwd=None, env=None, timeout=None):
    """Runs a command and returns it completed, with text stdout and stderr. Past `timeout` seconds
    it is killed and the test stops: a command that would block forever fails instead of hanging."""
    shown = " ".join(str(part) for part in command)
    print(f"$ {shown}", flush=True)
    try:
        return subprocess.run([str(part) for part in command], cwd=cwd, env=env, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
    except subprocess.TimeoutExpired:
        sys.exit(f"command still running after {timeout} s, killed: {shown}")


def run_ok(command, cwd=None, env=None):
    """Runs a command that must succeed; stops the test with its output when it does not."""
    result = run(command, cwd=cwd, env=env)
    if result.returncode != 0:
        print(result.stdout, result.stderr, sep="\n", file=sys.stderr)
        sys.exit(f"command failed with exit code {result.returncode}: {command}")
    return result


def temp_dir(prefix):
    """A fresh directory that lives as long as the test process (removed at exit)."""
    handle = tempfile.TemporaryDirectory(prefix=f"flagstone-{prefix}-")
    _keep_alive.append(handle)
    return Path(handle.name)


_keep_alive = []


def faketime():
    """The faketime binary. Its absence fails the test: tools/dev installs it, and a skipped
    clock test would hide that the build stopped failing on expired flags."""
    path = shutil.which("faketime")
    if not path:
        sys.exit("faketime is not installed (Debian package faketime; tools/dev installs it)")
    return path


def utc_env():
    """The environment with TZ=UTC, so that faketime's date means the same day flagc computes."""
    return dict(os.environ, TZ="UTC")


def make_consumer(source_root, parent):
    """Copies tests/consumer to parent/consumer with subprojects/flagstone linking to this
    checkout, as a project that vendors flagstone would have it."""
    project = Path(parent) / "consumer"
    shutil.copytree(Path(source_root) / "tests" / "consumer", project)
    (project / "subprojects").mkdir()
    (project / "subprojects" / "flagstone").symlink_to(Path(source_root).resolve(), target_is_directory=True)
    return project


# Every header of the C++20 standard library, and the C headers behind them: a generated header must
# compile after any of them, whose macros (errno, EOF, NULL, ...) replace names wherever they appear.
STANDARD_HEADERS = """
algorithm any array atomic barrier bit bitset cassert cctype cerrno cfenv cfloat charconv chrono cinttypes
climits clocale cmath codecvt compare complex concepts condition_variable coroutine csetjmp csignal cstdarg
cstddef cstdint cstdio cstdlib cstring ctime cuchar cwchar cwctype deque exception execution filesystem
format forward_list fstream functional future initializer_list iomanip ios iosfwd iostream istream iterator
latch limits list locale map memory memory_resource mutex new numbers numeric optional ostream queue random
ranges ratio regex scoped_allocator semaphore set shared_mutex source_location span sstream stack stdexcept
stop_token streambuf string string_view syncstream system_error thread tuple type_traits typeindex typeinfo
unordered_map unordered_set utility valarray variant vector version
assert.h ctype.h errno.h fenv.h float.h inttypes.h limits.h locale.h math.h setjmp.h signal.h stdarg.h
stddef.h stdint.h stdio.h stdlib.h string.h time.h uchar.h wchar.h wctype.h
""".split()

# What GCC and Clang default to, and the strict dialect: they predefine different macros (linux, unix).
DIALECTS = ["-std=gnu++20", "-std=c++20"]


# The POSIX and Linux headers a C++ service commonly includes beside the standard ones; some define
# lowercase macros (st_mtime, h_errno, s6_addr, ifr_name, ...) a generated name must not be.
SYSTEM_HEADERS = """
sys/stat.h sys/types.h sys/socket.h sys/time.h sys/wait.h sys/mman.h sys/resource.h sys/uio.h sys/un.h
sys/ioctl.h sys/epoll.h sys/inotify.h sys/sysmacros.h netdb.h netinet/in.h netinet/tcp.h arpa/inet.h
net/if.h ifaddrs.h unistd.h fcntl.h pthread.h poll.h dirent.h dlfcn.h syslog.h termios.h
""".split()


def standard_includes():
    """Source text that includes every standard header this compiler has, and the common system ones."""
    return "".join(f"#if __has_include(<{h}>)\n#include <{h}>\n#endif\n" for h in STANDARD_HEADERS + SYSTEM_HEADERS)
