// Evaluation semantics: every operator and every reason, against the example registry.
#define BOOST_TEST_MODULE engine
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <ostream>
#include <random>
#include <string>
#include <vector>

#include <flags/bucketing.hpp>
#include <flags/flags.hpp>

#include "runtime/condition_operators.hpp"
#include "runtime/evaluation_scratch.hpp"
#include "runtime/published_words.hpp"
#include "runtime/same_bytes.hpp"
#include "runtime/semver.hpp"
#include "runtime/targeting_plan.hpp"
#include "runtime/text_matcher.hpp"

#include "printing.hpp"

namespace {

using flags::Context;
using flags::Reason;
using flags::internal::RuntimeCore;

std::size_t index_of(std::string_view name) { return static_cast<std::size_t>(flags::generated::registry.find(name)); }

// A runtime loaded from `body`, which must be valid.
struct Loaded {
    explicit Loaded(const std::string& body) : core(flags::generated::registry) {
        const auto report = core.load_text("schema = 1\n" + body, "runtime.toml");
        for (const auto& d : report.diagnostics) BOOST_TEST_MESSAGE(flags::format(d));
        BOOST_REQUIRE(report.ok());
        BOOST_REQUIRE(report.published);
    }
    flags::Evaluation eval(std::string_view flag, const Context& ctx) const { return core.evaluate(index_of(flag), ctx); }
    RuntimeCore core;
};

struct OperatorCase {
    std::string name;
    std::string condition;  // one condition table
    Context context;
    bool matches;
};
std::ostream& operator<<(std::ostream& out, const OperatorCase& c) { return out << c.name; }

Context with(std::string_view attribute, std::string_view value) {
    Context ctx{.user = "u-1"};
    ctx.attributes.set(attribute, value);
    return ctx;
}

const std::vector<OperatorCase> operator_cases = {
    {"in matches a member", R"({ attr = "tenant", in = ["acme", "globex"] })", Context{.tenant = "acme"}, true},
    {"in misses a non-member", R"({ attr = "tenant", in = ["acme", "globex"] })", Context{.tenant = "umbrella"}, false},
    {"in on a missing attribute", R"({ attr = "tenant", in = ["acme"] })", Context{.user = "u-1"}, false},
    // Past eight members a set is hashed rather than listed: both forms must answer alike.
    {"in over a hashed set", R"({ attr = "tenant", in = ["t1", "t2", "t3", "t4", "t5", "t6", "t7", "t8", "acme-long-tenant-name"] })",
     Context{.tenant = "acme-long-tenant-name"}, true},
    {"in over a hashed set misses", R"({ attr = "tenant", in = ["t1", "t2", "t3", "t4", "t5", "t6", "t7", "t8", "t9"] })",
     Context{.tenant = "t10"}, false},
    {"not_in over a hashed set", R"({ attr = "tenant", not_in = ["t1", "t2", "t3", "t4", "t5", "t6", "t7", "t8", "t9"] })",
     Context{.tenant = "t9"}, false},
    {"in with integer members", R"({ attr = "user", in = [42, 43] })", Context{.user = "42"}, true},
    {"in on a named attribute", R"({ attr = "plan", in = ["growth"] })", with("plan", "growth"), true},
    {"not_in matches a non-member", R"({ attr = "tenant", not_in = ["acme"] })", Context{.tenant = "globex"}, true},
    {"not_in misses a member", R"({ attr = "tenant", not_in = ["acme"] })", Context{.tenant = "acme"}, false},
    {"not_in on a missing attribute", R"({ attr = "tenant", not_in = ["acme"] })", Context{.user = "u-1"}, false},
    {"starts_with", R"({ attr = "email", starts_with = "admin@" })", with("email", "admin@example.com"), true},
    {"starts_with misses", R"({ attr = "email", starts_with = "admin@" })", with("email", "bob@example.com"), false},
    {"starts_with any of a list", R"({ attr = "email", starts_with = ["x", "bob"] })", with("email", "bob@x.io"), true},
    {"ends_with", R"({ attr = "email", ends_with = "@example.com" })", with("email", "bob@example.com"), true},
    {"ends_with misses", R"({ attr = "email", ends_with = "@example.com" })", with("email", "bob@example.org"), false},
    {"contains", R"({ attr = "agent", contains = "beta" })", with("agent", "app-beta-7"), true},
    {"contains misses", R"({ attr = "agent", contains = "beta" })", with("agent", "app-7"), false},
    {"lt", R"({ attr = "age", lt = 18 })", with("age", "17"), true},
    {"lt at the bound", R"({ attr = "age", lt = 18 })", with("age", "18"), false},
    {"lte at the bound", R"({ attr = "age", lte = 18 })", with("age", "18"), true},
    {"gt with a decimal", R"({ attr = "score", gt = 5 })", with("score", "5.5"), true},
    {"gt misses", R"({ attr = "score", gt = 5 })", with("score", "4"), false},
    {"gte at the bound", R"({ attr = "score", gte = 5.25 })", with("score", "5.25"), true},
    {"gt on text that is no number", R"({ attr = "score", gt = 5 })", with("score", "abc"), false},
    {"semver_eq", R"({ attr = "app_version", semver_eq = "2.3.0" })", with("app_version", "2.3.0"), true},
    {"semver_eq ignores build metadata", R"({ attr = "app_version", semver_eq = "2.3.0" })", with("app_version", "2.3.0+77"), true},
    {"semver_lt: pre-release precedes release", R"({ attr = "app_version", semver_lt = "2.3.0" })", with("app_version", "2.3.0-beta.1"), true},
    {"semver_lte", R"({ attr = "app_version", semver_lte = "2.3.0" })", with("app_version", "2.3.0"), true},
    {"semver_gt compares numerically", R"({ attr = "app_version", semver_gt = "2.9.9" })", with("app_version", "2.10.0"), true},
    {"semver_gte", R"({ attr = "app_version", semver_gte = "2.3.0" })", with("app_version", "2.2.9"), false},
    {"semver on a non-version", R"({ attr = "app_version", semver_gte = "2.3.0" })", with("app_version", "2.3"), false},
    {"before", R"({ attr = "signup", before = 2026-06-01T00:00:00Z })", with("signup", "2026-01-01T00:00:00Z"), true},
    {"before with an offset", R"({ attr = "signup", before = "2026-06-01T00:00:00Z" })", with("signup", "2026-06-01T01:30:00+02:00"), true},
    {"after misses", R"({ attr = "signup", after = 2026-06-01T00:00:00Z })", with("signup", "2026-01-01T00:00:00Z"), false},
    {"after", R"({ attr = "signup", after = 2026-06-01T00:00:00Z })", with("signup", "2026-06-01T00:00:00.5Z"), true},
    {"after on a non-time", R"({ attr = "signup", after = 2026-06-01T00:00:00Z })", with("signup", "yesterday"), false},
    {"segment matches when all its conditions do", R"({ segment = "beta" })",
     Context{.tenant = "acme", .attributes = {{"plan", "growth"}}}, true},
    {"segment misses when one condition does", R"({ segment = "beta" })", Context{.tenant = "acme"}, false},
};

// A runtime file whose one rule serves permission.early-access when `condition` holds, beside a
// segment that conditions may name.
std::string with_one_condition(const std::string& condition) {
    return R"(
[segments]
beta = [{ attr = "tenant", in = ["acme"] }, { attr = "plan", in = ["growth"] }]
[flags."permission.early-access"]
value = false
rules = [{ when = [)" + condition + R"(], value = true }]
)";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(engine)

BOOST_DATA_TEST_CASE(each_operator, boost::unit_test::data::make(operator_cases), c) {
    const Loaded runtime(with_one_condition(c.condition));
    const auto e = runtime.eval("permission.early-access", c.context);
    BOOST_TEST(e.value == (c.matches ? 1 : 0));
    BOOST_TEST(e.reason == (c.matches ? Reason::TARGETING_MATCH : Reason::STATIC));
    BOOST_TEST(e.rule_index == (c.matches ? 0 : -1));
}

BOOST_AUTO_TEST_CASE(conditions_of_a_rule_are_anded_and_rules_tried_in_order) {
    const Loaded runtime(R"(
[flags."experiment.button-color"]
value = "blue"
rules = [
  { when = [{ attr = "tenant", in = ["acme"] }, { attr = "plan", in = ["scale"] }], value = "red" },
  { when = [{ attr = "tenant", in = ["acme"] }], value = "green" },
]
)");
    const auto both = runtime.eval("experiment.button-color", {.tenant = "acme", .attributes = {{"plan", "scale"}}});
    BOOST_TEST(both.value == 2);
    BOOST_TEST(both.rule_index == 0);
    const auto tenant_only = runtime.eval("experiment.button-color", {.tenant = "acme"});
    BOOST_TEST(tenant_only.value == 1);
    BOOST_TEST(tenant_only.rule_index == 1);
    BOOST_TEST(tenant_only.reason == Reason::TARGETING_MATCH);
}

BOOST_AUTO_TEST_CASE(reason_default_without_entry) {
    const Loaded runtime(R"([flags."release.fast-search"]
value = true)");
    const auto e = runtime.eval("release.new-checkout", {.user = "u-1"});
    BOOST_TEST(e.value == 0);
    BOOST_TEST(e.reason == Reason::DEFAULT);
    BOOST_TEST(e.generation == 1u);
}

BOOST_AUTO_TEST_CASE(reason_static) {
    const Loaded runtime(R"([flags."release.new-checkout"]
value = true)");
    const auto e = runtime.eval("release.new-checkout", {});
    BOOST_TEST(e.value == 1);
    BOOST_TEST(e.reason == Reason::STATIC);
}

BOOST_AUTO_TEST_CASE(reason_disabled_wins_over_everything_else) {
    const Loaded runtime(R"([flags."experiment.button-color"]
off = true
split = { green = 100 }
rules = [{ when = [{ attr = "tenant", in = ["acme"] }], value = "red" }])");
    const auto e = runtime.eval("experiment.button-color", {.user = "u-1", .tenant = "acme"});
    BOOST_TEST(e.value == 0);  // blue, the registry default
    BOOST_TEST(e.reason == Reason::DISABLED);
}

BOOST_AUTO_TEST_CASE(reason_prerequisite_failed_and_met) {
    const std::string experiment = R"(
[flags."experiment.button-color"]
split = { green = 100 }
requires = { "release.new-checkout" = true }
)";
    const Loaded unmet(experiment + "[flags.\"release.new-checkout\"]\nvalue = false\n");
    const auto failed = unmet.eval("experiment.button-color", {.user = "u-1"});
    BOOST_TEST(failed.value == 0);
    BOOST_TEST(failed.reason == Reason::PREREQUISITE_FAILED);

