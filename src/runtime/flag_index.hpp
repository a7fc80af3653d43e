// The registry's flags by name, for the loader: a file names each flag it sets, so looking each up by
// scanning would make loading quadratic in the registry's size. One flat open-addressing table, built
// with one allocation at every load, rather than a node per flag.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include <flags/registry_types.hpp>

namespace flags::internal {

class FlagIndex {
public:
    explicit FlagIndex(std::span<const FlagInfo> flags);

    // The flag's number in the registry, or -1 when the registry has no flag of that name.
    int find(std::string_view name) const noexcept;

private:
    std::span<const FlagInfo> flags_;
    std::vector<std::uint32_t> slots_;  // 1 + a flag's number, or 0 for an empty slot
    std::size_t mask_ = 0;
};

}  // namespace flags::internal
