// Validation of runtime files: for each mistake an operator can make, the exact messages the loader
// answers with (pinned, because operators and CI logs read them), and what a refused file leaves
// serving.
#define BOOST_TEST_MODULE loader
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <flags/flags.hpp>

#include "printing.hpp"
#include "runtime/runtime_loader.hpp"

namespace {

using flags::Reason;
using flags::internal::RuntimeCore;

std::size_t index_of(std::string_view name) {
    const int index = flags::generated::registry.find(name);
    BOOST_REQUIRE(index >= 0);
    return static_cast<std::size_t>(index);
}

// Diagnostics as the operator reads them, one after another, so that a failure shows the whole
// expected and actual output side by side rather than one element at a time.
std::string rendered(const std::vector<flags::Diagnostic>& diagnostics) {
    std::string out;
    for (const auto& d : diagnostics) out += flags::format(d) + "\n";
    return out;
}

std::string rendered(const std::vector<std::string>& diagnostics) {
    std::string out;
    for (const auto& d : diagnostics) out += d + "\n";
    return out;
}

// A good file to load first, so that each refused file can be shown to leave it serving.
// The diagnostics of compiling `text` with `limits`.
std::string compiled_with(const flags::Limits& limits, const std::string& text) {
    std::vector<flags::Diagnostic> diagnostics;
    flags::internal::compile_runtime(flags::generated::registry, {{.display = "runtime.toml", .text = text}},
                                     diagnostics, limits);
    return rendered(diagnostics);
}

constexpr std::string_view good_file = "schema = 1\n[flags.\"release.new-checkout\"]\nvalue = true\n";

struct BadFile {
    std::string what;
    std::string text;
    std::vector<std::string> diagnostics;  // flags::format of each, in order
};
std::ostream& operator<<(std::ostream& out, const BadFile& f) { return out << f.what; }

// Each file holds one mistake (the segment case needs two segments to make it). Line and column
// point at the offending key or value, so an editor jumps to it.
const std::vector<BadFile> bad_files = {
    // Syntax errors are toml++'s words; it quotes what it saw up to and including the line's end.
    {"a TOML syntax error",
     R"(schema = 1
[flags."release.new-checkout"]
value = tru
)",
     {"runtime.toml:3:12: error: invalid TOML boolean: expected 'true', saw 'tru\\n'\n"
      "    hint: fix the TOML syntax at this position"}},
    {"an unclosed table header",
     R"(schema = 1
[flags."release.new-checkout"
value = true
)",
     {"runtime.toml:2:30: error: invalid TOML table header: expected ']', saw '\\n'\n"
      "    hint: fix the TOML syntax at this position"}},
    {"an unknown top-level key",
     R"(schema = 1
shema = 1
)",
     {"runtime.toml:2:1: error: unknown key 'shema' at the top level\n"
      "    hint: a runtime file holds schema, [segments] and [flags.\"<name>\"] tables"}},
    {"an unknown key in a flag",
     R"(schema = 1
[flags."release.new-checkout"]
value = true
rollout_percent = 5
)",
     {"runtime.toml:4:1: error: unknown key 'rollout_percent' in flag 'release.new-checkout'\n"
      "    hint: known keys: bucket_by, off, requires, rollout, rules, salt, since, split, value"}},
    {"an unknown key in a rule",
     R"(schema = 1
[flags."permission.early-access"]
value = false
rules = [{ when = [{ attr = "tenant", in = ["acme"] }], value = true, note = "x" }]
)",
     {"runtime.toml:4:71: error: unknown key 'note' in a rule\n"
      "    hint: known keys: rollout, split, value, when"}},
    {"a boolean flag given a variant name",
     R"(schema = 1
[flags."release.new-checkout"]
value = "green"
)",
     {"runtime.toml:3:9: error: flag 'release.new-checkout' is boolean; its value must be true or false, not a string\n"
      "    hint: write value = true or value = false, without quotes"}},
    {"a multivariate flag given true",
     R"(schema = 1
[flags."experiment.button-color"]
value = true
)",
     {"runtime.toml:3:9: error: flag 'experiment.button-color' is multivariate; its value must be a variant name, not a boolean\n"
      "    hint: variants: blue, green, red"}},
    {"a variant the registry does not declare",
     R"(schema = 1
[flags."experiment.button-color"]
value = "purple"
)",
     {"runtime.toml:3:9: error: 'purple' is not a variant of flag 'experiment.button-color'\n"
      "    hint: variants: blue, green, red"}},
    {"rollout 101",
     R"(schema = 1
[flags."release.new-checkout"]
rollout = 101
)",
     {"runtime.toml:3:11: error: rollout 101 is not from 0 to 100\n"
      "    hint: e.g. rollout = 25 or rollout = 0.5"}},
    {"rollout -1",
     R"(schema = 1
[flags."release.new-checkout"]
rollout = -1
)",
     {"runtime.toml:3:11: error: rollout -1 is not from 0 to 100\n"
      "    hint: e.g. rollout = 25 or rollout = 0.5"}},
    {"rollout as a string",
     R"(schema = 1
[flags."release.new-checkout"]
rollout = "25"
)",
     {"runtime.toml:3:11: error: rollout must be a number, not a string\n"
      "    hint: e.g. rollout = 25 or rollout = 0.5"}},
    {"rollout 12.345",
     R"(schema = 1
[flags."release.new-checkout"]
rollout = 12.345
)",
     {"runtime.toml:3:11: error: rollout 12.345 is finer than 0.01\n"
      "    hint: use at most two decimals, e.g. 12.5 or 0.01"}},
    {"rollout on a multivariate flag",
     R"(schema = 1
[flags."experiment.button-color"]
rollout = 50
)",
     {"runtime.toml:3:11: error: flag 'experiment.button-color' is multivariate; it takes 'split', not 'rollout'\n"
      "    hint: e.g. split = { blue = 50, ... }"}},
    {"split on a boolean flag",
     R"(schema = 1
[flags."release.new-checkout"]
split = { on = 50, off = 50 }
)",
     {"runtime.toml:3:9: error: flag 'release.new-checkout' is boolean; it takes 'rollout', not 'split'\n"
      "    hint: e.g. rollout = 25"}},
    {"split weights summing to 95",
     R"(schema = 1
[flags."experiment.button-color"]
split = { blue = 50, green = 25, red = 20 }
)",
     {"runtime.toml:3:9: error: split weights of flag 'experiment.button-color' sum to 95.00, not 100\n"
      "    hint: make the weights add up to exactly 100"}},
    {"split naming an unknown variant",
     R"(schema = 1
[flags."experiment.button-color"]
split = { blue = 50, purple = 50 }
)",
     {"runtime.toml:3:22: error: 'purple' is not a variant of flag 'experiment.button-color'\n"
      "    hint: variants: blue, green, red"}},
    {"split weights finer than 0.01",
     R"(schema = 1
[flags."experiment.button-color"]
split = { blue = 50.005, green = 49.995 }
)",
     {"runtime.toml:3:18: error: weight of 'blue' 50.005 is finer than 0.01\n"
      "    hint: use at most two decimals, e.g. 12.5 or 0.01",
      "runtime.toml:3:34: error: weight of 'green' 49.995 is finer than 0.01\n"
      "    hint: use at most two decimals, e.g. 12.5 or 0.01"}},
    {"an unknown segment",
     R"(schema = 1
[flags."permission.early-access"]
value = false
rules = [{ when = [{ segment = "beta" }], value = true }]
)",
     {"runtime.toml:4:32: error: unknown segment 'beta'\n"
      "    hint: define it under [segments]"}},
    {"a segment referring to another segment",
     R"(schema = 1
[segments]
staff = [{ attr = "email", ends_with = "@example.com" }]
beta = [{ segment = "staff" }]
[flags."permission.early-access"]
rules = [{ when = [{ segment = "beta" }], value = true }]
)",
     {"runtime.toml:4:21: error: a segment cannot refer to another segment\n"
      "    hint: copy the other segment's conditions into this one"}},
    {"an unknown operator",
     R"(schema = 1
[flags."permission.early-access"]
rules = [{ when = [{ attr = "plan", equals = "growth" }], value = true }]
)",
     {"runtime.toml:3:37: error: unknown operator 'equals'\n"
      "    hint: operators: after, before, contains, ends_with, gt, gte, in, lt, lte, not_in, semver_eq, semver_gt, semver_gte, semver_lt, semver_lte, starts_with, segment"}},
    {"a condition with two operators",
     R"(schema = 1
[flags."permission.early-access"]
rules = [{ when = [{ attr = "plan", in = ["growth"], not_in = ["free"] }], value = true }]
)",
     {"runtime.toml:3:54: error: a condition takes exactly one operator, not 'in' and 'not_in'\n"
      "    hint: split it into two conditions of the same 'when' list; they are ANDed"}},
    {"a condition without attr",
     R"(schema = 1
[flags."permission.early-access"]
rules = [{ when = [{ in = ["growth"] }], value = true }]
)",
     {"runtime.toml:3:20: error: a condition needs 'attr', the attribute it tests\n"
      "    hint: e.g. { attr = \"plan\", in = [\"growth\"] }"}},
    {"attr = 5",
     R"(schema = 1
[flags."permission.early-access"]
rules = [{ when = [{ attr = 5, in = ["growth"] }], value = true }]
)",
     {"runtime.toml:3:29: error: 'attr' must be an attribute name, not an integer\n"
      "    hint: e.g. attr = \"plan\""}},
    {"attr = \"has space\"",
     R"(schema = 1
[flags."permission.early-access"]
rules = [{ when = [{ attr = "has space", in = ["growth"] }], value = true }]
)",
     {"runtime.toml:3:29: error: 'has space' is not an attribute name: use \"user\", \"tenant\" or letters, digits, '_', '-' and '.'\n"
      "    hint: e.g. attr = \"plan\""}},
    {"bucket_by = \"user id\"",
     R"(schema = 1
[flags."release.new-checkout"]
rollout = 5
bucket_by = "user id"
)",
     {"runtime.toml:4:13: error: 'user id' is not an attribute name: use \"user\", \"tenant\" or letters, digits, '_', '-' and '.'\n"
      "    hint: e.g. bucket_by = \"tenant\""}},
    {"a semver literal without a patch number",
     R"(schema = 1
[flags."permission.early-access"]
rules = [{ when = [{ attr = "app_version", semver_gte = "2.3" }], value = true }]
)",
     {"runtime.toml:3:57: error: '2.3' is not a semantic version\n"
      "    hint: write MAJOR.MINOR.PATCH, e.g. semver_gte = \"2.3.0\""}},
    {"after = \"tomorrow\"",
     R"(schema = 1
[flags."permission.early-access"]
rules = [{ when = [{ attr = "signup", after = "tomorrow" }], value = true }]
)",
     {"runtime.toml:3:47: error: 'tomorrow' is not an RFC 3339 date-time with an offset\n"
      "    hint: e.g. after = 2026-12-01T00:00:00Z"}},
    {"after = 5, neither a date-time nor a string",
     R"(schema = 1
[flags."permission.early-access"]
rules = [{ when = [{ attr = "signup", after = 5 }], value = true }]
)",
     {"runtime.toml:3:47: error: 'before' and 'after' take an RFC 3339 date-time with an offset\n"
      "    hint: e.g. after = 2026-12-01T00:00:00Z"}},
    // The form of a date-time, but no day of any calendar: not "out of range", and not "no date-time".
    {"after = \"9999-99-99T00:00:00Z\"",
     R"(schema = 1
[flags."permission.early-access"]
rules = [{ when = [{ attr = "signup", after = "9999-99-99T00:00:00Z" }], value = true }]
)",
     {"runtime.toml:3:47: error: '9999-99-99T00:00:00Z' is not a real date and time\n"
      "    hint: months run 1 to 12, days to the month's last, hours 0 to 23, minutes and seconds 0 to 59"}},
    {"a date-time string past 2261",
     R"(schema = 1
[flags."permission.early-access"]
rules = [{ when = [{ attr = "signup", before = "2300-01-01T00:00:00Z" }], value = true }]
)",
     {"runtime.toml:3:48: error: the date-time is out of the supported range (years 1678 to 2261)\n"
      "    hint: use a date-time between 1678 and 2261"}},
    {"a date-time string of year 9999 with an offset",
     R"(schema = 1
[flags."permission.early-access"]
rules = [{ when = [{ attr = "signup", after = "9999-12-31T23:59:59+01:00" }], value = true }]
)",
     {"runtime.toml:3:47: error: the date-time is out of the supported range (years 1678 to 2261)\n"
      "    hint: use a date-time between 1678 and 2261"}},
    {"a TOML local date-time, without offset",
     R"(schema = 1
[flags."permission.early-access"]
rules = [{ when = [{ attr = "signup", after = 2026-06-01T00:00:00 }], value = true }]
)",
     {"runtime.toml:3:47: error: a date-time without an offset is a different instant in every time zone\n"
      "    hint: append Z or an offset, e.g. after = 2026-06-01T00:00:00Z"}},
    {"a date-time string without offset",
     R"(schema = 1
[flags."permission.early-access"]
rules = [{ when = [{ attr = "signup", before = "2026-06-01T00:00:00" }], value = true }]
)",
     {"runtime.toml:3:48: error: a date-time without an offset is a different instant in every time zone\n"
      "    hint: append Z or an offset, e.g. after = 2026-06-01T00:00:00Z"}},
    {"requires naming an unknown flag",
     R"(schema = 1
[flags."experiment.button-color"]
split = { green = 100 }
requires = { "release.old-checkout" = true }
)",
     {"runtime.toml:4:14: error: 'requires' names unknown flag 'release.old-checkout'\n"
      "    hint: name a flag declared in the registry"}},
    {"a segment no rule uses is checked all the same",
     R"(schema = 1
[segments]
beta = [{ attr = "tenant", equals = "acme" }]
)",
     {"runtime.toml:3:28: error: unknown operator 'equals'\n"
      "    hint: operators: after, before, contains, ends_with, gt, gte, in, lt, lte, not_in, semver_eq, semver_gt, "
      "semver_gte, semver_lt, semver_lte, starts_with, segment"}},
    {"a cycle is reported next to other mistakes",
     R"(schema = 1
[flags."release.new-checkout"]
value = 5
requires = { "release.new-checkout" = true }
)",
     {"runtime.toml:3:9: error: flag 'release.new-checkout' is boolean; its value must be true or false, not an integer\n"
      "    hint: write value = true or value = false, without quotes",
      "runtime.toml:4:12: error: 'requires' forms a cycle: release.new-checkout -> release.new-checkout\n"
      "    hint: a flag cannot depend on itself, directly or through others"}},
    {"a date-time no 64-bit clock reaches",
     R"(schema = 1
[flags."permission.early-access"]
rules = [{ when = [{ attr = "signup", after = 1013-01-01T00:00:00Z }], value = true }]
)",
     {"runtime.toml:3:47: error: the date-time is out of the supported range (years 1678 to 2261)\n"
      "    hint: use a date-time between 1678 and 2261"}},
    {"a value with a newline is quoted on one line",
     R"(schema = 1
[flags."release.new-checkout"]
bucket_by = "ten\nant"
rollout = 5
)",
     {"runtime.toml:3:13: error: 'ten\\nant' is not an attribute name: use \"user\", \"tenant\" or letters, digits, '_', '-' and '.'\n"
      "    hint: e.g. bucket_by = \"tenant\""}},
    {"the same table twice",
     R"(schema = 1
[flags."release.new-checkout"]
value = true
[flags."release.new-checkout"]
value = false
)",
     {"runtime.toml:4:1: error: invalid TOML: this table is already defined earlier in the file\n"
      "    hint: merge the two sections into one"}},
    {"two flags requiring each other",
     R"(schema = 1
[flags."release.new-checkout"]
value = true
requires = { "release.fast-search" = true }
[flags."release.fast-search"]
value = true
requires = { "release.new-checkout" = true }
)",
     {"runtime.toml:7:12: error: 'requires' forms a cycle: release.fast-search -> release.new-checkout -> release.fast-search\n"
      "    hint: a flag cannot depend on itself, directly or through others"}},
    {"a flag requiring itself",
     R"(schema = 1
[flags."release.new-checkout"]
value = true
requires = { "release.new-checkout" = true }
)",
     {"runtime.toml:4:12: error: 'requires' forms a cycle: release.new-checkout -> release.new-checkout\n"
      "    hint: a flag cannot depend on itself, directly or through others"}},
    {"no schema",
     R"([flags."release.new-checkout"]
value = true
)",
     {"runtime.toml:1:1: error: the file declares no schema\n"
      "    hint: add schema = 1 as its first line"}},
    {"schema = 2",
     R"(schema = 2
)",
     {"runtime.toml:1:10: error: schema 2 is newer than this flagstone understands (1)\n"
      "    hint: deploy a binary built with a newer flagstone before this file, or write the file for schema 1"}},
    {"schema = \"1\"",
     R"(schema = "1"
)",
     {"runtime.toml:1:10: error: 'schema' must be a positive integer\n"
      "    hint: this flagstone reads schema = 1"}},
    {"since as a string",
     R"(schema = 1
[flags."release.new-checkout"]
value = true
since = "2026-11-10"
)",
     {"runtime.toml:4:9: error: 'since' must be a date\n"
      "    hint: write a bare TOML date: since = 2026-11-10"}},
    {"since as a date-time",
     R"(schema = 1
[flags."release.new-checkout"]
value = true
since = 2026-11-10T10:00:00Z
)",
     {"runtime.toml:4:9: error: 'since' must be a date\n"
      "    hint: write a bare TOML date: since = 2026-11-10"}},
    {"value and rollout together",
     R"(schema = 1
[flags."release.new-checkout"]
value = true
rollout = 25
)",
     {"runtime.toml:3:9: error: give only one of 'value', 'rollout' and 'split'\n"
      "    hint: rollout is for a boolean flag, split for a multivariate one, value for everyone alike"}},
    {"a rule without when",
     R"(schema = 1
[flags."permission.early-access"]
value = false
rules = [{ value = true }]
)",
     {"runtime.toml:4:10: error: a rule needs 'when', a non-empty array of conditions\n"
      "    hint: e.g. when = [{ attr = \"plan\", in = [\"growth\"] }]"}},
    {"a rule with an empty when",
     R"(schema = 1
[flags."permission.early-access"]
value = false
rules = [{ when = [], value = true }]
)",
     {"runtime.toml:4:19: error: a rule needs 'when', a non-empty array of conditions\n"
      "    hint: e.g. when = [{ attr = \"plan\", in = [\"growth\"] }]"}},
    // Integers past 2^53 have no exact double: each is named as the file writes it.
    {"a rollout past 2^53",
     R"(schema = 1
[flags."release.new-checkout"]
rollout = 9007199254740993
)",
     {"runtime.toml:3:11: error: rollout 9007199254740993 is not from 0 to 100\n"
      "    hint: e.g. rollout = 25 or rollout = 0.5"}},
    {"the largest integer as a rollout",
     R"(schema = 1
[flags."release.new-checkout"]
rollout = 9223372036854775807
)",
     {"runtime.toml:3:11: error: rollout 9223372036854775807 is not from 0 to 100\n"
      "    hint: e.g. rollout = 25 or rollout = 0.5"}},
    {"a negative rollout past 2^53 in a rule",
     R"(schema = 1
[flags."release.new-checkout"]
rules = [{ when = [{ attr = "tenant", in = ["acme"] }], rollout = -9007199254740993 }]
)",
     {"runtime.toml:3:67: error: rollout -9007199254740993 is not from 0 to 100\n"
      "    hint: e.g. rollout = 25 or rollout = 0.5"}},
    {"a split weight past 2^53",
     R"(schema = 1
[flags."experiment.button-color"]
split = { blue = 9007199254740993, green = 0 }
)",
     {"runtime.toml:3:18: error: weight of 'blue' 9007199254740993 is not from 0 to 100\n"
      "    hint: a weight is a percentage from 0 to 100, e.g. split = { blue = 50, green = 50 }"}},
    {"a comparison with an integer past 2^53",
     R"(schema = 1
[flags."permission.early-access"]
rules = [{ when = [{ attr = "orders", gte = 9007199254740993 }], value = true }]
)",
     {"runtime.toml:3:45: error: 9007199254740993 is past 2^53 and has no exact value to compare with\n"
      "    hint: compare with a number from -9007199254740992 to 9007199254740992"}},
    // toml++ garbles quoted and dotted keys in this message; it is rewritten from the file's text.
    {"a duplicate quoted key",
     R"(schema = 1
[flags."release.new-checkout"]
"value" = true
"value" = false
)",
     {"runtime.toml:4:11: error: invalid TOML key-value pair: cannot redefine existing boolean '\"value\"'\n"
      "    hint: keep one of the two definitions of this key"}},
    {"a duplicate dotted key, quoted once",
     R"(schema = 1
x.y = 1
x . "y" = 2
)",
     {"runtime.toml:3:11: error: invalid TOML key-value pair: cannot redefine existing integer 'x . \"y\"'\n"
      "    hint: keep one of the two definitions of this key"}},
    {"a duplicate key in an inline table, with an escaped quote",
     R"(schema = 1
x = { 'a"b' = 1, "a\"b" = 2 }
)",
     {"runtime.toml:2:27: error: invalid TOML key-value pair: cannot redefine existing integer '\"a\\\"b\"'\n"
      "    hint: keep one of the two definitions of this key"}},
    // A name no registry can declare is an error, shown in ASCII so that the odd character shows.
    {"a flag name with a Cyrillic letter",
     "schema = 1\n[flags.\"release.n\u0435w-checkout\"]\nvalue = true\n",
     {"runtime.toml:2:8: error: flag 'release.n\\u0435w-checkout' is a name no registry can declare: it has "
      "'n\\u0435w-checkout' after the type, which is not kebab-case: use lowercase letters and digits joined by "
      "single hyphens\n"
      "    hint: did you mean 'release.new-checkout'?"}},
    {"a flag name with a zero-width space",
     "schema = 1\n[flags.\"release.new\u200b-thing\"]\nvalue = true\n",
     {"runtime.toml:2:8: error: flag 'release.new\\u200b-thing' is a name no registry can declare: it has "
      "'new\\u200b-thing' after the type, which is not kebab-case: use lowercase letters and digits joined by "
      "single hyphens\n"
      "    hint: name the flag as the registry does: <type>.<kebab-name>, in ASCII"}},
    {"a flag name with a NUL",
     "schema = 1\n[flags.\"release.new\\u0000thing\"]\nvalue = true\n",
     {"runtime.toml:2:8: error: flag 'release.new\\u0000thing' is a name no registry can declare: it has "
      "'new\\u0000thing' after the type, which is not kebab-case: use lowercase letters and digits joined by "
      "single hyphens\n"
      "    hint: name the flag as the registry does: <type>.<kebab-name>, in ASCII"}},
    {"a flag name with a right-to-left override",
     "schema = 1\n[flags.\"release.\u202ekcehc-wen\"]\nvalue = true\n",
     {"runtime.toml:2:8: error: flag 'release.\\u202ekcehc-wen' is a name no registry can declare: it has "
      "'\\u202ekcehc-wen' after the type, which is not kebab-case: use lowercase letters and digits joined by "
      "single hyphens\n"
      "    hint: name the flag as the registry does: <type>.<kebab-name>, in ASCII"}},
    {"a flag name of an unknown type",
     "schema = 1\n[flags.\"feature.new-checkout\"]\nvalue = true\n",
     {"runtime.toml:2:8: error: flag 'feature.new-checkout' is a name no registry can declare: it has unknown "
      "type 'feature'\n"
      "    hint: name the flag as the registry does: <type>.<kebab-name>, in ASCII"}},
    {"a rule without value",
     R"(schema = 1
[flags."permission.early-access"]
value = false
rules = [{ when = [{ attr = "tenant", in = ["acme"] }] }]
)",
     {"runtime.toml:4:10: error: a rule needs 'value', 'rollout' or 'split': what it serves\n"
      "    hint: e.g. value = true"}},
};

}  // namespace

