// The content hash that names a configuration across a fleet, in exposures and in the metrics, and
// exposures in OpenTelemetry's names (the `feature_flag.evaluation` event).
#define BOOST_TEST_MODULE otel
#include <boost/test/unit_test.hpp>

#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include <flags/flags.hpp>
#include <flags/otel.hpp>
#include <flags/detail/runtime_access.hpp>

#include "printing.hpp"
#include "prometheus_text.hpp"

namespace {

using flags::Flag;

const std::string first_file = R"(schema = 1
[flags."experiment.button-color"]
split = { blue = 34, green = 33, red = 33 }
)";
const std::string second_file = R"(schema = 1
[flags."experiment.button-color"]
value = "red"
)";

struct Seen {
    std::string key, variant;
    std::uint64_t generation = 0, content_hash = 0;
};

struct Recorder {
    std::mutex mutex;
    std::vector<Seen> seen;
    flags::ExposureSink sink() {
        return [this](const flags::Exposure& e) {
            std::lock_guard lock(mutex);
            seen.push_back({std::string(e.key), std::string(e.variant), e.generation, e.content_hash});
        };
    }
    std::vector<Seen> copy() {
        std::lock_guard lock(mutex);
        return seen;
    }
};

std::string hex(std::uint64_t hash) { return fmt::format("{:016x}", hash); }

}  // namespace

BOOST_AUTO_TEST_SUITE(otel)

// Two processes serving the same file, with different generations, report the same hash; a
// different file, another. Exposures buffered before a reload keep the hash they were read under.
BOOST_AUTO_TEST_CASE(exposures_carry_the_content_hash_of_the_files_that_answered) {
    Recorder a, b;  // outlive the runtimes, whose last delivery happens as they go
    flags::Runtime one("/nonexistent/flags.toml"), other("/nonexistent/flags.toml");
    BOOST_REQUIRE(flags::internal::core_of(other).load_text(second_file, "flags.toml").ok());  // generation 1 here
    BOOST_REQUIRE(flags::internal::core_of(one).load_text(first_file, "flags.toml").ok());
    BOOST_REQUIRE(flags::internal::core_of(other).load_text(first_file, "flags.toml").ok());   // generation 2 here
    const flags::Context ctx{.user = "u-1"};
    const auto first_hash = one.detail<Flag::experiment_button_color>(ctx).content_hash;
    BOOST_TEST(first_hash != 0u);
    BOOST_TEST(other.detail<Flag::experiment_button_color>(ctx).content_hash == first_hash);

    one.observe({.exposures = a.sink()});
    other.observe({.exposures = b.sink()});
    (void)one.variant<Flag::experiment_button_color>(ctx);
    (void)other.variant<Flag::experiment_button_color>(ctx);
    BOOST_REQUIRE(flags::internal::core_of(one).load_text(second_file, "flags.toml").ok());
    (void)one.variant<Flag::experiment_button_color>(flags::Context{.user = "u-2"});
    BOOST_REQUIRE(one.flush_observations());
    BOOST_REQUIRE(other.flush_observations());

    const auto seen_one = a.copy(), seen_other = b.copy();
    BOOST_REQUIRE(seen_one.size() == 2u);
    BOOST_REQUIRE(seen_other.size() == 1u);
    BOOST_TEST(seen_one[0].generation == 1u);
    BOOST_TEST(seen_other[0].generation == 2u);
    BOOST_TEST(seen_one[0].content_hash == first_hash);
    BOOST_TEST(seen_other[0].content_hash == first_hash);
    BOOST_TEST(seen_one[1].generation == 2u);
    BOOST_TEST(seen_one[1].variant == "red");
    BOOST_TEST(seen_one[1].content_hash == one.detail<Flag::experiment_button_color>(ctx).content_hash);
    BOOST_TEST(seen_one[1].content_hash != first_hash);
}

