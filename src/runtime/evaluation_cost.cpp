#include "evaluation_cost.hpp"

#include <limits>
#include <utility>

#include "condition_operators.hpp"

namespace flags::internal {
namespace {

// A chain of prerequisites that share prerequisites doubles its cost at each step: saturate.
std::uint64_t plus(std::uint64_t a, std::uint64_t b) noexcept {
    return a > std::numeric_limits<std::uint64_t>::max() - b ? std::numeric_limits<std::uint64_t>::max() : a + b;
}

// A condition's own cost is its operator's business (its row in condition_operators.cpp); a
// segment's is counted by the caller.
std::uint64_t operator_cost(const CompiledRules& rules, const Condition& c) noexcept {
    const OperatorSpec* spec = operator_of(c.op);
    return spec ? spec->cost(c, rules) : 0;
}

class CostCounter {
public:
    CostCounter(const CompiledRules& rules, const std::vector<FlagProgram>& flags)
        : rules_(rules), flags_(flags), segment_costs_(rules.segment_count, unknown),
          last_counted_by_(rules.segment_count, 0) {}

    // The flag's own rules and value, without its prerequisites.
    std::uint64_t own(std::size_t flag) {
        const FlagProgram& program = flags_[flag];
        if (!program.present || program.off) return 0;
        const auto stamp = static_cast<std::uint32_t>(flag) + 1;
        std::uint64_t total = cost::serve;
        for (std::uint32_t r = 0; r < program.rules_count; ++r) {
            const Rule& rule = rules_.rules[program.rules_begin + r];
            total = plus(total, cost::rule);
            for (std::uint32_t i = 0; i < rule.conditions_count; ++i) {
                const Condition& c = rules_.conditions[rule.conditions_begin + i];
                if (c.op != Op::segment) {
                    total = plus(total, operator_cost(rules_, c));
                    continue;
                }
                total = plus(total, cost::segment_use);
                if (c.segment >= memoised_segments || last_counted_by_[c.segment] != stamp) {
                    if (c.segment < memoised_segments) last_counted_by_[c.segment] = stamp;
                    total = plus(total, segment_cost(c));
                }
            }
        }
        return total;
    }

private:
    static constexpr std::uint64_t unknown = std::numeric_limits<std::uint64_t>::max();

    // A segment's own conditions, counted once however many rules use it.
    std::uint64_t segment_cost(const Condition& segment) {
        auto& known = segment_costs_[segment.segment];
        if (known != unknown) return known;
        std::uint64_t total = 0;
        for (std::uint32_t i = 0; i < segment.count; ++i)
            total = plus(total, operator_cost(rules_, rules_.conditions[segment.begin + i]));
        return known = total;
    }

    const CompiledRules& rules_;
    const std::vector<FlagProgram>& flags_;
    std::vector<std::uint64_t> segment_costs_;
    std::vector<std::uint32_t> last_counted_by_;  // segment -> 1 + the flag that last counted its conditions
};

}  // namespace

std::vector<FlagCost> worst_case_costs(const CompiledRules& rules, const std::vector<FlagProgram>& flags) {
    CostCounter counter(rules, flags);
    std::vector<FlagCost> costs(flags.size());
    std::vector<bool> done(flags.size(), false);
    // Depth first over prerequisites, without recursion: a chain may be as long as the registry.
    std::vector<std::pair<std::size_t, std::uint32_t>> stack;  // flag, next prerequisite to visit
    for (std::size_t start = 0; start < flags.size(); ++start) {
        if (done[start]) continue;
        stack.emplace_back(start, 0);
        while (!stack.empty()) {
            const auto [flag, next] = stack.back();
            const FlagProgram& program = flags[flag];
            const bool reads_prerequisites = program.present && !program.off;
            if (reads_prerequisites && next < program.requires_count) {
                ++stack.back().second;
                const std::size_t other = rules.prerequisites[program.requires_begin + next].flag;
                if (!done[other]) stack.emplace_back(other, 0);
                continue;
            }
            FlagCost& cost = costs[flag];
            for (std::uint32_t i = 0; reads_prerequisites && i < program.requires_count; ++i) {
                const auto& other = costs[rules.prerequisites[program.requires_begin + i].flag];
                cost.prerequisites = plus(cost.prerequisites, plus(cost::prerequisite, other.total));
            }
            cost.total = plus(counter.own(flag), cost.prerequisites);
            done[flag] = true;
            stack.pop_back();
        }
    }
    return costs;
}

}  // namespace flags::internal