    // The prerequisite is evaluated for the same context: a rule that turns it on for acme only.
    const Loaded targeted(experiment + R"([flags."release.new-checkout"]
value = false
rules = [{ when = [{ attr = "tenant", in = ["acme"] }], value = true }]
)");
    BOOST_TEST(targeted.eval("experiment.button-color", {.user = "u-1", .tenant = "acme"}).reason == Reason::SPLIT);
    BOOST_TEST(targeted.eval("experiment.button-color", {.user = "u-1", .tenant = "acme"}).value == 1);
    BOOST_TEST(targeted.eval("experiment.button-color", {.user = "u-1", .tenant = "other"}).reason ==
               Reason::PREREQUISITE_FAILED);
}

BOOST_AUTO_TEST_CASE(reason_split_reports_the_bucket) {
    const Loaded runtime(R"([flags."release.new-checkout"]
rollout = 100)");
    const auto e = runtime.eval("release.new-checkout", {.user = "u-123"});
    BOOST_TEST(e.value == 1);
    BOOST_TEST(e.reason == Reason::SPLIT);
    BOOST_TEST(e.bucket == static_cast<int>(flags::bucket("release.new-checkout", "u-123")));
}

BOOST_AUTO_TEST_CASE(rollout_zero_serves_false_to_everyone) {
    const Loaded runtime(R"([flags."release.new-checkout"]
rollout = 0)");
    for (const char* user : {"a", "b", "c", "d", "e", "f"}) BOOST_TEST(runtime.eval("release.new-checkout", {.user = user}).value == 0);
}

