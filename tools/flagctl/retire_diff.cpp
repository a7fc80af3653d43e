#include "retire_diff.hpp"

#include <algorithm>
#include <vector>

#include <fmt/format.h>

namespace flagctl {
namespace {

constexpr std::size_t context = 3;

// Lines with their newline, so that a missing newline at the end is a difference too.
std::vector<std::string_view> lines_of(std::string_view text) {
    std::vector<std::string_view> lines;
    while (!text.empty()) {
        const auto newline = text.find('\n');
        const auto length = newline == std::string_view::npos ? text.size() : newline + 1;
        lines.push_back(text.substr(0, length));
        text.remove_prefix(length);
    }
    return lines;
}

enum class Op : char { same = ' ', removed = '-', added = '+' };
struct Step {
    Op op;
    std::size_t a, b;  // line numbers (0-based) in before and after
};

// The edit script between a and b by the longest common subsequence of the lines between their
// common prefix and suffix, which is where a retire changes anything.
std::vector<Step> script(const std::vector<std::string_view>& a, const std::vector<std::string_view>& b) {
    std::size_t prefix = 0;
    while (prefix < a.size() && prefix < b.size() && a[prefix] == b[prefix]) ++prefix;
    std::size_t suffix = 0;
    while (suffix < a.size() - prefix && suffix < b.size() - prefix && a[a.size() - 1 - suffix] == b[b.size() - 1 - suffix])
        ++suffix;
    const std::size_t n = a.size() - prefix - suffix, m = b.size() - prefix - suffix;
    std::vector<std::vector<std::uint32_t>> lcs(n + 1, std::vector<std::uint32_t>(m + 1, 0));
    for (std::size_t i = n; i-- > 0;)
        for (std::size_t j = m; j-- > 0;)
            lcs[i][j] = a[prefix + i] == b[prefix + j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
    std::vector<Step> steps;
    for (std::size_t i = 0; i < prefix; ++i) steps.push_back({Op::same, i, i});
    std::size_t i = 0, j = 0;
    while (i < n || j < m) {
        if (i < n && j < m && a[prefix + i] == b[prefix + j]) {
            steps.push_back({Op::same, prefix + i++, prefix + j++});
        } else if (j < m && (i == n || lcs[i][j + 1] >= lcs[i + 1][j])) {
            steps.push_back({Op::added, prefix + i, prefix + j++});
        } else {
            steps.push_back({Op::removed, prefix + i++, prefix + j});
        }
    }
    for (std::size_t k = 0; k < suffix; ++k) steps.push_back({Op::same, prefix + n + k, prefix + m + k});
    return steps;
}

void append_line(std::string& out, char op, std::string_view line) {
    out += op;
    out += line;
    if (line.empty() || line.back() != '\n') out += "\n\\ No newline at end of file\n";
}

}  // namespace

std::string unified_diff(std::string_view path, std::string_view before, std::string_view after) {
    if (before == after) return {};
    const auto a = lines_of(before), b = lines_of(after);
    const auto steps = script(a, b);
    std::string out = fmt::format("--- a/{}\n+++ b/{}\n", path, path);
    std::size_t k = 0;
    while (k < steps.size()) {
        while (k < steps.size() && steps[k].op == Op::same) ++k;
        if (k == steps.size()) break;
        // A hunk: from `context` lines before this change to `context` lines after the last change
        // that is no more than 2 * context unchanged lines from the one before.
        const std::size_t start = k >= context ? k - context : 0;
        std::size_t end = k;
        for (std::size_t same = 0; end < steps.size(); ++end) {
            same = steps[end].op == Op::same ? same + 1 : 0;
            if (same > 2 * context) break;
        }
        std::size_t last_change = end;
        while (last_change > start && steps[last_change - 1].op == Op::same) --last_change;
        end = std::min(steps.size(), last_change + context);
        std::size_t a_count = 0, b_count = 0;
        for (std::size_t s = start; s < end; ++s) {
            if (steps[s].op != Op::added) ++a_count;
            if (steps[s].op != Op::removed) ++b_count;
        }
        const auto a_start = steps[start].a + (a_count ? 1 : 0), b_start = steps[start].b + (b_count ? 1 : 0);
        out += fmt::format("@@ -{},{} +{},{} @@\n", a_start, a_count, b_start, b_count);
        for (std::size_t s = start; s < end; ++s)
            append_line(out, static_cast<char>(steps[s].op), steps[s].op == Op::added ? b[steps[s].b] : a[steps[s].a]);
        k = end;
    }
    return out;
}

}  // namespace flagctl