BOOST_AUTO_TEST_SUITE(loader)

BOOST_DATA_TEST_CASE(each_mistake_is_refused_with_its_exact_messages, boost::unit_test::data::make(bad_files), file) {
    RuntimeCore core(flags::generated::registry);
    BOOST_REQUIRE(core.load_text(good_file, "runtime.toml").published);

    const auto report = core.load_text(file.text, "runtime.toml");
    BOOST_TEST(rendered(report.diagnostics) == rendered(file.diagnostics));
    BOOST_TEST(!report.ok());
    BOOST_TEST(!report.published);
    BOOST_TEST(report.generation == 1u);
    // The good file still answers.
    const auto e = core.evaluate(index_of("release.new-checkout"), {});
    BOOST_TEST(e.value == 1);
    BOOST_TEST(e.generation == 1u);
}

BOOST_AUTO_TEST_CASE(an_unregistered_flag_is_a_warning_and_the_file_publishes) {
    // A file shared by binaries of several versions names flags some of them do not know yet, or no
    // longer know. Its entry cannot be checked without the flag's type, so even nonsense in it is
    // only ignored; the rest of the file applies.
    RuntimeCore core(flags::generated::registry);
    const auto report = core.load_text(R"(schema = 1
[flags."release.from-the-future"]
rollout = 250
[flags."release.new-checkout"]
value = true
)",
                                       "runtime.toml");
    BOOST_TEST(rendered(report.diagnostics) ==
               "runtime.toml:2:8: warning: flag 'release.from-the-future' is not in the registry; its entry is ignored\n"
               "    hint: a binary built with this flag will read it; remove the entry once the flag is retired\n");
    BOOST_TEST(report.ok());
    BOOST_TEST(report.published);
    BOOST_TEST(report.generation == 1u);
    const auto e = core.evaluate(index_of("release.new-checkout"), {});
    BOOST_TEST(e.value == 1);
    BOOST_TEST(e.reason == Reason::STATIC);
}

