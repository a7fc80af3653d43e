// The loader's description of what it compiled, which flagctl shows: where each entry and rule is
// written, the shape read, the conditions, and canonical text that ignores layout and `since`.
#define BOOST_TEST_MODULE sourcemap
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <unistd.h>

#include <flags/flags.hpp>

#include <flags/detail/runtime_core.hpp>

#include "runtime/compiled_source.hpp"
#include "runtime/runtime_loader.hpp"

namespace {

using flags::internal::SourceMap;

SourceMap described(const std::vector<flags::internal::RuntimeSource>& sources, bool* accepted = nullptr) {
    SourceMap map;
    std::vector<flags::Diagnostic> diagnostics;
    const auto compiled = flags::internal::compile_runtime(flags::generated::registry, sources, diagnostics, {}, &map);
    if (accepted) *accepted = compiled.has_value();
    return map;
}

SourceMap described(const std::string& text, bool* accepted = nullptr) {
    return described({{.display = "runtime.toml", .text = text}}, accepted);
}

const std::string file = R"(schema = 1

[segments]
staff = [{ attr = "email", ends_with = ["@example.com"] }]

[flags."release.new-checkout"]
rollout = 25
bucket_by = "tenant"
salt = "q4"
since = 2026-11-10
requires = { "ops.kill-switch-payments" = false }
rules = [
  { when = [{ segment = "staff" }], value = true },
  { when = [{ attr = "plan", in = ["growth", "scale"] },
            { attr = "seats", gte = 10 }], rollout = 100 },
]

[flags."experiment.button-color"]
split = { blue = 50, green = 50 }

[flags."release.gone-long-ago"]
value = true
)";

BOOST_AUTO_TEST_CASE(an_entry_is_described_as_the_loader_read_it) {
    bool accepted = false;
    const auto map = described(file, &accepted);
    BOOST_TEST(accepted);
    const auto* entry = map.entry("release.new-checkout");
    BOOST_REQUIRE(entry);
    BOOST_TEST(entry->place.file == "runtime.toml");
    BOOST_TEST(entry->place.line == 6);
    BOOST_TEST(!entry->from_override);
    BOOST_TEST(entry->outcome.rollout.value_or(0) == 2500u);
    BOOST_TEST(!entry->outcome.value);
    BOOST_TEST(entry->bucket_by == "tenant");
    BOOST_TEST(entry->salt.value_or("") == "q4");
    BOOST_TEST(entry->since.has_value());
    BOOST_TEST(entry->required == std::vector<std::string>{"ops.kill-switch-payments"});
    BOOST_TEST(!entry->fully_on());  // a prerequisite, and a rollout of 25%

    const auto* split = map.entry("experiment.button-color");
    BOOST_REQUIRE(split);
    BOOST_REQUIRE(split->outcome.split.size() == 2u);
    BOOST_TEST(split->outcome.split[0].first == "blue");
    BOOST_TEST(split->outcome.split[1].second == 5000u);
}

BOOST_AUTO_TEST_CASE(a_rule_keeps_its_place_text_and_conditions) {
    const auto map = described(file);
    const auto* entry = map.entry("release.new-checkout");
    BOOST_REQUIRE(entry);
    BOOST_REQUIRE(entry->rules.size() == 2u);
    const auto& first = entry->rules[0];
    BOOST_TEST(first.place.line == 13);
    BOOST_TEST(first.text == R"({ when = [{ segment = "staff" }], value = true })");
    BOOST_REQUIRE(first.conditions.size() == 1u);  // the segment's own conditions are not the rule's
    BOOST_TEST(first.conditions[0].op == "segment");
    BOOST_TEST(first.conditions[0].values == std::vector<std::string>{"staff"});
    const auto& second = entry->rules[1];
    // A rule over several lines is shown on one.
    BOOST_TEST(second.text == R"({ when = [{ attr = "plan", in = ["growth", "scale"] }, { attr = "seats", gte = 10 }], rollout = 100 })");
    BOOST_REQUIRE(second.conditions.size() == 2u);
    BOOST_TEST(second.conditions[0].attribute == "plan");
    BOOST_TEST(second.conditions[0].values == (std::vector<std::string>{"growth", "scale"}));
    BOOST_TEST(second.conditions[1].op == "gte");
    BOOST_TEST(second.conditions[1].values == std::vector<std::string>{"10"});
    BOOST_TEST(second.outcome.serves_true());

    // Every condition, the segments' included, for a population that exercises them.
    BOOST_TEST(map.conditions().size() == 4u);
    BOOST_TEST(!map.segment("staff").empty());
    BOOST_TEST(map.segment("nobody").empty());
}

BOOST_AUTO_TEST_CASE(an_entry_the_registry_lacks_has_a_place_and_no_description) {
    const auto map = described(file);
    const auto* entry = map.entry("release.gone-long-ago");
    BOOST_REQUIRE(entry);
    BOOST_TEST(!entry->registered);
    BOOST_TEST(entry->place.line == 21);
    BOOST_TEST(!entry->outcome.value);
    // Every entry, in the order of the file.
    BOOST_REQUIRE(map.entries().size() == 3u);
    BOOST_TEST(map.entries()[0].flag == "release.new-checkout");
    BOOST_TEST(map.entries()[2].flag == "release.gone-long-ago");
}

BOOST_AUTO_TEST_CASE(the_override_files_entry_is_the_one_in_effect) {
    const auto map = described({{.display = "base.toml", .text = "schema = 1\n[flags.\"release.new-checkout\"]\nvalue = false\n"},
                                {.display = "local.toml",
                                 .text = "schema = 1\n\n[flags.\"release.new-checkout\"]\nvalue = true\n",
                                 .layer = 1}});
    BOOST_TEST(map.entries().size() == 2u);
    const auto* entry = map.entry("release.new-checkout");
    BOOST_REQUIRE(entry);
    BOOST_TEST(entry->from_override);
    BOOST_TEST(entry->place.file == "local.toml");
    BOOST_TEST(entry->place.line == 3);
    BOOST_TEST(entry->outcome.value.value_or("") == "true");
    BOOST_TEST(entry->fully_on());
}

