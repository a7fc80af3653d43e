#include "targeting_plan.hpp"

#include <string_view>
#include <unordered_map>

namespace flags::internal {
namespace {

constexpr std::uint32_t no_name = ~std::uint32_t{0};

// Counts, for one flag at a time, how often its evaluation may read each name and use each segment,
// and marks what it reads or uses more than once. Counts are reset through the lists of what was
// touched, so that a file of many flags costs what its conditions do, not flags times names.
class ReadCounter {
public:
    ReadCounter(const CompiledRules& rules, const std::vector<std::uint32_t>& name_of, std::size_t names)
        : rules_(rules), name_of_(name_of), reads_(names, 0), uses_(rules.segment_count, 0),
          read_twice_(rules.conditions.size(), false), used_twice_(rules.segment_count, false),
          expanded_(rules.segment_count, false) {}

    void count(const FlagProgram& flag) {
        for_each_reached(flag, [&](std::uint32_t c) {
            const Condition& condition = rules_.conditions[c];
            if (condition.op == Op::segment) {
                if (uses_[condition.segment]++ == 0) used_segments_.push_back(condition.segment);
            } else if (name_of_[c] != no_name) {
                if (reads_[name_of_[c]]++ == 0) read_names_.push_back(name_of_[c]);
            }
        });
        for_each_reached(flag, [&](std::uint32_t c) {
            if (name_of_[c] != no_name && reads_[name_of_[c]] > 1) read_twice_[c] = true;
        });
        for (const auto segment : used_segments_) {
            if (uses_[segment] > 1) used_twice_[segment] = true;
            uses_[segment] = 0;
        }
        for (const auto name : read_names_) reads_[name] = 0;
        used_segments_.clear();
        read_names_.clear();
    }

    bool read_twice(std::uint32_t condition) const { return read_twice_[condition]; }
    bool used_twice(std::uint32_t segment) const { return used_twice_[segment]; }

private:
    // Each condition of the flag's rules, and each condition of a segment they use, once per segment.
    template <class Visit>
    void for_each_reached(const FlagProgram& flag, Visit&& visit) {
        for (std::uint32_t r = flag.rules_begin; r < flag.rules_begin + flag.rules_count; ++r) {
            const Rule& rule = rules_.rules[r];
            for (std::uint32_t c = rule.conditions_begin; c < rule.conditions_begin + rule.conditions_count; ++c) {
                visit(c);
                const Condition& condition = rules_.conditions[c];
                if (condition.op != Op::segment || expanded_[condition.segment]) continue;
                expanded_[condition.segment] = true;
                expanded_list_.push_back(condition.segment);
                for (std::uint32_t s = condition.begin; s < condition.begin + condition.count; ++s) visit(s);
            }
        }
        for (const auto segment : expanded_list_) expanded_[segment] = false;
        expanded_list_.clear();
    }

    const CompiledRules& rules_;
    const std::vector<std::uint32_t>& name_of_;
    std::vector<std::uint32_t> reads_, uses_;
    std::vector<std::uint32_t> read_names_, used_segments_;
    std::vector<bool> read_twice_, used_twice_, expanded_;
    std::vector<std::uint32_t> expanded_list_;
};

}  // namespace

void plan_remembering(CompiledRules& rules, const std::vector<FlagProgram>& flags) {
    std::unordered_map<std::string_view, std::uint32_t> names;
    std::vector<std::uint32_t> name_of(rules.conditions.size(), no_name);
    for (std::size_t c = 0; c < rules.conditions.size(); ++c) {
        const auto& subject = rules.conditions[c].subject;
        if (subject.kind == Subject::Kind::attribute)
            name_of[c] = names.try_emplace(subject.attribute, static_cast<std::uint32_t>(names.size())).first->second;
    }
    ReadCounter counter(rules, name_of, names.size());
    for (const auto& flag : flags)
        if (flag.present) counter.count(flag);

    std::unordered_map<std::string_view, std::uint32_t> numbers;
    for (std::uint32_t c = 0; c < rules.conditions.size(); ++c) {
        auto& condition = rules.conditions[c];
        if (condition.op == Op::segment) condition.remembered = counter.used_twice(condition.segment);
        condition.subject.number = Subject::unnumbered;
        if (!counter.read_twice(c)) continue;
        const auto [found, added] =
            numbers.try_emplace(condition.subject.attribute, static_cast<std::uint32_t>(numbers.size()));
        if (found->second < remembered_attributes) condition.subject.number = static_cast<std::uint16_t>(found->second);
    }
}

}  // namespace flags::internal
