// RFC 3339 timestamps ("2026-11-21T09:30:00Z", "2026-11-21T10:30:00.5+01:00") for before/after.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace flags::internal {

// Why a text is not an instant: a loader tells "not a date-time" from "a date-time out of range".
enum class TimestampProblem : std::uint8_t {
    none,
    malformed,     // not the RFC 3339 form with an offset
    not_a_date,    // the form, but month 13, day 32, hour 24 or the like
    out_of_range,  // a real date-time that does not fit 64 bits of nanoseconds (before 1678, after 2261)
};

struct Timestamp {
    TimestampProblem problem = TimestampProblem::malformed;
    std::int64_t nanos = 0;  // since 1970-01-01T00:00:00Z, when there is no problem
};

// Reads a full RFC 3339 date-time with an offset (Z or +hh:mm / -hh:mm). Allocates nothing.
Timestamp read_rfc3339(std::string_view text) noexcept;

// Nanoseconds since 1970-01-01T00:00:00Z, or nullopt for any problem read_rfc3339 finds.
std::optional<std::int64_t> parse_rfc3339(std::string_view text) noexcept;

// Nanoseconds since the epoch of a civil date and time at an offset from UTC; nullopt when the instant
// does not fit 64 bits (before 1677 or after 2262), which no flag needs.
std::optional<std::int64_t> unix_nanos(std::int64_t days_since_epoch, int hour, int minute, int second,
                                       std::int64_t nanos, std::int64_t offset_seconds) noexcept;

}  // namespace flags::internal
