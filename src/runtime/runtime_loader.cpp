#include "runtime_loader.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <span>
#include <tuple>

#include <fmt/format.h>

#include <flags/bucketing.hpp>

#include "../registry/names.hpp"
#include "../toml_input.hpp"
#include "../visible_text.hpp"
#include "compiled_source.hpp"
#include "condition_operators.hpp"
#include "evaluation_cost.hpp"
#include "flag_index.hpp"
#include "input_limits.hpp"
#include "targeting_plan.hpp"
#include "text_budget.hpp"

namespace flags::internal {
namespace {

constexpr std::array<std::string_view, 3> top_level_keys = {"schema", "segments", "flags"};
constexpr std::array<std::string_view, 4> rule_keys = {"when", "value", "rollout", "split"};

bool is_one_of(std::span<const std::string_view> keys, std::string_view key) noexcept {
    return std::ranges::find(keys, key) != keys.end();
}

// The keys in alphabetical order, for a hint.
std::string list_of(std::span<const std::string_view> keys) {
    std::vector<std::string_view> sorted(keys.begin(), keys.end());
    std::ranges::sort(sorted);
    std::string out;
    for (auto k : sorted) out += (out.empty() ? "" : ", ") + std::string(k);
    return out;
}

// Entries for unregistered flags named one by one, with a suggestion each; the rest are counted.
constexpr std::size_t listed_unknown_flags = 20;

bool is_attribute_name(std::string_view name) noexcept {
    if (name.empty() || name.size() > 128) return false;
    for (char c : name)
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
              c == '.'))
            return false;
    return true;
}

// Compiles all sources into one CompiledRules, collecting every problem before giving up.
class Compiler {
public:
    Compiler(const RegistryView& registry, std::vector<Diagnostic>& diagnostics, SourceMap* described = nullptr,
             const RegistryTables* tables = nullptr)
        : described_(described), registry_(registry), tables_(tables ? *tables : own_tables_.emplace(registry)),
          report_(diagnostics), rules_(std::make_shared<CompiledRules>()), intern_(rules_->strings),
          declared_(registry.flags.size()) {
        // Each program written once, not default-made and then overwritten.
        programs_.reserve(registry.flags.size());
        for (std::size_t i = 0; i < registry.flags.size(); ++i) programs_.push_back(blank_program(i));
    }

    void read_header(const toml::table& root);
    void read_segments(const toml::table& root);
    void read_flags(toml::table& root, std::uint32_t file, int layer, LimitCheck& limits);
    bool check_prerequisite_cycles();
    void check_unused_segments();
    void check_evaluation_costs(const Limits& limits);
    void report_unlisted_unknown_flags();
    bool failed() const { return report_.failed(); }

    // Only an accepted file gets here: the text automata, the one costly part of compiling, are built
    // last, so that refusing a file never pays for them.
    CompiledFile finish(std::uint64_t content_hash) {
        for (auto& matcher : rules_->matchers) matcher.build();
        plan_remembering(*rules_, programs_);
        return CompiledFile{.rules = std::move(rules_), .flags = std::move(programs_), .content_hash = content_hash};
    }

    // A key of a flag's table and its reader, called with the key's node, or null when the table lacks
    // it, and with all the entry's keys (so that a reader of several keys sees them all).
    static constexpr std::size_t flag_key_count = 9;
    using EntryKeys = std::array<const toml::node*, flag_key_count>;  // by row of flag_keys
    struct FlagKey {
        std::string_view name;
        void (Compiler::*read)(std::size_t flag, const toml::node* node, const EntryKeys& keys);
    };
    static const std::array<FlagKey, flag_key_count> flag_keys;

private:
    struct SegmentSource {
        const toml::array* conditions = nullptr;
        std::uint32_t begin = 0, count = 0;
        std::uint32_t number = 0;
        bool compiled = false;
    };

    bool compile_segment(SegmentSource& segment);

    std::optional<Subject> read_subject(const toml::node& node, std::string_view what);
    std::optional<Condition> read_condition(const toml::node& node, bool inside_segment);
    std::optional<Condition> read_segment_condition(const toml::table& table, const toml::node& segment,
                                                    bool inside_segment);
    bool find_condition_operator(const toml::table& table, const OperatorSpec*& spec, const toml::node*& operand);
    bool read_conditions(const toml::array& array, bool inside_segment, std::uint32_t& begin, std::uint32_t& count);
    // What a flag or a rule serves: one of these three keys.
    struct OutcomeKeys {
        const toml::node* value = nullptr;
        const toml::node* rollout = nullptr;
        const toml::node* split = nullptr;
        bool any() const noexcept { return value || rollout || split; }
    };
    std::optional<Outcome> read_outcome(const OutcomeKeys& keys, std::size_t flag);
    bool read_rollout(const toml::node& rollout, std::size_t flag);
    bool read_split(const toml::node& split, std::size_t flag);
    std::optional<ValueIndex> read_value(const toml::node& node, std::size_t flag, std::string_view required_by = {});
    std::optional<std::uint16_t> read_percent(const toml::node& node, std::string_view variant = {});
    void read_flag(std::size_t flag, const toml::table& table);
    void read_off(std::size_t flag, const toml::node* node, const EntryKeys& keys);
    void read_bucket_by(std::size_t flag, const toml::node* node, const EntryKeys& keys);
    void read_salt(std::size_t flag, const toml::node* node, const EntryKeys& keys);
    void read_since(std::size_t flag, const toml::node* node, const EntryKeys& keys);
    void read_flag_outcome(std::size_t flag, const toml::node* node, const EntryKeys& keys);
    void read_requires(std::size_t flag, const toml::node* node, const EntryKeys& keys);
    void read_rules(std::size_t flag, const toml::node* node, const EntryKeys& keys);
    std::optional<Rule> read_rule(std::size_t flag, const toml::node& element);
    std::string_view similar_flag(std::string_view name);
    void report_unknown_flag(const toml::key& key);

