// flagctl: the operator's and reviewer's view of a registry and its runtime files.
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "registry/registry_loader.hpp"

namespace {

constexpr std::string_view usage =
    "usage: flagctl COMMAND [options]\n"
    "\n"
    "commands:\n"
    "  lint [--registry PATH]   validate the registry (file or directory; default flags/)\n"
    "\n"
    "exit codes: 0 ok, 1 findings or invalid input, 2 usage error\n"
    "example: flagctl lint --registry flags/registry.toml\n";

int lint(const std::vector<std::string_view>& args) {
    std::string registry = "flags";
    for (std::size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--registry" && i + 1 < args.size()) {
            registry = args[++i];
        } else if (args[i] == "--help" || args[i] == "-h") {
            std::cout << "usage: flagctl lint [--registry PATH]\n\n"
                         "Runs flagc's full registry validation, expiry included, with the same messages.\n"
                         "example: flagctl lint --registry flags/registry.toml\n";
            return 0;
        } else {
            std::cerr << "flagctl lint: unexpected argument '" << args[i] << "'\n";
            return 2;
        }
    }
    auto outcome = flags::registry::load_registry(registry);
    if (outcome.registry) {
        const flags::Date today = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
        auto lifecycle = flags::registry::check_lifecycle(*outcome.registry, today);
        outcome.diagnostics.insert(outcome.diagnostics.end(), lifecycle.begin(), lifecycle.end());
    }
    for (const auto& d : outcome.diagnostics) std::cerr << flags::format(d) << '\n';
    if (!outcome.registry || flags::has_errors(outcome.diagnostics)) return 1;
    std::cout << registry << ": " << outcome.registry->view().flags.size() << " flags, valid\n";
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    const std::vector<std::string_view> args(argv + 1, argv + argc);
    if (args.empty() || args[0] == "--help" || args[0] == "-h") {
        std::cout << usage;
        return args.empty() ? 2 : 0;
    }
    const std::vector<std::string_view> rest(args.begin() + 1, args.end());
    if (args[0] == "lint") return lint(rest);
    std::cerr << "flagctl: unknown command '" << args[0] << "'\n\n" << usage;
    return 2;
}