BOOST_AUTO_TEST_CASE(salt_replaces_the_flag_name_in_bucketing) {
    const Loaded runtime(R"([flags."experiment.button-color"]
split = { blue = 50, green = 25, red = 25 }
salt = "button-color-q4")");
    const auto e = runtime.eval("experiment.button-color", {.user = "u-9"});
    const auto bucket = flags::bucket("button-color-q4", "u-9");
    BOOST_TEST(e.bucket == static_cast<int>(bucket));
    BOOST_TEST(e.value == (bucket < 5000 ? 0 : bucket < 7500 ? 1 : 2));
}

BOOST_AUTO_TEST_CASE(split_follows_registry_variant_order_not_file_order) {
    const Loaded reordered(R"([flags."experiment.button-color"]
split = { red = 25, green = 25, blue = 50 })");
    const Loaded ordered(R"([flags."experiment.button-color"]
split = { blue = 50, green = 25, red = 25 })");
    for (int i = 0; i < 200; ++i) {
        const auto user = "user-" + std::to_string(i);
        BOOST_TEST(reordered.eval("experiment.button-color", {.user = user}).value ==
                   ordered.eval("experiment.button-color", {.user = user}).value);
    }
}

BOOST_AUTO_TEST_CASE(reason_error_when_the_bucketing_key_is_missing) {
    const Loaded runtime(R"([flags."release.new-checkout"]
rollout = 50
[flags."experiment.button-color"]
split = { green = 100 }
bucket_by = "tenant"
[flags."release.fast-search"]
rollout = 100
bucket_by = "device")");
    const auto no_user = runtime.eval("release.new-checkout", {.tenant = "acme"});
    BOOST_TEST(no_user.value == 0);
    BOOST_TEST(no_user.reason == Reason::ERROR);
    BOOST_TEST(no_user.error == flags::ErrorCode::TARGETING_KEY_MISSING);
    BOOST_TEST(no_user.bucket == -1);

    BOOST_TEST(runtime.eval("experiment.button-color", {.user = "u-1"}).reason == Reason::ERROR);
    const auto by_tenant = runtime.eval("experiment.button-color", {.user = "u-1", .tenant = "acme"});
    BOOST_TEST(by_tenant.value == 1);
    BOOST_TEST(by_tenant.bucket == static_cast<int>(flags::bucket("experiment.button-color", "acme")));

    BOOST_TEST(runtime.eval("release.fast-search", {.user = "u-1"}).reason == Reason::ERROR);
    BOOST_TEST(runtime.eval("release.fast-search", with("device", "d-7")).reason == Reason::SPLIT);
}

BOOST_AUTO_TEST_CASE(a_rule_can_serve_a_rollout_or_a_split) {
    const Loaded runtime(R"([flags."permission.early-access"]
value = false
rules = [{ when = [{ attr = "tenant", in = ["acme"] }], rollout = 100 }]
[flags."experiment.button-color"]
rules = [{ when = [{ attr = "tenant", in = ["acme"] }], split = { red = 100 } }])");
    const auto rolled = runtime.eval("permission.early-access", {.user = "u-1", .tenant = "acme"});
    BOOST_TEST(rolled.value == 1);
    BOOST_TEST(rolled.reason == Reason::TARGETING_MATCH);
    BOOST_TEST(rolled.bucket >= 0);
    const auto split = runtime.eval("experiment.button-color", {.user = "u-1", .tenant = "acme"});
    BOOST_TEST(split.value == 2);
    BOOST_TEST(split.reason == Reason::TARGETING_MATCH);
    // A matched rule whose rollout has no key serves the default with ERROR, not the next rule.
    const auto keyless = runtime.eval("permission.early-access", {.tenant = "acme"});
    BOOST_TEST(keyless.reason == Reason::ERROR);
    BOOST_TEST(keyless.rule_index == 0);
    // No rule matched and the flag has no value of its own: the default, reason DEFAULT.
    const auto fallthrough = runtime.eval("experiment.button-color", {.user = "u-1"});
    BOOST_TEST(fallthrough.value == 0);
    BOOST_TEST(fallthrough.reason == Reason::DEFAULT);
}

