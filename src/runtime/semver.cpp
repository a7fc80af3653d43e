#include "semver.hpp"

#include <charconv>

namespace flags::internal {
namespace {

bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

bool all_digits(std::string_view s) noexcept {
    if (s.empty()) return false;
    for (char c : s)
        if (!is_digit(c)) return false;
    return true;
}

// A numeric identifier: digits without a leading zero.
std::optional<std::uint64_t> number(std::string_view s) noexcept {
    if (!all_digits(s) || (s.size() > 1 && s.front() == '0')) return std::nullopt;
    std::uint64_t value = 0;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (ec != std::errc{} || ptr != s.data() + s.size()) return std::nullopt;
    return value;
}

bool valid_identifiers(std::string_view s, bool numeric_rule) noexcept {
    while (true) {
        const auto dot = s.find('.');
        const auto id = s.substr(0, dot);
        if (id.empty()) return false;
        for (char c : id)
            if (!(is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-')) return false;
        if (numeric_rule && all_digits(id) && id.size() > 1 && id.front() == '0') return false;
        if (dot == std::string_view::npos) return true;
        s.remove_prefix(dot + 1);
    }
}

}  // namespace

std::optional<SemVer> parse_semver(std::string_view text) noexcept {
    if (const auto plus = text.find('+'); plus != std::string_view::npos) {
        if (!valid_identifiers(text.substr(plus + 1), false)) return std::nullopt;
        text = text.substr(0, plus);
    }
    SemVer v;
    if (const auto dash = text.find('-'); dash != std::string_view::npos) {
        v.prerelease = text.substr(dash + 1);
        if (!valid_identifiers(v.prerelease, true)) return std::nullopt;
        text = text.substr(0, dash);
    }
    const auto first = text.find('.');
    const auto second = first == std::string_view::npos ? first : text.find('.', first + 1);
    if (second == std::string_view::npos) return std::nullopt;
    const auto major = number(text.substr(0, first));
    const auto minor = number(text.substr(first + 1, second - first - 1));
    const auto patch = number(text.substr(second + 1));
    if (!major || !minor || !patch) return std::nullopt;
    v.major = *major;
    v.minor = *minor;
    v.patch = *patch;
    return v;
}

int compare(const SemVer& a, const SemVer& b) noexcept {
    if (a.major != b.major) return a.major < b.major ? -1 : 1;
    if (a.minor != b.minor) return a.minor < b.minor ? -1 : 1;
    if (a.patch != b.patch) return a.patch < b.patch ? -1 : 1;
    // A pre-release precedes its release; pre-releases compare identifier by identifier.
    if (a.prerelease.empty() || b.prerelease.empty())
        return a.prerelease.empty() == b.prerelease.empty() ? 0 : (a.prerelease.empty() ? 1 : -1);
    std::string_view x = a.prerelease, y = b.prerelease;
    while (!x.empty() && !y.empty()) {
        const auto xd = x.find('.'), yd = y.find('.');
        const auto xi = x.substr(0, xd), yi = y.substr(0, yd);
        const bool xn = all_digits(xi), yn = all_digits(yi);
        if (xn && yn) {
            if (xi.size() != yi.size()) return xi.size() < yi.size() ? -1 : 1;  // no leading zeros
            if (const int c = xi.compare(yi); c != 0) return c < 0 ? -1 : 1;
        } else if (xn != yn) {
            return xn ? -1 : 1;  // numeric identifiers precede alphanumeric ones
        } else if (const int c = xi.compare(yi); c != 0) {
            return c < 0 ? -1 : 1;
        }
        x = xd == std::string_view::npos ? std::string_view{} : x.substr(xd + 1);
        y = yd == std::string_view::npos ? std::string_view{} : y.substr(yd + 1);
    }
    return x.empty() == y.empty() ? 0 : (x.empty() ? -1 : 1);
}

}  // namespace flags::internal