BOOST_AUTO_TEST_CASE(a_misspelt_flag_name_is_answered_with_the_registered_one) {
    RuntimeCore core(flags::generated::registry);
    const auto report =
        core.load_text("schema = 1\n[flags.\"release.new-chekout\"]\nvalue = true\n", "runtime.toml");
    BOOST_TEST(report.published);  // a warning only: the file may be meant for a newer binary
    BOOST_TEST(rendered(report.diagnostics) ==
               rendered(std::vector<std::string>{
                   "runtime.toml:2:8: warning: flag 'release.new-chekout' is not in the registry; its entry is "
                   "ignored\n"
                   "    hint: did you mean 'release.new-checkout'?"}));
}

BOOST_AUTO_TEST_CASE(a_misspelling_no_registry_can_declare_is_an_error_with_the_registered_name) {
    // '_' is not in the name grammar: no binary, older or newer, can read this entry.
    RuntimeCore core(flags::generated::registry);
    const auto report =
        core.load_text("schema = 1\n[flags.\"release.new_checkout\"]\nvalue = true\n", "runtime.toml");
    BOOST_TEST(!report.published);
    BOOST_TEST(rendered(report.diagnostics) ==
               rendered(std::vector<std::string>{
                   "runtime.toml:2:8: error: flag 'release.new_checkout' is a name no registry can declare: it has "
                   "'new_checkout' after the type, which is not kebab-case: use lowercase letters and digits joined "
                   "by single hyphens\n"
                   "    hint: did you mean 'release.new-checkout'?"}));
}

