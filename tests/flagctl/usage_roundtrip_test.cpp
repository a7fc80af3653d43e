// The usage file from both ends: what the library writes (Runtime::write_usage_file) is what flagctl
// reads (read_usage_file), field by field. Each end has tests of its own against hand-written files;
// this one catches the two drifting apart.
#define BOOST_TEST_MODULE usage_roundtrip
#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <filesystem>
#include <string>

#include <flags/flags.hpp>

#include "output.hpp"
#include "usage_file.hpp"

BOOST_AUTO_TEST_CASE(what_the_library_writes_flagctl_reads) {
    flags::Runtime runtime("/nonexistent/flags.toml");  // registry defaults: reads are answered all the same
    runtime.observe({.count_evaluations = true, .service = "checkout"});
    for (int i = 0; i < 7; ++i) (void)runtime.enabled<flags::Flag::ops_kill_switch_payments>(flags::Context{.user = "u-1"});
    (void)runtime.variant<flags::Flag::experiment_button_color>(flags::Context{.user = "u-2"});

    const auto path = std::filesystem::temp_directory_path() / ("flagstone-usage-" + std::to_string(::getpid()) + ".json");
    BOOST_REQUIRE_EQUAL(runtime.write_usage_file(path), "");
    flagctl::UsageFile usage;
    try {
        usage = flagctl::read_usage_file(path.string());
    } catch (const flagctl::Failure& failure) {
        for (const auto& d : failure.diagnostics) BOOST_ERROR(flags::format(d));
    }
    std::filesystem::remove(path);

    BOOST_TEST(usage.service == "checkout");
    BOOST_TEST(!usage.started_at.empty());
    BOOST_TEST(!usage.written_at.empty());
    BOOST_TEST(usage.flags.size() == flags::generated::registry.flags.size());
    for (const auto& flag : usage.flags) {
        const std::uint64_t expected = flag.name == "ops.kill-switch-payments" ? 7 : flag.name == "experiment.button-color" ? 1 : 0;
        BOOST_TEST(flag.evaluations == expected, flag.name);
    }
}
