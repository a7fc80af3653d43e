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
        std::uint64_t major, minor, patch;
        if (!read_part(p, end, major) || p == end || *p++ != '.' || !read_part(p, end, minor) || p == end ||
            *p++ != '.' || !read_part(p, end, patch) || p != end)
            return std::nullopt;
        return (major << (2 * part_bits)) | (minor << part_bits) | patch;
    }

    // The key of a parsed version, when it is such a release.
    static std::optional<std::uint64_t> of(const SemVer& v) noexcept {
        if (!v.prerelease.empty() || v.major >= part_limit || v.minor >= part_limit || v.patch >= part_limit)
            return std::nullopt;
        return (v.major << (2 * part_bits)) | (v.minor << part_bits) | v.patch;
    }

private:
    // A part's digits at p, below part_limit. A part that starts with 0 is that one digit: a digit
    // after it (a leading zero) is then where a dot or the end should be, and the key is refused.
    static bool read_part(const char*& p, const char* end, std::uint64_t& out) noexcept {
        if (p == end) return false;
        unsigned digit = static_cast<unsigned char>(*p - '0');
        if (digit > 9) return false;
        std::uint64_t value = digit;
        ++p;
        if (value != 0) {
            for (; p != end && (digit = static_cast<unsigned char>(*p - '0')) <= 9; ++p) {
                value = value * 10 + digit;
                if (value >= part_limit) return false;
            }
        }
        out = value;
        return true;
    }
};

}  // namespace flags::internal