BOOST_AUTO_TEST_CASE(registry_defaults_have_no_content_hash) {
    Recorder recorder;
    flags::Runtime runtime("/nonexistent/flags.toml");
    runtime.observe({.exposures = recorder.sink()});
    (void)runtime.variant<Flag::experiment_button_color>(flags::Context{.user = "u-1"});
    BOOST_REQUIRE(runtime.flush_observations());
    const auto seen = recorder.copy();
    BOOST_REQUIRE(seen.size() == 1u);
    BOOST_TEST(seen[0].content_hash == 0u);
    const auto exposition = flags_test::parse_exposition(runtime.metrics_text());
    BOOST_TEST(exposition.sample("flagstone_snapshot_info{content_hash=\"0000000000000000\"}") == 1.0);
}

BOOST_AUTO_TEST_CASE(the_metrics_name_the_content_hash_being_served) {
    flags::Runtime one("/nonexistent/flags.toml"), other("/nonexistent/flags.toml");
    BOOST_REQUIRE(flags::internal::core_of(other).load_text(second_file, "flags.toml").ok());
    BOOST_REQUIRE(flags::internal::core_of(other).load_text(first_file, "flags.toml").ok());
    BOOST_REQUIRE(flags::internal::core_of(one).load_text(first_file, "flags.toml").ok());
    const auto hash = one.detail<Flag::experiment_button_color>(flags::Context{.user = "u-1"}).content_hash;
    const auto series = "flagstone_snapshot_info{content_hash=\"" + hex(hash) + "\"}";
    for (auto* runtime : {&one, &other}) {
        const auto exposition = flags_test::parse_exposition(runtime->metrics_text());
        for (const auto& problem : exposition.problems) BOOST_ERROR(problem);
        BOOST_TEST(exposition.sample(series) == 1.0, series);
        std::size_t info_series = 0;
        for (const auto& [name, value] : exposition.samples) info_series += name.starts_with("flagstone_snapshot_info{");
        BOOST_TEST(info_series == 1u);  // the old hash's series is gone, not left at 1
    }
}

BOOST_AUTO_TEST_CASE(an_exposure_becomes_the_feature_flag_evaluation_event_attributes) {
    const flags::Exposure exposure{.flag = "experiment.button-color",
                                   .variant = "green",
                                   .reason = flags::Reason::SPLIT,
                                   .key = "u-42",
                                   .generation = 7,
                                   .content_hash = 0x9c1e0f4a7d2b6e35};
    const std::map<std::string, std::string> expected{
        {"feature_flag.key", "experiment.button-color"},
        {"feature_flag.result.variant", "green"},
        {"feature_flag.result.reason", "split"},
        {"feature_flag.provider.name", "flagstone"},
        {"feature_flag.context.id", "u-42"},
        {"feature_flag.version", "9c1e0f4a7d2b6e35"},
    };
    const auto got = flags::otel_attributes(exposure);
    BOOST_TEST(got.size() == expected.size());
    for (const auto& [key, value] : expected) {
        const auto found = got.find(key);
        BOOST_TEST_REQUIRE((found != got.end()), key);
        BOOST_TEST(found->second == value, key);
    }
    BOOST_TEST(flags::otel_event_name == "feature_flag.evaluation");
}

BOOST_AUTO_TEST_CASE(every_reason_has_its_conventions_value) {
    const std::vector<std::pair<flags::Reason, std::string>> expected{
        {flags::Reason::DEFAULT, "default"},
        {flags::Reason::STATIC, "static"},
        {flags::Reason::TARGETING_MATCH, "targeting_match"},
        {flags::Reason::SPLIT, "split"},
        {flags::Reason::DISABLED, "disabled"},
        {flags::Reason::PREREQUISITE_FAILED, "prerequisite_failed"},
        {flags::Reason::ERROR, "error"},
    };
    for (const auto& [reason, name] : expected) BOOST_TEST(flags::otel_reason(reason) == name);
}

BOOST_AUTO_TEST_SUITE_END()
