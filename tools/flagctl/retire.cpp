// flagctl retire: removes a flag from the code, the tests, the registry and the runtime files, keeping
// one of its values. Reads are found by clang in each translation unit (retire_sources.hpp), the
// tables cut out of the TOML files (retire_toml.hpp); this file checks the command line, applies or
// shows the change, and reports every site.
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "command.hpp"
#include "engine.hpp"
#include "output.hpp"
#include "retire_diff.hpp"
#include "retire_sources.hpp"
#include "retire_toml.hpp"

namespace flagctl {
namespace {

namespace fs = std::filesystem;

constexpr OptionSpec retire_options[] = {
    {"--keep", OptionSpec::Takes::one},      {"--build-dir", OptionSpec::Takes::one},
    {"-p", OptionSpec::Takes::one},          {"--runtime", OptionSpec::Takes::repeated},
    {"--dry-run", OptionSpec::Takes::nothing},
};

// The kept value, checked against the flag's type: true/false, or one of its variants.
std::uint64_t kept_value(const flags::FlagInfo& flag, const std::string& keep) {
    if (flag.is_boolean()) {
        if (keep == "true" || keep == "false") return keep == "true" ? 1 : 0;
        throw UsageError(fmt::format("--keep {}: {} is a boolean flag; keep true or false", keep, flag.name));
    }
    std::string names;
    for (std::size_t v = 0; v < flag.variants.size(); ++v) {
        if (flag.variants[v] == keep) return v;
        names += (names.empty() ? "" : ", ") + std::string(flag.variants[v]);
    }
    throw UsageError(fmt::format("--keep {}: {} has no such variant; keep one of {}", keep, flag.name, names));
}

fs::path build_dir_of(const Arguments& args) {
    const auto long_form = args.value("--build-dir");
    const auto short_form = args.value("-p");
    if (long_form && short_form) throw UsageError("give the build directory once, as --build-dir or -p");
    if (!long_form && !short_form) throw UsageError("--build-dir is required: the build directory with compile_commands.json");
    const fs::path dir = long_form ? *long_form : *short_form;
    if (!fs::is_regular_file(dir / "compile_commands.json"))
        throw UsageError(fmt::format("{} has no compile_commands.json; configure the build there first "
                                     "(Meson writes it; CMake needs -DCMAKE_EXPORT_COMPILE_COMMANDS=ON)",
                                     dir.generic_string()));
    return dir;
}

std::vector<fs::path> runtime_files(const Arguments& args) {
    std::vector<fs::path> files;
    for (const auto& given : args.values("--runtime")) {
        if (fs::is_directory(given)) {
            for (const auto& e : fs::directory_iterator(given))
                if (e.path().extension() == ".toml") files.push_back(e.path());
        } else if (fs::is_regular_file(given)) {
            files.emplace_back(given);
        } else {
            throw UsageError(fmt::format("--runtime {}: no such file or directory", given));
        }
    }
    std::ranges::sort(files);
    return files;
}

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// Writes through a temporary file in the same directory, so that a failure leaves the old file whole.
void write_file(const fs::path& path, const std::string& text) {
    const auto temporary = fs::path(path.string() + ".retire-tmp");
    {
        std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
        out << text;
        if (!out.flush()) throw std::runtime_error(fmt::format("{}: cannot write: {}", path.string(), std::strerror(errno)));
    }
    fs::permissions(temporary, fs::status(path).permissions());
    fs::rename(temporary, path);
}

// A file named twice (--runtime on the registry's directory, two spellings of one path) is edited,
// and shown in the diff, once.
void drop_repeated(std::vector<fs::path>& files) {
    std::vector<fs::path> seen;
    std::erase_if(files, [&](const fs::path& f) {
        auto same = fs::weakly_canonical(fs::absolute(f));
        if (std::ranges::find(seen, same) != seen.end()) return true;
        seen.push_back(std::move(same));
        return false;
    });
}

std::string shown(const fs::path& path) {
    std::error_code ec;
    const auto rel = fs::relative(path, fs::current_path(), ec);
    return ec || rel.empty() ? path.generic_string() : rel.generic_string();
}

struct Change {
    std::string file;  // relative to the current directory
    std::string before, after;
};

struct Outcome {
    std::vector<Site> sites;  // files relative
    std::vector<Change> changes;
};

// The TOML files: the registry file that declares the flag, and each runtime file.
void retire_toml_files(const std::vector<fs::path>& files, const RetireTarget& target, Outcome& out) {
    for (const auto& file : files) {
        const auto text = read_file(file);
        TomlRetire r;
        try {
            r = retire_in_toml(text, shown(file), target.name, target.keep_name);
        } catch (const std::runtime_error& e) {
            throw failure("retire", e.what(), "fix the file, then run flagctl retire again");
        }
        for (const auto& n : r.notes) out.sites.push_back(Site{shown(file), static_cast<unsigned>(n.line), n.note});
        if (!r.edits.empty()) out.changes.push_back(Change{shown(file), text, apply_edits(text, r.edits)});
    }
}

void print_text(const Outcome& out) {
    for (const auto& s : out.sites) {
        if (s.note.empty()) std::cout << fmt::format("{}:{}: rewritten\n", s.file, s.line);
        else std::cout << fmt::format("{}:{}: note: left for a person: {}\n", s.file, s.line, s.note);
    }
}

void print_json(const Outcome& out, const RetireTarget& target, bool dry_run, const std::string& diff) {
    std::vector<std::string> sites, files;
    for (const auto& s : out.sites)
        sites.push_back(JsonLine{}
                            .field("file", s.file)
                            .field("line", static_cast<std::uint64_t>(s.line))
                            .field("status", s.note.empty() ? "rewritten" : "left")
                            .raw("note", s.note.empty() ? "null" : json_quoted(s.note))
                            .str());
    for (const auto& c : out.changes) files.push_back(json_quoted(c.file));
    const bool left = std::ranges::any_of(out.sites, [](const Site& s) { return !s.note.empty(); });
    std::cout << JsonLine{}
                     .field("flag", target.name)
                     .field("keep", target.keep_name)
                     .field("dry_run", dry_run)
                     .field("complete", !left)
                     .raw("sites", json_array(sites))
                     .raw("files", json_array(files))
                     .raw("diff", dry_run ? json_quoted(diff) : "null")
                     .str()
              << '\n';
}

int retire(const Invocation& inv) {
    const auto flag_name = inv.positionals({"FLAG"}).front();
    const auto keep = inv.args.required("--keep");
    const auto build_dir = build_dir_of(inv.args);
    const auto runtimes = runtime_files(inv.args);
    const auto registry = load_registry(inv.common);
    const auto view = registry.view();
    const int index = view.find(flag_name);
    if (index < 0) throw UsageError(fmt::format("unknown flag '{}'; `flagctl list` shows the registry's flags", flag_name));
    const auto& flag = view.flags[static_cast<std::size_t>(index)];
    const RetireTarget target{.name = std::string(flag.name),
                              .identifier = std::string(flag.identifier),
                              .index = static_cast<std::uint64_t>(index),
                              .boolean = flag.is_boolean(),
                              .keep = kept_value(flag, keep),
                              .keep_name = keep};

    const ProjectScope scope{fs::weakly_canonical(fs::current_path()), fs::weakly_canonical(fs::absolute(build_dir))};
    auto sources = rewrite_sources(target, scope, std::max(1u, std::thread::hardware_concurrency()));
    if (!sources.errors.empty()) {
        std::vector<flags::Diagnostic> diagnostics;
        for (const auto& e : sources.errors)
            diagnostics.push_back(flags::Diagnostic{.file = "flagctl retire", .message = e,
                                                    .hint = "build the project once (generated headers must exist), "
                                                            "then retire again; nothing was changed"});
        throw Failure{diagnostics};
    }
    Outcome out;
    for (auto& s : sources.sites) out.sites.push_back(Site{shown(s.file), s.line, s.note});
    for (const auto& [path, edits] : sources.edits) {
        const auto& before = sources.originals.at(path);
        out.changes.push_back(Change{shown(path), before, apply_edits(before, edits)});
    }
    std::vector<fs::path> toml_files{registry.source_of(static_cast<std::size_t>(index)).file};
    toml_files.insert(toml_files.end(), runtimes.begin(), runtimes.end());
    drop_repeated(toml_files);
    retire_toml_files(toml_files, target, out);
    std::erase_if(out.changes, [](const Change& c) { return c.before == c.after; });

    std::string diff;
    if (inv.args.has("--dry-run")) {
        for (const auto& c : out.changes) diff += unified_diff(c.file, c.before, c.after);
    } else {
        for (const auto& c : out.changes) write_file(c.file, c.after);
    }
    if (inv.common.json) {
        print_json(out, target, inv.args.has("--dry-run"), diff);
    } else if (inv.args.has("--dry-run")) {
        std::cout << diff;
        for (const auto& s : out.sites)
            std::cerr << (s.note.empty() ? fmt::format("{}:{}: rewritten\n", s.file, s.line)
                                         : fmt::format("{}:{}: note: left for a person: {}\n", s.file, s.line, s.note));
    } else {
        print_text(out);
    }
    return std::ranges::any_of(out.sites, [](const Site& s) { return !s.note.empty(); }) ? 1 : 0;
}

}  // namespace

const Command retire_command{
    .name = "retire",
    .summary = "remove a flag from code, tests, registry and runtime files, keeping one value",
    .usage = "flagctl retire FLAG --keep VALUE --build-dir DIR [--runtime FILE]... [--dry-run] [--registry PATH]",
    .help = "Removes FLAG for good, as if it always had the value VALUE (true or false, or a variant):\n"
            "every read of it in the project's C++ (found by clang in each translation unit of\n"
            "DIR/compile_commands.json, with its own compile command) becomes that value, and what the\n"
            "value makes constant is folded (if/else, !, &&, ||, ?:, ==, switch); tests over its states\n"
            "keep the kept state's; its table leaves the registry and each runtime file.\n"
            "Files under DIR, subprojects/ and outside the current directory are never changed.\n"
            "Prints one line per site; exit 0 when every site was rewritten, 1 when some are left for\n"
            "a person (the rest is applied), 2 on a usage error.\n"
            "\n"
            "  --keep VALUE       the value the code keeps\n"
            "  --build-dir DIR    (or -p DIR) the build directory with compile_commands.json\n"
            "  --runtime FILE     a runtime file (or directory) to remove the flag's entry from; repeatable\n"
            "  --dry-run          change nothing; print the change as a unified diff\n"
            "\n"
            "example:\n"
            "  $ flagctl retire release.new-checkout --keep true -p build --runtime flags/runtime.toml\n"
            "  src/checkout.cpp:12: rewritten\n"
            "  src/checkout.cpp:30: note: left for a person: the read is inside a macro\n",
    .options = retire_options,
    .run = retire,
};

}  // namespace flagctl