BOOST_AUTO_TEST_CASE(a_file_of_100000_flag_entries_is_within_the_value_budget) {
    // Each [flags."..."] header adds one table to the count, not two: "flags" exists after the first.
    // Counted as two, 100,000 entries of two keys would reach 400,001 values.
    std::string text = "schema = 1\n";
    for (int i = 0; i < 100'000; ++i) text += "[flags.\"release.f" + std::to_string(i) + "\"]\na=1\nb=2\n";
    RuntimeCore core(flags::generated::registry);
    const auto report = core.load_text(text, "runtime.toml");
    BOOST_TEST(report.published);  // unknown flags are warnings; the first 20 are named, the rest summed up
    BOOST_REQUIRE(report.diagnostics.size() == 21u);
    BOOST_TEST(report.diagnostics.back().message ==
               "99980 more flags are not in the registry, from here on; their entries are ignored");
}

BOOST_AUTO_TEST_CASE(a_file_with_several_mistakes_reports_every_one) {
    // An operator fixing a file one message per deploy would take all afternoon. Mistakes at the top
    // level, in flags, in rules and in conditions are all reported, with the warning for the
    // unregistered flag, in the order of the lines.
    RuntimeCore core(flags::generated::registry);
    const auto report = core.load_text(R"(schema = 1
colour = "blue"

[flags."release.new-checkout"]
rollout = 101

[flags."release.retired-long-ago"]
value = true

[flags."experiment.button-color"]
value = "purple"

[flags."permission.early-access"]
rules = [
  { when = [{ attr = "plan", equals = "growth" }], value = true },
  { when = [{ segment = "beta" }], value = "yes" },
]
)",
                                       "runtime.toml");
    BOOST_TEST(rendered(report.diagnostics) ==
               rendered(std::vector<std::string>{
                   "runtime.toml:2:1: error: unknown key 'colour' at the top level\n"
                   "    hint: a runtime file holds schema, [segments] and [flags.\"<name>\"] tables",
                   "runtime.toml:5:11: error: rollout 101 is not from 0 to 100\n"
                   "    hint: e.g. rollout = 25 or rollout = 0.5",
                   "runtime.toml:7:8: warning: flag 'release.retired-long-ago' is not in the registry; its entry is "
                   "ignored\n"
                   "    hint: a binary built with this flag will read it; remove the entry once the flag is retired",
                   "runtime.toml:11:9: error: 'purple' is not a variant of flag 'experiment.button-color'\n"
                   "    hint: variants: blue, green, red",
                   "runtime.toml:15:30: error: unknown operator 'equals'\n"
                   "    hint: operators: after, before, contains, ends_with, gt, gte, in, lt, lte, not_in, semver_eq, "
                   "semver_gt, semver_gte, semver_lt, semver_lte, starts_with, segment",
                   "runtime.toml:16:25: error: unknown segment 'beta'\n"
                   "    hint: define it under [segments]",
                   "runtime.toml:16:44: error: flag 'permission.early-access' is boolean; its value must be true or "
                   "false, not a string\n"
                   "    hint: write value = true or value = false, without quotes",
               }));
    BOOST_TEST(!report.published);
}

