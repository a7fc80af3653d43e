#include <flags/diagnostic.hpp>

#include <algorithm>

#include <fmt/format.h>

namespace flags {

std::string format(const Diagnostic& d) {
    std::string out = d.file;
    if (d.line > 0) out += fmt::format(":{}", d.line);
    if (d.line > 0 && d.column > 0) out += fmt::format(":{}", d.column);
    out += d.severity == Severity::error ? ": error: " : ": warning: ";
    out += d.message;
    if (!d.hint.empty()) out += fmt::format("\n    hint: {}", d.hint);
    return out;
}

bool has_errors(const std::vector<Diagnostic>& diagnostics) noexcept {
    return std::any_of(diagnostics.begin(), diagnostics.end(),
                       [](const Diagnostic& d) { return d.severity == Severity::error; });
}

}  // namespace flags
