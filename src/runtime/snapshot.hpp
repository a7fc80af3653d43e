// The compiled form of a runtime file: everything evaluation needs, in flat arrays indexed by
// number, with strings interned and sets hashed, so that evaluating a flag parses nothing, looks no
// flag up by name and allocates nothing. A Snapshot never changes after it is published.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <flags/context.hpp>
#include <flags/evaluation.hpp>
#include <flags/registry_types.hpp>

#include "semver.hpp"
#include "text_matcher.hpp"

namespace flags::internal {

// Attributes numbered below this are found in the context at most once per evaluation: the evaluator
// remembers their values on its stack. A file that reads more attributes finds the rest at every use.
inline constexpr std::uint16_t remembered_attributes = 64;

// Whose value a condition or a bucket reads.
struct Subject {
    static constexpr std::uint16_t unnumbered = 0xFFFF;

    enum class Kind : std::uint8_t { user, tenant, attribute } kind = Kind::user;
    // For Kind::attribute: the name, and its number among the names the file's conditions read
    // (plan_remembering(), targeting_plan.hpp), the same for every condition on the same name; left
    // unnumbered when no flag reads it twice.
    std::uint16_t number = unnumbered;
    std::string_view attribute{};

    std::optional<std::string_view> value_in(const Context& ctx) const noexcept {
        switch (kind) {
        case Kind::user: return ctx.user.empty() ? std::nullopt : std::optional(ctx.user);
        case Kind::tenant: return ctx.tenant.empty() ? std::nullopt : std::optional(ctx.tenant);
        case Kind::attribute: return ctx.attributes.find(attribute);
        }
        return std::nullopt;
    }
};

enum class Op : std::uint8_t {
    in, not_in, starts_with, ends_with, contains,
    lt, lte, gt, gte,
    semver_eq, semver_lt, semver_lte, semver_gt, semver_gte,
    before, after,
    segment,
};

// A set of strings, built once. Up to `linear_limit` members it is a list compared length first,
// which beats hashing the probe; beyond, an open-addressing hash table whose lookups hash the probe
// and compare at most a few entries. Before either, a probe whose shape (length, first and last
// byte) no member has is turned away at the cost of a few instructions: most probes of a set are
// not in it.
class StringSet {
public:
    static constexpr std::size_t linear_limit = 8;

    explicit StringSet(const std::vector<std::string_view>& members);
    bool contains(std::string_view text) const noexcept { return (shapes_ & shape_bit(text)) != 0 && holds(text); }

    // Which of 64 shapes a text has: its length, first and last byte, mixed. Texts of different
    // shapes differ, so a set none of whose members has a probe's shape does not hold it.
    static std::uint64_t shape_bit(std::string_view text) noexcept {
        if (text.empty()) return 1;
        const std::uint64_t mixed = text.size() * 0x9e3779b97f4a7c15ULL ^
                                    static_cast<unsigned char>(text.front()) * 0xff51afd7ed558ccdULL ^
                                    static_cast<unsigned char>(text.back()) * 0xc4ceb9fe1a85ec53ULL;
        return std::uint64_t{1} << (mixed >> 58);
    }

private:
    bool holds(std::string_view text) const noexcept;  // past the shapes: the list, or the table

    std::uint64_t shapes_ = 0;  // one bit per shape of a member

    std::vector<std::string_view> few_;  // the members, when there are at most linear_limit
    struct Slot {
        std::uint64_t hash = 0;
        std::string_view text;
        bool used = false;
    };
    std::vector<Slot> slots_;
    std::uint64_t mask_ = 0;
};

// Segments numbered below this are tested at most once per evaluation: the evaluator remembers their
// results in a bitmap on its stack. A file with more segments tests the rest at every use, and the
// cost model counts them so.
inline constexpr std::uint32_t memoised_segments = 256;

class EvaluationScratch;
struct CompiledRules;
struct Condition;

// Whether an attribute's value passes a condition: one per operator, in the operator's row of
// condition_operators.cpp, beside its name, its operand's reader and its example.
using ConditionTest = bool (*)(const Condition& condition, std::string_view value, const CompiledRules& rules,
                               EvaluationScratch& scratch) noexcept;

struct Condition {
    static constexpr std::uint64_t no_release_key = ~std::uint64_t{0};

