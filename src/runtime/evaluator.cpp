// Evaluation of one flag for one context, in docs/runtime-file.md's order: no entry, off, requires,
// rules in order, the flag's own rollout/split or value. Nothing here allocates or throws.
#include <array>
#include <charconv>
#include <cstring>

#include <flags/bucketing.hpp>

#include "snapshot.hpp"
#include "timestamp.hpp"

namespace flags::internal {

namespace {

// The hash of the string sets. Unlike the bucket function it is no contract (it never leaves the
// process), so it reads eight bytes at a time rather than one: sets are probed on the hot path.
std::uint64_t set_hash(std::string_view text) noexcept {
    std::uint64_t h = text.size() * 0x9e3779b97f4a7c15ULL;
    const char* p = text.data();
    std::size_t left = text.size();
    for (; left >= 8; p += 8, left -= 8) {
        std::uint64_t chunk;
        std::memcpy(&chunk, p, 8);
        h = (h ^ chunk) * 0xff51afd7ed558ccdULL;
        h ^= h >> 29;
    }
    if (left > 0) {
        std::uint64_t chunk = 0;
        std::memcpy(&chunk, p, left);
        h = (h ^ chunk) * 0xc4ceb9fe1a85ec53ULL;
    }
    return bucketing::fmix64(h);
}

}  // namespace

StringSet::StringSet(const std::vector<std::string_view>& members) {
    if (members.size() <= linear_limit) {
        few_ = members;
        return;
    }
    std::size_t capacity = 4;
    while (capacity < members.size() * 2) capacity *= 2;  // at most half full, so probes stay short
    slots_.resize(capacity);
    mask_ = capacity - 1;
    for (auto text : members) {
        if (contains(text)) continue;
        const auto hash = set_hash(text);
        for (std::uint64_t i = hash & mask_;; i = (i + 1) & mask_) {
            if (!slots_[i].used) {
                slots_[i] = Slot{hash, text, true};
                break;
            }
        }
    }
}

bool StringSet::contains(std::string_view text) const noexcept {
    if (slots_.empty()) {
        for (auto member : few_)
            if (member.size() == text.size() && member == text) return true;
        return false;
    }
    const auto hash = set_hash(text);
    for (std::uint64_t i = hash & mask_;; i = (i + 1) & mask_) {
        const Slot& slot = slots_[i];
        if (!slot.used) return false;
        if (slot.hash == hash && slot.text == text) return true;
    }
}

namespace {

std::optional<double> parse_number(std::string_view text) noexcept {
    double value = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || ptr != text.data() + text.size()) return std::nullopt;
    return value;
}

// The segments tested so far in one evaluation, and their results: a segment that several rules, or
// a flag and its prerequisites, use is tested once. It lives on the evaluating thread's stack.
class SegmentMemo {
public:
    template <class Test>
    bool remembered(std::uint32_t segment, Test&& test) noexcept {
        if (segment >= memoised_segments) return test();
        const std::uint64_t bit = std::uint64_t{1} << (segment % 64);
        auto& known = known_[segment / 64];
        auto& result = results_[segment / 64];
        if (!(known & bit)) {
            known |= bit;
            if (test()) result |= bit;
        }
        return (result & bit) != 0;
    }

private:
    std::array<std::uint64_t, memoised_segments / 64> known_{}, results_{};
};

bool matches(const CompiledRules& rules, const Condition& c, const Context& ctx, SegmentMemo& memo) noexcept;

bool all_match(const CompiledRules& rules, std::uint32_t begin, std::uint32_t count, const Context& ctx,
               SegmentMemo& memo) noexcept {
    for (std::uint32_t i = 0; i < count; ++i)
        if (!matches(rules, rules.conditions[begin + i], ctx, memo)) return false;
    return true;
}

// A condition on an attribute the context lacks, or whose value does not parse as the operator's
// kind ("abc" against gt = 5), does not match, whatever the operator, not_in included.
bool matches(const CompiledRules& rules, const Condition& c, const Context& ctx, SegmentMemo& memo) noexcept {
    if (c.op == Op::segment)  // a segment's own conditions are never segments, so this recursion ends here
        return memo.remembered(c.segment, [&]() noexcept { return all_match(rules, c.begin, c.count, ctx, memo); });
    const auto value = c.subject.value_in(ctx);
    if (!value) return false;
    switch (c.op) {
    case Op::in: return rules.sets[c.begin].contains(*value);
    case Op::not_in: return !rules.sets[c.begin].contains(*value);
    case Op::starts_with: case Op::ends_with: case Op::contains: return rules.matchers[c.begin].matches(*value);
    case Op::lt: case Op::lte: case Op::gt: case Op::gte: {
        const auto number = parse_number(*value);
        if (!number) return false;
        switch (c.op) {
        case Op::lt: return *number < c.number;
        case Op::lte: return *number <= c.number;
        case Op::gt: return *number > c.number;
        default: return *number >= c.number;
        }
    }
    case Op::semver_eq: case Op::semver_lt: case Op::semver_lte: case Op::semver_gt: case Op::semver_gte: {
        const auto version = parse_semver(*value);
        if (!version) return false;
        const int order = compare(*version, c.version);
        switch (c.op) {
        case Op::semver_eq: return order == 0;
        case Op::semver_lt: return order < 0;
        case Op::semver_lte: return order <= 0;
        case Op::semver_gt: return order > 0;
        default: return order >= 0;
        }
    }
    case Op::before: case Op::after: {
        const auto time = parse_rfc3339(*value);
        if (!time) return false;
        return c.op == Op::before ? *time < c.time_ns : *time > c.time_ns;
    }
    case Op::segment: break;
    }
    return false;
}

// Serves an outcome: its value, or the value of the key's bucket. Without a key there is no bucket
// to pick, and the default is served rather than a guess.
bool serve(const CompiledRules& rules, const FlagProgram& flag, const Outcome& outcome, const Context& ctx,
           Evaluation& e) noexcept {
    if (!outcome.is_split) {
        e.value = outcome.value;
        return true;
    }
    const auto key = flag.bucket_by.value_in(ctx);
    if (!key) {
        e.value = flag.default_value;
        e.reason = Reason::ERROR;
        e.error = ErrorCode::TARGETING_KEY_MISSING;
        return false;
    }
    const auto bucket = bucketing::bucket_from_salt_state(flag.salt_state, *key);
    e.bucket = static_cast<std::int32_t>(bucket);
    for (std::uint32_t i = 0; i < outcome.steps_count; ++i) {
        const auto& step = rules.steps[outcome.steps_begin + i];
        if (bucket < step.upper) {
            e.value = step.value;
            return true;
        }
    }
    e.value = flag.default_value;  // unreachable: the last step's upper bound is bucket_count
    return true;
}

}  // namespace