    int find_flag(std::string_view name) const { return tables_.index.find(name); }
    // The program of a flag the files leave out: its registry default, its name as the salt.
    FlagProgram blank_program(std::size_t flag) const {
        return FlagProgram{.default_value = registry_.flags[flag].default_value, .salt_state = tables_.salt_states[flag]};
    }
    void describe_flag(const toml::table& table, const EntryKeys& found);

    // What was read, for tools; null when compiling for a service. entry_: the entry being read.
    SourceMap* described_ = nullptr;
    EntrySource* entry_ = nullptr;
    const RegistryView& registry_;
    std::optional<RegistryTables> own_tables_;  // when the caller keeps none
    const RegistryTables& tables_;
    Reporter report_;
    std::shared_ptr<CompiledRules> rules_;
    Interner intern_;
    std::vector<FlagProgram> programs_;
    std::map<std::string, SegmentSource, std::less<>> segments_;
    // A flag's entry in effect, by flag. Its file's tree drops each entry once compiled, so the places
    // later messages name are kept here, with the file's number to find its name in paths_.
    struct Declaration {
        bool present = false;  // false: the files have no entry for the flag
        int layer = 0;
        std::uint32_t file = 0;
        toml::source_position key{};       // of the entry's [flags."name"] key
        toml::source_position requires_at{};  // of its `requires`, when it has one
    };
    toml::source_region place(const Declaration& declared, toml::source_position at) const {
        return toml::source_region{.begin = at, .end = at, .path = paths_[declared.file]};
    }
    void read_entry(const toml::key& key, const toml::node& value, std::uint32_t file, int layer);
    std::vector<Declaration> declared_;
    // Working lists kept from one flag to the next rather than allocated for each (on a heap strewn with
    // the tree's freed nodes, an allocation costs hundreds of instructions): the conditions being read (a
    // stack, as a segment's are read while a rule's are), a flag's rules, and a split's weights by variant.
    std::vector<Condition> condition_stack_;
    std::vector<Rule> rule_scratch_;
    std::vector<std::uint16_t> weights_;
    std::vector<toml::source_path_ptr> paths_;  // by file: the name its messages give
    // Entries for flags the registry lacks: the first few are named, each with a suggestion, and the
    // rest counted, so that a file of many thousands costs no more to load than one of a few.
    std::size_t unknown_flags_ = 0;
    std::size_t suggestions_ = 0;
    std::optional<toml::source_region> first_unlisted_;
    std::vector<std::vector<std::string_view>> names_by_length_;  // built at the first suggestion
};

// In the order they are read. value, rollout and split are one outcome, read once by the first row.
const std::array<Compiler::FlagKey, Compiler::flag_key_count> Compiler::flag_keys{{
    {"off", &Compiler::read_off},
    {"bucket_by", &Compiler::read_bucket_by},
    {"salt", &Compiler::read_salt},
    {"since", &Compiler::read_since},
    {"value", &Compiler::read_flag_outcome},
    {"rollout", nullptr},
    {"split", nullptr},
    {"requires", &Compiler::read_requires},
    {"rules", &Compiler::read_rules},
}};

std::vector<std::string_view> flag_key_names() {
    std::vector<std::string_view> names;
    for (const auto& key : Compiler::flag_keys) names.push_back(key.name);
    return names;
}

void Compiler::read_header(const toml::table& root) {
    for (auto&& [key, node] : root)
        if (!is_one_of(top_level_keys, key.str()))
            report_.error(key.source(), fmt::format("unknown key '{}' at the top level", key.str()),
                          "a runtime file holds schema, [segments] and [flags.\"<name>\"] tables");
    const auto* schema = root.get("schema");
    if (!schema) {
        report_.error(toml::source_region{.begin = {1, 1}, .end = {1, 1}, .path = root.source().path},
                      "the file declares no schema", fmt::format("add schema = {} as its first line", runtime_schema));
        return;
    }
    const auto version = schema->value<int64_t>();
    if (!schema->is_integer() || !version || *version < 1)
        report_.error(schema->source(), "'schema' must be a positive integer",
                      fmt::format("this flagstone reads schema = {}", runtime_schema));
    else if (*version > runtime_schema)
        report_.error(schema->source(),
                      fmt::format("schema {} is newer than this flagstone understands ({})", *version, runtime_schema),
                      "deploy a binary built with a newer flagstone before this file, or write the file for schema 1");
}

void Compiler::read_segments(const toml::table& root) {
    const auto* node = root.get("segments");
    if (!node) return;
    const auto* table = node->as_table();
    if (!table) {
        report_.error(node->source(), "'segments' must be a table", "write it as [segments] with name = [conditions]");
        return;
    }
    for (auto&& [key, value] : *table) {
        const auto* conditions = value.as_array();
        if (!conditions || conditions->empty()) {
            report_.error(key.source(), fmt::format("segment '{}' must be a non-empty array of conditions", key.str()),
                          "write name = [{ attr = \"tenant\", in = [\"acme\"] }]");
            continue;
        }
        if (described_) described_->add_segment(key.str(), *conditions);
        if (!segments_.emplace(std::string(key.str()), SegmentSource{.conditions = conditions}).second)
            report_.error(key.source(), fmt::format("segment '{}' is defined in more than one file", key.str()),
                          "keep one definition");
    }
}

