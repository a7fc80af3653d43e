#include "targeting_plan.hpp"

#include <string_view>
#include <unordered_map>

namespace flags::internal {

void number_attributes(CompiledRules& rules) {
    std::unordered_map<std::string_view, std::uint16_t> numbers;
    for (auto& condition : rules.conditions) {
        auto& subject = condition.subject;
        if (subject.kind != Subject::Kind::attribute) continue;
        const auto [found, added] = numbers.try_emplace(subject.attribute, static_cast<std::uint16_t>(numbers.size()));
        if (found->second < remembered_attributes) subject.number = found->second;
    }
}

}  // namespace flags::internal
