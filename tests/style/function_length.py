#!/usr/bin/env python3
"""No function in the project's C++ is longer than 80 lines, counted from the first line of its
signature to its closing brace. A long function is read as a whole or not at all: past a screen it
has become several functions without their names.

The C++ is read with a heuristic, not a compiler: comments, string and character literals (raw
strings too) and preprocessor lines are blanked; then every brace at namespace or class scope is
classified by the text before it. A header with a parenthesis opens a function body (a lambda
assigned at namespace scope counts as one); `namespace`, `class`, `struct`, `union`, `enum` and
`extern "C"` open scopes whose own braces are classified in turn; anything else (`= {`, `name{`)
is data, whose braces are skipped. A constructor's member initialisers (`: a_{x}, b_(y) {`) are
part of its signature. Everything inside a function body, lambdas included, counts to it.

usage: function_length.py [--limit N] PATH...   (directories are searched for C++ files)
"""
import argparse
import re
import sys
from pathlib import Path

LIMIT = 80
SUFFIXES = {".cpp", ".hpp", ".h", ".cc", ".hh", ".ipp", ".inl"}
SCOPE_KEYWORD = re.compile(r"^(?:template\s*<.*>\s*)?(?:\[\[.*\]\]\s*)?(namespace|class|struct|union|enum)\b", re.S)
ACCESS = re.compile(r"^\s*(?:(?:public|private|protected)\s*:(?!:)\s*)+")
CONTROL = re.compile(r"^(?:if|for|while|switch|catch|do|else|try)\b")
IDENTIFIER_CHARS = re.compile(r"[A-Za-z0-9_]")
RAW_PREFIXES = {"R", "LR", "uR", "UR", "u8R"}
LITERAL_PREFIXES = {"L", "u", "U", "u8"}


def blank(text):
    """The text with comments, literals and preprocessor lines turned to spaces, newlines kept,
    so that positions and line numbers stay those of the file."""
    out = list(text)
    i, n = 0, len(text)
    at_line_start = True

    def erase(begin, end):
        for k in range(begin, end):
            if out[k] != "\n":
                out[k] = " "

    while i < n:
        c = text[i]
        if c == "\n":
            at_line_start = True
            i += 1
            continue
        if c in " \t\r\f\v":
            i += 1
            continue
        if c == "#" and at_line_start:
            end = i
            while end < n and (text[end] != "\n" or text[end - 1] == "\\"):
                end += 1
            erase(i, end)
            i = end
            continue
        at_line_start = False
        if text.startswith("//", i):
            end = text.find("\n", i)
            end = n if end < 0 else end
            erase(i, end)
            i = end
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
            erase(i, end)
            i = end
        elif c.isdigit():
            # A number, with its digit separators (32'000) and suffixes.
            end = i + 1
            while end < n and (IDENTIFIER_CHARS.match(text[end]) or text[end] in ".'" or
                               (text[end] in "+-" and text[end - 1] in "eEpP")):
                end += 1
            i = end
        elif IDENTIFIER_CHARS.match(c):
            end = i + 1
            while end < n and IDENTIFIER_CHARS.match(text[end]):
                end += 1
            word = text[i:end]
            if word in RAW_PREFIXES and end < n and text[end] == '"':
                open_paren = text.find("(", end)
                delimiter = text[end + 1:open_paren]
                close = text.find(")" + delimiter + '"', open_paren)
                close = n if close < 0 else close + len(delimiter) + 2
                erase(end, close)
                i = close
            elif word in LITERAL_PREFIXES and end < n and text[end] in "'\"":
                i = end  # the literal itself is read next
            else:
                i = end
        elif c in "'\"":
            end = i + 1
            while end < n and text[end] != c and text[end] != "\n":
                end += 2 if text[end] == "\\" else 1
            end = min(end + 1, n)
            erase(i + 1, end - 1)
            i = end
        else:
            i += 1
    return "".join(out)


def matching_brace(code, open_at):
    depth = 0
    for k in range(open_at, len(code)):
        if code[k] == "{":
            depth += 1
        elif code[k] == "}":
            depth -= 1
            if depth == 0:
                return k
    return len(code) - 1


def in_member_initialisers(header):
    """True when the header is a constructor's signature followed by ` : member(...), ...`, so that
    a brace after a member's name initialises it rather than opening the body."""
    depth = 0
    for k, c in enumerate(header):
        if c in "(<[":
            depth += 1
        elif c in ")>]":
            depth = max(depth - 1, 0)
        elif c == ":" and depth == 0 and ")" in header[:k]:
            before = header[k - 1] if k else ""
            after = header[k + 1] if k + 1 < len(header) else ""
            if before != ":" and after != ":":
                return True
    return False


def function_name(header):
    paren = header.find("(")
    words = re.findall(r"\boperator\b\s*[^\s\w]*|[A-Za-z_~][\w:~]*", header[:paren])
    return words[-1] if words else "(lambda)"


def long_functions(path, limit):
    text = path.read_text(encoding="utf-8", errors="replace")
    code = blank(text)
    found = []

    def line_of(position):
        return code.count("\n", 0, position) + 1

    def scan(begin, end):
        """Classifies the braces of a namespace or class body, code[begin:end]."""
        header_start = begin
        k = begin
        while k < end:
            c = code[k]
            if c in ";}":
                header_start = k + 1
            elif c == "{":
                header = ACCESS.sub("", code[header_start:k]).strip()
                close = matching_brace(code, k)
                previous = code[:k].rstrip()[-1:] if code[:k].rstrip() else ""
                if in_member_initialisers(header) and (IDENTIFIER_CHARS.match(previous) or previous == ">"):
                    k = close + 1  # a member's brace initialiser: still the signature
                    continue
                if SCOPE_KEYWORD.match(header) or header.startswith('extern "'):
                    scan(k + 1, close)
                elif "(" in header and header[-1:] not in "=,(" and not CONTROL.match(header):
                    first = k - len(ACCESS.sub("", code[header_start:k]).lstrip())
                    lines = line_of(close) - line_of(first) + 1
                    if lines > limit:
                        found.append((line_of(first), function_name(header), lines))
                k = close + 1
                header_start = k
                continue
            k += 1

    scan(0, len(code))
    return found


def sources(paths):
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.suffix in SUFFIXES and p.is_file())
        elif path.suffix in SUFFIXES:
            yield path


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=LIMIT)
    parser.add_argument("paths", nargs="+", type=Path)
    args = parser.parse_args()
    checked = 0
    failures = 0
    for path in sources(args.paths):
        checked += 1
        for line, name, lines in long_functions(path, args.limit):
            failures += 1
            print(f"{path}:{line}: error: function '{name}' is {lines} lines; the limit is {args.limit}",
                  file=sys.stderr)
            print("  split it into functions that each do one thing, or drive it from a table", file=sys.stderr)
    if checked == 0:
        print("error: no C++ file found under " + ", ".join(map(str, args.paths)), file=sys.stderr)
        return 1
    print(f"{checked} files, {failures} functions over {args.limit} lines")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
