#include "entry_text.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "output.hpp"

namespace flagctl {

EntryShape shape_of(const EntrySource& entry) {
    return EntryShape{.off = entry.off,
                      .value = entry.outcome.value,
                      .rollout = entry.outcome.rollout,
                      .split = entry.outcome.split,
                      .rules = entry.rules.size(),
                      .required = entry.required,
                      .bucket_by = entry.bucket_by,
                      .salt = entry.salt,
                      .since = entry.since};
}

std::string outcome_text(const EntryShape& shape, const flags::FlagInfo& flag) {
    if (shape.value) return *shape.value;
    if (shape.rollout) return percent_text(*shape.rollout);
    if (!shape.split.empty()) {
        // In the registry's variant order, as the engine lays out the buckets.
        std::string out;
        for (auto variant : flag.variants) {
            const auto weight = std::ranges::find(shape.split, variant, [](const auto& w) { return w.first; });
            if (weight == shape.split.end()) continue;
            out += fmt::format("{}{} {}", out.empty() ? "split " : " / ", variant, percent_text(weight->second));
        }
        return out;
    }
    return "default";
}

std::string state_text(const EntryShape& shape, const flags::FlagInfo& flag) {
    if (shape.off) return "off";
    std::string out = outcome_text(shape, flag);
    if (shape.rules > 0) out += ", " + counted(shape.rules, "rule");
    for (const auto& name : shape.required) out += ", requires " + name;
    return out;
}

}  // namespace flagctl
