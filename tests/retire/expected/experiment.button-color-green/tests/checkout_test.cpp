#define BOOST_TEST_MODULE checkout
#include <boost/test/unit_test.hpp>

#include <flags/boost_test.hpp>

#include "../src/checkout.hpp"

namespace {

const flags::Context ctx{.user = "u-7"};

int expected_total(bool new_checkout) { return new_checkout ? 12000 - 150 : 12000 + 99 + 12 + 1; }

}  // namespace

FLAGS_TEST_CASE_EACH_STATE(total_follows_the_flag, flags::Flag::release_new_checkout) {
    BOOST_TEST(checkout::total_cents(ctx, 12) == expected_total(state));
    if (state) {
        BOOST_TEST(checkout::steps(ctx) == 2);
    } else {
        BOOST_TEST(checkout::steps(ctx) == 4);
    }
}

// The new checkout lays out two columns.
BOOST_AUTO_TEST_CASE(new_checkout_has_two_columns) {
    flags::testing::override<flags::Flag::release_new_checkout> on(true);
    BOOST_TEST(checkout::layout(ctx) == "two-column, express, open");
}

BOOST_AUTO_TEST_CASE(old_checkout_has_one_column) {
    flags::testing::override<flags::Flag::release_new_checkout> off(false);
    BOOST_TEST(checkout::layout(ctx) == "one-column, open");
}

BOOST_AUTO_TEST_CASE(banner_under_every_state) {
    flags::testing::for_each_state<flags::Flag::release_new_checkout>([&](bool on) {
        const std::string banner = checkout::banner(ctx);
        if (on) {
            BOOST_TEST(banner == "one of them");
        } else {
            BOOST_TEST(banner == "classic");
        }
    });
}

BOOST_AUTO_TEST_CASE(button_follows_the_colour) {
    BOOST_TEST(checkout::button_width(ctx) == 120);
}

BOOST_AUTO_TEST_CASE(green_button) {
    BOOST_TEST(checkout::button(ctx) == "#00ff00");
    BOOST_TEST(checkout::button_label(ctx) == "Pay (green)");
}
