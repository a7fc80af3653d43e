#include "input_limits.hpp"

#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

namespace flags::internal {
namespace {

constexpr std::string_view limits_hint = "a real flag file is far below this; raise RuntimeOptions::limits if not";

class LimitWalk {
public:
    LimitWalk(const Limits& limits, Reporter& report) : limits_(limits), report_(report) {}

    // The root: its [flags] table is walked entry by entry, so that the counts of entries and of each
    // flag's rules are checked in the same walk as every value, not in a second walk of the tree.
    void visit_root(const toml::table& root) {
        for (auto&& [key, value] : root) {
            if (!check_key(key)) continue;
            const auto* flags = key.str() == "flags" ? value.as_table() : nullptr;
            if (!flags) {
                visit(value, 1);
                continue;
            }
            const bool nested_within = within_nesting(*flags, 1);
            if (flags->size() > limits_.max_flag_entries)
                counts_.emplace_back(flags->source(), fmt::format("{} flag entries; the limit is {}", flags->size(),
                                                                  limits_.max_flag_entries));
            for (auto&& [name, entry] : *flags) {
                if (nested_within && check_key(name)) visit(entry, 2);
                check_rules(name, entry);
            }
        }
    }

    // toml++ itself refuses nesting past 256 levels, so this recursion is bounded.
    void visit(const toml::node& node, std::size_t depth) {
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

    bool within_nesting(const toml::node& node, std::size_t depth) {
        if (depth <= limits_.max_nesting) return true;
        fail(node.source(), fmt::format("values are nested {} deep; the limit is {}", depth, limits_.max_nesting));
        return false;
    }

    bool check_key(const toml::key& key) {
        if (key.str().size() <= limits_.max_string_bytes) return true;
        fail(key.source(), fmt::format("a key of {} bytes; the limit is {}", key.str().size(), limits_.max_string_bytes));
        return false;
    }

    void check_rules(const toml::key& name, const toml::node& entry) {
        const auto* table = entry.as_table();
        const auto* rules = table ? table->get_as<toml::array>("rules") : nullptr;
        if (rules && rules->size() > limits_.max_rules_per_flag)
            counts_.emplace_back(rules->source(), fmt::format("flag '{}' has {} rules; the limit is {}", name.str(),
                                                              rules->size(), limits_.max_rules_per_flag));
    }

    // The counts are reported after every value's problems, as a walk of their own would find them.
    void report_counts() {
        for (auto& [where, message] : counts_) fail(where, std::move(message));
    }

    bool ok() const { return ok_; }

private:
    void fail(const toml::source_region& where, std::string message) {
        ok_ = false;
        report_.error(where, std::move(message), std::string(limits_hint));
    }

    const Limits& limits_;
    Reporter& report_;
    std::vector<std::pair<toml::source_region, std::string>> counts_;
    bool ok_ = true;
};

}  // namespace

std::string file_size_problem(std::uintmax_t bytes, std::size_t max_bytes) {
    if (bytes <= max_bytes) return {};
    return fmt::format("the file is {} bytes; the limit is {}", bytes, max_bytes);
}

bool within_limits(const toml::table& root, const Limits& limits, Reporter& report) {
    LimitWalk walk(limits, report);
    walk.visit_root(root);
    walk.report_counts();
    return walk.ok();
}

}  // namespace flags::internal