std::optional<Subject> Compiler::read_subject(const toml::node& node, std::string_view what) {
    const auto* name = node.as_string();
    if (!name || !is_attribute_name(name->get())) {
        const std::string hint = what == "bucket_by" ? "e.g. bucket_by = \"tenant\"" : "e.g. attr = \"plan\"";
        if (!name)
            report_.error(node.source(), fmt::format("'{}' must be an attribute name, not {}", what, describe_type(node)),
                          hint);
        else
            report_.error(node.source(),
                          fmt::format("'{}' is not an attribute name: use \"user\", \"tenant\" or letters, digits, "
                                      "'_', '-' and '.'",
                                      name->get()),
                          hint);
        return std::nullopt;
    }
    if (name->get() == "user") return Subject{.kind = Subject::Kind::user};
    if (name->get() == "tenant") return Subject{.kind = Subject::Kind::tenant};
    return Subject{.kind = Subject::Kind::attribute, .attribute = intern_(name->get())};
}

std::optional<Condition> Compiler::read_condition(const toml::node& node, bool inside_segment) {
    const auto* table = node.as_table();
    if (!table) {
        report_.error(node.source(), "a condition must be a table",
                      "write { attr = \"plan\", in = [\"growth\"] } or { segment = \"name\" }");
        return std::nullopt;
    }
    if (const auto* segment = table->get("segment")) return read_segment_condition(*table, *segment, inside_segment);

    const OperatorSpec* spec = nullptr;
    const toml::node* operand = nullptr;
    if (!find_condition_operator(*table, spec, operand)) return std::nullopt;
    const auto* attr = table->get("attr");
    if (!attr) {
        report_.error(node.source(), "a condition needs 'attr', the attribute it tests",
                      "e.g. { attr = \"plan\", in = [\"growth\"] }");
        return std::nullopt;
    }
    if (!spec) {
        report_.error(node.source(), "a condition needs an operator", "operators: " + operator_list());
        return std::nullopt;
    }
    const auto subject = read_subject(*attr, "attr");
    if (!subject) return std::nullopt;
    if (described_) described_->add_condition(attr->as_string()->get(), spec->name, operand, inside_segment);
    Condition condition{.op = spec->op, .subject = *subject};
    OperandContext context{.report = report_, .rules = *rules_, .intern = intern_};
    if (!spec->read(*operand, *spec, context, condition)) return std::nullopt;
    return condition;
}

std::optional<Condition> Compiler::read_segment_condition(const toml::table& table, const toml::node& segment,
                                                          bool inside_segment) {
    if (table.size() != 1) {
        report_.error(table.source(), "a segment condition takes no other keys",
                      "put other conditions in their own table of the same 'when' list");
        return std::nullopt;
    }
    if (inside_segment) {
        report_.error(segment.source(), "a segment cannot refer to another segment",
                      "copy the other segment's conditions into this one");
        return std::nullopt;
    }
    const auto* name = segment.as_string();
    const auto found = name ? segments_.find(name->get()) : segments_.end();
    if (found == segments_.end()) {
        report_.error(segment.source(),
                      name ? fmt::format("unknown segment '{}'", name->get()) : "'segment' must be a segment name",
                      "define it under [segments]");
        return std::nullopt;
    }
    if (described_) described_->add_condition({}, "segment", &segment, inside_segment);
    auto& source = found->second;
    if (!source.compiled && !compile_segment(source)) return std::nullopt;
    return Condition{.op = Op::segment, .begin = source.begin, .count = source.count, .segment = source.number};
}

// The one key of a condition besides 'attr', which names its operator; `spec` stays null when there
// is none. False after reporting an unknown operator or a second one.
bool Compiler::find_condition_operator(const toml::table& table, const OperatorSpec*& spec,
                                       const toml::node*& operand) {
    for (auto&& [key, value] : table) {
        if (key.str() == "attr") continue;
        const auto* known = find_operator(key.str());
        if (!known) {
            report_.error(key.source(), fmt::format("unknown operator '{}'", key.str()), "operators: " + operator_list());
            return false;
        }
        if (spec) {
            report_.error(key.source(),
                          fmt::format("a condition takes exactly one operator, not '{}' and '{}'", spec->name,
                                      key.str()),
                          "split it into two conditions of the same 'when' list; they are ANDed");
            return false;
        }
        spec = known;
        operand = &value;
    }
    return true;
}

// Compiled once, however many rules refer to it, and numbered for the evaluator's memo.
bool Compiler::compile_segment(SegmentSource& segment) {
    segment.compiled = true;
    segment.number = rules_->segment_count++;
    return read_conditions(*segment.conditions, true, segment.begin, segment.count);
}

bool Compiler::read_conditions(const toml::array& array, bool inside_segment, std::uint32_t& begin,
                               std::uint32_t& count) {
    // Compile onto the stack first, then append: a segment compiled on first use appends its own
    // conditions (from above this list on the stack), and this list must stay contiguous.
    const auto from = static_cast<std::ptrdiff_t>(condition_stack_.size());
    bool ok = true;
    for (const auto& element : array) {
        if (auto c = read_condition(element, inside_segment)) condition_stack_.push_back(*c);
        else ok = false;
    }
    begin = static_cast<std::uint32_t>(rules_->conditions.size());
    count = static_cast<std::uint32_t>(condition_stack_.size() - static_cast<std::size_t>(from));
    rules_->conditions.insert(rules_->conditions.end(), condition_stack_.begin() + from, condition_stack_.end());
    condition_stack_.erase(condition_stack_.begin() + from, condition_stack_.end());
    return ok;
}

