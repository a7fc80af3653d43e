// How a call site names a flag: by its enumerator (Flag::release_new_checkout), or by its registry
// name as a string literal (flags::enabled<"release.new-checkout">), which is resolved at compile
// time; and the C++ type a flag reads as.
#pragma once

#include <cstddef>
#include <string_view>

#include <flags/registry.hpp>

namespace flags {

template <Flag F>
using flag_value_t = typename flag_value<F>::type;

// A flag named by a string literal: flags::enabled<"release.new-checkout">(ctx).
template <std::size_t N>
struct FlagName {
    char text[N]{};
    consteval FlagName(const char (&name)[N]) {
        for (std::size_t i = 0; i < N; ++i) text[i] = name[i];
    }
    constexpr std::string_view view() const noexcept { return {text, N - 1}; }
};

}  // namespace flags
