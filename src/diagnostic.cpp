#include <flags/diagnostic.hpp>

#include <algorithm>

#include <fmt/format.h>

#include "visible_text.hpp"

namespace flags {

// The file, the message and the hint may all quote a file's bytes; none reaches a terminal raw.
std::string format(const Diagnostic& d) {
    std::string out = internal::terminal_safe(d.file, false);
    if (d.line > 0) out += fmt::format(":{}", d.line);
    if (d.line > 0 && d.column > 0) out += fmt::format(":{}", d.column);
    out += d.severity == Severity::error ? ": error: " : ": warning: ";
    out += internal::terminal_safe(d.message, false);
    if (!d.hint.empty()) out += fmt::format("\n    hint: {}", internal::terminal_safe(d.hint, false));
    return out;
}

bool has_errors(const std::vector<Diagnostic>& diagnostics) noexcept {
    return std::any_of(diagnostics.begin(), diagnostics.end(),
                       [](const Diagnostic& d) { return d.severity == Severity::error; });
}

}  // namespace flags
