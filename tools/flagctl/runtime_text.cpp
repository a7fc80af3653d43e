#include "runtime_text.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include <fmt/format.h>

#include "output.hpp"
#include "runtime/source_files.hpp"
#include "engine.hpp"
#include "toml_input.hpp"

namespace flagctl {
namespace {

// toml++ counts columns in characters; the text is UTF-8. Returns the byte offset of `column` (1-based).
std::size_t byte_offset(std::string_view line, std::size_t column) {
    std::size_t characters = 1;
    for (std::size_t i = 0; i < line.size(); ++i) {
        if ((static_cast<unsigned char>(line[i]) & 0xC0) == 0x80) continue;  // a continuation byte
        if (characters++ == column) return i;
    }
    return line.size();
}

std::vector<std::string_view> lines_of(std::string_view text) {
    std::vector<std::string_view> lines;
    while (!text.empty()) {
        const auto end = text.find('\n');
        lines.push_back(text.substr(0, end));
        if (end == std::string_view::npos) break;
        text.remove_prefix(end + 1);
    }
    return lines;
}

// The text a node spans, on one line: a value that runs over several lines has its line breaks and
// indentation folded into single spaces.
std::string text_of(std::string_view file_text, const toml::source_region& where) {
    const auto lines = lines_of(file_text);
    if (where.begin.line == 0 || where.begin.line > lines.size()) return {};
    std::string out;
    for (auto line = where.begin.line; line <= std::min<std::size_t>(where.end.line, lines.size()); ++line) {
        std::string_view text = lines[line - 1];
        if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
        const std::size_t from = line == where.begin.line ? byte_offset(text, where.begin.column) : 0;
        const std::size_t to = line == where.end.line ? byte_offset(text, where.end.column) : text.size();
        std::string_view piece = text.substr(from, to > from ? to - from : 0);
        if (line != where.begin.line) {
            while (!piece.empty() && (piece.front() == ' ' || piece.front() == '\t')) piece.remove_prefix(1);
            if (!out.empty() && out.back() != ' ' && !piece.empty()) out += ' ';
        }
        out += piece;
    }
    return out;
}

std::optional<unsigned> basis_points(const toml::node* node) {
    if (!node) return std::nullopt;
    // A file from history was never validated: an integer past 2^53 has no double, and a share
    // outside 0..100 is none, so both read as no share rather than as a rounded guess.
    const auto percent = node->value<double>();
    if (!percent || !(*percent >= 0 && *percent <= 100)) return std::nullopt;
    return static_cast<unsigned>(std::lround(*percent * 100));
}

std::string value_text(const toml::node& node) {
    if (const auto* b = node.as_boolean()) return b->get() ? "true" : "false";
    if (const auto* s = node.as_string()) return s->get();
    std::ostringstream out;
    node.visit([&out](const auto& v) { out << v; });
    return out.str();
}

// A rule or entry serves true to everyone who reaches it.
bool serves_true(const toml::table& table) {
    if (const auto* value = table.get("value")) return value->value<bool>() == true;
    return basis_points(table.get("rollout")) == 10'000u;
}

}  // namespace

RuntimeText RuntimeText::read(const std::filesystem::path& base, const std::filesystem::path& override_file) {
    RuntimeText out;
    const auto read = flags::internal::read_sources({.base = base, .override_file = override_file}, reading_options());
    for (const auto& source : read.sources) {
        std::vector<flags::Diagnostic> ignored;  // the engine reports them
        flags::internal::Reporter reporter(ignored);
        if (auto root = flags::internal::parse_toml(source.text, source.display, reporter))
            out.files_.push_back(File{source.display, source.text, source.layer, std::move(*root)});
    }
    out.index_entries();
    return out;
}

RuntimeText RuntimeText::from_text(std::string_view text, std::string display) {
    RuntimeText out;
    std::vector<flags::Diagnostic> ignored;
    flags::internal::Reporter reporter(ignored);
    if (auto root = flags::internal::parse_toml(text, display, reporter))
        out.files_.push_back(File{std::move(display), std::string(text), 0, std::move(*root)});
    out.index_entries();
    return out;
}

void RuntimeText::index_entries() {
    auto& out = entries_;
    for (const auto& file : files_) {
        const auto* flags = file.root.get_as<toml::table>("flags");
        if (!flags) continue;
        for (auto&& [name, node] : *flags) {
            if (const auto* table = node.as_table())
                out.push_back(Entry{.flag = std::string(name.str()),
                                    .file = file.display,
                                    .line = static_cast<int>(name.source().begin.line),
                                    .table = table,
                                    .from_override = file.layer > 0});
        }
    }
    std::stable_sort(out.begin(), out.end(), [](const Entry& a, const Entry& b) {
        return std::tie(a.file, a.line) < std::tie(b.file, b.line);
    });
}

std::optional<Entry> RuntimeText::entry(std::string_view flag) const {
    std::optional<Entry> found;
    for (const auto& e : entries_)
        if (e.flag == flag && (!found || (e.from_override && !found->from_override))) found = e;
    return found;
}

std::optional<SourceText> RuntimeText::rule(std::string_view flag, std::size_t index) const {
    const auto e = entry(flag);
    if (!e) return std::nullopt;
    const auto* rules = e->table->get_as<toml::array>("rules");
    if (!rules || index >= rules->size()) return std::nullopt;
    const auto file = std::ranges::find_if(files_, [&](const File& f) { return f.display == e->file; });
    const auto& where = rules->get(index)->source();
    return SourceText{.file = e->file, .line = static_cast<int>(where.begin.line), .text = text_of(file->text, where)};
}

const toml::array* RuntimeText::segment(std::string_view name) const {
    for (const auto& file : files_)
        if (const auto* segments = file.root.get_as<toml::table>("segments"))
            if (const auto* conditions = segments->get_as<toml::array>(name)) return conditions;
    return nullptr;
}

void RuntimeText::for_each_condition(const std::function<void(const toml::table&)>& visit) const {
    auto each_in = [&](const toml::array* conditions) {
        if (!conditions) return;
        for (const auto& c : *conditions)
            if (const auto* table = c.as_table()) visit(*table);
    };
    for (const auto& file : files_) {
        if (const auto* segments = file.root.get_as<toml::table>("segments"))
            for (auto&& [name, conditions] : *segments) each_in(conditions.as_array());
    }
    for (const auto& e : entries()) {
        if (const auto* rules = e.table->get_as<toml::array>("rules"))
            for (const auto& rule : *rules)
                if (const auto* table = rule.as_table()) each_in(table->get_as<toml::array>("when"));
    }
}

EntryShape shape_of(const toml::table& entry) {
    EntryShape shape;
    shape.off = entry["off"].value_or(false);
    if (const auto* value = entry.get("value")) shape.value = value_text(*value);
    shape.rollout = basis_points(entry.get("rollout"));
    if (const auto* split = entry.get_as<toml::table>("split"))
        for (auto&& [variant, weight] : *split) shape.split.emplace_back(variant.str(), basis_points(&weight).value_or(0));
    if (const auto* rules = entry.get_as<toml::array>("rules")) shape.rules = rules->size();
    if (const auto* required = entry.get_as<toml::table>("requires"))
        for (auto&& [name, value] : *required) shape.required.emplace_back(name.str());
    if (const auto bucket_by = entry["bucket_by"].value<std::string>()) shape.bucket_by = *bucket_by;
    shape.salt = entry["salt"].value<std::string>();
    if (const auto since = entry["since"].value<toml::date>())
        shape.since = flags::Date{std::chrono::year{since->year} / since->month / since->day};
    return shape;
}

bool fully_on(const toml::table& entry) {
    if (entry["off"].value_or(false) || entry.contains("requires") || !serves_true(entry)) return false;
    if (const auto* rules = entry.get_as<toml::array>("rules"))
        for (const auto& rule : *rules)
            if (const auto* table = rule.as_table(); !table || !serves_true(*table)) return false;
    return true;
}

std::string canonical(const toml::table& entry) {
    toml::table copy = entry;
    copy.erase("since");
    std::ostringstream out;
    out << toml::toml_formatter(copy);
    return out.str();
}

}  // namespace flagctl