BOOST_AUTO_TEST_CASE(a_refused_file_leaves_the_last_good_snapshot_serving) {
    RuntimeCore core(flags::generated::registry);
    const std::size_t checkout = index_of("release.new-checkout"), color = index_of("experiment.button-color");

    // Refused before anything was published: registry defaults, generation 0.
    const auto first = core.load_text("schema = 1\n[flags.\"release.new-checkout\"]\nvalue = 1\n", "runtime.toml");
    BOOST_TEST(!first.published);
    BOOST_TEST(first.generation == 0u);
    BOOST_TEST(core.evaluate(checkout, {}).reason == Reason::DEFAULT);

    const auto good = core.load_text(R"(schema = 1
[flags."release.new-checkout"]
value = true
[flags."experiment.button-color"]
value = "green"
)",
                                     "runtime.toml");
    BOOST_REQUIRE(good.published);
    BOOST_TEST(good.generation == 1u);
    const auto pinned = core.pin();

    // A half-good file: one flag valid, one not. Nothing of it applies, not even the valid part.
    const auto bad = core.load_text(R"(schema = 1
[flags."release.new-checkout"]
value = false
[flags."experiment.button-color"]
value = "purple"
)",
                                    "runtime.toml");
    BOOST_TEST(!bad.published);
    BOOST_TEST(bad.generation == 1u);
    BOOST_TEST(core.generation() == 1u);
    const auto e = core.evaluate(checkout, {});
    BOOST_TEST(e.value == 1);
    BOOST_TEST(e.reason == Reason::STATIC);
    BOOST_TEST(e.generation == 1u);
    BOOST_TEST(core.evaluate(color, {}).value == 1);
    BOOST_TEST(core.pin().generation() == pinned.generation());

    // The refused file used up no generation: the next good one is 2.
    const auto fixed = core.load_text("schema = 1\n[flags.\"release.new-checkout\"]\nvalue = false\n", "runtime.toml");
    BOOST_TEST(fixed.published);
    BOOST_TEST(fixed.generation == 2u);
    BOOST_TEST(core.evaluate(checkout, {}).value == 0);
}

