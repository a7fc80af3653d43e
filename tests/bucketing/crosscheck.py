#!/usr/bin/env python3
"""Checks tools/bucket.py against the C++ flags::bucket on 10,000 (salt, key) pairs.

Usage: crosscheck.py BUCKET_PY BUCKET_VECTORS_EXE

Both programs read the same SALT<TAB>KEY lines and print one bucket per line; any difference fails
the test and names the first pair that differs. The pairs are generated deterministically (no
randomness), so a failure reproduces exactly.
"""

import subprocess
import sys

SALTS = [
    "release.new-checkout",
    "experiment.button-color",
    "button-color-q4",
    "",                      # empty salt: the hashed bytes start with ':'
    "salt:with:colons",      # the separator inside a salt is just another byte
    "sél-ünïcode",
]


def keys():
    """10,000 keys covering the shapes real bucket_by values take, and the edges of the encoding."""
    out = []
    out += [f"user-{i}" for i in range(3000)]                       # ASCII ids
    out += [str(i) for i in range(0, 3_000_000, 1500)]              # numeric ids (2,000)
    out += [f"{i:08x}-4c1e-9a7b-{i * 7919:012x}" for i in range(1000)]  # uuid-like
    out += [f"tenant-{i}@example.com" for i in range(500)]
    # Non-ASCII: two-, three- and four-byte UTF-8 sequences, alone and mixed with ASCII.
    words = ["josé", "ユーザー", "😀", "Zoë", "Ελένη", "用户", "مستخدم", "👩‍💻", "e\u0301", "\u00e9"]
    out += [f"{w}{i}" for i in range(150) for w in words]           # 1,500
    # Long keys: the hash must not depend on any length limit or block size.
    out += ["x" * n for n in range(1, 301)]                          # 300
    out += [("abc€" * (n + 1))[: n + 1] for n in range(200)]          # 200
    # Empty-ish: empty, whitespace, single bytes, a tab inside the key, a trailing carriage return.
    out += ["", " ", "  ", "\u00a0", "0", "-", ":", "::", "a\tb", "key\r"]
    out += [chr(c) for c in range(0x21, 0x7F)]                       # every printable ASCII byte (94)
    out = list(dict.fromkeys(out))                                   # drop repeats, keep the order
    out += [f"Acct_{i:05d}" for i in range(10_000 - len(out))]  # mixed-case ids fill up to 10,000
    return out


def run(command, stdin):
    result = subprocess.run(command, input=stdin, capture_output=True, check=False)
    if result.returncode != 0:
        sys.exit(f"{' '.join(command)} failed ({result.returncode}): {result.stderr.decode(errors='replace')}")
    return result.stdout.decode("ascii").splitlines()


def main():
    bucket_py, bucket_vectors = sys.argv[1], sys.argv[2]
    pairs = [(SALTS[i % len(SALTS)], key) for i, key in enumerate(keys())]
    stdin = "".join(f"{salt}\t{key}\n" for salt, key in pairs).encode("utf-8")

    from_python = run([sys.executable, bucket_py, "--stdin"], stdin)
    from_cpp = run([bucket_vectors], stdin)

    if len(from_python) != len(pairs) or len(from_cpp) != len(pairs):
        sys.exit(f"expected {len(pairs)} lines, got {len(from_python)} from bucket.py and {len(from_cpp)} from C++")
    for (salt, key), py, cpp in zip(pairs, from_python, from_cpp):
        if py != cpp:
            sys.exit(f"first mismatch: salt {salt!r}, key {key!r}: bucket.py says {py}, C++ says {cpp}")
        if not 0 <= int(cpp) < 10_000:
            sys.exit(f"bucket {cpp} out of range for salt {salt!r}, key {key!r}")
    print(f"{len(pairs)} keys: tools/bucket.py and flags::bucket agree")


if __name__ == "__main__":
    main()
