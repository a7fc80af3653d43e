// A GoogleTest test that runs once per state of a flag, each run a test of its own named by the
// state, with the flag overridden for the length of the body:
//
//   FLAGS_GTEST_EACH_STATE(Checkout, total_is_right, Flag::release_new_checkout) {
//       EXPECT_EQ(total(cart), 42);   // `state` is the flag's value in this run
//   }
//
// registers Checkout.total_is_right/false and Checkout.total_is_right/true (a variant flag: one test
// per variant, in registry order), as --gtest_list_tests shows:
//
//   Checkout.
//     total_is_right/false  # GetParam() = false
//     total_is_right/true  # GetParam() = true
//
// A failure names the test, and its trace the flag and state: "release.new-checkout = true".
// Plain TEST()s may share the suite. The tests register while the program starts, before main().
#pragma once

#include <gtest/gtest.h>

#include <cstddef>
#include <string>

#include <flags/testing.hpp>

namespace flags::testing {

template <Flag F>
using state_body = void (*)(flag_value_t<F>);

template <Flag F>
class state_test : public ::testing::Test {
public:
    state_test(std::size_t index, state_body<F> body) : index_(index), body_(body) {}

    void TestBody() override {
        const override<F> forced(state<F>(index_));
        SCOPED_TRACE(std::string(generated::flags[internal::index_of<F>].name) + " = " +
                     std::string(state_name<F>(index_)));
        body_(state<F>(index_));
    }

private:
    std::size_t index_;
    state_body<F> body_;
};

// Registers `suite`.`name`/<state> for every state of F. Returns true, so that a namespace-scope
// variable can call it while the program starts.
template <Flag F>
bool register_each_state(const char* suite, const char* name, const char* file, int line, state_body<F> body) {
    for (std::size_t i = 0; i < state_count<F>; ++i) {
        const std::string state_text(state_name<F>(i));
        // The factory makes a ::testing::Test, the fixture TEST() uses, so plain tests can share the suite.
        ::testing::RegisterTest(suite, (std::string(name) + "/" + state_text).c_str(), nullptr, state_text.c_str(),
                                file, line, [i, body]() -> ::testing::Test* { return new state_test<F>(i, body); });
    }
    return true;
}

}  // namespace flags::testing

#define FLAGS_GTEST_EACH_STATE(suite, name, flag)                                                              \
    static void suite##_##name##_flags_body(::flags::flag_value_t<flag> state);                                 \
    [[maybe_unused]] static const bool suite##_##name##_flags_registered =                                     \
        ::flags::testing::register_each_state<flag>(#suite, #name, __FILE__, __LINE__,                          \
                                                    &suite##_##name##_flags_body);                             \
    static void suite##_##name##_flags_body([[maybe_unused]] ::flags::flag_value_t<flag> state)
