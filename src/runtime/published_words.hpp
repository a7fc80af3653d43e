// What a snapshot publishes in each flag's word (<flags/detail/published_word.hpp>), and the split plans
// those words name.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include <flags/detail/published_word.hpp>

#include "snapshot.hpp"

namespace flags::internal {

// The word of `flag` in `snapshot`. Never throws: a word that cannot be had (the split plans are full,
// or memory is) says "evaluate", which serves the same value more slowly.
std::uint32_t published_word_of(const Snapshot& snapshot, std::size_t flag) noexcept;

// The number of the split plan serving `steps` (a split's steps, the last ending at bucket_count),
// published if it was not already, or nothing when the steps do not fit a plan or the plans are full.
std::optional<std::uint16_t> publish_split_plan(std::span<const SplitStep> steps) noexcept;

}  // namespace flags::internal
