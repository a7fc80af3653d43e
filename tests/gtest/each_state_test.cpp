// <flags/gtest.hpp> under GoogleTest itself: one test per state, the flag overridden in each and
// restored after, `state` holding its value. gtest_check.py reads this program's test list and the
// names its failures carry (the DISABLED_ suite, run on purpose).
#include <gtest/gtest.h>

#include <set>
#include <string>

#include <flags/gtest.hpp>

using flags::Flag;

namespace {

std::set<std::string> seen_checkout, seen_colors;

}  // namespace

FLAGS_GTEST_EACH_STATE(EachState, checkout_follows_its_state, Flag::release_new_checkout) {
    const flags::Context ctx{.user = "u-1"};
    EXPECT_EQ(flags::enabled<Flag::release_new_checkout>(ctx), state);
    seen_checkout.insert(state ? "true" : "false");
}

FLAGS_GTEST_EACH_STATE(EachState, button_color_follows_its_state, Flag::experiment_button_color) {
    const flags::Context ctx{.user = "u-1"};
    EXPECT_EQ(flags::variant<Flag::experiment_button_color>(ctx), state);
    seen_colors.insert(std::string(flags::detail<Flag::experiment_button_color>(ctx).variant));
}

// Runs after the tests above (GoogleTest keeps the order of registration within a suite).
TEST(EachState, every_state_ran_and_the_defaults_are_back) {
    EXPECT_EQ(seen_checkout, (std::set<std::string>{"false", "true"}));
    EXPECT_EQ(seen_colors, (std::set<std::string>{"blue", "green", "red"}));
    const flags::Context ctx{.user = "u-1"};
    EXPECT_FALSE(flags::enabled<Flag::release_new_checkout>(ctx));
    EXPECT_EQ(flags::detail<Flag::experiment_button_color>(ctx).variant, "blue");
}

// Fails in one state only, so that the check can see which name the failure carries.
FLAGS_GTEST_EACH_STATE(DISABLED_FailsOnPurpose, only_false_passes, Flag::release_new_checkout) {
    EXPECT_FALSE(state) << "the new checkout is on";
}