BOOST_AUTO_TEST_CASE(a_bad_file_keeps_the_last_good_snapshot) {
    Loaded runtime(R"([flags."release.new-checkout"]
value = true)");
    const auto bad = runtime.core.load_text("schema = 1\n[flags.\"release.new-checkout\"]\nvalue = 7\n", "runtime.toml");
    BOOST_TEST(!bad.ok());
    BOOST_TEST(!bad.published);
    BOOST_TEST(bad.generation == 1u);
    const auto e = runtime.eval("release.new-checkout", {});
    BOOST_TEST(e.value == 1);
    BOOST_TEST(e.generation == 1u);
}

BOOST_AUTO_TEST_CASE(identical_content_publishes_no_new_generation) {
    const std::string body = "schema = 1\n[flags.\"release.new-checkout\"]\nvalue = true\n";
    RuntimeCore core(flags::generated::registry);
    BOOST_TEST(core.load_text(body, "runtime.toml").published);
    const auto again = core.load_text(body, "runtime.toml");
    BOOST_TEST(!again.published);
    BOOST_TEST(again.generation == 1u);
}

BOOST_AUTO_TEST_CASE(removing_an_entry_returns_the_flag_to_its_default) {
    Loaded runtime(R"([flags."release.new-checkout"]
value = true)");
    BOOST_TEST(runtime.eval("release.new-checkout", {}).value == 1);
    const auto report = runtime.core.load_text("schema = 1\n", "runtime.toml");
    BOOST_TEST(report.published);
    const auto e = runtime.eval("release.new-checkout", {});
    BOOST_TEST(e.value == 0);
    BOOST_TEST(e.reason == Reason::DEFAULT);
    BOOST_TEST(e.generation == 2u);
}

BOOST_AUTO_TEST_CASE(unregistered_entries_warn_and_do_not_block) {
    RuntimeCore core(flags::generated::registry);
    const auto report = core.load_text("schema = 1\n[flags.\"release.from-the-future\"]\nvalue = true\n"
                                       "[flags.\"release.new-checkout\"]\nvalue = true\n",
                                       "runtime.toml");
    BOOST_TEST(report.published);
    BOOST_REQUIRE(report.diagnostics.size() == 1u);
    BOOST_TEST(flags::format(report.diagnostics[0]) ==
               "runtime.toml:2:8: warning: flag 'release.from-the-future' is not in the registry; its entry is ignored\n"
               "    hint: a binary built with this flag will read it; remove the entry once the flag is retired");
    BOOST_TEST(core.evaluate(index_of("release.new-checkout"), {}).value == 1);
}

BOOST_AUTO_TEST_CASE(semantic_versions_parse_as_semver_2_0_0_defines_them) {
    using flags::internal::parse_semver;
    for (const char* valid : {"1.2.3", "0.0.0", "1.2.3-alpha.1", "1.2.3+build.5", "1.2.3-rc.1+b-7", "10.20.30",
                              "18446744073709551615.0.0", "0.18446744073709551610.0"})
        BOOST_TEST(parse_semver(valid).has_value(), valid);
    for (const char* invalid : {"", "1.2", "1.2.3.4", "01.2.3", "1.02.3", "1.2.03", "1.2.3-", "1.2.3+", "1.2.3-01",
                                "v1.2.3", "1.2.3-al_pha", "1..3", "18446744073709551616.0.0", "1.2.3 "})
        BOOST_TEST(!parse_semver(invalid).has_value(), invalid);
    const auto v = *parse_semver("12.34.56-beta.2+exp.sha");
    BOOST_TEST(v.major == 12u);
    BOOST_TEST(v.minor == 34u);
    BOOST_TEST(v.patch == 56u);
    BOOST_TEST(v.prerelease == "beta.2");
}

// The precedence chain of the semver 2.0.0 specification, each strictly before the next.
BOOST_AUTO_TEST_CASE(semantic_versions_compare_by_precedence) {
    const char* chain[] = {"1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2",
                           "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.1", "1.1.0", "2.0.0"};
    for (std::size_t i = 0; i + 1 < std::size(chain); ++i) {
        const auto a = *flags::internal::parse_semver(chain[i]);
        const auto b = *flags::internal::parse_semver(chain[i + 1]);
        BOOST_TEST(flags::internal::compare(a, b) < 0, chain[i] << " < " << chain[i + 1]);
        BOOST_TEST(flags::internal::compare(b, a) > 0, chain[i + 1] << " > " << chain[i]);
    }
    BOOST_TEST(flags::internal::compare(*flags::internal::parse_semver("1.0.0+a"), *flags::internal::parse_semver("1.0.0+b")) == 0);
}

// The comparison of names, set members and needles sees a difference at every position of texts of
// every length up to 40, whichever of its loads (overlapping words, or the loop past 16 bytes) reads it.
BOOST_AUTO_TEST_CASE(same_bytes_sees_a_difference_anywhere) {
    std::string a;
    for (std::size_t n = 0; n <= 40; ++n, a += static_cast<char>('a' + n % 26)) {
        const std::string same = a;
        BOOST_TEST(flags::internal::same_bytes(a.data(), same.data(), n), n);
        for (std::size_t at = 0; at < n; ++at) {
            std::string other = a;
            other[at] = static_cast<char>(other[at] ^ 1);
            BOOST_TEST(!flags::internal::same_bytes(a.data(), other.data(), n), n << " at " << at);
        }
    }
}