namespace {

std::string variant_list(const FlagInfo& info) {
    std::string variants;
    for (auto v : info.variants) {
        if (!variants.empty()) variants += ", ";
        variants += v;
    }
    return variants;
}

}  // namespace

// `required_by` is the flag named in a `requires` table, whose value this is; empty for a `value`. The
// hint writes the key as it stands.
std::optional<ValueIndex> Compiler::read_value(const toml::node& node, std::size_t flag, std::string_view required_by) {
    const auto& info = registry_.flags[flag];
    if (info.is_boolean()) {
        if (const auto* b = node.as_boolean()) return b->get() ? 1 : 0;
        const std::string key = required_by.empty() ? std::string("value") : fmt::format("\"{}\"", required_by);
        report_.error(node.source(),
                      fmt::format("flag '{}' is boolean; its value must be true or false, not {}", info.name,
                                  describe_type(node)),
                      fmt::format("write {0} = true or {0} = false, without quotes", key));
        return std::nullopt;
    }
    if (const auto* s = node.as_string()) {
        const auto found = std::find(info.variants.begin(), info.variants.end(), s->get());
        if (found != info.variants.end()) return static_cast<ValueIndex>(found - info.variants.begin());
        report_.error(node.source(), fmt::format("'{}' is not a variant of flag '{}'", s->get(), info.name),
                      "variants: " + variant_list(info));
        return std::nullopt;
    }
    report_.error(node.source(),
                  fmt::format("flag '{}' is multivariate; its value must be a variant name, not {}", info.name,
                              describe_type(node)),
                  "variants: " + variant_list(info));
    return std::nullopt;
}

// A rollout's percentage, or (given `variant`) the weight of a variant in a split, in hundredths. The
// words of a message are made only when there is one to report.
std::optional<std::uint16_t> Compiler::read_percent(const toml::node& node, std::string_view variant) {
    const auto what = [variant] {
        return variant.empty() ? std::string("rollout") : fmt::format("weight of '{}'", variant);
    };
    const std::string_view example = variant.empty()
                                         ? "e.g. rollout = 25 or rollout = 0.5"
                                         : "a weight is a percentage from 0 to 100, e.g. split = { blue = 50, green = 50 }";
    // An integer is judged as written: past 2^53 it has no exact double, and converting it would
    // report a different number from the one in the file.
    if (const auto* integer = node.as_integer()) {
        const std::int64_t whole = integer->get();
        if (whole < 0 || whole > 100) {
            report_.error(node.source(), fmt::format("{} {} is not from 0 to 100", what(), whole), std::string(example));
            return std::nullopt;
        }
        return static_cast<std::uint16_t>(whole * 100);
    }
    const auto* number = node.as_floating_point();
    if (!number) {
        report_.error(node.source(), fmt::format("{} must be a number, not {}", what(), describe_type(node)),
                      std::string(example));
        return std::nullopt;
    }
    const double value = number->get();
    if (!(value >= 0 && value <= 100)) {
        report_.error(node.source(), fmt::format("{} {} is not from 0 to 100", what(), value), std::string(example));
        return std::nullopt;
    }
    const double hundredths = value * 100;
    const double whole = std::round(hundredths);
    if (std::fabs(hundredths - whole) > 1e-6) {
        report_.error(node.source(), fmt::format("{} {} is finer than 0.01", what(), value),
                      "use at most two decimals, e.g. 12.5 or 0.01");
        return std::nullopt;
    }
    return static_cast<std::uint16_t>(whole);
}

std::optional<Outcome> Compiler::read_outcome(const OutcomeKeys& keys, std::size_t flag) {
    const auto [value, rollout, split] = keys;
    const int given = (value != nullptr) + (rollout != nullptr) + (split != nullptr);
    if (given > 1) {
        report_.error((value ? value : rollout)->source(), "give only one of 'value', 'rollout' and 'split'",
                      "rollout is for a boolean flag, split for a multivariate one, value for everyone alike");
        return std::nullopt;
    }
    if (value) {
        const auto v = read_value(*value, flag);
        if (!v) return std::nullopt;
        return Outcome{.value = *v};
    }
    const auto steps_begin = static_cast<std::uint32_t>(rules_->steps.size());
    if (!(rollout ? read_rollout(*rollout, flag) : split ? read_split(*split, flag) : false)) return std::nullopt;
    return Outcome{.is_split = true,
                   .steps_begin = steps_begin,
                   .steps_count = static_cast<std::uint32_t>(rules_->steps.size() - steps_begin)};
}

// Appends the steps of a boolean rollout: true below the percentage, false above.
bool Compiler::read_rollout(const toml::node& rollout, std::size_t flag) {
    const auto& info = registry_.flags[flag];
    if (!info.is_boolean()) {
        report_.error(rollout.source(),
                      fmt::format("flag '{}' is multivariate; it takes 'split', not 'rollout'", info.name),
                      "e.g. split = { " + std::string(info.variants[0]) + " = 50, ... }");
        return false;
    }
    const auto percent = read_percent(rollout);
    if (!percent) return false;
    if (*percent > 0) rules_->steps.push_back(SplitStep{.upper = *percent, .value = 1});
    if (*percent < bucket_count) rules_->steps.push_back(SplitStep{.upper = bucket_count, .value = 0});
    return true;
}

