// Which of 10,000 buckets a key falls in for a flag. A pure, integer-only function of the bytes of
// (salt, key): the same on every process, machine, compiler and release, and reproduced by
// tools/bucket.py for offline analysis. A rollout of p% serves true to buckets [0, p*100), so raising
// it only adds keys, and 0.01% is one bucket.
//
//   bucket = fmix64(fnv1a64(salt ":" key)) mod 10000
//
// fnv1a64 is FNV-1a over the UTF-8 bytes; fmix64 is the 64-bit finalizer of MurmurHash3, which spreads
// FNV's weak low bits so that the modulo is uniform and two salts bucket independently. The salt is a
// flag's name unless the runtime file gives `salt`.
#pragma once

#include <cstdint>
#include <string_view>

namespace flags {

inline constexpr std::uint32_t bucket_count = 10'000;

namespace bucketing {

inline constexpr std::uint64_t fnv_offset_basis = 0xcbf29ce484222325ULL;
inline constexpr std::uint64_t fnv_prime = 0x100000001b3ULL;

constexpr std::uint64_t absorb(std::uint64_t state, std::string_view bytes) noexcept {
    for (char c : bytes) {
        state ^= static_cast<unsigned char>(c);
        state *= fnv_prime;
    }
    return state;
}

constexpr std::uint64_t fmix64(std::uint64_t h) noexcept {
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

// The hash state after "salt:", computed once per flag when a snapshot is built.
constexpr std::uint64_t salt_state(std::string_view salt) noexcept {
    return absorb(absorb(fnv_offset_basis, salt), ":");
}

constexpr std::uint32_t bucket_from_salt_state(std::uint64_t salted, std::string_view key) noexcept {
    return static_cast<std::uint32_t>(fmix64(absorb(salted, key)) % bucket_count);
}

}  // namespace bucketing

constexpr std::uint32_t bucket(std::string_view salt, std::string_view key) noexcept {
    return bucketing::bucket_from_salt_state(bucketing::salt_state(salt), key);
}

}  // namespace flags
