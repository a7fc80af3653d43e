// Reading TOML input and reporting problems in it at their source position. Shared by the registry
// and runtime loaders so both speak in the same "file:line:col: error: ..." voice.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include <flags/diagnostic.hpp>

namespace flags::internal {

// Collects diagnostics. Past max_diagnostics in one list, a last line says how it ends, and the rest are
// counted out: a file of a million mistakes must not cost a million messages of memory.
class Reporter {
public:
    static constexpr std::size_t max_diagnostics = 1'000;

    explicit Reporter(std::vector<Diagnostic>& out) : out_(out) {}

    void error(const toml::source_region& where, std::string message, std::string hint = {});
    void warning(const toml::source_region& where, std::string message, std::string hint = {});
    void error_in_file(std::string file, std::string message, std::string hint = {});
    bool failed() const noexcept;

private:
    void add(Severity severity, const toml::source_region& where, std::string message, std::string hint);
    std::vector<Diagnostic>& out_;
};

// The whole file as text, or nullopt with an error naming why it could not be read: it must be a
// regular file of at most `max_bytes` (regular_file.hpp).
std::optional<std::string> read_text_file(const std::filesystem::path& path, const std::string& display,
                                          Reporter& report, std::size_t max_bytes);

// Parses `text`; a syntax error becomes a diagnostic at its position. `display` names the file in
// every message about it.
std::optional<toml::table> parse_toml(std::string_view text, const std::string& display, Reporter& report);

// How a TOML value is called in messages ("a string", "an integer", ...).
std::string_view describe_type(const toml::node& node) noexcept;

// A message quotes what a file holds, which may contain a newline or other control characters;
// escaped, every diagnostic stays one "file:line:col: ..." line, and one JSON log line.
std::string one_line(std::string_view text);

// `key` of the table, quoted as the file would quote it in messages.
std::string in_quotes(std::string_view text);

}  // namespace flags::internal
