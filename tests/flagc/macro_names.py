#!/usr/bin/env python3
"""Every macro this compiler defines in the standard headers, under the strict and the GNU dialect,
that a registry could spell as a variant or a variant type is refused by flagc, so that no accepted
registry gives a header such a macro breaks.

usage: macro_names.py FLAGC -- COMPILER...
"""
import re
import sys

import support

# Names flagc writes as they are: variants become enumerators (kebab-case with '-' as '_'), and a
# multivariate flag's name after its type becomes the enum's type (each word capitalised).
ENUMERATOR = re.compile(r"[a-z][a-z0-9]*(_[a-z0-9]+)*")
TYPE_NAME = re.compile(r"[A-Z][A-Za-z0-9]*")


def defined_macros(compiler, work):
    source = work / "all.cpp"
    source.write_text(support.standard_includes(), encoding="utf-8")
    names = set()
    for dialect in support.DIALECTS:
        result = support.run_ok(compiler + [dialect, "-dM", "-E", source])
        for line in result.stdout.splitlines():
            parts = line.split()
            if len(parts) >= 2 and parts[0] == "#define":
                names.add(parts[1].split("(")[0])
    return names


def type_name_source(name):
    """The flag name part that becomes `name`: "E2BIG" <- "e2-b-i-g", "PRId64" <- "p-r-id64"."""
    return re.sub(r"(?<!^)([A-Z])", r"-\1", name).lower()


def main():
    flagc = sys.argv[1]
    compiler = sys.argv[sys.argv.index("--") + 1:]
    work = support.temp_dir("macros")
    macros = defined_macros(compiler, work)
    enumerators = sorted(m for m in macros if ENUMERATOR.fullmatch(m))
    types = sorted(m for m in macros if TYPE_NAME.fullmatch(m))
    support.check("errno" in enumerators and "EOF" in types, "the compiler's macros were read",
                  f"enumerator-like: {enumerators}\ntype-like: {types}")

    # Two registries: the variant types are checked once every flag has been read without error.
    variants = ", ".join(f'"{m.replace("_", "-")}"' for m in enumerators)
    variant_registry = ('[flags."experiment.macro-variants"]\ndescription = "d"\nowner = "o"\n'
                        'created = 2026-11-01\nretire_by = 2027-01-01\n'
                        f'variants = ["fine-a", "fine-b", {variants}]\ndefault = "fine-a"\n')
    type_registry = "".join(f'[flags."experiment.{type_name_source(name)}"]\ndescription = "d"\nowner = "o"\n'
                            'created = 2026-11-01\nretire_by = 2027-01-01\nvariants = ["a", "b"]\ndefault = "a"\n\n'
                            for name in types)
    stderr = ""
    for name, text in [("variants.toml", variant_registry), ("types.toml", type_registry)]:
        (work / name).write_text(text, encoding="utf-8")
        result = support.run([flagc, work / name, "-o", work / "registry.hpp", "--today", "2026-11-21"])
        support.check_equal(result.returncode, 1, f"{name}: a registry of macro names is refused")
        stderr += result.stderr

    accepted = [m for m in enumerators
                if f"variant '{m.replace('_', '-')}' of flag 'experiment.macro-variants' is a" not in stderr]
    accepted += [m for m in types if f"flags::variants::{m}, which" not in stderr]
    support.check_equal(accepted, [], "every macro name is refused, each with its own message")
    print(f"{len(enumerators)} enumerator-like and {len(types)} type-like macros, all refused")
    support.finish()


main()
