// flagctl: the operator's and reviewer's view of a flag registry and its runtime files. It reads the
// registry at run time and asks the library's own engine every question, so it needs no compiled
// project and can never disagree with a service about a file or a value.
#include <algorithm>
#include <exception>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "command.hpp"
#include "output.hpp"
#include "safe_output.hpp"

namespace {

using namespace flagctl;

const Command* const commands[] = {
    &lint_command, &check_command, &eval_command,  &list_command,     &debt_command,
    &diff_command, &buckets_command, &watch_command, &override_command, &schema_command,
    &retire_command,
};

constexpr std::string_view common_help =
    "common options:\n"
    "  --registry PATH  the registry: a TOML file, or a directory of them (default: flags/)\n"
    "  --json           one JSON document on standard output, for scripts\n"
    "  -h, --help       this help\n"
    "\n"
    "exit codes: 0 ok, 1 findings or invalid input, 2 usage error\n";

void print_usage(std::ostream& out) {
    out << "usage: flagctl COMMAND [options]\n\ncommands:\n";
    for (const auto* command : commands)
        out << "  " << command->name << std::string(10 - command->name.size(), ' ') << command->summary << '\n';
    out << "\n" << common_help << "\n`flagctl COMMAND --help` shows a command's options and an example.\n";
}

int run(const Command& command, std::span<const std::string_view> args) {
    // --help wins over everything else on the line, so that it works before the rest is right.
    if (std::ranges::any_of(args, [](std::string_view a) { return a == "--help" || a == "-h"; })) {
        std::cout << "usage: " << command.usage << "\n\n" << command.help << '\n' << common_help;
        return 0;
    }
    try {
        const Arguments parsed(args, command.options);
        const Common common = common_options(parsed);
        try {
            return command.run(Invocation{parsed, common});
        } catch (const Failure& f) {
            if (common.json)
                std::cout << JsonLine{}.field("ok", false).raw("diagnostics", diagnostics_json(f.diagnostics)).str()
                          << '\n';
            else
                print_diagnostics(std::cerr, f.diagnostics);
            return 1;
        }
    } catch (const UsageError& e) {
        std::cerr << "flagctl " << command.name << ": error: " << e.what() << "\nusage: " << command.usage
                  << "\n    hint: `flagctl " << command.name << " --help` shows its options and an example\n";
        return 2;
    }
}

}  // namespace

int main(int argc, char** argv) {
    const SafeOutput safe_out(std::cout), safe_err(std::cerr);
    const std::vector<std::string_view> args(argv + 1, argv + argc);
    if (args.empty()) {
        print_usage(std::cerr);
        return 2;
    }
    if (args[0] == "--help" || args[0] == "-h") {
        print_usage(std::cout);
        return 0;
    }
    const auto found = std::ranges::find_if(commands, [&](const Command* c) { return c->name == args[0]; });
    if (found == std::end(commands)) {
        std::cerr << "flagctl: error: unknown command '" << args[0] << "'\n\n";
        print_usage(std::cerr);
        return 2;
    }
    try {
        return run(**found, std::span(args).subspan(1));
    } catch (const std::exception& e) {
        std::cerr << "flagctl " << args[0] << ": error: " << e.what() << '\n';
        return 1;
    }
}