// Version texts at and around the edges of a plain release's packed key: parts at 2^21 and past
// seven digits, leading zeros, pre-releases and build metadata, and texts that are no version.
const std::vector<std::string> version_edges = {
    "0.0.0", "1.2.3", "2.4.1", "2.9.9", "2.10.0", "10.0.0", "2097151.0.0", "2097152.0.0", "0.2097151.1", "1.2.2097152",
    "1234567.1.1", "12345678.1.1", "99999999999999999999.1.1", "01.2.3", "1.02.3", "1.2.03", "1.2.0", "1.2", "1.2.3.",
    "1.2.3.4", ".1.2.3", "1..3", "", "x", "v1.2.3", "1.2.-3", "1.2.3 ", " 1.2.3", "1.2.3-beta", "1.2.3-0",
    "1.2.3+build", "1.2.3-rc.1+build", "2.3.0-rc.1", "2.3.0", "2.3.0+7"};

// The packed key of a plain release is there exactly when the general parse reads a release with
// parts below 2^21 and no build metadata, and two keys order as their versions do.
BOOST_AUTO_TEST_CASE(a_plain_release_packs_into_a_key_that_orders_as_the_version_does) {
    using flags::internal::ReleaseKey;
    using flags::internal::parse_semver;
    for (const auto& text : version_edges) {
        const auto key = ReleaseKey::of(text);
        const auto version = parse_semver(text);
        const bool plain = version && version->prerelease.empty() && text.find('+') == std::string::npos &&
                           version->major < ReleaseKey::part_limit && version->minor < ReleaseKey::part_limit &&
                           version->patch < ReleaseKey::part_limit;
        BOOST_TEST(key.has_value() == plain, text);
        if (key) BOOST_TEST(*key == ReleaseKey::of(*version).value_or(0), text);
    }
    for (const auto& a : version_edges)
        for (const auto& b : version_edges) {
            const auto ka = ReleaseKey::of(a), kb = ReleaseKey::of(b);
            if (!ka || !kb) continue;
            const int order = flags::internal::compare(*parse_semver(a), *parse_semver(b));
            BOOST_TEST((*ka < *kb) == (order < 0), a << " / " << b);
            BOOST_TEST((*ka == *kb) == (order == 0), a << " / " << b);
        }
}

// Every semver operator, against operands that pack and operands that do not, answers for every
// value as the general parse and comparison do: the packed comparison is a shortcut, never a
// different answer. An absent attribute matches no operator.
BOOST_AUTO_TEST_CASE(semver_operators_answer_as_the_general_comparison_does) {
    using flags::internal::compare;
    using flags::internal::parse_semver;
    const std::vector<std::pair<std::string, bool (*)(int)>> operators = {
        {"semver_eq", [](int o) { return o == 0; }}, {"semver_lt", [](int o) { return o < 0; }},
        {"semver_lte", [](int o) { return o <= 0; }}, {"semver_gt", [](int o) { return o > 0; }},
        {"semver_gte", [](int o) { return o >= 0; }}};
    for (const std::string operand : {"2.3.0", "2.3.0-rc.1", "2097152.0.0", "0.0.0", "1.2.3+build"})
        for (const auto& [name, order] : operators) {
            const Loaded runtime(R"([flags."permission.early-access"]
value = false
rules = [{ when = [{ attr = "app_version", )" + name + " = \"" + operand + R"(" }], value = true }]
)");
            for (const auto& value : version_edges) {
                const auto v = parse_semver(value);
                const bool expected = v && order(compare(*v, *parse_semver(operand)));
                const auto e = runtime.eval("permission.early-access", with("app_version", value));
                BOOST_TEST(e.value == (expected ? 1 : 0), name << " " << operand << " / '" << value << "'");
            }
            BOOST_TEST(runtime.eval("permission.early-access", Context{.user = "u-1"}).value == 0, name);
        }
}

// A condition on an attribute the context lacks matches with no operator, not_in included: every
// operator's case, evaluated for a context with no tenant and no attributes, does not match.
BOOST_DATA_TEST_CASE(each_operator_on_an_absent_attribute_does_not_match, boost::unit_test::data::make(operator_cases),
                     c) {
    const Loaded runtime(with_one_condition(c.condition));
    const auto e = runtime.eval("permission.early-access", Context{.user = c.condition.find("\"user\"") != std::string::npos
                                                                               ? std::string_view{}
                                                                               : std::string_view{"u-1"}});
    BOOST_TEST(e.value == 0);
    BOOST_TEST(e.rule_index == -1);
}

// Each operator a file may name has its test and its cost in its own row, and the evaluator's dispatch
// and the cost model find that row by the condition's tag: adding a row is all it takes for both.
BOOST_AUTO_TEST_CASE(every_operator_row_carries_the_test_the_evaluator_runs) {
    using flags::internal::condition_tests;
    using flags::internal::find_operator;
    std::string_view list = flags::internal::operator_list();
    int rows = 0;
    while (!list.empty()) {
        const auto comma = list.find(", ");
        const auto name = list.substr(0, comma);
        list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 2);
        if (name == "segment") continue;
        const auto* spec = find_operator(name);
        BOOST_REQUIRE_MESSAGE(spec != nullptr, name);
        BOOST_TEST(spec->test != nullptr, name);
        BOOST_TEST((condition_tests[static_cast<std::size_t>(spec->op)] == spec->test), name);
        BOOST_TEST(spec->cost != nullptr, name);
        BOOST_TEST(flags::internal::operator_of(spec->op) == spec, name);
        ++rows;
    }
    BOOST_TEST(rows == 16);
    BOOST_TEST((condition_tests[static_cast<std::size_t>(flags::internal::Op::segment)] == nullptr));
    BOOST_TEST(flags::internal::operator_of(flags::internal::Op::segment) == nullptr);
}

