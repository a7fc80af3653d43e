// The one word per flag that a runtime publishes for the fastest reads.
//
//   settled         the flag's value does not depend on the context (absent from the runtime file, off,
//                   or a plain value): the word holds the value, and a read is one atomic load.
//   user rollout    the flag is a boolean rollout by user with its default salt (its own name), and
//                   nothing else: the word holds the threshold, and a read is one atomic load and the
//                   bucket hash, whose salt state is a compile-time constant of the flag.
//   evaluate        anything else: the read goes to the snapshot.
//
// A word is written whole, so a reader never sees half of an update.
#pragma once

#include <cstdint>

#include <flags/registry_types.hpp>

namespace flags::internal {

inline constexpr std::uint32_t needs_evaluation_bit = 1u << 31;
inline constexpr std::uint32_t user_rollout_bit = 1u << 30;

constexpr std::uint32_t settled_word(ValueIndex value) noexcept { return value; }
constexpr bool is_settled(std::uint32_t word) noexcept { return (word & needs_evaluation_bit) == 0; }
constexpr ValueIndex settled_value(std::uint32_t word) noexcept { return static_cast<ValueIndex>(word & 0xFFFFu); }

// Buckets [0, threshold) are served true.
constexpr std::uint32_t user_rollout_word(std::uint16_t threshold) noexcept {
    return needs_evaluation_bit | user_rollout_bit | threshold;
}
constexpr bool is_user_rollout(std::uint32_t word) noexcept { return (word & user_rollout_bit) != 0; }
constexpr std::uint32_t rollout_threshold(std::uint32_t word) noexcept { return word & 0xFFFFu; }

}  // namespace flags::internal
