// What evaluating each flag of a compiled file can cost at worst, known at load time, so that a file
// whose flags would make a read slow is refused before it is served. The units are about one
// comparison of a short attribute value each; the weights below are set from measurement
// (tests/bench, "flagstone/worst_accepted"), so that the costliest flag the default limit accepts
// stays within 20 times a typical targeting read.
//
// The model counts every rule and every condition as if each were reached (rules in order, conditions
// ANDed, each rule's last condition failing): a flag's cost is
//   serving its value + for each rule (rule + its conditions) + for each prerequisite (prerequisite +
//   the prerequisite flag's own cost, recursively),
// where a condition costs by its operator: a set lookup for `in`/`not_in`; each needle for a short
// `starts_with`/`ends_with`/`contains` list, one automaton walk for a long one, whatever its length;
// a parse for numbers, versions and times; and a segment costs its use plus, the first time a flag
// uses it, its own conditions (it is tested once per evaluation and remembered after).
#pragma once

#include <cstdint>
#include <vector>

#include "snapshot.hpp"

namespace flags::internal {

namespace cost {
inline constexpr std::uint64_t serve = 2;             // a bucket hash, for a rollout or split
inline constexpr std::uint64_t rule = 1;
inline constexpr std::uint64_t condition = 3;         // finding the attribute a condition tests, then:
inline constexpr std::uint64_t set_lookup = 2;        //   in, not_in: one hash of the value
inline constexpr std::uint64_t needle = 1;            //   each starts_with/ends_with needle of a short list
inline constexpr std::uint64_t substring_needle = 3;  //   each contains needle of a short list
inline constexpr std::uint64_t trie = 32;             //   a long starts_with/ends_with list, whatever its length
inline constexpr std::uint64_t automaton = 40;        //   a long contains list, whatever its length
inline constexpr std::uint64_t parse = 3;             //   lt..gte, semver_*: the value parsed
inline constexpr std::uint64_t time_parse = 6;        //   before/after: an RFC 3339 date-time parsed
inline constexpr std::uint64_t segment_use = 1;       // a segment (its conditions: once per flag)
inline constexpr std::uint64_t prerequisite = 1;      // plus the prerequisite's own cost
}  // namespace cost

struct FlagCost {
    std::uint64_t total = 0;          // saturates rather than wrapping
    std::uint64_t prerequisites = 0;  // the part of `total` spent on prerequisites
};

// One entry per flag. `flags` must form no prerequisite cycle (the loader refuses one first).
std::vector<FlagCost> worst_case_costs(const CompiledRules& rules, const std::vector<FlagProgram>& flags);

}  // namespace flags::internal
