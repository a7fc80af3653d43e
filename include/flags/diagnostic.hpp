// A message about a registry or runtime file, in the form compilers use, so that editors and CI
// logs link it to the line: "flags/registry.toml:12:1: error: ...".
#pragma once

#include <string>
#include <vector>

namespace flags {

enum class Severity { error, warning };

struct Diagnostic {
    Severity severity = Severity::error;
    std::string file{};
    int line = 0;    // 1-based; 0 when the message is about the file as a whole
    int column = 0;  // 1-based; 0 when unknown
    std::string message{};
    std::string hint{};  // what to do about it; may be empty
};

// "file:line:col: error: message" and, when there is a hint, a second indented "hint: ..." line.
std::string format(const Diagnostic& diagnostic);

bool has_errors(const std::vector<Diagnostic>& diagnostics) noexcept;

}  // namespace flags
