#!/usr/bin/env python3
"""The function-length check against small sources whose long functions are known: it finds each
one, at its first line and with its length, and is not misled by braces in literals, comments,
preprocessor lines, data tables or member initialisers.

usage: function_length_test.py CHECKER
"""
import subprocess
import sys
import tempfile
from pathlib import Path

checker = Path(sys.argv[1])
failures = []


def body(lines, text="    x += 1;"):
    return "\n".join([text] * lines)


# (name, source, expected findings as (line, function name, length))
CASES = [
    ("at the limit", f"int f(int x) {{\n{body(77)}\n    return x;\n}}\n", []),
    ("one past the limit", f"int f(int x) {{\n{body(78)}\n    return x;\n}}\n", [(1, "f", 81)]),
    ("a signature over several lines",
     f"// a comment {{\nstatic int\nf(int a,\n  int b)\n{{\n{body(76)}\n}}\n", [(2, "f", 81)]),
    ("a member of a class in a namespace",
     f"namespace n {{\nclass C : public B {{\npublic:\n    void m() const noexcept {{\n{body(79)}\n    }}\n}};\n}}\n",
     [(4, "m", 81)]),
    ("a constructor with brace initialisers",
     f"S::S(int a) : a_{{a}}, b_(a), c_{{}} {{\n{body(79)}\n}}\n", [(1, "S::S", 81)]),
    ("braces in literals and comments",
     "int f() {\n    char open = '{';\n    auto s = \"}}}\";\n    auto r = R\"x(}\n}\n)x\";\n    /* } */ // }\n"
     f"    int n = 32'000;\n{body(75)}\n}}\n", [(1, "f", 84)]),
    ("a preprocessor line with a brace", f"#define OPEN {{\nint f() {{\n{body(79)}\n}}\n", [(2, "f", 81)]),
    ("a long data table", "const Spec table[] = {\n" + body(100, '    {"in", parse_in},') + "\n};\n", []),
    ("a lambda inside counts to its function",
     f"void f() {{\n    auto g = [](int x) {{\n{body(40)}\n    }};\n{body(37)}\n}}\n", [(1, "f", 81)]),
    ("several functions, one long",
     f"int a() {{ return 1; }}\nstruct T {{ int x; }};\nint b() {{\n{body(81)}\n}}\nint c() {{ return 2; }}\n",
     [(3, "b", 83)]),
]


def findings(output):
    found = []
    for line in output.splitlines():
        if ": error: function '" not in line:
            continue
        where, rest = line.split(": error: function '", 1)
        name, rest = rest.split("' is ", 1)
        found.append((int(where.rsplit(":", 1)[1]), name, int(rest.split(" ", 1)[0])))
    return found


with tempfile.TemporaryDirectory() as directory:
    for index, (name, source, expected) in enumerate(CASES):
        path = Path(directory) / f"case{index}.cpp"
        path.write_text(source)
        run = subprocess.run([sys.executable, checker, str(path)], capture_output=True, text=True)
        found = findings(run.stderr)
        if found != expected or run.returncode != (1 if expected else 0):
            failures.append(f"{name}: expected {expected}, exit {1 if expected else 0}; "
                            f"found {found}, exit {run.returncode}\n{run.stderr}")
    empty = subprocess.run([sys.executable, checker, directory + "/none"], capture_output=True, text=True)
    if empty.returncode == 0:
        failures.append("a path with no C++ file passed")

for failure in failures:
    print("FAIL: " + failure, file=sys.stderr)
print(f"{len(CASES) + 1 - len(failures)} passed, {len(failures)} failed")
sys.exit(1 if failures else 0)
