#!/usr/bin/env python3
"""What the generated header lets through the compiler: misuse of a flag does not compile, with a
message that says why, and correct use does.

usage: compile_checks.py SOURCE_ROOT INCLUDE_DIR GOLDEN_HPP GOLDEN_CPP -- COMPILER...

INCLUDE_DIR holds flags/registry.hpp, generated from the tests' registry (tests/data/flags).
"""
import shutil
import sys
from pathlib import Path

import support

# (name, body after #include <flags/flags.hpp>, must compile, texts stderr must contain)
CASES = [
    ("flag by enumerator compiles",
     "bool probe(const flags::Context& ctx) { return flags::enabled<flags::Flag::release_new_checkout>(ctx); }",
     True, []),
    ("registered flag by name compiles",
     'bool probe(const flags::Context& ctx) { return flags::enabled<"release.new-checkout">(ctx); }',
     True, []),
    ("multivariate flag reads as its enum",
     "bool probe(const flags::Context& ctx) {\n"
     "    return flags::variant<flags::Flag::experiment_button_color>(ctx) == flags::variants::ButtonColor::blue;\n}",
     True, []),
    ("unregistered flag does not compile",
     "bool probe(const flags::Context& ctx) { return flags::enabled<flags::Flag::release_nope>(ctx); }",
     False, ["release_nope"]),
    ("enabled<> on a multivariate flag does not compile",
     "bool probe(const flags::Context& ctx) { return flags::enabled<flags::Flag::experiment_button_color>(ctx); }",
     False, ["flags::enabled<> takes a boolean flag; read a multivariate flag with flags::variant<>"]),
    ("variant<> on a boolean flag does not compile",
     "auto probe(const flags::Context& ctx) { return flags::variant<flags::Flag::release_new_checkout>(ctx); }",
     False, ["flags::variant<> takes a multivariate flag; read a boolean flag with flags::enabled<>"]),
    # The message must name the flag, or the developer cannot tell which call site is wrong.
    ("unknown flag name does not compile and is named",
     'bool probe(const flags::Context& ctx) { return flags::enabled<"release.unknown">(ctx); }',
     False, ["unknown flag name", "release.unknown"]),
]

# The golden header and source file are valid C++: the header keeps what reads check at compile time,
# and the source file's escaped strings hold the registry's text: quotes, backslashes, a newline and
# non-ASCII survive flagc's escaping byte for byte.
GOLDEN_CHECK = r'''
#include <string_view>
using namespace std::literals;
static_assert(flags::generated::flags[0].default_value == static_cast<int>(flags::variants::ButtonColor::green));
static_assert(flags::generated::flags[3].type == flags::FlagType::release && flags::generated::flags[3].default_value == 1);
bool probe(const flags::Context& ctx) {
    return flags::enabled<"release.new-checkout">(ctx) &&
           flags::variant<flags::Flag::experiment_button_color>(ctx) == flags::variants::ButtonColor::dark_red;
}
'''

# Linked with the golden source file and run: the metadata is there, and only there.
GOLDEN_METADATA = r'''
#include <flags/registry.hpp>
#include <string_view>
using namespace std::literals;
int main() {
    const auto& checkout = flags::generated::metadata(flags::Flag::release_new_checkout);
    const auto& same = flags::generated::registry.flags[flags::generated::registry.find("release.new-checkout")];
    const bool kept = &checkout == &same &&
        checkout.description == "Redesigned \"one page\" checkout, path C:\\pay\\v2\nsecond line; café für Zoë 🚀"sv &&
        checkout.ticket == "PAY-1234"sv && checkout.owner == "payments-team"sv && checkout.default_value == 1 &&
        checkout.retire_by == flags::Date{std::chrono::days{20864}} &&
        flags::generated::flags[3].description.empty() && flags::generated::registry.flags.size() == 4;
    return kept ? 0 : 1;
}
'''


def compile_snippet(compiler, include_dirs, work, name, body):
    source = work / (name.replace(" ", "-").replace("<>", "") + ".cpp")
    source.write_text("#include <flags/flags.hpp>\n" + body + "\n", encoding="utf-8")
    includes = [f"-I{d}" for d in include_dirs]
    return support.run(compiler + ["-std=c++20", "-Wall", "-Wextra", "-Wpedantic", "-Werror", *includes,
                                   "-fsyntax-only", source])


def main():
    source_root, include_dir, golden, golden_source = map(Path, sys.argv[1:5])
    compiler = sys.argv[sys.argv.index("--") + 1:]
    work = support.temp_dir("compile")
    include_dirs = [source_root / "include", include_dir]

    for name, body, must_compile, expected in CASES:
        result = compile_snippet(compiler, include_dirs, work, name, body)
        if must_compile:
            support.check(result.returncode == 0, f"{name}: compiles", result.stderr)
        else:
            support.check(result.returncode != 0, f"{name}: does not compile")
            for text in expected:
                support.check(text in result.stderr, f"{name}: the compiler's message contains {text!r}",
                              result.stderr)
        if name.startswith("unknown flag name"):
            print(f"--- the compiler's message for {name}:\n{result.stderr}")

    golden_dir = work / "golden"
    (golden_dir / "flags").mkdir(parents=True)
    shutil.copyfile(golden, golden_dir / "flags" / "registry.hpp")
    result = compile_snippet(compiler, [source_root / "include", golden_dir], work, "golden", GOLDEN_CHECK)
    support.check(result.returncode == 0, "golden header compiles", result.stderr)

    shutil.copyfile(golden_source, golden_dir / "flags" / "registry.cpp")
    program = work / "golden-metadata"
    (work / "golden_metadata.cpp").write_text(GOLDEN_METADATA, encoding="utf-8")
    result = support.run(compiler + ["-std=c++20", "-Wall", "-Wextra", "-Wpedantic", "-Werror",
                                     f"-I{source_root / 'include'}", f"-I{golden_dir}", work / "golden_metadata.cpp",
                                     golden_dir / "flags" / "registry.cpp", "-o", program])
    support.check(result.returncode == 0, "golden source file compiles and links", result.stderr)
    if result.returncode == 0:
        support.check_equal(support.run([program]).returncode, 0, "the source file keeps the registry's strings")

    # Two registries in one program: their source files define the same registry, and the link stops.
    objects = []
    for name, directory in (("golden", golden_dir), ("tests", include_dir)):
        objects.append(work / f"{name}-registry.o")
        support.run_ok(compiler + ["-std=c++20", f"-I{source_root / 'include'}", "-c", directory / "flags" / "registry.cpp",
                                   "-o", objects[-1]])
    (work / "empty_main.cpp").write_text("int main() { return 0; }\n", encoding="utf-8")
    result = support.run(compiler + [work / "empty_main.cpp", *objects, "-o", work / "two-registries"])
    support.check(result.returncode != 0 and "flags::generated::registry" in result.stderr,
                  "two registries linked into one program fail to link, naming flags::generated::registry",
                  result.stderr)
    support.finish()


main()