    Op op{};
    bool remembered = true;  // segment: its result is kept for the rest of the evaluation (targeting_plan.hpp)
    Subject subject{};
    std::uint32_t begin = 0;  // in, not_in: the set; text operators: the matcher; segment: first condition
    std::uint32_t count = 0;  // text operators: number of needles; segment: number of conditions
    std::uint32_t segment = 0;  // segment: its number, in the order segments were compiled
    double number = 0;        // lt, lte, gt, gte
    SemVer version{};         // semver_*
    std::uint64_t release_key = no_release_key;  // semver_*: the operand's ReleaseKey, when it is a plain release
    std::int64_t time_ns = 0; // before, after
};

// One step of a rollout or split: buckets below `upper` (and above the previous step) get `value`.
struct SplitStep {
    std::uint16_t upper = 0;
    ValueIndex value = 0;
};

// What a rule or a flag serves: one value, or a value by bucket.
struct Outcome {
    bool is_split = false;
    ValueIndex value = 0;
    std::uint32_t steps_begin = 0;
    std::uint32_t steps_count = 0;
};

struct Rule {
    std::uint32_t conditions_begin = 0;
    std::uint32_t conditions_count = 0;
    Outcome outcome{};
    int source_line = 0;
};

struct Prerequisite {
    std::uint32_t flag = 0;
    ValueIndex value = 0;
};

// The arrays every flag's program indexes into. Shared, unchanged, by every snapshot made from the
// same file: a testing override copies the programs, not the rules.
struct CompiledRules {
    std::deque<std::string> strings;  // the interned text every string_view below points into
    std::vector<Condition> conditions;
    std::vector<Rule> rules;
    std::vector<SplitStep> steps;
    std::vector<StringSet> sets;
    std::vector<TextMatcher> matchers;
    std::uint32_t segment_count = 0;
    std::vector<Prerequisite> prerequisites;
};

struct FlagProgram {
    bool present = false;  // the runtime file has an entry for the flag
    bool off = false;
    ValueIndex default_value = 0;
    std::uint32_t requires_begin = 0, requires_count = 0;
    std::uint32_t rules_begin = 0, rules_count = 0;
    std::optional<Outcome> outcome{};  // the flag's own value, rollout or split
    Subject bucket_by{};
    std::uint64_t salt_state = 0;
    bool default_salt = true;  // salted with the flag's own name, not a `salt` from the file
    int source_line = 0;

    // A settled flag's value does not depend on the context, so its published word carries it.
    bool settled() const noexcept {
        return !present || off || (requires_count == 0 && rules_count == 0 && (!outcome || !outcome->is_split));
    }

    // A flag that is only a rollout or split by user with the default salt, whose bucket a read can
    // find from the user and the flag's name alone: its steps, or nothing for any other flag.
    std::optional<std::span<const SplitStep>> user_split_steps(const CompiledRules& rules) const noexcept {
        if (!present || off || requires_count || rules_count || !outcome || !outcome->is_split || !default_salt ||
            bucket_by.kind != Subject::Kind::user)
            return std::nullopt;
        return std::span<const SplitStep>(rules.steps).subspan(outcome->steps_begin, outcome->steps_count);
    }

    // The threshold of a plain boolean rollout by user with the default salt, which a published word
    // can carry; nothing for any other flag.
    std::optional<std::uint16_t> user_rollout_threshold(const CompiledRules& rules) const noexcept {
        const auto steps = user_split_steps(rules);
        if (!steps) return std::nullopt;
        std::uint16_t threshold = 0;  // a rollout's steps: true below the threshold, then false
        for (std::size_t i = 0; i < steps->size(); ++i) {
            const auto& step = (*steps)[i];
            if (step.value > 1 || (step.value == 1 && i != 0)) return std::nullopt;
            if (step.value == 1) threshold = step.upper;
        }
        return threshold;
    }
};

class Snapshot {
public:
    RegistryView registry;
    std::shared_ptr<const CompiledRules> rules;
    std::vector<FlagProgram> flags;
    std::uint64_t generation = 0;
    std::uint64_t content_hash = 0;

    // One reference for the runtime that published it, one per pin. Whoever drops the last deletes it.
    mutable std::atomic<std::uint32_t> references{1};
};

Evaluation evaluate(const Snapshot& snapshot, std::size_t flag, const Context& ctx) noexcept;

// The registry default, for a runtime with no snapshot.
Evaluation default_evaluation(const RegistryView& registry, std::size_t flag) noexcept;

}  // namespace flags::internal
