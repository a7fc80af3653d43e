// Testing support: force a flag's value for the length of a scope, and run a test body under every
// value a flag can take, so that both sides of a flag are exercised in CI.
//
//   {
//       flags::testing::override<Flag::release_new_checkout> on(true);
//       // every thread now reads true for release.new-checkout
//   }   // and the previous state is back
//
//   flags::testing::for_each_state<Flag::experiment_button_color>([](flags::variants::ButtonColor color) {
//       // runs once per variant, with the flag overridden to `color`
//   });
//
// Overrides act on the process-wide default runtime (the one the free functions read) by publishing
// a new snapshot, so threads that read concurrently see either the old or the new value, never a mix.
// <flags/boost_test.hpp> turns for_each_state into a Boost.Test data test case.
#pragma once

#include <cstddef>
#include <type_traits>
#include <vector>

#include <flags/flags.hpp>
#include <flags/detail/runtime_access.hpp>

namespace flags::testing {

template <Flag F>
class override {
public:
    explicit override(flag_value_t<F> value) {
        core().set_override(internal::index_of<F>, static_cast<ValueIndex>(value));
    }
    override(const override&) = delete;
    override& operator=(const override&) = delete;
    ~override() { core().clear_override(internal::index_of<F>); }

private:
    static internal::RuntimeCore& core() { return internal::core_of(process_runtime()); }
};

// Every value of F: false and true, or each variant in registry order.
template <Flag F>
constexpr std::size_t state_count = generated::flags[internal::index_of<F>].value_count();

template <Flag F>
constexpr flag_value_t<F> state(std::size_t index) noexcept {
    return internal::typed_value<flag_value_t<F>>(static_cast<ValueIndex>(index));
}

template <Flag F>
constexpr std::string_view state_name(std::size_t index) noexcept {
    return generated::flags[internal::index_of<F>].value_name(static_cast<ValueIndex>(index));
}

// 0 .. state_count<F> - 1, as a list a test framework can iterate.
template <Flag F>
std::vector<std::size_t> state_indices() {
    std::vector<std::size_t> indices(state_count<F>);
    for (std::size_t i = 0; i < indices.size(); ++i) indices[i] = i;
    return indices;
}

template <Flag F, class Body>
void for_each_state(Body&& body) {
    for (std::size_t i = 0; i < state_count<F>; ++i) {
        override<F> forced(state<F>(i));
        body(state<F>(i));
    }
}

}  // namespace flags::testing
