// Running another program (git) and reading what it prints, without a shell, so that no path or
// revision is ever interpreted as shell syntax.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace flagctl {

struct ProcessResult {
    int exit_code = 0;
    std::string output;  // its standard output; standard error is discarded
};

// Runs argv[0], found on PATH, with standard input from /dev/null. nullopt when it cannot be started
// (not installed) or dies of a signal.
std::optional<ProcessResult> run_process(const std::vector<std::string>& argv);

}  // namespace flagctl
