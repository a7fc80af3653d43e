#include "compiled_source.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <sstream>
#include <tuple>

#include <fmt/format.h>

namespace flags::internal {
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

std::string canonical_text(const toml::node* node) {
    if (!node) return {};
    std::ostringstream out;
    node->visit([&out](const auto& v) {
        if constexpr (toml::is_table<decltype(v)> || toml::is_array<decltype(v)>) out << toml::toml_formatter(v);
        else out << v;
    });
    return out.str();
}

// An operand's strings and numbers as text: a number as the shortest text that reads back the same.
std::vector<std::string> operand_values(const toml::node* operand) {
    std::vector<std::string> out;
    auto add = [&out](const toml::node& n) {
        if (const auto* s = n.as_string()) out.push_back(s->get());
        else if (const auto* i = n.as_integer()) out.push_back(std::to_string(i->get()));
        else if (const auto* f = n.as_floating_point()) out.push_back(fmt::format("{}", f->get()));
    };
    if (!operand) return out;
    if (const auto* array = operand->as_array())
        for (const auto& element : *array) add(element);
    else
        add(*operand);
    return out;
}

}  // namespace

OutcomeSource describe_outcome(const toml::node* value, const toml::node* rollout, const toml::node* split) {
    OutcomeSource out;
    if (value) out.value = value_text(*value);
    out.rollout = basis_points(rollout);
    if (const auto* weights = split ? split->as_table() : nullptr)
        for (auto&& [variant, weight] : *weights) out.split.emplace_back(variant.str(), basis_points(&weight).value_or(0));
    return out;
}

bool EntrySource::fully_on() const {
    if (off || has_requires || !outcome.serves_true()) return false;
    return std::ranges::all_of(rules, [](const RuleSource& rule) { return rule.outcome.serves_true(); });
}

const EntrySource* SourceMap::entry(std::string_view flag) const {
    const EntrySource* found = nullptr;
    for (const auto& e : entries_)
        if (e.flag == flag && (!found || (e.from_override && !found->from_override))) found = &e;
    return found;
}

std::string SourceMap::segment(std::string_view name) const {
    const auto found = std::ranges::find(segments_, name, &SegmentSource::name);
    return found == segments_.end() ? std::string{} : found->canonical;
}

void SourceMap::add_file(std::string display, std::string text) {
    files_.push_back(File{std::move(display), std::move(text)});
}

EntrySource& SourceMap::add_entry(std::string flag, const toml::source_region& where, int layer, bool registered) {
    open_rule_ = nullptr;
    return entries_.emplace_back(EntrySource{
        .flag = std::move(flag),
        .place = {.file = where.path ? *where.path : std::string{},
                  .line = static_cast<int>(where.begin.line),
                  .column = static_cast<int>(where.begin.column)},
        .from_override = layer > 0,
        .registered = registered,
    });
}

void SourceMap::describe_entry(EntrySource& entry, const toml::table& table, const EntryNodes& nodes) {
    entry.off = nodes.off && nodes.off->value_or(false);
    entry.outcome = describe_outcome(nodes.value, nodes.rollout, nodes.split);
    entry.has_requires = nodes.requires_node != nullptr;
    if (const auto* required = nodes.requires_node ? nodes.requires_node->as_table() : nullptr)
        for (auto&& [name, value] : *required) entry.required.emplace_back(name.str());
    if (const auto* by = nodes.bucket_by ? nodes.bucket_by->as_string() : nullptr) entry.bucket_by = by->get();
    if (const auto* salt = nodes.salt ? nodes.salt->as_string() : nullptr) entry.salt = salt->get();
    if (const auto* since = nodes.since ? nodes.since->as_date() : nullptr) {
        const auto date = since->get();
        entry.since = Date{std::chrono::year{date.year} / date.month / date.day};
    }
    // Two versions that differ only in `since` serve alike.
    toml::table without_since = table;
    for (auto&& [key, node] : table)
        if (&node == nodes.since) without_since.erase(key.str());
    std::ostringstream canonical;
    canonical << toml::toml_formatter(without_since);
    entry.canonical = canonical.str();
    entry.canonical_rules = canonical_text(nodes.rules);
    entry.canonical_requires = canonical_text(nodes.requires_node);
}

void SourceMap::add_rule(EntrySource& entry, const toml::node& rule, const toml::node* value, const toml::node* rollout,
                         const toml::node* split) {
    const auto& where = rule.source();
    const auto file = std::ranges::find(files_, entry.place.file, &File::display);
    open_rule_ = &entry.rules.emplace_back(RuleSource{
        .place = {.file = entry.place.file,
                  .line = static_cast<int>(where.begin.line),
                  .column = static_cast<int>(where.begin.column)},
        .text = file == files_.end() ? std::string{} : text_of(file->text, where),
        .outcome = describe_outcome(value, rollout, split),
    });
}

void SourceMap::add_segment(std::string_view name, const toml::node& conditions) {
    segments_.push_back(SegmentSource{.name = std::string(name), .canonical = canonical_text(&conditions)});
}

void SourceMap::add_condition(std::string_view attribute, std::string_view op, const toml::node* operand,
                              bool in_segment) {
    ConditionSource condition{.attribute = std::string(attribute), .op = std::string(op), .values = operand_values(operand)};
    if (open_rule_ && !in_segment) open_rule_->conditions.push_back(condition);
    conditions_.push_back(std::move(condition));
}

void SourceMap::finish() {
    open_rule_ = nullptr;
    std::ranges::stable_sort(entries_, {}, [](const EntrySource& e) { return std::tie(e.place.file, e.place.line); });
}

}  // namespace flags::internal