// Appends the steps of a split of a multivariate flag, whose weights add up to 100.
bool Compiler::read_split(const toml::node& split, std::size_t flag) {
    const auto& info = registry_.flags[flag];
    const auto* weights = split.as_table();
    if (info.is_boolean()) {
        report_.error(split.source(), fmt::format("flag '{}' is boolean; it takes 'rollout', not 'split'", info.name),
                      "e.g. rollout = 25");
        return false;
    }
    if (!weights) {
        report_.error(split.source(), "'split' must be a table of variant weights",
                      "e.g. split = { blue = 50, green = 50 }");
        return false;
    }
    auto& by_variant = weights_;
    by_variant.assign(info.variants.size(), 0);
    bool ok = true;
    for (auto&& [key, weight] : *weights) {
        const auto found = std::find(info.variants.begin(), info.variants.end(), key.str());
        if (found == info.variants.end()) {
            report_.error(key.source(), fmt::format("'{}' is not a variant of flag '{}'", key.str(), info.name),
                          "variants: " + variant_list(info));
            ok = false;
            continue;
        }
        const auto w = read_percent(weight, key.str());
        if (!w) ok = false;
        else by_variant[static_cast<std::size_t>(found - info.variants.begin())] = *w;
    }
    if (!ok) return false;
    unsigned total = 0;
    for (auto w : by_variant) total += w;
    if (total != bucket_count) {
        report_.error(split.source(), fmt::format("split weights of flag '{}' sum to {}, not 100", info.name,
                                                  fmt::format("{:.2f}", total / 100.0)),
                      "make the weights add up to exactly 100");
        return false;
    }
    // Steps follow the registry's variant order, not the file's, so reordering the table in the
    // file moves no key from one variant to another.
    unsigned upper = 0;
    for (std::size_t v = 0; v < by_variant.size(); ++v) {
        if (by_variant[v] == 0) continue;
        upper += by_variant[v];
        rules_->steps.push_back(SplitStep{.upper = static_cast<std::uint16_t>(upper), .value = static_cast<ValueIndex>(v)});
    }
    return true;
}

void Compiler::read_flag(std::size_t flag, const toml::table& table) {
    FlagProgram& program = programs_[flag];
    program.present = true;
    program.source_line = static_cast<int>(table.source().begin.line);

    // One pass over the table finds every key: a flag's keys are looked up once, not once per key known.
    EntryKeys found{};
    for (auto&& [key, node] : table) {
        const auto known = std::ranges::find(flag_keys, key.str(), &FlagKey::name);
        if (known != flag_keys.end()) {
            found[static_cast<std::size_t>(known - flag_keys.begin())] = &node;
            continue;
        }
        report_.error(key.source(), fmt::format("unknown key '{}' in flag '{}'", key.str(), registry_.flags[flag].name),
                      "known keys: " + list_of(flag_key_names()));
    }
    if (described_) describe_flag(table, found);
    for (std::size_t i = 0; i < flag_keys.size(); ++i)
        if (flag_keys[i].read) (this->*flag_keys[i].read)(flag, found[i], found);
    if (described_) described_->end_rules();
}

void Compiler::describe_flag(const toml::table& table, const EntryKeys& found) {
    const auto key = [&found](std::string_view name) {
        return found[static_cast<std::size_t>(std::ranges::find(flag_keys, name, &FlagKey::name) - flag_keys.begin())];
    };
    if (entry_)
        described_->describe_entry(*entry_, table,
                                   EntryNodes{.off = key("off"), .value = key("value"), .rollout = key("rollout"),
                                              .split = key("split"), .requires_node = key("requires"),
                                              .bucket_by = key("bucket_by"), .salt = key("salt"),
                                              .since = key("since"), .rules = key("rules")});
}

void Compiler::read_off(std::size_t flag, const toml::node* off, const EntryKeys&) {
    if (!off) return;
    if (!off->is_boolean())
        report_.error(off->source(), "'off' must be true or false", "off = true serves the registry default to everyone");
    else
        programs_[flag].off = off->as_boolean()->get();
}

void Compiler::read_bucket_by(std::size_t flag, const toml::node* bucket_by, const EntryKeys&) {
    if (!bucket_by) return;
    if (auto subject = read_subject(*bucket_by, "bucket_by")) programs_[flag].bucket_by = *subject;
}

void Compiler::read_salt(std::size_t flag, const toml::node* salt, const EntryKeys&) {
    if (!salt) return;
    const auto* s = salt->as_string();
    if (!s || s->get().empty()) {
        report_.error(salt->source(), "'salt' must be a non-empty string", "e.g. salt = \"button-color-q4\"");
        return;
    }
    programs_[flag].salt_state = bucketing::salt_state(s->get());
    programs_[flag].default_salt = false;
}

void Compiler::read_since(std::size_t, const toml::node* since, const EntryKeys&) {
    if (since && !since->is_date())
        report_.error(since->source(), "'since' must be a date", "write a bare TOML date: since = 2026-11-10");
}

// value, rollout and split: whichever of them the entry has.
void Compiler::read_flag_outcome(std::size_t flag, const toml::node*, const EntryKeys& keys) {
    const auto key = [&keys](std::string_view name) {
        return keys[static_cast<std::size_t>(std::ranges::find(flag_keys, name, &FlagKey::name) - flag_keys.begin())];
    };
    const OutcomeKeys outcome{.value = key("value"), .rollout = key("rollout"), .split = key("split")};
    if (outcome.any()) programs_[flag].outcome = read_outcome(outcome, flag);
}