// A long needle list is answered by a trie or an automaton: it must answer exactly as comparing each
// needle would, for needles that overlap, nest and repeat, the empty needle included.
BOOST_AUTO_TEST_CASE(long_needle_lists_answer_as_each_needle_would) {
    using flags::internal::TextMatcher;
    std::mt19937 random(13);
    const auto text_of = [&](std::size_t most) {
        std::string text(random() % (most + 1), 'a');
        for (auto& c : text) c = "abc\xff"[random() % 4];
        return text;
    };
    for (int round = 0; round < 200; ++round) {
        std::vector<std::string> kept;
        for (std::size_t n = TextMatcher::linear_limit + 1 + random() % 30; kept.size() < n;)
            kept.push_back(text_of(round % 50 == 0 ? 4 : 5));
        if (round % 50 == 0) kept.push_back("");
        const std::vector<std::string_view> needles(kept.begin(), kept.end());
        TextMatcher prefix(TextMatcher::Mode::prefix, needles), suffix(TextMatcher::Mode::suffix, needles),
            substring(TextMatcher::Mode::substring, needles);
        for (auto* matcher : {&prefix, &suffix, &substring}) matcher->build();
        BOOST_REQUIRE(substring.uses_automaton());
        for (int probe = 0; probe < 50; ++probe) {
            const auto text = text_of(12);
            const auto any = [&](auto&& test) { return std::any_of(needles.begin(), needles.end(), test); };
            BOOST_TEST(prefix.matches(text) == any([&](auto n) { return text.starts_with(n); }), text);
            BOOST_TEST(suffix.matches(text) == any([&](auto n) { return text.ends_with(n); }), text);
            BOOST_TEST(substring.matches(text) == any([&](auto n) { return text.find(n) != std::string::npos; }), text);
        }
    }
}

// A segment is tested once per evaluation and remembered: its answer must be the same at every use,
// in the flag's rules and in its prerequisite's, for the segments the memo holds and those past it.
BOOST_DATA_TEST_CASE(a_remembered_segment_answers_as_testing_it_again_would, boost::unit_test::data::make({0, 299}),
                     segment) {
    std::string segments = "schema = 1\n[segments]\n";
    for (int i = 0; i < 300; ++i)
        segments += "s" + std::to_string(i) + " = [{ attr = \"plan\", in = [\"beta\"] }]\n";
    const std::string beta = "{ segment = \"s" + std::to_string(segment) + "\" }";
    // The first flag read (toml++ sorts the keys) uses every segment once, in order, so that each is
    // numbered as it is written.
    std::string uses;
    for (int i = 0; i < 300; ++i)
        uses += "{ when = [{ segment = \"s" + std::to_string(i) + "\" }, { attr = \"tenant\", in = [\"none\"] }], value = \"red\" },\n";
    RuntimeCore core(flags::generated::registry);
    core.set_file("/nonexistent/runtime.toml");
    flags::RuntimeOptions options{.watch = false, .log = [](std::string_view) {}};
    options.limits.max_evaluation_cost = 10'000;
    core.start(options);
    const auto report = core.load_text(segments + R"(
[flags."experiment.button-color"]
value = "blue"
rules = [)" + uses + R"(]
[flags."permission.early-access"]
value = true
requires = { "release.fast-search" = true }
rules = [
  { when = [)" + beta + R"(, { attr = "tenant", in = ["acme"] }], value = true },
  { when = [)" + beta + R"(], value = false },
]
[flags."release.fast-search"]
value = false
rules = [{ when = [)" + beta + R"(], value = true }]
)", "runtime.toml");
    for (const auto& d : report.diagnostics) BOOST_TEST_MESSAGE(flags::format(d));
    BOOST_REQUIRE(report.ok());
    const auto eval = [&](const Context& ctx) { return core.evaluate(index_of("permission.early-access"), ctx); };
    const auto acme = eval({.tenant = "acme", .attributes = {{"plan", "beta"}}});
    BOOST_TEST(acme.value == 1);
    BOOST_TEST(acme.rule_index == 0);
    const auto other = eval({.tenant = "x", .attributes = {{"plan", "beta"}}});
    BOOST_TEST(other.value == 0);
    BOOST_TEST(other.rule_index == 1);
    const auto outside = eval({.tenant = "acme", .attributes = {{"plan", "ga"}}});
    BOOST_TEST(outside.reason == Reason::PREREQUISITE_FAILED);
}

// An evaluation looks each numbered attribute up in the context once and parses a version from it
// once: later uses find what was found first (shown here by asking again with other text, which a
// second look-up or parse would have seen), an absent attribute or a non-version included. An
// unnumbered attribute is looked up at every use.
BOOST_AUTO_TEST_CASE(an_attribute_is_found_once_and_its_version_parsed_once_per_evaluation) {
    using flags::internal::Subject;
    flags::internal::EvaluationScratch scratch;
    const Subject version{.kind = Subject::Kind::attribute, .number = 3, .attribute = "app_version"};
    const Context first{.attributes = {{"plan", "growth"}, {"app_version", "2.4.1"}}};
    const Context second{.attributes = {{"app_version", "9.9.9"}}};
    BOOST_TEST(scratch.value_of(version, first).value_or("(absent)") == "2.4.1");
    BOOST_TEST(scratch.value_of(version, second).value_or("(absent)") == "2.4.1");
    const auto* parsed = scratch.version_of(version, "2.4.1");
    BOOST_REQUIRE(parsed != nullptr);
    BOOST_TEST(parsed->minor == 4u);
    const auto* again = scratch.version_of(version, "not a version");
    BOOST_REQUIRE(again != nullptr);
    BOOST_TEST(again->minor == 4u);

    const Subject absent{.kind = Subject::Kind::attribute, .number = 4, .attribute = "region"};
    BOOST_TEST(!scratch.value_of(absent, first).has_value());
    BOOST_TEST(!scratch.value_of(absent, {.attributes = {{"region", "eu"}}}).has_value());
    const Subject not_a_version{.kind = Subject::Kind::attribute, .number = 5, .attribute = "build"};
    BOOST_TEST(scratch.version_of(not_a_version, "2.4") == nullptr);
    BOOST_TEST(scratch.version_of(not_a_version, "2.4.0") == nullptr);

    const Subject unnumbered{.kind = Subject::Kind::attribute, .attribute = "app_version"};
    BOOST_TEST(scratch.value_of(unnumbered, second).value_or("(absent)") == "9.9.9");
    BOOST_TEST(scratch.version_of(unnumbered, "1.2.3")->major == 1u);
    const Subject tenant{.kind = Subject::Kind::tenant};
    BOOST_TEST(scratch.value_of(tenant, {.tenant = "acme"}).value_or("(absent)") == "acme");
}

