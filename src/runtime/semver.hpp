// Semantic versions (semver.org 2.0.0) for the semver_* operators. Parsing allocates nothing: the
// pre-release part is a view into the parsed text.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace flags::internal {

struct SemVer {
    std::uint64_t major = 0, minor = 0, patch = 0;
    std::string_view prerelease{};  // empty for a release; build metadata is dropped, it has no precedence
};

std::optional<SemVer> parse_semver(std::string_view text) noexcept;
// The same into `out`, which holds the version when this returns true: no copy of it is made.
bool parse_semver_into(std::string_view text, SemVer& out) noexcept;

// <0, 0, >0 as a precedes, equals, follows b in semver precedence.
int compare(const SemVer& a, const SemVer& b) noexcept;

}  // namespace flags::internal