void Compiler::read_requires(std::size_t flag, const toml::node* requires_node, const EntryKeys&) {
    if (!requires_node) return;
    declared_[flag].requires_at = requires_node->source().begin;
    const auto* requires_table = requires_node->as_table();
    if (!requires_table) {
        report_.error(requires_node->source(), "'requires' must be a table of flag = value",
                      "e.g. requires = { \"release.new-checkout\" = true }");
        return;
    }
    FlagProgram& program = programs_[flag];
    program.requires_begin = static_cast<std::uint32_t>(rules_->prerequisites.size());
    for (auto&& [key, expected] : *requires_table) {
        const int other = find_flag(key.str());
        if (other < 0) {
            report_.error(key.source(), fmt::format("'requires' names unknown flag '{}'", key.str()),
                          "name a flag declared in the registry");
            continue;
        }
        if (const auto value = read_value(expected, static_cast<std::size_t>(other), key.str()))
            rules_->prerequisites.push_back(Prerequisite{.flag = static_cast<std::uint32_t>(other), .value = *value});
    }
    program.requires_count = static_cast<std::uint32_t>(rules_->prerequisites.size()) - program.requires_begin;
}

void Compiler::read_rules(std::size_t flag, const toml::node* rules_node, const EntryKeys&) {
    if (!rules_node) return;
    const auto* array = rules_node->as_array();
    if (!array) {
        report_.error(rules_node->source(), "'rules' must be an array of rules",
                      "e.g. rules = [{ when = [{ segment = \"staff\" }], value = true }]");
        return;
    }
    auto& compiled = rule_scratch_;
    compiled.clear();
    for (const auto& element : *array)
        if (auto rule = read_rule(flag, element)) compiled.push_back(*rule);
    if (compiled.size() > 32'000) {
        report_.error(rules_node->source(), "a flag may have at most 32000 rules");
        return;
    }
    FlagProgram& program = programs_[flag];
    program.rules_begin = static_cast<std::uint32_t>(rules_->rules.size());
    program.rules_count = static_cast<std::uint32_t>(compiled.size());
    rules_->rules.insert(rules_->rules.end(), compiled.begin(), compiled.end());
}

// A rule whose every part is right, or nothing after reporting each problem in it.
std::optional<Rule> Compiler::read_rule(std::size_t flag, const toml::node& element) {
    const auto* rule = element.as_table();
    if (!rule) {
        report_.error(element.source(), "a rule must be a table", "e.g. { when = [...], value = true }");
        return std::nullopt;
    }
    bool ok = true;
    const toml::node* when = nullptr;
    OutcomeKeys outcome_keys;
    for (auto&& [key, node] : *rule) {
        const auto name = key.str();
        if (name == "when") when = &node;
        else if (name == "value") outcome_keys.value = &node;
        else if (name == "rollout") outcome_keys.rollout = &node;
        else if (name == "split") outcome_keys.split = &node;
        else {
            report_.error(key.source(), fmt::format("unknown key '{}' in a rule", key.str()),
                          "known keys: " + list_of(rule_keys));
            ok = false;
        }
    }
    if (described_ && entry_)
        described_->add_rule(*entry_, element, outcome_keys.value, outcome_keys.rollout, outcome_keys.split);
    Rule r{.source_line = static_cast<int>(element.source().begin.line)};
    const auto* conditions = when ? when->as_array() : nullptr;
    if (!conditions || conditions->empty()) {
        report_.error(when ? when->source() : element.source(), "a rule needs 'when', a non-empty array of conditions",
                      "e.g. when = [{ attr = \"plan\", in = [\"growth\"] }]");
        ok = false;
    } else if (!read_conditions(*conditions, false, r.conditions_begin, r.conditions_count)) {
        ok = false;
    }
    if (!outcome_keys.any()) {
        report_.error(element.source(), "a rule needs 'value', 'rollout' or 'split': what it serves",
                      "e.g. value = true");
        return std::nullopt;
    }
    const auto outcome = read_outcome(outcome_keys, flag);
    if (!outcome || !ok) return std::nullopt;
    r.outcome = *outcome;
    return r;
}

namespace {

// Levenshtein distance, up to `most`: any distance past it is most + 1. Only the band of cells within
// `most` of the diagonal can stay within it, and once a whole row is past it the rest is too.
std::size_t edit_distance_up_to(std::string_view a, std::string_view b, std::size_t most) {
    const std::size_t over = most + 1;
    if (a.size() > b.size() + most || b.size() > a.size() + most) return over;
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = std::min(j, over);
    for (std::size_t i = 1; i <= a.size(); ++i) {
        const std::size_t first = i > most ? i - most : 1;
        const std::size_t last = std::min(b.size(), i + most);
        std::size_t diagonal = row[first - 1];
        row[first - 1] = first == 1 ? std::min(i, over) : over;
        std::size_t best = row[first - 1];
        for (std::size_t j = first; j <= last; ++j) {
            const std::size_t above = row[j];
            row[j] = std::min({above + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1), over});
            diagonal = above;
            best = std::min(best, row[j]);
        }
        if (best > most) return over;
    }
    return row[b.size()];
}

}  // namespace

// A registered flag within two edits of `name` (a misspelling, or '_' for '-'), or nothing. Only names
// of a length within two of its can be, and those of its own length are tried first.
std::string_view Compiler::similar_flag(std::string_view name) {
    constexpr std::size_t most = 2;
    if (names_by_length_.empty()) {
        for (const auto& flag : registry_.flags) {
            if (flag.name.size() >= names_by_length_.size()) names_by_length_.resize(flag.name.size() + 1);
            names_by_length_[flag.name.size()].push_back(flag.name);
        }
    }
    for (std::size_t off = 0; off <= 2 * most; ++off) {
        const std::size_t step = (off + 1) / 2;  // 0, +1, -1, +2, -2
        if (off % 2 == 0 && step > name.size()) continue;
        const std::size_t length = off % 2 ? name.size() + step : name.size() - step;
        if (length >= names_by_length_.size()) continue;
        for (auto candidate : names_by_length_[length])
            if (edit_distance_up_to(name, candidate, most) <= most) return candidate;
    }
    return {};
}

