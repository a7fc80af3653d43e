#include "retire_toml.hpp"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>
#include <stdexcept>

namespace flagctl {
namespace {

// Byte offsets of the lines' starts, so that toml++'s line and column positions become offsets.
class Lines {
public:
    explicit Lines(const std::string& text) : text_(text) {
        starts_.push_back(0);
        for (std::size_t i = 0; i < text.size(); ++i)
            if (text[i] == '\n') starts_.push_back(i + 1);
    }
    std::size_t start(std::size_t line) const { return line == 0 ? 0 : starts_[std::min(line, starts_.size()) - 1]; }
    // Past the newline of `line` (1-based).
    std::size_t after(std::size_t line) const { return line < starts_.size() ? starts_[line] : text_.size(); }
    std::size_t offset(const toml::source_position& p) const { return start(p.line) + p.column - 1; }
    std::string_view line(std::size_t n) const { return std::string_view(text_).substr(start(n), after(n) - start(n)); }
    std::size_t count() const { return starts_.size(); }

private:
    const std::string& text_;
    std::vector<std::size_t> starts_;
};

bool blank(std::string_view line) { return line.find_first_not_of(" \t\r\n") == std::string_view::npos; }
bool comment(std::string_view line) {
    const auto i = line.find_first_not_of(" \t");
    return i != std::string_view::npos && line[i] == '#';
}

void last_line_of(const toml::node& node, std::size_t& last) {
    last = std::max<std::size_t>(last, node.source().end.line);
    if (const auto* t = node.as_table())
        for (auto&& [key, child] : *t) {
            last = std::max<std::size_t>(last, key.source().end.line);
            last_line_of(child, last);
        }
    if (const auto* a = node.as_array())
        for (const auto& child : *a) last_line_of(child, last);
}

// The lines [first, last] of the table, grown by the comment lines right above it and the blank
// lines after it (or, at the end of the file, the blank lines before it).
TextEdit table_removal(const Lines& lines, const toml::table& table) {
    std::size_t first = table.source().begin.line, last = first;
    last_line_of(table, last);
    while (first > 1 && comment(lines.line(first - 1))) --first;
    std::size_t after = last;
    while (after < lines.count() && after + 1 <= lines.count() && blank(lines.line(after + 1)) &&
           lines.after(after) < lines.after(after + 1))
        ++after;
    if (lines.after(after) >= lines.after(lines.count()))
        while (first > 1 && blank(lines.line(first - 1))) --first;
    return TextEdit{lines.start(first), lines.after(after), ""};
}

std::string value_name(const toml::node& value) {
    if (const auto* b = value.as_boolean()) return b->get() ? "true" : "false";
    if (const auto* s = value.as_string()) return s->get();
    return "";
}

// `"flag" = value` out of a requires table: the whole key line when it is the table's only entry,
// else the pair and the comma that joins it to its neighbour.
TextEdit requirement_removal(const Lines& lines, const std::string& text, const toml::key& requires_key,
                             const toml::table& requires_table, const toml::key& key, const toml::node& value) {
    if (requires_table.size() == 1) {
        std::size_t last = requires_table.source().end.line;
        last_line_of(requires_table, last);
        return TextEdit{lines.start(requires_key.source().begin.line), lines.after(last), ""};
    }
    auto begin = lines.offset(key.source().begin);
    auto end = lines.offset(value.source().end);
    auto after = end;
    while (after < text.size() && (text[after] == ' ' || text[after] == '\t')) ++after;
    if (after < text.size() && text[after] == ',') {
        ++after;
        while (after < text.size() && (text[after] == ' ' || text[after] == '\t')) ++after;
        return TextEdit{begin, after, ""};
    }
    auto before = begin;
    while (before > 0 && (text[before - 1] == ' ' || text[before - 1] == '\t')) --before;
    if (before > 0 && text[before - 1] == ',') begin = before - 1;
    return TextEdit{begin, end, ""};
}

}  // namespace

TomlRetire retire_in_toml(const std::string& text, const std::string& path, const std::string& flag,
                          const std::string& keep_name) {
    toml::table root;
    try {
        root = toml::parse(text, path);
    } catch (const toml::parse_error& e) {
        throw std::runtime_error(fmt::format("{}:{}: {}", path, e.source().begin.line, e.description()));
    }
    TomlRetire out;
    const Lines lines(text);
    const auto* flags = root.get_as<toml::table>("flags");
    if (!flags) return out;
    if (const auto* table = flags->get_as<toml::table>(flag)) {
        out.edits.push_back(table_removal(lines, *table));
        out.had_table = true;
    }
    for (auto&& [name, entry] : *flags) {
        const auto* entry_table = entry.as_table();
        if (!entry_table || name.str() == flag) continue;
        for (auto&& [requires_key, requires_node] : *entry_table) {
            const auto* requires_table = requires_node.as_table();
            if (requires_key.str() != "requires" || !requires_table) continue;
            for (auto&& [key, expected] : *requires_table) {
                if (key.str() != flag) continue;
                const auto line = static_cast<int>(key.source().begin.line);
                if (value_name(expected) == keep_name) {
                    out.edits.push_back(requirement_removal(lines, text, requires_key, *requires_table, key, expected));
                    continue;
                }
                out.notes.push_back(TomlNote{
                    line, fmt::format("{} requires {} = {}, but it keeps {}: {} would be off for everyone",
                                      name.str(), flag, value_name(expected), keep_name, name.str())});
            }
        }
    }
    return out;
}

}  // namespace flagctl
