#include "toml_input.hpp"

#include "visible_text.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "regular_file.hpp"

#include <cerrno>
#include <cstring>

namespace flags::internal {

std::string one_line(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (unsigned char c : text) {
        if (c == '\n') out += "\\n";
        else if (c == '\r') out += "\\r";
        else if (c == '\t') out += "\\t";
        else if (c < 0x20 || c == 0x7f) out += fmt::format("\\x{:02x}", c);
        else out += static_cast<char>(c);
    }
    // Bidirectional controls and invisible characters would make the line say something else than
    // the file holds.
    return terminal_safe(out, false);
}

void Reporter::add(Severity severity, const toml::source_region& where, std::string message, std::string hint) {
    if (out_.size() > max_diagnostics) {
        // The closing line says whether an error was among those left out, so that failed() holds.
        if (severity == Severity::error) out_.back().severity = Severity::error;
        return;
    }
    if (out_.size() == max_diagnostics) {
        out_.push_back(Diagnostic{.severity = severity,
                                  .file = where.path ? *where.path : std::string{},
                                  .message = fmt::format("more than {} problems; the rest are not listed",
                                                         max_diagnostics),
                                  .hint = "fix those listed and load the file again"});
        return;
    }
    out_.push_back(Diagnostic{.severity = severity,
                              .file = where.path ? *where.path : std::string{},
                              .line = static_cast<int>(where.begin.line),
                              .column = static_cast<int>(where.begin.column),
                              .message = one_line(message),
                              .hint = one_line(hint)});
}

void Reporter::error(const toml::source_region& where, std::string message, std::string hint) {
    add(Severity::error, where, std::move(message), std::move(hint));
}

void Reporter::warning(const toml::source_region& where, std::string message, std::string hint) {
    add(Severity::warning, where, std::move(message), std::move(hint));
}

void Reporter::error_in_file(std::string file, std::string message, std::string hint) {
    out_.push_back(Diagnostic{.severity = Severity::error, .file = std::move(file), .message = std::move(message),
                              .hint = std::move(hint)});
}

bool Reporter::failed() const noexcept { return has_errors(out_); }

std::optional<std::string> read_text_file(const std::filesystem::path& path, const std::string& display,
                                          Reporter& report, std::size_t max_bytes) {
    std::string text, problem;
    switch (read_regular_file(path, max_bytes, text, problem)) {
    case FileRead::ok: return text;
    case FileRead::missing:
        report.error_in_file(display, "cannot read the file: " + problem, "check that the path exists and is readable");
        break;
    case FileRead::refused:
        report.error_in_file(display, "cannot read the file: " + one_line(problem),
                             problem.starts_with("the file is ") ? "a flag file is far smaller: check that the path names the right file"
                                                                 : "name a regular file, not a directory, FIFO or device");
        break;
    }
    return std::nullopt;
}

namespace {

// The line `line` (1-based) of `text`, without its line break.
std::string_view line_of(std::string_view text, std::size_t line) {
    std::size_t start = 0;
    for (std::size_t n = 1; n < line && start != std::string_view::npos; ++n) {
        start = text.find('\n', start);
        if (start != std::string_view::npos) ++start;
    }
    if (start == std::string_view::npos || start > text.size()) return {};
    const auto end = text.find('\n', start);
    return text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
}

bool is_bare_key_char(char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

// The key of the key-value pair whose value starts at `column` of `line`, as the file writes it
// (quotes and dots included), found by walking back from the '=': keys never span lines.
std::string key_written_before(std::string_view line, std::size_t column) {
    std::size_t end = std::min(line.size(), column > 0 ? column - 1 : 0);
    const auto skip_blanks = [&] {
        while (end > 0 && (line[end - 1] == ' ' || line[end - 1] == '\t')) --end;
    };
    skip_blanks();
    if (end == 0 || line[end - 1] != '=') return {};
    --end;
    skip_blanks();
    const std::size_t key_end = end;
    while (end > 0) {
        const char last = line[end - 1];
        if (last == '"' || last == '\'') {
            // The opening quote: for a basic string, one not escaped by an odd run of backslashes.
            std::size_t open = end - 1;
            for (;;) {
                open = open == 0 ? std::string_view::npos : line.rfind(last, open - 1);
                if (open == std::string_view::npos) return {};
                std::size_t slashes = 0;
                while (last == '"' && open > slashes && line[open - 1 - slashes] == '\\') ++slashes;
                if (slashes % 2 == 0) break;
            }
            end = open;
        } else if (is_bare_key_char(last)) {
            while (end > 0 && is_bare_key_char(line[end - 1])) --end;
        } else {
            return {};
        }
        std::size_t before = end;
        while (before > 0 && (line[before - 1] == ' ' || line[before - 1] == '\t')) --before;
        if (before == 0 || line[before - 1] != '.') break;
        end = before - 1;
        skip_blanks();
    }
    return std::string(line.substr(end, key_end - end));
}

// toml++ words its messages "Error while parsing value: ...", which reads badly after "error:", and
// may quote a raw newline, which would break the one-line "file:line:col:" form.
std::string describe_parse_error(std::string_view description, std::string_view text,
                                 const toml::source_position& where) {
    // toml++ 3.3 garbles keys in these messages (it repeats parts of a quoted or dotted key), so
    // they are rewritten from the file's own text.
    if (description.find("cannot redefine existing table") != std::string_view::npos)
        return "invalid TOML: this table is already defined earlier in the file";
    constexpr std::string_view redefined = "cannot redefine existing ";
    if (const auto at = description.find(redefined);
        at != std::string_view::npos && description.find("as dotted key-value pair") == std::string_view::npos) {
        const auto type_begin = at + redefined.size();
        const auto type = description.substr(type_begin, description.find(' ', type_begin) - type_begin);
        const auto key = key_written_before(line_of(text, where.line), where.column);
        if (key.empty())
            return fmt::format("invalid TOML key-value pair: this key is already defined as {} in its table", type);
        return fmt::format("invalid TOML key-value pair: cannot redefine existing {} {}", type, in_quotes(key));
    }
    std::string message(description);
    constexpr std::string_view prefix = "Error while parsing ";
    if (message.starts_with(prefix)) {
        message = "invalid TOML " + message.substr(prefix.size());
    } else {
        if (!message.empty() && message.front() >= 'A' && message.front() <= 'Z') message.front() += 'a' - 'A';
        message = "invalid TOML: " + message;
    }
    return message;  // made one line, as every message is, by the Reporter
}

std::string parse_error_hint(std::string_view description) {
    if (description.find("cannot redefine existing table") != std::string_view::npos)
        return "merge the two sections into one";
    if (description.find("cannot redefine existing ") != std::string_view::npos &&
        description.find("as dotted key-value pair") == std::string_view::npos)
        return "keep one of the two definitions of this key";
    return "fix the TOML syntax at this position";
}

}  // namespace

std::optional<toml::table> parse_toml(std::string_view text, const std::string& display, Reporter& report) {
    // TOML has no place for a NUL byte, and toml++'s own message would be cut short at it.
    if (const auto nul = text.find('\0'); nul != std::string_view::npos) {
        const auto before = text.substr(0, nul);
        const auto line = static_cast<std::uint32_t>(std::count(before.begin(), before.end(), '\n') + 1);
        const auto line_start = before.rfind('\n');
        const auto column = static_cast<std::uint32_t>(nul - (line_start == std::string_view::npos ? 0 : line_start + 1) + 1);
        report.error(toml::source_region{.begin = {line, column}, .end = {line, column},
                                         .path = std::make_shared<const std::string>(display)},
                     "the file holds a NUL byte: it is binary data, not TOML",
                     "check that the deployed file is the runtime file, and not truncated or corrupted");
        return std::nullopt;
    }
    try {
        return toml::parse(text, display);
    } catch (const toml::parse_error& e) {
        report.error(e.source(), describe_parse_error(e.description(), text, e.source().begin),
                     parse_error_hint(e.description()));
        return std::nullopt;
    }
}

std::string_view describe_type(const toml::node& node) noexcept {
    switch (node.type()) {
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a number";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::date: return "a date";
    case toml::node_type::time: return "a time";
    case toml::node_type::date_time: return "a date-time";
    case toml::node_type::array: return "an array";
    case toml::node_type::table: return "a table";
    default: return "nothing";
    }
}

// Built by appending: GCC 12 warns falsely (-Wrestrict) about the same written as a concatenation.
std::string in_quotes(std::string_view text) {
    std::string out;
    out.reserve(text.size() + 2);
    out += '\'';
    out += text;
    out += '\'';
    return out;
}

}  // namespace flags::internal
