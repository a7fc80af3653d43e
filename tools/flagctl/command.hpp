// A flagctl subcommand: its name, its help (with an example), the options it takes beyond the common
// ones, and the function that runs it. Each lives in a file of its own; main.cpp dispatches.
#pragma once

#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "options.hpp"

namespace flagctl {

// What a command runs with: its parsed arguments, and the options every command shares.
struct Invocation {
    const Arguments& args;
    const Common& common;

    // The positional arguments, which must number exactly `names.size()`; `names` ("FLAG", "RUNTIME")
    // make the usage error say which one is missing.
    const std::vector<std::string>& positionals(std::initializer_list<std::string_view> names) const {
        const auto& given = args.positionals();
        if (given.size() < names.size()) throw UsageError(std::string(names.begin()[given.size()]) + " is missing");
        if (given.size() > names.size()) throw UsageError("unexpected argument '" + given[names.size()] + "'");
        return given;
    }
};

struct Command {
    std::string_view name;
    std::string_view summary;  // one line, for `flagctl --help`
    std::string_view usage;    // "flagctl eval FLAG --file RUNTIME [...]"
    std::string_view help;     // what it does, its options, and an example run
    std::span<const OptionSpec> options;
    // Returns the exit code: 0 ok, 1 findings. Throws Failure (exit 1) or UsageError (exit 2).
    int (*run)(const Invocation&);
};

extern const Command lint_command;
extern const Command check_command;
extern const Command eval_command;
extern const Command list_command;
extern const Command debt_command;
extern const Command diff_command;
extern const Command buckets_command;
extern const Command watch_command;
extern const Command override_command;
extern const Command schema_command;
extern const Command retire_command;

}  // namespace flagctl
