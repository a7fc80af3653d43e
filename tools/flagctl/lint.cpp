// flagctl lint: the registry validation flagc runs on every build, expiry included, through the same
// code (flags::registry), so its messages are flagc's word for word.
#include <algorithm>
#include <iostream>

#include <fmt/format.h>

#include "command.hpp"
#include "output.hpp"
#include "registry/registry_loader.hpp"

namespace flagctl {
namespace {

int lint(const Invocation& inv) {
    inv.positionals({});
    auto outcome = flags::registry::load_registry(inv.common.registry);
    if (outcome.registry) {
        auto lifecycle = flags::registry::check_lifecycle(*outcome.registry, inv.common.today);
        outcome.diagnostics.insert(outcome.diagnostics.end(), lifecycle.begin(), lifecycle.end());
    }
    const bool ok = outcome.registry && !flags::has_errors(outcome.diagnostics);
    const auto errors = std::ranges::count_if(outcome.diagnostics,
                                              [](const auto& d) { return d.severity == flags::Severity::error; });
    const auto warnings = static_cast<std::int64_t>(outcome.diagnostics.size()) - errors;
    const std::size_t flag_count = outcome.registry ? outcome.registry->view().flags.size() : 0;

    if (inv.common.json) {
        std::cout << JsonLine{}
                         .field("ok", ok)
                         .field("registry", inv.common.registry.generic_string())
                         .field("flags", static_cast<std::uint64_t>(flag_count))
                         .field("errors", static_cast<std::int64_t>(errors))
                         .field("warnings", warnings)
                         .raw("diagnostics", diagnostics_json(outcome.diagnostics))
                         .str()
                  << '\n';
        return ok ? 0 : 1;
    }
    print_diagnostics(std::cerr, outcome.diagnostics);
    if (!ok) return 1;
    std::cout << fmt::format("{}: {}, valid{}\n", inv.common.registry.generic_string(), counted(flag_count, "flag"),
                             warnings > 0 ? fmt::format(" ({})", counted(static_cast<std::size_t>(warnings), "warning"))
                                          : "");
    return 0;
}

}  // namespace

const Command lint_command{
    .name = "lint",
    .summary = "validate the registry as flagc does, expiry included",
    .usage = "flagctl lint [--registry PATH]",
    .help = "Runs flagc's full registry validation, expiry included, with flagc's messages: errors fail\n"
            "(exit 1), warnings (a flag retiring soon, a review date passed) do not.\n"
            "\n"
            "example:\n"
            "  $ flagctl lint --registry flags/registry.toml\n"
            "  flags/registry.toml: 5 flags, valid\n",
    .options = {},
    .run = lint,
};

}  // namespace flagctl
