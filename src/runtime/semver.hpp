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

// A release (MAJOR.MINOR.PATCH, nothing after) whose parts are each below 2^21, packed into one
// integer that orders as the versions do: most versions a context carries, compared with a single
// integer comparison and read in one short pass, without the general parse.
struct ReleaseKey {
    static constexpr unsigned part_bits = 21;
    static constexpr std::uint64_t part_limit = std::uint64_t{1} << part_bits;

    // The key of `text` when it is such a release, as parse_semver would read it; nothing when it is
    // anything else (a pre-release, build metadata, a part too large, or no version at all), which
    // the general parse then judges.
    static std::optional<std::uint64_t> of(std::string_view text) noexcept {
        const char* p = text.data();
        const char* const end = p + text.size();
        std::uint64_t key = 0;
        for (int part = 0; part < 3; ++part) {
            if (part > 0) {
                if (p == end || *p != '.') return std::nullopt;
                ++p;
            }
            const char* const first = p;
            std::uint64_t value = 0;
            for (; p != end && static_cast<unsigned char>(*p - '0') < 10 && p - first < 7; ++p)
                value = value * 10 + static_cast<unsigned char>(*p - '0');
            if (p == first || value >= part_limit || (*first == '0' && p - first > 1)) return std::nullopt;
            key = (key << part_bits) | value;
        }
        if (p != end) return std::nullopt;
        return key;
    }

    // The key of a parsed version, when it is such a release.
    static std::optional<std::uint64_t> of(const SemVer& v) noexcept {
        if (!v.prerelease.empty() || v.major >= part_limit || v.minor >= part_limit || v.patch >= part_limit)
            return std::nullopt;
        return (v.major << (2 * part_bits)) | (v.minor << part_bits) | v.patch;
    }
};

}  // namespace flags::internal
