// Internal: part of the inline read path, not of flagstone's API. Nothing here is promised to stay
// from one release to the next; include <flags/read.hpp> or <flags/flags.hpp> instead.
//
// How a thread's filter of recent exposures (src/runtime/observer.cpp) knows a key: its 64-bit hash
// salted with the flag's name, which is what a user rollout or split read from the published word
// computes on its way to the bucket (bucket = the hash mod bucket_count). Such a read hands the hash
// on, so that recording a tracked flag's exposure does not hash the key a second time; any other read
// computes the same hash from the flag's salt state, so both kinds meet in the same filter entries.
#pragma once

#include <cstdint>
#include <string_view>

#include <flags/bucketing.hpp>

namespace flags::internal {

// `name_salt_state` is bucketing::salt_state(flag name). Passed along, 0 stands for "not computed":
// a key whose hash is 0 is only hashed again, to the same.
constexpr std::uint64_t exposure_key_hash(std::uint64_t name_salt_state, std::string_view key) noexcept {
    return bucketing::fmix64(bucketing::absorb(name_salt_state, key));
}

// The filter's hash of (flag, value, key), from the key's hash for the flag: never 0, which marks an
// unused filter entry. Each value xors in its own odd multiple, so the values of one key differ.
constexpr std::uint64_t exposure_filter_hash(std::uint64_t key_hash, std::uint16_t value) noexcept {
    return (key_hash ^ ((value + std::uint64_t{1}) * 0x9E3779B97F4A7C15ULL)) | 1;
}

}  // namespace flags::internal