// A condition finds its attribute wherever the context holds it: among the first eight, which live in
// the context itself, and past them, among names of the same length and the same first or last bytes.
BOOST_AUTO_TEST_CASE(an_attribute_is_found_at_every_position_of_the_context) {
    const Loaded runtime(R"(
[flags."permission.early-access"]
value = false
rules = [{ when = [{ attr = "plan", in = ["growth"] }], value = true }]
)");
    const std::vector<std::string> others = {"plam", "qlan", "plan-", "pla", "xlan", "plax", "name", "plap",
                                             "p", "pl", "lanp", "nalp", "plan2", "PLAN"};
    for (std::size_t size = 0; size <= others.size(); ++size)
        for (std::size_t at = 0; at <= size; ++at) {
            Context ctx{.user = "u-1"};
            for (std::size_t i = 0; i < size; ++i) {
                if (i == at) ctx.attributes.set("plan", "growth");
                ctx.attributes.set(others[i], "growth");
            }
            const bool held = at < size;
            if (held) BOOST_TEST(ctx.attributes.at(at).name == "plan");
            BOOST_TEST(runtime.eval("permission.early-access", ctx).value == (held ? 1 : 0), size << " / " << at);
        }
}

// An evaluation remembers only what its flag reads more than once: an attribute read by two of the
// flag's conditions, a segment's included, gets a number, the same for the same name; one read once
// is left unnumbered, and so is looked up at its use. A segment the flag uses twice is remembered, one
// it uses once is not, and a segment's conditions count once however often the flag uses it.
BOOST_AUTO_TEST_CASE(an_evaluation_remembers_only_what_its_flag_reads_twice) {
    using flags::internal::Condition;
    using flags::internal::Op;
    using flags::internal::Rule;
    using flags::internal::Subject;
    const auto attr = [](std::string_view name) {
        return Condition{.op = Op::in, .subject = {.kind = Subject::Kind::attribute, .attribute = name}};
    };
    const auto segment = [](std::uint32_t number, std::uint32_t begin) {
        return Condition{.op = Op::segment, .begin = begin, .count = 1, .segment = number};
    };
    flags::internal::CompiledRules rules;
    rules.conditions = {attr("plan"), attr("app_version"), attr("app_version"), segment(0, 5), segment(0, 5),
                        attr("email"), segment(1, 7), attr("plan"), attr("region"), segment(0, 5), attr("country")};
    rules.segment_count = 2;
    rules.rules = {Rule{.conditions_begin = 0, .conditions_count = 2}, Rule{.conditions_begin = 2, .conditions_count = 2},
                   Rule{.conditions_begin = 4, .conditions_count = 1}, Rule{.conditions_begin = 6, .conditions_count = 1},
                   Rule{.conditions_begin = 8, .conditions_count = 2}, Rule{.conditions_begin = 10, .conditions_count = 1}};
    std::vector<flags::internal::FlagProgram> programs(3);
    programs[0] = {.present = true, .rules_begin = 0, .rules_count = 4};  // plan and app_version twice, segment 0 twice
    programs[1] = {.present = true, .rules_begin = 4, .rules_count = 1};  // region once, segment 0 once
    programs[2] = {.present = false, .rules_begin = 5, .rules_count = 1};  // no entry: reads nothing
    flags::internal::plan_remembering(rules, programs);

    const auto number = [&](std::size_t c) { return rules.conditions[c].subject.number; };
    BOOST_TEST(number(0) != Subject::unnumbered);
    BOOST_TEST(number(7) == number(0));
    BOOST_TEST(number(1) != Subject::unnumbered);
    BOOST_TEST(number(2) == number(1));
    BOOST_TEST(number(1) != number(0));
    for (const std::size_t once : {5, 8, 10}) BOOST_TEST(number(once) == Subject::unnumbered, once);
    for (const std::size_t twice : {3, 4, 9}) BOOST_TEST(rules.conditions[twice].remembered, twice);
    BOOST_TEST(!rules.conditions[6].remembered);
}