// A name of the registry's grammar may belong to a binary built before or after this one, which a
// shared file must also serve: a warning. A name outside it (a look-alike letter, an invisible or
// control character) can be declared by no registry, so no binary would ever read the entry: an error.
// Only the first `listed_unknown_flags` grammatical unknown names are named, the rest summed up in one
// line; and a suggestion costs a look through the registry, so at most that many names get one.
void Compiler::report_unknown_flag(const toml::key& key) {
    const auto problem = registry::flag_name_problem(key.str());
    if (problem.empty() && ++unknown_flags_ > listed_unknown_flags) {
        if (!first_unlisted_) first_unlisted_ = key.source();
        return;
    }
    const auto similar = ++suggestions_ <= listed_unknown_flags ? similar_flag(key.str()) : std::string_view{};
    const std::string suggestion = similar.empty() ? std::string{} : fmt::format("did you mean '{}'?", similar);
    if (!problem.empty()) {
        // Shown in ASCII: the name may differ from a registered one only by a letter that looks alike.
        const auto shown = ascii_only(key.str());
        report_.error(key.source(),
                      fmt::format("flag '{}' is a name no registry can declare: it {}", shown,
                                  registry::flag_name_problem(shown)),
                      suggestion.empty() ? "name the flag as the registry does: <type>.<kebab-name>, in ASCII"
                                         : suggestion);
        return;
    }
    report_.warning(key.source(), fmt::format("flag '{}' is not in the registry; its entry is ignored", key.str()),
                    suggestion.empty()
                        ? "a binary built with this flag will read it; remove the entry once the flag is retired"
                        : suggestion);
}

void Compiler::report_unlisted_unknown_flags() {
    if (!first_unlisted_) return;
    const auto more = unknown_flags_ - listed_unknown_flags;
    report_.warning(*first_unlisted_,
                    fmt::format("{} more {} not in the registry, from here on; {} ignored", more,
                                more == 1 ? "flag is" : "flags are", more == 1 ? "its entry is" : "their entries are"),
                    fmt::format("only the first {} are named; `flagctl list` shows the registry's flags",
                                listed_unknown_flags));
}

// Each entry is checked against the limits, compiled, and dropped from the tree in turn, so that its
// values are read from memory once, while in the cache, rather than once by each of those steps.
// Past a limit, the entries left are only checked, for the limits' messages.
void Compiler::read_flags(toml::table& root, std::uint32_t file, int layer, LimitCheck& limits) {
    auto* node = root.get("flags");
    if (!node) return;
    auto* table = node->as_table();
    if (!table) {
        report_.error(node->source(), "'flags' must be a table", "write each flag as [flags.\"<type>.<name>\"]");
        return;
    }
    if (paths_.size() <= file) paths_.resize(file + 1);
    paths_[file] = root.source().path;
    for (auto it = table->begin(); it != table->end(); it = table->erase(it)) {
        const auto& [key, value] = *it;
        limits.check_entry(file, key, value);
        if (limits.ok()) read_entry(key, value, file, layer);
    }
}

void Compiler::read_entry(const toml::key& key, const toml::node& value, std::uint32_t file, int layer) {
    const int flag = find_flag(key.str());
    entry_ = described_ ? &described_->add_entry(std::string(key.str()), key.source(), layer, flag >= 0) : nullptr;
    if (flag < 0) {
        report_unknown_flag(key);
        return;
    }
    const auto index = static_cast<std::size_t>(flag);
    auto& declared = declared_[index];
    if (declared.present && declared.layer == layer) {
        const auto& path = paths_[declared.file];
        report_.error(key.source(),
                      fmt::format("flag '{}' has entries in two files; the first is {}:{}", key.str(),
                                  path ? *path : std::string{}, declared.key.line),
                      "keep the flag in one file");
        return;
    }
    if (declared.present) {
        // An override replaces the lower layer's entry whole.
        programs_[index] = blank_program(index);
    }
    declared = Declaration{.present = true, .layer = layer, .file = file, .key = key.source().begin};
    const auto* flag_table = value.as_table();
    if (!flag_table) {
        report_.error(value.source(), fmt::format("flag '{}' must be a table", key.str()),
                      fmt::format("write [flags.\"{}\"] with value, rollout, split or rules below", key.str()));
        return;
    }
    read_flag(index, *flag_table);
}

// A segment no rule uses yet is still checked, so that a mistake in it fails this deploy rather than
// the later one that starts using it.
void Compiler::check_unused_segments() {
    for (auto& [name, segment] : segments_)
        if (!segment.compiled) compile_segment(segment);
}

// After the cycle check: the costs of a cycle would be infinite.
void Compiler::check_evaluation_costs(const Limits& limits) {
    const auto costs = worst_case_costs(*rules_, programs_);
    for (std::size_t flag = 0; flag < declared_.size(); ++flag) {
        if (!declared_[flag].present) continue;
        const auto& cost = costs[flag];
        if (cost.total <= limits.max_evaluation_cost) continue;
        const std::string in_prerequisites =
            cost.prerequisites ? fmt::format(" ({} of it in its prerequisites)", cost.prerequisites) : "";
        report_.error(place(declared_[flag], declared_[flag].key),
                      fmt::format("flag '{}' costs {} to evaluate at worst{}; the limit is {}",
                                  registry_.flags[flag].name, cost.total, in_prerequisites,
                                  limits.max_evaluation_cost),
                      "put conditions that rules repeat in a segment, merge rules that serve the same value, or raise "
                      "RuntimeOptions::limits.max_evaluation_cost");
    }
}

