#include "timestamp.hpp"

#include <chrono>

namespace flags::internal {
namespace {

bool digits(std::string_view s, std::size_t at, std::size_t count, int& out) noexcept {
    if (at + count > s.size()) return false;
    out = 0;
    for (std::size_t i = at; i < at + count; ++i) {
        if (s[i] < '0' || s[i] > '9') return false;
        out = out * 10 + (s[i] - '0');
    }
    return true;
}

}  // namespace

Timestamp read_rfc3339(std::string_view s) noexcept {
    constexpr Timestamp malformed{.problem = TimestampProblem::malformed};
    constexpr Timestamp not_a_date{.problem = TimestampProblem::not_a_date};
    int year, month, day, hour, minute, second;
    if (s.size() < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
        s[13] != ':' || s[16] != ':')
        return malformed;
    if (!digits(s, 0, 4, year) || !digits(s, 5, 2, month) || !digits(s, 8, 2, day) || !digits(s, 11, 2, hour) ||
        !digits(s, 14, 2, minute) || !digits(s, 17, 2, second))
        return malformed;
    // The calendar is checked after the whole form, so that "not a date" is said only of a text that
    // is a date-time in every other respect.
    const std::chrono::year_month_day date{std::chrono::year{year}, std::chrono::month{static_cast<unsigned>(month)},
                                           std::chrono::day{static_cast<unsigned>(day)}};
    const bool real = date.ok() && hour <= 23 && minute <= 59 && second <= 60;  // 60: a leap second

    std::size_t at = 19;
    std::int64_t nanos = 0;
    if (at < s.size() && s[at] == '.') {
        ++at;
        std::size_t count = 0;
        while (at < s.size() && s[at] >= '0' && s[at] <= '9') {
            if (count < 9) nanos = nanos * 10 + (s[at] - '0');
            ++count;
            ++at;
        }
        if (count == 0) return malformed;
        for (std::size_t i = count; i < 9; ++i) nanos *= 10;
    }
    if (at >= s.size()) return malformed;
    std::int64_t offset_seconds = 0;
    if (s[at] == 'Z' || s[at] == 'z') {
        ++at;
    } else if (s[at] == '+' || s[at] == '-') {
        int oh, om;
        if (at + 6 != s.size() || s[at + 3] != ':' || !digits(s, at + 1, 2, oh) || !digits(s, at + 4, 2, om) ||
            oh > 23 || om > 59)
            return malformed;
        offset_seconds = (s[at] == '+' ? 1 : -1) * (oh * 3600 + om * 60);
        at += 6;
    } else {
        return malformed;
    }
    if (at != s.size()) return malformed;
    if (!real) return not_a_date;

    const auto instant = unix_nanos(std::chrono::sys_days{date}.time_since_epoch().count(), hour, minute, second,
                                    nanos, offset_seconds);
    if (!instant) return Timestamp{.problem = TimestampProblem::out_of_range};
    return Timestamp{.problem = TimestampProblem::none, .nanos = *instant};
}

std::optional<std::int64_t> parse_rfc3339(std::string_view text) noexcept {
    const auto read = read_rfc3339(text);
    if (read.problem != TimestampProblem::none) return std::nullopt;
    return read.nanos;
}

std::optional<std::int64_t> unix_nanos(std::int64_t days_since_epoch, int hour, int minute, int second,
                                       std::int64_t nanos, std::int64_t offset_seconds) noexcept {
    const std::int64_t seconds = days_since_epoch * 86400 + hour * 3600 + minute * 60 + second - offset_seconds;
    std::int64_t result = 0;
    if (__builtin_mul_overflow(seconds, std::int64_t{1'000'000'000}, &result) ||
        __builtin_add_overflow(result, nanos, &result))
        return std::nullopt;
    return result;
}

}  // namespace flags::internal
