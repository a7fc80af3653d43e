// What an evaluation returns: the value and why, in the vocabulary of OpenFeature's reasons.
#pragma once

#include <cstdint>
#include <string_view>

#include <flags/registry_types.hpp>

namespace flags {

enum class Reason : std::uint8_t {
    DEFAULT,              // the runtime file says nothing about the flag, or no runtime is started
    STATIC,               // the flag's own `value`
    TARGETING_MATCH,      // a rule matched (see rule_index)
    SPLIT,                // the flag's own rollout or split (see bucket)
    DISABLED,             // `off = true`
    PREREQUISITE_FAILED,  // a flag named in `requires` had another value
    ERROR,                // the default was served because evaluation could not proceed (see error)
};

enum class ErrorCode : std::uint8_t {
    NONE,
    TARGETING_KEY_MISSING,  // the context has no value for bucket_by
};

constexpr std::string_view to_string(Reason reason) noexcept {
    switch (reason) {
    case Reason::DEFAULT: return "DEFAULT";
    case Reason::STATIC: return "STATIC";
    case Reason::TARGETING_MATCH: return "TARGETING_MATCH";
    case Reason::SPLIT: return "SPLIT";
    case Reason::DISABLED: return "DISABLED";
    case Reason::PREREQUISITE_FAILED: return "PREREQUISITE_FAILED";
    case Reason::ERROR: return "ERROR";
    }
    return "?";
}

constexpr std::string_view to_string(ErrorCode code) noexcept {
    switch (code) {
    case ErrorCode::NONE: return "NONE";
    case ErrorCode::TARGETING_KEY_MISSING: return "TARGETING_KEY_MISSING";
    }
    return "?";
}

// The untyped result the engine computes; Detail<T> is its typed face.
struct Evaluation {
    ValueIndex value = 0;
    Reason reason = Reason::DEFAULT;
    ErrorCode error = ErrorCode::NONE;
    std::int16_t rule_index = -1;  // the matching rule, for TARGETING_MATCH
    std::int32_t bucket = -1;      // 0..9999 when a rollout or split was consulted
    std::uint64_t generation = 0;  // of the snapshot that answered; 0 when none
    std::uint64_t content_hash = 0;
};

template <class T>
struct Detail {
    T value{};
    std::string_view variant;  // the value's name: "true"/"false" or the variant as written
    Reason reason = Reason::DEFAULT;
    ErrorCode error = ErrorCode::NONE;
    int rule_index = -1;
    int bucket = -1;
    std::uint64_t generation = 0;
    std::uint64_t content_hash = 0;
};

}  // namespace flags
