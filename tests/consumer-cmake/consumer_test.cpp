// One test per state of each flag, the flag overridden for the body.
#include <flags/gtest.hpp>

using flags::Flag;

FLAGS_GTEST_EACH_STATE(Refunds, follow_the_flag, Flag::release_one_click_refund) {
    EXPECT_EQ(flags::enabled<Flag::release_one_click_refund>(flags::Context{.user = "u-1"}), state);
}

FLAGS_GTEST_EACH_STATE(Search, ranking_follows_the_flag, Flag::experiment_search_ranking) {
    EXPECT_EQ(flags::variant<Flag::experiment_search_ranking>(flags::Context{.user = "u-1"}), state);
}
