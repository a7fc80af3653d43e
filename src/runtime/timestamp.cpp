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

std::optional<std::int64_t> parse_rfc3339(std::string_view s) noexcept {
    int year, month, day, hour, minute, second;
    if (s.size() < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
        s[13] != ':' || s[16] != ':')
        return std::nullopt;
    if (!digits(s, 0, 4, year) || !digits(s, 5, 2, month) || !digits(s, 8, 2, day) || !digits(s, 11, 2, hour) ||
        !digits(s, 14, 2, minute) || !digits(s, 17, 2, second))
        return std::nullopt;
    if (hour > 23 || minute > 59 || second > 60) return std::nullopt;  // 60: a leap second
    const std::chrono::year_month_day date{std::chrono::year{year}, std::chrono::month{static_cast<unsigned>(month)},
                                           std::chrono::day{static_cast<unsigned>(day)}};
    if (!date.ok()) return std::nullopt;

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
        if (count == 0) return std::nullopt;
        for (std::size_t i = count; i < 9; ++i) nanos *= 10;
    }
    if (at >= s.size()) return std::nullopt;
    std::int64_t offset_seconds = 0;
    if (s[at] == 'Z' || s[at] == 'z') {
        ++at;
    } else if (s[at] == '+' || s[at] == '-') {
        int oh, om;
        if (at + 6 != s.size() || s[at + 3] != ':' || !digits(s, at + 1, 2, oh) || !digits(s, at + 4, 2, om) ||
            oh > 23 || om > 59)
            return std::nullopt;
        offset_seconds = (s[at] == '+' ? 1 : -1) * (oh * 3600 + om * 60);
        at += 6;
    } else {
        return std::nullopt;
    }
    if (at != s.size()) return std::nullopt;

    return unix_nanos(std::chrono::sys_days{date}.time_since_epoch().count(), hour, minute, second, nanos,
                      offset_seconds);
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