// The cost model, pinned through the limit's message: every flag costs more than a limit of 1.
constexpr std::string_view cost_hint =
    "    hint: put conditions that rules repeat in a segment, merge rules that serve the same value, or raise "
    "RuntimeOptions::limits.max_evaluation_cost\n";

BOOST_AUTO_TEST_CASE(a_segment_is_counted_once_per_flag_and_a_prerequisite_with_its_own_cost) {
    // early-access: serving 2, three rules of 1, three segment uses of 1, and the segment's own
    // conditions once, each 3 to find its attribute and then a set 2, one needle 1, a version 3.
    // new-checkout: serving 2, and the prerequisite, 1 plus early-access's 23.
    const auto text = R"(schema = 1
[segments]
staff = [{ attr = "plan", in = ["staff"] }, { attr = "email", ends_with = "@example.com" }, { attr = "app_version", semver_gte = "1.0.0" }]
[flags."permission.early-access"]
value = false
rules = [{ when = [{ segment = "staff" }], value = true }, { when = [{ segment = "staff" }], value = true }, { when = [{ segment = "staff" }], value = true }]
[flags."release.new-checkout"]
rollout = 50
requires = { "permission.early-access" = true }
)";
    flags::Limits limits;
    limits.max_evaluation_cost = 1;
    BOOST_TEST(compiled_with(limits, text) ==
               "runtime.toml:4:8: error: flag 'permission.early-access' costs 23 to evaluate at worst; the limit is 1\n" +
                   std::string(cost_hint) +
                   "runtime.toml:7:8: error: flag 'release.new-checkout' costs 26 to evaluate at worst (24 of it in "
                   "its prerequisites); the limit is 1\n" +
                   std::string(cost_hint));
    limits.max_evaluation_cost = 26;
    BOOST_TEST(compiled_with(limits, text).empty());
}

