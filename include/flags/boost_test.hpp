// A Boost.Test case that runs once per state of a flag, each run a separate data sample named in
// the log, with the flag overridden for the length of the body:
//
//   FLAGS_TEST_CASE_EACH_STATE(checkout_total_is_right, Flag::release_new_checkout) {
//       BOOST_TEST(total(cart) == 42);   // `state` is the flag's value in this run
//   }
#pragma once

#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>

#include <vector>

#include <flags/testing.hpp>

#define FLAGS_TEST_CASE_EACH_STATE(test_name, flag)                                                               \
    static void test_name##_body([[maybe_unused]] ::flags::flag_value_t<flag> state);                              \
    BOOST_DATA_TEST_CASE(test_name, ::boost::unit_test::data::make(::flags::testing::state_indices<flag>()),      \
                         flags_state_index) {                                                                      \
        ::flags::testing::override<flag> flags_forced(::flags::testing::state<flag>(flags_state_index));           \
        BOOST_TEST_CONTEXT(#flag " = " << ::flags::testing::state_name<flag>(flags_state_index)) {                 \
            test_name##_body(::flags::testing::state<flag>(flags_state_index));                                    \
        }                                                                                                          \
    }                                                                                                              \
    static void test_name##_body([[maybe_unused]] ::flags::flag_value_t<flag> state)