Evaluation default_evaluation(const RegistryView& registry, std::size_t flag) noexcept {
    return Evaluation{.value = registry.flags[flag].default_value};
}

namespace {

Evaluation evaluate_with(const Snapshot& snapshot, std::size_t flag, const Context& ctx, SegmentMemo& memo) noexcept {
    const FlagProgram& program = snapshot.flags[flag];
    const CompiledRules& rules = *snapshot.rules;
    Evaluation e{.value = program.default_value,
                 .reason = Reason::DEFAULT,
                 .generation = snapshot.generation,
                 .content_hash = snapshot.content_hash};
    if (!program.present) return e;
    if (program.off) {
        e.reason = Reason::DISABLED;
        return e;
    }
    // Prerequisites form no cycle (the loader refuses one), so this recursion is bounded.
    for (std::uint32_t i = 0; i < program.requires_count; ++i) {
        const auto& prerequisite = rules.prerequisites[program.requires_begin + i];
        if (evaluate_with(snapshot, prerequisite.flag, ctx, memo).value != prerequisite.value) {
            e.reason = Reason::PREREQUISITE_FAILED;
            return e;
        }
    }
    for (std::uint32_t i = 0; i < program.rules_count; ++i) {
        const Rule& rule = rules.rules[program.rules_begin + i];
        if (!all_match(rules, rule.conditions_begin, rule.conditions_count, ctx, memo)) continue;
        e.rule_index = static_cast<std::int16_t>(i);
        if (serve(rules, program, rule.outcome, ctx, e)) e.reason = Reason::TARGETING_MATCH;
        return e;
    }
    if (program.outcome) {
        if (serve(rules, program, *program.outcome, ctx, e))
            e.reason = program.outcome->is_split ? Reason::SPLIT : Reason::STATIC;
    }
    return e;
}

}  // namespace

Evaluation evaluate(const Snapshot& snapshot, std::size_t flag, const Context& ctx) noexcept {
    SegmentMemo memo;
    return evaluate_with(snapshot, flag, ctx, memo);
}

}  // namespace flags::internal
