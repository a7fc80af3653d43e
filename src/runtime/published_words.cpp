#include "published_words.hpp"

#include <algorithm>
#include <map>
#include <mutex>
#include <new>

#include <flags/bucketing.hpp>

namespace flags::internal {

// Zero until published; a reader only looks at a plan a word has named, after the plan was written.
constinit std::array<SplitPlan, split_plan_capacity> split_plans{};

namespace {

// Every plan published so far, by content, so that a plan is published once for the life of the
// process however often a file is reloaded: the table only fills with distinct splits.
struct PlanIndex {
    std::mutex mutex;
    std::map<std::pair<decltype(SplitPlan::upper), decltype(SplitPlan::value)>, std::uint16_t> numbers;
};

PlanIndex& plan_index() {
    static PlanIndex* index = new PlanIndex;  // never destroyed: runtimes publish until the process ends
    return *index;
}

std::optional<SplitPlan> plan_of(std::span<const SplitStep> steps) noexcept {
    if (steps.empty() || steps.size() > SplitPlan::max_steps || steps.back().upper != bucket_count) return std::nullopt;
    SplitPlan plan;
    plan.upper.fill(static_cast<std::uint16_t>(bucket_count));
    for (std::size_t i = 0; i < steps.size(); ++i) {
        plan.upper[i] = steps[i].upper;
        plan.value[i] = steps[i].value;
    }
    return plan;
}

}  // namespace

std::optional<std::uint16_t> publish_split_plan(std::span<const SplitStep> steps) noexcept {
    const auto plan = plan_of(steps);
    if (!plan) return std::nullopt;
    try {
        PlanIndex& index = plan_index();
        std::lock_guard lock(index.mutex);
        const auto key = std::make_pair(plan->upper, plan->value);
        if (const auto found = index.numbers.find(key); found != index.numbers.end()) return found->second;
        if (index.numbers.size() == split_plan_capacity) return std::nullopt;
        const auto number = static_cast<std::uint16_t>(index.numbers.size());
        index.numbers.emplace(key, number);
        // Written before any word names it: the word's release store publishes the plan with it.
        split_plans[number] = *plan;
        return number;
    } catch (const std::bad_alloc&) {
        return std::nullopt;
    }
}

std::uint32_t published_word_of(const Snapshot& snapshot, std::size_t flag) noexcept {
    const auto& program = snapshot.flags[flag];
    // An exposure names the key the flag buckets by, which a read from the word knows only when it
    // is the user: a tracked flag bucketed by anything else is always evaluated.
    if (snapshot.registry.flags[flag].track && program.bucket_by.kind != Subject::Kind::user) return needs_evaluation_bit;
    if (program.settled()) {
        const auto e = internal::evaluate(snapshot, flag, Context{});
        return settled_word(e.value, e.reason, snapshot.generation);
    }
    if (const auto threshold = program.user_rollout_threshold(*snapshot.rules))
        return user_rollout_word(*threshold, snapshot.generation);
    if (const auto steps = program.user_split_steps(*snapshot.rules))
        if (const auto plan = publish_split_plan(*steps)) return user_split_word(*plan, snapshot.generation);
    return needs_evaluation_bit;
}

}  // namespace flags::internal