bool Compiler::check_prerequisite_cycles() {
    // Depth-first search over requires edges; a grey node met again closes a cycle.
    enum class Mark { white, grey, black };
    std::vector<Mark> marks(programs_.size(), Mark::white);
    std::vector<std::size_t> path;
    auto visit = [&](auto& self, std::size_t flag) -> bool {
        marks[flag] = Mark::grey;
        path.push_back(flag);
        const auto& p = programs_[flag];
        for (std::uint32_t i = 0; i < p.requires_count; ++i) {
            const std::size_t next = rules_->prerequisites[p.requires_begin + i].flag;
            if (marks[next] == Mark::grey) {
                std::string cycle;
                auto start = std::find(path.begin(), path.end(), next);
                for (auto it = start; it != path.end(); ++it) cycle += std::string(registry_.flags[*it].name) + " -> ";
                cycle += registry_.flags[next].name;
                report_.error(place(declared_[next], declared_[next].requires_at), "'requires' forms a cycle: " + cycle,
                              "a flag cannot depend on itself, directly or through others");
                return false;
            }
            if (marks[next] == Mark::white && !self(self, next)) return false;
        }
        marks[flag] = Mark::black;
        path.pop_back();
        return true;
    };
    for (std::size_t i = 0; i < programs_.size(); ++i) {
        path.clear();
        if (marks[i] == Mark::white && !visit(visit, i)) return false;
    }
    return true;
}

}  // namespace

RegistryTables::RegistryTables(const RegistryView& registry) : index(registry.flags) {
    salt_states.reserve(registry.flags.size());
    for (const auto& flag : registry.flags) salt_states.push_back(bucketing::salt_state(flag.name));
}

CompiledFile empty_runtime(const RegistryView& registry) {
    std::vector<Diagnostic> none;
    Compiler compiler(registry, none);
    return compiler.finish(0);
}

std::optional<CompiledFile> compile_runtime(const RegistryView& registry, const std::vector<RuntimeSource>& sources,
                                            std::vector<Diagnostic>& diagnostics, const Limits& limits,
                                            SourceMap* described, const RegistryTables* tables) {
    std::vector<SourceView> views;
    views.reserve(sources.size());
    for (const auto& source : sources)
        views.push_back(SourceView{.display = source.display, .text = source.text, .layer = source.layer});
    return compile_runtime(registry, views, diagnostics, limits, described, tables);
}

std::optional<CompiledFile> compile_runtime(const RegistryView& registry, std::span<const SourceView> sources,
                                            std::vector<Diagnostic>& diagnostics, const Limits& limits,
                                            SourceMap* described, const RegistryTables* tables) {
    const std::size_t first_diagnostic = diagnostics.size();
    Reporter report(diagnostics);
    Compiler compiler(registry, diagnostics, described, tables);
    // The map describes these sources alone, whatever it held before.
    const auto describe_files_alone = [&] {
        if (!described) return;
        *described = SourceMap{};
        for (const auto& source : sources) described->add_file(std::string(source.display), std::string(source.text));
    };
    describe_files_alone();
    std::vector<toml::table> roots;
    std::uint64_t content_hash = bucketing::fnv_offset_basis;
    // The text is counted before any of it is parsed, so that what the limits refuse never costs the
    // memory of its tree; the count takes the content hash on its way.
    std::size_t values = 0;
    for (const auto& source : sources) {
        if (!text_within_limits(source.text, std::string(source.display), limits, values, report, {}, &content_hash))
            return std::nullopt;
        content_hash = bucketing::absorb(content_hash, std::string_view("\0", 1));
    }
    for (const auto& source : sources)
        if (auto root = parse_toml(source.text, std::string(source.display), report)) roots.push_back(std::move(*root));
    if (report.failed()) return std::nullopt;
    // All but the flag entries is checked against the limits first; each entry just before it is compiled.
    LimitCheck checked(limits);
    for (const auto& root : roots) checked.check_file(root);
    const std::size_t compiled_from = diagnostics.size();
    if (checked.ok())
        for (const auto& root : roots) {
            compiler.read_header(root);
            compiler.read_segments(root);
        }
    // Lower layers first, so that a higher layer's entry replaces theirs.
    std::vector<std::size_t> order(roots.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return sources[a].layer < sources[b].layer; });
    for (auto i : order) compiler.read_flags(roots[i], static_cast<std::uint32_t>(i), sources[i].layer, checked);
    if (!checked.ok()) {
        // Files past a limit get the limits' messages alone, as if nothing had been compiled.
        diagnostics.erase(diagnostics.begin() + static_cast<std::ptrdiff_t>(compiled_from), diagnostics.end());
        describe_files_alone();
        checked.report(report);
        return std::nullopt;
    }
    if (described) described->finish();
    compiler.check_unused_segments();
    compiler.report_unlisted_unknown_flags();
    if (compiler.check_prerequisite_cycles()) compiler.check_evaluation_costs(limits);
    // toml++ keeps a table's keys sorted, so problems are found in name order; report them in the
    // order of the files and of the lines in them.
    std::map<std::string_view, std::size_t> file_order;
    for (std::size_t i = 0; i < sources.size(); ++i) file_order.emplace(sources[i].display, i);
    const auto position = [&](const Diagnostic& d) {
        const auto found = file_order.find(d.file);
        return std::tuple(found == file_order.end() ? sources.size() : found->second, d.line, d.column);
    };
    std::stable_sort(diagnostics.begin() + static_cast<std::ptrdiff_t>(first_diagnostic), diagnostics.end(),
                     [&](const Diagnostic& a, const Diagnostic& b) { return position(a) < position(b); });
    if (compiler.failed()) return std::nullopt;
    return compiler.finish(bucketing::fmix64(content_hash));
}

}  // namespace flags::internal
