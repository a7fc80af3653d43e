#include "output.hpp"

#include <algorithm>
#include <ostream>

#include <fmt/format.h>

#include "registry/registry_loader.hpp"

namespace flagctl {

Failure failure(std::string_view command, std::string message, std::string hint) {
    return Failure{{flags::Diagnostic{.file = "flagctl " + std::string(command),
                                      .message = std::move(message),
                                      .hint = std::move(hint)}}};
}

void print_diagnostics(std::ostream& out, const std::vector<flags::Diagnostic>& diagnostics) {
    for (const auto& d : diagnostics) out << flags::format(d) << '\n';
}

std::string diagnostic_json(const flags::Diagnostic& d) {
    JsonLine json;
    json.field("severity", d.severity == flags::Severity::error ? "error" : "warning").field("file", d.file);
    if (d.line > 0) json.field("line", d.line);
    if (d.column > 0) json.field("column", d.column);
    json.field("message", d.message);
    if (!d.hint.empty()) json.field("hint", d.hint);
    return json.str();
}

std::string diagnostics_json(const std::vector<flags::Diagnostic>& diagnostics) {
    std::vector<std::string> elements;
    for (const auto& d : diagnostics) elements.push_back(diagnostic_json(d));
    return json_array(elements);
}

std::string json_array(const std::vector<std::string>& elements) {
    std::string out = "[";
    for (const auto& e : elements) out += (out.size() > 1 ? "," : "") + e;
    return out + "]";
}

std::string value_json(const flags::FlagInfo& flag, flags::ValueIndex value) {
    if (flag.is_boolean()) return value != 0 ? "true" : "false";
    return json_quoted(flag.value_name(value));
}

std::string date_text(flags::Date date) { return flags::registry::format_date(date); }

std::string percent_text(unsigned basis_points) {
    std::string text = fmt::format("{}.{:02}", basis_points / 100, basis_points % 100);
    while (text.back() == '0') text.pop_back();
    if (text.back() == '.') text.pop_back();
    return text + "%";
}

std::string counted(std::size_t count, std::string_view noun) {
    return fmt::format("{} {}{}", count, noun, count == 1 ? "" : "s");
}

void Table::print(std::ostream& out) const {
    std::vector<std::size_t> widths;
    for (const auto& row : rows_) {
        widths.resize(std::max(widths.size(), row.size()), 0);
        for (std::size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], row[c].size());
    }
    for (const auto& row : rows_) {
        std::string line;
        for (std::size_t c = 0; c < row.size(); ++c) {
            line += row[c];
            if (c + 1 < row.size()) line += std::string(widths[c] - row[c].size() + 2, ' ');
        }
        while (!line.empty() && line.back() == ' ') line.pop_back();
        out << line << '\n';
    }
}

}  // namespace flagctl
