// Internal: part of the inline read path, not of flagstone's API. Nothing here is promised to stay
// from one release to the next; include <flags/read.hpp> or <flags/flags.hpp> instead.
//
// The one word per flag that a runtime publishes for the fastest reads.
//
//   settled         the flag's value does not depend on the context (absent from the runtime file, off,
//                   or a plain value): the word holds the value, and a read is one atomic load.
//   user rollout    the flag is a boolean rollout by user with its default salt (its own name), and
//                   nothing else: the word holds the threshold, and a read is one atomic load and the
//                   bucket hash, whose salt state is a compile-time constant of the flag.
//   user split      the same for a split by user: the word holds the number of the flag's split plan
//                   (which variant each range of buckets serves), and a read adds one look at the plan.
//   evaluate        anything else: the read goes to the snapshot.
//
// Bits:  31 evaluate · 30 by user (rollout or split) · 19-29 generation, low 11 bits ·
//        16-18 reason (settled) · 16 split (by user) · 0-15 value (settled), threshold (user rollout)
//        or plan number (user split).
//
// The reason and the generation's low bits are there for observation (counters and exposures), so
// that a read answered from the word can be recorded without going to the snapshot: the generation
// is recovered exactly from the runtime's current one, which is at most a few publishes ahead.
//
// A word is written whole, so a reader never sees half of an update. A split plan is never changed or
// freed once a word names it, so a reader that saw the word finds the plan as it was published.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include <flags/detail/atomic.hpp>
#include <flags/evaluation.hpp>
#include <flags/registry_types.hpp>

namespace flags::internal {

inline constexpr std::uint32_t needs_evaluation_bit = 1u << 31;
inline constexpr std::uint32_t by_user_bit = 1u << 30;
inline constexpr std::uint32_t user_split_bit = 1u << 16;
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

// The read gates: needs_evaluation_bit while reads have something to record, 0 while they have not.
// A read ORs its word with one, so that the one test that finds the word settled also finds that the
// read has nothing to record: one branch on the fastest read, not two. `counting_gate` is set while
// any runtime counts its reads, which is all an untracked flag's read records; `observing_gate` while
// any runtime counts or takes exposures, for a tracked flag's read (observer.cpp sets them).
extern Atomic<std::uint32_t> counting_gate;
extern Atomic<std::uint32_t> observing_gate;

constexpr ValueIndex settled_value(std::uint32_t word) noexcept { return static_cast<ValueIndex>(word & 0xFFFFu); }
constexpr Reason settled_reason(std::uint32_t word) noexcept {
    return static_cast<Reason>((word >> reason_shift) & 0x7u);
}

// Why a read answered from the word served its value: a user rollout or split is a SPLIT.
constexpr Reason word_reason(std::uint32_t word) noexcept {
    return is_settled(word) ? settled_reason(word) : Reason::SPLIT;
}

// A user rollout or split: answered from the word and the bucket of the context's user.
constexpr bool is_by_user(std::uint32_t word) noexcept { return (word & by_user_bit) != 0; }

// Buckets [0, threshold) are served true.
constexpr std::uint32_t user_rollout_word(std::uint16_t threshold, std::uint64_t generation = 0) noexcept {
    return needs_evaluation_bit | by_user_bit | generation_bits(generation) | threshold;
}
constexpr bool is_user_rollout(std::uint32_t word) noexcept {
    return (word & (by_user_bit | user_split_bit)) == by_user_bit;
}
constexpr std::uint32_t rollout_threshold(std::uint32_t word) noexcept { return word & 0xFFFFu; }

// Which value each range of buckets of a split is served: step i serves value[i] to the buckets from
// upper[i - 1] (0 for the first) up to, not including, upper[i]. Steps past the split's last hold
// upper = bucket_count, which no bucket reaches, so that every plan is read the same fixed way.
struct SplitPlan {
    static constexpr std::size_t max_steps = 8;
    std::array<std::uint16_t, max_steps> upper{};
    std::array<ValueIndex, max_steps> value{};

    // The step a bucket falls in is the number of steps it has passed: counted without a branch, as
    // a bucket is as unpredictable as the user it comes from.
    constexpr ValueIndex value_of(std::uint32_t bucket) const noexcept {
        std::size_t passed = 0;
        for (const auto bound : upper) passed += bucket >= bound ? 1 : 0;
        return value[passed];
    }
};

// The split plans words name, process-wide: a plan, once published, is never changed or freed, and
// the same plan is published once however many flags and generations use it (split_plans.cpp).
inline constexpr std::size_t split_plan_capacity = 4096;
extern std::array<SplitPlan, split_plan_capacity> split_plans;

constexpr std::uint32_t user_split_word(std::uint16_t plan, std::uint64_t generation = 0) noexcept {
    return needs_evaluation_bit | by_user_bit | user_split_bit | generation_bits(generation) | plan;
}
constexpr bool is_user_split(std::uint32_t word) noexcept {
    return (word & (by_user_bit | user_split_bit)) == (by_user_bit | user_split_bit);
}
constexpr std::uint32_t split_plan_number(std::uint32_t word) noexcept { return word & 0xFFFFu; }

// The value a user rollout or split word serves to `bucket`.
inline ValueIndex by_user_value(std::uint32_t word, std::uint32_t bucket) noexcept {
    if (word & user_split_bit) return split_plans[split_plan_number(word)].value_of(bucket);
    return bucket < rollout_threshold(word) ? 1 : 0;
}

// The generation whose word this is, given `current`, the runtime's generation read after the word:
// the newest generation not after `current` with the same low bits.
constexpr std::uint64_t word_generation(std::uint32_t word, std::uint64_t current) noexcept {
    const std::uint64_t low = (word >> generation_shift) & generation_bits_mask;
    return current - ((current - low) & generation_bits_mask);
}

}  // namespace flags::internal
