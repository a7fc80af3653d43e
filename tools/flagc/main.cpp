// flagc: compiles a flag registry into the C++ header of a project's flags. Runs on every build, so
// the build fails on the day a release or experiment flag passes its retire_by date.
#include <sys/stat.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>
#include <string_view>

#include "header_writer.hpp"
#include "regular_file.hpp"
#include "runtime/atomic_file.hpp"
#include "registry/registry_loader.hpp"
#include "toml_input.hpp"

namespace {

constexpr std::string_view usage =
    "usage: flagc REGISTRY -o HEADER [--today YYYY-MM-DD] [--display-root DIR]\n"
    "\n"
    "Validates REGISTRY (a registry TOML file, or a directory of them) and writes the C++ header\n"
    "of its flags to HEADER, rewriting it only when its content changes.\n"
    "\n"
    "  -o HEADER            the header to write\n"
    "  --today YYYY-MM-DD   the date expiry is checked against (default: today, UTC)\n"
    "  --display-root DIR   show file paths in messages relative to DIR\n"
    "\n"
    "example: flagc flags/registry.toml -o build/flags/registry.hpp\n";

// Leaves the file (and its timestamp) alone when it already has this content, so that a build with
// an unchanged registry recompiles nothing (Meson's restat). Anything at the path that is not a
// regular file (a device, a FIFO, a directory, a symbolic link) is refused, never read or replaced.
// Returns an empty string on success, or why the header could not be written.
std::string write_if_changed(const std::filesystem::path& path, const std::string& content) {
    struct stat existing {};
    if (::lstat(path.c_str(), &existing) == 0) {
        if (!S_ISREG(existing.st_mode)) return flags::internal::not_regular(existing);
        std::string text, problem;
        // One byte more than the header: a longer file differs, and is not worth reading whole.
        if (flags::internal::read_regular_file(path, content.size(), text, problem) == flags::internal::FileRead::ok &&
            text == content)
            return {};
    } else if (errno != ENOENT) {
        return std::strerror(errno);
    }
    return flags::internal::write_atomically(path, content);
}

int run(int argc, char** argv) {
    std::string input, output, today_text;
    flags::registry::LoadOptions options;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) throw std::invalid_argument(std::string(arg) + " needs a value");
            return argv[++i];
        };
        if (arg == "-h" || arg == "--help") {
            std::cout << usage;
            return 0;
        } else if (arg == "-o") {
            output = value();
        } else if (arg == "--today") {
            today_text = value();
        } else if (arg == "--display-root") {
            options.display_root = value();
        } else if (!arg.empty() && arg.front() == '-') {
            throw std::invalid_argument("unknown option " + std::string(arg));
        } else if (input.empty()) {
            input = arg;
        } else {
            throw std::invalid_argument("more than one registry given");
        }
    }
    if (input.empty() || output.empty()) throw std::invalid_argument("a registry and -o HEADER are required");

    flags::Date today = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
    if (!today_text.empty()) {
        const auto parsed = flags::registry::parse_iso_date(today_text);
        if (!parsed) throw std::invalid_argument("--today takes a date as YYYY-MM-DD, not '" + today_text + "'");
        today = *parsed;
    }

    auto outcome = flags::registry::load_registry(input, options);
    if (outcome.registry) {
        auto lifecycle = flags::registry::check_lifecycle(*outcome.registry, today);
        outcome.diagnostics.insert(outcome.diagnostics.end(), lifecycle.begin(), lifecycle.end());
    }
    for (const auto& d : outcome.diagnostics) std::cerr << flags::format(d) << '\n';
    if (!outcome.registry || flags::has_errors(outcome.diagnostics)) return 1;

    if (const auto problem = write_if_changed(output, flags::flagc::render_header(*outcome.registry)); !problem.empty()) {
        std::cerr << "flagc: error: cannot write " << flags::internal::one_line(output) << ": " << problem << '\n'
                  << "    hint: -o names the header to write: a new path, or the regular file of an earlier build\n";
        return 1;
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        return run(argc, argv);
    } catch (const std::invalid_argument& e) {
        std::cerr << "flagc: error: " << e.what() << "\n\n" << usage;
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "flagc: error: " << e.what() << '\n';
        return 1;
    }
}
