"""A copy of tests/retire/fixture built the plain way: flagc's header in build/gen, a
compile_commands.json as Meson writes it, every file compiled with -Werror, the service and its
Boost.Test program linked against this build's libflagstone.
"""
import json
import shutil
import subprocess
from pathlib import Path

WARNINGS = ["-Wall", "-Wextra", "-Wpedantic", "-Werror"]


class Project:
    def __init__(self, root, flagc, library, source_root, cxx):
        self.root = Path(root)
        self.build = self.root / "build"
        self.flagc = flagc
        self.library = library
        self.include = str(Path(source_root) / "include")
        self.cxx = cxx

    @classmethod
    def copy_of(cls, fixture, root, *args):
        shutil.copytree(fixture, root)
        return cls(root, *args)

    def run(self, argv, **kwargs):
        return subprocess.run([str(a) for a in argv], cwd=self.root, capture_output=True, text=True, **kwargs)

    def must(self, argv, what):
        result = self.run(argv)
        if result.returncode != 0:
            raise AssertionError(f"{what} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
        return result

    def sources(self, folder):
        return sorted(str(p.relative_to(self.root)) for p in (self.root / folder).glob("*.cpp"))

    def compile_args(self, source):
        obj = "build/" + source.replace("/", "_") + ".o"
        return self.cxx + ["-std=c++20", "-DBOOST_TEST_DYN_LINK", *WARNINGS, "-I" + self.include,
                           "-Ibuild/gen", "-c", source, "-o", obj], obj

    def configure(self):
        """The header of the registry as it is now, and the compilation database."""
        (self.build / "gen" / "flags").mkdir(parents=True, exist_ok=True)
        self.must([self.flagc, "flags/registry.toml", "-o", "build/gen/flags/registry.hpp",
                   "--today", "2026-03-01"], "flagc")
        entries = []
        for source in self.sources("src") + self.sources("tests"):
            args, obj = self.compile_args(source)
            entries.append({"directory": str(self.root), "command": " ".join(args), "file": source, "output": obj})
        (self.build / "compile_commands.json").write_text(json.dumps(entries, indent=2), encoding="utf-8")

    def compile(self):
        self.configure()
        objects = {}
        for source in self.sources("src") + self.sources("tests"):
            args, obj = self.compile_args(source)
            self.must(args, "compiling " + source)
            objects[source] = obj
        # The registry's metadata, which flagc writes beside the header; not part of the compilation database.
        self.must(self.cxx + ["-std=c++20", "-I" + self.include, "-c", "build/gen/flags/registry.cpp",
                              "-o", "build/registry.o"], "compiling the registry's source file")
        libs = ["build/registry.o", self.library, "-ltomlplusplus", "-lfmt", "-pthread"]
        service = [o for s, o in objects.items() if s.startswith("src/")]
        tests = [o for s, o in objects.items() if s.startswith("tests/") or (s.startswith("src/") and s != "src/main.cpp")]
        self.must(self.cxx + service + ["-o", "build/checkout"] + libs, "linking the service")
        self.must(self.cxx + tests + ["-o", "build/checkout-test", "-lboost_unit_test_framework"] + libs,
                  "linking the tests")

    def serve(self, runtime_text):
        """What the service prints under a runtime file of this text."""
        path = self.build / "serve.toml"
        path.write_text(runtime_text, encoding="utf-8")
        return self.must(["build/checkout", path], "the service").stdout

    def test(self):
        return self.must(["build/checkout-test", "--log_level=test_suite"], "the service's tests").stdout
