// flagc: compiles a flag registry into the C++ header and source file of a project's flags. Runs on
// every build, so the build fails on the day a release or experiment flag passes its retire_by date.
#include <sys/stat.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>

#include "header_writer.hpp"
#include "regular_file.hpp"
#include "runtime/atomic_file.hpp"
#include "registry/registry_loader.hpp"
#include "toml_input.hpp"

namespace {

constexpr std::string_view usage =
    "usage: flagc REGISTRY -o HEADER [--source-out SOURCE] [--today YYYY-MM-DD] [--display-root DIR]\n"
    "\n"
    "Validates REGISTRY (a registry TOML file, or a directory of them) and writes the C++ header\n"
    "of its flags to HEADER and their metadata to SOURCE, rewriting each only when its content\n"
    "changes. Compile SOURCE into the program: it defines flags::generated::registry.\n"
    "\n"
    "  -o HEADER            the header to write\n"
    "  --source-out SOURCE  the source file to write (default: HEADER with the extension .cpp)\n"
    "  --today YYYY-MM-DD   the date expiry is checked against (default: today, UTC)\n"
    "  --display-root DIR   show file paths in messages relative to DIR\n"
    "\n"
    "example: flagc flags/registry.toml -o build/flags/registry.hpp --source-out build/flags/registry.cpp\n";

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

struct Arguments {
    std::string input, header, source, today_text;
    flags::registry::LoadOptions options;
};

// Returns nothing when the help was asked for.
std::optional<Arguments> parse_arguments(int argc, char** argv) {
    Arguments args;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) throw std::invalid_argument(std::string(arg) + " needs a value");
            return argv[++i];
        };
        if (arg == "-h" || arg == "--help") {
            std::cout << usage;
            return std::nullopt;
        } else if (arg == "-o") {
            args.header = value();
        } else if (arg == "--source-out") {
            args.source = value();
        } else if (arg == "--today") {
            args.today_text = value();
        } else if (arg == "--display-root") {
            args.options.display_root = value();
        } else if (!arg.empty() && arg.front() == '-') {
            throw std::invalid_argument("unknown option " + std::string(arg));
        } else if (args.input.empty()) {
            args.input = arg;
        } else {
            throw std::invalid_argument("more than one registry given");
        }
    }
    if (args.input.empty() || args.header.empty()) throw std::invalid_argument("a registry and -o HEADER are required");
    if (args.source.empty()) args.source = std::filesystem::path(args.header).replace_extension(".cpp").string();
    if (std::filesystem::absolute(args.source).lexically_normal() ==
        std::filesystem::absolute(args.header).lexically_normal())
        throw std::invalid_argument("-o and --source-out name the same file; give the source file a path of its own");
    return args;
}

// The header as the source file includes it: its path relative to the source file's directory.
std::string include_path(const std::filesystem::path& header, const std::filesystem::path& source) {
    const auto absolute_header = std::filesystem::absolute(header).lexically_normal();
    const auto source_dir = std::filesystem::absolute(source).lexically_normal().parent_path();
    const auto relative = absolute_header.lexically_relative(source_dir);
    const std::string text = relative.empty() ? absolute_header.string() : relative.generic_string();
    // An #include "..." takes no escapes: a quote or a line break in the path cannot be written there.
    if (text.find_first_of("\"\n\r") != std::string::npos)
        throw std::invalid_argument("the header's path from the source file holds a quote or a line break: " +
                                    flags::internal::one_line(text) + "; choose paths without them");
    return text;
}

// Writes one generated file; false, with the message printed, when it cannot be written.
bool write_output(const std::string& path, const std::string& content, std::string_view what) {
    const auto problem = write_if_changed(path, content);
    if (problem.empty()) return true;
    std::cerr << "flagc: error: cannot write " << flags::internal::one_line(path) << ": " << problem << '\n'
              << "    hint: " << what << " to write: a new path, or the regular file of an earlier build\n";
    return false;
}

int run(int argc, char** argv) {
    const auto args = parse_arguments(argc, argv);
    if (!args) return 0;

    flags::Date today = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
    if (!args->today_text.empty()) {
        const auto parsed = flags::registry::parse_iso_date(args->today_text);
        if (!parsed) throw std::invalid_argument("--today takes a date as YYYY-MM-DD, not '" + args->today_text + "'");
        today = *parsed;
    }
    const auto header_include = include_path(args->header, args->source);

    auto outcome = flags::registry::load_registry(args->input, args->options);
    if (outcome.registry) {
        auto lifecycle = flags::registry::check_lifecycle(*outcome.registry, today);
        outcome.diagnostics.insert(outcome.diagnostics.end(), lifecycle.begin(), lifecycle.end());
    }
    for (const auto& d : outcome.diagnostics) std::cerr << flags::format(d) << '\n';
    if (!outcome.registry || flags::has_errors(outcome.diagnostics)) return 1;

    if (!write_output(args->header, flags::flagc::render_header(*outcome.registry), "-o names the header")) return 1;
    if (!write_output(args->source, flags::flagc::render_source(*outcome.registry, header_include),
                      "--source-out names the source file"))
        return 1;
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
