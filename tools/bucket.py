#!/usr/bin/env python3
"""Reproduce flagstone's bucket assignment offline, e.g. to join exposures with outcomes.

A key's bucket for a flag is

    bucket = fmix64(fnv1a64(salt + ":" + key)) mod 10000

computed exactly like this, with every step on unsigned 64-bit integers (wrapping mod 2**64):

  1. bytes   The UTF-8 encoding of salt, one ':' byte (0x3a), then the UTF-8 encoding of the key.
             Byte-exact: no normalisation, trimming or case folding. "josé" written with a combining
             accent is a different key from "josé" written with the precomposed letter.
  2. fnv1a64 Start from h = 0xcbf29ce484222325; for each byte b: h = (h XOR b) * 0x100000001b3.
  3. fmix64  MurmurHash3's 64-bit finalizer:
               h ^= h >> 33;  h *= 0xff51afd7ed558ccd
               h ^= h >> 33;  h *= 0xc4ceb9fe1a85ec53
               h ^= h >> 33
  4. bucket  h mod 10000, a number from 0 to 9999.

The salt is the flag's name ("release.new-checkout") unless the runtime file sets `salt` for the
flag. The key is the value of the flag's `bucket_by` attribute (the user id by default).

A rollout of P percent serves true to buckets 0 .. P*100 - 1, so a key is in a rollout of P% exactly
when bucket < round(P * 100). A split { a = 50, b = 25, c = 25 } gives buckets in registry variant
order: a gets [0, 5000), b [5000, 7500), c [7500, 10000).

Usage:
  python3 tools/bucket.py SALT KEY...          prints KEY<TAB>BUCKET per key
  python3 tools/bucket.py --rollout 25 SALT KEY...
                                               adds a third column, "in" or "out" of a 25% rollout
  python3 tools/bucket.py --stdin < pairs.tsv  reads SALT<TAB>KEY lines, prints one bucket per line

Standard library only; tests/bucketing/crosscheck.py checks it against the C++ on 10,000 keys.
"""

import argparse
import sys

BUCKET_COUNT = 10_000
MASK64 = (1 << 64) - 1  # Python integers do not wrap; every product is reduced to 64 bits by hand.

FNV_OFFSET_BASIS = 0xCBF29CE484222325
FNV_PRIME = 0x100000001B3


def fnv1a64(data: bytes) -> int:
    h = FNV_OFFSET_BASIS
    for byte in data:
        h = ((h ^ byte) * FNV_PRIME) & MASK64
    return h


def fmix64(h: int) -> int:
    # FNV-1a alone leaves its low bits poorly mixed, and the modulo reads mostly those; the finalizer
    # lets every input bit reach every output bit.
    h ^= h >> 33
    h = (h * 0xFF51AFD7ED558CCD) & MASK64
    h ^= h >> 33
    h = (h * 0xC4CEB9FE1A85EC53) & MASK64
    h ^= h >> 33
    return h


def bucket(salt: str, key: str) -> int:
    """The bucket (0..9999) of `key` for a flag salted with `salt`."""
    return fmix64(fnv1a64(salt.encode("utf-8") + b":" + key.encode("utf-8"))) % BUCKET_COUNT


def rollout_threshold(percent: float) -> int:
    """The number of buckets a rollout of `percent` covers; rejects what the runtime file rejects."""
    if not 0 <= percent <= 100:
        raise ValueError(f"rollout {percent} is not from 0 to 100")
    hundredths = round(percent * 100)
    if abs(percent * 100 - hundredths) > 1e-6:
        raise ValueError(f"rollout {percent} is finer than 0.01")
    return hundredths


def main() -> int:
    parser = argparse.ArgumentParser(
        description="Print flagstone buckets (0..9999) of keys for a salt (a flag's name or its 'salt').")
    parser.add_argument("--stdin", action="store_true", help="read SALT<TAB>KEY lines, print one bucket per line")
    parser.add_argument("--rollout", type=float, metavar="P", help="also print whether each key is in a P%% rollout")
    parser.add_argument("salt", nargs="?", help="the flag's name, or its salt from the runtime file")
    parser.add_argument("keys", nargs="*", metavar="key", help="bucket_by values, e.g. user ids")
    args = parser.parse_args()

    threshold = None
    if args.rollout is not None:
        try:
            threshold = rollout_threshold(args.rollout)
        except ValueError as e:
            parser.error(str(e))

    if args.stdin:
        if args.salt is not None:
            parser.error("--stdin takes no SALT or KEY arguments")
        # Read bytes and decode strictly, so that text which is not UTF-8 fails loudly instead of
        # being bucketed under a different byte sequence than the service would use.
        for number, raw in enumerate(sys.stdin.buffer, start=1):
            line = raw.decode("utf-8").rstrip("\n")
            salt, tab, key = line.partition("\t")
            if not tab:
                print(f"line {number}: expected SALT<TAB>KEY", file=sys.stderr)
                return 1
            b = bucket(salt, key)
            print(b if threshold is None else f"{b}\t{'in' if b < threshold else 'out'}")
        return 0

    if args.salt is None or not args.keys:
        parser.error("give SALT and at least one KEY, or --stdin")
    for key in args.keys:
        b = bucket(args.salt, key)
        print(f"{key}\t{b}" if threshold is None else f"{key}\t{b}\t{'in' if b < threshold else 'out'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
