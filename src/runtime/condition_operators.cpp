#include "condition_operators.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cmath>
#include <functional>
#include <vector>

#include <fmt/format.h>

#include "evaluation_cost.hpp"
#include "evaluation_scratch.hpp"
#include "semver.hpp"
#include "timestamp.hpp"

namespace flags::internal {

std::string_view Interner::operator()(std::string_view text) {
    if (auto it = kept_.find(text); it != kept_.end()) return it->second;
    std::string_view kept = storage_.emplace_back(text);
    kept_.emplace(kept, kept);
    return kept;
}

namespace {

// in, not_in: a non-empty array of strings (integers are taken as their decimal text), hashed into a set.
bool read_set(const toml::node& operand, const OperatorSpec& spec, OperandContext& context, Condition& condition) {
    const auto* array = operand.as_array();
    std::vector<std::string_view> members;
    if (array) {
        members.reserve(array->size());
        for (const auto& element : *array) {
            if (const auto* s = element.as_string()) members.push_back(context.intern(s->get()));
            else if (const auto* i = element.as_integer()) members.push_back(context.intern(std::to_string(i->get())));
            else {
                array = nullptr;
                break;
            }
        }
    }
    if (!array || members.empty()) {
        context.report.error(operand.source(), "'in' and 'not_in' take a non-empty array of strings",
                             std::string(spec.example));
        return false;
    }
    condition.begin = static_cast<std::uint32_t>(context.rules.sets.size());
    context.rules.sets.emplace_back(members);
    return true;
}

// starts_with, ends_with, contains: a string or a non-empty array of strings, matched by one automaton.
bool read_texts(const toml::node& operand, const OperatorSpec& spec, OperandContext& context, Condition& condition) {
    std::vector<std::string_view> texts;
    if (const auto* s = operand.as_string()) texts.push_back(context.intern(s->get()));
    if (const auto* array = operand.as_array()) {
        for (const auto& element : *array) {
            if (const auto* s = element.as_string()) texts.push_back(context.intern(s->get()));
            else texts.clear();
            if (texts.empty()) break;
        }
    }
    if (texts.empty()) {
        context.report.error(operand.source(),
                             "'starts_with', 'ends_with' and 'contains' take a string or an array of strings",
                             std::string(spec.example));
        return false;
    }
    const auto mode = spec.op == Op::starts_with ? TextMatcher::Mode::prefix
                      : spec.op == Op::ends_with ? TextMatcher::Mode::suffix
                                                 : TextMatcher::Mode::substring;
    condition.begin = static_cast<std::uint32_t>(context.rules.matchers.size());
    condition.count = static_cast<std::uint32_t>(texts.size());
    context.rules.matchers.emplace_back(mode, std::move(texts));
    return true;
}

// lt, lte, gt, gte: a finite number. Attributes are compared as doubles; past 2^53 an integer would
// silently become another one.
bool read_number(const toml::node& operand, const OperatorSpec& spec, OperandContext& context, Condition& condition) {
    if (const auto* integer = operand.as_integer()) {
        constexpr std::int64_t exact = std::int64_t{1} << 53;
        if (integer->get() > exact || integer->get() < -exact) {
            context.report.error(operand.source(),
                                 fmt::format("{} is past 2^53 and has no exact value to compare with", integer->get()),
                                 "compare with a number from -9007199254740992 to 9007199254740992");
            return false;
        }
        condition.number = static_cast<double>(integer->get());
        return true;
    }
    const auto* number = operand.as_floating_point();
    if (!number || !std::isfinite(number->get())) {
        context.report.error(operand.source(), "comparison operators take a number", std::string(spec.example));
        return false;
    }
    condition.number = number->get();
    return true;
}

// semver_*: a semantic version, parsed here once rather than at every evaluation.
bool read_version(const toml::node& operand, const OperatorSpec& spec, OperandContext& context, Condition& condition) {
    const auto* s = operand.as_string();
    const auto version = s ? parse_semver(context.intern(s->get())) : std::nullopt;
    if (!version) {
        context.report.error(operand.source(),
                             s ? fmt::format("'{}' is not a semantic version", s->get())
                               : std::string("semver operators take a version string"),
                             std::string(spec.example));
        return false;
    }
    condition.version = *version;
    condition.release_key = ReleaseKey::of(*version).value_or(Condition::no_release_key);
    return true;
}

bool read_time(const toml::node& operand, const OperatorSpec&, OperandContext& context, Condition& condition) {
    const auto time = read_instant(operand, context.report);
    if (!time) return false;
    condition.time_ns = *time;
    return true;
}


// The tests, one per operator family. Each gets the value of the condition's attribute, which the
// context has; a value that does not parse as the operator's kind ("abc" against gt = 5) fails.

bool test_in(const Condition& c, std::string_view value, const CompiledRules& rules, EvaluationScratch&) noexcept {
    return rules.sets[c.begin].contains(value);
}

bool test_not_in(const Condition& c, std::string_view value, const CompiledRules& rules, EvaluationScratch&) noexcept {
    return !rules.sets[c.begin].contains(value);
}

bool test_text(const Condition& c, std::string_view value, const CompiledRules& rules, EvaluationScratch&) noexcept {
    return rules.matchers[c.begin].matches(value);
}

std::optional<double> parse_number(std::string_view text) noexcept {
    double value = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || ptr != text.data() + text.size()) return std::nullopt;
    return value;
}

template <class Holds>
bool test_number(const Condition& c, std::string_view value, const CompiledRules&, EvaluationScratch&) noexcept {
    const auto number = parse_number(value);
    return number && Holds{}(*number, c.number);
}

// A plain release against a plain release compares two integers, with no parse of the general
// form; anything else (a pre-release on either side, build metadata, a malformed value) goes
// through the full parse, kept in the scratch so that it happens once per evaluation.
template <class Holds>
bool test_version(const Condition& c, std::string_view value, const CompiledRules&, EvaluationScratch& scratch) noexcept {
    if (c.release_key != Condition::no_release_key) {
        if (const auto key = ReleaseKey::of(value)) return Holds{}(*key, c.release_key);
    }
    const SemVer* version = scratch.version_of(c.subject, value);
    return version && Holds{}(compare(*version, c.version), 0);
}

template <class Holds>
bool test_time(const Condition& c, std::string_view value, const CompiledRules&, EvaluationScratch&) noexcept {
    const auto time = parse_rfc3339(value);
    return time && Holds{}(*time, c.time_ns);
}

// The costs (evaluation_cost.hpp): finding the attribute, then what the test does at worst.

std::uint64_t cost_set(const Condition&, const CompiledRules&) noexcept { return cost::condition + cost::set_lookup; }

std::uint64_t cost_anchored(const Condition& c, const CompiledRules& rules) noexcept {
    return cost::condition + (rules.matchers[c.begin].uses_automaton() ? cost::trie : cost::needle * c.count);
}

std::uint64_t cost_substring(const Condition& c, const CompiledRules& rules) noexcept {
    return cost::condition +
           (rules.matchers[c.begin].uses_automaton() ? cost::automaton : cost::substring_needle * c.count);
}

std::uint64_t cost_parse(const Condition&, const CompiledRules&) noexcept { return cost::condition + cost::parse; }

std::uint64_t cost_time(const Condition&, const CompiledRules&) noexcept { return cost::condition + cost::time_parse; }

constexpr std::string_view set_example = "e.g. in = [\"acme\", \"globex\"]";
constexpr std::string_view text_example = "e.g. ends_with = \"@example.com\"";
constexpr std::string_view number_example = "e.g. gte = 18";
constexpr std::string_view version_example = "write MAJOR.MINOR.PATCH, e.g. semver_gte = \"2.3.0\"";
constexpr std::string_view time_example = "e.g. after = 2026-12-01T00:00:00Z";

// In alphabetical order, as operator_list() shows them. `segment` is not among them: it names no
// attribute, and is read apart.
constexpr std::array<OperatorSpec, 16> operators{{
    {"after", Op::after, read_time, test_time<std::greater<>>, cost_time, time_example},
    {"before", Op::before, read_time, test_time<std::less<>>, cost_time, time_example},
    {"contains", Op::contains, read_texts, test_text, cost_substring, text_example},
    {"ends_with", Op::ends_with, read_texts, test_text, cost_anchored, text_example},
    {"gt", Op::gt, read_number, test_number<std::greater<>>, cost_parse, number_example},
    {"gte", Op::gte, read_number, test_number<std::greater_equal<>>, cost_parse, number_example},
    {"in", Op::in, read_set, test_in, cost_set, set_example},
    {"lt", Op::lt, read_number, test_number<std::less<>>, cost_parse, number_example},
    {"lte", Op::lte, read_number, test_number<std::less_equal<>>, cost_parse, number_example},
    {"not_in", Op::not_in, read_set, test_not_in, cost_set, set_example},
    {"semver_eq", Op::semver_eq, read_version, test_version<std::equal_to<>>, cost_parse, version_example},
    {"semver_gt", Op::semver_gt, read_version, test_version<std::greater<>>, cost_parse, version_example},
    {"semver_gte", Op::semver_gte, read_version, test_version<std::greater_equal<>>, cost_parse, version_example},
    {"semver_lt", Op::semver_lt, read_version, test_version<std::less<>>, cost_parse, version_example},
    {"semver_lte", Op::semver_lte, read_version, test_version<std::less_equal<>>, cost_parse, version_example},
    {"starts_with", Op::starts_with, read_texts, test_text, cost_anchored, text_example},
}};

static_assert(std::ranges::is_sorted(operators, {}, &OperatorSpec::name), "operator_list() shows them in this order");

constexpr std::string_view range_message = "the date-time is out of the supported range (years 1678 to 2261)";
constexpr std::string_view range_hint = "use a date-time between 1678 and 2261";
constexpr std::string_view no_offset_message = "a date-time without an offset is a different instant in every time zone";
constexpr std::string_view no_offset_hint = "append Z or an offset, e.g. after = 2026-06-01T00:00:00Z";

std::optional<std::int64_t> read_toml_instant(const toml::node& operand, const toml::date_time& value, Reporter& report) {
    if (!value.offset) {
        report.error(operand.source(), std::string(no_offset_message), std::string(no_offset_hint));
        return std::nullopt;
    }
    const std::chrono::sys_days day{std::chrono::year{value.date.year} / value.date.month / value.date.day};
    const auto time = unix_nanos(day.time_since_epoch().count(), value.time.hour, value.time.minute,
                                 value.time.second, value.time.nanosecond, value.offset->minutes * 60LL);
    if (!time) report.error(operand.source(), std::string(range_message), std::string(range_hint));
    return time;
}

std::optional<std::int64_t> read_text_instant(const toml::node& operand, const std::string& text, Reporter& report) {
    const auto& where = operand.source();
    const auto read = read_rfc3339(text);
    switch (read.problem) {
    case TimestampProblem::none: return read.nanos;
    case TimestampProblem::out_of_range:
        report.error(where, std::string(range_message), std::string(range_hint));
        return std::nullopt;
    case TimestampProblem::not_a_date:
        report.error(where, fmt::format("'{}' is not a real date and time", text),
                     "months run 1 to 12, days to the month's last, hours 0 to 23, minutes and seconds 0 to 59");
        return std::nullopt;
    case TimestampProblem::malformed: break;
    }
    if (read_rfc3339(text + "Z").problem != TimestampProblem::malformed) {
        report.error(where, std::string(no_offset_message), std::string(no_offset_hint));
        return std::nullopt;
    }
    report.error(where, fmt::format("'{}' is not an RFC 3339 date-time with an offset", text), std::string(time_example));
    return std::nullopt;
}

constexpr std::array<std::uint8_t, operator_tags> rows_by_tag() {
    std::array<std::uint8_t, operator_tags> rows{};
    rows.fill(static_cast<std::uint8_t>(operators.size()));  // no row: segment
    for (std::size_t i = 0; i < operators.size(); ++i)
        rows[static_cast<std::size_t>(operators[i].op)] = static_cast<std::uint8_t>(i);
    return rows;
}

constexpr std::array<ConditionTest, operator_tags> tests_by_tag() {
    std::array<ConditionTest, operator_tags> tests{};
    for (const auto& spec : operators) tests[static_cast<std::size_t>(spec.op)] = spec.test;
    return tests;
}

}  // namespace

constinit const std::array<ConditionTest, operator_tags> condition_tests = tests_by_tag();

const OperatorSpec* operator_of(Op op) noexcept {
    static constexpr auto rows = rows_by_tag();
    const auto row = rows[static_cast<std::size_t>(op)];
    return row < operators.size() ? &operators[row] : nullptr;
}

const OperatorSpec* find_operator(std::string_view name) noexcept {
    const auto found = std::ranges::lower_bound(operators, name, {}, &OperatorSpec::name);
    return found != operators.end() && found->name == name ? &*found : nullptr;
}

const std::string& operator_list() {
    static const std::string list = [] {
        std::string out;
        for (const auto& spec : operators) out += std::string(spec.name) + ", ";
        return out + "segment";
    }();
    return list;
}

std::optional<std::int64_t> read_instant(const toml::node& operand, Reporter& report) {
    if (const auto* dt = operand.as_date_time()) return read_toml_instant(operand, dt->get(), report);
    if (const auto* text = operand.as_string()) return read_text_instant(operand, text->get(), report);
    report.error(operand.source(), "'before' and 'after' take an RFC 3339 date-time with an offset",
                 std::string(time_example));
    return std::nullopt;
}

}  // namespace flags::internal
