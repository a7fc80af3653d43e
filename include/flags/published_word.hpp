// The one word per flag that a runtime publishes for the fastest reads. A flag whose value does not
// depend on the context (absent from the runtime file, off, or a plain value) is "settled": its word
// holds the value, and enabled<F>() is one atomic load. Any other flag's word says "evaluate", and the
// call goes to the snapshot. A word is written whole, so a reader never sees half of an update.
#pragma once

#include <cstdint>

#include <flags/registry_types.hpp>

namespace flags::internal {

inline constexpr std::uint32_t needs_evaluation_bit = 1u << 31;

constexpr std::uint32_t settled_word(ValueIndex value) noexcept { return value; }
constexpr bool is_settled(std::uint32_t word) noexcept { return (word & needs_evaluation_bit) == 0; }
constexpr ValueIndex settled_value(std::uint32_t word) noexcept { return static_cast<ValueIndex>(word & 0xFFFFu); }

}  // namespace flags::internal
