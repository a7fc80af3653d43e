#include "input_limits.hpp"

#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

namespace flags::internal {

constexpr std::string_view limits_hint = "a real flag file is far below this; raise RuntimeOptions::limits if not";

std::string file_size_problem(std::uintmax_t bytes, std::size_t max_bytes) {
    if (bytes <= max_bytes) return {};
    return fmt::format("the file is {} bytes; the limit is {}", bytes, max_bytes);
}

// The root's [flags] table is only looked at here, not walked: its entries are checked one by one by
// check_entry. The problems of keys before it in the root go before theirs, those of keys after it after.
void LimitCheck::check_file(const toml::table& root) {
    File& file = files_.emplace_back();
    into_ = &file.before;
    for (auto&& [key, value] : root) {
        if (!check_key(key)) continue;
        const auto* flags = key.str() == "flags" ? value.as_table() : nullptr;
        if (!flags) {
            visit(value, 1);
            continue;
        }
        file.entries_checked = true;
        file.entries_nested = within_nesting(*flags, 1);
        if (flags->size() > limits_.max_flag_entries)
            fail_count(file, flags->source(),
                       fmt::format("{} flag entries; the limit is {}", flags->size(), limits_.max_flag_entries));
        into_ = &file.after;
    }
    into_ = nullptr;
}

void LimitCheck::check_entry(std::size_t number, const toml::key& name, const toml::node& entry) {
    File& file = files_[number];
    if (!file.entries_checked) return;
    into_ = &file.entries;
    const auto* table = entry.as_table();
    const toml::array* rules = nullptr;
    if (!table) {
        if (file.entries_nested && check_key(name)) visit(entry, 2);
    } else if (!(file.entries_nested && check_key(name) && within_nesting(*table, 2))) {
        rules = table->get_as<toml::array>("rules");
    } else {
        // The entry's own keys walked here, as visit() would, so that its rules are found on the way
        // rather than by a look-up in its table.
        for (auto&& [key, value] : *table) {
            if (key.str() == "rules") rules = value.as_array();
            if (check_key(key)) visit(value, 3);
        }
    }
    check_rules(file, name, rules);
    into_ = nullptr;
}

// toml++ itself refuses nesting past 256 levels, so this recursion is bounded.
void LimitCheck::visit(const toml::node& node, std::size_t depth) {
    if (!within_nesting(node, depth)) return;
    // One virtual call for the kind, rather than one per kind tried: the walk visits every value.
    const auto type = node.type();
    if (type == toml::node_type::string) {
        const auto& s = node.as_string()->get();
        if (s.size() > limits_.max_string_bytes)
            fail(node.source(), fmt::format("a string of {} bytes; the limit is {}", s.size(), limits_.max_string_bytes));
    } else if (type == toml::node_type::array) {
        const auto* array = node.as_array();
        if (array->size() > limits_.max_array_elements) {
            fail(node.source(), fmt::format("an array of {} elements; the limit is {}", array->size(),
                                            limits_.max_array_elements));
            return;
        }
        for (const auto& element : *array) visit(element, depth + 1);
    } else if (type == toml::node_type::table) {
        for (auto&& [key, value] : *node.as_table())
            if (check_key(key)) visit(value, depth + 1);
    }
}

bool LimitCheck::within_nesting(const toml::node& node, std::size_t depth) {
    if (depth <= limits_.max_nesting) return true;
    fail(node.source(), fmt::format("values are nested {} deep; the limit is {}", depth, limits_.max_nesting));
    return false;
}

bool LimitCheck::check_key(const toml::key& key) {
    if (key.str().size() <= limits_.max_string_bytes) return true;
    fail(key.source(), fmt::format("a key of {} bytes; the limit is {}", key.str().size(), limits_.max_string_bytes));
    return false;
}

// Counted with the entry, and reported after every value's problems, as a walk of their own would find them.
void LimitCheck::check_rules(File& file, const toml::key& name, const toml::array* rules) {
    if (rules && rules->size() > limits_.max_rules_per_flag)
        fail_count(file, rules->source(),
                   fmt::format("flag '{}' has {} rules; the limit is {}", name.str(), rules->size(),
                               limits_.max_rules_per_flag));
}

void LimitCheck::fail(const toml::source_region& where, std::string message) {
    ok_ = false;
    into_->push_back(Problem{where, std::move(message)});
}

void LimitCheck::fail_count(File& file, const toml::source_region& where, std::string message) {
    ok_ = false;
    file.counts.push_back(Problem{where, std::move(message)});
}

bool LimitCheck::report(Reporter& report) const {
    for (const auto& file : files_)
        for (const auto* problems : {&file.before, &file.entries, &file.after, &file.counts})
            for (const auto& problem : *problems) report.error(problem.where, problem.message, std::string(limits_hint));
    return ok_;
}

}  // namespace flags::internal
