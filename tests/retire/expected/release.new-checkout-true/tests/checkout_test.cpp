#define BOOST_TEST_MODULE checkout
#include <boost/test/unit_test.hpp>

#include <flags/boost_test.hpp>

#include "../src/checkout.hpp"

namespace {

const flags::Context ctx{.user = "u-7"};

int expected_total(bool new_checkout) { return new_checkout ? 12000 - 150 : 12000 + 99 + 12 + 1; }

}  // namespace

BOOST_AUTO_TEST_CASE(total_follows_the_flag) {
    BOOST_TEST(checkout::total_cents(ctx, 12) == expected_total(true));
    BOOST_TEST(checkout::steps(ctx) == 2);
}

// The new checkout lays out two columns.
BOOST_AUTO_TEST_CASE(new_checkout_has_two_columns) {
    BOOST_TEST(checkout::layout(ctx) == "two-column, express, open");
}

BOOST_AUTO_TEST_CASE(banner_under_every_state) {
    {
        const std::string banner = checkout::banner(ctx);
        BOOST_TEST(banner == "one of them");
    }
}

FLAGS_TEST_CASE_EACH_STATE(button_follows_the_colour, flags::Flag::experiment_button_color) {
    if (state == flags::variants::ButtonColor::green) {
        BOOST_TEST(checkout::button_width(ctx) == 120);
    } else {
        BOOST_TEST(checkout::button_width(ctx) != 120);
    }
}

BOOST_AUTO_TEST_CASE(green_button) {
    flags::testing::override<flags::Flag::experiment_button_color> green(flags::variants::ButtonColor::green);
    BOOST_TEST(checkout::button(ctx) == "#00ff00");
    BOOST_TEST(checkout::button_label(ctx) == "Pay (green)");
}

BOOST_AUTO_TEST_CASE(red_button) {
    flags::testing::override<flags::Flag::experiment_button_color> red(flags::variants::ButtonColor::red);
    BOOST_TEST(checkout::button(ctx) == "#ff0000");
}
