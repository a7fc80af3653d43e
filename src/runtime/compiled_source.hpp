// What the loader compiled, described for tools: where each flag's entry is written, the shape it
// was compiled from, each rule's place and text, and every condition's attribute, operator and
// values. flagctl shows these instead of reading the runtime schema a second time. Built only when a
// tool asks compile_runtime for it: a service's snapshot never holds it.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include <flags/registry_types.hpp>

namespace flags::internal {

// A place in a runtime file: the file as messages name it, and a 1-based line and column.
struct SourcePlace {
    std::string file{};
    int line = 0;
    int column = 0;
};

// What an entry or a rule serves, as written. Percentages are in basis points (25% is 2500).
struct OutcomeSource {
    std::optional<std::string> value;  // "true", "false" or a variant
    std::optional<unsigned> rollout;
    std::vector<std::pair<std::string, unsigned>> split;  // variant, weight; in the file's order

    // Serves true to everyone who reaches it: `value = true` or `rollout = 100`.
    bool serves_true() const { return value ? *value == "true" : rollout == 10'000u; }
};

struct ConditionSource {
    std::string attribute{};  // empty for a segment condition
    std::string op{};         // the operator's key, or "segment"
    std::vector<std::string> values{};  // the operand's strings and numbers, as text
};

struct RuleSource {
    SourcePlace place{};
    std::string text{};  // the rule as written, on one line
    OutcomeSource outcome{};
    std::vector<ConditionSource> conditions{};  // its `when` list, in the file's order
};

struct EntrySource {
    std::string flag{};
    SourcePlace place{};  // of its [flags."name"] header
    bool from_override = false;
    bool registered = true;  // false: the registry lacks the flag, and the entry was not compiled
    bool off = false;
    OutcomeSource outcome{};
    std::vector<RuleSource> rules{};
    std::vector<std::string> required{};  // the flags named in `requires`
    bool has_requires = false;            // even an empty `requires` is a condition of the entry
    std::string bucket_by = "user";
    std::optional<std::string> salt{};
    std::optional<Date> since{};
    // Canonical text (layout, comments and key order aside) of the whole entry without `since`, and
    // of its `rules` and `requires`, so that two versions can be compared for what they mean.
    std::string canonical{}, canonical_rules{}, canonical_requires{};

    // Serves true to everyone: not off, no prerequisite, and its own outcome and every rule's true.
    bool fully_on() const;
};

struct SegmentSource {
    std::string name{};
    std::string canonical{};
};

// The nodes of an entry's keys, as the loader found them; null when the entry lacks the key.
struct EntryNodes {
    const toml::node *off = nullptr, *value = nullptr, *rollout = nullptr, *split = nullptr;
    const toml::node *requires_node = nullptr, *bucket_by = nullptr, *salt = nullptr, *since = nullptr;
    const toml::node* rules = nullptr;
};

class SourceMap {
public:
    // Every entry of every file, registered or not, in the order of the files and their lines.
    const std::vector<EntrySource>& entries() const { return entries_; }
    // The entry in effect for `flag`: the override file's when it has one, else the base's.
    const EntrySource* entry(std::string_view flag) const;
    // Canonical text of segment `name`; empty when no file defines it.
    std::string segment(std::string_view name) const;
    // Every condition of every segment and compiled rule.
    const std::vector<ConditionSource>& conditions() const { return conditions_; }

    // Called by the loader as it reads. `text` is the file's whole text, for the rules' own text.
    void add_file(std::string display, std::string text);
    EntrySource& add_entry(std::string flag, const toml::source_region& where, int layer, bool registered);
    void describe_entry(EntrySource& entry, const toml::table& table, const EntryNodes& nodes);
    // A rule of `entry`; the conditions added after it, until the next rule or end_rules(), are its own.
    void add_rule(EntrySource& entry, const toml::node& rule, const toml::node* value, const toml::node* rollout,
                  const toml::node* split);
    void end_rules() { open_rule_ = nullptr; }
    void add_segment(std::string_view name, const toml::node& conditions);
    // A condition of the rule being read, or of a segment's list when `in_segment`.
    void add_condition(std::string_view attribute, std::string_view op, const toml::node* operand, bool in_segment);
    // Sorts the entries by file and line once every file is read.
    void finish();

private:
    struct File {
        std::string display, text;
    };
    std::vector<File> files_;
    std::vector<EntrySource> entries_;
    std::vector<SegmentSource> segments_;
    std::vector<ConditionSource> conditions_;
    RuleSource* open_rule_ = nullptr;
};

// The outcome an entry's or a rule's value, rollout and split nodes describe (each may be null).
OutcomeSource describe_outcome(const toml::node* value, const toml::node* rollout, const toml::node* split);

}  // namespace flags::internal
