#include "input_limits.hpp"

#include <fmt/format.h>

namespace flags::internal {
namespace {

constexpr std::string_view limits_hint = "a real flag file is far below this; raise RuntimeOptions::limits if not";

class LimitWalk {
public:
    LimitWalk(const Limits& limits, Reporter& report) : limits_(limits), report_(report) {}

    // toml++ itself refuses nesting past 256 levels, so this recursion is bounded.
    void visit(const toml::node& node, std::size_t depth) {
        if (depth > limits_.max_nesting) {
            fail(node.source(), fmt::format("values are nested {} deep; the limit is {}", depth, limits_.max_nesting));
            return;
        }
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
            for (auto&& [key, value] : *node.as_table()) {
                if (key.str().size() > limits_.max_string_bytes) {
                    fail(key.source(), fmt::format("a key of {} bytes; the limit is {}", key.str().size(),
                                                   limits_.max_string_bytes));
                    continue;
                }
                visit(value, depth + 1);
            }
        }
    }

    void check_flags(const toml::table& root) {
        const auto* flags = root["flags"].as_table();
        if (!flags) return;
        if (flags->size() > limits_.max_flag_entries)
            fail(flags->source(), fmt::format("{} flag entries; the limit is {}", flags->size(), limits_.max_flag_entries));
        for (auto&& [name, entry] : *flags) {
            const auto* rules = entry.as_table() ? (*entry.as_table())["rules"].as_array() : nullptr;
            if (rules && rules->size() > limits_.max_rules_per_flag)
                fail(rules->source(), fmt::format("flag '{}' has {} rules; the limit is {}", name.str(), rules->size(),
                                                  limits_.max_rules_per_flag));
        }
    }

    bool ok() const { return ok_; }

private:
    void fail(const toml::source_region& where, std::string message) {
        ok_ = false;
        report_.error(where, std::move(message), std::string(limits_hint));
    }

    const Limits& limits_;
    Reporter& report_;
    bool ok_ = true;
};

}  // namespace

bool within_limits(const toml::table& root, const Limits& limits, Reporter& report) {
    LimitWalk walk(limits, report);
    walk.visit(root, 0);
    walk.check_flags(root);
    return walk.ok();
}

}  // namespace flags::internal
