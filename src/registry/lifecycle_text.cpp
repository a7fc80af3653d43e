#include "lifecycle_text.hpp"

#include <fmt/format.h>

namespace flags::registry {
namespace {

std::string days_ago(std::int64_t days) { return fmt::format("{} day{}", days, days == 1 ? "" : "s"); }

}  // namespace

LifecycleText lifecycle_text(const FlagInfo& flag, const Lifecycle& state) {
    const auto type = to_string(flag.type);
    switch (state.kind) {
    case Lifecycle::Kind::current: break;
    case Lifecycle::Kind::expired:
        return {fmt::format("{} flag '{}' expired on {} ({} ago)", type, flag.name, format_date(*flag.retire_by),
                            days_ago(state.days)),
                fmt::format("remove Flag::{} from the code and its entry from the registry, or extend retire_by "
                            "if it must stay longer",
                            flag.identifier)};
    case Lifecycle::Kind::retiring:
        return {state.days == 0
                    ? fmt::format("{} flag '{}' retires today ({})", type, flag.name, format_date(*flag.retire_by))
                    : fmt::format("{} flag '{}' retires on {} (in {})", type, flag.name, format_date(*flag.retire_by),
                                  days_ago(state.days)),
                fmt::format("plan the removal of Flag::{}: the build fails from {} on", flag.identifier,
                            format_date(*flag.retire_by + std::chrono::days{1}))};
    case Lifecycle::Kind::review_due:
        return {fmt::format("{} flag '{}' was due for review on {} ({} ago)", type, flag.name,
                            format_date(*flag.review_by), days_ago(state.days)),
                "confirm it is still needed, then move review_by forward"};
    }
    return {};
}

}  // namespace flags::registry
