// A process that never starts a runtime serves every flag's registry default, with reason DEFAULT.
// This program must never start one, so it is a program of its own.
#define BOOST_TEST_MODULE defaults
#include <boost/test/unit_test.hpp>

#include <flags/flags.hpp>

#include "printing.hpp"

using flags::Flag;

BOOST_AUTO_TEST_SUITE(defaults)

BOOST_AUTO_TEST_CASE(every_read_serves_the_registry_default) {
    const flags::Context ctx{.user = "u-123", .tenant = "acme", .attributes = {{"plan", "growth"}}};
    BOOST_TEST(flags::enabled<Flag::release_new_checkout>(ctx) == false);
    BOOST_TEST(flags::enabled<"ops.kill-switch-payments">(ctx) == false);
    BOOST_TEST((flags::variant<Flag::experiment_button_color>(ctx) == flags::variants::ButtonColor::blue));
    BOOST_TEST((flags::variant<"experiment.button-color">(ctx) == flags::variants::ButtonColor::blue));

    const auto d = flags::detail<Flag::experiment_button_color>(ctx);
    BOOST_TEST((d.value == flags::variants::ButtonColor::blue));
    BOOST_TEST(d.variant == "blue");
    BOOST_TEST(d.reason == flags::Reason::DEFAULT);
    BOOST_TEST(d.rule_index == -1);
    BOOST_TEST(d.generation == 0u);

    const auto view = flags::pin();
    BOOST_TEST(view.generation() == 0u);
    BOOST_TEST(view.enabled<Flag::release_new_checkout>(ctx) == false);
    BOOST_TEST(view.detail<"release.new-checkout">(ctx).reason == flags::Reason::DEFAULT);
}

BOOST_AUTO_TEST_CASE(defaults_follow_the_registry_not_a_blanket_false) {
    // The generated metadata is what the defaults come from: check them against each other, so a
    // registry whose default is true would read true here.
    for (std::size_t i = 0; i < std::size(flags::generated::flags); ++i) {
        const auto word = flags::generated::published_words[i].load();
        BOOST_TEST(flags::internal::is_settled(word));
        BOOST_TEST(flags::internal::settled_value(word) == flags::generated::flags[i].default_value);
    }
}

BOOST_AUTO_TEST_SUITE_END()