// Conditions that read the same attributes, in several rules and a segment, answer as each condition
// tested on its own would, for versions that parse and versions that do not, and absent attributes:
// what one condition remembered never changes another's answer.
BOOST_AUTO_TEST_CASE(conditions_sharing_attributes_answer_as_each_alone_would) {
    const Loaded runtime(R"(
[segments]
modern = [{ attr = "app_version", semver_gte = "2.0.0" }, { attr = "plan", in = ["growth", "scale"] }]
[flags."permission.early-access"]
value = false
rules = [
  { when = [{ segment = "modern" }, { attr = "app_version", semver_lt = "2.5.0" }], value = true },
  { when = [{ attr = "app_version", semver_eq = "1.0.0-beta" }, { attr = "plan", not_in = ["scale"] }], value = true },
  { when = [{ attr = "plan", in = ["scale"] }, { attr = "app_version", semver_gt = "3.0.0" }, { segment = "modern" }], value = true },
]
)");
    using flags::internal::compare;
    using flags::internal::parse_semver;
    const auto version_is = [](std::string_view text, std::string_view operand, auto&& order) {
        const auto v = parse_semver(text);
        return v.has_value() && order(compare(*v, *parse_semver(operand)));
    };
    const std::vector<std::string> versions = {"", "x", "2.5", "01.0.0", "1.0.0-beta", "1.0.0", "2.0.0", "2.4.1-rc.1",
                                               "2.4.9", "2.5.0", "3.0.0", "3.0.1", "10.0.0+build"};
    const std::vector<std::string> plans = {"", "free", "growth", "scale"};
    for (const auto& version : versions)
        for (const auto& plan : plans) {
            Context ctx{.user = "u-1"};
            if (!version.empty()) ctx.attributes.set("app_version", version);
            if (!plan.empty()) ctx.attributes.set("plan", plan);
            const bool has_version = !version.empty(), has_plan = !plan.empty();
            const bool modern = has_version && version_is(version, "2.0.0", [](int o) { return o >= 0; }) &&
                                (plan == "growth" || plan == "scale");
            int rule = -1;
            if (modern && version_is(version, "2.5.0", [](int o) { return o < 0; })) rule = 0;
            else if (has_version && version_is(version, "1.0.0-beta", [](int o) { return o == 0; }) && has_plan &&
                     plan != "scale") rule = 1;
            else if (plan == "scale" && version_is(version, "3.0.0", [](int o) { return o > 0; }) && modern) rule = 2;
            const auto e = runtime.eval("permission.early-access", ctx);
            BOOST_TEST(e.rule_index == rule, version << " / " << plan);
            BOOST_TEST(e.value == (rule >= 0 ? 1 : 0), version << " / " << plan);
        }
}

// A split plan answers every bucket as the split's steps do, walked in order as the evaluator walks
// them, for splits with zero-weight variants, one-bucket steps and the most steps a plan holds; a
// split of more steps has no plan. Plans are shared: the same steps publish the same plan.
BOOST_AUTO_TEST_CASE(a_split_plan_serves_each_bucket_as_the_splits_steps_do) {
    using flags::internal::SplitStep;
    const std::vector<std::vector<SplitStep>> splits = {
        {{5000, 0}, {7500, 1}, {10000, 2}},
        {{3333, 0}, {10000, 2}},
        {{1, 2}, {9999, 0}, {10000, 1}},
        {{10000, 1}},
        {{100, 0}, {200, 1}, {300, 2}, {400, 3}, {500, 4}, {600, 5}, {700, 6}, {10000, 7}},
    };
    for (const auto& steps : splits) {
        const auto number = flags::internal::publish_split_plan(steps);
        BOOST_REQUIRE(number.has_value());
        BOOST_TEST(*flags::internal::publish_split_plan(steps) == *number);
        const auto& plan = flags::internal::split_plans[*number];
        for (std::uint32_t bucket = 0; bucket < flags::bucket_count; ++bucket) {
            const auto step = std::find_if(steps.begin(), steps.end(), [&](const SplitStep& s) { return bucket < s.upper; });
            BOOST_REQUIRE(step != steps.end());
            if (plan.value_of(bucket) != step->value) BOOST_TEST(plan.value_of(bucket) == step->value, "bucket " << bucket);
        }
    }
    std::vector<SplitStep> nine;
    for (std::uint16_t i = 1; i <= 9; ++i) nine.push_back({static_cast<std::uint16_t>(i == 9 ? 10000 : i * 100), i});
    BOOST_TEST(!flags::internal::publish_split_plan(nine).has_value());
}

// The process's split plans only fill: once full, a split no plan serves is left to the evaluator,
// which serves it alike; splits that have a plan keep it. Last in this file: it fills the table.
BOOST_AUTO_TEST_CASE(a_split_without_a_plan_is_evaluated) {
    const auto button = index_of("experiment.button-color");
    const Loaded before(R"(
[flags."experiment.button-color"]
split = { blue = 50, green = 25, red = 25 }
)");
    BOOST_REQUIRE(flags::internal::is_user_split(before.core.words()[button].load()));
    for (std::uint16_t upper = 1; flags::internal::publish_split_plan(std::vector<flags::internal::SplitStep>{
             {upper, 0}, {static_cast<std::uint16_t>(upper + 1), 1}, {10000, 2}});)
        BOOST_REQUIRE(++upper < 9999);
    const Loaded after(R"(
[flags."experiment.button-color"]
split = { blue = 12.34, green = 43.21, red = 44.45 }
)");
    BOOST_TEST(after.core.words()[button].load() == flags::internal::needs_evaluation_bit);
    for (int i = 0; i < 1000; ++i) {
        const auto user = "user-" + std::to_string(i);
        const auto b = flags::bucket("experiment.button-color", user);
        const auto e = after.eval("experiment.button-color", {.user = user});
        BOOST_TEST(e.value == (b < 1234 ? 0 : b < 5555 ? 1 : 2));
        BOOST_TEST(e.reason == Reason::SPLIT);
    }
    const Loaded again(R"(
[flags."experiment.button-color"]
split = { blue = 50, green = 25, red = 25 }
)");
    BOOST_TEST(again.core.words()[button].load() == before.core.words()[button].load());
}

BOOST_AUTO_TEST_SUITE_END()