BOOST_AUTO_TEST_CASE(an_entry_with_requires_is_not_fully_on_even_when_it_names_no_flag) {
    const auto map = described("schema = 1\n[flags.\"release.new-checkout\"]\nvalue = true\nrequires = {}\n");
    const auto* entry = map.entry("release.new-checkout");
    BOOST_REQUIRE(entry);
    BOOST_TEST(entry->required.empty());
    BOOST_TEST(!entry->fully_on());
}

BOOST_AUTO_TEST_CASE(canonical_text_ignores_layout_comments_and_since) {
    const auto a = described("schema = 1\n[flags.\"release.new-checkout\"]\nvalue = true\nsince = 2026-01-01\n");
    const auto b = described("schema = 1\n# on for all\n[flags.\"release.new-checkout\"]\nsince = 2026-02-02\nvalue   =   true\n");
    const auto c = described("schema = 1\n[flags.\"release.new-checkout\"]\nvalue = false\n");
    BOOST_TEST(a.entry("release.new-checkout")->canonical == b.entry("release.new-checkout")->canonical);
    BOOST_TEST(a.entry("release.new-checkout")->canonical != c.entry("release.new-checkout")->canonical);
}

BOOST_AUTO_TEST_CASE(a_refused_file_is_described_as_far_as_it_was_read) {
    bool accepted = true;
    const auto map = described("schema = 1\n[flags.\"release.new-checkout\"]\nvalue = true\n"
                               "rules = [{ when = [{ segment = \"missing\" }], value = false }]\n",
                               &accepted);
    BOOST_TEST(!accepted);
    const auto* entry = map.entry("release.new-checkout");
    BOOST_REQUIRE(entry);
    BOOST_TEST(entry->outcome.value.value_or("") == "true");
    BOOST_TEST(entry->rules.size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_file_past_a_limit_is_described_by_its_files_alone) {
    // The limits are checked entry by entry as the entries are compiled; a file past one is described
    // as if nothing had been read, even an entry before the one past the limit.
    SourceMap map;
    std::vector<flags::Diagnostic> diagnostics;
    flags::Limits limits;
    limits.max_string_bytes = 30;
    const auto compiled = flags::internal::compile_runtime(
        flags::generated::registry,
        {{.display = "runtime.toml",
          .text = "schema = 1\n[segments]\nstaff = [{ attr = \"email\", ends_with = [\"@example.com\"] }]\n"
                  "[flags.\"experiment.button-color\"]\nsplit = { blue = 50, green = 50 }\n"
                  "[flags.\"release.new-checkout\"]\nsalt = \"a salt of more than thirty bytes\"\n"}},
        diagnostics, limits, &map);
    BOOST_TEST(!compiled);
    BOOST_REQUIRE(diagnostics.size() == 1u);
    BOOST_TEST(diagnostics[0].message == "a string of 32 bytes; the limit is 30");
    BOOST_TEST(map.entries().empty());
    BOOST_TEST(map.conditions().empty());
    BOOST_TEST(map.segment("staff").empty());
}

BOOST_AUTO_TEST_CASE(compiling_without_a_map_describes_nothing) {
    // A service compiles with no map: the same file compiles to the same programs either way.
    std::vector<flags::Diagnostic> with_map, without_map;
    SourceMap map;
    const std::vector<flags::internal::RuntimeSource> sources{{.display = "runtime.toml", .text = file}};
    const auto a = flags::internal::compile_runtime(flags::generated::registry, sources, with_map, {}, &map);
    const auto b = flags::internal::compile_runtime(flags::generated::registry, sources, without_map);
    BOOST_REQUIRE(a && b);
    BOOST_TEST(a->content_hash == b->content_hash);
    BOOST_TEST(a->rules->rules.size() == b->rules->rules.size());
    BOOST_TEST(with_map.size() == without_map.size());
}

// flagctl shows what its one load read: the engine describes each load from disk into the map it
// was given, from the same reading it judged, until it is given none.
BOOST_AUTO_TEST_CASE(a_runtime_describes_each_load_into_the_map_it_was_given) {
    const auto dir = std::filesystem::temp_directory_path() / ("flagstone-sourcemap-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const auto path = dir / "flags.toml";
    std::ofstream(path) << file;
    flags::internal::RuntimeCore core(flags::generated::registry);
    core.set_sources(path);
    SourceMap map;
    core.describe_loads_into(&map);
    BOOST_TEST(core.reload().ok());
    const auto* entry = map.entry("release.new-checkout");
    BOOST_REQUIRE(entry);
    BOOST_TEST(entry->place.file == path.string());
    BOOST_TEST(entry->rules.size() == 2u);

    std::ofstream(path) << "schema = 1\n[flags.\"release.new-checkout\"]\nvalue = true\n";
    BOOST_TEST(core.reload().ok());
    BOOST_REQUIRE(map.entry("release.new-checkout"));
    BOOST_TEST(map.entry("release.new-checkout")->rules.empty());  // the second load's reading
    BOOST_TEST(!map.entry("experiment.button-color"));

    core.describe_loads_into(nullptr);
    std::ofstream(path) << file;
    BOOST_TEST(core.reload().ok());
    BOOST_TEST(map.entry("release.new-checkout")->rules.empty());  // no longer described
    std::filesystem::remove_all(dir);
}

}  // namespace
