// The one word per flag that a runtime publishes for the fastest reads.
//
//   settled         the flag's value does not depend on the context (absent from the runtime file, off,
//                   or a plain value): the word holds the value, and a read is one atomic load.
//   user rollout    the flag is a boolean rollout by user with its default salt (its own name), and
//                   nothing else: the word holds the threshold, and a read is one atomic load and the
//                   bucket hash, whose salt state is a compile-time constant of the flag.
//   evaluate        anything else: the read goes to the snapshot.
//
// Bits:  31 evaluate · 30 user rollout · 19-29 generation, low 11 bits · 16-18 reason (settled) ·
//        0-15 value (settled) or threshold (user rollout).
//
// The reason and the generation's low bits are there for observation (counters and exposures), so
// that a read answered from the word can be recorded without going to the snapshot: the generation
// is recovered exactly from the runtime's current one, which is at most a few publishes ahead.
//
// A word is written whole, so a reader never sees half of an update.
#pragma once

#include <cstdint>

#include <flags/evaluation.hpp>
#include <flags/registry_types.hpp>

namespace flags::internal {

inline constexpr std::uint32_t needs_evaluation_bit = 1u << 31;
inline constexpr std::uint32_t user_rollout_bit = 1u << 30;
inline constexpr unsigned reason_shift = 16;
inline constexpr unsigned generation_shift = 19;
inline constexpr std::uint64_t generation_bits_mask = (1u << 11) - 1;

constexpr std::uint32_t generation_bits(std::uint64_t generation) noexcept {
    return static_cast<std::uint32_t>(generation & generation_bits_mask) << generation_shift;
}

constexpr std::uint32_t settled_word(ValueIndex value, Reason reason = Reason::DEFAULT,
                                     std::uint64_t generation = 0) noexcept {
    return value | (static_cast<std::uint32_t>(reason) << reason_shift) | generation_bits(generation);
}
constexpr bool is_settled(std::uint32_t word) noexcept { return (word & needs_evaluation_bit) == 0; }
constexpr ValueIndex settled_value(std::uint32_t word) noexcept { return static_cast<ValueIndex>(word & 0xFFFFu); }
constexpr Reason settled_reason(std::uint32_t word) noexcept {
    return static_cast<Reason>((word >> reason_shift) & 0x7u);
}

// Why a read answered from the word served its value: a user rollout is a SPLIT.
constexpr Reason word_reason(std::uint32_t word) noexcept {
    return is_settled(word) ? settled_reason(word) : Reason::SPLIT;
}

// Buckets [0, threshold) are served true.
constexpr std::uint32_t user_rollout_word(std::uint16_t threshold, std::uint64_t generation = 0) noexcept {
    return needs_evaluation_bit | user_rollout_bit | generation_bits(generation) | threshold;
}
constexpr bool is_user_rollout(std::uint32_t word) noexcept { return (word & user_rollout_bit) != 0; }
constexpr std::uint32_t rollout_threshold(std::uint32_t word) noexcept { return word & 0xFFFFu; }

// The generation whose word this is, given `current`, the runtime's generation read after the word:
// the newest generation not after `current` with the same low bits.
constexpr std::uint64_t word_generation(std::uint32_t word, std::uint64_t current) noexcept {
    const std::uint64_t low = (word >> generation_shift) & generation_bits_mask;
    return current - ((current - low) & generation_bits_mask);
}

}  // namespace flags::internal
