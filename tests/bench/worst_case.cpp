#include "worst_case.hpp"

#include <fmt/format.h>

#include "runtime/evaluation_cost.hpp"

namespace bench {
namespace {

constexpr std::string_view email = "user-123456@customer.org";

// One rule's condition, which the costly context fails, and what the cost model charges for the rule.
struct RuleShape {
    std::string condition;
    std::uint64_t cost;
};

// Needles that each match a stretch of the email and then differ, so that the automaton goes deep and
// falls back at every byte rather than idling at its root.
std::string near_misses(std::size_t most) {
    std::string out;
    for (std::size_t at = 0; at + 6 <= email.size() && at < most; ++at)
        out += fmt::format("{}\"{}#\"", out.empty() ? "" : ", ", email.substr(at, 6));
    return out;
}

// Suffixes of the email that differ at their first byte, so that the trie walks almost all the way.
std::string near_suffixes(std::size_t count) {
    std::string out;
    for (std::size_t i = 0; i < count; ++i)
        out += fmt::format("{}\"{}{}\"", out.empty() ? "" : ", ", static_cast<char>('A' + i), email.substr(i % 4 + 1));
    return out;
}

RuleShape shape_of(CostlyKind kind) {
    using namespace flags::internal;
    switch (kind) {
    case CostlyKind::sets:
        return {R"({ attr = "plan", in = ["p0", "p1", "p2", "p3", "p4", "p5", "p6", "p7", "p8", "p9"] })",
                cost::rule + cost::condition + cost::set_lookup};
    case CostlyKind::needles:
        return {R"({ attr = "email", ends_with = ["@a.org", "@b.org", "@c.org", "@d.org", "@e.org", "@f.org", "@g.org", "@h.org"] })",
                cost::rule + cost::condition + 8 * cost::needle};
    case CostlyKind::substrings:
        return {fmt::format(R"({{ attr = "email", contains = [{}] }})", near_misses(8)),
                cost::rule + cost::condition + 8 * cost::substring_needle};
    case CostlyKind::trie:
        return {fmt::format(R"({{ attr = "email", ends_with = [{}] }})", near_suffixes(20)),
                cost::rule + cost::condition + cost::trie};
    case CostlyKind::automaton:
        return {fmt::format(R"({{ attr = "email", contains = [{}] }})", near_misses(100)),
                cost::rule + cost::condition + cost::automaton};
    case CostlyKind::versions: return {R"({ attr = "app_version", semver_gt = "9.0.0" })", cost::rule + cost::condition + cost::parse};
    case CostlyKind::times: return {R"({ attr = "signup", before = 2000-01-01T00:00:00Z })", cost::rule + cost::condition + cost::time_parse};
    case CostlyKind::numbers: return {R"({ attr = "age", gt = 1000 })", cost::rule + cost::condition + cost::parse};
    case CostlyKind::segments: return {R"({ segment = "staff" })", cost::rule + cost::segment_use};
    }
    return {};
}

}  // namespace

std::string_view to_string(CostlyKind kind) {
    switch (kind) {
    case CostlyKind::sets: return "sets";
    case CostlyKind::needles: return "needles";
    case CostlyKind::substrings: return "substrings";
    case CostlyKind::trie: return "trie";
    case CostlyKind::automaton: return "automaton";
    case CostlyKind::versions: return "versions";
    case CostlyKind::times: return "times";
    case CostlyKind::numbers: return "numbers";
    case CostlyKind::segments: return "segments";
    }
    return "?";
}

std::string costly_runtime(CostlyKind kind, std::uint64_t budget) {
    using namespace flags::internal;
    const auto shape = shape_of(kind);
    // The segment's own conditions are charged once, on its first use.
    const std::uint64_t fixed = cost::serve + (kind == CostlyKind::segments ? cost::condition + cost::set_lookup : 0);
    const std::uint64_t rules = budget > fixed ? (budget - fixed) / shape.cost : 0;
    std::string out = "schema = 1\n\n[segments]\nstaff = [{ attr = \"plan\", in = [\"staff\", \"admin\"] }]\n\n"
                      "[flags.\"permission.early-access\"]\nvalue = false\nrules = [\n";
    for (std::uint64_t i = 0; i < rules; ++i)
        out += fmt::format("  {{ when = [{}], value = true }},\n", shape.condition);
    return out + "]\n";
}

const flags::Context& costly_context() {
    static const flags::Context context{.user = "user-123456",
                                        .tenant = "tenant-7",
                                        .attributes = {{"plan", "enterprise"},
                                                       {"email", email},
                                                       {"app_version", "2.4.1"},
                                                       {"signup", "2026-11-01T12:00:00Z"},
                                                       {"age", "42"}}};
    return context;
}

}  // namespace bench
