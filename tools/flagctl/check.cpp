// flagctl check: is this runtime file one a service would accept? Loaded by the runtime's own
// loader, so the answer and the file:line:col messages are exactly what a service would log.
#include <algorithm>
#include <iostream>

#include <fmt/format.h>

#include "command.hpp"
#include "engine.hpp"
#include "output.hpp"
#include "runtime/source_files.hpp"

namespace flagctl {
namespace {

constexpr OptionSpec check_options[] = {{"--override", OptionSpec::Takes::one}};

int check(const Invocation& inv) {
    const std::filesystem::path file = inv.positionals({"RUNTIME"})[0];
    const std::filesystem::path override_file = inv.args.value("--override").value_or("");
    const auto registry = load_registry(inv.common);
    const auto runtime = load_runtime(registry.view(), file, override_file);
    // A file a service would refuse for its permissions reads here, but is reported, with its fix.
    auto diagnostics = runtime.report.diagnostics;
    for (const auto& path : {file, override_file})
        if (!path.empty())
            for (auto& warning : flags::internal::permission_warnings(path)) diagnostics.push_back(std::move(warning));
    const bool ok = runtime.report.ok();
    const auto warnings = static_cast<std::size_t>(
        std::ranges::count_if(diagnostics, [](const auto& d) { return d.severity == flags::Severity::warning; }));

    if (inv.common.json) {
        std::cout << JsonLine{}
                         .field("ok", ok)
                         .field("file", file.generic_string())
                         .field("errors", static_cast<std::uint64_t>(diagnostics.size() - warnings))
                         .field("warnings", static_cast<std::uint64_t>(warnings))
                         .raw("diagnostics", diagnostics_json(diagnostics))
                         .str()
                  << '\n';
        return ok ? 0 : 1;
    }
    print_diagnostics(std::cerr, diagnostics);
    if (!ok) return 1;
    std::cout << fmt::format("{}: valid{}\n", file.generic_string(),
                             warnings > 0 ? fmt::format(" ({})", counted(warnings, "warning")) : "");
    return 0;
}

}  // namespace

const Command check_command{
    .name = "check",
    .summary = "validate a runtime file against the registry",
    .usage = "flagctl check RUNTIME [--override FILE] [--registry PATH]",
    .help = "Loads RUNTIME (a file, or a directory of *.toml) with the runtime's own loader and reports\n"
            "every problem as file:line:col, as a service would log it. Exit 1 when a service would\n"
            "refuse the file. Warnings pass: an entry for a flag the registry does not know, and a file\n"
            "or a directory above it that a service would refuse for its permissions at this path (other\n"
            "users can write it), with the command that fixes it. Made for Ansible's\n"
            "`validate: flagctl check --registry /srv/app/flags %s`, CI and pre-commit hooks.\n"
            "\n"
            "  --override FILE  check RUNTIME with this local override file on top, as the service reads them\n"
            "\n"
            "example:\n"
            "  $ flagctl check --registry flags/registry.toml flags/runtime.toml\n"
            "  flags/runtime.toml: valid\n",
    .options = check_options,
    .run = check,
};

}  // namespace flagctl
