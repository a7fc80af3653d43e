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

// The lines [first, last] of the table and its sub-tables, grown by the blank lines after it (or, at
// the end of the file, the blank lines before it). Comments above it stay: they may be the file's.
TextEdit table_removal(const Lines& lines, const toml::table& table) {
    std::size_t first = table.source().begin.line, last = first;
    last_line_of(table, last);
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

// Whether the key starts its own line, perhaps after a dotted prefix (`requires."flag" = true`, or a
// line of a [flags."x".requires] table), rather than sitting inside an inline table.
bool on_its_own_line(const Lines& lines, const std::string& text, const toml::key& key) {
    const auto line_start = lines.start(key.source().begin.line);
    const auto prefix = std::string_view(text).substr(line_start, lines.offset(key.source().begin) - line_start);
    return prefix.find_first_of("{,=") == std::string_view::npos;
}

// `"flag" = value` out of an inline requires table: the pair and the comma that joins it to its
// neighbour.
TextEdit inline_pair_removal(const Lines& lines, const std::string& text, const toml::key& key,
                             const toml::node& value) {
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

// The requirement `flag = value` out of a flag's requires, in any of TOML's spellings: a line of its
// own (dotted key or [flags."x".requires] table) goes whole, with the table's header when it was the
// only entry; an inline table loses the pair, or the whole `requires = {...}` when it was the only one.
TextEdit requirement_removal(const Lines& lines, const std::string& text, const toml::key& requires_key,
                             const toml::table& requires_table, const toml::key& key, const toml::node& value) {
    const bool own_line = on_its_own_line(lines, text, key);
    if (own_line) {
        std::size_t first = key.source().begin.line, last = first;
        last_line_of(value, last);
        const auto header = requires_key.source().begin.line;
        if (requires_table.size() == 1 && header > 0 && header < first &&
            lines.line(header).find('[') != std::string_view::npos)
            first = header;
        return TextEdit{lines.start(first), lines.after(last), ""};
    }
    if (requires_table.size() == 1) {
        std::size_t last = requires_table.source().end.line;
        last_line_of(requires_table, last);
        return TextEdit{lines.start(requires_key.source().begin.line), lines.after(last), ""};
    }
    return inline_pair_removal(lines, text, key, value);
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
