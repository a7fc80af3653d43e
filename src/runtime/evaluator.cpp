// Evaluation of one flag for one context, in docs/runtime-file.md's order: no entry, off, requires,
// rules in order, the flag's own rollout/split or value. Nothing here allocates or throws.
#include <array>
#include <cstring>

#include <flags/bucketing.hpp>

#include "condition_operators.hpp"
#include "evaluation_scratch.hpp"
#include "same_bytes.hpp"
#include "snapshot.hpp"

namespace flags::internal {

namespace {

// The hash of the string sets. Unlike the bucket function it is no contract (it never leaves the
// process), so it reads eight bytes at a time rather than one: sets are probed on the hot path.
[[gnu::always_inline]] inline std::uint64_t set_hash(std::string_view text) noexcept {
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
        // The last bytes as one or two fixed-size loads, overlapping what was read: a copy of a
        // variable length is a call. The length is in the hash already, so overlaps do not collide.
        std::uint64_t chunk = 0;
        if (text.size() >= 8) {
            std::memcpy(&chunk, text.data() + text.size() - 8, 8);
        } else if (left >= 4) {
            std::uint32_t head, tail;
            std::memcpy(&head, p, 4);
            std::memcpy(&tail, p + left - 4, 4);
            chunk = (std::uint64_t{tail} << 32) | head;
        } else {
            chunk = static_cast<unsigned char>(p[0]) | (std::uint64_t{static_cast<unsigned char>(p[left / 2])} << 8) |
                    (std::uint64_t{static_cast<unsigned char>(p[left - 1])} << 16);
        }
        h = (h ^ chunk) * 0xc4ceb9fe1a85ec53ULL;
    }
    return bucketing::fmix64(h);
}

}  // namespace

StringSet::StringSet(const std::vector<std::string_view>& members) {
    for (auto text : members) shapes_ |= shape_bit(text);
    if (members.size() <= linear_limit) {
        few_ = members;
        return;
    }
    std::size_t capacity = 4;
    while (capacity < members.size() * 2) capacity *= 2;  // at most half full, so probes stay short
    slots_.resize(capacity);
    mask_ = capacity - 1;
    for (auto text : members) {
        if (holds(text)) continue;
        const auto hash = set_hash(text);
        for (std::uint64_t i = hash & mask_;; i = (i + 1) & mask_) {
            if (!slots_[i].used) {
                slots_[i] = Slot{hash, text, true};
                break;
            }
        }
    }
}

bool StringSet::holds(std::string_view text) const noexcept {
    if (slots_.empty()) {
        for (auto member : few_)
            if (member.size() == text.size() && same_bytes(member.data(), text.data(), text.size())) return true;
        return false;
    }
    const auto hash = set_hash(text);
    for (std::uint64_t i = hash & mask_;; i = (i + 1) & mask_) {
        const Slot& slot = slots_[i];
        if (!slot.used) return false;
        if (slot.hash == hash && slot.text.size() == text.size() && same_bytes(slot.text.data(), text.data(), text.size()))
            return true;
    }
}

namespace {

// A condition on an attribute: the context lacks the attribute, and it does not match, whatever the
// operator, not_in included; or it has it, and the operator's row's test (condition_operators.cpp)
// judges its value.
[[gnu::always_inline]] inline bool holds(const CompiledRules& rules, const Condition& c, const Context& ctx,
                                         EvaluationScratch& scratch) noexcept {
    const auto value = scratch.value_of(c.subject, ctx);
    return value && condition_tests[static_cast<std::size_t>(c.op)](c, *value, rules, scratch);
}

// A segment's conditions are never segments: they are tested here, in one loop inlined into the
// evaluation's, and the result is remembered for the rest of the evaluation when the flag uses the
// segment again.
[[gnu::always_inline]] inline bool segment_holds(const CompiledRules& rules, const Condition& segment, const Context& ctx,
                                     EvaluationScratch& scratch) noexcept {
    // A segment the flag uses once is tested as one past the memo's end is: without remembering.
    return scratch.remembered(segment.remembered ? segment.segment : memoised_segments, [&]() noexcept {
        const Condition* c = rules.conditions.data() + segment.begin;
        for (const Condition* end = c + segment.count; c != end; ++c)
            if (!holds(rules, *c, ctx, scratch)) return false;
        return true;
    });
}

// Inlined into the evaluation's loop over rules: the conditions of a rule are tested without a call
// but to each operator's test.
[[gnu::always_inline]] inline bool rule_matches(const CompiledRules& rules, const Rule& rule, const Context& ctx,
                                                EvaluationScratch& scratch) noexcept {
    const Condition* c = rules.conditions.data() + rule.conditions_begin;
    for (const Condition* end = c + rule.conditions_count; c != end; ++c) {
        const bool ok = c->op == Op::segment ? segment_holds(rules, *c, ctx, scratch) : holds(rules, *c, ctx, scratch);
        if (!ok) return false;
    }
    return true;
}

// Serves a split outcome: the value of the key's bucket. Without a key there is no bucket to pick,
// and the default is served rather than a guess.
[[gnu::noinline]] bool serve_split(const CompiledRules& rules, const FlagProgram& flag, const Outcome& outcome,
                                   const Context& ctx, Evaluation& e) noexcept {
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

// Serves an outcome: its value, inline, or its split's bucket's, out of line.
[[gnu::always_inline]] inline bool serve(const CompiledRules& rules, const FlagProgram& flag, const Outcome& outcome,
                                         const Context& ctx, Evaluation& e) noexcept {
    if (outcome.is_split) return serve_split(rules, flag, outcome, ctx, e);
    e.value = outcome.value;
    return true;
}

}  // namespace

Evaluation default_evaluation(const RegistryView& registry, std::size_t flag) noexcept {
    return Evaluation{.value = registry.flags[flag].default_value};
}

namespace {

Evaluation evaluate_with(const Snapshot& snapshot, std::size_t flag, const Context& ctx, EvaluationScratch& scratch) noexcept {
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
        if (evaluate_with(snapshot, prerequisite.flag, ctx, scratch).value != prerequisite.value) {
            e.reason = Reason::PREREQUISITE_FAILED;
            return e;
        }
    }
    for (std::uint32_t i = 0; i < program.rules_count; ++i) {
        const Rule& rule = rules.rules[program.rules_begin + i];
        if (!rule_matches(rules, rule, ctx, scratch)) continue;
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
    EvaluationScratch scratch;
    return evaluate_with(snapshot, flag, ctx, scratch);
}

}  // namespace flags::internal
