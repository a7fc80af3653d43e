#!/usr/bin/env python3
"""The documentation holds together: the README stays a first read (under 300 lines), every
relative link in the README and docs/ reaches a file and, with a #fragment, one of its headings,
and every docs/ page the code cites exists.

usage: check_docs.py SOURCE_ROOT
"""
import re
import sys
from pathlib import Path

README_MAX_LINES = 300
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
CITED_PAGE = re.compile(r"\b(?:docs/[\w-]+|DESIGN)\.md\b")
CODE_DIRS = ("include", "src", "tools", "tests", "flags")
CODE_SUFFIXES = {".cpp", ".hpp", ".py", ".build", ".toml", ".txt", ".cmake", ""}

failures = []


def fail(message):
    failures.append(message)
    print(f"FAIL: {message}", file=sys.stderr)


def without_code_blocks(text):
    return re.sub(r"(?ms)^```.*?^```", "", text)


def anchors(markdown):
    """The fragments a Markdown renderer gives the page's headings: lowercase, punctuation
    dropped, spaces as hyphens, repeats numbered."""
    seen = {}
    result = set()
    for line in without_code_blocks(markdown).splitlines():
        match = re.match(r"#{1,6} (.*)", line)
        if not match:
            continue
        slug = re.sub(r"[^\w\- ]", "", match.group(1).strip().lower()).replace(" ", "-")
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        result.add(slug if count == 0 else f"{slug}-{count}")
    return result


def check_links(page, root):
    text = page.read_text(encoding="utf-8")
    for target in LINK.findall(without_code_blocks(text)):
        if re.match(r"[a-z]+:", target):
            continue
        path_part, _, fragment = target.partition("#")
        destination = (page.parent / path_part).resolve() if path_part else page
        where = page.relative_to(root)
        if not destination.exists():
            fail(f"{where}: link to {target}: no such file")
        elif fragment and destination.suffix == ".md" and \
                fragment not in anchors(destination.read_text(encoding="utf-8")):
            fail(f"{where}: link to {target}: no heading gives #{fragment}")


def check_cited_pages(root):
    for directory in CODE_DIRS:
        for path in (root / directory).rglob("*"):
            if not path.is_file() or path.suffix not in CODE_SUFFIXES:
                continue
            try:
                text = path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                continue
            for page in set(CITED_PAGE.findall(text)):
                if not (root / page).is_file():
                    fail(f"{path.relative_to(root)} cites {page}, which does not exist")


def main():
    root = Path(sys.argv[1]).resolve()
    readme = root / "README.md"
    lines = len(readme.read_text(encoding="utf-8").splitlines())
    if lines >= README_MAX_LINES:
        fail(f"README.md has {lines} lines; keep it under {README_MAX_LINES} and move detail to docs/")
    for page in [readme, *sorted((root / "docs").glob("*.md"))]:
        check_links(page, root)
    check_cited_pages(root)
    if failures:
        sys.exit(f"{len(failures)} problem(s) in the documentation")
    print("documentation: every link resolves")


main()
