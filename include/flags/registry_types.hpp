// The metadata of a flag registry, shared by the two places a registry comes from: the constexpr
// tables flagc generates into a project's build, and a registry TOML read at run time (flagctl).
// The evaluation engine sees only RegistryView, so it cannot tell the two apart.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include <flags/detail/time_types.hpp>

namespace flags {

enum class FlagType : std::uint8_t { release, experiment, ops, permission };

constexpr std::string_view to_string(FlagType type) noexcept {
    switch (type) {
    case FlagType::release: return "release";
    case FlagType::experiment: return "experiment";
    case FlagType::ops: return "ops";
    case FlagType::permission: return "permission";
    }
    return "?";
}

// Release and experiment flags are temporary by design: they carry a retire_by date that fails the build.
constexpr bool must_retire(FlagType type) noexcept {
    return type == FlagType::release || type == FlagType::experiment;
}

using Date = std::chrono::sys_days;

// Every flag's value is a small index: 0/1 (false/true) for a boolean flag, or the position of a
// variant in FlagInfo::variants. The engine works on indices only; the typed API maps them back.
using ValueIndex = std::uint16_t;

struct FlagInfo {
    std::string_view name;        // "release.new-checkout"
    std::string_view identifier;  // "release_new_checkout", the Flag enumerator
    FlagType type{};
    std::string_view description;
    std::string_view owner;
    Date created{};
    std::optional<Date> retire_by;  // release and experiment flags only
    std::optional<Date> review_by;  // ops and permission flags only
    std::string_view ticket;        // empty when the registry names none
    std::span<const std::string_view> variants;  // empty for a boolean flag
    ValueIndex default_value = 0;
    bool track = false;  // report exposures (experiments unless `track = false`; others with `track = true`)

    constexpr bool is_boolean() const noexcept { return variants.empty(); }
    constexpr std::size_t value_count() const noexcept { return is_boolean() ? 2 : variants.size(); }
    constexpr std::string_view value_name(ValueIndex value) const noexcept {
        if (is_boolean()) return value != 0 ? "true" : "false";
        return value < variants.size() ? variants[value] : std::string_view{};
    }
};

struct RegistryView {
    std::span<const FlagInfo> flags;
    std::string_view source;  // the registry file(s) the view was made from, for messages

    // Index of the flag called `name`, or -1. Only for load time and tools: call sites are resolved
    // at compile time.
    constexpr int find(std::string_view name) const noexcept {
        for (std::size_t i = 0; i < flags.size(); ++i)
            if (flags[i].name == name) return static_cast<int>(i);
        return -1;
    }
};

}  // namespace flags