// The worst-case cost the loader reports for one condition `attr <op> [n0, n1, ...]` of `needles`
// needles, read from its refusal under a limit of 1; "?" when it reports none.
std::string cost_of_needle_list(std::string_view attr, std::string_view op, int needles) {
    std::string list;
    for (int i = 0; i < needles; ++i) list += (i ? ", \"n" : "\"n") + std::to_string(i) + "\"";
    flags::Limits limits;
    limits.max_evaluation_cost = 1;
    const auto out = compiled_with(limits, "schema = 1\n[flags.\"permission.early-access\"]\nvalue = false\n"
                                           "rules = [{ when = [{ attr = \"" + std::string(attr) + "\", " +
                                               std::string(op) + " = [" + list + "] }], value = true }]\n");
    const auto at = out.find("costs ");
    return at == std::string::npos ? std::string("?") : out.substr(at + 6, out.find(' ', at + 6) - at - 6);
}

BOOST_AUTO_TEST_CASE(a_long_needle_list_costs_the_same_whatever_its_length) {
    const auto costing = [](int needles) { return cost_of_needle_list("agent", "contains", needles); };
    BOOST_TEST(costing(3) == "15");  // serving 2, the rule 1, the attribute 3, each needle 3
    BOOST_TEST(costing(8) == "30");
    BOOST_TEST(costing(9) == "46");  // an automaton: 40, however many needles
    BOOST_TEST(costing(50'000) == "46");
}

// A long starts_with/ends_with list is one trie, charged as such however many needles it holds; a short
// one costs by its needles.
BOOST_AUTO_TEST_CASE(a_long_anchored_needle_list_costs_one_trie) {
    const auto costing = [](int needles) { return cost_of_needle_list("email", "ends_with", needles); };
    BOOST_TEST(costing(8) == "14");  // serving 2, the rule 1, the attribute 3, each needle 1
    BOOST_TEST(costing(9) == "38");  // a trie: 32, however many needles
    BOOST_TEST(costing(50'000) == "38");
}

BOOST_AUTO_TEST_CASE(a_cost_past_the_default_limit_is_refused) {
    // 400 rules of one set lookup each: 2 + 400 * (1 + 3 + 2).
    std::string rules;
    for (int i = 0; i < 400; ++i) rules += "{ when = [{ attr = \"plan\", in = [\"p" + std::to_string(i) + "\"] }], value = true },\n";
    const auto out = compiled_with({}, "schema = 1\n[flags.\"permission.early-access\"]\nvalue = false\nrules = [\n" + rules + "]\n");
    BOOST_TEST(out.starts_with(
        "runtime.toml:2:8: error: flag 'permission.early-access' costs 2402 to evaluate at worst; the limit is 250\n"));
}

BOOST_AUTO_TEST_CASE(unknown_flags_past_the_first_twenty_are_counted_not_named) {
    std::string text = "schema = 1\n";
    for (int i = 0; i < 25; ++i) text += "[flags.\"release.gone-" + std::to_string(100 + i) + "\"]\nvalue = true\n";
    std::vector<flags::Diagnostic> diagnostics;
    const auto compiled = flags::internal::compile_runtime(flags::generated::registry,
                                                           {{.display = "runtime.toml", .text = text}}, diagnostics);
    BOOST_TEST(compiled.has_value());  // warnings only
    BOOST_REQUIRE(diagnostics.size() == 21u);
    BOOST_TEST(flags::format(diagnostics[19]) ==
               "runtime.toml:40:8: warning: flag 'release.gone-119' is not in the registry; its entry is ignored\n"
               "    hint: a binary built with this flag will read it; remove the entry once the flag is retired");
    BOOST_TEST(flags::format(diagnostics[20]) ==
               "runtime.toml:42:8: warning: 5 more flags are not in the registry, from here on; their entries are "
               "ignored\n"
               "    hint: only the first 20 are named; `flagctl list` shows the registry's flags");
}

BOOST_AUTO_TEST_CASE(a_suggestion_is_a_registered_name_within_two_edits_of_any_length) {
    const auto hint_for = [](std::string_view name) {
        std::vector<flags::Diagnostic> diagnostics;
        flags::internal::compile_runtime(
            flags::generated::registry,
            {{.display = "runtime.toml", .text = "schema = 1\n[flags.\"" + std::string(name) + "\"]\nvalue = true\n"}},
            diagnostics);
        return diagnostics.empty() ? std::string() : diagnostics.front().hint;
    };
    BOOST_TEST(hint_for("release.new-checkou") == "did you mean 'release.new-checkout'?");    // one shorter
    BOOST_TEST(hint_for("release.new-checkout-x") == "did you mean 'release.new-checkout'?");  // two longer
    BOOST_TEST(hint_for("relaese.new-checkout") == "did you mean 'release.new-checkout'?");  // two substitutions
    BOOST_TEST(hint_for("release.new-chekcout-x").find("did you mean") == std::string::npos);  // four edits
    BOOST_TEST(hint_for("r").find("did you mean") == std::string::npos);
}

// The messages of compiling `sources` together with `limits`.
std::string compiled_together(const std::vector<flags::internal::RuntimeSource>& sources,
                              const flags::Limits& limits = {}) {
    std::vector<flags::Diagnostic> diagnostics;
    flags::internal::compile_runtime(flags::generated::registry, sources, diagnostics, limits);
    return rendered(diagnostics);
}

BOOST_AUTO_TEST_CASE(limit_problems_are_reported_alone_file_by_file_in_the_order_of_each_file) {
    // Each flag entry is checked against the limits as it is compiled; a file past a limit still gets
    // only the limits' messages (not those of compiling what came before), in the order of the files
    // as given (not of their layers) and, in each, of the file's keys, with the counts last.
    flags::Limits limits;
    limits.max_string_bytes = 30;
    limits.max_rules_per_flag = 1;
    limits.max_flag_entries = 1;
    const std::string base = R"(schema = 1
[segments]
big = [{ attr = "plan", in = ["a", "a string of more than thirty bytes!"] }]
[flags."release.new-checkout"]
value = "a string of more than thirty bytes"
bogus = 1
[flags."permission.early-access"]
rules = [{ when = [{ segment = "big" }], value = true }, { when = [{ segment = "big" }], value = false }]
)";
    const std::string local = R"(schema = 1
colour = "blue"
[flags."release.fast-search"]
a_key_of_more_than_thirty_bytes_ = true
)";
    const std::string hint = "    hint: a real flag file is far below this; raise RuntimeOptions::limits if not";
    BOOST_TEST(compiled_together({{.display = "local.toml", .text = local, .layer = 1},
                                  {.display = "base.toml", .text = base}},
                                 limits) ==
               rendered(std::vector<std::string>{
                   "local.toml:4:1: error: a key of 32 bytes; the limit is 30\n" + hint,
                   "base.toml:5:9: error: a string of 34 bytes; the limit is 30\n" + hint,
                   "base.toml:3:36: error: a string of 35 bytes; the limit is 30\n" + hint,
                   "base.toml:4:1: error: 2 flag entries; the limit is 1\n" + hint,
                   "base.toml:8:9: error: flag 'permission.early-access' has 2 rules; the limit is 1\n" + hint,
               }));
}

BOOST_AUTO_TEST_CASE(an_entry_past_a_limit_drops_the_messages_of_the_entries_compiled_before_it) {
    // Entries are compiled in key order, each just after its limits are checked: the first entry's
    // message is made before the second is found past a limit, and must not stay.
    const std::string text = R"(schema = 1
[flags."permission.early-access"]
value = true
bogus = 1
[flags."release.new-checkout"]
rules = [{ when = [{ attr = "plan", in = ["a"] }], value = true }, { when = [{ attr = "plan", in = ["b"] }], value = false }]
)";
    const std::vector<flags::internal::RuntimeSource> sources{{.display = "one.toml", .text = text}};
    BOOST_TEST(compiled_together(sources).find("bogus") != std::string::npos);
    flags::Limits limits;
    limits.max_rules_per_flag = 1;
    const std::string hint = "    hint: a real flag file is far below this; raise RuntimeOptions::limits if not";
    BOOST_TEST(compiled_together(sources, limits) ==
               rendered(std::vector<std::string>{
                   "one.toml:6:9: error: flag 'release.new-checkout' has 2 rules; the limit is 1\n" + hint}));
}

BOOST_AUTO_TEST_CASE(an_entry_in_two_files_names_the_first_at_its_line) {
    // The second file's entry is read after the first file's entries are compiled.
    BOOST_TEST(compiled_together({{.display = "a.toml", .text = "schema = 1\n\n[flags.\"release.new-checkout\"]\nvalue = true\n"},
                                  {.display = "b.toml", .text = "schema = 1\n[flags.\"release.new-checkout\"]\nvalue = false\n"}}) ==
               "b.toml:2:8: error: flag 'release.new-checkout' has entries in two files; the first is a.toml:3\n"
               "    hint: keep the flag in one file\n");
}

BOOST_AUTO_TEST_CASE(a_cycle_through_two_files_is_reported_at_the_requires_of_the_first_flag) {
    // The place is in the first file, whose entries are compiled before the second file is read.
    BOOST_TEST(compiled_together({{.display = "a.toml",
                                   .text = "schema = 1\n\n[flags.\"release.fast-search\"]\nvalue = true\n"
                                           "requires = { \"release.new-checkout\" = true }\n"},
                                  {.display = "b.toml",
                                   .text = "schema = 1\n[flags.\"release.new-checkout\"]\nvalue = true\n"
                                           "requires = { \"release.fast-search\" = true }\n"}}) ==
               "a.toml:5:12: error: 'requires' forms a cycle: release.fast-search -> release.new-checkout -> "
               "release.fast-search\n"
               "    hint: a flag cannot depend on itself, directly or through others\n");
}

BOOST_AUTO_TEST_CASE(the_content_hash_is_fnv_1a_of_each_files_text_and_a_nul) {
    // The hash is taken while the text is counted, a statement at a time; every byte is in it once,
    // whatever the text holds: comments, strings over several lines, escapes, a last line without a break.
    const std::string base = "schema = 1 # the schema\n[segments]\nstaff = [{ attr = \"email\", ends_with = "
                             "[\"@example.com\", 'x\\\\'] }]\n\n[flags.\"release.new-checkout\"] # entry\n"
                             "value = true\nsalt = \"\"\"a \"quoted\"\nsalt\\\"\"\"\"\n";
    const std::string local = "schema = 1\n[flags.\"ops.kill-switch-payments\"]\nvalue = false";
    std::vector<flags::Diagnostic> diagnostics;
    const auto compiled = flags::internal::compile_runtime(
        flags::generated::registry, {{.display = "base.toml", .text = base}, {.display = "local.toml", .text = local, .layer = 1}},
        diagnostics);
    BOOST_REQUIRE(compiled.has_value());
    namespace b = flags::bucketing;
    const std::string_view nul("\0", 1);
    BOOST_TEST(compiled->content_hash ==
               b::fmix64(b::absorb(b::absorb(b::absorb(b::absorb(b::fnv_offset_basis, base), nul), local), nul)));
}

BOOST_AUTO_TEST_SUITE_END()
