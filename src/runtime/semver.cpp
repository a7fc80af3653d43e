#include "semver.hpp"

#include <charconv>
#include <cstdint>

namespace flags::internal {
namespace {

bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

bool all_digits(std::string_view s) noexcept {
    if (s.empty()) return false;
    for (char c : s)
        if (!is_digit(c)) return false;
    return true;
}

// Reads a numeric identifier at text[at]: digits, without a leading zero, that fit 64 bits. One pass,
// no allocation: a version is parsed on the read path, from the context's attribute. Up to 19 digits
// always fit, and are read here directly; from_chars judges a longer run.
[[gnu::always_inline]] inline bool read_number(std::string_view text, std::size_t& at, std::uint64_t& out) noexcept {
    const char* const begin = text.data() + at;
    const char* const end = text.data() + text.size();
    const char* p = begin;
    std::uint64_t value = 0;
    for (; p != end && static_cast<unsigned char>(*p - '0') < 10; ++p)
        value = value * 10 + static_cast<unsigned char>(*p - '0');
    const auto digits = p - begin;
    if (digits == 0) return false;  // no digit there
    if (digits > 19 && std::from_chars(begin, p, value).ec != std::errc{}) return false;  // more than 64 bits hold
    out = value;
    at += static_cast<std::size_t>(digits);
    return !(*begin == '0' && digits > 1);
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
    SemVer v;
    if (!parse_semver_into(text, v)) return std::nullopt;
    return v;
}

bool parse_semver_into(std::string_view text, SemVer& v) noexcept {
    v = SemVer{};
    std::size_t at = 0;
    if (!read_number(text, at, v.major) || at >= text.size() || text[at++] != '.' ||
        !read_number(text, at, v.minor) || at >= text.size() || text[at++] != '.' || !read_number(text, at, v.patch))
        return false;
    if (at == text.size()) return true;  // the common case: MAJOR.MINOR.PATCH and nothing more

    std::string_view rest = text.substr(at);
    std::string_view build;
    if (const auto plus = rest.find('+'); plus != std::string_view::npos) {
        build = rest.substr(plus + 1);
        rest = rest.substr(0, plus);
        if (!valid_identifiers(build, false)) return false;
    }
    if (!rest.empty()) {
        if (rest.front() != '-') return false;
        v.prerelease = rest.substr(1);
        if (!valid_identifiers(v.prerelease, true)) return false;
    }
    return true;
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
